#include "devices/ioapic.h"

namespace orcvm {

namespace {
constexpr uint64_t kDeliveryStatus = 1u << 12, kPolarityLow = 1u << 13, kRemoteIrr = 1u << 14,
                   kLevelTriggered = 1u << 15, kMasked = 1u << 16;
constexpr uint64_t kWritableLow = 0x1afff;  // all but delivery status and remote IRR
constexpr uint32_t kVersion = 0x00170020;   // 24 entries, version 0x20 (with the EOI register)
}  // namespace

IoApic::IoApic(uint8_t id) : id_(id & 0x0f) {
  for (unsigned i = 0; i < kPins; ++i) {
    pins_[i].ioapic = this;
    pins_[i].index = i;
    redir_[i] = kMasked;
  }
}

bool IoApic::asserted(unsigned pin) const {
  return level_[pin] != ((redir_[pin] & kPolarityLow) != 0);
}

void IoApic::deliver(unsigned pin) {
  uint64_t& entry = redir_[pin];
  ApicMessage m;
  m.vector = entry & 0xff;
  m.mode = static_cast<DeliveryMode>((entry >> 8) & 7);
  m.logical = entry & (1u << 11);
  m.level_triggered = entry & kLevelTriggered;
  m.dest = static_cast<uint8_t>(entry >> 56);
  if (m.level_triggered) entry |= kRemoteIrr;
  if (bus_) bus_->deliver(m);
}

void IoApic::service(unsigned pin) {
  const uint64_t entry = redir_[pin];
  if ((entry & kLevelTriggered) && !(entry & kMasked) && !(entry & kRemoteIrr) && asserted(pin)) deliver(pin);
}

void IoApic::set_pin(unsigned pin, bool level) {
  const bool was = asserted(pin);
  level_[pin] = level;
  const bool now = asserted(pin);
  const uint64_t entry = redir_[pin];
  if (entry & kLevelTriggered) {
    service(pin);
  } else if (now && !was && !(entry & kMasked)) {
    deliver(pin);
  }
}

void IoApic::end_of_interrupt(uint8_t vector) {
  for (unsigned pin = 0; pin < kPins; ++pin) {
    if ((redir_[pin] & 0xff) != vector || !(redir_[pin] & kRemoteIrr)) continue;
    redir_[pin] &= ~kRemoteIrr;
    service(pin);
  }
}

uint32_t IoApic::read_indirect(uint8_t index) const {
  switch (index) {
    case 0x00: return uint32_t{id_} << 24;
    case 0x01: return kVersion;
    case 0x02: return uint32_t{id_} << 24;  // arbitration ID
    default:
      if (index >= 0x10 && index < 0x10 + 2 * kPins) {
        const uint64_t entry = redir_[(index - 0x10) / 2];
        return (index & 1) ? static_cast<uint32_t>(entry >> 32) : static_cast<uint32_t>(entry);
      }
      return 0;
  }
}

void IoApic::write_indirect(uint8_t index, uint32_t value) {
  if (index == 0x00) {
    id_ = (value >> 24) & 0x0f;
    return;
  }
  if (index < 0x10 || index >= 0x10 + 2 * kPins) return;
  const unsigned pin = (index - 0x10) / 2;
  uint64_t& entry = redir_[pin];
  if (index & 1) {
    entry = (entry & 0x00000000ffffffffull) | (static_cast<uint64_t>(value & 0xff000000u) << 32);
  } else {
    entry = (entry & 0xffffffff00000000ull) | (entry & (kDeliveryStatus | kRemoteIrr)) | (value & kWritableLow);
    if (!(entry & kLevelTriggered)) entry &= ~kRemoteIrr;
    service(pin);  // an unmasked, asserted level input delivers now
  }
}

uint64_t IoApic::mmio_read(uint64_t offset, unsigned size) {
  uint32_t value = 0;
  if (offset == 0x00) value = regsel_;
  else if (offset >= 0x10 && offset < 0x14) value = read_indirect(regsel_) >> ((offset - 0x10) * 8);
  if (size < 4) value &= (1u << (size * 8)) - 1;
  return value;
}

void IoApic::mmio_write(uint64_t offset, unsigned, uint64_t value) {
  if (offset == 0x00) regsel_ = value & 0xff;
  else if (offset == 0x10) write_indirect(regsel_, static_cast<uint32_t>(value));
  else if (offset == 0x40) end_of_interrupt(value & 0xff);
}

}  // namespace orcvm
