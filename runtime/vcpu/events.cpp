#include "runtime/vcpu/events.h"
#include "ir/semantics/exception_vectors.h"

#include "ir/semantics/canonical.h"
#include "runtime/log.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/guest_stack.h"
#include "runtime/vcpu/helpers.h"
#include "runtime/vcpu/task_switch.h"
#include "runtime/vcpu/vcpu.h"

namespace orcvm {

namespace {


bool is_contributory(uint8_t v) { return v == vector::DE || (v >= vector::TS && v <= vector::GP); }

bool read_system(ExecContext* ctx, uint64_t linear, unsigned bytes, uint64_t* value) {
  *value = mmu_read(ctx, linear, bytes, TlbBank::Supervisor);
  return !ctx->cpu.exception.pending;
}

void fault(ExecContext* ctx, uint8_t vector, uint32_t error_code) { raise_exception(ctx, vector, error_code, true); }

uint32_t idt_error(uint8_t vector, bool external) { return vector * 8u + 2u + (external ? 1u : 0u); }

constexpr uint64_t kClearedOnDelivery = rflags::TF | rflags::NT | rflags::RF | rflags::VM;

bool deliver_real_mode(ExecContext* ctx, const Event& e) {
  CpuState& c = ctx->cpu;
  if (e.vector * 4u + 3 > c.idtr.limit) {
    fault(ctx, vector::GP, 0);
    return false;
  }
  uint64_t entry;
  if (!read_system(ctx, c.idtr.base + e.vector * 4u, 4, &entry)) return false;
  GuestStack stack = GuestStack::of(ctx, c.seg[static_cast<int>(Seg::SS)], c.gpr[RSP], 0);
  const uint64_t flags = c.get_rflags();
  if (!stack.push(flags & 0xffff, 2) || !stack.push(c.seg[static_cast<int>(Seg::CS)].selector, 2) ||
      !stack.push(c.rip & 0xffff, 2))
    return false;
  c.gpr[RSP] = stack.merged_into(c.gpr[RSP]);
  c.set_rflags(flags & ~(rflags::IF | rflags::TF | rflags::AC | rflags::RF));
  load_real_mode(c.seg[static_cast<int>(Seg::CS)], static_cast<uint16_t>(entry >> 16));
  c.rip = entry & 0xffff;
  return true;
}

}  // namespace

bool legacy_inner_stack(ExecContext* ctx, unsigned new_cpl, bool external, SegmentReg* ss, uint64_t* sp) {
  const SegmentReg& tr = ctx->cpu.tr;
  const bool tss32 = (tr.attrs & 0xf) == 0xb || (tr.attrs & 0xf) == 0x9;
  const uint64_t sp_offset = tss32 ? 4 + new_cpl * 8 : 2 + new_cpl * 4;
  uint64_t ss_selector;
  if (sp_offset + (tss32 ? 5 : 3) > tr.limit) {
    fault(ctx, vector::TS, (tr.selector & ~3u) + external);
    return false;
  }
  if (!read_system(ctx, tr.base + sp_offset, tss32 ? 4 : 2, sp) ||
      !read_system(ctx, tr.base + sp_offset + (tss32 ? 4 : 2), 2, &ss_selector))
    return false;
  Descriptor ss_desc;
  const LoadOrigin origin{.from_tss = true, .external = external};
  if (!read_stack_segment(ctx, static_cast<uint16_t>(ss_selector), new_cpl, origin, &ss_desc)) return false;
  load_hidden(*ss, static_cast<uint16_t>(ss_selector), ss_desc);
  return true;
}

bool long_mode_inner_stack(ExecContext* ctx, unsigned new_cpl, unsigned ist, bool external, uint64_t* rsp) {
  const SegmentReg& tr = ctx->cpu.tr;
  const uint64_t offset = ist ? 0x24 + (ist - 1) * 8 : 4 + new_cpl * 8;
  if (offset + 7 > tr.limit) {
    fault(ctx, vector::TS, (tr.selector & ~3u) + external);
    return false;
  }
  return read_system(ctx, tr.base + offset, 8, rsp);
}

namespace {

// Reads the gate and checks it, for both IDT formats. On failure records the fault.
bool read_gate(ExecContext* ctx, const Event& e, bool long_mode, Descriptor* gate) {
  CpuState& c = ctx->cpu;
  const bool external = e.source == EventSource::External || e.source == EventSource::Nmi;
  const unsigned size = long_mode ? 16 : 8;
  if (e.vector * size + size - 1 > c.idtr.limit) {
    fault(ctx, vector::GP, idt_error(e.vector, external));
    return false;
  }
  uint64_t low, high = 0;
  if (!read_system(ctx, c.idtr.base + e.vector * size, 8, &low)) return false;
  if (long_mode && !read_system(ctx, c.idtr.base + e.vector * size + 8, 8, &high)) return false;
  *gate = Descriptor{low, high & 0xffffffff};
  const unsigned type = gate->type();
  const bool valid = gate->system() && (long_mode ? (type == 0xe || type == 0xf)
                                                  : (type == 5 || type == 6 || type == 7 || type == 0xe || type == 0xf));
  if (!valid) {
    fault(ctx, vector::GP, idt_error(e.vector, external));
    return false;
  }
  if (e.source == EventSource::Software && gate->dpl() < c.cpl) {
    fault(ctx, vector::GP, idt_error(e.vector, false));
    return false;
  }
  if (!gate->present()) {
    fault(ctx, vector::NP, idt_error(e.vector, external));
    return false;
  }
  return true;
}

// The handler's code segment: a present code segment with DPL <= CPL.
bool read_handler_segment(ExecContext* ctx, uint16_t selector, bool external, bool long_mode, Descriptor* d) {
  const uint32_t error = (selector & ~3u) + (external ? 1u : 0u);
  if ((selector & ~3u) == 0) {
    fault(ctx, vector::GP, external ? 1 : 0);
    return false;
  }
  SegmentFault sf;
  if (!read_descriptor(ctx, selector, false, d, &sf)) {
    if (!ctx->cpu.exception.pending) fault(ctx, sf.vector, sf.error_code + (external ? 1u : 0u));
    return false;
  }
  if (!d->code() || d->dpl() > ctx->cpu.cpl || (long_mode && (!d->long_code() || (d->attrs() & segattr::DefaultBig)))) {
    fault(ctx, vector::GP, error);
    return false;
  }
  if (!d->present()) {
    fault(ctx, vector::NP, error);
    return false;
  }
  return true;
}

// Delivery through an interrupt, trap or task gate. *in_new_task tells whether a
// recorded fault was raised in the task a task gate switched to.
bool deliver_protected(ExecContext* ctx, const Event& e, bool long_mode, bool* in_new_task) {
  CpuState& c = ctx->cpu;
  const bool external = e.source == EventSource::External || e.source == EventSource::Nmi;
  Descriptor gate;
  if (!read_gate(ctx, e, long_mode, &gate)) return false;
  if (gate.type() == systype::TaskGate) {
    const TaskSwitchOutcome outcome =
        switch_task_for_event(ctx, gate, external, e.has_error_code ? std::optional(e.error_code) : std::nullopt);
    *in_new_task = outcome == TaskSwitchOutcome::FaultedInNewTask;
    return outcome == TaskSwitchOutcome::Switched;
  }
  const uint16_t selector = gate.gate_selector();
  Descriptor code;
  if (!read_handler_segment(ctx, selector, external, long_mode, &code)) return false;

  const unsigned old_cpl = c.cpl;
  const unsigned new_cpl = code.conforming() ? old_cpl : code.dpl();
  const bool gate32 = long_mode || (gate.type() & 8);
  const unsigned slot = long_mode ? 8 : gate32 ? 4 : 2;
  SegmentReg& old_ss = c.seg[static_cast<int>(Seg::SS)];
  const uint64_t flags = c.get_rflags();

  GuestStack stack = long_mode ? GuestStack{ctx, old_ss.base, c.gpr[RSP], ~0ull, stack_access(new_cpl)}
                               : GuestStack::of(ctx, old_ss, c.gpr[RSP], new_cpl);
  SegmentReg new_ss = old_ss;
  const bool switch_stack = new_cpl < old_cpl || (long_mode && gate.gate_ist());
  if (switch_stack) {
    if (long_mode) {
      uint64_t rsp;
      if (!long_mode_inner_stack(ctx, new_cpl, gate.gate_ist(), external, &rsp)) return false;
      stack = GuestStack{ctx, 0, rsp, ~0ull, stack_access(new_cpl)};
      if (new_cpl < old_cpl) {
        new_ss = SegmentReg{0, 0, static_cast<uint16_t>(new_cpl), static_cast<uint16_t>(new_cpl << segattr::DplShift)};
      }
    } else {
      uint64_t sp;
      if (!legacy_inner_stack(ctx, new_cpl, external, &new_ss, &sp)) return false;
      stack = GuestStack::of(ctx, new_ss, sp, new_cpl);
    }
  }
  if (long_mode) stack.sp &= ~0xfull;

  if (long_mode || new_cpl < old_cpl) {
    if (!stack.push(old_ss.selector, slot) || !stack.push(c.gpr[RSP], slot)) return false;
  }
  if (!stack.push(flags, slot) || !stack.push(c.seg[static_cast<int>(Seg::CS)].selector, slot) ||
      !stack.push(c.rip, slot))
    return false;
  if (e.has_error_code && !stack.push(e.error_code, slot)) return false;

  // Every access succeeded: commit.
  mark_accessed(ctx, selector, code);
  c.exception = PendingException{};
  c.seg[static_cast<int>(Seg::SS)] = new_ss;
  c.gpr[RSP] = long_mode ? stack.sp : stack.merged_into(c.gpr[RSP]);
  load_hidden(c.seg[static_cast<int>(Seg::CS)], static_cast<uint16_t>((selector & ~3u) | new_cpl), code);
  c.cpl = static_cast<uint8_t>(new_cpl);
  uint64_t new_flags = flags & ~kClearedOnDelivery;
  if (!(gate.type() & 1)) new_flags &= ~rflags::IF;  // interrupt gate
  c.set_rflags(new_flags);
  const uint64_t offset = long_mode ? gate.gate_offset() : gate.gate_offset() & 0xffffffff;
  c.rip = gate32 ? offset : offset & 0xffff;
  return true;
}

bool deliver_once(ExecContext* ctx, const Event& e, bool* in_new_task) {
  const CpuState& c = ctx->cpu;
  if (!(c.cr0 & cr0::PE)) return deliver_real_mode(ctx, e);
  return deliver_protected(ctx, e, c.efer & efer::LMA, in_new_task);
}

// The flags an IRET loads (SDM Vol. 2 IRET): IOPL only at CPL 0, IF only when CPL <=
// IOPL, VIF/VIP only at CPL 0 with a 32-bit or wider pop; VM is never entered here.
uint64_t flags_after_iret(const CpuState& c, uint64_t popped, unsigned bits) {
  const uint64_t old = c.get_rflags();
  uint64_t changeable = rflags::Status | rflags::TF | rflags::DF | rflags::NT | rflags::IF | rflags::IOPL |
                        rflags::RF | rflags::AC | rflags::ID;
  if (c.cpl > 0) changeable &= ~rflags::IOPL;
  if (c.cpl > ((old >> 12) & 3)) changeable &= ~rflags::IF;
  if (c.cpl == 0 && bits >= 32) changeable |= rflags::VIF | rflags::VIP;
  if (bits == 16) changeable &= 0xffff;
  return (old & ~changeable) | (popped & changeable);
}

bool iret_real_mode(ExecContext* ctx, unsigned bits) {
  CpuState& c = ctx->cpu;
  const unsigned bytes = bits / 8;
  GuestStack stack = GuestStack::current(ctx);
  uint64_t ip, cs, flags;
  if (!stack.pop(bytes, &ip) || !stack.pop(bytes, &cs) || !stack.pop(bytes, &flags)) return false;
  const uint64_t old = c.get_rflags();
  const uint64_t kept = bits == 16 ? ~0xffffull : (rflags::VM | rflags::VIF | rflags::VIP);
  c.set_rflags((old & kept) | (flags & ~kept));
  c.gpr[RSP] = stack.merged_into(c.gpr[RSP]);
  load_real_mode(c.seg[static_cast<int>(Seg::CS)], static_cast<uint16_t>(cs));
  c.rip = bits == 16 ? ip & 0xffff : ip & 0xffffffff;
  return true;
}

}  // namespace

// After a return to an outer privilege level, data segment registers the new level
// may not use become null (SDM Vol. 2 RET/IRET "RETURN-TO-OUTER-PRIVILEGE-LEVEL").
void drop_inaccessible_segments(CpuState& c) {
  for (Seg s : {Seg::ES, Seg::DS, Seg::FS, Seg::GS}) {
    SegmentReg& r = c.seg[static_cast<int>(s)];
    const unsigned dpl = (r.attrs >> segattr::DplShift) & 3;
    const bool conforming_code = (r.attrs & 0x18) == 0x18 && (r.attrs & 4);
    const bool usable = r.attrs & segattr::Present;
    if (usable && !conforming_code && dpl < c.cpl) {
      r.selector = 0;
      r.attrs = 0;
    }
  }
}

bool interrupt_return(ExecContext* ctx, unsigned bits, uint64_t next_rip) {
  CpuState& c = ctx->cpu;
  if (!(c.cr0 & cr0::PE)) return iret_real_mode(ctx, bits);
  const bool long_mode = c.efer & efer::LMA;
  if (c.rflags & rflags::NT) {
    // IA-32e mode has no task switches: IRET with NT raises #GP(0) there.
    if (long_mode) {
      fault(ctx, vector::GP, 0);
      return false;
    }
    return return_to_linked_task(ctx, next_rip);
  }
  const bool long64 = long_mode && (c.seg[static_cast<int>(Seg::CS)].attrs & segattr::Long);
  const unsigned bytes = bits / 8;
  const SegmentReg& ss = c.seg[static_cast<int>(Seg::SS)];
  GuestStack stack = GuestStack::current(ctx);
  // The whole frame is read before any of it is checked: a fault on its last word comes
  // before a #GP for its CS.
  uint64_t ip, cs_value, flags;
  if (!stack.pop(bytes, &ip) || !stack.pop(bytes, &cs_value) || !stack.pop(bytes, &flags)) return false;
  const uint16_t cs_selector = static_cast<uint16_t>(cs_value);
  const unsigned rpl = cs_selector & 3;
  const bool outer = rpl > c.cpl;
  uint64_t sp_value = 0, ss_value = 0;
  if ((outer || long64) && (!stack.pop(bytes, &sp_value) || !stack.pop(bytes, &ss_value))) return false;
  if (!long_mode && (flags & rflags::VM) && c.cpl == 0) {
    if (Log::on(LogItem::Unimp)) Log::printf("unimp: IRET to virtual-8086 mode\n");
    fault(ctx, vector::GP, 0);
    return false;
  }
  Descriptor code;
  if (!read_return_code_segment(ctx, cs_selector, c.cpl, LoadOrigin{}, &code)) return false;
  const bool target64 = long_mode && code.long_code();
  uint64_t new_sp = stack.sp;
  SegmentReg new_ss = ss;
  if (outer || long64) {
    const uint16_t ss_selector = static_cast<uint16_t>(ss_value);
    if ((ss_selector & ~3u) == 0 && target64 && rpl != 3) {
      // 64-bit mode takes a null SS below CPL 3.
      new_ss = SegmentReg{0, 0, ss_selector, static_cast<uint16_t>(rpl << segattr::DplShift)};
    } else {
      Descriptor ss_desc;
      if (!read_stack_segment(ctx, ss_selector, rpl, LoadOrigin{}, &ss_desc)) return false;
      load_hidden(new_ss, ss_selector, ss_desc);
    }
    // A 16-bit IRET in IA-32e mode zero-extends the SP it pops; legacy mode keeps ESP[31:16].
    const uint64_t kept_high = bits == 16 && !long_mode ? c.gpr[RSP] & ~0xffffull : 0;
    new_sp = kept_high | (bits == 16 ? sp_value & 0xffff : bits == 32 ? sp_value & 0xffffffff : sp_value);
  } else if (!long64) {
    new_sp = stack.merged_into(c.gpr[RSP]);
  }
  if (target64 && !canonical(ip)) {
    fault(ctx, vector::GP, 0);
    return false;
  }

  mark_accessed(ctx, cs_selector, code);
  c.set_rflags(flags_after_iret(c, flags, bits));
  load_hidden(c.seg[static_cast<int>(Seg::CS)], cs_selector, code);
  c.seg[static_cast<int>(Seg::SS)] = new_ss;
  c.gpr[RSP] = new_sp;
  c.cpl = static_cast<uint8_t>(rpl);
  c.rip = target64 ? ip : bits == 16 ? ip & 0xffff : ip & 0xffffffff;
  if (outer) drop_inaccessible_segments(c);
  c.nmi_blocked = 0;
  return true;
}

DeliveryOutcome deliver_event(ExecContext* ctx, Event event) {
  CpuState& c = ctx->cpu;
  for (;;) {
    if (Log::on(LogItem::Int))
      Log::printf("int: vector 0x%02x %s error 0x%x rip 0x%llx cpl %u cr2 0x%llx\n", event.vector,
                  event.source == EventSource::External ? "external" :
                  event.source == EventSource::Software ? "software" :
                  event.source == EventSource::Nmi ? "nmi" : "exception",
                  event.has_error_code ? event.error_code : 0, (unsigned long long)c.rip, c.cpl,
                  (unsigned long long)c.cr2);
    c.exception = PendingException{};
    bool in_new_task = false;
    if (deliver_once(ctx, event, &in_new_task)) {
      if (event.source == EventSource::Nmi) c.nmi_blocked = 1;
      return DeliveryOutcome::Delivered;
    }
    // Delivery faulted (SDM Vol. 3, Table 6-5). A fault while delivering a software
    // interrupt is reported at the INT instruction, not after it, unless a task gate
    // has switched tasks: the fault then belongs to the new task's first instruction.
    if (event.source == EventSource::Software && !in_new_task) c.rip -= event.instruction_length;
    const uint8_t second = c.exception.vector;
    if (second == vector::PF) c.cr2 = c.exception.cr2;
    // Table 6-5 classes exceptions only: INT 0x0D or an external interrupt on vector 8
    // that faults in delivery gives that fault alone.
    const bool exception = event.source == EventSource::Exception;
    const uint8_t first = event.vector;
    if (exception && first == vector::DF) {
      c.shutdown = 1;
      return DeliveryOutcome::TripleFault;
    }
    const bool double_fault = (is_contributory(first) && is_contributory(second)) ||
                              (first == vector::PF && (is_contributory(second) || second == vector::PF));
    if (exception && double_fault) {
      event = Event{vector::DF, EventSource::Exception, true, 0};
    } else {
      event = Event{second, EventSource::Exception, c.exception.has_error_code != 0, c.exception.error_code};
    }
  }
}

}  // namespace orcvm
