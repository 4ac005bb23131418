#pragma once
// Limit and type checks of data accesses in 16- and 32-bit modes (SDM Vol. 3, 5.3 and
// 5.5). A segment that is flat for data (a present, writable, expand-up data segment
// with a 4 GiB limit) needs none, so translated code checks only accesses through the
// segments its BlockMode marks (BlockMode::segment_check_bit); CS is always marked,
// because no code segment is writable.
#include <cstdint>

#include "frontend/decode/insn.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

bool segment_needs_checks(const CpuState& c, Seg seg);

// Raises #GP(0), or #SS(0) through SS, and returns false when size bytes at offset are
// outside the segment's limit or the segment does not allow the access.
bool check_segment_access(ExecContext* ctx, Seg seg, uint64_t offset, unsigned size, bool write);

}  // namespace orcvm
