#include "devices/uart16550.h"

namespace orcvm {

namespace {
constexpr uint8_t kLcrDivisorLatch = 0x80;
constexpr uint8_t kLsrTransmitEmpty = 0x60;  // THRE | TEMT
}  // namespace

uint32_t Uart16550::port_read(uint16_t port, unsigned) {
  const bool dlab = lcr_ & kLcrDivisorLatch;
  switch (port & 7) {
    case 0: return dlab ? divisor_low_ : 0;  // no received data
    case 1: return dlab ? divisor_high_ : ier_;
    case 2: return 0x01;  // IIR: no interrupt pending
    case 3: return lcr_;
    case 4: return mcr_;
    case 5: return kLsrTransmitEmpty;
    case 6: return 0xb0;  // MSR: CTS, DSR, DCD
    default: return scratch_;
  }
}

void Uart16550::port_write(uint16_t port, unsigned, uint32_t value) {
  const uint8_t byte = static_cast<uint8_t>(value);
  const bool dlab = lcr_ & kLcrDivisorLatch;
  switch (port & 7) {
    case 0:
      if (dlab) {
        divisor_low_ = byte;
      } else if (out_) {
        std::fputc(byte, out_);
        if (byte == '\n') std::fflush(out_);
      }
      break;
    case 1:
      if (dlab) divisor_high_ = byte; else ier_ = byte & 0x0f;
      break;
    case 3: lcr_ = byte; break;
    case 4: mcr_ = byte & 0x1f; break;
    case 7: scratch_ = byte; break;
    default: break;
  }
}

}  // namespace orcvm
