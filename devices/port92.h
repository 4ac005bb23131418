#pragma once
// System control port A (port 0x92, "fast A20"): bit 1 drives the A20 gate,
// a rising edge of bit 0 resets the system. Reads return the last value with
// bit 1 showing the A20 state. Every write drives the gate, which the i8042's
// output port drives as well: the last writer wins (QEMU).
#include <cstdint>
#include <functional>

#include "runtime/softmmu/bus.h"

namespace orcvm {

class Port92 : public PortDevice {
 public:
  Port92(std::function<void()> reset, std::function<void(bool)> a20)
      : reset_(std::move(reset)), a20_(std::move(a20)) {}
  uint32_t port_read(uint16_t, unsigned size) override {
    return value_ | (size == 1 ? 0 : size == 2 ? 0xff00u : 0xffffff00u);
  }
  void port_write(uint16_t, unsigned, uint32_t v) override {
    const uint8_t old = value_;
    value_ = v & 0x03;
    if (a20_) a20_(value_ & 0x02);
    if ((value_ & 0x01) && !(old & 0x01)) {
      value_ &= ~0x01;  // the reset pulse ends with the reset
      if (reset_) reset_();
    }
  }
  bool a20() const { return value_ & 0x02; }

 private:
  std::function<void()> reset_;
  std::function<void(bool)> a20_;
  uint8_t value_ = 0x02;  // A20 enabled, as QEMU starts
};

}  // namespace orcvm
