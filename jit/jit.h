#pragma once
// The compiler tier: lifts decoded blocks with the LLVM emitter and compiles them
// with ORC LLJIT. No LLVM type appears in this interface.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "frontend/decode/insn.h"
#include "ir/semantics/mode.h"

namespace orcvm {

struct ExecContext;

struct JitOptions {
  unsigned opt_level = 1;       // 0: no IR optimisation; 1: the block pipeline; 2: O2
  bool count_memory_accesses = false;  // --stats: count inline accesses for the TLB hit rate
  bool chain_indirect = true;   // indirect exits jump through the jump cache (off with -d nochain)
  bool log_ir = false;          // -d op
  bool log_ir_optimised = false;  // -d op_opt
  bool log_asm = false;         // -d out_asm
};

struct BlockToCompile {
  const std::vector<DecodedInsn>* insns;
  BlockMode mode;
  uint64_t id;  // unique: names the function and its exit slots
  // Called with the guest targets of the block's direct exits, in order; returns the
  // address of each exit's slot (a word holding the code address to tail-call).
  std::function<std::vector<void*>(const std::vector<uint64_t>&)> allocate_exits;
};

struct CompiledBlock {
  void (*entry)(ExecContext*) = nullptr;
  std::function<void()> release;  // frees the code and its symbols
  double lift_us = 0, optimise_us = 0, codegen_us = 0;
  size_t code_bytes = 0;
};

class Jit {
 public:
  virtual ~Jit() = default;
  // runtime_symbols: the helpers and slow paths generated code may call, by name.
  static std::unique_ptr<Jit> create(const JitOptions& options,
                                     const std::vector<std::pair<std::string, void*>>& runtime_symbols);
  // Compiles the blocks as one module: one code generation and one link for all of
  // them, their code packed together. Each block's code is freed when the last block
  // of its batch is released. Times are per block (the batch's shared by all).
  virtual std::vector<CompiledBlock> compile_batch(const std::vector<BlockToCompile>& blocks) = 0;
  CompiledBlock compile(const BlockToCompile& block) { return std::move(compile_batch({block}).front()); }

  // Compiled blocks have a calling convention of their own (ir/lift/llvm_emitter.h):
  // C++ runs one, and whatever it chains to, through enter. An exit slot not
  // chained holds exit_stub, which returns from enter.
  using BlockCode = void (*)(ExecContext*);
  using EnterFn = void (*)(ExecContext*, BlockCode);
  virtual EnterFn enter() const = 0;
  virtual void* exit_stub() const = 0;
};

}  // namespace orcvm
