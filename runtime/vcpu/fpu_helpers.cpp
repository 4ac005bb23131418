// The x87 control instructions, MXCSR, FXSAVE and FXRSTOR (SDM Vol. 1, 8.3.12 and
// 10.5; Vol. 3, 2.5 for CR0.EM/MP/TS/NE and CR4.OSFXSR).
#include "ir/semantics/exception_vectors.h"
#include "runtime/fpu/sse_float.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/fpu_common.h"
#include "runtime/vcpu/fxsave.h"
#include "runtime/vcpu/guest_block.h"
#include "runtime/vcpu/helper_functions.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

namespace {

bool pending_x87_exception(const FpuState& f) { return f.status & ~f.control & x87::ExceptionFlags; }

// The operand of FXSAVE/FXRSTOR: #NM with CR0.TS or CR0.EM, #GP(0) unless the
// linear address is 16-byte aligned; the image's format and extent.
struct FxOperand {
  Seg seg;
  FxsaveFormat format;
  bool long_mode;
};

bool fx_operand(ExecContext* ctx, uint64_t offset, uint64_t segment, uint64_t rex64, bool write, FxOperand* out) {
  if (ctx->cpu.cr0 & (cr0::EM | cr0::TS)) {
    raise_exception(ctx, vector::NM);
    return false;
  }
  out->seg = static_cast<Seg>(segment);
  out->format = rex64 ? FxsaveFormat::Rex64 : FxsaveFormat::Legacy32;
  out->long_mode = in_64_bit_code(ctx->cpu);
  uint64_t linear;
  if (!operand_linear_address(ctx, out->seg, offset, kFxsaveImageBytes, write, &linear)) return false;
  if (linear & 15) {
    raise_exception(ctx, vector::GP, 0, true);
    return false;
  }
  return true;
}

}  // namespace

// A pending unmasked x87 exception is reported when the next waiting instruction
// starts. With CR0.NE clear a PC would signal it on IRQ 13 through FERR#; orcvm
// raises #MF in both cases (docs/semantics.md).
bool x87_available(ExecContext* ctx, bool waiting) {
  if (ctx->cpu.cr0 & (cr0::EM | cr0::TS)) {
    raise_exception(ctx, vector::NM);
    return false;
  }
  if (waiting && pending_x87_exception(ctx->cpu.fpu)) {
    raise_exception(ctx, vector::MF);
    return false;
  }
  return true;
}

void initialize_x87(FpuState& f) {
  const uint32_t mxcsr = f.mxcsr;
  const FpuState registers_kept = f;
  f = FpuState{};
  for (unsigned i = 0; i < 8; ++i) f.reg[i] = registers_kept.reg[i];  // tagged empty, bits kept
  f.control = x87::ControlAfterInit;
  f.mxcsr = mxcsr;
}

unsigned fpu_data_access(const ExecContext* ctx, Seg seg) {
  return bank_of(ctx) | (seg == Seg::SS ? access_how::Stack : 0);
}

uint64_t helper_X87Check(ExecContext* ctx, uint64_t waiting, uint64_t, uint64_t) {
  x87_available(ctx, waiting);
  return 0;
}

uint64_t helper_Fwait(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  const uint64_t cr0 = ctx->cpu.cr0;
  if ((cr0 & cr0::TS) && (cr0 & cr0::MP))
    raise_exception(ctx, vector::NM);
  else if (pending_x87_exception(ctx->cpu.fpu))
    raise_exception(ctx, vector::MF);
  return 0;
}

uint64_t helper_Fninit(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (x87_available(ctx, false)) initialize_x87(ctx->cpu.fpu);
  return 0;
}

uint64_t helper_Fnclex(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (!x87_available(ctx, false)) return 0;
  ctx->cpu.fpu.status &= static_cast<uint16_t>(~(x87::ExceptionFlags | x87::StackFault | x87::ErrorSummary | x87::Busy));
  return 0;
}

uint64_t helper_ReadX87Word(ExecContext* ctx, uint64_t control, uint64_t, uint64_t) {
  const FpuState& f = ctx->cpu.fpu;
  return control ? f.control : x87::status_with_summary(f.status, f.control);
}

uint64_t helper_Fldcw(ExecContext* ctx, uint64_t value, uint64_t, uint64_t) {
  ctx->cpu.fpu.control = static_cast<uint16_t>(value);
  return 0;
}

uint64_t helper_SseCheck(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  const CpuState& c = ctx->cpu;
  if ((c.cr0 & cr0::EM) || !(c.cr4 & cr4::OSFXSR))
    raise_exception(ctx, vector::UD);
  else if (c.cr0 & cr0::TS)
    raise_exception(ctx, vector::NM);
  return 0;
}

uint64_t helper_Ldmxcsr(ExecContext* ctx, uint64_t value, uint64_t, uint64_t) {
  if (value & ~uint64_t{fpu::mxcsr::Writable}) {
    raise_exception(ctx, vector::GP, 0, true);
    return 0;
  }
  ctx->cpu.fpu.mxcsr = static_cast<uint32_t>(value);
  return 0;
}

uint64_t helper_ReadMxcsr(ExecContext* ctx, uint64_t, uint64_t, uint64_t) { return ctx->cpu.fpu.mxcsr; }

uint64_t helper_Fxsave(ExecContext* ctx, uint64_t offset, uint64_t segment, uint64_t rex64) {
  FxOperand o;
  if (!fx_operand(ctx, offset, segment, rex64, true, &o)) return 0;
  uint8_t image[kFxsaveImageBytes];
  write_fxsave_image(ctx->cpu, o.format, o.long_mode, image);
  write_guest_block(ctx, o.seg, offset, fpu_data_access(ctx, o.seg), image, fxsave_written_bytes(o.long_mode));
  return 0;
}

uint64_t helper_Fxrstor(ExecContext* ctx, uint64_t offset, uint64_t segment, uint64_t rex64) {
  FxOperand o;
  if (!fx_operand(ctx, offset, segment, rex64, false, &o)) return 0;
  uint8_t image[kFxsaveImageBytes];
  if (!read_guest_block(ctx, o.seg, offset, fpu_data_access(ctx, o.seg), image, fxsave_written_bytes(o.long_mode)))
    return 0;
  if (!read_fxsave_image(ctx->cpu, o.format, o.long_mode, image)) raise_exception(ctx, vector::GP, 0, true);
  return 0;
}

}  // namespace orcvm
