#pragma once
// One virtual CPU: its ExecContext, and the execution loop that finds or makes the
// block for the current RIP and runs it in the interpreter or as compiled code.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/softmmu/memory.h"
#include "runtime/tcache/tcache.h"
#include "runtime/vcpu/exec_context.h"

namespace orcvm {

class Jit;
class Decoder;
class Platform;
class InterruptController;
class BackgroundCompiler;
class PerfMap;
struct CompiledBlock;

// Interpreter: never compile. Jit: compile every block before it first runs. Auto:
// interpret a block until it has run hot_threshold times, then compile it in the
// background and switch to the code once it is ready.
enum class Tier { Interpreter, Jit, Auto };

struct VcpuOptions {
  Tier tier = Tier::Auto;
  unsigned hot_threshold = 32;
  bool one_insn_per_block = false;
  bool chaining = true;
  bool count_instructions = false;  // blocks decrement ctx->budget
  // RDTSC counts its own executions instead of host time, so that two runs of a
  // guest see the same values (lockstep).
  bool deterministic_tsc = false;
  // Stop at the first exception instead of delivering it (the difftest oracle).
  bool stop_on_exception = false;
  // Per Mnemonic, how often the interpreter executed it (coverage); null: not counted.
  uint64_t* executed_mnemonics = nullptr;
  // Where compiled blocks are named for perf (--perfmap); null: nowhere.
  PerfMap* perf_map = nullptr;
};

struct RunResult {
  // Stopped: by the host (a signal), exit_status the status orcvm exits with.
  enum class Kind { Exited, Fault, TripleFault, Reset, Halted, Budget, Error, Stopped } kind;
  int exit_status = 0;
  std::string message;
};

struct VcpuStats {
  uint64_t blocks_translated = 0;
  uint64_t guest_insns_translated = 0;
  uint64_t blocks_compiled = 0;
  double decode_us = 0, lift_us = 0, optimise_us = 0, codegen_us = 0;
  uint64_t chain_patches = 0;
  uint64_t jump_cache_hits = 0, jump_cache_misses = 0;
  uint64_t jump_cache_flushes = 0;  // with the TLB: CR3 writes (non-global entries), INVLPG, mode changes
  uint64_t blocks_invalidated = 0;
  uint64_t block_executions = 0;
  uint64_t interpreted_blocks = 0, interpreted_insns = 0;  // executions by the interpreter
  uint64_t uncached_instructions = 0;  // run one at a time from outside RAM
};

class Vcpu : public CodeWriteListener {
 public:
  Vcpu(PhysicalMemory& memory, const VcpuOptions& options, Jit* jit);
  ~Vcpu() override;

  ExecContext& context() { return *ctx_; }
  CpuState& cpu() { return ctx_->cpu; }
  PhysicalMemory& memory() { return memory_; }
  const VcpuStats& stats() const { return stats_; }
  TranslationCache& tcache() { return tcache_; }

  // Interrupts, NMIs and HLT go through the platform's interrupt controller.
  void attach_platform(Platform* platform, unsigned cpu_index);
  // The platform (its clock drives the TSC) and the local APIC (CR8, APIC MSRs);
  // null without a platform.
  const Platform* platform() const { return platform_; }
  InterruptController* interrupt_controller() const { return interrupts_; }

  RunResult run();
  // Runs one block. Returns the result when the VCPU stopped, else nullopt;
  // *executed receives the block that ran, if any, valid until reclaim_translations().
  std::optional<RunResult> step(const TranslatedBlock** executed = nullptr);
  // Frees the translations invalidated so far; only between steps.
  void reclaim_translations();
  // Ends run() at the next block boundary with the given result (device or host thread).
  void request_stop(RunResult result);

  // Interception points that change address translation or the block key.
  void flush_translation_caches();
  // A CR3 write: translations of global pages stay (SDM Vol. 3, 4.10.4.1).
  void flush_non_global_translations();
  void flush_page(uint64_t linear);
  // Drops every translation (the guest's code was replaced from outside).
  void discard_translations();

  void code_page_written(uint64_t page_number) override;

  BlockMode current_mode() const;

 private:
  // The block at RIP, translated if need be. Null after a fetch fault (recorded in
  // the CPU state), and null without a fault for code that is not cached: code
  // outside RAM (MMIO, unassigned space, an instruction running off the end of
  // RAM), which the caller runs one instruction at a time, fetched afresh.
  TranslatedBlock* find_block();
  TranslatedBlock* translate(uint64_t phys_pc, BlockMode mode);
  void compile(TranslatedBlock* block);
  void install(TranslatedBlock* block, CompiledBlock& compiled, std::vector<std::unique_ptr<ExitSlot>> exits);
  void install_finished_compiles();
  // Returns whether the block was interpreted and left by a branch in its own mode.
  bool execute(TranslatedBlock* block);
  void run_interpreted_successors(const TranslatedBlock* block);
  // Stops the running chain at the next block entry; safe from any thread.
  void request_exit();
  // run_successors: go on through run_interpreted_successors().
  std::optional<RunResult> step(const TranslatedBlock** executed, bool run_successors);
  void try_chain(TranslatedBlock* target);
  void forget_blocks(const std::vector<TranslatedBlock*>& removed);
  std::string describe_fault() const;
  // Returns a stop result, or nullopt after delivering an event or doing nothing.
  std::optional<RunResult> deliver_pending_exception();
  bool accept_interrupt();
  std::optional<RunResult> wait_while_halted();
  // Runs the next instruction alone in the interpreter (interrupt shadow, TF).
  void run_single_instruction();
  void run_single_instruction_with_debug_checks();

  PhysicalMemory& memory_;
  VcpuOptions options_;
  Jit* jit_;
  void (*enter_)(ExecContext*, BlockCode);  // runs compiled code (Jit::enter; null without a JIT)
  std::unique_ptr<ExecContext> ctx_;
  TranslationCache tcache_;
  std::unique_ptr<BackgroundCompiler> compiler_;  // Tier::Auto; destroyed first
  Platform* platform_ = nullptr;
  InterruptController* interrupts_ = nullptr;
  unsigned cpu_index_ = 0;
  std::unique_ptr<Decoder> decoders_[3];  // 16, 32, 64-bit code
  VcpuStats stats_;
  std::mutex stop_mutex_;  // request_stop comes from devices, the event thread and signals
  std::atomic<bool> stop_requested_{false};
  RunResult stop_result_{RunResult::Kind::Exited, 0, ""};
};

}  // namespace orcvm
