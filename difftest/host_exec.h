#pragma once
// What the two host-CPU oracles have in common: run_on_host (difftest/host_oracle.h)
// forks a child per case, HostBatch (difftest/host_batch.h) keeps one child for many
// cases, but both enter a case the same way, catch its exit as the same signals, accept
// the same cases, turn an exit into an Outcome the same way and explain a child that
// ended without reporting in the same words. Keeping this in one place keeps the two
// oracles in agreement (compare_test checks that they produce the same outcomes).
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "difftest/testcase.h"

namespace orcvm::difftest {

// Placed after the case's code: reaching it (SIGILL at its address) is the normal end.
inline constexpr uint8_t kUd2[] = {0x0f, 0x0b};

// What the signal handler records when a case exits: its registers, the signal, and the
// vector and error code the kernel saw (REG_TRAPNO, REG_ERR).
struct HostExit {
  uint64_t gpr[16];  // MachineState::gpr order
  uint64_t rip;
  uint64_t rflags;
  uint64_t xmm[16][2];
  uint64_t mxcsr;
  uint64_t signal;
  uint64_t trapno;
  uint64_t error_code;
};

// Exit statuses of a child that could not set up the guest layout.
enum HostChildFailure : int { kCodeMapFailed = 101, kDataMapFailed, kAltStackFailed, kSigactionFailed };

// Why the case cannot run in the host layout (its RIP, code size or input memory), or
// nothing when it can.
std::optional<std::string> host_case_problem(const TestCase& test);

// ---- In the child. Only system calls and memcpy: the parent may have other threads,
// which may have held the malloc lock when it forked.

// Maps the data window at kDataAddress, zero-filled and writable; _exits with
// kDataMapFailed when it cannot (the address is in use).
uint8_t* map_data_window();

// Called from the signal handler, on the alternate stack with AC clear, with the exit
// it recorded. It must not return (the case would be resumed): it ends the child or
// siglongjmps out of the handler.
using CaseExitHandler = void (*)(const HostExit& case_exit);

// Installs on_case_exit for every signal a case's exit raises, on an alternate stack;
// _exits with a HostChildFailure when it cannot.
void catch_case_exits(CaseExitHandler on_case_exit);

// The registers a case starts with.
struct CaseRegisters {
  uint64_t gpr[16];
  uint64_t rflags;
  uint64_t xmm[16][2];
  uint32_t mxcsr;
};
CaseRegisters case_registers(const MachineState& input);

// Loads MXCSR, XMM0-15, RFLAGS and the 16 GPRs and jumps to kCodeAddress; the case's
// exit signal ends up in the handler given to catch_case_exits. TF is not loaded: it
// would trap inside the entry code rather than in the case.
[[noreturn]] void enter_case(const CaseRegisters& registers);

// ---- In the parent.

// The outcome of a case that exited with `case_exit` and whose data window (kDataSize bytes)
// was left as `window`.
Outcome outcome_of(const HostExit& case_exit, const uint8_t* window, const TestCase& test);

// Why a child ended without reporting its case, from its wait status: "the child ...".
std::string describe_child_end(int wait_status);

// Reaps the child; returns its wait status.
int wait_for_child(pid_t pid);

}  // namespace orcvm::difftest
