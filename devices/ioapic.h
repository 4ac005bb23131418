#pragma once
// The I/O APIC at 0xFEC00000: IOREGSEL at offset 0x00, IOWIN at 0x10 and the
// EOI register at 0x40 (version 0x20, as QEMU's default), 24 input pins.
//
// Registers: ID (bits 27-24), version (0x00170020: 24 entries), arbitration ID,
// and the redirection table (vector, delivery mode, destination mode, delivery
// status, polarity, remote IRR, trigger mode, mask, destination). Edge inputs
// deliver on an asserting edge of an unmasked pin (an edge on a masked pin is
// lost, as the 82093AA data sheet says). Level inputs deliver while asserted and
// unmasked with remote IRR clear; remote IRR is set on delivery and cleared by a
// matching EOI (broadcast from a local APIC or written to the EOI register),
// after which a still-asserted line delivers again. Polarity inverts the pin.
// Messages go out on the APIC bus (IpiSink).
#include <array>
#include <cstdint>

#include "devices/interrupts.h"
#include "runtime/softmmu/address_map.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class IoApic : public MmioDevice {
 public:
  static constexpr uint64_t kDefaultBase = PhysicalAddressMap::kIoApic.base;
  static constexpr unsigned kPins = 24;

  explicit IoApic(uint8_t id = 0);
  void connect(IpiSink* bus) { bus_ = bus; }

  uint64_t mmio_read(uint64_t offset, unsigned size) override;
  void mmio_write(uint64_t offset, unsigned size, uint64_t value) override;

  IrqLine& input(unsigned pin) { return pins_[pin % kPins]; }
  // A level-triggered EOI for vector (from a local APIC's EOI broadcast).
  void end_of_interrupt(uint8_t vector);

  // State for tests.
  uint64_t redirection(unsigned pin) const { return redir_[pin % kPins]; }
  uint32_t read_indirect(uint8_t index) const;
  void write_indirect(uint8_t index, uint32_t value);

 private:
  class Pin : public IrqLine {
   public:
    void set_level(bool asserted) override { ioapic->set_pin(index, asserted); }
    IoApic* ioapic = nullptr;
    unsigned index = 0;
  };

  void set_pin(unsigned pin, bool level);
  bool asserted(unsigned pin) const;
  void service(unsigned pin);
  void deliver(unsigned pin);

  IpiSink* bus_ = nullptr;
  std::array<Pin, kPins> pins_;
  std::array<uint64_t, kPins> redir_{};
  std::array<bool, kPins> level_{};  // electrical pin levels (before polarity)
  uint8_t id_;
  uint8_t regsel_ = 0;
};

}  // namespace orcvm
