#include "difftest/flags.h"

#include "difftest/zydis_support.h"

namespace orcvm::difftest {
namespace {

constexpr uint64_t CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, OF = 1 << 11;
constexpr uint64_t kStatus = CF | PF | AF | ZF | SF | OF;

// The count operand of a shift or rotate (the last visible operand): an immediate, or
// CL when RCX is known. Masked to 5 bits (6 with a 64-bit operand).
std::optional<uint64_t> shift_count(const zy::Decoded& d, std::optional<uint64_t> rcx) {
  const ZydisDecodedInstruction& zi = d.insn;
  if (zi.operand_count_visible < 2) return std::nullopt;
  const ZydisDecodedOperand& op = d.ops[zi.operand_count_visible - 1];
  const uint64_t mask = zi.operand_width == 64 ? 63 : 31;
  if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) return op.imm.value.u & mask;
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && op.reg.value == ZYDIS_REGISTER_CL && rcx) return *rcx & mask;
  return std::nullopt;
}

}  // namespace

FlagEffect flag_effect(const uint8_t* bytes, size_t size, std::optional<uint64_t> rcx) {
  zy::Decoded d;
  if (!zy::decode(bytes, size, d) || !d.insn.cpu_flags) return {};
  const ZydisDecodedInstruction& zi = d.insn;
  const ZydisAccessedFlags& f = *zi.cpu_flags;
  FlagEffect e;
  e.tested = f.tested;
  e.undefined = f.undefined & kStatus;
  e.defined = (f.modified | f.set_0 | f.set_1) & ~f.undefined & kStatus;
  const unsigned width = zi.operand_width;
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_SHL:
    case ZYDIS_MNEMONIC_SHR:
    case ZYDIS_MNEMONIC_SAR: {
      const bool cf_can_be_undefined = zi.mnemonic != ZYDIS_MNEMONIC_SAR && width <= 16;
      auto count = shift_count(d, rcx);
      if (!count) return {0, OF | AF | (cf_can_be_undefined ? CF : 0), e.tested};
      if (*count == 0) return {0, 0, e.tested};
      e.undefined = AF | (*count != 1 ? OF : 0) | (cf_can_be_undefined && *count >= width ? CF : 0);
      e.defined = kStatus & ~e.undefined;
      return e;
    }
    case ZYDIS_MNEMONIC_ROL:
    case ZYDIS_MNEMONIC_ROR:
    case ZYDIS_MNEMONIC_RCL:
    case ZYDIS_MNEMONIC_RCR: {
      auto count = shift_count(d, rcx);
      if (!count) return {0, OF, e.tested};
      if (*count == 0) return {0, 0, e.tested};
      e.undefined = *count != 1 ? OF : 0;
      e.defined = (CF | OF) & ~e.undefined;
      // RCL/RCR rotate by count mod 9 (mod 17) on 8-bit (16-bit) operands: a multiple
      // of 9 (17) leaves CF as it was.
      const bool through_carry = zi.mnemonic == ZYDIS_MNEMONIC_RCL || zi.mnemonic == ZYDIS_MNEMONIC_RCR;
      if (through_carry && width <= 16 && *count % (width + 1) == 0) e.defined &= ~CF;
      return e;
    }
    case ZYDIS_MNEMONIC_SHLD:
    case ZYDIS_MNEMONIC_SHRD: {
      auto count = shift_count(d, rcx);
      if (!count) return {0, width == 16 ? kStatus : OF | AF, e.tested};
      if (*count == 0) return {0, 0, e.tested};
      if (*count > width) return {0, kStatus, e.tested};
      e.undefined = AF | (*count != 1 ? OF : 0);
      e.defined = kStatus & ~e.undefined;
      return e;
    }
    case ZYDIS_MNEMONIC_BEXTR:
      e.undefined = AF | SF | PF;
      e.defined = CF | OF | ZF;
      return e;
    default:
      // A REP-prefixed CMPS/SCAS with a count of 0 writes no flag. REPE/REPNE test the
      // ZF their own iteration computed, not the incoming one.
      if (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE)) {
        if (zi.meta.category == ZYDIS_CATEGORY_STRINGOP) e.tested &= ~ZF;
        const bool counted = !rcx || (zi.address_width == 32 ? (*rcx & 0xffffffff) : *rcx) == 0;
        if (counted) e.defined = 0;
      }
      return e;
  }
}

uint64_t FlagAnalysis::at(uint64_t rip) const {
  for (size_t i = 0; i < offsets.size(); ++i)
    if (kCodeAddress + offsets[i] == rip) return maybe_undefined[i];
  return any;
}

FlagAnalysis analyse_flags(const std::vector<CaseInsn>& insns, const MachineState* input) {
  FlagAnalysis a;
  const size_t n = insns.size();
  a.offsets.resize(n + 1, 0);
  for (size_t i = 0; i < n; ++i) a.offsets[i + 1] = a.offsets[i] + insns[i].bytes.size();
  // Forward edges only: a state is final once every earlier instruction is processed.
  std::vector<uint64_t> incoming(n + 1, 0);
  a.maybe_undefined.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t before = incoming[i];
    a.maybe_undefined[i] = before;
    a.any |= before;
    const CaseInsn& in = insns[i];
    std::optional<uint64_t> rcx;
    if (i == 0 && input) rcx = input->gpr[1];
    FlagEffect e = flag_effect(in.bytes.data(), in.bytes.size(), rcx);
    const uint64_t after = (before & ~e.defined) | e.undefined;
    InsnFacts facts = describe(in.bytes.data(), in.bytes.size());
    const bool unconditional_jump = facts.valid && facts.name == "JMP";
    if (!unconditional_jump) incoming[i + 1] |= after;
    if (in.target >= 0 && static_cast<size_t>(in.target) > i && static_cast<size_t>(in.target) <= n)
      incoming[in.target] |= after;
    // A backward or unresolved transfer: every later point may see this state.
    if ((in.rel_offset < 0 && facts.relative_branch) || facts.indirect_branch ||
        (in.target >= 0 && static_cast<size_t>(in.target) <= i))
      for (size_t k = i + 1; k <= n; ++k) incoming[k] |= after | before;
    a.any |= after;
  }
  a.maybe_undefined[n] = incoming[n];
  a.any |= incoming[n];
  return a;
}

uint64_t undefined_flags_at(const TestCase& test, uint64_t rip) {
  return analyse_flags(split_code(test.code), &test.input).at(rip);
}

}  // namespace orcvm::difftest
