#pragma once
// Segment descriptors (SDM Vol. 3, 3.4-3.5): reading them from the GDT/LDT with the
// CPU's implicit supervisor accesses, and loading segment registers with every
// protected-mode check.
#include <cstdint>

#include "frontend/decode/insn.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

namespace segattr {  // SegmentReg::attrs, VMX access-rights layout
constexpr uint16_t TypeMask = 0xf, Accessed = 1, S = 1u << 4, Present = 1u << 7, Long = 1u << 13,
                   DefaultBig = 1u << 14, Granularity = 1u << 15;
constexpr unsigned DplShift = 5;
}  // namespace segattr

struct Descriptor {
  uint64_t raw = 0;   // the 8 bytes
  uint64_t high = 0;  // bytes 8-15 of a 64-bit system descriptor (TSS, LDT, gates)

  uint64_t base() const { return ((raw >> 16) & 0xffffff) | (((raw >> 56) & 0xff) << 24) | (high << 32); }
  uint32_t limit() const {
    uint32_t l = static_cast<uint32_t>((raw & 0xffff) | ((raw >> 32) & 0xf0000));
    return (raw & (1ull << 55)) ? (l << 12) | 0xfff : l;
  }
  uint16_t attrs() const { return static_cast<uint16_t>(((raw >> 40) & 0xff) | (((raw >> 52) & 0xf) << 12)); }
  unsigned type() const { return (raw >> 40) & 0xf; }
  bool system() const { return !((raw >> 44) & 1); }
  unsigned dpl() const { return (raw >> 45) & 3; }
  bool present() const { return (raw >> 47) & 1; }
  bool code() const { return !system() && (type() & 8); }
  bool data() const { return !system() && !(type() & 8); }
  bool conforming() const { return code() && (type() & 4); }
  bool readable() const { return !code() || (type() & 2); }
  bool writable() const { return data() && (type() & 2); }
  bool long_code() const { return (raw >> 53) & 1; }
  // Gate fields.
  uint16_t gate_selector() const { return static_cast<uint16_t>(raw >> 16); }
  uint64_t gate_offset() const { return (raw & 0xffff) | ((raw >> 32) & 0xffff0000) | (high << 32); }
  unsigned gate_ist() const { return (raw >> 32) & 7; }
};

// Raised faults carry this in the error code's EXT bit for external events.
struct SegmentFault {
  uint8_t vector;
  uint32_t error_code;
};

// Reads the descriptor of a selector (GDT or LDT by the TI bit); wide reads the 16
// bytes of a 64-bit system descriptor. Returns false with *fault set when the
// selector is outside its table (#GP(selector)), or after recording a #PF.
bool read_descriptor(ExecContext* ctx, uint16_t selector, bool wide, Descriptor* out, SegmentFault* fault);
// Sets the accessed bit of a code/data descriptor in memory, as loads do.
void mark_accessed(ExecContext* ctx, uint16_t selector, const Descriptor& d);

void load_hidden(SegmentReg& reg, uint16_t selector, const Descriptor& d);
// Real mode and virtual-8086: base = selector * 16; the cached limit and attributes
// stay (which is what makes unreal mode work).
void load_real_mode(SegmentReg& reg, uint16_t selector);

// MOV/POP to DS, ES, FS, GS or SS with the protected-mode checks of SDM Vol. 2
// "MOV - Move to segment register". Records the fault in ctx and returns false.
bool load_segment(ExecContext* ctx, Seg seg, uint16_t selector);

// Records a fault at the current instruction.
void raise_segment_fault(ExecContext* ctx, const SegmentFault& f);

}  // namespace orcvm
