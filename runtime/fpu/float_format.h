#pragma once
// The IEEE binary interchange formats SSE works on, described once as a traits
// struct so every operation is written one time for both widths, and the
// classification of an encoding (SDM Vol. 1, 4.2.2 and 4.8).
#include <bit>
#include <cstdint>

#include "runtime/fpu/wide_int.h"

namespace orcvm::fpu {

template <typename BitsT, unsigned ExponentBitsV, unsigned FractionBitsV, typename WideT>
struct FloatFormat {
  using Bits = BitsT;
  // Holds a product of two significands exactly, and a significand shifted left
  // far enough to divide or take the square root with guard bits to spare.
  using Wide = WideT;
  static constexpr unsigned kExponentBits = ExponentBitsV;
  static constexpr unsigned kFractionBits = FractionBitsV;
  static constexpr int kBias = (1 << (kExponentBits - 1)) - 1;
  static constexpr int kMaxBiasedExponent = (1 << kExponentBits) - 1;  // infinities and NaNs
  static constexpr Bits kSignBit = Bits(1) << (kExponentBits + kFractionBits);
  static constexpr Bits kFractionMask = (Bits(1) << kFractionBits) - 1;
  static constexpr Bits kHiddenBit = Bits(1) << kFractionBits;
  static constexpr Bits kQuietBit = Bits(1) << (kFractionBits - 1);
  static constexpr Bits kInfinity = Bits(kMaxBiasedExponent) << kFractionBits;
  static constexpr Bits kMaxNormal = kInfinity - 1;
  // The QNaN floating-point indefinite an invalid operation without a NaN operand
  // returns: sign set, quiet bit only.
  static constexpr Bits kIndefinite = kSignBit | kInfinity | kQuietBit;
};

using Binary32 = FloatFormat<uint32_t, 8, 23, uint64_t>;
using Binary64 = FloatFormat<uint64_t, 11, 52, uint128>;

template <class F> constexpr bool is_negative(typename F::Bits x) { return x & F::kSignBit; }
template <class F> constexpr typename F::Bits magnitude(typename F::Bits x) { return x & ~F::kSignBit; }
template <class F> constexpr int biased_exponent(typename F::Bits x) {
  return int(magnitude<F>(x) >> F::kFractionBits);
}
template <class F> constexpr bool is_nan(typename F::Bits x) { return magnitude<F>(x) > F::kInfinity; }
template <class F> constexpr bool is_signalling_nan(typename F::Bits x) {
  return is_nan<F>(x) && !(x & F::kQuietBit);
}
template <class F> constexpr bool is_infinity(typename F::Bits x) { return magnitude<F>(x) == F::kInfinity; }
template <class F> constexpr bool is_zero(typename F::Bits x) { return magnitude<F>(x) == 0; }
template <class F> constexpr bool is_denormal(typename F::Bits x) {
  return biased_exponent<F>(x) == 0 && !is_zero<F>(x);
}
template <class F> constexpr typename F::Bits quiet(typename F::Bits x) { return x | F::kQuietBit; }
template <class F> constexpr typename F::Bits signed_zero(bool negative) { return negative ? F::kSignBit : 0; }
template <class F> constexpr typename F::Bits signed_infinity(bool negative) {
  return signed_zero<F>(negative) | F::kInfinity;
}

// A finite value as an integer significand and a power of two: significand * 2^exponent.
struct Finite {
  uint64_t significand;
  int exponent;
};

// x must be finite. A denormal has no hidden bit and the exponent of the smallest normal.
template <class F> constexpr Finite unpack(typename F::Bits x) {
  const int biased = biased_exponent<F>(x);
  const uint64_t fraction = x & F::kFractionMask;
  const int unbiased = (biased == 0 ? 1 : biased) - F::kBias - int(F::kFractionBits);
  return {biased == 0 ? fraction : fraction | F::kHiddenBit, unbiased};
}

// The same value with the significand's leading one at bit kFractionBits, as a
// normal's is; x must be finite and nonzero.
template <class F> constexpr Finite unpack_normalized(typename F::Bits x) {
  Finite v = unpack<F>(x);
  const int shift = std::countl_zero(v.significand) - (63 - int(F::kFractionBits));
  return {v.significand << shift, v.exponent - shift};
}

}  // namespace orcvm::fpu
