#pragma once
// Rounding an exactly known result the way the x87 does (SDM Vol. 1, 4.8.4, 4.9.1.4,
// 4.9.1.5, 8.1.5.2, 8.5.4, 8.5.5): to the precision control's 24, 53 or 64 bits for
// a register destination (keeping the 15-bit exponent range), or to binary32/64 for
// a memory destination; the masked and unmasked responses to overflow and
// underflow; PE, and C1 when the magnitude was rounded up. Tininess is decided
// after rounding with an unbounded exponent, and a masked underflow is reported
// only with a loss of accuracy (an exact denormal result raises nothing).
#include <cstdint>

#include "runtime/fpu/rounding.h"
#include "runtime/fpu/wide_int.h"
#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"

namespace orcvm::fpu::x87 {

constexpr Rounding rounding_of(uint16_t control) { return Rounding((control >> x87control::RcShift) & 3); }

// The reserved PC value 1 rounds to 64 bits as 3 does (checked on an AMD part;
// QEMU does the same).
constexpr int precision_of(uint16_t control) {
  switch ((control >> x87control::PcShift) & 3) {
    case 0: return 24;
    case 2: return 53;
    default: return 64;
  }
}

// FCW's mask bits sit where FSW's flags do.
constexpr bool is_masked(uint16_t flag, uint16_t control) { return (control & flag) != 0; }

// A destination: its precision (including the integer bit) and exponent range.
struct Format {
  int precision;
  int bias;
  int max_biased;  // the biased exponent of infinities
};
constexpr Format kBinary32Format{24, 127, 0xff};
constexpr Format kBinary64Format{53, 1023, 0x7ff};
constexpr Format extended_format(int precision) { return {precision, kBias, kMaxBiased}; }

// A rounded magnitude: an integer significand of at most `precision` bits and a
// biased exponent (0 for a denormal or zero: then the significand is below
// 2^(precision-1)), or an infinity. After an unmasked overflow or underflow the
// exponent is the rebiased one.
struct Rounded {
  uint64_t significand;
  int biased;
  bool infinite;
};

// (-1)^negative * significand * 2^exponent rounded to `format` under `control`'s RC
// and masks. significand is nonzero and exact, or truncated with a sticky one ORed
// into bit 0 at least two bits below the format's precision.
Rounded round_result(bool negative, uint128 significand, int exponent, Format format, uint16_t control,
                     uint16_t* status);

// The same, rounded to the precision control and encoded as a register value.
Float80 round_to_register(bool negative, uint128 significand, int exponent, int precision, uint16_t control,
                          uint16_t* status);

constexpr Float80 encode(bool negative, Rounded r, int precision) {
  if (r.infinite) return signed_infinity(negative);
  return make(negative, r.biased, r.significand << (64 - precision));
}

}  // namespace orcvm::fpu::x87
