#pragma once
// Privilege checks shared by the runtime's instruction helpers.
#include "runtime/vcpu/exec_context.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

inline unsigned current_iopl(const ExecContext* ctx) { return (ctx->cpu.rflags >> 12) & 3; }

// Privileged instructions raise #GP(0) outside CPL 0.
inline bool require_cpl0(ExecContext* ctx) {
  if (ctx->cpu.cpl == 0) return true;
  raise_exception(ctx, 13, 0, true);
  return false;
}

// IN/OUT/INS/OUTS/CLI/STI in protected mode need CPL <= IOPL. (The TSS I/O bitmap,
// which can grant ports to less privileged code, is consulted by io_allowed.)
bool io_allowed(ExecContext* ctx, uint16_t port, unsigned bytes);

}  // namespace orcvm
