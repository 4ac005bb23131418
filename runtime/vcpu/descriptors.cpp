#include "runtime/vcpu/descriptors.h"

#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

namespace {
constexpr uint8_t kGP = 13, kNP = 11, kSS = 12;

bool read_supervisor(ExecContext* ctx, uint64_t linear, uint64_t* value) {
  *value = mmu_read(ctx, linear, 8, TlbBank::Supervisor);
  return !ctx->cpu.exception.pending;
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
    *fault = {kGP, static_cast<uint32_t>(selector & ~3u)};
    return false;
  }
  *out = Descriptor{};
  if (!read_supervisor(ctx, base + offset, &out->raw)) return false;
  if (wide && !read_supervisor(ctx, base + offset + 8, &out->high)) return false;
  return true;
}

void mark_accessed(ExecContext* ctx, uint16_t selector, const Descriptor& d) {
  if (d.system() || (d.type() & segattr::Accessed)) return;
  const uint64_t base = (selector & 4) ? ctx->cpu.ldtr.base : ctx->cpu.gdtr.base;
  const uint64_t byte = base + (selector & ~7u) + 5;
  mmu_write(ctx, byte, 1, ((d.raw >> 40) & 0xff) | segattr::Accessed, TlbBank::Supervisor);
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

bool load_segment(ExecContext* ctx, Seg seg, uint16_t selector) {
  CpuState& c = ctx->cpu;
  SegmentReg& reg = c.seg[static_cast<int>(seg)];
  if (!(c.cr0 & cr0::PE) || (c.rflags & rflags::VM)) {
    load_real_mode(reg, selector);
    return true;
  }
  const unsigned rpl = selector & 3, cpl = c.cpl;
  const bool long64 = (c.efer & efer::LMA) && (c.seg[static_cast<int>(Seg::CS)].attrs & segattr::Long);
  if ((selector & ~3u) == 0) {
    // A null selector: allowed except for SS, where only 64-bit mode below CPL 3 accepts it.
    if (seg == Seg::SS && !(long64 && cpl != 3 && rpl == cpl)) {
      raise_segment_fault(ctx, {kGP, 0});
      return false;
    }
    reg.selector = selector;
    reg.base = seg == Seg::FS || seg == Seg::GS ? 0 : reg.base;
    // Unusable; a null SS in 64-bit mode keeps the CPL in its DPL field.
    reg.attrs = seg == Seg::SS ? static_cast<uint16_t>(cpl << segattr::DplShift) : 0;
    return true;
  }
  Descriptor d;
  SegmentFault fault;
  if (!read_descriptor(ctx, selector, false, &d, &fault)) {
    if (!c.exception.pending) raise_segment_fault(ctx, fault);
    return false;
  }
  const uint32_t error = selector & ~3u;
  if (seg == Seg::SS) {
    if (rpl != cpl || d.dpl() != cpl || !d.writable()) {
      raise_segment_fault(ctx, {kGP, error});
      return false;
    }
    if (!d.present()) {
      raise_segment_fault(ctx, {kSS, error});
      return false;
    }
  } else {
    const bool allowed = d.data() || (d.code() && d.readable());
    const bool privileged_enough = d.conforming() || (d.dpl() >= cpl && d.dpl() >= rpl);
    if (!allowed || !privileged_enough) {
      raise_segment_fault(ctx, {kGP, error});
      return false;
    }
    if (!d.present()) {
      raise_segment_fault(ctx, {kNP, error});
      return false;
    }
  }
  mark_accessed(ctx, selector, d);
  if (c.exception.pending) return false;
  load_hidden(reg, selector, d);  // in 64-bit mode too: FS/GS get the descriptor's 32-bit base
  return true;
}

}  // namespace orcvm
