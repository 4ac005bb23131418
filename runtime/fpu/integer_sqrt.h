#pragma once
// floor(sqrt(n)) in integers, for square roots of significands. Newton's iteration
// started above the root stays at or above floor(sqrt(n)) (the arithmetic mean of
// g and n/g is at least sqrt(n)), so after enough steps a final exact check
// (g * g > n) settles the last unit; the table start makes three steps enough for
// the 57-bit roots of binary64.
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
// For a leading part `top` (2^(kTopBits-2) <= top < 2^kTopBits) of a number:
// ceil(sqrt(top + 1)) with 8 fraction bits, an upper bound of the root of anything
// that has that leading part.
constexpr std::array<uint16_t, (1 << kTopBits)> kRootOfTopBound = [] {
  std::array<uint16_t, (1 << kTopBits)> table{};
  for (uint32_t top = 1 << (kTopBits - 2); top < (1u << kTopBits); ++top)
    table[top] = uint16_t(ceil_sqrt((top + 1) << 16));
  return table;
}();

}  // namespace integer_sqrt_detail

// n must be at least 2^(kTopBits-2) and below 2^126.
template <class T> uint64_t integer_sqrt(T n) {
  using namespace integer_sqrt_detail;
  const int width = bit_width(n);
  const int shift = (width - kTopBits + 1) & ~1;  // even, so that the root shifts by half
  const T top = n >> shift;
  // bound * 2^(shift/2) / 2^8, rounded up, is at least sqrt(n).
  T guess = ((T(kRootOfTopBound[std::size_t(top)]) << (shift / 2)) + 255) >> 8;
  for (int step = 0; step < 3; ++step) guess = (guess + n / guess) / 2;
  while (guess * guess > n) --guess;
  return uint64_t(guess);
}

}  // namespace orcvm::fpu
