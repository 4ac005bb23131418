/* A 32-bit protected-mode kernel whose compiled C does its floating point on the
 * x87 (FLOAT x87: -mno-sse -mfpmath=387): the workload of x87_32_workload.c,
 * whose results guests/sys/host/check_x87_host.sh compares with the same source
 * run on the host's x87, then the last-instruction pointers of a memory operand
 * through a segment with a base (FDP is the offset, FDS the selector). */
#include "sys.h"
#include "x87_32_workload.h"

static void report(const char* name, long double value) {
  u8 bytes[10];
  memcpy(bytes, &value, sizeof bytes);
  u64 significand = 0;
  for (int i = 7; i >= 0; --i) significand = significand << 8 | bytes[i];
  kprintf("%s: %04x:%016llx\n", name, bytes[8] | bytes[9] << 8, (unsigned long long)significand);
}
static void report_int(const char* name, long long value) { kprintf("%s: %lld\n", name, value); }

#define SCRATCH_DS GDT_SCRATCH
u8 environment[28];
static u64 based_operand = 0x3ff8000000000000ull; /* 1.5 */
u32 fs_offset;
SNIPPET(fs_fld, "fninit; mov fs_offset, %eax", "fldl %fs:(%eax)", "fnstenv environment");

static u32 get32(const u8* p, unsigned off) { return p[off] | p[off + 1] << 8 | p[off + 2] << 16 | (u32)p[off + 3] << 24; }

void kmain(void) {
  write_cr0((read_cr0() | CR0_NE | CR0_MP) & ~(uptr)(CR0_EM | CR0_TS));
  __asm__ volatile("fninit");
  section("a numeric workload on the x87");
  const struct x87_reporter r = {report, report_int};
  x87_workload(&r);

  section("FIP FCS FDP FDS through a segment with a base");
  const u32 base = 0x1000;
  set_gdt_entry(SCRATCH_DS, make_desc(base, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_G | FLG_DB));
  WRITE_SEG(fs, SCRATCH_DS);
  const u32 offset = (u32)(uptr)&based_operand - base;
  fs_offset = offset;
  check_eq("fs_fld.no_fault", (u32)catch_call(fs_fld, 0), (u32)-1);
  WRITE_SEG(fs, KERNEL_DS);
  check_eq("fs_fld.fip", get32(environment, 12), (u32)(uptr)fs_fld_insn);
  check_eq("fs_fld.fcs", get32(environment, 16) & 0xffff, KERNEL_CS);
  check_eq("fs_fld.fdp_is_the_offset", get32(environment, 20), offset);
  check_eq("fs_fld.fds", get32(environment, 24) & 0xffff, SCRATCH_DS);
  __asm__ volatile("fninit");
}
