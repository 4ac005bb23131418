#pragma once
// What SSE does with its operands before computing (SDM Vol. 1, 4.8.3.5, 4.9.2,
// 10.2.3.4, 11.5.2): DAZ reads a denormal as a zero of its sign; a NaN operand
// decides the result (the first NaN operand, quieted; IE for an SNaN) and
// suppresses the denormal-operand flag; DE comes after the invalid-operation and
// divide-by-zero checks, and when it is unmasked nothing is computed, so no
// overflow, underflow or precision flag follows it.
#include "runtime/fpu/float_format.h"
#include "runtime/fpu/sse_float.h"

namespace orcvm::fpu {

template <class F> typename F::Bits read_operand(typename F::Bits x, uint32_t control) {
  return (control & mxcsr::DAZ) && is_denormal<F>(x) ? signed_zero<F>(is_negative<F>(x)) : x;
}

// a or b is a NaN (for a one-operand instruction pass its operand twice).
template <class F> typename F::Bits propagate_nan(typename F::Bits a, typename F::Bits b, uint32_t* flags) {
  if (is_signalling_nan<F>(a) || is_signalling_nan<F>(b)) *flags |= mxcsr::IE;
  return quiet<F>(is_nan<F>(a) ? a : b);
}

template <class F> typename F::Bits invalid_operation(uint32_t* flags) {
  *flags |= mxcsr::IE;
  return F::kIndefinite;
}

// Raises DE when `denormal_operand`; true when DE is unmasked and the operation
// must stop there (its result is then never written, so any value will do).
inline bool stops_at_denormal(bool denormal_operand, uint32_t control, uint32_t* flags) {
  if (!denormal_operand) return false;
  *flags |= mxcsr::DE;
  return unmasked(mxcsr::DE, control) != 0;
}

// a < b for operands that are not NaNs; zeros of either sign are equal.
template <class F> bool is_less(typename F::Bits a, typename F::Bits b) {
  if (is_zero<F>(a) && is_zero<F>(b)) return false;
  const bool a_negative = is_negative<F>(a);
  if (a_negative != is_negative<F>(b)) return a_negative;
  return a_negative ? magnitude<F>(a) > magnitude<F>(b) : magnitude<F>(a) < magnitude<F>(b);
}

}  // namespace orcvm::fpu
