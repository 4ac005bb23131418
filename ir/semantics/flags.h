#pragma once
// Status-flag rules shared by the instruction families (SDM Vol. 1, 3.4.3.1 and
// Appendix A), and the condition codes of Jcc/SETcc/CMOVcc.
#include "ir/semantics/emitter.h"

namespace orcvm::sem {

// PF: set when the low byte of the result has an even number of one bits.
template <class E, class X>
V<E, 1> parity(E& e, X result) {
  auto low = trunc<8>(e, result);
  return e.eq(e.and_(e.ctpop(low), imm<8>(e, 1)), imm<8>(e, 0));
}

template <class E, class X>
void set_sign_zero_parity(E& e, X result) {
  e.set_flag(Flag::SF, msb(e, result));
  e.set_flag(Flag::ZF, e.eq(result, imm<X::bits>(e, 0)));
  e.set_flag(Flag::PF, parity(e, result));
}

// AF: the carry or borrow out of bit 3, which is bit 4 of a ^ b ^ result.
template <class E, class X>
V<E, 1> adjust_flag(E& e, X a, X b, X result) {
  return bit(e, e.xor_(e.xor_(a, b), result), 4);
}

// result = a + b + carry_in
template <class E, class X>
void set_add_flags(E& e, X a, X b, X result, V<E, 1> carry_in) {
  V<E, 1> wrapped = e.ult(result, a);
  V<E, 1> carried_through = e.and_(carry_in, e.eq(result, a));
  e.set_flag(Flag::CF, e.or_(wrapped, carried_through));
  e.set_flag(Flag::OF, msb(e, e.and_(e.xor_(a, result), e.xor_(b, result))));
  e.set_flag(Flag::AF, adjust_flag(e, a, b, result));
  set_sign_zero_parity(e, result);
}

// result = a - b - borrow_in
template <class E, class X>
void set_sub_flags(E& e, X a, X b, X result, V<E, 1> borrow_in) {
  V<E, 1> borrowed = e.ult(a, b);
  V<E, 1> borrowed_through = e.and_(borrow_in, e.eq(a, b));
  e.set_flag(Flag::CF, e.or_(borrowed, borrowed_through));
  e.set_flag(Flag::OF, msb(e, e.and_(e.xor_(a, b), e.xor_(a, result))));
  e.set_flag(Flag::AF, adjust_flag(e, a, b, result));
  set_sign_zero_parity(e, result);
}

// AND, OR, XOR, TEST: CF = OF = 0; AF is undefined and orcvm clears it.
template <class E, class X>
void set_logic_flags(E& e, X result) {
  e.set_flag(Flag::CF, imm<1>(e, 0));
  e.set_flag(Flag::OF, imm<1>(e, 0));
  e.set_flag(Flag::AF, imm<1>(e, 0));
  set_sign_zero_parity(e, result);
}

enum class Cond : uint8_t { O, NO, B, NB, Z, NZ, BE, NBE, S, NS, P, NP, L, NL, LE, NLE };

template <class E>
V<E, 1> condition(E& e, Cond c) {
  auto flag = [&](Flag f) { return e.get_flag(f); };
  auto negate = [&](V<E, 1> b) { return e.xor_(b, imm<1>(e, 1)); };
  switch (c) {
    case Cond::O: return flag(Flag::OF);
    case Cond::NO: return negate(flag(Flag::OF));
    case Cond::B: return flag(Flag::CF);
    case Cond::NB: return negate(flag(Flag::CF));
    case Cond::Z: return flag(Flag::ZF);
    case Cond::NZ: return negate(flag(Flag::ZF));
    case Cond::BE: return e.or_(flag(Flag::CF), flag(Flag::ZF));
    case Cond::NBE: return negate(e.or_(flag(Flag::CF), flag(Flag::ZF)));
    case Cond::S: return flag(Flag::SF);
    case Cond::NS: return negate(flag(Flag::SF));
    case Cond::P: return flag(Flag::PF);
    case Cond::NP: return negate(flag(Flag::PF));
    case Cond::L: return e.xor_(flag(Flag::SF), flag(Flag::OF));
    case Cond::NL: return negate(e.xor_(flag(Flag::SF), flag(Flag::OF)));
    case Cond::LE: return e.or_(flag(Flag::ZF), e.xor_(flag(Flag::SF), flag(Flag::OF)));
    case Cond::NLE:
      return negate(e.or_(flag(Flag::ZF), e.xor_(flag(Flag::SF), flag(Flag::OF))));
  }
  return imm<1>(e, 0);
}

}  // namespace orcvm::sem
