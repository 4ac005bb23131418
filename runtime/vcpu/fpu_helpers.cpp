// The x87 control instructions, MXCSR, FXSAVE and FXRSTOR (SDM Vol. 1, 8.3.12 and
// 10.5; Vol. 3, 2.5 for CR0.EM/MP/TS/NE and CR4.OSFXSR).
#include "ir/semantics/exception_vectors.h"
#include "runtime/fpu/sse_float.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/fxsave.h"
#include "runtime/vcpu/guest_block.h"
#include "runtime/vcpu/helper_functions.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

namespace {

bool pending_x87_exception(const FpuState& f) { return f.status & ~f.control & x87::ExceptionFlags; }

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

// FXSAVE and FXRSTOR: #NM with CR0.TS or CR0.EM, #GP(0) unless 16-byte aligned; the
// linear address is what must be aligned.
bool fxsave_operand(ExecContext* ctx, Seg seg, uint64_t offset, bool write, uint64_t* linear) {
  if (ctx->cpu.cr0 & (cr0::EM | cr0::TS)) {
    raise_exception(ctx, vector::NM);
    return false;
  }
  if (!operand_linear_address(ctx, seg, offset, kFxsaveImageBytes, write, linear)) return false;
  if (*linear & 15) {
    raise_exception(ctx, vector::GP, 0, true);
    return false;
  }
  return true;
}

unsigned data_access(const ExecContext* ctx, Seg seg) {
  return bank_of(ctx) | (seg == Seg::SS ? access_how::Stack : 0);
}

}  // namespace

uint64_t helper_X87Unavailable(ExecContext* ctx, uint64_t, uint64_t, uint64_t) {
  if (!x87_available(ctx, false)) return 0;
  return helper_Unimplemented(ctx, 0, 0, 0);
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
  if (!x87_available(ctx, false)) return 0;
  FpuState& f = ctx->cpu.fpu;
  const uint32_t mxcsr = f.mxcsr;
  const FpuState registers_kept = f;
  f = FpuState{};
  for (unsigned i = 0; i < 8; ++i) f.reg[i] = registers_kept.reg[i];  // FNINIT tags them empty, keeps the bits
  f.control = x87::ControlAfterInit;
  f.mxcsr = mxcsr;
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
  const auto seg = static_cast<Seg>(segment);
  uint64_t linear;
  if (!fxsave_operand(ctx, seg, offset, true, &linear)) return 0;
  const bool long_mode = in_64_bit_code(ctx->cpu);
  uint8_t image[kFxsaveImageBytes];
  write_fxsave_image(ctx->cpu, rex64 ? FxsaveFormat::Rex64 : FxsaveFormat::Legacy32, long_mode, image);
  write_guest_block(ctx, seg, offset, data_access(ctx, seg), image, fxsave_written_bytes(long_mode));
  return 0;
}

uint64_t helper_Fxrstor(ExecContext* ctx, uint64_t offset, uint64_t segment, uint64_t rex64) {
  const auto seg = static_cast<Seg>(segment);
  uint64_t linear;
  if (!fxsave_operand(ctx, seg, offset, false, &linear)) return 0;
  const bool long_mode = in_64_bit_code(ctx->cpu);
  uint8_t image[kFxsaveImageBytes];
  if (!read_guest_block(ctx, seg, offset, data_access(ctx, seg), image, fxsave_written_bytes(long_mode))) return 0;
  if (!read_fxsave_image(ctx->cpu, rex64 ? FxsaveFormat::Rex64 : FxsaveFormat::Legacy32, long_mode, image))
    raise_exception(ctx, vector::GP, 0, true);
  return 0;
}

}  // namespace orcvm
