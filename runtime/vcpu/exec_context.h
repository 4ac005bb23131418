#pragma once
// What translated code sees: the guest CPU state followed by the per-VCPU runtime
// structures that the generated fast paths read (soft TLB, jump cache, exit word).
// The LLVM emitter addresses every field by offsetof on this struct.
#include <cstddef>
#include <cstdint>

#include "runtime/vcpu/cpu_state.h"

namespace orcvm {

class Vcpu;
class PhysicalMemory;

// One soft-TLB entry. A tag is the page-aligned linear address the entry maps for
// that kind of access, or kTlbInvalid. host = linear + addend.
struct TlbEntry {
  uint64_t read_tag;
  uint64_t write_tag;
  uint64_t exec_tag;
  uint64_t addend;
};
constexpr uint64_t kTlbInvalid = 1;  // never equal to a page-aligned address
constexpr unsigned kTlbBits = 8;
constexpr unsigned kTlbEntries = 1u << kTlbBits;
constexpr unsigned kTlbBanks = 3;  // user, supervisor, supervisor with SMAP active

// Where a locked read-modify-write that splits a page or touches MMIO is performed
// (runtime/softmmu/locked_access.h).
struct LockedBounce {
  alignas(16) uint8_t bytes[16];
  uint64_t linear;
  uint32_t size;
  uint32_t how;
};

struct JumpCacheEntry {
  uint64_t rip;
  uint64_t mode;  // BlockMode bits; an entry matches only the mode it was made in
  void* code;     // the block's entry point
  void* block;    // the TranslatedBlock, for the runtime
};
constexpr unsigned kJumpCacheBits = 12;
constexpr unsigned kJumpCacheEntries = 1u << kJumpCacheBits;

inline unsigned jump_cache_index(uint64_t rip) {
  return static_cast<unsigned>((rip ^ (rip >> kJumpCacheBits)) & (kJumpCacheEntries - 1));
}

struct ExecContext {
  CpuState cpu;
  // Non-zero stops a chain at the next block entry (interrupts, invalidation, shutdown).
  // Written by other threads through std::atomic_ref.
  uint32_t exit_request;
  // Set by a store that rewrote the running block: leave after this instruction.
  uint32_t stop_after_insn;
  // The exit slot a block left through, so the runtime can chain it; null when the
  // exit cannot be chained.
  void** last_exit_slot;
  // Guest instructions left before the VCPU must return (only when counting).
  int64_t budget;
  // Guest memory accesses made by compiled code (counted only with --stats) and how
  // many of them missed the inline TLB and took the slow path: the TLB hit rate.
  uint64_t memory_accesses;
  uint64_t tlb_misses;
  // Non-zero: RDTSC returns this many reads so far times 1000 (VcpuOptions::deterministic_tsc).
  uint64_t deterministic_tsc_reads;
  PhysicalMemory* memory;
  Vcpu* vcpu;
  // The span of linear addresses that TLB entries made from large pages cover: an
  // INVLPG inside it flushes the whole TLB.
  uint64_t large_page_first;
  uint64_t large_page_last;
  LockedBounce locked_bounce;
  // DR6.B0-B3 bits of the data breakpoints the current instruction hit (debug_breakpoints.h).
  uint32_t data_breakpoint_hits;
  TlbEntry tlb[kTlbBanks][kTlbEntries];
  JumpCacheEntry jump_cache[kJumpCacheEntries];
};

static_assert(offsetof(ExecContext, cpu) == 0);
static_assert(sizeof(TlbEntry) == 32);
static_assert(sizeof(JumpCacheEntry) == 32);

}  // namespace orcvm
