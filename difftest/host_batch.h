#pragma once
// The host-CPU oracle for campaigns: the same guest layout and conventions as
// run_on_host (difftest/host_oracle.h), sharing its entry into a case and its capture
// of the exit (difftest/host_exec.h), but one long-lived child process runs many
// cases in a row. The child maps the code region and the data window once; for each
// case it copies the code and the window in, loads the registers and jumps to the
// code; every exit is a signal, whose handler records the state and siglongjmps back
// to the child's loop. Cases travel through shared memory; a pipe carries one byte per
// finished case, so the parent notices a case that hangs (it kills the child after
// kHostTimeout and starts another) or a child that dies. The child is forked once and
// again only after such an event, so a case costs a few microseconds instead of a fork.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "difftest/oracle_result.h"
#include "difftest/testcase.h"

namespace orcvm::difftest {

class HostBatch {
 public:
  static constexpr size_t kMaxBatch = 64;

  HostBatch();
  ~HostBatch();
  HostBatch(const HostBatch&) = delete;
  HostBatch& operator=(const HostBatch&) = delete;

  // Starts up to kMaxBatch cases in the child and returns at once; finish() waits for
  // them. The cases must stay alive until then.
  void start(const std::vector<const TestCase*>& cases);
  std::vector<OracleResult> finish();

  std::vector<OracleResult> run(const std::vector<const TestCase*>& cases);
  OracleResult run(const TestCase& test);

  uint64_t children_started() const { return children_started_; }

 private:
  struct Shared;
  void spawn();
  void stop_child();
  void send(uint32_t first, uint32_t count);

  Shared* shared_ = nullptr;
  size_t shared_size_ = 0;
  int pid_ = -1;
  int command_fd_ = -1;   // parent -> child
  int progress_fd_ = -1;  // child -> parent: one byte per finished case
  std::vector<const TestCase*> pending_;
  std::vector<std::optional<std::string>> rejected_;  // cases that could not be sent
  uint64_t children_started_ = 0;
};

}  // namespace orcvm::difftest
