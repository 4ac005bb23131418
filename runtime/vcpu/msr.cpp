#include "runtime/vcpu/msr.h"

#include <chrono>

#include "devices/interrupts.h"
#include "devices/platform.h"
#include "ir/semantics/canonical.h"
#include "runtime/log.h"
#include "runtime/vcpu/cpu_model.h"
#include "runtime/vcpu/helpers.h"
#include "runtime/vcpu/vcpu.h"

namespace orcvm {

namespace {
constexpr uint64_t kApicBaseDefault = 0xfee00000 | (1u << 11) /*enabled*/ | (1u << 8) /*BSP*/;

// The MTRRs read back what was written (orcvm does not model memory types).
struct MtrrRange {
  static bool contains(uint32_t index) {
    return (index >= 0x200 && index <= 0x20f) || index == 0x250 || index == 0x258 || index == 0x259 ||
           (index >= 0x268 && index <= 0x26f);
  }
};

// The local APIC owns IA32_APIC_BASE and IA32_TSC_DEADLINE. A VCPU without a
// platform (the difftest oracle) keeps them in CpuState.
InterruptController* local_apic(ExecContext* ctx) { return ctx->vcpu ? ctx->vcpu->interrupt_controller() : nullptr; }
}  // namespace

uint64_t read_tsc(ExecContext* ctx) {
  if (ctx->deterministic_tsc_reads) return ctx->deterministic_tsc_reads++ * 1000 + ctx->cpu.tsc_offset;
  // The TSC counts the platform's time (host time, or retired instructions under
  // --icount), so RDTSC and TSC-deadline interrupts agree.
  if (const Platform* platform = ctx->vcpu ? ctx->vcpu->platform() : nullptr)
    return platform->tsc() + ctx->cpu.tsc_offset;
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) +
         ctx->cpu.tsc_offset;
}

bool read_msr(ExecContext* ctx, uint32_t index, uint64_t* value) {
  const CpuState& c = ctx->cpu;
  switch (index) {
    case msr::TSC: *value = read_tsc(ctx); return true;
    case msr::TSC_ADJUST: *value = c.tsc_offset; return true;
    case msr::PLATFORM_ID: *value = 0; return true;
    case msr::APIC_BASE:
      if (InterruptController* apic = local_apic(ctx)) *value = apic->read_apic_base();
      else *value = c.apic_base ? c.apic_base : kApicBaseDefault;
      return true;
    case msr::FEATURE_CONTROL: *value = 1; return true;  // locked, VMX off
    case msr::BIOS_SIGN_ID: *value = 0; return true;     // no microcode update loaded
    case msr::MTRRCAP: *value = 0x508; return true;      // 8 variable ranges, fixed ranges, WC
    case msr::ARCH_CAPABILITIES: *value = arch_capabilities::kValue; return true;
    case msr::MTRR_DEF_TYPE: *value = c.mtrr_def_type; return true;
    case msr::SYSENTER_CS: *value = c.sysenter_cs; return true;
    case msr::SYSENTER_ESP: *value = c.sysenter_esp; return true;
    case msr::SYSENTER_EIP: *value = c.sysenter_eip; return true;
    case msr::MCG_CAP: case msr::MCG_STATUS: *value = 0; return true;
    case msr::MISC_ENABLE: *value = c.misc_enable | misc_enable::kReadOnly; return true;
    case msr::PAT: *value = c.pat; return true;
    case msr::TSC_DEADLINE: {
      // The armed deadline; 0 once it has fired or outside TSC-deadline mode.
      InterruptController* apic = local_apic(ctx);
      *value = apic ? apic->read_tsc_deadline() : c.tsc_deadline;
      return true;
    }
    case msr::EFER: *value = c.efer; return true;
    case msr::STAR: *value = c.star; return true;
    case msr::LSTAR: *value = c.lstar; return true;
    case msr::CSTAR: *value = c.cstar; return true;
    case msr::SFMASK: *value = c.sfmask; return true;
    case msr::FS_BASE: *value = c.seg[static_cast<int>(Seg::FS)].base; return true;
    case msr::GS_BASE: *value = c.seg[static_cast<int>(Seg::GS)].base; return true;
    case msr::KERNEL_GS_BASE: *value = c.kernel_gs_base; return true;
    case msr::TSC_AUX: *value = c.tsc_aux; return true;
    default:
      if (MtrrRange::contains(index)) {
        *value = c.mtrr[index & 0x7f];
        return true;
      }
      if (Log::on(LogItem::Unimp)) Log::printf("unimp: rdmsr 0x%x is not in the CPU model: #GP(0)\n", index);
      raise_exception(ctx, 13, 0, true);
      return false;
  }
}

bool write_msr(ExecContext* ctx, uint32_t index, uint64_t value) {
  CpuState& c = ctx->cpu;
  auto refuse = [&] {
    raise_exception(ctx, 13, 0, true);
    return false;
  };
  switch (index) {
    case msr::TSC: c.tsc_offset = value - (read_tsc(ctx) - c.tsc_offset); return true;
    case msr::TSC_ADJUST: c.tsc_offset = value; return true;
    case msr::APIC_BASE:
      if (InterruptController* apic = local_apic(ctx)) {
        if (!apic->write_apic_base(value)) return refuse();  // a reserved bit, or x2APIC enable
        return true;
      }
      c.apic_base = value;
      return true;
    case msr::BIOS_SIGN_ID: return true;
    case msr::MTRR_DEF_TYPE: c.mtrr_def_type = value; return true;
    case msr::SYSENTER_CS: c.sysenter_cs = value & 0xffff; return true;
    case msr::SYSENTER_ESP: if (!canonical(value)) return refuse(); c.sysenter_esp = value; return true;
    case msr::SYSENTER_EIP: if (!canonical(value)) return refuse(); c.sysenter_eip = value; return true;
    case msr::MCG_STATUS: return true;
    case msr::MISC_ENABLE:
      // Writes to the read-only bits are ignored; the features of the other bits are absent.
      if (value & ~(misc_enable::kWritable | misc_enable::kReadOnly)) return refuse();
      c.misc_enable = value & misc_enable::kWritable;
      return true;
    case msr::PAT: c.pat = value; return true;
    case msr::TSC_DEADLINE:
      // The LAPIC turns the distance from the current TSC into platform time.
      if (InterruptController* apic = local_apic(ctx)) apic->write_tsc_deadline(value, read_tsc(ctx));
      else c.tsc_deadline = value;
      return true;
    case msr::EFER: {
      constexpr uint64_t writable = efer::SCE | efer::LME | efer::NXE;
      if (value & ~(writable | efer::LMA)) return refuse();
      // LME cannot change while paging is on.
      if ((c.cr0 & cr0::PG) && ((value ^ c.efer) & efer::LME)) return refuse();
      c.efer = (c.efer & efer::LMA) | (value & writable);
      ctx->vcpu->flush_translation_caches();  // NXE changes what pages allow
      return true;
    }
    case msr::STAR: c.star = value; return true;
    case msr::LSTAR: if (!canonical(value)) return refuse(); c.lstar = value; return true;
    case msr::CSTAR: if (!canonical(value)) return refuse(); c.cstar = value; return true;
    case msr::SFMASK: c.sfmask = value & 0xffffffff; return true;
    case msr::FS_BASE: if (!canonical(value)) return refuse(); c.seg[static_cast<int>(Seg::FS)].base = value; return true;
    case msr::GS_BASE: if (!canonical(value)) return refuse(); c.seg[static_cast<int>(Seg::GS)].base = value; return true;
    case msr::KERNEL_GS_BASE: if (!canonical(value)) return refuse(); c.kernel_gs_base = value; return true;
    case msr::TSC_AUX: c.tsc_aux = value & 0xffffffff; return true;
    default:
      if (MtrrRange::contains(index)) {
        c.mtrr[index & 0x7f] = value;
        return true;
      }
      // IA32_ARCH_CAPABILITIES is read-only, as every MSR the model does not list.
      if (Log::on(LogItem::Unimp) && index != msr::ARCH_CAPABILITIES)
        Log::printf("unimp: wrmsr 0x%x <- 0x%llx is not in the CPU model: #GP(0)\n", index,
                    static_cast<unsigned long long>(value));
      return refuse();
  }
}

}  // namespace orcvm
