#pragma once
// orcvm's own decoded-instruction type. Everything after the decoder sees this,
// never Zydis.
#include <cstdint>
#include <string_view>

namespace orcvm {

enum class Mnemonic : uint16_t {
  Other,  // decoded by Zydis but not implemented: raises #UD
#define X(name) name,
#include "frontend/decode/mnemonics.inc"
#undef X
  Count
};

std::string_view mnemonic_name(Mnemonic m);

enum class Seg : uint8_t { ES, CS, SS, DS, FS, GS, None };

enum class RegClass : uint8_t { Gpr, Segment, Control, Debug, Other };

struct RegRef {
  RegClass cls = RegClass::Other;
  uint8_t index = 0;    // 0..15 for GPRs (RAX..R15), CRn / DRn number, Seg value
  bool high8 = false;   // AH, CH, DH, BH
};

struct MemRef {
  Seg seg = Seg::DS;
  int8_t base = -1;   // GPR index or -1; RIP-relative is folded into disp
  int8_t index = -1;  // GPR index or -1
  uint8_t scale = 1;
  int64_t disp = 0;
};

enum class OperandKind : uint8_t { None, Reg, Mem, Imm, Target, FarPointer };

struct Operand {
  OperandKind kind = OperandKind::None;
  uint16_t bits = 0;  // operand size
  RegRef reg;
  MemRef mem;
  uint64_t imm = 0;   // sign-extended immediate, the absolute branch target, or a far offset
  uint16_t selector = 0;  // of a far pointer
};

// The architectural limit (SDM Vol. 2, 2.3.11): longer instructions raise #GP.
constexpr unsigned kMaxInsnLength = 15;

struct DecodedInsn {
  uint64_t rip = 0;
  Mnemonic mnemonic = Mnemonic::Other;
  uint8_t length = 0;
  uint8_t opsize = 0;    // effective operand size in bits
  uint8_t addrsize = 0;  // effective address size in bits
  uint8_t operand_count = 0;
  bool lock = false;
  bool rep = false;      // REP / REPE / REPZ
  bool repne = false;    // REPNE / REPNZ
  bool far = false;      // a far JMP, CALL or RET
  Seg segment_override = Seg::None;
  Operand op[4];
  uint8_t bytes[kMaxInsnLength] = {};

  uint64_t next_rip() const { return rip + length; }
};

}  // namespace orcvm
