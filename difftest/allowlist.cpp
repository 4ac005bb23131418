#include "difftest/allowlist.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "difftest/case_format.h"
#include "difftest/code.h"
#include "difftest/flags.h"

namespace orcvm::difftest {
namespace {

std::string trim(std::string s) {
  const char* blanks = " \t\r";
  s.erase(0, s.find_first_not_of(blanks));
  const size_t end = s.find_last_not_of(blanks);
  s.erase(end == std::string::npos ? 0 : end + 1);
  return s;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const std::vector<std::string> kPredicates = {"always", "zero_source", "count_above_width", "operand_size_prefix",
                                              "rex_w", "register_operand", "both_string_operands_outside",
                                              "alignment_check_on", "linux_cpunode_selector"};

// The ModRM byte of a legacy-encoded instruction (after prefixes, REX, 0F escapes), or -1.
bool legacy_prefix(uint8_t b) {
  return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 || b == 0x3e ||
         b == 0x26 || b == 0x64 || b == 0x65;
}

int modrm_offset(const std::vector<uint8_t>& bytes) {
  size_t i = 0;
  while (i < bytes.size() && legacy_prefix(bytes[i])) ++i;
  if (i < bytes.size() && (bytes[i] & 0xf0) == 0x40) ++i;
  if (i >= bytes.size()) return -1;
  if (bytes[i] == 0x0f) {
    ++i;
    if (i < bytes.size() && (bytes[i] == 0x38 || bytes[i] == 0x3a)) ++i;
  }
  ++i;  // the opcode
  return i < bytes.size() ? static_cast<int>(i) : -1;
}

int rex_of(const std::vector<uint8_t>& bytes) {
  for (uint8_t b : bytes) {
    if ((b & 0xf0) == 0x40) return b;
    if (!legacy_prefix(b)) return 0;
  }
  return 0;
}

bool has_prefix_byte(const std::vector<uint8_t>& bytes, uint8_t prefix) {
  for (uint8_t b : bytes) {
    if (b == prefix) return true;
    // A REX followed by a legacy prefix is ignored, and the prefixes go on.
    if (!legacy_prefix(b) && (b & 0xf0) != 0x40) return false;
  }
  return false;
}

bool has_rex_w(const std::vector<uint8_t>& bytes) {
  for (uint8_t b : bytes) {
    if ((b & 0xf0) == 0x40) return (b & 8) != 0;
    if (!legacy_prefix(b)) return false;
  }
  return false;
}

// The value of a register operand given by the ModRM r/m field of a simple
// register-register instruction, for value predicates on the first instruction.
std::optional<uint64_t> rm_register_value(const std::vector<uint8_t>& bytes, const MachineState& in) {
  size_t i = 0;
  uint8_t rex = 0;
  while (i < bytes.size() && (bytes[i] == 0x66 || bytes[i] == 0xf3 || bytes[i] == 0xf2)) ++i;
  if (i < bytes.size() && (bytes[i] & 0xf0) == 0x40) rex = bytes[i++];
  if (i + 2 >= bytes.size() || bytes[i] != 0x0f) return std::nullopt;
  const uint8_t modrm = bytes[i + 2];
  if ((modrm >> 6) != 3) return std::nullopt;
  return in.gpr[(modrm & 7) | ((rex & 1) << 3)];
}

bool predicate_holds(const std::string& when, const CaseInsn& insn, const InsnFacts& facts, const MachineState* input) {
  if (when == "always") return true;
  if (when == "rex_w") return has_rex_w(insn.bytes);
  if (when == "operand_size_prefix") return has_prefix_byte(insn.bytes, 0x66);
  if (when == "alignment_check_on") return input && (input->rflags & (1ull << 18));
  if (when == "linux_cpunode_selector") {
    if (!input) return false;
    const int m = modrm_offset(insn.bytes);
    if (m < 0) return false;
    std::optional<uint64_t> selector;
    if ((insn.bytes[m] >> 6) == 3)
      selector = input->gpr[(insn.bytes[m] & 7) | ((rex_of(insn.bytes) & 1) << 3)] & 0xffff;
    else
      selector = memory_operand_word(insn.bytes.data(), insn.bytes.size(), *input);  // as the case starts, like the register form
    return selector && (*selector & ~3ull) == 0x78;
  }
  if (when == "both_string_operands_outside") {
    // Not SSE's CMPSD/MOVSD (0F-escaped), which share the string instructions' names.
    const int m = modrm_offset(insn.bytes);
    if (!input || (m >= 2 && insn.bytes[m - 2] == 0x0f)) return false;
    const bool a32 = has_prefix_byte(insn.bytes, 0x67);
    auto outside = [&](uint64_t a) {
      if (a32) a &= 0xffffffff;
      return a < kDataAddress || a >= kDataAddress + kDataSize;
    };
    return outside(input->gpr[6]) && outside(input->gpr[7]);
  }
  if (when == "register_operand") {
    const int m = modrm_offset(insn.bytes);
    return m >= 0 && (insn.bytes[m] >> 6) == 3;
  }
  if (when == "zero_source") {
    if (!input) return false;
    auto v = rm_register_value(insn.bytes, *input);
    if (!v) return false;
    const bool word = has_prefix_byte(insn.bytes, 0x66), quad = has_rex_w(insn.bytes);
    const uint64_t mask = quad ? ~0ull : word ? 0xffff : 0xffffffff;
    return (*v & mask) == 0;
  }
  if (when == "count_above_width") {
    if (!input) return false;
    const bool word = has_prefix_byte(insn.bytes, 0x66);
    if (!word) return false;
    // The count: CL (0F A5 / 0F AD) or the last byte (0F A4 / 0F AC ib).
    uint64_t count = input->gpr[1];
    for (size_t i = 0; i + 1 < insn.bytes.size(); ++i)
      if (insn.bytes[i] == 0x0f && (insn.bytes[i + 1] == 0xa4 || insn.bytes[i + 1] == 0xac)) count = insn.bytes.back();
    return (count & 31) > 16;
  }
  (void)facts;
  return false;
}

}  // namespace

AllowList AllowList::parse(const std::string& text, const std::string& origin) {
  AllowList list;
  std::istringstream in(text);
  std::string line;
  AllowEntry* current = nullptr;
  auto fail = [&](int number, const std::string& why) {
    throw AllowListError(origin + ":" + std::to_string(number) + ": " + why);
  };
  for (int number = 1; std::getline(in, line); ++number) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) fail(number, "bad entry header '" + line + "'");
      list.entries_.push_back({});
      current = &list.entries_.back();
      current->id = line.substr(1, line.size() - 2);
      current->origin = origin + ":" + std::to_string(number);
      for (const AllowEntry& e : list.entries_)
        if (&e != current && e.id == current->id) fail(number, "entry '" + current->id + "' defined twice");
      continue;
    }
    if (!current) fail(number, "a setting before the first [entry]");
    const size_t eq = line.find('=');
    if (eq == std::string::npos) fail(number, "expected 'key = value'");
    const std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "oracles") {
      current->oracles = words(value);
      for (const std::string& o : current->oracles)
        if (o != "host" && o != "kvm" && o != "kvm-pvm" && o != "orcvm")
          fail(number, "oracles: '" + o + "' is not host, kvm or orcvm (two orcvm modes compared)");
    } else if (key == "mnemonics") {
      for (const std::string& m : words(value)) current->mnemonics.push_back(upper(m));
    } else if (key == "when") {
      if (std::find(kPredicates.begin(), kPredicates.end(), value) == kPredicates.end())
        fail(number, "unknown predicate '" + value + "'");
      current->when = value;
    } else if (key == "ignore") {
      for (const std::string& w : words(value)) {
        if (w == "memory") current->ignore.memory = true;
        else if (w == "exception") current->ignore.exception = true;
        else if (w == "fault-order") current->ignore.fault_order = true;
        else if (w == "all") current->ignore.all = true;
        else if (w == "error-code") current->ignore.error_code_bits = ~0u;
        else if (w.starts_with("error-code:")) current->ignore.error_code_bits |= static_cast<uint32_t>(std::stoul(w.substr(11), nullptr, 0));
        else if (w == "destination") current->ignore.destination_bits = ~0ull;
        else if (w.starts_with("destination:")) current->ignore.destination_bits = std::stoull(w.substr(12), nullptr, 0);
        else if (w == "reg-destination") current->ignore.reg_destination_bits = ~0ull;
        else if (w.starts_with("reg-destination:"))
          current->ignore.reg_destination_bits = std::stoull(w.substr(16), nullptr, 0);
        else if (w == "rip") current->ignore.registers |= 1u << kRipIndex;
        else if (w == "mxcsr") current->ignore.mxcsr = true;
        else if (w == "approximate-reg-destination") current->ignore.approximate_reg_destination = true;
        else if (w.starts_with("xmm")) {
          int index = -1;
          for (int i = 0; i < kXmmCount; ++i)
            if (w == "xmm" + std::to_string(i)) index = i;
          if (index < 0) fail(number, "cannot ignore '" + w + "' (xmm0..xmm15)");
          current->ignore.xmm |= 1u << index;
        }
        else if (w.starts_with("flags:")) {
          try {
            current->ignore.flags |= parse_case_line("x: 90 | => | undef=" + w.substr(6), "allow-list").expected.undefined_flags;
          } catch (const CaseFormatError&) {
            fail(number, "bad flag list '" + w + "'");
          }
        } else {
          int index = -1;
          for (int i = 0; i < 16; ++i)
            if (register_name(i) == w) index = i;
          if (index < 0) fail(number, "cannot ignore '" + w + "' (registers, rip, flags:..., memory, exception, error-code)");
          current->ignore.registers |= 1u << index;
        }
      }
    } else if (key == "reason") {
      current->reason = value;
    } else if (key == "cite") {
      current->cite = value;
    } else {
      fail(number, "unknown key '" + key + "'");
    }
  }
  for (const AllowEntry& e : list.entries_) {
    if (e.oracles.empty() || e.mnemonics.empty()) throw AllowListError(e.origin + ": entry '" + e.id + "' needs oracles and mnemonics");
    if (e.reason.empty() || e.cite.empty()) throw AllowListError(e.origin + ": entry '" + e.id + "' needs a reason and a citation");
  }
  return list;
}

AllowList AllowList::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw AllowListError(path.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

const AllowList& AllowList::builtin() {
#ifdef ORCVM_DIFFTEST_ALLOWLIST
  static const AllowList list = load(ORCVM_DIFFTEST_ALLOWLIST);
#else
  static const AllowList list;
#endif
  return list;
}

namespace {
void apply_entry(const AllowEntry& e, const CaseInsn& insn, Ignore& ignore) {
  ignore.registers |= e.ignore.registers;
  ignore.flags |= e.ignore.flags;
  ignore.memory |= e.ignore.memory;
  ignore.exception |= e.ignore.exception;
  ignore.fault_order |= e.ignore.fault_order;
  ignore.all |= e.ignore.all;
  ignore.error_code_bits |= e.ignore.error_code_bits;
  for (int r = 0; r < 17; ++r) ignore.register_bits[r] |= e.ignore.register_bits[r];
  ignore.xmm |= e.ignore.xmm;
  ignore.mxcsr |= e.ignore.mxcsr;
  const int m = modrm_offset(insn.bytes);
  if (m >= 0) {
    const uint8_t modrm = insn.bytes[m];
    const int rex = rex_of(insn.bytes);
    if (e.ignore.approximate_reg_destination) ignore.approximate_xmm |= 1u << (((modrm >> 3) & 7) | ((rex & 4) << 1));
    if (e.ignore.destination_bits && (modrm >> 6) == 3)
      ignore.register_bits[(modrm & 7) | ((rex & 1) << 3)] |= e.ignore.destination_bits;
    if (e.ignore.reg_destination_bits) ignore.register_bits[((modrm >> 3) & 7) | ((rex & 4) << 1)] |= e.ignore.reg_destination_bits;
  }
}

// The first instruction of the case that the entry covers: one of its mnemonics, with
// its predicate true. Only the first instruction sees the input state.
const CaseInsn* first_covered_insn(const AllowEntry& e, const std::vector<CaseInsn>& insns, const MachineState& input) {
  const bool any = std::find(e.mnemonics.begin(), e.mnemonics.end(), "*") != e.mnemonics.end();
  for (size_t i = 0; i < insns.size(); ++i) {
    const InsnFacts facts = describe(insns[i].bytes.data(), insns[i].bytes.size());
    if (!facts.valid || (!any && std::find(e.mnemonics.begin(), e.mnemonics.end(), facts.name) == e.mnemonics.end()))
      continue;
    if (predicate_holds(e.when, insns[i], facts, i == 0 ? &input : nullptr)) return &insns[i];
  }
  return nullptr;
}
}  // namespace

bool approximately_equal(uint32_t a, uint32_t b) {
  const uint32_t ea = (a >> 23) & 0xff, eb = (b >> 23) & 0xff;
  if (ea == 0 || ea == 0xff || eb == 0 || eb == 0xff || (a ^ b) >> 31) return a == b;
  return (a > b ? a - b : b - a) <= 3u << 12;
}

void AllowList::apply(const AllowEntry& e, const TestCase& test, Ignore& ignore) const {
  const std::vector<CaseInsn> insns = split_code(test.code);
  if (const CaseInsn* insn = first_covered_insn(e, insns, test.input)) apply_entry(e, *insn, ignore);
}

std::vector<const AllowEntry*> AllowList::matching(const TestCase& test, const std::string& oracle, Ignore* ignore) const {
  std::vector<const AllowEntry*> out;
  if (entries_.empty()) return out;
  const std::vector<CaseInsn> insns = split_code(test.code);
  for (const AllowEntry& e : entries_) {
    if (std::find(e.oracles.begin(), e.oracles.end(), oracle) == e.oracles.end()) continue;
    const CaseInsn* insn = first_covered_insn(e, insns, test.input);
    if (!insn) continue;
    out.push_back(&e);
    if (ignore) apply_entry(e, *insn, *ignore);
  }
  return out;
}

}  // namespace orcvm::difftest
