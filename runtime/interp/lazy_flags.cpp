#include "runtime/interp/lazy_flags.h"

#include "ir/semantics/lazy_flags.h"
#include "runtime/interp/interp_emitter.h"

namespace orcvm {

namespace {
// The interpreter's arithmetic, with the flags written here instead of into a CPU.
class FlagEvaluator : public InterpEmitter {
 public:
  FlagEvaluator() : InterpEmitter(nullptr, BlockMode{}) {}
  void set_flag(sem::Flag f, Value<1> b) { flags[static_cast<size_t>(f)] = static_cast<uint8_t>(b.v); }
  StatusFlags flags{};
};
}  // namespace

StatusFlags lazy_status_flags(uint8_t op, uint64_t operand, uint64_t result) {
  FlagEvaluator e;
  sem::set_flags_from_lazy(e, e.imm<64>(op), e.imm<64>(operand), e.imm<64>(result));
  return e.flags;
}

}  // namespace orcvm
