#pragma once
// A differential-testing campaign: generated cases (difftest/generator.h) run on every
// oracle, judged (difftest/compare.h), mismatches grouped by signature, optionally
// minimised and written as regression files, and a coverage report.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "difftest/coverage.h"

namespace orcvm::difftest {

struct CampaignOptions {
  uint64_t seed = 1;
  uint64_t count = 0;            // single-instruction cases (encoder-built and random bytes)
  uint64_t sequences = 0;        // sequence cases
  unsigned bytes_percent = 20;   // share of the single-instruction cases made from random bytes
  unsigned variants = 8;         // input states per generated code
  std::vector<std::string> oracles = {"host", "interp", "jit"};
  std::vector<std::string> mnemonics;  // only these; empty: all
  bool progress = false;         // a progress line on stderr
  bool minimise = false;
  std::filesystem::path regression_dir = "tests/regressions";
  std::filesystem::path allowlist;       // empty: the checked-in difftest/allowlist.txt
  std::filesystem::path known_failures;  // empty: none
  size_t max_reports = 10;       // distinct mismatch signatures shown in full
  size_t max_minimise = 10;      // distinct signatures minimised
  bool coverage_details = false;
};

struct CampaignResult {
  uint64_t cases = 0, families = 0;
  uint64_t mismatching_cases = 0;  // unexplained, not known
  uint64_t known_cases = 0;        // mismatches listed as known orcvm bugs
  uint64_t explained = 0;          // differences the allow-list explained
  uint64_t oracle_errors = 0;
  uint64_t timeouts = 0;           // cases no oracle finished (all timed out: agreeing)
  std::map<std::string, uint64_t> signatures;        // unexplained mismatch signature -> cases
  std::map<std::string, uint64_t> known_signatures;  // known-bug signature -> cases
  std::map<std::string, uint64_t> explained_by;      // allow-list id -> cases
  std::vector<std::filesystem::path> regressions;
  std::vector<std::string> skipped_oracles;          // "kvm: skipped: no /dev/kvm"
  Coverage coverage;
  double seconds = 0;
  int exit_code() const { return mismatching_cases == 0 && oracle_errors == 0 ? 0 : 1; }
};

CampaignResult run_campaign(const CampaignOptions& options, std::ostream& out);

}  // namespace orcvm::difftest
