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

enum class RegClass : uint8_t { Gpr, Segment, Control, Debug, Xmm, Other };

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

// The encoding as the SDM's opcode tables write it; ir/semantics binds
// semantics to these, not to mnemonic names (the names are for reports).
enum class OpcodeMap : uint8_t { Primary, Map0F, Map0F38, Map0F3A, Other };
// The mandatory prefix of a legacy encoding, or VEX.pp.
enum class SimdPrefix : uint8_t { None, P66, PF3, PF2 };

struct Encoding {
  OpcodeMap map = OpcodeMap::Other;
  uint8_t opcode = 0;
  SimdPrefix prefix = SimdPrefix::None;
  bool vex = false;
  bool has_modrm = false;
  uint8_t modrm = 0;
  bool w = false;          // REX.W or VEX.W
  bool vex_l = false;      // VEX.L: 256-bit
  bool long_mode = false;  // decoded as 64-bit code

  uint8_t mod() const { return modrm >> 6; }
  uint8_t reg() const { return (modrm >> 3) & 7; }
  uint8_t rm() const { return modrm & 7; }
};

constexpr uint16_t kBindingUnresolved = 0xffff, kBindingNone = 0xfffe;

// The architectural limit (SDM Vol. 2, 2.3.11): longer instructions raise #GP.
constexpr unsigned kMaxInsnLength = 15;

struct DecodedInsn {
  uint64_t rip = 0;
  Mnemonic mnemonic = Mnemonic::Other;  // the name, for reports and block ends
  Encoding encoding;
  // The index of the semantics bound to the encoding (ir/semantics/bindings.h),
  // once the block's translator has resolved it.
  uint16_t binding = kBindingUnresolved;
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
