#include "runtime/vcpu/background_compiler.h"

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

BackgroundCompiler::BackgroundCompiler(Jit& jit, void* exit_stub) : jit_(jit), exit_stub_(exit_stub) {}

// Compiles not yet started are dropped; a running one is waited for.
BackgroundCompiler::~BackgroundCompiler() {
  arena_.execute([this] {
    group_.cancel();
    group_.wait();
  });
}

void BackgroundCompiler::enqueue(const TranslatedBlock& block) {
  auto insns = std::make_shared<std::vector<DecodedInsn>>(block.insns);
  const BlockMode mode = block.mode;
  const uint64_t id = block.id;
  arena_.execute([this, insns, mode, id] {
    group_.run([this, insns, mode, id] {
      FinishedCompile done;
      done.block_id = id;
      BlockToCompile request{insns.get(), mode, id, [&](const std::vector<uint64_t>& targets) {
                               done.exits = make_exit_slots(targets, exit_stub_);
                               std::vector<void*> addresses;
                               for (auto& slot : done.exits) addresses.push_back(slot.get());
                               return addresses;
                             }};
      done.code = jit_.compile(request);
      std::lock_guard lock(mutex_);
      finished_.push_back(std::move(done));
      has_finished_.store(true, std::memory_order_release);
    });
  });
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
