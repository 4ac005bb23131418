/* 32-bit protected mode: the GDT, the IDT gate format, the TSS stacks and the
 * trap fields only 32-bit frames have. The rest is in cpu_common.c. */
#include "cpu.h"

struct tss32_io tss ALIGNED(128);

void set_gate(int vector, uptr offset, u16 selector, u8 type, u8 dpl, u8 ist) {
  (void)ist;
  idt[vector] = make_gate32(selector, offset, type, dpl, 0);
}

/* The CPU pushes ESP and SS only on a privilege change or from virtual-8086 mode. */
void record_trap_stack_and_segments(struct trap* t, const struct regs* r) {
  if ((r->cs & 3) != 0 || (r->flags & FL_VM)) {
    t->sp = r->sp;
    t->ss = r->ss & 0xffff;
  } else {
    t->sp = 0;
    t->ss = 0;
  }
  t->ds = r->ds & 0xffff;
  t->es = r->es & 0xffff;
  t->fs = r->fs & 0xffff;
  t->gs = r->gs & 0xffff;
}

void reload_tr(void) {
  gdt[TSS_SEL >> 3] &= ~(2ull << 40);  /* clear busy */
  ltr(TSS_SEL);
}

void load_gdt(void) {
  gdt[0] = 0;
  gdt[KERNEL_CS >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB);
  gdt[KERNEL_DS >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_G | FLG_DB);
  gdt[USER_CS32 >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB);
  gdt[USER_DS >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_S | DESC_TYPE_DATA_RW, FLG_G | FLG_DB);
  gdt[TSS_SEL >> 3] = make_desc((u32)(uptr)&tss, sizeof tss - 1, ACC_P | SYS_TSS32_AVAIL, 0);
  gdt[CODE16_SEL >> 3] = make_desc(0, 0xffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, 0);
  gdt[DATA16_SEL >> 3] = make_desc(0, 0xffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, 0);
  struct dtr g = {sizeof gdt - 1, (uptr)gdt};
  lgdt(&g);
  __asm__ volatile(
      "ljmp %0, $1f\n1:\n"
      "mov %1, %%ds\n mov %1, %%es\n mov %1, %%fs\n mov %1, %%gs\n mov %1, %%ss\n" ::"i"(KERNEL_CS),
      "r"(KERNEL_DS)
      : "memory");
}

void set_tss_stacks(void) {
  tss.t.ss0 = KERNEL_DS;
  tss.t.esp0 = (u32)(uptr)ring0_stack_top;
}
