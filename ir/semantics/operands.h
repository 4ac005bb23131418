#pragma once
// Reading and writing decoded operands: the register-file rules (partial writes
// merge, 32-bit writes zero-extend) and effective addresses, written once.
#include "ir/semantics/emitter.h"

namespace orcvm::sem {

template <class E>
V<E, 64> truncate_address(E& e, V<E, 64> ea, unsigned addrsize) {
  if (addrsize == 32) return zext<64>(e, trunc<32>(e, ea));
  if (addrsize == 16) return zext<64>(e, trunc<16>(e, ea));
  return ea;
}

template <class E>
V<E, 64> effective_address(E& e, const MemRef& m, unsigned addrsize) {
  V<E, 64> ea = imm<64>(e, static_cast<uint64_t>(m.disp));
  if (m.base >= 0) ea = e.add(ea, e.get_gpr(m.base));
  if (m.index >= 0) {
    V<E, 64> index = e.get_gpr(m.index);
    if (m.scale > 1) index = e.mul(index, imm<64>(e, m.scale));
    ea = e.add(ea, index);
  }
  return truncate_address(e, ea, addrsize);
}

template <unsigned W, class E>
V<E, W> read_gpr(E& e, const RegRef& r) {
  V<E, 64> full = e.get_gpr(r.index);
  if constexpr (W == 8)
    if (r.high8) return trunc<8>(e, e.lshr(full, imm<64>(e, 8)));
  return resize<W>(e, full);
}

template <class E, class X>
void write_gpr(E& e, const RegRef& r, X value) {
  constexpr unsigned W = X::bits;
  if constexpr (W == 64) {
    e.set_gpr(r.index, value);
  } else if constexpr (W == 32) {
    e.set_gpr(r.index, zext<64>(e, value));
  } else {
    const unsigned shift = r.high8 ? 8 : 0;
    const uint64_t field = ((uint64_t{1} << W) - 1) << shift;
    V<E, 64> full = e.and_(e.get_gpr(r.index), imm<64>(e, ~field));
    V<E, 64> part = e.shl(zext<64>(e, value), imm<64>(e, shift));
    e.set_gpr(r.index, e.or_(full, part));
  }
}

template <unsigned W, class E>
V<E, W> read_operand(E& e, const DecodedInsn& i, const Operand& o) {
  switch (o.kind) {
    case OperandKind::Reg: return read_gpr<W>(e, o.reg);
    case OperandKind::Mem: return load<W>(e, o.mem.seg, effective_address(e, o.mem, i.addrsize));
    default: return imm<W>(e, o.imm);
  }
}

template <class E, class X>
void write_operand(E& e, const DecodedInsn& i, const Operand& o, X value) {
  if (o.kind == OperandKind::Mem)
    e.store(o.mem.seg, effective_address(e, o.mem, i.addrsize), value);
  else
    write_gpr(e, o.reg, value);
}

}  // namespace orcvm::sem
