#include "frontend/block_builder.h"

#include <algorithm>
#include <cstring>

namespace orcvm {

bool is_near_branch(const DecodedInsn& insn) {
  using M = Mnemonic;
  switch (insn.mnemonic) {
    case M::JMP: case M::CALL: case M::RET: case M::LOOP: case M::LOOPE: case M::LOOPNE:
    case M::JCXZ: case M::JECXZ: case M::JRCXZ:
    case M::JO: case M::JNO: case M::JB: case M::JNB: case M::JZ: case M::JNZ: case M::JBE:
    case M::JNBE: case M::JS: case M::JNS: case M::JP: case M::JNP: case M::JL: case M::JNL:
    case M::JLE: case M::JNLE:
      return !insn.far;
    default:
      return false;
  }
}

bool ends_block(const DecodedInsn& insn) {
  using M = Mnemonic;
  if (is_near_branch(insn) || insn.far) return true;
  switch (insn.mnemonic) {
    case M::HLT: case M::OUT: case M::INVLPG: case M::CLI: case M::STI:
    case M::POPF: case M::POPFD: case M::POPFQ:
    case M::UD2: case M::INT3: case M::INT:
    case M::IRET: case M::IRETD: case M::IRETQ: case M::SYSCALL: case M::SYSRET: case M::SYSENTER:
    case M::SYSEXIT: case M::LDS: case M::LES: case M::LFS: case M::LGS: case M::LSS: case M::LMSW:
    case M::WRMSR: case M::CLTS:
      return true;
    case M::MOV:
    case M::POP:
      return insn.op[0].kind == OperandKind::Reg && insn.op[0].reg.cls != RegClass::Gpr;
    default:
      return false;
  }
}

bool keeps_mode(const std::vector<DecodedInsn>& insns) {
  return !insns.empty() && (!ends_block(insns.back()) || is_near_branch(insns.back()));
}

bool build_block(const Decoder& decoder, uint64_t rip, uint64_t cs_base, unsigned max_insns,
                 const CodeFetcher& fetch, BlockSource* out) {
  constexpr uint64_t kPage = 4096;
  uint8_t bytes[kPage + kMaxInsnLength];
  const uint64_t start_linear = cs_base + rip;
  const unsigned in_page = static_cast<unsigned>(kPage - (start_linear & (kPage - 1)));
  // Fetch no more than the instructions can use: a one-instruction block from an
  // MMIO page reads only the bytes a CPU would fetch from the device.
  const unsigned first_fetch =
      static_cast<unsigned>(std::min<uint64_t>(in_page, uint64_t{max_insns} * kMaxInsnLength));
  uint64_t paddr;
  if (!fetch(start_linear, bytes, first_fetch, &paddr)) return false;

  unsigned available = first_fetch;
  bool second_page_fetched = false;
  unsigned offset = 0;
  while (out->insns.size() < max_insns && offset < in_page) {
    DecodedInsn insn;
    DecodeStatus st = decoder.decode(bytes + offset, available - offset, rip + offset, insn);
    if (st == DecodeStatus::NeedMoreBytes && !second_page_fetched && available == in_page) {
      uint64_t paddr2;
      if (!fetch(start_linear + in_page, bytes + in_page, kMaxInsnLength, &paddr2)) {
        if (!out->insns.empty()) break;  // end before the instruction; it faults when run
        return false;
      }
      out->phys_page2 = paddr2 >> 12;
      second_page_fetched = true;
      available = in_page + kMaxInsnLength;
      continue;
    }
    if (st != DecodeStatus::Ok) {
      insn = DecodedInsn{};
      insn.rip = rip + offset;
      insn.length = 1;
      insn.bytes[0] = bytes[offset];
    }
    offset += insn.length;
    out->insns.push_back(insn);
    if (ends_block(insn)) break;
  }
  if (offset <= in_page) out->phys_page2 = ~uint64_t{0};  // the crossing bytes were not used
  out->byte_length = offset;
  return true;
}

}  // namespace orcvm
