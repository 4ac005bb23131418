#pragma once
// The KVM oracle's virtual machine, everything of it that does not need /dev/kvm: the
// guest memory image (page tables for long mode, GDT, TSS, IDT, exception stubs, the
// case's code and data window), the conversion of a case's state to kvm_regs /
// kvm_sregs, and the decoding of the exit back into an outcome. difftest/kvm_oracle.cpp
// drives the device; tests/difftest/kvm_setup_test.cpp checks these pieces without it.
//
// The guest runs the case at CPL 3 in 64-bit mode, as the host oracle's child does on
// Linux: CS 0x33, SS 0x2b, DS ES FS GS null, IOPL 0, CR0.AM, EFER.NXE and SCE. Guest physical
// memory is one 2 MiB slot at 0:
//   0x10000..0x1ffff  code pages (user, RWX; only the pages the code uses are present)
//   0x20000..0x2ffff  data window (user, RW, NX)
//   0x100000..        system area, mapped supervisor-only at kSystemBase (negative
//                     canonical addresses, so the user half matches the host's view):
//                     page tables, GDT+TSS, IDT, one 16-byte stub per vector, kernel stack.
// An exception enters its stub through an interrupt gate (TSS.RSP0 gives the stack);
// the stub is HLT, so KVM exits with KVM_EXIT_HLT with the guest's GPRs still those of
// the faulting user code, RIP inside the stub (which names the vector) and the frame
// (error code, RIP, CS, RFLAGS, RSP, SS) on the kernel stack.
#include <linux/kvm.h>

#include <cstdint>
#include <string>
#include <vector>

#include "difftest/oracle_result.h"
#include "difftest/testcase.h"

namespace orcvm::difftest::kvm {

constexpr uint64_t kGuestMemorySize = 2ull << 20;
constexpr uint64_t kSystemPhys = 0x100000;
constexpr uint64_t kSystemBase = 0xffffffffc0000000ull;  // PML4[511], PDPT[511], PD[0]
constexpr uint64_t kPml4Phys = kSystemPhys + 0x0000;
constexpr uint64_t kPdptLowPhys = kSystemPhys + 0x1000;
constexpr uint64_t kPdLowPhys = kSystemPhys + 0x2000;
constexpr uint64_t kPtLowPhys = kSystemPhys + 0x3000;
constexpr uint64_t kPdptHighPhys = kSystemPhys + 0x4000;
constexpr uint64_t kPdHighPhys = kSystemPhys + 0x5000;
constexpr uint64_t kPtHighPhys = kSystemPhys + 0x6000;
constexpr uint64_t kGdtPhys = kSystemPhys + 0x7000;
constexpr uint64_t kTssPhys = kGdtPhys + 0x100;
constexpr uint64_t kIdtPhys = kSystemPhys + 0x8000;
constexpr uint64_t kStubsPhys = kSystemPhys + 0x9000;
constexpr uint64_t kStackPhys = kSystemPhys + 0xa000;  // two pages
constexpr uint64_t kStackTopPhys = kSystemPhys + 0xc000;
constexpr uint64_t kSystemPages = 12;
constexpr uint64_t kStubSize = 16;
constexpr unsigned kVectors = 256;

// GDT selectors, as Linux x86-64 has them (so far transfers to 0x33 and faults on
// other selectors behave as on the host).
constexpr uint16_t kKernelCs = 0x10, kKernelDs = 0x18, kUserCs32 = 0x23, kUserDs = 0x2b, kUserCs = 0x33, kTss = 0x40;
constexpr uint16_t kGdtLimit = 0x4f;

constexpr uint64_t system_va(uint64_t phys) { return kSystemBase + (phys - kSystemPhys); }

// Writes the system area and the page tables for a code of code_bytes bytes
// (including the UD2 that ends it) into guest memory (kGuestMemorySize bytes).
void build_system_area(uint8_t* guest, uint64_t code_bytes);

// Writes the case: zeroes the code pages and the window, then the code, UD2, and the
// input memory.
void write_case(uint8_t* guest, const TestCase& test);

// A 4-level walk of the guest's page tables, as the CPU would make it from CPL 3 or 0.
struct Translation {
  bool present = false;
  uint64_t phys = 0;
  bool writable = false, user = false, executable = false;
};
Translation walk(const uint8_t* guest, uint64_t va);

kvm_regs to_kvm_regs(const MachineState& state);
// Long mode, CPL 3, paging with kPml4Phys, the GDT/IDT/TSS above.
kvm_sregs make_sregs();
kvm_segment user_code_segment();
kvm_segment user_data_segment();

// The outcome of a run that stopped with exit_reason; regs are the guest's registers
// at the exit and guest its memory.
OracleResult decode_exit(uint32_t exit_reason, const kvm_regs& regs, const uint8_t* guest, const TestCase& test);

// A readable name for a KVM exit reason ("KVM_EXIT_SHUTDOWN").
std::string exit_reason_name(uint32_t reason);

}  // namespace orcvm::difftest::kvm
