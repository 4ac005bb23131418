#include "runtime/vcpu/vcpu.h"
#include "ir/semantics/exception_vectors.h"

#include <chrono>
#include <cstdio>
#include <cstring>

#include "frontend/block_builder.h"
#include "frontend/decode/decoder.h"
#include "jit/jit.h"
#include "runtime/interp/interpreter.h"
#include "runtime/log.h"
#include "runtime/tcache/perf_map.h"
#include "runtime/vcpu/debug_breakpoints.h"
#include "runtime/vcpu/segment_checks.h"
#include "runtime/vcpu/background_compiler.h"
#include "devices/platform.h"
#include "runtime/vcpu/events.h"
#include "runtime/vcpu/helpers.h"
#include "runtime/softmmu/mmu.h"


namespace orcvm {

namespace {
constexpr unsigned kMaxBlockInsns = 64;
constexpr uint16_t kSegmentLong = 1u << 13, kSegmentDefaultBig = 1u << 14;

double micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

Vcpu::Vcpu(PhysicalMemory& memory, const VcpuOptions& options, Jit* jit)
    : memory_(memory),
      options_(options),
      jit_(jit),
      enter_(jit ? jit->enter() : nullptr),
      ctx_(std::make_unique<ExecContext>()),
      tcache_(jit ? jit->exit_stub() : nullptr) {
  std::memset(ctx_.get(), 0, sizeof(ExecContext));
  ctx_->memory = &memory;
  ctx_->vcpu = this;
  ctx_->budget = INT64_MAX;
  ctx_->deterministic_tsc_reads = options.deterministic_tsc ? 1 : 0;
  tlb_flush(ctx_.get());
  ctx_->jump_cache.clear();
  decoders_[0] = std::make_unique<Decoder>(16);
  decoders_[1] = std::make_unique<Decoder>(32);
  decoders_[2] = std::make_unique<Decoder>(64);
  memory.set_code_write_listener(this);
  if (options.tier == Tier::Auto)
    compiler_ = std::make_unique<BackgroundCompiler>(*jit, tcache_.exit_stub(), [this] { request_exit(); });
}

Vcpu::~Vcpu() {
  compiler_.reset();
  memory_.set_code_write_listener(nullptr);
}

BlockMode Vcpu::current_mode() const {
  const CpuState& c = ctx_->cpu;
  BlockMode m;
  m.bits = c.cpl & BlockMode::kCplMask;
  const uint16_t cs = c.seg[static_cast<int>(Seg::CS)].attrs;
  if ((c.efer & efer::LMA) && (cs & kSegmentLong))
    m.bits |= BlockMode::kCode64;
  else if ((c.cr0 & cr0::PE) && (cs & kSegmentDefaultBig))
    m.bits |= BlockMode::kCode32;
  if (c.seg[static_cast<int>(Seg::SS)].attrs & kSegmentDefaultBig) m.bits |= BlockMode::kStack32;
  if (c.cr0 & cr0::PE) m.bits |= BlockMode::kProtected;
  if (c.cr0 & cr0::PG) m.bits |= BlockMode::kPaging;
  m.bits |= ((c.rflags >> 12) & 3) << BlockMode::kIoplShift;
  if (c.rflags & rflags::TF) m.bits |= BlockMode::kTrap;
  if (alignment_checking(c)) m.bits |= BlockMode::kAlignCheck;
  if (options_.count_instructions) m.bits |= BlockMode::kCounting;
  if ((c.cr0 & cr0::EM) || !(c.cr4 & cr4::OSFXSR)) m.bits |= BlockMode::kSseUd;
  else if (c.cr0 & cr0::TS) m.bits |= BlockMode::kSseNm;
  if (!m.long64()) {
    for (Seg s : {Seg::ES, Seg::CS, Seg::SS, Seg::DS})
      if (c.seg[static_cast<int>(s)].base) m.bits |= BlockMode::kSegBases;
    for (Seg s : {Seg::ES, Seg::CS, Seg::SS, Seg::DS, Seg::FS, Seg::GS})
      if (segment_needs_checks(c, s)) m.bits |= BlockMode::segment_check_bit(static_cast<unsigned>(s));
  }
  return m;
}

void Vcpu::request_exit() { std::atomic_ref<uint32_t>(ctx_->exit_request).store(1, std::memory_order_release); }

void Vcpu::request_stop(RunResult result) {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (stop_requested_.load(std::memory_order_relaxed)) return;  // the first reason stands
  stop_result_ = std::move(result);
  stop_requested_.store(true, std::memory_order_release);
  request_exit();
}

void Vcpu::attach_platform(Platform* platform, unsigned cpu_index) {
  platform_ = platform;
  cpu_index_ = cpu_index;
  interrupts_ = &platform->interrupt_controller(cpu_index);
  // A device raising an interrupt stops the running chain at the next block entry.
  interrupts_->set_wakeup([this] { request_exit(); });
}

void Vcpu::flush_translation_caches() {
  tlb_flush(ctx_.get());
  ++stats_.jump_cache_flushes;
  ctx_->jump_cache.flush();
}

void Vcpu::flush_non_global_translations() {
  tlb_flush_non_global(ctx_.get());
  ++stats_.jump_cache_flushes;
  ctx_->jump_cache.flush_non_global();
}

// The whole jump cache: the page may be part of a 2 MiB or 4 MiB mapping, which
// INVLPG drops whole (the paging guest's lockstep test has one).
void Vcpu::flush_page(uint64_t linear) {
  tlb_flush_page(ctx_.get(), linear);
  ++stats_.jump_cache_flushes;
  ctx_->jump_cache.flush();
}

void Vcpu::discard_translations() {
  for (TranslatedBlock* b : tcache_.flush()) {
    memory_.set_code_page(b->key.phys_pc >> 12, false);
    if (b->phys_page2 != kNoSecondPage) memory_.set_code_page(b->phys_page2, false);
  }
  tcache_.reclaim();
  ctx_->last_exit_slot = nullptr;
  flush_translation_caches();
}

void Vcpu::forget_blocks(const std::vector<TranslatedBlock*>& removed) {
  if (removed.empty()) return;
  stats_.blocks_invalidated += removed.size();
  // A block can only sit in the entry its own RIP selects.
  for (TranslatedBlock* b : removed) {
    JumpCacheEntry& e = ctx_->jump_cache.entries[jump_cache_index(b->key.rip)];
    if (e.block == b) e = JumpCacheEntry{};
  }
}

void Vcpu::code_page_written(uint64_t page_number) {
  auto removed = tcache_.invalidate_page(page_number);
  memory_.set_code_page(page_number, false);
  if (Log::on(LogItem::Tcache))
    Log::printf("tcache: code page 0x%llx written, %zu blocks invalidated\n",
                (unsigned long long)(page_number << 12), removed.size());
  forget_blocks(removed);
  // The running block may be among them: it leaves after the current instruction.
  ctx_->stop_after_insn = 1;
}

TranslatedBlock* Vcpu::translate(uint64_t phys_pc, BlockMode mode) {
  const CpuState& c = ctx_->cpu;
  const uint64_t cs_base = c.seg[static_cast<int>(Seg::CS)].base;
  auto start = std::chrono::steady_clock::now();
  BlockSource source;
  const Decoder& decoder = *decoders_[mode.code_bits() == 64 ? 2 : mode.code_bits() == 32 ? 1 : 0];
  CodeFetcher fetch = [this](uint64_t linear, uint8_t* buf, unsigned size, uint64_t* paddr) {
    return mmu_fetch(ctx_.get(), linear, buf, size, paddr);
  };
  if (!build_block(decoder, c.rip, cs_base, options_.one_insn_per_block ? 1 : kMaxBlockInsns, fetch, &source))
    return nullptr;
  stats_.decode_us += micros_since(start);
  if (source.phys_page2 != kNoSecondPage && !memory_.is_ram(source.phys_page2 * kPageSize, kPageSize)) return nullptr;

  auto block = std::make_unique<TranslatedBlock>();
  block->key = BlockKey{c.rip, phys_pc, cs_base, mode.bits};
  block->phys_page2 = source.phys_page2;
  block->mode = mode;
  block->byte_length = source.byte_length;
  block->insns = std::move(source.insns);
  block->keeps_mode = keeps_mode(block->insns);
  resolve_bindings(block->insns);
  block->id = ++stats_.blocks_translated;
  stats_.guest_insns_translated += block->insns.size();

  if (Log::on(LogItem::InAsm)) {
    Log::printf("IN: rip 0x%llx phys 0x%llx mode 0x%x\n", (unsigned long long)c.rip,
                (unsigned long long)phys_pc, mode.bits);
    for (const DecodedInsn& i : block->insns)
      Log::printf("  0x%llx: %s\n", (unsigned long long)i.rip, decoder.disassemble(i).c_str());
  }

  for (uint64_t page : {phys_pc >> 12, block->phys_page2}) {
    if (page == kNoSecondPage || memory_.is_code_page(page)) continue;
    memory_.set_code_page(page, true);
    tlb_protect_code_page(ctx_.get(), page);
  }
  TranslatedBlock* raw = tcache_.insert(std::move(block));
  if (options_.tier == Tier::Jit) compile(raw);
  return raw;
}

void Vcpu::compile(TranslatedBlock* block) {
  std::vector<std::unique_ptr<ExitSlot>> exits;
  BlockToCompile request{&block->insns, block->mode, block->id, exit_slot_allocator(exits, tcache_.exit_stub())};
  CompiledBlock compiled = jit_->compile(request);
  install(block, compiled, std::move(exits));
}

void Vcpu::install(TranslatedBlock* block, CompiledBlock& compiled, std::vector<std::unique_ptr<ExitSlot>> exits) {
  stats_.lift_us += compiled.lift_us;
  stats_.optimise_us += compiled.optimise_us;
  stats_.codegen_us += compiled.codegen_us;
  ++stats_.blocks_compiled;
  for (auto& slot : exits) slot->owner = block;
  block->exits = std::move(exits);
  block->release_code = std::move(compiled.release);
  block->code.store(compiled.entry, std::memory_order_release);
  if (options_.perf_map)
    options_.perf_map->add(reinterpret_cast<const void*>(compiled.entry), compiled.code_bytes, block->key.rip,
                           block->key.cs_base, block->mode.cpl(), block->mode.code_bits());
}

// Code compiled in the background goes into its block if the block still exists;
// otherwise (its page was written meanwhile) the code is dropped.
void Vcpu::install_finished_compiles() {
  for (FinishedCompile& done : compiler_->take_finished()) {
    if (TranslatedBlock* block = tcache_.find_by_id(done.block_id))
      install(block, done.code, std::move(done.exits));
    else if (done.code.release)
      done.code.release();
  }
}

TranslatedBlock* Vcpu::find_block() {
  CpuState& c = ctx_->cpu;
  const BlockMode mode = current_mode();
  const unsigned index = jump_cache_index(c.rip);
  JumpCache& cache = ctx_->jump_cache;
  JumpCacheEntry& jc = cache.entries[index];
  const uint64_t cs_base = c.seg[static_cast<int>(Seg::CS)].base;
  if (auto* cached = static_cast<TranslatedBlock*>(jc.block);
      cached && jc.rip == c.rip && jc.tag == cache.tag(mode.bits) && cached->key.cs_base == cs_base) {
    ++stats_.jump_cache_hits;
    jc.code = reinterpret_cast<void*>(cached->code.load(std::memory_order_acquire));
    return cached;
  }
  ++stats_.jump_cache_misses;
  const unsigned bank = mode.tlb_bank();
  uint64_t linear = cs_base + c.rip;
  if (!(c.efer & efer::LMA)) linear &= 0xffffffffu;
  uint64_t phys_pc;
  if (const uint8_t* host = tlb_lookup(ctx_.get(), bank, linear, 1, Access::Execute)) {
    phys_pc = memory_.address_of(host);  // the TLB maps nothing but RAM
  } else {
    if (!mmu_translate(ctx_.get(), linear, Access::Execute, bank, &phys_pc)) {
      c.exception.rip = c.rip;
      return nullptr;
    }
    if (!memory_.is_ram(phys_pc & kPageMask, kPageSize)) return nullptr;
  }
  // Known only from a TLB entry: none is made while data breakpoints are armed.
  const bool global =
      tlb_lookup(ctx_.get(), bank, linear, 1, Access::Execute) && ctx_->tlb.global[bank][tlb_index(linear)];
  TranslatedBlock* block = tcache_.find(BlockKey{c.rip, phys_pc, cs_base, mode.bits});
  if (block && block->phys_page2 != kNoSecondPage) {
    // The second page must still map to the same physical page.
    uint64_t second = (linear & kPageMask) + kPageSize, phys2;
    if (!mmu_translate(ctx_.get(), second, Access::Execute, bank, &phys2) ||
        (phys2 >> 12) != block->phys_page2) {
      c.exception = PendingException{};
      forget_blocks(tcache_.invalidate_page(block->phys_page2));
      block = nullptr;
    }
  }
  if (!block) block = translate(phys_pc, mode);
  if (!block) {
    if (c.exception.pending) c.exception.rip = c.rip;
    return nullptr;
  }
  // Only blocks within one global page outlive a CR3 write.
  void* code = reinterpret_cast<void*>(block->code.load(std::memory_order_acquire));
  cache.fill(index, JumpCacheEntry{c.rip, cache.tag(mode.bits), code, block},
             global && block->phys_page2 == kNoSecondPage);
  return block;
}

void Vcpu::try_chain(TranslatedBlock* target) {
  auto* slot = reinterpret_cast<ExitSlot*>(ctx_->last_exit_slot);
  ctx_->last_exit_slot = nullptr;
  if (!slot || !options_.chaining || Log::on(LogItem::NoChain)) return;
  const TranslatedBlock* source = slot->owner;
  // A direct exit chains only within the source block's virtual page (QEMU's rule):
  // any other transfer goes through the lookup, which re-checks the mapping.
  if (slot->target_rip != target->key.rip || source->mode != target->mode ||
      (source->key.rip >> 12) != (target->key.rip >> 12) || !target->code.load())
    return;
  tcache_.chain(slot, target);
  ++stats_.chain_patches;
}

namespace {
// A block is queued for compilation when it has run `threshold` times, and again at
// each further factor of 8, one step hotter each time; 0 between steps.
unsigned heat_step(uint64_t executions, unsigned threshold) {
  unsigned heat = 1;
  for (uint64_t step = threshold; step <= executions; step *= 8, ++heat)
    if (step == executions) return heat;
  return 0;
}
}  // namespace

bool Vcpu::execute(TranslatedBlock* block) {
  ++stats_.block_executions;
  if (Log::on(LogItem::Exec))
    Log::printf("exec: block %llu at 0x%llx\n", (unsigned long long)block->id,
                (unsigned long long)block->key.rip);
  bool plain_exit = false;
  if (BlockCode code = block->code.load(std::memory_order_acquire)) {
    enter_(ctx_.get(), code);
    ctx_->stop_after_insn = 0;
  } else {
    plain_exit = interpret_block(ctx_.get(), *block, options_.executed_mnemonics) == InterpretedExit::Branch &&
                 block->keeps_mode;
    ++stats_.interpreted_blocks;
    stats_.interpreted_insns += block->insns.size();
    if (compiler_)
      if (const unsigned heat = heat_step(++block->executions, options_.hot_threshold)) compiler_->enqueue(*block, heat);
  }
  if (Log::on(LogItem::Cpu)) {
    const CpuState& c = ctx_->cpu;
    Log::printf("cpu: rip=%016llx rflags=%08llx\n", (unsigned long long)c.rip,
                (unsigned long long)c.get_rflags());
    static const char* names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    for (int i = 0; i < 16; ++i)
      Log::printf("  %s=%016llx%s", names[i], (unsigned long long)c.gpr[i], i % 4 == 3 ? "\n" : "");
  }
  return plain_exit;
}

std::string Vcpu::describe_fault() const {
  const PendingException& ex = ctx_->cpu.exception;
  char buf[200];
  std::snprintf(buf, sizeof buf, "vector %u error code 0x%x CR2 0x%llx RIP 0x%llx",
                ex.vector, ex.has_error_code ? ex.error_code : 0, (unsigned long long)ex.cr2,
                (unsigned long long)ex.rip);
  return buf;
}

std::optional<RunResult> Vcpu::deliver_pending_exception() {
  CpuState& c = ctx_->cpu;
  const PendingException ex = c.exception;
  if (ex.vector == vector::PF) c.cr2 = ex.cr2;
  if (options_.stop_on_exception) return RunResult{RunResult::Kind::Fault, 0, describe_fault()};
  const std::string first = describe_fault();
  c.rip = ex.rip;
  Event event{ex.vector, ex.software ? EventSource::Software : EventSource::Exception, ex.has_error_code != 0,
              ex.error_code, ex.instruction_length};
  if (deliver_event(ctx_.get(), event) == DeliveryOutcome::TripleFault)
    return RunResult{RunResult::Kind::TripleFault, 0, "triple fault (shutdown); the first fault was " + first};
  return std::nullopt;
}

// Takes an NMI, or an external interrupt when IF allows, at an instruction boundary.
bool Vcpu::accept_interrupt() {
  CpuState& c = ctx_->cpu;
  if (!interrupts_ || c.interrupt_shadow) return false;
  Event event{};
  if (interrupts_->nmi_pending() && !c.nmi_blocked) {
    interrupts_->acknowledge_nmi();
    event = Event{2, EventSource::Nmi, false, 0};
  } else if ((c.rflags & rflags::IF) && interrupts_->has_pending_interrupt()) {
    event = Event{interrupts_->acknowledge(), EventSource::External, false, 0};
  } else {
    return false;
  }
  c.halted = 0;
  if (deliver_event(ctx_.get(), event) == DeliveryOutcome::TripleFault) c.shutdown = 1;
  return true;
}

std::optional<RunResult> Vcpu::wait_while_halted() {
  CpuState& c = ctx_->cpu;
  if (!(c.rflags & rflags::IF) && !(interrupts_ && interrupts_->nmi_pending())) {
    char message[96];
    std::snprintf(message, sizeof message, "guest halted with interrupts disabled (RIP 0x%llx)",
                  (unsigned long long)c.rip);
    return RunResult{RunResult::Kind::Halted, 0, message};
  }
  if (!platform_) return RunResult{RunResult::Kind::Halted, 0, "guest halted with no interrupt source"};
  platform_->halt(cpu_index_, c.rflags & rflags::IF);  // sleeps until an event or a kick
  return std::nullopt;
}

void Vcpu::run_single_instruction() {
  CpuState& c = ctx_->cpu;
  const BlockMode mode = current_mode();
  const uint64_t cs_base = c.seg[static_cast<int>(Seg::CS)].base;
  const Decoder& decoder = *decoders_[mode.code_bits() == 64 ? 2 : mode.code_bits() == 32 ? 1 : 0];
  CodeFetcher fetch = [this](uint64_t linear, uint8_t* buf, unsigned size, uint64_t* paddr) {
    return mmu_fetch(ctx_.get(), linear, buf, size, paddr);
  };
  TranslatedBlock single;
  BlockSource source;
  if (!build_block(decoder, c.rip, cs_base, 1, fetch, &source)) {
    c.exception.rip = c.rip;
    return;
  }
  single.mode = mode;
  single.insns = std::move(source.insns);
  interpret_block(ctx_.get(), single, options_.executed_mnemonics);
}

std::optional<RunResult> Vcpu::step(const TranslatedBlock** executed) { return step(executed, false); }

std::optional<RunResult> Vcpu::step(const TranslatedBlock** executed, bool run_successors) {
  CpuState& c = ctx_->cpu;
  if (executed) *executed = nullptr;
  if (stop_requested_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_requested_.store(false, std::memory_order_relaxed);
    return std::move(stop_result_);
  }
  std::atomic_ref<uint32_t>(ctx_->exit_request).store(0, std::memory_order_relaxed);
  if (c.exception.pending) return deliver_pending_exception();
  if (c.shutdown) return RunResult{RunResult::Kind::TripleFault, 0, "triple fault (shutdown) during interrupt delivery"};
  if (accept_interrupt()) return std::nullopt;
  if (c.halted) return wait_while_halted();
  if (options_.count_instructions && ctx_->budget <= 0)
    return RunResult{RunResult::Kind::Budget, 0, "instruction budget exhausted"};
  if (compiler_) install_finished_compiles();

  if (c.interrupt_shadow || (c.rflags & rflags::TF) || instruction_breakpoints_armed(c) ||
      data_breakpoints_armed(c)) {
    run_single_instruction_with_debug_checks();
    ctx_->last_exit_slot = nullptr;
    return std::nullopt;
  }

  TranslatedBlock* block = find_block();
  if (!block) {
    ctx_->last_exit_slot = nullptr;
    if (!c.exception.pending) {
      ++stats_.uncached_instructions;
      run_single_instruction();
      if (!c.exception.pending) c.rflags &= ~rflags::RF;
    }
    return std::nullopt;
  }
  try_chain(block);
  const bool plain_exit = execute(block);
  if (!c.exception.pending) c.rflags &= ~rflags::RF;  // RF lasts one instruction
  if (executed) *executed = block;
  if (plain_exit && run_successors) run_interpreted_successors(block);
  return std::nullopt;
}

// Interpreted blocks hand over to their successors without the checks of step()
// while none of those can matter: each block left by a branch in its own mode, so
// IF, TF, the debug registers and the mode are as before; nothing faulted or
// rewrote code; no exit is requested (device interrupts, stops and finished
// compiles all request one); and the successor is in the jump cache. A compiled
// successor ends the run once its chain returns.
void Vcpu::run_interpreted_successors(const TranslatedBlock* block) {
  CpuState& c = ctx_->cpu;
  JumpCache& cache = ctx_->jump_cache;
  for (;;) {
    if (std::atomic_ref<uint32_t>(ctx_->exit_request).load(std::memory_order_relaxed)) return;
    if (options_.count_instructions && ctx_->budget <= 0) return;
    const JumpCacheEntry& jc = cache.entries[jump_cache_index(c.rip)];
    auto* next = static_cast<TranslatedBlock*>(jc.block);
    if (!next || jc.rip != c.rip || jc.tag != cache.tag(block->mode.bits) || next->key.cs_base != block->key.cs_base)
      return;
    ++stats_.jump_cache_hits;
    block = next;
    const bool plain_exit = execute(next);  // compiled code runs its chain and returns here
    if (!c.exception.pending) c.rflags &= ~rflags::RF;
    if (!plain_exit) return;
  }
}

// One instruction on its own: interrupts wait for the end of a shadow, TF ends each
// instruction with a single-step trap, DR0-3 breakpoints are checked around it (an
// instruction breakpoint is a fault, a data breakpoint a trap). After MOV SS or POP SS
// the debug traps wait for the end of the next instruction (SDM Vol. 3, 6.8.3).
void Vcpu::run_single_instruction_with_debug_checks() {
  CpuState& c = ctx_->cpu;
  const bool single_step = c.rflags & rflags::TF;
  c.interrupt_shadow = 0;
  if (!(c.rflags & rflags::RF)) {
    if (const uint32_t hits = instruction_breakpoint_hits(c, c.seg[static_cast<int>(Seg::CS)].base + c.rip)) {
      c.dr[6] = (c.dr[6] & ~kDr6BreakpointHits) | hits;
      raise_exception(ctx_.get(), kDebugVector);
      return;
    }
  }
  ctx_->data_breakpoint_hits = 0;
  run_single_instruction();
  if (c.exception.pending) return;
  c.rflags &= ~rflags::RF;
  if (c.interrupt_shadow == interrupt_shadow::MovSs) return;
  const uint32_t data_hits = ctx_->data_breakpoint_hits;
  if (!single_step && !data_hits) return;
  if (single_step) c.dr[6] |= kDr6SingleStep;
  if (data_hits) c.dr[6] = (c.dr[6] & ~kDr6BreakpointHits) | data_hits;
  raise_exception(ctx_.get(), kDebugVector);
}

void Vcpu::reclaim_translations() {
  if (tcache_.reclaim()) ctx_->last_exit_slot = nullptr;
}

RunResult Vcpu::run() {
  for (;;) {
    if (auto result = step(nullptr, true)) return *result;
    reclaim_translations();
  }
}

}  // namespace orcvm
