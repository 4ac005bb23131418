#pragma once
// The MC146818 real-time clock and CMOS RAM at ports 0x70 (index, bit 7 = NMI
// disable) and 0x71 (data), IRQ8.
//
// The clock keeps UTC time from a base (host time at construction, or a fixed
// value for deterministic runs) advanced by the Clock. Time and date registers
// read in BCD or binary and 12- or 24-hour format per register B; the SET bit
// freezes them for writing, and clearing it restarts the clock from what the
// guest wrote. Register A selects the periodic rate (RS3-0; rates 1 and 2 give
// 256 and 128 Hz as on the real part) and the divider (the clock runs only with
// DV = 010); UIP reads 1 in the 244 us before each update. Register C holds
// IRQF/PF/AF/UF and reading it clears them and drops IRQ8. Periodic, alarm
// (with don't-care values 0xc0-0xff) and update-ended interrupts are scheduled
// through next_deadline()/service(). The CMOS bytes hold the memory sizes at
// 0x15/0x16, 0x17/0x18, 0x30/0x31, 0x34/0x35 and 0x5b-0x5d, the CPU count - 1
// at 0x5f and the century at 0x32, as QEMU's pc machine fills them.
#include <array>
#include <cstdint>

#include "devices/clock.h"
#include "devices/interrupts.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class RtcCmos : public PortDevice {
 public:
  struct Config {
    uint64_t ram_below_4g = 0;     // bytes of RAM below 4 GiB
    uint64_t ram_above_4g = 0;     // bytes of RAM above 4 GiB
    unsigned cpus = 1;
    int64_t base_time = 0;         // UTC seconds since 1970 at Clock time 0
  };

  RtcCmos(const Clock& clock, IrqLine* irq8, const Config& config);

  // Ports 0x70 and 0x71.
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  uint64_t next_deadline() const;
  void service(uint64_t now);

  bool nmi_disabled() const { return nmi_disabled_; }
  // Direct access to CMOS bytes (register semantics apply to 0x00-0x0d).
  uint8_t read(uint8_t index);
  void write(uint8_t index, uint8_t value);
  // UTC seconds since 1970 the clock shows now.
  int64_t current_time();

  // Register contents: A = 0x26 (32.768 kHz, 1024 Hz), B = 0x02 (24 hour, BCD).
  static constexpr uint8_t kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c, kRegD = 0x0d;

 private:
  struct DateTime {
    int year, month, day, hour, minute, second, weekday;  // weekday 1 = Sunday
  };
  static DateTime to_date_time(int64_t unix_seconds);
  static int64_t to_unix(const DateTime& t);

  bool running() const { return (cmos_[kRegA] & 0x70) == 0x20 && !(cmos_[kRegB] & 0x80); }
  uint8_t encode(int value) const;
  int decode(uint8_t value) const;
  uint8_t encode_hour(int hour) const;
  int decode_hour(uint8_t value) const;
  void store_time(const DateTime& t);   // into the time registers (frozen clock)
  DateTime load_time() const;           // from the time registers
  void freeze(uint64_t now);
  void unfreeze(uint64_t now);
  uint8_t read_time_register(uint8_t index, uint64_t now);
  bool alarm_matches(const DateTime& t) const;
  void catch_up(uint64_t now);
  void update_irq();
  uint64_t periodic_period_ticks() const;  // in 32.768 kHz ticks, 0 when off
  uint64_t next_periodic_after(uint64_t t) const;
  uint64_t next_second_after(uint64_t t) const;
  void recompute_alarm(uint64_t now);

  const Clock& clock_;
  IrqLine* irq8_;
  std::array<uint8_t, 128> cmos_{};
  uint8_t index_ = 0;
  bool nmi_disabled_ = false;
  bool frozen_ = false;         // time lives in the registers (SET or divider stopped)
  int64_t base_time_ = 0;       // UTC seconds shown at Clock time base_clock_
  uint64_t base_clock_ = 0;
  uint64_t processed_ = 0;      // events up to this Clock time are in register C
  uint64_t next_alarm_ = kNoDeadline;
  bool irq_level_ = false;
};

}  // namespace orcvm
