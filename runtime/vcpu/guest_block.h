#pragma once
// Moves a block of bytes between the runtime and a guest memory operand that the
// instruction addresses as seg:offset (FXSAVE, FXRSTOR, x87 operands and
// environment images): segment checks, then every page of the block translated
// before any byte moves, so that a fault leaves guest memory and the runtime's
// copy untouched.
#include <cstdint>

#include "frontend/decode/insn.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

// how: the TLB bank and access flags (runtime/softmmu/mmu.h access_how) of the
// block's mode. On a fault the exception is recorded and false returned.
bool read_guest_block(ExecContext* ctx, Seg seg, uint64_t offset, unsigned how, void* out, unsigned size);
bool write_guest_block(ExecContext* ctx, Seg seg, uint64_t offset, unsigned how, const void* in, unsigned size);

// The linear address of seg:offset as the instruction's operand (flat in 64-bit
// mode but for FS and GS), after the limit and type checks of 16- and 32-bit modes.
bool operand_linear_address(ExecContext* ctx, Seg seg, uint64_t offset, unsigned size, bool write,
                            uint64_t* linear);

}  // namespace orcvm
