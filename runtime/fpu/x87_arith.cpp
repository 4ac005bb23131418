// FADD FSUB FMUL FDIV FSQRT (SDM Vol. 2 per instruction; Vol. 1, 8.1.5.2 for the
// precision control, 4.8.3 and Tables 8-10 to 8-12 for the special operands, 4.9.2
// and 8.7 for which of several exception conditions is reported).
#include <utility>

#include "runtime/fpu/integer_sqrt.h"
#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_operands.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

// An exact zero sum of nonzero operands, and the sum of zeros of opposite signs,
// is +0 except when rounding down (IEEE 754, 6.3).
Float80 zero_sum(uint16_t control) { return signed_zero(rounding_of(control) == Rounding::Down); }

// A lone operand, rounded to the precision control as any result is.
Float80 rounded_operand(Float80 x, uint16_t control, uint16_t* status) {
  const Unpacked v = unpack(x);
  return round_to_register(is_negative(x), v.significand, v.exponent, precision_of(control), control, status);
}

Float80 add(Float80 a, Float80 b, bool subtract, uint16_t control, uint16_t* status, bool denormal_memory_operand) {
  const Class a_class = classify(a), b_class = classify(b);
  if (a_class == Class::Unsupported || b_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(a) || is_nan(b)) return propagate_nan(a, b, status);
  if (subtract) b = negate(b);
  const bool a_infinite = a_class == Class::Infinity, b_infinite = b_class == Class::Infinity;
  if (a_infinite && b_infinite && is_negative(a) != is_negative(b)) return invalid_operation(status);
  if (stops_at_denormal(a_class == Class::Denormal || b_class == Class::Denormal || denormal_memory_operand,
                        control, status)) return a;
  if (a_infinite) return a;
  if (b_infinite) return b;
  const bool a_zero = a_class == Class::Zero, b_zero = b_class == Class::Zero;
  if (a_zero && b_zero) return is_negative(a) == is_negative(b) ? a : zero_sum(control);
  if (a_zero) return rounded_operand(b, control, status);
  if (b_zero) return rounded_operand(a, control, status);

  Unpacked x = unpack_normalized(a), y = unpack_normalized(b);
  bool x_negative = is_negative(a), y_negative = is_negative(b);
  if (y.exponent > x.exponent || (y.exponent == x.exponent && y.significand > x.significand)) {
    std::swap(x, y);  // the result takes the larger magnitude's sign
    std::swap(x_negative, y_negative);
  }
  // Leading ones at bit 126 leave room for a carry; the 63 bits below keep the
  // aligned smaller operand's sticky bit far under the rounding position even after
  // a cancellation, which loses more than one bit only when nothing was shifted out.
  const uint128 larger = uint128(x.significand) << 63;
  const uint128 smaller = shift_right_sticky(uint128(y.significand) << 63, x.exponent - y.exponent);
  const uint128 sum = x_negative == y_negative ? larger + smaller : larger - smaller;
  if (sum == 0) return zero_sum(control);
  return round_to_register(x_negative, sum, x.exponent - 63, precision_of(control), control, status);
}

Float80 multiply(Float80 a, Float80 b, uint16_t control, uint16_t* status, bool denormal_memory_operand) {
  const Class a_class = classify(a), b_class = classify(b);
  if (a_class == Class::Unsupported || b_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(a) || is_nan(b)) return propagate_nan(a, b, status);
  const bool negative = is_negative(a) != is_negative(b);
  const bool infinite = a_class == Class::Infinity || b_class == Class::Infinity;
  const bool zero = a_class == Class::Zero || b_class == Class::Zero;
  if (infinite && zero) return invalid_operation(status);
  if (stops_at_denormal(a_class == Class::Denormal || b_class == Class::Denormal || denormal_memory_operand,
                        control, status)) return a;
  if (infinite) return signed_infinity(negative);
  if (zero) return signed_zero(negative);
  const Unpacked x = unpack(a), y = unpack(b);
  const uint128 product = uint128(x.significand) * y.significand;  // exact
  return round_to_register(negative, product, x.exponent + y.exponent, precision_of(control), control, status);
}

Float80 divide(Float80 a, Float80 b, uint16_t control, uint16_t* status, bool denormal_memory_operand) {
  const Class a_class = classify(a), b_class = classify(b);
  if (a_class == Class::Unsupported || b_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(a) || is_nan(b)) return propagate_nan(a, b, status);
  const bool negative = is_negative(a) != is_negative(b);
  const bool a_infinite = a_class == Class::Infinity, b_infinite = b_class == Class::Infinity;
  const bool a_zero = a_class == Class::Zero, b_zero = b_class == Class::Zero;
  if ((a_infinite && b_infinite) || (a_zero && b_zero)) return invalid_operation(status);
  if (b_zero && !a_infinite) {
    *status |= x87status::ZE;
    return signed_infinity(negative);
  }
  if (stops_at_denormal(a_class == Class::Denormal || b_class == Class::Denormal || denormal_memory_operand,
                        control, status)) return a;
  if (a_infinite || b_zero) return signed_infinity(negative);
  if (b_infinite || a_zero) return signed_zero(negative);
  const Unpacked x = unpack_normalized(a), y = unpack_normalized(b);
  // 64 quotient bits or 65, then two more, and the remainder as a sticky bit.
  const uint128 dividend = uint128(x.significand) << 64;
  uint128 quotient = dividend / y.significand;
  const uint128 remainder = (dividend % y.significand) << 2;
  quotient = (quotient << 2) | (remainder / y.significand) | (remainder % y.significand != 0);
  return round_to_register(negative, quotient, x.exponent - y.exponent - 66, precision_of(control), control,
                           status);
}

Float80 square_root(Float80 a, uint16_t control, uint16_t* status, bool denormal_memory_operand) {
  const Class a_class = classify(a);
  if (a_class == Class::Unsupported) return invalid_operation(status);
  if (is_nan(a)) return propagate_nan(a, a, status);
  if (a_class == Class::Zero) return a;  // sqrt(-0) is -0
  if (is_negative(a)) return invalid_operation(status);
  if (stops_at_denormal(a_class == Class::Denormal || denormal_memory_operand, control, status)) return a;
  if (a_class == Class::Infinity) return a;
  const Unpacked x = unpack_normalized(a);
  // An even exponent halves exactly; 60 more bits (even) keep the radicand under
  // integer_sqrt's 2^126 and give a root of 63 bits.
  const bool odd = x.exponent & 1;
  const uint128 radicand = (uint128(x.significand) << odd) << 60;
  uint128 root = integer_sqrt(radicand);
  uint128 remainder = radicand - root * root;
  // Six more root bits, digit by digit: with R = N - r^2, the next bit of the root
  // of 4N is one exactly when 4R >= 4r + 1.
  constexpr int kExtraBits = 6;
  for (int i = 0; i < kExtraBits; ++i) {
    remainder <<= 2;
    const uint128 trial = (root << 2) | 1;
    root <<= 1;
    if (remainder >= trial) {
      remainder -= trial;
      root |= 1;
    }
  }
  const int exponent = (x.exponent - odd - 60) / 2 - kExtraBits;
  return round_to_register(false, root | (remainder != 0), exponent, precision_of(control), control, status);
}

}  // namespace

Float80 x87_arith(X87ArithOp op, Float80 a, Float80 b, uint16_t control, uint16_t* status,
                  bool denormal_memory_operand) {
  const bool memory = denormal_memory_operand;
  switch (op) {
    case X87ArithOp::Add: return add(a, b, false, control, status, memory);
    case X87ArithOp::Sub: return add(a, b, true, control, status, memory);
    case X87ArithOp::Mul: return multiply(a, b, control, status, memory);
    case X87ArithOp::Div: return divide(a, b, control, status, memory);
    case X87ArithOp::Sqrt: break;
  }
  return square_root(a, control, status, memory);
}

}  // namespace orcvm::fpu
