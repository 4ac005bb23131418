// FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (SDM Vol. 1, 8.3.8; Vol. 2, FLD1...).
// The processor holds the irrational constants with more bits than a register (66)
// and rounds them per RC; precision control does not apply and no flag is
// raised. None of the
// five has a bit pattern where a 66-bit internal copy would round differently
// from the exact value, so orcvm rounds 128 correct bits (x87_constant_bits.h).
#include "runtime/fpu/x87_constant_bits.h"
#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

Float80 rounded(WideReal c, uint16_t control) {
  uint16_t ignored = 0;
  // Truncated, so never exact: a sticky one stands for the bits beyond.
  return round_to_register(false, c.significand | 1, c.exponent, 64, control | x87status::Flags, &ignored);
}

}  // namespace

Float80 x87_constant(X87Constant c, uint16_t control) {
  switch (c) {
    case X87Constant::One: return make(false, kBias, kIntegerBit);
    case X87Constant::Log2Ten: return rounded(kLog2Ten, control);
    case X87Constant::Log2E: return rounded(kLog2E, control);
    case X87Constant::Pi: return rounded(kPi, control);
    case X87Constant::Log10Two: return rounded(kLog10Two, control);
    case X87Constant::LnTwo: return rounded(kLnTwo, control);
    case X87Constant::Zero: break;
  }
  return signed_zero(false);
}

}  // namespace orcvm::fpu
