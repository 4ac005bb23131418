#include "runtime/vcpu/machine.h"

#include "runtime/vcpu/helpers.h"

namespace orcvm {

Machine::Machine(const MachineConfig& config)
    : memory_(std::make_unique<PhysicalMemory>(config.ram_size)) {
  if (config.vcpu.tier != Tier::Interpreter) {
    JitOptions jit_options = config.jit;
    jit_options.chain_indirect = config.vcpu.chaining;
    jit_ = Jit::create(jit_options, runtime_symbols());
  }
  vcpu_ = std::make_unique<Vcpu>(*memory_, config.vcpu, jit_.get());

  PlatformConfig platform_config;
  platform_config.ram_size = config.ram_size;
  platform_config.serial_out = config.serial;
  PlatformCallbacks callbacks;
  // Device callbacks run under the platform's lock: they only ask the VCPU to stop.
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
  platform_ = std::make_unique<Platform>(clock_, platform_config, callbacks);
  platform_->attach(memory_->bus());
  platform_->install_firmware_tables(memory_->ram(), memory_->ram_size());
  vcpu_->attach_platform(platform_.get(), 0);
  platform_->start();
}

Machine::~Machine() {
  platform_->stop();
}

}  // namespace orcvm
