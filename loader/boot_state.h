#pragma once
// The machine state a 32-bit or real-mode kernel finds at its entry, and the PC
// memory map the loaders report. The 32-bit state mirrors what QEMU 7.2's
// multiboot option ROM leaves under SeaBIOS (docs/loaders.md lists it).
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "loader/elf.h"
#include "runtime/softmmu/memory.h"
#include "runtime/vcpu/cpu_state.h"

namespace orcvm {

// QEMU's multiboot option ROM (multiboot_dma.bin) is mapped at 0xcb000 behind the
// standard VGA BIOS; its five-entry GDT sits at offset 0x2b8 and stays loaded.
constexpr uint32_t kBootGdtAddr = 0xcb2b8;
constexpr uint16_t kBootGdtLimit = 5 * 8 - 1;
constexpr uint16_t kBootCodeSelector = 0x08, kBootDataSelector = 0x10;
// The GDT QEMU loads: null, 32-bit code, 32-bit data, 16-bit conforming code, 16-bit data.
// Not accessed (A = 0): QEMU's copy lives in read-only shadow ROM.
constexpr uint64_t kBootGdt[5] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
                                  0x00009e000000ffffull, 0x000092000000ffffull};
// A GDT a loader writes for its entry state, and the flat selectors it loads from it.
struct BootGdt {
  uint64_t addr;
  std::span<const uint64_t> descriptors;
  uint16_t code_selector, data_selector;
  constexpr uint16_t limit() const { return static_cast<uint16_t>(descriptors.size() * 8 - 1); }
};
constexpr BootGdt kOptionRomGdt{kBootGdtAddr, kBootGdt, kBootCodeSelector, kBootDataSelector};
static_assert(kOptionRomGdt.limit() == kBootGdtLimit);
// SeaBIOS runs on a stack at 0x7000; the option ROM leaves ESP here.
constexpr uint32_t kBootStackPointer = 0x6f08;
constexpr uint16_t kRealModeStackPointer = 0x7000;
// VGA memory and ROMs: no kernel or flat image may be loaded here (the boot GDT lives in it).
constexpr uint64_t kLegacyHoleStart = PhysicalAddressMap::kLegacyHoleStart;
constexpr uint64_t kLegacyHoleEnd = PhysicalAddressMap::kLegacyHoleEnd;
// Real-mode entry without a BIOS: every IVT vector points at an IRET, at SeaBIOS's
// address for its dummy handler.
constexpr uint16_t kIretStubSegment = 0xf000, kIretStubOffset = 0xff53;
// CR0 as the option ROM leaves it: it writes 1, and the CPU keeps ET set.
constexpr uint64_t kProtectedEntryCr0 = cr0::PE | cr0::ET;

// General registers and flags at a 32-bit entry.
struct EntryRegisters32 {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0, esi = 0, edi = 0, ebp = 0;
  uint32_t esp = kBootStackPointer;
  uint32_t eflags = 0x2;
};

// The CPU after reset, before any loader touches it: all registers zero except the
// power-on values of DR6, DR7, PAT, XCR0, IA32_APIC_BASE (BSP, enabled at
// 0xfee00000), the x87 control word after FNINIT and MXCSR.
void reset_cpu(CpuState& cpu);

// 32-bit protected mode, paging off, CPL 0: writes the GDT (by default QEMU's at
// kBootGdtAddr) and loads CS = its code selector (0x08), DS/ES/FS/GS/SS = its data
// selector (0x10), flat 4 GiB, GDTR = that GDT, IDTR = the real-mode IVT (base 0,
// limit 0x3ff), CR0 = PE | ET, EFER = 0.
void enter_protected_mode_flat(PhysicalMemory& memory, CpuState& cpu, uint32_t eip,
                               const EntryRegisters32& regs, const BootGdt& gdt = kOptionRomGdt);

// Identity page tables for every physical address the CPU has: the first 4 GiB
// (RAM, the legacy area and the MMIO windows of the PCI hole) in 2 MiB pages, the
// rest up to 2^MAXPHYADDR in 1 GiB pages. PML4 at 0x1000, PDPT at 0x2000, four page
// directories at 0x3000-0x6fff; returns the CR3 value.
constexpr uint64_t kIdentityPageTablesStart = 0x1000, kIdentityPageTablesEnd = 0x7000;
uint64_t write_identity_page_tables(PhysicalMemory& memory);

// The long-mode part of a 64-bit entry: CR3 = cr3, CR4 = PAE, EFER.LME and LMA set,
// GDTR = gdt, CS = its code selector (64-bit code, attrs 0xa09b), DS/ES/FS/GS/SS = its
// data selector (attrs 0xc093), all flat. Writes the GDT; CR0 and the rest are the caller's.
void enter_flat_long_mode(PhysicalMemory& memory, CpuState& cpu, uint64_t cr3, const BootGdt& gdt);

// Real mode at cs:ip with DS = ES = FS = GS = SS = 0, SP = 0x7000, IDTR = the IVT at
// 0, whose 256 vectors are filled with F000:FF53, where an IRET is written.
void enter_real_mode(PhysicalMemory& memory, CpuState& cpu, uint16_t cs, uint16_t ip);

// Physical ranges a loaded image must avoid, with a name for the error message.
struct ReservedRange {
  uint64_t start, end;
  const char* what;
};
// Throws LoadError("WHAT at 0xA (+0xS) does not fit in 0xR bytes of RAM (use -m)") or
// "WHAT (0xA-0xB) overlaps RANGE at 0xS-0xE".
void check_placement(PhysicalMemory& memory, const std::string& what, uint64_t start,
                     uint64_t size, const std::vector<ReservedRange>& reserved);

// The host bytes behind [paddr, paddr + size) of guest RAM; throws the "does not
// fit" LoadError of check_placement when any of it is not RAM. Loaders reach guest
// memory only through these.
uint8_t* guest_ram(PhysicalMemory& memory, const std::string& what, uint64_t paddr, uint64_t size);
void write_guest(PhysicalMemory& memory, const std::string& what, uint64_t paddr, const void* data, uint64_t size);
void fill_guest(PhysicalMemory& memory, const std::string& what, uint64_t paddr, uint8_t byte, uint64_t size);

std::string to_hex(uint64_t value);

// The memory map a loader hands the kernel: `given` (the platform's e820) unless it
// is empty, else the address map's (the same map, for callers without a platform).
std::vector<MemoryMapEntry> reported_memory_map(const std::vector<MemoryMapEntry>& given, const PhysicalMemory& memory);

}  // namespace orcvm
