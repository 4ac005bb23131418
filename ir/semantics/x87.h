#pragma once
// The x87 instructions besides the control ones of fpu_control.h (SDM Vol. 1,
// ch. 8; Vol. 2 per instruction): each is one call of the runtime
// (runtime/vcpu/x87_helpers.cpp), which owns the register stack, the library's
// arithmetic, the #NM/#MF checks and the memory operand, so that its faults leave
// the x87 state unchanged.
#include "ir/semantics/flags.h"
#include "ir/semantics/operands.h"
#include "ir/semantics/x87_request.h"

namespace orcvm::sem {

// FOP: the low three bits of the opcode byte (D8-DF), then ModRM (SDM Vol. 1, 8.1.9).
inline uint16_t x87_opcode(const DecodedInsn& i) {
  return static_cast<uint16_t>((i.encoding.opcode & 7) << 8 | i.encoding.modrm);
}

inline X87Request x87_request(const DecodedInsn& i, X87Op op, X87Operand where, unsigned pops) {
  const bool registers = i.encoding.mod() == 3;
  return {op, where, static_cast<uint8_t>(pops), static_cast<uint8_t>(registers ? i.encoding.rm() : 0),
          x87_opcode(i), i.opsize == 16};
}

// Where: the operand the encoding names (the memory forms' format; ST(i) for the
// register forms, or for FLD1..FLDZ the constant, both in ModRM.rm).
template <class E, X87Op Op, X87Operand Where = X87Operand::None, unsigned Pops = 0>
void X87(E& e, const DecodedInsn& i) {
  const X87Request r = x87_request(i, Op, Where, Pops);
  if constexpr (Where == X87Operand::None || Where == X87Operand::Register || Where == X87Operand::RegisterDestination) {
    e.call(Helper::X87, imm<64>(e, r.pack()));
  } else {
    const MemRef& m = i.op[0].mem;
    e.call(Helper::X87, imm<64>(e, r.pack()), effective_address(e, m, i.addrsize),
           imm<64>(e, static_cast<uint64_t>(m.seg)));
  }
}

// FCMOVcc ST(0), ST(i): the RFLAGS condition goes to the runtime as the operand.
template <class E, Cond C>
void X87ConditionalMove(E& e, const DecodedInsn& i) {
  const X87Request r = x87_request(i, X87Op::ConditionalMove, X87Operand::Register, 0);
  e.call(Helper::X87, imm<64>(e, r.pack()), zext<64>(e, condition(e, C)));
}

// FENI FDISI FSETPM (DB E0, E1, E4): no-ops since the 80387; they check #NM and,
// as this AMD host shows, leave the last-instruction fields alone.
template <class E>
void X87ControlNop(E& e, const DecodedInsn&) {
  e.call(Helper::X87Check, imm<64>(e, 0));
}

}  // namespace orcvm::sem
