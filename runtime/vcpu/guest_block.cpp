#include "runtime/vcpu/guest_block.h"

#include <cstring>

#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/segment_checks.h"

namespace orcvm {

namespace {

// Translates the first byte of each page the block touches, in order.
bool translate_block(ExecContext* ctx, uint64_t linear, unsigned size, Access access, unsigned how) {
  uint64_t paddr;
  for (uint64_t page = linear & ~uint64_t{0xfff}; page < linear + size; page += 0x1000)
    if (!mmu_translate(ctx, page < linear ? linear : page, access, how, &paddr)) return false;
  return true;
}

// The largest access of at most 8 bytes, a power of two, that the rest allows.
unsigned chunk(unsigned left) { return left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1; }

}  // namespace

bool operand_linear_address(ExecContext* ctx, Seg seg, uint64_t offset, unsigned size, bool write,
                            uint64_t* linear) {
  const CpuState& c = ctx->cpu;
  if (in_64_bit_code(c)) {
    *linear = offset + (seg == Seg::FS || seg == Seg::GS ? c.seg[static_cast<int>(seg)].base : 0);
    return true;
  }
  if (segment_needs_checks(c, seg) && !check_segment_access(ctx, seg, offset, size, write)) return false;
  *linear = (c.seg[static_cast<int>(seg)].base + offset) & 0xffffffff;
  return true;
}

bool read_guest_block(ExecContext* ctx, Seg seg, uint64_t offset, unsigned how, void* out, unsigned size) {
  uint64_t linear;
  if (!operand_linear_address(ctx, seg, offset, size, false, &linear)) return false;
  if (!translate_block(ctx, linear, size, Access::Read, how)) return false;
  auto* bytes = static_cast<uint8_t*>(out);
  for (unsigned done = 0, step; done < size; done += step) {
    step = chunk(size - done);
    const uint64_t v = mmu_read(ctx, linear + done, step, how);
    if (ctx->cpu.exception.pending) return false;
    std::memcpy(bytes + done, &v, step);
  }
  return true;
}

bool write_guest_block(ExecContext* ctx, Seg seg, uint64_t offset, unsigned how, const void* in, unsigned size) {
  uint64_t linear;
  if (!operand_linear_address(ctx, seg, offset, size, true, &linear)) return false;
  if (!translate_block(ctx, linear, size, Access::Write, how)) return false;
  const auto* bytes = static_cast<const uint8_t*>(in);
  for (unsigned done = 0, step; done < size; done += step) {
    step = chunk(size - done);
    uint64_t v = 0;
    std::memcpy(&v, bytes + done, step);
    mmu_write(ctx, linear + done, step, v, how);
    if (ctx->cpu.exception.pending) return false;
  }
  return true;
}

}  // namespace orcvm
