/* What cpu_common.c needs from the width-specific cpu32.c / cpu64.c.
 * Internal to the library. */
#pragma once
#include "sys.h"

/* Fills the GDT with the width's segments and the TSS descriptor, loads it and
 * reloads the segment registers. */
void load_gdt(void);
/* Sets the stack pointers of the (zeroed) TSS. */
void set_tss_stacks(void);
/* Records the stack the CPU pushed (when it pushed one) and, in 32-bit
 * kernels, the data segment registers the stub saved. */
void record_trap_stack_and_segments(struct trap* t, const struct regs* r);
