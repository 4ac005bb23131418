// FIST/FISTP (rounded per RC) and FISTTP (truncated). No DE: a denormal source
// is simply inexact. An out-of-range result, known only after rounding, is IE
// with the integer indefinite and no PE.
#include "runtime/fpu/rounding.h"
#include "runtime/fpu/x87_operand.h"

namespace orcvm::fpu {

using namespace x87;

int64_t x87_to_int(Float80 a, unsigned bits, bool truncate, uint16_t control, uint16_t* status) {
  const int64_t indefinite = -(int64_t{1} << (bits - 1));
  if (is_unsupported(a) || exponent_of(a) == kMaxExponent) {
    *status |= x87status::IE;
    return indefinite;
  }
  if (is_zero(a)) return 0;
  const bool negative = is_negative(a);
  const int unbiased = effective_exponent(a) - kBias;  // of the significand's bit 63
  if (unbiased >= 64) {
    *status |= x87status::IE;
    return indefinite;
  }
  // value = significand * 2^(unbiased - 63): cut the fraction off below bit 63 - unbiased.
  const int fraction_bits = 63 - unbiased;
  const Cut<uint64_t> parts = fraction_bits == 0 ? Cut<uint64_t>{a.significand, 0} : cut(a.significand, fraction_bits);
  const Rounding rounding = truncate ? Rounding::TowardZero : Rounding((control >> x87control::RcShift) & 3);
  const bool up = parts.rest != 0 && rounds_up(rounding, negative, parts.integer, parts.rest);
  const uint64_t magnitude = parts.integer + up;
  const uint64_t limit = (uint64_t{1} << (bits - 1)) - (negative ? 0 : 1);
  if (magnitude > limit) {
    *status |= x87status::IE;
    return indefinite;
  }
  if (parts.rest) *status |= x87status::PE | (up ? x87status::C1 : 0);
  return negative ? int64_t(0 - magnitude) : int64_t(magnitude);
}

}  // namespace orcvm::fpu
