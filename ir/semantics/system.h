#pragma once
// Instructions carried out by the VCPU runtime (CPUID RDTSC IN OUT HLT INVLPG CLI
// STI), the ones that only raise (UD2, INT3), and the architectural no-ops.
#include "ir/semantics/operands.h"

namespace orcvm::sem {

template <class E>
void Cpuid(E& e, const DecodedInsn&) {
  e.call(Helper::Cpuid);
}

template <class E>
void Rdtsc(E& e, const DecodedInsn&) {
  V<E, 64> tsc = e.call(Helper::Rdtsc);
  write_gpr(e, gpr_ref(gpr::RAX), trunc<32>(e, tsc));
  write_gpr(e, gpr_ref(gpr::RDX), trunc<32>(e, e.lshr(tsc, imm<64>(e, 32))));
}

// IN acc, imm8 / IN acc, DX and OUT imm8, acc / OUT DX, acc.
template <class E>
V<E, 64> port_operand(E& e, const Operand& o) {
  return o.kind == OperandKind::Imm ? imm<64>(e, o.imm & 0xff) : zext<64>(e, read_gpr<16>(e, o.reg));
}

template <class E>
void In(E& e, const DecodedInsn& i) {
  const Operand& acc = i.op[0];
  V<E, 64> value = e.call(Helper::PortIn, port_operand(e, i.op[1]), imm<64>(e, acc.bits / 8));
  with_width(acc.bits, [&]<unsigned W>() { write_gpr(e, acc.reg, trunc<W>(e, value)); });
}

template <class E>
void Out(E& e, const DecodedInsn& i) {
  const Operand& acc = i.op[1];
  with_width(acc.bits, [&]<unsigned W>() {
    e.call(Helper::PortOut, port_operand(e, i.op[0]), imm<64>(e, W / 8),
           zext<64>(e, read_gpr<W>(e, acc.reg)));
  });
  // A device may have stopped the VM or raised an interrupt.
  e.exit_to_loop(i.next_rip());
}

template <class E>
void Hlt(E& e, const DecodedInsn& i) {
  e.call(Helper::Hlt);
  e.exit_to_loop(i.next_rip());
}

template <class E>
void Invlpg(E& e, const DecodedInsn& i) {
  e.call(Helper::Invlpg, effective_address(e, i.op[0].mem, i.addrsize));
  e.exit_to_loop(i.next_rip());
}

template <class E, bool Enable>
void InterruptFlag(E& e, const DecodedInsn& i) {
  e.call(Enable ? Helper::Sti : Helper::Cli);
  e.exit_to_loop(i.next_rip());
}

template <class E>
void Ud2(E& e, const DecodedInsn&) {
  e.raise(vector::UD);
}

template <class E>
void Int3(E& e, const DecodedInsn& i) {
  e.raise_trap(vector::BP, i.next_rip());
}

// NOP, hint NOPs, ENDBR, PAUSE, fences and prefetches: nothing architectural to do.
template <class E>
void Nop(E&, const DecodedInsn&) {}

// INT n: a software interrupt, reported after the instruction. (IDT gate checks
// and delivery are the VCPU loop's.)
template <class E>
void Int(E& e, const DecodedInsn& i) {
  e.raise_trap(static_cast<uint8_t>(i.op[0].imm), i.next_rip());
}

// CLFLUSH: no cache to flush, but the address is checked like a read.
template <class E>
void Clflush(E& e, const DecodedInsn& i) {
  load<8>(e, i.op[0].mem.seg, effective_address(e, i.op[0].mem, i.addrsize));
}

template <class E>
void Unimplemented(E& e, const DecodedInsn&) {
  e.call(Helper::Unimplemented);
}

// A privileged instruction not emulated yet: its privilege check is exact.
template <class E>
void PrivilegedUnimplemented(E& e, const DecodedInsn&) {
  e.call(Helper::PrivilegedUnimplemented);
}

}  // namespace orcvm::sem
