#include "difftest/campaign.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include "difftest/compare.h"
#include "difftest/generator.h"
#include "difftest/host_batch.h"
#include "difftest/minimise.h"
#include "difftest/oracle.h"
#include "difftest/regression.h"

namespace orcvm::difftest {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Batch {
  std::vector<GeneratedCase> cases;
};

// Runs cases on the oracles: the host's child works through them while orcvm runs them
// here.
std::vector<std::vector<OracleResult>> run_oracles(const std::vector<Oracle*>& oracles,
                                                   const std::vector<const TestCase*>& cases) {
  std::vector<std::vector<OracleResult>> results(oracles.size());
  for (size_t i = 0; i < oracles.size(); ++i) oracles[i]->start(cases);
  for (size_t i = 0; i < oracles.size(); ++i) results[i] = oracles[i]->finish();
  return results;
}

}  // namespace

CampaignResult run_campaign(const CampaignOptions& options, std::ostream& out) {
  const auto start_time = Clock::now();
  CampaignResult result;
  const AllowList allow = options.allowlist.empty() ? AllowList::builtin() : AllowList::load(options.allowlist);
  const KnownFailures known = options.known_failures.empty() ? KnownFailures{} : KnownFailures::load(options.known_failures);

  std::vector<std::unique_ptr<Oracle>> owned;
  std::vector<Oracle*> oracles;
  for (const std::string& name : options.oracles) {
    auto o = make_oracle(name);
    if (!o->unavailable().empty()) {
      result.skipped_oracles.push_back(name + ": skipped: " + o->unavailable());
      out << name << ": skipped: " << o->unavailable() << "\n";
      continue;
    }
    oracles.push_back(o.get());
    owned.push_back(std::move(o));
  }
  if (oracles.size() < 2) {
    out << "fewer than two oracles can run: nothing to compare\n";
    result.oracle_errors = 1;
    return result;
  }

  GeneratorOptions gen_options;
  gen_options.mnemonics = options.mnemonics;
  gen_options.variants = options.variants;
  Generator generator(gen_options);
  if (generator.selected_forms().empty()) {
    out << "no operand form matches the mnemonic filter\n";
    result.oracle_errors = 1;
    return result;
  }

  const uint64_t total = options.count + options.sequences;
  uint64_t singles_done = 0, sequences_done = 0;
  uint64_t single_family = 0, bytes_family = 0, sequence_family = 0, family_counter = 0;
  std::map<std::string, std::pair<GeneratedCase, Mismatch>> first_of_signature;
  std::vector<std::string> signature_order;
  std::vector<std::string> errors_shown;
  auto last_progress = Clock::now();
  const bool tty = isatty(STDERR_FILENO);

  auto progress_line = [&](bool final) {
    if (!options.progress) return;
    if (!final && seconds_since(last_progress) < (tty ? 0.5 : 10.0)) return;
    last_progress = Clock::now();
    const double s = seconds_since(start_time);
    char line[256];
    std::snprintf(line, sizeof line,
                  "[%llu/%llu cases, %.0f/s] mismatches %llu, known %llu, explained %llu, errors %llu, %.0fs",
                  static_cast<unsigned long long>(result.cases), static_cast<unsigned long long>(total),
                  result.cases / std::max(s, 1e-3), static_cast<unsigned long long>(result.mismatching_cases),
                  static_cast<unsigned long long>(result.known_cases), static_cast<unsigned long long>(result.explained),
                  static_cast<unsigned long long>(result.oracle_errors), s);
    std::cerr << (tty ? "\r" : "") << line << (tty && !final ? "" : "\n") << std::flush;
  };

  while (singles_done < options.count || sequences_done < options.sequences) {
    // A batch: whole families, at most HostBatch::kMaxBatch cases.
    std::vector<GeneratedCase> batch;
    while (batch.size() + options.variants <= HostBatch::kMaxBatch || batch.empty()) {
      std::vector<GeneratedCase> family;
      if (singles_done < options.count) {
        const bool from_bytes = (family_counter * 37) % 100 < options.bytes_percent;
        family = from_bytes ? generator.bytes(options.seed, bytes_family++) : generator.single(options.seed, single_family++);
        ++family_counter;
        if (family.size() > options.count - singles_done) family.resize(options.count - singles_done);
        singles_done += family.size();
        if (family.empty()) ++singles_done;  // no instruction could be made for this form: move on
      } else if (sequences_done < options.sequences) {
        family = generator.sequence(options.seed, sequence_family++);
        if (family.size() > options.sequences - sequences_done) family.resize(options.sequences - sequences_done);
        sequences_done += family.size();
        if (family.empty()) ++sequences_done;
      } else {
        break;
      }
      if (!family.empty()) ++result.families;
      for (GeneratedCase& c : family) batch.push_back(std::move(c));
    }
    if (batch.empty()) continue;
    std::vector<const TestCase*> tests;
    for (const GeneratedCase& c : batch) {
      tests.push_back(&c.test);
      result.coverage.add(c.test.code);
    }
    std::vector<std::vector<OracleResult>> results = run_oracles(oracles, tests);

    for (size_t k = 0; k < batch.size(); ++k) {
      ++result.cases;
      const GeneratedCase& c = batch[k];
      std::vector<OracleRun> runs;
      bool all_timed_out = true;
      for (size_t i = 0; i < oracles.size(); ++i) {
        all_timed_out &= results[i][k].status == OracleResult::Status::Timeout;
        runs.push_back({oracles[i]->name(), oracles[i]->kind(), std::move(results[i][k])});
      }
      if (all_timed_out) ++result.timeouts;
      Verdict v = judge(c.test, runs, allow, c.form);
      if (!v.errors.empty()) {
        ++result.oracle_errors;
        for (const std::string& e : v.errors)
          if (errors_shown.size() < 10) {
            errors_shown.push_back(e);
            out << "oracle error: " << e << "\n";
          }
      }
      if (!v.explained_by.empty()) {
        ++result.explained;
        for (const std::string& id : std::set<std::string>(v.explained_by.begin(), v.explained_by.end()))
          ++result.explained_by[id];
      }
      if (v.mismatches.empty()) continue;
      bool unexplained = false;
      for (const Mismatch& m : v.mismatches) {
        const std::string* pattern = known.match(m.signature);
        if (pattern) {
          ++result.known_signatures[m.signature];
          continue;
        }
        unexplained = true;
        if (result.signatures[m.signature]++ == 0) {
          signature_order.push_back(m.signature);
          first_of_signature.emplace(m.signature, std::make_pair(c, m));
          if (signature_order.size() <= options.max_reports) {
            out << describe_mismatch(c.test, m) << "  (seed " << options.seed << ", " << case_kind_name(c.kind)
                << " family " << c.family << ")\n";
          }
        }
      }
      if (unexplained) ++result.mismatching_cases;
      else ++result.known_cases;
    }
    progress_line(false);
  }
  progress_line(true);

  if (options.minimise && !signature_order.empty()) {
    size_t minimised = 0;
    std::set<std::string> done;  // one regression per bug, whichever orcvm mode showed it
    for (const std::string& signature : signature_order) {
      const auto& [c, m] = first_of_signature.at(signature);
      // One regression per form and difference, whichever oracles showed it (the
      // hardware-referenced comparison comes first).
      const std::string key = signature.substr(signature.find(' ') + 1);
      if (!done.insert(key).second) continue;
      if (minimised++ >= options.max_minimise) break;
      Oracle* reference = nullptr;
      Oracle* subject = nullptr;
      for (Oracle* o : oracles) {
        if (o->name() == m.reference) reference = o;
        if (o->name() == m.subject) subject = o;
      }
      if (!reference || !subject) continue;
      const std::set<std::string> fields(m.fields.begin(), m.fields.end());
      auto judge_pair = [&](const TestCase& t, std::vector<OracleRun>* keep) -> std::optional<Mismatch> {
        std::vector<OracleRun> runs = {{reference->name(), reference->kind(), reference->run(t)},
                                       {subject->name(), subject->kind(), subject->run(t)}};
        Verdict v = judge(t, runs, allow, c.form);
        if (keep) *keep = std::move(runs);
        // The same difference: the same exception difference if there was one, else a
        // field in common (the same register, flags, memory...).
        std::string exception_field;
        for (const std::string& f : m.fields)
          if (f.starts_with("exception:") || f == "timeout") exception_field = f;
        for (const Mismatch& mm : v.mismatches) {
          if (!exception_field.empty()) {
            if (std::find(mm.fields.begin(), mm.fields.end(), exception_field) != mm.fields.end()) return mm;
            continue;
          }
          for (const std::string& f : mm.fields)
            if (fields.count(f) || (f.starts_with("flags:") && m.signature.find("flags:") != std::string::npos))
              return mm;
        }
        return std::nullopt;
      };
      MinimiseStats stats;
      TestCase small = minimise(c.test, [&](const TestCase& t) { return judge_pair(t, nullptr).has_value(); }, 600, &stats);
      std::vector<OracleRun> runs;
      std::optional<Mismatch> final_mismatch = judge_pair(small, &runs);
      if (!final_mismatch || runs[0].result.status != OracleResult::Status::Ok ||
          runs[1].result.status != OracleResult::Status::Ok) {
        out << "minimise: " << signature << ": the minimised case no longer fails reproducibly; not written\n";
        continue;
      }
      // The expectation is what the hardware does, when a hardware oracle ran.
      const Outcome* expected = &runs[0].result.outcome;
      std::string expected_name = reference->name();
      OracleResult hardware;
      if (reference->kind() != OracleKind::Hardware)
        for (Oracle* o : oracles)
          if (o->kind() == OracleKind::Hardware) {
            hardware = o->run(small);
            if (hardware.status != OracleResult::Status::Ok) break;
            expected = &hardware.outcome;
            expected_name = o->name();
            break;
          }
      const std::string name = regression_name(small);
      InsnCase line = expectation_from(small, *expected, &runs[1].result.outcome, name);
      std::vector<std::string> header = {
          "Found by orcvm-difftest --seed " + std::to_string(options.seed) + " (" + std::string(case_kind_name(c.kind)) +
              " family " + std::to_string(c.family) + ", case " + c.test.name + "), minimised in " +
              std::to_string(stats.runs) + " runs from " + std::to_string(stats.instructions_before) + " to " +
              std::to_string(stats.instructions_after) + " instructions.",
          "Expected: what " + expected_name + " does. " + reference->name() + " and " + subject->name() + " differed:"};
      for (const std::string& l : final_mismatch->lines) header.push_back("  " + l);
      try {
        auto path = write_regression(options.regression_dir, line, header);
        result.regressions.push_back(path);
        out << "minimised " << signature << " -> " << path.string() << "\n";
      } catch (const std::exception& e) {
        out << "minimise: " << e.what() << "\n";
      }
    }
  }

  result.seconds = seconds_since(start_time);
  // Summary.
  out << "\n" << result.cases << " cases (" << result.families << " codes) on";
  for (Oracle* o : oracles) out << " " << o->name();
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", result.seconds);
  out << " in " << seconds << " s, seed " << options.seed << "\n";
  for (const std::string& s : result.skipped_oracles) out << "  " << s << "\n";
  out << "  unexplained mismatches: " << result.mismatching_cases << " cases, " << result.signatures.size()
      << " distinct\n";
  for (const std::string& s : signature_order) out << "    " << result.signatures[s] << "x " << s << "\n";
  if (!result.known_signatures.empty()) {
    out << "  known orcvm bugs (" << options.known_failures.string() << "): " << result.known_cases << " cases\n";
    for (const auto& [s, n] : result.known_signatures) out << "    " << n << "x " << s << "\n";
  }
  out << "  explained by the allow-list: " << result.explained << " cases\n";
  for (const auto& [id, n] : result.explained_by) out << "    " << n << "x " << id << "\n";
  out << "  oracle errors: " << result.oracle_errors << ", cases no oracle finished: " << result.timeouts << "\n";
  out << "  " << result.coverage.report(options.coverage_details);
  return result;
}

}  // namespace orcvm::difftest
