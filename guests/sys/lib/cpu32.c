/* 32-bit protected mode: GDT, IDT, TSS, exception dispatch, ring-3 entry. */
#include "platform.h"
#include "sys.h"

u64 gdt[GDT_ENTRIES] ALIGNED(16);
u64 idt[256] ALIGNED(16);
struct tss32_io tss ALIGNED(128);

extern u8 isr_table[];
extern int catch_active;
extern void catch_resume(int result) __attribute__((noreturn));
extern void enter_user(uptr ip, u32 cs, uptr flags, uptr fn, uptr arg) __attribute__((noreturn));
extern u8 user_trampoline[];

static handler_fn handlers[256];
struct trap last_trap;
struct trap user_ret_frame;
uptr pre_sp;

void set_gdt_entry(u16 selector, u64 desc) { gdt[selector >> 3] = desc; }
u64 get_gdt_entry(u16 selector) { return gdt[selector >> 3]; }

uptr isr_stub_address(int vector) { return (uptr)isr_table + 16 * vector; }

void set_gate(int vector, uptr offset, u16 selector, u8 type, u8 dpl, u8 ist) {
  (void)ist;
  idt[vector] = make_gate32(selector, offset, type, dpl, 0);
}

void set_gate_present(int vector, int present) {
  if (present)
    idt[vector] |= 1ull << 47;
  else
    idt[vector] &= ~(1ull << 47);
}

void restore_default_gate(int vector) {
  u8 dpl = (vector == 3 || vector == 4 || vector == SYSCALL_VECTOR) ? 3 : 0;
  set_gate(vector, isr_stub_address(vector), KERNEL_CS, SYS_INT_GATE32, dpl, 0);
}

void set_handler(int vector, handler_fn h) { handlers[vector] = h; }

void trap_reset(void) { memset(&last_trap, 0, sizeof last_trap); }

static void fill_trap(struct trap* t, const struct regs* r) {
  t->count++;
  t->vector = r->vector;
  t->error = r->error;
  t->ip = r->ip;
  t->cs = r->cs & 0xffff;
  t->flags = r->flags;
  if ((r->cs & 3) != 0 || (r->flags & FL_VM)) {
    t->sp = r->sp;
    t->ss = r->ss & 0xffff;
  } else {
    t->sp = 0;
    t->ss = 0;
  }
  t->cr2 = read_cr2();
  t->frame = (uptr)&r->ip;
  t->ax = r->ax;
  t->bx = r->bx;
  t->cx = r->cx;
  t->dx = r->dx;
  t->ds = r->ds & 0xffff;
  t->es = r->es & 0xffff;
  t->fs = r->fs & 0xffff;
  t->gs = r->gs & 0xffff;
}

void record_trap(const struct regs* r) { fill_trap(&last_trap, r); }

void isr_dispatch(struct regs* r) {
  if (handlers[r->vector]) {
    handlers[r->vector](r);
    return;
  }
  if (catch_active) {
    record_trap(r);
    catch_resume((int)r->vector);
  }
  kprintf("FAIL unexpected exception: vector %u error 0x%x at %x:%x flags 0x%x\n", (unsigned)r->vector,
          (unsigned)r->error, (unsigned)r->cs, (unsigned)r->ip, (unsigned)r->flags);
  checks_failed++;
  sys_exit();
}

static void user_return(struct regs* r) {
  memset(&user_ret_frame, 0, sizeof user_ret_frame);
  fill_trap(&user_ret_frame, r);
  catch_resume(-1);
}

static struct {
  uptr ip, cs, flags, fn, arg;
} user_request;

static void enter_user_request(uptr unused) {
  (void)unused;
  enter_user(user_request.ip, user_request.cs, user_request.flags, user_request.fn, user_request.arg);
}

int user_call(void (*fn)(uptr), uptr arg, uptr extra_flags) {
  user_request.ip = (uptr)user_trampoline;
  user_request.cs = USER_CS32;
  user_request.flags = FL_FIXED | extra_flags;
  user_request.fn = (uptr)fn;
  user_request.arg = arg;
  return catch_call(enter_user_request, 0);
}

int user_jump(uptr ip, u16 cs, uptr extra_flags) {
  user_request.ip = ip;
  user_request.cs = cs;
  user_request.flags = FL_FIXED | extra_flags;
  user_request.fn = 0;
  user_request.arg = 0;
  return catch_call(enter_user_request, 0);
}

void reload_tr(void) {
  gdt[TSS_SEL >> 3] &= ~(2ull << 40);  /* clear busy */
  ltr(TSS_SEL);
}

void io_permit(u16 port, int allowed) {
  if (allowed)
    tss.iomap[port >> 3] &= (u8)~(1u << (port & 7));
  else
    tss.iomap[port >> 3] |= (u8)(1u << (port & 7));
}

void sys_init(void) {
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
  for (int v = 0; v < 256; ++v) restore_default_gate(v);
  struct dtr i = {sizeof idt - 1, (uptr)idt};
  lidt(&i);
  memset(&tss, 0, sizeof tss);
  tss.t.ss0 = KERNEL_DS;
  tss.t.esp0 = (u32)(uptr)ring0_stack_top;
  tss.t.iomap_base = (u16)__builtin_offsetof(struct tss32_io, iomap);
  memset(tss.iomap, 0xff, sizeof tss.iomap);
  ltr(TSS_SEL);
  set_handler(SYSCALL_VECTOR, user_return);
  pic_init();
}
