/* Multiboot v1 entry of the 64-bit system test kernels: 32-bit code that
 * identity-maps the first 4 GiB with 2 MiB user-accessible pages, enters long
 * mode and calls sys_init and kmain in 64-bit mode. */
#include "multiboot_entry.h"

    .set KERNEL_CS, 0x08
    .set KERNEL_DS, 0x10

    multiboot_header

    .section .text.entry, "ax"
    .code32
    .globl _start
_start:
    clear_bss_and_save_boot_registers

    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages (P, RW, US, PS) */
    mov $boot_pd, %edi
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x87, %eax
    mov %eax, (%edi,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax
    mov %eax, 4(%edi,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jb 1b
    mov $boot_pdpt, %edi
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $12, %eax
    add $(boot_pd + 0x7), %eax
    mov %eax, (%edi,%ecx,8)
    inc %ecx
    cmp $4, %ecx
    jb 2b
    movl $(boot_pdpt + 0x7), boot_pml4

    mov %cr4, %eax
    or $0x20, %eax                  /* PAE */
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax                 /* LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax
    mov %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $KERNEL_CS, $start64

    .code64
start64:
    mov $KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $kernel_stack_top, %rsp
    call sys_init
    call kmain
    call sys_exit
3:  cli
    hlt
    jmp 3b

    .section .rodata
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

    boot_registers

    .bss
    .balign 4096
    .globl boot_pml4, boot_pdpt, boot_pd
boot_pml4: .space 4096
boot_pdpt: .space 4096
boot_pd: .space 4 * 4096
