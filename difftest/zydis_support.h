#pragma once
// Internal to difftest/: Zydis helpers shared by the code model, the flag rules and
// the generators. Only difftest/*.cpp (and fuzz/) include this; see DESIGN.md.
#include <Zydis/Zydis.h>

#include <string>

#include "frontend/decode/insn.h"

namespace orcvm::difftest::zy {

struct Decoded {
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
};

// Decodes one instruction in 64-bit mode; false if the bytes are not an instruction.
bool decode(const uint8_t* bytes, size_t size, Decoded& out);

// The operand form of a decoded instruction: "[lock ][rep |repe |repne ]mnemonic[ far] op, op[ a32]"
// with op one of r8..r64 (any register), a register name (a register fixed by the
// opcode: "al", "cl", "dx"), m8..m128 / m for LEA, i8..i64, rel8 / rel32, or a fixed
// immediate ("1").
std::string form_key(const Decoded& d);

// orcvm's mnemonic for a Zydis one (by name, as frontend/decode maps them).
Mnemonic to_orcvm(ZydisMnemonic m);

std::string format(const Decoded& d, uint64_t rip);

}  // namespace orcvm::difftest::zy
