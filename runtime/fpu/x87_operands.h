#pragma once
// What the x87 does with special operands before computing (SDM Vol. 1, 4.8.3.5,
// Table 4-7, 8.5.1, 8.5.2, 8.7): an unsupported encoding makes the operation
// invalid; a NaN operand decides the result; an invalid operation without NaN
// operands gives the indefinite; a denormal operand raises DE, which when
// unmasked stops the operation before anything is computed.
#include <cstdint>

#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu::x87 {

inline Float80 invalid_operation(uint16_t* status) {
  *status |= x87status::IE;
  return kX87Indefinite;
}

// a or b is a NaN (a one-operand instruction passes its operand twice). Table 4-7:
// an SNaN raises IE and is quieted; with an SNaN and a QNaN the QNaN wins; of two
// NaNs of the same kind the one with the larger significand wins, and of equal
// significands the positive one.
inline Float80 propagate_nan(Float80 a, Float80 b, uint16_t* status) {
  const Class a_class = classify(a), b_class = classify(b);
  const bool a_nan = a_class == Class::QuietNan || a_class == Class::SignallingNan;
  const bool b_nan = b_class == Class::QuietNan || b_class == Class::SignallingNan;
  if (a_class == Class::SignallingNan || b_class == Class::SignallingNan) *status |= x87status::IE;
  if (!b_nan) return quiet(a);
  if (!a_nan) return quiet(b);
  if (a_class != b_class) return a_class == Class::QuietNan ? a : b;
  if (a.significand != b.significand) return quiet(a.significand > b.significand ? a : b);
  return quiet(is_negative(a) ? b : a);
}

// Raises DE when `denormal_operand`; true when DE is unmasked and the operation
// must stop there (the caller writes no result then, so any value will do).
inline bool stops_at_denormal(bool denormal_operand, uint16_t control, uint16_t* status) {
  if (!denormal_operand) return false;
  *status |= x87status::DE;
  return !is_masked(x87status::DE, control);
}

}  // namespace orcvm::fpu::x87
