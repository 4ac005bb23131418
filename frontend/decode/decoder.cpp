#include "frontend/decode/decoder.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace orcvm {

namespace {

constexpr const char* kMnemonicNames[] = {
    "(other)",
#define X(name) #name,
#include "frontend/decode/mnemonics.inc"
#undef X
};

// Maps every Zydis mnemonic to orcvm's by name, once.
const std::vector<Mnemonic>& mnemonic_map() {
  static const std::vector<Mnemonic> map = [] {
    std::unordered_map<std::string, Mnemonic> by_name;
    for (size_t i = 1; i < static_cast<size_t>(Mnemonic::Count); ++i) {
      std::string lower = kMnemonicNames[i];
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      by_name[lower] = static_cast<Mnemonic>(i);
    }
    std::vector<Mnemonic> result(ZYDIS_MNEMONIC_MAX_VALUE + 1, Mnemonic::Other);
    for (int z = 0; z <= ZYDIS_MNEMONIC_MAX_VALUE; ++z) {
      const char* s = ZydisMnemonicGetString(static_cast<ZydisMnemonic>(z));
      if (!s) continue;
      auto it = by_name.find(s);
      if (it != by_name.end()) result[z] = it->second;
    }
    return result;
  }();
  return map;
}

Seg to_seg(ZydisRegister r) {
  switch (r) {
    case ZYDIS_REGISTER_ES: return Seg::ES;
    case ZYDIS_REGISTER_CS: return Seg::CS;
    case ZYDIS_REGISTER_SS: return Seg::SS;
    case ZYDIS_REGISTER_DS: return Seg::DS;
    case ZYDIS_REGISTER_FS: return Seg::FS;
    case ZYDIS_REGISTER_GS: return Seg::GS;
    default: return Seg::None;
  }
}

// SIB base 101 with mod 00 means disp32 and no base, whatever REX.B says; Zydis 4.0
// decodes R13D and no displacement when a 67h prefix is present as well.
void repair_sib_without_base(const ZydisDecodedInstruction& zi, ZydisDecodedOperand* zops) {
  if (!(zi.attributes & ZYDIS_ATTRIB_HAS_SIB) || zi.raw.modrm.mod != 0 || zi.raw.sib.base != 5) return;
  for (uint8_t i = 0; i < zi.operand_count; ++i) {
    ZydisDecodedOperand& z = zops[i];
    if (z.type != ZYDIS_OPERAND_TYPE_MEMORY || z.mem.base == ZYDIS_REGISTER_NONE) continue;
    z.mem.base = ZYDIS_REGISTER_NONE;
    z.mem.disp.has_displacement = true;
    z.mem.disp.value = zi.raw.disp.value;
  }
}

// Decodes with Zydis and repairs what Zydis 4.0 gets wrong. F3 90 with REX.B is
// XCHG r8, rAX with an ignored REP prefix, not PAUSE: decoded again with the F3
// replaced by a CS override, which 64-bit mode ignores as well.
ZyanStatus decode_full(const ZydisDecoder& decoder, const uint8_t* bytes, size_t avail,
                       ZydisDecodedInstruction& zi, ZydisDecodedOperand* zops) {
  ZyanStatus st = ZydisDecoderDecodeFull(&decoder, bytes, avail, &zi, zops);
  if (!ZYAN_SUCCESS(st)) return st;
  if (zi.mnemonic == ZYDIS_MNEMONIC_PAUSE && zi.raw.rex.B) {
    uint8_t copy[ZYDIS_MAX_INSTRUCTION_LENGTH];
    std::memcpy(copy, bytes, zi.length);
    for (uint8_t k = 0; k < zi.raw.rex.offset; ++k)
      if (copy[k] == 0xf3) copy[k] = 0x2e;
    st = ZydisDecoderDecodeFull(&decoder, copy, zi.length, &zi, zops);
    if (!ZYAN_SUCCESS(st)) return st;
  }
  repair_sib_without_base(zi, zops);
  return st;
}

int8_t gpr_index(ZydisMachineMode mode, ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return -1;
  ZydisRegister full = ZydisRegisterGetLargestEnclosing(mode, r);
  if (mode != ZYDIS_MACHINE_MODE_LONG_64) full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
  return static_cast<int8_t>(ZydisRegisterGetId(full));
}

RegRef to_reg(ZydisMachineMode mode, ZydisRegister r) {
  RegRef ref;
  switch (ZydisRegisterGetClass(r)) {
    case ZYDIS_REGCLASS_GPR8:
      ref.cls = RegClass::Gpr;
      ref.high8 = r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH || r == ZYDIS_REGISTER_DH ||
                  r == ZYDIS_REGISTER_BH;
      ref.index = ref.high8 ? static_cast<uint8_t>(r - ZYDIS_REGISTER_AH) : gpr_index(mode, r);
      break;
    case ZYDIS_REGCLASS_GPR16:
    case ZYDIS_REGCLASS_GPR32:
    case ZYDIS_REGCLASS_GPR64:
      ref.cls = RegClass::Gpr;
      ref.index = gpr_index(mode, r);
      break;
    case ZYDIS_REGCLASS_SEGMENT:
      ref.cls = RegClass::Segment;
      ref.index = static_cast<uint8_t>(to_seg(r));
      break;
    case ZYDIS_REGCLASS_CONTROL:
      ref.cls = RegClass::Control;
      ref.index = static_cast<uint8_t>(ZydisRegisterGetId(r));
      break;
    case ZYDIS_REGCLASS_DEBUG:
      ref.cls = RegClass::Debug;
      ref.index = static_cast<uint8_t>(ZydisRegisterGetId(r));
      break;
    case ZYDIS_REGCLASS_XMM:
      ref.cls = RegClass::Xmm;
      ref.index = static_cast<uint8_t>(ZydisRegisterGetId(r));
      break;
    default:
      ref.cls = RegClass::Other;
      break;
  }
  return ref;
}

OpcodeMap to_map(ZydisOpcodeMap m) {
  switch (m) {
    case ZYDIS_OPCODE_MAP_DEFAULT: return OpcodeMap::Primary;
    case ZYDIS_OPCODE_MAP_0F: return OpcodeMap::Map0F;
    case ZYDIS_OPCODE_MAP_0F38: return OpcodeMap::Map0F38;
    case ZYDIS_OPCODE_MAP_0F3A: return OpcodeMap::Map0F3A;
    default: return OpcodeMap::Other;
  }
}

SimdPrefix to_simd_prefix(uint8_t byte) {
  switch (byte) {
    case 0x66: return SimdPrefix::P66;
    case 0xf3: return SimdPrefix::PF3;
    case 0xf2: return SimdPrefix::PF2;
    default: return SimdPrefix::None;
  }
}

Encoding encoding_of(const ZydisDecodedInstruction& zi, ZydisMachineMode mode) {
  Encoding enc;
  const bool legacy = zi.encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY;
  enc.vex = zi.encoding == ZYDIS_INSTRUCTION_ENCODING_VEX;
  if (!legacy && !enc.vex) return enc;  // EVEX, XOP, 3DNow!: OpcodeMap::Other binds nothing
  enc.map = to_map(zi.opcode_map);
  enc.opcode = zi.opcode;
  enc.has_modrm = zi.attributes & ZYDIS_ATTRIB_HAS_MODRM;
  if (enc.has_modrm)
    enc.modrm = static_cast<uint8_t>((zi.raw.modrm.mod << 6) | (zi.raw.modrm.reg << 3) | zi.raw.modrm.rm);
  enc.long_mode = mode == ZYDIS_MACHINE_MODE_LONG_64;
  if (enc.vex) {
    constexpr SimdPrefix kPp[] = {SimdPrefix::None, SimdPrefix::P66, SimdPrefix::PF3, SimdPrefix::PF2};
    enc.prefix = kPp[zi.raw.vex.pp & 3];
    enc.w = zi.raw.vex.W;
    enc.vex_l = zi.raw.vex.L;
  } else {
    // With several, F2/F3 outrank 66 (as in the SDM's opcode tables). In the
    // one-byte map F2/F3 are REP prefixes (Zydis calls them mandatory on string
    // instructions) and select no opcode, save F3 90 (PAUSE), which acts as 90.
    for (uint8_t i = 0; i < zi.raw.prefix_count && enc.map != OpcodeMap::Primary; ++i) {
      if (zi.raw.prefixes[i].type != ZYDIS_PREFIX_TYPE_MANDATORY) continue;
      const SimdPrefix p = to_simd_prefix(zi.raw.prefixes[i].value);
      if (enc.prefix == SimdPrefix::None || p != SimdPrefix::P66) enc.prefix = p;
    }
    enc.w = zi.raw.rex.W;
  }
  return enc;
}

}  // namespace

std::string_view mnemonic_name(Mnemonic m) {
  auto i = static_cast<size_t>(m);
  return i < std::size(kMnemonicNames) ? kMnemonicNames[i] : "(bad)";
}

struct Decoder::Impl {
  ZydisDecoder decoder;
  ZydisFormatter formatter;
  ZydisMachineMode mode;
};

Decoder::Decoder(unsigned code_bits) : impl_(std::make_unique<Impl>()) {
  switch (code_bits) {
    case 64:
      impl_->mode = ZYDIS_MACHINE_MODE_LONG_64;
      ZydisDecoderInit(&impl_->decoder, impl_->mode, ZYDIS_STACK_WIDTH_64);
      break;
    case 32:
      impl_->mode = ZYDIS_MACHINE_MODE_LEGACY_32;
      ZydisDecoderInit(&impl_->decoder, impl_->mode, ZYDIS_STACK_WIDTH_32);
      break;
    default:
      impl_->mode = ZYDIS_MACHINE_MODE_LEGACY_16;
      ZydisDecoderInit(&impl_->decoder, impl_->mode, ZYDIS_STACK_WIDTH_16);
      break;
  }
  ZydisFormatterInit(&impl_->formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  mnemonic_map();
}

Decoder::~Decoder() = default;

DecodeStatus Decoder::decode(const uint8_t* bytes, size_t avail, uint64_t rip,
                             DecodedInsn& out) const {
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand zops[ZYDIS_MAX_OPERAND_COUNT];
  ZyanStatus st = decode_full(impl_->decoder, bytes, avail, zi, zops);
  if (st == ZYDIS_STATUS_NO_MORE_DATA) return avail < 15 ? DecodeStatus::NeedMoreBytes : DecodeStatus::Invalid;
  if (!ZYAN_SUCCESS(st)) return DecodeStatus::Invalid;

  out = DecodedInsn{};
  out.rip = rip;
  out.length = zi.length;
  out.mnemonic = mnemonic_map()[zi.mnemonic];
  out.encoding = encoding_of(zi, impl_->mode);
  out.opsize = zi.operand_width;
  out.addrsize = zi.address_width;
  out.lock = zi.attributes & ZYDIS_ATTRIB_HAS_LOCK;
  out.rep = zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE);
  out.repne = zi.attributes & ZYDIS_ATTRIB_HAS_REPNE;
  out.far = zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
  std::memcpy(out.bytes, bytes, zi.length);
  constexpr std::pair<uint64_t, Seg> kOverrides[] = {
      {ZYDIS_ATTRIB_HAS_SEGMENT_ES, Seg::ES}, {ZYDIS_ATTRIB_HAS_SEGMENT_CS, Seg::CS},
      {ZYDIS_ATTRIB_HAS_SEGMENT_SS, Seg::SS}, {ZYDIS_ATTRIB_HAS_SEGMENT_DS, Seg::DS},
      {ZYDIS_ATTRIB_HAS_SEGMENT_FS, Seg::FS}, {ZYDIS_ATTRIB_HAS_SEGMENT_GS, Seg::GS}};
  for (auto [attribute, seg] : kOverrides)
    if (zi.attributes & attribute) out.segment_override = seg;

  uint8_t n = 0;
  for (uint8_t i = 0; i < zi.operand_count_visible && n < 4; ++i) {
    const ZydisDecodedOperand& z = zops[i];
    Operand& o = out.op[n];
    o.bits = z.size;
    switch (z.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER:
        o.kind = OperandKind::Reg;
        o.reg = to_reg(impl_->mode, z.reg.value);
        break;
      case ZYDIS_OPERAND_TYPE_MEMORY: {
        o.kind = OperandKind::Mem;
        o.mem.seg = to_seg(z.mem.segment);
        o.mem.scale = z.mem.scale ? z.mem.scale : 1;
        o.mem.disp = z.mem.disp.has_displacement ? z.mem.disp.value : 0;
        if (z.mem.base == ZYDIS_REGISTER_RIP || z.mem.base == ZYDIS_REGISTER_EIP) {
          uint64_t ea = 0;
          ZydisCalcAbsoluteAddress(&zi, &z, rip, &ea);
          o.mem.disp = static_cast<int64_t>(ea);
        } else {
          o.mem.base = gpr_index(impl_->mode, z.mem.base);
        }
        o.mem.index = gpr_index(impl_->mode, z.mem.index);
        if (z.mem.type == ZYDIS_MEMOP_TYPE_AGEN) o.mem.seg = Seg::None;
        break;
      }
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        if (z.imm.is_relative) {
          o.kind = OperandKind::Target;
          ZydisCalcAbsoluteAddress(&zi, &z, rip, &o.imm);
        } else {
          o.kind = OperandKind::Imm;
          o.imm = z.imm.is_signed ? static_cast<uint64_t>(z.imm.value.s) : z.imm.value.u;
        }
        break;
      case ZYDIS_OPERAND_TYPE_POINTER:
        o.kind = OperandKind::FarPointer;
        o.imm = z.ptr.offset;
        o.selector = z.ptr.segment;
        break;
      default:
        break;
    }
    ++n;
  }
  out.operand_count = n;
  return DecodeStatus::Ok;
}

std::string Decoder::disassemble(const DecodedInsn& insn) const {
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand zops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(decode_full(impl_->decoder, insn.bytes, insn.length, zi, zops))) return "(bad)";
  char buf[256];
  ZydisFormatterFormatInstruction(&impl_->formatter, &zi, zops, zi.operand_count_visible, buf,
                                  sizeof(buf), insn.rip, nullptr);
  return buf;
}

}  // namespace orcvm
