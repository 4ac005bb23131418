// Values entering the x87 register stack: exact widening of binary32, binary64 and
// integer operands, FLD's quieting of an SNaN, and the constant loads.
#include <bit>

#include "runtime/fpu/float_format.h"
#include "runtime/fpu/x87_operand.h"

namespace orcvm::fpu {

using namespace x87;

namespace {

constexpr uint16_t sign_bit(bool negative) { return negative ? 0x8000 : 0; }

template <class F>
Float80 widen(typename F::Bits bits, uint16_t* status) {
  constexpr unsigned kAlign = 63 - F::kFractionBits;  // moves the hidden bit to bit 63
  const uint16_t sign = sign_bit(is_negative<F>(bits));
  const uint64_t fraction = uint64_t(bits & F::kFractionMask);
  const int biased = biased_exponent<F>(bits);
  if (biased == F::kMaxBiasedExponent)  // infinity or NaN; a NaN keeps its payload and quiet bit
    return {kIntegerBit | (fraction << kAlign), uint16_t(sign | kMaxExponent)};
  if (is_zero<F>(bits)) return {0, sign};
  if (biased == 0) *status |= x87status::DE;  // the 80-bit image is normal, so only the source tells
  const Finite v = unpack_normalized<F>(bits);
  const int exponent = v.exponent + int(F::kFractionBits) + kBias;
  return {v.significand << kAlign, uint16_t(sign | exponent)};
}

// The constants truncated to 64 bits; all are irrational except 1 and 0, so
// rounding up adds one, and the bits beyond decide round to nearest (SDM Vol. 1, 8.3.8).
struct Constant {
  Float80 truncated;
  bool nearest_rounds_up;
};

constexpr Constant kConstants[] = {
    {{0x8000000000000000, 0x3fff}, false},  // 1
    {{0xd49a784bcd1b8afe, 0x4000}, false},  // log2(10)
    {{0xb8aa3b295c17f0bb, 0x3fff}, true},   // log2(e)
    {{0xc90fdaa22168c234, 0x4000}, true},   // pi
    {{0x9a209a84fbcff798, 0x3ffd}, true},   // log10(2)
    {{0xb17217f7d1cf79ab, 0x3ffe}, true},   // ln(2)
    {{0, 0}, false},                        // +0
};

}  // namespace

Float80 x87_from_binary32(uint32_t bits, uint16_t* status) { return widen<Binary32>(bits, status); }
Float80 x87_from_binary64(uint64_t bits, uint16_t* status) { return widen<Binary64>(bits, status); }

Float80 x87_from_int(int64_t value) {
  if (value == 0) return {0, 0};
  const uint64_t magnitude = value < 0 ? 0 - uint64_t(value) : uint64_t(value);
  const int leading = std::countl_zero(magnitude);
  return {magnitude << leading, uint16_t(sign_bit(value < 0) | (kBias + 63 - leading))};
}

Float80 x87_load_real(Float80 widened, uint16_t* status) {
  if (is_signalling_nan(widened)) {
    *status |= x87status::IE;
    widened.significand |= kQuietBit;
  }
  return widened;
}

Float80 x87_constant(X87Constant c, uint16_t control) {
  const Constant& k = kConstants[static_cast<unsigned>(c)];
  if (c == X87Constant::One || c == X87Constant::Zero) return k.truncated;
  const unsigned rounding = (control >> x87control::RcShift) & 3;
  const bool up = rounding == 2 || (rounding == 0 && k.nearest_rounds_up);  // every constant is positive
  return {k.truncated.significand + up, k.truncated.sign_exponent};
}

uint16_t x87_examine(Float80 a, bool empty) {
  using namespace x87status;
  const uint16_t sign = (a.sign_exponent & 0x8000) ? C1 : 0;
  if (empty) return sign | C3 | C0;
  const unsigned exponent = a.sign_exponent & kMaxExponent;
  const bool integer_bit = a.significand & kIntegerBit;
  uint16_t cls;
  if (exponent == 0) cls = a.significand == 0 ? C3 : C3 | C2;  // a pseudo-denormal is a denormal
  else if (!integer_bit) cls = 0;                                // unnormal, pseudo-NaN, pseudo-infinity
  else if (exponent < kMaxExponent) cls = C2;
  else cls = (a.significand << 1) == 0 ? C2 | C0 : C0;
  return sign | cls;
}

}  // namespace orcvm::fpu
