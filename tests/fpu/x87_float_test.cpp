// The x87 library on the cases the SDM singles out (tests/fpu/x87_cases.h, one line
// each, expected bits worked out by hand), plus properties that need a loop.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/fpu/x87_float.h"
#include "tests/fpu/x87_cases.h"
#include "tests/fpu/x87_outcome.h"

namespace orcvm::fpu::test {
namespace {

using namespace x87status;

uint16_t condition_codes(X87Relation relation) {
  switch (relation) {
    case X87Relation::Greater: return 0;
    case X87Relation::Less: return C0;
    case X87Relation::Equal: return C3;
    case X87Relation::Unordered: break;
  }
  return C3 | C2 | C0;
}

// The library's outcome for a case, written as the instruction's destination
// would hold it.
Outcome run_library(const X87Case& c) {
  const std::string_view op = c.op;
  const uint16_t control = c.control;
  uint16_t status = 0;
  auto arith = [&](X87ArithOp arith_op) { return Outcome{x87_arith(arith_op, c.a, c.b, control, &status), status}; };
  auto stored = [&](uint64_t bits) { return Outcome{f80(0, bits), status}; };
  auto compared = [&](X87Relation relation) { return Outcome{{}, uint16_t(status | condition_codes(relation))}; };
  auto widened = [&](uint16_t* widening) {
    return op.ends_with("m32") ? x87_from_binary32(uint32_t(c.b.significand), widening)
                               : x87_from_binary64(c.b.significand, widening);
  };
  if (op == "fadd") return arith(X87ArithOp::Add);
  if (op == "fsub") return arith(X87ArithOp::Sub);
  if (op == "fmul") return arith(X87ArithOp::Mul);
  if (op == "fdiv") return arith(X87ArithOp::Div);
  if (op == "fsqrt") return arith(X87ArithOp::Sqrt);
  if (op == "fld m32" || op == "fld m64") {
    const Float80 value = widened(&status);
    return {x87_load_real(value, &status), status};
  }
  if (op == "fadd m32" || op == "fcom m32") {
    uint16_t widening = 0;
    const Float80 b = widened(&widening);
    if (op == "fcom m32") return compared(x87_compare(c.a, b, true, &status, widening & DE));
    return {x87_arith(X87ArithOp::Add, c.a, b, control, &status, widening & DE), status};
  }
  if (op == "fst m32") return stored(x87_to_binary32(c.a, control, &status));
  if (op == "fst m64") return stored(x87_to_binary64(c.a, control, &status));
  if (op.starts_with("fist")) {
    const bool truncate = op.starts_with("fisttp");
    const unsigned bits = std::stoi(std::string(op.substr(truncate ? 6 : 4)));
    const uint64_t mask = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    return stored(uint64_t(x87_to_int(c.a, bits, truncate, control, &status)) & mask);
  }
  if (op == "fcom" || op == "fucom") return compared(x87_compare(c.a, c.b, op == "fcom", &status));
  if (op == "ftst") return compared(x87_compare(c.a, {}, true, &status));
  if (op == "fbld") return {x87_from_bcd(c.b), 0};
  if (op == "fbstp") return {x87_to_bcd(c.a, control, &status), status};
  if (op == "frndint") return {x87_round_to_integer(c.a, control, &status), status};
  if (op == "fscale") return {x87_scale(c.a, c.b, control, &status), status};
  if (op.starts_with("fxtract")) {
    const X87Pair pair = x87_extract(c.a, control, &status);
    return {op.ends_with("exponent") ? pair.first : pair.second, status};
  }
  if (op == "fprem" || op == "fprem1") {
    const X87Remainder r = x87_remainder(c.a, c.b, op == "fprem1", control, &status);
    status |= (r.incomplete ? C2 : 0) | (r.quotient_low & 4 ? C0 : 0) | (r.quotient_low & 2 ? C3 : 0) |
              (r.quotient_low & 1 ? C1 : 0);
    return {r.value, status};
  }
  auto trig = [&](X87Trig t, bool second) {
    const Float80 value = t.out_of_range ? c.a : second ? t.result.second : t.result.first;
    return Outcome{value, uint16_t(status | (t.out_of_range ? C2 : 0))};
  };
  if (op == "fsin") return trig(x87_sin(c.a, control, &status), false);
  if (op == "fcos") return trig(x87_cos(c.a, control, &status), false);
  if (op == "fsincos sin" || op == "fsincos cos") return trig(x87_sincos(c.a, control, &status), op.ends_with("cos"));
  if (op == "fptan" || op == "fptan st0") return trig(x87_tan(c.a, control, &status), op.ends_with("st0"));
  if (op == "fpatan") return {x87_atan2(c.b, c.a, control, &status), status};
  if (op == "f2xm1") return {x87_exp2m1(c.a, control, &status), status};
  if (op == "fyl2x") return {x87_ylog2x(c.b, c.a, control, &status), status};
  if (op == "fyl2xp1") return {x87_ylog2xp1(c.b, c.a, control, &status), status};
  if (op == "fxam" || op == "fxam empty") return {{}, x87_examine(c.a, op == "fxam empty")};
  const std::vector<std::pair<std::string_view, X87Constant>> constants{
      {"fld1", X87Constant::One},     {"fldl2t", X87Constant::Log2Ten}, {"fldl2e", X87Constant::Log2E},
      {"fldpi", X87Constant::Pi},     {"fldlg2", X87Constant::Log10Two}, {"fldln2", X87Constant::LnTwo},
      {"fldz", X87Constant::Zero}};
  for (const auto& [name, constant] : constants)
    if (op == name) return {x87_constant(constant, control), 0};
  ADD_FAILURE() << "no such operation in the cases: " << op;
  return {};
}

void check_cases(const std::vector<X87Case>& cases) {
  for (const X87Case& c : cases)
    EXPECT_EQ(comparable(c, run_library(c)), comparable(c, {c.expected, c.status}))
        << c.op << " " << c.a << " " << c.b << " fcw " << hex16(c.control);
}

TEST(X87Float, Arithmetic) { check_cases(cases::kArithmetic); }
TEST(X87Float, EveryClassPair) { check_cases(cases::class_pair_cases()); }
TEST(X87Float, Conversions) { check_cases(cases::kConversions); }
TEST(X87Float, ComparesClassesConstants) { check_cases(cases::kComparesAndClasses); }
TEST(X87Float, RoundScaleExtractRemainder) { check_cases(cases::kRoundScaleExtractRemainder); }
TEST(X87Float, PackedBcd) { check_cases(cases::kPackedBcd); }
TEST(X87Float, Transcendental) { check_cases(cases::kTranscendental); }

// Every integer of up to 18 digits survives FBSTP then FBLD, and its digits FBLD
// then FBSTP, exactly and without flags.
TEST(X87Float, PackedBcdRoundTrips) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100000; ++i) {
    const int64_t magnitude = int64_t(rng() % 1000000000000000000) >> (rng() % 60);
    const int64_t value = rng() & 1 ? -magnitude : magnitude;
    uint16_t status = 0;
    const Float80 packed = x87_to_bcd(x87_from_int(value), cases::N64, &status);
    ASSERT_EQ(x87_from_bcd(packed), x87_from_int(value)) << value;
    ASSERT_EQ(x87_to_bcd(x87_from_bcd(packed), cases::N64, &status), packed) << value;
    ASSERT_EQ(status, 0) << value;
  }
}

TEST(X87Float, IntegersWidenExactly) {
  EXPECT_EQ(x87_from_int(0), f80(0, 0));
  EXPECT_EQ(x87_from_int(1), f80(0x3fff, 0x8000000000000000));
  EXPECT_EQ(x87_from_int(-3), f80(0xc000, 0xc000000000000000));
  EXPECT_EQ(x87_from_int(INT64_MIN), f80(0xc03e, 0x8000000000000000));
  EXPECT_EQ(x87_from_int(INT64_MAX), f80(0x403d, 0xfffffffffffffffe));
}

}  // namespace
}  // namespace orcvm::fpu::test
