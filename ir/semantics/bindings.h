#pragma once
// The one table that binds encodings (SDM Vol. 2, Appendix A opcode maps) to
// semantics families. Each family is a template over the emitter, parametrised by
// its operation; the table is instantiated once per emitter (interpreter, LLVM).
// An encoding that no pattern matches raises #UD.
#include <array>
#include <deque>
#include <utility>
#include <vector>

#include "ir/semantics/alu.h"
#include "ir/semantics/bits.h"
#include "ir/semantics/control.h"
#include "ir/semantics/data_move.h"
#include "ir/semantics/exchange.h"
#include "ir/semantics/fpu_control.h"
#include "ir/semantics/muldiv.h"
#include "ir/semantics/opcode_pattern.h"
#include "ir/semantics/privileged.h"
#include "ir/semantics/shift.h"
#include "ir/semantics/sse.h"
#include "ir/semantics/sse_float.h"
#include "ir/semantics/sse_lanes.h"
#include "ir/semantics/sse_shift.h"
#include "ir/semantics/sse_shuffle.h"
#include "ir/semantics/stack.h"
#include "ir/semantics/string.h"
#include "ir/semantics/system.h"
#include "ir/semantics/x87.h"

namespace orcvm::sem {

template <class E>
using Handler = void (*)(E&, const DecodedInsn&);

template <class E>
struct Binding {
  OpcodePattern pattern;
  Handler<E> handler;
};

template <class E>
std::vector<Binding<E>> make_bindings() {
  std::vector<Binding<E>> t;
  auto bind = [&](OpcodePattern p, Handler<E> h) { t.push_back({p, h}); };
  auto bind_range = [&](OpcodePattern first, uint8_t last, Handler<E> h) {
    for (unsigned b = first.opcode; b <= last; ++b) {
      OpcodePattern p = first;
      p.opcode = static_cast<uint8_t>(b);
      bind(p, h);
    }
  };
  constexpr SimdPrefix P66 = SimdPrefix::P66, PF3 = SimdPrefix::PF3, PF2 = SimdPrefix::PF2;

  // Group 1 and the six classic forms of each ALU operation share the /digit order.
  const Handler<E> alu[8] = {&Alu<E, AluOp::Add>, &Alu<E, AluOp::Or>,  &Alu<E, AluOp::Adc>,
                             &Alu<E, AluOp::Sbb>, &Alu<E, AluOp::And>, &Alu<E, AluOp::Sub>,
                             &Alu<E, AluOp::Xor>, &Alu<E, AluOp::Cmp>};
  for (int k = 0; k < 8; ++k) {
    bind_range(op(static_cast<uint8_t>(k * 8)), static_cast<uint8_t>(k * 8 + 5), alu[k]);
    for (uint8_t b : {0x80, 0x81, 0x83}) bind(op(b).with_reg(k), alu[k]);
    bind(op(0x82).with_reg(k).outside_64_bit_mode(), alu[k]);
  }
  for (uint8_t b : {0x84, 0x85, 0xa8, 0xa9}) bind(op(b), &Alu<E, AluOp::Test>);
  // Group 3; /1 is an undocumented alias of TEST.
  const Handler<E> group3[8] = {&Alu<E, AluOp::Test>,   &Alu<E, AluOp::Test>,    &Unary<E, UnaryOp::Not>,
                                &Unary<E, UnaryOp::Neg>, &Multiply<E, false>,     &Multiply<E, true>,
                                &Divide<E, false>,       &Divide<E, true>};
  for (int k = 0; k < 8; ++k)
    for (uint8_t b : {0xf6, 0xf7}) bind(op(b).with_reg(k), group3[k]);
  bind_range(op(0x40).outside_64_bit_mode(), 0x47, &Unary<E, UnaryOp::Inc>);
  bind_range(op(0x48).outside_64_bit_mode(), 0x4f, &Unary<E, UnaryOp::Dec>);
  bind(op(0xfe).with_reg(0), &Unary<E, UnaryOp::Inc>);
  bind(op(0xfe).with_reg(1), &Unary<E, UnaryOp::Dec>);
  bind(op(0xff).with_reg(0), &Unary<E, UnaryOp::Inc>);
  bind(op(0xff).with_reg(1), &Unary<E, UnaryOp::Dec>);

  bind_range(op(0x88), 0x8c, &Mov<E>);
  bind(op(0x8e), &Mov<E>);
  bind_range(op(0xa0), 0xa3, &Mov<E>);
  bind_range(op(0xb0), 0xbf, &Mov<E>);
  bind(op(0xc6).with_reg(0), &Mov<E>);
  bind(op(0xc7).with_reg(0), &Mov<E>);
  bind_range(op0f(0x20), 0x23, &Mov<E>);
  bind_range(op0f(0xb6), 0xb7, &MovExtend<E, false>);
  bind_range(op0f(0xbe), 0xbf, &MovExtend<E, true>);
  bind(op(0x63).in_64_bit_mode(), &MovExtend<E, true>);
  bind(op(0x63).outside_64_bit_mode(), &Arpl<E>);
  bind_range(op0f38(0xf0), 0xf1, &Movbe<E>);
  bind(op(0x8d), &Lea<E>);
  bind(op(0xd7), &Xlat<E>);
  bind_range(op0f(0xc8), 0xcf, &Bswap<E>);
  bind(op(0x98), &SignExtendAccumulator<E>);
  bind(op(0x99), &SignExtendIntoRdx<E>);
  bind(op(0x9f), &Lahf<E>);
  bind(op(0x9e), &Sahf<E>);
  bind(op(0xf8), &CarryFlag<E, CarryOp::Clear>);
  bind(op(0xf9), &CarryFlag<E, CarryOp::Set>);
  bind(op(0xf5), &CarryFlag<E, CarryOp::Complement>);
  bind(op(0xfc), &DirectionFlag<E, false>);
  bind(op(0xfd), &DirectionFlag<E, true>);

  bind_range(op(0x86), 0x87, &Xchg<E>);
  bind_range(op(0x91), 0x97, &Xchg<E>);
  bind(op(0x90), &XchgAccumulatorOrNop<E>);
  bind_range(op0f(0xc0), 0xc1, &Xadd<E>);
  bind_range(op0f(0xb0), 0xb1, &Cmpxchg<E>);
  bind(op0f(0xc7).with_reg(1).memory().w0(), &Cmpxchg8b<E>);
  bind(op0f(0xc7).with_reg(1).memory().w1(), &Cmpxchg16b<E>);

  // Group 2; /6 is an undocumented alias of SHL.
  const Handler<E> group2[8] = {&Shift<E, ShiftOp::Rol>, &Shift<E, ShiftOp::Ror>, &Shift<E, ShiftOp::Rcl>,
                                &Shift<E, ShiftOp::Rcr>, &Shift<E, ShiftOp::Shl>, &Shift<E, ShiftOp::Shr>,
                                &Shift<E, ShiftOp::Shl>, &Shift<E, ShiftOp::Sar>};
  for (int k = 0; k < 8; ++k)
    for (uint8_t b : {0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3}) bind(op(b).with_reg(k), group2[k]);
  bind_range(op0f(0xa4), 0xa5, &DoubleShift<E, true>);
  bind_range(op0f(0xac), 0xad, &DoubleShift<E, false>);
  bind(vex0f38(0xf7).with_prefix(P66), &ShiftNoFlags<E, ShiftOp::Shl>);
  bind(vex0f38(0xf7).with_prefix(PF2), &ShiftNoFlags<E, ShiftOp::Shr>);
  bind(vex0f38(0xf7).with_prefix(PF3), &ShiftNoFlags<E, ShiftOp::Sar>);
  bind(vex0f3a(0xf0).with_prefix(PF2), &ShiftNoFlags<E, ShiftOp::Ror>);

  for (uint8_t b : {0x69, 0x6b}) bind(op(b), &Multiply<E, true>);
  bind(op0f(0xaf), &Multiply<E, true>);
  bind(vex0f38(0xf6).with_prefix(PF2), &Mulx<E>);

  bind(op0f(0xa3), &BitTest<E, BitOp::Test>);
  bind(op0f(0xab), &BitTest<E, BitOp::Set>);
  bind(op0f(0xb3), &BitTest<E, BitOp::Reset>);
  bind(op0f(0xbb), &BitTest<E, BitOp::Complement>);
  bind(op0f(0xba).with_reg(4), &BitTest<E, BitOp::Test>);
  bind(op0f(0xba).with_reg(5), &BitTest<E, BitOp::Set>);
  bind(op0f(0xba).with_reg(6), &BitTest<E, BitOp::Reset>);
  bind(op0f(0xba).with_reg(7), &BitTest<E, BitOp::Complement>);
  bind(op0f(0xbc), &BitScan<E, false>);
  bind(op0f(0xbd), &BitScan<E, true>);
  bind(op0f(0xbc).with_prefix(PF3), &CountZeros<E, false>);
  bind(op0f(0xbd).with_prefix(PF3), &CountZeros<E, true>);
  bind(op0f(0xb8).with_prefix(PF3), &Popcnt<E>);
  bind(vex0f38(0xf2), &Andn<E>);
  bind(vex0f38(0xf7), &Bextr<E>);
  bind(vex0f38(0xf3).with_reg(3), &LowestSetBit<E, LowestBitOp::Isolate>);
  bind(vex0f38(0xf3).with_reg(2), &LowestSetBit<E, LowestBitOp::Mask>);
  bind(vex0f38(0xf3).with_reg(1), &LowestSetBit<E, LowestBitOp::Reset>);
  bind(vex0f38(0xf5), &Bzhi<E>);
  bind(vex0f38(0xf5).with_prefix(PF2), &BitDeposit<E, false>);
  bind(vex0f38(0xf5).with_prefix(PF3), &BitDeposit<E, true>);
  bind(op0f38(0xf6).with_prefix(P66), &AddWithFlag<E, Flag::CF>);
  bind(op0f38(0xf6).with_prefix(PF3), &AddWithFlag<E, Flag::OF>);

  bind_range(op(0xe9), 0xeb, &Jmp<E>);  // EA: far, outside 64-bit mode (Zydis refuses it there)
  bind(op(0xff).with_reg(4), &Jmp<E>);
  bind(op(0xff).with_reg(5).memory(), &Jmp<E>);
  bind(op(0xe8), &Call<E>);
  bind(op(0x9a), &Call<E>);
  bind(op(0xff).with_reg(2), &Call<E>);
  bind(op(0xff).with_reg(3).memory(), &Call<E>);
  for (uint8_t b : {0xc2, 0xc3, 0xca, 0xcb}) bind(op(b), &Ret<E>);
  bind(op(0xe2), &Loop<E, LoopKind::Always>);
  bind(op(0xe1), &Loop<E, LoopKind::WhileEqual>);
  bind(op(0xe0), &Loop<E, LoopKind::WhileNotEqual>);
  bind(op(0xe3), &JumpIfCountZero<E>);
  // The low nibble of Jcc, SETcc and CMOVcc is the condition (SDM Vol. 1, B.1).
  [&]<size_t... N>(std::index_sequence<N...>) {
    (bind(op(0x70 + N), &Jcc<E, static_cast<Cond>(N)>), ...);
    (bind(op0f(0x80 + N), &Jcc<E, static_cast<Cond>(N)>), ...);
    (bind(op0f(0x90 + N), &Set<E, static_cast<Cond>(N)>), ...);
    (bind(op0f(0x40 + N), &Cmov<E, static_cast<Cond>(N)>), ...);
  }(std::make_index_sequence<16>{});

  bind_range(op(0x50), 0x57, &Push<E>);
  bind_range(op(0x58), 0x5f, &Pop<E>);
  for (uint8_t b : {0x68, 0x6a}) bind(op(b), &Push<E>);
  bind(op(0xff).with_reg(6), &Push<E>);
  bind(op(0x8f).with_reg(0), &Pop<E>);
  for (uint8_t b : {0x06, 0x0e, 0x16, 0x1e}) bind(op(b).outside_64_bit_mode(), &Push<E>);
  for (uint8_t b : {0x07, 0x17, 0x1f}) bind(op(b).outside_64_bit_mode(), &Pop<E>);
  for (uint8_t b : {0xa0, 0xa8}) bind(op0f(b), &Push<E>);
  for (uint8_t b : {0xa1, 0xa9}) bind(op0f(b), &Pop<E>);
  bind(op(0x60).outside_64_bit_mode(), &PushAll<E>);
  bind(op(0x61).outside_64_bit_mode(), &PopAll<E>);
  bind(op(0x9c), &Pushf<E>);
  bind(op(0x9d), &Popf<E>);
  bind(op(0xc8), &Enter<E>);
  bind(op(0xc9), &Leave<E>);

  constexpr std::pair<uint8_t, StringOp> kStrings[] = {
      {0xa4, StringOp::Movs}, {0xaa, StringOp::Stos}, {0xac, StringOp::Lods}, {0xa6, StringOp::Cmps},
      {0xae, StringOp::Scas}, {0x6c, StringOp::Ins},  {0x6e, StringOp::Outs}};
  [&]<size_t... N>(std::index_sequence<N...>) {
    ((bind(op(kStrings[N].first), &String<E, kStrings[N].second>),
      bind(op(kStrings[N].first + 1), &String<E, kStrings[N].second>)), ...);
  }(std::make_index_sequence<std::size(kStrings)>{});

  bind(op0f(0xa2), &Cpuid<E>);
  bind(op0f(0x31), &Rdtsc<E>);
  for (uint8_t b : {0xe4, 0xe5, 0xec, 0xed}) bind(op(b), &In<E>);
  for (uint8_t b : {0xe6, 0xe7, 0xee, 0xef}) bind(op(b), &Out<E>);
  bind(op(0xf4), &Hlt<E>);
  bind(op0f(0x01).with_reg(7).memory(), &Invlpg<E>);
  bind(op(0xfa), &InterruptFlag<E, false>);
  bind(op(0xfb), &InterruptFlag<E, true>);
  bind(op0f(0x0b), &Ud2<E>);
  bind(op(0xcd), &Int<E>);
  bind(op(0xcc), &Int3<E>);
  bind(op(0xce).outside_64_bit_mode(), &Into<E>);
  bind(op(0x62).memory().outside_64_bit_mode(), &Bound<E>);
  bind(op0f(0xae).with_reg(7).memory(), &Clflush<E>);
  bind(op0f(0xae).with_reg(7).memory().with_prefix(P66), &Clflush<E>);  // CLFLUSHOPT

  // x87 (SDM Vol. 2, Tables ). The control instructions first.
  bind(op(0x9b), &RuntimeOnly<E, Helper::Fwait>);
  bind(op(0xdb).with_reg(4).with_rm(3), &RuntimeOnly<E, Helper::Fninit>);
  bind(op(0xdb).with_reg(4).with_rm(2), &RuntimeOnly<E, Helper::Fnclex>);
  for (int rm : {0, 1, 4}) bind(op(0xdb).with_reg(4).with_rm(rm), &X87ControlNop<E>);  // FENI FDISI FSETPM
  bind(op(0xdf).with_reg(4).with_rm(0), &X87StoreWord<E, X87Word::Status>);  // FNSTSW AX
  bind(op(0xdd).with_reg(7).memory(), &X87StoreWord<E, X87Word::Status>);
  bind(op(0xd9).with_reg(7).memory(), &X87StoreWord<E, X87Word::Control>);
  bind(op(0xd9).with_reg(5).memory(), &Fldcw<E>);
  {
    using O = X87Op;
    using W = X87Operand;
    constexpr W Reg = W::Register, RegDst = W::RegisterDestination;
    // D8, DC, DA, DE memory forms: ST(0) with m32real, m64real, m32int, m16int.
    auto memory_arithmetic = [&]<W Source>(uint8_t opcode) {
      bind(op(opcode).with_reg(0).memory(), &X87<E, O::Add, Source>);
      bind(op(opcode).with_reg(1).memory(), &X87<E, O::Multiply, Source>);
      bind(op(opcode).with_reg(2).memory(), &X87<E, O::Compare, Source>);
      bind(op(opcode).with_reg(3).memory(), &X87<E, O::Compare, Source, 1>);
      bind(op(opcode).with_reg(4).memory(), &X87<E, O::Subtract, Source>);
      bind(op(opcode).with_reg(5).memory(), &X87<E, O::SubtractReversed, Source>);
      bind(op(opcode).with_reg(6).memory(), &X87<E, O::Divide, Source>);
      bind(op(opcode).with_reg(7).memory(), &X87<E, O::DivideReversed, Source>);
    };
    memory_arithmetic.template operator()<W::Real32>(0xd8);
    memory_arithmetic.template operator()<W::Real64>(0xdc);
    memory_arithmetic.template operator()<W::Int32>(0xda);
    memory_arithmetic.template operator()<W::Int16>(0xde);
    // D8 ST(0) op= ST(i); DC and DE ST(i) op= ST(0), where the /digits of the
    // subtract and divide pairs are swapped, DE popping. DC D0/D8 and DE D0 are
    // aliases of FCOM/FCOMP that hardware decodes.
    bind(op(0xd8).with_reg(0).registers(), &X87<E, O::Add, Reg>);
    bind(op(0xd8).with_reg(1).registers(), &X87<E, O::Multiply, Reg>);
    bind(op(0xd8).with_reg(2).registers(), &X87<E, O::Compare, Reg>);
    bind(op(0xd8).with_reg(3).registers(), &X87<E, O::Compare, Reg, 1>);
    bind(op(0xd8).with_reg(4).registers(), &X87<E, O::Subtract, Reg>);
    bind(op(0xd8).with_reg(5).registers(), &X87<E, O::SubtractReversed, Reg>);
    bind(op(0xd8).with_reg(6).registers(), &X87<E, O::Divide, Reg>);
    bind(op(0xd8).with_reg(7).registers(), &X87<E, O::DivideReversed, Reg>);
    auto destination_arithmetic = [&]<unsigned Pops>(uint8_t opcode) {
      bind(op(opcode).with_reg(0).registers(), &X87<E, O::Add, RegDst, Pops>);
      bind(op(opcode).with_reg(1).registers(), &X87<E, O::Multiply, RegDst, Pops>);
      bind(op(opcode).with_reg(4).registers(), &X87<E, O::SubtractReversed, RegDst, Pops>);
      bind(op(opcode).with_reg(5).registers(), &X87<E, O::Subtract, RegDst, Pops>);
      bind(op(opcode).with_reg(6).registers(), &X87<E, O::DivideReversed, RegDst, Pops>);
      bind(op(opcode).with_reg(7).registers(), &X87<E, O::Divide, RegDst, Pops>);
    };
    destination_arithmetic.template operator()<0>(0xdc);
    destination_arithmetic.template operator()<1>(0xde);
    bind(op(0xdc).with_reg(2).registers(), &X87<E, O::Compare, Reg>);
    bind(op(0xdc).with_reg(3).registers(), &X87<E, O::Compare, Reg, 1>);
    bind(op(0xde).with_reg(2).registers(), &X87<E, O::Compare, Reg, 1>);
    bind(op(0xde).with_reg(3).with_rm(1), &X87<E, O::Compare, Reg, 2>);             // FCOMPP
    bind(op(0xdd).with_reg(4).registers(), &X87<E, O::CompareUnordered, Reg>);       // FUCOM
    bind(op(0xdd).with_reg(5).registers(), &X87<E, O::CompareUnordered, Reg, 1>);    // FUCOMP
    bind(op(0xda).with_reg(5).with_rm(1), &X87<E, O::CompareUnordered, Reg, 2>);     // FUCOMPP
    bind(op(0xdb).with_reg(6).registers(), &X87<E, O::CompareToFlags, Reg>);          // FCOMI
    bind(op(0xdf).with_reg(6).registers(), &X87<E, O::CompareToFlags, Reg, 1>);       // FCOMIP
    bind(op(0xdb).with_reg(5).registers(), &X87<E, O::CompareUnorderedToFlags, Reg>);     // FUCOMI
    bind(op(0xdf).with_reg(5).registers(), &X87<E, O::CompareUnorderedToFlags, Reg, 1>);  // FUCOMIP
    // Loads and stores. D9 D8, DF D0 and DF D8 alias FSTP ST(i); DD C8 and DF C8 alias FXCH.
    bind(op(0xd9).with_reg(0).memory(), &X87<E, O::Load, W::Real32>);
    bind(op(0xdd).with_reg(0).memory(), &X87<E, O::Load, W::Real64>);
    bind(op(0xdb).with_reg(5).memory(), &X87<E, O::Load, W::Real80>);
    bind(op(0xd9).with_reg(0).registers(), &X87<E, O::Load, Reg>);
    bind(op(0xdf).with_reg(0).memory(), &X87<E, O::Load, W::Int16>);
    bind(op(0xdb).with_reg(0).memory(), &X87<E, O::Load, W::Int32>);
    bind(op(0xdf).with_reg(5).memory(), &X87<E, O::Load, W::Int64>);
    bind(op(0xdf).with_reg(4).memory(), &X87<E, O::Load, W::Bcd>);
    bind(op(0xd9).with_reg(2).memory(), &X87<E, O::Store, W::Real32>);
    bind(op(0xd9).with_reg(3).memory(), &X87<E, O::Store, W::Real32, 1>);
    bind(op(0xdd).with_reg(2).memory(), &X87<E, O::Store, W::Real64>);
    bind(op(0xdd).with_reg(3).memory(), &X87<E, O::Store, W::Real64, 1>);
    bind(op(0xdb).with_reg(7).memory(), &X87<E, O::Store, W::Real80, 1>);
    bind(op(0xdd).with_reg(2).registers(), &X87<E, O::Store, RegDst>);
    for (auto [opcode, digit] : {std::pair{0xdd, 3}, {0xd9, 3}, {0xdf, 2}, {0xdf, 3}})
      bind(op(static_cast<uint8_t>(opcode)).with_reg(digit).registers(), &X87<E, O::Store, RegDst, 1>);
    bind(op(0xdf).with_reg(2).memory(), &X87<E, O::Store, W::Int16>);
    bind(op(0xdf).with_reg(3).memory(), &X87<E, O::Store, W::Int16, 1>);
    bind(op(0xdb).with_reg(2).memory(), &X87<E, O::Store, W::Int32>);
    bind(op(0xdb).with_reg(3).memory(), &X87<E, O::Store, W::Int32, 1>);
    bind(op(0xdf).with_reg(7).memory(), &X87<E, O::Store, W::Int64, 1>);
    bind(op(0xdf).with_reg(6).memory(), &X87<E, O::Store, W::Bcd, 1>);
    bind(op(0xdf).with_reg(1).memory(), &X87<E, O::StoreTruncated, W::Int16, 1>);
    bind(op(0xdb).with_reg(1).memory(), &X87<E, O::StoreTruncated, W::Int32, 1>);
    bind(op(0xdd).with_reg(1).memory(), &X87<E, O::StoreTruncated, W::Int64, 1>);
    for (uint8_t opcode : {0xd9, 0xdd, 0xdf}) bind(op(opcode).with_reg(1).registers(), &X87<E, O::Exchange, Reg>);
    constexpr std::pair<int, Cond> kMoves[] = {{0, Cond::B}, {1, Cond::Z}, {2, Cond::BE}, {3, Cond::P}};
    [&]<size_t... N>(std::index_sequence<N...>) {
      (bind(op(0xda).with_reg(kMoves[N].first).registers(), &X87ConditionalMove<E, kMoves[N].second>), ...);
      (bind(op(0xdb).with_reg(kMoves[N].first).registers(),
            &X87ConditionalMove<E, static_cast<Cond>(static_cast<int>(kMoves[N].second) ^ 1)>), ...);
    }(std::make_index_sequence<std::size(kMoves)>{});
    for (int rm = 0; rm < 7; ++rm) bind(op(0xd9).with_reg(5).with_rm(rm), &X87<E, O::LoadConstant>);
    // D9 D0 and D9 E0-FF: one operation per ModRM.
    struct Row {
      int reg, rm;
      X87Op op;
    };
    constexpr Row kNoOperand[] = {
        {2, 0, O::Nop},           {4, 0, O::ChangeSign},   {4, 1, O::Absolute},     {4, 4, O::Test},
        {4, 5, O::Examine},       {6, 0, O::Exp2Minus1},   {6, 1, O::Ylog2x},       {6, 2, O::Tangent},
        {6, 3, O::Arctangent},    {6, 4, O::Extract},      {6, 5, O::IeeeRemainder}, {6, 6, O::DecrementTop},
        {6, 7, O::IncrementTop},  {7, 0, O::PartialRemainder}, {7, 1, O::Ylog2xPlus1}, {7, 2, O::SquareRoot},
        {7, 3, O::SineCosine},    {7, 4, O::RoundToInteger}, {7, 5, O::Scale},      {7, 6, O::Sine},
        {7, 7, O::Cosine}};
    [&]<size_t... N>(std::index_sequence<N...>) {
      (bind(op(0xd9).with_reg(kNoOperand[N].reg).with_rm(kNoOperand[N].rm), &X87<E, kNoOperand[N].op>), ...);
    }(std::make_index_sequence<std::size(kNoOperand)>{});
    bind(op(0xdd).with_reg(0).registers(), &X87<E, O::Free, Reg>);
    bind(op(0xdf).with_reg(0).registers(), &X87<E, O::Free, Reg, 1>);  // FFREEP
    bind(op(0xd9).with_reg(4).memory(), &X87<E, O::LoadEnvironment, W::Image>);
    bind(op(0xd9).with_reg(6).memory(), &X87<E, O::StoreEnvironment, W::Image>);
    bind(op(0xdd).with_reg(4).memory(), &X87<E, O::RestoreState, W::Image>);
    bind(op(0xdd).with_reg(6).memory(), &X87<E, O::SaveState, W::Image>);
  }
  bind(op0f(0xae).with_reg(0).memory(), &FxImage<E, Helper::Fxsave>);
  bind(op0f(0xae).with_reg(1).memory(), &FxImage<E, Helper::Fxrstor>);
  bind(op0f(0xae).with_reg(2).memory(), &Ldmxcsr<E>);
  bind(op0f(0xae).with_reg(3).memory(), &Stmxcsr<E>);
  bind(op(0xcf), &Iret<E>);
  bind(op(0xc4).memory().outside_64_bit_mode(), &LoadFarPointer<E, Seg::ES>);
  bind(op(0xc5).memory().outside_64_bit_mode(), &LoadFarPointer<E, Seg::DS>);
  bind(op0f(0xb4).memory(), &LoadFarPointer<E, Seg::FS>);
  bind(op0f(0xb5).memory(), &LoadFarPointer<E, Seg::GS>);
  bind(op0f(0xb2).memory(), &LoadFarPointer<E, Seg::SS>);
  bind(op0f(0x01).with_reg(0).memory(), &StoreDescriptorTable<E, 0>);
  bind(op0f(0x01).with_reg(1).memory(), &StoreDescriptorTable<E, 1>);
  bind(op0f(0x01).with_reg(2).memory(), &LoadDescriptorTable<E, 0>);
  bind(op0f(0x01).with_reg(3).memory(), &LoadDescriptorTable<E, 1>);
  bind(op0f(0x01).with_reg(4), &Smsw<E>);
  bind(op0f(0x01).with_reg(6), &LoadSystemWord<E, Helper::Lmsw, true>);
  bind(op0f(0x01).with_reg(7).with_rm(0).in_64_bit_mode(), &RuntimeOnly<E, Helper::Swapgs>);
  bind(op0f(0x01).with_reg(7).with_rm(1), &RuntimeOnly<E, Helper::Rdtscp>);
  bind(op0f(0x00).with_reg(0), &StoreSystemSelector<E, 6>);
  bind(op0f(0x00).with_reg(1), &StoreSystemSelector<E, 7>);
  bind(op0f(0x00).with_reg(2), &LoadSystemWord<E, Helper::Lldt, false>);
  bind(op0f(0x00).with_reg(3), &LoadSystemWord<E, Helper::Ltr, false>);
  bind(op0f(0x00).with_reg(4), &VerifySegment<E, 2>);
  bind(op0f(0x00).with_reg(5), &VerifySegment<E, 3>);
  bind(op0f(0x02), &AccessRights<E, 0>);
  bind(op0f(0x03), &AccessRights<E, 1>);
  bind(op0f(0x06), &RuntimeOnly<E, Helper::Clts>);
  bind(op0f(0x32), &RuntimeOnly<E, Helper::Rdmsr>);
  bind(op0f(0x30), &RuntimeThenLoop<E, Helper::Wrmsr>);
  bind(op0f(0x33), &RuntimeOnly<E, Helper::Rdpmc>);
  bind(op0f(0x08), &RuntimeOnly<E, Helper::CheckCpl0>);  // INVD
  bind(op0f(0x09), &RuntimeOnly<E, Helper::CheckCpl0>);  // WBINVD
  bind(op0f(0x05), &Syscall<E>);
  bind(op0f(0x07), &SystemReturn<E, Helper::Sysret>);
  bind(op0f(0x34), &Sysenter<E>);
  bind(op0f(0x35), &SystemReturn<E, Helper::Sysexit>);

  // SSE and SSE2 (legacy encodings): moves, logic, integer lanes.
  constexpr auto Aligned = Alignment::Required, Unaligned = Alignment::Any;
  for (SimdPrefix p : {SimdPrefix::None, P66}) {
    bind(op0f(0x10).with_prefix(p), &MovVector<E, Unaligned>);  // MOVUPS/MOVUPD
    bind(op0f(0x11).with_prefix(p), &MovVector<E, Unaligned>);
    bind(op0f(0x28).with_prefix(p), &MovVector<E, Aligned>);    // MOVAPS/MOVAPD
    bind(op0f(0x29).with_prefix(p), &MovVector<E, Aligned>);
    bind(op0f(0x2b).with_prefix(p).memory(), &MovVector<E, Aligned>);  // MOVNTPS/MOVNTPD
    bind(op0f(0x54).with_prefix(p), &VectorArith<E, VectorOp::And>);
    bind(op0f(0x55).with_prefix(p), &VectorArith<E, VectorOp::AndNot>);
    bind(op0f(0x56).with_prefix(p), &VectorArith<E, VectorOp::Or>);
    bind(op0f(0x57).with_prefix(p), &VectorArith<E, VectorOp::Xor>);
  }
  bind(op0f(0x10).with_prefix(PF3), &MovScalar<E, 32>);
  bind(op0f(0x11).with_prefix(PF3), &MovScalar<E, 32>);
  bind(op0f(0x10).with_prefix(PF2), &MovScalar<E, 64>);
  bind(op0f(0x11).with_prefix(PF2), &MovScalar<E, 64>);
  bind(op0f(0x6f).with_prefix(P66), &MovVector<E, Aligned>);    // MOVDQA
  bind(op0f(0x7f).with_prefix(P66), &MovVector<E, Aligned>);
  bind(op0f(0x6f).with_prefix(PF3), &MovVector<E, Unaligned>);  // MOVDQU
  bind(op0f(0x7f).with_prefix(PF3), &MovVector<E, Unaligned>);
  bind(op0f(0xe7).with_prefix(P66).memory(), &MovVector<E, Aligned>);  // MOVNTDQ
  bind(op0f(0x6e).with_prefix(P66), &MovToVector<E>);
  bind(op0f(0x7e).with_prefix(P66), &MovFromVector<E>);
  bind(op0f(0x7e).with_prefix(PF3), &MovQuadword<E>);
  bind(op0f(0xd6).with_prefix(P66), &MovQuadword<E>);
  bind(op0f(0xdb).with_prefix(P66), &VectorArith<E, VectorOp::And>);     // PAND
  bind(op0f(0xdf).with_prefix(P66), &VectorArith<E, VectorOp::AndNot>);  // PANDN
  bind(op0f(0xeb).with_prefix(P66), &VectorArith<E, VectorOp::Or>);      // POR
  bind(op0f(0xef).with_prefix(P66), &VectorArith<E, VectorOp::Xor>);     // PXOR
  bind(op0f(0xfc).with_prefix(P66), &VectorArith<E, VectorOp::Add, 8>);
  bind(op0f(0xfd).with_prefix(P66), &VectorArith<E, VectorOp::Add, 16>);
  bind(op0f(0xfe).with_prefix(P66), &VectorArith<E, VectorOp::Add, 32>);
  bind(op0f(0xd4).with_prefix(P66), &VectorArith<E, VectorOp::Add, 64>);
  bind(op0f(0xf8).with_prefix(P66), &VectorArith<E, VectorOp::Sub, 8>);
  bind(op0f(0xf9).with_prefix(P66), &VectorArith<E, VectorOp::Sub, 16>);
  bind(op0f(0xfa).with_prefix(P66), &VectorArith<E, VectorOp::Sub, 32>);
  bind(op0f(0xfb).with_prefix(P66), &VectorArith<E, VectorOp::Sub, 64>);
  bind(op0f(0x74).with_prefix(P66), &VectorArith<E, VectorOp::CompareEqual, 8>);
  bind(op0f(0x75).with_prefix(P66), &VectorArith<E, VectorOp::CompareEqual, 16>);
  bind(op0f(0x76).with_prefix(P66), &VectorArith<E, VectorOp::CompareEqual, 32>);
  bind(op0f(0x64).with_prefix(P66), &VectorArith<E, VectorOp::CompareGreater, 8>);
  bind(op0f(0x65).with_prefix(P66), &VectorArith<E, VectorOp::CompareGreater, 16>);
  bind(op0f(0x66).with_prefix(P66), &VectorArith<E, VectorOp::CompareGreater, 32>);
  bind(op0f(0xd7).with_prefix(P66).registers(), &MoveMask<E, 8>);  // PMOVMSKB

  // SSE and SSE2 (legacy encodings): shuffles, unpacks, half moves, word
  // insert/extract, lane shifts, min/max, saturating and multiplying lanes, packs.
  {
    constexpr auto Twice = ShuffleSources::SourceTwice, DstSrc = ShuffleSources::DestinationThenSource;
    bind(op0f(0x70).with_prefix(P66), &Shuffle<E, 32, Twice, &pshufd_pick>);
    bind(op0f(0x70).with_prefix(PF2), &Shuffle<E, 16, Twice, &pshufw_half_pick<false>>);  // PSHUFLW
    bind(op0f(0x70).with_prefix(PF3), &Shuffle<E, 16, Twice, &pshufw_half_pick<true>>);   // PSHUFHW
    bind(op0f(0xc6), &Shuffle<E, 32, DstSrc, &shufps_pick>);
    bind(op0f(0xc6).with_prefix(P66), &Shuffle<E, 64, DstSrc, &shufpd_pick>);
    bind(op0f(0x60).with_prefix(P66), &Shuffle<E, 8, DstSrc, &unpack_pick<8, false>>);    // PUNPCKLBW
    bind(op0f(0x61).with_prefix(P66), &Shuffle<E, 16, DstSrc, &unpack_pick<16, false>>);
    bind(op0f(0x62).with_prefix(P66), &Shuffle<E, 32, DstSrc, &unpack_pick<32, false>>);
    bind(op0f(0x6c).with_prefix(P66), &Shuffle<E, 64, DstSrc, &unpack_pick<64, false>>);  // PUNPCKLQDQ
    bind(op0f(0x68).with_prefix(P66), &Shuffle<E, 8, DstSrc, &unpack_pick<8, true>>);     // PUNPCKHBW
    bind(op0f(0x69).with_prefix(P66), &Shuffle<E, 16, DstSrc, &unpack_pick<16, true>>);
    bind(op0f(0x6a).with_prefix(P66), &Shuffle<E, 32, DstSrc, &unpack_pick<32, true>>);
    bind(op0f(0x6d).with_prefix(P66), &Shuffle<E, 64, DstSrc, &unpack_pick<64, true>>);   // PUNPCKHQDQ
    bind(op0f(0x14), &Shuffle<E, 32, DstSrc, &unpack_pick<32, false>>);                   // UNPCKLPS
    bind(op0f(0x15), &Shuffle<E, 32, DstSrc, &unpack_pick<32, true>>);                    // UNPCKHPS
    bind(op0f(0x14).with_prefix(P66), &Shuffle<E, 64, DstSrc, &unpack_pick<64, false>>);  // UNPCKLPD
    bind(op0f(0x15).with_prefix(P66), &Shuffle<E, 64, DstSrc, &unpack_pick<64, true>>);   // UNPCKHPD
    constexpr auto WithZero = ShuffleSources::DestinationThenZero;
    bind(op0f(0x73).with_prefix(P66).with_reg(3).registers(), &Shuffle<E, 8, WithZero, &byte_shift_pick<false>>);  // PSRLDQ
    bind(op0f(0x73).with_prefix(P66).with_reg(7).registers(), &Shuffle<E, 8, WithZero, &byte_shift_pick<true>>);   // PSLLDQ
  }
  bind(op0f(0x12), &MovHalf<E, 0>);  // MOVLPS m64; MOVHLPS between registers
  bind(op0f(0x13).memory(), &MovHalf<E, 0>);
  bind(op0f(0x16), &MovHalf<E, 1>);  // MOVHPS m64; MOVLHPS between registers
  bind(op0f(0x17).memory(), &MovHalf<E, 1>);
  for (uint8_t b : {0x12, 0x13}) bind(op0f(b).with_prefix(P66).memory(), &MovHalf<E, 0>);  // MOVLPD
  for (uint8_t b : {0x16, 0x17}) bind(op0f(b).with_prefix(P66).memory(), &MovHalf<E, 1>);  // MOVHPD
  bind(op0f(0x50).registers(), &MoveMask<E, 32>);                  // MOVMSKPS
  bind(op0f(0x50).with_prefix(P66).registers(), &MoveMask<E, 64>);  // MOVMSKPD
  bind(op0f(0xc5).with_prefix(P66).registers(), &ExtractWord<E>);   // PEXTRW
  bind(op0f(0xc4).with_prefix(P66), &InsertWord<E>);                // PINSRW
  {
    constexpr auto Left = LaneShift::Left, Logical = LaneShift::RightLogical, Arithmetic = LaneShift::RightArithmetic;
    auto shifts = [&]<unsigned Lane>(uint8_t group, uint8_t right_logical, uint8_t right_arithmetic, uint8_t left) {
      bind(op0f(group).with_prefix(P66).with_reg(2).registers(), &ShiftLanes<E, Logical, Lane>);
      bind(op0f(right_logical).with_prefix(P66), &ShiftLanes<E, Logical, Lane>);
      if (right_arithmetic) {
        bind(op0f(group).with_prefix(P66).with_reg(4).registers(), &ShiftLanes<E, Arithmetic, Lane>);
        bind(op0f(right_arithmetic).with_prefix(P66), &ShiftLanes<E, Arithmetic, Lane>);
      }
      bind(op0f(group).with_prefix(P66).with_reg(6).registers(), &ShiftLanes<E, Left, Lane>);
      bind(op0f(left).with_prefix(P66), &ShiftLanes<E, Left, Lane>);
    };
    shifts.template operator()<16>(0x71, 0xd1, 0xe1, 0xf1);  // PSRLW PSRAW PSLLW
    shifts.template operator()<32>(0x72, 0xd2, 0xe2, 0xf2);  // PSRLD PSRAD PSLLD
    shifts.template operator()<64>(0x73, 0xd3, 0, 0xf3);     // PSRLQ PSLLQ (no PSRAQ before AVX-512)
  }
  bind(op0f(0xda).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedMin, 8>);           // PMINUB
  bind(op0f(0xde).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedMax, 8>);           // PMAXUB
  bind(op0f(0xea).with_prefix(P66), &LaneArith<E, LaneOp::SignedMin, 16>);            // PMINSW
  bind(op0f(0xee).with_prefix(P66), &LaneArith<E, LaneOp::SignedMax, 16>);            // PMAXSW
  bind(op0f(0xe0).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedAverage, 8>);       // PAVGB
  bind(op0f(0xe3).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedAverage, 16>);      // PAVGW
  bind(op0f(0xdc).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedAddSaturate, 8>);   // PADDUSB
  bind(op0f(0xdd).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedAddSaturate, 16>);  // PADDUSW
  bind(op0f(0xec).with_prefix(P66), &LaneArith<E, LaneOp::SignedAddSaturate, 8>);     // PADDSB
  bind(op0f(0xed).with_prefix(P66), &LaneArith<E, LaneOp::SignedAddSaturate, 16>);    // PADDSW
  bind(op0f(0xd8).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedSubSaturate, 8>);   // PSUBUSB
  bind(op0f(0xd9).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedSubSaturate, 16>);  // PSUBUSW
  bind(op0f(0xe8).with_prefix(P66), &LaneArith<E, LaneOp::SignedSubSaturate, 8>);     // PSUBSB
  bind(op0f(0xe9).with_prefix(P66), &LaneArith<E, LaneOp::SignedSubSaturate, 16>);    // PSUBSW
  bind(op0f(0xd5).with_prefix(P66), &LaneArith<E, LaneOp::MultiplyLow, 16>);          // PMULLW
  bind(op0f(0xe5).with_prefix(P66), &LaneArith<E, LaneOp::SignedMultiplyHigh, 16>);   // PMULHW
  bind(op0f(0xe4).with_prefix(P66), &LaneArith<E, LaneOp::UnsignedMultiplyHigh, 16>); // PMULHUW
  bind(op0f(0xf4).with_prefix(P66), &LaneArith<E, LaneOp::MultiplyUnsignedDwords, 64>);  // PMULUDQ
  bind(op0f(0xf5).with_prefix(P66), &LaneArith<E, LaneOp::MultiplyAddWords, 32>);     // PMADDWD
  bind(op0f(0xf6).with_prefix(P66), &LaneArith<E, LaneOp::SumAbsoluteDifferences, 64>);  // PSADBW
  bind(op0f(0x63).with_prefix(P66), &LaneArith<E, LaneOp::PackSigned, 16>);           // PACKSSWB
  bind(op0f(0x6b).with_prefix(P66), &LaneArith<E, LaneOp::PackSigned, 32>);           // PACKSSDW
  bind(op0f(0x67).with_prefix(P66), &LaneArith<E, LaneOp::PackUnsigned, 16>);         // PACKUSWB

  // SSE and SSE2 floating point (legacy encodings). The mandatory prefix picks the
  // shape: none PS, 66 PD, F3 SS, F2 SD. The MMX-operand conversions (CVTPI2PS,
  // CVTPS2PI, CVTTPS2PI and the PD forms) stay unbound: MMX is not implemented.
  {
    constexpr LaneFormat Single = LaneFormat::Single, Double = LaneFormat::Double, Int32 = LaneFormat::Int32;
    constexpr std::pair<uint8_t, FloatOp> kArith[] = {{0x58, FloatOp::Add}, {0x59, FloatOp::Mul}, {0x5c, FloatOp::Sub},
                                                      {0x5d, FloatOp::Min}, {0x5e, FloatOp::Div}, {0x5f, FloatOp::Max},
                                                      {0x51, FloatOp::Sqrt}, {0xc2, FloatOp::Compare}};
    auto arith_shape = [&]<LaneFormat Format, bool Scalar>(SimdPrefix prefix) {
      [&]<size_t... A>(std::index_sequence<A...>) {
        (bind(op0f(kArith[A].first).with_prefix(prefix), &FloatLanes<E, float_arith(kArith[A].second, Format, Scalar)>), ...);
      }(std::make_index_sequence<std::size(kArith)>{});
    };
    arith_shape.template operator()<Single, false>(SimdPrefix::None);  // PS
    arith_shape.template operator()<Double, false>(P66);               // PD
    arith_shape.template operator()<Single, true>(PF3);                // SS
    arith_shape.template operator()<Double, true>(PF2);                // SD
    bind(op0f(0x53), &FloatLanes<E, float_arith(FloatOp::Reciprocal, Single, false)>);                  // RCPPS
    bind(op0f(0x53).with_prefix(PF3), &FloatLanes<E, float_arith(FloatOp::Reciprocal, Single, true)>);  // RCPSS
    bind(op0f(0x52), &FloatLanes<E, float_arith(FloatOp::ReciprocalSqrt, Single, false)>);              // RSQRTPS
    bind(op0f(0x52).with_prefix(PF3), &FloatLanes<E, float_arith(FloatOp::ReciprocalSqrt, Single, true)>);
    bind(op0f(0x2e), &OrderedCompare<E, Single, false>);                 // UCOMISS
    bind(op0f(0x2e).with_prefix(P66), &OrderedCompare<E, Double, false>);  // UCOMISD
    bind(op0f(0x2f), &OrderedCompare<E, Single, true>);                  // COMISS
    bind(op0f(0x2f).with_prefix(P66), &OrderedCompare<E, Double, true>);   // COMISD
    bind(op0f(0x5a), &FloatLanes<E, float_convert(Single, Double, false)>);                  // CVTPS2PD
    bind(op0f(0x5a).with_prefix(P66), &FloatLanes<E, float_convert(Double, Single, false)>);  // CVTPD2PS
    bind(op0f(0x5a).with_prefix(PF3), &FloatLanes<E, float_convert(Single, Double, true)>);   // CVTSS2SD
    bind(op0f(0x5a).with_prefix(PF2), &FloatLanes<E, float_convert(Double, Single, true)>);   // CVTSD2SS
    bind(op0f(0x5b), &FloatLanes<E, float_convert(Int32, Single, false)>);                    // CVTDQ2PS
    bind(op0f(0x5b).with_prefix(P66), &FloatLanes<E, float_convert(Single, Int32, false)>);   // CVTPS2DQ
    bind(op0f(0x5b).with_prefix(PF3), &FloatLanes<E, float_convert(Single, Int32, false, true)>);  // CVTTPS2DQ
    bind(op0f(0xe6).with_prefix(PF3), &FloatLanes<E, float_convert(Int32, Double, false)>);   // CVTDQ2PD
    bind(op0f(0xe6).with_prefix(PF2), &FloatLanes<E, float_convert(Double, Int32, false)>);   // CVTPD2DQ
    bind(op0f(0xe6).with_prefix(P66), &FloatLanes<E, float_convert(Double, Int32, false, true)>);  // CVTTPD2DQ
    bind(op0f(0x2a).with_prefix(PF3), &ConvertFromInteger<E, Single>);  // CVTSI2SS
    bind(op0f(0x2a).with_prefix(PF2), &ConvertFromInteger<E, Double>);  // CVTSI2SD
    bind(op0f(0x2c).with_prefix(PF3), &ConvertToInteger<E, Single, true>);   // CVTTSS2SI
    bind(op0f(0x2c).with_prefix(PF2), &ConvertToInteger<E, Double, true>);   // CVTTSD2SI
    bind(op0f(0x2d).with_prefix(PF3), &ConvertToInteger<E, Single, false>);  // CVTSS2SI
    bind(op0f(0x2d).with_prefix(PF2), &ConvertToInteger<E, Double, false>);  // CVTSD2SI
  }
  bind(op0f(0xf7).with_prefix(P66).registers(), &MaskMoveBytes<E>);  // MASKMOVDQU
  bind(op0f(0xc3).memory(), &Mov<E>);                                // MOVNTI: a plain store

  // Hint NOPs (0F 18-1F, PREFETCHh among them; the memory forms of 1A/1B are
  // MPX's, not implemented), 0F 0D's register forms and PREFETCHW, ENDBR32/64,
  // and the fences, which order nothing on one VCPU.
  for (uint8_t b : {0x18, 0x19, 0x1c, 0x1d, 0x1e, 0x1f}) bind(op0f(b), &Nop<E>);
  for (uint8_t b : {0x1a, 0x1b, 0x0d}) bind(op0f(b).registers(), &Nop<E>);
  bind(op0f(0x0d).with_reg(1).memory(), &Nop<E>);
  bind(op0f(0x1e).with_prefix(PF3).with_rm(2).with_reg(7), &Nop<E>);
  bind(op0f(0x1e).with_prefix(PF3).with_rm(3).with_reg(7), &Nop<E>);
  for (int k : {5, 6, 7}) bind(op0f(0xae).with_reg(k).registers(), &Nop<E>);
  return t;
}

// The bindings of one emitter, resolved once: each (VEX, map, opcode, prefix)
// bucket holds either its one unconstrained binding or a table by ModRM, W and
// mode, so a lookup is two loads.
template <class E>
class BindingTable {
 public:
  BindingTable(const BindingTable&) = delete;
  BindingTable() : bindings_(make_bindings<E>()) {
    static_assert(kBindingNone > 4096);  // far more than the table holds
    std::array<std::vector<const Binding<E>*>, kBuckets> candidates;
    for (const Binding<E>& b : bindings_)
      candidates[bucket(b.pattern.vex, b.pattern.map, b.pattern.opcode, b.pattern.prefix)].push_back(&b);
    for (size_t i = 0; i < kBuckets; ++i) {
      const auto& c = candidates[i];
      if (c.size() == 1 && c[0]->pattern.specificity() == 0) {
        buckets_[i].only = c[0];
      } else if (!c.empty()) {
        auto& by_variant = variants_.emplace_back();
        for (unsigned v = 0; v < kVariants; ++v) by_variant[v] = most_specific(c, variant_encoding(c[0]->pattern, v));
        buckets_[i].by_variant = &by_variant;
      }
    }
  }

  // The most specific binding matching the encoding, or nullptr.
  const Binding<E>* find(const Encoding& enc) const {
    if (enc.map == OpcodeMap::Other) return nullptr;
    const Bucket& b = buckets_[bucket(enc.vex, enc.map, enc.opcode, enc.prefix)];
    if (b.only) return b.only;
    if (!b.by_variant) return nullptr;
    const Binding<E>* best = (*b.by_variant)[variant(enc)];
    return best && best->pattern.matches(enc) ? best : nullptr;  // has_modrm decides the rest
  }

  // The index DecodedInsn::binding records; the same for every emitter, whose
  // tables make_bindings builds in one order.
  uint16_t index_of(const Encoding& enc) const {
    const Binding<E>* b = find(enc);
    return b ? static_cast<uint16_t>(b - bindings_.data()) : kBindingNone;
  }

  Handler<E> handler(const DecodedInsn& insn) const {
    if (insn.binding == kBindingNone) return &Unimplemented<E>;
    if (insn.binding != kBindingUnresolved) return bindings_[insn.binding].handler;
    const Binding<E>* b = find(insn.encoding);
    return b ? b->handler : &Unimplemented<E>;
  }

  const std::vector<Binding<E>>& bindings() const { return bindings_; }

 private:
  static constexpr size_t kBuckets = 2 * 4 * 256 * 4;
  static constexpr unsigned kVariants = 256 * 2 * 2;  // ModRM, W, 64-bit mode
  struct Bucket {
    const Binding<E>* only = nullptr;
    const std::array<const Binding<E>*, kVariants>* by_variant = nullptr;
  };

  static size_t bucket(bool vex, OpcodeMap map, uint8_t opcode, SimdPrefix prefix) {
    return ((size_t{vex} * 4 + static_cast<size_t>(map)) * 256 + opcode) * 4 + static_cast<size_t>(prefix);
  }
  static unsigned variant(const Encoding& e) { return e.modrm | unsigned{e.w} << 8 | unsigned{e.long_mode} << 9; }
  static Encoding variant_encoding(const OpcodePattern& p, unsigned v) {
    Encoding e{p.map, p.opcode, p.prefix, p.vex, true, static_cast<uint8_t>(v & 0xff), (v >> 8 & 1) != 0, false,
               (v >> 9 & 1) != 0};
    return e;
  }
  static const Binding<E>* most_specific(const std::vector<const Binding<E>*>& candidates, const Encoding& enc) {
    const Binding<E>* best = nullptr;
    for (const Binding<E>* b : candidates)
      if (b->pattern.matches(enc) && (!best || b->pattern.specificity() > best->pattern.specificity())) best = b;
    return best;
  }

  std::vector<Binding<E>> bindings_;
  std::array<Bucket, kBuckets> buckets_{};
  std::deque<std::array<const Binding<E>*, kVariants>> variants_;
};

template <class E>
const BindingTable<E>& bindings() {
  static const BindingTable<E> table;
  return table;
}

}  // namespace orcvm::sem
