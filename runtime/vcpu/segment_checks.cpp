#include "runtime/vcpu/segment_checks.h"
#include "ir/semantics/exception_vectors.h"

#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/helper_functions.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

namespace {

constexpr uint16_t kCode = 8, kExpandDownOrConforming = 4, kWritableOrReadable = 2;

bool protected_mode(const CpuState& c) { return c.cr0 & cr0::PE; }

// Real mode checks limits only: the access rights of the cached descriptor do not apply.
bool type_allows(const SegmentReg& s, bool write) {
  if (!(s.attrs & segattr::Present)) return false;  // a null selector was loaded
  const bool code = s.attrs & kCode;
  if (write) return !code && (s.attrs & kWritableOrReadable);
  return !code || (s.attrs & kWritableOrReadable);
}

bool within_limit(const SegmentReg& s, bool protected_mode, uint64_t offset, unsigned size) {
  const uint64_t last = offset + size - 1;
  const bool expand_down = protected_mode && !(s.attrs & kCode) && (s.attrs & kExpandDownOrConforming);
  if (!expand_down) return last <= s.limit;
  // Expand-down: valid offsets lie above the limit, up to 64 KiB or 4 GiB by the B bit.
  const uint64_t upper = s.attrs & segattr::DefaultBig ? 0xffffffffull : 0xffffull;
  return offset > s.limit && last <= upper;
}

}  // namespace

bool segment_needs_checks(const CpuState& c, Seg seg) {
  if (seg == Seg::CS) return true;
  const SegmentReg& s = c.seg[static_cast<int>(seg)];
  if (s.limit != 0xffffffff) return true;
  if (!protected_mode(c)) return false;
  return !type_allows(s, true) || (s.attrs & kExpandDownOrConforming);
}

bool check_segment_access(ExecContext* ctx, Seg seg, uint64_t offset, unsigned size, bool write) {
  const CpuState& c = ctx->cpu;
  const SegmentReg& s = c.seg[static_cast<int>(seg)];
  const bool pm = protected_mode(c);
  if ((!pm || type_allows(s, write)) && within_limit(s, pm, offset, size)) return true;
  raise_exception(ctx, seg == Seg::SS ? vector::SS : vector::GP, 0, true);
  return false;
}

uint64_t helper_SegmentCheck(ExecContext* ctx, uint64_t seg, uint64_t offset, uint64_t size_and_write) {
  check_segment_access(ctx, static_cast<Seg>(seg), offset, size_and_write & 0xff, size_and_write >> 8);
  return 0;
}

}  // namespace orcvm
