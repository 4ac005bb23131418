#pragma once
// The host-CPU oracle: runs a test case natively in a forked child process that maps
// the guest layout (code at kCodeAddress, the data window at kDataAddress) at the same
// addresses, loads the case's 16 GPRs and RFLAGS, and jumps to the code. Every exit is
// a signal: the UD2 placed after the code is the normal end, any other signal is the
// case's exception, with the vector and error code the kernel saw (REG_TRAPNO, REG_ERR).
//
// What the host can express, and what it cannot:
//  - vectors the kernel reports to user space: #DE, #DB, #BP, #UD, #SS, #GP, #PF, #AC
//    (see tests/insn/README.md for the signals and codes observed on this machine);
//  - RFLAGS.RF is dropped from the outcome: the CPU sets it in the frame it pushes for a
//    fault, which is an artefact of catching the exit, not guest-visible state;
//  - the case's code must not make system calls (SYSCALL, INT 0x80): they would act on
//    the child process itself.
#include <chrono>
#include <stdexcept>

#include "difftest/testcase.h"

namespace orcvm::difftest {

// No outcome could be produced: a setup failure in the child, or a child that died
// without reporting (e.g. the case made an exit system call).
class HostOracleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The case did not reach its end or an exception within kHostTimeout (an infinite loop);
// the child was killed. Thrown rather than encoded as an exception record because no
// architectural event corresponds to it.
class HostOracleTimeout : public HostOracleError {
 public:
  using HostOracleError::HostOracleError;
};

constexpr std::chrono::milliseconds kHostTimeout{2000};

// Safe to call from several threads; each call forks one child.
Outcome run_on_host(const TestCase& test);

}  // namespace orcvm::difftest
