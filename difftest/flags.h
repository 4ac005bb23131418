#pragma once
// Which status flags an instruction leaves undefined, and so which flags a comparison
// with a hardware oracle must mask. The base is Zydis' per-instruction flag table
// (ZydisDecodedInstruction::cpu_flags); the rules here add what a table cannot say,
// because it depends on operand values, and correct the few entries where the table
// is coarser than the SDM:
//   SHL SAL SHR SAR  masked count 0: no flag changes. Otherwise AF undefined; OF
//                    undefined unless the count is 1; CF undefined for SHL/SHR when the
//                    count is >= the operand size (8/16-bit operands).  SDM Vol. 2B SAL/SAR/SHL/SHR.
//   ROL ROR RCL RCR  masked count 0: no flag changes; OF undefined unless the masked
//                    count is 1.  SDM Vol. 2B RCL/RCR/ROL/ROR.
//   SHLD SHRD        count 0: no change; AF undefined, OF unless count 1; a count above
//                    the operand size (16-bit: 17..31) leaves every status flag (and
//                    the result) undefined.  SDM Vol. 2B SHLD, SHRD.
//   BEXTR            CF and OF are cleared, only AF SF PF are undefined (Zydis lists CF
//                    and OF too).  SDM Vol. 2A BEXTR.
//   REP CMPS/SCAS    with a count of 0 no flag is written (RCX unknown: it may be 0).
// With the shift count unknown (an instruction inside a sequence, count in CL) the rules
// assume the worst: every flag that some count leaves undefined, and nothing written.
#include <cstdint>
#include <optional>
#include <vector>

#include "difftest/code.h"
#include "difftest/testcase.h"

namespace orcvm::difftest {

struct FlagEffect {
  uint64_t defined = 0;    // status flags always written with a defined value
  uint64_t undefined = 0;  // status flags that may be left undefined
  uint64_t tested = 0;     // flags the instruction reads
  bool operator==(const FlagEffect&) const = default;
};

// rcx: RCX before the instruction, when known (the count of a shift by CL).
FlagEffect flag_effect(const uint8_t* bytes, size_t size, std::optional<uint64_t> rcx);

// The flags that may be undefined at each instruction boundary of a case whose code
// only branches forward (what the generators make). The first instruction sees the
// input state exactly (its RCX); later ones are analysed without operand values.
struct FlagAnalysis {
  std::vector<uint64_t> offsets;          // byte offset of each instruction, then of the end
  std::vector<uint64_t> maybe_undefined;  // before each instruction, then at the end
  uint64_t any = 0;                       // the union: for an outcome ending elsewhere

  // The flags to mask in an outcome whose RIP is rip (a fault: the state before the
  // faulting instruction; the end: after the last).
  uint64_t at(uint64_t rip) const;
};
FlagAnalysis analyse_flags(const std::vector<CaseInsn>& insns, const MachineState* input);

// analyse_flags(split_code(test.code), &test.input).at(rip).
uint64_t undefined_flags_at(const TestCase& test, uint64_t rip);

}  // namespace orcvm::difftest
