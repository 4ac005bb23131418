/* Assembly shared by isr32.S and isr64.S (GAS macros; included, not compiled
 * on its own). */

/* The 256 interrupt stubs, 16 bytes apart (vector v at isr_table + 16 * v):
 * each pushes a dummy error code where the CPU pushes none, so that every
 * frame has one, then the vector, and jumps to isr_common. `push $imm` is
 * pushl in 32-bit code and pushq in 64-bit code. */
.macro isr_stub_table
    .balign 16
    .globl isr_table
isr_table:
    .set vec, 0
    .rept 256
    .balign 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21)
    .else
    push $0
    .endif
    push $vec
    jmp isr_common
    .set vec, vec + 1
    .endr
.endm

/* The kernel stack (below kernel_stack_top), the stack of interrupts and
 * exceptions from CPL 3 (ring0_stack_top, the TSS's ring-0 stack) and the
 * user stack (user_stack_top). */
.macro kernel_and_user_stacks
    .bss
    .balign 16
    .space 16384
    .globl kernel_stack_top
kernel_stack_top:
    .space 8192
    .globl ring0_stack_top
ring0_stack_top:
    .space 8192
    .globl user_stack_top
user_stack_top:
.endm
