#include "runtime/vcpu/background_compiler.h"

#include <pthread.h>

#include <algorithm>

namespace orcvm {

std::vector<std::unique_ptr<ExitSlot>> make_exit_slots(const std::vector<uint64_t>& targets, void* exit_stub) {
  std::vector<std::unique_ptr<ExitSlot>> slots;
  for (uint64_t target : targets) {
    auto slot = std::make_unique<ExitSlot>();
    slot->target.store(exit_stub);
    slot->target_rip = target;
    slot->owner = nullptr;
    slots.push_back(std::move(slot));
  }
  return slots;
}

std::function<std::vector<void*>(const std::vector<uint64_t>&)> exit_slot_allocator(
    std::vector<std::unique_ptr<ExitSlot>>& slots, void* exit_stub) {
  return [&slots, exit_stub](const std::vector<uint64_t>& targets) {
    slots = make_exit_slots(targets, exit_stub);
    std::vector<void*> addresses;
    for (auto& slot : slots) addresses.push_back(slot.get());
    return addresses;
  };
}

BackgroundCompiler::BackgroundCompiler(Jit& jit, void* exit_stub, std::function<void()> finished)
    : jit_(jit), exit_stub_(exit_stub), finished_callback_(std::move(finished)) {}

// Blocks still waiting are dropped; a running batch is waited for.
BackgroundCompiler::~BackgroundCompiler() {
  stopping_.store(true);
  arena_.execute([this] { group_.wait(); });
}

void BackgroundCompiler::enqueue(const TranslatedBlock& block, unsigned heat) {
  {
    std::lock_guard lock(mutex_);
    if (taken_.count(block.id)) return;
    auto [it, added] = waiting_.try_emplace(block.id);
    if (added) it->second = Waiting{block.insns, block.mode, block.id, heat, 0};
    it->second.heat = std::max(it->second.heat, heat);
    it->second.sequence = ++sequence_;
    if (worker_running_) return;
    worker_running_ = true;
  }
  arena_.execute([this] { group_.run([this] { compile_waiting(); }); });
}

// Under mutex_.
std::vector<BackgroundCompiler::Waiting> BackgroundCompiler::take_hottest() {
  std::vector<const Waiting*> all;
  all.reserve(waiting_.size());
  for (const auto& [id, w] : waiting_) all.push_back(&w);
  const size_t n = std::min(all.size(), kMaxBatch);
  std::partial_sort(all.begin(), all.begin() + n, all.end(), [](const Waiting* a, const Waiting* b) {
    return a->heat != b->heat ? a->heat > b->heat : a->sequence > b->sequence;
  });
  std::vector<Waiting> batch;
  for (size_t i = 0; i < n; ++i) {
    taken_.insert(all[i]->id);
    auto node = waiting_.extract(all[i]->id);
    batch.push_back(std::move(node.mapped()));
  }
  return batch;
}

void BackgroundCompiler::compile_waiting() {
  pthread_setname_np(pthread_self(), "orcvm-jit");  // for perf and top: TBB's workers are anonymous
  while (!stopping_.load()) {
    std::vector<Waiting> batch;
    {
      std::lock_guard lock(mutex_);
      if (waiting_.empty()) {
        worker_running_ = false;
        return;
      }
      batch = take_hottest();
    }
    std::vector<FinishedCompile> done(batch.size());
    std::vector<BlockToCompile> requests;
    for (size_t b = 0; b < batch.size(); ++b) {
      done[b].block_id = batch[b].id;
      requests.push_back(
          BlockToCompile{&batch[b].insns, batch[b].mode, batch[b].id, exit_slot_allocator(done[b].exits, exit_stub_)});
    }
    std::vector<CompiledBlock> code = jit_.compile_batch(requests);
    for (size_t b = 0; b < batch.size(); ++b) done[b].code = std::move(code[b]);
    {
      std::lock_guard lock(mutex_);
      for (FinishedCompile& f : done) finished_.push_back(std::move(f));
      has_finished_.store(true, std::memory_order_release);
    }
    if (finished_callback_) finished_callback_();
  }
  std::lock_guard lock(mutex_);
  worker_running_ = false;
}

std::vector<FinishedCompile> BackgroundCompiler::take_finished() {
  std::vector<FinishedCompile> taken;
  if (!has_finished_.load(std::memory_order_acquire)) return taken;
  std::lock_guard lock(mutex_);
  taken.swap(finished_);
  has_finished_.store(false, std::memory_order_release);
  return taken;
}

}  // namespace orcvm
