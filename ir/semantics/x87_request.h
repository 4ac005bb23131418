#pragma once
// What an x87 instruction asks of the runtime (Helper::X87): the operation, where
// its operand is, how many registers it pops, and the FOP the instruction leaves
// in the last-instruction fields, packed into the helper's first argument at
// translation time. The second and third arguments are the memory operand's
// offset and segment.
#include <cstdint>

namespace orcvm {

enum class X87Op : uint8_t {
  // destination = destination op source, or source op destination (Reversed)
  Add, Multiply, Subtract, SubtractReversed, Divide, DivideReversed,
  // ST(0) with the source: C3 C2 C0, or ZF PF CF (ToFlags); Unordered: IE only for an SNaN
  Compare, CompareUnordered, CompareToFlags, CompareUnorderedToFlags, Test, Examine,
  Load, LoadConstant, Store, StoreTruncated,
  Exchange, ConditionalMove, ChangeSign, Absolute, SquareRoot, Scale, PartialRemainder, IeeeRemainder,
  RoundToInteger, Extract, Exp2Minus1, Ylog2x, Ylog2xPlus1, Sine, Cosine, SineCosine, Tangent, Arctangent,
  DecrementTop, IncrementTop, Free, Nop,
  // the control instructions among them, which leave the last-instruction fields alone
  StoreEnvironment, LoadEnvironment, SaveState, RestoreState,
};

enum class X87Operand : uint8_t {
  None,
  Register,             // ST(i) is the source; ST(0), if anything, the destination
  RegisterDestination,  // ST(0) is the source, ST(i) the destination
  Real32, Real64, Real80, Int16, Int32, Int64, Bcd,
  Image,                // FLDENV FNSTENV FRSTOR FNSAVE: 14/28 or 94/108 bytes by operand size
};

struct X87Request {
  X87Op op;
  X87Operand operand;
  uint8_t pops;       // 0, 1 or 2
  uint8_t index;      // i of ST(i); LoadConstant: the fpu::X87Constant
  uint16_t opcode;    // FOP: the low 3 bits of the first opcode byte, then ModRM
  bool operand16;     // the 16-bit environment formats

  constexpr uint64_t pack() const {
    return uint64_t{static_cast<uint8_t>(op)} | uint64_t{static_cast<uint8_t>(operand)} << 8 |
           uint64_t{pops} << 16 | uint64_t{index} << 24 | uint64_t{opcode} << 32 | uint64_t{operand16} << 48;
  }
  static constexpr X87Request unpack(uint64_t v) {
    return {static_cast<X87Op>(v & 0xff), static_cast<X87Operand>(v >> 8 & 0xff), static_cast<uint8_t>(v >> 16 & 3),
            static_cast<uint8_t>(v >> 24 & 7), static_cast<uint16_t>(v >> 32 & 0x7ff), (v >> 48 & 1) != 0};
  }
};

}  // namespace orcvm
