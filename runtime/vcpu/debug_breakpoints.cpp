#include "runtime/vcpu/debug_breakpoints.h"

namespace orcvm {

namespace {

enum class BreakOn : uint8_t { Execute = 0, Write = 1, Io = 2, ReadWrite = 3 };

struct Breakpoint {
  bool armed;
  BreakOn kind;
  uint64_t address;  // aligned down to its length, as the processor compares it
  uint64_t length;
};

// DR7: L/G enable pairs in bits 0-7, then R/W and LEN (2 bits each) per breakpoint
// from bit 16. LEN 10 is an 8-byte breakpoint (64-bit processors).
Breakpoint breakpoint(const CpuState& c, unsigned n) {
  const uint64_t dr7 = c.dr[7];
  const unsigned len_bits = (dr7 >> (18 + 4 * n)) & 3;
  const uint64_t length = len_bits == 0 ? 1 : len_bits == 1 ? 2 : len_bits == 2 ? 8 : 4;
  return Breakpoint{((dr7 >> (2 * n)) & 3) != 0, static_cast<BreakOn>((dr7 >> (16 + 4 * n)) & 3),
                    c.dr[n] & ~(length - 1), length};
}

// Runs on every block dispatch and every slow-path access: DR7 without enable bits,
// the usual case, answers at once.
template <class Match>
uint32_t hits(const CpuState& c, Match&& match) {
  if (!(c.dr[7] & 0xff)) return 0;
  uint32_t result = 0;
  for (unsigned n = 0; n < 4; ++n)
    if (const Breakpoint b = breakpoint(c, n); b.armed && match(b)) result |= 1u << n;
  return result;
}

bool is_data(BreakOn kind) { return kind == BreakOn::Write || kind == BreakOn::ReadWrite; }

}  // namespace

bool instruction_breakpoints_armed(const CpuState& c) {
  return hits(c, [](const Breakpoint& b) { return b.kind == BreakOn::Execute; }) != 0;
}

bool data_breakpoints_armed(const CpuState& c) {
  return hits(c, [](const Breakpoint& b) { return is_data(b.kind); }) != 0;
}

uint32_t instruction_breakpoint_hits(const CpuState& c, uint64_t linear) {
  return hits(c, [&](const Breakpoint& b) { return b.kind == BreakOn::Execute && b.address == linear; });
}

void note_data_access(ExecContext* ctx, uint64_t linear, unsigned size, bool write) {
  ctx->data_breakpoint_hits |= hits(ctx->cpu, [&](const Breakpoint& b) {
    const bool kind_matches = b.kind == BreakOn::ReadWrite || (b.kind == BreakOn::Write && write);
    return kind_matches && linear < b.address + b.length && b.address < linear + size;
  });
}

}  // namespace orcvm
