#include "ir/lift/llvm_emitter.h"
#include "ir/semantics/bindings.h"

namespace orcvm {

LiftResult lift_block(llvm::Module& module, const std::string& name, const std::vector<DecodedInsn>& insns,
                      BlockMode mode, uint64_t block_id, const LiftOptions& options) {
  llvm::LLVMContext& llctx = module.getContext();
  auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(llctx), {llvm::PointerType::get(llctx, 0)}, false);
  auto* fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, name, module);
  fn->setCallingConv(kBlockCallingConv);
  fn->addParamAttr(0, llvm::Attribute::NoAlias);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  fn->addFnAttr("frame-pointer", "none");

  LlvmEmitter e(module, fn, mode, block_id, options);
  const sem::BindingTable<LlvmEmitter>& table = sem::bindings<LlvmEmitter>();
  e.emit_block_entry(static_cast<unsigned>(insns.size()));
  for (const DecodedInsn& insn : insns) {
    e.begin_instruction(insn);
    table.handler(insn)(e, insn);
    e.end_instruction();
    if (e.terminated()) break;
  }
  e.finish_block();
  return LiftResult{fn, e.exit_targets()};
}

}  // namespace orcvm
