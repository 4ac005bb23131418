/* GDT, IDT and TSS setup, exception dispatch and ring-3 entry shared by the
 * 32- and 64-bit kernels; the descriptor formats and the width's own segments
 * are in cpu32.c and cpu64.c. */
#include "cpu.h"
#include "platform.h"

u64 gdt[GDT_ENTRIES] ALIGNED(16);
u64 idt[256 * IDT_GATE_QWORDS] ALIGNED(16);

/* From isr32.S / isr64.S. */
extern u8 isr_table[];
extern int catch_active;
extern void catch_resume(int result) __attribute__((noreturn));
extern void enter_user(uptr ip, uptr cs, uptr flags, uptr fn, uptr arg) __attribute__((noreturn));
extern u8 user_trampoline[];

static handler_fn handlers[256];
struct trap last_trap;
struct trap user_ret_frame;
uptr pre_sp;

void set_gdt_entry(u16 selector, u64 desc) { gdt[selector >> 3] = desc; }
u64 get_gdt_entry(u16 selector) { return gdt[selector >> 3]; }

uptr isr_stub_address(int vector) { return (uptr)isr_table + 16 * vector; }

/* P is bit 47 of a gate in both widths: in the first quadword of a 64-bit one. */
void set_gate_present(int vector, int present) {
  if (present)
    idt[IDT_GATE_QWORDS * vector] |= 1ull << 47;
  else
    idt[IDT_GATE_QWORDS * vector] &= ~(1ull << 47);
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
  record_trap_stack_and_segments(t, r);
  t->cr2 = read_cr2();
  t->frame = (uptr)&r->ip;
  t->ax = r->ax;
  t->bx = r->bx;
  t->cx = r->cx;
  t->dx = r->dx;
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
  kprintf("FAIL unexpected exception: vector %u error 0x%lx at %lx:%lx flags 0x%lx\n", (unsigned)r->vector,
          (unsigned long)r->error, (unsigned long)r->cs, (unsigned long)r->ip, (unsigned long)r->flags);
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
  user_request.cs = USER_CS;
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

void io_permit(u16 port, int allowed) {
  if (allowed)
    tss.iomap[port >> 3] &= (u8)~(1u << (port & 7));
  else
    tss.iomap[port >> 3] |= (u8)(1u << (port & 7));
}

void sys_init(void) {
  load_gdt();
  for (int v = 0; v < 256; ++v) restore_default_gate(v);
  struct dtr i = {sizeof idt - 1, (uptr)idt};
  lidt(&i);
  memset(&tss, 0, sizeof tss);
  set_tss_stacks();
  /* The I/O permission bitmap follows the TSS proper. */
  tss.t.iomap_base = (u16)sizeof tss.t;
  memset(tss.iomap, 0xff, sizeof tss.iomap);
  ltr(TSS_SEL);
  set_handler(SYSCALL_VECTOR, user_return);
  pic_init();
}
