#pragma once
// XCHG XADD CMPXCHG CMPXCHG8B CMPXCHG16B. XCHG with memory is atomic with or
// without LOCK; the others are atomic with LOCK.
#include "ir/semantics/alu.h"

namespace orcvm::sem {

template <class E>
void Xchg(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    const Operand& a = i.op[0];
    const Operand& b = i.op[1];
    if (a.kind == OperandKind::Mem || b.kind == OperandKind::Mem) {
      const Operand& mem = a.kind == OperandKind::Mem ? a : b;
      const Operand& reg = a.kind == OperandKind::Mem ? b : a;
      V<E, W> value = read_gpr<W>(e, reg.reg);
      auto [old, stored] = e.template locked_update<W>(
          mem.mem.seg, effective_address(e, mem.mem, i.addrsize), [&](V<E, W>) { return value; });
      write_gpr(e, reg.reg, old);
      return;
    }
    V<E, W> va = read_gpr<W>(e, a.reg);
    V<E, W> vb = read_gpr<W>(e, b.reg);
    write_gpr(e, a.reg, vb);
    write_gpr(e, b.reg, va);
  });
}

// Opcode 90 is XCHG eAX with the register that REX.B selects; without REX.B it
// is NOP (the decoder then gives no operands), even in 64-bit mode, where a real
// XCHG EAX, EAX would clear RAX's upper half.
template <class E>
void XchgAccumulatorOrNop(E& e, const DecodedInsn& i) {
  if (i.operand_count == 2) Xchg(e, i);
}

template <class E>
void Xadd(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> src = read_gpr<W>(e, i.op[1].reg);
    V<E, 1> no_carry = imm<1>(e, 0);
    if (i.op[0].kind == OperandKind::Mem) {
      auto [old, sum] = update_operand<W>(e, i, i.op[0], [&](V<E, W> dst) { return e.add(dst, src); });
      write_gpr(e, i.op[1].reg, old);
      set_add_flags(e, old, src, sum, no_carry);
      return;
    }
    V<E, W> dst = read_gpr<W>(e, i.op[0].reg);
    V<E, W> sum = e.add(dst, src);
    write_gpr(e, i.op[1].reg, dst);
    write_gpr(e, i.op[0].reg, sum);  // written last: XADD r, r with one register keeps the sum
    set_add_flags(e, dst, src, sum, no_carry);
  });
}

template <class E>
void Cmpxchg(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    const RegRef acc = gpr_ref(gpr::RAX);
    V<E, W> expected = read_gpr<W>(e, acc);
    V<E, W> src = read_gpr<W>(e, i.op[1].reg);
    const Operand& dst = i.op[0];
    V<E, W> old;
    if (dst.kind == OperandKind::Mem) {
      // Memory is always written: with its own value when the compare fails.
      old = update_operand<W>(e, i, dst, [&](V<E, W> current) {
              return e.select(e.eq(current, expected), src, current);
            }).first;
    } else {
      // A register is written only on success (hardware keeps a 32-bit register's
      // upper half when the compare fails).
      old = read_gpr<W>(e, dst.reg);
      V<E, 64> before = e.get_gpr(dst.reg.index);
      write_gpr(e, dst.reg, src);
      e.set_gpr(dst.reg.index, e.select(e.eq(old, expected), e.get_gpr(dst.reg.index), before));
    }
    V<E, 1> equal = e.eq(old, expected);
    // The accumulator is written only when the compare fails (a 32-bit write then
    // zero-extends RAX; on success RAX keeps its upper half).
    V<E, 64> rax_after_destination = e.get_gpr(gpr::RAX);
    write_gpr(e, acc, old);
    e.set_gpr(gpr::RAX, e.select(equal, rax_after_destination, e.get_gpr(gpr::RAX)));
    set_sub_flags(e, expected, old, e.sub(expected, old), imm<1>(e, 0));
  });
}

// CMPXCHG8B m64: compares EDX:EAX with m64; stores ECX:EBX on success, else loads
// m64 into EDX:EAX. Only ZF changes.
template <class E>
void Cmpxchg8b(E& e, const DecodedInsn& i) {
  auto pair = [&](uint8_t high, uint8_t low) {
    return e.or_(e.shl(zext<64>(e, read_gpr<32>(e, gpr_ref(high))), imm<64>(e, 32)),
                 zext<64>(e, read_gpr<32>(e, gpr_ref(low))));
  };
  V<E, 64> expected = pair(gpr::RDX, gpr::RAX);
  V<E, 64> desired = pair(gpr::RCX, gpr::RBX);
  auto [old, stored] = update_operand<64>(e, i, i.op[0], [&](V<E, 64> current) {
    return e.select(e.eq(current, expected), desired, current);
  });
  V<E, 1> equal = e.eq(old, expected);
  V<E, 64> rax = e.get_gpr(gpr::RAX), rdx = e.get_gpr(gpr::RDX);
  e.set_gpr(gpr::RAX, e.select(equal, rax, zext<64>(e, trunc<32>(e, old))));
  e.set_gpr(gpr::RDX, e.select(equal, rdx, e.lshr(old, imm<64>(e, 32))));
  e.set_flag(Flag::ZF, equal);
}

// CMPXCHG16B needs a 128-bit host atomic and a 16-byte alignment check (#GP): the runtime does it.
template <class E>
void Cmpxchg16b(E& e, const DecodedInsn& i) {
  const MemRef& m = i.op[0].mem;
  e.call(Helper::Cmpxchg16b, effective_address(e, m, i.addrsize), imm<64>(e, static_cast<uint64_t>(m.seg)));
}

}  // namespace orcvm::sem
