// The host-CPU oracle (difftest/host_oracle.h): how it ends runs, and how it fails.
#include <gtest/gtest.h>

#include <chrono>

#include "difftest/host_oracle.h"

namespace orcvm::difftest {
namespace {

TestCase make_case(std::vector<uint8_t> code) {
  TestCase t;
  t.name = "t";
  t.code = std::move(code);
  t.input.gpr[4] = kStackTop;
  return t;
}

TEST(HostOracle, ReportsTheStateAtTheEnd) {
  TestCase t = make_case({0x48, 0x01, 0xd8, 0x50});  // add rax, rbx; push rax
  t.input.gpr[0] = 0x40;
  t.input.gpr[3] = 2;
  t.input.gpr[15] = 0xf00f;
  t.input.memory.push_back({0x20010, {1, 2, 3}});
  Outcome o = run_on_host(t);
  EXPECT_FALSE(o.exception);
  EXPECT_EQ(o.state.rip, kCodeAddress + 4);
  EXPECT_EQ(o.state.gpr[0], 0x42u);
  EXPECT_EQ(o.state.gpr[4], kStackTop - 8);
  EXPECT_EQ(o.state.gpr[15], 0xf00fu);
  EXPECT_EQ(o.state.rflags, 0x206u);  // PF from the ADD
  ASSERT_EQ(o.state.memory.size(), 1u);
  const MemoryChunk& window = o.state.memory[0];
  EXPECT_EQ(window.address, kDataAddress);
  ASSERT_EQ(window.bytes.size(), kDataSize);
  EXPECT_EQ(window.bytes[0x10], 1);
  EXPECT_EQ(window.bytes[0x12], 3);
  EXPECT_EQ(window.bytes[kDataSize - 8], 0x42);
}

TEST(HostOracle, TurnsFaultsIntoExceptionRecords) {
  TestCase divide = make_case({0x48, 0xf7, 0xf1});  // div rcx, with rcx = 0
  EXPECT_EQ(run_on_host(divide).exception, (ExceptionRecord{0, 0}));
  TestCase store = make_case({0x89, 0x03});  // mov [rbx], eax
  store.input.gpr[3] = 0x40000;
  Outcome o = run_on_host(store);
  EXPECT_EQ(o.exception, (ExceptionRecord{14, 6}));
  EXPECT_EQ(o.state.rip, kCodeAddress);
  EXPECT_EQ(o.state.rflags & (1u << 16), 0u) << "RF is an artefact of the fault and is dropped";
}

TEST(HostOracle, AnUd2InTheCaseIsAnExceptionNotTheEnd) {
  EXPECT_EQ(run_on_host(make_case({0x0f, 0x0b, 0x90})).exception, (ExceptionRecord{6, 0}));
}

TEST(HostOracle, RunsWithAlignmentCheckingAndDirectionFlagSet) {
  TestCase t = make_case({0x90});
  t.input.rflags = 0x202 | (1u << 18) | (1u << 10);
  Outcome o = run_on_host(t);
  EXPECT_FALSE(o.exception);
  EXPECT_EQ(o.state.rflags, t.input.rflags);
}

TEST(HostOracle, KillsAnInfiniteLoop) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(run_on_host(make_case({0xeb, 0xfe})), HostOracleTimeout);  // jmp $
  EXPECT_LT(std::chrono::steady_clock::now() - start, kHostTimeout + std::chrono::seconds(1));
}

TEST(HostOracle, ReportsAChildThatExitsWithoutReporting) {
  // mov eax, 60; mov edi, 3; syscall  (exit(3))
  TestCase t = make_case({0xb8, 0x3c, 0, 0, 0, 0xbf, 3, 0, 0, 0, 0x0f, 0x05});
  try {
    run_on_host(t);
    FAIL() << "expected HostOracleError";
  } catch (const HostOracleTimeout&) {
    FAIL() << "reported as a timeout";
  } catch (const HostOracleError& e) {
    EXPECT_NE(std::string(e.what()).find("exited with status 3"), std::string::npos) << e.what();
  }
}

TEST(HostOracle, RefusesMemoryOutsideTheDataWindow) {
  TestCase t = make_case({0x90});
  t.input.memory.push_back({kDataAddress + kDataSize - 1, {1, 2}});
  EXPECT_THROW(run_on_host(t), HostOracleError);
}

}  // namespace
}  // namespace orcvm::difftest
