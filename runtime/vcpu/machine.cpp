#include "runtime/vcpu/machine.h"

#include "runtime/log.h"
#include "runtime/vcpu/cpu_model.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {

Machine::Machine(const MachineConfig& config) : config_(config) {
  config_.vcpu.count_instructions |= config.icount;  // the InstructionClock reads the budget
  power_on(nullptr);
}

Machine::~Machine() { platform_->stop(); }

void Machine::power_on(const BatteryBacked* kept) {
  // A new clock: time, and with it the TSC, starts again at 0.
  if (config_.icount) {
    auto clock = std::make_unique<InstructionClock>();
    instruction_clock_ = clock.get();
    clock_ = std::move(clock);
  } else {
    clock_ = std::make_unique<HostClock>();
  }
  memory_ = std::make_unique<PhysicalMemory>(config_.ram_size);
  // A fresh JIT too: compiled blocks are named by the VCPU's block numbers, which
  // start again with a new VCPU.
  if (config_.vcpu.tier != Tier::Interpreter) {
    JitOptions jit_options = config_.jit;
    jit_options.chain_indirect = config_.vcpu.chaining;
    jit_ = Jit::create(jit_options, runtime_symbols());
  }
  vcpu_ = std::make_unique<Vcpu>(*memory_, config_.vcpu, jit_.get());
  if (instruction_clock_) instruction_clock_->attach_budget(&vcpu_->context().budget);

  PlatformConfig platform_config;
  platform_config.ram_size = config_.ram_size;
  platform_config.serial_out = config_.serial;
  platform_config.serial_in_fd = config_.serial_in_fd;
  platform_config.tsc_hz = kTscHz;
  if (kept || config_.icount) {
    platform_config.use_host_time = false;
    platform_config.rtc_base_time = kept ? kept->rtc_time : kIcountRtcStart;
  }
  PlatformCallbacks callbacks;
  // Device callbacks run under the platform's lock, on the VCPU's thread or the
  // event thread: they only ask the VCPU to stop or change its own caches.
  callbacks.exit = [this](int status) { vcpu_->request_stop(RunResult{RunResult::Kind::Exited, status, ""}); };
  callbacks.poweroff = [this] { vcpu_->request_stop(RunResult{RunResult::Kind::Exited, 0, ""}); };
  callbacks.reset = [this](const char* source) {
    vcpu_->request_stop(RunResult{RunResult::Kind::Reset, 0, std::string("guest requested a reset (") + source + ")"});
  };
  // The gate changes what every physical address means to the CPU.
  callbacks.a20 = [this](bool enabled) {
    memory_->set_a20(enabled);
    vcpu_->flush_translation_caches();
  };
  // A timer armed before the end of the current grant (only the VCPU's thread
  // programs timers under --icount) shortens the grant, so it fires on time.
  if (instruction_clock_)
    callbacks.deadline_changed = [this](uint64_t deadline) { instruction_clock_->end_grant_by(deadline); };
  platform_ = std::make_unique<Platform>(*clock_, platform_config, callbacks);
  if (kept)
    for (unsigned i = kFirstCmosRamByte; i < kept->cmos.size(); ++i)
      platform_->rtc().write(static_cast<uint8_t>(i), kept->cmos[i]);
  platform_->attach(memory_->bus());
  platform_->install_firmware_tables([this](uint64_t paddr, uint64_t size) { return memory_->host(paddr, size); });
  vcpu_->attach_platform(platform_.get(), 0);
  platform_->start();
}

void Machine::set_serial(FILE* serial) {
  config_.serial = serial;
  std::lock_guard<std::mutex> g(platform_->lock());
  platform_->uart().set_output(serial);
}

void Machine::boot(Loader loader) {
  loader_ = std::move(loader);
  loader_(*this);
}

void Machine::restart() {
  platform_->stop();
  BatteryBacked kept{platform_->rtc().current_time(), {}};
  for (unsigned i = kFirstCmosRamByte; i < kept.cmos.size(); ++i)
    kept.cmos[i] = platform_->rtc().read(static_cast<uint8_t>(i));
  // The platform goes first (it refers to the VCPU, the clock and RAM), then the
  // VCPU (its translations live in the JIT), the JIT, RAM and the clock.
  platform_.reset();
  vcpu_.reset();
  jit_.reset();
  memory_.reset();
  instruction_clock_ = nullptr;
  clock_.reset();
  power_on(&kept);
  ++restarts_;
  loader_(*this);
}

RunResult Machine::run() {
  for (;;) {
    RunResult result = run_boot();
    const bool reset = result.kind == RunResult::Kind::Reset || result.kind == RunResult::Kind::TripleFault;
    if (!reset || config_.on_reset != OnReset::Restart || !loader_) return result;
    if (Log::on(LogItem::CpuReset)) Log::printf("cpu_reset: %s; restart %u\n", result.message.c_str(), restarts_ + 1);
    restart();
  }
}

void Machine::stop(RunResult result) {
  vcpu_->request_stop(std::move(result));
  platform_->kick(0);
}

RunResult Machine::run_boot() {
  if (!instruction_clock_) return vcpu_->run();
  for (;;) {
    platform_->service_timers(clock_->now());
    instruction_clock_->grant_until(platform_->next_deadline());
    RunResult result = vcpu_->run();
    if (result.kind != RunResult::Kind::Budget) return result;
  }
}

}  // namespace orcvm
