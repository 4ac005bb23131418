#pragma once
// The classes of a double-extended encoding the x87 distinguishes (SDM Vol. 1,
// 8.2.2 and Table 8-3), shared by the library's operations.
#include "runtime/fpu/x87_float.h"

namespace orcvm::fpu::x87 {

constexpr uint16_t kMaxExponent = 0x7fff;
constexpr int kBias = 16383;
constexpr uint64_t kIntegerBit = 1ull << 63;
constexpr uint64_t kQuietBit = 1ull << 62;

constexpr bool is_negative(Float80 a) { return a.sign_exponent & 0x8000; }
constexpr unsigned exponent_of(Float80 a) { return a.sign_exponent & kMaxExponent; }
// Unnormals, pseudo-NaNs and pseudo-infinities: the integer bit is clear where
// the exponent says it must be set. The x87 treats them as invalid operands.
constexpr bool is_unsupported(Float80 a) {
  return exponent_of(a) != 0 && !(a.significand & kIntegerBit);
}
constexpr bool is_nan(Float80 a) {
  return exponent_of(a) == kMaxExponent && !is_unsupported(a) && (a.significand << 1) != 0;
}
constexpr bool is_signalling_nan(Float80 a) { return is_nan(a) && !(a.significand & kQuietBit); }
constexpr bool is_zero(Float80 a) { return exponent_of(a) == 0 && a.significand == 0; }
// Denormals and pseudo-denormals (integer bit set with a zero exponent).
constexpr bool is_denormal(Float80 a) { return exponent_of(a) == 0 && a.significand != 0; }
// A pseudo-denormal has the value of the same significand at exponent 1.
constexpr int effective_exponent(Float80 a) { return exponent_of(a) == 0 ? 1 : int(exponent_of(a)); }

}  // namespace orcvm::fpu::x87
