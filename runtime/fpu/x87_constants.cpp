// FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (SDM Vol. 1, 8.3.8; Vol. 2, FLD1...).
// The processor holds the irrational constants with more bits than a register and
// rounds them per RC (Pentium and later; the 8087 and 287 always rounded to
// nearest); precision control does not apply and no flag is raised. None of the
// five has a bit pattern where a 66-bit internal copy would round differently
// from the exact value, so orcvm rounds 128 correct bits.
#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

struct Constant {
  uint128 significand;  // leading one at bit 127, truncated
  int exponent;         // of the leading one
};

constexpr uint128 bits128(uint64_t high, uint64_t low) { return uint128(high) << 64 | low; }

constexpr Constant kLog2Ten{bits128(0xd49a784bcd1b8afe, 0x492bf6ff4dafdb4c), 1};
constexpr Constant kLog2E{bits128(0xb8aa3b295c17f0bb, 0xbe87fed0691d3e88), 0};
constexpr Constant kPi{bits128(0xc90fdaa22168c234, 0xc4c6628b80dc1cd1), 1};
constexpr Constant kLog10Two{bits128(0x9a209a84fbcff798, 0x8f8959ac0b7c9178), -2};
constexpr Constant kLnTwo{bits128(0xb17217f7d1cf79ab, 0xc9e3b39803f2f6af), -1};

Float80 rounded(Constant c, uint16_t control) {
  uint16_t ignored = 0;
  // Truncated, so never exact: a sticky one stands for the bits beyond.
  return round_to_register(false, c.significand | 1, c.exponent - 127, 64, control | x87status::Flags, &ignored);
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
