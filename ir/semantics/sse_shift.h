#pragma once
// Legacy-SSE2 lane shifts: PSLLW/D/Q, PSRLW/D/Q, PSRAW/D by imm8 (66 0F 71-73
// /6, /2, /4) or by the low quadword of xmm/m128 (aligned). A count of at least
// the lane width clears every lane, or fills it with its sign bit for PSRA.
#include "ir/semantics/sse.h"

namespace orcvm::sem {

enum class LaneShift : uint8_t { Left, RightLogical, RightArithmetic };

template <class E, LaneShift Kind, unsigned Lane>
void ShiftLanes(E& e, const DecodedInsn& i) {
  check_sse_available(e);
  const unsigned dst = i.op[0].reg.index;
  const Operand& source = i.op[1];
  V<E, 64> count = source.kind == OperandKind::Imm
                       ? imm<64>(e, source.imm & 0xff)
                       : trunc<64>(e, read_vector_operand<128, Alignment::Required>(e, i, source));
  V<E, 128> x = e.get_xmm(dst);
  // The emitters' lane shifts need a count below Lane: larger ones become Lane - 1
  // for PSRA (the sign fill) and 0 with the result discarded for the others.
  V<E, 1> in_range = e.ult(count, imm<64>(e, Lane));
  V<E, 64> limited = e.select(in_range, count, imm<64>(e, Kind == LaneShift::RightArithmetic ? Lane - 1 : 0));
  if constexpr (Kind == LaneShift::RightArithmetic) {
    e.set_xmm(dst, e.template vashr<Lane>(x, limited));
  } else {
    V<E, 128> shifted = Kind == LaneShift::Left ? e.template vshl<Lane>(x, limited) : e.template vlshr<Lane>(x, limited);
    e.set_xmm(dst, e.select(in_range, shifted, imm<128>(e, 0)));
  }
}

}  // namespace orcvm::sem
