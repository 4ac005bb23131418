// FRNDINT, FSCALE, FXTRACT, FPREM and FPREM1 (SDM Vol. 2 per instruction; Vol. 1,
// 8.3.7 for the remainder instructions). None of them is subject to the precision
// control; FRNDINT and FPREM(1) results are exact or rounded to an integer, FSCALE's
// are exact unless they leave the exponent range.
#include <algorithm>
#include <bit>

#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_operands.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

// A nonzero integer magnitude as a register value.
Float80 from_magnitude(bool negative, uint64_t magnitude) {
  const int shift = std::countl_zero(magnitude);
  return make(negative, kBias + 63 - shift, magnitude << shift);
}

// An exact result: a register value, denormal if it must be (then an unmasked UE
// rebiases it, as for any tiny result).
Float80 exact(bool negative, uint128 significand, int exponent, uint16_t control, uint16_t* status) {
  if (significand == 0) return signed_zero(negative);
  return round_to_register(negative, significand, exponent, 64, control, status);
}

}  // namespace

Float80 x87_round_to_integer(Float80 a, uint16_t control, uint16_t* status) {
  switch (classify(a)) {
    case Class::Unsupported: return invalid_operation(status);
    case Class::QuietNan:
    case Class::SignallingNan: return propagate_nan(a, a, status);
    case Class::Zero:
    case Class::Infinity: return a;
    case Class::Denormal:
      if (stops_at_denormal(true, control, status)) return a;
      break;
    case Class::Normal: break;
  }
  const Unpacked v = unpack(a);
  if (v.exponent >= 0) return a;  // already an integer
  const bool negative = is_negative(a);
  const Cut<uint64_t> parts = cut(v.significand, -v.exponent);
  const bool up = rounds_up(rounding_of(control), negative, parts.integer, parts.rest);
  const uint64_t magnitude = parts.integer + up;  // at most 2^63: the exponent is negative
  if (parts.rest) *status |= x87status::PE | (up ? x87status::C1 : 0);
  return magnitude ? from_magnitude(negative, magnitude) : signed_zero(negative);
}

Float80 x87_scale(Float80 a, Float80 b, uint16_t control, uint16_t* status) {
  const Class a_class = classify(a), b_class = classify(b);
  if (a_class == Class::Unsupported || b_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(a) || is_nan(b)) return propagate_nan(a, b, status);
  // a * 2^-inf is a * 0 and a * 2^+inf is a * inf: invalid for inf and 0 respectively.
  if (b_class == Class::Infinity) {
    if (is_negative(b) ? a_class == Class::Infinity : a_class == Class::Zero) return invalid_operation(status);
  }
  if (stops_at_denormal(a_class == Class::Denormal || b_class == Class::Denormal, control, status)) return a;
  if (a_class == Class::Zero || a_class == Class::Infinity) return a;
  if (b_class == Class::Infinity) return is_negative(b) ? signed_zero(is_negative(a)) : signed_infinity(is_negative(a));
  // trunc(b), saturated far beyond any exponent a result can reach.
  constexpr int kSaturated = 1 << 20;
  int scale = 0;
  if (b_class == Class::Normal) {
    const Unpacked s = unpack(b);
    const int width = s.exponent + 64;  // the integer part's bit count
    if (width > 21)
      scale = kSaturated;
    else if (width > 0)
      scale = int(s.significand >> (64 - width));
    if (is_negative(b)) scale = -scale;
  }
  const Unpacked v = unpack(a);
  const bool negative = is_negative(a);
  uint16_t rounding_status = 0;
  const Rounded r = round_result(negative, v.significand, v.exponent + scale, extended_format(64), control,
                                 &rounding_status);
  // Unmasked, a result so far out that the rebias does not bring it back becomes
  // an infinity or a zero, rounded away from or toward zero whatever RC says (as an
  // AMD part does; the SDM does not say).
  if (!r.infinite && r.biased >= kMaxBiased) {
    *status |= x87status::OE | x87status::PE | x87status::C1;
    return signed_infinity(negative);
  }
  if (!is_masked(x87status::UE, control) && (rounding_status & x87status::UE) && r.biased <= 0) {
    *status |= x87status::UE | x87status::PE;
    return signed_zero(negative);
  }
  *status |= rounding_status;
  return encode(negative, r, 64);
}

X87Pair x87_extract(Float80 a, uint16_t control, uint16_t* status) {
  const bool negative = is_negative(a);
  switch (classify(a)) {
    case Class::Unsupported: {
      const Float80 indefinite = invalid_operation(status);
      return {indefinite, indefinite};
    }
    case Class::QuietNan:
    case Class::SignallingNan: {
      const Float80 nan = propagate_nan(a, a, status);
      return {nan, nan};
    }
    case Class::Zero:  // SDM Vol. 2, FXTRACT: exponent -inf with ZE
      *status |= x87status::ZE;
      return {signed_infinity(true), a};
    case Class::Infinity: return {signed_infinity(false), a};
    case Class::Denormal:
      if (stops_at_denormal(true, control, status)) return {a, a};
      break;
    case Class::Normal: break;
  }
  const int exponent = leading_exponent(a);
  const Float80 exponent_value =
      exponent == 0 ? signed_zero(false) : from_magnitude(exponent < 0, uint64_t(exponent < 0 ? -exponent : exponent));
  return {exponent_value, make(negative, kBias, unpack_normalized(a).significand)};
}

X87Remainder x87_remainder(Float80 a, Float80 b, bool ieee, uint16_t control, uint16_t* status) {
  const Class a_class = classify(a), b_class = classify(b);
  if (a_class == Class::Unsupported || b_class == Class::Unsupported) return {invalid_operation(status), 0, false};
  if (is_nan(a) || is_nan(b)) return {propagate_nan(a, b, status), 0, false};
  if (a_class == Class::Infinity || b_class == Class::Zero) return {invalid_operation(status), 0, false};
  if (stops_at_denormal(a_class == Class::Denormal || b_class == Class::Denormal, control, status))
    return {a, 0, false};
  if (a_class == Class::Zero) return {a, 0, false};

  const bool negative = is_negative(a);
  const Unpacked x = unpack_normalized(a), y = unpack_normalized(b);
  // A remainder that is a itself is still a result: a pseudo-denormal comes out
  // normalized and a denormal counts as tiny.
  auto whole = [&] { return X87Remainder{exact(negative, x.significand, x.exponent, control, status), 0, false}; };
  if (b_class == Class::Infinity) return whole();
  const int difference = x.exponent - y.exponent;
  if (difference >= 64) {
    // SDM Vol. 2, FPREM: a partial remainder, a - b * QQ * 2^(D - N) with the
    // truncated QQ of N bits, N between 32 and 63: orcvm takes 32 + (D mod 32), so
    // that the exponent difference left is a multiple of 32.
    const int bits = 32 + (difference & 31);
    const uint64_t remainder = uint64_t((uint128(x.significand) << bits) % y.significand);
    return {exact(negative, remainder, x.exponent - bits, control, status), 0, true};
  }
  if (difference < -1) return whole();  // |a| < |b| / 2: no quotient either way
  // Both aligned one bit lower, so that a difference of -1 (which FPREM1 may
  // round to a quotient of one) needs no special case.
  const uint128 dividend = uint128(x.significand) << (difference + 1);
  const uint128 divisor = uint128(y.significand) << 1;
  uint64_t quotient = uint64_t(dividend / divisor);
  uint128 remainder = dividend % divisor;
  bool remainder_negative = negative;
  if (ieee && (remainder * 2 > divisor || (remainder * 2 == divisor && (quotient & 1)))) {
    ++quotient;
    remainder = divisor - remainder;
    remainder_negative = !negative;
  }
  return {exact(remainder_negative, remainder, y.exponent - 1, control, status), unsigned(quotient & 7), false};
}

}  // namespace orcvm::fpu
