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

// 64-bit mode: IA-32e mode with a 64-bit code segment (not compatibility mode).
inline bool in_64_bit_code(const CpuState& c) {
  return (c.efer & efer::LMA) && (c.seg[static_cast<int>(Seg::CS)].attrs & segattr::Long);
}

namespace systype {  // system descriptor types (SDM Vol. 3, Table 3-2)
constexpr unsigned Tss16 = 1, Ldt = 2, CallGate16 = 4, TaskGate = 5, Tss32 = 9, CallGate32 = 0xc;
constexpr unsigned TssBusy = 2;  // the bit that marks a TSS busy
}  // namespace systype

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
  // A 16-bit or 32-bit TSS, available or busy.
  bool tss() const {
    const unsigned available = type() & ~systype::TssBusy;
    return system() && (available == systype::Tss16 || available == systype::Tss32);
  }
  bool tss_busy() const { return tss() && (type() & systype::TssBusy); }
  // Gate fields.
  uint16_t gate_selector() const { return static_cast<uint16_t>(raw >> 16); }
  uint64_t gate_offset() const { return (raw & 0xffff) | ((raw >> 32) & 0xffff0000) | (high << 32); }
  unsigned gate_ist() const { return (raw >> 32) & 7; }
};

// A fault found while reading a descriptor, not yet raised.
struct SegmentFault {
  uint8_t vector;
  uint32_t error_code;
};

// Where a selector being loaded comes from, which decides the faults it raises.
struct LoadOrigin {
  // From a TSS (a task switch, or the stack of an inner privilege level): an invalid
  // selector raises #TS instead of #GP (SDM Vol. 3, Table 8-1 and 6.12.1).
  bool from_tss = false;
  // On behalf of an external interrupt: error codes get the EXT bit (SDM Vol. 3, 6.13).
  bool external = false;
};

// Reads the descriptor of a selector (GDT or LDT by the TI bit); wide reads the 16
// bytes of a 64-bit system descriptor. Returns false with *fault set when the
// selector is outside its table (#GP(selector)), or after recording a #PF.
bool read_descriptor(ExecContext* ctx, uint16_t selector, bool wide, Descriptor* out, SegmentFault* fault);
// Sets the accessed bit of a code/data descriptor in memory, as loads do.
void mark_accessed(ExecContext* ctx, uint16_t selector, const Descriptor& d);
// Sets or clears the busy bit of the TSS descriptor that selector names in the GDT.
// Returns false after recording a fault.
bool set_tss_busy(ExecContext* ctx, uint16_t selector, bool busy);

void load_hidden(SegmentReg& reg, uint16_t selector, const Descriptor& d);
// Real mode and virtual-8086: base = selector * 16; the cached limit and attributes
// stay (which is what makes unreal mode work).
void load_real_mode(SegmentReg& reg, uint16_t selector);

// MOV/POP to DS, ES, FS, GS or SS with the protected-mode checks of SDM Vol. 2
// "MOV - Move to segment register", at the current CPL; a task switch loads its
// segments the same way. Records the fault in ctx and returns false.
bool load_segment(ExecContext* ctx, Seg seg, uint16_t selector, LoadOrigin origin = {});

// The checks of a non-null stack segment selector for privilege level cpl: RPL =
// DPL = cpl, writable data (else #GP, or #TS from a TSS), present (else #SS). Used
// by MOV SS, the inner stack of an interrupt or call gate, RET/IRET to an outer
// level and task switches. Records the fault and returns false.
bool read_stack_segment(ExecContext* ctx, uint16_t selector, unsigned cpl, LoadOrigin origin, Descriptor* out);

// The checks of the code segment a far RET or IRET returns to, or a task switch
// enters: the privilege level becomes the selector's RPL, which may not be above
// cpl, with DPL = RPL (DPL <= RPL for conforming code); present (else #NP). Records
// the fault and returns false.
bool read_return_code_segment(ExecContext* ctx, uint16_t selector, unsigned cpl, LoadOrigin origin,
                              Descriptor* out);

// LLDT's load of LDTR (a task switch loads it from the TSS): a null selector leaves
// LDTR unusable. Records the fault and returns false.
bool load_ldtr(ExecContext* ctx, uint16_t selector, LoadOrigin origin = {});

// Loads TR from a TSS descriptor, which the caller has marked busy in the GDT.
void load_task_register(CpuState& c, uint16_t selector, const Descriptor& tss);

// Records a fault at the current instruction.
void raise_segment_fault(ExecContext* ctx, const SegmentFault& f);

}  // namespace orcvm
