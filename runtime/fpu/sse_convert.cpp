// CVTSS2SD/CVTSD2SS (and packed), CVTSI2SS/SD and CVT(T)SS/SD2SI (SDM Vol. 2 per
// instruction; Vol. 1, 4.8.3.7 for the NaN payload and 4.8.4 for rounding).
#include <cstdint>
#include <limits>

#include "runtime/fpu/float_format.h"
#include "runtime/fpu/operand_rules.h"
#include "runtime/fpu/rounding.h"
#include "runtime/fpu/sse_float.h"

namespace orcvm::fpu {
namespace {

// A NaN keeps its sign and the top of its payload, quieted.
template <class From, class To> typename To::Bits convert_nan(typename From::Bits a) {
  using Bits = typename To::Bits;
  const auto fraction = a & From::kFractionMask;
  Bits payload;
  if constexpr (To::kFractionBits >= From::kFractionBits)
    payload = Bits(fraction) << (To::kFractionBits - From::kFractionBits);
  else
    payload = Bits(fraction >> (From::kFractionBits - To::kFractionBits));
  return signed_infinity<To>(is_negative<From>(a)) | To::kQuietBit | payload;
}

template <class From, class To> typename To::Bits convert(typename From::Bits a, uint32_t control, uint32_t* flags) {
  a = read_operand<From>(a, control);
  const bool negative = is_negative<From>(a);
  if (is_nan<From>(a)) {
    if (is_signalling_nan<From>(a)) *flags |= mxcsr::IE;
    return convert_nan<From, To>(a);
  }
  if (is_infinity<From>(a)) return signed_infinity<To>(negative);
  if (is_zero<From>(a)) return signed_zero<To>(negative);
  if (stops_at_denormal(is_denormal<From>(a), control, flags)) return 0;
  const Finite v = unpack<From>(a);
  return round_to_format<To>(negative, v.significand, v.exponent, control, flags);
}

template <class To> typename To::Bits from_integer(int64_t a, uint32_t control, uint32_t* flags) {
  if (a == 0) return 0;
  const bool negative = a < 0;
  const uint64_t magnitude = negative ? 0 - uint64_t(a) : uint64_t(a);
  return round_to_format<To>(negative, magnitude, 0, control, flags);
}

// What a NaN, an infinity or a value whose rounded integer does not fit gives:
// IE alone.
template <class Int> Int integer_indefinite(uint32_t* flags) {
  *flags |= mxcsr::IE;
  return std::numeric_limits<Int>::min();
}

// DAZ applies; DE is never raised.
template <class From, class Int>
Int to_integer(typename From::Bits a, bool truncate, uint32_t control, uint32_t* flags) {
  a = read_operand<From>(a, control);
  if (is_nan<From>(a) || is_infinity<From>(a)) return integer_indefinite<Int>(flags);
  if (is_zero<From>(a)) return 0;
  const bool negative = is_negative<From>(a);
  const Finite v = unpack<From>(a);
  uint64_t magnitude;
  bool inexact = false;
  if (v.exponent >= 0) {
    if (v.exponent + bit_width(v.significand) > 64) return integer_indefinite<Int>(flags);
    magnitude = v.significand << v.exponent;
  } else {
    const Rounding rounding = truncate ? Rounding::TowardZero : rounding_of(control);
    const Cut<uint64_t> parts = cut(v.significand, -v.exponent);
    magnitude = parts.integer + rounds_up(rounding, negative, parts.integer, parts.rest);
    inexact = parts.rest != 0;
  }
  const uint64_t limit = uint64_t(std::numeric_limits<Int>::max()) + negative;
  if (magnitude > limit) return integer_indefinite<Int>(flags);
  if (inexact) *flags |= mxcsr::PE;
  return Int(negative ? 0 - magnitude : magnitude);
}

}  // namespace

uint64_t f32_to_f64(uint32_t a, uint32_t control, uint32_t* flags) {
  return convert<Binary32, Binary64>(a, control, flags);
}
uint32_t f64_to_f32(uint64_t a, uint32_t control, uint32_t* flags) {
  return convert<Binary64, Binary32>(a, control, flags);
}

uint32_t i64_to_f32(int64_t a, uint32_t control, uint32_t* flags) { return from_integer<Binary32>(a, control, flags); }
uint64_t i64_to_f64(int64_t a, uint32_t control, uint32_t* flags) { return from_integer<Binary64>(a, control, flags); }

int32_t f32_to_i32(uint32_t a, bool truncate, uint32_t control, uint32_t* flags) {
  return to_integer<Binary32, int32_t>(a, truncate, control, flags);
}
int64_t f32_to_i64(uint32_t a, bool truncate, uint32_t control, uint32_t* flags) {
  return to_integer<Binary32, int64_t>(a, truncate, control, flags);
}
int32_t f64_to_i32(uint64_t a, bool truncate, uint32_t control, uint32_t* flags) {
  return to_integer<Binary64, int32_t>(a, truncate, control, flags);
}
int64_t f64_to_i64(uint64_t a, bool truncate, uint32_t control, uint32_t* flags) {
  return to_integer<Binary64, int64_t>(a, truncate, control, flags);
}

}  // namespace orcvm::fpu
