#pragma once
// Block formation: decodes from a guest PC up to the first instruction that must
// end a block, the end of the page, or a size limit.
#include <cstdint>
#include <functional>
#include <vector>

#include "frontend/decode/decoder.h"

namespace orcvm {

// Reads size code bytes at a linear address through the MMU's execute path; returns
// false after recording a fetch fault. *paddr receives the physical address.
using CodeFetcher = std::function<bool(uint64_t linear, uint8_t* buf, unsigned size, uint64_t* paddr)>;

struct BlockSource {
  std::vector<DecodedInsn> insns;
  uint64_t phys_page2 = ~uint64_t{0};  // set when the last instruction crosses into a second page
  uint32_t byte_length = 0;
};

// Whether an instruction must be the last of its block: it transfers control, or
// its effects (mode, paging, devices, interrupts, faults) must reach the VCPU loop.
// Instructions orcvm has no name for (SSE, x87) continue the block: none of them
// changes the block's mode, and one that is unimplemented faults where it stands.
bool ends_block(const DecodedInsn& insn);
// JMP, Jcc, CALL, RET, LOOPcc and JrCXZ within the code segment.
bool is_near_branch(const DecodedInsn& insn);
// Whether leaving a block of these instructions leaves the VCPU in the block's mode,
// with the same IF, TF and debug registers: the block ends at a near branch or at a
// size or page limit, never after a special instruction.
bool keeps_mode(const std::vector<DecodedInsn>& insns);

// Returns false when the first instruction cannot be fetched (the fault is recorded).
bool build_block(const Decoder& decoder, uint64_t rip, uint64_t cs_base, unsigned max_insns,
                 const CodeFetcher& fetch, BlockSource* out);

}  // namespace orcvm
