/* Optional entry for running a guest under QEMU (-kernel only loads 32-bit
 * multiboot images): recreates orcvm's entry state, i.e. long mode with the
 * first 4 GiB identity-mapped by 2 MiB pages, GDT selectors 0x08/0x10 and
 * RDI = RAM size, then jumps to the normal _start. */
    .set MULTIBOOT_MAGIC, 0x1badb002
    .set MULTIBOOT_FLAGS, 0x3           /* page-aligned modules, memory info */
    .set MSR_EFER, 0xc0000080
    .set EFER_LME, 1 << 8
    .set CR4_PAE, 1 << 5
    .set CR0_PE_PG, 0x80000001
    .set PAGE_PRESENT_WRITABLE, 0x3
    .set PAGE_LARGE, 0x80

    .section .multiboot, "a"
    .balign 4
    .long MULTIBOOT_MAGIC, MULTIBOOT_FLAGS, -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    .section .text.multiboot, "ax"
    .code32
    .globl multiboot_entry
multiboot_entry:
    mov 8(%ebx), %esi                   /* mem_upper: KiB of RAM above 1 MiB */

    /* Four page directories of 2 MiB pages cover 4 GiB. */
    mov $boot_page_directories, %edi
    xor %ecx, %ecx
fill_page_directories:
    mov %ecx, %eax
    shl $21, %eax
    or $(PAGE_PRESENT_WRITABLE | PAGE_LARGE), %eax
    mov %eax, (%edi,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax                       /* bits 32+ of the 2 MiB page's address */
    mov %eax, 4(%edi,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jb fill_page_directories

    mov $boot_pdpt, %edi
    xor %ecx, %ecx
fill_pdpt:
    mov %ecx, %eax
    shl $12, %eax
    add $(boot_page_directories + PAGE_PRESENT_WRITABLE), %eax
    mov %eax, (%edi,%ecx,8)
    inc %ecx
    cmp $4, %ecx
    jb fill_pdpt
    movl $(boot_pdpt + PAGE_PRESENT_WRITABLE), boot_pml4

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $CR0_PE_PG, %eax
    mov %eax, %cr0
    lgdt boot_gdt_pointer
    ljmp $0x08, $enter_long_mode

    .code64
enter_long_mode:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %esi, %edi
    add $1024, %rdi
    shl $10, %rdi
    jmp _start

    .section .rodata.multiboot, "a"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
boot_gdt_pointer:
    .word boot_gdt_pointer - boot_gdt - 1
    .long boot_gdt

    /* Not .bss: start.S clears .bss while these tables are live. */
    .section .data.multiboot, "aw"
    .balign 4096
boot_pml4:
    .space 4096
boot_pdpt:
    .space 4096
boot_page_directories:
    .space 4 * 4096
