#include "loader/boot_state.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "runtime/fpu/sse_float.h"
#include "runtime/vcpu/cpu_model.h"

namespace orcvm {

namespace {

// VMX-style access rights of the segments at entry.
constexpr uint16_t kFlatCode32 = 0xc09b;  // code, execute/read, accessed, DPL 0, present, D, G
constexpr uint16_t kFlatData32 = 0xc093;  // data, read/write, accessed, DPL 0, present, B, G
constexpr uint16_t kFlatCode64 = 0xa09b;  // code, execute/read, accessed, DPL 0, present, L, G
constexpr uint16_t kRealCode = 0x009b, kRealData = 0x0093;
constexpr uint16_t kLdtPresent = 0x0082, kBusyTss32 = 0x008b;

void put(PhysicalMemory& memory, uint64_t paddr, const void* data, size_t size) {
  write_guest(memory, "the boot state", paddr, data, size);
}

void write_gdt(PhysicalMemory& memory, const BootGdt& gdt) {
  write_guest(memory, "the boot GDT", gdt.addr, gdt.descriptors.data(), gdt.descriptors.size_bytes());
}

}  // namespace

uint8_t* guest_ram(PhysicalMemory& memory, const std::string& what, uint64_t paddr, uint64_t size) {
  uint8_t* host = memory.host(paddr, size);
  if (!host)
    throw LoadError(what + " at " + to_hex(paddr) + " (+" + to_hex(size) + ") does not fit in " +
                    to_hex(memory.ram_size()) + " bytes of RAM (use -m)");
  return host;
}

void write_guest(PhysicalMemory& memory, const std::string& what, uint64_t paddr, const void* data, uint64_t size) {
  if (size) std::memcpy(guest_ram(memory, what, paddr, size), data, size);
}

void fill_guest(PhysicalMemory& memory, const std::string& what, uint64_t paddr, uint8_t byte, uint64_t size) {
  if (size) std::memset(guest_ram(memory, what, paddr, size), byte, size);
}

std::string to_hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

std::vector<MemoryMapEntry> reported_memory_map(const std::vector<MemoryMapEntry>& given, const PhysicalMemory& memory) {
  return given.empty() ? memory.address_map().memory_map() : given;
}

void reset_cpu(CpuState& cpu) {
  cpu = CpuState{};
  cpu.rip = 0xfff0;
  cpu.set_rflags(rflags::Fixed1);
  cpu.cr0 = cr0::CD | cr0::NW | cr0::ET;
  for (SegmentReg& s : cpu.seg) s = SegmentReg{0, 0xffff, 0, kRealData};
  cpu.seg[1] = SegmentReg{0xffff0000, 0xffff, 0xf000, kRealCode};
  cpu.ldtr = SegmentReg{0, 0xffff, 0, kLdtPresent};
  cpu.tr = SegmentReg{0, 0xffff, 0, kBusyTss32};
  cpu.gdtr = {0, 0xffff};
  cpu.idtr = {0, 0xffff};
  cpu.dr[6] = 0xffff0ff0;
  cpu.dr[7] = 0x400;
  cpu.xcr0 = 1;
  cpu.pat = 0x0007040600070406ull;
  cpu.misc_enable = misc_enable::kPowerOn;
  cpu.apic_base = 0xfee00000 | (1u << 11) | (1u << 8);  // enabled, BSP
  cpu.fpu.control = x87::ControlAfterInit;
  cpu.fpu.mxcsr = fpu::mxcsr::PowerOn;
}

void enter_protected_mode_flat(PhysicalMemory& memory, CpuState& cpu, uint32_t eip,
                               const EntryRegisters32& regs, const BootGdt& gdt) {
  write_gdt(memory, gdt);
  reset_cpu(cpu);
  cpu.rip = eip;
  cpu.gpr[RAX] = regs.eax;
  cpu.gpr[RBX] = regs.ebx;
  cpu.gpr[RCX] = regs.ecx;
  cpu.gpr[RDX] = regs.edx;
  cpu.gpr[RSI] = regs.esi;
  cpu.gpr[RDI] = regs.edi;
  cpu.gpr[RBP] = regs.ebp;
  cpu.gpr[RSP] = regs.esp;
  cpu.set_rflags(regs.eflags);
  cpu.cr0 = kProtectedEntryCr0;
  for (SegmentReg& s : cpu.seg) s = SegmentReg{0, 0xffffffff, gdt.data_selector, kFlatData32};
  cpu.seg[1] = SegmentReg{0, 0xffffffff, gdt.code_selector, kFlatCode32};
  cpu.gdtr = {gdt.addr, gdt.limit()};
  cpu.idtr = {0, 0x3ff};
  cpu.cpl = 0;
}

uint64_t write_identity_page_tables(PhysicalMemory& memory) {
  constexpr uint64_t pml4 = kIdentityPageTablesStart, pdpt = pml4 + 0x1000, first_pd = pdpt + 0x1000;
  constexpr uint64_t present_writable = 0x3, large = 0x80;
  constexpr uint64_t two_mib = 2ull << 20, one_gib = 1ull << 30;
  constexpr uint64_t four_gib = PhysicalAddressMap::kFourGiB;
  static_assert(first_pd + (four_gib / one_gib) * 0x1000 == kIdentityPageTablesEnd);
  uint8_t* area = guest_ram(memory, "the boot page tables", kIdentityPageTablesStart,
                            kIdentityPageTablesEnd - kIdentityPageTablesStart);
  auto put64 = [&](uint64_t paddr, uint64_t value) { std::memcpy(area + (paddr - kIdentityPageTablesStart), &value, 8); };
  std::memset(area, 0, kIdentityPageTablesEnd - kIdentityPageTablesStart);
  put64(pml4, pdpt | present_writable);
  for (uint64_t p = 0; p < four_gib / two_mib; ++p) {
    const uint64_t pd = first_pd + (p / 512) * 0x1000;
    if (p % 512 == 0) put64(pdpt + (p / 512) * 8, pd | present_writable);
    put64(pd + (p % 512) * 8, p * two_mib | present_writable | large);
  }
  for (uint64_t gib = four_gib / one_gib; gib < PhysicalAddressMap::kMaxPhysicalTop / one_gib; ++gib)
    put64(pdpt + gib * 8, gib * one_gib | present_writable | large);
  return pml4;
}

void enter_flat_long_mode(PhysicalMemory& memory, CpuState& cpu, uint64_t cr3, const BootGdt& gdt) {
  write_gdt(memory, gdt);
  cpu.cr3 = cr3;
  cpu.cr4 = cr4::PAE;
  cpu.efer |= efer::LME | efer::LMA;
  cpu.gdtr = {gdt.addr, gdt.limit()};
  for (SegmentReg& s : cpu.seg) s = SegmentReg{0, 0xffffffff, gdt.data_selector, kFlatData32};
  cpu.seg[1] = SegmentReg{0, 0xffffffff, gdt.code_selector, kFlatCode64};
  cpu.cpl = 0;
}

void enter_real_mode(PhysicalMemory& memory, CpuState& cpu, uint16_t cs, uint16_t ip) {
  const uint32_t vector = uint32_t{kIretStubSegment} << 16 | kIretStubOffset;
  uint32_t ivt[256];
  for (uint32_t& v : ivt) v = vector;
  put(memory, 0, ivt, sizeof ivt);
  const uint8_t iret = 0xcf;
  put(memory, uint64_t{kIretStubSegment} * 16 + kIretStubOffset, &iret, 1);
  reset_cpu(cpu);
  cpu.cr0 = cr0::ET;
  cpu.rip = ip;
  cpu.gpr[RSP] = kRealModeStackPointer;
  for (SegmentReg& s : cpu.seg) s = SegmentReg{0, 0xffff, 0, kRealData};
  cpu.seg[1] = SegmentReg{uint64_t{cs} << 4, 0xffff, cs, kRealCode};
  cpu.idtr = {0, 0x3ff};
  cpu.cpl = 0;
}

void check_placement(PhysicalMemory& memory, const std::string& what, uint64_t start,
                     uint64_t size, const std::vector<ReservedRange>& reserved) {
  guest_ram(memory, what, start, size);
  for (const ReservedRange& r : reserved)
    if (size != 0 && start < r.end && start + size > r.start)
      throw LoadError(what + " (" + to_hex(start) + "-" + to_hex(start + size) + ") overlaps " + r.what +
                      " at " + to_hex(r.start) + "-" + to_hex(r.end));
}

}  // namespace orcvm
