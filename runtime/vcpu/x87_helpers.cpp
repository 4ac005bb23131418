// The x87 instructions of ir/semantics/x87.h on the register stack, with the
// arithmetic of runtime/fpu/x87_float.h (SDM Vol. 1, 8.1-8.7; Vol. 2 per
// instruction). An instruction works on a copy of the x87 state, reads its memory
// operand before anything else and writes its memory result last, and the copy
// replaces the state only when no access faulted: a fault leaves the x87 state as
// the instruction found it.
#include "runtime/vcpu/fpu_common.h"
#include "runtime/vcpu/guest_block.h"
#include "runtime/vcpu/helper_functions.h"
#include "runtime/vcpu/x87_environment.h"
#include "runtime/vcpu/x87_operands.h"
#include "runtime/vcpu/x87_stack.h"

namespace orcvm {

namespace {

using fpu::Float80;
using fpu::X87Relation;
namespace sw = fpu::x87status;

constexpr Float80 kPositiveZero{0, 0};

// FLD1 ... FLDZ are D9 E8+i in the order of the library's constants.
static_assert(static_cast<unsigned>(fpu::X87Constant::One) == 0 && static_cast<unsigned>(fpu::X87Constant::Zero) == 6);

bool is_memory(X87Operand o) {
  return o != X87Operand::None && o != X87Operand::Register && o != X87Operand::RegisterDestination;
}

class X87Instruction {
 public:
  X87Instruction(ExecContext* ctx, X87Request r, uint64_t operand, Seg seg)
      : ctx_(ctx), r_(r), operand_(operand), seg_(seg), f_(ctx->cpu.fpu), stack_(f_) {}
  X87Instruction(const X87Instruction&) = delete;  // stack_ refers to f_

  // False when a memory access faulted; the state is then left alone.
  bool execute();

  // The x87 state the instruction computed, with the last-instruction fields
  // naming it (SDM Vol. 1, 8.1.8 and 8.1.9: every non-control instruction sets FIP,
  // FCS and FOP; those with a memory operand also FDP and FDS).
  void commit() {
    const CpuState& c = ctx_->cpu;
    f_.last_opcode = r_.opcode;
    f_.last_ip = c.rip;
    f_.last_cs = c.seg[static_cast<int>(Seg::CS)].selector;
    if (is_memory(r_.operand)) {
      f_.last_dp = operand_;
      f_.last_ds = c.seg[static_cast<int>(seg_)].selector;
    }
    ctx_->cpu.fpu = f_;
  }

 private:
  // The source besides ST(0) of arithmetic and compares, or of a load: ST(i) or
  // the memory operand. denormal: a binary32/64 operand was a denormal, whose DE
  // the operation decides (runtime/fpu/x87_float.h, x87_arith).
  struct Source {
    Float80 value;
    bool empty;
    bool denormal;
  };

  bool read_memory(void* out) {
    return read_guest_block(ctx_, seg_, operand_, fpu_data_access(ctx_, seg_), out, x87_operand_bytes(r_.operand));
  }
  bool write_memory(const void* in) {
    return write_guest_block(ctx_, seg_, operand_, fpu_data_access(ctx_, seg_), in, x87_operand_bytes(r_.operand));
  }

  bool unmasked(uint16_t exceptions) const { return exceptions & ~f_.control & x87::ExceptionFlags; }
  // An unmasked IE, DE or ZE stops the instruction before it writes a result or
  // pops (SDM Vol. 1, 8.5.1-8.5.3); an unmasked OE or UE delivers the rebiased
  // result to a register (8.5.4, 8.5.5).
  bool stops(uint16_t reported) const { return unmasked(reported & (sw::IE | sw::DE | sw::ZE)); }
  void report(uint16_t reported) { f_.status |= reported & x87::ExceptionFlags; }
  void set_codes(uint16_t which, uint16_t values) {
    f_.status = static_cast<uint16_t>((f_.status & ~which) | (values & which));
  }
  // The library's exceptions and its rounded-up C1.
  void report_rounded(uint16_t reported) {
    report(reported);
    set_codes(sw::C1, reported);
  }
  // Stack overflow or underflow (SDM Vol. 1, 8.5.1.1): IE and SF, C1 = 1 for an
  // overflow. True when IE is masked: the caller then writes the indefinite.
  bool stack_fault(bool overflow) {
    f_.status |= sw::IE | x87::StackFault;
    set_codes(sw::C1, overflow ? sw::C1 : 0);
    return !unmasked(sw::IE);
  }
  void pop(unsigned count) {
    for (unsigned k = 0; k < count; ++k) stack_.pop();
  }

  bool fetch_source(Source* s);
  bool arithmetic();
  bool compare();
  bool load();
  bool store();
  void exchange();
  void conditional_move();
  void examine() { set_codes(sw::C0 | sw::C1 | sw::C2 | sw::C3, fpu::x87_examine(stack_.st(0), stack_.empty(0))); }
  template <class F> void on_top(F compute);
  template <class F> void on_top_with(F compute);
  template <class F> void into_second_and_pop(F compute);
  template <class F> void pair_on_top(F compute, bool trigonometric);
  void trig_on_top(fpu::X87Trig (*compute)(Float80, uint16_t, uint16_t*));
  void remainder(bool ieee);
  void push_constant();

  ExecContext* ctx_;
  X87Request r_;
  uint64_t operand_;  // the memory operand's offset, or FCMOV's condition
  Seg seg_;
  FpuState f_;
  X87Stack stack_;
};

bool X87Instruction::fetch_source(Source* s) {
  if (r_.operand == X87Operand::Register) {
    *s = {stack_.st(r_.index), stack_.empty(r_.index), false};
    return true;
  }
  if (r_.operand == X87Operand::RegisterDestination) {
    *s = {stack_.st(0), stack_.empty(0), false};
    return true;
  }
  uint8_t bytes[10];
  if (!read_memory(bytes)) return false;
  uint16_t widened = 0;
  *s = {x87_read_operand(r_.operand, bytes, &widened), false, (widened & sw::DE) != 0};
  return true;
}

// FADD FSUB FSUBR FMUL FDIV FDIVR and their P and FI forms: the destination is
// ST(i) for the RegisterDestination forms, else ST(0).
bool X87Instruction::arithmetic() {
  Source src;
  if (!fetch_source(&src)) return false;
  const unsigned dst = r_.operand == X87Operand::RegisterDestination ? r_.index : 0;
  if (stack_.empty(dst) || src.empty) {
    if (stack_fault(false)) {
      stack_.set(dst, fpu::kX87Indefinite);
      pop(r_.pops);
    }
    return true;
  }
  const Float80 d = stack_.st(dst);
  const bool reversed = r_.op == X87Op::SubtractReversed || r_.op == X87Op::DivideReversed;
  fpu::X87ArithOp op;
  switch (r_.op) {
    case X87Op::Add: op = fpu::X87ArithOp::Add; break;
    case X87Op::Multiply: op = fpu::X87ArithOp::Mul; break;
    case X87Op::Subtract:
    case X87Op::SubtractReversed: op = fpu::X87ArithOp::Sub; break;
    default: op = fpu::X87ArithOp::Div; break;
  }
  uint16_t reported = 0;
  const Float80 result = reversed ? fpu::x87_arith(op, src.value, d, f_.control, &reported, src.denormal)
                                  : fpu::x87_arith(op, d, src.value, f_.control, &reported, src.denormal);
  report_rounded(reported);
  if (stops(reported)) return true;
  stack_.set(dst, result);
  pop(r_.pops);
  return true;
}

// FCOM FCOMP FCOMPP FUCOM* FICOM* FTST: C3 C2 C0; FCOMI FUCOMI and their P forms:
// ZF PF CF, and OF SF AF cleared whatever happens (SDM Vol. 2, FCOMI). The
// relation (unordered after a stack fault) is set even when an unmasked
// exception stops the pop, as this AMD host and the P6-era SDM have it; the
// current SDM sets it only for a masked IE.
bool X87Instruction::compare() {
  Source src{kPositiveZero, false, false};
  if (r_.op != X87Op::Test && !fetch_source(&src)) return false;
  const bool to_flags = r_.op == X87Op::CompareToFlags || r_.op == X87Op::CompareUnorderedToFlags;
  const bool signalling = r_.op != X87Op::CompareUnordered && r_.op != X87Op::CompareUnorderedToFlags;
  X87Relation relation = X87Relation::Unordered;
  bool stopped;
  if (stack_.empty(0) || src.empty) {
    stopped = !stack_fault(false);
  } else {
    uint16_t reported = 0;
    relation = fpu::x87_compare(stack_.st(0), src.value, signalling, &reported, src.denormal);
    report(reported);
    set_codes(sw::C1, 0);
    stopped = stops(reported);
  }
  const bool unordered = relation == X87Relation::Unordered;
  const bool equal = unordered || relation == X87Relation::Equal;
  const bool less = unordered || relation == X87Relation::Less;
  if (to_flags) {
    CpuState& c = ctx_->cpu;
    c.materialize_flags();
    c.zf = equal;
    c.pf = unordered;
    c.cf = less;
    c.of = c.sf = c.af = 0;
  } else {
    set_codes(sw::C3 | sw::C2 | sw::C0, (equal ? sw::C3 : 0) | (unordered ? sw::C2 : 0) | (less ? sw::C0 : 0));
  }
  if (!stopped) pop(r_.pops);
  return true;
}

// FLD FILD FBLD: C1 = 0, or 1 for an overflow. A denormal binary32 or binary64
// is loaded even when DE is unmasked, as this AMD host does.
bool X87Instruction::load() {
  Source src;
  if (!fetch_source(&src)) return false;
  uint16_t reported = src.denormal ? sw::DE : 0;
  if (r_.operand == X87Operand::Real32 || r_.operand == X87Operand::Real64)
    src.value = fpu::x87_load_real(src.value, &reported);
  if (!stack_.empty(7)) {
    if (stack_fault(true)) stack_.push(fpu::kX87Indefinite);
    return true;
  }
  if (src.empty) {
    if (stack_fault(false)) stack_.push(fpu::kX87Indefinite);
    return true;
  }
  report(reported);
  set_codes(sw::C1, 0);
  if (unmasked(reported & sw::IE)) return true;
  stack_.push(src.value);
  return true;
}

// FST FSTP FIST FISTP FISTTP FBSTP. A memory destination gets nothing when the
// conversion reports an unmasked IE, OE or UE (SDM Vol. 1, 8.5.1, 8.5.4, 8.5.5).
bool X87Instruction::store() {
  const bool to_register = r_.operand == X87Operand::RegisterDestination;
  uint8_t bytes[10];
  if (stack_.empty(0)) {
    if (!stack_fault(false)) return true;
    if (to_register)
      stack_.set(r_.index, fpu::kX87Indefinite);
    else
      x87_write_indefinite(r_.operand, bytes);
  } else if (to_register) {
    stack_.set(r_.index, stack_.st(0));
    set_codes(sw::C1, 0);
  } else {
    uint16_t reported = 0;
    x87_write_operand(r_.operand, stack_.st(0), r_.op == X87Op::StoreTruncated, f_.control, &reported, bytes);
    report_rounded(reported);
    if (unmasked(reported & (sw::IE | sw::DE | sw::ZE | sw::OE | sw::UE))) return true;
  }
  if (!to_register && !write_memory(bytes)) return false;
  pop(r_.pops);
  return true;
}

// FXCH: an empty register takes the indefinite first (SDM Vol. 1, Table 8-10).
void X87Instruction::exchange() {
  if (stack_.empty(0) || stack_.empty(r_.index)) {
    if (!stack_fault(false)) return;
    for (unsigned i : {0u, unsigned{r_.index}})
      if (stack_.empty(i)) stack_.set(i, fpu::kX87Indefinite);
  }
  const Float80 top = stack_.st(0);
  stack_.set(0, stack_.st(r_.index));
  stack_.set(r_.index, top);
  set_codes(sw::C1, 0);
}

// FCMOVcc: an empty operand makes ST(0) the indefinite whatever the condition,
// as this AMD host does; C1 is kept otherwise.
void X87Instruction::conditional_move() {
  if (stack_.empty(0) || stack_.empty(r_.index)) {
    if (stack_fault(false)) stack_.set(0, fpu::kX87Indefinite);
    return;
  }
  if (operand_) stack_.set(0, stack_.st(r_.index));
}

// ST(0) = compute(ST(0), &reported).
template <class F>
void X87Instruction::on_top(F compute) {
  if (stack_.empty(0)) {
    if (stack_fault(false)) stack_.set(0, fpu::kX87Indefinite);
    return;
  }
  uint16_t reported = 0;
  const Float80 result = compute(stack_.st(0), &reported);
  report_rounded(reported);
  if (!stops(reported)) stack_.set(0, result);
}

// ST(0) = compute(ST(0), ST(1), &reported): FSCALE.
template <class F>
void X87Instruction::on_top_with(F compute) {
  if (stack_.empty(0) || stack_.empty(1)) {
    if (stack_fault(false)) stack_.set(0, fpu::kX87Indefinite);
    return;
  }
  uint16_t reported = 0;
  const Float80 result = compute(stack_.st(0), stack_.st(1), &reported);
  report_rounded(reported);
  if (!stops(reported)) stack_.set(0, result);
}

// ST(1) = compute(ST(1), ST(0), &reported), then pop: FYL2X FYL2XP1 FPATAN.
template <class F>
void X87Instruction::into_second_and_pop(F compute) {
  if (stack_.empty(0) || stack_.empty(1)) {
    if (stack_fault(false)) {
      stack_.set(1, fpu::kX87Indefinite);
      stack_.pop();
    }
    return;
  }
  uint16_t reported = 0;
  const Float80 result = compute(stack_.st(1), stack_.st(0), &reported);
  report_rounded(reported);
  if (stops(reported)) return;
  stack_.set(1, result);
  stack_.pop();
}

// ST(0) = first, then push second: FXTRACT FSINCOS FPTAN. On a masked stack fault
// both are the indefinite, as this AMD host gives them. The trigonometric ones
// set C2 for an operand out of range, else clear it.
template <class F>
void X87Instruction::pair_on_top(F compute, bool trigonometric) {
  if (stack_.empty(0) || !stack_.empty(7)) {
    if (stack_fault(!stack_.empty(0))) {
      stack_.set(0, fpu::kX87Indefinite);
      stack_.push(fpu::kX87Indefinite);
    }
    return;
  }
  uint16_t reported = 0;
  bool out_of_range = false;
  const fpu::X87Pair result = compute(stack_.st(0), &reported, &out_of_range);
  if (out_of_range) {  // the operand stays, nothing is pushed (SDM Vol. 2, FPTAN, FSINCOS)
    set_codes(sw::C1 | sw::C2, sw::C2);
    return;
  }
  if (trigonometric) set_codes(sw::C2, 0);
  report_rounded(reported);
  if (stops(reported)) return;
  stack_.set(0, result.first);
  stack_.push(result.second);
}

// FSIN FCOS: C2 = 1 and the operand unchanged when |ST(0)| >= 2^63.
void X87Instruction::trig_on_top(fpu::X87Trig (*compute)(Float80, uint16_t, uint16_t*)) {
  if (stack_.empty(0)) {
    if (stack_fault(false)) stack_.set(0, fpu::kX87Indefinite);
    return;
  }
  uint16_t reported = 0;
  const fpu::X87Trig t = compute(stack_.st(0), f_.control, &reported);
  if (t.out_of_range) {
    set_codes(sw::C1 | sw::C2, sw::C2);
    return;
  }
  set_codes(sw::C2, 0);
  report_rounded(reported);
  if (!stops(reported)) stack_.set(0, t.result.first);
}

// FPREM FPREM1: C2 = 1 for a partial remainder, else the quotient's low bits in
// C0 C3 C1 (SDM Vol. 2, FPREM).
void X87Instruction::remainder(bool ieee) {
  if (stack_.empty(0) || stack_.empty(1)) {
    if (stack_fault(false)) stack_.set(0, fpu::kX87Indefinite);
    return;
  }
  uint16_t reported = 0;
  const fpu::X87Remainder rem = fpu::x87_remainder(stack_.st(0), stack_.st(1), ieee, f_.control, &reported);
  report(reported);
  if (stops(reported)) return;
  const unsigned q = rem.quotient_low;
  set_codes(sw::C0 | sw::C1 | sw::C2 | sw::C3, rem.incomplete ? sw::C2
                                                             : (q & 4 ? sw::C0 : 0) | (q & 2 ? sw::C3 : 0) |
                                                                   (q & 1 ? sw::C1 : 0));
  stack_.set(0, rem.value);
}

void X87Instruction::push_constant() {
  if (!stack_.empty(7)) {
    if (stack_fault(true)) stack_.push(fpu::kX87Indefinite);
    return;
  }
  set_codes(sw::C1, 0);
  stack_.push(fpu::x87_constant(static_cast<fpu::X87Constant>(r_.index), f_.control));
}

bool X87Instruction::execute() {
  const uint16_t control = f_.control;
  auto with_control = [control](Float80 (*fn)(Float80, uint16_t, uint16_t*)) {
    return [fn, control](Float80 a, uint16_t* reported) { return fn(a, control, reported); };
  };
  auto binary_with_control = [control](Float80 (*fn)(Float80, Float80, uint16_t, uint16_t*)) {
    return [fn, control](Float80 a, Float80 b, uint16_t* reported) { return fn(a, b, control, reported); };
  };
  auto pair_of_trig = [control](fpu::X87Trig (*fn)(Float80, uint16_t, uint16_t*)) {
    return [fn, control](Float80 a, uint16_t* reported, bool* out_of_range) {
      const fpu::X87Trig t = fn(a, control, reported);
      *out_of_range = t.out_of_range;
      return t.result;
    };
  };
  auto negate = [](Float80 a, uint16_t*) {
    a.sign_exponent ^= 0x8000;
    return a;
  };
  auto absolute = [](Float80 a, uint16_t*) {
    a.sign_exponent &= 0x7fff;
    return a;
  };
  switch (r_.op) {
    case X87Op::Add:
    case X87Op::Multiply:
    case X87Op::Subtract:
    case X87Op::SubtractReversed:
    case X87Op::Divide:
    case X87Op::DivideReversed: return arithmetic();
    case X87Op::Compare:
    case X87Op::CompareUnordered:
    case X87Op::CompareToFlags:
    case X87Op::CompareUnorderedToFlags:
    case X87Op::Test: return compare();
    case X87Op::Examine: examine(); return true;
    case X87Op::Load: return load();
    case X87Op::LoadConstant: push_constant(); return true;
    case X87Op::Store:
    case X87Op::StoreTruncated: return store();
    case X87Op::Exchange: exchange(); return true;
    case X87Op::ConditionalMove: conditional_move(); return true;
    case X87Op::ChangeSign: on_top(negate); return true;
    case X87Op::Absolute: on_top(absolute); return true;
    case X87Op::SquareRoot:
      on_top([control](Float80 a, uint16_t* reported) {
        return fpu::x87_arith(fpu::X87ArithOp::Sqrt, a, a, control, reported);
      });
      return true;
    case X87Op::RoundToInteger: on_top(with_control(&fpu::x87_round_to_integer)); return true;
    case X87Op::Exp2Minus1: on_top(with_control(&fpu::x87_exp2m1)); return true;
    case X87Op::Scale: on_top_with(binary_with_control(&fpu::x87_scale)); return true;
    case X87Op::PartialRemainder: remainder(false); return true;
    case X87Op::IeeeRemainder: remainder(true); return true;
    case X87Op::Ylog2x: into_second_and_pop(binary_with_control(&fpu::x87_ylog2x)); return true;
    case X87Op::Ylog2xPlus1: into_second_and_pop(binary_with_control(&fpu::x87_ylog2xp1)); return true;
    case X87Op::Arctangent: into_second_and_pop(binary_with_control(&fpu::x87_atan2)); return true;
    case X87Op::Extract:
      pair_on_top([control](Float80 a, uint16_t* reported, bool*) { return fpu::x87_extract(a, control, reported); },
                  false);
      return true;
    case X87Op::SineCosine: pair_on_top(pair_of_trig(&fpu::x87_sincos), true); return true;
    case X87Op::Tangent: pair_on_top(pair_of_trig(&fpu::x87_tan), true); return true;
    case X87Op::Sine: trig_on_top(&fpu::x87_sin); return true;
    case X87Op::Cosine: trig_on_top(&fpu::x87_cos); return true;
    case X87Op::DecrementTop:
    case X87Op::IncrementTop:
      stack_.rotate(r_.op == X87Op::IncrementTop ? 1 : -1);
      set_codes(sw::C1, 0);
      return true;
    case X87Op::Free:
      stack_.free(r_.index);
      set_codes(sw::C1, 0);  // undefined in the SDM; this AMD host clears it
      pop(r_.pops);
      return true;
    case X87Op::Nop: return true;
    case X87Op::StoreEnvironment:
    case X87Op::LoadEnvironment:
    case X87Op::SaveState:
    case X87Op::RestoreState: break;  // helper_X87 runs them, not as an X87Instruction
  }
  return true;
}

bool real_address_mode(const CpuState& c) { return !(c.cr0 & cr0::PE) || (c.rflags & rflags::VM); }

// FNSTENV (which then masks every exception) and FNSAVE (which then initialises
// the FPU as FNINIT does).
void store_image(ExecContext* ctx, X87Request r, uint64_t offset, Seg seg) {
  const bool save = r.op == X87Op::SaveState;
  const X87ImageFormat format{r.operand16, real_address_mode(ctx->cpu)};
  const unsigned environment = x87_environment_bytes(r.operand16);
  uint8_t image[28 + kX87RegisterImageBytes];
  FpuState& f = ctx->cpu.fpu;
  write_x87_environment(f, format, image);
  if (save) write_x87_registers(f, image + environment);
  if (!write_guest_block(ctx, seg, offset, fpu_data_access(ctx, seg), image,
                         environment + (save ? kX87RegisterImageBytes : 0)))
    return;
  if (save)
    initialize_x87(f);
  else
    f.control |= x87::ExceptionFlags;
}

// FLDENV and FRSTOR; the registers are in stack order under the loaded TOP.
void load_image(ExecContext* ctx, X87Request r, uint64_t offset, Seg seg) {
  const bool restore = r.op == X87Op::RestoreState;
  const X87ImageFormat format{r.operand16, real_address_mode(ctx->cpu)};
  const unsigned environment = x87_environment_bytes(r.operand16);
  uint8_t image[28 + kX87RegisterImageBytes];
  if (!read_guest_block(ctx, seg, offset, fpu_data_access(ctx, seg), image,
                        environment + (restore ? kX87RegisterImageBytes : 0)))
    return;
  FpuState& f = ctx->cpu.fpu;
  read_x87_environment(f, format, image);
  if (restore) read_x87_registers(f, image + environment);
}

}  // namespace

uint64_t helper_X87(ExecContext* ctx, uint64_t request, uint64_t operand, uint64_t segment) {
  const X87Request r = X87Request::unpack(request);
  const Seg seg = static_cast<Seg>(segment);
  const bool no_wait = r.op == X87Op::StoreEnvironment || r.op == X87Op::SaveState;
  if (!x87_available(ctx, !no_wait)) return 0;
  switch (r.op) {
    case X87Op::StoreEnvironment:
    case X87Op::SaveState: store_image(ctx, r, operand, seg); return 0;
    case X87Op::LoadEnvironment:
    case X87Op::RestoreState: load_image(ctx, r, operand, seg); return 0;
    default: break;
  }
  X87Instruction insn(ctx, r, operand, seg);
  if (insn.execute()) insn.commit();
  return 0;
}

}  // namespace orcvm
