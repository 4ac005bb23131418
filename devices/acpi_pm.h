#pragma once
// ACPI fixed hardware of the orcvm PC, at the ports the FADT declares (QEMU pc:
// base 0x600): PM1a event block (PM1_STS at base, PM1_EN at base + 2), PM1a
// control block (PM1_CNT at base + 4) and the PM timer (base + 8, 3.579545 MHz,
// 24 bits as the FADT says with TMR_VAL_EXT clear).
//
// PM1_STS bits are write-one-to-clear; the SCI (level, IRQ 9) is asserted while
// SCI_EN is set and any enabled status bit is set. TMR_STS sets when bit 23 of
// the timer changes; PWRBTN_STS is set by press_power_button(). Writing PM1_CNT
// with SLP_EN and SLP_TYP equal to the DSDT's \_S5 value (5) calls the poweroff
// callback; SLP_TYP 0 does too, as QEMU's PIIX4 treats it (guests written for
// QEMU write 0x2000 to port 0x604). Other sleep types are ignored (no S1-S4).
// SCI_EN reads 1 from reset: the FADT has no SMI_CMD, so the hardware is
// always in ACPI mode.
#include <cstdint>
#include <functional>

#include "devices/clock.h"
#include "devices/interrupts.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class AcpiPm : public PortDevice {
 public:
  static constexpr uint64_t kTimerHz = 3579545;
  static constexpr uint16_t kTmrSts = 1u << 0, kPwrBtnSts = 1u << 8, kWakSts = 1u << 15;
  static constexpr uint16_t kSciEn = 1u << 0, kSlpEn = 1u << 13;

  AcpiPm(const Clock& clock, IrqLine* sci, std::function<void()> poweroff, uint16_t base = 0x600,
         uint8_t s5_sleep_type = 5);

  // Ports base .. base + 11.
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  uint64_t next_deadline() const;
  void service(uint64_t now);

  void press_power_button();
  uint32_t timer() const { return static_cast<uint32_t>(ns_to_ticks(clock_.now(), kTimerHz) & 0xffffff); }
  uint16_t status() { update_timer_status(clock_.now()); return sts_; }
  uint16_t enable() const { return en_; }
  uint16_t control() const { return cnt_; }

 private:
  uint8_t read_byte(unsigned offset, uint64_t now);
  void write_byte(unsigned offset, uint8_t value);
  void update_timer_status(uint64_t now);
  void update_sci();

  const Clock& clock_;
  IrqLine* sci_;
  std::function<void()> poweroff_;
  uint16_t base_;
  uint8_t s5_type_;
  uint16_t sts_ = 0, en_ = 0, cnt_ = kSciEn;
  uint64_t timer_msb_seen_ = 0;  // value of timer >> 23 when TMR_STS was last brought up to date
  bool sci_level_ = false;
};

}  // namespace orcvm
