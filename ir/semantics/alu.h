#pragma once
// ADD ADC SUB SBB CMP AND OR XOR TEST (SDM Vol. 2) and the unary INC DEC NEG NOT.
#include "ir/semantics/flags.h"
#include "ir/semantics/lazy_flags.h"
#include "ir/semantics/operands.h"

namespace orcvm::sem {

enum class AluOp : uint8_t { Add, Adc, Sub, Sbb, And, Or, Xor, Cmp, Test };

constexpr bool alu_writes_result(AluOp op) { return op != AluOp::Cmp && op != AluOp::Test; }

template <AluOp Op, class E, class X>
X alu_result(E& e, X a, X b, V<E, 1> carry_in) {
  constexpr unsigned W = X::bits;
  switch (Op) {
    case AluOp::Add: return e.add(a, b);
    case AluOp::Adc: return e.add(e.add(a, b), zext<W>(e, carry_in));
    case AluOp::Sub:
    case AluOp::Cmp: return e.sub(a, b);
    case AluOp::Sbb: return e.sub(e.sub(a, b), zext<W>(e, carry_in));
    case AluOp::And:
    case AluOp::Test: return e.and_(a, b);
    case AluOp::Or: return e.or_(a, b);
    case AluOp::Xor: return e.xor_(a, b);
  }
  return a;
}

template <AluOp Op, class E, class X>
void alu_flags(E& e, X a, X b, X result, V<E, 1> carry_in) {
  switch (Op) {
    case AluOp::Add:
    case AluOp::Adc: set_add_flags(e, a, b, result, carry_in); break;
    case AluOp::Sub:
    case AluOp::Sbb:
    case AluOp::Cmp: set_sub_flags(e, a, b, result, carry_in); break;
    default: set_logic_flags(e, result); break;
  }
  if constexpr (Op == AluOp::Add) e.flags_from(LazyFlags::Add, b, result);
  else if constexpr (Op == AluOp::Sub || Op == AluOp::Cmp) e.flags_from(LazyFlags::Sub, b, result);
  else if constexpr (Op != AluOp::Adc && Op != AluOp::Sbb) e.flags_from(LazyFlags::Logic, b, result);
}

// Runs a read-modify-write of the destination operand: atomically with LOCK on a
// memory destination, otherwise as a read followed by a write. Returns {old, new}.
template <unsigned W, class E, class F>
std::pair<V<E, W>, V<E, W>> update_operand(E& e, const DecodedInsn& i, const Operand& dst,
                                           F&& compute) {
  if (dst.kind == OperandKind::Mem) {
    V<E, 64> ea = effective_address(e, dst.mem, i.addrsize);
    return i.lock ? e.template locked_update<W>(dst.mem.seg, ea, compute)
                  : e.template update<W>(dst.mem.seg, ea, compute);
  }
  V<E, W> old = read_gpr<W>(e, dst.reg);
  V<E, W> result = compute(old);
  write_gpr(e, dst.reg, result);
  return {old, result};
}

template <class E, AluOp Op>
void Alu(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> b = read_operand<W>(e, i, i.op[1]);
    V<E, 1> carry_in = Op == AluOp::Adc || Op == AluOp::Sbb ? e.get_flag(Flag::CF) : imm<1>(e, 0);
    if constexpr (alu_writes_result(Op)) {
      auto [a, result] = update_operand<W>(
          e, i, i.op[0], [&](V<E, W> old) { return alu_result<Op>(e, old, b, carry_in); });
      alu_flags<Op>(e, a, b, result, carry_in);
    } else {
      V<E, W> a = read_operand<W>(e, i, i.op[0]);
      alu_flags<Op>(e, a, b, alu_result<Op>(e, a, b, carry_in), carry_in);
    }
  });
}

enum class UnaryOp : uint8_t { Inc, Dec, Neg, Not };

template <class E, UnaryOp Op>
void Unary(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    auto [a, result] = update_operand<W>(e, i, i.op[0], [&](V<E, W> old) {
      switch (Op) {
        case UnaryOp::Inc: return e.add(old, imm<W>(e, 1));
        case UnaryOp::Dec: return e.sub(old, imm<W>(e, 1));
        case UnaryOp::Neg: return e.neg(old);
        case UnaryOp::Not: return e.not_(old);
      }
      return old;
    });
    V<E, 1> no_carry = imm<1>(e, 0);
    switch (Op) {
      case UnaryOp::Inc: {  // CF is preserved
        V<E, 1> cf = e.get_flag(Flag::CF);
        set_add_flags(e, a, imm<W>(e, 1), result, no_carry);
        e.set_flag(Flag::CF, cf);
        break;
      }
      case UnaryOp::Dec: {
        V<E, 1> cf = e.get_flag(Flag::CF);
        set_sub_flags(e, a, imm<W>(e, 1), result, no_carry);
        e.set_flag(Flag::CF, cf);
        break;
      }
      case UnaryOp::Neg:  // flags of 0 - a; CF = (a != 0)
        set_sub_flags(e, imm<W>(e, 0), a, result, no_carry);
        e.flags_from(LazyFlags::Sub, a, result);
        break;
      case UnaryOp::Not: break;  // no flags
    }
  });
}

}  // namespace orcvm::sem
