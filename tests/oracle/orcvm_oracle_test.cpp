// The orcvm oracle end to end: a few cases whose results are fixed by the SDM,
// in each execution mode.
#include <gtest/gtest.h>

#include "difftest/orcvm_oracle.h"

namespace orcvm::difftest {
namespace {

class OracleTest : public ::testing::TestWithParam<OrcvmConfig> {
 protected:
  Outcome run(std::vector<uint8_t> code, MachineState input = {}) {
    TestCase t;
    t.code = std::move(code);
    t.input = std::move(input);
    if (t.input.gpr[4] == 0) t.input.gpr[4] = kStackTop;
    return run_in_orcvm(t, GetParam());
  }
};

TEST_P(OracleTest, AddSetsCarryAndZero) {
  MachineState in;
  in.gpr[0] = ~0ull;  // rax
  in.gpr[3] = 1;      // rbx
  Outcome out = run({0x48, 0x01, 0xd8}, in);  // add rax, rbx
  ASSERT_FALSE(out.exception);
  EXPECT_EQ(out.state.gpr[0], 0u);
  EXPECT_EQ(out.state.rflags & 0x8d5, 0x55u);  // CF PF AF ZF set, SF OF clear
}

TEST_P(OracleTest, DivideByZeroRaisesDE) {
  MachineState in;
  in.gpr[0] = 7;
  Outcome out = run({0x48, 0xf7, 0xf3}, in);  // div rbx (rbx = 0)
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception->vector, 0);
  EXPECT_EQ(out.state.rip, kCodeAddress);
  EXPECT_EQ(out.state.gpr[0], 7u);
}

TEST_P(OracleTest, PushPopThroughTheStack) {
  MachineState in;
  in.gpr[0] = 0x1122334455667788;
  Outcome out = run({0x50, 0x5b}, in);  // push rax; pop rbx
  ASSERT_FALSE(out.exception);
  EXPECT_EQ(out.state.gpr[3], 0x1122334455667788u);
  EXPECT_EQ(out.state.gpr[4], kStackTop);
  const auto& data = out.state.memory.at(0).bytes;
  EXPECT_EQ(data[kStackTop - 8 - kDataAddress], 0x88);
}

TEST_P(OracleTest, UnmappedStoreRaisesPageFaultWithUserWriteError) {
  MachineState in;
  in.gpr[3] = 0x7000000;
  Outcome out = run({0x48, 0x89, 0x03}, in);  // mov [rbx], rax
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception->vector, 14);
  EXPECT_EQ(out.exception->error_code, 6u);  // not present, write, user
}

TEST_P(OracleTest, LoopCountsDown) {
  MachineState in;
  in.gpr[1] = 5;
  Outcome out = run({0x48, 0xff, 0xc0, 0xe2, 0xfb}, in);  // 1: inc rax; loop 1b
  ASSERT_FALSE(out.exception);
  EXPECT_EQ(out.state.gpr[0], 5u);
  EXPECT_EQ(out.state.gpr[1], 0u);
}

TEST_P(OracleTest, RepStosqFillsMemory) {
  MachineState in;
  in.gpr[0] = 0xabababababababab;
  in.gpr[1] = 4;
  in.gpr[7] = kDataAddress + 0x100;
  Outcome out = run({0xf3, 0x48, 0xab}, in);  // rep stosq
  ASSERT_FALSE(out.exception);
  EXPECT_EQ(out.state.gpr[1], 0u);
  EXPECT_EQ(out.state.gpr[7], kDataAddress + 0x120);
  EXPECT_EQ(out.state.memory.at(0).bytes[0x11f], 0xab);
  EXPECT_EQ(out.state.memory.at(0).bytes[0x120], 0x00);
}

INSTANTIATE_TEST_SUITE_P(Modes, OracleTest,
                         ::testing::Values(OrcvmConfig{Tier::Interpreter, false, false},
                                           OrcvmConfig{Tier::Jit, false, false},
                                           OrcvmConfig{Tier::Jit, true, false},
                                           OrcvmConfig{Tier::Jit, false, true}),
                         [](const auto& info) {
                           const OrcvmConfig& c = info.param;
                           std::string name = c.tier == Tier::Interpreter ? "interp" : "jit";
                           if (c.one_insn_per_block) name += "_oneinsn";
                           if (c.nochain) name += "_nochain";
                           return name;
                         });

}  // namespace
}  // namespace orcvm::difftest
