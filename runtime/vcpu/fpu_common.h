#pragma once
// What the x87 and SSE helpers share: the CR0 checks of the x87 instructions,
// FNINIT's state and how the helpers reach their memory operands.
#include <cstdint>

#include "frontend/decode/insn.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

// #NM with CR0.EM or CR0.TS; then, for a waiting instruction, #MF for a pending
// unmasked exception. False when it raised one.
bool x87_available(ExecContext* ctx, bool waiting);

// FNINIT and what FNSAVE leaves: FCW 0x37f, FSW and the last-instruction fields
// zero, every register tagged empty with its bits kept, MXCSR untouched.
void initialize_x87(FpuState& f);

// The access_how of a data operand through seg (runtime/softmmu/mmu.h).
unsigned fpu_data_access(const ExecContext* ctx, Seg seg);

}  // namespace orcvm
