/* Multiboot v1 entry of the 32-bit system test kernels. */
    .set MB_MAGIC, 0x1badb002
    .set MB_FLAGS, 0x3              /* page-aligned modules, memory information */

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cld
    mov %eax, %esi
    mov %ebx, %edx
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov %esi, boot_magic
    mov %edx, boot_info
    mov $kernel_stack_top, %esp
    call sys_init
    call kmain
    call sys_exit
1:  cli
    hlt
    jmp 1b

    .data
    .globl boot_magic, boot_info
boot_magic: .long 0
boot_info: .long 0
