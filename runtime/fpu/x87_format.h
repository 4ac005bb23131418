#pragma once
// The double-extended encodings and their classes (SDM Vol. 1, 4.2.2, 8.2.2 and
// Table 8-3), for the x87 library's own files. Unlike binary32/64 the integer bit J
// is explicit, which gives encodings the 387 and later reject (unnormals,
// pseudo-infinities, pseudo-NaNs) and one they accept with DE (pseudo-denormals:
// exponent 0 with J set, worth what exponent 1 with those bits would be).
#include <bit>
#include <cstdint>

#include "runtime/fpu/x87_float.h"

namespace orcvm::fpu::x87 {

constexpr int kBias = 16383;
constexpr int kMaxBiased = 0x7fff;  // infinities and NaNs
constexpr uint64_t kIntegerBit = uint64_t(1) << 63;
constexpr uint64_t kQuietBit = uint64_t(1) << 62;
constexpr uint16_t kSignBit = 0x8000;
// SDM Vol. 1, 8.5.4 and 8.5.5: an unmasked overflow or underflow delivers the
// result with its exponent moved this far back into range.
constexpr int kRebias = 24576;

enum class Class : uint8_t { Zero, Denormal, Normal, Infinity, QuietNan, SignallingNan, Unsupported };

constexpr bool is_negative(Float80 x) { return x.sign_exponent & kSignBit; }
constexpr int biased_exponent(Float80 x) { return x.sign_exponent & kMaxBiased; }

constexpr Class classify(Float80 x) {
  const int biased = biased_exponent(x);
  const bool integer_bit = x.significand & kIntegerBit;
  if (biased == 0) return x.significand == 0 ? Class::Zero : Class::Denormal;  // pseudo-denormals too
  if (!integer_bit) return Class::Unsupported;  // unnormal, pseudo-infinity, pseudo-NaN
  if (biased < kMaxBiased) return Class::Normal;
  if (x.significand == kIntegerBit) return Class::Infinity;
  return x.significand & kQuietBit ? Class::QuietNan : Class::SignallingNan;
}

constexpr bool is_nan(Float80 x) {
  const Class c = classify(x);
  return c == Class::QuietNan || c == Class::SignallingNan;
}
constexpr bool is_zero(Float80 x) { return classify(x) == Class::Zero; }

constexpr Float80 make(bool negative, int biased, uint64_t significand) {
  return {significand, uint16_t((negative ? kSignBit : 0) | biased)};
}
constexpr Float80 signed_zero(bool negative) { return make(negative, 0, 0); }
constexpr Float80 signed_infinity(bool negative) { return make(negative, kMaxBiased, kIntegerBit); }
constexpr Float80 quiet(Float80 x) { return {x.significand | kQuietBit, x.sign_exponent}; }
constexpr Float80 negate(Float80 x) { return {x.significand, uint16_t(x.sign_exponent ^ kSignBit)}; }
constexpr Float80 with_sign(Float80 x, bool negative) {
  return make(negative, biased_exponent(x), x.significand);
}

// A finite value as significand * 2^exponent; the significand of a normal has its
// leading one at bit 63.
struct Unpacked {
  uint64_t significand;
  int exponent;
};

// x must be finite; exponent 0 weighs as 1 (denormals and pseudo-denormals).
constexpr Unpacked unpack(Float80 x) {
  const int biased = biased_exponent(x);
  return {x.significand, (biased == 0 ? 1 : biased) - kBias - 63};
}

// The same value with the leading one at bit 63; x finite and nonzero.
constexpr Unpacked unpack_normalized(Float80 x) {
  Unpacked v = unpack(x);
  const int shift = std::countl_zero(v.significand);
  return {v.significand << shift, v.exponent - shift};
}

// The exponent of the leading one: 2^e <= |x| < 2^(e+1), for x finite and nonzero.
constexpr int leading_exponent(Float80 x) {
  const Unpacked v = unpack(x);
  return v.exponent + 63 - std::countl_zero(v.significand);
}

}  // namespace orcvm::fpu::x87
