#pragma once
// The 8259A programmable interrupt controller pair of a PC/AT: master at
// 0x20/0x21, slave at 0xa0/0xa1 cascaded on the master's IR2, and the PIIX
// edge/level control registers (ELCR) at 0x4d0/0x4d1.
//
// Implemented from the 8259A data sheet as PC software uses it: ICW1-ICW4
// (edge or level mode, single or cascade, ICW4 with auto-EOI and special fully
// nested mode), OCW1 (IMR), OCW2 (non-specific, specific and rotating EOIs, set
// priority, rotate in auto-EOI), OCW3 (IRR/ISR read select, poll, special mask
// mode), priority rotation, spurious IRQ7/IRQ15 when a request vanishes before
// INTA, and per-pin edge/level selection through the ELCR (bits for IRQ0-2, 8
// and 13 are fixed at edge, as on PIIX). Only 8086 mode (ICW4.uPM = 1) vectors
// are produced; buffered mode bits are accepted and ignored.
#include <array>
#include <cstdint>

#include "devices/interrupts.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class Pic8259Pair : public PortDevice, public ExtIntSource {
 public:
  Pic8259Pair();

  // Ports 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1 all go to this device.
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // IRQ input pins 0-15 (pin 2 is the internal cascade: driving it does nothing).
  IrqLine& input(unsigned irq) { return pins_[irq & 15]; }
  // The master's INT output (to LAPIC LINT0 / the CPU's INTR pin).
  void connect_output(IrqLine* output) { output_ = output; update(); }
  bool int_output() const { return int_level_; }

  // The INTA cycle (ExtIntSource): vector of the highest-priority request, which
  // moves to in-service, or the spurious vector of IRQ7 (master) or IRQ15 (slave).
  uint8_t interrupt_acknowledge() override;

  // Programs both chips as a PC BIOS leaves them: vector bases, ICW4 8086 mode,
  // all IRQs masked except the cascade.
  void firmware_init(uint8_t master_base = 0x08, uint8_t slave_base = 0x70);

  // State for tests and -d int logging: bit n = IRQ n (slave in bits 8-15).
  uint16_t irr() const { return chips_[0].irr | (chips_[1].irr << 8); }
  uint16_t isr() const { return chips_[0].isr | (chips_[1].isr << 8); }
  uint16_t imr() const { return chips_[0].imr | (chips_[1].imr << 8); }
  uint16_t elcr() const { return chips_[0].elcr | (chips_[1].elcr << 8); }
  uint8_t vector_base(unsigned chip) const { return chips_[chip & 1].irq_base; }

 private:
  struct Chip {
    bool master = false;
    uint8_t irr = 0, isr = 0, imr = 0;
    uint8_t lines = 0;       // present input levels (edge detection, level mode)
    uint8_t elcr = 0, elcr_mask = 0;
    uint8_t irq_base = 0;
    uint8_t priority_add = 0;  // the IR with the highest priority
    uint8_t icw3 = 0;
    int init_state = 0;        // 0: operational; 1, 2, 3: expecting ICW2, ICW3, ICW4
    bool init4 = false, single = false, ltim = false;
    bool auto_eoi = false, rotate_on_aeoi = false, sfnm = false;
    bool read_isr = false, poll = false, special_mask = false;

    uint8_t level_mask() const { return ltim ? 0xff : elcr; }
    int priority_of(uint8_t mask) const;  // 0 (highest) .. 7, or 8 for none
    int pending_irq() const;              // IR to request, or -1
    void set_line(unsigned irq, bool level);
    void intack(unsigned irq);
    void write_command(uint8_t value);
    void write_data(uint8_t value);
    void reset_for_icw1(uint8_t icw1);
  };

  class Pin : public IrqLine {
   public:
    void set_level(bool asserted) override { pic->set_irq(irq, asserted); }
    Pic8259Pair* pic = nullptr;
    unsigned irq = 0;
  };

  void set_irq(unsigned irq, bool level);
  uint8_t poll_read(unsigned chip);
  void update();

  std::array<Chip, 2> chips_;
  std::array<Pin, 16> pins_;
  IrqLine* output_ = nullptr;
  bool int_level_ = false;
};

}  // namespace orcvm
