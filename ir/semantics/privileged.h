#pragma once
// The privileged and special system instructions (SDM Vol. 2): their operands are
// read here, their checks and effects are the VCPU runtime's. Those that may change
// the mode, the stack or CS end the block.
#include "ir/semantics/alu.h"

namespace orcvm::sem {

template <class E>
void Iret(E& e, const DecodedInsn& i) {
  e.call(Helper::Iret, imm<64>(e, i.opsize), imm<64>(e, i.next_rip()));
  e.exit_at_current_rip();
}

template <class E>
void FarJump(E& e, const DecodedInsn& i) {
  const Operand& o = i.op[0];
  V<E, 64> next = imm<64>(e, i.next_rip());  // saved in the TSS when the jump switches tasks
  if (o.kind == OperandKind::FarPointer) {
    e.call(Helper::FarJump, imm<64>(e, o.selector | (uint64_t{i.opsize} << 16)), imm<64>(e, o.imm), next);
  } else {
    V<E, 64> ea = effective_address(e, o.mem, i.addrsize);
    V<E, 64> offset;
    with_width(i.opsize, [&]<unsigned W>() { offset = zext<64>(e, load<W>(e, o.mem.seg, ea)); });
    V<E, 64> selector = zext<64>(e, load<16>(e, o.mem.seg, e.add(ea, imm<64>(e, i.opsize / 8))));
    e.call(Helper::FarJump, e.or_(selector, imm<64>(e, uint64_t{i.opsize} << 16)), offset, next);
  }
  e.exit_at_current_rip();
}

template <class E>
void FarCall(E& e, const DecodedInsn& i) {
  const Operand& o = i.op[0];
  V<E, 64> next = imm<64>(e, i.next_rip());
  if (o.kind == OperandKind::FarPointer) {
    e.call(Helper::FarCall, imm<64>(e, o.selector | (uint64_t{i.opsize} << 16)), imm<64>(e, o.imm), next);
  } else {
    V<E, 64> ea = effective_address(e, o.mem, i.addrsize);
    V<E, 64> offset;
    with_width(i.opsize, [&]<unsigned W>() { offset = zext<64>(e, load<W>(e, o.mem.seg, ea)); });
    V<E, 64> selector = zext<64>(e, load<16>(e, o.mem.seg, e.add(ea, imm<64>(e, i.opsize / 8))));
    e.call(Helper::FarCall, e.or_(selector, imm<64>(e, uint64_t{i.opsize} << 16)), offset, next);
  }
  e.exit_at_current_rip();
}

template <class E>
void FarReturn(E& e, const DecodedInsn& i) {
  const uint64_t release = i.operand_count > 0 && i.op[0].kind == OperandKind::Imm ? i.op[0].imm & 0xffff : 0;
  e.call(Helper::FarReturn, imm<64>(e, i.opsize), imm<64>(e, release));
  e.exit_at_current_rip();
}

// MOV Sreg, r/m16 and the loads of a far pointer into Sreg:reg (LDS LES LFS LGS LSS).
template <class E>
void load_segment_register(E& e, Seg seg, V<E, 16> selector) {
  e.call(Helper::LoadSegment, imm<64>(e, static_cast<uint64_t>(seg)), zext<64>(e, selector));
}

template <class E, Seg S>
void LoadFarPointer(E& e, const DecodedInsn& i) {
  const Operand& src = i.op[1];
  V<E, 64> ea = effective_address(e, src.mem, i.addrsize);
  with_width(i.opsize, [&]<unsigned W>() {
    V<E, W> offset = load<W>(e, src.mem.seg, ea);
    V<E, 16> selector = load<16>(e, src.mem.seg, e.add(ea, imm<64>(e, W / 8)));
    load_segment_register(e, S, selector);
    write_gpr(e, i.op[0].reg, offset);
  });
  e.exit_to_loop(i.next_rip());
}

// LGDT/LIDT m16&32 (m16&64 in 64-bit mode); a 16-bit operand size keeps 24 base bits.
template <class E, unsigned Table>
void LoadDescriptorTable(E& e, const DecodedInsn& i) {
  e.call(Helper::CheckCpl0);
  const MemRef& m = i.op[0].mem;
  V<E, 64> ea = effective_address(e, m, i.addrsize);
  V<E, 64> limit = zext<64>(e, load<16>(e, m.seg, ea));
  V<E, 64> base_address = e.add(ea, imm<64>(e, 2));
  V<E, 64> base = e.mode().long64() ? load<64>(e, m.seg, base_address)
                                    : zext<64>(e, load<32>(e, m.seg, base_address));
  if (!e.mode().long64() && i.opsize == 16) base = e.and_(base, imm<64>(e, 0xffffff));
  e.call(Helper::LoadDescriptorTable, imm<64>(e, Table), limit, base);
}

template <class E, unsigned Table>
void StoreDescriptorTable(E& e, const DecodedInsn& i) {
  e.call(Helper::CheckUmip);
  const MemRef& m = i.op[0].mem;
  V<E, 64> ea = effective_address(e, m, i.addrsize);
  V<E, 64> limit = e.call(Helper::ReadDescriptorTable, imm<64>(e, Table), imm<64>(e, 0));
  V<E, 64> base = e.call(Helper::ReadDescriptorTable, imm<64>(e, Table), imm<64>(e, 1));
  e.store(m.seg, ea, trunc<16>(e, limit));
  if (e.mode().long64())
    e.store(m.seg, e.add(ea, imm<64>(e, 2)), base);
  else
    e.store(m.seg, e.add(ea, imm<64>(e, 2)), trunc<32>(e, base));
}

// SLDT, STR, SMSW: 16 bits to memory; a register destination gets the operand size,
// zero-extended.
template <class E>
void store_system_word(E& e, const DecodedInsn& i, V<E, 64> value) {
  const Operand& dst = i.op[0];
  if (dst.kind == OperandKind::Mem) {
    e.store(dst.mem.seg, effective_address(e, dst.mem, i.addrsize), trunc<16>(e, value));
    return;
  }
  with_width(i.opsize, [&]<unsigned W>() { write_gpr(e, dst.reg, resize<W>(e, value)); });
}

template <class E, unsigned Register>  // 6 LDTR, 7 TR
void StoreSystemSelector(E& e, const DecodedInsn& i) {
  e.call(Helper::CheckUmip);
  store_system_word(e, i, e.call(Helper::ReadSegment, imm<64>(e, Register)));
}

template <class E>
void Smsw(E& e, const DecodedInsn& i) {
  e.call(Helper::CheckUmip);
  store_system_word(e, i, e.call(Helper::ReadCr0));
}

// LLDT, LTR, LMSW: a 16-bit source, after the privilege check.
template <class E, Helper H, bool EndsBlock>
void LoadSystemWord(E& e, const DecodedInsn& i) {
  e.call(Helper::CheckCpl0);
  e.call(H, zext<64>(e, read_operand<16>(e, i, i.op[0])));
  if (EndsBlock) e.exit_to_loop(i.next_rip());
}

template <class E, Helper H>
void RuntimeOnly(E& e, const DecodedInsn&) {
  e.call(H);
}

template <class E, Helper H>
void RuntimeThenLoop(E& e, const DecodedInsn& i) {
  e.call(H);
  e.exit_to_loop(i.next_rip());
}

template <class E>
void Syscall(E& e, const DecodedInsn& i) {
  e.call(Helper::Syscall, imm<64>(e, i.next_rip()));
  e.exit_at_current_rip();
}

template <class E, Helper H>
void SystemReturn(E& e, const DecodedInsn& i) {
  e.call(H, imm<64>(e, i.opsize));
  e.exit_at_current_rip();
}

template <class E>
void Sysenter(E& e, const DecodedInsn&) {
  e.call(Helper::Sysenter);
  e.exit_at_current_rip();
}

// LAR, LSL: the destination is written only when ZF says the selector passed.
template <class E, unsigned Kind>
void AccessRights(E& e, const DecodedInsn& i) {
  V<E, 64> selector = zext<64>(e, read_operand<16>(e, i, i.op[1]));
  V<E, 64> value = e.call(Helper::AccessRights, selector, imm<64>(e, Kind));
  const RegRef& dst = i.op[0].reg;
  V<E, 64> before = e.get_gpr(dst.index);
  with_width(i.opsize, [&]<unsigned W>() { write_gpr(e, dst, resize<W>(e, value)); });
  e.set_gpr(dst.index, e.select(e.get_flag(Flag::ZF), e.get_gpr(dst.index), before));
}

template <class E, unsigned Kind>
void VerifySegment(E& e, const DecodedInsn& i) {
  e.call(Helper::AccessRights, zext<64>(e, read_operand<16>(e, i, i.op[0])), imm<64>(e, Kind));
}

template <class E>
void Into(E& e, const DecodedInsn& i) {
  e.raise_trap_if(e.get_flag(Flag::OF), vector::OF, i.next_rip());
}

// BOUND r, m (legacy modes): the index must lie within the signed pair at m, else #BR.
template <class E>
void Bound(E& e, const DecodedInsn& i) {
  with_width(i.opsize, [&]<unsigned W>() {
    const MemRef& m = i.op[1].mem;
    V<E, 64> ea = effective_address(e, m, i.addrsize);
    V<E, W> lower = load<W>(e, m.seg, ea);
    V<E, W> upper = load<W>(e, m.seg, e.add(ea, imm<64>(e, W / 8)));
    V<E, W> index = read_gpr<W>(e, i.op[0].reg);
    e.raise_if(e.or_(e.slt(index, lower), e.slt(upper, index)), vector::BR);
  });
}

// ARPL r/m16, r16 (legacy modes): raises the destination selector's RPL to the source's.
template <class E>
void Arpl(E& e, const DecodedInsn& i) {
  auto [old, updated] = update_operand<16>(e, i, i.op[0], [&](V<E, 16> dst) {
    V<E, 16> src_rpl = e.and_(read_gpr<16>(e, i.op[1].reg), imm<16>(e, 3));
    V<E, 1> lower = e.ult(e.and_(dst, imm<16>(e, 3)), src_rpl);
    return e.select(lower, e.or_(e.and_(dst, imm<16>(e, ~3ull)), src_rpl), dst);
  });
  e.set_flag(Flag::ZF, e.ne(old, updated));
}

template <class E>
void MoveDebugRegister(E& e, const DecodedInsn& i) {
  const Operand& dst = i.op[0];
  const Operand& src = i.op[1];
  if (dst.reg.cls == RegClass::Debug) {
    e.call(Helper::WriteDr, imm<64>(e, dst.reg.index), read_gpr<64>(e, src.reg));
    e.exit_to_loop(i.next_rip());
  } else {
    V<E, 64> value = e.call(Helper::ReadDr, imm<64>(e, src.reg.index));
    if (e.mode().long64())
      write_gpr(e, dst.reg, value);
    else
      write_gpr(e, dst.reg, trunc<32>(e, value));
  }
}

}  // namespace orcvm::sem
