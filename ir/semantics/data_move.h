#pragma once
// MOV MOVZX MOVSX MOVSXD MOVBE LEA BSWAP CMOVcc SETcc and the sign extensions
// CBW/CWDE/CDQE and CWD/CDQ/CQO.
#include "ir/semantics/flags.h"
#include "ir/semantics/operands.h"
#include "ir/semantics/privileged.h"

namespace orcvm::sem {

template <class E>
void Mov(E& e, const DecodedInsn& i) {
  const Operand& dst = i.op[0];
  const Operand& src = i.op[1];
  if (dst.kind == OperandKind::Reg && dst.reg.cls == RegClass::Control) {
    e.call(Helper::WriteCr, imm<64>(e, dst.reg.index), read_gpr<64>(e, src.reg));
    e.exit_to_loop(i.next_rip());  // paging or mode may have changed
    return;
  }
  if (src.kind == OperandKind::Reg && src.reg.cls == RegClass::Control) {
    write_gpr(e, dst.reg, e.call(Helper::ReadCr, imm<64>(e, src.reg.index)));
    return;
  }
  auto is = [&](const Operand& o, RegClass c) { return o.kind == OperandKind::Reg && o.reg.cls == c; };
  if (is(dst, RegClass::Debug) || is(src, RegClass::Debug)) {
    MoveDebugRegister(e, i);
    return;
  }
  if (is(dst, RegClass::Segment)) {
    load_segment_register(e, static_cast<Seg>(dst.reg.index), read_operand<16>(e, i, src));
    e.exit_to_loop(i.next_rip());  // the mode (stack size, segment bases) may have changed
    return;
  }
  if (is(src, RegClass::Segment)) {
    V<E, 64> selector = e.call(Helper::ReadSegment, imm<64>(e, src.reg.index));
    if (dst.kind == OperandKind::Mem)
      e.store(dst.mem.seg, effective_address(e, dst.mem, i.addrsize), trunc<16>(e, selector));
    else
      with_width(i.opsize, [&]<unsigned W>() { write_gpr(e, dst.reg, resize<W>(e, selector)); });
    return;
  }
  with_width(dst.bits, [&]<unsigned W>() { write_operand(e, i, dst, read_operand<W>(e, i, src)); });
}

template <class E, bool Signed>
void MovExtend(E& e, const DecodedInsn& i) {
  with_width(i.op[0].bits, [&]<unsigned To>() {
    with_width(i.op[1].bits, [&]<unsigned From>() {
      if constexpr (From < To) {
        V<E, From> value = read_operand<From>(e, i, i.op[1]);
        write_gpr(e, i.op[0].reg, Signed ? sext<To>(e, value) : zext<To>(e, value));
      } else {
        write_gpr(e, i.op[0].reg, resize<To>(e, read_operand<From>(e, i, i.op[1])));  // MOVSXD r32, r/m32
      }
    });
  });
}

template <class E>
void Movbe(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    write_operand(e, i, i.op[0], e.bswap(read_operand<W>(e, i, i.op[1])));
  });
}

template <class E>
void Lea(E& e, const DecodedInsn& i) {
  V<E, 64> ea = effective_address(e, i.op[1].mem, i.addrsize);
  with_width(i.opsize, [&]<unsigned W>() { write_gpr(e, i.op[0].reg, resize<W>(e, ea)); });
}

// BSWAP with a 16-bit operand is undefined; orcvm clears the low word, as Intel and
// AMD processors do.
template <class E>
void Bswap(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    if constexpr (W == 16)
      write_gpr(e, i.op[0].reg, imm<16>(e, 0));
    else
      write_gpr(e, i.op[0].reg, e.bswap(read_gpr<W>(e, i.op[0].reg)));
  });
}

template <class E, Cond C>
void Cmov(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);  // read (and may fault) whatever the condition
    V<E, W> dst = read_gpr<W>(e, i.op[0].reg);
    write_gpr(e, i.op[0].reg, e.select(condition(e, C), src, dst));
  });
}

template <class E, Cond C>
void Set(E& e, const DecodedInsn& i) {
  write_operand(e, i, i.op[0], zext<8>(e, condition(e, C)));
}

// CBW/CWDE/CDQE: the accumulator's low half sign-extended into all of it.
template <class E>
void SignExtendAccumulator(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    if constexpr (W > 8) {
      V<E, W / 2> half = read_gpr<W / 2>(e, gpr_ref(gpr::RAX));
      write_gpr(e, gpr_ref(gpr::RAX), sext<W>(e, half));
    }
  });
}

// CWD/CDQ/CQO: the accumulator's sign copied into every bit of rDX.
template <class E>
void SignExtendIntoRdx(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> acc = read_gpr<W>(e, gpr_ref(gpr::RAX));
    write_gpr(e, gpr_ref(gpr::RDX), e.ashr(acc, imm<W>(e, W - 1)));
  });
}

// XLAT: AL = [seg:rBX + AL], rBX of the address size.
template <class E>
void Xlat(E& e, const DecodedInsn& i) {
  const RegRef al = gpr_ref(gpr::RAX);
  V<E, 64> ea = truncate_address(e, e.add(e.get_gpr(gpr::RBX), zext<64>(e, read_gpr<8>(e, al))), i.addrsize);
  write_gpr(e, al, load<8>(e, i.segment_override == Seg::None ? Seg::DS : i.segment_override, ea));
}

// LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.
template <class E>
void Lahf(E& e, const DecodedInsn&) {
  auto at = [&](Flag f, unsigned pos) { return e.shl(zext<8>(e, e.get_flag(f)), imm<8>(e, pos)); };
  V<E, 8> ah = e.or_(e.or_(e.or_(at(Flag::SF, 7), at(Flag::ZF, 6)), e.or_(at(Flag::AF, 4), at(Flag::PF, 2))),
                     e.or_(at(Flag::CF, 0), imm<8>(e, 2)));
  write_gpr(e, RegRef{RegClass::Gpr, gpr::RAX, true}, ah);
}

template <class E>
void Sahf(E& e, const DecodedInsn&) {
  V<E, 8> ah = read_gpr<8>(e, RegRef{RegClass::Gpr, gpr::RAX, true});
  e.set_flag(Flag::SF, bit(e, ah, 7));
  e.set_flag(Flag::ZF, bit(e, ah, 6));
  e.set_flag(Flag::AF, bit(e, ah, 4));
  e.set_flag(Flag::PF, bit(e, ah, 2));
  e.set_flag(Flag::CF, bit(e, ah, 0));
}

enum class CarryOp : uint8_t { Clear, Set, Complement };

template <class E, CarryOp Op>
void CarryFlag(E& e, const DecodedInsn&) {
  switch (Op) {
    case CarryOp::Clear: e.set_flag(Flag::CF, imm<1>(e, 0)); break;
    case CarryOp::Set: e.set_flag(Flag::CF, imm<1>(e, 1)); break;
    case CarryOp::Complement: e.set_flag(Flag::CF, e.xor_(e.get_flag(Flag::CF), imm<1>(e, 1))); break;
  }
}

template <class E, bool Set>
void DirectionFlag(E& e, const DecodedInsn&) {
  e.set_df(imm<1>(e, Set));
}

}  // namespace orcvm::sem
