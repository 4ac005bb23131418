#include "difftest/compare.h"

#include <algorithm>
#include <cstdio>

#include "difftest/case_format.h"
#include "difftest/code.h"
#include "difftest/flags.h"

namespace orcvm::difftest {
namespace {

std::string hex(uint64_t v) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%#llx", static_cast<unsigned long long>(v));
  return v == 0 ? "0x0" : buffer;
}

std::string hex_bytes(const uint8_t* p, size_t n) {
  std::string out;
  char buffer[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", p[i]);
    out += buffer;
  }
  return out;
}

std::string describe(const std::optional<ExceptionRecord>& e) { return e ? format_exception(*e) : "no exception"; }

const MemoryChunk* window_of(const MachineState& s) {
  for (const MemoryChunk& m : s.memory)
    if (m.address == kDataAddress && m.bytes.size() == kDataSize) return &m;
  return nullptr;
}

bool exceptions_differ(const Outcome& a, const Outcome& b, const Ignore& ignore) {
  if (ignore.exception || ignore.all) return false;
  if (ignore.fault_order && a.exception && b.exception) return false;
  if (a.exception.has_value() != b.exception.has_value()) return true;
  if (!a.exception) return false;
  if (a.exception->vector != b.exception->vector) return true;
  return ((a.exception->error_code ^ b.exception->error_code) & ~ignore.error_code_bits) != 0;
}

// XMMi differs, beyond what `ignore` allows.
bool xmm_differs(const MachineState& a, const MachineState& b, int i, const Ignore& ignore) {
  if (ignore.xmm & (1u << i)) return false;
  if (!(ignore.approximate_xmm & (1u << i))) return a.xmm[i][0] != b.xmm[i][0] || a.xmm[i][1] != b.xmm[i][1];
  for (int lane = 0; lane < 4; ++lane) {
    const auto x = static_cast<uint32_t>(a.xmm[i][lane / 2] >> (32 * (lane % 2)));
    const auto y = static_cast<uint32_t>(b.xmm[i][lane / 2] >> (32 * (lane % 2)));
    if (!approximately_equal(x, y)) return true;
  }
  return false;
}

bool mxcsr_differs(const MachineState& a, const MachineState& b, const Ignore& ignore) {
  return !ignore.mxcsr && a.mxcsr != b.mxcsr;
}

}  // namespace

std::vector<std::string> diff_outcomes(const Outcome& a, std::string_view an, const Outcome& b, std::string_view bn,
                                       const Ignore& ignore) {
  std::vector<std::string> out;
  const std::string A(an), B(bn);
  if (exceptions_differ(a, b, ignore))
    out.push_back("exception: " + A + " " + describe(a.exception) + ", " + B + " " + describe(b.exception));
  for (int i = 0; i <= kRipIndex; ++i) {
    if (ignore.registers & (1u << i)) continue;
    const uint64_t va = i == kRipIndex ? a.state.rip : a.state.gpr[i], vb = i == kRipIndex ? b.state.rip : b.state.gpr[i];
    if ((va ^ vb) & ~ignore.register_bits[i])
      out.push_back(std::string(register_name(i)) + ": " + A + " " + hex(va) + ", " + B + " " + hex(vb));
  }
  if (const uint64_t differ = (a.state.rflags ^ b.state.rflags) & ~ignore.flags)
    out.push_back("rflags: " + A + " " + hex(a.state.rflags) + ", " + B + " " + hex(b.state.rflags) + " (differ in " +
                  format_flags(differ) + ")");
  for (int i = 0; i < kXmmCount; ++i)
    if (xmm_differs(a.state, b.state, i, ignore))
      out.push_back("xmm" + std::to_string(i) + ": " + A + " " + format_xmm(a.state.xmm[i][0], a.state.xmm[i][1]) + ", " +
                    B + " " + format_xmm(b.state.xmm[i][0], b.state.xmm[i][1]));
  if (mxcsr_differs(a.state, b.state, ignore))
    out.push_back("mxcsr: " + A + " " + hex(a.state.mxcsr) + ", " + B + " " + hex(b.state.mxcsr));
  if (!ignore.memory) {
    const MemoryChunk *ma = window_of(a.state), *mb = window_of(b.state);
    if (!ma || !mb) {
      if (ma != mb) out.push_back("memory: only " + (ma ? A : B) + " reports the data window");
    } else {
      int runs = 0;
      for (size_t i = 0; i < kDataSize;) {
        if (ma->bytes[i] == mb->bytes[i]) {
          ++i;
          continue;
        }
        if (++runs > 6) {
          out.push_back("(further memory differences not shown)");
          break;
        }
        size_t end = i;
        while (end < kDataSize && end - i < 16 && ma->bytes[end] != mb->bytes[end]) ++end;
        out.push_back("mem:" + hex(kDataAddress + i) + ": " + A + " " + hex_bytes(&ma->bytes[i], end - i) + ", " + B +
                      " " + hex_bytes(&mb->bytes[i], end - i));
        i = end;
      }
    }
  }
  return out;
}

std::string vector_name(const std::optional<ExceptionRecord>& e) {
  if (!e) return "none";
  std::string s = format_exception(*e);
  return s.substr(0, s.find('('));
}

std::vector<std::string> differing_fields(const Outcome& a, const Outcome& b, const Ignore& ignore) {
  std::vector<std::string> out;
  if (ignore.all) return out;
  if (exceptions_differ(a, b, ignore)) out.push_back("exception:" + vector_name(a.exception) + "/" + vector_name(b.exception));
  for (int i = 0; i <= kRipIndex; ++i) {
    if (ignore.registers & (1u << i)) continue;
    const uint64_t va = i == kRipIndex ? a.state.rip : a.state.gpr[i], vb = i == kRipIndex ? b.state.rip : b.state.gpr[i];
    if ((va ^ vb) & ~ignore.register_bits[i]) out.push_back(std::string(register_name(i)));
  }
  if (const uint64_t differ = (a.state.rflags ^ b.state.rflags) & ~ignore.flags) out.push_back("flags:" + format_flags(differ));
  for (int i = 0; i < kXmmCount; ++i)
    if (xmm_differs(a.state, b.state, i, ignore)) out.push_back("xmm" + std::to_string(i));
  if (mxcsr_differs(a.state, b.state, ignore)) out.push_back("mxcsr");
  if (!ignore.memory) {
    const MemoryChunk *ma = window_of(a.state), *mb = window_of(b.state);
    if ((ma == nullptr) != (mb == nullptr) || (ma && ma->bytes != mb->bytes)) out.push_back("memory");
  }
  return out;
}

Verdict judge(const TestCase& test, const std::vector<OracleRun>& runs, const AllowList& allow,
              std::string_view subject_form) {
  Verdict v;
  auto usable = [](const OracleRun& r) { return r.result.status != OracleResult::Status::Error; };
  for (const OracleRun& r : runs)
    if (!usable(r)) v.errors.push_back(r.result.message);
  const OracleRun* reference = nullptr;
  for (const OracleRun& r : runs)
    if (r.kind == OracleKind::Hardware && usable(r)) {
      reference = &r;
      break;
    }
  const OracleRun* first_orcvm = nullptr;
  for (const OracleRun& r : runs)
    if (r.kind == OracleKind::Orcvm && usable(r)) {
      first_orcvm = &r;
      break;
    }
  if (!reference) reference = first_orcvm;
  if (!reference) return v;

  std::optional<FlagAnalysis> analysis;
  auto compare = [&](const OracleRun& ref, const OracleRun& sub) {
    const OracleResult &a = ref.result, &b = sub.result;
    const bool a_timeout = a.status == OracleResult::Status::Timeout, b_timeout = b.status == OracleResult::Status::Timeout;
    Mismatch m;
    m.reference = ref.name;
    m.subject = sub.name;
    if (a_timeout || b_timeout) {
      if (a_timeout && b_timeout) return;
      m.lines.push_back("end: " + ref.name + (a_timeout ? " did not end (" + a.message + ")" : " ended") + ", " + sub.name +
                        (b_timeout ? " did not end (" + b.message + ")" : " ended"));
      m.fields.push_back("timeout");
    } else {
      Ignore ignore;
      const bool hardware = ref.kind == OracleKind::Hardware || sub.kind == OracleKind::Hardware;
      if (hardware) {
        if (!analysis) analysis = analyse_flags(split_code(test.code), &test.input);
        ignore.flags = analysis->at(a.outcome.state.rip) | analysis->at(b.outcome.state.rip);
        m.masked_flags = ignore.flags;
      }
      m.fields = differing_fields(a.outcome, b.outcome, ignore);
      if (m.fields.empty()) return;
      {
        const std::string& hw = !hardware ? std::string("orcvm") : ref.kind == OracleKind::Hardware ? ref.name : sub.name;
        Ignore widened = ignore;
        std::vector<const AllowEntry*> entries = allow.matching(test, hw, &widened);
        if (!entries.empty() && differing_fields(a.outcome, b.outcome, widened).empty()) {
          // Credit the entries that made a difference on their own.
          for (const AllowEntry* e : entries) {
            Ignore one = ignore;
            allow.apply(*e, test, one);
            if (differing_fields(a.outcome, b.outcome, one).size() < m.fields.size()) v.explained_by.push_back(e->id);
          }
          return;
        }
      }
      m.lines = diff_outcomes(a.outcome, ref.name, b.outcome, sub.name, ignore);
    }
    std::string fields;
    for (const std::string& f : m.fields) fields += (fields.empty() ? "" : " ") + f;
    std::string form(subject_form);
    if (form.empty()) {
      // A sequence: name the instruction where the oracles' runs visibly parted, if an
      // exception did (the faulting instruction of either side).
      form = "sequence";
      if (!a_timeout && !b_timeout && a.outcome.exception != b.outcome.exception) {
        const std::vector<CaseInsn> insns = split_code(test.code);
        uint64_t offset = 0;
        for (const CaseInsn& in : insns) {
          const uint64_t at = kCodeAddress + offset;
          if ((a.outcome.exception && a.outcome.state.rip == at) || (b.outcome.exception && b.outcome.state.rip == at)) {
            form += "@" + describe(in.bytes.data(), in.bytes.size()).form;
            break;
          }
          offset += in.bytes.size();
        }
      }
    }
    m.signature = ref.name + "/" + sub.name + " " + form + ": " + fields;
    v.mismatches.push_back(std::move(m));
  };
  for (const OracleRun& r : runs) {
    if (&r == reference || !usable(r)) continue;
    compare(*reference, r);
    if (r.kind == OracleKind::Orcvm && first_orcvm && &r != first_orcvm && reference != first_orcvm)
      compare(*first_orcvm, r);
  }
  return v;
}

std::string describe_mismatch(const TestCase& test, const Mismatch& m) {
  std::string out = "MISMATCH " + m.reference + " vs " + m.subject + " in case " + test.name + "\n";
  out += "  code:  " + disassemble_code(test.code) + "\n";
  InsnCase c;
  c.test = test;
  std::string line = print_case(c);
  out += "  case:  " + line + "\n";
  if (m.masked_flags) out += "  masked (undefined here): " + format_flags(m.masked_flags) + "\n";
  for (const std::string& l : m.lines) out += "  " + l + "\n";
  return out;
}

}  // namespace orcvm::difftest
