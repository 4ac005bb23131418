// ADD SUB MUL DIV SQRT MIN MAX, one lane, for both formats (SDM Vol. 2 per
// instruction; Vol. 1, 4.8.3 for the special operands and 4.9.2 for which of
// several exception conditions is reported).
#include <utility>

#include "runtime/fpu/float_format.h"
#include "runtime/fpu/integer_sqrt.h"
#include "runtime/fpu/operand_rules.h"
#include "runtime/fpu/rounding.h"
#include "runtime/fpu/sse_float.h"

namespace orcvm::fpu {
namespace {

template <class F> using Bits = typename F::Bits;

// An exact zero sum of nonzero operands, and the sum of zeros of opposite signs,
// is +0 except when rounding down (IEEE 754, 6.3).
template <class F> Bits<F> zero_sum(uint32_t control) {
  return signed_zero<F>(rounding_of(control) == Rounding::Down);
}

// a + b, or a - b when `subtract`.
template <class F> Bits<F> add(Bits<F> a, Bits<F> b, bool subtract, uint32_t control, uint32_t* flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) return propagate_nan<F>(a, b, flags);
  if (subtract) b ^= F::kSignBit;
  const bool a_infinite = is_infinity<F>(a), b_infinite = is_infinity<F>(b);
  if (a_infinite && b_infinite && is_negative<F>(a) != is_negative<F>(b)) return invalid_operation<F>(flags);
  if (stops_at_denormal(is_denormal<F>(a) || is_denormal<F>(b), control, flags)) return a;
  if (a_infinite || b_infinite) return a_infinite ? a : b;
  if (is_zero<F>(a) && is_zero<F>(b)) return is_negative<F>(a) == is_negative<F>(b) ? a : zero_sum<F>(control);

  if (magnitude<F>(a) < magnitude<F>(b)) std::swap(a, b);  // the result takes a's sign
  const Finite larger = unpack<F>(a), smaller = unpack<F>(b);
  // Room for the carry of a sum at the top, and guard bits below the significand
  // so that the sticky bit of the aligned smaller operand sits well under the
  // rounding position even after a cancellation shifts the result left by one.
  constexpr int kGuard = 61 - int(F::kFractionBits);
  const uint64_t x = larger.significand << kGuard;
  const uint64_t y = shift_right_sticky(smaller.significand << kGuard, larger.exponent - smaller.exponent);
  const uint64_t sum = is_negative<F>(a) != is_negative<F>(b) ? x - y : x + y;
  if (sum == 0) return zero_sum<F>(control);
  return round_to_format<F>(is_negative<F>(a), sum, larger.exponent - kGuard, control, flags);
}

template <class F> Bits<F> multiply(Bits<F> a, Bits<F> b, uint32_t control, uint32_t* flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) return propagate_nan<F>(a, b, flags);
  const bool negative = is_negative<F>(a) != is_negative<F>(b);
  const bool infinite = is_infinity<F>(a) || is_infinity<F>(b);
  const bool zero = is_zero<F>(a) || is_zero<F>(b);
  if (infinite && zero) return invalid_operation<F>(flags);
  if (stops_at_denormal(is_denormal<F>(a) || is_denormal<F>(b), control, flags)) return a;
  if (infinite) return signed_infinity<F>(negative);
  if (zero) return signed_zero<F>(negative);
  const Finite x = unpack<F>(a), y = unpack<F>(b);
  const typename F::Wide product = typename F::Wide(x.significand) * y.significand;  // exact
  return round_to_format<F>(negative, product, x.exponent + y.exponent, control, flags);
}

template <class F> Bits<F> divide(Bits<F> a, Bits<F> b, uint32_t control, uint32_t* flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) return propagate_nan<F>(a, b, flags);
  const bool negative = is_negative<F>(a) != is_negative<F>(b);
  if ((is_infinity<F>(a) && is_infinity<F>(b)) || (is_zero<F>(a) && is_zero<F>(b)))
    return invalid_operation<F>(flags);
  if (is_zero<F>(b) && !is_infinity<F>(a)) {
    *flags |= mxcsr::ZE;
    return signed_infinity<F>(negative);
  }
  if (stops_at_denormal(is_denormal<F>(a) || is_denormal<F>(b), control, flags)) return a;
  if (is_infinity<F>(a) || is_zero<F>(b)) return signed_infinity<F>(negative);
  if (is_infinity<F>(b) || is_zero<F>(a)) return signed_zero<F>(negative);
  const Finite x = unpack_normalized<F>(a), y = unpack_normalized<F>(b);
  // Both significands have F::kFractionBits + 1 bits, so the quotient has at least
  // kShift bits: the format's precision, two more, and the remainder as sticky bit.
  constexpr int kShift = int(F::kFractionBits) + 4;
  const typename F::Wide dividend = typename F::Wide(x.significand) << kShift;
  const uint64_t quotient = uint64_t(dividend / y.significand);
  const bool remainder = dividend != typename F::Wide(quotient) * y.significand;
  return round_to_format<F>(negative, quotient | remainder, x.exponent - y.exponent - kShift, control, flags);
}

template <class F> Bits<F> square_root(Bits<F> a, uint32_t control, uint32_t* flags) {
  if (is_nan<F>(a)) return propagate_nan<F>(a, a, flags);
  if (is_zero<F>(a)) return a;  // sqrt(-0) is -0
  if (is_negative<F>(a)) return invalid_operation<F>(flags);
  if (stops_at_denormal(is_denormal<F>(a), control, flags)) return a;
  if (is_infinity<F>(a)) return a;
  Finite x = unpack_normalized<F>(a);
  if (x.exponent & 1) {  // an even exponent halves exactly
    x.significand <<= 1;
    x.exponent -= 1;
  }
  // The root of a (kFractionBits + 1)-bit significand shifted by 2 * kShift has at
  // least kFractionBits / 2 + kShift bits: the precision, two more, and a sticky bit.
  constexpr int kShift = int(F::kFractionBits) / 2 + 4;
  const typename F::Wide radicand = typename F::Wide(x.significand) << (2 * kShift);
  const uint64_t root = integer_sqrt(radicand);
  const bool inexact = typename F::Wide(root) * root != radicand;
  return round_to_format<F>(false, root | inexact, (x.exponent - 2 * kShift) / 2, control, flags);
}

// MIN/MAX return b when either operand is a NaN (IE even for a QNaN) or both are
// zeros, and return it as it is, not quieted (SDM Vol. 2, MINSS/MAXSS).
template <class F> Bits<F> min_max(bool maximum, Bits<F> a, Bits<F> b, uint32_t control, uint32_t* flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    *flags |= mxcsr::IE;
    return b;
  }
  if (stops_at_denormal(is_denormal<F>(a) || is_denormal<F>(b), control, flags)) return a;
  return (maximum ? is_less<F>(b, a) : is_less<F>(a, b)) ? a : b;
}

template <class F> Bits<F> arith(ArithOp op, Bits<F> a, Bits<F> b, uint32_t control, uint32_t* flags) {
  a = read_operand<F>(a, control);
  b = read_operand<F>(b, control);
  switch (op) {
    case ArithOp::Add: return add<F>(a, b, false, control, flags);
    case ArithOp::Sub: return add<F>(a, b, true, control, flags);
    case ArithOp::Mul: return multiply<F>(a, b, control, flags);
    case ArithOp::Div: return divide<F>(a, b, control, flags);
    case ArithOp::Min: return min_max<F>(false, a, b, control, flags);
    case ArithOp::Max: return min_max<F>(true, a, b, control, flags);
    case ArithOp::Sqrt: break;
  }
  return square_root<F>(a, control, flags);
}

}  // namespace

uint32_t arith32(ArithOp op, uint32_t a, uint32_t b, uint32_t control, uint32_t* flags) {
  return arith<Binary32>(op, a, b, control, flags);
}

uint64_t arith64(ArithOp op, uint64_t a, uint64_t b, uint32_t control, uint32_t* flags) {
  return arith<Binary64>(op, a, b, control, flags);
}

}  // namespace orcvm::fpu
