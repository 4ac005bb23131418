#pragma once
// What an oracle reports for one case: an outcome, or why there is none.
#include <string>

#include "difftest/testcase.h"

namespace orcvm::difftest {

struct OracleResult {
  enum class Status {
    Ok,       // outcome is valid
    Timeout,  // the case did not end (host: kHostTimeout; orcvm: the instruction budget)
    Error,    // the oracle failed (setup, a child that died, a KVM exit it cannot decode)
  } status = Status::Ok;
  Outcome outcome;
  std::string message;
};

}  // namespace orcvm::difftest
