#include "runtime/softmmu/locked_access.h"

#include <algorithm>
#include <cstring>

#include "runtime/softmmu/memory.h"
#include "runtime/softmmu/mmu.h"

namespace orcvm {

namespace {
constexpr unsigned kChunk = 8;  // mmu_read/mmu_write move at most 8 bytes
}

void* mmu_rmw_pointer(ExecContext* ctx, uint64_t linear, unsigned size, unsigned how) {
  if (uint8_t* host = tlb_lookup(ctx, how & access_how::BankMask, linear, size, Access::Write)) return host;
  const bool splits_page = ((linear & 0xfff) + size) > 0x1000;
  uint64_t paddr;
  if (!mmu_translate(ctx, linear, Access::Write, how, &paddr)) return nullptr;
  if (uint8_t* host = splits_page ? nullptr : ctx->memory->host(paddr, size)) {
    ctx->memory->note_write(paddr, size);
    return host;
  }
  if (splits_page && !mmu_translate(ctx, (linear | 0xfff) + 1, Access::Write, how, &paddr)) return nullptr;
  LockedBounce& bounce = ctx->locked_bounce;
  for (unsigned offset = 0; offset < size; offset += kChunk) {
    const unsigned n = std::min(kChunk, size - offset);
    const uint64_t value = mmu_read(ctx, linear + offset, n, how | access_how::WriteIntent);
    if (ctx->cpu.exception.pending) return nullptr;
    std::memcpy(bounce.bytes + offset, &value, n);
  }
  bounce.linear = linear;
  bounce.size = size;
  bounce.how = how;
  return bounce.bytes;
}

void mmu_locked_commit(ExecContext* ctx) {
  const LockedBounce& bounce = ctx->locked_bounce;
  for (unsigned offset = 0; offset < bounce.size; offset += kChunk) {
    const unsigned n = std::min(kChunk, bounce.size - offset);
    uint64_t value = 0;
    std::memcpy(&value, bounce.bytes + offset, n);
    mmu_write(ctx, bounce.linear + offset, n, value, bounce.how);
  }
}

}  // namespace orcvm
