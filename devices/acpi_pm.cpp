#include "devices/acpi_pm.h"

namespace orcvm {

namespace {
constexpr uint16_t kStsMask = 0x8731;  // TMR, BM, GBL, PWRBTN, SLPBTN, RTC, WAK
constexpr uint16_t kEnMask = 0x0721;   // TMR, GBL, PWRBTN, SLPBTN, RTC
constexpr uint16_t kCntMask = 0x1c07;  // SCI_EN, BM_RLD, GBL_RLS, SLP_TYP
}  // namespace

AcpiPm::AcpiPm(const Clock& clock, IrqLine* sci, std::function<void()> poweroff, uint16_t base,
               uint8_t s5_sleep_type)
    : clock_(clock), sci_(sci), poweroff_(std::move(poweroff)), base_(base), s5_type_(s5_sleep_type) {
  timer_msb_seen_ = ns_to_ticks(clock_.now(), kTimerHz) >> 23;
}

void AcpiPm::update_timer_status(uint64_t now) {
  const uint64_t msb = ns_to_ticks(now, kTimerHz) >> 23;
  if (msb != timer_msb_seen_) {
    timer_msb_seen_ = msb;
    sts_ |= kTmrSts;
  }
}

void AcpiPm::update_sci() {
  const bool level = (cnt_ & kSciEn) && (sts_ & en_ & kEnMask);
  if (level != sci_level_) {
    sci_level_ = level;
    if (sci_) sci_->set_level(level);
  }
}

uint64_t AcpiPm::next_deadline() const {
  if (!(en_ & kTmrSts) || (sts_ & kTmrSts)) return kNoDeadline;
  return ticks_to_ns_ceil((timer_msb_seen_ + 1) << 23, kTimerHz);
}

void AcpiPm::service(uint64_t now) {
  update_timer_status(now);
  update_sci();
}

void AcpiPm::press_power_button() {
  sts_ |= kPwrBtnSts;
  update_sci();
}

uint8_t AcpiPm::read_byte(unsigned offset, uint64_t now) {
  switch (offset) {
    case 0: update_timer_status(now); return sts_ & 0xff;
    case 1: return sts_ >> 8;
    case 2: return en_ & 0xff;
    case 3: return en_ >> 8;
    case 4: return cnt_ & 0xff;
    case 5: return (cnt_ >> 8) & ~(kSlpEn >> 8);  // SLP_EN is write-only
    case 8:
    case 9:
    case 10:
    case 11: {
      const uint32_t t = static_cast<uint32_t>(ns_to_ticks(now, kTimerHz) & 0xffffff);
      return static_cast<uint8_t>(t >> (8 * (offset - 8)));
    }
    default: return 0xff;
  }
}

void AcpiPm::write_byte(unsigned offset, uint8_t value) {
  switch (offset) {
    case 0: sts_ &= ~(value & kStsMask & 0xff); break;
    case 1: sts_ &= ~((value << 8) & kStsMask); break;
    case 2: en_ = (en_ & 0xff00) | (value & kEnMask & 0xff); break;
    case 3: en_ = (en_ & 0x00ff) | ((value << 8) & kEnMask); break;
    case 4: cnt_ = (cnt_ & 0xff00) | (value & kCntMask & 0xff); break;
    case 5: {
      cnt_ = (cnt_ & 0x00ff) | ((value << 8) & kCntMask);
      if ((value << 8) & kSlpEn) {
        const unsigned type = (cnt_ >> 10) & 7;
        if ((type == s5_type_ || type == 0) && poweroff_) poweroff_();
      }
      break;
    }
    default: break;  // the timer is read-only
  }
}

uint32_t AcpiPm::port_read(uint16_t port, unsigned size) {
  const unsigned offset = port - base_;
  const uint64_t now = clock_.now();
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= uint32_t{read_byte(offset + i, now)} << (8 * i);
  update_sci();
  return value;
}

void AcpiPm::port_write(uint16_t port, unsigned size, uint32_t value) {
  const unsigned offset = port - base_;
  update_timer_status(clock_.now());
  for (unsigned i = 0; i < size; ++i) write_byte(offset + i, static_cast<uint8_t>(value >> (8 * i)));
  update_sci();
}

}  // namespace orcvm
