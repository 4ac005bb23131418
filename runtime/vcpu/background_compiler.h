#pragma once
// Compiles hot blocks on a worker thread while the VCPU keeps interpreting them.
// A job copies what it needs from the block, so the block may be invalidated
// meanwhile; the VCPU installs finished code only into blocks that still exist.
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "jit/jit.h"
#include "runtime/tcache/block.h"

namespace orcvm {

struct FinishedCompile {
  uint64_t block_id;
  CompiledBlock code;
  std::vector<std::unique_ptr<ExitSlot>> exits;  // owner is set when installed
};

class BackgroundCompiler {
 public:
  BackgroundCompiler(Jit& jit, void* exit_stub);
  ~BackgroundCompiler();
  BackgroundCompiler(const BackgroundCompiler&) = delete;
  BackgroundCompiler& operator=(const BackgroundCompiler&) = delete;

  void enqueue(const TranslatedBlock& block);
  std::vector<FinishedCompile> take_finished();

 private:
  Jit& jit_;
  void* exit_stub_;
  tbb::task_arena arena_{1, 0};  // one worker; the VCPU thread never joins it
  tbb::task_group group_;
  std::mutex mutex_;
  std::vector<FinishedCompile> finished_;
  std::atomic<bool> has_finished_{false};
};

// Exit slots for a block's direct exits, each starting at the return-to-loop stub.
std::vector<std::unique_ptr<ExitSlot>> make_exit_slots(const std::vector<uint64_t>& targets, void* exit_stub);

}  // namespace orcvm
