#pragma once
// The guest registers a block lifts as SSA values: GPRs, the six status flags and
// the XMM registers. A read loads a register from CpuState once; a write only
// records the new value. Dirty values reach CpuState where something can observe
// them: `spill` on a cold path (a TLB miss, a fault, a block exit) stores them there
// and leaves them dirty for the hot path, which never stores; `sync` stores them on
// the main path before a helper call. So the hot path carries no stores of guest
// registers, and CpuState is exact wherever the runtime looks, as if every write had
// been stored in program order. An exit or cold path that finds all six flags written
// by one instruction with a lazy form (ir/semantics/lazy_flags.h) stores that form.
#include <llvm/IR/IRBuilder.h>

#include <array>
#include <cstddef>

#include "ir/semantics/emitter.h"
#include "ir/semantics/lazy_flags.h"

namespace orcvm {

class RegisterFile {
 public:
  static constexpr unsigned kGprs = 16, kFlags = 6, kXmms = 16;
  static constexpr unsigned kSlots = kGprs + kFlags + kXmms;
  static unsigned gpr_slot(unsigned n) { return n; }
  static unsigned flag_slot(sem::Flag f) { return kGprs + static_cast<unsigned>(f); }
  static unsigned xmm_slot(unsigned n) { return kGprs + kFlags + n; }

  RegisterFile(llvm::Module& module, llvm::IRBuilder<>& builder, llvm::Value* ctx, llvm::MDNode* tbaa_state);

  bool holds(unsigned slot) const { return state_.entries[slot].value != nullptr; }
  // Loads a register not held; a flag only when CpuState's flags are bytes.
  llvm::Value* read(unsigned slot);
  void write(unsigned slot, llvm::Value* value);
  // Holds `value`, which CpuState holds too (loaded by the caller).
  void load_value(unsigned slot, llvm::Value* value) { state_.entries[slot] = Entry{value, false}; }
  // The six flags just written are those of lazy operation `op` on (operand, result).
  void flags_from(uint8_t op, llvm::Value* operand, llvm::Value* result);
  // Some flags held and some not (after an instruction that writes only some).
  bool holds_some_flags() const;

  // Stores the dirty registers at the insertion point; they stay dirty.
  void spill();
  // Stores the dirty registers at the insertion point; they become clean.
  void sync();
  // Drops every value: the next read loads from CpuState (after code that may write it).
  void forget() { state_ = {}; }

  struct Entry {
    llvm::Value* value = nullptr;
    bool dirty = false;
  };
  struct Lazy {
    uint8_t op = 0;
    llvm::Value* operand = nullptr;
    llvm::Value* result = nullptr;
    std::array<llvm::Value*, kFlags> flags{};  // the values it stands for
  };
  struct State {
    std::array<Entry, kSlots> entries{};
    Lazy lazy;
  };
  const State& state() const { return state_; }
  void restore(const State& state) { state_ = state; }

 private:
  static bool is_flag(unsigned slot) { return slot >= kGprs && slot < kGprs + kFlags; }
  size_t offset(unsigned slot) const;
  void store(unsigned slot, llvm::Value* value);
  void store_state(llvm::Value* value, size_t offset);
  // Stores the dirty flags; `lazy` allows the lazy form.
  void store_flags(bool lazy);
  void store_dirty(bool lazy_flags);

  llvm::Module& module_;
  llvm::IRBuilder<>& b_;
  llvm::Value* ctx_;
  llvm::MDNode* tbaa_state_;
  State state_;
};

}  // namespace orcvm
