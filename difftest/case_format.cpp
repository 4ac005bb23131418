#include "difftest/case_format.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <concepts>
#include <cstdio>
#include <fstream>
#include <tuple>

namespace orcvm::difftest {
namespace {

// g++ 12 has no <format>; this covers the specifiers used in this file: {}, {:#x}, {:02x}.
class FormatArg {
 public:
  template <std::integral T>
  FormatArg(T v) : number_(static_cast<uint64_t>(v)), negative_(std::is_signed_v<T> && v < 0) {}
  FormatArg(std::string_view s) : text_(s), is_text_(true) {}
  FormatArg(const std::string& s) : FormatArg(std::string_view(s)) {}
  FormatArg(const char* s) : FormatArg(std::string_view(s)) {}
  FormatArg(char c) : char_(c), is_char_(true) {}

  void append(std::string& out, std::string_view spec) const {
    if (is_text_) {
      out += text_;
    } else if (is_char_) {
      out += char_;
    } else if (spec == "#x" || spec == "02x") {
      char buffer[24];
      std::snprintf(buffer, sizeof buffer, spec == "#x" ? "%#llx" : "%02llx", static_cast<unsigned long long>(number_));
      out += number_ == 0 && spec == "#x" ? "0x0" : buffer;
    } else {
      out += negative_ ? std::to_string(static_cast<int64_t>(number_)) : std::to_string(number_);
    }
  }

 private:
  std::string_view text_;
  uint64_t number_ = 0;
  char char_ = 0;
  bool negative_ = false, is_text_ = false, is_char_ = false;
};

std::string format(std::string_view pattern, std::initializer_list<FormatArg> args) {
  std::string out;
  auto arg = args.begin();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t close = pattern.find('}', i);
    std::string_view spec = pattern.substr(i + 1, close - i - 1);
    if (spec.starts_with(':')) spec.remove_prefix(1);
    (arg++)->append(out, spec);
    i = close;
  }
  return out;
}

template <class... Args>
std::string format(std::string_view pattern, const Args&... args) {
  return format(pattern, {FormatArg(args)...});
}

constexpr std::array<std::string_view, 17> kRegisterNames = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",
    "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip"};

struct NamedFlag {
  std::string_view name;
  uint64_t mask;
};
constexpr std::array<NamedFlag, 15> kFlagNames = {{{"CF", rflag::CF},
                                                   {"PF", rflag::PF},
                                                   {"AF", rflag::AF},
                                                   {"ZF", rflag::ZF},
                                                   {"SF", rflag::SF},
                                                   {"TF", rflag::TF},
                                                   {"IF", rflag::IF},
                                                   {"DF", rflag::DF},
                                                   {"OF", rflag::OF},
                                                   {"NT", rflag::NT},
                                                   {"RF", rflag::RF},
                                                   {"AC", rflag::AC},
                                                   {"VIF", rflag::VIF},
                                                   {"VIP", rflag::VIP},
                                                   {"ID", rflag::ID}}};

struct VectorName {
  std::string_view mnemonic;
  uint8_t vector;
  bool has_error_code;
};
constexpr std::array<VectorName, 17> kVectors = {{{"DE", 0, false},
                                                 {"DB", 1, false},
                                                 {"NMI", 2, false},
                                                 {"BP", 3, false},
                                                 {"OF", 4, false},
                                                 {"BR", 5, false},
                                                 {"UD", 6, false},
                                                 {"NM", 7, false},
                                                 {"DF", 8, true},
                                                 {"TS", 10, true},
                                                 {"NP", 11, true},
                                                 {"SS", 12, true},
                                                 {"GP", 13, true},
                                                 {"PF", 14, true},
                                                 {"MF", 16, false},
                                                 {"AC", 17, true},
                                                 {"XM", 19, false}}};

const VectorName* find_vector(uint8_t vector) {
  auto it = std::ranges::find(kVectors, vector, &VectorName::vector);
  return it == kVectors.end() ? nullptr : &*it;
}

std::string format_value(uint64_t v) { return v < 10 ? std::to_string(v) : format("{:#x}", v); }

std::string format_hex_bytes(const uint8_t* bytes, size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i) out += format("{:02x}", bytes[i]);
  return out;
}

bool in_data_window(uint64_t address, size_t size) {
  return address >= kDataAddress && address - kDataAddress <= kDataSize && size <= kDataAddress + kDataSize - address;
}

// A cursor over one line; every error names the line's origin.
class LineParser {
 public:
  LineParser(std::string_view line, std::string_view origin) : text_(line), origin_(origin) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw CaseFormatError(format("{}: {}", origin_, message));
  }

  void skip_blanks() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_end() {
    skip_blanks();
    return pos_ == text_.size();
  }
  bool next_is(std::string_view s) {
    skip_blanks();
    return text_.substr(pos_).starts_with(s);
  }
  bool consume(std::string_view s) {
    if (!next_is(s)) return false;
    pos_ += s.size();
    return true;
  }
  void expect(std::string_view s, std::string_view where) {
    if (!consume(s)) fail(format("expected '{}' {}, found '{}'", s, where, rest_preview()));
  }
  // A run of characters up to a blank, a '|', a "=>" or the end: no item contains those.
  std::string_view word() {
    skip_blanks();
    size_t start = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) && text_[pos_] != '|' &&
           !text_.substr(pos_).starts_with("=>"))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // Text up to (not including) the next occurrence of `delimiter`.
  std::string_view until(char delimiter, std::string_view what) {
    size_t end = text_.find(delimiter, pos_);
    if (end == std::string_view::npos) fail(format("unterminated {}", what));
    std::string_view s = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  // "skip(" was consumed: the reason runs to the matching ')'.
  std::string_view balanced_parenthesis_content() {
    size_t start = pos_;
    for (int depth = 1; pos_ < text_.size(); ++pos_) {
      if (text_[pos_] == '(') ++depth;
      if (text_[pos_] == ')' && --depth == 0) return text_.substr(start, pos_++ - start);
    }
    fail("unbalanced parentheses in host=skip(...)");
  }
  std::string rest_preview() const {
    std::string_view rest = text_.substr(pos_);
    return rest.empty() ? "end of line" : std::string(rest.substr(0, 20));
  }

  uint64_t value(std::string_view text, std::string_view what) const {
    std::string_view s = text;
    bool negative = s.starts_with('-');
    if (negative) s.remove_prefix(1);
    int base = 10;
    if (s.starts_with("0x") || s.starts_with("0X")) {
      base = 16;
      s.remove_prefix(2);
    }
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || (negative && base != 10) ||
        (negative && v > (1ull << 63)))
      fail(format("bad value '{}' for {}", text, what));
    return negative ? ~v + 1 : v;
  }

  std::vector<uint8_t> hex_bytes(std::string_view s, std::string_view what) const {
    if (s.empty() || s.size() % 2 != 0) fail(format("{}: '{}' is not a whole number of hex bytes", what, s));
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i < s.size(); i += 2) {
      uint8_t b = 0;
      auto [end, ec] = std::from_chars(s.data() + i, s.data() + i + 2, b, 16);
      if (ec != std::errc() || end != s.data() + i + 2) fail(format("{}: '{}' is not hex", what, s.substr(i, 2)));
      bytes.push_back(b);
    }
    return bytes;
  }

  uint64_t flag_list(std::string_view list, std::string_view what) const {
    uint64_t mask = 0;
    for (std::string_view name : split_commas(list)) mask |= flag_mask(name, what);
    return mask;
  }
  uint64_t flag_mask(std::string_view name, std::string_view what) const {
    auto it = std::ranges::find(kFlagNames, name, &NamedFlag::name);
    if (it == kFlagNames.end()) fail(format("unknown flag '{}' in {}", name, what));
    return it->mask;
  }
  static std::vector<std::string_view> split_commas(std::string_view list) {
    std::vector<std::string_view> parts;
    while (true) {
      size_t comma = list.find(',');
      parts.push_back(list.substr(0, comma));
      if (comma == std::string_view::npos) return parts;
      list.remove_prefix(comma + 1);
    }
  }

  // A VALUE, or "0x" and up to 32 hex digits.
  std::pair<uint64_t, uint64_t> value128(std::string_view text, std::string_view what) const {
    std::string_view s = text;
    if (!s.starts_with("0x") && !s.starts_with("0X")) return {value(text, what), 0};
    s.remove_prefix(2);
    if (s.empty() || s.size() > 32) fail(format("bad value '{}' for {}", text, what));
    const size_t split = s.size() > 16 ? s.size() - 16 : 0;
    auto part = [&](std::string_view digits) -> uint64_t {
      return digits.empty() ? 0 : value(format("0x{}", digits), what);
    };
    return {part(s.substr(split)), part(s.substr(0, split))};
  }

  static int xmm_index(std::string_view name) {
    if (!name.starts_with("xmm")) return -1;
    int index = 0;
    auto [end, ec] = std::from_chars(name.data() + 3, name.data() + name.size(), index);
    if (ec != std::errc() || end != name.data() + name.size() || index >= kXmmCount || name.size() < 4 ||
        (name[3] == '0' && name.size() > 4))
      return -1;
    return index;
  }

  uint32_t mxcsr_value(std::string_view text) const {
    const uint64_t v = value(text, "mxcsr");
    if (v > 0xffff) fail(format("mxcsr={:#x}: bits 31:16 are reserved", v));
    return static_cast<uint32_t>(v);
  }

  int register_index(std::string_view name, bool allow_rip) const {
    auto it = std::ranges::find(kRegisterNames, name);
    if (it == kRegisterNames.end() || (!allow_rip && *it == "rip")) return -1;
    return static_cast<int>(it - kRegisterNames.begin());
  }

  MemoryChunk memory_item(std::string_view item) const {  // "mem:" already stripped
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) fail(format("memory item 'mem:{}' lacks '='", item));
    uint64_t address = value(item.substr(0, eq), "a memory address");
    std::vector<uint8_t> bytes = hex_bytes(item.substr(eq + 1), format("mem:{}", item.substr(0, eq)));
    if (!in_data_window(address, bytes.size()))
      fail(format("mem:{:#x} (+{}) lies outside the data window [{:#x}, {:#x})", address, bytes.size(),
                       kDataAddress, kDataAddress + kDataSize));
    return {address, std::move(bytes)};
  }

  std::optional<ExceptionRecord> exception_item(std::string_view item) const {  // "#GP(0)"
    std::string_view mnemonic = item.substr(1, item.find('(') - 1);
    auto it = std::ranges::find(kVectors, mnemonic, &VectorName::mnemonic);
    if (it == kVectors.end()) fail(format("unknown exception '{}'", item));
    size_t open = item.find('(');
    if (!it->has_error_code) {
      if (open != std::string_view::npos) fail(format("#{} takes no error code", it->mnemonic));
      return ExceptionRecord{it->vector, 0};
    }
    if (open == std::string_view::npos || !item.ends_with(')'))
      fail(format("#{} needs an error code, e.g. #{}(0)", it->mnemonic, it->mnemonic));
    uint64_t code = value(item.substr(open + 1, item.size() - open - 2), "an error code");
    if (code > 0xffffffff) fail(format("error code {:#x} does not fit 32 bits", code));
    return ExceptionRecord{it->vector, static_cast<uint32_t>(code)};
  }

 private:
  std::string_view text_;
  std::string_view origin_;
  size_t pos_ = 0;
};

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void parse_code(LineParser& p, InsnCase& c) {
  std::string hex;
  while (!p.at_end() && !p.next_is("|") && !p.next_is("\"") && !p.next_is("=>")) hex += p.word();
  c.test.code = p.hex_bytes(hex, "code bytes");
  if (p.consume("\"")) c.assembly = p.until('"', "assembly string");
  p.expect("|", "after the code bytes");
}

void parse_input(LineParser& p, InsnCase& c) {
  MachineState& in = c.test.input;
  in.gpr[4] = kStackTop;
  uint32_t seen_registers = 0, seen_xmm = 0;
  bool seen_rflags = false, seen_mxcsr = false;
  while (!p.consume("=>")) {
    if (p.at_end()) p.fail("missing '=>' between input and expected state");
    std::string_view item = p.word();
    if (item.starts_with("mem:")) {
      MemoryChunk chunk = p.memory_item(item.substr(4));
      for (const MemoryChunk& other : in.memory)
        if (chunk.address < other.address + other.bytes.size() && other.address < chunk.address + chunk.bytes.size())
          p.fail(format("input mem:{:#x} overlaps mem:{:#x}", chunk.address, other.address));
      in.memory.push_back(std::move(chunk));
      continue;
    }
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) p.fail(format("input item '{}' is not NAME=VALUE", item));
    std::string_view name = item.substr(0, eq);
    if (const int x = LineParser::xmm_index(name); x >= 0) {
      if (seen_xmm & (1u << x)) p.fail(format("{} given twice in the input", name));
      seen_xmm |= 1u << x;
      std::tie(in.xmm[x][0], in.xmm[x][1]) = p.value128(item.substr(eq + 1), name);
      continue;
    }
    if (name == "mxcsr") {
      if (seen_mxcsr) p.fail("mxcsr given twice in the input");
      seen_mxcsr = true;
      in.mxcsr = p.mxcsr_value(item.substr(eq + 1));
      continue;
    }
    uint64_t v = p.value(item.substr(eq + 1), name);
    if (name == "rflags") {
      if (seen_rflags) p.fail("rflags given twice in the input");
      seen_rflags = true;
      uint64_t fixed = rflag::kReservedOne | rflag::IF;
      if ((v & fixed) != fixed || (v & ~(fixed | rflag::kInputSettable)) != 0)
        p.fail(format("input rflags={:#x}: bits 1 and IF must be set, and only {} may change", v,
                           format_flags(rflag::kInputSettable)));
      in.rflags = v;
      continue;
    }
    int index = p.register_index(name, false);
    if (index < 0) p.fail(format("unknown input register '{}' (use 64-bit names rax..r15)", name));
    if (seen_registers & (1u << index)) p.fail(format("{} given twice in the input", name));
    seen_registers |= 1u << index;
    in.gpr[index] = v;
  }
}

void parse_expected(LineParser& p, InsnCase& c) {
  Expectation& e = c.expected;
  while (!p.at_end() && !p.next_is("|")) {
    std::string_view item = p.word();
    if (item.starts_with("#")) {
      if (e.exception) p.fail("more than one expected exception");
      e.exception = p.exception_item(item);
    } else if (item.starts_with("mem:")) {
      e.memory.push_back(p.memory_item(item.substr(4)));
    } else if (item.starts_with("flags=")) {
      if (e.flags_checked == ~0ull) p.fail("rflags= cannot be combined with flags=");
      for (std::string_view f : LineParser::split_commas(item.substr(6))) {
        if (f.empty() || (f[0] != '+' && f[0] != '-'))
          p.fail(format("expected flag '{}' must start with + (set) or - (clear)", f));
        uint64_t mask = p.flag_mask(f.substr(1), "flags=");
        if (e.flags_checked & mask) p.fail(format("flag {} asserted twice", f.substr(1)));
        e.flags_checked |= mask;
        if (f[0] == '+') e.flags_value |= mask;
      }
    } else {
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) p.fail(format("expected item '{}' is not NAME=VALUE", item));
      std::string_view name = item.substr(0, eq);
      if (const int x = LineParser::xmm_index(name); x >= 0) {
        if (std::ranges::find(e.xmm, x, &XmmValue::index) != e.xmm.end()) p.fail(format("{} asserted twice", name));
        const auto [low, high] = p.value128(item.substr(eq + 1), name);
        e.xmm.push_back({x, low, high});
        continue;
      }
      if (name == "mxcsr") {
        if (e.mxcsr) p.fail("mxcsr asserted twice");
        e.mxcsr = p.mxcsr_value(item.substr(eq + 1));
        continue;
      }
      uint64_t v = p.value(item.substr(eq + 1), name);
      if (name == "rflags") {
        if (e.flags_checked) p.fail("rflags= cannot be combined with flags= or given twice");
        e.flags_checked = ~0ull;
        e.flags_value = v;
        continue;
      }
      int index = p.register_index(name, true);
      if (index < 0) p.fail(format("unknown register '{}' in the expected state", name));
      if (std::ranges::find(e.registers, index, &RegisterValue::index) != e.registers.end())
        p.fail(format("{} asserted twice", name));
      e.registers.push_back({index, v});
    }
  }
}

void parse_options(LineParser& p, InsnCase& c) {
  if (!p.consume("|")) return;
  while (!p.at_end()) {
    if (p.consume("undef=")) {
      c.expected.undefined_flags |= p.flag_list(p.word(), "undef=");
    } else if (p.consume("host=skip(")) {
      std::string_view reason = p.balanced_parenthesis_content();
      if (reason.empty()) p.fail("host=skip() needs a reason");
      c.host_skip_reason = std::string(reason);
    } else {
      p.fail(format("unknown option '{}' (known: undef=, host=skip(...))", p.word()));
    }
  }
}

void print_memory(std::string& out, const MemoryChunk& m) {
  out += format(" mem:{:#x}={}", m.address, format_hex_bytes(m.bytes.data(), m.bytes.size()));
}

std::string flag_difference(uint64_t bit) {
  auto it = std::ranges::find(kFlagNames, bit, &NamedFlag::mask);
  return it != kFlagNames.end() ? std::string(it->name) : format("rflags bit {}", std::countr_zero(bit));
}

const MemoryChunk* chunk_covering(const MachineState& state, uint64_t address, size_t size) {
  for (const MemoryChunk& m : state.memory)
    if (address >= m.address && address - m.address + size <= m.bytes.size()) return &m;
  return nullptr;
}

std::string describe_exception(const std::optional<ExceptionRecord>& e) {
  return e ? format_exception(*e) : std::string("no exception");
}

}  // namespace

std::string_view register_name(int index) { return kRegisterNames.at(index); }

std::string format_exception(const ExceptionRecord& e) {
  const VectorName* v = find_vector(e.vector);
  if (!v) return format("#vector{}({:#x})", e.vector, e.error_code);
  if (!v->has_error_code) return format("#{}", v->mnemonic);
  return format("#{}({})", v->mnemonic, format_value(e.error_code));
}

std::string format_xmm(uint64_t low, uint64_t high) {
  if (high == 0) return format_value(low);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%#llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buffer;
}

std::string format_flags(uint64_t mask) {
  std::string out;
  for (const NamedFlag& f : kFlagNames)
    if (mask & f.mask) out += (out.empty() ? "" : ",") + std::string(f.name);
  return out;
}

InsnCase parse_case_line(std::string_view line, std::string_view origin) {
  LineParser p(line, origin);
  InsnCase c;
  c.origin = origin;
  p.skip_blanks();
  std::string_view name = p.until(':', "case name (missing ':')");
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.remove_prefix(1);
  if (name.empty() || !std::ranges::all_of(name, is_name_char))
    p.fail(format("case name '{}' must be non-empty and use only letters, digits and '_'", name));
  c.test.name = name;
  parse_code(p, c);
  parse_input(p, c);
  parse_expected(p, c);
  parse_options(p, c);
  return c;
}

std::vector<InsnCase> parse_case_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw CaseFormatError(format("{}: cannot open", path.string()));
  std::vector<InsnCase> cases;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    cases.push_back(parse_case_line(line, format("{}:{}", path.string(), number)));
  }
  return cases;
}

std::string print_case(const InsnCase& c) {
  std::string out = c.test.name + ":";
  for (uint8_t b : c.test.code) out += format(" {:02x}", b);
  if (!c.assembly.empty()) out += " \"" + c.assembly + "\"";
  out += " |";
  const MachineState& in = c.test.input;
  for (int i = 0; i < 16; ++i)
    if (in.gpr[i] != (i == 4 ? kStackTop : 0)) out += format(" {}={}", kRegisterNames[i], format_value(in.gpr[i]));
  if (in.rflags != MachineState{}.rflags) out += format(" rflags={:#x}", in.rflags);
  for (int i = 0; i < kXmmCount; ++i)
    if (in.xmm[i][0] || in.xmm[i][1]) out += format(" xmm{}={}", i, format_xmm(in.xmm[i][0], in.xmm[i][1]));
  if (in.mxcsr != kDefaultMxcsr) out += format(" mxcsr={:#x}", in.mxcsr);
  for (const MemoryChunk& m : in.memory) print_memory(out, m);
  out += " =>";
  const Expectation& e = c.expected;
  if (e.exception) out += " " + format_exception(*e.exception);
  std::vector<RegisterValue> registers = e.registers;
  std::ranges::sort(registers, {}, &RegisterValue::index);
  for (const RegisterValue& r : registers) out += format(" {}={}", kRegisterNames[r.index], format_value(r.value));
  if (e.flags_checked == ~0ull) {
    out += format(" rflags={:#x}", e.flags_value);
  } else if (e.flags_checked) {
    std::string list;
    for (const NamedFlag& f : kFlagNames)
      if (e.flags_checked & f.mask) list += format("{}{}{}", list.empty() ? "" : ",", e.flags_value & f.mask ? '+' : '-', f.name);
    out += " flags=" + list;
  }
  std::vector<XmmValue> xmm = e.xmm;
  std::ranges::sort(xmm, {}, &XmmValue::index);
  for (const XmmValue& x : xmm) out += format(" xmm{}={}", x.index, format_xmm(x.low, x.high));
  if (e.mxcsr) out += format(" mxcsr={:#x}", *e.mxcsr);
  for (const MemoryChunk& m : e.memory) print_memory(out, m);
  if (e.undefined_flags || c.host_skip_reason) {
    out += " |";
    if (e.undefined_flags) out += " undef=" + format_flags(e.undefined_flags);
    if (c.host_skip_reason) out += " host=skip(" + *c.host_skip_reason + ")";
  }
  return out;
}

std::vector<std::string> check(const Expectation& expected, const Outcome& outcome) {
  std::vector<std::string> problems;
  const MachineState& s = outcome.state;
  if (expected.exception != outcome.exception) {
    if (outcome.exception)
      problems.push_back(format("expected {}, got {} at rip={:#x}", describe_exception(expected.exception),
                                     format_exception(*outcome.exception), s.rip));
    else
      problems.push_back(format("expected {}, but the case ran to its end", describe_exception(expected.exception)));
  }
  for (const RegisterValue& r : expected.registers) {
    uint64_t actual = r.index == kRipIndex ? s.rip : s.gpr[r.index];
    if (actual != r.value)
      problems.push_back(format("{}: expected {:#x}, got {:#x}", kRegisterNames[r.index], r.value, actual));
  }
  for (const XmmValue& x : expected.xmm)
    if (s.xmm[x.index][0] != x.low || s.xmm[x.index][1] != x.high)
      problems.push_back(format("xmm{}: expected {}, got {}", x.index, format_xmm(x.low, x.high),
                                format_xmm(s.xmm[x.index][0], s.xmm[x.index][1])));
  if (expected.mxcsr && s.mxcsr != *expected.mxcsr)
    problems.push_back(format("mxcsr: expected {:#x}, got {:#x}", *expected.mxcsr, s.mxcsr));
  uint64_t differing = (s.rflags ^ expected.flags_value) & expected.flags_checked & ~expected.undefined_flags;
  for (uint64_t bits = differing; bits; bits &= bits - 1) {
    uint64_t bit = bits & -bits;
    problems.push_back(format("{}: expected {}, got {}", flag_difference(bit), (expected.flags_value & bit) ? 1 : 0,
                                   (s.rflags & bit) ? 1 : 0));
  }
  for (const MemoryChunk& m : expected.memory) {
    const MemoryChunk* actual = chunk_covering(s, m.address, m.bytes.size());
    if (!actual) {
      problems.push_back(format("mem:{:#x}: the outcome does not include these bytes", m.address));
      continue;
    }
    const uint8_t* got = actual->bytes.data() + (m.address - actual->address);
    if (!std::equal(m.bytes.begin(), m.bytes.end(), got))
      problems.push_back(format("mem:{:#x}: expected {}, got {}", m.address,
                                     format_hex_bytes(m.bytes.data(), m.bytes.size()),
                                     format_hex_bytes(got, m.bytes.size())));
  }
  return problems;
}

std::vector<std::string> compare_outcomes(const Outcome& a, std::string_view a_name, const Outcome& b,
                                          std::string_view b_name, uint64_t ignored_flags) {
  std::vector<std::string> problems;
  const MachineState &sa = a.state, &sb = b.state;
  if (a.exception != b.exception)
    problems.push_back(format("exception: {} {}, {} {}", a_name, describe_exception(a.exception), b_name,
                                   describe_exception(b.exception)));
  for (int i = 0; i <= kRipIndex; ++i) {
    uint64_t va = i == kRipIndex ? sa.rip : sa.gpr[i], vb = i == kRipIndex ? sb.rip : sb.gpr[i];
    if (va != vb) problems.push_back(format("{}: {} {:#x}, {} {:#x}", kRegisterNames[i], a_name, va, b_name, vb));
  }
  if (uint64_t differing = (sa.rflags ^ sb.rflags) & ~ignored_flags) {
    std::string names;
    for (uint64_t bits = differing; bits; bits &= bits - 1) names += (names.empty() ? "" : ",") + flag_difference(bits & -bits);
    problems.push_back(format("rflags: {} {:#x}, {} {:#x} (differ in {})", a_name, sa.rflags, b_name, sb.rflags, names));
  }
  for (int i = 0; i < kXmmCount; ++i)
    if (sa.xmm[i][0] != sb.xmm[i][0] || sa.xmm[i][1] != sb.xmm[i][1])
      problems.push_back(format("xmm{}: {} {}, {} {}", i, a_name, format_xmm(sa.xmm[i][0], sa.xmm[i][1]), b_name,
                                format_xmm(sb.xmm[i][0], sb.xmm[i][1])));
  if (sa.mxcsr != sb.mxcsr) problems.push_back(format("mxcsr: {} {:#x}, {} {:#x}", a_name, sa.mxcsr, b_name, sb.mxcsr));
  // Report differing byte runs, a few at most: one wrong store usually explains them all.
  constexpr int kMaxRuns = 8;
  constexpr size_t kMaxRunBytes = 16;
  int runs = 0;
  for (const MemoryChunk& ma : sa.memory) {
    const MemoryChunk* mb = chunk_covering(sb, ma.address, ma.bytes.size());
    if (!mb) {
      problems.push_back(format("mem:{:#x}+{:#x}: only {} reports these bytes", ma.address, ma.bytes.size(), a_name));
      continue;
    }
    const uint8_t* pb = mb->bytes.data() + (ma.address - mb->address);
    for (size_t i = 0; i < ma.bytes.size() && runs < kMaxRuns;) {
      if (ma.bytes[i] == pb[i]) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < ma.bytes.size() && end - i < kMaxRunBytes && ma.bytes[end] != pb[end]) ++end;
      problems.push_back(format("mem:{:#x}: {} {}, {} {}", ma.address + i, a_name,
                                     format_hex_bytes(&ma.bytes[i], end - i), b_name, format_hex_bytes(&pb[i], end - i)));
      ++runs;
      i = end;
    }
  }
  if (runs == kMaxRuns) problems.push_back("(further memory differences not shown)");
  return problems;
}

}  // namespace orcvm::difftest
