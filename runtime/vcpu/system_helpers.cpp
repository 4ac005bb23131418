// The VCPU runtime's side of the privileged and special instructions (SDM Vol. 2,
// each instruction's operation section): privilege checks first, then the effect.
#include "ir/semantics/canonical.h"
#include "ir/semantics/exception_vectors.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/events.h"
#include "runtime/vcpu/guest_stack.h"
#include "runtime/vcpu/helper_functions.h"
#include "runtime/vcpu/msr.h"
#include "runtime/vcpu/privilege.h"
#include "runtime/vcpu/task_switch.h"
#include "runtime/vcpu/vcpu.h"

namespace orcvm {

namespace {

CpuState& cpu(ExecContext* ctx) { return ctx->cpu; }
SegmentReg& seg(CpuState& c, Seg s) { return c.seg[static_cast<int>(s)]; }
bool protected_mode(const CpuState& c) { return (c.cr0 & cr0::PE) && !(c.rflags & rflags::VM); }
void gp(ExecContext* ctx, uint32_t error = 0) { raise_exception(ctx, vector::GP, error, true); }
void ud(ExecContext* ctx) { raise_exception(ctx, vector::UD); }

uint64_t truncate_ip(uint64_t ip, unsigned bits) {
  return bits == 16 ? ip & 0xffff : bits == 32 ? ip & 0xffffffff : ip;
}

// The code segment of a direct far JMP/CALL in protected mode; gates and TSSs are
// handled before, any other system descriptor is invalid here.
bool check_far_target(ExecContext* ctx, uint16_t selector, Descriptor* d) {
  CpuState& c = cpu(ctx);
  const uint32_t error = selector & ~3u;
  if (error == 0) {
    gp(ctx);
    return false;
  }
  SegmentFault sf;
  if (!read_descriptor(ctx, selector, false, d, &sf)) {
    if (!c.exception.pending) raise_segment_fault(ctx, sf);
    return false;
  }
  const unsigned rpl = selector & 3;
  bool ok = d->code() && (d->conforming() ? d->dpl() <= c.cpl : (rpl <= c.cpl && d->dpl() == c.cpl));
  if (ok && (c.efer & efer::LMA) && d->long_code() && (d->attrs() & segattr::DefaultBig)) ok = false;
  if (!ok) {
    gp(ctx, error);
    return false;
  }
  if (!d->present()) {
    raise_exception(ctx, vector::NP, error, true);
    return false;
  }
  return true;
}

bool is_call_gate(const CpuState& c, const Descriptor& d) {
  return d.system() && (d.type() == systype::CallGate32 || (!(c.efer & efer::LMA) && d.type() == systype::CallGate16));
}

// A TSS or task gate: a task switch, which IA-32e mode does not have (SDM Vol. 3, 8.7).
bool is_task_target(const CpuState& c, const Descriptor& d) {
  return !(c.efer & efer::LMA) && (d.tss() || (d.system() && d.type() == systype::TaskGate));
}

// A far JMP/CALL through a call gate (SDM Vol. 3, 5.8.4): checks the gate and its
// code segment; returns false after a fault.
struct GateTarget {
  Descriptor gate, code;
  uint16_t code_selector;
  uint64_t offset;
  unsigned size;  // bytes per push: 2, 4 or 8
};

bool resolve_call_gate(ExecContext* ctx, uint16_t gate_selector, GateTarget* t) {
  CpuState& c = cpu(ctx);
  const bool long_mode = c.efer & efer::LMA;
  const uint32_t gate_error = gate_selector & ~3u;
  SegmentFault sf;
  if (!read_descriptor(ctx, gate_selector, long_mode, &t->gate, &sf)) {
    if (!c.exception.pending) raise_segment_fault(ctx, sf);
    return false;
  }
  if (t->gate.dpl() < c.cpl || t->gate.dpl() < (gate_selector & 3u)) {
    gp(ctx, gate_error);
    return false;
  }
  if (!t->gate.present()) {
    raise_exception(ctx, vector::NP, gate_error, true);
    return false;
  }
  t->code_selector = t->gate.gate_selector();
  const uint32_t code_error = t->code_selector & ~3u;
  if (code_error == 0) {
    gp(ctx);
    return false;
  }
  if (!read_descriptor(ctx, t->code_selector, false, &t->code, &sf)) {
    if (!c.exception.pending) raise_segment_fault(ctx, sf);
    return false;
  }
  const bool code64_ok = !long_mode || (t->code.long_code() && !(t->code.attrs() & segattr::DefaultBig));
  if (!t->code.code() || t->code.dpl() > c.cpl || !code64_ok) {
    gp(ctx, code_error);
    return false;
  }
  if (!t->code.present()) {
    raise_exception(ctx, vector::NP, code_error, true);
    return false;
  }
  t->size = long_mode ? 8 : t->gate.type() == systype::CallGate32 ? 4 : 2;
  t->offset = long_mode ? t->gate.gate_offset() : t->size == 4 ? t->gate.gate_offset() & 0xffffffff
                                                                : t->gate.gate_offset() & 0xffff;
  return true;
}

void enter_code_segment(CpuState& c, uint16_t selector, const Descriptor& d, unsigned cpl) {
  load_hidden(seg(c, Seg::CS), static_cast<uint16_t>((selector & ~3u) | cpl), d);
  c.cpl = static_cast<uint8_t>(cpl);
}

// CALL through a call gate: to a more privileged level it switches to the TSS stack
// and copies the gate's parameter count of words from the caller's stack.
uint64_t call_through_gate(ExecContext* ctx, uint16_t gate_selector, uint64_t return_rip) {
  CpuState& c = cpu(ctx);
  GateTarget t;
  if (!resolve_call_gate(ctx, gate_selector, &t)) return 0;
  const bool long_mode = c.efer & efer::LMA;
  const unsigned new_cpl = t.code.conforming() ? c.cpl : t.code.dpl();
  const GuestStack old_stack = GuestStack::current(ctx);
  SegmentReg new_ss = seg(c, Seg::SS);
  // The pushes are made with the privilege of the code called.
  GuestStack stack{ctx, old_stack.base, old_stack.sp, old_stack.mask, stack_access(new_cpl)};
  const bool switch_stack = new_cpl < c.cpl;
  if (switch_stack) {
    uint64_t sp;
    if (long_mode) {
      if (!long_mode_inner_stack(ctx, new_cpl, 0, false, &sp)) return 0;
      new_ss = SegmentReg{0, 0, static_cast<uint16_t>(new_cpl), static_cast<uint16_t>(new_cpl << segattr::DplShift)};
      stack = GuestStack{ctx, 0, sp, ~0ull, stack_access(new_cpl)};
    } else {
      if (!legacy_inner_stack(ctx, new_cpl, false, &new_ss, &sp)) return 0;
      stack = GuestStack::of(ctx, new_ss, sp, new_cpl);
    }
    if (!stack.push(seg(c, Seg::SS).selector, t.size) || !stack.push(c.gpr[RSP], t.size)) return 0;
    const unsigned params = long_mode ? 0 : (t.gate.raw >> 32) & 0x1f;
    for (unsigned n = params; n > 0; --n) {
      uint64_t value;
      if (!old_stack.peek((n - 1) * t.size, t.size, &value) || !stack.push(value, t.size)) return 0;
    }
  }
  if (!stack.push(seg(c, Seg::CS).selector, t.size) || !stack.push(return_rip, t.size)) return 0;
  mark_accessed(ctx, t.code_selector, t.code);
  seg(c, Seg::SS) = new_ss;
  c.gpr[RSP] = switch_stack && stack.mask != 0xffff ? stack.sp : stack.merged_into(c.gpr[RSP]);
  enter_code_segment(c, t.code_selector, t.code, new_cpl);
  c.rip = t.offset;
  return 0;
}

}  // namespace

uint64_t helper_CheckCpl0(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  require_cpl0(ctx);
  return 0;
}

uint64_t helper_CheckUmip(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if ((cpu(ctx).cr4 & cr4::UMIP) && cpu(ctx).cpl > 0) gp(ctx);
  return 0;
}

uint64_t helper_Iret(ExecContext* ctx, uint64_t bits, uint64_t next_rip, uint64_t) {
  // No flush: the TLB is banked by privilege and the jump cache checks mode and CS
  // base; a task switch back through NT flushes when it loads CR3.
  interrupt_return(ctx, static_cast<unsigned>(bits), next_rip);
  return 0;
}

uint64_t helper_LoadSegment(ExecContext* ctx, uint64_t segment, uint64_t selector, uint64_t) {
  const Seg s = static_cast<Seg>(segment);
  if (s == Seg::CS) {
    ud(ctx);
    return 0;
  }
  if (load_segment(ctx, s, static_cast<uint16_t>(selector)) && s == Seg::SS) cpu(ctx).interrupt_shadow = interrupt_shadow::MovSs;
  return 0;
}

uint64_t helper_ReadSegment(ExecContext* ctx, uint64_t segment, uint64_t, uint64_t) {
  const CpuState& c = cpu(ctx);
  if (segment == 6) return c.ldtr.selector;
  if (segment == 7) return c.tr.selector;
  return c.seg[segment].selector;
}

uint64_t helper_FarJump(ExecContext* ctx, uint64_t selector_and_bits, uint64_t offset, uint64_t next_rip) {
  CpuState& c = cpu(ctx);
  const uint16_t selector = static_cast<uint16_t>(selector_and_bits);
  const unsigned bits = static_cast<unsigned>(selector_and_bits >> 16);
  if (!protected_mode(c)) {
    load_real_mode(seg(c, Seg::CS), selector);
    c.rip = truncate_ip(offset, bits);
    return 0;
  }
  Descriptor d;
  SegmentFault sf;
  if ((selector & ~3u) && read_descriptor(ctx, selector, false, &d, &sf)) {
    if (is_task_target(c, d)) {
      jump_or_call_task(ctx, selector, d, TaskSwitchCause::Jump, next_rip);
      return 0;
    }
    if (is_call_gate(c, d)) {
      GateTarget t;
      if (!resolve_call_gate(ctx, selector, &t)) return 0;
      if (!t.code.conforming() && t.code.dpl() != c.cpl) {
        gp(ctx, t.code_selector & ~3u);
        return 0;
      }
      mark_accessed(ctx, t.code_selector, t.code);
      enter_code_segment(c, t.code_selector, t.code, c.cpl);
      c.rip = t.offset;
      return 0;
    }
  }
  if (c.exception.pending) return 0;
  if (!check_far_target(ctx, selector, &d)) return 0;
  const uint64_t target = truncate_ip(offset, bits);
  if ((c.efer & efer::LMA) && d.long_code() ? !canonical(target) : target > d.limit()) {
    gp(ctx);
    return 0;
  }
  mark_accessed(ctx, selector, d);
  enter_code_segment(c, selector, d, c.cpl);
  c.rip = target;
  return 0;
}

uint64_t helper_FarCall(ExecContext* ctx, uint64_t selector_and_bits, uint64_t offset, uint64_t return_rip) {
  CpuState& c = cpu(ctx);
  const uint16_t selector = static_cast<uint16_t>(selector_and_bits);
  const unsigned bits = static_cast<unsigned>(selector_and_bits >> 16);
  const unsigned bytes = bits / 8;
  Descriptor d;
  SegmentFault sf;
  if (protected_mode(c) && (selector & ~3u) && read_descriptor(ctx, selector, false, &d, &sf)) {
    if (is_task_target(c, d)) {
      jump_or_call_task(ctx, selector, d, TaskSwitchCause::Call, return_rip);
      return 0;
    }
    if (is_call_gate(c, d)) return call_through_gate(ctx, selector, return_rip);
  }
  if (c.exception.pending) return 0;
  if (protected_mode(c) && !check_far_target(ctx, selector, &d)) return 0;
  GuestStack stack = GuestStack::current(ctx);
  if (!stack.push(seg(c, Seg::CS).selector, bytes) || !stack.push(truncate_ip(return_rip, bits), bytes)) return 0;
  c.gpr[RSP] = stack.merged_into(c.gpr[RSP]);
  if (!protected_mode(c)) {
    load_real_mode(seg(c, Seg::CS), selector);
  } else {
    mark_accessed(ctx, selector, d);
    enter_code_segment(c, selector, d, c.cpl);
  }
  c.rip = truncate_ip(offset, bits);
  return 0;
}

uint64_t helper_FarReturn(ExecContext* ctx, uint64_t bits, uint64_t release, uint64_t) {
  CpuState& c = cpu(ctx);
  const unsigned bytes = static_cast<unsigned>(bits / 8);
  GuestStack stack = GuestStack::current(ctx);
  uint64_t ip, cs;
  if (!stack.pop(bytes, &ip) || !stack.pop(bytes, &cs)) return 0;
  const uint16_t selector = static_cast<uint16_t>(cs);
  stack.sp = (stack.sp + release) & stack.mask;
  if (!protected_mode(c)) {
    load_real_mode(seg(c, Seg::CS), selector);
    c.gpr[RSP] = stack.merged_into(c.gpr[RSP]);
    c.rip = truncate_ip(ip, static_cast<unsigned>(bits));
    return 0;
  }
  Descriptor d;
  if (!read_return_code_segment(ctx, selector, c.cpl, LoadOrigin{}, &d)) return 0;
  const unsigned rpl = selector & 3;
  SegmentReg new_ss = seg(c, Seg::SS);
  uint64_t new_sp = stack.merged_into(c.gpr[RSP]);
  if (rpl > c.cpl) {
    // Return to an outer level: the caller's SS:rSP follow the released parameters.
    uint64_t outer_sp, ss_value;
    if (!stack.pop(bytes, &outer_sp) || !stack.pop(bytes, &ss_value)) return 0;
    const uint16_t ss_selector = static_cast<uint16_t>(ss_value);
    Descriptor ss;
    if (!read_stack_segment(ctx, ss_selector, rpl, LoadOrigin{}, &ss)) return 0;
    load_hidden(new_ss, ss_selector, ss);
    new_sp = outer_sp + release;
  }
  mark_accessed(ctx, selector, d);
  seg(c, Seg::SS) = new_ss;
  c.gpr[RSP] = new_sp;
  const bool outer = rpl > c.cpl;
  enter_code_segment(c, selector, d, rpl);
  c.rip = (c.efer & efer::LMA) && d.long_code() ? ip : ip & 0xffffffff;
  if (outer) drop_inaccessible_segments(c);
  return 0;
}

uint64_t helper_LoadDescriptorTable(ExecContext* ctx, uint64_t which, uint64_t limit, uint64_t base) {
  if (!require_cpl0(ctx)) return 0;
  if (in_64_bit_code(cpu(ctx)) && !canonical(base)) {
    gp(ctx);
    return 0;
  }
  DescriptorTable& table = which == 0 ? cpu(ctx).gdtr : cpu(ctx).idtr;
  table.limit = static_cast<uint16_t>(limit);
  table.base = base;
  return 0;
}

uint64_t helper_ReadDescriptorTable(ExecContext* ctx, uint64_t which, uint64_t part, uint64_t) {
  const DescriptorTable& table = which == 0 ? cpu(ctx).gdtr : cpu(ctx).idtr;
  return part == 0 ? table.limit : table.base;
}

uint64_t helper_Lldt(ExecContext* ctx, uint64_t selector, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!protected_mode(c)) {
    ud(ctx);
    return 0;
  }
  if (require_cpl0(ctx)) load_ldtr(ctx, static_cast<uint16_t>(selector));
  return 0;
}

uint64_t helper_Ltr(ExecContext* ctx, uint64_t selector, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!protected_mode(c)) {
    ud(ctx);
    return 0;
  }
  if (!require_cpl0(ctx)) return 0;
  const uint16_t sel = static_cast<uint16_t>(selector);
  Descriptor d;
  SegmentFault sf;
  if ((sel & ~3u) == 0 || (sel & 4) || !read_descriptor(ctx, sel, c.efer & efer::LMA, &d, &sf)) {
    if (!c.exception.pending) gp(ctx, sel & ~3u);
    return 0;
  }
  const bool available_tss = d.tss() && !d.tss_busy() && (d.type() == systype::Tss32 || !(c.efer & efer::LMA));
  if (!available_tss) {
    gp(ctx, sel & ~3u);
    return 0;
  }
  if (!d.present()) {
    raise_exception(ctx, vector::NP, sel & ~3u, true);
    return 0;
  }
  if (set_tss_busy(ctx, sel, true)) load_task_register(c, sel, d);
  return 0;
}

uint64_t helper_Lmsw(ExecContext* ctx, uint64_t value, uint64_t, uint64_t) {
  if (!require_cpl0(ctx)) return 0;
  CpuState& c = cpu(ctx);
  // Loads PE, MP, EM, TS; PE can be set but not cleared.
  const uint64_t bits = cr0::PE | cr0::MP | cr0::EM | cr0::TS;
  c.cr0 = (c.cr0 & ~(bits & ~cr0::PE)) | (value & bits);
  return 0;
}

uint64_t helper_Clts(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (require_cpl0(ctx)) cpu(ctx).cr0 &= ~cr0::TS;
  return 0;
}

uint64_t helper_Rdmsr(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (!require_cpl0(ctx)) return 0;
  uint64_t* r = cpu(ctx).gpr;
  uint64_t value;
  if (!read_msr(ctx, static_cast<uint32_t>(r[RCX]), &value)) return 0;
  r[RAX] = value & 0xffffffff;
  r[RDX] = value >> 32;
  return 0;
}

uint64_t helper_Wrmsr(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (!require_cpl0(ctx)) return 0;
  const uint64_t* r = cpu(ctx).gpr;
  write_msr(ctx, static_cast<uint32_t>(r[RCX]), (r[RDX] << 32) | (r[RAX] & 0xffffffff));
  return 0;
}

uint64_t helper_Swapgs(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!in_64_bit_code(c)) {
    ud(ctx);
    return 0;
  }
  if (!require_cpl0(ctx)) return 0;
  std::swap(seg(c, Seg::GS).base, c.kernel_gs_base);
  return 0;
}

// SYSCALL (SDM Vol. 2): CS from STAR[47:32], SS = that + 8, flat; RCX = return RIP,
// R11 = RFLAGS; RFLAGS &= ~SFMASK.
uint64_t helper_Syscall(ExecContext* ctx, uint64_t return_rip, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!(c.efer & efer::LMA) || !(c.efer & efer::SCE) || !in_64_bit_code(c)) {
    ud(ctx);
    return 0;
  }
  c.gpr[RCX] = return_rip;
  c.gpr[R11] = c.get_rflags() & ~rflags::RF;
  c.set_rflags(c.get_rflags() & ~(c.sfmask | rflags::RF));
  const uint16_t cs = static_cast<uint16_t>(c.star >> 32) & ~3u;
  seg(c, Seg::CS) = SegmentReg{0, 0xffffffff, cs, 0xa09b};
  seg(c, Seg::SS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>(cs + 8), 0xc093};
  c.cpl = 0;
  c.rip = c.lstar;
  return 0;
}

uint64_t helper_Sysret(ExecContext* ctx, uint64_t bits, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!(c.efer & efer::LMA) || !(c.efer & efer::SCE) || !in_64_bit_code(c)) {
    ud(ctx);
    return 0;
  }
  if (!require_cpl0(ctx)) return 0;
  if (bits == 64 && !canonical(c.gpr[RCX])) {
    gp(ctx);
    return 0;
  }
  const uint16_t base = static_cast<uint16_t>(c.star >> 48);
  if (bits == 64) {
    seg(c, Seg::CS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>((base + 16) | 3), 0xa0fb};
    c.rip = c.gpr[RCX];
  } else {
    seg(c, Seg::CS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>(base | 3), 0xc0fb};
    c.rip = c.gpr[RCX] & 0xffffffff;
  }
  SegmentReg& ss = seg(c, Seg::SS);
  ss.selector = static_cast<uint16_t>((base + 8) | 3);
  ss.attrs = 0xc0f3;
  c.set_rflags((c.gpr[R11] & 0x3c7fd7) | rflags::Fixed1);
  c.cpl = 3;
  return 0;
}

uint64_t helper_Sysenter(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!(c.cr0 & cr0::PE) || (c.sysenter_cs & ~3u) == 0) {
    gp(ctx);
    return 0;
  }
  const bool to64 = c.efer & efer::LMA;
  c.set_rflags(c.get_rflags() & ~(rflags::VM | rflags::IF | rflags::RF));
  const uint16_t cs = static_cast<uint16_t>(c.sysenter_cs & ~3u);
  seg(c, Seg::CS) = SegmentReg{0, 0xffffffff, cs, static_cast<uint16_t>(to64 ? 0xa09b : 0xc09b)};
  seg(c, Seg::SS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>(cs + 8), 0xc093};
  c.cpl = 0;
  c.rip = to64 ? c.sysenter_eip : c.sysenter_eip & 0xffffffff;
  c.gpr[RSP] = to64 ? c.sysenter_esp : c.sysenter_esp & 0xffffffff;
  return 0;
}

uint64_t helper_Sysexit(ExecContext* ctx, uint64_t bits, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!(c.cr0 & cr0::PE) || (c.sysenter_cs & ~3u) == 0) {
    gp(ctx);
    return 0;
  }
  if (!require_cpl0(ctx)) return 0;
  const uint16_t base = static_cast<uint16_t>(c.sysenter_cs & ~3u);
  if (bits == 64) {
    seg(c, Seg::CS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>((base + 32) | 3), 0xa0fb};
    seg(c, Seg::SS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>((base + 40) | 3), 0xc0f3};
    c.rip = c.gpr[RDX];
    c.gpr[RSP] = c.gpr[RCX];
  } else {
    seg(c, Seg::CS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>((base + 16) | 3), 0xc0fb};
    seg(c, Seg::SS) = SegmentReg{0, 0xffffffff, static_cast<uint16_t>((base + 24) | 3), 0xc0f3};
    c.rip = c.gpr[RDX] & 0xffffffff;
    c.gpr[RSP] = c.gpr[RCX] & 0xffffffff;
  }
  c.cpl = 3;
  return 0;
}

uint64_t helper_Rdtscp(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if ((c.cr4 & cr4::TSD) && c.cpl != 0) {
    gp(ctx);
    return 0;
  }
  const uint64_t tsc = read_tsc(ctx);
  c.gpr[RAX] = tsc & 0xffffffff;
  c.gpr[RDX] = tsc >> 32;
  c.gpr[RCX] = c.tsc_aux & 0xffffffff;
  return 0;
}

// No performance counters are modelled: RDPMC of any counter raises #GP(0).
uint64_t helper_Rdpmc(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  gp(ctx);
  return 0;
}

uint64_t helper_ReadDr(ExecContext* ctx, uint64_t n, uint64_t, uint64_t) {
  CpuState& c = cpu(ctx);
  if ((n == 4 || n == 5) && (c.cr4 & cr4::DE)) {
    ud(ctx);
    return 0;
  }
  if (!require_cpl0(ctx)) return 0;
  if (n == 4 || n == 5) n += 2;
  return n == 6 ? c.dr[6] | 0xffff0ff0 : n == 7 ? c.dr[7] | 0x400 : c.dr[n];
}

uint64_t helper_WriteDr(ExecContext* ctx, uint64_t n, uint64_t value, uint64_t) {
  CpuState& c = cpu(ctx);
  if ((n == 4 || n == 5) && (c.cr4 & cr4::DE)) {
    ud(ctx);
    return 0;
  }
  if (!require_cpl0(ctx)) return 0;
  if (n == 4 || n == 5) n += 2;
  if ((n == 6 || n == 7) && (value >> 32)) {
    gp(ctx);
    return 0;
  }
  c.dr[n] = value;
  tlb_flush(ctx);  // while data breakpoints are armed the TLB caches nothing (debug_breakpoints.h)
  return 0;
}

// LAR, LSL, VERR, VERW: ZF tells whether the selector passed the checks.
uint64_t helper_AccessRights(ExecContext* ctx, uint64_t selector, uint64_t kind, uint64_t) {
  CpuState& c = cpu(ctx);
  if (!protected_mode(c)) {
    ud(ctx);
    return 0;
  }
  const uint16_t sel = static_cast<uint16_t>(selector);
  Descriptor d;
  SegmentFault sf;
  c.materialize_flags();
  c.zf = 0;
  if ((sel & ~3u) == 0 || !read_descriptor(ctx, sel, false, &d, &sf)) return 0;
  const unsigned rpl = sel & 3;
  const bool visible = d.conforming() || (d.dpl() >= c.cpl && d.dpl() >= rpl);
  if (kind >= 2) {  // VERR / VERW
    const bool ok = !d.system() && (kind == 2 ? d.readable() : d.writable()) && visible;
    c.zf = ok;
    return 0;
  }
  if (d.system()) {
    const unsigned t = d.type();
    const bool lar_types = (c.efer & efer::LMA) ? (t == 2 || t == 9 || t == 0xb || t == 0xc)
                                                : (t >= 1 && t <= 0xc && t != 8 && t != 0xa && t != 6 && t != 7);
    const bool lsl_types = (c.efer & efer::LMA) ? (t == 2 || t == 9 || t == 0xb) : (t == 1 || t == 2 || t == 3 || t == 9 || t == 0xb);
    if (!(kind == 0 ? lar_types : lsl_types)) return 0;
  }
  if (!visible) return 0;
  c.zf = 1;
  return kind == 0 ? (d.raw >> 32) & 0x00f0ff00 : d.limit();
}

}  // namespace orcvm

namespace orcvm {

uint64_t helper_ReadCr0(ExecContext* ctx, uint64_t, uint64_t, uint64_t) { return ctx->cpu.cr0; }

}  // namespace orcvm
