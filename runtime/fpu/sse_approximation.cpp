// RCPSS/RCPPS and RSQRTSS/RSQRTPS (SDM Vol. 2 per instruction). The SDM fixes
// only the special operands and a bound on the relative error; orcvm's choice,
// deterministic on every host, is in docs/semantics.md: the binary64 result
// (correctly rounded by this library) rounded to 12 fraction bits.
#include "runtime/fpu/float_format.h"
#include "runtime/fpu/sse_float.h"

namespace orcvm::fpu {
namespace {

constexpr uint64_t kOne64 = uint64_t(Binary64::kBias) << Binary64::kFractionBits;
// Round to nearest, every exception masked, tiny results flushed to zero.
constexpr uint32_t kQuietFlushing = mxcsr::Masks | mxcsr::FTZ;
constexpr int kKeptFractionBits = 12;

// A nonzero finite binary64 value rounded to kKeptFractionBits fraction bits (to
// nearest, ties away from zero: a carry into the exponent field is still the right
// value), as binary32, a tiny result flushed to a zero of its sign.
uint32_t approximate(uint64_t value) {
  constexpr int kDropped = int(Binary64::kFractionBits) - kKeptFractionBits;
  constexpr uint64_t kDroppedMask = (uint64_t(1) << kDropped) - 1;
  const uint64_t rounded = (value + (uint64_t(1) << (kDropped - 1))) & ~kDroppedMask;
  uint32_t ignored = 0;
  return f64_to_f32(rounded, kQuietFlushing, &ignored);  // exact unless tiny
}

// Denormal operands are read as zeros whatever DAZ says.
uint32_t read_approximation_operand(uint32_t a) {
  return is_denormal<Binary32>(a) ? signed_zero<Binary32>(is_negative<Binary32>(a)) : a;
}

uint64_t to_binary64(uint32_t a) {
  uint32_t ignored = 0;
  return f32_to_f64(a, kQuietFlushing, &ignored);
}

uint64_t reciprocal64(uint64_t x) {
  uint32_t ignored = 0;
  return arith64(ArithOp::Div, kOne64, x, kQuietFlushing, &ignored);
}

}  // namespace

uint32_t reciprocal32(uint32_t a) {
  a = read_approximation_operand(a);
  const bool negative = is_negative<Binary32>(a);
  if (is_nan<Binary32>(a)) return quiet<Binary32>(a);
  if (is_zero<Binary32>(a)) return signed_infinity<Binary32>(negative);
  if (is_infinity<Binary32>(a)) return signed_zero<Binary32>(negative);
  return approximate(reciprocal64(to_binary64(a)));
}

uint32_t reciprocal_sqrt32(uint32_t a) {
  a = read_approximation_operand(a);
  if (is_nan<Binary32>(a)) return quiet<Binary32>(a);
  if (is_zero<Binary32>(a)) return signed_infinity<Binary32>(is_negative<Binary32>(a));
  if (is_negative<Binary32>(a)) return Binary32::kIndefinite;
  if (is_infinity<Binary32>(a)) return 0;
  uint32_t ignored = 0;
  const uint64_t root = arith64(ArithOp::Sqrt, to_binary64(a), 0, kQuietFlushing, &ignored);
  return approximate(reciprocal64(root));
}

}  // namespace orcvm::fpu
