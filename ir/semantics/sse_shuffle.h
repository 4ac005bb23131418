#pragma once
// Legacy-SSE/SSE2 lane rearrangements: PSHUFD PSHUFLW PSHUFHW SHUFPS SHUFPD with
// imm8, PUNPCKL/H BW WD DQ QDQ and UNPCKL/H PS PD, the byte shifts PSRLDQ PSLLDQ,
// the half moves MOVLPS MOVHPS MOVLPD MOVHPD MOVHLPS MOVLHPS, PEXTRW and PINSRW.
// Each rearrangement is one shuffle whose lane choice depends only on the
// encoding and its imm8, so it is known when the instruction is translated.
#include <array>

#include "ir/semantics/sse.h"

namespace orcvm::sem {

template <unsigned Lane>
using LanePick = std::array<uint8_t, 128 / Lane>;

// What the shuffle picks from: lanes 0..N-1 are the first source, N..2N-1 the second.
enum class ShuffleSources : uint8_t {
  SourceTwice,            // PSHUFD/LW/HW xmm, xmm/m128, imm8
  DestinationThenSource,  // SHUFPS/PD, the unpacks: xmm, xmm/m128
  DestinationThenZero,    // PSRLDQ/PSLLDQ xmm, imm8
};

template <class E, unsigned Lane, ShuffleSources S, LanePick<Lane> (*Pick)(uint8_t)>
void Shuffle(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const unsigned dst = i.op[0].reg.index;
  const LanePick<Lane> pick = Pick(imm8(i));
  if constexpr (S == ShuffleSources::DestinationThenZero) {
    e.set_xmm(dst, e.template vshuffle<Lane>(e.get_xmm(dst), imm<128>(e, 0), pick));
  } else {
    V<E, 128> source = read_vector_operand<128, Alignment::Required>(e, i, i.op[1]);
    V<E, 128> first = S == ShuffleSources::SourceTwice ? source : e.get_xmm(dst);
    e.set_xmm(dst, e.template vshuffle<Lane>(first, source, pick));
  }
}

// The lane choices. Lanes of 2 bits each in imm8 name a dword (or a word of a half).
inline LanePick<32> pshufd_pick(uint8_t imm) {
  LanePick<32> p;
  for (unsigned k = 0; k < 4; ++k) p[k] = (imm >> (2 * k)) & 3;
  return p;
}
// PSHUFLW (High false) and PSHUFHW: four words of one half chosen, the other half kept.
template <bool High>
LanePick<16> pshufw_half_pick(uint8_t imm) {
  LanePick<16> p;
  const unsigned shuffled = High ? 4 : 0;
  for (unsigned k = 0; k < 8; ++k) p[k] = static_cast<uint8_t>(k);
  for (unsigned k = 0; k < 4; ++k) p[shuffled + k] = static_cast<uint8_t>(shuffled + ((imm >> (2 * k)) & 3));
  return p;
}
// SHUFPS: the low two dwords from the destination, the high two from the source.
inline LanePick<32> shufps_pick(uint8_t imm) {
  LanePick<32> p = pshufd_pick(imm);
  p[2] += 4;
  p[3] += 4;
  return p;
}
inline LanePick<64> shufpd_pick(uint8_t imm) { return {static_cast<uint8_t>(imm & 1), static_cast<uint8_t>(2 + ((imm >> 1) & 1))}; }
// The unpacks interleave the low (or high) halves of destination and source.
template <unsigned Lane, bool High>
LanePick<Lane> unpack_pick(uint8_t) {
  constexpr unsigned kLanes = 128 / Lane;
  LanePick<Lane> p;
  for (unsigned k = 0; k < kLanes / 2; ++k) {
    p[2 * k] = static_cast<uint8_t>((High ? kLanes / 2 : 0) + k);
    p[2 * k + 1] = static_cast<uint8_t>(kLanes + (High ? kLanes / 2 : 0) + k);
  }
  return p;
}
// PSRLDQ (Left false) and PSLLDQ by imm8 bytes; byte 16 is a zero, and counts
// above 15 clear the register.
template <bool Left>
LanePick<8> byte_shift_pick(uint8_t count) {
  LanePick<8> p;
  for (unsigned k = 0; k < 16; ++k) {
    const int from = Left ? static_cast<int>(k) - count : static_cast<int>(k) + count;
    p[k] = static_cast<uint8_t>(from >= 0 && from < 16 ? from : 16);
  }
  return p;
}

// MOVLPS/MOVLPD (Half 0) and MOVHPS/MOVHPD (Half 1): quadword Half of the
// register from or to m64 (no alignment); the register forms of 0F 12 and 0F 16
// are MOVHLPS (the source's high quadword into the low) and MOVLHPS (the low
// into the high). The other quadword is kept.
template <class E, unsigned Half>
void MovHalf(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const Operand& dst = i.op[0];
  const Operand& src = i.op[1];
  if (dst.kind == OperandKind::Mem) {
    V<E, 64> value = e.template vextract<64>(e.get_xmm(src.reg.index), Half);
    e.store(dst.mem.seg, effective_address(e, dst.mem, i.addrsize), value);
    return;
  }
  V<E, 64> value = src.kind == OperandKind::Mem
                       ? load<64>(e, src.mem.seg, effective_address(e, src.mem, i.addrsize))
                       : e.template vextract<64>(e.get_xmm(src.reg.index), 1 - Half);
  e.set_xmm(dst.reg.index, e.template vinsert<64>(e.get_xmm(dst.reg.index), Half, value));
}

// PEXTRW r32/r64, xmm, imm8: the word imm8 mod 8, zero-extended.
template <class E>
void ExtractWord(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  V<E, 16> word = e.template vextract<16>(e.get_xmm(i.op[1].reg.index), imm8(i) & 7);
  write_gpr(e, i.op[0].reg, zext<32>(e, word));
}

// PINSRW xmm, r32/m16, imm8: the word imm8 mod 8 replaced.
template <class E>
void InsertWord(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const unsigned dst = i.op[0].reg.index;
  V<E, 16> word = read_operand<16>(e, i, i.op[1]);
  e.set_xmm(dst, e.template vinsert<16>(e.get_xmm(dst), imm8(i) & 7, word));
}

}  // namespace orcvm::sem
