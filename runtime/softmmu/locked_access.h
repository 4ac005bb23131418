#pragma once
// Locked read-modify-writes (LOCK prefix, XCHG with memory, CMPXCHG16B) are done with
// an atomic compare-exchange on a host pointer. Guest RAM inside one page provides it
// directly. An access that splits a page or touches MMIO works on ctx->locked_bounce
// instead, which mmu_locked_commit writes back: with one VCPU no one can see the
// halves apart (docs/decisions.md, "Locked accesses that split a page").
#include <cstdint>

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

// A host pointer for an atomic read-modify-write of size bytes (at most 16), or null
// after a fault: the access is translated for writing (both pages when it splits)
// before anything is read.
void* mmu_rmw_pointer(ExecContext* ctx, uint64_t linear, unsigned size, unsigned how);

inline bool is_locked_bounce(const ExecContext* ctx, const void* host) { return host == ctx->locked_bounce.bytes; }

// Writes the bounce buffer back to guest memory; the translations were made by
// mmu_rmw_pointer, so it cannot fault.
void mmu_locked_commit(ExecContext* ctx);

}  // namespace orcvm
