#pragma once
// Legacy-SSE (non-VEX) moves and integer/bitwise operations on XMM registers:
// MOVAPS MOVUPS MOVAPD MOVUPD MOVDQA MOVDQU MOVNTPS MOVNTPD MOVNTDQ, MOVSS MOVSD,
// MOVD/MOVQ, PAND PANDN POR PXOR and the PS/PD logic forms, PADD/PSUB, PCMPEQ,
// PCMPGT, PMOVMSKB MOVMSKPS MOVMSKPD. A legacy-SSE instruction writes only the low 128 bits
// (YMM's upper half is kept), and its 128-bit memory operand must be 16-byte
// aligned (#GP(0)) unless the instruction is one of the unaligned moves.
#include "ir/semantics/operands.h"

namespace orcvm::sem {

// #UD with CR0.EM or without CR4.OSFXSR, else #NM with CR0.TS (the block's mode).
template <class E>
void check_sse_available(E& e) {
  if (e.mode().bits & BlockMode::kSseUd) e.raise(vector::UD);
  else if (e.mode().bits & BlockMode::kSseNm) e.raise(vector::NM);
}

// The instruction's imm8 (its last operand).
inline uint8_t imm8(const DecodedInsn& i) {
  return static_cast<uint8_t>(i.op[i.operand_count - 1].imm);
}

enum class Alignment : uint8_t { Any, Required };

template <unsigned W, Alignment A, class E>
V<E, W> read_vector_operand(E& e, const DecodedInsn& i, const Operand& o) {
  if (o.kind == OperandKind::Reg) return resize<W>(e, e.get_xmm(o.reg.index));
  V<E, 64> ea = effective_address(e, o.mem, i.addrsize);
  if constexpr (A == Alignment::Required) return e.template load_aligned<W>(o.mem.seg, ea);
  else return load<W>(e, o.mem.seg, ea);
}

// The low Bits of dst replaced by low (MOVSS/MOVSD between registers).
template <unsigned Bits, class E>
V<E, 128> merge_low(E& e, V<E, 128> dst, V<E, Bits> low) {
  V<E, 128> keep = e.not_(zext<128>(e, imm<Bits>(e, ~uint64_t{0})));
  return e.or_(e.and_(dst, keep), zext<128>(e, low));
}

// MOVAPS/MOVUPS/MOVAPD/MOVUPD/MOVDQA/MOVDQU and the non-temporal stores.
template <class E, Alignment A>
void MovVector(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const Operand& dst = i.op[0];
  V<E, 128> value = read_vector_operand<128, A>(e, i, i.op[1]);
  if (dst.kind == OperandKind::Reg) {
    e.set_xmm(dst.reg.index, value);
    return;
  }
  V<E, 64> ea = effective_address(e, dst.mem, i.addrsize);
  if constexpr (A == Alignment::Required) e.store_aligned(dst.mem.seg, ea, value);
  else e.store(dst.mem.seg, ea, value);
}

// MOVSS (Bits 32) and MOVSD (64): a load clears the rest of the register, a move
// between registers keeps it, a store writes Bits.
template <class E, unsigned Bits>
void MovScalar(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const Operand& dst = i.op[0];
  const Operand& src = i.op[1];
  V<E, Bits> value = read_vector_operand<Bits, Alignment::Any>(e, i, src);
  if (dst.kind == OperandKind::Mem)
    e.store(dst.mem.seg, effective_address(e, dst.mem, i.addrsize), value);
  else if (src.kind == OperandKind::Mem)
    e.set_xmm(dst.reg.index, zext<128>(e, value));
  else
    e.set_xmm(dst.reg.index, merge_low<Bits>(e, e.get_xmm(dst.reg.index), value));
}

// MOVD/MOVQ xmm, r/m32/64 (66 0F 6E): zero-extended into the register.
template <class E>
void MovToVector(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const Operand& src = i.op[1];
  if (src.bits == 64) e.set_xmm(i.op[0].reg.index, zext<128>(e, read_operand<64>(e, i, src)));
  else e.set_xmm(i.op[0].reg.index, zext<128>(e, read_operand<32>(e, i, src)));
}

// MOVD/MOVQ r/m32/64, xmm (66 0F 7E).
template <class E>
void MovFromVector(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  V<E, 128> value = e.get_xmm(i.op[1].reg.index);
  if (i.op[0].bits == 64) write_operand(e, i, i.op[0], trunc<64>(e, value));
  else write_operand(e, i, i.op[0], trunc<32>(e, value));
}

// MOVQ xmm, xmm/m64 (F3 0F 7E) and MOVQ xmm/m64, xmm (66 0F D6): a register
// destination gets the quadword zero-extended.
template <class E>
void MovQuadword(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const Operand& dst = i.op[0];
  V<E, 64> value = read_vector_operand<64, Alignment::Any>(e, i, i.op[1]);
  if (dst.kind == OperandKind::Mem) e.store(dst.mem.seg, effective_address(e, dst.mem, i.addrsize), value);
  else e.set_xmm(dst.reg.index, zext<128>(e, value));
}

enum class VectorOp : uint8_t { And, AndNot, Or, Xor, Add, Sub, CompareEqual, CompareGreater };

// xmm = op(xmm, xmm/m128) for the two-operand form "op xmm, xmm/m128".
template <class E, class F>
void vector_binary(E& e, const DecodedInsn& i, F&& op) {
  check_sse_available(e);
  const unsigned dst = i.op[0].reg.index;
  V<E, 128> b = read_vector_operand<128, Alignment::Required>(e, i, i.op[1]);
  e.set_xmm(dst, op(e.get_xmm(dst), b));
}

// dst = dst OP src, lane-wise on Lane-bit lanes (the bitwise operations ignore lanes).
template <class E, VectorOp Op, unsigned Lane = 128>
void VectorArith(E& e, const DecodedInsn& i) {
  vector_binary(e, i, [&e](V<E, 128> a, V<E, 128> b) -> V<E, 128> {
    if constexpr (Op == VectorOp::And) return e.and_(a, b);
    else if constexpr (Op == VectorOp::AndNot) return e.and_(e.not_(a), b);
    else if constexpr (Op == VectorOp::Or) return e.or_(a, b);
    else if constexpr (Op == VectorOp::Xor) return e.xor_(a, b);
    else if constexpr (Op == VectorOp::Add) return e.template vadd<Lane>(a, b);
    else if constexpr (Op == VectorOp::Sub) return e.template vsub<Lane>(a, b);
    else if constexpr (Op == VectorOp::CompareEqual) return e.template vcmpeq<Lane>(a, b);
    else return e.template vcmpgt<Lane>(a, b);
  });
}

// PMOVMSKB (Lane 8), MOVMSKPS (32), MOVMSKPD (64) r32/r64, xmm: the lanes' sign
// bits, zero-extended.
template <class E, unsigned Lane>
void MoveMask(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  V<E, 32> mask = e.template movemask<Lane>(e.get_xmm(i.op[1].reg.index));
  write_gpr(e, i.op[0].reg, zext<64>(e, mask));
}

}  // namespace orcvm::sem
