#pragma once
// Rounding an exactly known result to a format under MXCSR: the rounding control,
// x86's masked responses to overflow and underflow, flush-to-zero, and the flags
// (SDM Vol. 1, 4.8.4, 4.9.1.4-4.9.1.6, 10.2.3.3, 11.5.2). As on the hardware,
// tininess is detected after rounding. An unmasked overflow or underflow (the
// caller raises #XM and writes nothing) reports PE only when the result rounded
// with an unbounded exponent is inexact, as the hardware does.
#include "runtime/fpu/float_format.h"
#include "runtime/fpu/sse_float.h"
#include "runtime/fpu/wide_int.h"

namespace orcvm::fpu {

enum class Rounding : uint8_t { NearestEven, Down, Up, TowardZero };

constexpr Rounding rounding_of(uint32_t control) { return Rounding((control & mxcsr::Rc) >> mxcsr::RcShift); }

constexpr bool is_masked(uint32_t flag, uint32_t control) { return unmasked(flag, control) == 0; }

// Whether a magnitude cut into `integer` and `rest` (see cut()) rounds to integer + 1.
template <class T> constexpr bool rounds_up(Rounding rounding, bool negative, T integer, T rest) {
  constexpr T half = T(1) << (kWidth<T> - 1);
  switch (rounding) {
    case Rounding::NearestEven: return rest > half || (rest == half && (integer & 1));
    case Rounding::Down: return negative && rest != 0;
    case Rounding::Up: return !negative && rest != 0;
    case Rounding::TowardZero: return false;
  }
  return false;
}

// The masked response to overflow: infinity, or the largest finite value when the
// rounding direction points toward zero (SDM Vol. 1, Table 4-10), always inexact.
// Unmasked, PE comes only with a result inexact at the format's precision (with
// an unbounded exponent).
template <class F>
typename F::Bits overflow(bool negative, bool inexact, uint32_t control, uint32_t* flags) {
  const Rounding rounding = rounding_of(control);
  *flags |= mxcsr::OE | (inexact || is_masked(mxcsr::OE, control) ? mxcsr::PE : 0);
  const bool to_infinity = rounding == Rounding::NearestEven || (rounding == Rounding::Up && !negative) ||
                           (rounding == Rounding::Down && negative);
  return signed_zero<F>(negative) | (to_infinity ? F::kInfinity : F::kMaxNormal);
}

// (-1)^negative * significand * 2^exponent rounded to F. significand is nonzero and
// holds the value exactly, or truncated with a sticky one ORed into bit 0 and at
// least two significant bits more than F's precision.
template <class F, class T>
typename F::Bits round_to_format(bool negative, T significand, int exponent, uint32_t control, uint32_t* flags) {
  using Bits = typename F::Bits;
  constexpr int kCut = kWidth<T> - 1 - int(F::kFractionBits);
  const int leading = leading_zeros(significand);
  significand <<= leading;
  const int biased = exponent + (kWidth<T> - 1 - leading) + F::kBias;  // of the leading one
  const Rounding rounding = rounding_of(control);
  const Bits sign = signed_zero<F>(negative);

  const Cut<T> normal = cut(significand, kCut);
  const T rounded = normal.integer + rounds_up(rounding, negative, normal.integer, normal.rest);
  // A carry out of the significand (rounded == 2^(kFractionBits+1)) bumps the exponent.
  const int rounded_biased = biased + int(rounded >> (F::kFractionBits + 1));
  if (rounded_biased >= F::kMaxBiasedExponent) return overflow<F>(negative, normal.rest != 0, control, flags);
  if (rounded_biased >= 1) {
    if (normal.rest) *flags |= mxcsr::PE;
    // The hidden bit (or the carry) adds itself to the exponent field.
    return sign | ((Bits(biased - 1) << F::kFractionBits) + Bits(rounded));
  }

  // Tiny: below the smallest normal even after rounding with an unbounded exponent.
  const bool underflow_masked = is_masked(mxcsr::UE, control);
  if (underflow_masked && (control & mxcsr::FTZ)) {
    *flags |= mxcsr::UE | mxcsr::PE;
    return sign;
  }
  const Cut<T> denormal = cut(significand, kCut + 1 - biased);
  // Rounding up to 2^kFractionBits gives the smallest normal, encoded the same way.
  const T result = denormal.integer + rounds_up(rounding, negative, denormal.integer, denormal.rest);
  if (!underflow_masked)  // UE even when exact; PE as at an unbounded exponent
    *flags |= mxcsr::UE | (normal.rest ? mxcsr::PE : 0);
  else if (denormal.rest)
    *flags |= mxcsr::UE | mxcsr::PE;
  return sign | Bits(result);
}

}  // namespace orcvm::fpu
