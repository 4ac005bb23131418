// FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1 (SDM Vol. 1, 8.3.9 and 8.3.10;
// Vol. 2 per instruction for the special operands). Results are computed with
// 128-bit significands (wide_real.h) from series whose truncation is below 2^-128
// and then rounded once per RC, so they are the correctly rounded values except
// where the true value lies within about 2^-120 of a rounding boundary. Precision
// control does not apply. The trigonometric instructions reduce their argument
// modulo pi/2 with the 66-bit pi the SDM describes (8.3.10), exactly: what they
// compute is the function of x - k * pi66 / 2, as the SDM describes and the AMD
// host does.
#include <array>
#include <cstdint>

#include "runtime/fpu/wide_real.h"
#include "runtime/fpu/x87_constant_bits.h"
#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_operands.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

constexpr uint128 kOne = uint128(1) << 127;  // 1.0 with 127 fraction bits

// floor(2^128 / n) but for powers of two (one unit less), for n >= 2.
constexpr uint128 inverse(uint64_t n) { return ~uint128(0) / n; }

template <int N, class Divisor> constexpr std::array<uint128, N + 1> inverses(Divisor divisor) {
  std::array<uint128, N + 1> table{};
  for (int n = 1; n <= N; ++n) table[n] = inverse(divisor(uint64_t(n)));
  return table;
}

// Terms needed for a truncation below 2^-130 on each series' argument range.
constexpr int kSineTerms = 17;     // z = r^2 <= (pi/4)^2: z^17 / 35! < 2^-145
constexpr int kExpTerms = 32;      // |t| <= ln 2: t^32 / 33! < 2^-139
constexpr int kAtanhTerms = 26;    // w = s^2 <= 0.0295
constexpr int kArctanTerms = 14;   // w = u^2 <= 2^-10

// Nested forms: sin r = r (1 - z/(2*3) (1 - z/(4*5) (...))) with z = r^2, and
// cos r = 1 - z/(1*2) (1 - z/(3*4) (...)).
constexpr auto kSineDivisors = inverses<kSineTerms>([](uint64_t n) { return (2 * n) * (2 * n + 1); });
constexpr auto kCosineDivisors = inverses<kSineTerms>([](uint64_t n) { return (2 * n - 1) * (2 * n); });
// expm1 t = t (1 + t/2 (1 + t/3 (...))).
constexpr auto kExpDivisors = inverses<kExpTerms>([](uint64_t n) { return n + 1; });
// 1/(2n+1) with 127 fraction bits, for atanh s = s sum w^n/(2n+1) and atan u = u sum (-w)^n/(2n+1).
constexpr std::array<uint128, kAtanhTerms + 1> kOddReciprocals = [] {
  std::array<uint128, kAtanhTerms + 1> table{};
  for (int n = 0; n <= kAtanhTerms; ++n) table[n] = kOne / uint128(2 * n + 1);
  return table;
}();

constexpr WideReal kOneWide{false, kOne, -127};

WideReal wide(Float80 finite_nonzero) {
  const Unpacked v = unpack_normalized(finite_nonzero);
  return {is_negative(finite_nonzero), uint128(v.significand) << 64, v.exponent - 64};
}

// The value rounded once to a register (never exact: a sticky one stands for the
// bits beyond the 128).
Float80 rounded(WideReal v, uint16_t control, uint16_t* status) {
  return round_to_register(v.negative, v.significand | 1, v.exponent, 64, control, status);
}

Float80 rounded_constant(WideReal v, bool negative, uint16_t control, uint16_t* status) {
  return rounded({negative, v.significand, v.exponent}, control, status);
}

// ---- series

// The factors S = sin(r) / r and C = cos(r) for |r| <= pi/4 (a little more for
// the 66-bit pi's quadrants), with 127 fraction bits. Each step subtracts one unit
// more than the truncated term, so that a factor whose true value is just below 1
// never comes out as 1: for a tiny r, sin r and cos r then round to r and 1 from
// the correct side.
struct SineCosine {
  uint128 sine_factor, cosine;
};
SineCosine sine_cosine(WideReal r) {
  const uint128 z = to_fixed(r * r, 128);
  uint128 s = kOne, c = kOne;
  for (int n = kSineTerms; n >= 1; --n) {
    s = kOne - multiply_high(multiply_high(z, s), kSineDivisors[n]) - 1;
    c = kOne - multiply_high(multiply_high(z, c), kCosineDivisors[n]) - 1;
  }
  return {s, c};
}

// tan r = r * S / C = r * (1 + (S - C) / C), where S - C (about r^2 / 3) keeps its
// relative accuracy for a tiny r and tan r comes out above r.
WideReal tangent(WideReal r, SineCosine f) {
  const WideReal difference = f.sine_factor >= f.cosine ? wide_from_fixed(f.sine_factor - f.cosine, 127)
                                                        : negated(wide_from_fixed(f.cosine - f.sine_factor, 127));
  return r * (kOneWide + difference / wide_from_fixed(f.cosine, 127));
}

// e^t - 1 for |t| < 1.
WideReal exp_minus_one(WideReal t) {
  const uint128 magnitude = to_fixed(t, 128);
  uint128 u = kOne;  // stays within (0.6, 1.5): 127 fraction bits hold it
  for (int n = kExpTerms; n >= 1; --n) {
    const uint128 term = multiply_high(multiply_high(magnitude, u), kExpDivisors[n]);
    u = t.negative ? kOne - term : kOne + term;
  }
  return t * wide_from_fixed(u, 127);
}

// log2 of a positive value: log2(m) + e for m in [sqrt(1/2), sqrt(2)), with
// ln m = 2 atanh((m - 1) / (m + 1)).
WideReal log2_of(WideReal x) {
  constexpr uint128 kSqrtTwo = bits128(0xb504f333f9de6484, 0x597d89b3754abe9f);  // sqrt(2) * 2^127
  const bool halve = x.significand > kSqrtTwo;
  const int exponent = x.exponent + 127 + halve;
  const WideReal m{false, x.significand, halve ? -128 : -127};
  const WideReal s = (m - kOneWide) / (m + kOneWide);
  const WideReal whole = wide_from_integer(exponent);
  if (s.significand == 0) return whole;
  const uint128 w = to_fixed(s * s, 128);
  uint128 sum = kOddReciprocals[kAtanhTerms];
  for (int n = kAtanhTerms - 1; n >= 0; --n) sum = kOddReciprocals[n] + multiply_high(w, sum);
  return whole + scaled(s * wide_from_fixed(sum, 127), 1) * kLog2E;
}

// log2(1 + x) for |x| < 1 - sqrt(2)/2, where x / (2 + x) is the atanh argument
// without the cancellation of 1 + x.
WideReal log2_one_plus(WideReal x) {
  const WideReal s = x / (wide_from_integer(2) + x);
  const uint128 w = to_fixed(s * s, 128);
  uint128 sum = kOddReciprocals[kAtanhTerms];
  for (int n = kAtanhTerms - 1; n >= 0; --n) sum = kOddReciprocals[n] + multiply_high(w, sum);
  return scaled(s * wide_from_fixed(sum, 127), 1) * kLog2E;
}

// atan t for 0 < t <= 1: atan(k/16) + atan(u) with u = (t - k/16) / (1 + t k/16),
// |u| <= 1/32.
WideReal arctangent(WideReal t) {
  const unsigned k = unsigned((to_fixed(t, 124) + (uint128(1) << 119)) >> 120);  // round(16 t)
  const WideReal c = scaled(wide_from_integer(k), -4);
  const WideReal u = k == 0 ? t : (t - c) / (kOneWide + t * c);
  if (u.significand == 0) return kArctangentOfSixteenths[k];
  const uint128 w = to_fixed(u * u, 128);
  uint128 sum = kOddReciprocals[kArctanTerms];
  for (int n = kArctanTerms - 1; n >= 0; --n) sum = kOddReciprocals[n] - multiply_high(w, sum) - 1;  // see sine_cosine
  return kArctangentOfSixteenths[k] + u * wide_from_fixed(sum, 127);
}

// ---- the trigonometric instructions

// SDM Vol. 1, 8.3.10: pi as the 66 bits 0xC90FDAA22168C234C (times 2^-66); its
// half is kHalfPi66 * 2^-65.
constexpr uint128 kHalfPi66 = bits128(0x3, 0x243f6a8885a308d3);

struct Reduced {
  WideReal r;         // |a| - k * pi66 / 2, exactly; |r| <= pi66 / 4
  unsigned quadrant;  // k mod 4
};

// |a| < 2^63, nonzero.
Reduced reduce(Float80 a) {
  const Unpacked v = unpack_normalized(a);
  if (v.exponent < -65) return {wide(with_sign(a, false)), 0};  // below 1/2
  // |a| = A * 2^-65 with A < 2^128: the exponent is at most -1.
  const uint128 scaled_a = uint128(v.significand) << (v.exponent + 65);
  uint128 k = scaled_a / kHalfPi66;
  uint128 remainder = scaled_a % kHalfPi66;
  bool negative = false;
  if (remainder > kHalfPi66 / 2) {  // kHalfPi66 is odd: no ties
    ++k;
    remainder = kHalfPi66 - remainder;
    negative = true;
  }
  return {normalized(negative, remainder, -65), unsigned(k & 3)};
}

enum class Trig : uint8_t { Sin, Cos, SinCos, Tan };

X87Trig trigonometric(Trig function, Float80 a, uint16_t control, uint16_t* status) {
  const Float80 one = make(false, kBias, kIntegerBit);
  switch (classify(a)) {
    case Class::Unsupported:
    case Class::Infinity: {  // FPTAN and FSINCOS push the indefinite twice
      const Float80 indefinite = invalid_operation(status);
      return {{indefinite, indefinite}, false};
    }
    case Class::QuietNan:
    case Class::SignallingNan: {
      const Float80 nan = propagate_nan(a, a, status);
      return {{nan, nan}, false};
    }
    case Class::Zero: return {{function == Trig::Cos ? one : a, function == Trig::Sin ? a : one}, false};
    case Class::Denormal:
      if (stops_at_denormal(true, control, status)) return {{a, a}, false};
      break;
    case Class::Normal:
      if (leading_exponent(a) >= 63) return {{a, a}, true};  // C2: the operand stays
      break;
  }
  const bool negative = is_negative(a);
  const Reduced reduced = reduce(a);
  const SineCosine factors = sine_cosine(reduced.r);
  if (function == Trig::Tan) {
    // tan |a| is tan r in even quadrants and -1 / tan r in odd ones.
    WideReal tan_a = tangent(reduced.r, factors);
    if (reduced.quadrant & 1) tan_a = negated(kOneWide / tan_a);
    if (negative) tan_a = negated(tan_a);
    return {{rounded(tan_a, control, status), one}, false};
  }
  const WideReal s = reduced.r * wide_from_fixed(factors.sine_factor, 127);
  const WideReal c = wide_from_fixed(factors.cosine, 127);
  // sin and cos of |a| by quadrant; sine is odd, cosine even.
  WideReal sin_a = s, cos_a = c;
  switch (reduced.quadrant) {
    case 1: sin_a = c; cos_a = negated(s); break;
    case 2: sin_a = negated(s); cos_a = negated(c); break;
    case 3: sin_a = negated(c); cos_a = s; break;
  }
  if (negative) sin_a = negated(sin_a);
  switch (function) {
    case Trig::Sin: return {{rounded(sin_a, control, status), {}}, false};
    case Trig::Cos: return {{rounded(cos_a, control, status), {}}, false};
    default: break;
  }
  // C1 reports the sine's rounding, as the AMD host does.
  uint16_t cosine_status = 0;
  const Float80 sine_result = rounded(sin_a, control, status);
  const Float80 cosine_result = rounded(cos_a, control, &cosine_status);
  *status |= cosine_status & ~x87status::C1;
  return {{sine_result, cosine_result}, false};
}

}  // namespace

X87Trig x87_sin(Float80 a, uint16_t control, uint16_t* status) {
  return trigonometric(Trig::Sin, a, control, status);
}
X87Trig x87_cos(Float80 a, uint16_t control, uint16_t* status) {
  X87Trig result = trigonometric(Trig::Cos, a, control, status);
  result.result.second = {};
  return result;
}
X87Trig x87_sincos(Float80 a, uint16_t control, uint16_t* status) {
  return trigonometric(Trig::SinCos, a, control, status);
}
X87Trig x87_tan(Float80 a, uint16_t control, uint16_t* status) {
  return trigonometric(Trig::Tan, a, control, status);
}

Float80 x87_atan2(Float80 y, Float80 x, uint16_t control, uint16_t* status) {
  const Class y_class = classify(y), x_class = classify(x);
  if (y_class == Class::Unsupported || x_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(y) || is_nan(x)) return propagate_nan(y, x, status);
  if (stops_at_denormal(y_class == Class::Denormal || x_class == Class::Denormal, control, status)) return y;
  const bool y_negative = is_negative(y), x_negative = is_negative(x);
  const WideReal half_pi = scaled(kPi, -1), quarter_pi = scaled(kPi, -2);
  // SDM Vol. 2, FPATAN: the signed zeros and infinities.
  if (y_class == Class::Zero) return x_negative ? rounded_constant(kPi, y_negative, control, status) : y;
  if (y_class == Class::Infinity) {
    if (x_class != Class::Infinity) return rounded_constant(half_pi, y_negative, control, status);
    return rounded_constant(x_negative ? kPi - quarter_pi : quarter_pi, y_negative, control, status);
  }
  if (x_class == Class::Zero) return rounded_constant(half_pi, y_negative, control, status);
  if (x_class == Class::Infinity) {
    return x_negative ? rounded_constant(kPi, y_negative, control, status) : signed_zero(y_negative);
  }
  const WideReal a = wide(with_sign(y, false)), b = wide(with_sign(x, false));
  const bool steep = a.exponent > b.exponent || (a.exponent == b.exponent && a.significand > b.significand);
  WideReal angle = steep ? half_pi - arctangent(b / a) : arctangent(a / b);
  if (x_negative) angle = kPi - angle;
  angle.negative = y_negative;
  return rounded(angle, control, status);
}

Float80 x87_exp2m1(Float80 a, uint16_t control, uint16_t* status) {
  switch (classify(a)) {
    case Class::Unsupported: return invalid_operation(status);
    case Class::QuietNan:
    case Class::SignallingNan: return propagate_nan(a, a, status);
    case Class::Zero: return a;
    case Class::Infinity: return is_negative(a) ? make(true, kBias, kIntegerBit) : a;  // -1 is exact
    case Class::Denormal:
      if (stops_at_denormal(true, control, status)) return a;
      break;
    case Class::Normal: break;
  }
  // Outside the SDM's -1 <= a <= 1 the result is undefined; the AMD host returns
  // the operand with PE, and so does orcvm.
  if (leading_exponent(a) >= 0 && !(a.significand == kIntegerBit && biased_exponent(a) == kBias)) {
    *status |= x87status::PE;
    return a;
  }
  // Even 2^1 - 1 and 2^-1 - 1 report PE, as on the host.
  return rounded(exp_minus_one(wide(a) * kLnTwo), control, status);
}

Float80 x87_ylog2x(Float80 y, Float80 x, uint16_t control, uint16_t* status) {
  const Class y_class = classify(y), x_class = classify(x);
  if (y_class == Class::Unsupported || x_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(y) || is_nan(x)) return propagate_nan(y, x, status);
  const bool y_negative = is_negative(y);
  if (is_negative(x) && x_class != Class::Zero) return invalid_operation(status);
  const bool y_zero = y_class == Class::Zero, y_infinite = y_class == Class::Infinity;
  const bool x_one = x_class == Class::Normal && biased_exponent(x) == kBias && x.significand == kIntegerBit;
  // y * log2 x with log2 0 = -inf, log2 inf = inf, log2 1 = 0: zero times infinity is invalid.
  if ((x_class == Class::Zero || x_class == Class::Infinity) && y_zero) return invalid_operation(status);
  if (x_one && y_infinite) return invalid_operation(status);
  if (x_class == Class::Zero && !y_infinite) {
    *status |= x87status::ZE;
    return signed_infinity(!y_negative);
  }
  if (stops_at_denormal(y_class == Class::Denormal || x_class == Class::Denormal, control, status)) return y;
  if (x_class == Class::Zero) return signed_infinity(!y_negative);
  if (x_class == Class::Infinity) return signed_infinity(y_negative);
  const bool below_one = leading_exponent(x) < 0;
  if (y_infinite) return signed_infinity(y_negative != below_one);
  if (y_zero || x_one) return signed_zero(y_negative != below_one);
  // A power of two is no exact case either: the host reports PE (and UE for a tiny
  // product) all the same, as for a product just off the exact one.
  return rounded(wide(y) * log2_of(wide(x)), control, status);
}

Float80 x87_ylog2xp1(Float80 y, Float80 x, uint16_t control, uint16_t* status) {
  const Class y_class = classify(y), x_class = classify(x);
  if (y_class == Class::Unsupported || x_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(y) || is_nan(x)) return propagate_nan(y, x, status);
  const bool y_negative = is_negative(y), x_negative = is_negative(x);
  const bool y_zero = y_class == Class::Zero, y_infinite = y_class == Class::Infinity;
  // y * log2(1 + x): log2(1 + 0) = 0 takes x's sign; zero times infinity is invalid.
  if (x_class == Class::Zero && y_infinite) return invalid_operation(status);
  if (x_class == Class::Infinity && x_negative) return invalid_operation(status);
  if (stops_at_denormal(y_class == Class::Denormal || x_class == Class::Denormal, control, status)) return y;
  // Outside the SDM's |x| < 1 - sqrt(2)/2 the result is undefined; for x <= -1,
  // where the function is not defined either, the AMD host returns x with PE (and
  // IE for -inf), and so does orcvm. Elsewhere orcvm computes the function.
  if (x_negative && x_class != Class::Zero && leading_exponent(x) >= 0) {
    *status |= x87status::PE;
    return x;
  }
  if (x_class == Class::Infinity) return y_zero ? invalid_operation(status) : signed_infinity(y_negative);
  if (y_infinite) return signed_infinity(y_negative != x_negative);
  if (y_zero || x_class == Class::Zero) return signed_zero(y_negative != x_negative);
  const WideReal x_wide = wide(x);
  constexpr int kAtanhRange = -2;  // |x| < 1/4 is inside the SDM's range
  const WideReal log2_value =
      leading_exponent(x) < kAtanhRange ? log2_one_plus(x_wide) : log2_of(kOneWide + x_wide);
  return rounded(wide(y) * log2_value, control, status);
}

}  // namespace orcvm::fpu
