#pragma once
// What one lane of the SSE library produced, as a value both kinds of fpu test
// compare whole (result bits and flags), printed in hex when they differ.
#include <cstdint>
#include <cstdio>
#include <ostream>

#include "runtime/fpu/sse_float.h"

namespace orcvm::fpu::test {

struct Lane {
  uint64_t value;
  uint32_t flags;
  bool operator==(const Lane&) const = default;
};

inline std::ostream& operator<<(std::ostream& out, const Lane& lane) {
  char text[64];
  std::snprintf(text, sizeof text, "{value 0x%llx, flags 0x%02x}", (unsigned long long)lane.value, lane.flags);
  return out << text;
}

// MXCSR values: everything masked, each rounding direction.
constexpr uint32_t kNearest = mxcsr::PowerOn;
constexpr uint32_t kDown = mxcsr::PowerOn | 1u << mxcsr::RcShift;
constexpr uint32_t kUp = mxcsr::PowerOn | 2u << mxcsr::RcShift;
constexpr uint32_t kTowardZero = mxcsr::PowerOn | 3u << mxcsr::RcShift;

constexpr uint32_t unmask(uint32_t control, uint32_t flag) { return control & ~(flag << mxcsr::MaskShift); }

inline Lane arith32_lane(ArithOp op, uint32_t a, uint32_t b, uint32_t control) {
  uint32_t flags = 0;
  const uint32_t value = arith32(op, a, b, control, &flags);
  return {value, flags};
}
inline Lane arith64_lane(ArithOp op, uint64_t a, uint64_t b, uint32_t control) {
  uint32_t flags = 0;
  const uint64_t value = arith64(op, a, b, control, &flags);
  return {value, flags};
}

}  // namespace orcvm::fpu::test
