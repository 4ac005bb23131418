#include "difftest/generator.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>
#include <unordered_set>

#include "difftest/flags.h"
#include "difftest/isa.h"
#include "difftest/rng.h"
#include "difftest/zydis_support.h"

namespace orcvm::difftest {

std::string_view case_kind_name(CaseKind k) {
  switch (k) {
    case CaseKind::Single: return "single";
    case CaseKind::Bytes: return "bytes";
    case CaseKind::Sequence: return "sequence";
  }
  return "?";
}

std::vector<MemoryChunk> window_chunks(const std::vector<uint8_t>& window) {
  std::vector<MemoryChunk> chunks;
  size_t i = 0;
  while (i < window.size()) {
    if (window[i] == 0) {
      ++i;
      continue;
    }
    // A run ends at 8 zero bytes in a row: shorter gaps stay inside, which keeps lines short.
    size_t end = i, zeros = 0;
    for (size_t k = i; k < window.size() && zeros < 8; ++k) {
      if (window[k] == 0) {
        ++zeros;
      } else {
        zeros = 0;
        end = k + 1;
      }
    }
    chunks.push_back({kDataAddress + i, std::vector<uint8_t>(window.begin() + i, window.begin() + end)});
    i = end;
  }
  return chunks;
}

std::vector<uint8_t> window_bytes(const MachineState& state) {
  std::vector<uint8_t> window(kDataSize, 0);
  for (const MemoryChunk& m : state.memory)
    for (size_t i = 0; i < m.bytes.size(); ++i)
      if (m.address + i >= kDataAddress && m.address + i < kDataAddress + kDataSize)
        window[m.address + i - kDataAddress] = m.bytes[i];
  return window;
}

namespace {

constexpr uint64_t kWindowEnd = kDataAddress + kDataSize;
constexpr int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
constexpr uint64_t kStatusFlags = 0x8d5, kDF = 1 << 10, kAC = 1 << 18, kTF = 1 << 8;
constexpr uint8_t kUd2[] = {0x0f, 0x0b};

static_assert(ZYDIS_REGISTER_R15W == ZYDIS_REGISTER_AX + 15);
static_assert(ZYDIS_REGISTER_R15D == ZYDIS_REGISTER_EAX + 15);
static_assert(ZYDIS_REGISTER_R15 == ZYDIS_REGISTER_RAX + 15);
static_assert(ZYDIS_REGISTER_R15B == ZYDIS_REGISTER_R8B + 7);

ZydisRegister gpr(unsigned bits, int id) {
  switch (bits) {
    case 8:
      if (id < 4) return static_cast<ZydisRegister>(ZYDIS_REGISTER_AL + id);
      if (id < 8) return static_cast<ZydisRegister>(ZYDIS_REGISTER_SPL + (id - 4));
      return static_cast<ZydisRegister>(ZYDIS_REGISTER_R8B + (id - 8));
    case 16: return static_cast<ZydisRegister>(ZYDIS_REGISTER_AX + id);
    case 32: return static_cast<ZydisRegister>(ZYDIS_REGISTER_EAX + id);
    default: return static_cast<ZydisRegister>(ZYDIS_REGISTER_RAX + id);
  }
}

bool is_high8(ZydisRegister r) { return r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH; }

int reg_id(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return -1;
  if (is_high8(r)) return r - ZYDIS_REGISTER_AH;
  const ZydisRegister full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
  if (full < ZYDIS_REGISTER_RAX || full > ZYDIS_REGISTER_R15) return -1;
  return full - ZYDIS_REGISTER_RAX;
}

unsigned reg_bits(ZydisRegister r) { return ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r); }

uint64_t width_mask(unsigned bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }

ZydisEncoderOperand reg_operand(ZydisRegister r) {
  ZydisEncoderOperand o{};
  o.type = ZYDIS_OPERAND_TYPE_REGISTER;
  o.reg.value = r;
  return o;
}
ZydisEncoderOperand imm_operand(uint64_t v) {
  ZydisEncoderOperand o{};
  o.type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
  o.imm.u = v;
  return o;
}
ZydisEncoderOperand mem_operand(ZydisRegister base, uint16_t size, ZydisRegister index = ZYDIS_REGISTER_NONE,
                                uint8_t scale = 0, int64_t disp = 0) {
  ZydisEncoderOperand o{};
  o.type = ZYDIS_OPERAND_TYPE_MEMORY;
  o.mem.base = base;
  o.mem.index = index;
  o.mem.scale = index == ZYDIS_REGISTER_NONE ? 0 : scale;
  o.mem.displacement = disp;
  o.mem.size = size;
  return o;
}

ZydisEncoderRequest new_request(ZydisMnemonic m) {
  ZydisEncoderRequest r;
  std::memset(&r, 0, sizeof r);
  r.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
  r.allowed_encodings = static_cast<ZydisEncodableEncoding>(ZYDIS_ENCODABLE_ENCODING_LEGACY | ZYDIS_ENCODABLE_ENCODING_VEX);
  r.mnemonic = m;
  return r;
}

bool encode(const ZydisEncoderRequest& request, std::vector<uint8_t>& out) {
  uint8_t buffer[ZYDIS_MAX_INSTRUCTION_LENGTH];
  ZyanUSize length = sizeof buffer;
  if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&request, buffer, &length))) return false;
  out.assign(buffer, buffer + length);
  return true;
}

CaseInsn raw_insn(std::vector<uint8_t> bytes) {
  CaseInsn in;
  in.bytes = std::move(bytes);
  return in;
}

// ---------------------------------------------------------------------------------
// Forms: found by offering the encoder every mnemonic orcvm implements with operands
// of every kind and size, and naming each instruction it builds by its decoded form.

enum class SlotKind : uint8_t { Reg, FixedReg, Mem, Imm, FixedImm, Rel };

struct Slot {
  SlotKind kind = SlotKind::Reg;
  uint16_t bits = 0;  // the operand's size
  ZydisRegister fixed = ZYDIS_REGISTER_NONE;
  uint16_t mem_size = 0;  // the encoder's mem.size, in bytes
  bool agen = false;
  uint8_t imm_bits = 0;  // the encoded immediate's size
  bool imm_signed = false;
  uint64_t fixed_imm = 0;
  bool xmm = false;  // Reg: an XMM register
};

// What the XMM operands of an SSE form hold, for their values.
enum class LaneKind : uint8_t { None, Single, Double, Int32 };

struct Form {
  std::string key;
  ZydisMnemonic zm = ZYDIS_MNEMONIC_INVALID;
  Mnemonic m = Mnemonic::Other;
  ZydisEncoderRequest proto{};
  std::vector<Slot> slots;
  bool a32 = false;
  bool far = false;
  uint16_t opsize = 0;
  uint32_t implicit_regs = 0;  // GPR ids read or written without being an explicit operand
  uint32_t fixed_regs = 0;     // GPR ids of fixed register operands (CL, DX, AL...)
  bool rep = false;
  bool sse = false;  // reads or writes XMM registers (and MXCSR)
  LaneKind lanes = LaneKind::None;
};

bool mnemonic_is(ZydisMnemonic m, std::initializer_list<ZydisMnemonic> set) {
  return std::find(set.begin(), set.end(), m) != set.end();
}

bool is_string(ZydisMnemonic m) {
  return mnemonic_is(m, {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_MOVSQ,
                         ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_STOSQ,
                         ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_LODSQ,
                         ZYDIS_MNEMONIC_CMPSB, ZYDIS_MNEMONIC_CMPSW, ZYDIS_MNEMONIC_CMPSD, ZYDIS_MNEMONIC_CMPSQ,
                         ZYDIS_MNEMONIC_SCASB, ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_SCASD, ZYDIS_MNEMONIC_SCASQ,
                         ZYDIS_MNEMONIC_INSB,  ZYDIS_MNEMONIC_INSW,  ZYDIS_MNEMONIC_INSD,  ZYDIS_MNEMONIC_OUTSB,
                         ZYDIS_MNEMONIC_OUTSW, ZYDIS_MNEMONIC_OUTSD});
}
bool is_shift(ZydisMnemonic m) {
  return mnemonic_is(m, {ZYDIS_MNEMONIC_SHL, ZYDIS_MNEMONIC_SHR, ZYDIS_MNEMONIC_SAR, ZYDIS_MNEMONIC_ROL,
                         ZYDIS_MNEMONIC_ROR, ZYDIS_MNEMONIC_RCL, ZYDIS_MNEMONIC_RCR, ZYDIS_MNEMONIC_SHLD, ZYDIS_MNEMONIC_SHRD});
}
bool is_bit_test(ZydisMnemonic m) {
  return mnemonic_is(m, {ZYDIS_MNEMONIC_BT, ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR, ZYDIS_MNEMONIC_BTC});
}
bool is_loop(ZydisMnemonic m) {
  return mnemonic_is(m, {ZYDIS_MNEMONIC_LOOP, ZYDIS_MNEMONIC_LOOPE, ZYDIS_MNEMONIC_LOOPNE, ZYDIS_MNEMONIC_JRCXZ,
                         ZYDIS_MNEMONIC_JECXZ, ZYDIS_MNEMONIC_JCXZ});
}
// Instructions that fault at CPL 3 whatever their operands (or end the run): rare in sequences.
bool always_faults(ZydisMnemonic m) {
  return mnemonic_is(m, {ZYDIS_MNEMONIC_IN, ZYDIS_MNEMONIC_OUT, ZYDIS_MNEMONIC_INSB, ZYDIS_MNEMONIC_INSW,
                         ZYDIS_MNEMONIC_INSD, ZYDIS_MNEMONIC_OUTSB, ZYDIS_MNEMONIC_OUTSW, ZYDIS_MNEMONIC_OUTSD,
                         ZYDIS_MNEMONIC_HLT, ZYDIS_MNEMONIC_CLI, ZYDIS_MNEMONIC_STI, ZYDIS_MNEMONIC_INVLPG,
                         ZYDIS_MNEMONIC_INT, ZYDIS_MNEMONIC_INT3, ZYDIS_MNEMONIC_UD2});
}
// Results that depend on the machine rather than the instruction: not in sequences.
bool model_dependent(ZydisMnemonic m) {
  return mnemonic_is(m, {ZYDIS_MNEMONIC_CPUID, ZYDIS_MNEMONIC_RDTSC, ZYDIS_MNEMONIC_RDTSCP, ZYDIS_MNEMONIC_SGDT,
                         ZYDIS_MNEMONIC_SIDT});
}
// Never generated: they would act on the host oracle's own process (a system call;
// FS/GS loads break its thread pointer, which its signal handler needs), or the
// hardware's answer depends on the vendor rather than the instruction (SYSENTER is #UD
// in long mode on AMD, #GP(0) with SYSENTER_CS = 0 on Intel).
bool host_unsafe(ZydisMnemonic m) {
  return mnemonic_is(m, {ZYDIS_MNEMONIC_SYSCALL, ZYDIS_MNEMONIC_SYSENTER, ZYDIS_MNEMONIC_LFS, ZYDIS_MNEMONIC_LGS});
}
// Forms whose result depends on the processor's vendor (the allow-list explains them for
// single instructions): in a sequence the difference would spread to later instructions.
// INT n vectors whose user-mode outcome the host kernel decides rather than the IDT's
// DPL: Linux's gates open to user mode (INTO, the 32-bit system call), and 0x17,
// 0x19, 0x1A and 0x1B, which this host's kernel (a PVM guest: it runs at underlying
// CPL 3) handles itself (#GP(0) past the instruction, a return with registers cleared,
// #UD) where the hardware raises #GP(vector * 8 + 2).
bool host_kernel_claims_vector(uint64_t v) { return v == 4 || v == 0x80 || v == 0x17 || (v >= 0x19 && v <= 0x1b); }

bool vendor_dependent(const Form& f) {
  if (f.key.find("m80") != std::string::npos &&
      mnemonic_is(f.zm, {ZYDIS_MNEMONIC_JMP, ZYDIS_MNEMONIC_CALL, ZYDIS_MNEMONIC_LSS}))
    return true;  // m16:64: Intel only
  if (mnemonic_is(f.zm, {ZYDIS_MNEMONIC_LAR, ZYDIS_MNEMONIC_LSL, ZYDIS_MNEMONIC_VERR, ZYDIS_MNEMONIC_VERW,
                         ZYDIS_MNEMONIC_STR, ZYDIS_MNEMONIC_SLDT, ZYDIS_MNEMONIC_SMSW, ZYDIS_MNEMONIC_ENTER}))
    return true;  // ENTER: #AC for a misaligned final RSP (AMD's, orcvm's; Intel's unconfirmed); LSL etc.: Linux's GDT has more
  if (f.zm == ZYDIS_MNEMONIC_NOP && f.key.find(" r") != std::string::npos) return true;  // 0F 0D /r: #UD on AMD
  if (mnemonic_is(f.zm, {ZYDIS_MNEMONIC_RCPPS, ZYDIS_MNEMONIC_RCPSS, ZYDIS_MNEMONIC_RSQRTPS, ZYDIS_MNEMONIC_RSQRTSS}))
    return true;  // approximations: the vendor's table decides the bits
  return false;
}
bool is_iret(ZydisMnemonic m) { return mnemonic_is(m, {ZYDIS_MNEMONIC_IRET, ZYDIS_MNEMONIC_IRETD, ZYDIS_MNEMONIC_IRETQ}); }

// The lanes an SSE instruction reads: from its name, which says the source format
// (CVTDQ2PS: doublewords; CVTPD2DQ: doubles; ADDSS: singles).
LaneKind lane_kind_of(ZydisMnemonic m) {
  const std::string_view name = ZydisMnemonicGetString(m);
  if (name.starts_with("cvtsi2")) return LaneKind::None;  // an integer source; the destination keeps bits
  if (name.starts_with("cvtdq2")) return LaneKind::Int32;
  for (std::string_view p : {"cvtps2", "cvtss2", "cvttps2", "cvttss2"}) if (name.starts_with(p)) return LaneKind::Single;
  for (std::string_view p : {"cvtpd2", "cvtsd2", "cvttpd2", "cvttsd2"}) if (name.starts_with(p)) return LaneKind::Double;
  if (name.ends_with("ps") || name.ends_with("ss")) return LaneKind::Single;
  if (name.ends_with("pd") || name.ends_with("sd")) return LaneKind::Double;
  return LaneKind::None;
}

std::vector<ZydisEncoderOperand> probe_operands(bool third) {
  std::vector<ZydisEncoderOperand> c;
  for (unsigned bits : {8u, 16u, 32u, 64u}) {
    c.push_back(reg_operand(gpr(bits, RBX)));
    if (!third) c.push_back(reg_operand(gpr(bits, RAX)));
  }
  c.push_back(reg_operand(ZYDIS_REGISTER_CL));
  c.push_back(reg_operand(ZYDIS_REGISTER_XMM1));
  if (!third) c.push_back(reg_operand(ZYDIS_REGISTER_XMM0));
  if (third) {
    for (uint16_t size : {4, 8}) c.push_back(mem_operand(ZYDIS_REGISTER_RBX, size));
    for (uint16_t size : {4, 8}) c.push_back(mem_operand(ZYDIS_REGISTER_EBX, size));
    return c;
  }
  c.push_back(reg_operand(ZYDIS_REGISTER_DX));
  for (uint16_t size : {1, 2, 4, 8, 16, 6, 10, 0, 64}) c.push_back(mem_operand(ZYDIS_REGISTER_RBX, size));
  for (uint16_t size : {1, 2, 4, 8, 16}) c.push_back(mem_operand(ZYDIS_REGISTER_EBX, size));
  for (uint64_t v : {1ull, 0x7full, 0x7fffull, 0x7fffffffull, 0x7fffffffffull}) c.push_back(imm_operand(v));
  return c;
}

struct FormBuilder {
  std::vector<Form> forms;
  std::unordered_set<std::string> seen;

  // Returns true if the request encodes (whether or not the form is new).
  bool offer(const ZydisEncoderRequest& request) {
    std::vector<uint8_t> bytes;
    if (!encode(request, bytes)) return false;
    zy::Decoded d;
    if (!zy::decode(bytes.data(), bytes.size(), d)) return false;
    const ZydisDecodedInstruction& zi = d.insn;
    if (zi.mnemonic != request.mnemonic || zi.operand_count_visible != request.operand_count) return true;
    InsnFacts facts = describe(bytes.data(), bytes.size());
    if (!facts.implemented || facts.vector_encoding || facts.segment_register_operand || facts.uses_fs_gs)
      return true;
    std::string key = zy::form_key(d);
    if (!seen.insert(key).second) return true;
    Form f;
    f.key = key;
    f.zm = zi.mnemonic;
    f.m = facts.mnemonic;
    f.proto = request;
    f.far = facts.far_branch;
    f.opsize = zi.operand_width;
    f.rep = zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE);
    int imm_index = 0;
    for (int i = 0; i < zi.operand_count_visible; ++i) {
      const ZydisDecodedOperand& op = d.ops[i];
      Slot s;
      s.bits = op.size;
      switch (op.type) {
        case ZYDIS_OPERAND_TYPE_REGISTER:
          if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE) {
            s.kind = SlotKind::FixedReg;
            s.fixed = op.reg.value;
            if (int id = reg_id(op.reg.value); id >= 0) f.fixed_regs |= 1u << id;
          } else {
            s.kind = SlotKind::Reg;
          }
          s.xmm = ZydisRegisterGetClass(op.reg.value) == ZYDIS_REGCLASS_XMM;
          f.sse |= s.xmm;
          break;
        case ZYDIS_OPERAND_TYPE_MEMORY:
          s.kind = SlotKind::Mem;
          s.mem_size = request.operands[i].mem.size;
          s.agen = op.mem.type == ZYDIS_MEMOP_TYPE_AGEN;
          f.a32 = zi.address_width == 32;
          break;
        case ZYDIS_OPERAND_TYPE_IMMEDIATE: {
          const uint8_t raw = imm_index < 2 ? zi.raw.imm[imm_index].size : 0;
          ++imm_index;
          s.imm_bits = raw;
          s.imm_signed = op.imm.is_signed;
          if (op.imm.is_relative) s.kind = SlotKind::Rel;
          else if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE || raw == 0) s.kind = SlotKind::FixedImm, s.fixed_imm = op.imm.value.u;
          else s.kind = SlotKind::Imm;
          break;
        }
        default:
          return true;  // far pointers: not in 64-bit mode
      }
      f.slots.push_back(s);
    }
    for (int i = zi.operand_count_visible; i < zi.operand_count; ++i) {
      const ZydisDecodedOperand& op = d.ops[i];
      if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
        if (int id = reg_id(op.reg.value); id >= 0) f.implicit_regs |= 1u << id;
      } else if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
        if (int id = reg_id(op.mem.base); id >= 0) f.implicit_regs |= 1u << id;
        if (int id = reg_id(op.mem.index); id >= 0) f.implicit_regs |= 1u << id;
      }
    }
    if (f.sse) f.lanes = lane_kind_of(f.zm);
    forms.push_back(std::move(f));
    return true;
  }

  void offer_with_prefixes(ZydisEncoderRequest request) {
    if (!offer(request)) return;
    for (ZydisInstructionAttributes prefix : {ZYDIS_ATTRIB_HAS_LOCK, ZYDIS_ATTRIB_HAS_REP, ZYDIS_ATTRIB_HAS_REPE,
                                              ZYDIS_ATTRIB_HAS_REPNE}) {
      ZydisEncoderRequest r = request;
      r.prefixes = prefix;
      offer(r);
    }
  }
};

std::vector<Form> build_forms() {
  FormBuilder b;
  const auto all = probe_operands(false);
  const auto third = probe_operands(true);
  for (int z = 1; z <= ZYDIS_MNEMONIC_MAX_VALUE; ++z) {
    const auto zm = static_cast<ZydisMnemonic>(z);
    if (zy::to_orcvm(zm) == Mnemonic::Other) continue;  // offer() checks each encoding
    std::vector<ZydisBranchType> branch_types = {ZYDIS_BRANCH_TYPE_NONE};
    if (mnemonic_is(zm, {ZYDIS_MNEMONIC_JMP, ZYDIS_MNEMONIC_CALL, ZYDIS_MNEMONIC_RET})) branch_types.push_back(ZYDIS_BRANCH_TYPE_FAR);
    for (ZydisBranchType bt : branch_types) {
      ZydisEncoderRequest r = new_request(zm);
      r.branch_type = bt;
      // No explicit operands, or one: string instructions, LOOP, XLAT also come with
      // 32-bit addressing.
      for (ZydisAddressSizeHint hint : {ZYDIS_ADDRESS_SIZE_HINT_NONE, ZYDIS_ADDRESS_SIZE_HINT_32}) {
        r.address_size_hint = hint;
        r.operand_count = 0;
        b.offer_with_prefixes(r);
        r.operand_count = 1;
        for (const auto& a : all) {
          r.operands[0] = a;
          b.offer_with_prefixes(r);
        }
      }
      r.address_size_hint = ZYDIS_ADDRESS_SIZE_HINT_NONE;
      r.operand_count = 2;
      for (const auto& a : all)
        for (const auto& c : all) {
          r.operands[0] = a;
          r.operands[1] = c;
          b.offer_with_prefixes(r);
          if (zm == ZYDIS_MNEMONIC_MASKMOVDQU) {  // its DS:rDI follows the address size
            ZydisEncoderRequest a32 = r;
            a32.address_size_hint = ZYDIS_ADDRESS_SIZE_HINT_32;
            b.offer(a32);
          }
        }
      r.operand_count = 3;
      for (const auto& a : all) {
        if (a.type != ZYDIS_OPERAND_TYPE_REGISTER && a.type != ZYDIS_OPERAND_TYPE_MEMORY) continue;
        for (const auto& c : all)
          for (const auto& e : third) {
            r.operands[0] = a;
            r.operands[1] = c;
            r.operands[2] = e;
            b.offer(r);
          }
        // IMUL r, r/m, imm and the like
        for (const auto& c : all)
          for (uint64_t v : {0x7full, 0x7fffull, 0x7fffffffull}) {
            r.operands[0] = a;
            r.operands[1] = c;
            r.operands[2] = imm_operand(v);
            b.offer(r);
          }
      }
    }
  }
  std::sort(b.forms.begin(), b.forms.end(), [](const Form& x, const Form& y) { return x.key < y.key; });
  return b.forms;
}

const std::vector<Form>& forms_table() {
  static const std::vector<Form> forms = build_forms();
  return forms;
}

// ---------------------------------------------------------------------------------
// Values.

uint64_t edge_value(Rng& rng, unsigned bits) {
  const uint64_t m = width_mask(bits);
  const uint64_t sign = 1ull << (bits - 1);
  switch (rng.below(14)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return m;                  // -1
    case 3: return sign - 1;           // max signed
    case 4: return sign;               // min signed
    case 5: return sign + 1;
    case 6: return m - 1;
    case 7: return 1ull << rng.below(bits);
    case 8: return rng.below(300) & m;
    case 9: return (0x5555555555555555ull ^ (rng.chance(0.5) ? ~0ull : 0)) & m;
    case 10: return (sign - 1 - rng.below(4)) & m;
    default: return rng.next() & m;
  }
}

// A register's value: an edge value in its low part at some width, with the rest random,
// zero or all ones (so merging and zero-extension show).
uint64_t register_value(Rng& rng) {
  const unsigned width = rng.pick_of({8u, 16u, 32u, 64u, 64u});
  uint64_t low = edge_value(rng, width);
  if (width == 64) return low;
  uint64_t upper;
  switch (rng.below(4)) {
    case 0: upper = 0; break;
    case 1: upper = ~0ull; break;
    default: upper = rng.next(); break;
  }
  return (upper & ~width_mask(width)) | low;
}

uint64_t random_flags(Rng& rng) {
  uint64_t f = 0x202 | (rng.next() & kStatusFlags);
  if (rng.chance(0.15)) f |= kDF;
  if (rng.chance(0.04)) f |= kAC;
  return f;
}

// A binary32 or binary64 lane: the special encodings (zeros, denormals, infinities,
// QNaNs and SNaNs with payloads), the edges of the range (overflow, underflow), values
// near 1 where sums round halfway, values near the integer conversions' limits, and
// ordinary numbers with random fractions.
uint64_t float_value(Rng& rng, unsigned exponent_bits, unsigned fraction_bits) {
  const uint64_t sign = rng.chance(0.5) ? 1ull << (exponent_bits + fraction_bits) : 0;
  const uint64_t max_exponent = (1ull << exponent_bits) - 1, bias = max_exponent >> 1;
  const uint64_t fraction_mask = (1ull << fraction_bits) - 1, quiet = 1ull << (fraction_bits - 1);
  auto make = [&](uint64_t exponent, uint64_t fraction) { return sign | exponent << fraction_bits | (fraction & fraction_mask); };
  auto some_fraction = [&] { return rng.chance(0.5) ? 0 : rng.chance(0.5) ? 1ull << rng.below(fraction_bits) : rng.next(); };
  switch (rng.below(16)) {
    case 0: return make(0, 0);
    case 1: return make(0, rng.chance(0.3) ? 1 : rng.next() | 1);
    case 2: return make(max_exponent, 0);
    case 3: return make(max_exponent, quiet | (rng.chance(0.5) ? 0 : rng.next()));
    case 4: return make(max_exponent, (rng.next() & (quiet - 1)) | 1);
    case 5: return make(1 + rng.below(2), some_fraction());
    case 6: return make(max_exponent - 1 - rng.below(2), rng.chance(0.5) ? fraction_mask : rng.next());
    case 7: return make(bias + rng.below(2), some_fraction());
    case 8: return make(bias - fraction_bits - 1 + rng.below(3), some_fraction());
    case 9: return make(bias + rng.pick_of({30ull, 31ull, 32ull, 62ull, 63ull, 64ull}), some_fraction());
    default: return make(bias - 8 + rng.below(16), rng.next());
  }
}

// An XMM register's value, lanes of `kind` (random bits for none, and now and then).
void xmm_value(Rng& rng, LaneKind kind, uint64_t (&x)[2]) {
  for (uint64_t& half : x) {
    switch (rng.chance(0.05) ? LaneKind::None : kind) {
      case LaneKind::Single: half = float_value(rng, 8, 23) | float_value(rng, 8, 23) << 32; break;
      case LaneKind::Double: half = float_value(rng, 11, 52); break;
      case LaneKind::Int32: half = edge_value(rng, 32) | edge_value(rng, 32) << 32; break;
      case LaneKind::None: half = rng.next(); break;
    }
  }
}

// MXCSR: often the power-on value; else any rounding mode, DAZ and FTZ, unmasked
// exceptions (#XM) and flags already set.
uint32_t mxcsr_value(Rng& rng) {
  if (rng.chance(0.4)) return kDefaultMxcsr;
  uint32_t m = static_cast<uint32_t>(rng.below(4)) << 13;
  if (rng.chance(0.25)) m |= 0x40;    // DAZ
  if (rng.chance(0.25)) m |= 0x8000;  // FTZ
  uint32_t masks = 0x1f80;
  if (rng.chance(0.4))
    for (unsigned bit = 7; bit <= 12; ++bit)
      if (rng.chance(0.35)) masks &= ~(1u << bit);
  m |= masks;
  if (rng.chance(0.3)) m |= static_cast<uint32_t>(rng.below(64));
  return m;
}

uint64_t shift_count_value(Rng& rng, unsigned width) {
  const uint64_t choices[] = {0, 1, 2, width - 1u, width, width + 1u, 31, 32, 33, 63, 64, 65, 127, 128, 255};
  return rng.chance(0.8) ? rng.pick(choices) : rng.below(256);
}

// An address for an access of `size` bytes: mostly inside the window (aligned most of
// the time), sometimes crossing its ends (#PF), sometimes misaligned (#AC when AC=1).
uint64_t choose_address(Rng& rng, unsigned size, unsigned align) {
  if (size == 0) size = 1;
  const uint64_t r = rng.below(1000);
  if (r < 12) return kWindowEnd - (size > 1 ? rng.between(1, size - 1) : 0);
  if (r < 20) return kDataAddress - rng.between(1, size);
  uint64_t a = kDataAddress + rng.between(0x100, kDataSize - 0x1100);
  if (align > 1 && rng.chance(0.85)) a &= ~static_cast<uint64_t>(align - 1);
  return a;
}

// A window address with `room` bytes after it (and before it, for DF=1).
uint64_t window_pointer(Rng& rng, uint64_t room = 0x100) {
  return kDataAddress + room + rng.below(kDataSize - 2 * room - 0x1000);
}

constexpr uint16_t kvm_user_ds = 0x2b;

uint16_t selector_value(Rng& rng) {
  switch (rng.below(20)) {
    case 0: case 1: return 0;
    case 2: case 3: return 0x2b;
    case 4: return 0x10;
    case 5: return 3;
    case 6: case 7: return static_cast<uint16_t>(rng.between(0x100, 0xffff));
    default: return 0x33;  // the 64-bit user code segment: the transfer happens
  }
}

// The input state being built for one case.
struct State {
  MachineState in;
  std::vector<uint8_t> window = std::vector<uint8_t>(kDataSize, 0);

  void write(uint64_t address, uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) {
      const uint64_t a = address + i;
      if (a >= kDataAddress && a < kWindowEnd) window[a - kDataAddress] = static_cast<uint8_t>(value >> (8 * i));
    }
  }
  uint64_t read(uint64_t address, unsigned bytes) const {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) {
      const uint64_t a = address + i;
      if (a >= kDataAddress && a < kWindowEnd) v |= static_cast<uint64_t>(window[a - kDataAddress]) << (8 * i);
    }
    return v;
  }
  void fill(Rng& rng, uint64_t address, uint64_t bytes) {
    for (uint64_t i = 0; i < bytes; ++i) write(address + i, rng.chance(0.1) ? 0 : rng.next(), 1);
  }
  void set_reg(ZydisRegister r, uint64_t value) {
    const int id = reg_id(r);
    if (id < 0) return;
    uint64_t& g = in.gpr[id];
    if (is_high8(r)) {
      g = (g & ~0xff00ull) | ((value & 0xff) << 8);
      return;
    }
    const unsigned bits = reg_bits(r);
    g = (g & ~width_mask(bits)) | (value & width_mask(bits));
  }
  uint64_t get_reg(ZydisRegister r) const {
    const int id = reg_id(r);
    if (id < 0) return 0;
    if (is_high8(r)) return (in.gpr[id] >> 8) & 0xff;
    return in.gpr[id] & width_mask(reg_bits(r));
  }
  TestCase finish(std::string name, const std::vector<uint8_t>& code) {
    TestCase t;
    t.name = std::move(name);
    t.code = code;
    t.input = in;
    t.input.rip = kCodeAddress;
    t.input.memory = window_chunks(window);
    return t;
  }
};

// An operand as instantiated: where its value lives.
struct Binding {
  Slot slot;
  ZydisRegister reg = ZYDIS_REGISTER_NONE;  // Reg, FixedReg
  int base = -1, index = -1;                // Mem: GPR ids (-1 none)
  uint8_t scale = 1;
  int64_t disp = 0;
  bool riprel = false;
  uint64_t fixed_address = 0;  // Mem: RIP-relative, or with base/index fixed (sequences)
  uint64_t imm = 0;
};

struct Instance {
  const Form* form = nullptr;
  std::vector<Binding> ops;
  CaseInsn insn;
  std::string key;
  unsigned opsize = 0;
  int mem_slot = -1;
};

// What a sequence reserves: two registers that only address memory (never written),
// and RSP.
struct Reserved {
  bool active = false;
  int p = -1, q = -1;
  uint64_t pval = 0, qval = 0;
};

uint32_t forbidden_mask(const Reserved& r) {
  uint32_t m = 1u << RSP;
  if (r.active) m |= (1u << r.p) | (1u << r.q);
  return m;
}

uint64_t choose_imm(Rng& rng, const Form& f, const Slot& s, int slot_index) {
  const unsigned w = f.opsize ? f.opsize : 64;
  const uint64_t m = width_mask(s.imm_bits);
  if (is_shift(f.zm)) return shift_count_value(rng, w) & m;
  if (is_bit_test(f.zm)) return rng.chance(0.7) ? rng.pick_of({0ull, 1ull, w - 1ull, uint64_t{w}, w + 1ull, 255ull}) : rng.below(256);
  switch (f.zm) {
    case ZYDIS_MNEMONIC_ENTER:
      if (slot_index == 0) return rng.pick_of({0ull, 8ull, 0x10ull, 0x18ull}) + (rng.chance(0.3) ? rng.below(0x400) : 0);
      return rng.chance(0.9) ? rng.pick_of({0ull, 1ull, 2ull, 3ull}) : rng.below(rng.chance(0.5) ? 32 : 256);
    case ZYDIS_MNEMONIC_RET:
      return rng.chance(0.7) ? rng.pick_of({0ull, 8ull, 16ull}) : rng.below(0x100);
    case ZYDIS_MNEMONIC_INT: {
      uint64_t v;
      do v = rng.chance(0.2) ? 3 : rng.below(256);
      while (host_kernel_claims_vector(v));
      return v;
    }
    case ZYDIS_MNEMONIC_RORX:
      return rng.chance(0.6) ? rng.pick_of({0ull, 1ull, w - 1ull, uint64_t{w}, w + 1ull}) : rng.below(256);
    default:
      break;
  }
  if (s.imm_signed) {
    // Keep the encoding: values a shorter immediate could not hold.
    const unsigned bits = s.imm_bits;
    for (int attempt = 0; attempt < 8; ++attempt) {
      uint64_t v = edge_value(rng, bits);
      int64_t sv = bits >= 64 ? static_cast<int64_t>(v) : (static_cast<int64_t>(v << (64 - bits)) >> (64 - bits));
      const bool fits8 = sv >= -128 && sv <= 127, fits32 = sv >= INT32_MIN && sv <= INT32_MAX;
      if ((bits == 16 && fits8 && f.zm != ZYDIS_MNEMONIC_MOV) || (bits == 32 && fits8 && f.zm != ZYDIS_MNEMONIC_MOV) || (bits == 64 && fits32)) continue;
      return static_cast<uint64_t>(sv);
    }
    return bits == 64 ? 0x123456789abcdefull : bits == 32 ? 0x12345678 : 0x1234;
  }
  return edge_value(rng, s.imm_bits) & m;
}

std::optional<Instance> instantiate(const Form& f, Rng& rng, const Reserved& reserved) {
  const uint32_t forbidden = forbidden_mask(reserved);
  for (int attempt = 0; attempt < 12; ++attempt) {
    ZydisEncoderRequest r = f.proto;
    Instance inst;
    inst.form = &f;
    uint32_t used = f.fixed_regs | f.implicit_regs;
    auto pick_reg = [&](uint32_t avoid) -> int {
      std::vector<int> ok;
      for (int id = 0; id < 16; ++id)
        if (!(avoid & (1u << id))) ok.push_back(id);
      return ok.empty() ? -1 : rng.pick(ok);
    };
    // Memory first: its address registers are kept out of the other operands.
    for (size_t i = 0; i < f.slots.size(); ++i) {
      const Slot& s = f.slots[i];
      if (s.kind != SlotKind::Mem) continue;
      Binding b;
      b.slot = s;
      inst.mem_slot = static_cast<int>(i);
      const unsigned abits = f.a32 ? 32 : 64;
      ZydisEncoderOperand& op = r.operands[i];
      if (!f.a32 && rng.chance(reserved.active ? 0.15 : 0.08)) {
        b.riprel = true;
        b.fixed_address = choose_address(rng, s.mem_size, s.mem_size);
        if (b.fixed_address < kDataAddress || b.fixed_address + s.mem_size > kWindowEnd)
          b.fixed_address = kDataAddress + 0x800;
        op = mem_operand(ZYDIS_REGISTER_RIP, s.mem_size, ZYDIS_REGISTER_NONE, 0, 0x12345678);
      } else if (reserved.active) {
        b.base = reserved.p;
        const bool indexed = rng.chance(0.3);
        if (indexed) {
          b.index = reserved.q;
          b.scale = static_cast<uint8_t>(rng.pick_of({1, 2, 4, 8}));
        }
        const uint64_t ea = choose_address(rng, s.mem_size, s.mem_size);
        b.fixed_address = ea;
        b.disp = static_cast<int64_t>(ea - reserved.pval - (indexed ? reserved.qval * b.scale : 0));
        if (f.a32) b.disp = static_cast<int32_t>(static_cast<uint32_t>(b.disp));
        op = mem_operand(gpr(abits, b.base), s.mem_size, indexed ? gpr(abits, b.index) : ZYDIS_REGISTER_NONE, b.scale, b.disp);
      } else {
        uint32_t avoid = used | forbidden;
        if (rng.chance(0.08) && !(used & (1u << RSP))) avoid &= ~(1u << RSP);  // [rsp+...] now and then
        b.base = pick_reg(avoid);
        if (b.base < 0) continue;
        used |= 1u << b.base;
        if (rng.chance(0.3)) {
          b.index = pick_reg(used | forbidden | (1u << RSP));
          if (b.index >= 0) {
            used |= 1u << b.index;
            b.scale = static_cast<uint8_t>(rng.pick_of({1, 2, 4, 8}));
          }
        }
        switch (rng.below(3)) {
          case 0: b.disp = 0; break;
          case 1: b.disp = rng.between(-128, 127); break;
          default: b.disp = rng.between(-0x9000, 0x9000); break;
        }
        op = mem_operand(gpr(abits, b.base), s.mem_size, b.index >= 0 ? gpr(abits, b.index) : ZYDIS_REGISTER_NONE,
                         b.scale, b.disp);
      }
      inst.ops.resize(f.slots.size());
      inst.ops[i] = b;
    }
    inst.ops.resize(f.slots.size());
    for (size_t i = 0; i < f.slots.size(); ++i) {
      const Slot& s = f.slots[i];
      Binding& b = inst.ops[i];
      b.slot = s;
      switch (s.kind) {
        case SlotKind::Reg: {
          if (s.xmm) {
            // Now and then both operands name one register.
            b.reg = static_cast<ZydisRegister>(ZYDIS_REGISTER_XMM0 + rng.below(16));
            r.operands[i] = reg_operand(b.reg);
            break;
          }
          int id = pick_reg(used | forbidden);
          if (id < 0) id = pick_reg(forbidden);
          if (s.bits == 8 && id >= 0 && id < 4 && rng.chance(0.25)) b.reg = static_cast<ZydisRegister>(ZYDIS_REGISTER_AH + id);
          else b.reg = gpr(s.bits, id);
          if (rng.chance(0.7)) used |= 1u << id;  // now and then two operands share a register
          r.operands[i] = reg_operand(b.reg);
          break;
        }
        case SlotKind::FixedReg:
          b.reg = s.fixed;
          break;
        case SlotKind::Imm:
          b.imm = choose_imm(rng, f, s, static_cast<int>(i));
          r.operands[i] = imm_operand(b.imm);
          break;
        case SlotKind::FixedImm:
          b.imm = s.fixed_imm;
          break;
        case SlotKind::Rel:
          r.operands[i] = imm_operand(0);
          r.branch_width = s.imm_bits == 8 ? ZYDIS_BRANCH_WIDTH_8 : ZYDIS_BRANCH_WIDTH_32;
          break;
        case SlotKind::Mem:
          break;
      }
    }
    if (!encode(r, inst.insn.bytes)) continue;
    zy::Decoded d;
    if (!zy::decode(inst.insn.bytes.data(), inst.insn.bytes.size(), d)) continue;
    inst.key = zy::form_key(d);
    inst.opsize = d.insn.operand_width;
    for (size_t i = 0; i < f.slots.size(); ++i) {
      if (f.slots[i].kind == SlotKind::Rel) {
        inst.insn.rel_offset = d.insn.raw.imm[0].offset;
        inst.insn.rel_size = d.insn.raw.imm[0].size / 8;
      }
      if (f.slots[i].kind == SlotKind::Mem && inst.ops[i].riprel) {
        inst.insn.riprel_offset = d.insn.raw.disp.offset;
        inst.insn.riprel_address = inst.ops[i].fixed_address;
      }
    }
    return inst;
  }
  return std::nullopt;
}

// The effective address a memory binding has in a case: sets its base/index registers
// (single-instruction cases) or uses the fixed one (sequences, RIP-relative).
uint64_t place_memory(Rng& rng, State& st, const Instance& inst, const Binding& b, bool fixed) {
  if (b.riprel || fixed) return b.fixed_address;
  const Slot& s = b.slot;
  const unsigned align = std::max<unsigned>(1, std::min<unsigned>(s.mem_size, 16));
  uint64_t ea = choose_address(rng, s.mem_size, align);
  uint64_t index_value = 0;
  if (b.index >= 0) {
    const int64_t iv = rng.chance(0.6) ? rng.between(0, 16) : rng.chance(0.5) ? rng.between(-16, -1) : rng.between(0, 0x100);
    index_value = static_cast<uint64_t>(iv);
    st.in.gpr[b.index] = inst.form->a32 ? (rng.next() << 32) | (index_value & 0xffffffff) : index_value;
  }
  uint64_t base_value = ea - index_value * b.scale - static_cast<uint64_t>(b.disp);
  if (inst.form->a32) {
    ea &= 0xffffffff;
    base_value = (rng.next() << 32) | (base_value & 0xffffffff);
  }
  if (b.base >= 0) {
    if (b.base == b.index) base_value = ea;  // not chosen that way, but keep it sane
    st.in.gpr[b.base] = base_value;
  }
  return ea;
}

// Operand access for the fix-ups below.
struct Operands {
  State& st;
  const Instance& inst;
  std::vector<uint64_t> address;  // per slot: the memory operand's address

  unsigned bits(int i) const {
    const Binding& b = inst.ops[i];
    if (b.slot.kind == SlotKind::Reg || b.slot.kind == SlotKind::FixedReg) return is_high8(b.reg) ? 8 : reg_bits(b.reg);
    return b.slot.bits;
  }
  void set(int i, uint64_t v) {
    const Binding& b = inst.ops[i];
    if (b.slot.kind == SlotKind::Reg || b.slot.kind == SlotKind::FixedReg) st.set_reg(b.reg, v);
    else if (b.slot.kind == SlotKind::Mem) st.write(address[i], v, std::max(1u, bits(i) / 8u));
  }
  uint64_t get(int i) const {
    const Binding& b = inst.ops[i];
    if (b.slot.kind == SlotKind::Reg || b.slot.kind == SlotKind::FixedReg) return st.get_reg(b.reg);
    if (b.slot.kind == SlotKind::Mem) return st.read(address[i], std::max(1u, bits(i) / 8u));
    return b.imm;
  }
  bool is_mem(int i) const { return inst.ops[i].slot.kind == SlotKind::Mem; }
  bool is_reg(int i) const {
    return inst.ops[i].slot.kind == SlotKind::Reg || inst.ops[i].slot.kind == SlotKind::FixedReg;
  }
};

// A stack pointer inside the window, mostly aligned, sometimes at the window's ends.
uint64_t stack_pointer(Rng& rng) {
  switch (rng.below(20)) {
    case 0: return kDataAddress + 8 * rng.below(3);  // pushes fault below the window
    case 1: return kStackTop - 8 * rng.below(64) - rng.between(1, 7);  // misaligned
    case 2: case 3: case 4: case 5: case 6: case 7: return kStackTop;
    default: return kStackTop - 8 * rng.between(1, 256);
  }
}

// Sets the values that make an instruction interesting (or make it run at all): shift
// counts, divisors, string pointers, branch targets, stack contents. `end` is the
// address of the end of the code; `sequence`: the instruction is inside a sequence,
// where set-up instructions did part of this.
void fix_up(Rng& rng, State& st, Operands& ops, uint64_t end, bool sequence) {
  const Form& f = *ops.inst.form;
  const ZydisMnemonic zm = f.zm;
  const unsigned w = ops.inst.opsize ? ops.inst.opsize : 64;
  const int n = static_cast<int>(ops.inst.ops.size());
  auto code_target = [&]() -> uint64_t {
    switch (rng.below(16)) {
      case 0: return 0x8000000000000000ull | rng.below(0x1000);  // non-canonical: #GP
      case 1: return 0x40000;                                   // unmapped: #PF (fetch)
      case 2: return kDataAddress + 0x100;                      // no-execute: #PF
      default: return end;
    }
  };

  if (is_shift(zm) && n >= 2) {
    const int c = n - 1;
    if (ops.is_reg(c)) ops.set(c, shift_count_value(rng, w));
  }
  if (mnemonic_is(zm, {ZYDIS_MNEMONIC_SHLX, ZYDIS_MNEMONIC_SHRX, ZYDIS_MNEMONIC_SARX}) && n == 3 && ops.is_reg(2))
    ops.set(2, (rng.next() & ~0xffull) | shift_count_value(rng, w));
  if (zm == ZYDIS_MNEMONIC_BZHI && n == 3) ops.set(2, (rng.chance(0.5) ? rng.next() & ~0xffull : 0) | shift_count_value(rng, w));
  if (zm == ZYDIS_MNEMONIC_BEXTR && n == 3) {
    const uint64_t start = shift_count_value(rng, w), length = shift_count_value(rng, w);
    ops.set(2, (rng.chance(0.3) ? rng.next() & ~0xffffull : 0) | start | (length << 8));
  }
  if (is_bit_test(zm) && n == 2 && ops.is_mem(0) && ops.is_reg(1))
    ops.set(1, static_cast<uint64_t>(rng.chance(0.8) ? rng.between(-512, 511) : rng.between(-0x8000, 0x8000)));

  if ((zm == ZYDIS_MNEMONIC_DIV || zm == ZYDIS_MNEMONIC_IDIV) && n == 1) {
    const bool is_signed = zm == ZYDIS_MNEMONIC_IDIV;
    const unsigned bits = ops.bits(0);
    const uint64_t m = width_mask(bits);
    const uint64_t sign = 1ull << (bits - 1);
    uint64_t divisor = edge_value(rng, bits), low = edge_value(rng, bits), high;
    const uint64_t scenario = rng.below(10);
    if (scenario == 0) {
      divisor = 0;  // #DE
      high = rng.next() & m;
    } else if (scenario == 1 && is_signed) {
      low = sign, high = m, divisor = m;  // INT_MIN / -1: #DE
    } else if (scenario <= 3) {
      high = rng.next() & m;  // the quotient overflows, mostly: #DE
    } else {
      if (divisor == 0) divisor = 1 + rng.below(100);
      if (is_signed) high = (low & sign) ? m : 0;
      else high = divisor > 1 ? rng.below(divisor) : 0;
    }
    if (bits == 8) {
      st.in.gpr[RAX] = (st.in.gpr[RAX] & ~0xffffull) | (low & 0xff) | ((high & 0xff) << 8);
    } else {
      st.set_reg(gpr(bits, RAX), low);
      st.set_reg(gpr(bits, RDX), high);
    }
    ops.set(0, divisor);
  }
  if (zm == ZYDIS_MNEMONIC_CMPXCHG && n == 2 && rng.chance(0.5)) st.set_reg(gpr(ops.bits(0), RAX), ops.get(0));
  if ((zm == ZYDIS_MNEMONIC_CMPXCHG8B || zm == ZYDIS_MNEMONIC_CMPXCHG16B) && n == 1 && ops.is_mem(0) && rng.chance(0.5)) {
    const unsigned half = zm == ZYDIS_MNEMONIC_CMPXCHG8B ? 4 : 8;
    st.set_reg(gpr(half * 8, RAX), st.read(ops.address[0], half));
    st.set_reg(gpr(half * 8, RDX), st.read(ops.address[0] + half, half));
  }
  if (is_loop(zm) && !sequence) {
    const uint64_t choices[] = {0, 1, 2, 0x100000000ull, 0xffffffffull, 0x10000, 0x10001};
    st.in.gpr[RCX] = rng.chance(0.7) ? rng.pick(choices) : register_value(rng);
  }
  if (zm == ZYDIS_MNEMONIC_CPUID) {
    const uint64_t leaves[] = {0, 1, 7, 0xd, 0x80000000ull, 0x80000001ull, 0x80000008ull};
    st.in.gpr[RAX] = rng.chance(0.8) ? rng.pick(leaves) : rng.next() & 0xffffffff;
    st.in.gpr[RCX] = rng.below(3);
  }
  if (zm == ZYDIS_MNEMONIC_MASKMOVDQU && !sequence) {
    st.in.gpr[RDI] = rng.chance(0.1) ? kWindowEnd - rng.between(1, 15) : window_pointer(rng, 0x40);
    if (f.a32) st.in.gpr[RDI] |= rng.next() << 32;
  }
  if (is_string(zm) && !f.sse && !sequence) {
    const uint64_t room = 0x800;
    st.in.gpr[RSI] = window_pointer(rng, room);
    st.in.gpr[RDI] = window_pointer(rng, room);
    if (f.rep) st.in.gpr[RCX] = rng.chance(0.9) ? rng.below(17) : rng.chance(0.5) ? rng.below(0x20000) : register_value(rng);
    if (f.a32) {
      st.in.gpr[RSI] |= rng.next() << 32;
      st.in.gpr[RDI] |= rng.next() << 32;
    }
    st.fill(rng, st.in.gpr[RSI] - 0x40, 0x80);
    st.fill(rng, st.in.gpr[RDI] - 0x40, 0x80);
    if (rng.chance(0.3)) {  // equal strings for CMPS
      for (int i = 0; i < 0x40; ++i) st.write(st.in.gpr[RDI] + i, st.read(st.in.gpr[RSI] + i, 1), 1);
    }
  }
  if (zm == ZYDIS_MNEMONIC_XLAT && !sequence) {
    st.in.gpr[RBX] = window_pointer(rng, 0x100);
    if (f.a32) st.in.gpr[RBX] |= rng.next() << 32;
    st.fill(rng, st.in.gpr[RBX] & 0xffffffff, 0x100);
  }

  if (mnemonic_is(zm, {ZYDIS_MNEMONIC_LAR, ZYDIS_MNEMONIC_LSL, ZYDIS_MNEMONIC_VERR, ZYDIS_MNEMONIC_VERW}) && n >= 1 &&
      rng.chance(0.7)) {
    const int sel = n - 1;
    if (ops.is_reg(sel) || ops.is_mem(sel)) ops.set(sel, (rng.next() & ~0xffffull) | selector_value(rng));
  }
  if (zm == ZYDIS_MNEMONIC_LSS && n == 2 && ops.is_mem(1)) {
    const unsigned offset_bytes = ops.bits(1) / 8 - 2;
    st.write(ops.address[1] + offset_bytes, rng.chance(0.7) ? kvm_user_ds : selector_value(rng), 2);
  }

  // The stack, for everything that pushes or pops.
  const bool stacky = (f.implicit_regs & (1u << RSP)) != 0;
  if (stacky && !sequence) {
    st.in.gpr[RSP] = stack_pointer(rng);
    st.fill(rng, st.in.gpr[RSP] - 0x80, 0x100);
  }
  if ((zm == ZYDIS_MNEMONIC_LEAVE || zm == ZYDIS_MNEMONIC_ENTER) && !sequence) {
    st.in.gpr[RBP] = rng.chance(0.85) ? kStackTop - 8 * rng.between(1, 200) : register_value(rng);
    st.fill(rng, st.in.gpr[RBP] - 0x100, 0x110);
  }
  if (zm == ZYDIS_MNEMONIC_POPF || zm == ZYDIS_MNEMONIC_POPFD || zm == ZYDIS_MNEMONIC_POPFQ) {
    if (!sequence) st.write(st.in.gpr[RSP], rng.next() & ~kTF, w / 8);
  }
  if (is_iret(zm) && !sequence) {
    // A frame to return to CPL 3: RIP, CS, RFLAGS, RSP, SS, each of the operand size.
    const unsigned size = w / 8;
    const uint64_t sp = st.in.gpr[RSP];
    st.write(sp, code_target(), size);
    st.write(sp + size, selector_value(rng), size);
    st.write(sp + 2 * size, 0x202 | (rng.next() & (kStatusFlags | kDF | kAC)), size);
    st.write(sp + 3 * size, kStackTop - 8 * rng.below(64), size);
    st.write(sp + 4 * size, rng.chance(0.8) ? kvm_user_ds : selector_value(rng), size);
  }
  if (zm == ZYDIS_MNEMONIC_RET && !sequence) {
    const uint64_t sp = st.in.gpr[RSP];
    if (f.far) {
      const unsigned size = w / 8;
      st.write(sp, code_target(), size);
      st.write(sp + size, selector_value(rng), size);
    } else {
      st.write(sp, code_target(), 8);
    }
  }
  if ((zm == ZYDIS_MNEMONIC_JMP || zm == ZYDIS_MNEMONIC_CALL) && n == 1 && !sequence) {
    if (f.far && ops.is_mem(0)) {
      const unsigned offset_bytes = ops.bits(0) / 8 - 2;
      st.write(ops.address[0], code_target(), offset_bytes);
      st.write(ops.address[0] + offset_bytes, selector_value(rng), 2);
    } else if (ops.is_reg(0) || ops.is_mem(0)) {
      ops.set(0, code_target());
    }
  }
}

// MXCSR, and values of the form's lanes in its XMM operands and in its memory operand.
void fill_sse_operands(Rng& rng, State& st, Operands& ops) {
  const Form& f = *ops.inst.form;
  st.in.mxcsr = mxcsr_value(rng);
  for (size_t i = 0; i < ops.inst.ops.size(); ++i) {
    const Binding& b = ops.inst.ops[i];
    if (b.slot.kind == SlotKind::Reg && b.slot.xmm) {
      xmm_value(rng, f.lanes, st.in.xmm[b.reg - ZYDIS_REGISTER_XMM0]);
    } else if (b.slot.kind == SlotKind::Mem && !b.slot.agen) {
      if (f.lanes == LaneKind::None) {
        ops.set(static_cast<int>(i), edge_value(rng, std::min<unsigned>(64, b.slot.bits)));
        continue;
      }
      uint64_t lanes[2];
      xmm_value(rng, f.lanes, lanes);
      for (unsigned k = 0; k < b.slot.mem_size && k < 16; k += 8)
        st.write(ops.address[i] + k, lanes[k / 8], std::min(8u, b.slot.mem_size - k));
    }
  }
}

// Builds one case of a single-instruction family from its instance.
GeneratedCase make_single_case(Rng& rng, const Instance& inst, const std::vector<CaseInsn>& insns,
                               const std::vector<uint8_t>& code, CaseKind kind, std::string name, uint64_t family) {
  State st;
  for (int i = 0; i < 16; ++i) st.in.gpr[i] = register_value(rng);
  st.in.gpr[RSP] = rng.chance(0.7) ? kStackTop : stack_pointer(rng);
  st.in.rflags = random_flags(rng);
  Operands ops{st, inst, std::vector<uint64_t>(inst.ops.size(), 0)};
  for (size_t i = 0; i < inst.ops.size(); ++i) {
    const Binding& b = inst.ops[i];
    if (b.slot.kind != SlotKind::Mem) continue;
    ops.address[i] = place_memory(rng, st, inst, b, false);
    if (!b.slot.agen) st.fill(rng, ops.address[i] - 8, b.slot.mem_size + 16);
  }
  for (size_t i = 0; i < inst.ops.size(); ++i)
    if (inst.ops[i].slot.kind == SlotKind::Reg && rng.chance(0.5)) ops.set(static_cast<int>(i), edge_value(rng, ops.bits(static_cast<int>(i))));
  if (inst.form->sse) fill_sse_operands(rng, st, ops);
  fix_up(rng, st, ops, kCodeAddress + code.size(), false);
  GeneratedCase c;
  c.kind = kind;
  c.insns = insns;
  c.form = inst.key;
  c.family = family;
  c.test = st.finish(std::move(name), code);
  return c;
}

// The code of a single-instruction case: the instruction, and for a relative branch a
// UD2 after it that the branch skips when taken (so taken and not taken differ).
std::vector<CaseInsn> single_code(const CaseInsn& insn) {
  std::vector<CaseInsn> insns{insn};
  if (insn.rel_offset >= 0) {
    insns[0].target = 2;
    insns.push_back(raw_insn({kUd2[0], kUd2[1]}));
  }
  return insns;
}

// Set-up instructions for sequences.
CaseInsn mov_imm32(int id, uint64_t value, unsigned bits = 64) {
  ZydisEncoderRequest r = new_request(ZYDIS_MNEMONIC_MOV);
  r.operand_count = 2;
  r.operands[0] = reg_operand(gpr(bits, id));
  r.operands[1] = imm_operand(value);
  CaseInsn in;
  encode(r, in.bytes);
  return in;
}
// mov r64, imm32 (sign-extended) holding the address of logical instruction `label`.
CaseInsn mov_label(int id, int label) {
  CaseInsn in;
  in.bytes = {static_cast<uint8_t>(0x48 | (id >= 8 ? 1 : 0)), 0xc7, static_cast<uint8_t>(0xc0 | (id & 7)), 0, 0, 0, 0};
  in.abs_offset = 3;
  in.abs_label = label;
  return in;
}
CaseInsn push_label(int label) {
  CaseInsn in;
  in.bytes = {0x68, 0, 0, 0, 0};
  in.abs_offset = 1;
  in.abs_label = label;
  return in;
}
// mov <size> [memory operand of `like`], imm (a label when label >= 0).
std::optional<CaseInsn> store_imm(const ZydisEncoderOperand& like, uint16_t size, int64_t offset, uint64_t value, int label) {
  ZydisEncoderRequest r = new_request(ZYDIS_MNEMONIC_MOV);
  r.operand_count = 2;
  r.operands[0] = like;
  r.operands[0].mem.size = size;
  r.operands[0].mem.displacement += offset;
  r.operands[1] = imm_operand(label >= 0 ? 0x7fffffff : value);
  CaseInsn in;
  if (!encode(r, in.bytes)) return std::nullopt;
  if (label >= 0) {
    zy::Decoded d;
    zy::decode(in.bytes.data(), in.bytes.size(), d);
    if (d.insn.raw.imm[0].size != 32) return std::nullopt;
    in.abs_offset = d.insn.raw.imm[0].offset;
    in.abs_label = label;
  }
  return in;
}

}  // namespace

// ---------------------------------------------------------------------------------

struct Generator::Impl {
  GeneratorOptions options;
  std::vector<const Form*> selected;
  std::vector<const Form*> in_sequences;
  std::vector<OperandForm> selected_public;
  std::vector<ZydisMnemonic> allowed_zydis;  // empty: all
  std::vector<size_t> permutation;
  uint64_t permutation_block = ~0ull, permutation_seed = 0;

  bool allowed(ZydisMnemonic zm) const {
    return allowed_zydis.empty() || std::find(allowed_zydis.begin(), allowed_zydis.end(), zm) != allowed_zydis.end();
  }
};

Generator::Generator(GeneratorOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.variants == 0) impl_->options.variants = 1;
  for (const std::string& name : impl_->options.mnemonics) {
    for (int z = 1; z <= ZYDIS_MNEMONIC_MAX_VALUE; ++z) {
      const char* s = ZydisMnemonicGetString(static_cast<ZydisMnemonic>(z));
      if (s && s == [&] {
            std::string l = name;
            for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return l;
          }())
        impl_->allowed_zydis.push_back(static_cast<ZydisMnemonic>(z));
    }
  }
  for (const Form& f : forms_table()) {
    if (!impl_->allowed(f.zm) || host_unsafe(f.zm)) continue;
    impl_->selected.push_back(&f);
    impl_->selected_public.push_back({f.key, std::string(mnemonic_name(f.m))});
    if (!model_dependent(f.zm) && !vendor_dependent(f)) impl_->in_sequences.push_back(&f);
  }
}

Generator::~Generator() = default;

const std::vector<OperandForm>& Generator::all_forms() {
  static const std::vector<OperandForm> forms = [] {
    std::vector<OperandForm> out;
    for (const Form& f : forms_table()) out.push_back({f.key, std::string(mnemonic_name(f.m))});
    return out;
  }();
  return forms;
}

const std::vector<OperandForm>& Generator::selected_forms() const { return impl_->selected_public; }

std::vector<GeneratedCase> Generator::single(uint64_t seed, uint64_t index) {
  std::vector<GeneratedCase> out;
  if (impl_->selected.empty()) return out;
  Rng rng = Rng::for_case(seed, 1, index);
  // Every form gets its turn: each run of (number of forms) consecutive families walks
  // the forms in its own shuffled order.
  const size_t size = impl_->selected.size();
  const uint64_t block = index / size;
  if (impl_->permutation_block != block || impl_->permutation_seed != seed || impl_->permutation.size() != size) {
    impl_->permutation.resize(size);
    for (size_t i = 0; i < size; ++i) impl_->permutation[i] = i;
    Rng shuffle = Rng::for_case(seed, 9, block);
    for (size_t i = size - 1; i > 0; --i) std::swap(impl_->permutation[i], impl_->permutation[shuffle.below(i + 1)]);
    impl_->permutation_block = block;
    impl_->permutation_seed = seed;
  }
  const Form& f = *impl_->selected[impl_->permutation[index % size]];
  std::optional<Instance> inst = instantiate(f, rng, Reserved{});
  if (!inst) return out;
  std::vector<CaseInsn> insns = single_code(inst->insn);
  std::vector<uint8_t> code;
  if (!layout(insns, code)) return out;
  for (unsigned v = 0; v < impl_->options.variants; ++v) {
    std::string name = "s" + std::to_string(index) + "_" + std::to_string(v);
    out.push_back(make_single_case(rng, *inst, insns, code, CaseKind::Single, std::move(name), index));
  }
  return out;
}

std::vector<GeneratedCase> Generator::bytes(uint64_t seed, uint64_t index) {
  std::vector<GeneratedCase> out;
  Rng rng = Rng::for_case(seed, 2, index);
  for (int attempt = 0; attempt < 2000; ++attempt) {
    std::vector<uint8_t> bytes;
    if (rng.chance(0.3)) {
      const uint8_t legacy[] = {0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26};
      for (int k = rng.between(1, 2); k > 0; --k) bytes.push_back(rng.pick(legacy));
    }
    if (rng.chance(0.4)) bytes.push_back(static_cast<uint8_t>(0x40 | rng.below(16)));
    const uint64_t map = rng.below(100);
    if (map < 60) {
      bytes.push_back(static_cast<uint8_t>(rng.next()));
    } else if (map < 90) {
      bytes.push_back(0x0f);
      bytes.push_back(static_cast<uint8_t>(rng.next()));
    } else if (map < 95) {
      bytes.insert(bytes.end(), {0x0f, 0x38, static_cast<uint8_t>(rng.next())});
    } else if (map < 97) {
      bytes.insert(bytes.end(), {0x0f, 0x3a, static_cast<uint8_t>(rng.next())});
    } else {
      bytes.push_back(0xc4);
      bytes.push_back(static_cast<uint8_t>(0xe2 | (rng.next() & 0x1c) | (rng.chance(0.2) ? 1 : 0)));
      bytes.push_back(static_cast<uint8_t>(rng.next()));
      bytes.push_back(static_cast<uint8_t>(rng.next()));
    }
    for (int k = 0; k < 10; ++k) bytes.push_back(static_cast<uint8_t>(rng.next()));
    zy::Decoded d;
    if (!zy::decode(bytes.data(), bytes.size(), d)) continue;
    const ZydisDecodedInstruction& zi = d.insn;
    bytes.resize(zi.length);
    InsnFacts facts = describe(bytes.data(), bytes.size());
    if (!facts.implemented || !impl_->allowed(zi.mnemonic)) continue;
    if (facts.uses_fs_gs || facts.segment_register_operand || facts.far_branch || facts.vector_encoding ||
        facts.non_gpr_register_operand || facts.ignored_rep_prefix)
      continue;
    if (zi.mnemonic == ZYDIS_MNEMONIC_INT && host_kernel_claims_vector(d.ops[0].imm.value.u)) continue;
    if (host_unsafe(zi.mnemonic) || is_iret(zi.mnemonic)) continue;
    if (impl_->allowed_zydis.empty() && model_dependent(zi.mnemonic) && rng.chance(0.9)) continue;
    CaseInsn insn;
    insn.bytes = bytes;
    if (facts.relative_branch) {
      insn.rel_offset = zi.raw.imm[0].offset;
      insn.rel_size = zi.raw.imm[0].size / 8;
    }
    for (int i = 0; i < zi.operand_count_visible; ++i)
      if (d.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && d.ops[i].mem.base == ZYDIS_REGISTER_RIP) {
        insn.riprel_offset = zi.raw.disp.offset;
        insn.riprel_address = kDataAddress + 0x100 + rng.below(kDataSize - 0x1200);
      }
    std::vector<CaseInsn> insns = single_code(insn);
    std::vector<uint8_t> code;
    if (!layout(insns, code)) continue;
    const std::string form = zy::form_key(d);
    std::vector<int> xmm_operands;
    for (int i = 0; i < zi.operand_count_visible; ++i)
      if (d.ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(d.ops[i].reg.value) == ZYDIS_REGCLASS_XMM)
        xmm_operands.push_back(d.ops[i].reg.value - ZYDIS_REGISTER_XMM0);
    for (unsigned v = 0; v < impl_->options.variants; ++v) {
      State st;
      for (int i = 0; i < 16; ++i) {
        st.in.gpr[i] = rng.chance(0.5) ? window_pointer(rng, 0x100) & ~(rng.chance(0.8) ? 7ull : 0ull) : register_value(rng);
        if (st.in.gpr[i] >= kDataAddress && st.in.gpr[i] < kWindowEnd) st.fill(rng, st.in.gpr[i] - 0x20, 0x40);
      }
      st.in.gpr[RSP] = rng.chance(0.7) ? kStackTop - 8 * rng.below(32) : stack_pointer(rng);
      st.fill(rng, st.in.gpr[RSP] - 0x40, 0x80);
      if (insn.riprel_offset >= 0) st.fill(rng, insn.riprel_address - 8, 0x20);
      st.in.rflags = random_flags(rng);
      if (!xmm_operands.empty()) st.in.mxcsr = mxcsr_value(rng);
      for (int x : xmm_operands) xmm_value(rng, lane_kind_of(zi.mnemonic), st.in.xmm[x]);
      // A POPF must not pop TF: the host would single-step into its own handler.
      if (zi.mnemonic == ZYDIS_MNEMONIC_POPF || zi.mnemonic == ZYDIS_MNEMONIC_POPFD || zi.mnemonic == ZYDIS_MNEMONIC_POPFQ)
        st.write(st.in.gpr[RSP] + 1, st.read(st.in.gpr[RSP] + 1, 1) & ~1ull, 1);
      if (zi.mnemonic == ZYDIS_MNEMONIC_RET) st.write(st.in.gpr[RSP], kCodeAddress + code.size(), 8);
      GeneratedCase c;
      c.kind = CaseKind::Bytes;
      c.insns = insns;
      c.form = form;
      c.family = index;
      c.test = st.finish("b" + std::to_string(index) + "_" + std::to_string(v), code);
      out.push_back(std::move(c));
    }
    return out;
  }
  return out;
}

std::vector<GeneratedCase> Generator::sequence(uint64_t seed, uint64_t index) {
  std::vector<GeneratedCase> out;
  if (impl_->in_sequences.empty()) return out;
  Rng rng = Rng::for_case(seed, 3, index);
  const int n = static_cast<int>(rng.between(2, 20));
  Reserved res;
  res.active = true;
  {
    std::vector<int> pool = {12, 13, 14, 15};
    res.p = pool[rng.below(4)];
    do res.q = pool[rng.below(4)];
    while (res.q == res.p);
    res.pval = kDataAddress + 0x2000 + (rng.below(0xa000) & ~0xfull);
    res.qval = rng.below(16);
  }
  const uint64_t rsp0 = kStackTop - 0x400 - 8 * rng.below(64);
  const uint64_t rbp_value = rsp0 - 0x100 - 8 * rng.below(32);

  struct Logical {
    Instance inst;
    int target = -1;  // logical index (n: the end)
    std::vector<CaseInsn> setup;
    bool falls_through = true;
  };
  std::vector<Logical> logical;
  std::vector<std::pair<uint64_t, uint64_t>> touched;
  touched.push_back({rsp0 - 0x100, 0x180});
  for (int j = 0; j < n; ++j) {
    std::optional<Instance> inst;
    for (int attempt = 0; attempt < 20 && !inst; ++attempt) {
      const Form* f = impl_->in_sequences[rng.below(impl_->in_sequences.size())];
      if (always_faults(f->zm) && rng.chance(0.9)) continue;
      inst = instantiate(*f, rng, res);
    }
    if (!inst) continue;
    Logical l;
    l.inst = std::move(*inst);
    const Form& f = *l.inst.form;
    const ZydisMnemonic zm = f.zm;
    const int jn = static_cast<int>(logical.size());
    auto later = [&](int max_ahead) { return std::min(n, jn + 1 + static_cast<int>(rng.below(max_ahead))); };
    for (size_t i = 0; i < l.inst.ops.size(); ++i)
      if (l.inst.ops[i].slot.kind == SlotKind::Mem && !l.inst.ops[i].slot.agen)
        touched.push_back({l.inst.ops[i].fixed_address - 8, l.inst.ops[i].slot.mem_size + 16u});
    if (l.inst.insn.rel_offset >= 0) {
      l.target = l.inst.insn.rel_size == 1 ? later(3) : later(n);
      if (zm == ZYDIS_MNEMONIC_JMP) l.falls_through = false;
      if (is_loop(zm) && rng.chance(0.7)) l.setup.push_back(mov_imm32(RCX, rng.below(4), 32));
    }
    const int mem = l.inst.mem_slot;
    // Indirect transfers go forward, to a label their set-up stores.
    if ((zm == ZYDIS_MNEMONIC_JMP || zm == ZYDIS_MNEMONIC_CALL) && l.inst.insn.rel_offset < 0) {
      l.target = later(n);
      if (zm == ZYDIS_MNEMONIC_JMP) l.falls_through = false;
      const Binding& b = l.inst.ops[0];
      if (b.slot.kind == SlotKind::Reg) {
        if (reg_bits(b.reg) != 64) continue;
        l.setup.push_back(mov_label(reg_id(b.reg), l.target));
      } else if (b.slot.kind == SlotKind::Mem) {
        zy::Decoded d;
        zy::decode(l.inst.insn.bytes.data(), l.inst.insn.bytes.size(), d);
        ZydisEncoderRequest req;
        if (!ZYAN_SUCCESS(ZydisEncoderDecodedInstructionToEncoderRequest(&d.insn, d.ops, d.insn.operand_count_visible, &req)))
          continue;
        ZydisEncoderOperand like = req.operands[0];
        if (b.riprel) continue;  // its displacement is relative to the branch, not the store
        if (f.far) {
          const unsigned offset_bytes = b.slot.bits / 8 - 2;
          auto a = store_imm(like, static_cast<uint16_t>(offset_bytes == 8 ? 8 : offset_bytes), 0, 0, l.target);
          auto s = store_imm(like, 2, offset_bytes, 0x33, -1);
          if (!a || !s || offset_bytes < 4) continue;
          l.setup.push_back(*a);
          l.setup.push_back(*s);
        } else {
          if (b.slot.bits != 64) continue;
          auto a = store_imm(like, 8, 0, 0, l.target);
          if (!a) continue;
          l.setup.push_back(*a);
        }
      } else {
        continue;
      }
    }
    if (zm == ZYDIS_MNEMONIC_RET) {
      l.target = later(n);
      l.falls_through = false;
      if (f.far) {
        if (l.inst.opsize == 64) {
          l.setup.push_back(raw_insn({0x6a, 0x33}));  // push 0x33
          l.setup.push_back(push_label(l.target));
        } else if (l.inst.opsize == 32) {
          l.setup.push_back(push_label(l.target));
          l.setup.push_back(raw_insn({0xc7, 0x44, 0x24, 0x04, 0x33, 0x00, 0x00, 0x00}));  // mov dword [rsp+4], 0x33
        } else {
          continue;
        }
      } else {
        if (l.inst.opsize != 64) continue;
        l.setup.push_back(push_label(l.target));
      }
    }
    if (is_iret(zm)) {
      if (l.inst.opsize != 64) continue;
      l.target = later(n);
      l.falls_through = false;
      const uint32_t flags = static_cast<uint32_t>(0x202 | (rng.next() & (kStatusFlags | kDF)));
      l.setup.push_back(raw_insn({0x6a, 0x2b}));  // push ss
      l.setup.push_back(raw_insn({0x68, static_cast<uint8_t>(rsp0), static_cast<uint8_t>(rsp0 >> 8),
                                  static_cast<uint8_t>(rsp0 >> 16), static_cast<uint8_t>(rsp0 >> 24)}));  // push rsp
      l.setup.push_back(raw_insn({0x68, static_cast<uint8_t>(flags), static_cast<uint8_t>(flags >> 8),
                                  static_cast<uint8_t>(flags >> 16), static_cast<uint8_t>(flags >> 24)}));  // push rflags
      l.setup.push_back(raw_insn({0x6a, 0x33}));  // push cs
      l.setup.push_back(push_label(l.target));
    }
    if (zm == ZYDIS_MNEMONIC_MASKMOVDQU) {
      const uint64_t di = window_pointer(rng, 0x40);
      l.setup.push_back(mov_imm32(RDI, di));
      touched.push_back({di - 0x10, 0x30});
    }
    if (is_string(zm) && !f.sse) {
      const uint64_t si = window_pointer(rng, 0x800), di = window_pointer(rng, 0x800);
      l.setup.push_back(mov_imm32(RSI, si));
      l.setup.push_back(mov_imm32(RDI, di));
      if (f.rep && rng.chance(0.9)) l.setup.push_back(mov_imm32(RCX, rng.below(17), 32));
      touched.push_back({si - 0x80, 0x100});
      touched.push_back({di - 0x80, 0x100});
    }
    if (zm == ZYDIS_MNEMONIC_XLAT) {
      const uint64_t p = window_pointer(rng, 0x100);
      l.setup.push_back(mov_imm32(RBX, p));
      touched.push_back({p, 0x100});
    }
    if ((zm == ZYDIS_MNEMONIC_DIV || zm == ZYDIS_MNEMONIC_IDIV) && rng.chance(0.8)) {
      const unsigned bits = l.inst.ops[0].slot.kind == SlotKind::Mem ? l.inst.ops[0].slot.bits : reg_bits(l.inst.ops[0].reg);
      if (zm == ZYDIS_MNEMONIC_DIV) {
        if (bits == 8) l.setup.push_back(raw_insn({0xb4, 0x00}));  // mov ah, 0
        else l.setup.push_back(mov_imm32(RDX, 0, 32));
      } else {
        switch (bits) {
          case 8: l.setup.push_back(raw_insn({0x66, 0x98})); break;  // cbw
          case 16: l.setup.push_back(raw_insn({0x66, 0x99})); break;  // cwd
          case 32: l.setup.push_back(raw_insn({0x99})); break;  // cdq
          default: l.setup.push_back(raw_insn({0x48, 0x99})); break;  // cqo
        }
      }
    }
    if (is_bit_test(zm) && mem >= 0 && l.inst.ops.size() == 2 && l.inst.ops[1].slot.kind == SlotKind::Reg) {
      const int id = reg_id(l.inst.ops[1].reg);
      ZydisEncoderRequest r = new_request(ZYDIS_MNEMONIC_MOV);
      r.operand_count = 2;
      r.operands[0] = reg_operand(gpr(64, id));
      r.operands[1] = imm_operand(static_cast<uint64_t>(rng.between(-256, 255)));
      CaseInsn in;
      if (id >= 0 && encode(r, in.bytes)) l.setup.push_back(in);
    }
    if ((zm == ZYDIS_MNEMONIC_LEAVE || zm == ZYDIS_MNEMONIC_ENTER) && rng.chance(0.85)) {
      l.setup.push_back(mov_imm32(RBP, rbp_value));
      touched.push_back({rbp_value - 0x100, 0x110});
    }
    if ((zm == ZYDIS_MNEMONIC_POPF || zm == ZYDIS_MNEMONIC_POPFD || zm == ZYDIS_MNEMONIC_POPFQ)) {
      // push imm32 with no TF: what POPF then pops. A 16-bit POPF pops the low word.
      const uint32_t flags = static_cast<uint32_t>(rng.next() & ~kTF & 0x7fffffff);
      CaseInsn in;
      in.bytes = {0x68, static_cast<uint8_t>(flags), static_cast<uint8_t>(flags >> 8), static_cast<uint8_t>(flags >> 16),
                  static_cast<uint8_t>(flags >> 24)};
      l.setup.push_back(in);
    }
    logical.push_back(std::move(l));
  }
  const int count = static_cast<int>(logical.size());
  if (count == 0) return out;
  for (Logical& l : logical) {
    if (l.target > count) l.target = count;
    for (CaseInsn& s : l.setup)
      if (s.abs_label > count) s.abs_label = count;
  }

  // Flags: an instruction that reads a flag some earlier path may have left undefined
  // gets a CMP in front of it, which defines them all (only forward edges exist).
  std::vector<uint64_t> incoming(count + 1, 0);
  for (int j = 0; j < count; ++j) {
    Logical& l = logical[j];
    const CaseInsn& in = l.inst.insn;
    FlagEffect e = flag_effect(in.bytes.data(), in.bytes.size(), std::nullopt);
    uint64_t before = incoming[j];
    if (e.tested & before & kStatusFlags) {
      std::vector<int> regs;
      for (int id = 0; id < 16; ++id)
        if (!(forbidden_mask(res) & (1u << id))) regs.push_back(id);
      ZydisEncoderRequest r = new_request(ZYDIS_MNEMONIC_CMP);
      r.operand_count = 2;
      r.operands[0] = reg_operand(gpr(64, rng.pick(regs)));
      r.operands[1] = reg_operand(gpr(64, rng.pick(regs)));
      CaseInsn cmp;
      encode(r, cmp.bytes);
      l.setup.push_back(cmp);
      before &= ~kStatusFlags;
    }
    const uint64_t after = (before & ~e.defined) | e.undefined;
    if (l.falls_through) incoming[j + 1] |= after;
    if (l.target > j) incoming[l.target] |= after;
    // An indirect transfer (RET, JMP/CALL through a register or memory, IRET): the code
    // alone does not say where it goes, and the comparison's analysis (flags.h) then
    // assumes any later instruction. Assume the same here.
    if (describe(in.bytes.data(), in.bytes.size()).indirect_branch)
      for (int k = j + 1; k <= count; ++k) incoming[k] |= after | before;
  }

  // Flatten: each logical instruction is its set-up followed by itself; a branch to it
  // goes to its set-up.
  std::vector<int> group_start(count + 1, 0);
  for (int j = 0; j < count; ++j) group_start[j + 1] = group_start[j] + static_cast<int>(logical[j].setup.size()) + 1;
  std::vector<CaseInsn> insns;
  for (int j = 0; j < count; ++j) {
    for (CaseInsn s : logical[j].setup) {
      if (s.abs_label >= 0) s.abs_label = group_start[s.abs_label];
      insns.push_back(std::move(s));
    }
    CaseInsn in = logical[j].inst.insn;
    if (in.rel_offset >= 0) in.target = group_start[logical[j].target];
    insns.push_back(std::move(in));
  }
  std::vector<uint8_t> code;
  for (int attempt = 0; attempt < 4 && !layout(insns, code); ++attempt) {
    // A short branch that cannot reach: send it to the next instruction.
    std::vector<uint64_t> offsets;
    layout(insns, code, &offsets);
    for (size_t i = 0; i < insns.size(); ++i)
      if (insns[i].rel_offset >= 0 && insns[i].rel_size == 1) {
        const int64_t disp = static_cast<int64_t>(offsets[insns[i].target]) - static_cast<int64_t>(offsets[i + 1]);
        if (disp > 127) insns[i].target = static_cast<int>(i + 1);
      }
  }
  if (!layout(insns, code)) return out;

  for (unsigned v = 0; v < impl_->options.variants; ++v) {
    State st;
    for (int i = 0; i < 16; ++i) st.in.gpr[i] = register_value(rng);
    st.in.gpr[res.p] = res.pval;
    st.in.gpr[res.q] = res.qval;
    st.in.gpr[RSP] = rsp0;
    st.in.rflags = random_flags(rng);
    for (auto [address, size] : touched) st.fill(rng, address, size);
    if (std::any_of(logical.begin(), logical.end(), [](const Logical& l) { return l.inst.form->sse; })) {
      st.in.mxcsr = mxcsr_value(rng);
      for (auto& x : st.in.xmm) xmm_value(rng, rng.chance(0.5) ? LaneKind::Single : LaneKind::Double, x);
    }
    // Shift counts and the like, in registers, where the first instruction sees them.
    GeneratedCase c;
    c.kind = CaseKind::Sequence;
    c.insns = insns;
    c.family = index;
    c.test = st.finish("q" + std::to_string(index) + "_" + std::to_string(v), code);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace orcvm::difftest
