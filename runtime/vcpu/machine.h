#pragma once
// A PC as orcvm builds it for a guest: RAM, the bus with its devices, the JIT and
// the VCPU.
#include <cstdio>
#include <memory>

#include "devices/clock.h"
#include "devices/platform.h"
#include "jit/jit.h"
#include "runtime/softmmu/memory.h"
#include "runtime/vcpu/vcpu.h"

namespace orcvm {

struct MachineConfig {
  uint64_t ram_size = 128ull << 20;
  VcpuOptions vcpu;
  JitOptions jit;
  FILE* serial = stdout;  // null: --serial none
};

class Machine {
 public:
  explicit Machine(const MachineConfig& config);
  ~Machine();

  PhysicalMemory& memory() { return *memory_; }
  Vcpu& vcpu() { return *vcpu_; }
  Platform& platform() { return *platform_; }
  RunResult run() { return vcpu_->run(); }

 private:
  std::unique_ptr<PhysicalMemory> memory_;
  std::unique_ptr<Jit> jit_;
  std::unique_ptr<Vcpu> vcpu_;
  HostClock clock_;
  std::unique_ptr<Platform> platform_;
};

}  // namespace orcvm
