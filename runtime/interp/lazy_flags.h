#pragma once
// The status flags a lazy record of CpuState stands for (ir/semantics/lazy_flags.h),
// evaluated with the interpreter's arithmetic.
#include <array>
#include <cstdint>

namespace orcvm {

using StatusFlags = std::array<uint8_t, 6>;  // CF PF AF ZF SF OF, each 0 or 1

StatusFlags lazy_status_flags(uint8_t op, uint64_t operand, uint64_t result);

}  // namespace orcvm
