// orcvm-difftest: differential testing of orcvm against the host CPU, KVM and itself
// (docs/difftest.md).
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "difftest/campaign.h"
#include "difftest/case_format.h"
#include "difftest/code.h"
#include "difftest/generator.h"
#include "difftest/oracle.h"
#include "difftest/regression.h"

namespace po = boost::program_options;
using namespace orcvm::difftest;

namespace {

uint64_t fresh_seed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) | device();
}

constexpr int kExitUsage = 2;

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

int replay_command(const std::string& dir, const std::vector<std::string>& names, const std::string& allowlist,
                   const std::string& known_file) {
  std::vector<std::unique_ptr<Oracle>> owned;
  std::vector<Oracle*> oracles;
  for (const std::string& n : names) {
    owned.push_back(make_oracle(n));
    oracles.push_back(owned.back().get());
  }
  const AllowList allow = allowlist.empty() ? AllowList::builtin() : AllowList::load(allowlist);
  const KnownFailures known = known_file.empty() ? KnownFailures{} : KnownFailures::load(known_file);
  ReplayReport r = replay(dir, oracles, allow, known);
  for (const std::string& n : r.notes) std::cout << n << "\n";
  for (const std::string& f : r.failures) std::cout << "FAIL " << f << "\n";
  for (const std::string& f : r.known_failures) std::cout << "KNOWN " << f << "\n";
  std::cout << r.files << " files, " << r.cases << " cases: " << r.passed << " passed, " << r.failed << " failed, "
            << r.known << " known orcvm bugs\n";
  return r.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("Usage: orcvm-difftest [options]\nOptions");
  options.add_options()
      ("help,h", "show this help")
      ("seed", po::value<uint64_t>(), "random seed: the same seed makes the same cases (default: a fresh one, printed)")
      ("count", po::value<uint64_t>()->default_value(0), "single-instruction cases (encoder-built and random bytes)")
      ("sequences", po::value<uint64_t>()->default_value(0), "cases of 2-20 instructions")
      ("oracles", po::value<std::string>()->default_value("host,interp,jit"),
       "comma separated: host, kvm, kvm-pvm, interp, jit, oneinsn, nochain (the first hardware oracle is the "
       "reference)")
      ("mnemonics", po::value<std::string>(), "only these mnemonics, comma separated (e.g. ADD,SHL)")
      ("variants", po::value<unsigned>()->default_value(8), "input states per generated code")
      ("bytes-percent", po::value<unsigned>()->default_value(20),
       "share of single-instruction cases made from random bytes (the rest: the encoder)")
      ("progress", "show a progress line")
      ("minimise", "shrink each distinct mismatch and write it as a regression file")
      ("regressions", po::value<std::string>()->default_value("tests/regressions"),
       "where --minimise writes regression files")
      ("max-minimise", po::value<size_t>()->default_value(10), "distinct mismatches to minimise at most")
      ("max-reports", po::value<size_t>()->default_value(10), "distinct mismatches to print in full")
      ("replay", po::value<std::string>(), "replay every .cases file under DIR on the oracles instead")
      ("allowlist", po::value<std::string>(), "allow-list file (default: the checked-in difftest/allowlist.txt)")
      ("known-failures", po::value<std::string>(), "file of known orcvm bugs: matching mismatches do not fail the run")
      ("coverage", "list the mnemonics and operand forms the run did not exercise")
      ("list-forms", "print every operand form orcvm implements (the coverage denominator) and exit")
      ("print-cases", "print the generated cases in the case format instead of running them");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "orcvm-difftest: " << e.what() << "\n" << options;
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << options;
    return 0;
  }
  try {
    if (vm.count("list-forms")) {
      for (const OperandForm& f : Generator::all_forms()) std::cout << f.mnemonic << "\t" << f.key << "\n";
      return 0;
    }
    const std::vector<std::string> oracle_list = split_list(vm["oracles"].as<std::string>());
    for (const std::string& o : oracle_list)
      if (std::find(oracle_names().begin(), oracle_names().end(), o) == oracle_names().end()) {
        std::cerr << "orcvm-difftest: unknown oracle '" << o << "' (known: host, kvm, kvm-pvm, interp, jit, oneinsn, nochain)\n";
        return kExitUsage;
      }
    const std::string allowlist = vm.count("allowlist") ? vm["allowlist"].as<std::string>() : "";
    const std::string known = vm.count("known-failures") ? vm["known-failures"].as<std::string>() : "";
    if (vm.count("replay")) return replay_command(vm["replay"].as<std::string>(), oracle_list, allowlist, known);

    CampaignOptions c;
    c.seed = vm.count("seed") ? vm["seed"].as<uint64_t>() : fresh_seed();
    if (!vm.count("seed")) std::cout << "seed " << c.seed << " (fresh; --seed " << c.seed << " repeats this run)\n";
    c.count = vm["count"].as<uint64_t>();
    c.sequences = vm["sequences"].as<uint64_t>();
    c.oracles = oracle_list;
    if (vm.count("mnemonics")) c.mnemonics = split_list(vm["mnemonics"].as<std::string>());
    c.variants = vm["variants"].as<unsigned>();
    c.bytes_percent = vm["bytes-percent"].as<unsigned>();
    c.progress = vm.count("progress") > 0;
    c.minimise = vm.count("minimise") > 0;
    c.regression_dir = vm["regressions"].as<std::string>();
    c.max_minimise = vm["max-minimise"].as<size_t>();
    c.max_reports = vm["max-reports"].as<size_t>();
    c.allowlist = allowlist;
    c.known_failures = known;
    c.coverage_details = vm.count("coverage") > 0;
    if (c.count == 0 && c.sequences == 0) {
      std::cerr << "orcvm-difftest: nothing to do: give --count and/or --sequences (or --replay DIR)\n";
      return kExitUsage;
    }
    if (vm.count("print-cases")) {
      GeneratorOptions g;
      g.mnemonics = c.mnemonics;
      g.variants = c.variants;
      Generator gen(g);
      uint64_t single = 0, bytes = 0, seq = 0, made = 0;
      for (uint64_t family = 0; made < c.count; ++family) {
        const bool from_bytes = (family * 37) % 100 < c.bytes_percent;
        for (const GeneratedCase& gc : from_bytes ? gen.bytes(c.seed, bytes++) : gen.single(c.seed, single++)) {
          if (made++ >= c.count) break;
          InsnCase line;
          line.test = gc.test;
          line.assembly = disassemble_code(gc.test.code);
          std::cout << print_case(line) << "\n";
        }
      }
      for (made = 0; made < c.sequences;)
        for (const GeneratedCase& gc : gen.sequence(c.seed, seq++)) {
          if (made++ >= c.sequences) break;
          InsnCase line;
          line.test = gc.test;
          line.assembly = disassemble_code(gc.test.code);
          std::cout << print_case(line) << "\n";
        }
      return 0;
    }
    CampaignResult r = run_campaign(c, std::cout);
    return r.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "orcvm-difftest: " << e.what() << "\n";
    return 1;
  }
}
