#pragma once
// 16550 UART at 0x3f8: transmit to a host stream; the line status always reports
// an empty transmitter. Receive and interrupts arrive with the system issue.
#include <cstdio>

#include "runtime/softmmu/bus.h"

namespace orcvm {

class Uart16550 : public PortDevice {
 public:
  explicit Uart16550(FILE* out) : out_(out) {}
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  FILE* out_;  // null: output discarded (--serial none)
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scratch_ = 0, divisor_low_ = 1, divisor_high_ = 0;
};

}  // namespace orcvm
