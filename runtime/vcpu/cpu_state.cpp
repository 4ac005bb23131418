#include "runtime/vcpu/cpu_state.h"

namespace orcvm {

uint64_t CpuState::get_rflags() const {
  return (rflags & ~rflags::Status) | rflags::Fixed1 | (cf ? rflags::CF : 0) |
         (pf ? rflags::PF : 0) | (af ? rflags::AF : 0) | (zf ? rflags::ZF : 0) |
         (sf ? rflags::SF : 0) | (of ? rflags::OF : 0);
}

void CpuState::set_rflags(uint64_t value) {
  rflags = (value & ~rflags::Status) | rflags::Fixed1;
  cf = (value & rflags::CF) != 0;
  pf = (value & rflags::PF) != 0;
  af = (value & rflags::AF) != 0;
  zf = (value & rflags::ZF) != 0;
  sf = (value & rflags::SF) != 0;
  of = (value & rflags::OF) != 0;
}

}  // namespace orcvm
