#include "difftest/code.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>
#include <unordered_map>

#include "difftest/isa.h"
#include "difftest/zydis_support.h"

namespace orcvm::difftest {
namespace zy {

bool decode(const uint8_t* bytes, size_t size, Decoded& out) {
  static const ZydisDecoder decoder = [] {
    ZydisDecoder d;
    ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    return d;
  }();
  return ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, size, &out.insn, out.ops));
}

namespace {
std::string lower(const char* s) {
  std::string out = s ? s : "?";
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
bool is_string_op(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: case ZYDIS_MNEMONIC_MOVSQ:
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD: case ZYDIS_MNEMONIC_CMPSQ:
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD: case ZYDIS_MNEMONIC_SCASQ:
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
      return true;
    default:
      return false;
  }
}
}  // namespace

std::string form_key(const Decoded& d) {
  const ZydisDecodedInstruction& zi = d.insn;
  std::string key;
  // SSE's CMPSD and MOVSD share the string instructions' mnemonics.
  const bool string_op = is_string_op(zi.mnemonic) && zi.meta.category == ZYDIS_CATEGORY_STRINGOP;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_LOCK) key += "lock ";
  if (string_op) {
    if (zi.attributes & ZYDIS_ATTRIB_HAS_REPNE) key += "repne ";
    else if (zi.attributes & ZYDIS_ATTRIB_HAS_REPE) key += "repe ";
    else if (zi.attributes & ZYDIS_ATTRIB_HAS_REP) key += "rep ";
  }
  key += lower(ZydisMnemonicGetString(zi.mnemonic));
  if (zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) key += " far";
  // Instructions whose implicit operands follow the address size: strings, XLAT, LOOP.
  bool memory = string_op || zi.mnemonic == ZYDIS_MNEMONIC_XLAT || zi.mnemonic == ZYDIS_MNEMONIC_LOOP ||
                zi.mnemonic == ZYDIS_MNEMONIC_LOOPE || zi.mnemonic == ZYDIS_MNEMONIC_LOOPNE ||
                zi.mnemonic == ZYDIS_MNEMONIC_MASKMOVDQU;
  int imm_index = 0;
  for (int i = 0; i < zi.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    key += i == 0 ? " " : ", ";
    switch (op.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER:
        if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE) key += lower(ZydisRegisterGetString(op.reg.value));
        else if (ZydisRegisterGetClass(op.reg.value) == ZYDIS_REGCLASS_XMM) key += "xmm";
        else key += "r" + std::to_string(op.size);
        break;
      case ZYDIS_OPERAND_TYPE_MEMORY:
        memory = true;
        key += op.mem.type == ZYDIS_MEMOP_TYPE_AGEN ? std::string("m") : "m" + std::to_string(op.size);
        break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE: {
        const int raw_bits = imm_index < 2 ? zi.raw.imm[imm_index].size : 0;
        ++imm_index;
        if (op.imm.is_relative) key += "rel" + std::to_string(raw_bits);
        else if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE || raw_bits == 0) key += std::to_string(op.imm.value.u);
        else key += "i" + std::to_string(raw_bits);
        break;
      }
      case ZYDIS_OPERAND_TYPE_POINTER:
        key += "ptr";
        break;
      default:
        key += "?";
        break;
    }
  }
  if (memory && zi.address_width == 32) key += " a32";
  return key;
}

Mnemonic to_orcvm(ZydisMnemonic m) {
  static const std::vector<Mnemonic> map = [] {
    std::vector<Mnemonic> result(ZYDIS_MNEMONIC_MAX_VALUE + 1, Mnemonic::Other);
    for (int z = 0; z <= ZYDIS_MNEMONIC_MAX_VALUE; ++z)
      if (const char* s = ZydisMnemonicGetString(static_cast<ZydisMnemonic>(z))) result[z] = mnemonic_by_name(s);
    return result;
  }();
  return m >= 0 && m <= ZYDIS_MNEMONIC_MAX_VALUE ? map[m] : Mnemonic::Other;
}

std::string format(const Decoded& d, uint64_t rip) {
  static const ZydisFormatter formatter = [] {
    ZydisFormatter f;
    ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
    return f;
  }();
  char buffer[256];
  if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&formatter, &d.insn, d.ops, d.insn.operand_count_visible, buffer,
                                                    sizeof buffer, rip, nullptr)))
    return "(bad)";
  return buffer;
}

}  // namespace zy

namespace {

void put_le(std::vector<uint8_t>& bytes, int offset, int size, uint64_t value) {
  for (int i = 0; i < size; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

bool fits(int64_t value, int size) {
  if (size == 1) return value >= -128 && value <= 127;
  if (size == 2) return value >= -32768 && value <= 32767;
  if (size == 4) return value >= INT32_MIN && value <= INT32_MAX;
  return size == 8;
}

}  // namespace

bool layout(std::vector<CaseInsn>& insns, std::vector<uint8_t>& code, std::vector<uint64_t>* offsets_out) {
  std::vector<uint64_t> offsets(insns.size() + 1, 0);
  for (size_t i = 0; i < insns.size(); ++i) offsets[i + 1] = offsets[i] + insns[i].bytes.size();
  auto address_of = [&](int index) -> std::optional<uint64_t> {
    if (index < 0 || index > static_cast<int>(insns.size())) return std::nullopt;
    return kCodeAddress + offsets[index];
  };
  bool ok = true;
  for (size_t i = 0; i < insns.size(); ++i) {
    CaseInsn& in = insns[i];
    const uint64_t next = kCodeAddress + offsets[i + 1];
    if (in.rel_offset >= 0 && in.target >= 0) {
      auto target = address_of(in.target);
      int64_t disp = target ? static_cast<int64_t>(*target - next) : 0;
      if (!target || !fits(disp, in.rel_size)) ok = false;
      else put_le(in.bytes, in.rel_offset, in.rel_size, static_cast<uint64_t>(disp));
    }
    if (in.abs_offset >= 0 && in.abs_label >= 0) {
      auto target = address_of(in.abs_label);
      if (!target) ok = false;
      else put_le(in.bytes, in.abs_offset, 4, *target);
    }
    if (in.riprel_offset >= 0) {
      int64_t disp = static_cast<int64_t>(in.riprel_address - next);
      if (!fits(disp, 4)) ok = false;
      else put_le(in.bytes, in.riprel_offset, 4, static_cast<uint64_t>(disp));
    }
  }
  code.clear();
  for (const CaseInsn& in : insns) code.insert(code.end(), in.bytes.begin(), in.bytes.end());
  if (offsets_out) *offsets_out = std::move(offsets);
  return ok;
}

std::vector<CaseInsn> split_code(const std::vector<uint8_t>& code) {
  std::vector<CaseInsn> insns;
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> branch_targets;  // absolute, per instruction (0: none)
  size_t offset = 0;
  while (offset < code.size()) {
    zy::Decoded d;
    CaseInsn in;
    uint64_t branch_target = 0;
    if (!zy::decode(code.data() + offset, code.size() - offset, d)) {
      in.bytes.assign(code.begin() + offset, code.end());
      offsets.push_back(offset);
      insns.push_back(std::move(in));
      branch_targets.push_back(0);
      break;
    }
    const ZydisDecodedInstruction& zi = d.insn;
    in.bytes.assign(code.begin() + offset, code.begin() + offset + zi.length);
    const uint64_t rip = kCodeAddress + offset;
    for (int i = 0; i < zi.operand_count_visible; ++i) {
      const ZydisDecodedOperand& op = d.ops[i];
      if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op.imm.is_relative) {
        ZyanU64 target = 0;
        ZydisCalcAbsoluteAddress(&zi, &op, rip, &target);
        in.rel_offset = zi.raw.imm[0].offset;
        in.rel_size = zi.raw.imm[0].size / 8;
        branch_target = target;
      }
      if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && op.mem.base == ZYDIS_REGISTER_RIP && zi.raw.disp.size == 32) {
        ZyanU64 target = 0;
        ZydisCalcAbsoluteAddress(&zi, &op, rip, &target);
        in.riprel_offset = zi.raw.disp.offset;
        in.riprel_address = target;
      }
    }
    offsets.push_back(offset);
    insns.push_back(std::move(in));
    branch_targets.push_back(branch_target);
    offset += zi.length;
  }
  offsets.push_back(code.size());
  for (size_t i = 0; i < insns.size(); ++i) {
    if (insns[i].rel_offset < 0) continue;
    auto it = std::find(offsets.begin(), offsets.end(), branch_targets[i] - kCodeAddress);
    if (branch_targets[i] >= kCodeAddress && it != offsets.end()) insns[i].target = static_cast<int>(it - offsets.begin());
    else insns[i].rel_offset = -1;  // lands inside an instruction or outside the code: keep the bytes
  }
  return insns;
}

void remove_insn(std::vector<CaseInsn>& insns, int k) {
  insns.erase(insns.begin() + k);
  for (CaseInsn& in : insns) {
    if (in.target > k) --in.target;
    if (in.abs_label > k) --in.abs_label;
  }
}

std::optional<uint16_t> memory_operand_word(const uint8_t* bytes, size_t size, const MachineState& in, uint64_t rip) {
  zy::Decoded d;
  if (!zy::decode(bytes, size, d)) return std::nullopt;
  static constexpr ZydisRegister kGprs64[16] = {
      ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RDX, ZYDIS_REGISTER_RBX,
      ZYDIS_REGISTER_RSP, ZYDIS_REGISTER_RBP, ZYDIS_REGISTER_RSI, ZYDIS_REGISTER_RDI,
      ZYDIS_REGISTER_R8,  ZYDIS_REGISTER_R9,  ZYDIS_REGISTER_R10, ZYDIS_REGISTER_R11,
      ZYDIS_REGISTER_R12, ZYDIS_REGISTER_R13, ZYDIS_REGISTER_R14, ZYDIS_REGISTER_R15};
  static constexpr ZydisRegister kGprs32[16] = {
      ZYDIS_REGISTER_EAX,  ZYDIS_REGISTER_ECX,  ZYDIS_REGISTER_EDX,  ZYDIS_REGISTER_EBX,
      ZYDIS_REGISTER_ESP,  ZYDIS_REGISTER_EBP,  ZYDIS_REGISTER_ESI,  ZYDIS_REGISTER_EDI,
      ZYDIS_REGISTER_R8D,  ZYDIS_REGISTER_R9D,  ZYDIS_REGISTER_R10D, ZYDIS_REGISTER_R11D,
      ZYDIS_REGISTER_R12D, ZYDIS_REGISTER_R13D, ZYDIS_REGISTER_R14D, ZYDIS_REGISTER_R15D};
  ZydisRegisterContext context{};
  for (int r = 0; r < 16; ++r) {
    context.values[kGprs64[r]] = in.gpr[r];
    context.values[kGprs32[r]] = in.gpr[r] & 0xffffffffu;
  }
  for (unsigned i = 0; i < d.insn.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    if (op.type != ZYDIS_OPERAND_TYPE_MEMORY || op.mem.type != ZYDIS_MEMOP_TYPE_MEM) continue;
    if (op.mem.segment == ZYDIS_REGISTER_FS || op.mem.segment == ZYDIS_REGISTER_GS) return std::nullopt;
    ZyanU64 address;
    if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(&d.insn, &op, rip, &context, &address))) return std::nullopt;
    for (const MemoryChunk& chunk : in.memory)
      if (address >= chunk.address && address + 2 <= chunk.address + chunk.bytes.size())
        return static_cast<uint16_t>(chunk.bytes[address - chunk.address] |
                                     (chunk.bytes[address - chunk.address + 1] << 8));
    return std::nullopt;
  }
  return std::nullopt;
}

InsnFacts describe(const uint8_t* bytes, size_t size, uint64_t rip) {
  InsnFacts f;
  zy::Decoded d;
  if (!zy::decode(bytes, size, d)) return f;
  const ZydisDecodedInstruction& zi = d.insn;
  f.valid = true;
  f.length = zi.length;
  f.mnemonic = zy::to_orcvm(zi.mnemonic);
  f.implemented = f.mnemonic != Mnemonic::Other && orcvm_implements(bytes, zi.length);
  f.name = ZydisMnemonicGetString(zi.mnemonic);
  for (char& c : f.name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  f.form = zy::form_key(d);
  f.text = zy::format(d, rip);
  f.flags_tested = zi.cpu_flags ? zi.cpu_flags->tested : 0;
  f.far_branch = zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
  f.uses_fs_gs = zi.attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS);
  f.vector_encoding = zi.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY && zi.encoding != ZYDIS_INSTRUCTION_ENCODING_VEX;
  for (int i = 0; i < zi.operand_count; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op.imm.is_relative) f.relative_branch = true;
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(op.reg.value) == ZYDIS_REGCLASS_SEGMENT &&
        op.visibility != ZYDIS_OPERAND_VISIBILITY_HIDDEN)
      f.segment_register_operand = true;
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && (op.mem.segment == ZYDIS_REGISTER_FS || op.mem.segment == ZYDIS_REGISTER_GS))
      f.uses_fs_gs = true;
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && op.visibility != ZYDIS_OPERAND_VISIBILITY_HIDDEN) {
      switch (ZydisRegisterGetClass(op.reg.value)) {
        case ZYDIS_REGCLASS_GPR8:
        case ZYDIS_REGCLASS_GPR16:
        case ZYDIS_REGCLASS_GPR32:
        case ZYDIS_REGCLASS_GPR64:
        case ZYDIS_REGCLASS_SEGMENT:
        case ZYDIS_REGCLASS_FLAGS:
        case ZYDIS_REGCLASS_IP:
        case ZYDIS_REGCLASS_XMM:  // the oracles load and compare XMM0-15 and MXCSR
          break;
        default:
          f.non_gpr_register_operand = true;
          break;
      }
    }
  }
  for (int i = 0; i < zi.raw.prefix_count; ++i)
    if ((zi.raw.prefixes[i].value == 0xf2 || zi.raw.prefixes[i].value == 0xf3) &&
        zi.raw.prefixes[i].type == ZYDIS_PREFIX_TYPE_IGNORED)
      f.ignored_rep_prefix = true;
  switch (zi.meta.category) {
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
    case ZYDIS_CATEGORY_RET:
      f.indirect_branch = !f.relative_branch;
      break;
    default:
      break;
  }
  return f;
}

std::string disassemble_code(const std::vector<uint8_t>& code) {
  std::string out;
  size_t offset = 0;
  while (offset < code.size()) {
    zy::Decoded d;
    if (!out.empty()) out += "; ";
    if (!zy::decode(code.data() + offset, code.size() - offset, d)) {
      out += "(bad)";
      break;
    }
    out += zy::format(d, kCodeAddress + offset);
    offset += d.insn.length;
  }
  return out;
}

std::vector<std::string> forms_in(const std::vector<uint8_t>& code) {
  std::vector<std::string> out;
  size_t offset = 0;
  while (offset < code.size()) {
    zy::Decoded d;
    if (!zy::decode(code.data() + offset, code.size() - offset, d)) break;
    out.push_back(zy::form_key(d));
    offset += d.insn.length;
  }
  return out;
}

}  // namespace orcvm::difftest
