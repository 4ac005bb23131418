/* uint32_t cross_page_run(void): straight-line code that starts 12 bytes
 * before a page boundary and ends 7 bytes after it, with one instruction
 * straddling the boundary. Returns 1 + 2 + 0x100 + 0x1000 as assembled. */
#include "opcodes.h"

    .section .text.cross_page, "ax"
    .balign 4096
    .globl cross_page_first_page
cross_page_first_page:
    .org cross_page_first_page + 4096 - 12
    .globl cross_page_run
cross_page_run:
    .byte OPCODE_MOV_EAX_IMM32          /* page end - 12 */
    .globl first_page_immediate
first_page_immediate:
    .long 1
    add $2, %eax                        /* page end - 7: 83 c0 02 */
    .byte OPCODE_ADD_EAX_IMM32          /* page end - 4: its immediate crosses */
    .globl straddling_immediate
straddling_immediate:
    .long 0x100
    .byte OPCODE_ADD_EAX_IMM32          /* page end + 1 */
    .globl second_page_immediate
second_page_immediate:
    .long 0x1000
    ret
    .balign 4096
