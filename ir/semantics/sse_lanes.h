#pragma once
// Legacy-SSE2 integer lane arithmetic beyond add/sub/compare: PMINUB PMAXUB PMINSW
// PMAXSW, PAVGB PAVGW, the saturating PADDUS/PADDS/PSUBUS/PSUBS B/W, PMULLW
// PMULHW PMULHUW PMULUDQ PMADDWD, PSADBW, and the packs PACKSSWB PACKSSDW
// PACKUSWB. All take "op xmm, xmm/m128" with an aligned memory operand.
#include <array>

#include "ir/semantics/sse.h"

namespace orcvm::sem {

// A 128-bit constant with every Lane-bit lane equal to `lane`.
template <unsigned Lane, class E>
V<E, 128> splat(E& e, uint64_t lane) {
  uint64_t half = 0;
  const uint64_t field = Lane == 64 ? ~uint64_t{0} : (uint64_t{1} << Lane) - 1;
  for (unsigned k = 0; k < 64; k += Lane) half |= (lane & field) << k;
  V<E, 128> low = zext<128>(e, imm<64>(e, half));
  return e.or_(e.shl(low, imm<128>(e, 64)), low);
}

enum class LaneOp : uint8_t {
  UnsignedMin, UnsignedMax, SignedMin, SignedMax,
  UnsignedAddSaturate, SignedAddSaturate, UnsignedSubSaturate, SignedSubSaturate,
  UnsignedAverage, MultiplyLow, SignedMultiplyHigh, UnsignedMultiplyHigh,
  MultiplyUnsignedDwords,  // PMULUDQ: low dword of each quadword, 64-bit products
  MultiplyAddWords,        // PMADDWD: signed word products, adjacent pairs summed
  SumAbsoluteDifferences,  // PSADBW: per quadword, in its low word
  PackSigned,              // Lane-bit lanes of dst then src, signed-saturated to Lane/2
  PackUnsigned,            // the same, saturated to the unsigned Lane/2-bit range
};

// Dst then src's Lane-bit lanes, each clamped to [low, high] (signed), as Lane/2-bit lanes.
template <unsigned Lane, class E>
V<E, 128> pack(E& e, V<E, 128> a, V<E, 128> b, int64_t low, int64_t high) {
  constexpr unsigned kNarrow = Lane / 2;
  auto clamp = [&](V<E, 128> x) {
    return e.template vsmin<Lane>(e.template vsmax<Lane>(x, splat<Lane>(e, static_cast<uint64_t>(low))),
                                  splat<Lane>(e, static_cast<uint64_t>(high)));
  };
  std::array<uint8_t, 128 / kNarrow> low_halves;  // of the 2*128/Lane lanes of a then b
  for (unsigned k = 0; k < low_halves.size(); ++k) low_halves[k] = static_cast<uint8_t>(2 * k);
  return e.template vshuffle<kNarrow>(clamp(a), clamp(b), low_halves);
}

// Each quadword of bytes summed into its low word: pairs, then quads, then eights.
template <class E>
V<E, 128> sum_bytes_per_quadword(E& e, V<E, 128> x) {
  auto fold = [&]<unsigned Wide>(V<E, 128> v) {
    V<E, 128> low_half = splat<Wide>(e, (uint64_t{1} << (Wide / 2)) - 1);
    return e.template vadd<Wide>(e.and_(v, low_half), e.template vlshr<Wide>(v, imm<64>(e, Wide / 2)));
  };
  V<E, 128> pairs = fold.template operator()<16>(x);
  V<E, 128> quads = fold.template operator()<32>(pairs);
  return fold.template operator()<64>(quads);
}

template <LaneOp Op, unsigned Lane, class E>
V<E, 128> lane_op(E& e, V<E, 128> a, V<E, 128> b) {
  if constexpr (Op == LaneOp::UnsignedMin) return e.template vumin<Lane>(a, b);
  else if constexpr (Op == LaneOp::UnsignedMax) return e.template vumax<Lane>(a, b);
  else if constexpr (Op == LaneOp::SignedMin) return e.template vsmin<Lane>(a, b);
  else if constexpr (Op == LaneOp::SignedMax) return e.template vsmax<Lane>(a, b);
  else if constexpr (Op == LaneOp::UnsignedAddSaturate) return e.template vuadd_sat<Lane>(a, b);
  else if constexpr (Op == LaneOp::SignedAddSaturate) return e.template vsadd_sat<Lane>(a, b);
  else if constexpr (Op == LaneOp::UnsignedSubSaturate) return e.template vusub_sat<Lane>(a, b);
  else if constexpr (Op == LaneOp::SignedSubSaturate) return e.template vssub_sat<Lane>(a, b);
  else if constexpr (Op == LaneOp::UnsignedAverage) return e.template vavgu<Lane>(a, b);
  else if constexpr (Op == LaneOp::MultiplyLow) return e.template vmul<Lane>(a, b);
  else if constexpr (Op == LaneOp::SignedMultiplyHigh) return e.template vsmulh<Lane>(a, b);
  else if constexpr (Op == LaneOp::UnsignedMultiplyHigh) return e.template vumulh<Lane>(a, b);
  else if constexpr (Op == LaneOp::MultiplyUnsignedDwords) {
    V<E, 128> low_dwords = splat<64>(e, 0xffffffff);
    return e.template vmul<64>(e.and_(a, low_dwords), e.and_(b, low_dwords));
  } else if constexpr (Op == LaneOp::MultiplyAddWords) {
    // Words sign-extended in place within their dwords; the one overflowing sum,
    // 4 * 0x8000 * 0x8000, wraps to 0x80000000 as the SDM's result is.
    V<E, 64> sixteen = imm<64>(e, 16);
    auto even = [&](V<E, 128> x) { return e.template vashr<32>(e.template vshl<32>(x, sixteen), sixteen); };
    auto odd = [&](V<E, 128> x) { return e.template vashr<32>(x, sixteen); };
    return e.template vadd<32>(e.template vmul<32>(even(a), even(b)), e.template vmul<32>(odd(a), odd(b)));
  } else if constexpr (Op == LaneOp::SumAbsoluteDifferences) {
    V<E, 128> distance = e.template vsub<8>(e.template vumax<8>(a, b), e.template vumin<8>(a, b));
    return sum_bytes_per_quadword(e, distance);
  } else if constexpr (Op == LaneOp::PackSigned) {
    constexpr int64_t kHigh = (int64_t{1} << (Lane / 2 - 1)) - 1;
    return pack<Lane>(e, a, b, -kHigh - 1, kHigh);
  } else {
    static_assert(Op == LaneOp::PackUnsigned);
    return pack<Lane>(e, a, b, 0, (int64_t{1} << (Lane / 2)) - 1);
  }
}

// dst = dst OP src on Lane-bit lanes.
template <class E, LaneOp Op, unsigned Lane>
void LaneArith(E& e, const DecodedInsn& i) {
  vector_binary(e, i, [&e](V<E, 128> a, V<E, 128> b) { return lane_op<Op, Lane>(e, a, b); });
}

}  // namespace orcvm::sem
