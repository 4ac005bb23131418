#pragma once
// The CPU state as the guest believes it to be. Translated code reads and writes
// it by fixed offsets (see exec_context.h), so its layout is pinned below.
#include <cstddef>
#include <cstdint>

#include "runtime/vcpu/fpu_state.h"

namespace orcvm {

enum Gpr : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

namespace rflags {
constexpr uint64_t CF = 1u << 0, Fixed1 = 1u << 1, PF = 1u << 2, AF = 1u << 4, ZF = 1u << 6,
                   SF = 1u << 7, TF = 1u << 8, IF = 1u << 9, DF = 1u << 10, OF = 1u << 11,
                   IOPL = 3u << 12, NT = 1u << 14, RF = 1u << 16, VM = 1u << 17, AC = 1u << 18,
                   VIF = 1u << 19, VIP = 1u << 20, ID = 1u << 21;
constexpr uint64_t Status = CF | PF | AF | ZF | SF | OF;
}  // namespace rflags

struct SegmentReg {
  uint64_t base;
  uint32_t limit;
  uint16_t selector;
  uint16_t attrs;  // descriptor bits 40-47 and 52-55 as VMX packs them: type, S, DPL, P, AVL, L, D/B, G
};

struct DescriptorTable {
  uint64_t base;
  uint16_t limit;
};

struct PendingException {
  uint8_t pending;
  uint8_t vector;
  uint8_t has_error_code;
  uint8_t software;  // INT n / INT3 / INTO: delivered with the gate's privilege check
  uint8_t instruction_length;  // of a software interrupt: a fault in its delivery is reported at it
  uint32_t error_code;
  uint64_t cr2;
  uint64_t rip;  // the faulting instruction
};

struct CpuState {
  uint64_t gpr[16];
  uint64_t rip;
  // RFLAGS except the six status flags, which live unpacked in the bytes below so
  // that translated code writes them with plain stores that the optimiser can kill.
  uint64_t rflags;
  uint8_t cf, pf, af, zf, sf, of;
  uint8_t cpl;
  uint8_t halted;

  SegmentReg seg[6];  // ES CS SS DS FS GS
  SegmentReg ldtr, tr;
  DescriptorTable gdtr, idtr;

  uint64_t cr0, cr2, cr3, cr4, cr8, efer, xcr0;
  uint64_t dr[8];

  uint64_t kernel_gs_base, star, lstar, cstar, sfmask;
  uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
  uint64_t tsc_offset, pat, apic_base, misc_enable, tsc_aux, tsc_deadline, mtrr_def_type;
  uint64_t mtrr[0x70];  // variable and fixed-range MTRRs, by MSR index & 0x7f

  FpuState fpu;
  alignas(32) uint64_t vec[16][4];  // XMMi in vec[i][0..1] (low lane first); YMMi's upper half in [2..3]

  PendingException exception;
  uint8_t nmi_blocked;       // from NMI delivery until the next IRET
  uint8_t interrupt_shadow;  // interrupt_shadow::Sti or MovSs: no interrupt before the next instruction
  uint8_t shutdown;          // triple fault

  // Compiled code may leave the status flags in a lazy form instead of cf..of
  // (ir/semantics/lazy_flags.h): flags_op non-zero names it.
  uint8_t flags_op;
  uint64_t flags_operand, flags_result;

  uint64_t get_rflags() const;
  void set_rflags(uint64_t value);
  // Makes cf..of hold the flags: before code that reads or writes them one by one.
  void materialize_flags();
};

namespace cr0 {
constexpr uint64_t PE = 1u << 0, MP = 1u << 1, EM = 1u << 2, TS = 1u << 3, ET = 1u << 4,
                   NE = 1u << 5, WP = 1u << 16, AM = 1u << 18, NW = 1u << 29, CD = 1u << 30,
                   PG = 1u << 31;
}
namespace cr4 {
constexpr uint64_t VME = 1u << 0, PVI = 1u << 1, TSD = 1u << 2, DE = 1u << 3, PSE = 1u << 4, PAE = 1u << 5, MCE = 1u << 6, PCE = 1u << 8, PGE = 1u << 7, OSFXSR = 1u << 9,
                   OSXMMEXCPT = 1u << 10, UMIP = 1u << 11, LA57 = 1u << 12, FSGSBASE = 1u << 16,
                   PCIDE = 1u << 17, OSXSAVE = 1u << 18, SMEP = 1u << 20, SMAP = 1u << 21;
}
namespace efer {
constexpr uint64_t SCE = 1u << 0, LME = 1u << 8, LMA = 1u << 10, NXE = 1u << 11;
}

namespace interrupt_shadow {
constexpr uint8_t None = 0, Sti = 1, MovSs = 2;  // MOV SS and POP SS also delay debug traps
}

constexpr uint8_t kDebugVector = 1;
constexpr uint64_t kDr6BreakpointHits = 0xf, kDr6SingleStep = 1u << 14;

// Misaligned data accesses of CPL-3 code raise #AC (SDM Vol. 3, 6.15, vector 17).
inline bool alignment_checking(const CpuState& c) {
  return (c.cr0 & cr0::AM) && (c.rflags & rflags::AC) && c.cpl == 3;
}

static_assert(offsetof(CpuState, gpr) == 0);
static_assert(offsetof(CpuState, rip) == 128);
static_assert(offsetof(CpuState, rflags) == 136);
static_assert(offsetof(CpuState, cf) == 144);
static_assert(offsetof(CpuState, of) == 149);
static_assert(sizeof(SegmentReg) == 16);

}  // namespace orcvm
