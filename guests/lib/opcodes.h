/* Opcode bytes the self-modifying and remapping guests assemble or patch by
 * hand (usable from C and from preprocessed assembly). */
#ifndef ORCVM_GUEST_OPCODES_H
#define ORCVM_GUEST_OPCODES_H

#define OPCODE_MOV_EAX_IMM32 0xb8
#define OPCODE_ADD_EAX_IMM32 0x05
#define OPCODE_RET 0xc3

#endif
