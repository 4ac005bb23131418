#pragma once
// Lazy status flags (docs/decisions.md). Compiled code may leave the flags at a block
// exit as the instruction that produced them instead of six bytes: CpuState::flags_op
// names the operation and its width, flags_operand and flags_result hold its second
// operand and its result, zero-extended. flags_op 0 means the six bytes hold the flags.
#include "ir/semantics/flags.h"

namespace orcvm::sem {

// ADD, SUB (CMP, NEG) and the logic operations; ADC, SBB, INC and DEC have no lazy form.
enum class LazyFlags : uint8_t { None, Add, Sub, Logic };

constexpr uint8_t lazy_flags_op(LazyFlags kind, unsigned bits) {
  const uint8_t size = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
  return kind == LazyFlags::None ? 0 : static_cast<uint8_t>(static_cast<uint8_t>(kind) << 2 | size);
}

// Sets the six flags of a lazy record, without branches, so that compiled code can
// inline it. The first operand is result - operand (ADD) or result + operand (SUB);
// bit i of the carry (borrow) vector is the carry out of bit i, which gives CF at bit
// W-1, OF as bit W-1 xor bit W-2 and AF at bit 3: the rules of flags.h
// (tests/semantics/lazy_flags_test holds them equal).
template <class E>
void set_flags_from_lazy(E& e, V<E, 64> op, V<E, 64> operand, V<E, 64> result) {
  auto c = [&](uint64_t x) { return imm<64>(e, x); };
  V<E, 64> width_minus_1 = e.sub(e.shl(c(8), e.and_(op, c(3))), c(1));
  V<E, 64> to_top = e.sub(c(63), width_minus_1);  // moves bit W-1 to bit 63
  V<E, 64> kind = e.lshr(op, c(2));
  V<E, 1> add = e.eq(kind, c(static_cast<uint64_t>(LazyFlags::Add)));
  V<E, 1> sub = e.eq(kind, c(static_cast<uint64_t>(LazyFlags::Sub)));
  const V<E, 64>& b = operand;
  const V<E, 64>& r = result;
  V<E, 64> a = e.select(add, e.sub(r, b), e.add(r, b));
  V<E, 64> carries = e.or_(e.and_(a, b), e.and_(e.or_(a, b), e.not_(r)));
  V<E, 64> borrows = e.or_(e.and_(e.not_(a), b), e.and_(e.not_(e.xor_(a, b)), r));
  V<E, 64> out = e.select(add, carries, e.select(sub, borrows, c(0)));
  auto top_bit = [&](V<E, 64> x) { return msb(e, e.shl(x, to_top)); };
  e.set_flag(Flag::CF, top_bit(out));
  e.set_flag(Flag::OF, top_bit(e.xor_(out, e.shl(out, c(1)))));
  e.set_flag(Flag::AF, bit(e, out, 3));
  e.set_flag(Flag::SF, top_bit(r));
  e.set_flag(Flag::ZF, e.eq(r, c(0)));
  e.set_flag(Flag::PF, parity(e, r));
}

}  // namespace orcvm::sem
