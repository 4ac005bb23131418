#pragma once
// SHL/SAL SHR SAR ROL ROR RCL RCR, SHLD SHRD, and BMI2 SHLX SHRX SARX RORX (SDM Vol. 2B).
//
// The shift count is masked to 5 bits (6 with a 64-bit operand). A masked count of 0
// changes no flag, but the destination is still written (a 32-bit register is
// zero-extended, as on hardware). Flags the SDM leaves undefined for counts above 1
// take the count-1 formula; the choices are listed in docs/semantics.md.
#include "ir/semantics/alu.h"

namespace orcvm::sem {

enum class ShiftOp : uint8_t { Shl, Shr, Sar, Rol, Ror, Rcl, Rcr };

// Shifts for any count n of x's type: the emitter's shl/lshr/ashr need n < W (LLVM
// gives poison beyond), so the count is masked and the out-of-range result selected.
template <class E, class X>
X shl_any(E& e, X x, X n) {
  constexpr unsigned W = X::bits;
  return e.select(e.ult(n, imm<W>(e, W)), e.shl(x, e.and_(n, imm<W>(e, W - 1))), imm<W>(e, 0));
}
template <class E, class X>
X lshr_any(E& e, X x, X n) {
  constexpr unsigned W = X::bits;
  return e.select(e.ult(n, imm<W>(e, W)), e.lshr(x, e.and_(n, imm<W>(e, W - 1))), imm<W>(e, 0));
}
template <class E, class X>
X ashr_any(E& e, X x, X n) {  // n >= W fills with the sign
  constexpr unsigned W = X::bits;
  return e.ashr(x, e.select(e.ult(n, imm<W>(e, W)), n, imm<W>(e, W - 1)));
}

constexpr uint64_t shift_count_mask(unsigned bits) { return bits == 64 ? 63 : 31; }

// The masked count of a shift, at the operand's width (it fits: at most 63).
template <unsigned W, class E>
V<E, W> masked_count(E& e, const DecodedInsn& i, const Operand& count) {
  return e.and_(resize<W>(e, read_operand<8>(e, i, count)), imm<W>(e, shift_count_mask(W)));
}

template <class E, class X>
struct ShiftOutcome {
  X value;
  V<E, 1> cf, of;
};

// The result, CF and OF of SHL SHR SAR ROL ROR RCL RCR by a masked count c; CF and OF
// are meaningful only for c != 0. SHL/SHR/SAR shift by c - 1 and then by 1, so CF is
// the last bit out even for c >= W (8/16-bit operands: what a bit-by-bit shift gives,
// 0 or the sign). OF is the count-1 formula applied to every count, in a form that
// reads the result: SHL ROL RCL MSB(r)^CF; SHR ROR RCR MSB(r)^MSB-1(r); SAR 0
// (as Bochs writes it, and what AMD processors give).
template <ShiftOp Op, class E, class X>
ShiftOutcome<E, X> shift_value(E& e, X a, X c, V<E, 1> cf_in) {
  constexpr unsigned W = X::bits;
  auto k = [&](uint64_t v) { return imm<W>(e, v); };
  auto top_two_differ = [&](X r) { return e.xor_(msb(e, r), bit(e, r, W - 2)); };
  switch (Op) {
    case ShiftOp::Shl:
    case ShiftOp::Shr:
    case ShiftOp::Sar: {
      X by_c_minus_1 = e.sub(c, k(1));  // all ones when c = 0: out of range, unused
      X partial = Op == ShiftOp::Shl   ? shl_any(e, a, by_c_minus_1)
                  : Op == ShiftOp::Shr ? lshr_any(e, a, by_c_minus_1)
                                       : ashr_any(e, a, by_c_minus_1);
      X last = Op == ShiftOp::Shl   ? e.shl(partial, k(1))
               : Op == ShiftOp::Shr ? e.lshr(partial, k(1))
                                    : e.ashr(partial, k(1));
      X value = e.select(e.eq(c, k(0)), a, last);
      V<E, 1> cf = Op == ShiftOp::Shl ? msb(e, partial) : trunc<1>(e, partial);
      V<E, 1> of = Op == ShiftOp::Shl   ? e.xor_(msb(e, value), cf)
                   : Op == ShiftOp::Shr ? top_two_differ(value)
                                        : imm<1>(e, 0);
      return {value, cf, of};
    }
    case ShiftOp::Rol: {
      X value = e.fshl(a, a, c);
      V<E, 1> cf = trunc<1>(e, value);
      return {value, cf, e.xor_(msb(e, value), cf)};
    }
    case ShiftOp::Ror: {
      X value = e.fshr(a, a, c);
      return {value, msb(e, value), top_two_differ(value)};
    }
    case ShiftOp::Rcl:
    case ShiftOp::Rcr: {
      // A rotation of the W+1 bits CF:a by n = c mod (W+1) (c < W+1 already for 32/64).
      X n = W <= 16 ? e.urem(c, k(W + 1)) : c;
      X carry = zext<W>(e, cf_in);
      X value;
      V<E, 1> out;  // the last bit rotated into CF, for n != 0
      if (Op == ShiftOp::Rcl) {
        value = e.or_(e.or_(shl_any(e, a, n), shl_any(e, carry, e.sub(n, k(1)))),
                      lshr_any(e, a, e.sub(k(W + 1), n)));
        out = trunc<1>(e, lshr_any(e, a, e.sub(k(W), n)));
      } else {
        value = e.or_(e.or_(lshr_any(e, a, n), shl_any(e, carry, e.sub(k(W), n))),
                      shl_any(e, a, e.sub(k(W + 1), n)));
        out = trunc<1>(e, lshr_any(e, a, e.sub(n, k(1))));
      }
      V<E, 1> cf = e.select(e.eq(n, k(0)), cf_in, out);
      // RCR count 1: MSB(dest) ^ CF before the rotation, which is MSB(r) ^ MSB-1(r) after.
      V<E, 1> of = Op == ShiftOp::Rcl ? e.xor_(msb(e, value), cf) : top_two_differ(value);
      return {value, cf, of};
    }
  }
  return {a, cf_in, cf_in};
}

// Flag writes that happen only when the masked count is non-zero.
template <class E>
struct FlagsIf {
  E& e;
  V<E, 1> enabled;
  void set(Flag f, V<E, 1> value) { e.set_flag(f, e.select(enabled, value, e.get_flag(f))); }
  // SF ZF PF from the result; AF is undefined and orcvm clears it.
  template <class X>
  void set_result(X r) {
    set(Flag::SF, msb(e, r));
    set(Flag::ZF, e.eq(r, imm<X::bits>(e, 0)));
    set(Flag::PF, parity(e, r));
    set(Flag::AF, imm<1>(e, 0));
  }
};

// r/m, 1 | r/m, CL | r/m, imm8
template <class E, ShiftOp Op>
void Shift(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> count = masked_count<W>(e, i, i.op[1]);
    V<E, 1> cf_in = e.get_flag(Flag::CF);
    ShiftOutcome<E, V<E, W>> out;
    update_operand<W>(e, i, i.op[0], [&](V<E, W> a) {
      out = shift_value<Op>(e, a, count, cf_in);
      return out.value;
    });
    FlagsIf<E> flags{e, e.ne(count, imm<W>(e, 0))};
    flags.set(Flag::CF, out.cf);
    flags.set(Flag::OF, out.of);
    if constexpr (Op == ShiftOp::Shl || Op == ShiftOp::Shr || Op == ShiftOp::Sar)
      flags.set_result(out.value);  // rotates change only CF and OF
  });
}

// SHLD/SHRD r/m, reg, imm8|CL. A masked count of 0 changes no flag; the destination is
// written with its own value (a 32-bit register is zero-extended, as AMD hardware does
// and FEX models). Counts 17..31 on 16-bit operands are undefined: orcvm rotates the
// source by count - 16 and clears CF, as AMD processors do.
template <class E, bool Left>
void DoubleShift(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_gpr<W>(e, i.op[1].reg);
    V<E, W> c = masked_count<W>(e, i, i.op[2]);
    auto k = [&](uint64_t v) { return imm<W>(e, v); };
    auto [dst, value] = update_operand<W>(e, i, i.op[0], [&](V<E, W> d) {
      V<E, W> shifted = Left ? e.fshl(d, src, c) : e.fshr(src, d, c);  // c = 0 gives d
      if constexpr (W == 16)
        return e.select(e.ule(k(W), c), Left ? e.fshl(src, src, c) : e.fshr(src, src, c), shifted);
      return shifted;
    });
    // CF: the last bit shifted out of the destination (0 when c > W).
    V<E, 1> cf = Left ? trunc<1>(e, lshr_any(e, dst, e.sub(k(W), c)))
                      : trunc<1>(e, lshr_any(e, dst, e.sub(c, k(1))));
    FlagsIf<E> flags{e, e.ne(c, k(0))};
    flags.set(Flag::CF, cf);
    // OF: the sign change of the last 1-bit step (at c = 1 the SDM's sign change).
    flags.set(Flag::OF, e.xor_(msb(e, value), Left ? cf : bit(e, value, W - 2)));
    flags.set_result(value);
  });
}

// SHLX SHRX SARX r, r/m, reg (count masked to 5/6 bits) and RORX r, r/m, imm8: no flags.
template <class E, ShiftOp Op>
void ShiftNoFlags(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_operand<W>(e, i, i.op[1]);
    V<E, W> count = e.and_(read_operand<W>(e, i, i.op[2]), imm<W>(e, W - 1));
    V<E, W> value = Op == ShiftOp::Shl   ? e.shl(src, count)
                    : Op == ShiftOp::Shr ? e.lshr(src, count)
                    : Op == ShiftOp::Sar ? e.ashr(src, count)
                                         : e.fshr(src, src, count);  // RORX
    write_gpr(e, i.op[0].reg, value);
  });
}

}  // namespace orcvm::sem
