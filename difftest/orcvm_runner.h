#pragma once
// orcvm as a differential-test oracle, for campaigns: one Machine per runner, reused
// for every case, and its translations kept while consecutive cases have the same code
// (a generator family: one code, several input states), so the JIT compiles each code
// once. The machine is the KVM oracle's VM (difftest/kvm_setup.h), byte for byte: the
// same page tables, GDT (Linux's selectors), TSS, IDT and exception stubs, and segment
// registers (DS ES FS GS null), so that the hardware oracles and orcvm run a case in
// the same environment. orcvm delivers the case's exception through that IDT, as the
// hardware does, and the stub's HLT ends the run; the outcome is decoded from the
// exception frame exactly as the KVM oracle decodes it (kvm::decode_exit). So a
// campaign also tests exception delivery: gate checks (INT n to a DPL 0 gate is
// #GP(n*8+2)), the stack switch through TSS.RSP0 and the frame. The code is followed by
// UD2; reaching it is the normal end.
#include <cstdint>
#include <memory>
#include <vector>

#include "difftest/oracle_result.h"
#include "difftest/orcvm_oracle.h"
#include "difftest/testcase.h"

namespace orcvm {
class Machine;
}

namespace orcvm::difftest {

class OrcvmRunner {
 public:
  explicit OrcvmRunner(const OrcvmConfig& config, uint64_t instruction_budget = 1'000'000);
  ~OrcvmRunner();
  OrcvmRunner(const OrcvmRunner&) = delete;
  OrcvmRunner& operator=(const OrcvmRunner&) = delete;

  // Timeout: the instruction budget ran out; Error: a triple fault or anything the
  // frame decoding does not expect.
  OracleResult run(const TestCase& test);

  uint64_t translations_kept() const { return kept_; }
  uint64_t translations_discarded() const { return discarded_; }

 private:
  OrcvmConfig config_;
  uint64_t budget_;
  std::unique_ptr<Machine> machine_;
  std::vector<uint8_t> last_image_;  // the code pages as the last case started them
  uint64_t kept_ = 0, discarded_ = 0;
};

}  // namespace orcvm::difftest
