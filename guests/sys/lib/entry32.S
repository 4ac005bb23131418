/* Multiboot v1 entry of the 32-bit system test kernels. */
#include "multiboot_entry.h"

    multiboot_header

    .text
    .code32
    .globl _start
_start:
    clear_bss_and_save_boot_registers
    mov $kernel_stack_top, %esp
    call sys_init
    call kmain
    call sys_exit
1:  cli
    hlt
    jmp 1b

    boot_registers
