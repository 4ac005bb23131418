#pragma once
// Regression files (tests/regressions/*.cases): one minimised case per file, in the case
// format (difftest/case_format.h), with comment lines saying how it was found and what
// differed. The expected side is the hardware oracle's outcome: RIP, the exception, every
// register the case changed or that orcvm got wrong, the status flags the case defines
// (undefined ones go to undef=), DF, and the memory bytes that changed or differed.
// Replaying checks that expectation on every oracle and compares the oracles with each
// other as a campaign does.
#include <filesystem>
#include <regex>
#include <iosfwd>
#include <string>
#include <vector>

#include "difftest/allowlist.h"
#include "difftest/case_format.h"
#include "difftest/compare.h"
#include "difftest/oracle.h"

namespace orcvm::difftest {

// The case line for `test` asserting `reference`'s outcome; `subject` (optional) adds the
// registers and bytes where it differs.
InsnCase expectation_from(const TestCase& test, const Outcome& reference, const Outcome* subject, std::string name);

// Writes <dir>/<name>.cases and returns its path. `header` lines become '#' comments.
std::filesystem::path write_regression(const std::filesystem::path& dir, const InsnCase& c,
                                       const std::vector<std::string>& header);

// A name for a regression: the first instruction's mnemonic and a hash of the case
// ("shld_3fa2b1c0").
std::string regression_name(const TestCase& test);

// Known orcvm bugs: one regex per line (ECMAScript syntax; lines starting with '#' are
// comments); a mismatch
// whose signature ("host/jit lock add m32, r32: exception") or regression case name the
// regex finds is reported as a known orcvm bug rather than failing.
struct KnownFailures {
  std::vector<std::string> patterns;
  std::vector<std::regex> compiled;
  static KnownFailures load(const std::filesystem::path& path);
  const std::string* match(const std::string& text) const;
};

struct ReplayReport {
  int files = 0, cases = 0, passed = 0, failed = 0, known = 0, skipped = 0;
  std::vector<std::string> failures;  // one report per failing case
  std::vector<std::string> known_failures;
  std::vector<std::string> notes;     // skipped oracles, host=skip reasons
};

// Replays every *.cases file under dir (sorted) on the oracles.
ReplayReport replay(const std::filesystem::path& dir, const std::vector<Oracle*>& oracles, const AllowList& allow,
                    const KnownFailures& known);

}  // namespace orcvm::difftest
