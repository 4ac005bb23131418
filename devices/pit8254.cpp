#include "devices/pit8254.h"

namespace orcvm {

namespace {
uint32_t bcd_to_bin16(uint32_t v) {
  return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}
uint32_t bin_to_bcd16(uint32_t v) {
  return (v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000 % 10) << 12);
}
}  // namespace

Pit8254::Pit8254(const Clock& clock, IrqLine* irq0) : clock_(clock), irq0_(irq0) {
  ch_[2].gate = false;  // port 0x61 bit 0 is clear at reset
}

uint64_t Pit8254::elapsed_ticks(const Channel& c, uint64_t now) const {
  if (!c.loaded) return 0;
  uint64_t ticks = c.ticks_before;
  if (c.running && now > c.run_start) ticks += ns_to_ticks(now - c.run_start, kFrequencyHz);
  return ticks;
}

uint32_t Pit8254::count_at(const Channel& c, uint64_t now) const {
  const uint64_t modulus = c.bcd ? 10000 : 0x10000;
  const uint64_t n = c.count;
  if (!c.loaded) return n % modulus;
  const uint64_t d = elapsed_ticks(c, now);
  switch (c.mode) {
    case 1:
    case 5:
      if (!c.triggered) return n % modulus;
      [[fallthrough]];
    case 0:
    case 4:
      return static_cast<uint32_t>((n + modulus - d % modulus) % modulus);
    case 2: return static_cast<uint32_t>((n - d % n) % modulus);
    case 3: return static_cast<uint32_t>((n - (2 * d) % n) % modulus);
    default: return 0;
  }
}

bool Pit8254::output_at(const Channel& c, uint64_t now) const {
  if (!c.loaded) return c.mode != 0;
  const uint64_t n = c.count;
  if (!c.gate && (c.mode == 2 || c.mode == 3)) return true;
  const uint64_t d = elapsed_ticks(c, now);
  switch (c.mode) {
    case 0: return d >= n;
    case 1: return !(c.triggered && d < n);
    case 2: return n < 2 || d % n != n - 1;
    case 3: return d % n < (n + 1) / 2;
    case 4: return d != n;
    case 5: return !(c.triggered && d == n);
    default: return true;
  }
}

uint16_t Pit8254::encode(const Channel& c, uint32_t value) const {
  return c.bcd ? static_cast<uint16_t>(bin_to_bcd16(value % 10000)) : static_cast<uint16_t>(value);
}

uint32_t Pit8254::current_count(unsigned channel) const { return count_at(ch_[channel % 3], clock_.now()); }
bool Pit8254::output(unsigned channel) const { return output_at(ch_[channel % 3], clock_.now()); }

uint64_t Pit8254::edge_time(const Channel& c, uint64_t tick) const {
  uint64_t rel = tick > c.ticks_before ? tick - c.ticks_before : 0;
  return c.run_start + ticks_to_ns_ceil(rel, kFrequencyHz);
}

void Pit8254::schedule_irq0() {
  const Channel& c = ch_[0];
  irq0_deadline_ = (c.loaded && c.running && c.next_edge != 0) ? edge_time(c, c.next_edge) : kNoDeadline;
}

uint64_t Pit8254::next_deadline() const { return irq0_deadline_; }

void Pit8254::service(uint64_t now) {
  if (irq0_deadline_ > now) return;
  Channel& c = ch_[0];
  switch (c.mode) {
    case 0:
    case 1:
      // The output rises at terminal count and stays high until reprogrammed.
      if (irq0_ && !irq0_level_) irq0_->raise();
      irq0_level_ = true;
      c.next_edge = 0;
      break;
    case 2:
    case 3: {
      if (irq0_) irq0_->pulse();
      const uint64_t d = elapsed_ticks(c, now);
      c.next_edge = (d / c.count + 1) * c.count;  // periods missed while late coalesce
      break;
    }
    default:  // 4 and 5: one strobe
      if (irq0_) irq0_->pulse();
      c.next_edge = 0;
      break;
  }
  schedule_irq0();
}

void Pit8254::load_count(unsigned channel, uint32_t raw) {
  Channel& c = ch_[channel];
  uint32_t n = c.bcd ? bcd_to_bin16(raw) : raw;
  if (n == 0) n = c.bcd ? 10000 : 0x10000;
  c.count = n;
  c.loaded = true;
  c.null_count = false;
  c.ticks_before = 0;
  c.run_start = clock_.now();
  c.triggered = false;
  c.running = (c.mode == 1 || c.mode == 5) ? false : c.gate;
  if (channel == 0) {
    switch (c.mode) {
      case 0: c.next_edge = n; break;
      case 2:
      case 3: c.next_edge = n; break;
      case 4: c.next_edge = n + 1; break;
      default: c.next_edge = 0; break;  // 1 and 5 wait for a gate edge (never on channel 0)
    }
    if (irq0_ && irq0_level_) irq0_->lower();
    irq0_level_ = false;
    schedule_irq0();
  }
}

void Pit8254::set_gate(unsigned channel, bool level) {
  Channel& c = ch_[channel % 3];
  if (c.gate == level) return;
  const uint64_t now = clock_.now();
  if (!level) {
    if (c.running && c.mode != 1 && c.mode != 5) {
      c.ticks_before = elapsed_ticks(c, now);
      c.running = false;
    }
  } else if (c.loaded) {
    switch (c.mode) {
      case 0:
      case 4:  // counting resumes
        c.run_start = now;
        c.running = true;
        break;
      case 2:
      case 3:  // the counter reloads and starts a new period
        c.ticks_before = 0;
        c.run_start = now;
        c.running = true;
        if (channel == 0) c.next_edge = c.count;
        break;
      default:  // 1 and 5: the rising edge triggers (retriggers) the count
        c.ticks_before = 0;
        c.run_start = now;
        c.running = true;
        c.triggered = true;
        if (channel == 0) c.next_edge = c.mode == 1 ? c.count : c.count + 1;
        break;
    }
  }
  c.gate = level;
  if (channel == 0) schedule_irq0();
}

void Pit8254::latch_count(Channel& c) {
  if (c.count_latched) return;  // a second latch before the read is ignored
  c.latched_count = encode(c, count_at(c, clock_.now()));
  c.count_latched = true;
  c.read_msb_next = false;
}

void Pit8254::latch_status(Channel& c) {
  if (c.status_latched) return;
  c.latched_status = (output_at(c, clock_.now()) ? 0x80 : 0) | (c.null_count ? 0x40 : 0) |
                     (c.rw << 4) | (c.mode << 1) | (c.bcd ? 1 : 0);
  c.status_latched = true;
}

void Pit8254::control_word(uint8_t value) {
  const unsigned select = value >> 6;
  if (select == 3) {  // read-back: bit 5 = !COUNT, bit 4 = !STATUS, bits 3-1 = counters 2-0
    for (unsigned i = 0; i < 3; ++i) {
      if (!(value & (2u << i))) continue;
      if (!(value & 0x20)) latch_count(ch_[i]);
      if (!(value & 0x10)) latch_status(ch_[i]);
    }
    return;
  }
  Channel& c = ch_[select];
  const unsigned access = (value >> 4) & 3;
  if (access == 0) {  // counter latch command
    latch_count(c);
    return;
  }
  unsigned mode = (value >> 1) & 7;
  if (mode > 5) mode -= 4;
  c.rw = access;
  c.mode = mode;
  c.bcd = value & 1;
  c.loaded = false;  // the counter waits for a new count
  c.running = false;
  c.triggered = false;
  c.null_count = true;
  c.write_msb_next = false;
  c.read_msb_next = false;
  c.count_latched = false;
  c.status_latched = false;
  if (select == 0) {
    c.next_edge = 0;
    if (irq0_ && irq0_level_) irq0_->lower();
    irq0_level_ = false;
    schedule_irq0();
  }
}

uint8_t Pit8254::read_counter(unsigned channel) {
  Channel& c = ch_[channel];
  if (c.status_latched) {
    c.status_latched = false;
    return c.latched_status;
  }
  uint16_t value;
  bool release_latch = false;
  if (c.count_latched) {
    value = c.latched_count;
  } else {
    value = encode(c, count_at(c, clock_.now()));
  }
  uint8_t byte;
  switch (c.rw) {
    case 1: byte = value & 0xff; release_latch = true; break;
    case 2: byte = value >> 8; release_latch = true; break;
    default:
      byte = c.read_msb_next ? value >> 8 : value & 0xff;
      release_latch = c.read_msb_next;
      c.read_msb_next = !c.read_msb_next;
      break;
  }
  if (c.count_latched && release_latch) c.count_latched = false;
  return byte;
}

void Pit8254::write_counter(unsigned channel, uint8_t value) {
  Channel& c = ch_[channel];
  switch (c.rw) {
    case 1: load_count(channel, value); break;
    case 2: load_count(channel, static_cast<uint32_t>(value) << 8); break;
    default:
      if (!c.write_msb_next) {
        c.write_lsb = value;
        c.write_msb_next = true;
      } else {
        c.write_msb_next = false;
        load_count(channel, c.write_lsb | (static_cast<uint32_t>(value) << 8));
      }
      break;
  }
}

uint32_t Pit8254::port_read(uint16_t port, unsigned size) {
  uint32_t value;
  if (port == 0x61) {
    refresh_toggle_ = !refresh_toggle_;  // as QEMU: toggles on every read
    value = (ch_[2].gate ? 1 : 0) | (port61_ & 0x0e) | (refresh_toggle_ ? 0x10 : 0) |
            (output_at(ch_[2], clock_.now()) ? 0x20 : 0);
  } else if (port >= 0x40 && port <= 0x42) {
    value = read_counter(port - 0x40);
  } else {
    value = 0xff;  // the control register is write-only
  }
  if (size == 2) value |= 0xff00;
  if (size == 4) value |= 0xffffff00;
  return value;
}

void Pit8254::port_write(uint16_t port, unsigned, uint32_t value) {
  const uint8_t byte = value & 0xff;
  if (port == 0x61) {
    port61_ = byte & 0x0e;
    set_gate(2, byte & 1);
  } else if (port == 0x43) {
    control_word(byte);
  } else if (port >= 0x40 && port <= 0x42) {
    write_counter(port - 0x40, byte);
  }
}

void Pit8254::firmware_init() {
  control_word(0x34);  // channel 0, LSB then MSB, mode 2, binary
  write_counter(0, 0);
  write_counter(0, 0);
}

}  // namespace orcvm
