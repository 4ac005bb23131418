#include "runtime/vcpu/task_switch.h"
#include "ir/semantics/exception_vectors.h"

#include "runtime/log.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/guest_stack.h"
#include "runtime/vcpu/helpers.h"
#include "runtime/vcpu/vcpu.h"

namespace orcvm {

namespace {


// Where the dynamic fields of the two TSS formats are (SDM Vol. 3, Figures 8-2 and
// 8-10). The link field is at offset 0 in both.
struct TssLayout {
  uint32_t min_limit;        // a shorter TSS raises #TS
  unsigned width;            // bytes of EIP, EFLAGS, each general-purpose register and selector slot
  uint64_t eip, eflags, gprs, selectors, ldt;
  unsigned selector_count;   // ES CS SS DS, and FS GS in a 32-bit TSS
};
constexpr TssLayout kTss32{0x67, 4, 0x20, 0x24, 0x28, 0x48, 0x60, 6};
constexpr TssLayout kTss16{0x2b, 2, 0x0e, 0x10, 0x12, 0x22, 0x2a, 4};
constexpr uint64_t kLinkOffset = 0, kCr3Offset = 0x1c, kDebugTrapOffset = 0x64;

bool is_32bit_tss(unsigned tss_type) { return tss_type & 8; }
const TssLayout& layout_of(unsigned tss_type) { return is_32bit_tss(tss_type) ? kTss32 : kTss16; }

// The EFLAGS bits a task switch loads from the TSS image.
constexpr uint64_t kTaskFlags = rflags::Status | rflags::TF | rflags::IF | rflags::DF | rflags::IOPL | rflags::NT |
                                rflags::RF | rflags::VM | rflags::AC | rflags::VIF | rflags::VIP | rflags::ID;

// DR7.L0-L3 and LE: local breakpoints end with their task (SDM Vol. 3, 18.2.4).
constexpr uint64_t kLocalBreakpointEnables = 0x55 | 0x100;

// What a switch loads from the new task's TSS.
struct TaskState {
  uint64_t eip, eflags, cr3;
  uint64_t gpr[8];
  uint16_t selectors[6];  // ES CS SS DS FS GS
  uint16_t ldt;
  bool debug_trap;
};

bool read_tss(ExecContext* ctx, uint64_t linear, unsigned bytes, uint64_t* value) {
  *value = mmu_read(ctx, linear, bytes, TlbBank::Supervisor);
  return !ctx->cpu.exception.pending;
}

bool write_tss(ExecContext* ctx, uint64_t linear, unsigned bytes, uint64_t value) {
  mmu_write(ctx, linear, bytes, value, TlbBank::Supervisor);
  return !ctx->cpu.exception.pending;
}

void fault(ExecContext* ctx, uint8_t vector, uint32_t error_code) { raise_exception(ctx, vector, error_code, true); }

uint32_t selector_error(uint16_t selector, bool external) { return (selector & ~3u) | (external ? 1u : 0u); }

// Reads the whole new state before anything changes, so that a #PF on the new TSS
// is raised in the old task (SDM Vol. 3, 8.3, step 5).
bool read_task_state(ExecContext* ctx, const Descriptor& tss, TaskState* next) {
  const TssLayout& layout = layout_of(tss.type());
  const uint64_t base = tss.base() & 0xffffffff;
  uint64_t value;
  if (!read_tss(ctx, base + layout.eip, layout.width, &next->eip) ||
      !read_tss(ctx, base + layout.eflags, layout.width, &value))
    return false;
  // A 16-bit TSS holds the low halves of EFLAGS and of the registers. The SDM leaves
  // the upper halves of the registers undefined ("modified"); they are set to ones,
  // as QEMU and Bochs do. The upper EFLAGS bits stay.
  const bool tss32 = is_32bit_tss(tss.type());
  next->eflags = tss32 ? value & kTaskFlags : (ctx->cpu.get_rflags() & ~0xffffull) | (value & kTaskFlags & 0xffff);
  for (unsigned r = 0; r < 8; ++r) {
    if (!read_tss(ctx, base + layout.gprs + r * layout.width, layout.width, &value)) return false;
    next->gpr[r] = tss32 ? value : value | 0xffff0000;
  }
  for (unsigned s = 0; s < 6; ++s) {
    value = 0;  // a 16-bit task gets null FS and GS
    if (s < layout.selector_count && !read_tss(ctx, base + layout.selectors + s * layout.width, 2, &value))
      return false;
    next->selectors[s] = static_cast<uint16_t>(value);
  }
  if (!read_tss(ctx, base + layout.ldt, 2, &value)) return false;
  next->ldt = static_cast<uint16_t>(value);
  next->cr3 = 0;
  next->debug_trap = false;
  if (tss32) {
    if (!read_tss(ctx, base + kCr3Offset, 4, &next->cr3) || !read_tss(ctx, base + kDebugTrapOffset, 2, &value))
      return false;
    next->debug_trap = value & 1;
  }
  return true;
}

// Saves the dynamic fields of the current task in its TSS (SDM Vol. 3, 8.3, step 8).
bool save_task_state(ExecContext* ctx, uint64_t eip, uint64_t eflags) {
  const CpuState& c = ctx->cpu;
  const TssLayout& layout = layout_of(c.tr.attrs & segattr::TypeMask);
  const uint64_t base = c.tr.base;
  if (!write_tss(ctx, base + layout.eip, layout.width, eip) ||
      !write_tss(ctx, base + layout.eflags, layout.width, eflags))
    return false;
  for (unsigned r = 0; r < 8; ++r)
    if (!write_tss(ctx, base + layout.gprs + r * layout.width, layout.width, c.gpr[r])) return false;
  for (unsigned s = 0; s < layout.selector_count; ++s)
    if (!write_tss(ctx, base + layout.selectors + s * layout.width, 2, c.seg[s].selector)) return false;
  return true;
}

// Loads LDTR and the segment registers of the new task with their checks, at the
// CPL its CS selector gives (SDM Vol. 3, 8.3, steps 12-13, Table 8-1). The selectors
// are in place before any descriptor is checked: after a fault the registers not
// yet loaded hold their selectors and are unusable.
bool load_task_segments(ExecContext* ctx, const TaskState& next, bool external) {
  CpuState& c = ctx->cpu;
  for (unsigned s = 0; s < 6; ++s) c.seg[s] = SegmentReg{0, 0, next.selectors[s], 0};
  c.ldtr = SegmentReg{0, 0, next.ldt, 0};
  const uint16_t cs = next.selectors[static_cast<int>(Seg::CS)];
  c.cpl = cs & 3;
  const LoadOrigin origin{.from_tss = true, .external = external};
  if (!load_ldtr(ctx, next.ldt, origin)) return false;
  Descriptor code;
  if (!read_return_code_segment(ctx, cs, c.cpl, origin, &code)) return false;
  mark_accessed(ctx, cs, code);
  if (c.exception.pending) return false;
  load_hidden(c.seg[static_cast<int>(Seg::CS)], cs, code);
  for (Seg s : {Seg::SS, Seg::ES, Seg::DS, Seg::FS, Seg::GS})
    if (!load_segment(ctx, s, next.selectors[static_cast<int>(s)], origin)) return false;
  return true;
}

// SDM Vol. 3, 8.3 from step 3 on: the new TSS descriptor has passed the checks of the
// instruction or event (type, busy bit, presence, privilege).
TaskSwitchOutcome switch_task(ExecContext* ctx, uint16_t selector, const Descriptor& tss, TaskSwitchCause cause,
                              uint64_t next_eip, bool external, std::optional<uint32_t> error_code) {
  CpuState& c = ctx->cpu;
  const TssLayout& layout = layout_of(tss.type());
  if (tss.limit() < layout.min_limit) {
    fault(ctx, vector::TS, selector_error(selector, external));
    return TaskSwitchOutcome::FaultedInOldTask;
  }
  TaskState next;
  if (!read_task_state(ctx, tss, &next)) return TaskSwitchOutcome::FaultedInOldTask;
  if (next.eflags & rflags::VM) {
    if (Log::on(LogItem::Unimp)) Log::printf("unimp: task switch to virtual-8086 mode (TSS 0x%x)\n", selector);
    fault(ctx, vector::GP, 0);
    return TaskSwitchOutcome::FaultedInOldTask;
  }
  const bool nested = cause == TaskSwitchCause::Call || cause == TaskSwitchCause::Event;
  const uint16_t old_selector = c.tr.selector;
  if (!nested && !set_tss_busy(ctx, old_selector, false)) return TaskSwitchOutcome::FaultedInOldTask;
  // The old task's NT is cleared only when IRET leaves it (SDM Vol. 3, Table 8-2).
  const uint64_t old_flags = c.get_rflags() & ~(cause == TaskSwitchCause::Iret ? rflags::NT : 0);
  if (!save_task_state(ctx, next_eip, old_flags)) return TaskSwitchOutcome::FaultedInOldTask;
  if (nested) {
    if (!write_tss(ctx, (tss.base() & 0xffffffff) + kLinkOffset, 2, old_selector))
      return TaskSwitchOutcome::FaultedInOldTask;
    next.eflags |= rflags::NT;
  }
  if (cause != TaskSwitchCause::Iret && !set_tss_busy(ctx, selector, true)) return TaskSwitchOutcome::FaultedInOldTask;

  load_task_register(c, selector, tss);
  c.cr0 |= cr0::TS;
  c.dr[7] &= ~kLocalBreakpointEnables;
  if (is_32bit_tss(tss.type()) && (c.cr0 & cr0::PG)) {  // without paging the CR3 field is not loaded
    c.cr3 = next.cr3;
    ctx->vcpu->flush_translation_caches();
  }
  c.set_rflags(next.eflags);
  c.rip = next.eip;
  for (unsigned r = 0; r < 8; ++r) c.gpr[r] = next.gpr[r];
  if (next.debug_trap && Log::on(LogItem::Unimp))
    Log::printf("unimp: debug trap bit (T) of TSS 0x%x ignored\n", selector);
  if (!load_task_segments(ctx, next, external)) return TaskSwitchOutcome::FaultedInNewTask;
  if (error_code) {
    GuestStack stack = GuestStack::of(ctx, c.seg[static_cast<int>(Seg::SS)], c.gpr[RSP], c.cpl);
    if (!stack.push(*error_code, layout.width)) return TaskSwitchOutcome::FaultedInNewTask;
    c.gpr[RSP] = stack.merged_into(c.gpr[RSP]);
  }
  if (c.rip > c.seg[static_cast<int>(Seg::CS)].limit) {
    fault(ctx, vector::GP, external ? 1 : 0);
    return TaskSwitchOutcome::FaultedInNewTask;
  }
  return TaskSwitchOutcome::Switched;
}

// The TSS a task gate names (SDM Vol. 2 JMP, CALL and INT n, "TASK-GATE"): an
// available TSS, in the GDT, present.
bool resolve_task_gate(ExecContext* ctx, const Descriptor& gate, bool external, uint16_t* selector, Descriptor* tss) {
  *selector = gate.gate_selector();
  const uint32_t error = selector_error(*selector, external);
  SegmentFault outside_table;
  if ((*selector & 4) || !read_descriptor(ctx, *selector, false, tss, &outside_table)) {
    if (!ctx->cpu.exception.pending) fault(ctx, vector::GP, error);
    return false;
  }
  if (!tss->tss() || tss->tss_busy()) {
    fault(ctx, vector::GP, error);
    return false;
  }
  if (!tss->present()) {
    fault(ctx, vector::NP, error);
    return false;
  }
  return true;
}

}  // namespace

bool jump_or_call_task(ExecContext* ctx, uint16_t selector, const Descriptor& d, TaskSwitchCause cause,
                       uint64_t next_eip) {
  const CpuState& c = ctx->cpu;
  const uint32_t error = selector & ~3u;
  // Only the TSS descriptor or gate named by the instruction is checked against CPL
  // and RPL; the TSS behind a gate is not.
  if (d.dpl() < c.cpl || d.dpl() < (selector & 3u)) {
    fault(ctx, vector::GP, error);
    return false;
  }
  uint16_t tss_selector = selector;
  Descriptor tss = d;
  if (d.type() == systype::TaskGate) {
    if (!d.present()) {
      fault(ctx, vector::NP, error);
      return false;
    }
    if (!resolve_task_gate(ctx, d, false, &tss_selector, &tss)) return false;
  } else {
    // A TSS descriptor is usable only from the GDT (SDM Vol. 3, 8.2.2).
    if ((selector & 4) || d.tss_busy()) {
      fault(ctx, vector::GP, error);
      return false;
    }
    if (!d.present()) {
      fault(ctx, vector::NP, error);
      return false;
    }
  }
  return switch_task(ctx, tss_selector, tss, cause, next_eip, false, std::nullopt) == TaskSwitchOutcome::Switched;
}

bool return_to_linked_task(ExecContext* ctx, uint64_t next_eip) {
  uint64_t link;
  if (!read_tss(ctx, ctx->cpu.tr.base + kLinkOffset, 2, &link)) return false;
  const uint16_t selector = static_cast<uint16_t>(link);
  // SDM Vol. 2 IRET, "TASK-RETURN": the link must name a busy TSS in the GDT.
  Descriptor tss;
  SegmentFault outside_table;
  if ((selector & 4) || !read_descriptor(ctx, selector, false, &tss, &outside_table) || !tss.tss_busy()) {
    if (!ctx->cpu.exception.pending) fault(ctx, vector::TS, selector & ~3u);
    return false;
  }
  if (!tss.present()) {
    fault(ctx, vector::NP, selector & ~3u);
    return false;
  }
  return switch_task(ctx, selector, tss, TaskSwitchCause::Iret, next_eip, false, std::nullopt) ==
         TaskSwitchOutcome::Switched;
}

TaskSwitchOutcome switch_task_for_event(ExecContext* ctx, const Descriptor& gate, bool external,
                                        std::optional<uint32_t> error_code) {
  uint16_t selector;
  Descriptor tss;
  if (!resolve_task_gate(ctx, gate, external, &selector, &tss)) return TaskSwitchOutcome::FaultedInOldTask;
  return switch_task(ctx, selector, tss, TaskSwitchCause::Event, ctx->cpu.rip, external, error_code);
}

}  // namespace orcvm
