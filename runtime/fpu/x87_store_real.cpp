// FST/FSTP m32/m64: rounded per RC (precision control does not apply) with the
// narrow format's masked overflow and underflow responses. The x87 rounds as SSE
// does, so the SSE library's rounding is reused under an MXCSR image of the FCW
// (the six flags sit at the same bits in FSW and MXCSR). No DE: the source is
// double-extended, whose denormals are not denormal operands for a store.
#include "runtime/fpu/rounding.h"
#include "runtime/fpu/x87_operand.h"

namespace orcvm::fpu {

using namespace x87;

namespace {

constexpr uint32_t mxcsr_of(uint16_t control) {
  const uint32_t masks = uint32_t(control & x87status::Flags) << mxcsr::MaskShift;
  const uint32_t rounding = uint32_t((control >> x87control::RcShift) & 3) << mxcsr::RcShift;
  return masks | rounding;
}

template <class F>
typename F::Bits narrow(Float80 a, uint16_t control, uint16_t* status, Float80 (*widen)(typename F::Bits, uint16_t*)) {
  using Bits = typename F::Bits;
  constexpr unsigned kAlign = 63 - F::kFractionBits;
  const bool negative = is_negative(a);
  if (is_unsupported(a)) {
    *status |= x87status::IE;
    return F::kIndefinite;
  }
  if (exponent_of(a) == kMaxExponent) {  // infinity or NaN: the payload's top bits, quieted
    if (is_signalling_nan(a)) *status |= x87status::IE;
    const Bits fraction = Bits((a.significand & ~kIntegerBit) >> kAlign);
    return signed_infinity<F>(negative) | (is_nan(a) ? fraction | F::kQuietBit : 0);
  }
  if (a.significand == 0) return signed_zero<F>(negative);
  uint32_t flags = 0;
  const Bits result = round_to_format<F>(negative, a.significand, effective_exponent(a) - kBias - 63,
                                         mxcsr_of(control), &flags);
  *status |= uint16_t(flags);
  if (flags & mxcsr::PE) {
    // C1 tells whether the magnitude was rounded up; compare it with the source's.
    uint16_t ignored = 0;
    const Float80 stored = widen(magnitude<F>(result), &ignored);
    const Float80 source{a.significand, uint16_t(a.sign_exponent & kMaxExponent)};
    if (x87_compare(stored, source, false, &ignored) == X87Relation::Greater) *status |= x87status::C1;
  }
  return result;
}

}  // namespace

uint32_t x87_to_binary32(Float80 a, uint16_t control, uint16_t* status) {
  return narrow<Binary32>(a, control, status, &x87_from_binary32);
}

uint64_t x87_to_binary64(Float80 a, uint16_t control, uint16_t* status) {
  return narrow<Binary64>(a, control, status, &x87_from_binary64);
}

}  // namespace orcvm::fpu
