#pragma once
// floor(sqrt(n)) in integers, for square roots of significands. One step of
// Newton's iteration from any positive guess lands at or above floor(sqrt(n)) (the
// arithmetic mean of g and n/g is at least sqrt(n)) and later steps stay there, so
// an exact final check (g * g > n) settles the last units; the starting guess only
// decides how many units that is. A 64-bit n starts from a table and takes two
// steps with native divisions; a 128-bit n starts from the root of its top 62 bits
// (30 correct bits) and needs one 128-bit step for the 57-bit roots of binary64.
#include <array>
#include <cstddef>
#include <cstdint>

#include "runtime/fpu/wide_int.h"

namespace orcvm::fpu {

namespace integer_sqrt_detail {

constexpr uint32_t ceil_sqrt(uint32_t m) {
  uint32_t low = 0, high = 1u << 16;  // invariant: low^2 < m <= high^2 (m > 0)
  while (high - low > 1) {
    const uint32_t mid = (low + high) / 2;
    (mid * mid < m ? low : high) = mid;
  }
  return high;
}

constexpr int kTopBits = 8;
// For a leading part `top` (2^(kTopBits-2) <= top < 2^kTopBits) of a number: the
// root of top + 1 with 8 fraction bits, rounded up, which is within 2^-7 of the
// root of anything with that leading part.
constexpr std::array<uint16_t, (1 << kTopBits)> kRootOfTop = [] {
  std::array<uint16_t, (1 << kTopBits)> table{};
  for (uint32_t top = 1 << (kTopBits - 2); top < (1u << kTopBits); ++top)
    table[top] = uint16_t(ceil_sqrt((top + 1) << 16));
  return table;
}();

}  // namespace integer_sqrt_detail

// n must be at least 2^(kTopBits-2), and below 2^62 (64-bit) or 2^126 (128-bit) so
// that squares of the estimates do not wrap.
template <class T> uint64_t integer_sqrt(T n) {
  using namespace integer_sqrt_detail;
  const int width = bit_width(n);
  if constexpr (sizeof(T) == sizeof(uint128)) {
    if (width <= 64) return integer_sqrt(uint64_t(n));
    const int shift = (width - 62 + 1) & ~1;  // even, so that the root shifts by half
    T guess = T(integer_sqrt(uint64_t(n >> shift)) + 1) << (shift / 2);
    guess = (guess + n / guess) / 2;
    while (guess * guess > n) --guess;
    return uint64_t(guess);
  } else {
    const int shift = (width - kTopBits + 1) & ~1;
    const T top = n >> shift;
    T guess = (T(kRootOfTop[std::size_t(top)]) << (shift / 2)) >> 8;  // at least 8: top >= 64
    for (int step = 0; step < 2; ++step) guess = (guess + n / guess) / 2;
    while (guess * guess > n) --guess;
    return guess;
  }
}

}  // namespace orcvm::fpu
