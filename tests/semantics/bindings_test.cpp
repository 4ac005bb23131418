// The binding table: no encoding is bound twice at the same specificity, and
// encodings that differ only in a mandatory prefix, /digit, form, W or mode reach
// the family the SDM's opcode map gives them.
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

#include "frontend/decode/decoder.h"
#include "ir/semantics/bindings.h"
#include "runtime/interp/interp_emitter.h"

namespace orcvm {
namespace {

using E = InterpEmitter;

const sem::BindingTable<E>& table() { return sem::bindings<E>(); }

sem::Handler<E> handler_of(std::initializer_list<uint8_t> bytes, unsigned code_bits = 64) {
  const Decoder decoder(code_bits);
  const std::vector<uint8_t> b(bytes);
  DecodedInsn insn;
  EXPECT_EQ(decoder.decode(b.data(), b.size(), 0, insn), DecodeStatus::Ok);
  return table().handler(insn);
}

TEST(Bindings, NoEncodingMatchesTwoPatternsOfEqualSpecificity) {
  for (const sem::Binding<E>& a : table().bindings()) {
    for (unsigned modrm = 0; modrm < 256; ++modrm)
      for (bool w : {false, true})
        for (bool long_mode : {false, true}) {
          Encoding enc{a.pattern.map, a.pattern.opcode, a.pattern.prefix, a.pattern.vex, true,
                       static_cast<uint8_t>(modrm), w, false, long_mode};
          if (!a.pattern.matches(enc)) continue;
          int equally_specific = 0;
          for (const sem::Binding<E>& b : table().bindings())
            equally_specific += b.pattern.matches(enc) && b.pattern.specificity() == a.pattern.specificity();
          ASSERT_EQ(equally_specific, 1) << "opcode " << int(a.pattern.opcode) << " modrm " << modrm;
        }
  }
}

TEST(Bindings, MandatoryPrefixSelectsTheInstruction) {
  EXPECT_EQ(handler_of({0xf3, 0x0f, 0xb8, 0xc0}), (&sem::Popcnt<E>));
  EXPECT_EQ(handler_of({0x0f, 0xbc, 0xc0}), (&sem::BitScan<E, false>));
  EXPECT_EQ(handler_of({0xf3, 0x0f, 0xbc, 0xc0}), (&sem::CountZeros<E, false>));
  EXPECT_EQ(handler_of({0x66, 0x0f, 0x38, 0xf6, 0xc0}), (&sem::AddWithFlag<E, sem::Flag::CF>));
  EXPECT_EQ(handler_of({0xf3, 0x0f, 0x38, 0xf6, 0xc0}), (&sem::AddWithFlag<E, sem::Flag::OF>));
  // An operand-size 66 is not a mandatory prefix; REP is none either.
  EXPECT_EQ(handler_of({0x66, 0x01, 0xc0}), (&sem::Alu<E, sem::AluOp::Add>));
  EXPECT_EQ(handler_of({0xf3, 0xa4}), (&sem::String<E, sem::StringOp::Movs>));
  EXPECT_EQ(handler_of({0xf2, 0xae}), (&sem::String<E, sem::StringOp::Scas>));
  // 66 and F3 select MOVDQA and MOVDQU; F2 0F 10 is MOVSD, not the string MOVSD.
  EXPECT_EQ(handler_of({0x66, 0x0f, 0x6f, 0xc0}), (&sem::MovVector<E, sem::Alignment::Required>));
  EXPECT_EQ(handler_of({0xf3, 0x0f, 0x6f, 0xc0}), (&sem::MovVector<E, sem::Alignment::Any>));
  EXPECT_EQ(handler_of({0xf2, 0x0f, 0x10, 0xc0}), (&sem::MovScalar<E, 64>));
  EXPECT_EQ(handler_of({0xa5}), (&sem::String<E, sem::StringOp::Movs>));
}

TEST(Bindings, GroupsDigitsFormsWidthAndMode) {
  EXPECT_EQ(handler_of({0xc1, 0xf0, 0x01}), (&sem::Shift<E, sem::ShiftOp::Shl>));  // C1 /6
  EXPECT_EQ(handler_of({0xc1, 0xf8, 0x01}), (&sem::Shift<E, sem::ShiftOp::Sar>));  // C1 /7
  EXPECT_EQ(handler_of({0x0f, 0x01, 0x38}), (&sem::Invlpg<E>));                   // /7 memory
  EXPECT_EQ(handler_of({0x0f, 0x01, 0xf8}), (&sem::RuntimeOnly<E, Helper::Swapgs>));
  EXPECT_EQ(handler_of({0x0f, 0xc7, 0x08}), (&sem::Cmpxchg8b<E>));
  EXPECT_EQ(handler_of({0x48, 0x0f, 0xc7, 0x08}), (&sem::Cmpxchg16b<E>));
  EXPECT_EQ(handler_of({0x63, 0xc0}, 64), (&sem::MovExtend<E, true>));
  EXPECT_EQ(handler_of({0x63, 0xc0}, 32), (&sem::Arpl<E>));
  EXPECT_EQ(handler_of({0x90}), (&sem::XchgAccumulatorOrNop<E>));
  EXPECT_EQ(handler_of({0x0f, 0x1a, 0x00}), (&sem::Unimplemented<E>));  // MPX BNDLDX
  EXPECT_EQ(handler_of({0x0f, 0x1a, 0xc0}), (&sem::Nop<E>));
}

// The mandatory prefix picks the SSE floating-point shape: none PS, 66 PD, F3 SS, F2 SD.
TEST(Bindings, SseFloatShapes) {
  using sem::FloatOp;
  using sem::LaneFormat;
  constexpr LaneFormat S = LaneFormat::Single, D = LaneFormat::Double, I = LaneFormat::Int32;
  EXPECT_EQ(handler_of({0x0f, 0x58, 0xc1}), (&sem::FloatLanes<E, sem::float_arith(FloatOp::Add, S, false)>));
  EXPECT_EQ(handler_of({0x66, 0x0f, 0x58, 0xc1}), (&sem::FloatLanes<E, sem::float_arith(FloatOp::Add, D, false)>));
  EXPECT_EQ(handler_of({0xf3, 0x0f, 0x51, 0xc1}), (&sem::FloatLanes<E, sem::float_arith(FloatOp::Sqrt, S, true)>));
  // F2 0F C2 is CMPSD xmm, not the string CMPSD (A7).
  EXPECT_EQ(handler_of({0xf2, 0x0f, 0xc2, 0xc1, 0x01}), (&sem::FloatLanes<E, sem::float_arith(FloatOp::Compare, D, true)>));
  EXPECT_EQ(handler_of({0x66, 0x0f, 0xe6, 0xc1}), (&sem::FloatLanes<E, sem::float_convert(D, I, false, true)>));
  EXPECT_EQ(handler_of({0xf3, 0x48, 0x0f, 0x2a, 0xc0}), (&sem::ConvertFromInteger<E, S>));
  EXPECT_EQ(handler_of({0xf2, 0x48, 0x0f, 0x2c, 0xc1}), (&sem::ConvertToInteger<E, D, true>));
  EXPECT_EQ(handler_of({0x66, 0x0f, 0x2f, 0xc1}), (&sem::OrderedCompare<E, D, true>));
  EXPECT_EQ(handler_of({0x66, 0x0f, 0xf7, 0xc1}), (&sem::MaskMoveBytes<E>));
  EXPECT_EQ(handler_of({0x0f, 0xc3, 0x07}), (&sem::Mov<E>));  // MOVNTI
}

TEST(Bindings, UnboundEncodingsRaiseUd) {
  EXPECT_EQ(handler_of({0x0f, 0x2a, 0xc1}), (&sem::Unimplemented<E>));        // CVTPI2PS (MMX source)
  EXPECT_EQ(handler_of({0x66, 0x0f, 0x2d, 0xc1}), (&sem::Unimplemented<E>));  // CVTPD2PI (MMX destination)
  EXPECT_EQ(handler_of({0x0f, 0x0d, 0x10}), (&sem::Unimplemented<E>));  // PREFETCHWT1
  EXPECT_EQ(handler_of({0x0f, 0x6f, 0xc0}), (&sem::Unimplemented<E>));  // MMX MOVQ
  EXPECT_EQ(handler_of({0x0f, 0x70, 0xc0, 0x1b}), (&sem::Unimplemented<E>));  // PSHUFW (MMX)
  EXPECT_EQ(handler_of({0x62, 0xf1, 0x7c, 0x48, 0x58, 0xc0}), (&sem::Unimplemented<E>));  // EVEX
}

TEST(Bindings, X87FormsAndAliases) {
  using O = X87Op;
  using W = X87Operand;
  // One family; the operation and operand come from the encoding.
  EXPECT_EQ(handler_of({0xd9, 0x00}), (&sem::X87<E, O::Load, W::Real32>));
  EXPECT_EQ(handler_of({0xd9, 0xc1}), (&sem::X87<E, O::Load, W::Register>));
  EXPECT_EQ(handler_of({0xdb, 0x28}), (&sem::X87<E, O::Load, W::Real80>));
  EXPECT_EQ(handler_of({0xdf, 0x28}), (&sem::X87<E, O::Load, W::Int64>));
  // D8 and DC /4 /5: ST(0) - ST(i), but ST(0) - ST(i) into ST(i) (FSUBR ST(i), ST(0)).
  EXPECT_EQ(handler_of({0xd8, 0xe1}), (&sem::X87<E, O::Subtract, W::Register>));
  EXPECT_EQ(handler_of({0xdc, 0xe1}), (&sem::X87<E, O::SubtractReversed, W::RegisterDestination>));
  EXPECT_EQ(handler_of({0xde, 0xf9}), (&sem::X87<E, O::Divide, W::RegisterDestination, 1>));
  EXPECT_EQ(handler_of({0xdc, 0x20}), (&sem::X87<E, O::Subtract, W::Real64>));
  EXPECT_EQ(handler_of({0xde, 0x38}), (&sem::X87<E, O::DivideReversed, W::Int16>));
  EXPECT_EQ(handler_of({0xde, 0xd9}), (&sem::X87<E, O::Compare, W::Register, 2>));      // FCOMPP
  EXPECT_EQ(handler_of({0xda, 0xe9}), (&sem::X87<E, O::CompareUnordered, W::Register, 2>));
  // The aliases hardware decodes behave as their twins.
  EXPECT_EQ(handler_of({0xdd, 0xc9}), (&sem::X87<E, O::Exchange, W::Register>));        // FXCH4
  EXPECT_EQ(handler_of({0xdf, 0xc9}), (&sem::X87<E, O::Exchange, W::Register>));        // FXCH7
  EXPECT_EQ(handler_of({0xd9, 0xd9}), (&sem::X87<E, O::Store, W::RegisterDestination, 1>));  // FSTP1
  EXPECT_EQ(handler_of({0xdf, 0xd1}), (&sem::X87<E, O::Store, W::RegisterDestination, 1>));  // FSTP8
  EXPECT_EQ(handler_of({0xdf, 0xd9}), (&sem::X87<E, O::Store, W::RegisterDestination, 1>));  // FSTP9
  EXPECT_EQ(handler_of({0xdc, 0xd1}), (&sem::X87<E, O::Compare, W::Register>));         // FCOM2
  EXPECT_EQ(handler_of({0xdc, 0xd9}), (&sem::X87<E, O::Compare, W::Register, 1>));      // FCOMP3
  EXPECT_EQ(handler_of({0xde, 0xd1}), (&sem::X87<E, O::Compare, W::Register, 1>));      // FCOMP5
  EXPECT_EQ(handler_of({0xdf, 0xc1}), (&sem::X87<E, O::Free, W::Register, 1>));         // FFREEP
  EXPECT_EQ(handler_of({0xdb, 0xe0}), (&sem::X87ControlNop<E>));                         // FENI
  EXPECT_EQ(handler_of({0xda, 0xc1}), (&sem::X87ConditionalMove<E, sem::Cond::B>));
  EXPECT_EQ(handler_of({0xdb, 0xd9}), (&sem::X87ConditionalMove<E, sem::Cond::NP>));
  EXPECT_EQ(handler_of({0xd9, 0xee}), (&sem::X87<E, O::LoadConstant>));
  EXPECT_EQ(handler_of({0xd9, 0x20}), (&sem::X87<E, O::LoadEnvironment, W::Image>));
  // The control instructions keep their own families.
  EXPECT_EQ(handler_of({0xdb, 0xe3}), (&sem::RuntimeOnly<E, Helper::Fninit>));
  EXPECT_EQ(handler_of({0xdf, 0xe0}), (&sem::X87StoreWord<E, sem::X87Word::Status>));
  EXPECT_EQ(handler_of({0xd9, 0x28}), (&sem::Fldcw<E>));
}

}  // namespace
}  // namespace orcvm
