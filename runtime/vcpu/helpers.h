#pragma once
// The VCPU runtime functions that translated code calls (see ir/semantics/helpers.inc).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ir/semantics/helpers.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

using HelperFn = uint64_t (*)(ExecContext*, uint64_t, uint64_t, uint64_t);

HelperFn helper_function(Helper h);

// Every symbol that generated code may reference, with its host address: helpers,
// memory slow paths and the chain-exit stub. The JIT resolves names against this.
std::vector<std::pair<std::string, void*>> runtime_symbols();

// Records an exception for the VCPU loop to deliver (ctx->cpu.rip is the faulting
// instruction).
void raise_exception(ExecContext* ctx, uint8_t vector, uint32_t error_code = 0, bool has_error_code = false);

// The soft-TLB bank of the current privilege, for helpers that access guest memory.
unsigned bank_of(const ExecContext* ctx);

}  // namespace orcvm
