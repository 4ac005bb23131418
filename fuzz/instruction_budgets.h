#pragma once
// How many guest instructions one run of a VM harness (fuzz_vm, fuzz_system) may
// execute, per tier. The budget is what keeps every input within libFuzzer's timeout:
// the JIT compiles every block it meets, up to 0.2 s for 64 memory instructions under
// ASan (zero bytes decode as ADD [RAX], AL), so its budget allows a few such blocks, not
// 300. The interpreter costs microseconds per instruction.
#include <cstdint>

namespace orcvm::fuzz {

constexpr int64_t kInterpreterBudget = 20000;
constexpr int64_t kJitBudget = 256;

}  // namespace orcvm::fuzz
