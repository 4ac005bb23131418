#pragma once
// The helper functions of ir/semantics/helpers.inc, defined across the runtime's
// files (helpers.cpp, system_helpers.cpp) and collected into one table.
#include <cstdint>

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

#define X(name, may_fault, registers) uint64_t helper_##name(ExecContext* ctx, uint64_t a, uint64_t b, uint64_t c);
#include "ir/semantics/helpers.inc"
#undef X

}  // namespace orcvm
