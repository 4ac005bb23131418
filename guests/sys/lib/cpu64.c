/* 64-bit long mode: the GDT, the IDT gate format, the TSS stacks (RSP0 and
 * seven IST stacks) and the trap stack. The rest is in cpu_common.c. */
#include "cpu.h"

struct tss64_io tss ALIGNED(128);
static u8 ist_stacks[7][4096] ALIGNED(16);

void set_gate(int vector, uptr offset, u16 selector, u8 type, u8 dpl, u8 ist) {
  idt[2 * vector] = (offset & 0xffff) | ((u64)selector << 16) | ((u64)(ist & 7) << 32) |
                    ((u64)(ACC_P | ACC_DPL(dpl) | type) << 40) | ((u64)((offset >> 16) & 0xffff) << 48);
  idt[2 * vector + 1] = offset >> 32;
}

/* In 64-bit mode the CPU always pushes RSP and SS. */
void record_trap_stack_and_segments(struct trap* t, const struct regs* r) {
  t->sp = r->sp;
  t->ss = r->ss & 0xffff;
}

/* The 16-byte TSS descriptor, available (not busy). */
static void set_tss_descriptor(void) {
  u64 base = (uptr)&tss;
  gdt[TSS_SEL >> 3] = make_desc((u32)base, sizeof tss - 1, ACC_P | SYS_TSS32_AVAIL, 0);
  gdt[(TSS_SEL >> 3) + 1] = base >> 32;
}

void reload_tr(void) {
  set_tss_descriptor();
  ltr(TSS_SEL);
}

void load_gdt(void) {
  gdt[0] = 0;
  gdt[KERNEL_CS >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_L);
  gdt[KERNEL_DS >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_G | FLG_DB);
  gdt[USER_CS32 >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB);
  gdt[USER_DS >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_S | DESC_TYPE_DATA_RW, FLG_G | FLG_DB);
  gdt[USER_CS64 >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_L);
  gdt[KERNEL_CS32 >> 3] = make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB);
  set_tss_descriptor();
  struct dtr g = {sizeof gdt - 1, (uptr)gdt};
  lgdt(&g);
  __asm__ volatile(
      "pushq %0\n lea 1f(%%rip), %%rax\n push %%rax\n lretq\n1:\n"
      "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n" ::"i"(KERNEL_CS),
      "r"((uptr)KERNEL_DS)
      : "rax", "memory");
}

void set_tss_stacks(void) {
  tss.t.rsp[0] = (uptr)ring0_stack_top;
  for (int n = 0; n < 7; ++n) tss.t.ist[n] = (uptr)ist_stacks[n] + sizeof ist_stacks[n];
}
