// Lockstep: every guest program runs in a candidate configuration next to the
// reference interpreter (one instruction per block); the full register state must
// agree after every block, and RAM at the end.
#include <gtest/gtest.h>

#include <fstream>

#include "difftest/lockstep.h"
#include "loader/elf.h"

namespace orcvm::difftest {
namespace {

constexpr uint64_t kGuestElfSizeLimit = 64ull << 20;  // the test guests are a few KiB

std::vector<std::string> guest_elfs() {
  std::vector<std::string> paths;
  std::ifstream list(ORCVM_GUEST_ELF_LIST_FILE);
  std::string path;
  while (std::getline(list, path))
    if (!path.empty()) paths.push_back(path);
  return paths;
}

struct Case {
  std::string elf;
  OrcvmConfig config;
};

class Lockstep : public ::testing::TestWithParam<Case> {};

TEST_P(Lockstep, AgreesWithReferenceAfterEveryBlock) {
  LockstepReport report = lockstep_elf(read_file(GetParam().elf, kGuestElfSizeLimit), GetParam().config);
  EXPECT_TRUE(report.agree) << report.mismatch;
  EXPECT_GT(report.blocks_compared, 10u);
  std::printf("%llu blocks, %llu instructions compared; guest ended: %s\n",
              (unsigned long long)report.blocks_compared, (unsigned long long)report.instructions_compared,
              report.end.c_str());
}

std::vector<Case> cases() {
  std::vector<Case> all;
  for (const std::string& elf : guest_elfs())
    for (OrcvmConfig config : {OrcvmConfig{Tier::Jit, false, true}, OrcvmConfig{Tier::Jit, true, true},
                               OrcvmConfig{Tier::Interpreter, false, true}})
      all.push_back(Case{elf, config});
  return all;
}

INSTANTIATE_TEST_SUITE_P(Guests, Lockstep, ::testing::ValuesIn(cases()), [](const auto& info) {
  std::string name = info.param.elf.substr(info.param.elf.find_last_of('/') + 1);
  name = name.substr(0, name.find('.'));
  const OrcvmConfig& c = info.param.config;
  name += c.tier == Tier::Interpreter ? "_interp_blocks" : c.one_insn_per_block ? "_jit_oneinsn" : "_jit";
  return name;
});

}  // namespace
}  // namespace orcvm::difftest
