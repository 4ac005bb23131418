/* Page-aligned code pages that smc_alias maps a second time. */
#include "opcodes.h"

/* A whole page holding "mov eax, imm32; ret" at its start. */
    .macro RETURN_CONSTANT_PAGE name, value
    .balign 4096
    .globl \name
\name:
    .byte OPCODE_MOV_EAX_IMM32
    .long \value
    ret
    .balign 4096
    .endm

    .section .text.code_pages, "ax"
    RETURN_CONSTANT_PAGE first_code_page, 1
    RETURN_CONSTANT_PAGE second_code_page, 2
