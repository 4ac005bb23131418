// The SSE library against the host CPU's SSE, which is the oracle here (x86-64
// hosts only; inline assembly is allowed in this file for that reason alone).
// Operands are random but biased to the classes where SSE has rules: zeros,
// denormals, infinities, NaNs with payloads, values near overflow and underflow,
// near-equal and exponent-shifted pairs. Every function runs under random MXCSR
// values: each rounding direction, DAZ and FTZ on and off, everything masked and
// sometimes some exceptions unmasked, where the host raises #XM (SIGFPE) and the
// flags come from the signal frame's MXCSR. The seed is fresh each run and
// printed; ORCVM_SEED=N replays a run.
#include <gtest/gtest.h>

#if defined(__x86_64__)

#include <array>
#include <cmath>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <ucontext.h>
#include <utility>

#include "runtime/fpu/float_format.h"
#include "runtime/fpu/sse_float.h"
#include "tests/fpu/lane.h"
#include "tests/fpu/seed.h"

namespace orcvm::fpu::test {
namespace {

constexpr int kCasesPerFunction = 5000;
constexpr int kReportedMismatches = 10;

// ---- the host oracle

sigjmp_buf g_trap_return;
volatile uint32_t g_trapped_mxcsr;

void on_simd_exception(int, siginfo_t*, void* context) {
  g_trapped_mxcsr = static_cast<ucontext_t*>(context)->uc_mcontext.fpregs->mxcsr;
  siglongjmp(g_trap_return, 1);
}

// #XM arrives as SIGFPE; SA_NODEFER keeps it deliverable after the handler jumps out.
class SimdExceptionCatcher {
 public:
  SimdExceptionCatcher() {
    struct sigaction action {};
    action.sa_sigaction = on_simd_exception;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &action, &previous_);
  }
  ~SimdExceptionCatcher() { sigaction(SIGFPE, &previous_, nullptr); }

 private:
  struct sigaction previous_ {};
};

struct HostLane {
  Lane lane;
  bool trapped;  // #XM: no result, lane.flags from the MXCSR at the fault
};

// One instruction on the host: a in xmm0 (and rax), b in xmm1 (and a GPR); the
// result is read from xmm0. MXCSR = control only around the instruction.
using HostInstruction = uint64_t (*)(uint64_t a, uint64_t b, uint32_t control, uint32_t* flags);

#define ORCVM_HOST_INSTRUCTION(name, instruction)                                            \
  template <int Imm = 0>                                                                     \
  uint64_t name(uint64_t a, uint64_t b, uint32_t control, uint32_t* flags) {                 \
    uint32_t saved, status;                                                                  \
    asm volatile("stmxcsr %[saved]\n\t"                                                      \
                 "movq %[a], %%xmm0\n\t"                                                     \
                 "movq %[b], %%xmm1\n\t"                                                     \
                 "ldmxcsr %[control]\n\t" instruction "\n\t"                                 \
                 "stmxcsr %[status]\n\t"                                                     \
                 "ldmxcsr %[saved]\n\t"                                                      \
                 "movq %%xmm0, %[a]"                                                         \
                 : [a] "+a"(a), [saved] "=m"(saved), [status] "=m"(status)                   \
                 : [b] "r"(b), [control] "m"(control), [imm] "i"(Imm)                        \
                 : "xmm0", "xmm1", "cc");                                                    \
    *flags = status & mxcsr::Flags;                                                          \
    return a;                                                                                \
  }

ORCVM_HOST_INSTRUCTION(host_addss, "addss %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_subss, "subss %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_mulss, "mulss %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_divss, "divss %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_minss, "minss %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_maxss, "maxss %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_sqrtss, "sqrtss %%xmm0, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_addsd, "addsd %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_subsd, "subsd %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_mulsd, "mulsd %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_divsd, "divsd %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_minsd, "minsd %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_maxsd, "maxsd %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_sqrtsd, "sqrtsd %%xmm0, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_cmpss, "cmpss %[imm], %%xmm1, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_cmpsd, "cmpsd %[imm], %%xmm1, %%xmm0")
// LAHF puts ZF, PF and CF (with SF, AF) into AH at their RFLAGS positions.
#define ORCVM_RFLAGS_TO_XMM0 "\n\tlahf\n\tmovzbl %%ah, %%eax\n\tmovq %%rax, %%xmm0"
ORCVM_HOST_INSTRUCTION(host_comiss, "comiss %%xmm1, %%xmm0" ORCVM_RFLAGS_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_ucomiss, "ucomiss %%xmm1, %%xmm0" ORCVM_RFLAGS_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_comisd, "comisd %%xmm1, %%xmm0" ORCVM_RFLAGS_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_ucomisd, "ucomisd %%xmm1, %%xmm0" ORCVM_RFLAGS_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvtss2sd, "cvtss2sd %%xmm0, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_cvtsd2ss, "cvtsd2ss %%xmm0, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_cvtsi2ss, "cvtsi2ssq %[b], %%xmm0")
ORCVM_HOST_INSTRUCTION(host_cvtsi2sd, "cvtsi2sdq %[b], %%xmm0")
#define ORCVM_GPR_TO_XMM0 "\n\tmovq %%rax, %%xmm0"
ORCVM_HOST_INSTRUCTION(host_cvtss2si32, "cvtss2si %%xmm0, %%eax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvttss2si32, "cvttss2si %%xmm0, %%eax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvtss2si64, "cvtss2si %%xmm0, %%rax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvttss2si64, "cvttss2si %%xmm0, %%rax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvtsd2si32, "cvtsd2si %%xmm0, %%eax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvttsd2si32, "cvttsd2si %%xmm0, %%eax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvtsd2si64, "cvtsd2si %%xmm0, %%rax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_cvttsd2si64, "cvttsd2si %%xmm0, %%rax" ORCVM_GPR_TO_XMM0)
ORCVM_HOST_INSTRUCTION(host_rcpss, "rcpss %%xmm0, %%xmm0")
ORCVM_HOST_INSTRUCTION(host_rsqrtss, "rsqrtss %%xmm0, %%xmm0")

// `result_mask` keeps the bits of xmm0 the instruction defines.
HostLane run_on_host(HostInstruction instruction, uint64_t a, uint64_t b, uint32_t control, uint64_t result_mask) {
  uint32_t saved;
  asm volatile("stmxcsr %0" : "=m"(saved));
  if (sigsetjmp(g_trap_return, 0)) {
    asm volatile("ldmxcsr %0" : : "m"(saved));
    return {{0, g_trapped_mxcsr & mxcsr::Flags}, true};
  }
  uint32_t flags = 0;
  const uint64_t value = instruction(a, b, control, &flags);
  return {{value & result_mask, flags}, false};
}

// ---- sampling

template <class Host, class Bits> Host from_bits(Bits bits) {
  static_assert(sizeof(Host) == sizeof(Bits));
  Host value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
template <class Host> auto to_bits(Host value) {
  std::conditional_t<sizeof(Host) == 4, uint32_t, uint64_t> bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

class Sampler {
 public:
  // Each function draws its own stream from the run seed, its test's name and its
  // own, so that it replays alone and no two functions see the same operands.
  explicit Sampler(const char* function) {
    static const bool printed = (print_seed(run_seed()), true);
    (void)printed;
    uint64_t stream = run_seed() ^ 0xcbf29ce484222325;  // FNV-1a over the names
    for (const char* name : {::testing::UnitTest::GetInstance()->current_test_info()->name(), function})
      for (const char* c = name; *c; ++c) stream = (stream ^ uint8_t(*c)) * 0x100000001b3;
    rng_.seed(stream);
  }

  uint64_t bits() { return rng_(); }
  unsigned below(unsigned n) { return unsigned(rng_() % n); }
  bool one_in(unsigned n) { return below(n) == 0; }

  // Random rounding, DAZ and FTZ; every exception masked, or in one case out of
  // eight a random set unmasked. Stale flags ride along: they must not matter.
  uint32_t control() {
    uint32_t control = below(4) << mxcsr::RcShift | mxcsr::Masks;
    if (one_in(3)) control |= mxcsr::DAZ;
    if (one_in(3)) control |= mxcsr::FTZ;
    if (one_in(8)) control &= ~((uint32_t(bits()) & mxcsr::Flags) << mxcsr::MaskShift);
    return control;
  }
  uint32_t stale_flags() { return uint32_t(bits()) & mxcsr::Flags; }

  template <class F> typename F::Bits operand() {
    using Bits = typename F::Bits;
    const Bits sign = one_in(2) ? F::kSignBit : 0;
    const Bits fraction = Bits(bits()) & F::kFractionMask;
    const Bits payload = fraction & (F::kQuietBit - 1);
    auto with_exponent = [&](int biased, Bits f) { return sign | (Bits(biased) << F::kFractionBits) | f; };
    switch (below(16)) {
      case 0: return sign;
      case 1: return sign | (fraction ? fraction : 1);                            // denormal
      case 2: return sign | (one_in(2) ? Bits(1 + below(8)) : F::kFractionMask);  // extreme denormals
      case 3: return sign | F::kInfinity;
      case 4: return sign | F::kInfinity | F::kQuietBit | payload;  // QNaN
      case 5: return sign | F::kInfinity | (payload ? payload : 1);  // SNaN
      case 6: return with_exponent(F::kMaxBiasedExponent - 1 - int(below(3)), fraction);  // near overflow
      case 7: return with_exponent(1 + int(below(3)), fraction);                          // near underflow
      case 8: return with_exponent(F::kBias / 2 + int(below(5)) - 2, fraction);  // squares underflow
      case 9: return with_exponent(F::kBias + F::kBias / 2 + int(below(5)) - 2, fraction);  // squares overflow
      case 10: {  // short significands: exact results and ties
        const Bits top = fraction & (Bits(0xf) << (F::kFractionBits - 4));
        return with_exponent(F::kBias + int(below(9)) - 4, top);
      }
      case 11: return with_exponent(F::kBias + int(below(61)) - 30, one_in(2) ? F::kFractionMask : Bits(below(2)));
      default: return Bits(bits());
    }
  }

  // Pairs that cancel, nearly cancel, align at every distance or coincide, or
  // whose product or quotient lands within a few ulps of the smallest normal or of
  // the largest finite value, where tininess and overflow are decided after rounding.
  template <class F> std::pair<typename F::Bits, typename F::Bits> operands() {
    using Bits = typename F::Bits;
    const Bits a = operand<F>();
    const Bits sign = one_in(2) ? F::kSignBit : 0;
    switch (below(10)) {
      case 8:
      case 9: return near_boundary<F>();
      case 0: return {a, a ^ F::kSignBit};
      case 1: return {a, Bits(a + below(9) - 4)};
      case 2: return {a, a};
      case 3: {
        const int shifted = biased_exponent<F>(a) - int(below(F::kFractionBits + 4));
        const Bits fraction = one_in(2) ? Bits(bits()) & F::kFractionMask : Bits(0);
        return {a, shifted > 0 ? sign | Bits(shifted) << F::kFractionBits | fraction : sign | fraction};
      }
      default: return {a, operand<F>()};
    }
  }

  // Host arithmetic only aims the operands; the oracle decides what they give.
  template <class F> std::pair<typename F::Bits, typename F::Bits> near_boundary() {
    using Bits = typename F::Bits;
    using Host = std::conditional_t<sizeof(Bits) == 4, float, double>;
    const Bits a = Bits(F::kBias + int(below(41)) - 20) << F::kFractionBits | (Bits(bits()) & F::kFractionMask);
    // The hidden bit alone, as an encoding, is the smallest normal.
    const Host target = from_bits<Host>(one_in(2) ? F::kHiddenBit : F::kMaxNormal);
    const bool product = one_in(2);
    const Host b = product ? target / from_bits<Host>(a) : from_bits<Host>(a) / target;
    const Bits sign = one_in(2) ? F::kSignBit : 0;
    return {a ^ sign, Bits(to_bits<Host>(b) + below(5) - 2)};
  }

  // binary64 values within a few binary32 ulps of binary32's extremes (the smallest
  // normal, the largest finite, denormals), with random bits below binary32's precision.
  uint64_t narrowing() {
    const uint32_t sign = one_in(2) ? Binary32::kSignBit : 0;
    const uint32_t denormal = uint32_t(bits()) & Binary32::kFractionMask;
    const uint32_t near = std::array{Binary32::kHiddenBit, Binary32::kMaxNormal, denormal}[below(3)];
    const double widened = from_bits<float>(sign | near);
    return to_bits<double>(widened) + (bits() % (uint64_t(1) << 31)) - (uint64_t(1) << 30);
  }

  int64_t integer() {
    const int64_t sign = one_in(2) ? -1 : 1;
    switch (below(6)) {
      case 0: return int64_t(below(201)) - 100;
      case 1: return sign * (int64_t(1) << below(63)) + int64_t(below(7)) - 3;  // powers of two, near ties
      case 2: return one_in(2) ? INT64_MIN + below(4) : INT64_MAX - below(4);
      case 3: return int32_t(bits());
      case 4: return sign * int64_t(bits() >> (1 + below(40)));
      default: return int64_t(bits());
    }
  }

  // Values around the integer limits and exact halves, then the usual classes.
  template <class F> typename F::Bits convertible() {
    using Bits = typename F::Bits;
    if (one_in(3)) return operand<F>();
    const int exponent = one_in(2) ? int(below(66)) : std::array{30, 31, 32, 62, 63, 64}[below(6)];
    Bits fraction = Bits(bits()) & F::kFractionMask;
    if (one_in(4)) fraction = one_in(2) ? F::kFractionMask : Bits(below(3));
    if (exponent < int(F::kFractionBits) && one_in(2)) {  // n + 1/2 exactly
      const Bits half = Bits(1) << (F::kFractionBits - exponent - 1);
      fraction = (fraction & ~(half - 1)) | half;
    }
    return (one_in(2) ? F::kSignBit : 0) | Bits(F::kBias + exponent) << F::kFractionBits | fraction;
  }

 private:
  std::mt19937_64 rng_;
};

// ---- comparison

// Also prints how often the host raised each flag and #XM, which shows what the
// sampling reached.
class Agreement {
 public:
  explicit Agreement(const char* function) : function_(function) {}
  ~Agreement() {
    std::printf("%-14s %6d cases: IE %d DE %d ZE %d OE %d UE %d PE %d, #XM %d\n", function_, cases_, raised_[0],
                raised_[1], raised_[2], raised_[3], raised_[4], raised_[5], traps_);
    if (mismatches_ > kReportedMismatches)
      ADD_FAILURE() << function_ << ": " << mismatches_ << " mismatches in all, the first "
                    << kReportedMismatches << " shown";
  }

  // orcvm raises #XM exactly when the host does, with the same flags, and
  // otherwise returns the host's bits.
  void check(uint64_t a, uint64_t b, uint32_t control, Lane ours, HostLane host) {
    ++cases_;
    traps_ += host.trapped;
    for (int flag = 0; flag < 6; ++flag) raised_[flag] += (host.lane.flags >> flag) & 1;
    const bool ours_traps = unmasked(ours.flags, control) != 0;
    const bool agree = host.trapped ? ours_traps && ours.flags == host.lane.flags : !ours_traps && ours == host.lane;
    if (agree || ++mismatches_ > kReportedMismatches) return;
    ADD_FAILURE() << std::hex << function_ << " a=0x" << a << " b=0x" << b << " mxcsr=0x" << control
                  << ": orcvm " << ours << (ours_traps ? " #XM" : "") << ", host " << host.lane
                  << (host.trapped ? " #XM" : "");
  }

 private:
  const char* function_;
  int mismatches_ = 0, cases_ = 0, traps_ = 0;
  std::array<int, 6> raised_{};
};

template <class F> constexpr uint64_t kResultMask = uint64_t(typename F::Bits(~typename F::Bits(0)));

using Arith32 = uint32_t (*)(ArithOp, uint32_t, uint32_t, uint32_t, uint32_t*);
using Arith64 = uint64_t (*)(ArithOp, uint64_t, uint64_t, uint32_t, uint32_t*);

template <class F, class Arith>
void compare_arith(const char* name, ArithOp op, HostInstruction host, Arith arith) {
  Sampler sample(name);
  Agreement agreement(name);
  SimdExceptionCatcher catcher;
  for (int i = 0; i < kCasesPerFunction; ++i) {
    const auto [a, b] = op == ArithOp::Sqrt ? std::pair{sample.operand<F>(), typename F::Bits(0)} : sample.operands<F>();
    const uint32_t control = sample.control();
    uint32_t flags = 0;
    const uint64_t value = arith(op, a, b, control | sample.stale_flags(), &flags);
    agreement.check(a, b, control, {value, flags}, run_on_host(host, a, b, control, kResultMask<F>));
  }
}

TEST(SseHost, Arith32) {
  compare_arith<Binary32>("addss", ArithOp::Add, host_addss, arith32);
  compare_arith<Binary32>("subss", ArithOp::Sub, host_subss, arith32);
  compare_arith<Binary32>("mulss", ArithOp::Mul, host_mulss, arith32);
  compare_arith<Binary32>("divss", ArithOp::Div, host_divss, arith32);
  compare_arith<Binary32>("minss", ArithOp::Min, host_minss, arith32);
  compare_arith<Binary32>("maxss", ArithOp::Max, host_maxss, arith32);
  compare_arith<Binary32>("sqrtss", ArithOp::Sqrt, host_sqrtss, arith32);
}

TEST(SseHost, Arith64) {
  compare_arith<Binary64>("addsd", ArithOp::Add, host_addsd, arith64);
  compare_arith<Binary64>("subsd", ArithOp::Sub, host_subsd, arith64);
  compare_arith<Binary64>("mulsd", ArithOp::Mul, host_mulsd, arith64);
  compare_arith<Binary64>("divsd", ArithOp::Div, host_divsd, arith64);
  compare_arith<Binary64>("minsd", ArithOp::Min, host_minsd, arith64);
  compare_arith<Binary64>("maxsd", ArithOp::Max, host_maxsd, arith64);
  compare_arith<Binary64>("sqrtsd", ArithOp::Sqrt, host_sqrtsd, arith64);
}

template <class F, class Compare>
void compare_predicates(const char* name, Compare compare, const std::array<HostInstruction, 8>& host) {
  Sampler sample(name);
  Agreement agreement(name);
  SimdExceptionCatcher catcher;
  for (unsigned predicate = 0; predicate < 8; ++predicate) {
    for (int i = 0; i < kCasesPerFunction; ++i) {
      const auto [a, b] = sample.operands<F>();
      const uint32_t control = sample.control();
      uint32_t flags = 0;
      const bool holds = compare(predicate, a, b, control | sample.stale_flags(), &flags);
      const uint64_t value = holds ? kResultMask<F> : 0;
      agreement.check(a, b, control, {value, flags}, run_on_host(host[predicate], a, b, control, kResultMask<F>));
    }
  }
}

TEST(SseHost, ComparePredicates) {
  compare_predicates<Binary32>("cmpss", compare32,
                               {host_cmpss<0>, host_cmpss<1>, host_cmpss<2>, host_cmpss<3>, host_cmpss<4>,
                                host_cmpss<5>, host_cmpss<6>, host_cmpss<7>});
  compare_predicates<Binary64>("cmpsd", compare64,
                               {host_cmpsd<0>, host_cmpsd<1>, host_cmpsd<2>, host_cmpsd<3>, host_cmpsd<4>,
                                host_cmpsd<5>, host_cmpsd<6>, host_cmpsd<7>});
}

template <class F, class OrderedCompare>
void compare_ordered(const char* name, bool signalling, OrderedCompare compare, HostInstruction host) {
  constexpr uint64_t kZfPfCf = 0x45;
  Sampler sample(name);
  Agreement agreement(name);
  SimdExceptionCatcher catcher;
  for (int i = 0; i < kCasesPerFunction; ++i) {
    const auto [a, b] = sample.operands<F>();
    const uint32_t control = sample.control();
    uint32_t flags = 0;
    const uint32_t rflags = compare(signalling, a, b, control | sample.stale_flags(), &flags);
    agreement.check(a, b, control, {rflags, flags}, run_on_host(host, a, b, control, kZfPfCf));
  }
}

TEST(SseHost, OrderedCompares) {
  compare_ordered<Binary32>("comiss", true, ordered_compare32, host_comiss);
  compare_ordered<Binary32>("ucomiss", false, ordered_compare32, host_ucomiss);
  compare_ordered<Binary64>("comisd", true, ordered_compare64, host_comisd);
  compare_ordered<Binary64>("ucomisd", false, ordered_compare64, host_ucomisd);
}

template <class From, class To, class Convert>
void compare_float_conversion(const char* name, Convert convert, HostInstruction host) {
  Sampler sample(name);
  Agreement agreement(name);
  SimdExceptionCatcher catcher;
  for (int i = 0; i < kCasesPerFunction; ++i) {
    typename From::Bits a = sample.operand<From>();
    if constexpr (sizeof(a) == 8)
      if (sample.one_in(3)) a = sample.narrowing();
    const uint32_t control = sample.control();
    uint32_t flags = 0;
    const uint64_t value = convert(a, control | sample.stale_flags(), &flags);
    agreement.check(a, 0, control, {value, flags}, run_on_host(host, a, 0, control, kResultMask<To>));
  }
}

TEST(SseHost, FloatConversions) {
  compare_float_conversion<Binary32, Binary64>("cvtss2sd", f32_to_f64, host_cvtss2sd);
  compare_float_conversion<Binary64, Binary32>("cvtsd2ss", f64_to_f32, host_cvtsd2ss);
}

template <class To, class Convert>
void compare_integer_to_float(const char* name, Convert convert, HostInstruction host) {
  Sampler sample(name);
  Agreement agreement(name);
  SimdExceptionCatcher catcher;
  for (int i = 0; i < kCasesPerFunction; ++i) {
    const int64_t b = sample.integer();
    const uint32_t control = sample.control();
    uint32_t flags = 0;
    const uint64_t value = convert(b, control | sample.stale_flags(), &flags);
    agreement.check(0, uint64_t(b), control, {value, flags}, run_on_host(host, 0, uint64_t(b), control, kResultMask<To>));
  }
}

TEST(SseHost, IntegerToFloat) {
  compare_integer_to_float<Binary32>("cvtsi2ss", i64_to_f32, host_cvtsi2ss);
  compare_integer_to_float<Binary64>("cvtsi2sd", i64_to_f64, host_cvtsi2sd);
}

template <class From, class Int, class Convert>
void compare_float_to_integer(const char* name, bool truncate, Convert convert, HostInstruction host) {
  constexpr uint64_t kIntMask = uint64_t(std::make_unsigned_t<Int>(~std::make_unsigned_t<Int>(0)));
  Sampler sample(name);
  Agreement agreement(name);
  SimdExceptionCatcher catcher;
  for (int i = 0; i < kCasesPerFunction; ++i) {
    const typename From::Bits a = sample.convertible<From>();
    const uint32_t control = sample.control();
    uint32_t flags = 0;
    const Int value = convert(a, truncate, control | sample.stale_flags(), &flags);
    agreement.check(a, 0, control, {uint64_t(value) & kIntMask, flags}, run_on_host(host, a, 0, control, kIntMask));
  }
}

TEST(SseHost, FloatToInteger) {
  compare_float_to_integer<Binary32, int32_t>("cvtss2si r32", false, f32_to_i32, host_cvtss2si32);
  compare_float_to_integer<Binary32, int32_t>("cvttss2si r32", true, f32_to_i32, host_cvttss2si32);
  compare_float_to_integer<Binary32, int64_t>("cvtss2si r64", false, f32_to_i64, host_cvtss2si64);
  compare_float_to_integer<Binary32, int64_t>("cvttss2si r64", true, f32_to_i64, host_cvttss2si64);
  compare_float_to_integer<Binary64, int32_t>("cvtsd2si r32", false, f64_to_i32, host_cvtsd2si32);
  compare_float_to_integer<Binary64, int32_t>("cvttsd2si r32", true, f64_to_i32, host_cvttsd2si32);
  compare_float_to_integer<Binary64, int64_t>("cvtsd2si r64", false, f64_to_i64, host_cvtsd2si64);
  compare_float_to_integer<Binary64, int64_t>("cvttsd2si r64", true, f64_to_i64, host_cvttsd2si64);
}

double as_double(uint32_t bits) { return from_bits<float>(bits); }

// The approximations differ from the host's tables by design: special operands
// must give the host's bits, other results must both meet the SDM bound (which
// checks the checker on the host's values), and a result flushes to zero when the
// host's does, except in the band of operands where the SDM lets it go either way.
void compare_approximation(const char* name, bool square_root, uint32_t (*ours)(uint32_t), HostInstruction host) {
  const double bound = 1.5 * std::ldexp(1.0, -12);
  constexpr uint32_t kMayFlushFrom = 0x7e7fe800, kMayFlushTo = 0x7e800c01;  // 1.1111111111101b*2^125, 1.00000000000110000000001b*2^126
  Sampler sample(name);
  Agreement agreement(name);
  SimdExceptionCatcher catcher;
  int out_of_bound = 0;
  for (int i = 0; i < kCasesPerFunction; ++i) {
    const uint32_t a = sample.operand<Binary32>();
    const uint32_t control = sample.control();
    const uint32_t value = ours(a);
    const HostLane on_host = run_on_host(host, a, 0, control, kResultMask<Binary32>);
    const uint32_t magnitude = a & 0x7fffffff;
    const bool special = magnitude < 0x00800000 || magnitude >= 0x7f800000 || (square_root && (a >> 31));
    const bool may_flush = !square_root && magnitude >= kMayFlushFrom && magnitude <= kMayFlushTo;
    if (special || on_host.trapped || on_host.lane.flags) {
      agreement.check(a, 0, control, {value, 0}, on_host);
      continue;
    }
    const uint32_t host_value = uint32_t(on_host.lane.value);
    if ((value & 0x7fffffff) == 0 || (host_value & 0x7fffffff) == 0) {
      if (!may_flush) agreement.check(a, 0, control, {value, 0}, on_host);
      continue;
    }
    for (uint32_t r : {value, host_value}) {
      const double error = square_root ? std::sqrt(as_double(r) * as_double(r) * as_double(a)) - 1
                                       : as_double(r) * as_double(a) - 1;
      if (std::fabs(error) > bound && ++out_of_bound <= kReportedMismatches)
        ADD_FAILURE() << std::hex << name << " a=0x" << a << ": 0x" << r << (r == value ? " (orcvm)" : " (host)")
                      << " is off by " << error;
    }
  }
}

TEST(SseHost, Approximations) {
  compare_approximation("rcpss exact", false, reciprocal32, host_rcpss);
  compare_approximation("rsqrtss exact", true, reciprocal_sqrt32, host_rsqrtss);
}

}  // namespace
}  // namespace orcvm::fpu::test

#else

TEST(SseHost, NeedsAnX86Host) { GTEST_SKIP() << "no host SSE to compare with"; }

#endif
