#pragma once
// Legacy-SSE/SSE2 floating point: ADD SUB MUL DIV MIN MAX SQRT (PS SS PD SD), RCP
// and RSQRT (PS SS), CMPPS/SS/PD/SD, COMISS/SD UCOMISS/SD, the conversions between
// binary32, binary64 and integers, and MASKMOVDQU.
//
// The arithmetic is the runtime's (runtime/vcpu/sse_float_helpers.cpp, over the
// portable library runtime/fpu/sse_float.h): exact under every MXCSR setting, the
// same in both tiers, on any host. The semantics make the availability checks, read
// the source operand (so a memory fault comes first, state untouched) and pass it by
// value with the operation fixed at translation; the helper reads the destination
// register, computes every lane, and either raises #XM (#UD without
// CR4.OSXMMEXCPT), writing nothing, or writes the destination and MXCSR's flags.
#include <utility>

#include "ir/semantics/sse.h"
#include "ir/semantics/sse_float_operation.h"

namespace orcvm::sem {

using sse::FloatOp;
using sse::FloatOperation;
using sse::LaneFormat;

constexpr FloatOperation float_arith(FloatOp op, LaneFormat format, bool scalar) {
  FloatOperation o;
  o.op = op;
  o.source = o.result = format;
  o.scalar = scalar;
  return o;
}

constexpr FloatOperation float_convert(LaneFormat from, LaneFormat to, bool scalar, bool truncate = false) {
  FloatOperation o;
  o.op = FloatOp::Convert;
  o.source = from;
  o.result = to;
  o.scalar = scalar;
  o.truncate = truncate;
  return o;
}

// The low Bits of an XMM register or memory operand as two quadwords (the high
// one 0 below 128 bits). Only a 128-bit memory operand must be 16-byte aligned.
template <unsigned Bits, class E>
std::pair<V<E, 64>, V<E, 64>> read_float_source(E& e, const DecodedInsn& i, const Operand& o) {
  static_assert(Bits == 32 || Bits == 64 || Bits == 128);
  if (o.kind == OperandKind::Reg) {
    V<E, 128> x = e.get_xmm(o.reg.index);
    return {trunc<64>(e, x), Bits == 128 ? e.template vextract<64>(x, 1) : imm<64>(e, 0)};
  }
  V<E, 64> ea = effective_address(e, o.mem, i.addrsize);
  if constexpr (Bits == 128) {
    V<E, 128> x = e.template load_aligned<128>(o.mem.seg, ea);
    return {trunc<64>(e, x), e.template vextract<64>(x, 1)};
  } else {
    return {zext<64>(e, load<Bits>(e, o.mem.seg, ea)), imm<64>(e, 0)};
  }
}

template <class E>
void compute_float_lanes(E& e, const FloatOperation& op, V<E, 64> source_low, V<E, 64> source_high) {
  e.call(Helper::SseFloatLanes, imm<64>(e, op.encode()), source_low, source_high);
}

// "op xmm1, xmm2/mem": the arithmetic, CMPcc (imm8), RCP/RSQRT and the conversions
// between XMM registers.
template <class E, FloatOperation Op>
void FloatLanes(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  FloatOperation op = Op;
  op.destination = i.op[0].reg.index;
  if constexpr (Op.op == FloatOp::Compare) op.predicate = imm8(i) & 7;
  auto [low, high] = read_float_source<Op.source_bits()>(e, i, i.op[1]);
  compute_float_lanes(e, op, low, high);
}

// CVTSI2SS/CVTSI2SD xmm, r/m32 or r/m64 (REX.W): the integer, sign-extended, is
// the low lane's source.
template <class E, LaneFormat Result>
void ConvertFromInteger(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const Operand& src = i.op[1];
  V<E, 64> value = src.bits == 64 ? read_operand<64>(e, i, src) : sext<64>(e, read_operand<32>(e, i, src));
  FloatOperation op = float_convert(LaneFormat::Int64, Result, true);
  op.destination = i.op[0].reg.index;
  compute_float_lanes(e, op, value, imm<64>(e, 0));
}

// CVTSS2SI CVTSD2SI CVTTSS2SI CVTTSD2SI r32/r64, xmm/m32/m64.
template <class E, LaneFormat Source, bool Truncate>
void ConvertToInteger(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const bool wide = i.op[0].bits == 64;
  const FloatOperation op = float_convert(Source, wide ? LaneFormat::Int64 : LaneFormat::Int32, true, Truncate);
  V<E, 64> source = read_float_source<sse::lane_bits(Source)>(e, i, i.op[1]).first;
  V<E, 64> value = e.call(Helper::SseFloatToInteger, imm<64>(e, op.encode()), source);
  if (wide) write_gpr(e, i.op[0].reg, value);
  else write_gpr(e, i.op[0].reg, trunc<32>(e, value));
}

// COMISS COMISD (Signalling: IE for a QNaN too) and UCOMISS UCOMISD xmm1, xmm2/m:
// ZF PF CF from the order (all three when unordered), OF SF AF cleared.
template <class E, LaneFormat Format, bool Signalling>
void OrderedCompare(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  FloatOperation op = float_arith(FloatOp::OrderedCompare, Format, true);
  op.signalling = Signalling;
  op.destination = i.op[0].reg.index;
  V<E, 64> source = read_float_source<sse::lane_bits(Format)>(e, i, i.op[1]).first;
  V<E, 64> image = e.call(Helper::SseFloatCompareFlags, imm<64>(e, op.encode()), source);
  e.set_flag(Flag::ZF, bit(e, image, 6));
  e.set_flag(Flag::PF, bit(e, image, 2));
  e.set_flag(Flag::CF, bit(e, image, 0));
  for (Flag f : {Flag::OF, Flag::SF, Flag::AF}) e.set_flag(f, imm<1>(e, 0));
}

// MASKMOVDQU xmm1, xmm2: the bytes of xmm1 whose byte in xmm2 has its top bit set,
// stored at DS:rDI (the segment overridable, rDI of the address size). The runtime
// translates every page first, so a fault leaves memory as it was.
template <class E>
void MaskMoveBytes(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const Seg seg = i.segment_override == Seg::None ? Seg::DS : i.segment_override;
  V<E, 64> offset = truncate_address(e, e.get_gpr(gpr::RDI), i.addrsize);
  const unsigned registers = i.op[0].reg.index | i.op[1].reg.index << 4;
  e.call(Helper::MaskMoveBytes, offset, imm<64>(e, static_cast<uint64_t>(seg)), imm<64>(e, registers));
}

}  // namespace orcvm::sem
