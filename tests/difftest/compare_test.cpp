// Comparison with masking, the allow-list, the minimiser, regression files, and the
// oracles (host batch, orcvm runner) on small known cases.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <sstream>
#include <fstream>

#include "difftest/allowlist.h"
#include "difftest/campaign.h"
#include "difftest/case_format.h"
#include "difftest/code.h"
#include "difftest/compare.h"
#include "difftest/host_batch.h"
#include "difftest/host_oracle.h"
#include "difftest/minimise.h"
#include "difftest/oracle.h"
#include "difftest/orcvm_runner.h"
#include "difftest/regression.h"

namespace orcvm::difftest {
namespace {

TestCase make_case(std::vector<uint8_t> code, std::initializer_list<std::pair<int, uint64_t>> regs = {},
                   uint64_t rflags = 0x202) {
  TestCase t;
  t.name = "t";
  t.code = std::move(code);
  t.input.gpr[4] = kStackTop;
  for (auto [i, v] : regs) t.input.gpr[i] = v;
  t.input.rflags = rflags;
  return t;
}

Outcome window_outcome() {
  Outcome o;
  o.state.memory.push_back({kDataAddress, std::vector<uint8_t>(kDataSize, 0)});
  return o;
}

TEST(Compare, DiffNamesEveryField) {
  Outcome a = window_outcome(), b = window_outcome();
  b.state.gpr[0] = 5;
  b.state.rflags = a.state.rflags ^ 0x801;
  b.state.memory[0].bytes[0x10] = 0xaa;
  b.exception = ExceptionRecord{13, 0};
  auto lines = diff_outcomes(a, "host", b, "jit", Ignore{});
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "exception: host no exception, jit #GP(0)");
  EXPECT_EQ(lines[1], "rax: host 0x0, jit 0x5");
  EXPECT_NE(lines[2].find("differ in CF,OF"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3], "mem:0x20010: host 00, jit aa");
  auto fields = differing_fields(a, b, Ignore{});
  EXPECT_EQ(fields, (std::vector<std::string>{"exception:none/#GP", "rax", "flags:CF,OF", "memory"}));
  Ignore ignore;
  ignore.flags = 0x801;
  ignore.registers = 1;
  ignore.memory = true;
  ignore.exception = true;
  EXPECT_TRUE(differing_fields(a, b, ignore).empty());
}

TEST(Compare, JudgeMasksUndefinedFlagsOnlyAgainstHardware) {
  // shl eax, cl with CL = 3: AF and OF undefined.
  TestCase t = make_case({0xd3, 0xe0}, {{1, 3}});
  Outcome hw = window_outcome();
  hw.state.rip = kCodeAddress + 2;  // ran to the end
  Outcome a = hw, b = hw;
  a.state.rflags = hw.state.rflags | 0x10;  // AF differs from the hardware: masked
  b.state.rflags = hw.state.rflags;         // ...but the two orcvm tiers must agree
  std::vector<OracleRun> runs = {{"host", OracleKind::Hardware, {OracleResult::Status::Ok, hw, ""}},
                                 {"interp", OracleKind::Orcvm, {OracleResult::Status::Ok, a, ""}},
                                 {"jit", OracleKind::Orcvm, {OracleResult::Status::Ok, b, ""}}};
  Verdict v = judge(t, runs, AllowList{}, "shl r32, cl");
  ASSERT_EQ(v.mismatches.size(), 1u);
  EXPECT_EQ(v.mismatches[0].reference, "interp");
  EXPECT_EQ(v.mismatches[0].subject, "jit");
  EXPECT_EQ(v.mismatches[0].signature, "interp/jit shl r32, cl: flags:AF");
  // CF is defined for this count: a difference is a mismatch against the host too.
  runs[2].result.outcome.state.rflags = a.state.rflags;
  runs[1].result.outcome.state.rflags ^= 1;
  runs[2].result.outcome.state.rflags ^= 1;
  v = judge(t, runs, AllowList{}, "shl r32, cl");
  ASSERT_EQ(v.mismatches.size(), 2u);
  EXPECT_EQ(v.mismatches[0].fields, std::vector<std::string>{"flags:CF"});
  EXPECT_EQ(v.mismatches[0].masked_flags, 0x810u);
}

TEST(Compare, TimeoutsAgreeOnlyWithTimeouts) {
  TestCase t = make_case({0xeb, 0xfe});
  std::vector<OracleRun> runs = {{"host", OracleKind::Hardware, {OracleResult::Status::Timeout, {}, "slow"}},
                                 {"interp", OracleKind::Orcvm, {OracleResult::Status::Timeout, {}, "budget"}}};
  EXPECT_TRUE(judge(t, runs, AllowList{}).ok());
  runs[1].result = {OracleResult::Status::Ok, window_outcome(), ""};
  Verdict v = judge(t, runs, AllowList{});
  ASSERT_EQ(v.mismatches.size(), 1u);
  EXPECT_EQ(v.mismatches[0].fields, std::vector<std::string>{"timeout"});
}

const char* kAllow = R"(
# a comment
[cpuid_model]
oracles = host kvm
mnemonics = CPUID
when = always
ignore = rax rbx rcx rdx
reason = the model
cite = SDM

[lar_bits]
oracles = host
mnemonics = lar
ignore = reg-destination:0xf0000 flags:ZF
reason = undefined bits
cite = SDM LAR
)";

TEST(AllowList, ParsesAndMatches) {
  AllowList list = AllowList::parse(kAllow, "test");
  ASSERT_EQ(list.entries().size(), 2u);
  EXPECT_EQ(list.entries()[0].ignore.registers, 0xfu);
  EXPECT_EQ(list.entries()[1].mnemonics, std::vector<std::string>{"LAR"});
  EXPECT_EQ(list.entries()[1].ignore.flags, 0x40u);
  TestCase cpuid = make_case({0x0f, 0xa2});
  EXPECT_EQ(list.matching(cpuid, "host").size(), 1u);
  EXPECT_EQ(list.matching(cpuid, "kvm").size(), 1u);
  TestCase lar = make_case({0x4c, 0x0f, 0x02, 0xc3});  // lar r8, rbx
  Ignore ignore;
  ASSERT_EQ(list.matching(lar, "host", &ignore).size(), 1u);
  EXPECT_EQ(ignore.register_bits[8], 0xf0000u);  // ModRM.reg with REX.R: r8
  EXPECT_TRUE(list.matching(lar, "kvm").empty());
  // An explained difference is no mismatch; a bigger one still is.
  Outcome hw = window_outcome(), vm = window_outcome();
  vm.state.gpr[8] = 0xf0000;
  std::vector<OracleRun> runs = {{"host", OracleKind::Hardware, {OracleResult::Status::Ok, hw, ""}},
                                 {"jit", OracleKind::Orcvm, {OracleResult::Status::Ok, vm, ""}}};
  Verdict v = judge(lar, runs, list);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.explained_by, std::vector<std::string>{"lar_bits"});
  runs[1].result.outcome.state.gpr[8] = 0x1f0000;
  EXPECT_FALSE(judge(lar, runs, list).ok());
}

TEST(AllowList, SeesAPrefixAfterAnIgnoredRex) {
  const AllowList list = AllowList::parse(
      "[branch]\noracles = host\nmnemonics = JP\nwhen = operand_size_prefix\nignore = all\nreason = r\ncite = c\n", "t");
  EXPECT_EQ(list.matching(make_case({0x66, 0x7a, 0x02}), "host").size(), 1u);
  EXPECT_EQ(list.matching(make_case({0x40, 0x66, 0x7a, 0x02}), "host").size(), 1u);  // REX, then 66h: REX ignored
  EXPECT_TRUE(list.matching(make_case({0x7a, 0x02}), "host").empty());
}

TEST(AllowList, ReadsTheSelectorOfAMemoryOperand) {
  const AllowList list = AllowList::parse(
      "[cpunode]\noracles = host\nmnemonics = LAR\nwhen = linux_cpunode_selector\nignore = reg-destination flags:ZF\n"
      "reason = r\ncite = c\n", "t");
  TestCase t = make_case({0x0f, 0x02, 0x29}, {{1, kDataAddress + 6}});  // lar ebp, word ptr [rcx]
  t.input.memory.push_back({kDataAddress, {0, 0, 0, 0, 0, 0, 0x7b, 0x00}});
  EXPECT_EQ(list.matching(t, "host").size(), 1u);
  t.input.memory[0].bytes[6] = 0x2b;  // an ordinary selector: no allowance
  EXPECT_TRUE(list.matching(t, "host").empty());
  t.input.gpr[1] = kDataAddress + 64;  // outside the input's memory
  EXPECT_TRUE(list.matching(t, "host").empty());
}

TEST(AllowList, RejectsBadEntries) {
  EXPECT_THROW(AllowList::parse("[x]\noracles = jit\nmnemonics = ADD\nreason = r\ncite = c\n", "t"), AllowListError);
  EXPECT_THROW(AllowList::parse("[x]\noracles = host\nmnemonics = ADD\nreason = r\n", "t"), AllowListError);
  EXPECT_THROW(AllowList::parse("[x]\noracles = host\nmnemonics = ADD\nwhen = sometimes\nreason = r\ncite = c\n", "t"),
               AllowListError);
  EXPECT_THROW(AllowList::parse("[x]\noracles = host\nmnemonics = ADD\nignore = ymm0\nreason = r\ncite = c\n", "t"),
               AllowListError);
  EXPECT_THROW(AllowList::parse("oracles = host\n", "t"), AllowListError);
}

TEST(AllowList, TheCheckedInListLoadsAndEveryEntryCitesAManual) {
  const AllowList& list = AllowList::builtin();
  ASSERT_FALSE(list.entries().empty());
  for (const AllowEntry& e : list.entries()) {
    EXPECT_FALSE(e.reason.empty()) << e.id;
    EXPECT_TRUE(e.cite.find("SDM") != std::string::npos || e.cite.find("APM") != std::string::npos) << e.id;
  }
}

TEST(Minimiser, DropsInstructionsAndSimplifiesInputs) {
  // "Fails" while the code has an INC RAX (48 ff c0) and RBX has bit 4 set.
  TestCase t = make_case({0x90, 0x48, 0x01, 0xd8, 0x48, 0xff, 0xc0, 0x48, 0x31, 0xc9, 0x90},
                         {{0, 0x123456789}, {3, 0xdeadbeef12345678}, {5, 77}}, 0xad7);
  t.input.memory.push_back({kDataAddress + 0x100, std::vector<uint8_t>(32, 0x5a)});
  auto fails = [](const TestCase& c) {
    bool has_inc = false;
    for (const CaseInsn& in : split_code(c.code)) has_inc |= in.bytes == std::vector<uint8_t>{0x48, 0xff, 0xc0};
    return has_inc && (c.input.gpr[3] & 0x10);
  };
  ASSERT_TRUE(fails(t));
  MinimiseStats stats;
  TestCase m = minimise(t, fails, 600, &stats);
  EXPECT_TRUE(fails(m));
  EXPECT_EQ(m.code, (std::vector<uint8_t>{0x48, 0xff, 0xc0}));
  EXPECT_EQ(m.input.gpr[0], 0u);
  EXPECT_EQ(m.input.gpr[5], 0u);
  EXPECT_EQ(m.input.gpr[4], kStackTop);
  EXPECT_EQ(m.input.rflags, 0x202u);
  EXPECT_TRUE(m.input.memory.empty());
  EXPECT_LT(m.input.gpr[3], 0x100u);
  EXPECT_EQ(stats.instructions_before, 5u);
  EXPECT_EQ(stats.instructions_after, 1u);
  EXPECT_LE(stats.runs, 600);
}

TEST(Minimiser, KeepsBranchesConsistent) {
  // jz L; nop; nop; L: inc rax -- fails while INC RAX is there.
  TestCase t = make_case({0x74, 0x02, 0x90, 0x90, 0x48, 0xff, 0xc0});
  auto fails = [](const TestCase& c) {
    std::vector<CaseInsn> insns = split_code(c.code);
    for (const CaseInsn& in : insns)
      if (in.rel_offset >= 0 && in.target < 0) return false;  // a broken branch would be a bug
    return c.code.size() >= 3 && std::vector<uint8_t>(c.code.end() - 3, c.code.end()) == std::vector<uint8_t>{0x48, 0xff, 0xc0};
  };
  TestCase m = minimise(t, fails);
  EXPECT_EQ(m.code, (std::vector<uint8_t>{0x48, 0xff, 0xc0}));
}

TEST(Regression, ExpectationRoundTripsThroughTheCaseFormat) {
  TestCase t = make_case({0x48, 0x01, 0xd8}, {{0, ~0ull}, {3, 1}});
  Outcome ref = window_outcome();
  std::memcpy(ref.state.gpr, t.input.gpr, sizeof ref.state.gpr);
  ref.state.gpr[0] = 0;
  ref.state.rip = kCodeAddress + 3;
  ref.state.rflags = 0x202 | 0x55;
  ref.state.memory[0].bytes[0x20] = 7;
  Outcome sub = ref;
  sub.state.gpr[2] = 9;  // the subject also clobbered RDX: asserted too
  InsnCase c = expectation_from(t, ref, &sub, regression_name(t));
  EXPECT_EQ(c.test.name.substr(0, 4), "add_");
  std::string line = print_case(c);
  InsnCase back = parse_case_line(line, "test");
  EXPECT_EQ(print_case(back), line);
  EXPECT_TRUE(check(back.expected, ref).empty()) << line;
  EXPECT_FALSE(check(back.expected, sub).empty()) << line;
  const auto dir = std::filesystem::temp_directory_path() / ("orcvm-difftest-regression-" + std::to_string(getpid()));
  auto path = write_regression(dir, c, {"found by a test"});
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "# found by a test");
  EXPECT_EQ(parse_case_file(path).size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(Regression, KnownFailuresAreRegexes) {
  const auto file = std::filesystem::temp_directory_path() / ("orcvm-known-" + std::to_string(getpid()));
  std::ofstream(file) << "# comment\n^\\S+ lock .*exception:(#PF|none)/#GP\n\n";
  KnownFailures k = KnownFailures::load(file);
  ASSERT_EQ(k.patterns.size(), 1u);
  EXPECT_TRUE(k.match("host/jit lock add m32, r32: exception:#PF/#GP"));
  EXPECT_FALSE(k.match("host/jit add m32, r32: exception:#PF/#GP"));
  std::filesystem::remove(file);
}

TEST(HostBatch, AgreesWithTheSingleCaseOracle) {
  HostBatch batch;
  std::vector<TestCase> cases = {
      make_case({0x48, 0x01, 0xd8}, {{0, ~0ull}, {3, 1}}),      // add rax, rbx
      make_case({0x48, 0xf7, 0xf3}, {{0, 7}}),                   // div rbx: #DE
      make_case({0x48, 0x89, 0x03}, {{3, 0x7000000}}),           // store to an unmapped page: #PF(6)
      make_case({0x50, 0x5b}, {{0, 0x1122334455667788}}),        // push rax; pop rbx
      make_case({0xcc}),                                          // int3: #BP after it
      make_case({0x0f, 0xa2}, {{0, 0}}),                         // cpuid
  };
  std::vector<const TestCase*> ptrs;
  for (const TestCase& c : cases) ptrs.push_back(&c);
  std::vector<OracleResult> results = batch.run(ptrs);
  ASSERT_EQ(results.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    ASSERT_EQ(results[i].status, OracleResult::Status::Ok) << results[i].message;
    Outcome single = run_on_host(cases[i]);
    Ignore ignore;
    if (i == 5) ignore.registers = 0xf;  // CPUID may differ between cores? no, but keep it robust
    EXPECT_TRUE(diff_outcomes(single, "fork", results[i].outcome, "batch", ignore).empty()) << i;
  }
  EXPECT_EQ(results[1].outcome.exception, (ExceptionRecord{0, 0}));
  EXPECT_EQ(results[2].outcome.exception, (ExceptionRecord{14, 6}));
  EXPECT_EQ(results[4].outcome.exception, (ExceptionRecord{3, 0}));
  EXPECT_EQ(batch.children_started(), 1u);
}

TEST(HostBatch, SurvivesHangsAndDeadChildren) {
  HostBatch batch;
  std::vector<TestCase> cases = {
      make_case({0x48, 0xff, 0xc0}),                          // inc rax
      make_case({0xeb, 0xfe}),                                // jmp $: hangs
      make_case({0x48, 0xff, 0xc0}, {{0, 41}}),               // inc rax
      make_case({0x0f, 0x05}, {{0, 60}, {7, 0}}),             // exit(0) through SYSCALL: the child dies
      make_case({0x48, 0xff, 0xc8}, {{0, 43}}),               // dec rax
  };
  std::vector<const TestCase*> ptrs;
  for (const TestCase& c : cases) ptrs.push_back(&c);
  std::vector<OracleResult> results = batch.run(ptrs);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].status, OracleResult::Status::Ok);
  EXPECT_EQ(results[1].status, OracleResult::Status::Timeout);
  ASSERT_EQ(results[2].status, OracleResult::Status::Ok);
  EXPECT_EQ(results[2].outcome.state.gpr[0], 42u);
  EXPECT_EQ(results[3].status, OracleResult::Status::Error);
  EXPECT_NE(results[3].message.find("exited with status 0"), std::string::npos) << results[3].message;
  ASSERT_EQ(results[4].status, OracleResult::Status::Ok);
  EXPECT_EQ(results[4].outcome.state.gpr[0], 42u);
  EXPECT_EQ(batch.children_started(), 3u);
}

TEST(OrcvmRunner, ReusesTranslationsOnlyForTheSameCode) {
  for (Tier tier : {Tier::Interpreter, Tier::Jit}) {
    OrcvmRunner runner(OrcvmConfig{.tier = tier});
    TestCase a = make_case({0x48, 0x01, 0xd8}, {{0, 1}, {3, 2}});
    TestCase b = a;
    b.input.gpr[3] = 5;
    OracleResult ra = runner.run(a), rb = runner.run(b);
    ASSERT_EQ(ra.status, OracleResult::Status::Ok) << ra.message;
    EXPECT_EQ(ra.outcome.state.gpr[0], 3u);
    EXPECT_EQ(rb.outcome.state.gpr[0], 6u);
    EXPECT_EQ(runner.translations_kept(), 1u);
    // Code that rewrites itself: the next case with the same bytes must not reuse the
    // rewritten translation. mov byte [rip+1], 0xc8 (turns the INC RAX after it into DEC RAX).
    TestCase smc = make_case({0xc6, 0x05, 0x02, 0x00, 0x00, 0x00, 0xc8, 0x48, 0xff, 0xc0}, {{0, 10}});
    OracleResult r1 = runner.run(smc), r2 = runner.run(smc);
    ASSERT_EQ(r1.status, OracleResult::Status::Ok) << r1.message;
    EXPECT_EQ(r1.outcome.state.gpr[0], 9u);
    EXPECT_EQ(r2.outcome.state.gpr[0], 9u);
    // An infinite loop is a timeout; INT 0x21 goes through the IDT to #GP(0x10a).
    OracleResult loop = runner.run(make_case({0xeb, 0xfe}));
    EXPECT_EQ(loop.status, OracleResult::Status::Timeout);
    OracleResult gp = runner.run(make_case({0xcd, 0x21}));
    ASSERT_EQ(gp.status, OracleResult::Status::Ok) << gp.message;
    EXPECT_EQ(gp.outcome.exception, (ExceptionRecord{13, 0x10a}));
  }
}

TEST(Campaign, SmallCampaignAgreesWithTheHost) {
  CampaignOptions o;
  o.seed = 3;
  o.count = 400;
  o.sequences = 80;
  o.oracles = {"host", "interp"};
  o.known_failures = ORCVM_DIFFTEST_KNOWN_FAILURES;
  std::ostringstream out;
  CampaignResult r = run_campaign(o, out);
  EXPECT_EQ(r.cases, 480u);
  EXPECT_EQ(r.oracle_errors, 0u) << out.str();
  EXPECT_EQ(r.mismatching_cases, 0u) << out.str();
  EXPECT_GT(r.coverage.summarise().forms_hit, 40u);
}

}  // namespace
}  // namespace orcvm::difftest
