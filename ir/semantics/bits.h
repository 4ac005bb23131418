#pragma once
// BT BTS BTR BTC BSF BSR TZCNT LZCNT POPCNT, BMI1/BMI2 ANDN BEXTR BLSI BLSMSK BLSR BZHI
// PDEP PEXT, and ADX ADCX ADOX (SDM Vol. 2A/2B). Flags the SDM leaves undefined keep
// their value unless noted; docs/semantics.md lists the choices.
#include "ir/semantics/shift.h"

namespace orcvm::sem {

constexpr uint64_t all_ones(unsigned bits) { return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

enum class BitOp : uint8_t { Test, Set, Reset, Complement };

// BT/BTS/BTR/BTC r/m, reg|imm8. CF = the selected bit before the write. A register
// offset into memory is a signed bit-string index: the W-bit word at
// ea + (offset >> log2 W) * W/8 holds bit offset & (W-1). An immediate offset, or a
// register destination, takes the offset modulo W. OF SF AF PF are undefined and keep
// their value; ZF is unchanged.
template <class E, BitOp Op>
void BitTest(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    const Operand& base = i.op[0];
    const Operand& offset_operand = i.op[1];
    V<E, W> offset = read_operand<W>(e, i, offset_operand);
    V<E, W> index = e.and_(offset, imm<W>(e, W - 1));
    V<E, W> mask = e.shl(imm<W>(e, 1), index);
    auto modify = [&](V<E, W> old) {
      switch (Op) {
        case BitOp::Set: return e.or_(old, mask);
        case BitOp::Reset: return e.and_(old, e.not_(mask));
        case BitOp::Complement: return e.xor_(old, mask);
        case BitOp::Test: break;
      }
      return old;
    };
    V<E, W> old;
    if (base.kind == OperandKind::Reg) {
      old = read_gpr<W>(e, base.reg);
      if constexpr (Op != BitOp::Test) write_gpr(e, base.reg, modify(old));
    } else {
      V<E, 64> ea = effective_address(e, base.mem, i.addrsize);
      if (offset_operand.kind == OperandKind::Reg) {
        constexpr unsigned log2_bits = W == 8 ? 3 : W == 16 ? 4 : W == 32 ? 5 : 6;
        V<E, 64> words = e.ashr(sext<64>(e, offset), imm<64>(e, log2_bits));
        ea = truncate_address(e, e.add(ea, e.shl(words, imm<64>(e, log2_bits - 3))), i.addrsize);
      }
      if constexpr (Op == BitOp::Test) {
        old = load<W>(e, base.mem.seg, ea);
      } else {
        old = (i.lock ? e.template locked_update<W>(base.mem.seg, ea, modify)
                      : e.template update<W>(base.mem.seg, ea, modify)).first;
      }
    }
    e.set_flag(Flag::CF, trunc<1>(e, e.lshr(old, index)));
  });
}

// BSF/BSR r, r/m. A zero source sets ZF and leaves the destination as it was (Intel:
// undefined; AMD documents it and Intel parts do it), the whole 64-bit register
// included: a 32-bit destination is then not zero-extended. CF OF SF AF PF are
// undefined and keep their value.
template <class E, bool Reverse>
void BitScan(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, 1> zero = e.eq(src, imm<W>(e, 0));
    V<E, W> index = Reverse ? e.sub(imm<W>(e, W - 1), e.ctlz(src)) : e.cttz(src);
    const RegRef& dst = i.op[0].reg;
    if constexpr (W == 32)
      e.set_gpr(dst.index, e.select(zero, e.get_gpr(dst.index), zext<64>(e, index)));
    else
      write_gpr(e, dst, e.select(zero, read_gpr<W>(e, dst), index));
    e.set_flag(Flag::ZF, zero);
  });
}

// TZCNT/LZCNT r, r/m: the count (W for a zero source). CF = source is 0, ZF = result
// is 0; OF SF AF PF are undefined and keep their value.
template <class E, bool Leading>
void CountZeros(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, W> count = Leading ? e.ctlz(src) : e.cttz(src);
    write_gpr(e, i.op[0].reg, count);
    e.set_flag(Flag::CF, e.eq(src, imm<W>(e, 0)));
    e.set_flag(Flag::ZF, e.eq(count, imm<W>(e, 0)));
  });
}

// POPCNT r, r/m: ZF = source is 0; CF OF SF AF PF cleared.
template <class E>
void Popcnt(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    write_gpr(e, i.op[0].reg, e.ctpop(src));
    for (Flag f : {Flag::CF, Flag::OF, Flag::SF, Flag::AF, Flag::PF}) e.set_flag(f, imm<1>(e, 0));
    e.set_flag(Flag::ZF, e.eq(src, imm<W>(e, 0)));
  });
}

// The BMI forms that set SF and ZF from the result and clear CF and OF except where
// the instruction defines CF; AF and PF are undefined and keep their value.
template <class E, class X>
void set_bmi_flags(E& e, X result, V<E, 1> cf) {
  e.set_flag(Flag::SF, msb(e, result));
  e.set_flag(Flag::ZF, e.eq(result, imm<X::bits>(e, 0)));
  e.set_flag(Flag::CF, cf);
  e.set_flag(Flag::OF, imm<1>(e, 0));
}

// ANDN r, r, r/m: ~src1 & src2.
template <class E>
void Andn(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src2 = read_operand<W>(e, i, i.op[2]);
    V<E, W> result = e.and_(e.not_(read_operand<W>(e, i, i.op[1])), src2);
    write_gpr(e, i.op[0].reg, result);
    set_bmi_flags(e, result, imm<1>(e, 0));
  });
}

// BEXTR r, r/m, r: the len = control[15:8] bits of the source from start = control[7:0].
// ZF from the result, CF OF cleared; SF AF PF undefined and keep their value.
template <class E>
void Bextr(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, W> control = read_operand<W>(e, i, i.op[2]);
    V<E, W> start = e.and_(control, imm<W>(e, 0xff));
    V<E, W> length = e.and_(lshr_any(e, control, imm<W>(e, 8)), imm<W>(e, 0xff));
    V<E, W> below = e.sub(shl_any(e, imm<W>(e, 1), length), imm<W>(e, 1));
    V<E, W> mask = e.select(e.ult(length, imm<W>(e, W)), below, imm<W>(e, all_ones(W)));
    V<E, W> result = e.and_(lshr_any(e, src, start), mask);
    write_gpr(e, i.op[0].reg, result);
    e.set_flag(Flag::ZF, e.eq(result, imm<W>(e, 0)));
    e.set_flag(Flag::CF, imm<1>(e, 0));
    e.set_flag(Flag::OF, imm<1>(e, 0));
  });
}

enum class LowestBitOp : uint8_t { Isolate, Mask, Reset };

// BLSI (src & -src, CF = src != 0), BLSMSK (src ^ (src - 1), CF = src == 0, ZF = 0),
// BLSR (src & (src - 1), CF = src == 0) r, r/m. SF (and ZF) from the result, OF cleared.
template <class E, LowestBitOp Op>
void LowestSetBit(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, W> minus_one = e.sub(src, imm<W>(e, 1));
    V<E, W> result = Op == LowestBitOp::Isolate ? e.and_(src, e.neg(src))
                     : Op == LowestBitOp::Mask  ? e.xor_(src, minus_one)
                                                : e.and_(src, minus_one);
    V<E, 1> zero = e.eq(src, imm<W>(e, 0));
    write_gpr(e, i.op[0].reg, result);
    set_bmi_flags(e, result, Op == LowestBitOp::Isolate ? e.xor_(zero, imm<1>(e, 1)) : zero);
    if constexpr (Op == LowestBitOp::Mask) e.set_flag(Flag::ZF, imm<1>(e, 0));
  });
}

// BZHI r, r/m, r: clears the source's bits from n = index[7:0] up; CF = n > W - 1.
template <class E>
void Bzhi(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, W> n = e.and_(read_operand<W>(e, i, i.op[2]), imm<W>(e, 0xff));
    V<E, 1> in_range = e.ult(n, imm<W>(e, W));
    V<E, W> below = e.sub(shl_any(e, imm<W>(e, 1), n), imm<W>(e, 1));
    V<E, W> result = e.select(in_range, e.and_(src, below), src);
    write_gpr(e, i.op[0].reg, result);
    set_bmi_flags(e, result, e.xor_(in_range, imm<1>(e, 1)));
  });
}

// PDEP/PEXT r, r, r/m (source, mask) through the runtime; the 32-bit forms zero-extend.
template <class E, bool Extract>
void BitDeposit(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> mask = read_operand<W>(e, i, i.op[2]);
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, 64> result = e.call(Extract ? Helper::Pext : Helper::Pdep, zext<64>(e, src), zext<64>(e, mask));
    write_gpr(e, i.op[0].reg, resize<W>(e, result));
  });
}

// ADCX (F = CF) / ADOX (F = OF) r, r/m: dest + src + F, F = the carry out; no other flag.
template <class E, Flag F>
void AddWithFlag(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, W> dst = read_gpr<W>(e, i.op[0].reg);
    V<E, 1> carry_in = e.get_flag(F);
    V<E, W> sum = e.add(e.add(dst, src), zext<W>(e, carry_in));
    V<E, 1> carry_out = e.or_(e.ult(sum, dst), e.and_(carry_in, e.eq(sum, dst)));
    write_gpr(e, i.op[0].reg, sum);
    e.set_flag(F, carry_out);
  });
}

}  // namespace orcvm::sem
