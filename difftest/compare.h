#pragma once
// Comparing oracles' outcomes of one case. A hardware oracle (host, KVM) and orcvm
// are compared with the flags the case leaves undefined masked (difftest/flags.h) and
// with the allow-list's entries applied; two orcvm oracles must agree exactly, since
// orcvm picks one behaviour for every undefined result. What remains is a mismatch,
// reported as a readable diff.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "difftest/allowlist.h"
#include "difftest/oracle.h"
#include "difftest/oracle_result.h"
#include "difftest/testcase.h"

namespace orcvm::difftest {

// One line per difference: "rax: host 0x1, jit 0x2", "rflags: ... (differ in CF)",
// "mem:0x20010: host 0102, jit 0103", "exception: host #UD, jit no exception".
std::vector<std::string> diff_outcomes(const Outcome& a, std::string_view a_name, const Outcome& b,
                                       std::string_view b_name, const Ignore& ignore);
// Field names of the differences ("rax", "flags:CF", "memory", "exception:#PF/#GP"), for
// grouping.
std::vector<std::string> differing_fields(const Outcome& a, const Outcome& b, const Ignore& ignore);

struct OracleRun {
  std::string name;
  OracleKind kind;
  OracleResult result;
};

struct Mismatch {
  std::string reference, subject;  // oracle names
  std::vector<std::string> lines;  // the differences left after masking and the allow-list
  std::vector<std::string> fields;
  uint64_t masked_flags = 0;       // undefined flags masked in this comparison
  std::string signature;           // "host/jit shl r16, cl: flags:OF rax", "host/interp
                                   // sequence@lodsd: exception:#GP/#AC"
};

struct Verdict {
  std::vector<Mismatch> mismatches;        // unexplained
  std::vector<std::string> explained_by;   // allow-list ids that explained a difference
  std::vector<std::string> errors;         // oracles that produced no outcome (not timeouts)
  bool ok() const { return mismatches.empty(); }
};

// Compares every oracle with the reference (the first hardware oracle that produced an
// outcome, else the first oracle), and every further orcvm oracle with the first one.
// `subject_form`: the operand form under test, for the mismatch signature ("" for a
// sequence).
Verdict judge(const TestCase& test, const std::vector<OracleRun>& runs, const AllowList& allow,
              std::string_view subject_form = "");

// A report of a mismatch: the case (as a case-format line with its input), its code in
// Intel syntax, the masked flags and the differences.
std::string describe_mismatch(const TestCase& test, const Mismatch& m);

}  // namespace orcvm::difftest
