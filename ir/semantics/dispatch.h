#pragma once
// The one table that binds decoded mnemonics to semantics families. Each family is
// a template over the emitter, parametrised by its operation; the table is
// instantiated once per emitter (interpreter, LLVM).
#include <array>

#include "ir/semantics/alu.h"
#include "ir/semantics/bits.h"
#include "ir/semantics/control.h"
#include "ir/semantics/data_move.h"
#include "ir/semantics/exchange.h"
#include "ir/semantics/muldiv.h"
#include "ir/semantics/privileged.h"
#include "ir/semantics/shift.h"
#include "ir/semantics/stack.h"
#include "ir/semantics/string.h"
#include "ir/semantics/system.h"

namespace orcvm::sem {

template <class E>
using Handler = void (*)(E&, const DecodedInsn&);

template <class E>
constexpr std::array<Handler<E>, static_cast<size_t>(Mnemonic::Count)> make_handler_table() {
  std::array<Handler<E>, static_cast<size_t>(Mnemonic::Count)> t{};
  for (auto& h : t) h = &Unimplemented<E>;
  auto bind = [&](Mnemonic m, Handler<E> h) { t[static_cast<size_t>(m)] = h; };
  using M = Mnemonic;

  bind(M::ADD, &Alu<E, AluOp::Add>);
  bind(M::ADC, &Alu<E, AluOp::Adc>);
  bind(M::SUB, &Alu<E, AluOp::Sub>);
  bind(M::SBB, &Alu<E, AluOp::Sbb>);
  bind(M::AND, &Alu<E, AluOp::And>);
  bind(M::OR, &Alu<E, AluOp::Or>);
  bind(M::XOR, &Alu<E, AluOp::Xor>);
  bind(M::CMP, &Alu<E, AluOp::Cmp>);
  bind(M::TEST, &Alu<E, AluOp::Test>);
  bind(M::INC, &Unary<E, UnaryOp::Inc>);
  bind(M::DEC, &Unary<E, UnaryOp::Dec>);
  bind(M::NEG, &Unary<E, UnaryOp::Neg>);
  bind(M::NOT, &Unary<E, UnaryOp::Not>);

  bind(M::MOV, &Mov<E>);
  bind(M::MOVZX, &MovExtend<E, false>);
  bind(M::MOVSX, &MovExtend<E, true>);
  bind(M::MOVSXD, &MovExtend<E, true>);
  bind(M::MOVBE, &Movbe<E>);
  bind(M::LEA, &Lea<E>);
  bind(M::XLAT, &Xlat<E>);
  bind(M::BSWAP, &Bswap<E>);
  bind(M::CBW, &SignExtendAccumulator<E>);
  bind(M::CWDE, &SignExtendAccumulator<E>);
  bind(M::CDQE, &SignExtendAccumulator<E>);
  bind(M::CWD, &SignExtendIntoRdx<E>);
  bind(M::CDQ, &SignExtendIntoRdx<E>);
  bind(M::CQO, &SignExtendIntoRdx<E>);
  bind(M::LAHF, &Lahf<E>);
  bind(M::SAHF, &Sahf<E>);
  bind(M::CLC, &CarryFlag<E, CarryOp::Clear>);
  bind(M::STC, &CarryFlag<E, CarryOp::Set>);
  bind(M::CMC, &CarryFlag<E, CarryOp::Complement>);
  bind(M::CLD, &DirectionFlag<E, false>);
  bind(M::STD, &DirectionFlag<E, true>);

  bind(M::XCHG, &Xchg<E>);
  bind(M::XADD, &Xadd<E>);
  bind(M::CMPXCHG, &Cmpxchg<E>);
  bind(M::CMPXCHG8B, &Cmpxchg8b<E>);
  bind(M::CMPXCHG16B, &Cmpxchg16b<E>);

  bind(M::SHL, &Shift<E, ShiftOp::Shl>);
  bind(M::SHR, &Shift<E, ShiftOp::Shr>);
  bind(M::SAR, &Shift<E, ShiftOp::Sar>);
  bind(M::ROL, &Shift<E, ShiftOp::Rol>);
  bind(M::ROR, &Shift<E, ShiftOp::Ror>);
  bind(M::RCL, &Shift<E, ShiftOp::Rcl>);
  bind(M::RCR, &Shift<E, ShiftOp::Rcr>);
  bind(M::SHLD, &DoubleShift<E, true>);
  bind(M::SHRD, &DoubleShift<E, false>);
  bind(M::SHLX, &ShiftNoFlags<E, ShiftOp::Shl>);
  bind(M::SHRX, &ShiftNoFlags<E, ShiftOp::Shr>);
  bind(M::SARX, &ShiftNoFlags<E, ShiftOp::Sar>);
  bind(M::RORX, &ShiftNoFlags<E, ShiftOp::Ror>);

  bind(M::MUL, &Multiply<E, false>);
  bind(M::IMUL, &Multiply<E, true>);
  bind(M::DIV, &Divide<E, false>);
  bind(M::IDIV, &Divide<E, true>);
  bind(M::MULX, &Mulx<E>);

  bind(M::BT, &BitTest<E, BitOp::Test>);
  bind(M::BTS, &BitTest<E, BitOp::Set>);
  bind(M::BTR, &BitTest<E, BitOp::Reset>);
  bind(M::BTC, &BitTest<E, BitOp::Complement>);
  bind(M::BSF, &BitScan<E, false>);
  bind(M::BSR, &BitScan<E, true>);
  bind(M::TZCNT, &CountZeros<E, false>);
  bind(M::LZCNT, &CountZeros<E, true>);
  bind(M::POPCNT, &Popcnt<E>);
  bind(M::ANDN, &Andn<E>);
  bind(M::BEXTR, &Bextr<E>);
  bind(M::BLSI, &LowestSetBit<E, LowestBitOp::Isolate>);
  bind(M::BLSMSK, &LowestSetBit<E, LowestBitOp::Mask>);
  bind(M::BLSR, &LowestSetBit<E, LowestBitOp::Reset>);
  bind(M::BZHI, &Bzhi<E>);
  bind(M::PDEP, &BitDeposit<E, false>);
  bind(M::PEXT, &BitDeposit<E, true>);
  bind(M::ADCX, &AddWithFlag<E, Flag::CF>);
  bind(M::ADOX, &AddWithFlag<E, Flag::OF>);

  bind(M::JMP, &Jmp<E>);
  bind(M::CALL, &Call<E>);
  bind(M::RET, &Ret<E>);
  bind(M::LOOP, &Loop<E, LoopKind::Always>);
  bind(M::LOOPE, &Loop<E, LoopKind::WhileEqual>);
  bind(M::LOOPNE, &Loop<E, LoopKind::WhileNotEqual>);
  bind(M::JCXZ, &JumpIfCountZero<E>);
  bind(M::JECXZ, &JumpIfCountZero<E>);
  bind(M::JRCXZ, &JumpIfCountZero<E>);

  constexpr std::pair<Mnemonic, Cond> kJcc[] = {
      {M::JO, Cond::O}, {M::JNO, Cond::NO}, {M::JB, Cond::B}, {M::JNB, Cond::NB},
      {M::JZ, Cond::Z}, {M::JNZ, Cond::NZ}, {M::JBE, Cond::BE}, {M::JNBE, Cond::NBE},
      {M::JS, Cond::S}, {M::JNS, Cond::NS}, {M::JP, Cond::P}, {M::JNP, Cond::NP},
      {M::JL, Cond::L}, {M::JNL, Cond::NL}, {M::JLE, Cond::LE}, {M::JNLE, Cond::NLE}};
  constexpr std::pair<Mnemonic, Cond> kSet[] = {
      {M::SETO, Cond::O}, {M::SETNO, Cond::NO}, {M::SETB, Cond::B}, {M::SETNB, Cond::NB},
      {M::SETZ, Cond::Z}, {M::SETNZ, Cond::NZ}, {M::SETBE, Cond::BE}, {M::SETNBE, Cond::NBE},
      {M::SETS, Cond::S}, {M::SETNS, Cond::NS}, {M::SETP, Cond::P}, {M::SETNP, Cond::NP},
      {M::SETL, Cond::L}, {M::SETNL, Cond::NL}, {M::SETLE, Cond::LE}, {M::SETNLE, Cond::NLE}};
  constexpr std::pair<Mnemonic, Cond> kCmov[] = {
      {M::CMOVO, Cond::O}, {M::CMOVNO, Cond::NO}, {M::CMOVB, Cond::B}, {M::CMOVNB, Cond::NB},
      {M::CMOVZ, Cond::Z}, {M::CMOVNZ, Cond::NZ}, {M::CMOVBE, Cond::BE}, {M::CMOVNBE, Cond::NBE},
      {M::CMOVS, Cond::S}, {M::CMOVNS, Cond::NS}, {M::CMOVP, Cond::P}, {M::CMOVNP, Cond::NP},
      {M::CMOVL, Cond::L}, {M::CMOVNL, Cond::NL}, {M::CMOVLE, Cond::LE}, {M::CMOVNLE, Cond::NLE}};
  [&]<size_t... N>(std::index_sequence<N...>) {
    (bind(kJcc[N].first, &Jcc<E, kJcc[N].second>), ...);
    (bind(kSet[N].first, &Set<E, kSet[N].second>), ...);
    (bind(kCmov[N].first, &Cmov<E, kCmov[N].second>), ...);
  }(std::make_index_sequence<16>{});

  bind(M::PUSH, &Push<E>);
  bind(M::POP, &Pop<E>);
  bind(M::PUSHA, &PushAll<E>);
  bind(M::PUSHAD, &PushAll<E>);
  bind(M::POPA, &PopAll<E>);
  bind(M::POPAD, &PopAll<E>);
  bind(M::PUSHF, &Pushf<E>);
  bind(M::PUSHFD, &Pushf<E>);
  bind(M::PUSHFQ, &Pushf<E>);
  bind(M::POPF, &Popf<E>);
  bind(M::POPFD, &Popf<E>);
  bind(M::POPFQ, &Popf<E>);
  bind(M::ENTER, &Enter<E>);
  bind(M::LEAVE, &Leave<E>);

  bind(M::MOVSB, &String<E, StringOp::Movs>);
  bind(M::MOVSW, &String<E, StringOp::Movs>);
  bind(M::MOVSD, &String<E, StringOp::Movs>);
  bind(M::MOVSQ, &String<E, StringOp::Movs>);
  bind(M::STOSB, &String<E, StringOp::Stos>);
  bind(M::STOSW, &String<E, StringOp::Stos>);
  bind(M::STOSD, &String<E, StringOp::Stos>);
  bind(M::STOSQ, &String<E, StringOp::Stos>);
  bind(M::LODSB, &String<E, StringOp::Lods>);
  bind(M::LODSW, &String<E, StringOp::Lods>);
  bind(M::LODSD, &String<E, StringOp::Lods>);
  bind(M::LODSQ, &String<E, StringOp::Lods>);
  bind(M::CMPSB, &String<E, StringOp::Cmps>);
  bind(M::CMPSW, &String<E, StringOp::Cmps>);
  bind(M::CMPSD, &String<E, StringOp::Cmps>);
  bind(M::CMPSQ, &String<E, StringOp::Cmps>);
  bind(M::SCASB, &String<E, StringOp::Scas>);
  bind(M::SCASW, &String<E, StringOp::Scas>);
  bind(M::SCASD, &String<E, StringOp::Scas>);
  bind(M::SCASQ, &String<E, StringOp::Scas>);
  bind(M::INSB, &String<E, StringOp::Ins>);
  bind(M::INSW, &String<E, StringOp::Ins>);
  bind(M::INSD, &String<E, StringOp::Ins>);
  bind(M::OUTSB, &String<E, StringOp::Outs>);
  bind(M::OUTSW, &String<E, StringOp::Outs>);
  bind(M::OUTSD, &String<E, StringOp::Outs>);

  bind(M::CPUID, &Cpuid<E>);
  bind(M::RDTSC, &Rdtsc<E>);
  bind(M::IN, &In<E>);
  bind(M::OUT, &Out<E>);
  bind(M::HLT, &Hlt<E>);
  bind(M::INVLPG, &Invlpg<E>);
  bind(M::CLI, &InterruptFlag<E, false>);
  bind(M::STI, &InterruptFlag<E, true>);
  bind(M::UD2, &Ud2<E>);
  bind(M::INT, &Int<E>);
  bind(M::CLFLUSH, &Clflush<E>);
  bind(M::CLFLUSHOPT, &Clflush<E>);
  bind(M::INTO, &Into<E>);
  bind(M::BOUND, &Bound<E>);
  bind(M::ARPL, &Arpl<E>);
  bind(M::X87, &RuntimeOnly<E, Helper::X87Unavailable>);
  bind(M::FWAIT, &RuntimeOnly<E, Helper::Fwait>);
  bind(M::IRET, &Iret<E>);
  bind(M::IRETD, &Iret<E>);
  bind(M::IRETQ, &Iret<E>);
  bind(M::LDS, &LoadFarPointer<E, Seg::DS>);
  bind(M::LES, &LoadFarPointer<E, Seg::ES>);
  bind(M::LFS, &LoadFarPointer<E, Seg::FS>);
  bind(M::LGS, &LoadFarPointer<E, Seg::GS>);
  bind(M::LSS, &LoadFarPointer<E, Seg::SS>);
  bind(M::LGDT, &LoadDescriptorTable<E, 0>);
  bind(M::LIDT, &LoadDescriptorTable<E, 1>);
  bind(M::SGDT, &StoreDescriptorTable<E, 0>);
  bind(M::SIDT, &StoreDescriptorTable<E, 1>);
  bind(M::SLDT, &StoreSystemSelector<E, 6>);
  bind(M::STR, &StoreSystemSelector<E, 7>);
  bind(M::SMSW, &Smsw<E>);
  bind(M::LLDT, &LoadSystemWord<E, Helper::Lldt, false>);
  bind(M::LTR, &LoadSystemWord<E, Helper::Ltr, false>);
  bind(M::LMSW, &LoadSystemWord<E, Helper::Lmsw, true>);
  bind(M::CLTS, &RuntimeOnly<E, Helper::Clts>);
  bind(M::RDMSR, &RuntimeOnly<E, Helper::Rdmsr>);
  bind(M::WRMSR, &RuntimeThenLoop<E, Helper::Wrmsr>);
  bind(M::SWAPGS, &RuntimeOnly<E, Helper::Swapgs>);
  bind(M::RDTSCP, &RuntimeOnly<E, Helper::Rdtscp>);
  bind(M::RDPMC, &RuntimeOnly<E, Helper::Rdpmc>);
  bind(M::WBINVD, &RuntimeOnly<E, Helper::CheckCpl0>);
  bind(M::INVD, &RuntimeOnly<E, Helper::CheckCpl0>);
  bind(M::SYSCALL, &Syscall<E>);
  bind(M::SYSRET, &SystemReturn<E, Helper::Sysret>);
  bind(M::SYSENTER, &Sysenter<E>);
  bind(M::SYSEXIT, &SystemReturn<E, Helper::Sysexit>);
  bind(M::LAR, &AccessRights<E, 0>);
  bind(M::LSL, &AccessRights<E, 1>);
  bind(M::VERR, &VerifySegment<E, 2>);
  bind(M::VERW, &VerifySegment<E, 3>);
  bind(M::INT3, &Int3<E>);
  for (Mnemonic m : {M::NOP, M::ENDBR32, M::ENDBR64, M::PAUSE, M::LFENCE, M::MFENCE, M::SFENCE,
                     M::PREFETCHNTA, M::PREFETCHT0, M::PREFETCHT1, M::PREFETCHT2, M::PREFETCHW})
    bind(m, &Nop<E>);
  return t;
}

template <class E>
inline constexpr auto kHandlers = make_handler_table<E>();

}  // namespace orcvm::sem
