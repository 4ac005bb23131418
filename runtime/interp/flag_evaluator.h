#pragma once
// The interpreter's arithmetic with the status flags written into an array instead of
// a CPU: evaluates flag rules on their own (lazy flags, and their tests).
#include "runtime/interp/interp_emitter.h"
#include "runtime/interp/lazy_flags.h"

namespace orcvm {

class FlagEvaluator : public InterpEmitter {
 public:
  FlagEvaluator() : InterpEmitter(nullptr, BlockMode{}) {}
  void set_flag(sem::Flag f, Value<1> b) { flags[static_cast<size_t>(f)] = static_cast<uint8_t>(b.v); }
  StatusFlags flags{};
};

}  // namespace orcvm
