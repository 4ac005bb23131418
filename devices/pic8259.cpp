#include "devices/pic8259.h"

namespace orcvm {

Pic8259Pair::Pic8259Pair() {
  chips_[0].master = true;
  chips_[0].elcr_mask = 0xf8;  // IRQ0-2 are always edge
  chips_[1].elcr_mask = 0xde;  // IRQ8 and IRQ13 are always edge
  for (unsigned i = 0; i < 16; ++i) {
    pins_[i].pic = this;
    pins_[i].irq = i;
  }
}

int Pic8259Pair::Chip::priority_of(uint8_t mask) const {
  if (mask == 0) return 8;
  int priority = 0;
  while (!(mask & (1u << ((priority + priority_add) & 7)))) ++priority;
  return priority;
}

int Pic8259Pair::Chip::pending_irq() const {
  int priority = priority_of(irr & ~imr);
  if (priority == 8) return -1;
  // Requests of lower priority than the highest in service wait. In special mask
  // mode, masked in-service levels do not block; in special fully nested mode the
  // master lets a slave request through while another slave request is in service.
  uint8_t in_service = isr;
  if (special_mask) in_service &= ~imr;
  if (sfnm && master) in_service &= ~(1u << 2);
  if (priority < priority_of(in_service)) return (priority + priority_add) & 7;
  return -1;
}

void Pic8259Pair::Chip::set_line(unsigned irq, bool level) {
  const uint8_t mask = 1u << irq;
  if (level_mask() & mask) {
    if (level) irr |= mask; else irr &= ~mask;
  } else if (level && !(lines & mask)) {
    irr |= mask;  // rising edge; the request stays latched after the line falls
  }
  if (level) lines |= mask; else lines &= ~mask;
}

void Pic8259Pair::Chip::intack(unsigned irq) {
  const uint8_t mask = 1u << irq;
  if (auto_eoi) {
    if (rotate_on_aeoi) priority_add = (irq + 1) & 7;
  } else {
    isr |= mask;
  }
  // A level-sensitive request stays in IRR while its line is high.
  if (!(level_mask() & mask)) irr &= ~mask;
}

void Pic8259Pair::Chip::reset_for_icw1(uint8_t icw1) {
  // Data sheet: the edge sense circuit is reset, IMR cleared, IR7 lowest priority,
  // special mask mode cleared and status read set to IRR. ICW4 functions are
  // cleared when IC4 = 0. The ELCR is not part of the 8259 and is kept.
  ltim = icw1 & 0x08;
  init4 = icw1 & 0x01;
  single = icw1 & 0x02;
  imr = 0;
  isr = 0;
  irr = level_mask() & lines;  // an edge input needs a new low-to-high transition
  priority_add = 0;
  irq_base = 0;
  read_isr = false;
  poll = false;
  special_mask = false;
  auto_eoi = false;
  rotate_on_aeoi = false;
  sfnm = false;
  init_state = 1;
}

void Pic8259Pair::Chip::write_command(uint8_t value) {
  if (value & 0x10) {  // ICW1
    reset_for_icw1(value);
    return;
  }
  if (value & 0x08) {  // OCW3
    if (value & 0x04) poll = true;
    if (value & 0x02) read_isr = value & 0x01;
    if (value & 0x40) special_mask = (value >> 5) & 1;
    return;
  }
  // OCW2: R SL EOI in bits 7-5, level in bits 2-0.
  const unsigned level = value & 7;
  switch (value >> 5) {
    case 0: rotate_on_aeoi = false; break;  // rotate in auto-EOI mode (clear)
    case 4: rotate_on_aeoi = true; break;   // rotate in auto-EOI mode (set)
    case 1:                                 // non-specific EOI
    case 5: {                               // rotate on non-specific EOI
      int priority = priority_of(isr);
      if (priority != 8) {
        unsigned irq = (priority + priority_add) & 7;
        isr &= ~(1u << irq);
        if ((value >> 5) == 5) priority_add = (irq + 1) & 7;
      }
      break;
    }
    case 3: isr &= ~(1u << level); break;  // specific EOI
    case 7:                                // rotate on specific EOI
      isr &= ~(1u << level);
      priority_add = (level + 1) & 7;
      break;
    case 6: priority_add = (level + 1) & 7; break;  // set priority: level becomes lowest
    default: break;                                 // 2: no operation
  }
}

void Pic8259Pair::Chip::write_data(uint8_t value) {
  switch (init_state) {
    case 0: imr = value; break;  // OCW1
    case 1:                      // ICW2
      irq_base = value & 0xf8;
      init_state = single ? (init4 ? 3 : 0) : 2;
      break;
    case 2:  // ICW3
      icw3 = value;
      init_state = init4 ? 3 : 0;
      break;
    case 3:  // ICW4
      auto_eoi = value & 0x02;
      sfnm = value & 0x10;
      init_state = 0;
      break;
  }
}

void Pic8259Pair::set_irq(unsigned irq, bool level) {
  if (irq == 2) return;  // the cascade input is internal
  chips_[irq >> 3].set_line(irq & 7, level);
  update();
}

void Pic8259Pair::update() {
  // The slave's INT drives the master's IR2.
  chips_[0].set_line(2, chips_[1].pending_irq() >= 0);
  const bool level = chips_[0].pending_irq() >= 0;
  if (level != int_level_) {
    int_level_ = level;
    if (output_) output_->set_level(level);
  }
}

uint8_t Pic8259Pair::interrupt_acknowledge() {
  uint8_t vector;
  int irq = chips_[0].pending_irq();
  if (irq >= 0) {
    chips_[0].intack(irq);
    if (irq == 2) {
      int irq2 = chips_[1].pending_irq();
      if (irq2 >= 0) {
        chips_[1].intack(irq2);
      } else {
        irq2 = 7;  // spurious IRQ15: the master's IR2 is in service all the same
      }
      vector = chips_[1].irq_base + irq2;
    } else {
      vector = chips_[0].irq_base + irq;
    }
  } else {
    vector = chips_[0].irq_base + 7;  // spurious IRQ7
  }
  update();
  return vector;
}

uint8_t Pic8259Pair::poll_read(unsigned chip) {
  Chip& c = chips_[chip];
  c.poll = false;
  int irq = c.pending_irq();
  if (irq < 0) return 0;
  c.intack(irq);
  if (chip == 0 && irq == 2) {
    // Polling the master for a cascaded request acknowledges the slave's too.
    int irq2 = chips_[1].pending_irq();
    if (irq2 >= 0) chips_[1].intack(irq2);
  }
  update();
  return 0x80 | irq;
}

uint32_t Pic8259Pair::port_read(uint16_t port, unsigned size) {
  uint32_t value;
  switch (port) {
    case 0x20:
    case 0xa0: {
      Chip& c = chips_[port == 0xa0];
      if (c.poll) value = poll_read(port == 0xa0);
      else value = c.read_isr ? c.isr : c.irr;
      break;
    }
    case 0x21:
    case 0xa1: {
      Chip& c = chips_[port == 0xa1];
      value = c.poll ? poll_read(port == 0xa1) : c.imr;
      break;
    }
    case 0x4d0: value = chips_[0].elcr; break;
    case 0x4d1: value = chips_[1].elcr; break;
    default: value = 0xff; break;
  }
  // A 16-bit access reads the next port as its high byte (e.g. ELCR as a word).
  if (size >= 2 && (port == 0x4d0 || port == 0x20 || port == 0xa0)) {
    value |= port_read(port + 1, 1) << 8;
    if (size == 4) value |= 0xffff0000u;
  } else if (size >= 2) {
    value |= size == 4 ? 0xffffff00u : 0xff00u;
  }
  return value;
}

void Pic8259Pair::port_write(uint16_t port, unsigned size, uint32_t value) {
  const uint8_t byte = value & 0xff;
  switch (port) {
    case 0x20: chips_[0].write_command(byte); break;
    case 0xa0: chips_[1].write_command(byte); break;
    case 0x21: chips_[0].write_data(byte); break;
    case 0xa1: chips_[1].write_data(byte); break;
    case 0x4d0: chips_[0].elcr = byte & chips_[0].elcr_mask; break;
    case 0x4d1: chips_[1].elcr = byte & chips_[1].elcr_mask; break;
    default: break;
  }
  if (size >= 2 && (port == 0x4d0 || port == 0x20 || port == 0xa0)) {
    port_write(port + 1, 1, (value >> 8) & 0xff);
    return;
  }
  update();
}

void Pic8259Pair::firmware_init(uint8_t master_base, uint8_t slave_base) {
  port_write(0x20, 1, 0x11);  // ICW1: edge, cascade, ICW4 needed
  port_write(0x21, 1, master_base);
  port_write(0x21, 1, 0x04);  // slave on IR2
  port_write(0x21, 1, 0x01);  // 8086 mode
  port_write(0xa0, 1, 0x11);
  port_write(0xa1, 1, slave_base);
  port_write(0xa1, 1, 0x02);  // slave ID 2
  port_write(0xa1, 1, 0x01);
  port_write(0x21, 1, 0xfb);  // all masked except the cascade
  port_write(0xa1, 1, 0xff);
}

}  // namespace orcvm
