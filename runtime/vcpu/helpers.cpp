#include "runtime/vcpu/helpers.h"
#include "ir/semantics/canonical.h"
#include "ir/semantics/exception_vectors.h"
#include "runtime/vcpu/helper_functions.h"
#include "runtime/vcpu/msr.h"
#include "runtime/vcpu/privilege.h"

#include <chrono>

#include "devices/interrupts.h"
#include "runtime/log.h"
#include "runtime/softmmu/address_map.h"
#include "runtime/softmmu/locked_access.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/cpu_model.h"
#include "runtime/vcpu/vcpu.h"

namespace orcvm {

void raise_exception(ExecContext* ctx, uint8_t vector, uint32_t error_code, bool has_error_code) {
  PendingException& ex = ctx->cpu.exception;
  ex.pending = 1;
  ex.vector = vector;
  ex.error_code = error_code;
  ex.has_error_code = has_error_code;
  ex.rip = ctx->cpu.rip;
}

unsigned bank_of(const ExecContext* ctx) { return ctx->cpu.cpl == 3 ? TlbBank::User : TlbBank::Supervisor; }

uint64_t helper_Cpuid(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  uint64_t* r = ctx->cpu.gpr;
  CpuidResult c = cpuid(static_cast<uint32_t>(r[RAX]), static_cast<uint32_t>(r[RCX]));
  r[RAX] = c.eax;
  r[RBX] = c.ebx;
  r[RCX] = c.ecx;
  r[RDX] = c.edx;
  return 0;
}

uint64_t helper_Rdtsc(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if ((ctx->cpu.cr4 & cr4::TSD) && ctx->cpu.cpl != 0) {
    raise_exception(ctx, vector::GP, 0, true);
    return 0;
  }
  return read_tsc(ctx);
}

uint64_t helper_PortIn(ExecContext* ctx, uint64_t port, uint64_t bytes, uint64_t) {
  if (!io_allowed(ctx, static_cast<uint16_t>(port), static_cast<unsigned>(bytes))) return 0;
  return ctx->memory->bus().port_read(static_cast<uint16_t>(port), static_cast<unsigned>(bytes));
}

uint64_t helper_PortOut(ExecContext* ctx, uint64_t port, uint64_t bytes, uint64_t value) {
  if (!io_allowed(ctx, static_cast<uint16_t>(port), static_cast<unsigned>(bytes))) return 0;
  ctx->memory->bus().port_write(static_cast<uint16_t>(port), static_cast<unsigned>(bytes),
                                static_cast<uint32_t>(value));
  return 0;
}

uint64_t helper_IoCheck(ExecContext* ctx, uint64_t port, uint64_t bytes, uint64_t) {
  io_allowed(ctx, static_cast<uint16_t>(port), static_cast<unsigned>(bytes));
  return 0;
}

uint64_t helper_Hlt(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (require_cpl0(ctx)) ctx->cpu.halted = 1;
  return 0;
}

uint64_t helper_ReadCr(ExecContext* ctx, uint64_t n, uint64_t, uint64_t) {
  if (!require_cpl0(ctx)) return 0;
  const CpuState& c = ctx->cpu;
  switch (n) {
    case 0: return c.cr0;
    case 2: return c.cr2;
    case 3: return c.cr3;
    case 4: return c.cr4;
    case 8: {
      // CR8 is TPR[7:4] of the local APIC (SDM Vol. 3, 10.8.6.5); a VCPU without
      // a platform (the difftest oracle) keeps it as a plain register.
      InterruptController* apic = ctx->vcpu->interrupt_controller();
      return apic ? apic->read_cr8() : c.cr8;
    }
    default: raise_exception(ctx, vector::UD); return 0;
  }
}

uint64_t helper_WriteCr(ExecContext* ctx, uint64_t n, uint64_t value, uint64_t) {
  if (!require_cpl0(ctx)) return 0;
  CpuState& c = ctx->cpu;
  switch (n) {
    case 0: {
      // Paging with EFER.LME set enters IA-32e mode (EFER.LMA); SDM Vol. 3, 10.8.5.
      const bool enabling = (value & cr0::PG) && !(c.cr0 & cr0::PG);
      const bool disabling = !(value & cr0::PG) && (c.cr0 & cr0::PG);
      const bool code64 = c.seg[static_cast<int>(Seg::CS)].attrs & (1u << 13);
      const bool bad = (value >> 32) || ((value & cr0::PG) && !(value & cr0::PE)) ||
                       ((value & cr0::NW) && !(value & cr0::CD)) ||
                       (enabling && (c.efer & efer::LME) && (!(c.cr4 & cr4::PAE) || code64)) ||
                       (disabling && (c.efer & efer::LMA) && code64);
      if (bad) {
        raise_exception(ctx, vector::GP, 0, true);
        return 0;
      }
      if (enabling && (c.efer & efer::LME)) c.efer |= efer::LMA;
      if (disabling) c.efer &= ~efer::LMA;
      c.cr0 = value | cr0::ET;
      break;
    }
    case 2: c.cr2 = value; return 0;
    case 3:
      // In IA-32e mode bits 63:MAXPHYADDR are reserved (bit 63 too: no PCIDE);
      // SDM Vol. 3, 4.5.2 and MOV to CR, "#GP(0) if an attempt is made to write
      // a 1 to any reserved bit in CR3".
      if ((c.efer & efer::LMA) && (value >> PhysicalAddressMap::kPhysicalAddressBits)) {
        raise_exception(ctx, vector::GP, 0, true);
        return 0;
      }
      c.cr3 = value;
      ctx->vcpu->flush_non_global_translations();
      return 0;
    case 4: {
      // The bits of the features CPUID advertises (docs/cpu-model.md).
      constexpr uint64_t supported = cr4::PSE | cr4::PAE | cr4::PGE | cr4::OSFXSR | cr4::OSXMMEXCPT |
                                     cr4::UMIP | cr4::SMEP | cr4::TSD | cr4::DE | cr4::MCE | cr4::PCE;
      if ((value & ~supported) || ((c.efer & efer::LMA) && !(value & cr4::PAE))) {
        raise_exception(ctx, vector::GP, 0, true);
        return 0;
      }
      c.cr4 = value;
      break;
    }
    case 8:
      if (value >> 4) {
        raise_exception(ctx, vector::GP, 0, true);
        return 0;
      }
      // The LAPIC sets TPR = value << 4; a lower TPR that unmasks a pending
      // interrupt wakes the VCPU, which takes it after this instruction (MOV to
      // CR8 ends the block).
      if (InterruptController* apic = ctx->vcpu->interrupt_controller())
        apic->write_cr8(static_cast<uint8_t>(value));
      else
        c.cr8 = value;
      return 0;
    default:
      raise_exception(ctx, vector::UD);
      return 0;
  }
  ctx->vcpu->flush_translation_caches();
  return 0;
}

uint64_t helper_Invlpg(ExecContext* ctx, uint64_t linear, uint64_t, uint64_t) {
  if (require_cpl0(ctx)) ctx->vcpu->flush_page(linear);
  return 0;
}

// POPF (SDM Vol. 2 POPF): at CPL 0 every flag but VM/VIP/VIF changes; at CPL > 0
// IOPL is kept; IF changes only when CPL <= IOPL. RF is cleared, VM unchanged.
uint64_t helper_Popf(ExecContext* ctx, uint64_t value, uint64_t bits, uint64_t) {
  CpuState& c = ctx->cpu;
  const uint64_t old = c.get_rflags();
  uint64_t changeable = rflags::Status | rflags::TF | rflags::DF | rflags::NT | rflags::AC | rflags::ID |
                        rflags::IF | rflags::IOPL;
  if (c.cpl > 0) changeable &= ~rflags::IOPL;
  if (c.cpl > current_iopl(ctx)) changeable &= ~rflags::IF;
  if (bits == 16) changeable &= 0xffff;
  c.set_rflags((old & ~changeable & ~rflags::RF) | (value & changeable));
  return 0;
}

uint64_t helper_Pushf(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  return ctx->cpu.get_rflags() & ~(rflags::VM | rflags::RF);
}

uint64_t helper_Cli(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if ((ctx->cpu.cr0 & cr0::PE) && ctx->cpu.cpl > current_iopl(ctx)) {
    raise_exception(ctx, vector::GP, 0, true);
    return 0;
  }
  ctx->cpu.rflags &= ~rflags::IF;
  return 0;
}

uint64_t helper_Sti(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if ((ctx->cpu.cr0 & cr0::PE) && ctx->cpu.cpl > current_iopl(ctx)) {
    raise_exception(ctx, vector::GP, 0, true);
    return 0;
  }
  if (!(ctx->cpu.rflags & rflags::IF)) ctx->cpu.interrupt_shadow = interrupt_shadow::Sti;
  ctx->cpu.rflags |= rflags::IF;
  return 0;
}

uint64_t helper_Raise(ExecContext* ctx, uint64_t vector, uint64_t error_code, uint64_t flags) {
  raise_exception(ctx, static_cast<uint8_t>(vector), static_cast<uint32_t>(error_code), flags & 1);
  ctx->cpu.exception.software = (flags & 2) != 0;
  ctx->cpu.exception.instruction_length = static_cast<uint8_t>(flags >> 8);
  return 0;
}

uint64_t helper_Unimplemented(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (Log::on(LogItem::Unimp)) {
    uint8_t bytes[15] = {};
    uint64_t paddr;
    ExecContext probe = *ctx;  // a fetch fault here must not replace the #UD
    const bool fetched = mmu_fetch(&probe, ctx->cpu.seg[1].base + ctx->cpu.rip, bytes, 1, &paddr);
    Log::printf("unimp: instruction at 0x%llx (first byte %02x%s) raises #UD\n",
                (unsigned long long)ctx->cpu.rip, bytes[0], fetched ? "" : ", unreadable");
  }
  raise_exception(ctx, vector::UD);
  return 0;
}

uint64_t helper_PrivilegedUnimplemented(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (require_cpl0(ctx)) helper_Unimplemented(ctx, 0, 0, 0);
  return 0;
}

uint64_t helper_Cmpxchg16b(ExecContext* ctx, uint64_t ea, uint64_t seg, uint64_t) {
  uint64_t linear = ea;
  if (seg == static_cast<uint64_t>(Seg::FS) || seg == static_cast<uint64_t>(Seg::GS))
    linear += ctx->cpu.seg[seg].base;
  const bool stack = seg == static_cast<uint64_t>(Seg::SS);
  // A non-canonical address faults before the alignment check, as on the host.
  if (!canonical(linear)) {
    raise_exception(ctx, stack ? vector::SS : vector::GP, 0, true);
    return 0;
  }
  if (linear & 15) {
    raise_exception(ctx, vector::GP, 0, true);
    return 0;
  }
  const unsigned how = bank_of(ctx) | (stack ? access_how::Stack : 0);
  auto* host = static_cast<unsigned __int128*>(mmu_rmw_pointer(ctx, linear, 16, how));
  if (!host) return 0;
  uint64_t* r = ctx->cpu.gpr;
  unsigned __int128 expected = (static_cast<unsigned __int128>(r[RDX]) << 64) | r[RAX];
  const unsigned __int128 desired = (static_cast<unsigned __int128>(r[RCX]) << 64) | r[RBX];
  const bool equal = __atomic_compare_exchange_n(host, &expected, desired, false, __ATOMIC_SEQ_CST,
                                                 __ATOMIC_SEQ_CST);
  if (!equal) {
    r[RAX] = static_cast<uint64_t>(expected);
    r[RDX] = static_cast<uint64_t>(expected >> 64);
  }
  if (is_locked_bounce(ctx, host)) mmu_locked_commit(ctx);
  ctx->cpu.materialize_flags();
  ctx->cpu.zf = equal;
  return 0;
}

uint64_t helper_Pdep(ExecContext*, uint64_t source, uint64_t mask, uint64_t) {
  uint64_t result = 0;
  for (uint64_t m = mask; m; m &= m - 1, source >>= 1)
    if (source & 1) result |= m & -m;
  return result;
}

uint64_t helper_Pext(ExecContext*, uint64_t source, uint64_t mask, uint64_t) {
  uint64_t result = 0;
  unsigned k = 0;
  for (uint64_t m = mask; m; m &= m - 1, ++k)
    if (source & (m & -m)) result |= uint64_t{1} << k;
  return result;
}

namespace {
constexpr HelperFn kHelpers[] = {
#define X(name, may_fault, registers) &helper_##name,
#include "ir/semantics/helpers.inc"
#undef X
};
}  // namespace

HelperFn helper_function(Helper h) { return kHelpers[static_cast<int>(h)]; }

}  // namespace orcvm

// Entry points with fixed names for generated code: the slow paths of the inline
// memory accesses and the chain stub. rip is the accessing instruction, stored only
// when the access faults.
extern "C" {

uint64_t orcvm_mem_read(orcvm::ExecContext* ctx, uint64_t linear, uint64_t size, uint64_t bank, uint64_t rip) {
  ++ctx->tlb_misses;
  uint64_t v = orcvm::mmu_read(ctx, linear, static_cast<unsigned>(size), static_cast<unsigned>(bank));
  if (ctx->cpu.exception.pending) ctx->cpu.rip = ctx->cpu.exception.rip = rip;
  return v;
}

void orcvm_mem_write(orcvm::ExecContext* ctx, uint64_t linear, uint64_t size, uint64_t value, uint64_t bank,
                     uint64_t rip) {
  ++ctx->tlb_misses;
  orcvm::mmu_write(ctx, linear, static_cast<unsigned>(size), value, static_cast<unsigned>(bank));
  if (ctx->cpu.exception.pending) ctx->cpu.rip = ctx->cpu.exception.rip = rip;
}

void orcvm_mem_write128(orcvm::ExecContext* ctx, uint64_t linear, uint64_t low, uint64_t high, uint64_t bank,
                        uint64_t rip) {
  ++ctx->tlb_misses;
  orcvm::mmu_write128(ctx, linear, low, high, static_cast<unsigned>(bank));
  if (ctx->cpu.exception.pending) ctx->cpu.rip = ctx->cpu.exception.rip = rip;
}

void* orcvm_mem_rmw(orcvm::ExecContext* ctx, uint64_t linear, uint64_t size, uint64_t bank, uint64_t rip) {
  ++ctx->tlb_misses;
  void* p = orcvm::mmu_rmw_pointer(ctx, linear, static_cast<unsigned>(size), static_cast<unsigned>(bank));
  if (ctx->cpu.exception.pending) ctx->cpu.rip = ctx->cpu.exception.rip = rip;
  return p;
}

void orcvm_locked_commit(orcvm::ExecContext* ctx) { orcvm::mmu_locked_commit(ctx); }

void orcvm_materialize_flags(orcvm::ExecContext* ctx) { ctx->cpu.materialize_flags(); }

}  // extern "C"

namespace orcvm {

std::vector<std::pair<std::string, void*>> runtime_symbols() {
  std::vector<std::pair<std::string, void*>> symbols = {
      {"orcvm_mem_read", reinterpret_cast<void*>(&orcvm_mem_read)},
      {"orcvm_mem_write", reinterpret_cast<void*>(&orcvm_mem_write)},
      {"orcvm_mem_write128", reinterpret_cast<void*>(&orcvm_mem_write128)},
      {"orcvm_mem_rmw", reinterpret_cast<void*>(&orcvm_mem_rmw)},
      {"orcvm_locked_commit", reinterpret_cast<void*>(&orcvm_locked_commit)},
      {"orcvm_materialize_flags", reinterpret_cast<void*>(&orcvm_materialize_flags)},
  };
  for (int h = 0; h < static_cast<int>(Helper::Count); ++h)
    symbols.emplace_back(helper_symbol(static_cast<Helper>(h)), reinterpret_cast<void*>(kHelpers[h]));
  return symbols;
}

}  // namespace orcvm
