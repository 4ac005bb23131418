#include "runtime/interp/interpreter.h"

#include "ir/semantics/bindings.h"
#include "runtime/interp/interp_emitter.h"

namespace orcvm {

InterpretedExit interpret_block(ExecContext* ctx, const TranslatedBlock& block, uint64_t* executed_mnemonics) {
  ctx->cpu.materialize_flags();  // compiled code may have left them lazy
  InterpEmitter e(ctx, block.mode);
  const sem::BindingTable<InterpEmitter>& table = sem::bindings<InterpEmitter>();
  // A block counts all its instructions when it starts, as compiled code does,
  // so that the instruction clock (--icount) does not depend on the tier.
  if (block.mode.counting()) ctx->budget -= static_cast<int64_t>(block.insns.size());
  for (const DecodedInsn& insn : block.insns) {
    ctx->cpu.rip = insn.rip;
    e.begin_instruction(insn);
    if (executed_mnemonics) ++executed_mnemonics[static_cast<size_t>(insn.mnemonic)];
    try {
      table.handler(insn)(e, insn);
    } catch (const GuestFault&) {
      return InterpretedExit::ToLoop;
    }
    if (e.block_ended()) return e.ended_to_loop() ? InterpretedExit::ToLoop : InterpretedExit::Branch;
    if (ctx->stop_after_insn) {
      ctx->stop_after_insn = 0;
      ctx->cpu.rip = insn.next_rip();
      return InterpretedExit::ToLoop;
    }
  }
  ctx->cpu.rip = block.insns.back().next_rip();
  return InterpretedExit::Branch;
}

void resolve_bindings(std::vector<DecodedInsn>& insns) {
  const sem::BindingTable<InterpEmitter>& table = sem::bindings<InterpEmitter>();
  for (DecodedInsn& insn : insns) insn.binding = table.index_of(insn.encoding);
}

}  // namespace orcvm
