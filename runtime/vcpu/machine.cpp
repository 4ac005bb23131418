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
  uart_ = std::make_unique<Uart16550>(config.serial);
  debug_exit_ = std::make_unique<DebugExit>([this](int status) {
    vcpu_->request_stop(RunResult{RunResult::Kind::Exited, status, ""});
  });
  memory_->bus().map_ports(0x3f8, 8, uart_.get());
  memory_->bus().map_ports(0xf4, 1, debug_exit_.get());
}

Machine::~Machine() = default;

}  // namespace orcvm
