#include "difftest/regression.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "difftest/code.h"
#include "difftest/flags.h"
#include "difftest/generator.h"

namespace orcvm::difftest {
namespace {

const MemoryChunk* window_of(const MachineState& s) {
  for (const MemoryChunk& m : s.memory)
    if (m.address == kDataAddress && m.bytes.size() == kDataSize) return &m;
  return nullptr;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

InsnCase expectation_from(const TestCase& test, const Outcome& reference, const Outcome* subject, std::string name) {
  InsnCase c;
  c.test = test;
  c.test.name = std::move(name);
  c.assembly = disassemble_code(test.code);
  for (char& ch : c.assembly)
    if (ch == '"') ch = '\'';
  Expectation& e = c.expected;
  e.exception = reference.exception;
  const MachineState& in = test.input;
  const MachineState& out = reference.state;
  for (int i = 0; i < 16; ++i) {
    const bool changed = out.gpr[i] != in.gpr[i];
    const bool differs = subject && subject->state.gpr[i] != out.gpr[i];
    if (changed || differs) e.registers.push_back({i, out.gpr[i]});
  }
  e.registers.push_back({kRipIndex, out.rip});
  for (int i = 0; i < kXmmCount; ++i) {
    const bool changed = out.xmm[i][0] != in.xmm[i][0] || out.xmm[i][1] != in.xmm[i][1];
    const bool differs = subject && (subject->state.xmm[i][0] != out.xmm[i][0] || subject->state.xmm[i][1] != out.xmm[i][1]);
    if (changed || differs) e.xmm.push_back({i, out.xmm[i][0], out.xmm[i][1]});
  }
  if (out.mxcsr != in.mxcsr || (subject && subject->state.mxcsr != out.mxcsr)) e.mxcsr = out.mxcsr;
  e.undefined_flags = analyse_flags(split_code(test.code), &test.input).at(out.rip);
  e.flags_checked = (rflag::kStatus & ~e.undefined_flags) | rflag::DF;
  e.flags_value = out.rflags & e.flags_checked;
  if (e.flags_checked == 0) e.undefined_flags = 0;
  // Memory: runs of bytes that changed, or where the subject differs.
  const std::vector<uint8_t> before = window_bytes(in);
  const MemoryChunk* after = window_of(out);
  const MemoryChunk* other = subject ? window_of(subject->state) : nullptr;
  if (after) {
    size_t i = 0;
    while (i < kDataSize) {
      auto interesting = [&](size_t k) { return after->bytes[k] != before[k] || (other && other->bytes[k] != after->bytes[k]); };
      if (!interesting(i)) {
        ++i;
        continue;
      }
      size_t end = i + 1;
      while (end < kDataSize && (interesting(end) || (end + 1 < kDataSize && interesting(end + 1)))) ++end;
      e.memory.push_back({kDataAddress + i, std::vector<uint8_t>(after->bytes.begin() + i, after->bytes.begin() + end)});
      i = end;
    }
  }
  return c;
}

std::string regression_name(const TestCase& test) {
  std::string mnemonic = "case";
  const std::vector<CaseInsn> insns = split_code(test.code);
  if (!insns.empty()) {
    InsnFacts f = describe(insns[0].bytes.data(), insns[0].bytes.size());
    if (f.valid) {
      mnemonic = f.name;
      for (char& ch : mnemonic) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  InsnCase c;
  c.test = test;
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08llx", static_cast<unsigned long long>(fnv1a(print_case(c)) & 0xffffffff));
  return mnemonic + "_" + hash;
}

std::filesystem::path write_regression(const std::filesystem::path& dir, const InsnCase& c,
                                       const std::vector<std::string>& header) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / (c.test.name + ".cases");
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  for (const std::string& h : header) out << "# " << h << "\n";
  out << print_case(c) << "\n";
  return path;
}

KnownFailures KnownFailures::load(const std::filesystem::path& path) {
  KnownFailures k;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    k.patterns.push_back(line.substr(start));
    k.compiled.emplace_back(k.patterns.back());
  }
  return k;
}

const std::string* KnownFailures::match(const std::string& text) const {
  for (size_t i = 0; i < patterns.size(); ++i)
    if (std::regex_search(text, compiled[i])) return &patterns[i];
  return nullptr;
}

ReplayReport replay(const std::filesystem::path& dir, const std::vector<Oracle*>& oracles, const AllowList& allow,
                    const KnownFailures& known) {
  ReplayReport report;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::exists(dir))
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
      if (entry.path().extension() == ".cases") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (Oracle* o : oracles)
    if (!o->unavailable().empty()) report.notes.push_back(o->name() + ": skipped: " + o->unavailable());
  for (const auto& file : files) {
    ++report.files;
    std::vector<InsnCase> cases;
    try {
      cases = parse_case_file(file);
    } catch (const std::exception& e) {
      report.failures.push_back(e.what());
      ++report.failed;
      continue;
    }
    for (const InsnCase& c : cases) {
      ++report.cases;
      std::vector<std::string> problems;
      std::vector<OracleRun> runs;
      for (Oracle* o : oracles) {
        if (!o->unavailable().empty()) continue;
        if (o->kind() == OracleKind::Hardware && c.host_skip_reason) {
          report.notes.push_back(c.origin + ": " + o->name() + " skipped: " + *c.host_skip_reason);
          continue;
        }
        OracleResult r = o->run(c.test);
        if (r.status != OracleResult::Status::Ok) {
          problems.push_back(o->name() + ": " + r.message);
        } else {
          for (const std::string& p : check(c.expected, r.outcome)) problems.push_back(o->name() + ": " + p);
        }
        runs.push_back({o->name(), o->kind(), std::move(r)});
      }
      Verdict v = judge(c.test, runs, allow, "");
      for (const Mismatch& m : v.mismatches)
        for (const std::string& l : m.lines) problems.push_back(m.reference + " vs " + m.subject + ": " + l);
      if (problems.empty()) {
        ++report.passed;
        continue;
      }
      std::string text = c.origin + ": " + c.test.name + " \"" + c.assembly + "\"";
      for (const std::string& p : problems) text += "\n  " + p;
      // Known orcvm bugs: only when every hardware oracle agreed with the file.
      bool hardware_ok = true;
      for (const std::string& p : problems)
        if (p.starts_with("host:") || p.starts_with("kvm:")) hardware_ok = false;
      bool is_known = known.match("regression " + c.test.name) != nullptr;
      for (const Mismatch& m : v.mismatches) is_known |= known.match(m.signature) != nullptr;
      if (hardware_ok && is_known) {
        ++report.known;
        report.known_failures.push_back(text);
      } else {
        ++report.failed;
        report.failures.push_back(text);
      }
    }
  }
  return report;
}

}  // namespace orcvm::difftest
