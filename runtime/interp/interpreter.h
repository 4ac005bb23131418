#pragma once
#include "runtime/tcache/block.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

// Runs a block's decoded instructions with the interpreter emitter. Returns after
// the block's exit, a fault (recorded in ctx->cpu.exception) or a store that
// rewrote code (ctx->stop_after_insn).
void interpret_block(ExecContext* ctx, const TranslatedBlock& block, uint64_t* executed_mnemonics);

// Resolves each instruction's semantics binding once, so that running and
// compiling the block skip the lookup.
void resolve_bindings(std::vector<DecodedInsn>& insns);

}  // namespace orcvm
