#pragma once
// The x87 control instructions FNINIT FNCLEX FNSTSW FNSTCW FLDCW (FWAIT is bound
// to its helper), and FXSAVE FXRSTOR LDMXCSR STMXCSR. The state they touch lives in
// the runtime; the helpers make the CR0/CR4 checks.
#include "ir/semantics/operands.h"

namespace orcvm::sem {

enum class X87Word : uint8_t { Status, Control };

// FNSTSW AX or m16, FNSTCW m16: no-wait forms, so no pending-exception check.
template <class E, X87Word Word>
void X87StoreWord(E& e, const DecodedInsn& i) {
  e.call(Helper::X87Check, imm<64>(e, 0));
  V<E, 16> value = trunc<16>(e, e.call(Helper::ReadX87Word, imm<64>(e, Word == X87Word::Control)));
  const Operand& dst = i.op[0];
  if (dst.kind == OperandKind::Mem)
    e.store(dst.mem.seg, effective_address(e, dst.mem, i.addrsize), value);
  else
    write_gpr(e, dst.reg, value);
}

template <class E>
void Fldcw(E& e, const DecodedInsn& i) {
  e.call(Helper::X87Check, imm<64>(e, 1));
  const MemRef& m = i.op[0].mem;
  e.call(Helper::Fldcw, zext<64>(e, load<16>(e, m.seg, effective_address(e, m, i.addrsize))));
}

template <class E>
void Ldmxcsr(E& e, const DecodedInsn& i) {
  e.call(Helper::SseCheck);
  const MemRef& m = i.op[0].mem;
  e.call(Helper::Ldmxcsr, zext<64>(e, load<32>(e, m.seg, effective_address(e, m, i.addrsize))));
}

template <class E>
void Stmxcsr(E& e, const DecodedInsn& i) {
  e.call(Helper::SseCheck);
  const MemRef& m = i.op[0].mem;
  V<E, 64> ea = effective_address(e, m, i.addrsize);
  e.store(m.seg, ea, trunc<32>(e, e.call(Helper::ReadMxcsr)));
}

// FXSAVE/FXRSTOR (and their REX.W forms FXSAVE64/FXRSTOR64): the 512-byte image is
// the runtime's, which checks alignment and translates every page first.
template <class E, Helper H>
void FxImage(E& e, const DecodedInsn& i) {
  const MemRef& m = i.op[0].mem;
  e.call(H, effective_address(e, m, i.addrsize), imm<64>(e, static_cast<uint64_t>(m.seg)),
         imm<64>(e, i.encoding.w && e.mode().long64()));
}

}  // namespace orcvm::sem
