#include "devices/lapic.h"

namespace orcvm {

namespace {
constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kSvrEnable = 1u << 8;
constexpr uint32_t kEsrSendIllegalVector = 1u << 6;
constexpr uint32_t kEsrReceiveIllegalVector = 1u << 5;
constexpr uint32_t kEsrIllegalRegister = 1u << 7;
constexpr uint64_t kApicBaseBsp = 1u << 8, kApicBaseExtd = 1u << 10, kApicBaseEnable = 1u << 11;
constexpr unsigned kTimerPeriodic = 1, kTimerTscDeadline = 2;  // 0: one-shot
constexpr uint32_t kVersionValue = 0x00050014;  // version 0x14, max LVT entry 5

DeliveryMode lvt_mode(uint32_t lvt) { return static_cast<DeliveryMode>((lvt >> 8) & 7); }
}  // namespace

Lapic::Lapic(const Clock& clock, uint8_t apic_id, bool bsp, uint64_t tsc_hz)
    : clock_(clock), bsp_(bsp), tsc_hz_(tsc_hz), id_(apic_id) {
  for (unsigned i = 0; i < 2; ++i) {
    lint_[i].apic = this;
    lint_[i].index = i;
  }
  apic_base_ = kDefaultBase | kApicBaseEnable | (bsp ? kApicBaseBsp : 0);
  reset();
  // At power-on QEMU leaves the BSP's LINT0 in ExtINT mode, so the 8259's
  // interrupts reach it before any software touches the APIC.
  if (bsp_) lvt_[kLvtLint0Idx] = 0x700;
}

void Lapic::reset() {
  tpr_ = 0;
  ldr_ = 0;
  dfr_ = 0xffffffff;
  svr_ = 0xff;
  isr_ = {};
  tmr_ = {};
  irr_ = {};
  esr_ = esr_pending_ = 0;
  icr_low_ = icr_high_ = 0;
  lvt_.fill(kLvtMasked);
  initial_count_ = 0;
  dcr_ = 0;
  timer_start_ = 0;
  timer_deadline_ = kNoDeadline;
  tsc_deadline_ = 0;
  nmi_pending_ = false;
  init_pending_ = false;
  sipi_pending_ = false;
  extint_from_ioapic_ = false;
}

void Lapic::firmware_init() {
  svr_ |= kSvrEnable;
  lvt_[kLvtLint0Idx] = 0x8700;  // ExtINT, level
  lvt_[kLvtLint1Idx] = 0x8400;  // NMI
}

int Lapic::highest(const Bits& b) {
  for (int i = 7; i >= 0; --i)
    if (b[i]) return i * 32 + 31 - __builtin_clz(b[i]);
  return -1;
}

uint8_t Lapic::ppr() const {
  const int isrv = highest(isr_);
  const uint8_t isr_class = isrv < 0 ? 0 : (isrv & 0xf0);
  return (tpr_ & 0xf0) >= isr_class ? tpr_ : isr_class;
}

int Lapic::deliverable_vector() const {
  const int v = highest(irr_);
  if (v < 0 || (v & 0xf0) <= (ppr() & 0xf0)) return -1;
  return v;
}

bool Lapic::extint_pending() const {
  if (!hardware_enabled()) return lint_level_[0];  // the bare INTR pin
  if (extint_from_ioapic_) return true;
  const uint32_t lvt = lvt_[kLvtLint0Idx];
  return !(lvt & kLvtMasked) && lvt_mode(lvt) == DeliveryMode::ExtInt && lint_level_[0];
}

bool Lapic::has_pending_interrupt() {
  return (hardware_enabled() && deliverable_vector() >= 0) || extint_pending();
}

uint8_t Lapic::acknowledge() {
  if (hardware_enabled()) {
    const int v = deliverable_vector();
    if (v >= 0) {
      clear(irr_, v);
      set(isr_, v);
      return static_cast<uint8_t>(v);
    }
  }
  if (extint_pending()) {
    extint_from_ioapic_ = false;
    if (pic_) return pic_->interrupt_acknowledge();
  }
  return svr_ & 0xff;  // the request went away: spurious interrupt
}

void Lapic::notify() {
  if (wakeup_) wakeup_();
}

void Lapic::signal_error(uint32_t bits) {
  esr_pending_ |= bits;
  const uint32_t lvt = lvt_[kLvtErrorIdx];
  if (!(lvt & kLvtMasked) && (lvt & 0xff) >= 16) accept_fixed(lvt & 0xff, false);
}

void Lapic::accept_fixed(uint8_t vector, bool level) {
  if (vector < 16) {
    signal_error(kEsrReceiveIllegalVector);
    return;
  }
  set(irr_, vector);
  if (level) set(tmr_, vector); else clear(tmr_, vector);
  notify();
}

void Lapic::accept(const ApicMessage& m) {
  if (!hardware_enabled()) return;
  switch (m.mode) {
    case DeliveryMode::Fixed:
    case DeliveryMode::LowestPriority:
      if (!software_enabled()) return;  // a software-disabled APIC accepts no fixed interrupts
      accept_fixed(m.vector, m.level_triggered);
      break;
    case DeliveryMode::Nmi:
      nmi_pending_ = true;
      notify();
      break;
    case DeliveryMode::Init:
      if (m.level_triggered && !m.assert) return;  // INIT level de-assert: arbitration ID sync only
      reset();
      init_pending_ = true;
      notify();
      break;
    case DeliveryMode::StartUp:
      sipi_pending_ = true;
      sipi_vector_ = m.vector;
      notify();
      break;
    case DeliveryMode::ExtInt:
      extint_from_ioapic_ = true;
      notify();
      break;
    default:
      break;  // SMI: no SMM in orcvm
  }
}

bool Lapic::matches(uint8_t dest, bool logical) const {
  if (!hardware_enabled()) return false;
  if (!logical) return dest == 0xff || dest == id_;
  const uint8_t logical_id = ldr_ >> 24;
  if ((dfr_ >> 28) == 0xf) return (logical_id & dest) != 0;  // flat model
  // Cluster model: high nibble is the cluster (0xf: all clusters), low nibble the members.
  if ((dest >> 4) != 0xf && (dest >> 4) != (logical_id >> 4)) return false;
  return (logical_id & dest & 0x0f) != 0;
}

void Lapic::local_interrupt(unsigned index) {
  const uint32_t lvt = lvt_[index];
  if (lvt & kLvtMasked) return;
  DeliveryMode mode = lvt_mode(lvt);
  if (index == kLvtTimerIdx || index == kLvtErrorIdx) mode = DeliveryMode::Fixed;
  switch (mode) {
    case DeliveryMode::Fixed: accept_fixed(lvt & 0xff, false); break;
    case DeliveryMode::Nmi:
      nmi_pending_ = true;
      notify();
      break;
    case DeliveryMode::Init:
      reset();
      init_pending_ = true;
      notify();
      break;
    default: break;  // ExtINT is level-sensed in extint_pending(); SMI unsupported
  }
}

void Lapic::set_lint(unsigned index, bool level) {
  const bool rising = level && !lint_level_[index];
  lint_level_[index] = level;
  if (!rising) return;
  if (!hardware_enabled()) {
    if (index == 0) notify();  // INTR pin
    return;
  }
  const uint32_t lvt = lvt_[kLvtLint0Idx + index];
  if (lvt & kLvtMasked) return;
  if (lvt_mode(lvt) == DeliveryMode::ExtInt) {
    notify();
    return;
  }
  local_interrupt(kLvtLint0Idx + index);
}

uint32_t Lapic::divisor() const {
  const uint32_t v = ((dcr_ >> 1) & 4) | (dcr_ & 3);
  return 1u << ((v + 1) & 7);
}

uint32_t Lapic::current_count() const {
  if (initial_count_ == 0 || timer_mode() == kTimerTscDeadline) return 0;
  const uint64_t now = clock_.now();
  const uint64_t elapsed = now > timer_start_ ? (now - timer_start_) / timer_period_ns() : 0;
  if (timer_mode() == kTimerPeriodic) return static_cast<uint32_t>(initial_count_ - elapsed % initial_count_);
  return elapsed >= initial_count_ ? 0 : static_cast<uint32_t>(initial_count_ - elapsed);
}

void Lapic::arm_timer(uint64_t now) {
  timer_deadline_ = kNoDeadline;
  if (timer_mode() == kTimerTscDeadline || initial_count_ == 0) return;
  const uint64_t period = uint64_t{initial_count_} * timer_period_ns();
  if (timer_mode() == kTimerPeriodic) {
    const uint64_t elapsed = now > timer_start_ ? now - timer_start_ : 0;
    timer_deadline_ = timer_start_ + (elapsed / period + 1) * period;
  } else if (timer_start_ + period > now) {
    timer_deadline_ = timer_start_ + period;
  }
}

void Lapic::service(uint64_t now) {
  if (next_deadline() > now) return;
  switch (timer_mode()) {
    case kTimerPeriodic: {
      const uint64_t period = uint64_t{initial_count_} * timer_period_ns();
      timer_deadline_ = timer_start_ + ((now - timer_start_) / period + 1) * period;
      break;
    }
    case kTimerTscDeadline:
      tsc_deadline_ = 0;
      timer_deadline_ = kNoDeadline;
      break;
    default:
      timer_deadline_ = kNoDeadline;
      break;
  }
  local_interrupt(kLvtTimerIdx);
}

uint64_t Lapic::read_tsc_deadline() { return timer_mode() == kTimerTscDeadline ? tsc_deadline_ : 0; }

void Lapic::write_tsc_deadline(uint64_t deadline, uint64_t tsc_now) {
  if (timer_mode() != kTimerTscDeadline) return;  // ignored in the other timer modes
  tsc_deadline_ = deadline;
  const uint64_t now = clock_.now();
  if (deadline == 0) {
    timer_deadline_ = kNoDeadline;
  } else if (deadline <= tsc_now) {
    timer_deadline_ = now;
    service(now);
  } else {
    timer_deadline_ = now + ticks_to_ns_ceil(deadline - tsc_now, tsc_hz_);
  }
}

bool Lapic::write_apic_base(uint64_t value) {
  if (value & (0xffu | (1u << 9) | kApicBaseExtd)) return false;  // reserved; x2APIC not offered
  const bool was_enabled = hardware_enabled();
  apic_base_ = (value & ~uint64_t{0xfff}) | (value & kApicBaseEnable) | (bsp_ ? kApicBaseBsp : 0);
  if (was_enabled && !hardware_enabled()) {
    reset();  // a globally disabled APIC loses its state; re-enabling starts from reset
  }
  return true;
}

void Lapic::eoi() {
  const int v = highest(isr_);
  if (v < 0) return;
  clear(isr_, v);
  if (test(tmr_, v) && bus_) bus_->broadcast_eoi(static_cast<uint8_t>(v));
}

void Lapic::send_ipi() {
  ApicMessage m;
  m.vector = icr_low_ & 0xff;
  m.mode = static_cast<DeliveryMode>((icr_low_ >> 8) & 7);
  m.logical = icr_low_ & (1u << 11);
  m.assert = icr_low_ & (1u << 14);
  m.level_triggered = icr_low_ & (1u << 15);
  m.shorthand = static_cast<DestShorthand>((icr_low_ >> 18) & 3);
  m.dest = icr_high_ >> 24;
  m.source_id = id_;
  if ((m.mode == DeliveryMode::Fixed || m.mode == DeliveryMode::LowestPriority) && m.vector < 16) {
    signal_error(kEsrSendIllegalVector);
    return;
  }
  if (m.mode == DeliveryMode::ExtInt || static_cast<unsigned>(m.mode) == 3) return;  // not sendable
  if (m.shorthand == DestShorthand::Self) {
    accept(m);
  } else if (bus_) {
    bus_->deliver(m);
  } else if (m.shorthand == DestShorthand::AllIncludingSelf ||
             (m.shorthand == DestShorthand::None && matches(m.dest, m.logical))) {
    accept(m);  // no APIC bus (a lone APIC in tests): deliver what addresses us
  }
}

uint32_t Lapic::lvt_write_mask(unsigned index) {
  switch (index) {
    case kLvtTimerIdx: return 0x000700ff;
    case kLvtLint0Idx:
    case kLvtLint1Idx: return 0x0001a7ff;
    case kLvtErrorIdx: return 0x000100ff;
    default: return 0x000107ff;  // thermal, performance counters
  }
}

uint32_t Lapic::read_register(uint32_t reg) {
  if (reg >= kIsr && reg < kIsr + 0x80) return isr_[(reg - kIsr) >> 4];
  if (reg >= kTmr && reg < kTmr + 0x80) return tmr_[(reg - kTmr) >> 4];
  if (reg >= kIrr && reg < kIrr + 0x80) return irr_[(reg - kIrr) >> 4];
  if (reg >= kLvtTimer && reg <= kLvtError) return lvt_[(reg - kLvtTimer) >> 4];
  switch (reg) {
    case kId: return uint32_t{id_} << 24;
    case kVersion: return kVersionValue;
    case kTpr: return tpr_;
    case kApr: return 0;
    case kPpr: return ppr();
    case kEoi: return 0;
    case kRrd: return 0;
    case kLdr: return ldr_;
    case kDfr: return dfr_;
    case kSvr: return svr_;
    case kEsr: return esr_;
    case kIcrLow: return icr_low_;  // delivery status always idle
    case kIcrHigh: return icr_high_;
    case kInitialCount: return initial_count_;
    case kCurrentCount: return current_count();
    case kDivideConfig: return dcr_;
    default:
      signal_error(kEsrIllegalRegister);
      return 0;
  }
}

void Lapic::write_register(uint32_t reg, uint32_t value) {
  const uint64_t now = clock_.now();
  if (reg >= kLvtTimer && reg <= kLvtError) {
    const unsigned index = (reg - kLvtTimer) >> 4;
    uint32_t v = value & lvt_write_mask(index);
    if (!software_enabled()) v |= kLvtMasked;
    if (index == kLvtTimerIdx) {
      if (((v >> 17) & 3) == 3) v &= ~(3u << 17);  // reserved mode: one-shot
      const unsigned old_mode = timer_mode();
      lvt_[index] = v;
      const unsigned new_mode = timer_mode();
      if ((old_mode == kTimerTscDeadline) != (new_mode == kTimerTscDeadline)) {
        // Switching to or from TSC-deadline mode disarms the timer.
        initial_count_ = 0;
        tsc_deadline_ = 0;
        timer_deadline_ = kNoDeadline;
      } else if (new_mode != kTimerTscDeadline) {
        arm_timer(now);
      }
    } else {
      lvt_[index] = v;
      // A level-sensitive ExtINT or a held LINT line unmasked now is seen at once.
      if ((index == kLvtLint0Idx || index == kLvtLint1Idx) && !(v & kLvtMasked) &&
          lint_level_[index - kLvtLint0Idx] && lvt_mode(v) == DeliveryMode::ExtInt)
        notify();
    }
    return;
  }
  if ((reg >= kIsr && reg < kIrr + 0x80)) return;  // read-only
  switch (reg) {
    case kId: id_ = value >> 24; break;
    case kTpr: tpr_ = value & 0xff; break;
    case kEoi: eoi(); break;
    case kLdr: ldr_ = value & 0xff000000; break;
    case kDfr: dfr_ = value | 0x0fffffff; break;
    case kSvr:
      svr_ = value & 0x3ff;
      if (!(svr_ & kSvrEnable))
        for (auto& lvt : lvt_) lvt |= kLvtMasked;
      break;
    case kEsr:
      esr_ = esr_pending_;
      esr_pending_ = 0;
      break;
    case kIcrLow:
      icr_low_ = value & 0x000ccfff;
      send_ipi();
      break;
    case kIcrHigh: icr_high_ = value & 0xff000000; break;
    case kInitialCount:
      if (timer_mode() == kTimerTscDeadline) break;  // ignored in TSC-deadline mode
      initial_count_ = value;
      timer_start_ = now;
      arm_timer(now);
      break;
    case kDivideConfig: {
      const uint32_t count = current_count();
      dcr_ = value & 0xb;
      if (initial_count_ != 0 && count != 0) {
        // Keep the present count and go on at the new rate.
        const uint64_t done = uint64_t{initial_count_ - count} * timer_period_ns();
        timer_start_ = now >= done ? now - done : 0;
        arm_timer(now);
      }
      break;
    }
    case kVersion:
    case kApr:
    case kPpr:
    case kRrd:
    case kCurrentCount:
      break;  // read-only
    default:
      signal_error(kEsrIllegalRegister);
      break;
  }
}

uint64_t Lapic::mmio_read(uint64_t offset, unsigned size) {
  if (!hardware_enabled()) return size == 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1;
  const uint32_t reg = static_cast<uint32_t>(offset & 0xff0);
  const unsigned sub = offset & 0xf;
  if (offset >= 0x400 || sub >= 4) return 0;
  uint64_t value = read_register(reg) >> (sub * 8);
  if (size < 4) value &= (uint64_t{1} << (size * 8)) - 1;
  return value;
}

void Lapic::mmio_write(uint64_t offset, unsigned size, uint64_t value) {
  if (!hardware_enabled() || offset >= 0x400 || (offset & 0xf) != 0) return;
  write_register(static_cast<uint32_t>(offset & 0xff0), static_cast<uint32_t>(value));
}

}  // namespace orcvm
