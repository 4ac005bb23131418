/* MOV to CR3 in IA-32e mode: bits 63:MAXPHYADDR are reserved (bit 63 as well,
 * since CR4.PCIDE is not supported) and a write setting any of them raises
 * #GP(0) and leaves CR3 and the address space as they were. QEMU 7.2 TCG
 * accepts such writes, so this kernel runs in orcvm only. */
#include "sys.h"

u64 cr3_value;
SNIPPET(do_write_cr3, "mov cr3_value(%rip), %rax", "mov %rax, %cr3", "");

static void try_cr3(const char* name, u64 value) {
  const u64 before = read_cr3();
  cr3_value = value;
  int v = catch_call(do_write_cr3, 0);
  check_eqf((u32)v, VEC_GP, "%s.vector", name);
  check_eqf(last_trap.error, 0, "%s.error_code", name);
  check_eqf(read_cr3(), before, "%s.cr3_unchanged", name);
}

void kmain(void) {
  u32 r[4];
  cpuid(0x80000000u, 0, r);
  u32 phys_bits = 36;
  if (r[0] >= 0x80000008u) {
    cpuid(0x80000008u, 0, r);
    phys_bits = r[0] & 0xff;
  }
  check_eq("cpuid.physical_address_bits", phys_bits, 36);

  section("MOV to CR3 with reserved bits");
  const u64 cr3 = read_cr3();
  try_cr3("bit63", cr3 | (1ull << 63));
  try_cr3("bit_maxphyaddr", cr3 | (1ull << phys_bits));
  try_cr3("bit51", cr3 | (1ull << 51));

  section("MOV to CR3 without reserved bits");
  cr3_value = cr3 | 0x18; /* PWT and PCD are not reserved */
  check_eq("pwt_pcd.no_fault", (u32)catch_call(do_write_cr3, 0), (u32)-1);
  check_eq("pwt_pcd.read_back", read_cr3(), cr3 | 0x18);
  write_cr3(cr3);
  check_eq("restored", read_cr3(), cr3);
}
