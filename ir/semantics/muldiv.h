#pragma once
// MUL IMUL DIV IDIV and BMI2 MULX (SDM Vol. 2A/2B).
#include "ir/semantics/flags.h"
#include "ir/semantics/operands.h"

namespace orcvm::sem {

template <bool Signed, unsigned To, class E, class X>
V<E, To> extend(E& e, X x) {
  if constexpr (Signed) return sext<To>(e, x);
  else return zext<To>(e, x);
}

// MUL r/m: rDX:rAX (AX for bytes) = rAX * r/m. IMUL also has r, r/m and r, r/m, imm.
// CF = OF = the result does not fit the destination (MUL: the high half is not 0).
// SF ZF PF AF are undefined: orcvm sets SF ZF PF from the low half and clears AF.
template <class E, bool Signed>
void Multiply(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    constexpr unsigned D = 2 * W;
    const bool accumulator_form = i.operand_count == 1;
    const unsigned first = i.operand_count == 3 ? 1 : 0;  // IMUL r, r/m, imm multiplies op 1 and 2
    V<E, W> a = accumulator_form ? read_gpr<W>(e, gpr_ref(gpr::RAX)) : read_operand<W>(e, i, i.op[first]);
    V<E, W> b = read_operand<W>(e, i, i.op[accumulator_form ? 0 : first + 1]);
    V<E, D> product = e.mul(extend<Signed, D>(e, a), extend<Signed, D>(e, b));
    V<E, W> low = trunc<W>(e, product);
    V<E, W> high = trunc<W>(e, e.lshr(product, imm<D>(e, W)));
    V<E, 1> overflow = Signed ? e.ne(sext<D>(e, low), product) : e.ne(high, imm<W>(e, 0));
    if (!accumulator_form) {
      write_gpr(e, i.op[0].reg, low);
    } else if constexpr (W == 8) {
      write_gpr(e, gpr_ref(gpr::RAX), product);  // AX
    } else {
      write_gpr(e, gpr_ref(gpr::RAX), low);
      write_gpr(e, gpr_ref(gpr::RDX), high);
    }
    e.set_flag(Flag::CF, overflow);
    e.set_flag(Flag::OF, overflow);
    e.set_flag(Flag::AF, imm<1>(e, 0));
    set_sign_zero_parity(e, low);
  });
}

// Whether the signed quotient n / d (2W / W bits, truncated toward zero) is outside
// the W-bit range, computed without dividing; true for d = 0 too. |q| <= 2^(W-1) - 1
// when the signs agree, <= 2^(W-1) when they differ, i.e. |n| < |d| * 2^(W-1) (+ |d|).
template <class E, class N, class X>
V<E, 1> signed_quotient_overflows(E& e, N n, X d) {
  constexpr unsigned W = X::bits, D = N::bits;
  V<E, 1> n_negative = msb(e, n), d_negative = msb(e, d);
  N wide_d = sext<D>(e, d);
  N n_magnitude = e.select(n_negative, e.neg(n), n);  // 2^(D-1) stays exact as unsigned
  N d_magnitude = e.select(d_negative, e.neg(wide_d), wide_d);
  N limit = e.add(e.shl(d_magnitude, imm<D>(e, W - 1)),
                  e.select(e.xor_(n_negative, d_negative), d_magnitude, imm<D>(e, 0)));
  return e.ule(limit, n_magnitude);
}

// DIV/IDIV r/m: rAX = rDX:rAX / r/m, rDX = remainder (bytes: AL, AH of AX / r/m8).
// #DE for a zero divisor or a quotient that does not fit; flags are undefined and
// orcvm leaves them unchanged.
template <class E, bool Signed>
void Divide(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    constexpr unsigned D = 2 * W;
    const RegRef rax = gpr_ref(gpr::RAX), rdx = gpr_ref(gpr::RDX);
    V<E, W> divisor = read_operand<W>(e, i, i.op[0]);
    V<E, D> dividend;
    if constexpr (W == 8)
      dividend = read_gpr<16>(e, rax);
    else
      dividend = e.or_(e.shl(zext<D>(e, read_gpr<W>(e, rdx)), imm<D>(e, W)),
                       zext<D>(e, read_gpr<W>(e, rax)));
    V<E, 1> fault = Signed ? signed_quotient_overflows(e, dividend, divisor)
                           : e.ule(divisor, trunc<W>(e, e.lshr(dividend, imm<D>(e, W))));
    e.raise_if(fault, vector::DE);
    // The LLVM tier still emits the code below on the faulting path's behalf: keep the
    // division defined there (udiv/sdiv by 0 and INT_MIN / -1 are UB).
    V<E, D> safe_divisor = e.select(fault, imm<D>(e, 1), extend<Signed, D>(e, divisor));
    V<E, D> quotient = Signed ? e.sdiv(dividend, safe_divisor) : e.udiv(dividend, safe_divisor);
    V<E, D> remainder = Signed ? e.srem(dividend, safe_divisor) : e.urem(dividend, safe_divisor);
    if constexpr (W == 8) {
      write_gpr(e, rax, e.or_(e.shl(remainder, imm<16>(e, 8)), e.and_(quotient, imm<16>(e, 0xff))));
    } else {
      write_gpr(e, rax, trunc<W>(e, quotient));
      write_gpr(e, rdx, trunc<W>(e, remainder));
    }
  });
}

// MULX hi, lo, r/m: hi:lo = rDX * r/m, unsigned; no flags. With hi = lo the high half
// is what remains.
template <class E>
void Mulx(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    constexpr unsigned D = 2 * W;
    V<E, W> src = read_operand<W>(e, i, i.op[2]);
    V<E, D> product = e.mul(zext<D>(e, read_gpr<W>(e, gpr_ref(gpr::RDX))), zext<D>(e, src));
    write_gpr(e, i.op[1].reg, trunc<W>(e, product));
    write_gpr(e, i.op[0].reg, trunc<W>(e, e.lshr(product, imm<D>(e, W))));
  });
}

}  // namespace orcvm::sem
