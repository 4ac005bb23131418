#include "runtime/vcpu/privilege.h"

#include "runtime/softmmu/mmu.h"

namespace orcvm {

// SDM Vol. 1, 19.5: with CPL > IOPL (or in virtual-8086 mode) the access is allowed
// only if every bit for its ports is clear in the I/O permission bitmap of a 32/64-bit TSS.
bool io_allowed(ExecContext* ctx, uint16_t port, unsigned bytes) {
  const CpuState& c = ctx->cpu;
  if (!(c.cr0 & cr0::PE) || (c.cpl <= current_iopl(ctx) && !(c.rflags & rflags::VM))) return true;
  const SegmentReg& tr = c.tr;
  const unsigned type = tr.attrs & 0xf;
  bool allowed = false;
  if ((type == 0x9 || type == 0xb) && tr.limit >= 0x67) {
    const uint64_t bitmap_base = mmu_read(ctx, tr.base + 0x66, 2, TlbBank::Supervisor);
    const uint64_t byte = bitmap_base + port / 8;
    if (!ctx->cpu.exception.pending && byte + 1 <= tr.limit) {
      const uint64_t bits = mmu_read(ctx, tr.base + byte, 2, TlbBank::Supervisor);
      if (ctx->cpu.exception.pending) return false;
      const uint64_t mask = ((1u << bytes) - 1) << (port % 8);
      allowed = (bits & mask) == 0;
    }
    if (ctx->cpu.exception.pending) return false;
  }
  if (!allowed) raise_exception(ctx, 13, 0, true);
  return allowed;
}

}  // namespace orcvm
