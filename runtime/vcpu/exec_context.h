#pragma once
// What translated code sees: the guest CPU state followed by the per-VCPU runtime
// structures that the generated fast paths read (soft TLB, jump cache, exit word).
// The LLVM emitter addresses every field by offsetof on this struct.
#include <cstddef>
#include <cstdint>

#include "runtime/softmmu/tlb.h"
#include "runtime/tcache/jump_cache.h"
#include "runtime/vcpu/cpu_state.h"

namespace orcvm {

class Vcpu;
class PhysicalMemory;

// Where a locked read-modify-write that splits a page or touches MMIO is performed
// (runtime/softmmu/locked_access.h).
struct LockedBounce {
  alignas(16) uint8_t bytes[16];
  uint64_t linear;
  uint32_t size;
  uint32_t how;
};

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
  LockedBounce locked_bounce;
  // DR6.B0-B3 bits of the data breakpoints the current instruction hit (debug_breakpoints.h).
  uint32_t data_breakpoint_hits;
  SoftTlb tlb;
  JumpCache jump_cache;
};

static_assert(offsetof(ExecContext, cpu) == 0);

}  // namespace orcvm
