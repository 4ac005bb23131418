/* 32-bit interrupt stubs (16 bytes each, vector v at isr_table + 16 * v), the
 * common entry, and the catch/unwind and ring-3 entry helpers. */
#include "isr_macros.h"

    .set KERNEL_DS, 0x10
    .set USER_CS32, 0x1b
    .set USER_DS, 0x23

    .text
    .code32
    isr_stub_table

isr_common:
    pushal
    push %ds
    push %es
    push %fs
    push %gs
    cld
    mov $KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    push %esp
    call isr_dispatch
    add $4, %esp
    pop %gs
    pop %fs
    pop %es
    pop %ds
    popal
    add $8, %esp
    iret

/* int catch_call(void (*fn)(uptr), uptr arg) */
    .globl catch_call
catch_call:
    push %ebp
    push %ebx
    push %esi
    push %edi
    pushf
    mov %esp, catch_sp
    movl $1, catch_active
    pushl 28(%esp)
    call *28(%esp)
    add $4, %esp
    movl $0, catch_active
    mov $-1, %eax
catch_return:
    popf
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* void catch_resume(int result): back to catch_call's caller. */
    .globl catch_resume
catch_resume:
    mov 4(%esp), %eax
    mov $KERNEL_DS, %ecx
    mov %ecx, %ss
    mov catch_sp, %esp
    mov %ecx, %ds
    mov %ecx, %es
    mov %ecx, %fs
    mov %ecx, %gs
    movl $0, catch_active
    jmp catch_return

/* void enter_user(uptr ip, u32 cs, uptr flags, uptr fn, uptr arg): IRET to
 * CPL 3 on the user stack with EBX = fn, ESI = arg. */
    .globl enter_user
enter_user:
    mov 4(%esp), %edx       /* ip */
    mov 8(%esp), %ecx       /* cs */
    mov 12(%esp), %eax      /* flags */
    mov 16(%esp), %ebx
    mov 20(%esp), %esi
    mov $USER_DS, %edi
    mov %edi, %ds
    mov %edi, %es
    mov %edi, %fs
    mov %edi, %gs
    push $USER_DS
    push $user_stack_top
    push %eax
    push %ecx
    push %edx
    iret

/* CPL 3: fn(arg), then back through INT 0x80. */
    .globl user_trampoline
user_trampoline:
    push %esi
    call *%ebx
    add $4, %esp
    int $0x80
    ud2

    .data
    .globl catch_active
catch_active: .long 0
catch_sp: .long 0

    kernel_and_user_stacks
