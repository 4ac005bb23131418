// The x87's rounding of exact results (see x87_rounding.h).
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu::x87 {

using namespace x87status;

Rounded round_result(bool negative, uint128 significand, int exponent, Format format, uint16_t control,
                     uint16_t* status) {
  const int leading = leading_zeros(significand);
  significand <<= leading;
  const int biased = exponent + (127 - leading) + format.bias;  // of the leading one
  const Rounding rounding = rounding_of(control);
  const int cut_at = 128 - format.precision;
  const uint64_t top = uint64_t(1) << (format.precision - 1);

  const Cut<uint128> normal = cut(significand, cut_at);
  const bool normal_up = rounds_up(rounding, negative, normal.integer, normal.rest);
  uint64_t rounded = uint64_t(normal.integer) + normal_up;
  int rounded_biased = biased;
  if (rounded == top << 1) {  // carried out: 2^precision is 1.0 at the next exponent
    rounded = top;
    ++rounded_biased;
  }
  const uint16_t normal_flags = (normal.rest ? PE : 0) | (normal_up ? C1 : 0);

  if (rounded_biased >= format.max_biased) {
    if (!is_masked(OE, control)) {
      *status |= OE | normal_flags;
      return {rounded, rounded_biased - kRebias, false};
    }
    // SDM Vol. 1, Table 4-10: infinity, or the largest finite value when rounding
    // points toward zero; the largest finite value at this precision.
    *status |= OE | PE;
    const bool to_infinity = rounding == Rounding::NearestEven || (rounding == Rounding::Up && !negative) ||
                             (rounding == Rounding::Down && negative);
    if (to_infinity) {
      *status |= C1;
      return {0, format.max_biased, true};
    }
    return {(top << 1) - 1, format.max_biased - 1, false};
  }
  if (rounded_biased >= 1) {
    *status |= normal_flags;
    return {rounded, rounded_biased, false};
  }

  if (!is_masked(UE, control)) {  // UE even for an exact result
    *status |= UE | normal_flags;
    return {rounded, rounded_biased + kRebias, false};
  }
  // Denormalized: the rounding position stays where the precision puts it for the
  // smallest normal exponent, as the precision control masks the significand
  // field whatever its exponent.
  const Cut<uint128> denormal = cut(significand, cut_at + 1 - biased);
  const bool denormal_up = rounds_up(rounding, negative, denormal.integer, denormal.rest);
  const uint64_t result = uint64_t(denormal.integer) + denormal_up;
  if (denormal.rest) *status |= UE | PE | (denormal_up ? C1 : 0);
  // Rounding up to `top` gives the smallest normal.
  return {result, result >= top ? 1 : 0, false};
}

Float80 round_to_register(bool negative, uint128 significand, int exponent, int precision, uint16_t control,
                          uint16_t* status) {
  return encode(negative, round_result(negative, significand, exponent, extended_format(precision), control, status),
                precision);
}

}  // namespace orcvm::fpu::x87
