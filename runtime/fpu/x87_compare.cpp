// FCOM/FUCOM and the compares built on them. Zeros of either sign are equal; an
// invalid operand (unsupported encoding, an SNaN, or any NaN when signalling) and
// a NaN give "unordered"; DE is reported only for a compare that has no NaN
// (read off the hardware: FUCOM of a QNaN and a denormal raises nothing).
#include "runtime/fpu/x87_operand.h"

namespace orcvm::fpu {

using namespace x87;

X87Relation x87_compare(Float80 a, Float80 b, bool signalling, uint16_t* status) {
  if (is_unsupported(a) || is_unsupported(b)) {
    *status |= x87status::IE;
    return X87Relation::Unordered;
  }
  if (is_nan(a) || is_nan(b)) {
    if (signalling || is_signalling_nan(a) || is_signalling_nan(b)) *status |= x87status::IE;
    return X87Relation::Unordered;
  }
  if (is_denormal(a) || is_denormal(b)) *status |= x87status::DE;
  if (is_zero(a) && is_zero(b)) return X87Relation::Equal;
  if (is_negative(a) != is_negative(b)) return is_negative(a) ? X87Relation::Less : X87Relation::Greater;
  const int ea = is_zero(a) ? 0 : effective_exponent(a), eb = is_zero(b) ? 0 : effective_exponent(b);
  if (ea == eb && a.significand == b.significand) return X87Relation::Equal;
  const bool a_magnitude_below = ea != eb ? ea < eb : a.significand < b.significand;
  return a_magnitude_below != is_negative(a) ? X87Relation::Less : X87Relation::Greater;
}

}  // namespace orcvm::fpu
