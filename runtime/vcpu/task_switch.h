#pragma once
// Hardware task switches (SDM Vol. 3, chapter 8; Vol. 2 JMP, CALL, IRET and INT n):
// to a 32-bit or 16-bit TSS, in legacy protected mode. IA-32e mode has no task
// switches; its callers raise #GP before getting here.
#include <cstdint>
#include <optional>

#include "runtime/vcpu/descriptors.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

// What starts a switch decides the busy bits, NT and the back link (SDM Vol. 3,
// Table 8-2): CALL and events nest the new task, JMP and IRET do not.
enum class TaskSwitchCause { Jump, Call, Iret, Event };

// Faults raised after the old task's state is saved and TR is loaded belong to the
// new task (SDM Vol. 3, 8.3, step 13): they are reported at its first instruction.
enum class TaskSwitchOutcome { Switched, FaultedInOldTask, FaultedInNewTask };

// Far JMP or CALL (cause Jump or Call) to a TSS or task gate descriptor d, already
// read for selector. next_eip, the instruction after, is saved as the old task's
// EIP. Records a fault and returns false.
bool jump_or_call_task(ExecContext* ctx, uint16_t selector, const Descriptor& d, TaskSwitchCause cause,
                       uint64_t next_eip);

// IRET with EFLAGS.NT set: back to the task in the current TSS's link field.
bool return_to_linked_task(ExecContext* ctx, uint64_t next_eip);

// Delivers an event through a task gate of the IDT, already checked as a gate. The
// return address in ctx->cpu.rip is saved as the old task's EIP; an error code is
// pushed on the new task's stack. Records a fault.
TaskSwitchOutcome switch_task_for_event(ExecContext* ctx, const Descriptor& gate, bool external,
                                        std::optional<uint32_t> error_code);

}  // namespace orcvm
