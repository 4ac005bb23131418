/* Assembly shared by entry32.S and entry64.S (GAS macros; included, not
 * compiled on its own). */
    .set MB_MAGIC, 0x1badb002
    .set MB_FLAGS, 0x3              /* page-aligned modules, memory information */

.macro multiboot_header
    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
.endm

/* The first instructions at _start (32-bit, as the loader enters): clears
 * .bss and stores the loader's EAX and EBX in boot_magic and boot_info. They
 * wait in ESI and EDX because REP STOSB uses EAX. */
.macro clear_bss_and_save_boot_registers
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
.endm

/* In .data, not .bss, so that they are not where the clear runs. */
.macro boot_registers
    .data
    .globl boot_magic, boot_info
boot_magic: .long 0
boot_info: .long 0
.endm
