#pragma once
// What one x87 library call produced, as a value both kinds of x87 test compare
// whole (result bits and FSW bits), printed in hex when they differ.
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>

#include "runtime/fpu/x87_float.h"

namespace orcvm::fpu {

inline std::ostream& operator<<(std::ostream& out, Float80 x) {
  char text[32];
  std::snprintf(text, sizeof text, "%04x:%016llx", x.sign_exponent, (unsigned long long)x.significand);
  return out << text;
}

namespace test {

struct Outcome {
  Float80 value;
  uint16_t status;
  bool operator==(const Outcome&) const = default;
};

inline std::string hex16(uint16_t x) {
  char text[8];
  std::snprintf(text, sizeof text, "%04x", x);
  return text;
}

inline std::ostream& operator<<(std::ostream& out, const Outcome& outcome) {
  return out << "{" << outcome.value << ", fsw " << hex16(outcome.status) << "}";
}

constexpr Float80 f80(uint16_t sign_exponent, uint64_t significand) { return {significand, sign_exponent}; }

// Control words: everything masked, the reserved bit 6 as FNINIT sets it.
constexpr uint16_t control_word(unsigned precision_control, unsigned rounding_control, uint16_t masks = 0x3f) {
  return uint16_t(0x40 | masks | precision_control << x87control::PcShift | rounding_control << x87control::RcShift);
}

}  // namespace test
}  // namespace orcvm::fpu
