/* PC platform helpers: 8259 PIC, 8254 PIT, local APIC. */
#pragma once
#include "arch.h"

#define PIC_VECTOR_BASE 0x20
#define LAPIC_BASE 0xfee00000u
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ISR 0x100
#define LAPIC_IRR 0x200
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

/* Remaps the PICs to vectors 0x20-0x2f and masks every line. */
void pic_init(void);
void pic_mask(int irq, int masked);
void pic_eoi(int irq);
/* In-service / request registers of the master PIC (OCW3). */
u8 pic_read_irr(void);
u8 pic_read_isr(void);
/* PIT channel 0 in mode 0 (interrupt on terminal count) after count ticks. */
void pit_oneshot(u16 count);
/* Busy-waits roughly n PIT ticks (channel 2, no interrupt). */
void pit_delay_ticks(u16 ticks);

u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 value);
/* Software-enables the local APIC (spurious vector 0xff) with LINT0 as ExtINT
 * (the PIC) and LINT1 as NMI, as BIOSes leave it. */
void lapic_enable(void);
void lapic_eoi(void);
/* Sends an IPI to this APIC: vector | delivery mode (0 fixed, 4 << 8 NMI), edge. */
void lapic_self_ipi(u32 icr_low);
int lapic_irr_pending(int vector);
int lapic_isr_set(int vector);
