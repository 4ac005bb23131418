#pragma once
// The software MMU: guest page walks, the soft TLB's fill and flush, and the slow
// paths of guest memory accesses that the inline fast paths fall back to.
#include <cstdint>

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

enum class Access : uint8_t { Read, Write, Execute };

struct TlbBank {
  static constexpr unsigned User = 0, Supervisor = 1, SupervisorSmap = 2;
};

// How an access is made, one word for calls from generated code: the TLB bank in
// the low bits, and whether it goes through SS (a non-canonical address then raises
// #SS, not #GP) or reads for a following write (the read then needs write
// permission, as the reads of read-modify-write instructions do).
namespace access_how {
// AlignChecked: an explicit access of the instruction (not a descriptor-table or TSS
// access), subject to #AC.
constexpr unsigned BankMask = 3, Stack = 4, WriteIntent = 8, AlignChecked = 16;
}

// Translates a linear address and fills the TLB. On failure records the fault
// (#PF with CR2, or #GP/#SS for a non-canonical address) in ctx->cpu.exception and
// returns false.
bool mmu_translate(ExecContext* ctx, uint64_t linear, Access access, unsigned how, uint64_t* paddr);

// Slow paths; a fault is recorded in ctx->cpu.exception (the caller checks it).
uint64_t mmu_read(ExecContext* ctx, uint64_t linear, unsigned size, unsigned how);
void mmu_write(ExecContext* ctx, uint64_t linear, unsigned size, uint64_t value, unsigned how);
// A 16-byte write (SSE), as two 8-byte halves after translating every page, so a
// fault leaves memory unchanged. (A 16-byte read is two 8-byte reads: a fault in
// the second leaves nothing to undo.)
void mmu_write128(ExecContext* ctx, uint64_t linear, uint64_t low, uint64_t high, unsigned how);
// Reads code bytes for the decoder; returns the number read before a fault or the
// end of a page run. The physical address of the first byte goes to *paddr.
bool mmu_fetch(ExecContext* ctx, uint64_t linear, uint8_t* buf, unsigned size, uint64_t* paddr);

void tlb_flush(ExecContext* ctx);
// What a CR3 write does: every entry but those made from global pages goes.
void tlb_flush_non_global(ExecContext* ctx);
void tlb_flush_page(ExecContext* ctx, uint64_t linear);
// Removes write permission from every TLB entry that maps the physical page.
void tlb_protect_code_page(ExecContext* ctx, uint64_t page_number);

inline unsigned tlb_index(uint64_t linear) { return (linear >> 12) & (kTlbEntries - 1); }

inline TlbEntry& tlb_entry(ExecContext* ctx, unsigned bank, uint64_t linear) {
  return ctx->tlb.entries[bank][tlb_index(linear)];
}

// Inline fast path: host pointer for an access inside one page, or null on a miss.
inline uint8_t* tlb_lookup(ExecContext* ctx, unsigned bank, uint64_t linear, unsigned size, Access access) {
  const TlbEntry& e = tlb_entry(ctx, bank, linear);
  const uint64_t tag = access == Access::Write ? e.write_tag : access == Access::Read ? e.read_tag : e.exec_tag;
  if (tag != ((linear + size - 1) & ~uint64_t{0xfff})) return nullptr;
  return reinterpret_cast<uint8_t*>(linear + e.addend);
}

}  // namespace orcvm
