#pragma once
// 16550A UART (COM1 at 0x3f8, IRQ 4): transmit to a host stream, receive from a
// host file descriptor.
//
// Registers: RBR/THR, IER (received data, THR empty, line status, modem status
// interrupts), IIR with the 16550 priority order (line status > received data >
// character timeout > THR empty > modem status; bits 7-6 set while the FIFOs
// are on; reading an IIR that reports THR empty clears that source), FCR (FIFO
// enable, receive/transmit FIFO reset, receive trigger level 1/4/8/14), LCR
// (DLAB), MCR (loopback: transmitted bytes come back, MSR follows DTR/RTS/OUT1/
// OUT2), LSR (data ready, overrun, THRE, TEMT; error bits clear on read), MSR
// with delta bits, SCR and the divisor latch.
//
// Transmission completes at once, so THR empty is pending again after every
// write (as QEMU without flow control). The receive FIFO holds 16 bytes (1
// with FIFOs off). poll_input() moves bytes from the host descriptor into it
// without blocking and never takes more than fits, so host input is not lost;
// a partly filled FIFO below its trigger level reports the character timeout
// at once (the timeout is taken as elapsed). As QEMU, the IRQ does not depend
// on MCR.OUT2.
#include <cstdint>
#include <cstdio>
#include <deque>

#include "devices/interrupts.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class Uart16550 : public PortDevice {
 public:
  explicit Uart16550(FILE* out) : out_(out) {}  // out null: output discarded (--serial none)
  void set_output(FILE* out) { out_ = out; }

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  void connect_irq(IrqLine* irq) {
    irq_ = irq;
    update_irq();
  }
  // Host input: a descriptor polled by poll_input() (-1: none). It is not put in
  // non-blocking mode; poll_input() uses poll() with a zero timeout.
  void set_input_fd(int fd) {
    input_fd_ = fd;
    input_eof_ = false;
  }
  int input_fd() const { return input_eof_ ? -1 : input_fd_; }
  // Reads what the host descriptor has ready and fits in the receive FIFO.
  // Returns true when bytes were received.
  bool poll_input();
  // True while the host descriptor is open and the receive FIFO has room.
  bool wants_input() const { return input_fd() >= 0 && rx_.size() < rx_capacity(); }
  // Puts bytes into the receive FIFO as if they arrived on the line (an overrun
  // is flagged when it is full).
  void receive(uint8_t byte);

  uint8_t iir() const;
  uint8_t lsr() const;
  bool irq_level() const { return irq_level_; }

 private:
  size_t rx_capacity() const { return (fcr_ & 0x01) ? 16 : 1; }
  unsigned rx_trigger() const;
  void transmit(uint8_t byte);
  void update_irq();
  void set_msr_inputs(uint8_t lines);  // bits 7-4 (DCD, RI, DSR, CTS)

  FILE* out_;
  IrqLine* irq_ = nullptr;
  int input_fd_ = -1;
  bool input_eof_ = false;
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scratch_ = 0, divisor_low_ = 1, divisor_high_ = 0;
  uint8_t fcr_ = 0;
  uint8_t lsr_errors_ = 0;   // OE/PE/FE/BI bits waiting to be read
  uint8_t msr_ = 0xb0;       // DCD, DSR, CTS asserted; delta bits in 3-0
  bool thr_pending_ = false; // THR empty interrupt source
  bool irq_level_ = false;
};

}  // namespace orcvm
