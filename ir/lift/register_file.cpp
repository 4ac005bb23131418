#include "ir/lift/register_file.h"

#include <llvm/IR/Module.h>

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

RegisterFile::RegisterFile(llvm::Module& module, llvm::IRBuilder<>& builder, llvm::Value* ctx,
                           llvm::MDNode* tbaa_state)
    : module_(module), b_(builder), ctx_(ctx), tbaa_state_(tbaa_state) {}

size_t RegisterFile::offset(unsigned slot) const {
  if (slot < kGprs) return offsetof(ExecContext, cpu.gpr) + 8 * slot;
  if (is_flag(slot)) return offsetof(ExecContext, cpu.cf) + (slot - kGprs);
  return offsetof(ExecContext, cpu.vec) + sizeof(CpuState::vec[0]) * (slot - kGprs - kFlags);
}

// Flags are i1 values here and bytes in CpuState.
llvm::Value* RegisterFile::read(unsigned slot) {
  Entry& entry = state_.entries[slot];
  if (entry.value) return entry.value;
  llvm::Type* type = slot < kGprs ? b_.getInt64Ty() : is_flag(slot) ? b_.getInt8Ty() : b_.getInt128Ty();
  auto* load = b_.CreateLoad(type, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), ctx_, offset(slot)));
  load->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
  entry = Entry{is_flag(slot) ? b_.CreateTrunc(load, b_.getInt1Ty()) : static_cast<llvm::Value*>(load), false};
  return entry.value;
}

void RegisterFile::write(unsigned slot, llvm::Value* value) { state_.entries[slot] = Entry{value, true}; }

void RegisterFile::flags_from(uint8_t op, llvm::Value* operand, llvm::Value* result) {
  state_.lazy = Lazy{op, operand, result, {}};
  for (unsigned f = 0; f < kFlags; ++f) state_.lazy.flags[f] = state_.entries[kGprs + f].value;
}

bool RegisterFile::holds_some_flags() const {
  unsigned held = 0;
  for (unsigned f = 0; f < kFlags; ++f) held += holds(kGprs + f);
  return held != 0 && held != kFlags;
}

void RegisterFile::store_state(llvm::Value* value, size_t offset) {
  auto* store = b_.CreateStore(value, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), ctx_, offset));
  store->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
}

void RegisterFile::store(unsigned slot, llvm::Value* value) {
  if (is_flag(slot)) value = b_.CreateZExt(value, b_.getInt8Ty());
  store_state(value, offset(slot));
}

// CpuState's flags are the six bytes with flags_op 0, or the lazy form, never a mix.
// A clean flag may be held in either form, so bytes are stored all six at once, with
// flags_op 0.
void RegisterFile::store_flags(bool lazy) {
  bool any_dirty = false, all_dirty = true, all_held = true, as_lazy = state_.lazy.op != 0;
  for (unsigned f = 0; f < kFlags; ++f) {
    const Entry& entry = state_.entries[kGprs + f];
    any_dirty |= entry.dirty;
    all_dirty &= entry.dirty;
    all_held &= entry.value != nullptr;
    as_lazy &= entry.value == state_.lazy.flags[f];
  }
  if (!any_dirty) return;
  if (lazy && all_dirty && as_lazy) {
    store_state(b_.getInt8(state_.lazy.op), offsetof(ExecContext, cpu.flags_op));
    store_state(state_.lazy.operand, offsetof(ExecContext, cpu.flags_operand));
    store_state(state_.lazy.result, offsetof(ExecContext, cpu.flags_result));
    return;
  }
  // Within an instruction that writes some flags (instructions end holding all six
  // or none): the others come from CpuState, as bytes.
  if (!all_held)
    b_.CreateCall(module_.getOrInsertFunction("orcvm_materialize_flags", b_.getVoidTy(), b_.getPtrTy()), {ctx_});
  for (unsigned slot = kGprs; slot < kGprs + kFlags; ++slot)
    if (state_.entries[slot].value) store(slot, state_.entries[slot].value);
  store_state(b_.getInt8(0), offsetof(ExecContext, cpu.flags_op));
}

void RegisterFile::store_dirty(bool lazy_flags) {
  for (unsigned slot = 0; slot < kSlots; ++slot)
    if (state_.entries[slot].dirty && !is_flag(slot)) store(slot, state_.entries[slot].value);
  store_flags(lazy_flags);
}

void RegisterFile::spill() { store_dirty(true); }

// A clean value is one CpuState holds as it is, so sync stores the flags as bytes.
void RegisterFile::sync() {
  store_dirty(false);
  for (Entry& entry : state_.entries) entry.dirty = false;
}

}  // namespace orcvm
