#include "devices/rtc_cmos.h"

#include <algorithm>

namespace orcvm {

namespace {
constexpr uint8_t kSecondsAlarm = 0x01, kMinutesAlarm = 0x03, kHoursAlarm = 0x05;
constexpr uint8_t kCentury = 0x32;
constexpr uint8_t kRegBSet = 0x80, kRegBPie = 0x40, kRegBAie = 0x20, kRegBUie = 0x10;
constexpr uint8_t kRegBBinary = 0x04, kRegB24Hour = 0x02;
constexpr uint8_t kRegCIrqf = 0x80, kRegCPf = 0x40, kRegCAf = 0x20, kRegCUf = 0x10;
constexpr uint64_t kRtcBaseHz = 32768;
constexpr uint64_t kUipWindowNs = 244'000;

bool is_time_register(uint8_t index) {
  return index == 0 || index == 2 || index == 4 || index == 6 || index == 7 || index == 8 || index == 9 ||
         index == kCentury;
}

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(y + (*month <= 2));
}
}  // namespace

RtcCmos::DateTime RtcCmos::to_date_time(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t sod = t - days * 86400;
  DateTime dt;
  civil_from_days(days, &dt.year, &dt.month, &dt.day);
  dt.hour = static_cast<int>(sod / 3600);
  dt.minute = static_cast<int>(sod / 60 % 60);
  dt.second = static_cast<int>(sod % 60);
  dt.weekday = static_cast<int>(((days % 7) + 11) % 7) + 1;  // 1970-01-01 was a Thursday (5)
  return dt;
}

int64_t RtcCmos::to_unix(const DateTime& t) {
  int month = std::clamp(t.month, 1, 12), day = std::clamp(t.day, 1, 31);
  return days_from_civil(t.year, month, day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

RtcCmos::RtcCmos(const Clock& clock, IrqLine* irq8, const Config& config) : clock_(clock), irq8_(irq8) {
  base_time_ = config.base_time;
  base_clock_ = clock_.now();
  processed_ = base_clock_;
  cmos_[kRegA] = 0x26;
  cmos_[kRegB] = kRegB24Hour;
  cmos_[kRegC] = 0;
  cmos_[kRegD] = 0x80;  // valid RAM and time

  const uint64_t kKiB = 1024, kMiB = 1024 * 1024;
  const uint64_t below = config.ram_below_4g;
  uint64_t val = std::min<uint64_t>(below / kKiB, 640);
  cmos_[0x15] = val & 0xff;
  cmos_[0x16] = val >> 8;
  val = below > kMiB ? std::min<uint64_t>((below - kMiB) / kKiB, 65535) : 0;
  cmos_[0x17] = cmos_[0x30] = val & 0xff;
  cmos_[0x18] = cmos_[0x31] = val >> 8;
  val = below > 16 * kMiB ? std::min<uint64_t>((below - 16 * kMiB) / (64 * kKiB), 65535) : 0;
  cmos_[0x34] = val & 0xff;
  cmos_[0x35] = val >> 8;
  val = config.ram_above_4g / (64 * kKiB);
  cmos_[0x5b] = val & 0xff;
  cmos_[0x5c] = (val >> 8) & 0xff;
  cmos_[0x5d] = (val >> 16) & 0xff;
  cmos_[0x5f] = static_cast<uint8_t>(config.cpus - 1);
  cmos_[0x14] = 0x06;  // equipment: math coprocessor, 80x25 colour display
  // The AT checksum over 0x10-0x2d, big-endian at 0x2e/0x2f.
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2d; ++i) sum += cmos_[i];
  cmos_[0x2e] = sum >> 8;
  cmos_[0x2f] = sum & 0xff;
  recompute_alarm(base_clock_);
}

uint8_t RtcCmos::encode(int value) const {
  if (cmos_[kRegB] & kRegBBinary) return static_cast<uint8_t>(value);
  return static_cast<uint8_t>(((value / 10) % 10) << 4 | (value % 10));
}

int RtcCmos::decode(uint8_t value) const {
  if (cmos_[kRegB] & kRegBBinary) return value;
  return (value >> 4) * 10 + (value & 0x0f);
}

uint8_t RtcCmos::encode_hour(int hour) const {
  if (cmos_[kRegB] & kRegB24Hour) return encode(hour);
  int h12 = hour % 12 == 0 ? 12 : hour % 12;
  return encode(h12) | (hour >= 12 ? 0x80 : 0);
}

int RtcCmos::decode_hour(uint8_t value) const {
  if (cmos_[kRegB] & kRegB24Hour) return decode(value);
  return decode(value & 0x7f) % 12 + ((value & 0x80) ? 12 : 0);
}

void RtcCmos::store_time(const DateTime& t) {
  cmos_[0] = encode(t.second);
  cmos_[2] = encode(t.minute);
  cmos_[4] = encode_hour(t.hour);
  cmos_[6] = encode(t.weekday);
  cmos_[7] = encode(t.day);
  cmos_[8] = encode(t.month);
  cmos_[9] = encode(t.year % 100);
  cmos_[kCentury] = encode(t.year / 100);
}

RtcCmos::DateTime RtcCmos::load_time() const {
  DateTime t;
  t.second = decode(cmos_[0]);
  t.minute = decode(cmos_[2]);
  t.hour = decode_hour(cmos_[4]);
  t.weekday = decode(cmos_[6]);
  t.day = decode(cmos_[7]);
  t.month = decode(cmos_[8]);
  t.year = decode(cmos_[kCentury]) * 100 + decode(cmos_[9]);
  return t;
}

int64_t RtcCmos::current_time() {
  if (frozen_) return to_unix(load_time());
  return base_time_ + static_cast<int64_t>((clock_.now() - base_clock_) / kNsPerSecond);
}

void RtcCmos::freeze(uint64_t now) {
  if (frozen_) return;
  store_time(to_date_time(base_time_ + static_cast<int64_t>((now - base_clock_) / kNsPerSecond)));
  frozen_ = true;
  next_alarm_ = kNoDeadline;
}

void RtcCmos::unfreeze(uint64_t now) {
  if (!frozen_) return;
  base_time_ = to_unix(load_time());
  base_clock_ = now;
  frozen_ = false;
  recompute_alarm(now);
}

bool RtcCmos::alarm_matches(const DateTime& t) const {
  auto match = [](uint8_t alarm, uint8_t value) { return (alarm & 0xc0) == 0xc0 || alarm == value; };
  return match(cmos_[kSecondsAlarm], encode(t.second)) && match(cmos_[kMinutesAlarm], encode(t.minute)) &&
         match(cmos_[kHoursAlarm], encode_hour(t.hour));
}

void RtcCmos::recompute_alarm(uint64_t now) {
  next_alarm_ = kNoDeadline;
  if (frozen_) return;
  const int64_t current = base_time_ + static_cast<int64_t>((now - base_clock_) / kNsPerSecond);
  int64_t sod = ((current % 86400) + 86400) % 86400;
  DateTime t{};
  for (int64_t dt = 1; dt <= 86400; ++dt) {
    int64_t s = (sod + dt) % 86400;
    t.hour = static_cast<int>(s / 3600);
    t.minute = static_cast<int>(s / 60 % 60);
    t.second = static_cast<int>(s % 60);
    if (alarm_matches(t)) {
      next_alarm_ = base_clock_ + static_cast<uint64_t>(current + dt - base_time_) * kNsPerSecond;
      return;
    }
  }
}

uint64_t RtcCmos::periodic_period_ticks() const {
  unsigned rate = cmos_[kRegA] & 0x0f;
  if (rate == 0 || (cmos_[kRegA] & 0x70) != 0x20) return 0;
  if (rate <= 2) rate += 7;  // 256 Hz and 128 Hz, as the 32.768 kHz part gives
  return uint64_t{1} << (rate - 1);
}

uint64_t RtcCmos::next_periodic_after(uint64_t t) const {
  const uint64_t period = periodic_period_ticks();
  if (period == 0) return kNoDeadline;
  const uint64_t k = ns_to_ticks(t, kRtcBaseHz) / period + 1;
  return ticks_to_ns_ceil(k * period, kRtcBaseHz);
}

uint64_t RtcCmos::next_second_after(uint64_t t) const {
  const uint64_t since = t >= base_clock_ ? t - base_clock_ : 0;
  return base_clock_ + (since / kNsPerSecond + 1) * kNsPerSecond;
}

void RtcCmos::catch_up(uint64_t now) {
  if (now <= processed_) return;
  const uint64_t period = periodic_period_ticks();
  if (period && ns_to_ticks(now, kRtcBaseHz) / period > ns_to_ticks(processed_, kRtcBaseHz) / period)
    cmos_[kRegC] |= kRegCPf;
  if (!frozen_) {
    const uint64_t from = processed_ >= base_clock_ ? processed_ - base_clock_ : 0;
    if ((now - base_clock_) / kNsPerSecond > from / kNsPerSecond) cmos_[kRegC] |= kRegCUf;
    if (next_alarm_ <= now) {
      cmos_[kRegC] |= kRegCAf;
      recompute_alarm(now);
    }
  }
  processed_ = now;
  update_irq();
}

void RtcCmos::update_irq() {
  const bool irqf = (cmos_[kRegC] & cmos_[kRegB] & 0x70) != 0;
  if (irqf) cmos_[kRegC] |= kRegCIrqf; else cmos_[kRegC] &= ~kRegCIrqf;
  if (irqf != irq_level_) {
    irq_level_ = irqf;
    if (irq8_) irq8_->set_level(irqf);
  }
}

uint64_t RtcCmos::next_deadline() const {
  if (irq_level_) return kNoDeadline;  // IRQF stays set until register C is read
  const uint8_t b = cmos_[kRegB];
  uint64_t deadline = kNoDeadline;
  if (b & kRegBPie) deadline = std::min(deadline, next_periodic_after(processed_));
  if (!frozen_ && (b & kRegBUie)) deadline = std::min(deadline, next_second_after(processed_));
  if (!frozen_ && (b & kRegBAie)) deadline = std::min(deadline, next_alarm_);
  return deadline;
}

void RtcCmos::service(uint64_t now) { catch_up(now); }

uint8_t RtcCmos::read_time_register(uint8_t index, uint64_t now) {
  if (frozen_) return cmos_[index];
  DateTime t = to_date_time(base_time_ + static_cast<int64_t>((now - base_clock_) / kNsPerSecond));
  switch (index) {
    case 0: return encode(t.second);
    case 2: return encode(t.minute);
    case 4: return encode_hour(t.hour);
    case 6: return encode(t.weekday);
    case 7: return encode(t.day);
    case 8: return encode(t.month);
    case 9: return encode(t.year % 100);
    default: return encode(t.year / 100);
  }
}

uint8_t RtcCmos::read(uint8_t index) {
  index &= 0x7f;
  const uint64_t now = clock_.now();
  if (is_time_register(index)) return read_time_register(index, now);
  switch (index) {
    case kRegA: {
      bool uip = !frozen_ && (cmos_[kRegA] & 0x70) == 0x20 &&
                 (now - base_clock_) % kNsPerSecond >= kNsPerSecond - kUipWindowNs;
      return (cmos_[kRegA] & 0x7f) | (uip ? 0x80 : 0);
    }
    case kRegC: {
      catch_up(now);
      uint8_t value = cmos_[kRegC];
      cmos_[kRegC] = 0;
      update_irq();
      return value;
    }
    case kRegD: return 0x80;
    default: return cmos_[index];
  }
}

void RtcCmos::write(uint8_t index, uint8_t value) {
  index &= 0x7f;
  const uint64_t now = clock_.now();
  catch_up(now);
  if (is_time_register(index)) {
    if (frozen_) {
      cmos_[index] = value;
    } else {
      // The registers are RAM the update cycle increments: take the present
      // time, change one field, carry on from there.
      freeze(now);
      cmos_[index] = value;
      unfreeze(now);
    }
    return;
  }
  switch (index) {
    case kRegA:
      cmos_[kRegA] = value & 0x7f;
      break;
    case kRegB:
      if (value & kRegBSet) value &= ~kRegBUie;  // SET clears UIE
      cmos_[kRegB] = value;
      break;
    case kRegC:
    case kRegD:
      return;  // read-only
    case kSecondsAlarm:
    case kMinutesAlarm:
    case kHoursAlarm:
      cmos_[index] = value;
      recompute_alarm(now);
      return;
    default:
      cmos_[index] = value;
      return;
  }
  // Register A or B: the clock runs only with DV = 010 and SET clear.
  if (running()) {
    unfreeze(now);
  } else {
    freeze(now);
  }
  recompute_alarm(now);
  update_irq();
}

uint32_t RtcCmos::port_read(uint16_t port, unsigned size) {
  uint32_t value = (port & 1) ? read(index_) : 0xff;  // the index register is write-only
  if (size == 2) value |= 0xff00;
  if (size == 4) value |= 0xffffff00;
  return value;
}

void RtcCmos::port_write(uint16_t port, unsigned, uint32_t value) {
  if (port & 1) {
    write(index_, value & 0xff);
  } else {
    index_ = value & 0x7f;
    nmi_disabled_ = value & 0x80;
  }
}

}  // namespace orcvm
