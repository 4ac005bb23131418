#pragma once
// The oracles behind one interface, by name:
//   host     the host CPU (difftest/host_batch.h: a long-lived child running cases natively)
//   kvm      a minimal VM through /dev/kvm (difftest/kvm_oracle.h); unavailable without it
//            (and where /dev/kvm is kvm-pvm, software virtualization)
//   kvm-pvm  the same VM on kvm-pvm too
//   interp   orcvm's interpreter tier
//   jit      orcvm's LLVM tier, normal blocks, chained
//   oneinsn  the LLVM tier with one instruction per block
//   nochain  the LLVM tier with chaining off (direct and indirect)
// Hardware oracles show what the processor does; orcvm oracles are what is tested.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "difftest/oracle_result.h"
#include "difftest/testcase.h"

namespace orcvm::difftest {

enum class OracleKind { Hardware, Orcvm };

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual const std::string& name() const = 0;
  virtual OracleKind kind() const = 0;
  // Why the oracle cannot run here ("no /dev/kvm"); empty when it can.
  virtual std::string unavailable() const { return {}; }

  // Runs the cases (in order); start() may return before they are done (the host
  // oracle runs them in its child meanwhile) and finish() collects the results.
  virtual void start(const std::vector<const TestCase*>& cases);
  virtual std::vector<OracleResult> finish();
  virtual OracleResult run(const TestCase& test) = 0;

  std::vector<OracleResult> run_all(const std::vector<const TestCase*>& cases);

 private:
  std::vector<const TestCase*> pending_;
};

// "host", "kvm", "interp", "jit", "oneinsn", "nochain"; throws std::invalid_argument
// for any other name.
std::unique_ptr<Oracle> make_oracle(std::string_view name);
const std::vector<std::string>& oracle_names();

}  // namespace orcvm::difftest
