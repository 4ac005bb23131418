#pragma once
// The guest registers a block lifts as SSA values: GPRs, the six status flags and
// the XMM registers. A read loads a register from CpuState once; a write only
// records the new value. Dirty values reach CpuState where something can observe
// them: `spill` on a cold path (a TLB miss, a fault, a block exit) stores them there
// and leaves them dirty for the hot path, which never stores; `sync` stores them on
// the main path before a helper call. So the hot path carries no stores of guest
// registers, and CpuState is exact wherever the runtime looks, as if every write had
// been stored in program order.
#include <llvm/IR/IRBuilder.h>

#include <array>
#include <cstddef>

#include "ir/semantics/emitter.h"

namespace orcvm {

class RegisterFile {
 public:
  static constexpr unsigned kGprs = 16, kFlags = 6, kXmms = 16;
  static constexpr unsigned kSlots = kGprs + kFlags + kXmms;
  static unsigned gpr_slot(unsigned n) { return n; }
  static unsigned flag_slot(sem::Flag f) { return kGprs + static_cast<unsigned>(f); }
  static unsigned xmm_slot(unsigned n) { return kGprs + kFlags + n; }

  RegisterFile(llvm::IRBuilder<>& builder, llvm::Value* ctx, llvm::MDNode* tbaa_state);

  llvm::Value* read(unsigned slot);
  void write(unsigned slot, llvm::Value* value);

  // Stores the dirty registers at the insertion point; they stay dirty.
  void spill();
  // Stores the dirty registers at the insertion point; they become clean.
  void sync();
  // Drops every value: the next read loads from CpuState (after code that may write it).
  void forget() { entries_ = {}; }

 private:
  struct Entry {
    llvm::Value* value = nullptr;
    bool dirty = false;
  };
  static bool is_flag(unsigned slot) { return slot >= kGprs && slot < kGprs + kFlags; }
  size_t offset(unsigned slot) const;
  void store(unsigned slot, llvm::Value* value);

  llvm::IRBuilder<>& b_;
  llvm::Value* ctx_;
  llvm::MDNode* tbaa_state_;
  std::array<Entry, kSlots> entries_{};
};

}  // namespace orcvm
