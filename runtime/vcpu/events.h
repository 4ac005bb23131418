#pragma once
// Delivery of exceptions and interrupts through the real-mode IVT, the 32-bit IDT
// (interrupt, trap and task gates) and the 64-bit IDT (SDM Vol. 3, 6.12 and 6.14),
// the double-fault rules, and IRET.
#include <cstdint>
#include <string>

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

enum class EventSource : uint8_t {
  Exception,  // raised by an instruction (faults and traps)
  Software,   // INT n, INT3, INTO: the gate's DPL is checked against CPL
  External,   // an interrupt from the platform: error codes get the EXT bit
  Nmi,
};

struct Event {
  uint8_t vector;
  EventSource source;
  bool has_error_code;
  uint32_t error_code;
  uint8_t instruction_length = 0;  // Software: a fault in delivery is reported at the instruction
};

enum class DeliveryOutcome { Delivered, TripleFault };

// Delivers an event at ctx->cpu.rip (the return address), escalating a fault during
// delivery into the next event per the double-fault rules. Logs under -d int.
DeliveryOutcome deliver_event(ExecContext* ctx, Event event);

// IRET/IRETD/IRETQ with operand size bits; with EFLAGS.NT set in legacy protected
// mode a return to the linked task, which saves next_rip as the leaving task's EIP.
// Records a fault and returns false on error.
bool interrupt_return(ExecContext* ctx, unsigned bits, uint64_t next_rip);

// The stack of a more privileged level from the TSS (SDM Vol. 3, 6.12.1, 5.8.5): for
// legacy modes SS:ESP with SS checked (#TS/#SS), for IA-32e mode RSPn or ISTn.
// Record a fault (EXT set for external events) and return false on error.
bool legacy_inner_stack(ExecContext* ctx, unsigned new_cpl, bool external, SegmentReg* ss, uint64_t* sp);
bool long_mode_inner_stack(ExecContext* ctx, unsigned new_cpl, unsigned ist, bool external, uint64_t* rsp);

// After a return to an outer privilege level, the data segment registers the new
// level may not use become null (SDM Vol. 2 RET, IRET).
void drop_inaccessible_segments(CpuState& c);

}  // namespace orcvm
