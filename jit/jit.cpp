#include "jit/jit.h"

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/ObjectTransformLayer.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/DeadStoreElimination.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "ir/lift/llvm_emitter.h"
#include "jit/code_arena.h"
#include "runtime/log.h"

namespace orcvm {

namespace {

namespace orc = llvm::orc;

double micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
}

[[noreturn]] void fail(llvm::Error error, const char* what) {
  std::string message;
  llvm::raw_string_ostream os(message);
  os << what << ": " << error;
  throw std::runtime_error(os.str());
}

template <class T>
T take(llvm::Expected<T> value, const char* what) {
  if (!value) fail(value.takeError(), what);
  return std::move(*value);
}

class OrcJit final : public Jit {
 public:
  OrcJit(const JitOptions& options, const std::vector<std::pair<std::string, void*>>& symbols) : options_(options) {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto builder = take(orc::JITTargetMachineBuilder::detectHost(), "detecting the host");
    builder.setCodeGenOptLevel(options.opt_level == 0 ? llvm::CodeGenOptLevel::None : llvm::CodeGenOptLevel::Default);
    builder.setRelocationModel(llvm::Reloc::PIC_);
    builder.setCodeModel(llvm::CodeModel::Small);
    target_machine_ = take(builder.createTargetMachine(), "creating the target machine");
    orc::LLJITBuilder jit_builder;
    jit_builder.setJITTargetMachineBuilder(std::move(builder));
    if (auto arena = make_code_arena()) {
      code_memory_ = std::move(*arena);
      jit_builder.setObjectLinkingLayerCreator(
          [this](orc::ExecutionSession& session, const llvm::Triple&) -> llvm::Expected<std::unique_ptr<orc::ObjectLayer>> {
            return std::make_unique<orc::ObjectLinkingLayer>(session, *code_memory_);
          });
    } else {
      // LLVM's own memory manager still works, a page per block.
      std::string why = llvm::toString(arena.takeError());
      if (Log::on(LogItem::Tcache)) Log::printf("tcache: %s; compiled blocks get pages of their own\n", why.c_str());
    }
    jit_ = take(jit_builder.create(), "creating LLJIT");
    orc::SymbolMap map;
    for (const auto& [name, address] : symbols)
      map[jit_->mangleAndIntern(name)] = {orc::ExecutorAddr::fromPtr(address), llvm::JITSymbolFlags::Exported};
    if (auto err = jit_->getMainJITDylib().define(orc::absoluteSymbols(std::move(map))))
      fail(std::move(err), "defining runtime symbols");
    context_ = std::make_unique<orc::ThreadSafeContext>(std::make_unique<llvm::LLVMContext>());
    add_entry_and_exit_stub();
    build_pipeline();
    // Every object passes here on its way to the linker: note its functions' sizes.
    jit_->getObjTransformLayer().setTransform([this](std::unique_ptr<llvm::MemoryBuffer> object)
                                                  -> llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> {
      note_function_bytes(*object, function_bytes_);
      return std::move(object);
    });
  }

  // Queued trackers are removed while the session is whole: a tracker dropped
  // unremoved hands its code to the session's default tracker as LLJIT dies.
  ~OrcJit() override {
    std::lock_guard lock(mutex_);
    remove_retired();
  }

  EnterFn enter() const override { return enter_; }
  void* exit_stub() const override { return exit_stub_; }

  std::vector<CompiledBlock> compile_batch(const std::vector<BlockToCompile>& requests) override {
    std::lock_guard lock(mutex_);
    remove_retired();
    std::vector<CompiledBlock> results(requests.size());
    if (requests.empty()) return results;
    const double share = 1.0 / static_cast<double>(requests.size());
    llvm::LLVMContext& llctx = *context_->getContext();
    auto module = std::make_unique<llvm::Module>("orcvm_batch_" + std::to_string(requests.front().id), llctx);
    module->setDataLayout(target_machine_->createDataLayout());
    module->setTargetTriple(target_machine_->getTargetTriple().str());
    LiftOptions lift_options{options_.count_memory_accesses, options_.chain_indirect};
    std::vector<std::string> names;
    std::vector<std::vector<uint64_t>> exit_targets;
    for (size_t b = 0; b < requests.size(); ++b) {
      auto start = std::chrono::steady_clock::now();
      const BlockToCompile& request = requests[b];
      names.push_back("orcvm_block_" + std::to_string(request.id));
      LiftResult lifted = lift_block(*module, names.back(), *request.insns, request.mode, request.id, lift_options);
      if (llvm::verifyFunction(*lifted.function, &llvm::errs()))
        throw std::runtime_error("lifted IR of " + names.back() + " does not verify");
      exit_targets.push_back(std::move(lifted.exit_targets));
      results[b].lift_us = micros_since(start);
    }
    if (options_.log_ir) log_module("op", *module);

    auto start = std::chrono::steady_clock::now();
    optimise(*module);
    if (options_.log_ir_optimised) log_module("op_opt", *module);
    if (options_.log_asm) log_assembly(*module);
    const double optimise_us = micros_since(start) * share;

    start = std::chrono::steady_clock::now();
    orc::JITDylib& dylib = jit_->getMainJITDylib();
    auto tracker = dylib.createResourceTracker();
    orc::SymbolMap slot_symbols;
    for (size_t b = 0; b < requests.size(); ++b) {
      std::vector<void*> slots = requests[b].allocate_exits(exit_targets[b]);
      for (size_t i = 0; i < slots.size(); ++i)
        slot_symbols[jit_->mangleAndIntern(exit_slot_symbol(names[b], i))] = {orc::ExecutorAddr::fromPtr(slots[i]),
                                                                               llvm::JITSymbolFlags::Exported};
    }
    if (!slot_symbols.empty())
      if (auto err = dylib.define(orc::absoluteSymbols(std::move(slot_symbols)), tracker))
        fail(std::move(err), "defining exit slots");
    if (auto err = jit_->addIRModule(tracker, orc::ThreadSafeModule(std::move(module), *context_)))
      fail(std::move(err), "adding a module");
    function_bytes_.clear();
    for (size_t b = 0; b < requests.size(); ++b)
      results[b].entry = take(jit_->lookup(names[b]), "compiling a block").toPtr<void (*)(ExecContext*)>();
    const double codegen_us = micros_since(start) * share;
    auto unreleased = std::make_shared<size_t>(requests.size());  // guarded by retired_mutex_
    for (size_t b = 0; b < requests.size(); ++b) {
      results[b].optimise_us = optimise_us;
      results[b].codegen_us = codegen_us;
      results[b].code_bytes = function_bytes_[names[b]];
      results[b].release = [tracker, unreleased, this] {
        std::lock_guard lock(retired_mutex_);
        if (--*unreleased == 0) retired_.push_back(tracker);
      };
    }
    return results;
  }

 private:
  // Frees the code of batches whose blocks are all released. Releasing only queues
  // the batch, so a VCPU invalidating code never waits for a compile in progress.
  void remove_retired() {
    std::vector<orc::ResourceTrackerSP> retired;
    {
      std::lock_guard lock(retired_mutex_);
      retired.swap(retired_);
    }
    for (auto& tracker : retired)
      if (auto err = tracker->remove()) llvm::consumeError(std::move(err));
  }

  // The size of each function of an object, by symbol name.
  static void note_function_bytes(const llvm::MemoryBuffer& object, std::unordered_map<std::string, size_t>& sizes) {
    auto file = llvm::object::ObjectFile::createObjectFile(object.getMemBufferRef());
    if (!file) {
      llvm::consumeError(file.takeError());
      return;
    }
    for (const llvm::object::SymbolRef& symbol : (*file)->symbols()) {
      auto type = symbol.getType();
      if (!type) {
        llvm::consumeError(type.takeError());
        continue;
      }
      if (*type != llvm::object::SymbolRef::ST_Function) continue;
      auto name = symbol.getName();
      if (!name) {
        llvm::consumeError(name.takeError());
        continue;
      }
      sizes[name->str()] += llvm::object::ELFSymbolRef(symbol).getSize();
    }
  }

  // orcvm_enter(ctx, code) calls code in the blocks' convention; the exit stub
  // returns to it.
  void add_entry_and_exit_stub() {
    llvm::LLVMContext& llctx = *context_->getContext();
    auto module = std::make_unique<llvm::Module>("orcvm_entry", llctx);
    module->setDataLayout(target_machine_->createDataLayout());
    module->setTargetTriple(target_machine_->getTargetTriple().str());
    llvm::IRBuilder<> b(llctx);
    llvm::FunctionType* block_type = llvm::FunctionType::get(b.getVoidTy(), {b.getPtrTy()}, false);
    auto* stub = llvm::Function::Create(block_type, llvm::GlobalValue::ExternalLinkage, kExitStubSymbol, *module);
    stub->setCallingConv(kBlockCallingConv);
    stub->addFnAttr(llvm::Attribute::NoUnwind);
    b.SetInsertPoint(llvm::BasicBlock::Create(llctx, "entry", stub));
    b.CreateRetVoid();
    auto* enter = llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), {b.getPtrTy(), b.getPtrTy()}, false),
                                         llvm::GlobalValue::ExternalLinkage, "orcvm_enter", *module);
    enter->addFnAttr(llvm::Attribute::NoUnwind);
    b.SetInsertPoint(llvm::BasicBlock::Create(llctx, "entry", enter));
    b.CreateCall(block_type, enter->getArg(1), {enter->getArg(0)})->setCallingConv(kBlockCallingConv);
    b.CreateRetVoid();
    if (auto err = jit_->addIRModule(orc::ThreadSafeModule(std::move(module), *context_)))
      fail(std::move(err), "adding the entry module");
    enter_ = take(jit_->lookup("orcvm_enter"), "compiling the entry").toPtr<EnterFn>();
    exit_stub_ = take(jit_->lookup(kExitStubSymbol), "compiling the exit stub").toPtr<void*>();
  }

  // The block pipeline is built once and its cached analyses cleared after each
  // module: forward register values, drop dead flag and register stores, fold.
  void build_pipeline() {
    pass_builder_ = std::make_unique<llvm::PassBuilder>(target_machine_.get());
    register_analyses(*pass_builder_, lam_, fam_, cgam_, mam_);
    llvm::FunctionPassManager fpm;
    fpm.addPass(llvm::SimplifyCFGPass());
    fpm.addPass(llvm::EarlyCSEPass(true));
    fpm.addPass(llvm::InstCombinePass());
    fpm.addPass(llvm::DSEPass());
    fpm.addPass(llvm::SimplifyCFGPass());
    pipeline_.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fpm)));
  }

  static void register_analyses(llvm::PassBuilder& pb, llvm::LoopAnalysisManager& lam,
                                llvm::FunctionAnalysisManager& fam, llvm::CGSCCAnalysisManager& cgam,
                                llvm::ModuleAnalysisManager& mam) {
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
  }

  void optimise(llvm::Module& module) {
    if (options_.opt_level == 0) return;
    if (options_.opt_level >= 2) {
      // LLVM's O2 keeps state across runs in its inliner: a fresh pipeline per module.
      llvm::LoopAnalysisManager lam;
      llvm::FunctionAnalysisManager fam;
      llvm::CGSCCAnalysisManager cgam;
      llvm::ModuleAnalysisManager mam;
      llvm::PassBuilder pb(target_machine_.get());
      register_analyses(pb, lam, fam, cgam, mam);
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(module, mam);
      return;
    }
    pipeline_.run(module, mam_);
    lam_.clear();
    fam_.clear();
    cgam_.clear();
    mam_.clear();
  }

  void log_module(const char* item, const llvm::Module& module) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os, nullptr);
    Log::printf("%s:\n%s\n", item, os.str().c_str());
  }

  void log_assembly(llvm::Module& module) {
    auto clone = llvm::CloneModule(module);
    llvm::SmallString<4096> text;
    llvm::raw_svector_ostream os(text);
    llvm::legacy::PassManager pm;
    if (target_machine_->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile)) return;
    pm.run(*clone);
    Log::printf("out_asm:\n%s\n", text.c_str());
  }

  JitOptions options_;
  EnterFn enter_ = nullptr;
  void* exit_stub_ = nullptr;
  std::unique_ptr<llvm::TargetMachine> target_machine_;
  std::unique_ptr<CodeArenaMemoryManager> code_memory_;  // outlives jit_, whose linker uses it
  std::unique_ptr<orc::LLJIT> jit_;
  std::unique_ptr<orc::ThreadSafeContext> context_;
  llvm::LoopAnalysisManager lam_;
  llvm::FunctionAnalysisManager fam_;
  llvm::CGSCCAnalysisManager cgam_;
  llvm::ModuleAnalysisManager mam_;
  std::unique_ptr<llvm::PassBuilder> pass_builder_;
  llvm::ModulePassManager pipeline_;
  std::mutex mutex_;  // one compile at a time
  std::mutex retired_mutex_;
  std::vector<orc::ResourceTrackerSP> retired_;  // batches to free, under retired_mutex_
  std::unordered_map<std::string, size_t> function_bytes_;  // of the last batch; written by the object transform, under mutex_
};

}  // namespace

std::unique_ptr<Jit> Jit::create(const JitOptions& options,
                                 const std::vector<std::pair<std::string, void*>>& runtime_symbols) {
  return std::make_unique<OrcJit>(options, runtime_symbols);
}

}  // namespace orcvm
