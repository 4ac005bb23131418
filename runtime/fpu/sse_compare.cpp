// CMPPS/CMPSS/CMPPD/CMPSD predicates 0-7 and (U)COMISS/(U)COMISD (SDM Vol. 2 per
// instruction). Both order the operands once; they differ in what a QNaN signals
// and in how the order is reported.
#include "runtime/fpu/float_format.h"
#include "runtime/fpu/operand_rules.h"
#include "runtime/fpu/sse_float.h"

namespace orcvm::fpu {
namespace {

enum class Order : uint8_t { Less, Equal, Greater, Unordered };

// `signalling`: a QNaN raises IE as an SNaN always does. A NaN operand suppresses DE.
template <class F>
Order order(typename F::Bits a, typename F::Bits b, bool signalling, uint32_t control, uint32_t* flags) {
  a = read_operand<F>(a, control);
  b = read_operand<F>(b, control);
  if (is_nan<F>(a) || is_nan<F>(b)) {
    if (signalling || is_signalling_nan<F>(a) || is_signalling_nan<F>(b)) *flags |= mxcsr::IE;
    return Order::Unordered;
  }
  if (is_denormal<F>(a) || is_denormal<F>(b)) *flags |= mxcsr::DE;
  if (is_less<F>(a, b)) return Order::Less;
  return is_less<F>(b, a) ? Order::Greater : Order::Equal;
}

// Predicates 0-3 are EQ, LT, LE, UNORD; 4-7 are their negations. LT and LE (and
// so NLT and NLE) are the signalling ones.
template <class F>
bool compare(unsigned predicate, typename F::Bits a, typename F::Bits b, uint32_t control, uint32_t* flags) {
  const unsigned relation = predicate & 3;
  const Order o = order<F>(a, b, relation == 1 || relation == 2, control, flags);
  bool holds = false;
  switch (relation) {
    case 0: holds = o == Order::Equal; break;
    case 1: holds = o == Order::Less; break;
    case 2: holds = o == Order::Less || o == Order::Equal; break;
    case 3: holds = o == Order::Unordered; break;
  }
  return (predicate & 4) ? !holds : holds;
}

template <class F>
uint32_t ordered_compare(bool signalling, typename F::Bits a, typename F::Bits b, uint32_t control, uint32_t* flags) {
  constexpr uint32_t kZF = 0x40, kPF = 0x4, kCF = 0x1;
  switch (order<F>(a, b, signalling, control, flags)) {
    case Order::Less: return kCF;
    case Order::Equal: return kZF;
    case Order::Greater: return 0;
    case Order::Unordered: break;
  }
  return kZF | kPF | kCF;
}

}  // namespace

bool compare32(unsigned predicate, uint32_t a, uint32_t b, uint32_t control, uint32_t* flags) {
  return compare<Binary32>(predicate, a, b, control, flags);
}
bool compare64(unsigned predicate, uint64_t a, uint64_t b, uint32_t control, uint32_t* flags) {
  return compare<Binary64>(predicate, a, b, control, flags);
}

uint32_t ordered_compare32(bool signalling, uint32_t a, uint32_t b, uint32_t control, uint32_t* flags) {
  return ordered_compare<Binary32>(signalling, a, b, control, flags);
}
uint32_t ordered_compare64(bool signalling, uint64_t a, uint64_t b, uint32_t control, uint32_t* flags) {
  return ordered_compare<Binary64>(signalling, a, b, control, flags);
}

}  // namespace orcvm::fpu
