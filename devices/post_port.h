#pragma once
#include <cstdint>

#include "runtime/softmmu/bus.h"

namespace orcvm {

// Port 0x80, the POST code / I/O delay port Linux writes for outb_p(): writes
// are ignored, reads return 0xff (as QEMU's ioport80).
class PostPort : public PortDevice {
 public:
  uint32_t port_read(uint16_t, unsigned size) override { return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }
  void port_write(uint16_t, unsigned, uint32_t value) override { last_ = value & 0xff; }
  uint8_t last() const { return last_; }

 private:
  uint8_t last_ = 0;
};

}  // namespace orcvm
