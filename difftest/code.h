#pragma once
// A case's code as a list of instructions. Relative branches, RIP-relative operands and
// immediates that hold a code address name what they point at (an instruction index or
// an absolute address) rather than a raw displacement, so that instructions can be
// removed (the minimiser) or generated out of order and layout() patches the bytes.
// Everything that needs Zydis to look at code lives behind this header.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "difftest/testcase.h"
#include "frontend/decode/insn.h"

namespace orcvm::difftest {

struct CaseInsn {
  std::vector<uint8_t> bytes;
  // A relative branch: displacement at bytes[rel_offset], rel_size bytes, to instruction
  // `target` (== the number of instructions: the end of the code, where the run ends).
  // target -1: the displacement is left as it is.
  int rel_offset = -1;
  int rel_size = 0;
  int target = -1;
  // An immediate (4 bytes, sign-extended) that holds the address of instruction
  // `abs_label` (or of the end): sets up RET / indirect branch targets in sequences.
  int abs_offset = -1;
  int abs_label = -1;
  // A RIP-relative operand: disp32 at bytes[riprel_offset], to reach riprel_address.
  int riprel_offset = -1;
  uint64_t riprel_address = 0;
};

// Concatenates the instructions at kCodeAddress, patching every displacement and
// address; false if a displacement does not fit its field. offsets (optional)
// receives each instruction's byte offset and, last, the code size.
bool layout(std::vector<CaseInsn>& insns, std::vector<uint8_t>& code, std::vector<uint64_t>* offsets = nullptr);

// Decodes code placed at kCodeAddress into instructions, resolving relative branches
// that land on an instruction boundary (or the end) and RIP-relative operands. Bytes
// that do not decode become one last raw instruction.
std::vector<CaseInsn> split_code(const std::vector<uint8_t>& code);

// Removes instruction k; branches to it now go to the instruction that followed it.
void remove_insn(std::vector<CaseInsn>& insns, int k);

struct InsnFacts {
  bool valid = false;
  uint8_t length = 0;
  Mnemonic mnemonic = Mnemonic::Other;  // orcvm's mnemonic (Other: orcvm does not know it)
  bool implemented = false;             // orcvm names it and binds its encoding to semantics
  std::string name;                     // Zydis' mnemonic in upper case: "SHL"
  std::string form;                     // operand form: "shl r32, cl" (see form_key in code.cpp)
  std::string text;                     // Intel syntax
  uint64_t flags_tested = 0;            // RFLAGS bits the instruction reads (Zydis' tables)
  bool relative_branch = false;
  bool far_branch = false;
  bool indirect_branch = false;         // JMP/CALL through a register or memory, RET
  bool uses_fs_gs = false;              // an FS or GS override: the host's bases differ from orcvm's
  bool segment_register_operand = false;
  bool vector_encoding = false;         // EVEX, MVEX, XOP, 3DNow!
  bool non_gpr_register_operand = false;  // x87, MMX, YMM, mask, control, debug... registers (not XMM)
  bool ignored_rep_prefix = false;      // an F2/F3 prefix the instruction does not use (reserved)
};
InsnFacts describe(const uint8_t* bytes, size_t size, uint64_t rip = kCodeAddress);

// The 16-bit word the instruction's memory operand reads from the input memory (for
// the operand of LAR, LSL, VERR and VERW); nothing for a register operand or an
// address outside the input's memory.
std::optional<uint16_t> memory_operand_word(const uint8_t* bytes, size_t size, const MachineState& in,
                                            uint64_t rip = kCodeAddress);

// "shl eax, cl; jz 0x10008": the whole code in Intel syntax, for reports.
std::string disassemble_code(const std::vector<uint8_t>& code);

// Every distinct operand form in the code (one entry per instruction that decodes).
std::vector<std::string> forms_in(const std::vector<uint8_t>& code);

}  // namespace orcvm::difftest
