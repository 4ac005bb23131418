#include "platform.h"

#define PIC1 0x20
#define PIC2 0xa0

void pic_init(void) {
  outb(PIC1, 0x11);
  outb(PIC2, 0x11);
  outb(PIC1 + 1, PIC_VECTOR_BASE);
  outb(PIC2 + 1, PIC_VECTOR_BASE + 8);
  outb(PIC1 + 1, 4);
  outb(PIC2 + 1, 2);
  outb(PIC1 + 1, 1);
  outb(PIC2 + 1, 1);
  outb(PIC1 + 1, 0xff);
  outb(PIC2 + 1, 0xff);
}

void pic_mask(int irq, int masked) {
  u16 port = irq < 8 ? PIC1 + 1 : PIC2 + 1;
  u8 bit = (u8)(1u << (irq & 7));
  u8 v = inb(port);
  outb(port, masked ? (u8)(v | bit) : (u8)(v & ~bit));
  if (irq >= 8 && !masked) pic_mask(2, 0);
}

void pic_eoi(int irq) {
  if (irq >= 8) outb(PIC2, 0x20);
  outb(PIC1, 0x20);
}

u8 pic_read_irr(void) {
  outb(PIC1, 0x0a);
  return inb(PIC1);
}

u8 pic_read_isr(void) {
  outb(PIC1, 0x0b);
  return inb(PIC1);
}

void pit_oneshot(u16 count) {
  outb(0x43, 0x30);  /* channel 0, lobyte/hibyte, mode 0 */
  outb(0x40, (u8)count);
  outb(0x40, (u8)(count >> 8));
}

void pit_delay_ticks(u16 ticks) {
  /* channel 2 gate on, speaker off; mode 0; wait for OUT2 (port 0x61 bit 5) */
  outb(0x61, (u8)((inb(0x61) & ~0x02) | 0x01));
  outb(0x43, 0xb0);
  outb(0x42, (u8)ticks);
  outb(0x42, (u8)(ticks >> 8));
  for (unsigned spin = 0; spin < 100000000u && !(inb(0x61) & 0x20); ++spin) {
  }
}

u32 lapic_read(u32 reg) { return *(volatile u32*)(uptr)(LAPIC_BASE + reg); }
void lapic_write(u32 reg, u32 value) { *(volatile u32*)(uptr)(LAPIC_BASE + reg) = value; }

void lapic_enable(void) {
  lapic_write(LAPIC_SVR, 0x1ff);
  lapic_write(LAPIC_LVT_LINT0, 0x700);  /* ExtINT */
  lapic_write(LAPIC_LVT_LINT1, 0x400);  /* NMI */
  lapic_write(LAPIC_TPR, 0);
}

void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

void lapic_self_ipi(u32 icr_low) {
  /* Physical destination = this APIC's ID, no shorthand: valid for NMI too. */
  lapic_write(LAPIC_ICR_HI, lapic_read(LAPIC_ID) & 0xff000000u);
  lapic_write(LAPIC_ICR_LO, icr_low);
  for (int spin = 0; spin < 100000 && (lapic_read(LAPIC_ICR_LO) & (1u << 12)); ++spin) {
  }
}

int lapic_irr_pending(int vector) { return (lapic_read(LAPIC_IRR + 0x10 * (vector / 32)) >> (vector % 32)) & 1; }
int lapic_isr_set(int vector) { return (lapic_read(LAPIC_ISR + 0x10 * (vector / 32)) >> (vector % 32)) & 1; }
