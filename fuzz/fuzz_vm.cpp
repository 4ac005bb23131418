// libFuzzer harness: random bytes as guest code, run by orcvm in a difftest VM
// (difftest/orcvm_runner.h: 64-bit user mode, code pages, a data window, an IDT whose
// stubs end the run) with an instruction budget. Whatever the bytes do, orcvm must end
// the run with an outcome, a timeout or a reported error: never a host crash, a
// sanitizer report or an uncaught exception.
#include <cstdint>
#include <cstring>
#include <memory>

#include "difftest/orcvm_runner.h"
#include "fuzz/instruction_budgets.h"

using namespace orcvm::difftest;
using orcvm::fuzz::kInterpreterBudget;
using orcvm::fuzz::kJitBudget;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<OrcvmRunner> interp, jit;
  if (!interp) {
    interp = std::make_unique<OrcvmRunner>(OrcvmConfig{.tier = Tier::Interpreter}, kInterpreterBudget);
    jit = std::make_unique<OrcvmRunner>(OrcvmConfig{.tier = Tier::Jit}, kJitBudget);
  }
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  ++data;
  --size;
  if (size > 4096) size = 4096;
  TestCase t;
  t.name = "fuzz";
  t.code.assign(data, data + size);
  // Registers that point into the data window now and then, so memory operands hit it.
  for (int i = 0; i < 16; ++i) t.input.gpr[i] = (flags & 2) ? kDataAddress + 0x100 * (i + 1) : 0;
  t.input.gpr[4] = kStackTop - 0x100;
  t.input.rflags = 0x202 | ((flags & 4) ? 0x40000 : 0) | ((flags & 8) ? 0x400 : 0);  // AC, DF
  OracleResult r = ((flags & 1) ? *jit : *interp).run(t);
  (void)r;
  return 0;
}
