// FLD m32/m64 and the memory operands of arithmetic, FILD, FST/FSTP m32/m64,
// FIST/FISTP/FISTTP (SDM Vol. 2 per instruction; Vol. 1, 4.8.3.7 for NaN payloads,
// 8.5.4 and 8.5.5 for over- and underflow toward memory).
#include <cstdint>

#include "runtime/fpu/float_format.h"
#include "runtime/fpu/x87_float.h"
#include "runtime/fpu/x87_format.h"
#include "runtime/fpu/x87_operands.h"
#include "runtime/fpu/x87_rounding.h"

namespace orcvm::fpu {
namespace {

using namespace x87;

template <class F> constexpr int kTopShift = 63 - int(F::kFractionBits);  // the narrow fraction's place in ours

template <class F> Float80 widen(typename F::Bits bits, uint16_t* status) {
  const bool negative = fpu::is_negative<F>(bits);
  if (fpu::is_nan<F>(bits))  // an SNaN stays signalling: its user decides IE
    return make(negative, kMaxBiased, kIntegerBit | uint64_t(bits & F::kFractionMask) << kTopShift<F>);
  if (fpu::is_infinity<F>(bits)) return signed_infinity(negative);
  if (fpu::is_zero<F>(bits)) return signed_zero(negative);
  if (fpu::is_denormal<F>(bits)) *status |= x87status::DE;
  const Finite v = unpack_normalized<F>(bits);
  const int biased = v.exponent + int(F::kFractionBits) + kBias;
  return make(negative, biased, v.significand << kTopShift<F>);
}

template <class F> typename F::Bits narrow(Float80 a, Format format, uint16_t control, uint16_t* status) {
  using Bits = typename F::Bits;
  const bool negative = is_negative(a);
  const Bits sign = fpu::signed_zero<F>(negative);
  switch (classify(a)) {
    case Class::Unsupported: *status |= x87status::IE; return F::kIndefinite;
    case Class::SignallingNan: *status |= x87status::IE; [[fallthrough]];
    case Class::QuietNan:  // the top of the payload, quieted
      return sign | F::kInfinity | F::kQuietBit | (Bits(a.significand >> kTopShift<F>) & F::kFractionMask);
    case Class::Infinity: return fpu::signed_infinity<F>(negative);
    case Class::Zero: return sign;
    case Class::Denormal:  // no DE: the source is a register
    case Class::Normal: break;
  }
  const Unpacked v = unpack(a);
  uint16_t rounding_status = 0;
  const Rounded r = round_result(negative, v.significand, v.exponent, format, control, &rounding_status);
  // An unmasked overflow or underflow stores nothing and reports itself alone,
  // without PE or C1 (as an AMD part does; the SDM does not say).
  const uint16_t trapped = rounding_status & (x87status::OE | x87status::UE) & ~control;
  *status |= trapped ? trapped : rounding_status;
  if (r.infinite) return sign | F::kInfinity;
  return sign | ((Bits(r.biased) << F::kFractionBits) & ~F::kSignBit) | (Bits(r.significand) & F::kFractionMask);
}

}  // namespace

Float80 x87_from_binary32(uint32_t bits, uint16_t* status) { return widen<Binary32>(bits, status); }
Float80 x87_from_binary64(uint64_t bits, uint16_t* status) { return widen<Binary64>(bits, status); }

Float80 x87_from_int(int64_t value) {
  if (value == 0) return signed_zero(false);
  const bool negative = value < 0;
  const uint64_t magnitude = negative ? 0 - uint64_t(value) : uint64_t(value);
  const int shift = std::countl_zero(magnitude);
  return make(negative, kBias + 63 - shift, magnitude << shift);
}

Float80 x87_load_real(Float80 widened, uint16_t* status) {
  if (classify(widened) != Class::SignallingNan) return widened;
  *status |= x87status::IE;
  return quiet(widened);
}

uint32_t x87_to_binary32(Float80 a, uint16_t control, uint16_t* status) {
  return narrow<Binary32>(a, kBinary32Format, control, status);
}
uint64_t x87_to_binary64(Float80 a, uint16_t control, uint16_t* status) {
  return narrow<Binary64>(a, kBinary64Format, control, status);
}

int64_t x87_to_int(Float80 a, unsigned bits, bool truncate, uint16_t control, uint16_t* status) {
  const int64_t indefinite = int64_t(~uint64_t(0) << (bits - 1));  // the most negative value
  switch (classify(a)) {
    case Class::Zero: return 0;
    case Class::Normal:
    case Class::Denormal: break;
    default: *status |= x87status::IE; return indefinite;
  }
  const bool negative = is_negative(a);
  const Unpacked v = unpack(a);
  uint64_t magnitude;
  bool up = false, inexact = false;
  if (v.exponent >= 0) {
    if (v.exponent + bit_width(v.significand) > 64) {
      *status |= x87status::IE;
      return indefinite;
    }
    magnitude = v.significand << v.exponent;
  } else {
    const Rounding rounding = truncate ? Rounding::TowardZero : rounding_of(control);
    const Cut<uint64_t> parts = cut(v.significand, -v.exponent);
    up = rounds_up(rounding, negative, parts.integer, parts.rest);
    magnitude = parts.integer + up;
    inexact = parts.rest != 0;
  }
  const uint64_t limit = (uint64_t(1) << (bits - 1)) - 1 + negative;
  if (magnitude > limit) {
    *status |= x87status::IE;
    return indefinite;
  }
  if (inexact) *status |= x87status::PE | (up ? x87status::C1 : 0);
  return int64_t(negative ? 0 - magnitude : magnitude);
}

}  // namespace orcvm::fpu
