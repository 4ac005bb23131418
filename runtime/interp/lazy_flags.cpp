#include "runtime/interp/lazy_flags.h"

#include "ir/semantics/lazy_flags.h"
#include "runtime/interp/flag_evaluator.h"

namespace orcvm {

StatusFlags lazy_status_flags(uint8_t op, uint64_t operand, uint64_t result) {
  FlagEvaluator e;
  sem::set_flags_from_lazy(e, e.imm<64>(op), e.imm<64>(operand), e.imm<64>(result));
  return e.flags;
}

}  // namespace orcvm
