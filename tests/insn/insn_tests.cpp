// Every case of tests/insn/*.cases, checked four ways:
//   Insn/HostCpu.Expected/<case>      the expectation holds on the host CPU: this checks
//                                     the corpus itself against real hardware;
//   Insn/Interpreter.Expected/<case>  ...in orcvm's interpreter tier;
//   Insn/Jit.Expected/<case>          ...in orcvm's JIT tier;
//   Insn/TiersAgree.FullState/<case>  JIT, interpreter and one-instruction-per-block JIT
//                                     agree on every register, the flags the case does not
//                                     leave undefined, the data window and the exception.
// <case> is "<file stem>_<case name>", e.g. arith_add64_rr_max_1.
// The whole corpus runs in one process (one add_test), so that each orcvm
// configuration runs each case once and the tests share the outcomes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <variant>

#include "difftest/case_format.h"
#include "difftest/host_oracle.h"
#include "difftest/orcvm_oracle.h"

namespace orcvm::difftest {
namespace {

struct CorpusCase {
  std::string test_name;
  InsnCase insn;
};

struct Corpus {
  std::vector<CorpusCase> cases;
  std::vector<std::string> errors;  // unreadable files, bad lines, clashing names
};

Corpus load_corpus(const std::filesystem::path& directory) {
  Corpus corpus;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory))
    if (entry.path().extension() == ".cases") files.push_back(entry.path());
  std::ranges::sort(files);
  std::map<std::string, std::string> origin_of_name;
  for (const auto& file : files) {
    try {
      for (InsnCase& insn : parse_case_file(file)) {
        std::string name = file.stem().string() + "_" + insn.test.name;
        auto [it, fresh] = origin_of_name.emplace(name, insn.origin);
        if (!fresh) {
          corpus.errors.push_back(insn.origin + ": case name " + name + " is already used at " + it->second);
          continue;
        }
        corpus.cases.push_back({std::move(name), std::move(insn)});
      }
    } catch (const std::exception& e) {
      corpus.errors.push_back(e.what());
    }
  }
  if (files.empty()) corpus.errors.push_back("no .cases files in " + directory.string());
  return corpus;
}

const Corpus& corpus() {
  static const Corpus loaded = load_corpus(ORCVM_INSN_CASE_DIR);
  return loaded;
}

std::vector<size_t> case_indices() {
  std::vector<size_t> indices(corpus().cases.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  return indices;
}

std::string case_test_name(const testing::TestParamInfo<size_t>& info) { return corpus().cases[info.param].test_name; }

std::string describe(const InsnCase& insn, const std::vector<std::string>& problems) {
  std::ostringstream out;
  out << insn.origin << ": " << insn.test.name;
  if (!insn.assembly.empty()) out << " \"" << insn.assembly << "\"";
  for (const std::string& p : problems) out << "\n  " << p;
  return out.str();
}

enum class OrcvmRun { Interpreter, Jit, JitOneInsnPerBlock };

constexpr std::string_view run_name(OrcvmRun run) {
  switch (run) {
    case OrcvmRun::Interpreter: return "interpreter";
    case OrcvmRun::Jit: return "jit";
    case OrcvmRun::JitOneInsnPerBlock: return "jit-1-insn";
  }
  return "?";
}

OrcvmConfig config_of(OrcvmRun run) {
  switch (run) {
    case OrcvmRun::Interpreter: return {.tier = Tier::Interpreter};
    case OrcvmRun::Jit: return {.tier = Tier::Jit};
    case OrcvmRun::JitOneInsnPerBlock: return {.tier = Tier::Jit, .one_insn_per_block = true};
  }
  return {};
}

// An outcome, or why orcvm could not produce one.
using RunResult = std::variant<Outcome, std::string>;

// Outcomes wait in a cache until TiersAgree runs, after all Expected tests. Whole data
// windows would take 64 KiB per case and configuration, hundreds of megabytes in all,
// so the cache keeps only the window's non-zero blocks.
constexpr size_t kBlockSize = 256;

Outcome without_zero_blocks(Outcome outcome) {
  std::vector<MemoryChunk> blocks;
  for (const MemoryChunk& chunk : outcome.state.memory)
    for (size_t offset = 0; offset < chunk.bytes.size(); offset += kBlockSize) {
      auto begin = chunk.bytes.begin() + offset;
      auto end = chunk.bytes.begin() + std::min(offset + kBlockSize, chunk.bytes.size());
      if (std::any_of(begin, end, [](uint8_t b) { return b != 0; }))
        blocks.push_back({chunk.address + offset, std::vector<uint8_t>(begin, end)});
    }
  outcome.state.memory = std::move(blocks);
  return outcome;
}

RunResult with_whole_window(const RunResult& cached) {
  const auto* outcome = std::get_if<Outcome>(&cached);
  if (!outcome) return cached;
  Outcome whole = *outcome;
  MemoryChunk window{kDataAddress, std::vector<uint8_t>(kDataSize)};
  whole.state.memory.clear();
  for (const MemoryChunk& block : outcome->state.memory) {
    bool in_window = block.address >= kDataAddress && block.address - kDataAddress + block.bytes.size() <= kDataSize;
    if (in_window)
      std::copy(block.bytes.begin(), block.bytes.end(), window.bytes.begin() + (block.address - kDataAddress));
    else
      whole.state.memory.push_back(block);  // not expected from an oracle, but kept for the comparison
  }
  whole.state.memory.push_back(std::move(window));
  return whole;
}

// Each configuration runs each case once; the Expected and FullState tests share it.
RunResult orcvm_result(size_t index, OrcvmRun run) {
  static std::map<std::pair<size_t, OrcvmRun>, RunResult> cache;
  auto key = std::make_pair(index, run);
  auto it = cache.find(key);
  if (it == cache.end()) {
    RunResult result;
    try {
      result = without_zero_blocks(run_in_orcvm(corpus().cases[index].insn.test, config_of(run)));
    } catch (const std::exception& e) {
      result = std::string(run_name(run)) + " failed: " + e.what();
    }
    it = cache.emplace(key, std::move(result)).first;
  }
  return with_whole_window(it->second);
}

void expect_outcome(const InsnCase& insn, const RunResult& result) {
  if (const auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << describe(insn, {*error});
    return;
  }
  std::vector<std::string> problems = check(insn.expected, std::get<Outcome>(result));
  if (!problems.empty()) ADD_FAILURE() << describe(insn, problems);
}

class HostCpu : public testing::TestWithParam<size_t> {};
class Interpreter : public testing::TestWithParam<size_t> {};
class Jit : public testing::TestWithParam<size_t> {};
class TiersAgree : public testing::TestWithParam<size_t> {};

TEST(CaseFiles, ParseCleanly) {
  for (const std::string& error : corpus().errors) ADD_FAILURE() << error;
}

TEST_P(HostCpu, Expected) {
  const InsnCase& insn = corpus().cases[GetParam()].insn;
  if (insn.host_skip_reason) GTEST_SKIP() << "host=skip: " << *insn.host_skip_reason;
  try {
    expect_outcome(insn, run_on_host(insn.test));
  } catch (const HostOracleError& e) {
    ADD_FAILURE() << describe(insn, {e.what()});
  }
}

TEST_P(Interpreter, Expected) {
  expect_outcome(corpus().cases[GetParam()].insn, orcvm_result(GetParam(), OrcvmRun::Interpreter));
}

TEST_P(Jit, Expected) { expect_outcome(corpus().cases[GetParam()].insn, orcvm_result(GetParam(), OrcvmRun::Jit)); }

TEST_P(TiersAgree, FullState) {
  const InsnCase& insn = corpus().cases[GetParam()].insn;
  RunResult reference = orcvm_result(GetParam(), OrcvmRun::Jit);
  for (OrcvmRun other : {OrcvmRun::Interpreter, OrcvmRun::JitOneInsnPerBlock}) {
    RunResult result = orcvm_result(GetParam(), other);
    std::vector<std::string> problems;
    for (const RunResult* r : {&reference, &result})
      if (const auto* error = std::get_if<std::string>(r)) problems.push_back(*error);
    if (problems.empty())
      problems = compare_outcomes(std::get<Outcome>(reference), run_name(OrcvmRun::Jit), std::get<Outcome>(result),
                                  run_name(other), insn.expected.undefined_flags);
    if (!problems.empty()) ADD_FAILURE() << describe(insn, problems);
  }
}

INSTANTIATE_TEST_SUITE_P(Insn, HostCpu, testing::ValuesIn(case_indices()), case_test_name);
INSTANTIATE_TEST_SUITE_P(Insn, Interpreter, testing::ValuesIn(case_indices()), case_test_name);
INSTANTIATE_TEST_SUITE_P(Insn, Jit, testing::ValuesIn(case_indices()), case_test_name);
INSTANTIATE_TEST_SUITE_P(Insn, TiersAgree, testing::ValuesIn(case_indices()), case_test_name);

}  // namespace
}  // namespace orcvm::difftest
