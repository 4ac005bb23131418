#pragma once
// Binary floating point with a 128-bit significand and an unbounded exponent, for
// the x87 transcendental functions: 64 bits beyond the double-extended result, so
// that the truncation errors of a few dozen operations stay far below the result's
// rounding position. Every operation truncates its significand (relative error
// below 2^-126 per operation); nothing here is exact unless said so.
#include <cstdint>

#include "runtime/fpu/wide_int.h"

namespace orcvm::fpu {

struct WideReal {
  bool negative;
  uint128 significand;  // leading one at bit 127, or 0 for zero
  int exponent;         // value = (-1)^negative * significand * 2^exponent
};

constexpr uint128 bits128(uint64_t high, uint64_t low) { return uint128(high) << 64 | low; }

// floor(a * b / 2^128).
constexpr uint128 multiply_high(uint128 a, uint128 b) {
  const uint64_t a1 = uint64_t(a >> 64), a0 = uint64_t(a), b1 = uint64_t(b >> 64), b0 = uint64_t(b);
  const uint128 low = uint128(a0) * b0, cross1 = uint128(a0) * b1, cross2 = uint128(a1) * b0;
  const uint128 middle = (low >> 64) + uint64_t(cross1) + uint64_t(cross2);  // below 3 * 2^64
  return uint128(a1) * b1 + (cross1 >> 64) + (cross2 >> 64) + (middle >> 64);
}

constexpr WideReal normalized(bool negative, uint128 significand, int exponent) {
  if (significand == 0) return {false, 0, 0};
  const int shift = leading_zeros(significand);
  return {negative, significand << shift, exponent - shift};
}

constexpr WideReal wide_from_integer(int64_t value) {
  const bool negative = value < 0;
  return normalized(negative, negative ? 0 - uint64_t(value) : uint64_t(value), 0);
}

// fraction * 2^-fraction_bits.
constexpr WideReal wide_from_fixed(uint128 fraction, int fraction_bits) {
  return normalized(false, fraction, -fraction_bits);
}

// |a| * 2^fraction_bits, truncated; |a| must be below 2^(128 - fraction_bits).
constexpr uint128 to_fixed(WideReal a, int fraction_bits) {
  const int shift = -(a.exponent + fraction_bits);  // right shift of the significand
  if (shift >= 128) return 0;
  return shift >= 0 ? a.significand >> shift : a.significand << -shift;
}

constexpr WideReal negated(WideReal a) { return {!a.negative && a.significand != 0, a.significand, a.exponent}; }
constexpr WideReal scaled(WideReal a, int power_of_two) { return {a.negative, a.significand, a.exponent + power_of_two}; }

constexpr WideReal operator*(WideReal a, WideReal b) {
  return normalized(a.negative != b.negative, multiply_high(a.significand, b.significand),
                    a.exponent + b.exponent + 128);
}

constexpr WideReal operator+(WideReal a, WideReal b) {
  if (a.significand == 0) return b;
  if (b.significand == 0) return a;
  if (b.exponent > a.exponent || (b.exponent == a.exponent && b.significand > a.significand)) {
    const WideReal larger = b;
    b = a;
    a = larger;
  }
  // One bit of headroom for a carry; the smaller operand's bits below the larger's
  // last one are dropped.
  const int distance = a.exponent - b.exponent;
  const uint128 x = a.significand >> 1;
  const uint128 y = distance + 1 >= 128 ? 0 : b.significand >> (distance + 1);
  return normalized(a.negative, a.negative == b.negative ? x + y : x - y, a.exponent + 1);
}

constexpr WideReal operator-(WideReal a, WideReal b) { return a + negated(b); }

// 1/d for a normalized significand d, as R with 2^126 * R = the result: one Newton
// step from a 64-bit quotient (relative error 2^-63 squared, plus truncations).
constexpr uint128 reciprocal(uint128 d) {
  const uint64_t top = uint64_t(d >> 64);
  const uint128 first = (uint128(1) << 127) / (uint128(top) + 1);  // 2^63 / D, D = d / 2^128
  const uint128 estimate = first << 63;                             // R0 with 126 fraction bits
  const uint128 product = multiply_high(d, estimate);               // D * R0, 126 fraction bits
  const uint128 correction = (uint128(2) << 126) - product;         // 2 - D * R0
  return multiply_high(estimate, correction) << 2;
}

constexpr WideReal operator/(WideReal a, WideReal b) {
  // a / b = (A / 2^128) * (2^128 / B) * 2^(ea - eb) for normalized A and B.
  return normalized(a.negative != b.negative, multiply_high(a.significand, reciprocal(b.significand)),
                    a.exponent - b.exponent - 126);
}

}  // namespace orcvm::fpu
