/* Two page-aligned code pages with the same layout and different constants.
 * The test maps one of them at a virtual page V, then switches V to the
 * other. All code here is position-independent so it runs at V. */
#include "opcodes.h"
#include "remap_invlpg.h"

    .macro REMAP_PAGE name, marker
    .balign 4096
    .globl \name
\name:
    /* offset 0: return the page's marker */
    .byte OPCODE_MOV_EAX_IMM32
    .long \marker
    ret

    /* uint32_t switch_with_invlpg(uint64_t *pte, uint64_t new_pte, uint64_t page):
     * rewrites the PTE of the page this code runs in, flushes it, then jumps
     * directly to a label in the same virtual page, which now shows the
     * other physical page. */
    .org \name + SWITCH_WITH_INVLPG_OFFSET
    mov %rsi, (%rdi)
    invlpg (%rdx)
    jmp 1f
    .byte 0xcc
1:  .byte OPCODE_MOV_EAX_IMM32
    .long \marker + 0x100
    ret

    /* The same, flushing with a CR3 reload. */
    .org \name + SWITCH_WITH_CR3_OFFSET
    mov %rsi, (%rdi)
    mov %cr3, %rax
    mov %rax, %cr3
    jmp 2f
    .byte 0xcc
2:  .byte OPCODE_MOV_EAX_IMM32
    .long \marker + 0x200
    ret
    .balign 4096
    .endm

    .section .text.remap_pages, "ax"
    REMAP_PAGE remap_page_a, 0xa
    REMAP_PAGE remap_page_b, 0xb

    .text
/* uint32_t call_remapped_page_directly(void): a direct CALL (rel32) to V. */
    .globl call_remapped_page_directly
call_remapped_page_directly:
    sub $8, %rsp
    call REMAP_VIRTUAL_PAGE
    add $8, %rsp
    ret
