#include "runtime/vcpu/cpu_state.h"

#include "runtime/interp/lazy_flags.h"

namespace orcvm {

// CF PF AF ZF SF OF, from the bytes or from the lazy form.
static StatusFlags status_flags(const CpuState& c) {
  return c.flags_op ? lazy_status_flags(c.flags_op, c.flags_operand, c.flags_result)
                    : StatusFlags{c.cf, c.pf, c.af, c.zf, c.sf, c.of};
}

uint64_t CpuState::get_rflags() const {
  const StatusFlags f = status_flags(*this);
  return (rflags & ~rflags::Status) | rflags::Fixed1 | (f[0] ? rflags::CF : 0) | (f[1] ? rflags::PF : 0) |
         (f[2] ? rflags::AF : 0) | (f[3] ? rflags::ZF : 0) | (f[4] ? rflags::SF : 0) | (f[5] ? rflags::OF : 0);
}

void CpuState::materialize_flags() {
  if (!flags_op) return;
  const StatusFlags f = status_flags(*this);
  cf = f[0], pf = f[1], af = f[2], zf = f[3], sf = f[4], of = f[5];
  flags_op = 0;
}

void CpuState::set_rflags(uint64_t value) {
  rflags = (value & ~rflags::Status) | rflags::Fixed1;
  flags_op = 0;
  cf = (value & rflags::CF) != 0;
  pf = (value & rflags::PF) != 0;
  af = (value & rflags::AF) != 0;
  zf = (value & rflags::ZF) != 0;
  sf = (value & rflags::SF) != 0;
  of = (value & rflags::OF) != 0;
}

}  // namespace orcvm
