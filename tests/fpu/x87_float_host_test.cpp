// The x87 library against the host CPU's x87, which is the oracle here (x86-64
// hosts only; inline assembly is allowed in this file for that reason alone).
// Operands are random but biased to the classes where the x87 has rules: zeros,
// denormals and pseudo-denormals, infinities, NaNs with payloads, unsupported
// encodings, values near overflow and underflow, near-equal and exponent-shifted
// pairs, products and quotients aimed at the range limits. Every operation runs
// under random control words: each precision and rounding control, everything
// masked or some exceptions unmasked. An unmasked exception only becomes pending on
// the x87 (no #MF until the next waiting instruction), so the host sequence reads
// FSW with FNSTSW and clears it with FNCLEX before storing. The seed is fresh each
// run and printed; ORCVM_SEED=N replays a run, ORCVM_X87_CASES=N sets the cases per
// operation (default 100000).
#include <gtest/gtest.h>

#if defined(__x86_64__)

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "runtime/fpu/x87_float.h"
#include "tests/fpu/seed.h"
#include "tests/fpu/x87_cases.h"
#include "tests/fpu/x87_outcome.h"

namespace orcvm::fpu::test {
namespace {

using namespace x87status;

constexpr int kReportedMismatches = 10;

int cases_per_operation() {
  static const int cases = [] {
    const char* text = std::getenv("ORCVM_X87_CASES");
    return text ? std::atoi(text) : 100000;
  }();
  return cases;
}

// ---- the host oracle

// What one host instruction left: ST(0) (and ST(1) for the instructions that push
// a second result), FSW, and its memory operand.
struct Host {
  Outcome outcome;
  Float80 second;
  uint64_t memory;
  Float80 memory80;  // FBSTP's destination (FBLD reads b's memory)
};

// The sequence around every instruction: a clean stack with the control word,
// b then a loaded (so a is ST(0) and b ST(1)), the instruction, FSW read and
// cleared, ST(0) and ST(1) stored; FNINIT then empties whatever is left.
#define ORCVM_X87_HOST(name, instruction)                                                       \
  Host name(Float80 a, Float80 b, uint64_t memory, uint16_t control) {                          \
    Host host{};                                                                                \
    host.memory = memory;                                                                       \
    uint16_t saved, status;                                                                     \
    asm volatile("fnstcw %[saved]\n\t"                                                          \
                 "fninit\n\t"                                                                   \
                 "fldcw %[control]\n\t"                                                         \
                 "fldt %[b]\n\t"                                                                \
                 "fldt %[a]\n\t" instruction "\n\t"                                             \
                 "fnstsw %[status]\n\t"                                                         \
                 "fnclex\n\t"                                                                   \
                 "fstpt %[first]\n\t"                                                           \
                 "fstpt %[second]\n\t"                                                          \
                 "fninit\n\t"                                                                   \
                 "fldcw %[saved]"                                                               \
                 : [first] "=m"(host.outcome.value), [second] "=m"(host.second),                \
                   [memory] "+m"(host.memory), [memory80] "+m"(host.memory80), [saved] "=m"(saved), \
                   [status] "=m"(status)                                                        \
                 : [a] "m"(a), [b] "m"(b), [control] "m"(control)                               \
                 : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    host.outcome.status = status;                                                               \
    return host;                                                                                \
  }

// D8 /r with ST(i): ST(0) = ST(0) op ST(1), the AT&T operand order issue aside.
ORCVM_X87_HOST(host_fadd, "fadd %%st(1), %%st")
ORCVM_X87_HOST(host_fsub, "fsub %%st(1), %%st")
ORCVM_X87_HOST(host_fmul, "fmul %%st(1), %%st")
ORCVM_X87_HOST(host_fdiv, "fdiv %%st(1), %%st")
ORCVM_X87_HOST(host_fsqrt, "fsqrt")
ORCVM_X87_HOST(host_fadd_m32, "fadds %[memory]")
ORCVM_X87_HOST(host_fsub_m32, "fsubs %[memory]")
ORCVM_X87_HOST(host_fmul_m64, "fmull %[memory]")
ORCVM_X87_HOST(host_fdivr_m64, "fdivrl %[memory]")
ORCVM_X87_HOST(host_fcom_m32, "fcoms %[memory]")
ORCVM_X87_HOST(host_fcom_m64, "fcoml %[memory]")
ORCVM_X87_HOST(host_fld_m32, "flds %[memory]")
ORCVM_X87_HOST(host_fld_m64, "fldl %[memory]")
ORCVM_X87_HOST(host_fst_m32, "fsts %[memory]")
ORCVM_X87_HOST(host_fst_m64, "fstl %[memory]")
ORCVM_X87_HOST(host_fist16, "fists %[memory]")
ORCVM_X87_HOST(host_fist32, "fistl %[memory]")
ORCVM_X87_HOST(host_fist64, "fistpll %[memory]")
ORCVM_X87_HOST(host_fisttp16, "fisttps %[memory]")
ORCVM_X87_HOST(host_fisttp32, "fisttpl %[memory]")
ORCVM_X87_HOST(host_fisttp64, "fisttpll %[memory]")
ORCVM_X87_HOST(host_fcom, "fcom %%st(1)")
ORCVM_X87_HOST(host_fucom, "fucom %%st(1)")
ORCVM_X87_HOST(host_ftst, "ftst")
ORCVM_X87_HOST(host_fxam, "fxam")
ORCVM_X87_HOST(host_fxam_empty, "ffree %%st(0)\n\tfxam")
ORCVM_X87_HOST(host_frndint, "frndint")
ORCVM_X87_HOST(host_fscale, "fscale")
ORCVM_X87_HOST(host_fxtract, "fxtract")
ORCVM_X87_HOST(host_fprem, "fprem")
ORCVM_X87_HOST(host_fprem1, "fprem1")
ORCVM_X87_HOST(host_fbld, "fbld %[b]")
ORCVM_X87_HOST(host_fbstp, "fbstp %[memory80]")
ORCVM_X87_HOST(host_fsin, "fsin")
ORCVM_X87_HOST(host_fcos, "fcos")
ORCVM_X87_HOST(host_fsincos, "fsincos")
ORCVM_X87_HOST(host_fptan, "fptan")
ORCVM_X87_HOST(host_fpatan, "fpatan")
ORCVM_X87_HOST(host_f2xm1, "f2xm1")
ORCVM_X87_HOST(host_fyl2x, "fyl2x")
ORCVM_X87_HOST(host_fyl2xp1, "fyl2xp1")
ORCVM_X87_HOST(host_fld1, "fld1")
ORCVM_X87_HOST(host_fldl2t, "fldl2t")
ORCVM_X87_HOST(host_fldl2e, "fldl2e")
ORCVM_X87_HOST(host_fldpi, "fldpi")
ORCVM_X87_HOST(host_fldlg2, "fldlg2")
ORCVM_X87_HOST(host_fldln2, "fldln2")
ORCVM_X87_HOST(host_fldz, "fldz")

// ---- sampling

class Sampler {
 public:
  // Each operation draws its own stream from the run seed and its name, so that it
  // replays alone and no two operations see the same operands.
  explicit Sampler(const char* operation) {
    static const bool printed = (print_seed(run_seed()), true);
    (void)printed;
    uint64_t stream = run_seed() ^ 0xcbf29ce484222325;  // FNV-1a over the name
    for (const char* c = operation; *c; ++c) stream = (stream ^ uint8_t(*c)) * 0x100000001b3;
    rng_.seed(stream);
  }

  uint64_t bits() { return rng_(); }
  unsigned below(unsigned n) { return unsigned(rng_() % n); }
  bool one_in(unsigned n) { return below(n) == 0; }

  // Each rounding control, each precision control (the reserved 1 rarely), the
  // reserved bit 6 as FNINIT leaves it; everything masked, or in one case out of
  // eight a random set unmasked.
  uint16_t control() {
    static constexpr std::array<uint16_t, 8> kPrecisions{0, 2, 3, 3, 3, 0, 2, 1};
    uint16_t control = uint16_t(0x40 | Flags | below(4) << x87control::RcShift |
                                kPrecisions[below(one_in(16) ? 8 : 7)] << x87control::PcShift);
    if (one_in(8)) control &= uint16_t(~(bits() & Flags));
    return control;
  }

  Float80 with(int biased, uint64_t significand) {
    return {significand, uint16_t((one_in(2) ? 0x8000 : 0) | biased)};
  }

  Float80 operand() {
    const uint64_t random = bits();
    const uint64_t fraction = random & ~kJ;
    switch (below(20)) {
      case 0: return with(0, 0);
      case 1: return with(0, fraction >> below(64) ?: 1);                  // denormal
      case 2: return with(0, kJ | fraction);                              // pseudo-denormal
      case 3: return with(0x7fff, kJ);                                    // infinity
      case 4: return with(0x7fff, kJ | kQuiet | (one_in(4) ? 0 : random));  // QNaN, the indefinite too
      case 5: return with(0x7fff, kJ | ((random & ~kQuiet) ?: 1));        // SNaN
      case 6: {                                                           // unsupported
        const int biased = std::array{int(below(0x7ffe)) + 1, 0x7fff}[below(2)];
        return with(biased, one_in(2) ? fraction >> below(64) : random & ~kJ & -uint64_t(one_in(2)));
      }
      case 7: return with(0x7ffe - int(below(3)), kJ | fraction);       // near overflow
      case 8: return with(1 + int(below(3)), kJ | fraction);            // near underflow
      case 9: return with(0x3fff / 2 + int(below(5)) - 2, kJ | fraction);       // squares underflow
      case 10: return with(0x3fff + 0x3fff / 2 + int(below(5)) - 2, kJ | fraction);  // squares overflow
      case 11: return with(0x3fff + int(below(9)) - 4, kJ | (fraction & (uint64_t(0xf) << 59)));  // ties
      case 12: return with(0x3fff + int(below(61)) - 30, one_in(2) ? ~uint64_t(0) : kJ | below(4));
      case 13: return with(0x3fff + int(below(70)), kJ | fraction);     // large integers
      case 14: {  // short significands at each precision, plus or minus one of its units or of 2^-63
        const int precision = std::array{24, 53, 64}[below(3)];
        const uint64_t unit = uint64_t(1) << (64 - precision);
        const uint64_t shortened = (kJ | fraction) & ~(unit - 1);
        const uint64_t step = one_in(2) ? 1 : unit;
        const uint64_t nudged = std::array{shortened - step, shortened, shortened + step}[below(3)];
        return with(0x3fff + int(below(41)) - 20, nudged | kJ);
      }
      default: return with(1 + int(below(0x7ffe)), kJ | fraction);
    }
  }

  // Pairs that cancel, nearly cancel, align at every distance or coincide, or whose
  // product or quotient lands near the range limits.
  std::pair<Float80, Float80> operands() {
    const Float80 a = operand();
    const uint16_t sign = one_in(2) ? 0x8000 : 0;
    switch (below(10)) {
      case 0: return {a, Float80{a.significand, uint16_t(a.sign_exponent ^ 0x8000)}};
      case 1: return {a, Float80{a.significand + below(9) - 4, a.sign_exponent}};
      case 2: return {a, a};
      case 3: {
        const int shifted = (a.sign_exponent & 0x7fff) - int(below(70));
        return {a, Float80{kJ | (one_in(2) ? bits() : 0), uint16_t(sign | (shifted > 0 ? shifted : 1))}};
      }
      case 8:
      case 9: return near_limit();
      default: return {a, operand()};
    }
  }

  // a and b whose product (or quotient) has a significand within a few units of a
  // power of two and an exponent at or next to the smallest normal's or the
  // largest finite value's, or deep below.
  std::pair<Float80, Float80> near_limit() {
    const uint64_t a_significand = kJ | bits();
    // 2^127 / a's significand, so the product's significand is near 2^127.
    uint64_t b_significand = uint64_t((unsigned __int128)(1) << 127 / a_significand);
    if (!(b_significand & kJ)) b_significand = ~uint64_t(0);
    const int precision_unit = std::array{0, 11, 40}[below(3)];
    b_significand += (int64_t(below(9)) - 4) << precision_unit;
    b_significand |= kJ;
    const bool quotient = one_in(3);
    if (quotient) b_significand = a_significand + ((int64_t(below(9)) - 4) << precision_unit);
    const int target = std::array{0, 1, 2, 0x7ffe, 0x7fff, -int(below(80))}[below(6)];
    const int a_biased = 0x3fff + int(below(8001)) - 4000;
    // product: a_biased + b_biased - 0x3fff (+1 for the 2^127 carry); quotient: a - b + 0x3fff
    int b_biased = quotient ? a_biased - target + 0x3fff : target - a_biased + 0x3fff - 1 + int(below(3)) - 1;
    if (b_biased < 1) b_biased = 1;
    if (b_biased > 0x7ffe) b_biased = 0x7ffe;
    return {with(a_biased, a_significand), with(b_biased, b_significand)};
  }

 private:
  static constexpr uint64_t kJ = uint64_t(1) << 63, kQuiet = uint64_t(1) << 62;
  std::mt19937_64 rng_;
};

// ---- comparison

// Prints what the host raised, which shows what the sampling reached.
class Agreement {
 public:
  Agreement(const char* operation, uint16_t compared) : operation_(operation), compared_(compared) {}
  ~Agreement() {
    std::printf("%-10s %7d cases: IE %d DE %d ZE %d OE %d UE %d PE %d C1 %d, mismatches %d\n", operation_, cases_,
                raised_[0], raised_[1], raised_[2], raised_[3], raised_[4], raised_[5], raised_[9], mismatches_);
    if (mismatches_ > kReportedMismatches)
      ADD_FAILURE() << operation_ << ": " << mismatches_ << " mismatches in all, the first " << kReportedMismatches
                    << " shown";
  }

  // The same FSW bits of `compared_`, and the same result unless an unmasked IE, DE
  // or ZE leaves the destination alone (the host's ST(0) is then the operand).
  void check(Float80 a, Float80 b, uint16_t control, Outcome ours, Outcome host, bool value_matters = true) {
    ++cases_;
    for (int bit = 0; bit < 16; ++bit) raised_[bit] += (host.status >> bit) & 1;
    ours.status &= compared_;
    host.status &= compared_;
    const bool stopped = (ours.status & (IE | DE | ZE) & ~control) != 0;
    if (stopped || !value_matters) ours.value = host.value = Float80{};
    if (ours == host || ++mismatches_ > kReportedMismatches) return;
    ADD_FAILURE() << operation_ << " a=" << a << " b=" << b << " fcw=" << hex16(control) << ": orcvm " << ours
                  << ", host " << host;
  }

 private:
  const char* operation_;
  uint16_t compared_;
  int mismatches_ = 0, cases_ = 0;
  std::array<int, 16> raised_{};
};

constexpr uint16_t kArithmeticStatus = Flags | C1;
constexpr uint16_t kConditionStatus = Flags | C0 | C1 | C2 | C3;

using HostInstruction = Host (*)(Float80, Float80, uint64_t, uint16_t);

void compare_arith(const char* name, X87ArithOp op, HostInstruction host) {
  Sampler sample(name);
  Agreement agreement(name, kArithmeticStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const auto [a, b] = op == X87ArithOp::Sqrt ? std::pair{sample.operand(), Float80{}} : sample.operands();
    const uint16_t control = sample.control();
    uint16_t status = 0;
    const Float80 value = x87_arith(op, a, b, control, &status);
    agreement.check(a, b, control, {value, status}, host(a, b, 0, control).outcome);
  }
}

TEST(X87Host, Arith) {
  compare_arith("fadd", X87ArithOp::Add, host_fadd);
  compare_arith("fsub", X87ArithOp::Sub, host_fsub);
  compare_arith("fmul", X87ArithOp::Mul, host_fmul);
  compare_arith("fdiv", X87ArithOp::Div, host_fdiv);
  compare_arith("fsqrt", X87ArithOp::Sqrt, host_fsqrt);
}

uint16_t condition_codes(X87Relation relation) {
  switch (relation) {
    case X87Relation::Greater: return 0;
    case X87Relation::Less: return C0;
    case X87Relation::Equal: return C3;
    case X87Relation::Unordered: break;
  }
  return C3 | C2 | C0;
}

// binary32/64 operands drawn as double-extended ones narrowed toward zero, so that
// they cover the same classes (SNaNs included), and more binary64 denormals.
template <class Bits> Bits binary_operand(Sampler& sample, Bits bits, Bits exponent_mask, Bits quiet_bit) {
  if (sample.one_in(4)) return bits & ~exponent_mask;
  const bool nan = (bits & exponent_mask) == exponent_mask && (bits & (quiet_bit - 1));
  return nan && sample.one_in(2) ? bits & ~quiet_bit : bits;
}
uint32_t binary32_operand(Sampler& sample) {
  uint16_t ignored = 0;
  return binary_operand<uint32_t>(sample, x87_to_binary32(sample.operand(), 0xf7f, &ignored), 0x7f800000, 0x400000);
}
uint64_t binary64_operand(Sampler& sample) {
  uint16_t ignored = 0;
  return binary_operand<uint64_t>(sample, x87_to_binary64(sample.operand(), 0xf7f, &ignored), 0x7ff0000000000000,
                                  uint64_t(1) << 51);
}

TEST(X87Host, MemoryOperands) {
  enum class Use : uint8_t { Operand, ReversedOperand, Load, Compare };
  struct Form {
    const char* name;
    bool binary64;
    Use use;
    X87ArithOp op;
    HostInstruction host;
  };
  for (const Form& form : {Form{"fadd m32", false, Use::Operand, X87ArithOp::Add, host_fadd_m32},
                           Form{"fsub m32", false, Use::Operand, X87ArithOp::Sub, host_fsub_m32},
                           Form{"fmul m64", true, Use::Operand, X87ArithOp::Mul, host_fmul_m64},
                           Form{"fdivr m64", true, Use::ReversedOperand, X87ArithOp::Div, host_fdivr_m64},
                           Form{"fld m32", false, Use::Load, {}, host_fld_m32},
                           Form{"fld m64", true, Use::Load, {}, host_fld_m64},
                           Form{"fcom m32", false, Use::Compare, {}, host_fcom_m32},
                           Form{"fcom m64", true, Use::Compare, {}, host_fcom_m64}}) {
    Sampler sample(form.name);
    Agreement agreement(form.name, form.use == Use::Compare ? kConditionStatus : kArithmeticStatus);
    for (int i = 0; i < cases_per_operation(); ++i) {
      const Float80 a = sample.operand();
      const uint64_t m = form.binary64 ? binary64_operand(sample) : binary32_operand(sample);
      const uint16_t control = sample.control();
      uint16_t widening = 0, status = 0;
      const Float80 widened =
          form.binary64 ? x87_from_binary64(m, &widening) : x87_from_binary32(uint32_t(m), &widening);
      const bool denormal = widening & DE;
      Float80 value{};
      switch (form.use) {
        case Use::Operand: value = x87_arith(form.op, a, widened, control, &status, denormal); break;
        case Use::ReversedOperand: value = x87_arith(form.op, widened, a, control, &status, denormal); break;
        case Use::Load: value = x87_load_real(widened, &(status |= widening)); break;
        case Use::Compare:
          status |= condition_codes(x87_compare(a, widened, true, &status, denormal));
          break;
      }
      agreement.check(a, f80(0, m), control, {value, status}, form.host(a, {}, m, control).outcome,
                      form.use != Use::Compare);
    }
  }
}

// The stored bits (the host's memory operand, which an unmasked exception leaves
// alone) and FSW; ST(0) is not compared.
template <class Ours> void compare_store(const char* name, HostInstruction host, uint64_t memory_mask, Ours ours) {
  Sampler sample(name);
  Agreement agreement(name, kArithmeticStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const Float80 a = sample.operand();
    const uint16_t control = sample.control();
    uint16_t status = 0;
    const uint64_t stored = ours(a, control, &status) & memory_mask;
    const Host on_host = host(a, {}, 0, control);
    const bool written = !(status & ~control & (IE | DE | ZE | OE | UE));
    agreement.check(a, {}, control, {f80(0, written ? stored : 0), status},
                    {f80(0, written ? on_host.memory & memory_mask : 0), on_host.outcome.status});
  }
}

TEST(X87Host, Stores) {
  compare_store("fst m32", host_fst_m32, 0xffffffff, x87_to_binary32);
  compare_store("fst m64", host_fst_m64, ~uint64_t(0), x87_to_binary64);
  for (unsigned bits : {16u, 32u, 64u}) {
    for (bool truncate : {false, true}) {
      const HostInstruction host = truncate ? std::array{host_fisttp16, host_fisttp32, host_fisttp64}[bits / 32]
                                            : std::array{host_fist16, host_fist32, host_fist64}[bits / 32];
      const std::string name = std::string(truncate ? "fisttp" : "fist") + std::to_string(bits);
      const uint64_t mask = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
      compare_store(name.c_str(), host, mask, [&](Float80 a, uint16_t control, uint16_t* status) {
        return uint64_t(x87_to_int(a, bits, truncate, control, status));
      });
    }
  }
}

TEST(X87Host, Compares) {
  for (bool signalling : {true, false}) {
    const char* name = signalling ? "fcom" : "fucom";
    Sampler sample(name);
    Agreement agreement(name, kConditionStatus);
    for (int i = 0; i < cases_per_operation(); ++i) {
      const auto [a, b] = sample.operands();
      const uint16_t control = sample.control();
      uint16_t status = 0;
      status |= condition_codes(x87_compare(a, b, signalling, &status));
      agreement.check(a, b, control, {{}, status}, (signalling ? host_fcom : host_fucom)(a, b, 0, control).outcome, false);
    }
  }
  Sampler sample("ftst");
  Agreement agreement("ftst", kConditionStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const Float80 a = sample.operand();
    const uint16_t control = sample.control();
    uint16_t status = 0;
    status |= condition_codes(x87_compare(a, {}, true, &status));
    agreement.check(a, {}, control, {{}, status}, host_ftst(a, {}, 0, control).outcome, false);
  }
}

TEST(X87Host, Examine) {
  Sampler sample("fxam");
  Agreement agreement("fxam", kConditionStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const Float80 a = sample.operand();
    const bool empty = sample.one_in(8);
    // Masked, because storing the emptied register underflows the stack.
    const uint16_t control = sample.control() | Flags;
    agreement.check(a, {}, control, {{}, x87_examine(a, empty)},
                    (empty ? host_fxam_empty : host_fxam)(a, {}, 0, control).outcome, false);
  }
}

TEST(X87Host, ConstantsInEachRoundingControl) {
  const std::array<std::pair<X87Constant, HostInstruction>, 7> constants{
      {{X87Constant::One, host_fld1},
       {X87Constant::Log2Ten, host_fldl2t},
       {X87Constant::Log2E, host_fldl2e},
       {X87Constant::Pi, host_fldpi},
       {X87Constant::Log10Two, host_fldlg2},
       {X87Constant::LnTwo, host_fldln2},
       {X87Constant::Zero, host_fldz}}};
  Agreement agreement("constants", kArithmeticStatus);
  for (const auto& [constant, host] : constants)
    for (unsigned precision : {0u, 2u, 3u})
      for (unsigned rounding = 0; rounding < 4; ++rounding) {
        const uint16_t control = control_word(precision, rounding);
        agreement.check({}, {}, control, {x87_constant(constant, control), 0}, host({}, {}, 0, control).outcome);
      }
}

TEST(X87Host, RoundToInteger) {
  Sampler sample("frndint");
  Agreement agreement("frndint", kArithmeticStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const Float80 a = sample.operand();
    const uint16_t control = sample.control();
    uint16_t status = 0;
    const Float80 value = x87_round_to_integer(a, control, &status);
    agreement.check(a, {}, control, {value, status}, host_frndint(a, {}, 0, control).outcome);
  }
}

// FSCALE's b: small integers, fractions, integers near the exponent range's size
// and beyond, or any operand.
Float80 scale_operand(Sampler& sample) {
  uint16_t ignored = 0;
  switch (sample.below(4)) {
    case 0: return x87_from_int(int64_t(sample.below(201)) - 100);
    case 1: return x87_from_int(int64_t(sample.below(140001)) - 70000);
    case 2: {
      const Float80 fraction = x87_arith(X87ArithOp::Div, x87_from_int(int64_t(sample.bits() % 200001) - 100000),
                                         x87_from_int(int64_t(sample.below(1000)) + 1), 0x37f, &ignored);
      return fraction;
    }
    default: return sample.operand();
  }
}

TEST(X87Host, Scale) {
  Sampler sample("fscale");
  Agreement agreement("fscale", kArithmeticStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const Float80 a = sample.operand();
    const Float80 b = scale_operand(sample);
    const uint16_t control = sample.control();
    uint16_t status = 0;
    const Float80 value = x87_scale(a, b, control, &status);
    agreement.check(a, b, control, {value, status}, host_fscale(a, b, 0, control).outcome);
  }
}

TEST(X87Host, Extract) {
  Sampler sample("fxtract");
  Agreement significands("fxtract significand", kArithmeticStatus), exponents("fxtract exponent", kArithmeticStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const Float80 a = sample.operand();
    const uint16_t control = sample.control();
    uint16_t status = 0;
    const X87Pair pair = x87_extract(a, control, &status);
    const Host host = host_fxtract(a, {}, 0, control);
    significands.check(a, {}, control, {pair.second, status}, host.outcome);
    exponents.check(a, {}, control, {pair.first, status}, {host.second, host.outcome.status});
  }
}

// Pairs at every exponent difference up to past the 64 where the remainder becomes
// partial, or any pair.
std::pair<Float80, Float80> remainder_operands(Sampler& sample) {
  if (sample.one_in(3)) return sample.operands();
  const Float80 b = sample.operand();
  const int biased = (b.sign_exponent & 0x7fff) + int(sample.below(200)) - 3;
  const Float80 a{sample.bits() | (uint64_t(1) << 63),
                  uint16_t((sample.one_in(2) ? 0x8000 : 0) | std::clamp(biased, 0, 0x7ffe))};
  return {a, b};
}

TEST(X87Host, Remainder) {
  for (bool ieee : {false, true}) {
    const char* name = ieee ? "fprem1" : "fprem";
    Sampler sample(name);
    Agreement agreement(name, kConditionStatus);
    for (int i = 0; i < cases_per_operation(); ++i) {
      const auto [a, b] = remainder_operands(sample);
      const uint16_t control = sample.control();
      uint16_t status = 0;
      const X87Remainder r = x87_remainder(a, b, ieee, control, &status);
      status |= (r.incomplete ? C2 : 0) | (r.quotient_low & 4 ? C0 : 0) | (r.quotient_low & 2 ? C3 : 0) |
                (r.quotient_low & 1 ? C1 : 0);
      agreement.check(a, b, control, {r.value, status}, (ieee ? host_fprem1 : host_fprem)(a, b, 0, control).outcome);
    }
  }
}

// Packed BCD images: up to 18 digits, sometimes nibbles above 9 and junk in the
// unused bits 72-78.
Float80 bcd_operand(Sampler& sample) {
  Float80 packed{0, uint16_t(sample.one_in(2) ? 0x8000 : 0)};
  const int digits = int(sample.below(19));
  for (int i = 0; i < digits; ++i) {
    const uint64_t d = sample.one_in(20) ? 10 + sample.below(6) : sample.below(10);
    if (i < 16)
      packed.significand |= d << (4 * i);
    else
      packed.sign_exponent |= uint16_t(d << (4 * (i - 16)));
  }
  if (sample.one_in(10)) packed.sign_exponent |= uint16_t(sample.bits() & 0x7f00);
  return packed;
}

// FBSTP's operands: integers and near-integers of up to 19 digits, around 10^18,
// or any operand.
Float80 bcd_store_operand(Sampler& sample) {
  uint16_t ignored = 0;
  switch (sample.below(4)) {
    case 0: {
      const int64_t limit = 999999999999999999;
      return x87_from_int(sample.one_in(2) ? limit + int64_t(sample.below(5)) - 2 : -limit - int64_t(sample.below(5)) + 2);
    }
    case 1: {
      const uint64_t magnitude = sample.bits() >> sample.below(64);
      const Float80 value = x87_from_int(int64_t(magnitude >> 1));
      const Float80 fraction = x87_from_int(int64_t(sample.below(8)) - 4);
      return x87_arith(X87ArithOp::Add, value,
                       x87_arith(X87ArithOp::Div, fraction, x87_from_int(8), 0x37f, &ignored), 0x37f, &ignored);
    }
    default: return sample.operand();
  }
}

TEST(X87Host, PackedBcd) {
  {
    Sampler sample("fbld");
    Agreement agreement("fbld", kArithmeticStatus);
    for (int i = 0; i < cases_per_operation(); ++i) {
      const Float80 packed = bcd_operand(sample);
      const uint16_t control = sample.control();
      agreement.check(packed, {}, control, {x87_from_bcd(packed), 0}, host_fbld({}, packed, 0, control).outcome);
    }
  }
  Sampler sample("fbstp");
  Agreement agreement("fbstp", kArithmeticStatus);
  for (int i = 0; i < cases_per_operation(); ++i) {
    const Float80 a = bcd_store_operand(sample);
    const uint16_t control = sample.control();
    uint16_t status = 0;
    const Float80 packed = x87_to_bcd(a, control, &status);
    const Host host = host_fbstp(a, {}, 0, control);
    agreement.check(a, {}, control, {packed, status}, {host.memory80, host.outcome.status});
  }
}

// ---- transcendentals: within a tolerance

// Finite values in order as integers: adjacent values differ by one.
__int128 ordinal(Float80 x) {
  const int biased = x.sign_exponent & 0x7fff;
  const __int128 magnitude = (__int128(biased) << 63) + (biased ? x.significand - (uint64_t(1) << 63) : x.significand);
  return x.sign_exponent & 0x8000 ? -magnitude : magnitude;
}

bool is_finite_value(Float80 x) { return (x.sign_exponent & 0x7fff) != 0x7fff; }

// Results agree exactly on special operands (where the host's result is exact or
// special itself: a NaN, an infinity, a zero, or no PE) and otherwise within
// kToleranceUlps units in the last place of the 64-bit significand; the flags
// agree except C1, which follows each side's own rounding and is compared only
// when the bits are equal. Prints how far apart the results were.
class CloseAgreement {
 public:
  static constexpr int kToleranceUlps = 1;
  explicit CloseAgreement(const char* operation) : operation_(operation) {}
  ~CloseAgreement() {
    std::printf("%-10s %7d cases: exact %d, 1 ulp %d, more %d (%d special), flags %d, C1 %d\n", operation_, cases_,
                distance_[0], distance_[1], distance_[2], special_, flag_mismatches_, c1_mismatches_);
    if (mismatches_ > kReportedMismatches)
      ADD_FAILURE() << operation_ << ": " << mismatches_ << " mismatches in all, the first " << kReportedMismatches
                    << " shown";
  }

  void check(Float80 a, Float80 b, uint16_t control, const std::vector<Float80>& ours, uint16_t ours_status,
             const std::vector<Float80>& host, uint16_t host_status, bool values_matter = true) {
    ++cases_;
    ours_status &= kConditionStatus;
    host_status &= kConditionStatus;
    const bool stopped = (host_status & (IE | DE | ZE) & ~control) != 0;
    bool agree = (ours_status & ~C1) == (host_status & ~C1);
    if (!agree) ++flag_mismatches_;
    bool values_equal = true;
    int worst = 0;
    for (size_t i = 0; values_matter && !stopped && i < ours.size(); ++i) {
      if (ours[i] == host[i]) continue;
      values_equal = false;
      const bool special = !(host_status & PE) || !is_finite_value(host[i]) || !is_finite_value(ours[i]) ||
                           host[i] == Float80{} || ours[i] == Float80{} ||
                           (host[i].sign_exponent ^ ours[i].sign_exponent) & 0x8000;
      const __int128 distance = ordinal(ours[i]) - ordinal(host[i]);
      const __int128 magnitude = distance < 0 ? -distance : distance;
      worst = std::max(worst, magnitude > 2 || special ? 2 : int(magnitude));
      if (special) ++special_;
      if (special || magnitude > kToleranceUlps) agree = false;
    }
    ++distance_[worst];
    // C1 says how each side rounded its own internal result: counted, not required.
    if (values_equal && (ours_status & C1) != (host_status & C1)) ++c1_mismatches_;
    if (agree || ++mismatches_ > kReportedMismatches) return;
    std::ostringstream text;
    for (size_t i = 0; i < ours.size(); ++i) text << " " << ours[i] << "/" << host[i];
    ADD_FAILURE() << operation_ << " a=" << a << " b=" << b << " fcw=" << hex16(control) << ": orcvm/host" << text.str()
                  << " fsw " << hex16(ours_status) << "/" << hex16(host_status);
  }

 private:
  const char* operation_;
  int cases_ = 0, mismatches_ = 0, special_ = 0, flag_mismatches_ = 0, c1_mismatches_ = 0;
  std::array<int, 3> distance_{};
};

// Trigonometric arguments: any operand, values of every size below 2^63 (and a
// little above), and values near multiples of pi66/2, where the reduction cancels.
Float80 trigonometric_operand(Sampler& sample) {
  const uint16_t sign = sample.one_in(2) ? 0x8000 : 0;
  switch (sample.below(4)) {
    case 0: return sample.operand();
    case 1: return Float80{sample.bits() | (uint64_t(1) << 63), uint16_t(sign | (0x3fff - 70 + int(sample.below(135))))};
    case 2: {  // k * pi66/2 rounded, nudged by a few units
      const uint64_t k = sample.bits() >> (1 + sample.below(63));
      uint16_t ignored = 0;
      const Float80 half_pi66{0xc90fdaa22168c234, 0x3fff};  // pi66/2 truncated to 64 bits
      Float80 x = x87_arith(X87ArithOp::Mul, x87_from_int(int64_t(k | 1)), half_pi66, 0x37f, &ignored);
      x.significand += sample.below(9) - 4;
      x.significand |= uint64_t(1) << 63;
      x.sign_exponent |= sign;
      return x;
    }
    default: return Float80{sample.bits() | (uint64_t(1) << 63), uint16_t(sign | (0x3fff + 60 + int(sample.below(6))))};
  }
}

std::vector<Float80> values(X87Pair pair, int count) {
  return count == 1 ? std::vector<Float80>{pair.first} : std::vector<Float80>{pair.first, pair.second};
}

TEST(X87Host, Trigonometric) {
  struct Form {
    const char* name;
    X87Trig (*ours)(Float80, uint16_t, uint16_t*);
    HostInstruction host;
    int results;
  };
  for (const Form& form : {Form{"fsin", x87_sin, host_fsin, 1}, Form{"fcos", x87_cos, host_fcos, 1},
                           Form{"fsincos", x87_sincos, host_fsincos, 2}, Form{"fptan", x87_tan, host_fptan, 2}}) {
    Sampler sample(form.name);
    CloseAgreement agreement(form.name);
    for (int i = 0; i < cases_per_operation(); ++i) {
      const Float80 a = trigonometric_operand(sample);
      const uint16_t control = sample.control();
      uint16_t status = 0;
      const X87Trig ours = form.ours(a, control, &status);
      if (ours.out_of_range) status |= C2;
      const Host host = form.host(a, {}, 0, control);
      // Two results are pushed: ST(1) holds the first (sine, tangent), ST(0) the second.
      const bool pushed = form.results == 2 && !ours.out_of_range && !(status & (IE | DE) & ~control);
      const std::vector<Float80> on_host =
          pushed ? std::vector<Float80>{host.second, host.outcome.value} : std::vector<Float80>{host.outcome.value};
      agreement.check(a, {}, control, values(ours.result, pushed ? 2 : 1), status, on_host, host.outcome.status);
    }
  }
}

// F2XM1's argument: mostly within [-1, 1], at every magnitude.
Float80 exp2m1_operand(Sampler& sample) {
  if (sample.one_in(4)) return sample.operand();
  const uint16_t sign = sample.one_in(2) ? 0x8000 : 0;
  if (sample.one_in(20)) return Float80{uint64_t(1) << 63, uint16_t(sign | 0x3fff)};
  return Float80{sample.bits() | (uint64_t(1) << 63), uint16_t(sign | (0x3ffe - int(sample.below(80))))};
}

// FYL2X's x: positive values of every size and values near 1; FYL2XP1's x: within
// the SDM's |x| < 1 - sqrt(2)/2 at every magnitude.
Float80 log_operand(Sampler& sample, bool plus_one) {
  if (plus_one) {
    // The SDM's range, 1 - sqrt(2)/2 = 0x3ffd:95f619980c4336f5..., holds the special
    // operands; outside it the host's results are not the function's.
    const uint16_t sign = sample.one_in(2) ? 0x8000 : 0;
    for (;;) {
      const Float80 x = sample.one_in(4) ? sample.operand()
                                         : Float80{sample.bits() | (uint64_t(1) << 63),
                                                   uint16_t(sign | (0x3ffd - int(sample.below(80))))};
      const int biased = x.sign_exponent & 0x7fff;
      const bool normal_or_unsupported = biased != 0 && biased != 0x7fff;
      if (!normal_or_unsupported || biased < 0x3ffd || (biased == 0x3ffd && x.significand < 0x95f619980c4336f5))
        return x;
    }
  }
  if (sample.one_in(4)) return sample.operand();
  switch (sample.below(3)) {
    case 0: return Float80{(uint64_t(1) << 63) + (sample.bits() >> sample.below(64)), 0x3fff};  // just above 1
    case 1: return Float80{~uint64_t(0) - (sample.bits() >> sample.below(64)), 0x3ffe};         // just below 1
    default: return Float80{sample.bits() | (uint64_t(1) << 63), uint16_t(1 + sample.below(0x7ffe))};
  }
}

// FYL2X and FYL2XP1's y, and FPATAN's operands: moderate values mostly.
Float80 moderate_operand(Sampler& sample) {
  if (sample.one_in(3)) return sample.operand();
  const uint16_t sign = sample.one_in(2) ? 0x8000 : 0;
  return Float80{sample.bits() | (uint64_t(1) << 63), uint16_t(sign | (0x3fff - 100 + int(sample.below(200))))};
}

TEST(X87Host, ExponentialLogarithmArctangent) {
  struct Form {
    const char* name;
    HostInstruction host;
  };
  for (const Form& form : {Form{"f2xm1", host_f2xm1}, Form{"fyl2x", host_fyl2x}, Form{"fyl2xp1", host_fyl2xp1},
                           Form{"fpatan", host_fpatan}}) {
    const std::string_view name = form.name;
    Sampler sample(form.name);
    CloseAgreement agreement(form.name);
    for (int i = 0; i < cases_per_operation(); ++i) {
      Float80 x, y{};
      if (name == "f2xm1") {
        x = exp2m1_operand(sample);
      } else if (name == "fpatan") {
        x = moderate_operand(sample);
        y = moderate_operand(sample);
      } else {
        x = log_operand(sample, name == "fyl2xp1");
        y = moderate_operand(sample);
      }
      const uint16_t control = sample.control();
      uint16_t status = 0;
      Float80 value;
      if (name == "f2xm1")
        value = x87_exp2m1(x, control, &status);
      else if (name == "fyl2x")
        value = x87_ylog2x(y, x, control, &status);
      else if (name == "fyl2xp1")
        value = x87_ylog2xp1(y, x, control, &status);
      else
        value = x87_atan2(y, x, control, &status);
      const Host host = form.host(x, y, 0, control);
      agreement.check(x, y, control, {value}, status, {host.outcome.value}, host.outcome.status);
    }
  }
}

// The hand-derived cases of x87_cases.h, on the host: this checks the derivations.
Host run_case_on_host(const X87Case& c) {
  static const std::vector<std::pair<std::string_view, HostInstruction>> kInstructions{
      {"fadd", host_fadd},       {"fsub", host_fsub},         {"fmul", host_fmul},       {"fdiv", host_fdiv},
      {"fsqrt", host_fsqrt},     {"fld m32", host_fld_m32},   {"fld m64", host_fld_m64}, {"fadd m32", host_fadd_m32},
      {"fcom m32", host_fcom_m32}, {"fst m32", host_fst_m32}, {"fst m64", host_fst_m64}, {"fist16", host_fist16},
      {"fist32", host_fist32},   {"fist64", host_fist64},     {"fisttp16", host_fisttp16}, {"fisttp32", host_fisttp32},
      {"fisttp64", host_fisttp64}, {"fcom", host_fcom},       {"fucom", host_fucom},     {"ftst", host_ftst},
      {"fxam", host_fxam},       {"fxam empty", host_fxam_empty}, {"fld1", host_fld1},   {"fldl2t", host_fldl2t},
      {"fldl2e", host_fldl2e},   {"fldpi", host_fldpi},       {"fldlg2", host_fldlg2},   {"fldln2", host_fldln2},
      {"fldz", host_fldz},       {"frndint", host_frndint},   {"fscale", host_fscale},   {"fprem", host_fprem},
      {"fprem1", host_fprem1},   {"fxtract exponent", host_fxtract}, {"fxtract significand", host_fxtract},
      {"fbld", host_fbld},       {"fbstp", host_fbstp},       {"fsin", host_fsin},       {"fcos", host_fcos},
      {"fsincos sin", host_fsincos}, {"fsincos cos", host_fsincos}, {"fptan", host_fptan}, {"fptan st0", host_fptan},
      {"fpatan", host_fpatan},   {"f2xm1", host_f2xm1},       {"fyl2x", host_fyl2x},     {"fyl2xp1", host_fyl2xp1}};
  for (const auto& [name, instruction] : kInstructions) {
    if (c.op != name) continue;
    const bool memory_source = c.op.ends_with("m32") || c.op.ends_with("m64");
    const bool masked_only = c.op == "fxam empty";  // storing the emptied register underflows the stack
    Host host = instruction(c.a, memory_source ? Float80{} : c.b, memory_source ? c.b.significand : 0,
                            masked_only ? uint16_t(c.control | Flags) : c.control);
    if (c.op.starts_with("fst") || c.op.starts_with("fist")) host.outcome.value = f80(0, host.memory);
    if (c.op == "fxtract exponent") host.outcome.value = host.second;
    if (c.op == "fbstp") host.outcome.value = host.memory80;
    const bool pushed = !(host.outcome.status & C2);
    if ((c.op == "fsincos sin" || c.op == "fptan") && pushed) host.outcome.value = host.second;
    return host;
  }
  ADD_FAILURE() << "no host instruction for " << c.op;
  return {};
}

TEST(X87Host, HandDerivedCases) {
  const std::vector<X87Case> class_pairs = cases::class_pair_cases();
  for (const auto* table :
       {&cases::kArithmetic, &cases::kConversions, &cases::kComparesAndClasses, &cases::kRoundScaleExtractRemainder,
        &cases::kPackedBcd, &cases::kTranscendental, &class_pairs})
    for (const X87Case& c : *table)
      EXPECT_EQ(comparable(c, run_case_on_host(c).outcome), comparable(c, {c.expected, c.status}))
          << c.op << " " << c.a << " " << c.b << " fcw " << hex16(c.control);
}

}  // namespace
}  // namespace orcvm::fpu::test

#else

TEST(X87Host, NeedsAnX86Host) { GTEST_SKIP() << "no host x87 to compare with"; }

#endif
