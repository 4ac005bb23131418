#include "difftest/lockstep.h"

#include <cstdio>
#include <cstring>

#include "loader/elf.h"
#include "runtime/vcpu/machine.h"

namespace orcvm::difftest {

namespace {

constexpr uint64_t kLockstepRam = 64ull << 20;

std::unique_ptr<Machine> boot(const std::vector<uint8_t>& elf, orcvm::Tier tier, bool one_insn, bool chaining) {
  MachineConfig mc;
  mc.ram_size = kLockstepRam;
  mc.serial = nullptr;
  mc.vcpu.tier = tier;
  mc.vcpu.one_insn_per_block = one_insn;
  mc.vcpu.chaining = chaining;
  mc.vcpu.deterministic_tsc = true;
  auto machine = std::make_unique<Machine>(mc);
  enter_long_mode(machine->memory(), machine->vcpu().cpu(), load_elf64(elf, machine->memory()));
  return machine;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The architectural registers both runs must agree on, as readable differences.
std::string compare(const CpuState& want, const CpuState& got) {
  static const char* names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                  "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  std::string diff;
  auto check = [&](const char* name, uint64_t a, uint64_t b) {
    if (a != b) diff += std::string(" ") + name + " reference=" + hex(a) + " candidate=" + hex(b);
  };
  for (int i = 0; i < 16; ++i) check(names[i], want.gpr[i], got.gpr[i]);
  check("rip", want.rip, got.rip);
  check("rflags", want.get_rflags(), got.get_rflags());
  check("cr0", want.cr0, got.cr0);
  check("cr2", want.cr2, got.cr2);
  check("cr3", want.cr3, got.cr3);
  check("cr4", want.cr4, got.cr4);
  check("exception", want.exception.pending ? want.exception.vector : 0xff,
        got.exception.pending ? got.exception.vector : 0xff);
  return diff;
}

// How many reference steps (one instruction each) match what the candidate's block
// did: all of it, up to and including a faulting instruction, or up to the
// instruction after which a store into translated code made the block leave.
size_t reference_steps(const TranslatedBlock& block, const CpuState& candidate, bool code_was_written) {
  const size_t n = block.insns.size();
  for (size_t i = 0; i < n; ++i) {
    if (block.insns[i].rip != candidate.rip) continue;
    if (candidate.exception.pending) return i + 1;
    if (code_was_written && i > 0) return i;
  }
  return n;
}

}  // namespace

LockstepReport lockstep_elf(const std::vector<uint8_t>& elf, const OrcvmConfig& config, uint64_t max_blocks) {
  auto reference = boot(elf, orcvm::Tier::Interpreter, true, false);
  auto candidate = boot(elf, config.tier == Tier::Interpreter ? orcvm::Tier::Interpreter : orcvm::Tier::Jit,
                        config.one_insn_per_block, false);
  Vcpu& ref = reference->vcpu();
  Vcpu& cand = candidate->vcpu();
  LockstepReport report;
  while (report.blocks_compared < max_blocks) {
    const TranslatedBlock* block = nullptr;
    const uint64_t invalidated_before = cand.stats().blocks_invalidated;
    auto stopped = cand.step(&block);
    if (stopped) {
      auto ref_stopped = ref.run();
      report.end = stopped->message.empty() ? "exit status " + std::to_string(stopped->exit_status) : stopped->message;
      if (ref_stopped.kind != stopped->kind || ref_stopped.exit_status != stopped->exit_status) {
        report.agree = false;
        report.mismatch = "candidate stopped (" + report.end + ") but the reference did not stop the same way (" +
                          ref_stopped.message + ")";
      }
      break;
    }
    if (!block) continue;  // a fetch fault: the reference finds it on its next step
    const size_t steps =
        reference_steps(*block, cand.cpu(), cand.stats().blocks_invalidated != invalidated_before);
    for (size_t i = 0; i < steps; ++i)
      if (ref.step()) break;
    report.instructions_compared += steps;
    ++report.blocks_compared;
    std::string diff = compare(ref.cpu(), cand.cpu());
    if (!diff.empty()) {
      report.agree = false;
      report.mismatch = "after block at " + hex(block->key.rip) + " (" + std::to_string(block->insns.size()) +
                        " instructions, block " + std::to_string(report.blocks_compared) + "):" + diff;
      break;
    }
    cand.reclaim_translations();
    ref.reclaim_translations();
  }
  if (report.agree &&
      std::memcmp(reference->memory().host(0, kLockstepRam), candidate->memory().host(0, kLockstepRam), kLockstepRam) != 0) {
    report.agree = false;
    report.mismatch = "guest RAM differs at the end";
  }
  return report;
}

}  // namespace orcvm::difftest
