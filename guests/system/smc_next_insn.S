/* Code that stores into instructions of its own basic block, ahead of the
 * instruction pointer. Every function is straight-line up to its RET. */
#include "opcodes.h"

    .text

/* uint32_t patch_next_immediate(uint32_t value): the store rewrites the
 * immediate of the very next instruction, which must return value. */
    .globl patch_next_immediate
patch_next_immediate:
    movl %edi, next_immediate + 1(%rip)
next_immediate:
    .byte OPCODE_MOV_EAX_IMM32
    .long 0x11111111
    ret

/* uint32_t patch_later_immediate(uint32_t value): the patched instruction
 * comes four instructions after the store; returns 24 + value. */
    .globl patch_later_immediate
patch_later_immediate:
    movl %edi, later_immediate + 1(%rip)
    xor %eax, %eax
    add $3, %eax
    lea 5(%rax), %ecx
    imul %ecx, %eax
later_immediate:
    .byte OPCODE_ADD_EAX_IMM32
    .long 0x22222222
    ret

/* uint32_t patch_opcode(uint8_t modrm): rewrites the ModRM byte of the next
 * instruction, FF C0 (inc eax) or FF C8 (dec eax); returns 100 +/- 1. */
    .globl patch_opcode
patch_opcode:
    mov $100, %eax
    movb %dil, patched_opcode + 1(%rip)
patched_opcode:
    .byte 0xff, 0xc0
    ret

/* uint32_t patch_with_string_store(uint32_t value): STOSD writes the next
 * instruction's immediate. */
    .globl patch_with_string_store
patch_with_string_store:
    mov %edi, %eax
    lea string_immediate + 1(%rip), %rdi
    cld
    stosl
string_immediate:
    .byte OPCODE_MOV_EAX_IMM32
    .long 0x33333333
    ret
