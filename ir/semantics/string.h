#pragma once
// MOVS STOS LODS CMPS SCAS INS OUTS with REP/REPE/REPNE. The source is DS:rSI
// (segment overridable), the destination ES:rDI; rSI, rDI and rCX have the address
// size; INS and OUTS use the port in DX.
#include "ir/semantics/control.h"

namespace orcvm::sem {

enum class StringOp : uint8_t { Movs, Stos, Lods, Cmps, Scas, Ins, Outs };

constexpr bool string_op_compares(StringOp op) { return op == StringOp::Cmps || op == StringOp::Scas; }

template <class E>
void advance_index(E& e, const DecodedInsn& i, uint8_t reg, V<E, 64> step) {
  V<E, 64> next = truncate_address(e, e.add(e.get_gpr(reg), step), i.addrsize);
  if (i.addrsize == 64)
    e.set_gpr(reg, next);
  else if (i.addrsize == 32)
    write_gpr(e, gpr_ref(reg), trunc<32>(e, next));
  else
    write_gpr(e, gpr_ref(reg), trunc<16>(e, next));
}

template <StringOp Op, unsigned W, class E>
void string_iteration(E& e, const DecodedInsn& i) {
  const Seg source_seg = i.segment_override == Seg::None ? Seg::DS : i.segment_override;
  V<E, 64> src = truncate_address(e, e.get_gpr(gpr::RSI), i.addrsize);
  V<E, 64> dst = truncate_address(e, e.get_gpr(gpr::RDI), i.addrsize);
  V<E, 64> step = e.select(e.get_df(), imm<64>(e, -int64_t{W / 8}), imm<64>(e, W / 8));
  const RegRef acc = gpr_ref(gpr::RAX);
  switch (Op) {
    case StringOp::Movs:
      e.store(Seg::ES, dst, load<W>(e, source_seg, src));
      break;
    case StringOp::Stos:
      e.store(Seg::ES, dst, read_gpr<W>(e, acc));
      break;
    case StringOp::Lods:
      write_gpr(e, acc, load<W>(e, source_seg, src));
      break;
    case StringOp::Cmps: {
      V<E, W> a = load<W>(e, source_seg, src);
      V<E, W> b = load<W>(e, Seg::ES, dst);
      set_sub_flags(e, a, b, e.sub(a, b), imm<1>(e, 0));
      break;
    }
    case StringOp::Scas: {
      V<E, W> a = read_gpr<W>(e, acc);
      V<E, W> b = load<W>(e, Seg::ES, dst);
      set_sub_flags(e, a, b, e.sub(a, b), imm<1>(e, 0));
      break;
    }
    case StringOp::Ins: {
      V<E, 64> port = zext<64>(e, read_gpr<16>(e, gpr_ref(gpr::RDX)));
      e.store(Seg::ES, dst, trunc<W>(e, e.call(Helper::PortIn, port, imm<64>(e, W / 8))));
      break;
    }
    case StringOp::Outs: {
      V<E, 64> port = zext<64>(e, read_gpr<16>(e, gpr_ref(gpr::RDX)));
      e.call(Helper::IoCheck, port, imm<64>(e, W / 8));  // before the memory read
      e.call(Helper::PortOut, port, imm<64>(e, W / 8), zext<64>(e, load<W>(e, source_seg, src)));
      break;
    }
  }
  constexpr bool reads_source = Op == StringOp::Movs || Op == StringOp::Lods || Op == StringOp::Cmps ||
                                Op == StringOp::Outs;
  if (reads_source) advance_index(e, i, gpr::RSI, step);
  if (Op != StringOp::Lods && Op != StringOp::Outs) advance_index(e, i, gpr::RDI, step);
}

template <class E, StringOp Op>
void String(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    if (!i.rep && !i.repne) {
      string_iteration<Op, W>(e, i);
      return;
    }
    if constexpr (Op == StringOp::Ins || Op == StringOp::Outs) {
      // The I/O permission check comes first, even when rCX is 0.
      e.call(Helper::IoCheck, zext<64>(e, read_gpr<16>(e, gpr_ref(gpr::RDX))), imm<64>(e, W / 8));
    }
    e.loop_while([&] { return e.ne(read_count(e, i), imm<64>(e, 0)); },
                 [&] {
                   string_iteration<Op, W>(e, i);
                   write_count(e, i, e.sub(read_count(e, i), imm<64>(e, 1)));
                   if constexpr (string_op_compares(Op)) {
                     // REPE goes on while equal (ZF = 1), REPNE while not equal.
                     V<E, 1> zf = e.get_flag(Flag::ZF);
                     return i.repne ? e.xor_(zf, imm<1>(e, 1)) : zf;
                   }
                   return imm<1>(e, 1);
                 });
  });
}

}  // namespace orcvm::sem
