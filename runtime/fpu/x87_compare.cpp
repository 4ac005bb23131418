// FCOM/FUCOM and their forms (the caller turns the relation into C3 C2 C0 or ZF PF
// CF), FTST (a compare with +0) and FXAM (SDM Vol. 2 per instruction; Vol. 1, 8.3.6).
#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

// The magnitude order of finite values and infinities: a pseudo-denormal weighs
// what exponent 1 with its significand does, so exponent 0 counts as 1.
bool magnitude_less(Float80 a, Float80 b) {
  const int a_exponent = biased_exponent(a) == 0 ? 1 : biased_exponent(a);
  const int b_exponent = biased_exponent(b) == 0 ? 1 : biased_exponent(b);
  if (a_exponent != b_exponent) return a_exponent < b_exponent;
  return a.significand < b.significand;
}

// a < b for operands that are neither NaNs nor unsupported; zeros of either sign are equal.
bool is_less(Float80 a, Float80 b) {
  if (is_zero(a) && is_zero(b)) return false;
  const bool a_negative = is_negative(a) && !is_zero(a), b_negative = is_negative(b) && !is_zero(b);
  if (a_negative != b_negative) return a_negative;
  return a_negative ? magnitude_less(b, a) : magnitude_less(a, b);
}

}  // namespace

X87Relation x87_compare(Float80 a, Float80 b, bool signalling, uint16_t* status, bool denormal_memory_operand) {
  const Class a_class = classify(a), b_class = classify(b);
  if (a_class == Class::Unsupported || b_class == Class::Unsupported) {
    *status |= x87status::IE;
    return X87Relation::Unordered;
  }
  if (is_nan(a) || is_nan(b)) {
    if (signalling || a_class == Class::SignallingNan || b_class == Class::SignallingNan) *status |= x87status::IE;
    return X87Relation::Unordered;
  }
  if (a_class == Class::Denormal || b_class == Class::Denormal || denormal_memory_operand) *status |= x87status::DE;
  if (is_less(a, b)) return X87Relation::Less;
  return is_less(b, a) ? X87Relation::Greater : X87Relation::Equal;
}

uint16_t x87_examine(Float80 a, bool empty) {
  using namespace x87status;
  const uint16_t sign = is_negative(a) ? C1 : 0;
  if (empty) return sign | C3 | C0;
  switch (classify(a)) {
    case Class::Unsupported: return sign;
    case Class::QuietNan:
    case Class::SignallingNan: return sign | C0;
    case Class::Normal: return sign | C2;
    case Class::Infinity: return sign | C2 | C0;
    case Class::Zero: return sign | C3;
    case Class::Denormal: break;
  }
  return sign | C3 | C2;
}

}  // namespace orcvm::fpu
