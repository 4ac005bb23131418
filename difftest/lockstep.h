#pragma once
// Lockstep: runs a guest in a candidate configuration of orcvm and in the reference
// (the interpreter, one instruction per block) side by side, comparing the full
// register state after every block the candidate runs.
#include <cstdint>
#include <string>
#include <vector>

#include "difftest/orcvm_oracle.h"

namespace orcvm::difftest {

struct LockstepReport {
  bool agree = true;
  uint64_t blocks_compared = 0;
  uint64_t instructions_compared = 0;
  std::string mismatch;  // the first difference, readable
  std::string end;       // how the guest stopped
};

LockstepReport lockstep_elf(const std::vector<uint8_t>& elf, const OrcvmConfig& candidate,
                            uint64_t max_blocks = 50'000'000);

}  // namespace orcvm::difftest
