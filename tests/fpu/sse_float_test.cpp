// The SSE floating-point library on the cases the SDM singles out (Vol. 1, 4.8-4.9
// and 11.5; Vol. 2 per instruction), with the expected bits worked out by hand:
// signed zeros, infinities, NaN operand order and payloads, the indefinite,
// denormals with and without DAZ and FTZ, overflow and underflow per rounding
// direction with their flags, MIN/MAX operand rules, conversions to integers and
// ties. Where the SDM leaves a choice (the flags an unmasked OE or UE reports) the
// expectation is what the hardware does, which sse_float_host_test checks.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "runtime/fpu/sse_float.h"
#include "tests/fpu/lane.h"

namespace orcvm::fpu::test {
namespace {

using mxcsr::DAZ;
using mxcsr::DE;
using mxcsr::FTZ;
using mxcsr::IE;
using mxcsr::OE;
using mxcsr::PE;
using mxcsr::UE;
using mxcsr::ZE;

// binary32 encodings
constexpr uint32_t kPlusZero = 0, kMinusZero = 0x80000000;
constexpr uint32_t kOne = 0x3f800000, kMinusOne = 0xbf800000, kTwo = 0x40000000, kHalf = 0x3f000000;
constexpr uint32_t kThree = 0x40400000, kFour = 0x40800000;
constexpr uint32_t kInf = 0x7f800000, kMinusInf = 0xff800000;
constexpr uint32_t kMax = 0x7f7fffff, kMinusMax = 0xff7fffff;
constexpr uint32_t kMinNormal = 0x00800000, kMinDenormal = 0x00000001;
constexpr uint32_t kIndefinite = 0xffc00000;
// binary64 encodings
constexpr uint64_t kOne64 = 0x3ff0000000000000, kTwo64 = 0x4000000000000000, kHalf64 = 0x3fe0000000000000;
constexpr uint64_t kThree64 = 0x4008000000000000, kFour64 = 0x4010000000000000;
constexpr uint64_t kInf64 = 0x7ff0000000000000, kMax64 = 0x7fefffffffffffff;
constexpr uint64_t kMinNormal64 = 0x0010000000000000, kIndefinite64 = 0xfff8000000000000;

Lane f32(ArithOp op, uint32_t a, uint32_t b, uint32_t control = kNearest) { return arith32_lane(op, a, b, control); }
Lane f64(ArithOp op, uint64_t a, uint64_t b, uint32_t control = kNearest) { return arith64_lane(op, a, b, control); }
uint32_t flags_of(Lane lane) { return lane.flags; }

using enum ArithOp;

TEST(SseArith, SignedZeroSumsFollowTheRoundingDirection) {
  EXPECT_EQ(f32(Add, kPlusZero, kMinusZero), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f32(Add, kPlusZero, kMinusZero, kDown), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Add, kMinusZero, kMinusZero), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Sub, kMinusZero, kPlusZero), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Sub, kOne, kOne), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f32(Sub, kOne, kOne, kDown), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Sub, kOne, kOne, kUp), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f64(Sub, kOne64, kOne64, kDown), (Lane{0x8000000000000000, 0}));
  EXPECT_EQ(f32(Mul, kPlusZero, kMinusOne), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Div, kMinusZero, kThree), (Lane{kMinusZero, 0}));
}

TEST(SseArith, SquareRootOfZerosAndNegatives) {
  EXPECT_EQ(f32(Sqrt, kMinusZero, 0), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Sqrt, kPlusZero, 0), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f32(Sqrt, kMinusOne, 0), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f32(Sqrt, kMinusInf, 0), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f32(Sqrt, kInf, 0), (Lane{kInf, 0}));
  EXPECT_EQ(f32(Sqrt, 0x80000001, 0), (Lane{kIndefinite, IE}));  // IE outranks DE
  EXPECT_EQ(f32(Sqrt, 0x80000001, 0, kNearest | DAZ), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f64(Sqrt, 0xbff0000000000000, 0), (Lane{kIndefinite64, IE}));
}

TEST(SseArith, InvalidOperationsGiveTheIndefinite) {
  EXPECT_EQ(f32(Sub, kInf, kInf), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f32(Add, kMinusInf, kInf), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f32(Add, kInf, kInf), (Lane{kInf, 0}));
  EXPECT_EQ(f32(Mul, kInf, kPlusZero), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f32(Mul, kMinusZero, kMinusInf), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f32(Div, kPlusZero, kMinusZero), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f32(Div, kMinusInf, kInf), (Lane{kIndefinite, IE}));
  EXPECT_EQ(f64(Mul, kInf64, 0), (Lane{kIndefinite64, IE}));
  EXPECT_EQ(f64(Div, 0, 0), (Lane{kIndefinite64, IE}));
  // DAZ makes 0/denormal an invalid 0/0.
  EXPECT_EQ(f32(Div, kPlusZero, kMinDenormal, kNearest | DAZ), (Lane{kIndefinite, IE}));
}

TEST(SseArith, DivisionByZero) {
  EXPECT_EQ(f32(Div, kOne, kPlusZero), (Lane{kInf, ZE}));
  EXPECT_EQ(f32(Div, kMinusOne, kPlusZero), (Lane{kMinusInf, ZE}));
  EXPECT_EQ(f32(Div, kOne, kMinusZero), (Lane{kMinusInf, ZE}));
  EXPECT_EQ(f32(Div, kInf, kPlusZero), (Lane{kInf, 0}));  // no exception for infinity / 0
  EXPECT_EQ(f32(Div, kMinDenormal, kPlusZero), (Lane{kInf, ZE}));  // ZE outranks DE
  EXPECT_EQ(f32(Div, kOne, kInf), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f64(Div, kOne64, 0x8000000000000000), (Lane{0xfff0000000000000, ZE}));
}

TEST(SseArith, NanOperandsFirstSourceWinsAndIsQuieted) {
  EXPECT_EQ(f32(Add, 0x7f800001, kOne), (Lane{0x7fc00001, IE}));
  EXPECT_EQ(f32(Add, kOne, 0x7fc12345), (Lane{0x7fc12345, 0}));
  EXPECT_EQ(f32(Add, 0xffc00001, 0x7f800002), (Lane{0xffc00001, IE}));
  EXPECT_EQ(f32(Add, 0x7f800002, 0x7fc00003), (Lane{0x7fc00002, IE}));
  EXPECT_EQ(f32(Mul, 0x7fc00004, 0xffc00005), (Lane{0x7fc00004, 0}));
  EXPECT_EQ(f32(Div, 0xff800006, 0x7f800007), (Lane{0xffc00006, IE}));
  EXPECT_EQ(f32(Sub, kOne, 0x7fc00005), (Lane{0x7fc00005, 0}));  // SUB does not flip a NaN's sign
  EXPECT_EQ(f32(Mul, 0x7fc00008, kInf), (Lane{0x7fc00008, 0}));
  EXPECT_EQ(f32(Add, kMinDenormal, 0x7fc00009), (Lane{0x7fc00009, 0}));  // a NaN suppresses DE
  EXPECT_EQ(f32(Sqrt, 0xff800010, kOne), (Lane{0xffc00010, IE}));
  EXPECT_EQ(f64(Add, kOne64, 0xfff0000000000001), (Lane{0xfff8000000000001, IE}));
  EXPECT_EQ(f64(Sub, 0x7ff8000000000abc, 0xfff0000000000001), (Lane{0x7ff8000000000abc, IE}));
}

TEST(SseArith, DenormalOperands) {
  EXPECT_EQ(f32(Add, kMinDenormal, kMinDenormal), (Lane{0x00000002, DE}));
  EXPECT_EQ(f32(Add, kMinDenormal, kMinDenormal, kNearest | DAZ), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f32(Add, 0x80000001, 0x80000003, kNearest | DAZ), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Mul, kInf, kMinDenormal), (Lane{kInf, DE}));
  EXPECT_EQ(f32(Mul, kPlusZero, kMinDenormal), (Lane{kPlusZero, DE}));
  EXPECT_EQ(f32(Add, kMinDenormal, kOne), (Lane{kOne, DE | PE}));
  // Unmasked, DE stops the operation: no precision flag follows it.
  EXPECT_EQ(flags_of(f32(Add, kMinDenormal, kOne, unmask(kNearest, DE))), DE);
  EXPECT_EQ(f32(Div, kOne, kMinDenormal), (Lane{kInf, DE | OE | PE}));
  EXPECT_EQ(f32(Sqrt, kMinDenormal, 0), (Lane{0x1a3504f3, DE | PE}));  // sqrt(2^-149) = sqrt(2) * 2^-75
  EXPECT_EQ(f64(Mul, 0x0000000000000001, kTwo64), (Lane{0x0000000000000002, DE}));
  EXPECT_EQ(f64(Mul, 0x0000000000000001, kTwo64, kNearest | DAZ), (Lane{0, 0}));
}

TEST(SseArith, MaskedUnderflowNeedsTinyAndInexact) {
  EXPECT_EQ(f32(Mul, kMinNormal, kHalf), (Lane{0x00400000, 0}));  // tiny but exact: no flag
  EXPECT_EQ(f32(Mul, 0x00800001, kHalf), (Lane{0x00400000, UE | PE}));  // 2^22 + 1/2 ulps, to even
  EXPECT_EQ(f32(Mul, 0x00800001, kHalf, kUp), (Lane{0x00400001, UE | PE}));
  EXPECT_EQ(f32(Mul, 0x00800001, kHalf, kDown), (Lane{0x00400000, UE | PE}));
  EXPECT_EQ(f32(Mul, 0x80800001, kHalf, kDown), (Lane{0x80400001, UE | PE}));
  // 2^-126 * 2^-25 = 2^-151, a quarter of the smallest denormal.
  EXPECT_EQ(f32(Mul, kMinNormal, 0x33000000), (Lane{kPlusZero, UE | PE}));
  EXPECT_EQ(f32(Mul, kMinNormal, 0x33000000, kUp), (Lane{kMinDenormal, UE | PE}));
  EXPECT_EQ(f32(Mul, 0x80800000, 0x33000000, kDown), (Lane{0x80000001, UE | PE}));
  EXPECT_EQ(f64(Mul, 0x0010000000000001, kHalf64), (Lane{0x0008000000000000, UE | PE}));
}

// Unmasked, UE is raised for any tiny result, and PE only when the result is
// inexact at an unbounded exponent (0x00800001 * 0.5 is not: only its denormal is).
TEST(SseArith, UnmaskedUnderflow) {
  const uint32_t control = unmask(kNearest, UE);
  EXPECT_EQ(flags_of(f32(Mul, kMinNormal, kHalf, control)), UE);
  EXPECT_EQ(flags_of(f32(Mul, 0x00800001, kHalf, control)), UE);
  EXPECT_EQ(flags_of(f32(Mul, 0x00800001, kHalf, control | FTZ)), UE);  // FTZ is ignored
  EXPECT_EQ(flags_of(f32(Div, kMinNormal, kThree, control)), UE | PE);
  EXPECT_EQ(flags_of(f64(Mul, kMinNormal64, kHalf64, control)), UE);
  EXPECT_EQ(flags_of(f64(Div, kMinNormal64, kThree64, control)), UE | PE);
}

TEST(SseArith, TininessIsDetectedAfterRounding) {
  // (1 - 2^-23) * (1 + 2^-23) * 2^-126 = (1 - 2^-46) * 2^-126: rounded to 24 bits with
  // an unbounded exponent it is 2^-126 (not tiny) to nearest and up, and just below
  // (tiny) toward zero.
  EXPECT_EQ(f32(Mul, 0x3f7ffffe, 0x00800001), (Lane{kMinNormal, PE}));
  EXPECT_EQ(f32(Mul, 0x3f7ffffe, 0x00800001, kUp), (Lane{kMinNormal, PE}));
  EXPECT_EQ(f32(Mul, 0x3f7ffffe, 0x00800001, kTowardZero), (Lane{0x007fffff, UE | PE}));
  EXPECT_EQ(f32(Mul, 0x3f7ffffe, 0x00800001, kNearest | FTZ), (Lane{kMinNormal, PE}));
  EXPECT_EQ(f32(Mul, 0x3f7ffffe, 0x00800001, kTowardZero | FTZ), (Lane{kPlusZero, UE | PE}));
  // (1 - 2^-24) * 2^-126 fits 24 bits, so it is tiny; as a denormal it is a tie that
  // rounds up to the smallest normal.
  EXPECT_EQ(f32(Mul, 0x3f7fffff, kMinNormal), (Lane{kMinNormal, UE | PE}));
  EXPECT_EQ(f64(Mul, 0x3feffffffffffffe, 0x0010000000000001), (Lane{kMinNormal64, PE}));
  EXPECT_EQ(f64(Mul, 0x3feffffffffffffe, 0x0010000000000001, kTowardZero), (Lane{0x000fffffffffffff, UE | PE}));
  EXPECT_EQ(f64(Mul, 0x3fefffffffffffff, kMinNormal64), (Lane{kMinNormal64, UE | PE}));
}

TEST(SseArith, FlushToZero) {
  EXPECT_EQ(f32(Mul, 0x00800001, kHalf, kNearest | FTZ), (Lane{kPlusZero, UE | PE}));
  EXPECT_EQ(f32(Mul, 0x80800001, kHalf, kUp | FTZ), (Lane{kMinusZero, UE | PE}));
  // An exact tiny result is flushed too, with the same flags.
  EXPECT_EQ(f32(Mul, kMinNormal, kHalf, kNearest | FTZ), (Lane{kPlusZero, UE | PE}));
  EXPECT_EQ(f32(Add, kMinDenormal, kPlusZero, kNearest | FTZ), (Lane{kPlusZero, DE | UE | PE}));
  EXPECT_EQ(f32(Add, kMinDenormal, kPlusZero, kNearest | FTZ | DAZ), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f64(Mul, 0x0010000000000001, kHalf64, kNearest | FTZ), (Lane{0, UE | PE}));
}

TEST(SseArith, OverflowInEachRoundingDirection) {
  EXPECT_EQ(f32(Mul, kMax, kTwo, kNearest), (Lane{kInf, OE | PE}));
  EXPECT_EQ(f32(Mul, kMax, kTwo, kDown), (Lane{kMax, OE | PE}));
  EXPECT_EQ(f32(Mul, kMax, kTwo, kUp), (Lane{kInf, OE | PE}));
  EXPECT_EQ(f32(Mul, kMax, kTwo, kTowardZero), (Lane{kMax, OE | PE}));
  EXPECT_EQ(f32(Mul, kMinusMax, kTwo, kNearest), (Lane{kMinusInf, OE | PE}));
  EXPECT_EQ(f32(Mul, kMinusMax, kTwo, kDown), (Lane{kMinusInf, OE | PE}));
  EXPECT_EQ(f32(Mul, kMinusMax, kTwo, kUp), (Lane{kMinusMax, OE | PE}));
  EXPECT_EQ(f32(Mul, kMinusMax, kTwo, kTowardZero), (Lane{kMinusMax, OE | PE}));
  // Unmasked: PE only when inexact at an unbounded exponent (max * 1.5 needs 25 bits).
  EXPECT_EQ(flags_of(f32(Mul, kMax, kTwo, unmask(kNearest, OE))), OE);
  EXPECT_EQ(flags_of(f32(Mul, kMax, 0x3fc00000, unmask(kNearest, OE))), OE | PE);
  EXPECT_EQ(flags_of(f32(Mul, kMax, kTwo, unmask(kNearest, PE))), OE | PE);
  // max + half an ulp (2^103) is a tie that rounds to the even 2^128: overflow;
  // toward zero it is max and merely inexact.
  EXPECT_EQ(f32(Add, kMax, 0x73000000), (Lane{kInf, OE | PE}));
  EXPECT_EQ(f32(Add, kMax, 0x73000000, kTowardZero), (Lane{kMax, PE}));
  EXPECT_EQ(f32(Add, kMax, 0x72800000), (Lane{kMax, PE}));
  EXPECT_EQ(f64(Mul, kMax64, kTwo64), (Lane{kInf64, OE | PE}));
  EXPECT_EQ(f64(Mul, kMax64, kTwo64, kTowardZero), (Lane{kMax64, OE | PE}));
}

TEST(SseArith, HalfUlpTiesRoundToEven) {
  EXPECT_EQ(f32(Add, kOne, 0x33800000), (Lane{kOne, PE}));  // 1 + 2^-24
  EXPECT_EQ(f32(Add, kOne, 0x33800000, kUp), (Lane{0x3f800001, PE}));
  EXPECT_EQ(f32(Add, kOne, 0x33800000, kDown), (Lane{kOne, PE}));
  EXPECT_EQ(f32(Add, 0x3f800001, 0x33800000), (Lane{0x3f800002, PE}));
  EXPECT_EQ(f32(Add, kMinusOne, 0xb3800000, kDown), (Lane{0xbf800001, PE}));
  EXPECT_EQ(f32(Add, kMinusOne, 0xb3800000, kUp), (Lane{kMinusOne, PE}));
  // 1 - 2^-25 is half an ulp below 1 (the ulp below 1 is 2^-24): a tie to 1.
  EXPECT_EQ(f32(Sub, kOne, 0x33000000), (Lane{kOne, PE}));
  EXPECT_EQ(f32(Sub, kOne, 0x33000000, kTowardZero), (Lane{0x3f7fffff, PE}));
  // 1 - 2^-60: the subtrahend lies entirely below the guard bits.
  EXPECT_EQ(f32(Sub, kOne, 0x21800000), (Lane{kOne, PE}));
  EXPECT_EQ(f32(Sub, kOne, 0x21800000, kDown), (Lane{0x3f7fffff, PE}));
  EXPECT_EQ(f64(Add, kOne64, 0x3ca0000000000000), (Lane{kOne64, PE}));  // 1 + 2^-53
  EXPECT_EQ(f64(Add, 0x3ff0000000000001, 0x3ca0000000000000), (Lane{0x3ff0000000000002, PE}));
}

TEST(SseArith, DivisionAndSquareRootRoundCorrectly) {
  EXPECT_EQ(f32(Div, kOne, kThree), (Lane{0x3eaaaaab, PE}));
  EXPECT_EQ(f32(Div, kOne, kThree, kDown), (Lane{0x3eaaaaaa, PE}));
  EXPECT_EQ(f32(Div, 0x40c00000, kThree), (Lane{kTwo, 0}));  // 6 / 3
  EXPECT_EQ(f64(Div, kOne64, kThree64), (Lane{0x3fd5555555555555, PE}));
  EXPECT_EQ(f64(Div, kOne64, kThree64, kUp), (Lane{0x3fd5555555555556, PE}));
  EXPECT_EQ(f32(Sqrt, kTwo, 0), (Lane{0x3fb504f3, PE}));
  EXPECT_EQ(f32(Sqrt, kFour, 0), (Lane{kTwo, 0}));
  EXPECT_EQ(f64(Sqrt, kTwo64, 0), (Lane{0x3ff6a09e667f3bcd, PE}));
  EXPECT_EQ(f64(Sqrt, kTwo64, 0, kDown), (Lane{0x3ff6a09e667f3bcc, PE}));  // the nearest is above
  EXPECT_EQ(f64(Sqrt, kFour64, 0), (Lane{kTwo64, 0}));
}

TEST(SseMinMax, SecondOperandForNansAndZeros) {
  EXPECT_EQ(f32(Min, kPlusZero, kMinusZero), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Min, kMinusZero, kPlusZero), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f32(Max, kMinusZero, kPlusZero), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f32(Max, kPlusZero, kMinusZero), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f32(Min, 0x7fc00001, kOne), (Lane{kOne, IE}));  // IE for a QNaN too
  EXPECT_EQ(f32(Min, kOne, 0x7fc00001), (Lane{0x7fc00001, IE}));
  EXPECT_EQ(f32(Min, kOne, 0x7f800001), (Lane{0x7f800001, IE}));  // returned as it is, not quieted
  EXPECT_EQ(f32(Max, 0xff800003, 0x7fc00004), (Lane{0x7fc00004, IE}));
  EXPECT_EQ(f32(Min, 0x7fc00001, kMinDenormal), (Lane{kMinDenormal, IE}));  // no DE with a NaN
  EXPECT_EQ(f64(Min, 0, 0x8000000000000000), (Lane{0x8000000000000000, 0}));
  EXPECT_EQ(f64(Max, 0x7ff0000000000001, kOne64), (Lane{kOne64, IE}));
}

TEST(SseMinMax, OrderedOperands) {
  EXPECT_EQ(f32(Min, kOne, kTwo), (Lane{kOne, 0}));
  EXPECT_EQ(f32(Max, kOne, kTwo), (Lane{kTwo, 0}));
  EXPECT_EQ(f32(Min, kMinusInf, kMinusMax), (Lane{kMinusInf, 0}));
  EXPECT_EQ(f32(Max, kMinusOne, 0xc0000000), (Lane{kMinusOne, 0}));
  EXPECT_EQ(f32(Min, kMinusOne, kOne), (Lane{kMinusOne, 0}));
  EXPECT_EQ(f32(Min, kMinDenormal, kOne), (Lane{kMinDenormal, DE}));
  // DAZ reads the returned operand as a zero too.
  EXPECT_EQ(f32(Min, kOne, kMinDenormal, kNearest | DAZ), (Lane{kPlusZero, 0}));
  EXPECT_EQ(f32(Min, 0x80000001, kOne, kNearest | DAZ), (Lane{kMinusZero, 0}));
  EXPECT_EQ(f64(Max, kOne64, kTwo64), (Lane{kTwo64, 0}));
}

// One row: an operand pair and, per predicate 0-7, the result and whether IE is raised.
using PerPredicate = std::array<bool, 8>;
struct PredicateRow {
  uint64_t a, b;
  PerPredicate holds, invalid;
};

template <class Compare> void check_predicates(const PredicateRow& row, Compare compare) {
  for (unsigned predicate = 0; predicate < 8; ++predicate) {
    uint32_t flags = 0;
    EXPECT_EQ(compare(predicate, row.a, row.b, kNearest, &flags), row.holds[predicate])
        << std::hex << "predicate " << predicate << " a " << row.a << " b " << row.b;
    EXPECT_EQ(flags, row.invalid[predicate] ? IE : 0u) << "predicate " << predicate;
  }
}

constexpr PerPredicate kNone{}, kSignalling{false, true, true, false, false, true, true, false};
constexpr PerPredicate kAll{true, true, true, true, true, true, true, true};

TEST(SseCompare, PredicatesEqLtLeUnordAndNegations) {
  //                           EQ     LT     LE     UNORD  NEQ    NLT    NLE    ORD
  constexpr PerPredicate less{false, true, true, false, true, false, false, true};
  constexpr PerPredicate greater{false, false, false, false, true, true, true, true};
  constexpr PerPredicate equal{true, false, true, false, false, true, false, true};
  constexpr PerPredicate unordered{false, false, false, true, true, true, true, false};
  const PredicateRow rows32[] = {
      {kOne, kTwo, less, kNone},
      {kTwo, kOne, greater, kNone},
      {kPlusZero, kMinusZero, equal, kNone},
      {kMinusInf, kMinusMax, less, kNone},
      {0x7fc00000, kOne, unordered, kSignalling},
      {kOne, 0xffc00000, unordered, kSignalling},
      {0x7f800001, kOne, unordered, kAll},
  };
  for (const PredicateRow& row : rows32) check_predicates(row, [](unsigned p, uint64_t a, uint64_t b, uint32_t c, uint32_t* f) {
      return compare32(p, uint32_t(a), uint32_t(b), c, f);
    });
  const PredicateRow rows64[] = {
      {kOne64, kTwo64, less, kNone},
      {0x8000000000000000, 0, equal, kNone},
      {kOne64, 0x7ff8000000000000, unordered, kSignalling},
      {0xfff0000000000001, kOne64, unordered, kAll},
  };
  for (const PredicateRow& row : rows64) check_predicates(row, compare64);
}

TEST(SseCompare, DenormalOperands) {
  uint32_t flags = 0;
  EXPECT_TRUE(compare32(0, kMinDenormal, kMinDenormal, kNearest, &flags));
  EXPECT_EQ(flags, DE);
  flags = 0;
  EXPECT_TRUE(compare32(0, kMinDenormal, kPlusZero, kNearest | DAZ, &flags));
  EXPECT_EQ(flags, 0u);
  flags = 0;
  EXPECT_FALSE(compare32(1, 0x7fc00000, kMinDenormal, kNearest, &flags));
  EXPECT_EQ(flags, IE);  // a NaN suppresses DE
}

TEST(SseCompare, ComisAndUcomisFlags) {
  constexpr uint32_t kCF = 0x1, kZF = 0x40, kUnordered = 0x45;
  struct Row {
    bool signalling;
    uint32_t a, b, rflags, mxcsr_flags;
  } rows[] = {
      {true, kOne, kTwo, kCF, 0},          {true, kTwo, kOne, 0, 0},
      {true, kOne, kOne, kZF, 0},          {false, kPlusZero, kMinusZero, kZF, 0},
      {true, 0x7fc00000, kOne, kUnordered, IE}, {false, 0x7fc00000, kOne, kUnordered, 0},
      {false, kOne, 0x7f800001, kUnordered, IE}, {false, kMinDenormal, kOne, kCF, DE},
  };
  for (const Row& row : rows) {
    uint32_t flags = 0;
    EXPECT_EQ(ordered_compare32(row.signalling, row.a, row.b, kNearest, &flags), row.rflags)
        << std::hex << row.a << " " << row.b;
    EXPECT_EQ(flags, row.mxcsr_flags) << std::hex << row.a << " " << row.b;
  }
  uint32_t flags = 0;
  EXPECT_EQ(ordered_compare64(false, 0x7ff8000000000000, kOne64, kNearest, &flags), kUnordered);
  EXPECT_EQ(flags, 0u);
  EXPECT_EQ(ordered_compare64(true, 0x7ff8000000000000, kOne64, kNearest, &flags), kUnordered);
  EXPECT_EQ(flags, IE);
  flags = 0;
  EXPECT_EQ(ordered_compare64(true, kTwo64, kOne64, kNearest, &flags), 0u);
  EXPECT_EQ(flags, 0u);
}

Lane widen(uint32_t a, uint32_t control = kNearest) {
  uint32_t flags = 0;
  const uint64_t value = f32_to_f64(a, control, &flags);
  return {value, flags};
}
Lane narrow(uint64_t a, uint32_t control = kNearest) {
  uint32_t flags = 0;
  const uint32_t value = f64_to_f32(a, control, &flags);
  return {value, flags};
}

TEST(SseConvert, Binary32ToBinary64IsExact) {
  EXPECT_EQ(widen(kOne), (Lane{kOne64, 0}));
  EXPECT_EQ(widen(kMinusInf), (Lane{0xfff0000000000000, 0}));
  EXPECT_EQ(widen(kMinusZero), (Lane{0x8000000000000000, 0}));
  EXPECT_EQ(widen(0x7f800001), (Lane{0x7ff8000020000000, IE}));  // payload moves to the top
  EXPECT_EQ(widen(0xffc00001), (Lane{0xfff8000020000000, 0}));
  EXPECT_EQ(widen(kMinDenormal), (Lane{0x36a0000000000000, DE}));  // 2^-149
  EXPECT_EQ(widen(0x80000001, kNearest | DAZ), (Lane{0x8000000000000000, 0}));
}

TEST(SseConvert, Binary64ToBinary32Rounds) {
  EXPECT_EQ(narrow(0x3ff0000000000001), (Lane{kOne, PE}));
  EXPECT_EQ(narrow(0x3ff0000000000001, kUp), (Lane{0x3f800001, PE}));
  EXPECT_EQ(narrow(kMax64), (Lane{kInf, OE | PE}));
  EXPECT_EQ(narrow(kMax64, kTowardZero), (Lane{kMax, OE | PE}));
  EXPECT_EQ(narrow(0x7ff8000000000001), (Lane{0x7fc00000, 0}));  // the payload's low bits go
  EXPECT_EQ(narrow(0xfff0000020000000), (Lane{0xffc00001, IE}));
  EXPECT_EQ(narrow(kMinNormal64), (Lane{kPlusZero, UE | PE}));
  EXPECT_EQ(narrow(kMinNormal64, kUp), (Lane{kMinDenormal, UE | PE}));
  EXPECT_EQ(narrow(0x0000000000000001), (Lane{kPlusZero, DE | UE | PE}));
  EXPECT_EQ(narrow(0x0000000000000001, kNearest | DAZ), (Lane{kPlusZero, 0}));
  EXPECT_EQ(narrow(0x36a0000000000000), (Lane{kMinDenormal, 0}));  // 2^-149: tiny, exact
  EXPECT_EQ(narrow(0x3690000000000000), (Lane{kPlusZero, UE | PE}));  // 2^-150: a tie, to even
  EXPECT_EQ(narrow(0x3690000000000000, kUp), (Lane{kMinDenormal, UE | PE}));
}

TEST(SseConvert, IntegerToFloat) {
  uint32_t flags = 0;
  EXPECT_EQ(i64_to_f32(16777217, kNearest, &flags), 0x4b800000u);  // 2^24 + 1: a tie, to even
  EXPECT_EQ(flags, PE);
  flags = 0;
  EXPECT_EQ(i64_to_f32(16777217, kUp, &flags), 0x4b800001u);
  EXPECT_EQ(flags, PE);
  flags = 0;
  EXPECT_EQ(i64_to_f32(std::numeric_limits<int64_t>::min(), kNearest, &flags), 0xdf000000u);
  EXPECT_EQ(i64_to_f32(0, kNearest, &flags), 0u);
  EXPECT_EQ(i64_to_f32(-1, kNearest, &flags), kMinusOne);
  EXPECT_EQ(i64_to_f64(-1, kNearest, &flags), 0xbff0000000000000u);
  EXPECT_EQ(flags, 0u);
  EXPECT_EQ(i64_to_f64((int64_t(1) << 53) + 1, kNearest, &flags), 0x4340000000000000u);
  EXPECT_EQ(flags, PE);
  EXPECT_EQ(i64_to_f64(std::numeric_limits<int64_t>::max(), kNearest, &flags), 0x43e0000000000000u);
  EXPECT_EQ(i64_to_f64(std::numeric_limits<int64_t>::max(), kTowardZero, &flags), 0x43dfffffffffffffu);
}

struct IntLane {
  int64_t value;
  uint32_t flags;
  bool operator==(const IntLane&) const = default;
};
std::ostream& operator<<(std::ostream& out, const IntLane& lane) {
  return out << "{" << lane.value << ", flags 0x" << std::hex << lane.flags << std::dec << "}";
}
template <class Convert, class Bits> IntLane to_int(Convert convert, Bits a, bool truncate, uint32_t control = kNearest) {
  uint32_t flags = 0;
  const int64_t value = convert(a, truncate, control, &flags);
  return {value, flags};
}

TEST(SseConvert, FloatToIntegerIndefiniteAndRounding) {
  constexpr int64_t kMin32 = std::numeric_limits<int32_t>::min(), kMin64 = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(to_int(f32_to_i32, 0x4f000000u, false), (IntLane{kMin32, IE}));  // 2^31
  EXPECT_EQ(to_int(f32_to_i32, 0xcf000000u, false), (IntLane{kMin32, 0}));   // -2^31 fits
  EXPECT_EQ(to_int(f32_to_i32, 0x7fc00000u, true), (IntLane{kMin32, IE}));
  EXPECT_EQ(to_int(f32_to_i32, kMinusInf, false), (IntLane{kMin32, IE}));
  EXPECT_EQ(to_int(f32_to_i32, 0x40200000u, false), (IntLane{2, PE}));  // 2.5, to even
  EXPECT_EQ(to_int(f32_to_i32, 0x40600000u, false), (IntLane{4, PE}));  // 3.5
  EXPECT_EQ(to_int(f32_to_i32, kHalf, false), (IntLane{0, PE}));
  EXPECT_EQ(to_int(f32_to_i32, 0x3fc00000u, false), (IntLane{2, PE}));  // 1.5
  EXPECT_EQ(to_int(f32_to_i32, 0x40200000u, false, kUp), (IntLane{3, PE}));
  EXPECT_EQ(to_int(f32_to_i32, 0xc0200000u, false, kDown), (IntLane{-3, PE}));
  EXPECT_EQ(to_int(f32_to_i32, 0xc0200000u, true), (IntLane{-2, PE}));
  EXPECT_EQ(to_int(f32_to_i32, 0x40200000u, true, kUp), (IntLane{2, PE}));  // truncation ignores RC
  // Denormals: no DE; DAZ reads them as zeros.
  EXPECT_EQ(to_int(f32_to_i32, kMinDenormal, false, kUp), (IntLane{1, PE}));
  EXPECT_EQ(to_int(f32_to_i32, 0x80000001u, false, kDown), (IntLane{-1, PE}));
  EXPECT_EQ(to_int(f32_to_i32, kMinDenormal, false, kUp | DAZ), (IntLane{0, 0}));
  // 2^31 - 0.5 is a tie that rounds to the even 2^31, which does not fit.
  EXPECT_EQ(to_int(f64_to_i32, 0x41dfffffffe00000u, false), (IntLane{kMin32, IE}));
  EXPECT_EQ(to_int(f64_to_i32, 0x41dfffffffe00000u, true), (IntLane{2147483647, PE}));
  EXPECT_EQ(to_int(f64_to_i32, 0x41dfffffffe00000u, false, kDown), (IntLane{2147483647, PE}));
  // -2^31 - 0.5 rounds to the even -2^31, which fits, or down to -2^31 - 1, which does not.
  EXPECT_EQ(to_int(f64_to_i32, 0xc1e0000000100000u, false), (IntLane{kMin32, PE}));
  EXPECT_EQ(to_int(f64_to_i32, 0xc1e0000000100000u, false, kDown), (IntLane{kMin32, IE}));
  EXPECT_EQ(to_int(f64_to_i64, 0x43e0000000000000u, false), (IntLane{kMin64, IE}));  // 2^63
  EXPECT_EQ(to_int(f64_to_i64, 0xc3e0000000000000u, false), (IntLane{kMin64, 0}));
  EXPECT_EQ(to_int(f32_to_i64, 0x5effffffu, true), (IntLane{0x7fffff8000000000, 0}));
  EXPECT_EQ(to_int(f32_to_i64, 0x5f000000u, true), (IntLane{kMin64, IE}));
  EXPECT_EQ(to_int(f64_to_i64, 0x7ff0000000000000u, true), (IntLane{kMin64, IE}));
}

TEST(SseApproximation, SpecialOperands) {
  EXPECT_EQ(reciprocal32(kPlusZero), kInf);
  EXPECT_EQ(reciprocal32(kMinusZero), kMinusInf);
  EXPECT_EQ(reciprocal32(kMinDenormal), kInf);  // a denormal is read as zero, DAZ or not
  EXPECT_EQ(reciprocal32(0x80000001), kMinusInf);
  EXPECT_EQ(reciprocal32(kInf), kPlusZero);
  EXPECT_EQ(reciprocal32(kMinusInf), kMinusZero);
  EXPECT_EQ(reciprocal32(0x7f800001), 0x7fc00001u);
  EXPECT_EQ(reciprocal32(0xffc01234), 0xffc01234u);
  EXPECT_EQ(reciprocal32(0x7f000000), kPlusZero);  // 2^-127 is tiny: flushed
  EXPECT_EQ(reciprocal32(0xff000000), kMinusZero);
  EXPECT_EQ(reciprocal32(kMinNormal), 0x7e800000u);
  EXPECT_EQ(reciprocal32(kOne), kOne);
  EXPECT_EQ(reciprocal32(kTwo), kHalf);
  EXPECT_EQ(reciprocal32(kThree), 0x3eaaa800u);  // 1/3 kept to 12 fraction bits
  EXPECT_EQ(reciprocal_sqrt32(kPlusZero), kInf);
  EXPECT_EQ(reciprocal_sqrt32(kMinusZero), kMinusInf);
  EXPECT_EQ(reciprocal_sqrt32(0x80000001), kMinusInf);
  EXPECT_EQ(reciprocal_sqrt32(kMinDenormal), kInf);
  EXPECT_EQ(reciprocal_sqrt32(kMinusOne), kIndefinite);
  EXPECT_EQ(reciprocal_sqrt32(kMinusInf), kIndefinite);
  EXPECT_EQ(reciprocal_sqrt32(kInf), kPlusZero);
  EXPECT_EQ(reciprocal_sqrt32(kFour), kHalf);
  EXPECT_EQ(reciprocal_sqrt32(0xff800001), 0xffc00001u);
}

// The SDM bound, |relative error| <= 1.5 * 2^-12, over a sweep of significands in a
// few binades. The products are exact in double: the approximations have 13
// significant bits.
TEST(SseApproximation, WithinTheSdmBound) {
  const double bound = 1.5 * std::ldexp(1.0, -12);
  auto as_float = [](uint32_t bits) { float f; std::memcpy(&f, &bits, 4); return double(f); };
  for (uint32_t exponent_field : {0x3f800000u, 0x40000000u, 0x00800000u, 0x7e800000u}) {
    for (uint32_t fraction = 0; fraction < (1u << 23); fraction += 5) {
      const uint32_t x = exponent_field | fraction;
      if (exponent_field != 0x7e800000u) {  // there reciprocals are tiny and flush
        const double rx = as_float(reciprocal32(x)) * as_float(x);
        ASSERT_LE(std::fabs(rx - 1), bound) << std::hex << x;
      }
      const double r = as_float(reciprocal_sqrt32(x));
      const double r2x = r * r * as_float(x);
      ASSERT_LE(r2x, (1 + bound) * (1 + bound)) << std::hex << x;
      ASSERT_GE(r2x, (1 - bound) * (1 - bound)) << std::hex << x;
    }
  }
}

}  // namespace
}  // namespace orcvm::fpu::test
