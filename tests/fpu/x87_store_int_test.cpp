// FCOM/FUCOM and FIST/FISTTP: expected results and flags read off an AMD EPYC's
// x87 with the same operands.
#include <gtest/gtest.h>

#include "runtime/fpu/x87_float.h"

namespace orcvm::fpu {
namespace {

using namespace x87status;

constexpr Float80 kOne{0x8000000000000000, 0x3fff}, kMinusOne{0x8000000000000000, 0xbfff};
constexpr Float80 kTwo{0x8000000000000000, 0x4000}, kQNaN{0xc000000000000000, 0x7fff};
constexpr Float80 kSNaN{0xa000000000000000, 0x7fff}, kDenormal{1, 0};
constexpr Float80 kPseudoDenormal{0x8000000000000000, 0}, kSmallestNormal{0x8000000000000000, 1};
constexpr Float80 kZero{0, 0}, kMinusZero{0, 0x8000}, kUnnormal{0x4000000000000000, 0x3fff};
constexpr Float80 kInfinity{0x8000000000000000, 0x7fff};

struct CompareCase {
  Float80 a, b;
  bool signalling;
  X87Relation expected;
  uint16_t status;
};

const CompareCase kCompareCases[] = {
    {kOne, kTwo, true, X87Relation::Less, 0},
    {kMinusOne, kOne, true, X87Relation::Less, 0},
    {kTwo, kMinusOne, true, X87Relation::Greater, 0},
    {kZero, kMinusZero, true, X87Relation::Equal, 0},
    {kQNaN, kOne, true, X87Relation::Unordered, IE},
    {kQNaN, kOne, false, X87Relation::Unordered, 0},
    {kSNaN, kOne, false, X87Relation::Unordered, IE},
    {kQNaN, kDenormal, false, X87Relation::Unordered, 0},
    {kQNaN, kDenormal, true, X87Relation::Unordered, IE},
    {kDenormal, kOne, true, X87Relation::Less, DE},
    {kPseudoDenormal, kSmallestNormal, true, X87Relation::Equal, DE},
    {kUnnormal, kOne, false, X87Relation::Unordered, IE},
    {kInfinity, kOne, true, X87Relation::Greater, 0},
};

TEST(X87Compare, Relations) {
  for (const CompareCase& c : kCompareCases) {
    uint16_t status = 0;
    EXPECT_EQ(x87_compare(c.a, c.b, c.signalling, &status), c.expected)
        << std::hex << c.a.sign_exponent << ":" << c.a.significand << " vs " << c.b.sign_exponent << ":" << c.b.significand;
    EXPECT_EQ(status, c.status) << std::hex << c.a.sign_exponent << ":" << c.a.significand;
  }
}

struct StoreIntCase {
  Float80 value;
  unsigned bits;
  bool truncate;
  unsigned rounding;
  int64_t expected;
  uint16_t status;
};

constexpr Float80 kTwoAndAHalf{0xa000000000000000, 0x4000}, kMinusTwoAndAHalf{0xa000000000000000, 0xc000};
constexpr Float80 kHalf{0x8000000000000000, 0x3ffe}, kEighth{0x8000000000000000, 0x3ffc};

const StoreIntCase kStoreIntCases[] = {
    {kTwoAndAHalf, 64, false, 0, 2, PE},  // ties to even
    {kMinusTwoAndAHalf, 64, false, 0, -2, PE},
    {kHalf, 32, false, 0, 0, PE},
    {kEighth, 16, false, 0, 0, PE},
    {kTwoAndAHalf, 64, false, 1, 2, PE},
    {kMinusTwoAndAHalf, 64, false, 1, -3, PE | C1},
    {kTwoAndAHalf, 64, false, 2, 3, PE | C1},
    {kMinusTwoAndAHalf, 64, false, 2, -2, PE},
    {kHalf, 32, false, 2, 1, PE | C1},
    {kEighth, 16, false, 2, 1, PE | C1},
    {kTwoAndAHalf, 64, false, 3, 2, PE},
    {kTwoAndAHalf, 64, true, 0, 2, PE},
    {kMinusTwoAndAHalf, 32, true, 2, -2, PE},
    {{0x8000000000000000, 0x403e}, 64, false, 0, INT64_MIN, IE},  // 2^63
    {{0x8000000000000000, 0xc03e}, 64, false, 0, INT64_MIN, 0},   // -2^63 fits
    {{0x8000000000000000, 0x4027}, 32, false, 0, INT32_MIN, IE},
    {kQNaN, 16, false, 0, INT16_MIN, IE},
    {kInfinity, 32, false, 0, INT32_MIN, IE},
    {{0xfffe000000000000, 0x400d}, 16, false, 0, 32767, 0},
    {{0x8000000000000000, 0x400e}, 16, false, 0, INT16_MIN, IE},  // 32768
    {{0x8000000000000000, 0xc00e}, 16, false, 0, INT16_MIN, 0},   // -32768
    {kDenormal, 32, false, 0, 0, PE},
    {kUnnormal, 32, false, 0, INT32_MIN, IE},
    {{0xffffffffffffffff, 0x403d}, 64, false, 0, INT64_MIN, IE},  // 2^63 - 1/2 rounds out of range
    {{0xffffffffffffffff, 0x403e}, 64, false, 0, INT64_MIN, IE},
};

TEST(X87StoreInt, RoundedAndRangeChecked) {
  for (const StoreIntCase& c : kStoreIntCases) {
    uint16_t status = 0;
    const uint16_t control = uint16_t(0x037f | c.rounding << x87control::RcShift);
    EXPECT_EQ(x87_to_int(c.value, c.bits, c.truncate, control, &status), c.expected)
        << std::hex << c.value.sign_exponent << ":" << c.value.significand << " rc " << c.rounding;
    EXPECT_EQ(status, c.status) << std::hex << c.value.sign_exponent << ":" << c.value.significand << " rc " << c.rounding;
  }
}

}  // namespace
}  // namespace orcvm::fpu
