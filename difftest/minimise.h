#pragma once
// The minimiser: shrinks a failing case while it still fails. It drops instructions
// (branches are re-targeted and their displacements patched, difftest/code.h), resets
// registers to their defaults or simpler values (0, fewer significant bits), resets
// RFLAGS, and drops or zeroes input memory, keeping each step only if the case still
// fails. Deterministic; bounded by max_runs calls of still_fails.
#include <functional>

#include "difftest/testcase.h"

namespace orcvm::difftest {

using StillFails = std::function<bool(const TestCase&)>;

struct MinimiseStats {
  int runs = 0;
  size_t instructions_before = 0, instructions_after = 0;
  size_t memory_bytes_before = 0, memory_bytes_after = 0;
};

TestCase minimise(const TestCase& failing, const StillFails& still_fails, int max_runs = 600,
                  MinimiseStats* stats = nullptr);

}  // namespace orcvm::difftest
