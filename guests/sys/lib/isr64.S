/* 64-bit interrupt stubs (16 bytes each, vector v at isr_table + 16 * v), the
 * common entry, and the catch/unwind and ring-3 entry helpers. */
#include "isr_macros.h"

    .set KERNEL_DS, 0x10
    .set USER_DS, 0x23

    .text
    .code64
    isr_stub_table

isr_common:
    push %rax
    push %rcx
    push %rdx
    push %rbx
    push %rbp
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    mov %rsp, %rdi
    call isr_dispatch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rbp
    pop %rbx
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp
    iretq

/* int catch_call(void (*fn)(uptr), uptr arg) */
    .globl catch_call
catch_call:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    pushfq
    mov %rsp, catch_sp(%rip)
    movl $1, catch_active(%rip)
    mov %rdi, %rax
    mov %rsi, %rdi
    call *%rax
    movl $0, catch_active(%rip)
    mov $-1, %eax
catch_return:
    popfq
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* void catch_resume(int result) */
    .globl catch_resume
catch_resume:
    mov %edi, %eax
    mov $KERNEL_DS, %ecx
    mov %ecx, %ss
    mov catch_sp(%rip), %rsp
    mov %ecx, %ds
    mov %ecx, %es
    movl $0, catch_active(%rip)
    jmp catch_return

/* void enter_user(uptr ip, u64 cs, uptr flags, uptr fn, uptr arg): IRETQ to
 * CPL 3 on the user stack with RBX = fn, RSI = arg. */
    .globl enter_user
enter_user:
    mov %rcx, %rbx
    mov %rsi, %r9
    mov %r8, %rsi
    mov $USER_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    pushq $USER_DS
    pushq $user_stack_top
    push %rdx
    push %r9
    push %rdi
    iretq

/* CPL 3: fn(arg), then back through INT 0x80. */
    .globl user_trampoline
user_trampoline:
    mov %rsi, %rdi
    call *%rbx
    int $0x80
    ud2

    .data
    .globl catch_active
catch_active: .long 0
    .balign 8
catch_sp: .quad 0

    kernel_and_user_stacks
