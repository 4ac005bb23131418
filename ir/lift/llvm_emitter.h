#pragma once
// The JIT tier's emitter: each semantics operation appends LLVM IR to the block's
// function. Guest registers are SSA values of the register file, stored to
// ExecContext on the cold paths and exits that need them; guest memory goes through
// the inline soft-TLB fast path with an out-of-line slow path.
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "ir/lift/register_file.h"
#include "ir/semantics/emitter.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

// Blocks call each other in a convention without callee-saved registers: a block that
// tail-calls the next saves and restores nothing, and the cold paths, which call C++,
// save what they need around the call. C++ enters through Jit::enter.
constexpr llvm::CallingConv::ID kBlockCallingConv = llvm::CallingConv::PreserveNone;

// Where an unchained exit goes: a block of its own that returns to Jit::enter.
constexpr const char* kExitStubSymbol = "orcvm_exit_stub";

struct LiftOptions {
  bool count_memory_accesses = false;
  bool chain_indirect = true;
};

class LlvmEmitter {
 public:
  template <unsigned W>
  struct Value {
    static constexpr unsigned bits = W;
    llvm::Value* v = nullptr;
  };

  LlvmEmitter(llvm::Module& module, llvm::Function* fn, BlockMode mode, uint64_t block_id,
              const LiftOptions& options);

  BlockMode mode() const { return mode_; }
  // Lifting state between instructions.
  void begin_instruction(const DecodedInsn& insn);
  void end_instruction();
  bool terminated() const { return terminated_; }
  // After the last instruction: the exit to the next instruction unless one was made.
  void finish_block();
  const std::vector<uint64_t>& exit_targets() const { return exit_targets_; }
  // The entry checks: exit request, and the instruction budget when counting.
  void emit_block_entry(unsigned insn_count);

  template <unsigned W> llvm::IntegerType* ty() { return b_.getIntNTy(W); }

  template <unsigned W> Value<W> imm(uint64_t x) { return {llvm::ConstantInt::get(ty<W>(), x)}; }
  template <unsigned To, unsigned From> Value<To> zext(Value<From> x) {
    if constexpr (To == From) return {x.v};
    else return {b_.CreateZExt(x.v, ty<To>())};
  }
  template <unsigned To, unsigned From> Value<To> sext(Value<From> x) {
    if constexpr (To == From) return {x.v};
    else return {b_.CreateSExt(x.v, ty<To>())};
  }
  template <unsigned To, unsigned From> Value<To> trunc(Value<From> x) {
    if constexpr (To == From) return {x.v};
    else return {b_.CreateTrunc(x.v, ty<To>())};
  }

  template <unsigned W> Value<W> add(Value<W> a, Value<W> c) { return {b_.CreateAdd(a.v, c.v)}; }
  template <unsigned W> Value<W> sub(Value<W> a, Value<W> c) { return {b_.CreateSub(a.v, c.v)}; }
  template <unsigned W> Value<W> mul(Value<W> a, Value<W> c) { return {b_.CreateMul(a.v, c.v)}; }
  template <unsigned W> Value<W> and_(Value<W> a, Value<W> c) { return {b_.CreateAnd(a.v, c.v)}; }
  template <unsigned W> Value<W> or_(Value<W> a, Value<W> c) { return {b_.CreateOr(a.v, c.v)}; }
  template <unsigned W> Value<W> xor_(Value<W> a, Value<W> c) { return {b_.CreateXor(a.v, c.v)}; }
  template <unsigned W> Value<W> not_(Value<W> a) { return {b_.CreateNot(a.v)}; }
  template <unsigned W> Value<W> neg(Value<W> a) { return {b_.CreateNeg(a.v)}; }
  template <unsigned W> Value<W> shl(Value<W> a, Value<W> n) { return {b_.CreateShl(a.v, n.v)}; }
  template <unsigned W> Value<W> lshr(Value<W> a, Value<W> n) { return {b_.CreateLShr(a.v, n.v)}; }
  template <unsigned W> Value<W> ashr(Value<W> a, Value<W> n) { return {b_.CreateAShr(a.v, n.v)}; }
  template <unsigned W> Value<W> fshl(Value<W> hi, Value<W> lo, Value<W> n) {
    return {b_.CreateIntrinsic(llvm::Intrinsic::fshl, {ty<W>()}, {hi.v, lo.v, n.v})};
  }
  template <unsigned W> Value<W> fshr(Value<W> hi, Value<W> lo, Value<W> n) {
    return {b_.CreateIntrinsic(llvm::Intrinsic::fshr, {ty<W>()}, {hi.v, lo.v, n.v})};
  }
  template <unsigned W> Value<W> udiv(Value<W> a, Value<W> c) { return {b_.CreateUDiv(a.v, c.v)}; }
  template <unsigned W> Value<W> urem(Value<W> a, Value<W> c) { return {b_.CreateURem(a.v, c.v)}; }
  template <unsigned W> Value<W> sdiv(Value<W> a, Value<W> c) { return {b_.CreateSDiv(a.v, c.v)}; }
  template <unsigned W> Value<W> srem(Value<W> a, Value<W> c) { return {b_.CreateSRem(a.v, c.v)}; }
  template <unsigned W> Value<W> ctpop(Value<W> a) {
    return {b_.CreateIntrinsic(llvm::Intrinsic::ctpop, {ty<W>()}, {a.v})};
  }
  template <unsigned W> Value<W> ctlz(Value<W> a) {
    return {b_.CreateIntrinsic(llvm::Intrinsic::ctlz, {ty<W>()}, {a.v, b_.getFalse()})};
  }
  template <unsigned W> Value<W> cttz(Value<W> a) {
    return {b_.CreateIntrinsic(llvm::Intrinsic::cttz, {ty<W>()}, {a.v, b_.getFalse()})};
  }
  template <unsigned W> Value<W> bswap(Value<W> a) {
    if constexpr (W == 8) return a;
    else return {b_.CreateIntrinsic(llvm::Intrinsic::bswap, {ty<W>()}, {a.v})};
  }

  template <unsigned W> Value<1> eq(Value<W> a, Value<W> c) { return {b_.CreateICmpEQ(a.v, c.v)}; }
  template <unsigned W> Value<1> ne(Value<W> a, Value<W> c) { return {b_.CreateICmpNE(a.v, c.v)}; }
  template <unsigned W> Value<1> ult(Value<W> a, Value<W> c) { return {b_.CreateICmpULT(a.v, c.v)}; }
  template <unsigned W> Value<1> ule(Value<W> a, Value<W> c) { return {b_.CreateICmpULE(a.v, c.v)}; }
  template <unsigned W> Value<1> slt(Value<W> a, Value<W> c) { return {b_.CreateICmpSLT(a.v, c.v)}; }
  template <unsigned W> Value<1> sle(Value<W> a, Value<W> c) { return {b_.CreateICmpSLE(a.v, c.v)}; }
  template <unsigned W> Value<W> select(Value<1> c, Value<W> a, Value<W> d) {
    return {b_.CreateSelect(c.v, a.v, d.v)};
  }

  Value<64> get_gpr(unsigned n) { return {regs_.read(RegisterFile::gpr_slot(n))}; }
  void set_gpr(unsigned n, Value<64> v) { regs_.write(RegisterFile::gpr_slot(n), v.v); }
  Value<1> get_flag(sem::Flag f) {
    if (!regs_.holds(RegisterFile::flag_slot(f))) load_flags();
    return {regs_.read(RegisterFile::flag_slot(f))};
  }
  void set_flag(sem::Flag f, Value<1> v) { regs_.write(RegisterFile::flag_slot(f), v.v); }
  template <class X> void flags_from(sem::LazyFlags kind, X operand, X result) {
    regs_.flags_from(sem::lazy_flags_op(kind, X::bits), zext<64>(operand).v, zext<64>(result).v);
  }
  Value<1> get_df();
  void set_df(Value<1> v);

  template <unsigned W> Value<W> load(Seg seg, Value<64> ea) {
    static_assert(W <= 64 || W == 128);
    check_segment(seg, ea.v, W, false);
    return {memory_load(linear_address(seg, ea.v), W, seg)};
  }
  template <unsigned W> void store(Seg seg, Value<64> ea, Value<W> v) {
    static_assert(W <= 64 || W == 128);
    check_segment(seg, ea.v, W, true);
    memory_store(linear_address(seg, ea.v), v.v, W, seg);
  }
  template <unsigned W> Value<W> load_aligned(Seg seg, Value<64> ea) {
    require_alignment(linear_address(seg, ea.v), W / 8);
    return load<W>(seg, ea);
  }
  template <unsigned W> void store_aligned(Seg seg, Value<64> ea, Value<W> v) {
    require_alignment(linear_address(seg, ea.v), W / 8);
    store<W>(seg, ea, v);
  }

  Value<128> get_xmm(unsigned n) { return {regs_.read(RegisterFile::xmm_slot(n))}; }
  void set_xmm(unsigned n, Value<128> v) { regs_.write(RegisterFile::xmm_slot(n), v.v); }
  template <unsigned L> Value<128> vadd(Value<128> a, Value<128> c) { return lanes<L>(a, c, llvm::Instruction::Add); }
  template <unsigned L> Value<128> vsub(Value<128> a, Value<128> c) { return lanes<L>(a, c, llvm::Instruction::Sub); }
  template <unsigned L> Value<128> vcmpeq(Value<128> a, Value<128> c) { return compare_lanes<L>(a, c, llvm::CmpInst::ICMP_EQ); }
  template <unsigned L> Value<128> vcmpgt(Value<128> a, Value<128> c) { return compare_lanes<L>(a, c, llvm::CmpInst::ICMP_SGT); }
  template <unsigned L> Value<128> vmul(Value<128> a, Value<128> c) { return lanes<L>(a, c, llvm::Instruction::Mul); }
  template <unsigned L> Value<128> vumulh(Value<128> a, Value<128> c) { return multiply_high<L>(a, c, false); }
  template <unsigned L> Value<128> vsmulh(Value<128> a, Value<128> c) { return multiply_high<L>(a, c, true); }
  template <unsigned L> Value<128> vumin(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::umin); }
  template <unsigned L> Value<128> vumax(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::umax); }
  template <unsigned L> Value<128> vsmin(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::smin); }
  template <unsigned L> Value<128> vsmax(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::smax); }
  template <unsigned L> Value<128> vuadd_sat(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::uadd_sat); }
  template <unsigned L> Value<128> vsadd_sat(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::sadd_sat); }
  template <unsigned L> Value<128> vusub_sat(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::usub_sat); }
  template <unsigned L> Value<128> vssub_sat(Value<128> a, Value<128> c) { return lane_intrinsic<L>(a, c, llvm::Intrinsic::ssub_sat); }
  // Widened so the carry of x + y + 1 survives (the form LLVM selects PAVGB/PAVGW for).
  template <unsigned L> Value<128> vavgu(Value<128> a, Value<128> c) {
    llvm::VectorType* wide = llvm::FixedVectorType::get(ty<2 * L>(), 128 / L);
    llvm::Value* sum = b_.CreateAdd(b_.CreateZExt(as_lanes<L>(a.v), wide), b_.CreateZExt(as_lanes<L>(c.v), wide));
    sum = b_.CreateAdd(sum, llvm::ConstantInt::get(wide, 1));
    return from_lanes(b_.CreateTrunc(b_.CreateLShr(sum, llvm::ConstantInt::get(wide, 1)), lane_type<L>()));
  }
  template <unsigned L> Value<128> vshl(Value<128> a, Value<64> n) { return shift_lanes<L>(a, n, llvm::Instruction::Shl); }
  template <unsigned L> Value<128> vlshr(Value<128> a, Value<64> n) { return shift_lanes<L>(a, n, llvm::Instruction::LShr); }
  template <unsigned L> Value<128> vashr(Value<128> a, Value<64> n) { return shift_lanes<L>(a, n, llvm::Instruction::AShr); }
  template <unsigned L> Value<128> vshuffle(Value<128> a, Value<128> c, const std::array<uint8_t, 128 / L>& pick) {
    std::array<int, 128 / L> mask;
    for (unsigned k = 0; k < 128 / L; ++k) mask[k] = pick[k];
    return from_lanes(b_.CreateShuffleVector(as_lanes<L>(a.v), as_lanes<L>(c.v), mask));
  }
  template <unsigned L> Value<L> vextract(Value<128> a, unsigned n) {
    return {b_.CreateExtractElement(as_lanes<L>(a.v), uint64_t{n})};
  }
  template <unsigned L> Value<128> vinsert(Value<128> a, unsigned n, Value<L> x) {
    return from_lanes(b_.CreateInsertElement(as_lanes<L>(a.v), x.v, uint64_t{n}));
  }
  template <unsigned L> Value<32> movemask(Value<128> a) {
    llvm::Value* negative = b_.CreateICmpSLT(as_lanes<L>(a.v), llvm::Constant::getNullValue(lane_type<L>()));
    return {b_.CreateZExt(b_.CreateBitCast(negative, b_.getIntNTy(128 / L)), ty<32>())};
  }
  // One translation serves the read and the write.
  template <unsigned W, class F>
  std::pair<Value<W>, Value<W>> update(Seg seg, Value<64> ea, F&& compute) {
    static_assert(W <= 64);
    check_segment(seg, ea.v, W, true);
    llvm::Value* host = rmw_pointer(linear_address(seg, ea.v), W, seg);
    auto* old = b_.CreateAlignedLoad(ty<W>(), host, llvm::MaybeAlign(1), true);
    old->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_guest_);
    const Value<W> result = compute(Value<W>{old});
    auto* store = b_.CreateAlignedStore(result.v, host, llvm::MaybeAlign(1), true);
    store->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_guest_);
    commit_if_bounced(host);
    return {Value<W>{old}, result};
  }
  template <unsigned W, class F>
  std::pair<Value<W>, Value<W>> locked_update(Seg seg, Value<64> ea, F&& compute) {
    check_segment(seg, ea.v, W, true);
    llvm::Value* host = rmw_pointer(linear_address(seg, ea.v), W, seg);
    llvm::Value* initial = b_.CreateAlignedLoad(ty<W>(), host, llvm::MaybeAlign(1), true);
    llvm::BasicBlock* before = b_.GetInsertBlock();
    llvm::BasicBlock* loop = new_block("locked");
    llvm::BasicBlock* done = new_block("locked_done");
    b_.CreateBr(loop);
    b_.SetInsertPoint(loop);
    llvm::PHINode* old = b_.CreatePHI(ty<W>(), 2);
    old->addIncoming(initial, before);
    Value<W> result = compute(Value<W>{old});
    auto* pair = b_.CreateAtomicCmpXchg(host, old, result.v, llvm::MaybeAlign(W / 8),
                                        llvm::AtomicOrdering::SequentiallyConsistent,
                                        llvm::AtomicOrdering::SequentiallyConsistent);
    old->addIncoming(b_.CreateExtractValue(pair, 0), b_.GetInsertBlock());
    b_.CreateCondBr(b_.CreateExtractValue(pair, 1), done, loop);
    b_.SetInsertPoint(done);
    commit_if_bounced(host);
    return {Value<W>{old}, result};
  }

  template <class... Args>
  Value<64> call(Helper h, Args... args) {
    static_assert(sizeof...(Args) <= 3);
    llvm::Value* values[3] = {args.v...};
    return call_helper(h, values);
  }

  template <class C, class B> void loop_while(C&& cond, B&& body) {
    llvm::BasicBlock* header = new_block("loop");
    llvm::BasicBlock* check = new_block("loop_check");
    llvm::BasicBlock* leave = new_block("loop_leave");
    llvm::BasicBlock* work = new_block("loop_body");
    llvm::BasicBlock* done = new_block("loop_done");
    // Every iteration starts and ends with the registers in CpuState.
    regs_.sync();
    regs_.forget();
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    b_.CreateCondBr(cond().v, check, done);
    b_.SetInsertPoint(check);
    b_.CreateCondBr(exit_requested(), leave, work);
    b_.SetInsertPoint(leave);
    return_to_loop(insn_->rip);  // resumes this instruction after the VCPU loop's work
    b_.SetInsertPoint(work);
    llvm::Value* again = body().v;
    regs_.sync();
    regs_.forget();
    b_.CreateCondBr(again, header, done);
    b_.SetInsertPoint(done);
  }

  void jump(uint64_t target);
  void jump_cond(Value<1> c, uint64_t taken, uint64_t not_taken);
  void jump_indirect(Value<64> target);
  void exit_to_loop(uint64_t rip);
  void raise(uint8_t vector) { raise_exception(vector, 0, false); }
  void raise(uint8_t vector, uint32_t error_code) { raise_exception(vector, error_code, true); }
  void raise_if(Value<1> c, uint8_t vector) { raise_if_impl(c, vector, 0, false); }
  void raise_if(Value<1> c, uint8_t vector, uint32_t error_code) { raise_if_impl(c, vector, error_code, true); }
  void raise_trap(uint8_t vector, uint64_t next_rip);
  void raise_trap_if(Value<1> c, uint8_t vector, uint64_t next_rip);
  void exit_at_current_rip();

 private:
  Value<64> call_helper(Helper h, llvm::Value* const (&args)[3]);
  llvm::BasicBlock* new_block(const char* name);
  llvm::Value* state_ptr(size_t offset);
  llvm::Value* load_state(llvm::Type* type, size_t offset);
  void store_state(llvm::Value* v, size_t offset);
  template <unsigned L> llvm::VectorType* lane_type() { return llvm::FixedVectorType::get(ty<L>(), 128 / L); }
  template <unsigned L> llvm::Value* as_lanes(llvm::Value* v) { return b_.CreateBitCast(v, lane_type<L>()); }
  template <unsigned L> Value<128> lanes(Value<128> a, Value<128> c, llvm::Instruction::BinaryOps op) {
    return {b_.CreateBitCast(b_.CreateBinOp(op, as_lanes<L>(a.v), as_lanes<L>(c.v)), ty<128>())};
  }
  Value<128> from_lanes(llvm::Value* v) { return {b_.CreateBitCast(v, ty<128>())}; }
  template <unsigned L> Value<128> lane_intrinsic(Value<128> a, Value<128> c, llvm::Intrinsic::ID id) {
    return from_lanes(b_.CreateBinaryIntrinsic(id, as_lanes<L>(a.v), as_lanes<L>(c.v)));
  }
  // The high half of each 2L-bit product.
  template <unsigned L> Value<128> multiply_high(Value<128> a, Value<128> c, bool is_signed) {
    llvm::VectorType* wide = llvm::FixedVectorType::get(ty<2 * L>(), 128 / L);
    auto widen = [&](Value<128> x) {
      return is_signed ? b_.CreateSExt(as_lanes<L>(x.v), wide) : b_.CreateZExt(as_lanes<L>(x.v), wide);
    };
    llvm::Value* product = b_.CreateMul(widen(a), widen(c));
    return from_lanes(b_.CreateTrunc(b_.CreateLShr(product, llvm::ConstantInt::get(wide, L)), lane_type<L>()));
  }
  // Every lane shifted by n (n < L, else LLVM's result is poison).
  template <unsigned L> Value<128> shift_lanes(Value<128> a, Value<64> n, llvm::Instruction::BinaryOps op) {
    llvm::Value* count = b_.CreateVectorSplat(128 / L, b_.CreateTrunc(n.v, ty<L>()));
    return from_lanes(b_.CreateBinOp(op, as_lanes<L>(a.v), count));
  }
  template <unsigned L> Value<128> compare_lanes(Value<128> a, Value<128> c, llvm::CmpInst::Predicate p) {
    llvm::Value* mask = b_.CreateSExt(b_.CreateICmp(p, as_lanes<L>(a.v), as_lanes<L>(c.v)), lane_type<L>());
    return {b_.CreateBitCast(mask, ty<128>())};
  }
  // #GP(0) unless linear is a multiple of bytes (SSE's aligned operands).
  void require_alignment(llvm::Value* linear, unsigned bytes);
  llvm::Value* linear_address(Seg seg, llvm::Value* ea);
  // Limit and type check of an access, for the segments the block's mode marks.
  void check_segment(Seg seg, llvm::Value* ea, unsigned bits, bool write);
  // Returns the TLB fast-path condition and host pointer for an access.
  llvm::Value* tlb_hit(llvm::Value* linear, unsigned bytes, size_t tag_offset, llvm::Value** host);
  llvm::Value* memory_load(llvm::Value* linear, unsigned bits, Seg seg);
  void memory_store(llvm::Value* linear, llvm::Value* value, unsigned bits, Seg seg);
  // A host pointer for a locked update; when it is the bounce buffer
  // (runtime/softmmu/locked_access.h), commit_if_bounced writes it back.
  llvm::Value* rmw_pointer(llvm::Value* linear, unsigned bits, Seg seg);
  void commit_if_bounced(llvm::Value* host);
  // The access word of the slow paths (see access_how in runtime/softmmu/mmu.h).
  uint64_t how(Seg seg, bool write_intent) const;
  void check_alignment(llvm::Value* linear, unsigned bytes);
  void check_pending_exception();
  void count_memory_access();
  llvm::Value* exit_requested();
  // Loads the flags the register file does not hold, computing them inline when
  // CpuState has them in the lazy form.
  void load_flags();

  void direct_exit(uint64_t target);
  void return_to_loop(uint64_t rip);
  void emit_raise(uint64_t rip, uint8_t vector, uint32_t error_code, bool has_error_code, bool software);
  void raise_exception(uint8_t vector, uint32_t error_code, bool has_error_code);
  void raise_if_impl(Value<1> c, uint8_t vector, uint32_t error_code, bool has_error_code);
  void start_unreachable_tail();
  void close_unreachable_tail();

  llvm::Module& module_;
  llvm::LLVMContext& llctx_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;
  llvm::Value* ctx_;
  BlockMode mode_;
  uint64_t block_id_;
  LiftOptions options_;
  llvm::MDNode* tbaa_state_;
  llvm::MDNode* tbaa_guest_;
  llvm::FunctionType* block_type_;
  llvm::BasicBlock* fault_exit_ = nullptr;
  const DecodedInsn* insn_ = nullptr;
  bool needs_stop_check_ = false;
  bool terminated_ = false;
  std::vector<uint64_t> exit_targets_;
  RegisterFile regs_;
};

// Lifts a block into a new function named `name` in `module`.
struct LiftResult {
  llvm::Function* function;
  std::vector<uint64_t> exit_targets;  // direct exits, slot i is "<name>_exit<i>"
};
LiftResult lift_block(llvm::Module& module, const std::string& name, const std::vector<DecodedInsn>& insns,
                      BlockMode mode, uint64_t block_id, const LiftOptions& options);
std::string exit_slot_symbol(const std::string& block_name, size_t index);

}  // namespace orcvm
