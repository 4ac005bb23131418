/* Guest entry: orcvm enters in 64-bit mode at CPL 0 with interrupts off,
 * identity paging and RDI = guest RAM size. */
    .section .text.start, "ax"
    .code64
    .globl _start
_start:
    lea stack_top(%rip), %rsp
    mov %rdi, %rbx              /* keep the RAM size across the .bss clear */
    lea __bss_start(%rip), %rdi
    lea __bss_end(%rip), %rcx
clear_bss:
    cmp %rcx, %rdi
    jae bss_clear
    movq $0, (%rdi)
    add $8, %rdi
    jmp clear_bss
bss_clear:
    mov %rbx, %rdi
    call guest_main
    mov $0xf4, %dx              /* isa-debug-exit: orcvm exits with (eax << 1) | 1 */
    outl %eax, %dx
halt_forever:
    hlt
    jmp halt_forever

    .section .bss.stack, "aw", @nobits
    .balign 16
    .space 64 * 1024
stack_top:
