// Values entering the x87 stack: widening, FLD's SNaN rule, FILD, the constant
// loads in each rounding mode and FXAM. Expected images and flags were read off
// an AMD EPYC's x87 with the same operands.
#include <gtest/gtest.h>

#include "runtime/fpu/x87_float.h"

namespace orcvm::fpu {
namespace {

using namespace x87status;

struct WidenCase {
  uint64_t source;
  Float80 expected;
  uint16_t status;  // after FLD (DE for a denormal source, IE for an SNaN)
};

const WidenCase kBinary32[] = {
    {0x3f800000, {0x8000000000000000, 0x3fff}, 0},
    {0x00000001, {0x8000000000000000, 0x3f6a}, DE},  // smallest denormal: 2^-149
    {0x807fffff, {0xfffffe0000000000, 0xbf80}, DE},
    {0x7f800001, {0xc000010000000000, 0x7fff}, IE},  // SNaN quieted, payload kept
    {0xffc00000, {0xc000000000000000, 0xffff}, 0},
    {0xff800000, {0x8000000000000000, 0xffff}, 0},
    {0x80000000, {0x0000000000000000, 0x8000}, 0},
};

const WidenCase kBinary64[] = {
    {0x3ff0000000000000, {0x8000000000000000, 0x3fff}, 0},
    {0x0000000000000001, {0x8000000000000000, 0x3bcd}, DE},
    {0x000fffffffffffff, {0xfffffffffffff000, 0x3c00}, DE},
    {0x7ff0000000000001, {0xc000000000000800, 0x7fff}, IE},
};

TEST(X87Load, Binary32) {
  for (const WidenCase& c : kBinary32) {
    uint16_t status = 0;
    EXPECT_EQ(x87_load_real(x87_from_binary32(uint32_t(c.source), &status), &status), c.expected) << std::hex << c.source;
    EXPECT_EQ(status, c.status) << std::hex << c.source;
  }
}

TEST(X87Load, Binary64) {
  for (const WidenCase& c : kBinary64) {
    uint16_t status = 0;
    EXPECT_EQ(x87_load_real(x87_from_binary64(c.source, &status), &status), c.expected) << std::hex << c.source;
    EXPECT_EQ(status, c.status) << std::hex << c.source;
  }
}

TEST(X87Load, WideningKeepsAnSnanSignallingForTheOperationThatUsesIt) {
  uint16_t status = 0;
  EXPECT_EQ(x87_from_binary32(0x7f800001, &status), (Float80{0x8000010000000000, 0x7fff}));
  EXPECT_EQ(status, 0);
}

TEST(X87Load, Integers) {
  EXPECT_EQ(x87_from_int(0), (Float80{0, 0}));
  EXPECT_EQ(x87_from_int(-1), (Float80{0x8000000000000000, 0xbfff}));
  EXPECT_EQ(x87_from_int(INT64_MIN), (Float80{0x8000000000000000, 0xc03e}));
  EXPECT_EQ(x87_from_int(INT64_MAX), (Float80{0xfffffffffffffffe, 0x403d}));
  EXPECT_EQ(x87_from_int(12345), (Float80{0xc0e4000000000000, 0x400c}));
}

struct ConstantCase {
  X87Constant constant;
  Float80 nearest, down, up, toward_zero;
};

const ConstantCase kConstantCases[] = {
    {X87Constant::One, {0x8000000000000000, 0x3fff}, {0x8000000000000000, 0x3fff}, {0x8000000000000000, 0x3fff},
     {0x8000000000000000, 0x3fff}},
    {X87Constant::Log2Ten, {0xd49a784bcd1b8afe, 0x4000}, {0xd49a784bcd1b8afe, 0x4000}, {0xd49a784bcd1b8aff, 0x4000},
     {0xd49a784bcd1b8afe, 0x4000}},
    {X87Constant::Log2E, {0xb8aa3b295c17f0bc, 0x3fff}, {0xb8aa3b295c17f0bb, 0x3fff}, {0xb8aa3b295c17f0bc, 0x3fff},
     {0xb8aa3b295c17f0bb, 0x3fff}},
    {X87Constant::Pi, {0xc90fdaa22168c235, 0x4000}, {0xc90fdaa22168c234, 0x4000}, {0xc90fdaa22168c235, 0x4000},
     {0xc90fdaa22168c234, 0x4000}},
    {X87Constant::Log10Two, {0x9a209a84fbcff799, 0x3ffd}, {0x9a209a84fbcff798, 0x3ffd}, {0x9a209a84fbcff799, 0x3ffd},
     {0x9a209a84fbcff798, 0x3ffd}},
    {X87Constant::LnTwo, {0xb17217f7d1cf79ac, 0x3ffe}, {0xb17217f7d1cf79ab, 0x3ffe}, {0xb17217f7d1cf79ac, 0x3ffe},
     {0xb17217f7d1cf79ab, 0x3ffe}},
    {X87Constant::Zero, {0, 0}, {0, 0}, {0, 0}, {0, 0}},
};

TEST(X87Load, ConstantsAreRoundedPerRoundingControl) {
  for (const ConstantCase& c : kConstantCases) {
    const Float80 expected[4] = {c.nearest, c.down, c.up, c.toward_zero};
    for (unsigned rc = 0; rc < 4; ++rc)
      EXPECT_EQ(x87_constant(c.constant, uint16_t(0x037f | rc << x87control::RcShift)), expected[rc])
          << "constant " << unsigned(c.constant) << " rc " << rc;
  }
}

struct ExamineCase {
  Float80 value;
  uint16_t expected;  // C3 C2 C1 C0
};

const ExamineCase kExamineCases[] = {
    {{0x8000000000000000, 0x3fff}, C2},            // normal
    {{0x8000000000000000, 0x0000}, C3 | C2},       // pseudo-denormal reads as a denormal
    {{0x0000000000000001, 0x8000}, C3 | C2 | C1},  // negative denormal
    {{0x0000000000000000, 0x8000}, C3 | C1},       // -0
    {{0x4000000000000000, 0x3fff}, 0},             // unnormal: unsupported
    {{0x8000000000000000, 0xffff}, C2 | C1 | C0},  // -infinity
    {{0xc000000000000001, 0x7fff}, C0},            // NaN
    {{0x4000000000000000, 0x7fff}, 0},             // pseudo-NaN: unsupported
    {{0x0000000000000000, 0x7fff}, 0},             // pseudo-infinity: unsupported
};

TEST(X87Load, Examine) {
  for (const ExamineCase& c : kExamineCases)
    EXPECT_EQ(x87_examine(c.value, false), c.expected) << std::hex << c.value.sign_exponent << " " << c.value.significand;
  EXPECT_EQ(x87_examine({0, 0}, true), C3 | C0);
}

}  // namespace
}  // namespace orcvm::fpu
