#include "devices/uart16550.h"

#include <poll.h>
#include <unistd.h>

namespace orcvm {

namespace {
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kIerRda = 0x01, kIerThre = 0x02, kIerRls = 0x04, kIerMsi = 0x08;
constexpr uint8_t kLsrDataReady = 0x01, kLsrErrors = 0x1e, kLsrThre = 0x20, kLsrTemt = 0x40, kLsrFifoError = 0x80;
constexpr uint8_t kMcrLoop = 0x10;
constexpr uint8_t kIirNone = 0x01, kIirMsi = 0x00, kIirThre = 0x02, kIirRda = 0x04, kIirRls = 0x06,
                  kIirTimeout = 0x0c, kIirFifo = 0xc0;
}  // namespace

unsigned Uart16550::rx_trigger() const {
  if (!(fcr_ & 0x01)) return 1;
  static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
  return kLevels[fcr_ >> 6];
}

uint8_t Uart16550::lsr() const {
  uint8_t v = kLsrThre | kLsrTemt | lsr_errors_;
  if (!rx_.empty()) v |= kLsrDataReady;
  if ((fcr_ & 0x01) && (lsr_errors_ & kLsrErrors)) v |= kLsrFifoError;
  return v;
}

uint8_t Uart16550::iir() const {
  uint8_t id = kIirNone;
  if ((ier_ & kIerRls) && (lsr_errors_ & kLsrErrors)) id = kIirRls;
  else if ((ier_ & kIerRda) && rx_.size() >= rx_trigger()) id = kIirRda;
  else if ((ier_ & kIerRda) && !rx_.empty()) id = kIirTimeout;
  else if ((ier_ & kIerThre) && thr_pending_) id = kIirThre;
  else if ((ier_ & kIerMsi) && (msr_ & 0x0f)) id = kIirMsi;
  return id | ((fcr_ & 0x01) ? kIirFifo : 0);
}

void Uart16550::update_irq() {
  const bool level = (iir() & kIirNone) == 0;
  if (level != irq_level_) {
    irq_level_ = level;
    if (irq_) irq_->set_level(level);
  }
}

void Uart16550::set_msr_inputs(uint8_t lines) {
  const uint8_t old = msr_ & 0xf0;
  lines &= 0xf0;
  uint8_t delta = 0;
  if ((old ^ lines) & 0x10) delta |= 0x01;          // DCTS
  if ((old ^ lines) & 0x20) delta |= 0x02;          // DDSR
  if ((old & 0x40) && !(lines & 0x40)) delta |= 0x04;  // TERI: RI went inactive
  if ((old ^ lines) & 0x80) delta |= 0x08;          // DDCD
  msr_ = lines | (msr_ & 0x0f) | delta;
}

void Uart16550::receive(uint8_t byte) {
  if (rx_.size() >= rx_capacity()) {
    lsr_errors_ |= 0x02;  // overrun: the byte is lost
  } else {
    rx_.push_back(byte);
  }
  update_irq();
}

bool Uart16550::poll_input() {
  bool got = false;
  while (wants_input()) {
    pollfd p{input_fd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) break;
    uint8_t buf[16];
    const size_t room = rx_capacity() - rx_.size();
    const ssize_t n = read(input_fd_, buf, room < sizeof buf ? room : sizeof buf);
    if (n <= 0) {
      input_eof_ = true;  // end of input (or an error): stop polling it
      break;
    }
    for (ssize_t i = 0; i < n; ++i) rx_.push_back(buf[i]);
    got = true;
  }
  if (got) update_irq();
  return got;
}

void Uart16550::transmit(uint8_t byte) {
  if (mcr_ & kMcrLoop) {
    receive(byte);
  } else if (out_) {
    std::fputc(byte, out_);
    std::fflush(out_);
  }
  thr_pending_ = true;  // the transmitter is empty again at once
}

uint32_t Uart16550::port_read(uint16_t port, unsigned size) {
  const bool dlab = lcr_ & kLcrDlab;
  uint32_t value;
  switch (port & 7) {
    case 0:
      if (dlab) {
        value = divisor_low_;
      } else {
        value = 0;
        if (!rx_.empty()) {
          value = rx_.front();
          rx_.pop_front();
        }
      }
      break;
    case 1: value = dlab ? divisor_high_ : ier_; break;
    case 2:
      value = iir();
      if ((value & 0x0f) == kIirThre) thr_pending_ = false;
      break;
    case 3: value = lcr_; break;
    case 4: value = mcr_; break;
    case 5:
      value = lsr();
      lsr_errors_ = 0;
      break;
    case 6:
      value = msr_;
      msr_ &= 0xf0;
      break;
    default: value = scratch_; break;
  }
  update_irq();
  if (size == 2) value |= 0xff00;
  if (size == 4) value |= 0xffffff00;
  return value;
}

void Uart16550::port_write(uint16_t port, unsigned, uint32_t value) {
  const uint8_t byte = static_cast<uint8_t>(value);
  const bool dlab = lcr_ & kLcrDlab;
  switch (port & 7) {
    case 0:
      if (dlab) {
        divisor_low_ = byte;
      } else {
        thr_pending_ = false;
        transmit(byte);
      }
      break;
    case 1:
      if (dlab) {
        divisor_high_ = byte;
      } else {
        const uint8_t changed = (ier_ ^ byte) & 0x0f;
        ier_ = byte & 0x0f;
        // Enabling the THRE interrupt with the transmitter empty raises it (not
        // in the data sheet, but what drivers expect and QEMU does).
        if (changed & kIerThre) thr_pending_ = (ier_ & kIerThre) != 0;
      }
      break;
    case 2: {
      const uint8_t old = fcr_;
      fcr_ = byte & 0xc9;  // enable, DMA mode, trigger level
      if ((old ^ byte) & 0x01) rx_.clear();  // switching FIFOs on or off empties them
      if (byte & 0x02) rx_.clear();
      if (!(fcr_ & 0x01)) fcr_ = 0;
      break;
    }
    case 3: lcr_ = byte; break;
    case 4: {
      mcr_ = byte & 0x1f;
      if (mcr_ & kMcrLoop) {
        // Loopback: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2.
        uint8_t lines = ((mcr_ & 0x02) ? 0x10 : 0) | ((mcr_ & 0x01) ? 0x20 : 0) | ((mcr_ & 0x04) ? 0x40 : 0) |
                        ((mcr_ & 0x08) ? 0x80 : 0);
        set_msr_inputs(lines);
      } else {
        set_msr_inputs(0xb0);
      }
      break;
    }
    case 7: scratch_ = byte; break;
    default: break;
  }
  update_irq();
}

}  // namespace orcvm
