// The case-file parser, printer and comparisons (difftest/case_format.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "difftest/case_format.h"

namespace orcvm::difftest {
namespace {

Outcome outcome_with(uint64_t rax, uint64_t rflags) {
  Outcome o;
  o.state.gpr[0] = rax;
  o.state.gpr[4] = kStackTop;
  o.state.rip = kCodeAddress + 3;
  o.state.rflags = rflags;
  o.state.memory.push_back({kDataAddress, std::vector<uint8_t>(kDataSize)});
  return o;
}

TEST(CaseFormat, ParsesEveryField) {
  InsnCase c = parse_case_line(
      "add_carry: 48 01 d8 \"add rax, rbx\" | rax=-1 rbx=1 rflags=0x203 mem:0x20010=0102 => rax=0 rip=0x10003 "
      "flags=+CF,-OF mem:0x20010=0102 | undef=AF,PF host=skip(AMD (family 19h) differs)",
      "t:1");
  EXPECT_EQ(c.test.name, "add_carry");
  EXPECT_EQ(c.test.code, (std::vector<uint8_t>{0x48, 0x01, 0xd8}));
  EXPECT_EQ(c.assembly, "add rax, rbx");
  EXPECT_EQ(c.test.input.gpr[0], ~0ull);
  EXPECT_EQ(c.test.input.gpr[3], 1u);
  EXPECT_EQ(c.test.input.gpr[4], kStackTop);
  EXPECT_EQ(c.test.input.rflags, 0x203u);
  ASSERT_EQ(c.test.input.memory.size(), 1u);
  EXPECT_EQ(c.test.input.memory[0].address, 0x20010u);
  EXPECT_EQ(c.test.input.memory[0].bytes, (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(c.expected.registers, (std::vector<RegisterValue>{{0, 0}, {kRipIndex, 0x10003}}));
  EXPECT_EQ(c.expected.flags_checked, rflag::CF | rflag::OF);
  EXPECT_EQ(c.expected.flags_value, rflag::CF);
  EXPECT_EQ(c.expected.undefined_flags, rflag::AF | rflag::PF);
  EXPECT_FALSE(c.expected.exception);
  EXPECT_EQ(c.host_skip_reason, "AMD (family 19h) differs");
  EXPECT_EQ(c.origin, "t:1");
}

TEST(CaseFormat, DefaultsApplyToWhatTheLineOmits) {
  InsnCase c = parse_case_line("nop: 90 | =>", "t:1");
  for (int i = 0; i < 16; ++i) EXPECT_EQ(c.test.input.gpr[i], i == 4 ? kStackTop : 0) << register_name(i);
  EXPECT_EQ(c.test.input.rflags, 0x202u);
  EXPECT_EQ(c.test.input.rip, kCodeAddress);
  EXPECT_TRUE(c.assembly.empty());
  EXPECT_TRUE(c.expected.registers.empty());
  EXPECT_EQ(c.expected.flags_checked, 0u);
  EXPECT_FALSE(c.host_skip_reason);
}

TEST(CaseFormat, ParsesExceptions) {
  EXPECT_EQ(parse_case_line("a: 0f 0b | => #UD", "t:1").expected.exception, (ExceptionRecord{6, 0}));
  EXPECT_EQ(parse_case_line("a: f4 | => #GP(0)", "t:1").expected.exception, (ExceptionRecord{13, 0}));
  EXPECT_EQ(parse_case_line("a: 90 | => #PF(0x14)", "t:1").expected.exception, (ExceptionRecord{14, 0x14}));
  EXPECT_EQ(parse_case_line("a: 90 | => #DE", "t:1").expected.exception, (ExceptionRecord{0, 0}));
}

TEST(CaseFormat, AcceptsUnspacedBytesAndWholeRflags) {
  InsnCase c = parse_case_line("a: 4801d8 | => rflags=0x246", "t:1");
  EXPECT_EQ(c.test.code.size(), 3u);
  EXPECT_EQ(c.expected.flags_checked, ~0ull);
  EXPECT_EQ(c.expected.flags_value, 0x246u);
}

TEST(CaseFormat, PrintsCanonicallyAndRoundTrips) {
  const std::string canonical =
      "a: 48 01 d8 \"add rax, rbx\" | rax=0xffffffffffffffff rbx=1 rflags=0x203 mem:0x20010=0102 => #PF(6) rax=0 "
      "rip=0x10003 flags=+CF,-OF mem:0x20010=0102 | undef=PF,AF host=skip(reason)";
  EXPECT_EQ(print_case(parse_case_line(canonical, "t:1")), canonical);
  // A hand-written variant of the same case prints the canonical way.
  std::string loose =
      "a:4801d8 \"add rax, rbx\"|rbx=1 rax=-1 rsp=0x30000 rflags=0x203 mem:0x20010=0102=>rip=0x10003 rax=0x0 "
      "#PF(6) flags=-OF,+CF mem:0x20010=0102|undef=AF,PF host=skip(reason)";
  EXPECT_EQ(print_case(parse_case_line(loose, "t:1")), canonical);
}

TEST(CaseFormat, EveryCorpusLineIsInCanonicalForm) {
  int lines = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ORCVM_INSN_CASE_DIR)) {
    if (entry.path().extension() != ".cases") continue;
    std::ifstream in(entry.path());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.empty() || line[0] == '#') continue;
      std::string origin = entry.path().filename().string() + ":" + std::to_string(number);
      EXPECT_EQ(print_case(parse_case_line(line, origin)), line) << origin;
      ++lines;
    }
  }
  EXPECT_GT(lines, 0);
}

struct BadLine {
  std::string line;
  std::string message;
};

void PrintTo(const BadLine& bad, std::ostream* out) { *out << bad.line; }

class CaseFormatErrors : public testing::TestWithParam<BadLine> {};

TEST_P(CaseFormatErrors, NameTheProblemAndTheLine) {
  try {
    parse_case_line(GetParam().line, "cases.txt:7");
    FAIL() << "accepted: " << GetParam().line;
  } catch (const CaseFormatError& e) {
    std::string what = e.what();
    EXPECT_TRUE(what.starts_with("cases.txt:7: ")) << what;
    EXPECT_NE(what.find(GetParam().message), std::string::npos) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Lines, CaseFormatErrors,
    testing::Values(BadLine{"90 | =>", "missing ':'"}, BadLine{"a b: 90 | =>", "letters, digits"},
                    BadLine{"a: 9 | =>", "whole number of hex bytes"}, BadLine{"a: zz | =>", "not hex"},
                    BadLine{"a: 90 =>", "'|'"}, BadLine{"a: 90 \"nop | =>", "unterminated assembly"},
                    BadLine{"a: 90 | rax=1", "missing '=>'"}, BadLine{"a: 90 | eax=1 =>", "unknown input register 'eax'"},
                    BadLine{"a: 90 | rip=1 =>", "unknown input register 'rip'"},
                    BadLine{"a: 90 | rax=1 rax=2 =>", "rax given twice"},
                    BadLine{"a: 90 | rax=0x1g =>", "bad value '0x1g'"},
                    BadLine{"a: 90 | rax=-0x1 =>", "bad value"},
                    BadLine{"a: 90 | rflags=0x302 =>", "only CF,PF,AF,ZF,SF,DF,OF,AC may change"},
                    BadLine{"a: 90 | rflags=0x2 =>", "IF must be set"},
                    BadLine{"a: 90 | mem:0x10000=00 =>", "outside the data window"},
                    BadLine{"a: 90 | mem:0x2ffff=0000 =>", "outside the data window"},
                    BadLine{"a: 90 | mem:0x20000=00 mem:0x20000=01 =>", "overlaps"},
                    BadLine{"a: 90 | mem:0x20000 =>", "lacks '='"}, BadLine{"a: 90 | => flags=CF", "must start with +"},
                    BadLine{"a: 90 | => flags=+XF", "unknown flag 'XF'"},
                    BadLine{"a: 90 | => flags=+CF,-CF", "CF asserted twice"},
                    BadLine{"a: 90 | => rflags=0x202 flags=+CF", "cannot be combined"},
                    BadLine{"a: 90 | => #XX", "unknown exception '#XX'"},
                    BadLine{"a: 90 | => #GP", "#GP needs an error code"},
                    BadLine{"a: 90 | => #UD(0)", "#UD takes no error code"},
                    BadLine{"a: 90 | => #UD #DE", "more than one expected exception"},
                    BadLine{"a: 90 | => rbx=1 rbx=1", "rbx asserted twice"},
                    BadLine{"a: 90 | => | undef=QF", "unknown flag 'QF'"},
                    BadLine{"a: 90 | => | host=skip()", "needs a reason"},
                    BadLine{"a: 90 | => | host=skip(oops", "unbalanced"},
                    BadLine{"a: 90 | => | fast", "unknown option 'fast'"}));

TEST(CaseFormat, FileErrorsNameFileAndLine) {
  auto path = std::filesystem::temp_directory_path() / "orcvm_case_format_test.cases";
  {
    std::ofstream out(path);
    out << "# a comment\n\n  # an indented comment\nok: 90 | =>\nbad: 90 | rax=1\n";
  }
  try {
    parse_case_file(path);
    FAIL() << "accepted a bad file";
  } catch (const CaseFormatError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(path.string() + ":5: ")) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(parse_case_file(path), CaseFormatError);
}

TEST(Check, PassesWhenEverythingAssertedMatches) {
  InsnCase c = parse_case_line("a: 90 | => rax=3 rip=0x10003 flags=+CF,-ZF mem:0x20000=0000", "t:1");
  EXPECT_TRUE(check(c.expected, outcome_with(3, 0x203)).empty());
}

TEST(Check, ReportsEachMismatch) {
  InsnCase c = parse_case_line("a: 90 | => rax=3 flags=+CF,-ZF mem:0x20000=01", "t:1");
  std::vector<std::string> problems = check(c.expected, outcome_with(4, 0x242));
  EXPECT_EQ(problems, (std::vector<std::string>{"rax: expected 0x3, got 0x4", "CF: expected 1, got 0",
                                                "ZF: expected 0, got 1", "mem:0x20000: expected 01, got 00"}));
}

TEST(Check, IgnoresUndefinedFlags) {
  InsnCase c = parse_case_line("a: 90 | => rflags=0x202 | undef=CF,ZF", "t:1");
  EXPECT_TRUE(check(c.expected, outcome_with(0, 0x243)).empty());
  EXPECT_EQ(check(c.expected, outcome_with(0, 0x203 | rflag::SF)), (std::vector<std::string>{"SF: expected 0, got 1"}));
}

TEST(Check, ComparesExceptions) {
  Outcome faulted = outcome_with(0, 0x202);
  faulted.exception = ExceptionRecord{14, 6};
  EXPECT_TRUE(check(parse_case_line("a: 90 | => #PF(6)", "t:1").expected, faulted).empty());
  EXPECT_EQ(check(parse_case_line("a: 90 | => #PF(4)", "t:1").expected, faulted),
            (std::vector<std::string>{"expected #PF(4), got #PF(6) at rip=0x10003"}));
  EXPECT_EQ(check(parse_case_line("a: 90 | =>", "t:1").expected, faulted),
            (std::vector<std::string>{"expected no exception, got #PF(6) at rip=0x10003"}));
  EXPECT_EQ(check(parse_case_line("a: 90 | => #DE", "t:1").expected, outcome_with(0, 0x202)),
            (std::vector<std::string>{"expected #DE, but the case ran to its end"}));
}

TEST(CompareOutcomes, AgreesWithItself) {
  Outcome o = outcome_with(5, 0x246);
  EXPECT_TRUE(compare_outcomes(o, "a", o, "b", 0).empty());
}

TEST(CompareOutcomes, ReportsRegistersFlagsMemoryAndExceptions) {
  Outcome a = outcome_with(5, 0x246), b = outcome_with(6, 0x247);
  b.state.memory[0].bytes[0x10] = 0xab;
  b.exception = ExceptionRecord{0, 0};
  EXPECT_EQ(compare_outcomes(a, "jit", b, "interp", 0),
            (std::vector<std::string>{"exception: jit no exception, interp #DE", "rax: jit 0x5, interp 0x6",
                                      "rflags: jit 0x246, interp 0x247 (differ in CF)",
                                      "mem:0x20010: jit 00, interp ab"}));
  b.state.gpr[0] = 5;
  b.exception.reset();
  b.state.memory = a.state.memory;
  EXPECT_TRUE(compare_outcomes(a, "jit", b, "interp", rflag::CF).empty());
}

TEST(CompareOutcomes, LimitsTheMemoryReport) {
  Outcome a = outcome_with(0, 0x202), b = a;
  for (size_t i = 0; i < 100; ++i) b.state.memory[0].bytes[i * 2] = 1;
  std::vector<std::string> problems = compare_outcomes(a, "a", b, "b", 0);
  EXPECT_EQ(problems.size(), 9u);
  EXPECT_EQ(problems.back(), "(further memory differences not shown)");
}

TEST(Formatting, NamesExceptionsAndFlags) {
  EXPECT_EQ(format_exception({6, 0}), "#UD");
  EXPECT_EQ(format_exception({13, 0x10a}), "#GP(0x10a)");
  EXPECT_EQ(format_exception({9, 0}), "#vector9(0x0)");
  EXPECT_EQ(format_flags(rflag::CF | rflag::OF | rflag::ID), "CF,OF,ID");
}

}  // namespace
}  // namespace orcvm::difftest
