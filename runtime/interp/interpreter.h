#pragma once
#include "runtime/tcache/block.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

enum class InterpretedExit {
  Branch,  // by its branch or past its last instruction
  ToLoop,  // a fault (recorded in ctx->cpu.exception), a store that rewrote code, an
           // instruction whose effects the VCPU loop must see, or an exit request
};

// Runs a block's decoded instructions with the interpreter emitter.
InterpretedExit interpret_block(ExecContext* ctx, const TranslatedBlock& block, uint64_t* executed_mnemonics);

// Resolves each instruction's semantics binding once, so that running and
// compiling the block skip the lookup.
void resolve_bindings(std::vector<DecodedInsn>& insns);

}  // namespace orcvm
