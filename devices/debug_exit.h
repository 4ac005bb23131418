#pragma once
// isa-debug-exit at port 0xf4: a write of v ends the VM with status (v << 1) | 1.
#include <functional>

#include "runtime/softmmu/bus.h"

namespace orcvm {

class DebugExit : public PortDevice {
 public:
  explicit DebugExit(std::function<void(int status)> on_exit) : on_exit_(std::move(on_exit)) {}
  uint32_t port_read(uint16_t, unsigned size) override { return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }
  void port_write(uint16_t, unsigned, uint32_t value) override {
    on_exit_(static_cast<int>(((value << 1) | 1) & 0xff));
  }

 private:
  std::function<void(int)> on_exit_;
};

}  // namespace orcvm
