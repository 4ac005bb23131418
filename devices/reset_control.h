#pragma once
// The PIIX reset control register at port 0xCF9 (also the FADT's ACPI reset
// register, value 0x06). Writing a value with bit 2 (RST_CPU) set resets the
// system through the reset callback; bit 1 (SYS_RST, hard reset) is kept and
// reads back, as in QEMU.
#include <cstdint>
#include <functional>

#include "runtime/softmmu/bus.h"

namespace orcvm {

class ResetControl : public PortDevice {
 public:
  explicit ResetControl(std::function<void()> reset) : reset_(std::move(reset)) {}
  uint32_t port_read(uint16_t, unsigned size) override {
    return rcr_ | (size == 1 ? 0 : size == 2 ? 0xff00u : 0xffffff00u);
  }
  void port_write(uint16_t, unsigned, uint32_t value) override {
    if (value & 0x04) {
      if (reset_) reset_();
      return;
    }
    rcr_ = value & 0x02;
  }

 private:
  std::function<void()> reset_;
  uint8_t rcr_ = 0;
};

}  // namespace orcvm
