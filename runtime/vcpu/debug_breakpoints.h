#pragma once
// The debug-address breakpoints DR0-DR3 as DR7 arms them (SDM Vol. 3, 18.2-18.3).
// While any is armed the VCPU runs one interpreted instruction at a time and the soft
// TLB caches nothing, so every data access reaches the MMU's slow path, which records
// the hits in ExecContext::data_breakpoint_hits.
#include <cstdint>

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

bool instruction_breakpoints_armed(const CpuState& c);
bool data_breakpoints_armed(const CpuState& c);

// DR6.B0-B3 bits of the armed instruction breakpoints at this linear address.
uint32_t instruction_breakpoint_hits(const CpuState& c, uint64_t linear);

// Records the data breakpoints an access of size bytes at linear matches: write
// breakpoints (R/W = 01) only on writes, read/write breakpoints (11) on both.
void note_data_access(ExecContext* ctx, uint64_t linear, unsigned size, bool write);

}  // namespace orcvm
