// SSE/SSE2 floating point for both tiers (ir/semantics/sse_float.h): each lane by
// the portable library (runtime/fpu/sse_float.h), then the exception rule of SDM
// Vol. 1, 11.5.3; and MASKMOVDQU's byte-masked store.
#include "ir/semantics/canonical.h"
#include "ir/semantics/exception_vectors.h"
#include "ir/semantics/sse_float_operation.h"
#include "runtime/fpu/sse_float.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/guest_block.h"
#include "runtime/vcpu/helper_functions.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

namespace {

using sse::FloatOp;
using sse::FloatOperation;
using sse::LaneFormat;
using sse::lane_bits;

uint64_t lane(const uint64_t (&v)[2], unsigned bits, unsigned k) {
  return bits == 64 ? v[k] : (v[k / 2] >> (32 * (k % 2))) & 0xffffffff;
}

void set_lane(uint64_t (&v)[2], unsigned bits, unsigned k, uint64_t x) {
  if (bits == 64) {
    v[k] = x;
    return;
  }
  const unsigned shift = 32 * (k % 2);
  v[k / 2] = (v[k / 2] & ~(uint64_t{0xffffffff} << shift)) | (x & 0xffffffff) << shift;
}

constexpr uint64_t all_ones(unsigned bits) { return bits == 64 ? ~uint64_t{0} : 0xffffffff; }

uint64_t convert_lane(const FloatOperation& op, uint64_t x, uint32_t control, uint32_t* flags) {
  const auto single = static_cast<uint32_t>(x);
  const auto int32 = static_cast<int64_t>(static_cast<int32_t>(x));
  const auto int64 = static_cast<int64_t>(x);
  switch (op.source) {
    case LaneFormat::Single:
      switch (op.result) {
        case LaneFormat::Double: return fpu::f32_to_f64(single, control, flags);
        case LaneFormat::Int32: return static_cast<uint32_t>(fpu::f32_to_i32(single, op.truncate, control, flags));
        case LaneFormat::Int64: return static_cast<uint64_t>(fpu::f32_to_i64(single, op.truncate, control, flags));
        case LaneFormat::Single: break;
      }
      break;
    case LaneFormat::Double:
      switch (op.result) {
        case LaneFormat::Single: return fpu::f64_to_f32(x, control, flags);
        case LaneFormat::Int32: return static_cast<uint32_t>(fpu::f64_to_i32(x, op.truncate, control, flags));
        case LaneFormat::Int64: return static_cast<uint64_t>(fpu::f64_to_i64(x, op.truncate, control, flags));
        case LaneFormat::Double: break;
      }
      break;
    case LaneFormat::Int32:
    case LaneFormat::Int64: {
      const int64_t value = op.source == LaneFormat::Int32 ? int32 : int64;
      if (op.result == LaneFormat::Single) return fpu::i64_to_f32(value, control, flags);
      if (op.result == LaneFormat::Double) return fpu::i64_to_f64(value, control, flags);
      break;
    }
  }
  return x;  // no instruction converts between equal formats
}

// One lane: a is the destination's lane, b the source's (the only operand of the
// unary operations).
uint64_t compute_lane(const FloatOperation& op, uint64_t a, uint64_t b, uint32_t control, uint32_t* flags) {
  const bool single = op.source == LaneFormat::Single;
  switch (op.op) {
    case FloatOp::Add:
    case FloatOp::Sub:
    case FloatOp::Mul:
    case FloatOp::Div:
    case FloatOp::Min:
    case FloatOp::Max:
    case FloatOp::Sqrt: {
      const auto arith = static_cast<fpu::ArithOp>(op.op);
      if (op.op == FloatOp::Sqrt) a = b;
      return single ? fpu::arith32(arith, static_cast<uint32_t>(a), static_cast<uint32_t>(b), control, flags)
                    : fpu::arith64(arith, a, b, control, flags);
    }
    case FloatOp::Compare: {
      const bool holds = single ? fpu::compare32(op.predicate, static_cast<uint32_t>(a), static_cast<uint32_t>(b), control, flags)
                                : fpu::compare64(op.predicate, a, b, control, flags);
      return holds ? all_ones(lane_bits(op.result)) : 0;
    }
    case FloatOp::Reciprocal: return fpu::reciprocal32(static_cast<uint32_t>(b));
    case FloatOp::ReciprocalSqrt: return fpu::reciprocal_sqrt32(static_cast<uint32_t>(b));
    case FloatOp::Convert: return convert_lane(op, b, control, flags);
    case FloatOp::OrderedCompare:
      return single ? fpu::ordered_compare32(op.signalling, static_cast<uint32_t>(a), static_cast<uint32_t>(b), control, flags)
                    : fpu::ordered_compare64(op.signalling, a, b, control, flags);
  }
  return 0;
}

// ORs what the instruction's lanes raised into MXCSR as the hardware reports it
// (SDM Vol. 1, 11.5.3): when any lane raised an unmasked pre-computation exception
// (IE, DE, ZE), only the pre-computation flags of all lanes, else every flag; the
// flags are set even when an exception follows. Then an unmasked flag raises #XM,
// or #UD without CR4.OSXMMEXCPT (Vol. 3, 2.5), and the destination must not be
// written: returns whether it may be.
bool report_flags(ExecContext* ctx, uint32_t raised) {
  constexpr uint32_t kPreComputation = fpu::mxcsr::IE | fpu::mxcsr::DE | fpu::mxcsr::ZE;
  uint32_t& mxcsr = ctx->cpu.fpu.mxcsr;
  const uint32_t reported = fpu::unmasked(raised & kPreComputation, mxcsr) ? raised & kPreComputation : raised;
  mxcsr |= reported;
  if (!fpu::unmasked(reported, mxcsr)) return true;
  raise_exception(ctx, (ctx->cpu.cr4 & cr4::OSXMMEXCPT) ? vector::XM : vector::UD);
  return false;
}

}  // namespace

uint64_t helper_SseFloatLanes(ExecContext* ctx, uint64_t operation, uint64_t source_low, uint64_t source_high) {
  const FloatOperation op = FloatOperation::decode(operation);
  uint64_t* destination = ctx->cpu.vec[op.destination];
  const uint64_t a[2] = {destination[0], destination[1]}, b[2] = {source_low, source_high};
  // A packed result that fills half the register zeroes the other half.
  uint64_t result[2] = {op.scalar ? a[0] : 0, op.scalar ? a[1] : 0};
  const unsigned in = lane_bits(op.source), out = lane_bits(op.result);
  const uint32_t control = ctx->cpu.fpu.mxcsr;
  uint32_t raised = 0;
  for (unsigned k = 0; k < op.lanes(); ++k)
    set_lane(result, out, k, compute_lane(op, lane(a, in, k), lane(b, in, k), control, &raised));
  if (!report_flags(ctx, raised)) return 0;
  destination[0] = result[0];
  destination[1] = result[1];
  return 0;
}

uint64_t helper_SseFloatToInteger(ExecContext* ctx, uint64_t operation, uint64_t source, uint64_t) {
  const FloatOperation op = FloatOperation::decode(operation);
  uint32_t raised = 0;
  const uint64_t value = compute_lane(op, 0, source, ctx->cpu.fpu.mxcsr, &raised);
  return report_flags(ctx, raised) ? value : 0;
}

uint64_t helper_SseFloatCompareFlags(ExecContext* ctx, uint64_t operation, uint64_t source, uint64_t) {
  const FloatOperation op = FloatOperation::decode(operation);
  const uint64_t destination[2] = {ctx->cpu.vec[op.destination][0], ctx->cpu.vec[op.destination][1]};
  uint32_t raised = 0;
  const uint64_t image =
      compute_lane(op, lane(destination, lane_bits(op.source), 0), source, ctx->cpu.fpu.mxcsr, &raised);
  return report_flags(ctx, raised) ? image : 0;
}

// The whole 16-byte operand is checked for writing, as this AMD host does it: a
// page of masked-off bytes faults too, even with a zero mask (the SDM leaves both
// to the implementation), and every page is translated before the first byte is
// stored, so a fault writes nothing.
uint64_t helper_MaskMoveBytes(ExecContext* ctx, uint64_t offset, uint64_t segment, uint64_t registers) {
  constexpr unsigned kBytes = 16;
  const uint64_t* data = ctx->cpu.vec[registers & 15];
  const uint64_t* mask = ctx->cpu.vec[registers >> 4 & 15];
  auto byte_of = [](const uint64_t* v, unsigned k) { return static_cast<uint8_t>(v[k / 8] >> (8 * (k % 8))); };
  const Seg seg = static_cast<Seg>(segment);
  uint64_t linear;
  if (!operand_linear_address(ctx, seg, offset, kBytes, true, &linear)) return 0;
  const bool flat64 = in_64_bit_code(ctx->cpu);
  auto address = [&](unsigned k) { return flat64 ? linear + k : (linear + k) & 0xffffffff; };
  // Alignment checking (CR0.AM, RFLAGS.AC, CPL 3) wants 8-byte alignment here, as on
  // this AMD host, even with a zero mask; it comes before the pages, a non-canonical
  // address's #GP before it, as for any access.
  if (alignment_checking(ctx->cpu) && (linear & 7) && canonical(linear)) {
    raise_exception(ctx, vector::AC, 0, true);
    return 0;
  }
  const unsigned how = bank_of(ctx) | (seg == Seg::SS ? access_how::Stack : 0);
  uint64_t physical;
  for (unsigned k = 0; k < kBytes; ++k)
    if (k == 0 || (address(k) & 0xfff) == 0)
      if (!mmu_translate(ctx, address(k), Access::Write, how, &physical)) return 0;
  for (unsigned k = 0; k < kBytes; ++k) {
    if (!(byte_of(mask, k) & 0x80)) continue;
    mmu_write(ctx, address(k), 1, byte_of(data, k), how);
    if (ctx->cpu.exception.pending) return 0;
  }
  return 0;
}

}  // namespace orcvm
