#include "difftest/minimise.h"

#include "difftest/code.h"
#include "difftest/generator.h"

namespace orcvm::difftest {
namespace {

size_t memory_bytes(const MachineState& s) {
  size_t n = 0;
  for (const MemoryChunk& m : s.memory) n += m.bytes.size();
  return n;
}

class Shrinker {
 public:
  Shrinker(TestCase best, const StillFails& still_fails, int max_runs)
      : best_(std::move(best)), still_fails_(still_fails), max_runs_(max_runs) {}

  bool try_case(const TestCase& candidate) {
    if (runs_ >= max_runs_) return false;
    ++runs_;
    if (!still_fails_(candidate)) return false;
    best_ = candidate;
    return true;
  }
  bool exhausted() const { return runs_ >= max_runs_; }
  TestCase& best() { return best_; }
  int runs() const { return runs_; }

  // Drops runs of instructions, halving the run length down to one.
  bool drop_instructions() {
    bool progress = false;
    std::vector<CaseInsn> insns = split_code(best_.code);
    for (size_t chunk = std::max<size_t>(1, insns.size() / 2); chunk >= 1 && !exhausted(); chunk /= 2) {
      for (size_t start = 0; start < insns.size() && !exhausted();) {
        if (insns.size() <= 1) break;
        std::vector<CaseInsn> candidate = insns;
        const size_t n = std::min(chunk, candidate.size() - start);
        for (size_t k = 0; k < n; ++k) remove_insn(candidate, static_cast<int>(start));
        std::vector<uint8_t> code;
        TestCase t = best_;
        if (!candidate.empty() && layout(candidate, code)) {
          t.code = code;
          if (try_case(t)) {
            insns = std::move(candidate);
            progress = true;
            continue;  // the same start now names the next instructions
          }
        }
        start += n;
      }
      if (chunk == 1) break;
    }
    return progress;
  }

  bool simplify_registers() {
    bool progress = false;
    for (int i = 0; i < 16 && !exhausted(); ++i) {
      const uint64_t def = i == 4 ? kStackTop : 0;
      uint64_t& reg = best_.input.gpr[i];
      if (reg == def) continue;
      const uint64_t original = reg;
      const uint64_t candidates[] = {def, reg & 0xffffffff, reg & 0xffff, reg & 0xff, reg & 0xffffffffffff0000ull,
                                     reg >> 1, 1};
      for (uint64_t c : candidates) {
        if (c == reg || exhausted()) continue;
        TestCase t = best_;
        t.input.gpr[i] = c;
        if (try_case(t)) {
          progress = true;
          if (c == def) break;
        }
      }
      (void)original;
    }
    return progress;
  }

  bool simplify_flags() {
    bool progress = false;
    if (best_.input.rflags != 0x202) {
      TestCase t = best_;
      t.input.rflags = 0x202;
      if (try_case(t)) return true;
    }
    for (uint64_t bit = 1; bit < (1ull << 22) && !exhausted(); bit <<= 1) {
      if (!(best_.input.rflags & bit) || bit == 2 || bit == (1 << 9)) continue;
      TestCase t = best_;
      t.input.rflags &= ~bit;
      progress |= try_case(t);
    }
    return progress;
  }

  bool simplify_memory() {
    bool progress = false;
    // Whole chunks first.
    for (size_t i = 0; i < best_.input.memory.size() && !exhausted();) {
      TestCase t = best_;
      t.input.memory.erase(t.input.memory.begin() + i);
      if (try_case(t)) progress = true;
      else ++i;
    }
    // Then zero halves, quarters... of what is left, in the window image.
    std::vector<uint8_t> window = window_bytes(best_.input);
    for (size_t span = 64; span >= 1 && !exhausted(); span /= 2) {
      for (size_t start = 0; start < kDataSize && !exhausted(); start += span) {
        bool nonzero = false;
        for (size_t k = start; k < start + span; ++k) nonzero |= window[k] != 0;
        if (!nonzero) continue;
        std::vector<uint8_t> candidate = window;
        std::fill(candidate.begin() + start, candidate.begin() + start + span, 0);
        TestCase t = best_;
        t.input.memory = window_chunks(candidate);
        if (try_case(t)) {
          window = std::move(candidate);
          progress = true;
        }
      }
      if (span == 1) break;
    }
    return progress;
  }

 private:
  TestCase best_;
  const StillFails& still_fails_;
  int max_runs_;
  int runs_ = 0;
};

}  // namespace

TestCase minimise(const TestCase& failing, const StillFails& still_fails, int max_runs, MinimiseStats* stats) {
  Shrinker s(failing, still_fails, max_runs);
  const size_t insns_before = split_code(failing.code).size();
  for (int round = 0; round < 4 && !s.exhausted(); ++round) {
    bool progress = s.drop_instructions();
    progress |= s.simplify_registers();
    progress |= s.simplify_flags();
    progress |= s.simplify_memory();
    if (!progress) break;
  }
  if (stats) {
    stats->runs = s.runs();
    stats->instructions_before = insns_before;
    stats->instructions_after = split_code(s.best().code).size();
    stats->memory_bytes_before = memory_bytes(failing.input);
    stats->memory_bytes_after = memory_bytes(s.best().input);
  }
  return s.best();
}

}  // namespace orcvm::difftest
