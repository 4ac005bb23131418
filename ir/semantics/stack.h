#pragma once
// PUSH POP PUSHF POPF ENTER LEAVE: the stack pointer width follows the mode
// (64-bit in long mode, else SS.B), the operand width follows the instruction.
#include "ir/semantics/operands.h"

namespace orcvm::sem {

template <class E>
unsigned stack_address_bits(E& e) {
  BlockMode m = e.mode();
  return m.long64() ? 64 : (m.bits & BlockMode::kStack32) ? 32 : 16;
}

template <class E>
void write_stack_pointer(E& e, V<E, 64> sp) {
  switch (stack_address_bits(e)) {
    case 64: e.set_gpr(gpr::RSP, sp); break;
    case 32: write_gpr(e, gpr_ref(gpr::RSP), trunc<32>(e, sp)); break;
    default: write_gpr(e, gpr_ref(gpr::RSP), trunc<16>(e, sp)); break;
  }
}

// The stack pointer after moving it by delta bytes, wrapped to the stack width.
template <class E>
V<E, 64> stack_pointer_plus(E& e, int64_t delta) {
  return truncate_address(e, e.add(e.get_gpr(gpr::RSP), imm<64>(e, delta)), stack_address_bits(e));
}

template <class E, class X>
void push(E& e, X value) {
  V<E, 64> sp = stack_pointer_plus(e, -int64_t{X::bits / 8});
  e.store(Seg::SS, sp, value);
  write_stack_pointer(e, sp);
}

template <unsigned W, class E>
V<E, W> pop(E& e) {
  V<E, W> value = load<W>(e, Seg::SS, stack_pointer_plus(e, 0));
  write_stack_pointer(e, stack_pointer_plus(e, W / 8));
  return value;
}

template <class E>
void Push(E& e, const DecodedInsn& i) {
  const Operand& src = i.op[0];
  if (src.kind == OperandKind::Reg && src.reg.cls == RegClass::Segment) {
    V<E, 64> selector = e.call(Helper::ReadSegment, imm<64>(e, src.reg.index));
    with_width(i.opsize, [&]<unsigned W>() { push(e, resize<W>(e, selector)); });
    return;
  }
  with_width(i.opsize, [&]<unsigned W>() { push(e, read_operand<W>(e, i, src)); });
}

template <class E>
void Pop(E& e, const DecodedInsn& i) {
  const Operand& dst = i.op[0];
  if (dst.kind == OperandKind::Reg && dst.reg.cls == RegClass::Segment) {
    // The stack pointer moves only once the segment load has succeeded.
    with_width(i.opsize, [&]<unsigned W>() {
      V<E, W> value = load<W>(e, Seg::SS, stack_pointer_plus(e, 0));
      e.call(Helper::LoadSegment, imm<64>(e, dst.reg.index), zext<64>(e, trunc<16>(e, value)));
      write_stack_pointer(e, stack_pointer_plus(e, W / 8));
    });
    e.exit_to_loop(i.next_rip());
    return;
  }
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> value = load<W>(e, Seg::SS, stack_pointer_plus(e, 0));
    V<E, 64> popped_sp = stack_pointer_plus(e, W / 8);
    if (dst.kind == OperandKind::Mem) {
      // The address uses the incremented stack pointer; RSP changes only once the
      // store has succeeded.
      V<E, 64> old_rsp = e.get_gpr(gpr::RSP);
      write_stack_pointer(e, popped_sp);
      V<E, 64> ea = effective_address(e, dst.mem, i.addrsize);
      e.set_gpr(gpr::RSP, old_rsp);
      e.store(dst.mem.seg, ea, value);
      write_stack_pointer(e, popped_sp);
    } else {
      write_stack_pointer(e, popped_sp);
      write_gpr(e, dst.reg, value);  // POP RSP leaves the popped value
    }
  });
}

// PUSHA/PUSHAD (not in 64-bit mode): the eight registers, the stack pointer as it
// was before the first push; every store precedes the stack pointer update.
template <class E>
void PushAll(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    constexpr int64_t size = W / 8;
    for (uint8_t n = 0; n < 8; ++n)
      e.store(Seg::SS, stack_pointer_plus(e, -size * (n + 1)), read_gpr<W>(e, gpr_ref(n)));
    write_stack_pointer(e, stack_pointer_plus(e, -size * 8));
  });
}

// POPA/POPAD: the popped stack-pointer slot is skipped.
template <class E>
void PopAll(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    constexpr int64_t size = W / 8;
    V<E, W> values[8];
    for (uint8_t n = 0; n < 8; ++n) values[7 - n] = load<W>(e, Seg::SS, stack_pointer_plus(e, size * n));
    for (uint8_t n = 0; n < 8; ++n)
      if (n != gpr::RSP) write_gpr(e, gpr_ref(n), values[n]);
    write_stack_pointer(e, stack_pointer_plus(e, size * 8));
  });
}

template <class E>
void Pushf(E& e, const DecodedInsn& i) {
  V<E, 64> flags = e.call(Helper::Pushf);
  with_width(i.opsize, [&]<unsigned W>() { push(e, resize<W>(e, flags)); });
}

// POPF's effect on IF, IOPL, AC and TF depends on CPL and IOPL: the runtime applies it,
// and the block ends because the mode may have changed.
template <class E>
void Popf(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> value = load<W>(e, Seg::SS, stack_pointer_plus(e, 0));
    e.call(Helper::Popf, zext<64>(e, value), imm<64>(e, W));
    write_stack_pointer(e, stack_pointer_plus(e, W / 8));
  });
  e.exit_to_loop(i.next_rip());
}

// ENTER alloc, level (SDM Vol. 2 ENTER): every store is made before RSP and RBP change.
template <class E>
void Enter(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    constexpr int64_t size = W / 8;
    const uint64_t alloc = i.op[0].imm & 0xffff;
    const unsigned level = i.op[1].imm & 31;
    V<E, 64> rbp = e.get_gpr(gpr::RBP);
    int64_t offset = -size;
    e.store(Seg::SS, stack_pointer_plus(e, offset), resize<W>(e, rbp));
    V<E, 64> frame = stack_pointer_plus(e, offset);
    for (unsigned n = 1; n < level; ++n) {
      V<E, 64> link = truncate_address(e, e.sub(rbp, imm<64>(e, n * size)), stack_address_bits(e));
      V<E, W> saved = load<W>(e, Seg::SS, link);
      offset -= size;
      e.store(Seg::SS, stack_pointer_plus(e, offset), saved);
    }
    if (level > 0) {
      offset -= size;
      e.store(Seg::SS, stack_pointer_plus(e, offset), resize<W>(e, frame));
    }
    V<E, 64> new_sp = stack_pointer_plus(e, offset - static_cast<int64_t>(alloc));
    // The final stack pointer must take a write (SDM Vol. 2A, ENTER: #PF "if a write
    // using the final value of the stack pointer ... would cause a page fault"), checked
    // after the pushes as the host does, alignment included; the value is kept.
    e.template update<W>(Seg::SS, new_sp, [](V<E, W> kept) { return kept; });
    if (stack_address_bits(e) == 64)
      e.set_gpr(gpr::RBP, frame);
    else
      write_gpr(e, gpr_ref(gpr::RBP), resize<W>(e, frame));
    write_stack_pointer(e, new_sp);
  });
}

template <class E>
void Leave(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, 64> frame = truncate_address(e, e.get_gpr(gpr::RBP), stack_address_bits(e));
    V<E, W> saved = load<W>(e, Seg::SS, frame);
    write_stack_pointer(e, e.add(frame, imm<64>(e, W / 8)));
    write_gpr(e, gpr_ref(gpr::RBP), saved);
  });
}

}  // namespace orcvm::sem
