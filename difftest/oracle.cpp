#include "difftest/oracle.h"

#include <stdexcept>

#include "difftest/host_batch.h"
#include "difftest/kvm_oracle.h"
#include "difftest/orcvm_runner.h"

namespace orcvm::difftest {

void Oracle::start(const std::vector<const TestCase*>& cases) { pending_ = cases; }

std::vector<OracleResult> Oracle::finish() {
  std::vector<OracleResult> results;
  results.reserve(pending_.size());
  for (const TestCase* t : pending_) results.push_back(run(*t));
  pending_.clear();
  return results;
}

std::vector<OracleResult> Oracle::run_all(const std::vector<const TestCase*>& cases) {
  std::vector<OracleResult> all;
  constexpr size_t kChunk = HostBatch::kMaxBatch;
  for (size_t first = 0; first < cases.size(); first += kChunk) {
    std::vector<const TestCase*> part(cases.begin() + first, cases.begin() + std::min(cases.size(), first + kChunk));
    start(part);
    for (OracleResult& r : finish()) all.push_back(std::move(r));
  }
  return all;
}

namespace {

class HostOracle final : public Oracle {
 public:
  const std::string& name() const override { return name_; }
  OracleKind kind() const override { return OracleKind::Hardware; }
  void start(const std::vector<const TestCase*>& cases) override { batch_.start(cases); }
  std::vector<OracleResult> finish() override { return batch_.finish(); }
  OracleResult run(const TestCase& test) override { return batch_.run(test); }

 private:
  std::string name_ = "host";
  HostBatch batch_;
};

class KvmOracleAdapter final : public Oracle {
 public:
  explicit KvmOracleAdapter(bool pvm = false) : name_(pvm ? "kvm-pvm" : "kvm"), kvm_("/dev/kvm", pvm) {}
  const std::string& name() const override { return name_; }
  OracleKind kind() const override { return OracleKind::Hardware; }
  std::string unavailable() const override { return kvm_.unavailable(); }
  OracleResult run(const TestCase& test) override { return kvm_.run(test); }

 private:
  std::string name_;
  KvmOracle kvm_;
};

class OrcvmOracleAdapter final : public Oracle {
 public:
  OrcvmOracleAdapter(std::string name, const OrcvmConfig& config) : name_(std::move(name)), runner_(config) {}
  const std::string& name() const override { return name_; }
  OracleKind kind() const override { return OracleKind::Orcvm; }
  OracleResult run(const TestCase& test) override {
    try {
      OracleResult r = runner_.run(test);
      if (r.status != OracleResult::Status::Ok) r.message = name_ + ": " + r.message;
      return r;
    } catch (const std::exception& e) {
      OracleResult r;
      r.status = OracleResult::Status::Error;
      r.message = name_ + ": case '" + test.name + "': " + e.what();
      return r;
    }
  }

 private:
  std::string name_;
  OrcvmRunner runner_;
};

}  // namespace

const std::vector<std::string>& oracle_names() {
  static const std::vector<std::string> names = {"host", "kvm", "kvm-pvm", "interp", "jit", "oneinsn", "nochain"};
  return names;
}

std::unique_ptr<Oracle> make_oracle(std::string_view name) {
  if (name == "host") return std::make_unique<HostOracle>();
  if (name == "kvm") return std::make_unique<KvmOracleAdapter>(false);
  if (name == "kvm-pvm") return std::make_unique<KvmOracleAdapter>(true);
  if (name == "interp") return std::make_unique<OrcvmOracleAdapter>("interp", OrcvmConfig{.tier = Tier::Interpreter});
  if (name == "jit") return std::make_unique<OrcvmOracleAdapter>("jit", OrcvmConfig{.tier = Tier::Jit});
  if (name == "oneinsn")
    return std::make_unique<OrcvmOracleAdapter>("oneinsn", OrcvmConfig{.tier = Tier::Jit, .one_insn_per_block = true});
  if (name == "nochain")
    return std::make_unique<OrcvmOracleAdapter>("nochain", OrcvmConfig{.tier = Tier::Jit, .nochain = true});
  throw std::invalid_argument("unknown oracle '" + std::string(name) + "' (known: host, kvm, kvm-pvm, interp, jit, oneinsn, nochain)");
}

}  // namespace orcvm::difftest
