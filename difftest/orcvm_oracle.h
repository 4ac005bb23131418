#pragma once
// Runs a test case inside orcvm: identity-mapped user pages at the case's addresses,
// CPL 3, IOPL 0, 64-bit mode. The case's code is followed by UD2; reaching it ends
// the run normally (the same convention the host oracle uses).
#include "difftest/testcase.h"

namespace orcvm::difftest {

enum class Tier { Interpreter, Jit };

struct OrcvmConfig {
  Tier tier = Tier::Jit;
  bool one_insn_per_block = false;
  bool nochain = false;
  uint64_t* executed_mnemonics = nullptr;  // interpreter coverage counters (per Mnemonic)
};

Outcome run_in_orcvm(const TestCase& test, const OrcvmConfig& config);

}  // namespace orcvm::difftest
