#pragma once
// The emitter concept that every semantics template is written against.
//
// An emitter E offers typed values E::Value<W> (W in 1, 8, 16, 32, 64, 128; each
// has `static constexpr unsigned bits = W`) and these operations:
//   values      imm<W>(u64), zext<W>(x), sext<W>(x), trunc<W>(x)
//   arithmetic  add sub mul and_ or_ xor_ (x, y); not_ neg (x);
//               shl lshr ashr (x, count) with count < W; fshl fshr (hi, lo, count mod W);
//               udiv urem sdiv srem (x, y), only after the caller ruled out #DE;
//               ctpop ctlz cttz bswap (x), ctlz/cttz of 0 give W
//   compare     eq ne ult ule slt sle (x, y) -> Value<1>; select(c, x, y)
//   registers   get_gpr(n) -> Value<64>, set_gpr(n, v); get_flag(f), set_flag(f, b);
//               flags_from(kind, operand, result) after setting all six flags: they are
//               those of a LazyFlags kind (lazy_flags.h), which an emitter may store instead;
//               get_df() -> Value<1>, set_df(b); get_xmm(n) -> Value<128>, set_xmm(n, v)
//               (the low 128 bits; YMM's upper half is kept)
//   lanes       on Value<128> as 128/L lanes of L bits: vadd vsub<L>(x, y),
//               vcmpeq vcmpgt<L>(x, y) (signed; all-ones or zero lanes),
//               movemask<L>(x) -> Value<32> (each lane's sign bit),
//               vmul<L> (low half of the product), vumulh vsmulh<L> (high half of the
//               2L-bit unsigned/signed product), vumin vumax vsmin vsmax<L>,
//               vuadd_sat vsadd_sat vusub_sat vssub_sat<L> (clamped to the lane's
//               unsigned/signed range), vavgu<L> ((x + y + 1) >> 1, unsigned, no
//               overflow) (x, y); vshl vlshr vashr<L>(x, Value<64> n), every lane by
//               n < L; vshuffle<L>(x, y, pick): lane k is lane pick[k] of the 2*128/L
//               lanes of x then y (pick a std::array<uint8_t, 128/L>);
//               vextract<L>(x, n) -> Value<L>, vinsert<L>(x, n, Value<L>): lane n
//   memory      load<W>(seg, ea), store<W>(seg, ea, v) (W up to 64, or 128): may fault,
//               leave state precise; load_aligned<W>, store_aligned<W>: #GP(0) first
//               unless the linear address is W/8-aligned (SSE's aligned operands);
//               update<W>(seg, ea, fn(old) -> new) -> {old, new}: a read-modify-write,
//               whose read needs write permission; locked_update<W>(seg, ea, fn): the
//               same done atomically (LOCK prefix, XCHG with memory)
//   runtime     call(helper, a, b, c) -> Value<64>
//   control     loop_while(cond, body): body repeats while cond() holds,
//               leaving to the VCPU loop (RIP = this instruction) when it must stop;
//               jump(target), jump_cond(c, taken, not_taken), jump_indirect(v),
//               exit_to_loop(rip): end the block; raise(vector[, error]),
//               raise_if(c, vector[, error]): a fault at this instruction;
//               raise_trap(vector, next_rip), raise_trap_if(c, vector, next_rip): a
//               software interrupt reported after it (INT n, INT3, INTO), delivered
//               with the gate's privilege check;
//               exit_at_current_rip(): end the block where a helper put RIP
//   context     mode() -> BlockMode
// Semantics read every operand and perform every access that can fault before they
// write an architectural result, so a fault leaves the state of the instruction's start.
#include <cstdint>
#include <utility>

#include "frontend/decode/insn.h"
#include "ir/semantics/exception_vectors.h"
#include "ir/semantics/helpers.h"
#include "ir/semantics/mode.h"

namespace orcvm::sem {

enum class Flag : uint8_t { CF, PF, AF, ZF, SF, OF };

namespace gpr {
constexpr uint8_t RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
}
inline RegRef gpr_ref(uint8_t index) { return RegRef{RegClass::Gpr, index, false}; }

template <class E, unsigned W>
using V = typename E::template Value<W>;

template <unsigned W, class E>
auto imm(E& e, uint64_t value) {
  return e.template imm<W>(value);
}
template <unsigned W, class E, class X>
auto zext(E& e, X x) {
  return e.template zext<W>(x);
}
template <unsigned W, class E, class X>
auto sext(E& e, X x) {
  return e.template sext<W>(x);
}
template <unsigned W, class E, class X>
auto trunc(E& e, X x) {
  return e.template trunc<W>(x);
}
// Resizes to W bits: truncates, zero-extends or passes through.
template <unsigned W, class E, class X>
auto resize(E& e, X x) {
  if constexpr (X::bits == W) return x;
  else if constexpr (X::bits > W) return e.template trunc<W>(x);
  else return e.template zext<W>(x);
}
template <unsigned W, class E>
auto load(E& e, Seg seg, V<E, 64> ea) {
  return e.template load<W>(seg, ea);
}

// The most significant bit of x.
template <class E, class X>
V<E, 1> msb(E& e, X x) {
  return trunc<1>(e, e.lshr(x, imm<X::bits>(e, X::bits - 1)));
}
// Bit n of x.
template <class E, class X>
V<E, 1> bit(E& e, X x, unsigned n) {
  return trunc<1>(e, e.lshr(x, imm<X::bits>(e, n)));
}

// Calls f.template operator()<W>() with W = bits, for the integer operand sizes.
template <class F>
void with_width(unsigned bits, F&& f) {
  switch (bits) {
    case 8: f.template operator()<8>(); break;
    case 16: f.template operator()<16>(); break;
    case 32: f.template operator()<32>(); break;
    default: f.template operator()<64>(); break;
  }
}

}  // namespace orcvm::sem
