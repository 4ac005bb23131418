#pragma once
// JMP Jcc CALL RET LOOP LOOPE LOOPNE JCXZ/JECXZ/JRCXZ: every one ends the block.
#include "ir/semantics/canonical.h"
#include "ir/semantics/flags.h"
#include "ir/semantics/privileged.h"
#include "ir/semantics/stack.h"

namespace orcvm::sem {

// A near branch target truncated to the operand size (16-bit targets wrap in IP).
inline uint64_t near_target(const DecodedInsn& i, uint64_t target) {
  return i.opsize == 16 ? target & 0xffff : i.opsize == 32 ? target & 0xffffffff : target;
}

// In 64-bit mode a branch to a non-canonical address raises #GP(0) at the branch,
// before it pushes or pops anything.
template <class E>
void check_target(E& e, V<E, 64> target) {
  if (!e.mode().long64()) return;
  V<E, 64> sign_extended = e.ashr(e.shl(target, imm<64>(e, 16)), imm<64>(e, 16));
  e.raise_if(e.ne(sign_extended, target), vector::GP, 0);
}

template <class E>
void check_target(E& e, uint64_t target) {
  if (e.mode().long64() && !canonical(target)) e.raise(vector::GP, 0);
}

template <class E>
V<E, 64> indirect_target(E& e, const DecodedInsn& i) {
  V<E, 64> target;
  with_width(i.opsize, [&]<unsigned W>() { target = zext<64>(e, read_operand<W>(e, i, i.op[0])); });
  return target;
}

template <class E>
void Jmp(E& e, const DecodedInsn& i) {
  if (i.far) {
    FarJump(e, i);
    return;
  }
  if (i.op[0].kind == OperandKind::Target) {
    check_target(e, near_target(i, i.op[0].imm));
    e.jump(near_target(i, i.op[0].imm));
  } else {
    V<E, 64> target = indirect_target(e, i);
    check_target(e, target);
    e.jump_indirect(target);
  }
}

template <class E, Cond C>
void Jcc(E& e, const DecodedInsn& i) {
  V<E, 1> taken = condition(e, C);
  if (!canonical(near_target(i, i.op[0].imm))) e.raise_if(taken, vector::GP, 0);
  e.jump_cond(taken, near_target(i, i.op[0].imm), i.next_rip());
}

template <class E>
void Call(E& e, const DecodedInsn& i) {
  if (i.far) {
    FarCall(e, i);
    return;
  }
  const bool direct = i.op[0].kind == OperandKind::Target;
  V<E, 64> target = direct ? imm<64>(e, near_target(i, i.op[0].imm)) : indirect_target(e, i);
  check_target(e, target);
  with_width(i.opsize, [&]<unsigned W>() { push(e, imm<W>(e, i.next_rip())); });
  if (direct)
    e.jump(near_target(i, i.op[0].imm));
  else
    e.jump_indirect(target);
}

template <class E>
void Ret(E& e, const DecodedInsn& i) {
  if (i.far) {
    FarReturn(e, i);
    return;
  }
  const uint64_t release = i.operand_count > 0 && i.op[0].kind == OperandKind::Imm ? i.op[0].imm & 0xffff : 0;
  V<E, 64> target;
  with_width(i.opsize, [&]<unsigned W>() {
    target = zext<64>(e, load<W>(e, Seg::SS, stack_pointer_plus(e, 0)));
    check_target(e, target);
    write_stack_pointer(e, stack_pointer_plus(e, W / 8 + release));
  });
  e.jump_indirect(target);
}

// The count register of LOOP and JrCXZ has the address size.
template <class E>
V<E, 64> read_count(E& e, const DecodedInsn& i) {
  return truncate_address(e, e.get_gpr(gpr::RCX), i.addrsize);
}

template <class E>
void write_count(E& e, const DecodedInsn& i, V<E, 64> count) {
  if (i.addrsize == 64)
    e.set_gpr(gpr::RCX, count);
  else if (i.addrsize == 32)
    write_gpr(e, gpr_ref(gpr::RCX), trunc<32>(e, count));
  else
    write_gpr(e, gpr_ref(gpr::RCX), trunc<16>(e, count));
}

enum class LoopKind : uint8_t { Always, WhileEqual, WhileNotEqual };

template <class E, LoopKind K>
void Loop(E& e, const DecodedInsn& i) {
  V<E, 64> count = e.sub(read_count(e, i), imm<64>(e, 1));
  write_count(e, i, count);
  V<E, 1> taken = e.ne(truncate_address(e, count, i.addrsize), imm<64>(e, 0));
  if (K == LoopKind::WhileEqual) taken = e.and_(taken, e.get_flag(Flag::ZF));
  if (K == LoopKind::WhileNotEqual) taken = e.and_(taken, e.xor_(e.get_flag(Flag::ZF), imm<1>(e, 1)));
  e.jump_cond(taken, near_target(i, i.op[0].imm), i.next_rip());
}

template <class E>
void JumpIfCountZero(E& e, const DecodedInsn& i) {
  e.jump_cond(e.eq(read_count(e, i), imm<64>(e, 0)), near_target(i, i.op[0].imm), i.next_rip());
}

}  // namespace orcvm::sem
