#include "ir/lift/llvm_emitter.h"

#include <llvm/IR/Intrinsics.h>

#include "runtime/softmmu/mmu.h"

namespace orcvm {

namespace {
llvm::FunctionCallee declare(llvm::Module& m, const char* name, llvm::Type* ret, llvm::ArrayRef<llvm::Type*> args) {
  return m.getOrInsertFunction(name, llvm::FunctionType::get(ret, args, false));
}

// Accesses to CpuState and to guest memory get two TBAA types, so LLVM knows that
// a guest store never writes a guest register.
llvm::MDNode* tbaa_tag(llvm::LLVMContext& llctx, const char* type_name) {
  llvm::MDBuilder md(llctx);
  llvm::MDNode* type = md.createTBAAScalarTypeNode(type_name, md.createTBAARoot("orcvm"));
  return md.createTBAAStructTagNode(type, type, 0);
}
}  // namespace

std::string exit_slot_symbol(const std::string& block_name, size_t index) {
  return block_name + "_exit" + std::to_string(index);
}

LlvmEmitter::LlvmEmitter(llvm::Module& module, llvm::Function* fn, BlockMode mode, uint64_t block_id,
                         const LiftOptions& options)
    : module_(module),
      llctx_(module.getContext()),
      fn_(fn),
      b_(llvm::BasicBlock::Create(module.getContext(), "entry", fn)),
      ctx_(fn->getArg(0)),
      mode_(mode),
      block_id_(block_id),
      options_(options),
      tbaa_state_(tbaa_tag(llctx_, "vcpu state")),
      tbaa_guest_(tbaa_tag(llctx_, "guest memory")),
      regs_(module, b_, ctx_, tbaa_state_) {
  block_type_ = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy()}, false);
}

llvm::BasicBlock* LlvmEmitter::new_block(const char* name) {
  return llvm::BasicBlock::Create(llctx_, name, fn_);
}

llvm::Value* LlvmEmitter::state_ptr(size_t offset) {
  return b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), ctx_, offset);
}

llvm::Value* LlvmEmitter::load_state(llvm::Type* type, size_t offset) {
  auto* load = b_.CreateLoad(type, state_ptr(offset));
  load->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
  return load;
}

void LlvmEmitter::store_state(llvm::Value* v, size_t offset) {
  auto* store = b_.CreateStore(v, state_ptr(offset));
  store->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
}

LlvmEmitter::Value<1> LlvmEmitter::get_df() {
  llvm::Value* flags = load_state(ty<64>(), offsetof(ExecContext, cpu.rflags));
  return {b_.CreateICmpNE(b_.CreateAnd(flags, rflags::DF), b_.getInt64(0))};
}

void LlvmEmitter::set_df(Value<1> v) {
  llvm::Value* flags = load_state(ty<64>(), offsetof(ExecContext, cpu.rflags));
  llvm::Value* cleared = b_.CreateAnd(flags, ~rflags::DF);
  store_state(b_.CreateOr(cleared, b_.CreateShl(b_.CreateZExt(v.v, ty<64>()), 10)),
              offsetof(ExecContext, cpu.rflags));
}

void LlvmEmitter::load_flags() {
  std::array<bool, RegisterFile::kFlags> held;
  std::array<llvm::Value*, RegisterFile::kFlags> lazy_values, eager_values;
  for (unsigned f = 0; f < RegisterFile::kFlags; ++f) held[f] = regs_.holds(RegisterFile::kGprs + f);
  llvm::Value* op = load_state(ty<8>(), offsetof(ExecContext, cpu.flags_op));
  llvm::BasicBlock* lazy = new_block("lazy_flags");
  llvm::BasicBlock* eager = new_block("eager_flags");
  llvm::BasicBlock* join = new_block("flags_loaded");
  b_.CreateCondBr(b_.CreateICmpNE(op, b_.getInt8(0)), lazy, eager);
  b_.SetInsertPoint(lazy);
  const RegisterFile::State saved = regs_.state();
  sem::set_flags_from_lazy(*this, Value<64>{b_.CreateZExt(op, ty<64>())},
                           Value<64>{load_state(ty<64>(), offsetof(ExecContext, cpu.flags_operand))},
                           Value<64>{load_state(ty<64>(), offsetof(ExecContext, cpu.flags_result))});
  for (unsigned f = 0; f < RegisterFile::kFlags; ++f) lazy_values[f] = regs_.read(RegisterFile::kGprs + f);
  regs_.restore(saved);
  b_.CreateBr(join);
  b_.SetInsertPoint(eager);
  for (unsigned f = 0; f < RegisterFile::kFlags; ++f)
    if (!held[f]) eager_values[f] = regs_.read(RegisterFile::kGprs + f);
  regs_.restore(saved);
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  // Clean: CpuState still holds them, as bytes or in the lazy form.
  for (unsigned f = 0; f < RegisterFile::kFlags; ++f) {
    if (held[f]) continue;
    llvm::PHINode* phi = b_.CreatePHI(ty<1>(), 2);
    phi->addIncoming(lazy_values[f], lazy);
    phi->addIncoming(eager_values[f], eager);
    regs_.load_value(RegisterFile::kGprs + f, phi);
  }
}

void LlvmEmitter::emit_block_entry(unsigned insn_count) {
  llvm::BasicBlock* body = new_block("body");
  llvm::BasicBlock* leave = new_block("leave");
  b_.CreateCondBr(exit_requested(), leave, body);
  b_.SetInsertPoint(leave);
  b_.CreateRetVoid();  // RIP already holds this block's address
  b_.SetInsertPoint(body);
  if (mode_.counting()) {
    llvm::Value* budget = load_state(ty<64>(), offsetof(ExecContext, budget));
    llvm::BasicBlock* run = new_block("run");
    llvm::BasicBlock* out = new_block("budget_out");
    b_.CreateCondBr(b_.CreateICmpSLE(budget, b_.getInt64(0)), out, run);
    b_.SetInsertPoint(out);
    b_.CreateRetVoid();
    b_.SetInsertPoint(run);
    store_state(b_.CreateSub(budget, b_.getInt64(insn_count)), offsetof(ExecContext, budget));
  }
}

llvm::Value* LlvmEmitter::exit_requested() {
  auto* load = b_.CreateLoad(ty<32>(), state_ptr(offsetof(ExecContext, exit_request)));
  load->setAtomic(llvm::AtomicOrdering::Monotonic);
  load->setAlignment(llvm::Align(4));
  return b_.CreateICmpNE(load, b_.getInt32(0));
}

void LlvmEmitter::begin_instruction(const DecodedInsn& insn) {
  insn_ = &insn;
  needs_stop_check_ = false;
}

// A store that rewrote translated code asks the block to stop once this
// instruction is complete (only slow-path stores and helpers can do it).
void LlvmEmitter::end_instruction() {
  if (terminated_) {
    close_unreachable_tail();
    return;
  }
  if (regs_.holds_some_flags()) load_flags();
  if (!needs_stop_check_) return;
  llvm::Value* stop = load_state(ty<32>(), offsetof(ExecContext, stop_after_insn));
  llvm::BasicBlock* leave = new_block("code_written");
  llvm::BasicBlock* next = new_block("next");
  b_.CreateCondBr(b_.CreateICmpNE(stop, b_.getInt32(0)), leave, next);
  b_.SetInsertPoint(leave);
  store_state(b_.getInt32(0), offsetof(ExecContext, stop_after_insn));
  return_to_loop(insn_->next_rip());
  b_.SetInsertPoint(next);
}

void LlvmEmitter::check_segment(Seg seg, llvm::Value* ea, unsigned bits, bool write) {
  if (seg == Seg::None || !(mode_.bits & BlockMode::segment_check_bit(static_cast<unsigned>(seg)))) return;
  llvm::Value* const args[3] = {b_.getInt64(static_cast<uint64_t>(seg)), ea, b_.getInt64(bits / 8 | (write ? 256 : 0))};
  call_helper(Helper::SegmentCheck, args);
}

llvm::Value* LlvmEmitter::linear_address(Seg seg, llvm::Value* ea) {
  const bool based = seg == Seg::FS || seg == Seg::GS || ((mode_.bits & BlockMode::kSegBases) && seg != Seg::None);
  if (!based) return ea;
  const size_t base = offsetof(ExecContext, cpu.seg) + sizeof(SegmentReg) * static_cast<size_t>(seg) +
                      offsetof(SegmentReg, base);
  return b_.CreateAdd(ea, load_state(ty<64>(), base));
}

llvm::Value* LlvmEmitter::tlb_hit(llvm::Value* linear, unsigned bytes, size_t tag_offset, llvm::Value** host) {
  const size_t bank = offsetof(ExecContext, tlb.entries) + sizeof(TlbEntry) * kTlbEntries * mode_.tlb_bank();
  llvm::Value* index = b_.CreateAnd(b_.CreateLShr(linear, 12), kTlbEntries - 1);
  llvm::Value* entry = b_.CreateGEP(b_.getInt8Ty(), state_ptr(bank), b_.CreateMul(index, b_.getInt64(sizeof(TlbEntry))));
  auto field = [&](size_t offset) {
    auto* load = b_.CreateLoad(ty<64>(), b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), entry, offset));
    load->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
    return load;
  };
  // Compare the tag with the page of the access's last byte: an access that
  // crosses into the next page misses and takes the slow path.
  llvm::Value* last_page = b_.CreateAnd(b_.CreateAdd(linear, b_.getInt64(bytes - 1)), ~uint64_t{0xfff});
  llvm::Value* hit = b_.CreateICmpEQ(field(tag_offset), last_page);
  *host = b_.CreateIntToPtr(b_.CreateAdd(linear, field(offsetof(TlbEntry, addend))), b_.getPtrTy());
  return hit;
}

void LlvmEmitter::count_memory_access() {
  if (!options_.count_memory_accesses) return;
  const size_t offset = offsetof(ExecContext, memory_accesses);
  store_state(b_.CreateAdd(load_state(ty<64>(), offset), b_.getInt64(1)), offset);
}

void LlvmEmitter::check_pending_exception() {
  if (!fault_exit_) {
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    fault_exit_ = new_block("fault");
    b_.SetInsertPoint(fault_exit_);
    b_.CreateRetVoid();
  }
  llvm::Value* pending = load_state(ty<8>(), offsetof(ExecContext, cpu.exception.pending));
  llvm::BasicBlock* ok = new_block("no_fault");
  b_.CreateCondBr(b_.CreateICmpNE(pending, b_.getInt8(0)), fault_exit_, ok);
  b_.SetInsertPoint(ok);
}

uint64_t LlvmEmitter::how(Seg seg, bool write_intent) const {
  return mode_.tlb_bank() | (seg == Seg::SS ? access_how::Stack : 0) | (write_intent ? access_how::WriteIntent : 0);
}

void LlvmEmitter::check_alignment(llvm::Value* linear, unsigned bytes) {
  if (!(mode_.bits & BlockMode::kAlignCheck) || bytes == 1) return;
  llvm::Value* misaligned = b_.CreateICmpNE(b_.CreateAnd(linear, bytes - 1), b_.getInt64(0));
  if (mode_.long64()) {
    // #AC has the lowest priority: a non-canonical address faults in the MMU instead.
    llvm::Value* sign_extended = b_.CreateAShr(b_.CreateShl(linear, 16), 16);
    misaligned = b_.CreateAnd(misaligned, b_.CreateICmpEQ(sign_extended, linear));
  }
  raise_if(Value<1>{misaligned}, vector::AC, 0);
}

void LlvmEmitter::require_alignment(llvm::Value* linear, unsigned bytes) {
  raise_if(Value<1>{b_.CreateICmpNE(b_.CreateAnd(linear, bytes - 1), b_.getInt64(0))}, vector::GP, 0);
}

llvm::Value* LlvmEmitter::memory_load(llvm::Value* linear, unsigned bits, Seg seg) {
  count_memory_access();
  check_alignment(linear, bits / 8);
  llvm::Value* host;
  llvm::Value* hit = tlb_hit(linear, bits / 8, offsetof(TlbEntry, read_tag), &host);
  llvm::BasicBlock* fast = new_block("load_fast");
  llvm::BasicBlock* slow = new_block("load_slow");
  llvm::BasicBlock* join = new_block("load_done");
  b_.CreateCondBr(hit, fast, slow, llvm::MDBuilder(llctx_).createLikelyBranchWeights());
  b_.SetInsertPoint(fast);
  auto* fast_value = b_.CreateAlignedLoad(b_.getIntNTy(bits), host, llvm::MaybeAlign(1), true);
  fast_value->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_guest_);
  b_.CreateBr(join);
  b_.SetInsertPoint(slow);
  regs_.spill();
  auto read = declare(module_, "orcvm_mem_read", ty<64>(), {b_.getPtrTy(), ty<64>(), ty<64>(), ty<64>(), ty<64>()});
  // 16 bytes are read as two halves: a fault in the second leaves nothing to undo.
  auto read_part = [&](llvm::Value* address, unsigned part_bits) {
    llvm::Value* v = b_.CreateCall(read, {ctx_, address, b_.getInt64(part_bits / 8), b_.getInt64(how(seg, false)),
                                          b_.getInt64(insn_->rip)});
    check_pending_exception();
    return v;
  };
  llvm::Value* slow_value;
  if (bits == 128) {
    llvm::Value* low = b_.CreateZExt(read_part(linear, 64), ty<128>());
    llvm::Value* high = b_.CreateZExt(read_part(b_.CreateAdd(linear, b_.getInt64(8)), 64), ty<128>());
    slow_value = b_.CreateOr(low, b_.CreateShl(high, 64));
  } else {
    slow_value = b_.CreateTrunc(read_part(linear, bits), b_.getIntNTy(bits));
  }
  llvm::BasicBlock* slow_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  llvm::PHINode* phi = b_.CreatePHI(b_.getIntNTy(bits), 2);
  phi->addIncoming(fast_value, fast);
  phi->addIncoming(slow_value, slow_end);
  return phi;
}

void LlvmEmitter::memory_store(llvm::Value* linear, llvm::Value* value, unsigned bits, Seg seg) {
  count_memory_access();
  check_alignment(linear, bits / 8);
  needs_stop_check_ = true;
  llvm::Value* host;
  llvm::Value* hit = tlb_hit(linear, bits / 8, offsetof(TlbEntry, write_tag), &host);
  llvm::BasicBlock* fast = new_block("store_fast");
  llvm::BasicBlock* slow = new_block("store_slow");
  llvm::BasicBlock* join = new_block("store_done");
  b_.CreateCondBr(hit, fast, slow, llvm::MDBuilder(llctx_).createLikelyBranchWeights());
  b_.SetInsertPoint(fast);
  auto* store = b_.CreateAlignedStore(value, host, llvm::MaybeAlign(1), true);
  store->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_guest_);
  b_.CreateBr(join);
  b_.SetInsertPoint(slow);
  regs_.spill();
  if (bits == 128) {
    auto write = declare(module_, "orcvm_mem_write128", b_.getVoidTy(),
                         {b_.getPtrTy(), ty<64>(), ty<64>(), ty<64>(), ty<64>(), ty<64>()});
    b_.CreateCall(write, {ctx_, linear, b_.CreateTrunc(value, ty<64>()), b_.CreateTrunc(b_.CreateLShr(value, 64), ty<64>()),
                          b_.getInt64(how(seg, false)), b_.getInt64(insn_->rip)});
  } else {
    auto write = declare(module_, "orcvm_mem_write", b_.getVoidTy(),
                         {b_.getPtrTy(), ty<64>(), ty<64>(), ty<64>(), ty<64>(), ty<64>()});
    b_.CreateCall(write, {ctx_, linear, b_.getInt64(bits / 8), b_.CreateZExt(value, ty<64>()),
                          b_.getInt64(how(seg, false)), b_.getInt64(insn_->rip)});
  }
  check_pending_exception();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
}

llvm::Value* LlvmEmitter::rmw_pointer(llvm::Value* linear, unsigned bits, Seg seg) {
  count_memory_access();
  check_alignment(linear, bits / 8);
  needs_stop_check_ = true;
  llvm::Value* host;
  llvm::Value* hit = tlb_hit(linear, bits / 8, offsetof(TlbEntry, write_tag), &host);
  llvm::BasicBlock* fast = b_.GetInsertBlock();
  llvm::BasicBlock* slow = new_block("rmw_slow");
  llvm::BasicBlock* join = new_block("rmw_done");
  b_.CreateCondBr(hit, join, slow, llvm::MDBuilder(llctx_).createLikelyBranchWeights());
  b_.SetInsertPoint(slow);
  regs_.spill();
  auto rmw = declare(module_, "orcvm_mem_rmw", b_.getPtrTy(), {b_.getPtrTy(), ty<64>(), ty<64>(), ty<64>(), ty<64>()});
  llvm::Value* slow_ptr = b_.CreateCall(rmw, {ctx_, linear, b_.getInt64(bits / 8), b_.getInt64(how(seg, true)),
                                              b_.getInt64(insn_->rip)});
  check_pending_exception();
  llvm::BasicBlock* slow_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  llvm::PHINode* phi = b_.CreatePHI(b_.getPtrTy(), 2);
  phi->addIncoming(host, fast);
  phi->addIncoming(slow_ptr, slow_end);
  return phi;
}

// A split-page or MMIO locked access worked on ExecContext::locked_bounce: write it back.
void LlvmEmitter::commit_if_bounced(llvm::Value* host) {
  llvm::Value* bounce = b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), ctx_, offsetof(ExecContext, locked_bounce));
  llvm::BasicBlock* commit = new_block("locked_commit");
  llvm::BasicBlock* join = new_block("locked_committed");
  b_.CreateCondBr(b_.CreateICmpEQ(host, bounce), commit, join, llvm::MDBuilder(llctx_).createUnlikelyBranchWeights());
  b_.SetInsertPoint(commit);
  b_.CreateCall(declare(module_, "orcvm_locked_commit", b_.getVoidTy(), {b_.getPtrTy()}), {ctx_});
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
}

LlvmEmitter::Value<64> LlvmEmitter::call_helper(Helper h, llvm::Value* const (&args)[3]) {
  store_state(b_.getInt64(insn_->rip), offsetof(ExecContext, cpu.rip));
  const HelperRegisters registers = helper_registers(h);
  if (registers != HelperRegisters::None) regs_.sync();
  auto fn = declare(module_, helper_symbol(h), ty<64>(), {b_.getPtrTy(), ty<64>(), ty<64>(), ty<64>()});
  auto arg = [&](llvm::Value* v) { return v ? v : b_.getInt64(0); };
  llvm::Value* result = b_.CreateCall(fn, {ctx_, arg(args[0]), arg(args[1]), arg(args[2])});
  if (registers == HelperRegisters::Write) regs_.forget();
  if (helper_may_fault(h)) check_pending_exception();
  needs_stop_check_ = true;
  return {result};
}

void LlvmEmitter::close_unreachable_tail() {
  if (!b_.GetInsertBlock()->getTerminator()) b_.CreateUnreachable();
}

void LlvmEmitter::finish_block() {
  if (!terminated_) jump(insn_->next_rip());
  close_unreachable_tail();
}

void LlvmEmitter::start_unreachable_tail() {
  // Code after a block exit is never reached. It goes into a block without
  // predecessors, which end_instruction or finish_block closes, so the semantics may go on
  // emitting, branches included (an SSE instruction raising #NM at translation
  // still emits its memory access).
  b_.SetInsertPoint(new_block("after_exit"));
  regs_.forget();
  terminated_ = true;
}

void LlvmEmitter::direct_exit(uint64_t target) {
  const std::string slot_name = exit_slot_symbol(fn_->getName().str(), exit_targets_.size());
  exit_targets_.push_back(target);
  auto* slot = module_.getOrInsertGlobal(slot_name, b_.getPtrTy());
  regs_.spill();
  store_state(b_.getInt64(target), offsetof(ExecContext, cpu.rip));
  store_state(slot, offsetof(ExecContext, last_exit_slot));
  auto* next = b_.CreateLoad(b_.getPtrTy(), slot);
  next->setAtomic(llvm::AtomicOrdering::Monotonic);
  next->setAlignment(llvm::Align(8));
  auto* call = b_.CreateCall(block_type_, next, {ctx_});
  call->setCallingConv(kBlockCallingConv);
  call->setTailCallKind(llvm::CallInst::TCK_MustTail);
  b_.CreateRetVoid();
}

void LlvmEmitter::return_to_loop(uint64_t rip) {
  regs_.spill();
  store_state(b_.getInt64(rip), offsetof(ExecContext, cpu.rip));
  b_.CreateRetVoid();
}

void LlvmEmitter::jump(uint64_t target) {
  direct_exit(target);
  start_unreachable_tail();
}

void LlvmEmitter::jump_cond(Value<1> c, uint64_t taken, uint64_t not_taken) {
  // Both exits store the same registers: once, before the branch.
  regs_.spill();
  regs_.forget();
  llvm::BasicBlock* yes = new_block("taken");
  llvm::BasicBlock* no = new_block("not_taken");
  b_.CreateCondBr(c.v, yes, no);
  b_.SetInsertPoint(yes);
  direct_exit(taken);
  b_.SetInsertPoint(no);
  direct_exit(not_taken);
  start_unreachable_tail();
}

void LlvmEmitter::jump_indirect(Value<64> target) {
  regs_.spill();
  store_state(target.v, offsetof(ExecContext, cpu.rip));
  // Jump-cache entries do not record the CS base: with bases in play the loop's
  // lookup, which checks it, decides.
  if (!options_.chain_indirect || (mode_.bits & BlockMode::kSegBases)) {
    b_.CreateRetVoid();
    start_unreachable_tail();
    return;
  }
  llvm::Value* index = b_.CreateAnd(b_.CreateXor(target.v, b_.CreateLShr(target.v, kJumpCacheBits)),
                                    kJumpCacheEntries - 1);
  llvm::Value* entry = b_.CreateGEP(b_.getInt8Ty(), state_ptr(offsetof(ExecContext, jump_cache.entries)),
                                    b_.CreateMul(index, b_.getInt64(sizeof(JumpCacheEntry))));
  auto field = [&](llvm::Type* type, size_t offset) {
    auto* load = b_.CreateLoad(type, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), entry, offset));
    load->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_state_);
    return load;
  };
  llvm::Value* same_rip = b_.CreateICmpEQ(field(ty<64>(), offsetof(JumpCacheEntry, rip)), target.v);
  llvm::Value* tag = b_.CreateOr(load_state(ty<64>(), offsetof(ExecContext, jump_cache.generation)), mode_.bits);
  llvm::Value* same_tag = b_.CreateICmpEQ(field(ty<64>(), offsetof(JumpCacheEntry, tag)), tag);
  llvm::Value* code = field(b_.getPtrTy(), offsetof(JumpCacheEntry, code));
  llvm::Value* usable = b_.CreateAnd(b_.CreateAnd(same_rip, same_tag), b_.CreateIsNotNull(code));
  auto stub = module_.getOrInsertFunction(kExitStubSymbol, block_type_);
  llvm::cast<llvm::Function>(stub.getCallee())->setCallingConv(kBlockCallingConv);
  llvm::Value* next = b_.CreateSelect(usable, code, stub.getCallee());
  auto* call = b_.CreateCall(block_type_, next, {ctx_});
  call->setCallingConv(kBlockCallingConv);
  call->setTailCallKind(llvm::CallInst::TCK_MustTail);
  b_.CreateRetVoid();
  start_unreachable_tail();
}

void LlvmEmitter::exit_to_loop(uint64_t rip) {
  return_to_loop(rip);
  start_unreachable_tail();
}

// Records the exception at `rip` and leaves the block.
void LlvmEmitter::emit_raise(uint64_t rip, uint8_t vector, uint32_t error_code, bool has_error_code, bool software) {
  regs_.spill();
  store_state(b_.getInt64(rip), offsetof(ExecContext, cpu.rip));
  auto fn = declare(module_, helper_symbol(Helper::Raise), ty<64>(), {b_.getPtrTy(), ty<64>(), ty<64>(), ty<64>()});
  const uint64_t flags = (has_error_code ? 1 : 0) | (software ? 2 | (uint64_t{insn_->length} << 8) : 0);
  b_.CreateCall(fn, {ctx_, b_.getInt64(vector), b_.getInt64(error_code), b_.getInt64(flags)});
  b_.CreateRetVoid();
}

void LlvmEmitter::raise_exception(uint8_t vector, uint32_t error_code, bool has_error_code) {
  emit_raise(insn_->rip, vector, error_code, has_error_code, false);
  start_unreachable_tail();
}

void LlvmEmitter::raise_if_impl(Value<1> c, uint8_t vector, uint32_t error_code, bool has_error_code) {
  llvm::BasicBlock* fault = new_block("raise");
  llvm::BasicBlock* ok = new_block("no_raise");
  b_.CreateCondBr(c.v, fault, ok, llvm::MDBuilder(llctx_).createUnlikelyBranchWeights());
  b_.SetInsertPoint(fault);
  emit_raise(insn_->rip, vector, error_code, has_error_code, false);
  b_.SetInsertPoint(ok);
}

void LlvmEmitter::raise_trap_if(Value<1> c, uint8_t vector, uint64_t next_rip) {
  llvm::BasicBlock* trap = new_block("trap");
  llvm::BasicBlock* ok = new_block("no_trap");
  b_.CreateCondBr(c.v, trap, ok, llvm::MDBuilder(llctx_).createUnlikelyBranchWeights());
  b_.SetInsertPoint(trap);
  emit_raise(next_rip, vector, 0, false, true);
  b_.SetInsertPoint(ok);
}

void LlvmEmitter::exit_at_current_rip() {
  regs_.spill();
  b_.CreateRetVoid();
  start_unreachable_tail();
}

void LlvmEmitter::raise_trap(uint8_t vector, uint64_t next_rip) {
  emit_raise(next_rip, vector, 0, false, true);
  start_unreachable_tail();
}

}  // namespace orcvm
