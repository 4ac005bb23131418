#pragma once
// The KVM oracle: runs a case in a minimal VM through /dev/kvm (difftest/kvm_setup.h
// describes the VM). Where /dev/kvm is missing or unusable, unavailable() says why
// ("no /dev/kvm") and every run reports that as an error.
//
// /dev/kvm may be kvm-pvm (Pagetable-based Virtual Machine: KVM without VMX/SVM, as in
// nested clouds). Its guest runs on the CPU, but PVM emulates some instructions itself
// (descriptor-table instructions, IRET, INT n, and an instruction whose memory operand
// faulted) and differs from the processor there. It is not used unless asked for
// (allow_pvm, the "kvm-pvm" oracle); the "kvm" oracle reports it as unavailable.
#include <memory>
#include <string>

#include "difftest/oracle_result.h"
#include "difftest/testcase.h"

namespace orcvm::difftest {

class KvmOracle {
 public:
  explicit KvmOracle(const char* device = "/dev/kvm", bool allow_pvm = false);
  static bool device_is_pvm();
  ~KvmOracle();
  KvmOracle(const KvmOracle&) = delete;
  KvmOracle& operator=(const KvmOracle&) = delete;

  // Empty when the VM exists; else why not ("no /dev/kvm", "KVM_CREATE_VM: ...").
  const std::string& unavailable() const { return unavailable_; }
  OracleResult run(const TestCase& test);

 private:
  struct Vm;
  std::unique_ptr<Vm> vm_;
  std::string unavailable_;
};

}  // namespace orcvm::difftest
