// FBLD and FBSTP (SDM Vol. 1, 4.7 and Figure 4-9 for the packed BCD format; Vol. 2,
// FBLD and FBSTP): 18 digits, two per byte with the less significant one in the low
// nibble, bits 72-78 unused and the sign in bit 79.
#include <bit>

#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

constexpr int kDigits = 18;
constexpr uint64_t kLargest = 999999999999999999;  // 10^18 - 1
constexpr Float80 kBcdIndefinite{0xc000000000000000, 0xffff};

// Nibble i of the 72 digit bits.
unsigned digit(Float80 packed, int i) {
  const uint64_t word = i < 16 ? packed.significand >> (4 * i) : uint64_t(packed.sign_exponent) >> (4 * (i - 16));
  return unsigned(word & 0xf);
}

}  // namespace

// The SDM leaves digits above 9 undefined; orcvm weighs each nibble by its place
// all the same, as the AMD host does, so they cannot make the result inexact
// (15 * (10^18 - 1) / 9 < 2^64).
Float80 x87_from_bcd(Float80 packed) {
  uint64_t magnitude = 0;
  for (int i = kDigits - 1; i >= 0; --i) magnitude = magnitude * 10 + digit(packed, i);
  const bool negative = packed.sign_exponent & kSignBit;
  if (magnitude == 0) return signed_zero(negative);
  const int shift = std::countl_zero(magnitude);
  return make(negative, kBias + 63 - shift, magnitude << shift);
}

Float80 x87_to_bcd(Float80 a, uint16_t control, uint16_t* status) {
  const bool negative = is_negative(a);
  const Class a_class = classify(a);
  if (a_class == Class::Zero) return make(negative, 0, 0);
  if (a_class != Class::Normal && a_class != Class::Denormal) {
    *status |= x87status::IE;
    return kBcdIndefinite;
  }
  const Unpacked v = unpack(a);
  if (v.exponent >= 0) {  // at least 2^63
    *status |= x87status::IE;
    return kBcdIndefinite;
  }
  const Cut<uint64_t> parts = cut(v.significand, -v.exponent);
  const bool up = rounds_up(rounding_of(control), negative, parts.integer, parts.rest);
  uint64_t magnitude = parts.integer + up;
  if (magnitude > kLargest) {
    *status |= x87status::IE;
    return kBcdIndefinite;
  }
  if (parts.rest) *status |= x87status::PE | (up ? x87status::C1 : 0);
  Float80 packed{0, uint16_t(negative ? kSignBit : 0)};
  for (int i = 0; i < kDigits; ++i, magnitude /= 10) {
    const uint64_t d = magnitude % 10;
    if (i < 16)
      packed.significand |= d << (4 * i);
    else
      packed.sign_exponent |= uint16_t(d << (4 * (i - 16)));
  }
  return packed;
}

}  // namespace orcvm::fpu
