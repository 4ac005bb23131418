#pragma once
// Compiles hot blocks on a worker thread while the VCPU keeps interpreting them.
// The worker takes the hottest blocks waiting (up to kMaxBatch; the most recently
// queued among equally hot ones) and compiles them as one module. A block still
// waiting may be queued again, hotter, and moves ahead: in a backlog of lukewarm
// boot code the loops that run most are compiled first. A job
// copies what it needs from the block, so the block may be invalidated meanwhile;
// the VCPU installs finished code only into blocks that still exist.
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
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
  // finished: called on the worker after each batch, so that the VCPU installs it soon.
  BackgroundCompiler(Jit& jit, void* exit_stub, std::function<void()> finished);
  ~BackgroundCompiler();
  BackgroundCompiler(const BackgroundCompiler&) = delete;
  BackgroundCompiler& operator=(const BackgroundCompiler&) = delete;

  // heat: how hot the block is now (a higher value is compiled sooner).
  void enqueue(const TranslatedBlock& block, unsigned heat);
  std::vector<FinishedCompile> take_finished();

  static constexpr size_t kMaxBatch = 16;

 private:
  struct Waiting {
    std::vector<DecodedInsn> insns;
    BlockMode mode;
    uint64_t id;
    unsigned heat;
    uint64_t sequence;  // when it was last queued
  };
  std::vector<Waiting> take_hottest();
  void compile_waiting();

  Jit& jit_;
  void* exit_stub_;
  std::function<void()> finished_callback_;
  tbb::task_arena arena_{1, 0};  // one worker; the VCPU thread never joins it
  tbb::task_group group_;
  std::mutex mutex_;  // guards waiting_, worker_running_ and finished_
  std::unordered_map<uint64_t, Waiting> waiting_;  // by block id
  std::unordered_set<uint64_t> taken_;  // ids compiled or compiling: never queued again
  uint64_t sequence_ = 0;
  bool worker_running_ = false;
  std::atomic<bool> stopping_{false};
  std::vector<FinishedCompile> finished_;
  std::atomic<bool> has_finished_{false};
};

// Exit slots for a block's direct exits, each starting at the return-to-loop stub.
std::vector<std::unique_ptr<ExitSlot>> make_exit_slots(const std::vector<uint64_t>& targets, void* exit_stub);
// A BlockToCompile::allocate_exits that makes the slots into `slots` (which must
// outlive the compile) and gives the JIT their addresses.
std::function<std::vector<void*>(const std::vector<uint64_t>&)> exit_slot_allocator(
    std::vector<std::unique_ptr<ExitSlot>>& slots, void* exit_stub);

}  // namespace orcvm
