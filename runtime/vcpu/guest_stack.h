#pragma once
// A guest stack as the CPU's own pushes and pops see it: exception and interrupt
// frames, IRET, far CALL/RET, call gates and task switches. It stands for SS:rSP
// without changing either: callers commit the final pointer only after every access
// of the instruction has succeeded.
#include <cstdint>

#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/descriptors.h"

namespace orcvm {

// The bits of rSP a stack uses: SP for a 16-bit stack segment, ESP when SS.B is set.
inline uint64_t stack_width_mask(const SegmentReg& ss) {
  return ss.attrs & segattr::DefaultBig ? 0xffffffffull : 0xffffull;
}

// The TLB bank and access kind of stack accesses made with the privilege of cpl.
inline unsigned stack_access(unsigned cpl) {
  return (cpl == 3 ? TlbBank::User : TlbBank::Supervisor) | access_how::Stack;
}

struct GuestStack {
  ExecContext* ctx;
  uint64_t base;  // the SS base (0 for a flat 64-bit stack)
  uint64_t sp;    // kept within mask
  uint64_t mask;  // 0xffff, 0xffffffff or all ones
  unsigned how;   // TLB bank and access_how bits

  // The stack SS describes, accessed with the privilege of cpl.
  static GuestStack of(ExecContext* ctx, const SegmentReg& ss, uint64_t sp, unsigned cpl) {
    const uint64_t mask = stack_width_mask(ss);
    return GuestStack{ctx, ss.base, sp & mask, mask, stack_access(cpl)};
  }

  // The current SS:rSP as the instruction's own stack accesses use it: flat in
  // 64-bit mode, with the current privilege, subject to alignment checking.
  static GuestStack current(ExecContext* ctx) {
    const CpuState& c = ctx->cpu;
    const SegmentReg& ss = c.seg[static_cast<int>(Seg::SS)];
    const bool flat64 = in_64_bit_code(c);
    const uint64_t mask = flat64 ? ~0ull : stack_width_mask(ss);
    return GuestStack{ctx, flat64 ? 0 : ss.base, c.gpr[RSP] & mask, mask,
                      stack_access(c.cpl) | access_how::AlignChecked};
  }

  bool push(uint64_t value, unsigned bytes) {
    sp = (sp - bytes) & mask;
    mmu_write(ctx, base + sp, bytes, value, how);
    return !ctx->cpu.exception.pending;
  }

  bool pop(unsigned bytes, uint64_t* value) {
    if (!peek(0, bytes, value)) return false;
    sp = (sp + bytes) & mask;
    return true;
  }

  // Reads at sp + offset without moving the pointer (call-gate parameters, RETF's
  // outer SS:rSP).
  bool peek(uint64_t offset, unsigned bytes, uint64_t* value) const {
    *value = mmu_read(ctx, base + ((sp + offset) & mask), bytes, how);
    return !ctx->cpu.exception.pending;
  }

  // The rSP that leaves the bits above the stack's width as they were in old_rsp.
  uint64_t merged_into(uint64_t old_rsp) const { return (old_rsp & ~mask) | sp; }
};

}  // namespace orcvm
