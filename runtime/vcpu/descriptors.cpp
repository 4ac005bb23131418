#include "runtime/vcpu/descriptors.h"
#include "ir/semantics/exception_vectors.h"

#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

namespace {

bool read_supervisor(ExecContext* ctx, uint64_t linear, uint64_t* value) {
  *value = mmu_read(ctx, linear, 8, TlbBank::Supervisor);
  return !ctx->cpu.exception.pending;
}

uint8_t invalid_selector_vector(LoadOrigin origin) { return origin.from_tss ? vector::TS : vector::GP; }

void fault(ExecContext* ctx, uint8_t vector, uint16_t selector, LoadOrigin origin) {
  raise_exception(ctx, vector, (selector & ~3u) | (origin.external ? 1u : 0u), true);
}

// Reads the descriptor of a selector being loaded; one outside its table is invalid.
bool read_for_load(ExecContext* ctx, uint16_t selector, bool wide, LoadOrigin origin, Descriptor* out) {
  SegmentFault outside;
  if (read_descriptor(ctx, selector, wide, out, &outside)) return true;
  if (!ctx->cpu.exception.pending) fault(ctx, invalid_selector_vector(origin), selector, origin);
  return false;
}
}  // namespace

void raise_segment_fault(ExecContext* ctx, const SegmentFault& f) {
  raise_exception(ctx, f.vector, f.error_code, true);
}

bool read_descriptor(ExecContext* ctx, uint16_t selector, bool wide, Descriptor* out, SegmentFault* fault) {
  const CpuState& c = ctx->cpu;
  const bool local = selector & 4;
  const uint64_t base = local ? c.ldtr.base : c.gdtr.base;
  const uint32_t limit = local ? c.ldtr.limit : c.gdtr.limit;
  const uint32_t offset = selector & ~7u;
  const bool ldt_unusable = local && !(c.ldtr.attrs & segattr::Present);
  if (ldt_unusable || offset + (wide ? 15u : 7u) > limit) {
    *fault = {vector::GP, static_cast<uint32_t>(selector & ~3u)};
    return false;
  }
  *out = Descriptor{};
  if (!read_supervisor(ctx, base + offset, &out->raw)) return false;
  if (wide && !read_supervisor(ctx, base + offset + 8, &out->high)) return false;
  return true;
}

void mark_accessed(ExecContext* ctx, uint16_t selector, const Descriptor& d) {
  if (d.system() || (d.type() & segattr::Accessed)) return;
  const uint64_t table = (selector & 4) ? ctx->cpu.ldtr.base : ctx->cpu.gdtr.base;
  mmu_write(ctx, table + (selector & ~7u) + 5, 1, ((d.raw >> 40) & 0xff) | segattr::Accessed, TlbBank::Supervisor);
}

bool set_tss_busy(ExecContext* ctx, uint16_t selector, bool busy) {
  const uint64_t access_byte = ctx->cpu.gdtr.base + (selector & ~7u) + 5;
  const uint64_t access = mmu_read(ctx, access_byte, 1, TlbBank::Supervisor);
  if (ctx->cpu.exception.pending) return false;
  const uint64_t updated = busy ? access | systype::TssBusy : access & ~uint64_t{systype::TssBusy};
  mmu_write(ctx, access_byte, 1, updated, TlbBank::Supervisor);
  return !ctx->cpu.exception.pending;
}

void load_hidden(SegmentReg& reg, uint16_t selector, const Descriptor& d) {
  reg.selector = selector;
  reg.base = d.base() & 0xffffffffull;
  reg.limit = d.limit();
  reg.attrs = d.attrs() | segattr::Accessed * !d.system();
}

void load_real_mode(SegmentReg& reg, uint16_t selector) {
  reg.selector = selector;
  reg.base = uint64_t{selector} << 4;
}

bool read_stack_segment(ExecContext* ctx, uint16_t selector, unsigned cpl, LoadOrigin origin, Descriptor* out) {
  if ((selector & ~3u) == 0) {
    fault(ctx, invalid_selector_vector(origin), 0, origin);
    return false;
  }
  if (!read_for_load(ctx, selector, false, origin, out)) return false;
  if ((selector & 3u) != cpl || out->dpl() != cpl || !out->writable()) {
    fault(ctx, invalid_selector_vector(origin), selector, origin);
    return false;
  }
  if (!out->present()) {
    fault(ctx, vector::SS, selector, origin);
    return false;
  }
  return true;
}

bool read_return_code_segment(ExecContext* ctx, uint16_t selector, unsigned cpl, LoadOrigin origin,
                              Descriptor* out) {
  if ((selector & ~3u) == 0) {
    fault(ctx, invalid_selector_vector(origin), 0, origin);
    return false;
  }
  if (!read_for_load(ctx, selector, false, origin, out)) return false;
  const unsigned rpl = selector & 3u;
  const bool privilege_ok = out->conforming() ? out->dpl() <= rpl : out->dpl() == rpl;
  // IA-32e mode: a 64-bit code segment must have D = 0.
  const bool long_mode_ok = !((ctx->cpu.efer & efer::LMA) && out->long_code() && (out->attrs() & segattr::DefaultBig));
  if (!out->code() || rpl < cpl || !privilege_ok || !long_mode_ok) {
    fault(ctx, invalid_selector_vector(origin), selector, origin);
    return false;
  }
  if (!out->present()) {
    fault(ctx, vector::NP, selector, origin);
    return false;
  }
  return true;
}

bool load_segment(ExecContext* ctx, Seg seg, uint16_t selector, LoadOrigin origin) {
  CpuState& c = ctx->cpu;
  SegmentReg& reg = c.seg[static_cast<int>(seg)];
  if (!(c.cr0 & cr0::PE) || (c.rflags & rflags::VM)) {
    load_real_mode(reg, selector);
    return true;
  }
  const unsigned rpl = selector & 3, cpl = c.cpl;
  const bool long64 = in_64_bit_code(c);
  if ((selector & ~3u) == 0) {
    // A null selector: allowed except for SS, where only 64-bit mode below CPL 3 accepts it.
    if (seg == Seg::SS && !(long64 && cpl != 3 && rpl == cpl)) {
      fault(ctx, invalid_selector_vector(origin), 0, origin);
      return false;
    }
    reg.selector = selector;
    reg.base = seg == Seg::FS || seg == Seg::GS ? 0 : reg.base;
    // Unusable; a null SS in 64-bit mode keeps the CPL in its DPL field.
    reg.attrs = seg == Seg::SS ? static_cast<uint16_t>(cpl << segattr::DplShift) : 0;
    return true;
  }
  Descriptor d;
  if (seg == Seg::SS) {
    if (!read_stack_segment(ctx, selector, cpl, origin, &d)) return false;
  } else {
    if (!read_for_load(ctx, selector, false, origin, &d)) return false;
    const bool allowed = d.data() || (d.code() && d.readable());
    const bool privileged_enough = d.conforming() || (d.dpl() >= cpl && d.dpl() >= rpl);
    if (!allowed || !privileged_enough) {
      fault(ctx, invalid_selector_vector(origin), selector, origin);
      return false;
    }
    if (!d.present()) {
      fault(ctx, vector::NP, selector, origin);
      return false;
    }
  }
  mark_accessed(ctx, selector, d);
  if (c.exception.pending) return false;
  load_hidden(reg, selector, d);  // in 64-bit mode too: FS/GS get the descriptor's 32-bit base
  return true;
}

bool load_ldtr(ExecContext* ctx, uint16_t selector, LoadOrigin origin) {
  CpuState& c = ctx->cpu;
  if ((selector & ~3u) == 0) {
    c.ldtr = SegmentReg{0, 0, selector, 0};
    return true;
  }
  const bool long_mode = c.efer & efer::LMA;
  Descriptor d;
  if (selector & 4) {  // an LDT descriptor lives in the GDT
    fault(ctx, invalid_selector_vector(origin), selector, origin);
    return false;
  }
  if (!read_for_load(ctx, selector, long_mode, origin, &d)) return false;
  if (!d.system() || d.type() != systype::Ldt) {
    fault(ctx, invalid_selector_vector(origin), selector, origin);
    return false;
  }
  if (!d.present()) {
    // LLDT raises #NP; a task switch raises #TS (SDM Vol. 3, Table 8-1).
    fault(ctx, origin.from_tss ? vector::TS : vector::NP, selector, origin);
    return false;
  }
  load_hidden(c.ldtr, selector, d);
  c.ldtr.base = long_mode ? d.base() : d.base() & 0xffffffff;
  return true;
}

void load_task_register(CpuState& c, uint16_t selector, const Descriptor& tss) {
  load_hidden(c.tr, selector, tss);
  c.tr.attrs |= systype::TssBusy;
  c.tr.base = (c.efer & efer::LMA) ? tss.base() : tss.base() & 0xffffffff;
}

}  // namespace orcvm
