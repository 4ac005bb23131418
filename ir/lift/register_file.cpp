#include "ir/lift/register_file.h"

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

RegisterFile::RegisterFile(llvm::IRBuilder<>& builder, llvm::Value* ctx, llvm::MDNode* tbaa_state)
    : b_(builder), ctx_(ctx), tbaa_state_(tbaa_state) {}

size_t RegisterFile::offset(unsigned slot) const {
  if (slot < kGprs) return offsetof(ExecContext, cpu.gpr) + 8 * slot;
  if (is_flag(slot)) return offsetof(ExecContext, cpu.cf) + (slot - kGprs);
  return offsetof(ExecContext, cpu.vec) + sizeof(CpuState::vec[0]) * (slot - kGprs - kFlags);
}

// Flags are i1 values here and bytes in CpuState.
llvm::Value* RegisterFile::read(unsigned slot) {
  Entry& entry = entries_[slot];
  if (entry.value) return entry.value;
  llvm::Type* type = slot < kGprs ? b_.getInt64Ty() : is_flag(slot) ? b_.getInt8Ty() : b_.getInt128Ty();
  auto* load = b_.CreateLoad(type, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), ctx_, offset(slot)));
  load->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
  entry = Entry{is_flag(slot) ? b_.CreateTrunc(load, b_.getInt1Ty()) : static_cast<llvm::Value*>(load), false};
  return entry.value;
}

void RegisterFile::write(unsigned slot, llvm::Value* value) { entries_[slot] = Entry{value, true}; }

void RegisterFile::store(unsigned slot, llvm::Value* value) {
  if (is_flag(slot)) value = b_.CreateZExt(value, b_.getInt8Ty());
  auto* store = b_.CreateStore(value, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), ctx_, offset(slot)));
  store->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
}

void RegisterFile::spill() {
  for (unsigned slot = 0; slot < kSlots; ++slot)
    if (entries_[slot].dirty) store(slot, entries_[slot].value);
}

void RegisterFile::sync() {
  spill();
  for (Entry& entry : entries_) entry.dirty = false;
}

}  // namespace orcvm
