#pragma once
// The 8254 programmable interval timer at 0x40-0x43 (1.193182 MHz), with PC
// system control port B at 0x61 (channel 2 gate in bit 0, speaker data in bit 1,
// the channel 2 output in bit 5, the refresh toggle in bit 4).
//
// Counters are not ticked: every value is computed from the Clock when read, and
// channel 0's IRQ0 edges are scheduled through next_deadline()/service(). Modes
// 0-5, binary and BCD counting, LSB/MSB/LSB-then-MSB access, counter latch and
// read-back (count and status) commands are implemented from the data sheet.
// Channel 0 drives IRQ0; channel 1 (DRAM refresh on old PCs) counts but is not
// connected; channel 2's gate is port 0x61 bit 0. Simplifications (as QEMU): a
// count written while a mode 2/3 counter runs takes effect at once rather than
// at the end of the current period, and writing only the first byte of a
// two-byte count does not stop a mode 0 count.
#include <array>
#include <cstdint>

#include "devices/clock.h"
#include "devices/interrupts.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class Pit8254 : public PortDevice {
 public:
  static constexpr uint64_t kFrequencyHz = 1193182;

  Pit8254(const Clock& clock, IrqLine* irq0);

  // Ports 0x40-0x43 and 0x61.
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // Timer contract (devices/clock.h): IRQ0 edges of channel 0.
  uint64_t next_deadline() const;
  void service(uint64_t now);

  // As a BIOS leaves it: channel 0 in mode 2 with count 65536 (18.2 Hz).
  void firmware_init();

  // For tests and the platform.
  uint32_t current_count(unsigned channel) const;  // as a read would return it, before BCD encoding
  bool output(unsigned channel) const;
  void set_gate(unsigned channel, bool level);

 private:
  struct Channel {
    uint8_t mode = 0;
    uint8_t rw = 3;          // 1: LSB, 2: MSB, 3: LSB then MSB
    bool bcd = false;
    uint32_t count = 0x10000;  // reload value, binary (1..65536 or 1..10000)
    bool loaded = false;       // a count has been written since the control word
    bool gate = true;
    bool running = false;      // counting (gate-enabled and loaded)
    bool triggered = false;    // modes 1 and 5: a gate edge started the count
    bool null_count = true;
    uint64_t run_start = 0;    // Clock time the present run began
    uint64_t ticks_before = 0; // ticks counted before run_start (mode 0/4 gate pauses)
    bool write_msb_next = false;
    uint8_t write_lsb = 0;
    bool read_msb_next = false;
    bool count_latched = false;
    uint16_t latched_count = 0;
    bool status_latched = false;
    uint8_t latched_status = 0;
    uint64_t next_edge = 0;    // channel 0: tick (from the count start) of the next IRQ edge
  };

  uint64_t elapsed_ticks(const Channel& c, uint64_t now) const;
  uint32_t count_at(const Channel& c, uint64_t now) const;
  bool output_at(const Channel& c, uint64_t now) const;
  uint16_t encode(const Channel& c, uint32_t value) const;
  void load_count(unsigned channel, uint32_t raw);
  void control_word(uint8_t value);
  void latch_count(Channel& c);
  void latch_status(Channel& c);
  uint8_t read_counter(unsigned channel);
  void write_counter(unsigned channel, uint8_t value);
  void schedule_irq0();
  uint64_t edge_time(const Channel& c, uint64_t tick) const;

  const Clock& clock_;
  IrqLine* irq0_;
  std::array<Channel, 3> ch_;
  bool irq0_level_ = false;
  uint64_t irq0_deadline_ = kNoDeadline;
  uint8_t port61_ = 0;      // bits 1-3 as written
  bool refresh_toggle_ = false;
};

}  // namespace orcvm
