#pragma once
// Runs a test case inside orcvm: identity-mapped user pages at the case's addresses,
// CPL 3, IOPL 0, 64-bit mode. The case's code is followed by UD2; reaching it ends
// the run normally (the same convention the host oracle uses).
#include "difftest/testcase.h"

namespace orcvm {
struct CpuState;
struct MachineConfig;
}  // namespace orcvm

namespace orcvm::difftest {

enum class Tier { Interpreter, Jit };

struct OrcvmConfig {
  Tier tier = Tier::Jit;
  bool one_insn_per_block = false;
  bool nochain = false;
  uint64_t* executed_mnemonics = nullptr;  // interpreter coverage counters (per Mnemonic)
};

Outcome run_in_orcvm(const TestCase& test, const OrcvmConfig& config);

// What run_in_orcvm and the campaign runner (difftest/orcvm_runner.h) set up alike; each
// adds its own paging, segments and exception handling.

// A machine for running cases under `config`: a few MiB of RAM, no serial port,
// instructions counted (the budget that ends an endless loop).
MachineConfig case_machine_config(const OrcvmConfig& config);

// Resets the CPU to the case's input registers (the XMM registers and MXCSR too) in
// 64-bit user mode as Linux runs a process, like the host oracle: CPL 3, IOPL 0, IF
// set, TF clear, CR0 with paging and alignment checking (AM). CR3, CR4, EFER and the
// segments are left to the caller.
void reset_to_user_mode(CpuState& cpu, const MachineState& input);
// The XMM registers and MXCSR an outcome reports.
void read_sse_state(const CpuState& cpu, MachineState& out);

}  // namespace orcvm::difftest
