#pragma once
// Bit operations on the unsigned integers significands are computed in, including
// the 128-bit one, which <bit> does not cover.
#include <bit>
#include <cstdint>

namespace orcvm::fpu {

using uint128 = unsigned __int128;

template <class T> constexpr int kWidth = int(sizeof(T) * 8);

template <class T> constexpr int leading_zeros(T x) {
  if constexpr (sizeof(T) == sizeof(uint128)) {
    const uint64_t high = uint64_t(x >> 64);
    return high ? std::countl_zero(high) : 64 + std::countl_zero(uint64_t(x));
  } else {
    return std::countl_zero(x);
  }
}

template <class T> constexpr int bit_width(T x) { return kWidth<T> - leading_zeros(x); }

// x cut below bit `position` (>= 1): the part above, and the part below aligned to
// the top of T, so that the rest's top bit weighs one half of the part above's last
// bit. Bits cut off entirely below that half survive only as "nonzero" (rest 1),
// which is all rounding needs to know of them.
template <class T> struct Cut {
  T integer;
  T rest;
};
template <class T> constexpr Cut<T> cut(T x, int position) {
  if (position < kWidth<T>) return {x >> position, x << (kWidth<T> - position)};
  if (position == kWidth<T>) return {0, x};
  return {0, T(x != 0)};
}

// x shifted right by `count` bits with every bit shifted out ORed into bit 0 (a
// sticky bit), so that the result still rounds as x does at any position above bit 1.
template <class T> constexpr T shift_right_sticky(T x, int count) {
  if (count == 0) return x;
  if (count >= kWidth<T>) return T(x != 0);
  return (x >> count) | T((x << (kWidth<T> - count)) != 0);
}

}  // namespace orcvm::fpu
