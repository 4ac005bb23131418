/* Interrupts from the platform and their corner cases (32-bit protected
 * mode): `sti; hlt` with an interrupt already pending (no lost wakeup) and
 * HLT woken by a timer, the one-instruction shadow after STI, MOV SS and POP
 * SS suppressing the single-step trap, NMI blocked until IRET (a self-NMI
 * from inside the NMI handler), the local APIC (self-IPI, TPR, EOI, timer),
 * the 8259 PIC with the 8254 PIT, and an interrupt taken at CPL 3. */
#include "platform.h"
#include "sys.h"

#define VEC_IPI 0x41
#define VEC_TIMER 0x42
#define VEC_PIT (PIC_VECTOR_BASE + 0)

static volatile u32 hits, last_ip, last_cs, last_ax, last_sp, last_ss, isr_during;
static void ipi_handler(struct regs* r) {
  hits++;
  last_ip = r->ip;
  last_cs = r->cs & 0xffff;
  last_ax = r->ax;
  if ((r->cs & 3) != 0) {
    last_sp = r->sp;
    last_ss = r->ss & 0xffff;
  }
  isr_during = lapic_isr_set((int)r->vector);
  lapic_eoi();
}
static volatile u32 pit_hits, pit_isr_during;
static void pit_handler(struct regs* r) {
  pit_hits++;
  last_ip = r->ip;
  pit_isr_during = pic_read_isr() & 1;
  pic_eoi(0);
}

/* sti; hlt with the interrupt pending before the STI */
SNIPPET(sti_hlt, "", "sti\n hlt", "cli");
/* the instruction after STI runs before the pending interrupt */
SNIPPET(sti_shadow, "xor %eax, %eax", "sti\n mov $1, %eax", ".globl sti_shadow_next\nsti_shadow_next: nop\n cli");
extern char sti_shadow_next[];
/* POPF setting IF has no shadow */
SNIPPET(popf_no_shadow, "xor %eax, %eax\n pushl $0x202", "popfl\n mov $1, %eax", "cli");

static void wait_irr(int vector) {
  for (int spin = 0; spin < 1000000 && !lapic_irr_pending(vector); ++spin) {
  }
}

static void test_pending(void) {
  section("pending interrupts: sti; hlt and the STI shadow");
  lapic_enable();
  set_handler(VEC_IPI, ipi_handler);
  cli();
  hits = 0;
  lapic_self_ipi(VEC_IPI);
  wait_irr(VEC_IPI);
  check_eq("ipi.pending_while_if_clear", lapic_irr_pending(VEC_IPI), 1);
  check_eq("ipi.not_delivered_while_if_clear", hits, 0);
  int v = catch_call(sti_hlt, 0);
  check_eq("sti_hlt.pending_interrupt_wakes", (u32)v, (u32)-1);
  check_eq("sti_hlt.delivered_once", hits, 1);
  check_eq("sti_hlt.return_eip_after_hlt", last_ip, (uptr)sti_hlt_after);
  check_eq("sti_hlt.in_service_during_handler", isr_during, 1);
  check_eq("sti_hlt.eoi_clears_isr", lapic_isr_set(VEC_IPI), 0);

  hits = 0;
  lapic_self_ipi(VEC_IPI);
  wait_irr(VEC_IPI);
  v = catch_call(sti_shadow, 0);
  check_eq("sti_shadow.delivered", hits, 1);
  check_eq("sti_shadow.next_instruction_ran_first", last_ax, 1);
  check_eq("sti_shadow.interrupt_after_that_instruction", last_ip, (uptr)sti_shadow_next);

  hits = 0;
  lapic_self_ipi(VEC_IPI);
  wait_irr(VEC_IPI);
  v = catch_call(popf_no_shadow, 0);
  check_eq("popf_if.delivered", hits, 1);
  check_eq("popf_if.no_shadow", last_ax, 0);
}

/* ---- TPR ---- */
static void test_tpr(void) {
  section("local APIC: TPR, self-IPI, EOI");
  cli();
  hits = 0;
  lapic_write(LAPIC_TPR, 0x50);  /* blocks priority classes <= 5 */
  lapic_self_ipi(VEC_IPI);       /* class 4 */
  wait_irr(VEC_IPI);
  sti();
  for (volatile int i = 0; i < 1000; ++i) {
  }
  cli();
  check_eq("tpr.masks_lower_class", hits, 0);
  check_eq("tpr.masked_stays_in_irr", lapic_irr_pending(VEC_IPI), 1);
  lapic_write(LAPIC_TPR, 0x30);
  sti();
  for (volatile int i = 0; i < 1000 && !hits; ++i) {
  }
  cli();
  check_eq("tpr.lowered_delivers", hits, 1);
  check_eq("tpr.irr_cleared", lapic_irr_pending(VEC_IPI), 0);
  lapic_write(LAPIC_TPR, 0);
}

/* ---- LAPIC timer and HLT ---- */
static volatile u32 timer_hits;
static void timer_handler(struct regs* r) {
  timer_hits++;
  last_ip = r->ip;
  lapic_eoi();
}
SNIPPET(sti_hlt_wait, "", "sti\n hlt", "cli");

static void test_lapic_timer(void) {
  section("local APIC timer and HLT");
  set_handler(VEC_TIMER, timer_handler);
  cli();
  timer_hits = 0;
  lapic_write(LAPIC_TIMER_DIV, 0xb);  /* divide by 1 */
  lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);  /* one-shot */
  lapic_write(LAPIC_TIMER_INIT, 200000);
  check_eq("lapic_timer.counts_down", lapic_read(LAPIC_TIMER_CUR) <= 200000, 1);
  int v = catch_call(sti_hlt_wait, 0);
  check_eq("lapic_timer.hlt_wakes", (u32)v, (u32)-1);
  check_eq("lapic_timer.fired_once", timer_hits, 1);
  check_eq("lapic_timer.return_eip_after_hlt", last_ip, (uptr)sti_hlt_wait_after);
  check_eq("lapic_timer.one_shot_reaches_zero", lapic_read(LAPIC_TIMER_CUR), 0);
  /* masked LVT: the count runs out without an interrupt */
  lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | (1u << 16));
  lapic_write(LAPIC_TIMER_INIT, 1000);
  for (int spin = 0; spin < 10000000 && lapic_read(LAPIC_TIMER_CUR) != 0; ++spin) {
  }
  sti();
  for (volatile int i = 0; i < 1000; ++i) {
  }
  cli();
  check_eq("lapic_timer.masked_lvt_no_interrupt", timer_hits, 1);
  lapic_write(LAPIC_TIMER_INIT, 0);
}

/* ---- PIC and PIT ---- */
static void test_pic_pit(void) {
  section("8259 PIC and 8254 PIT");
  set_handler(VEC_PIT, pit_handler);
  cli();
  /* Drain: the firmware's periodic timer may have latched an edge in the IRR
   * while IRQ 0 was masked. Stop it (mode 0), take whatever is pending. */
  pit_oneshot(1000);
  pic_mask(0, 0);
  sti();
  pit_delay_ticks(3000);
  cli();
  pit_hits = 0;
  pit_oneshot(1000);  /* about 0.84 ms */
  for (int spin = 0; spin < 10000000 && !(pic_read_irr() & 1); ++spin) {
  }
  check_eq("pic.irq0_requested", pic_read_irr() & 1, 1);
  check_eq("pic.not_delivered_while_if_clear", pit_hits, 0);
  int v = catch_call(sti_hlt, 0);
  check_eq("pic.sti_hlt_wakes", (u32)v, (u32)-1);
  check_eq("pic.delivered_once", pit_hits, 1);
  check_eq("pic.vector_and_return_eip", last_ip, (uptr)sti_hlt_after);
  check_eq("pic.in_service_until_eoi", pit_isr_during, 1);
  check_eq("pic.eoi_clears_isr", pic_read_isr() & 1, 0);
  /* mode 0 fires once: no second interrupt */
  sti();
  pit_delay_ticks(3000);
  cli();
  check_eq("pit.mode0_fires_once", pit_hits, 1);
  pic_mask(0, 1);
}

/* ---- MOV SS / POP SS and single-step ---- */
static volatile u32 step_ips[16], steps;
static void step_handler(struct regs* r) {
  if (steps < 16) step_ips[steps] = r->ip;
  steps++;
}
extern char ss_l2[], ss_l4[], ss_l6[], ss_l7[];
SNIPPET(ss_shadow_run, "mov %ss, %eax\n push %eax\n pushf\n orl $0x100, (%esp)",
        "popfl\n nop\n"
        ".globl ss_l2\nss_l2: mov %eax, %ss\n nop\n"
        ".globl ss_l4\nss_l4: pop %ss\n nop\n"
        ".globl ss_l6\nss_l6: pushl $2\n popfl\n"
        ".globl ss_l7\nss_l7:",
        "");

static void test_ss_shadow(void) {
  section("MOV SS and POP SS delay the single-step trap");
  set_handler(VEC_DB, step_handler);
  steps = 0;
  int v = catch_call(ss_shadow_run, 0);
  set_handler(VEC_DB, 0);
  check_eq("ss_shadow.returns", (u32)v, (u32)-1);
  check_eq("ss_shadow.trap_count", steps, 5);
  check_eq("ss_shadow.trap_after_first_nop", step_ips[0], (uptr)ss_l2);
  check_eq("ss_shadow.mov_ss_and_next_one_trap", step_ips[1], (uptr)ss_l4);
  check_eq("ss_shadow.pop_ss_and_next_one_trap", step_ips[2], (uptr)ss_l6);
  check_eq("ss_shadow.trap_after_push", step_ips[3], (uptr)ss_l6 + 2);
  check_eq("ss_shadow.trap_after_popf_clearing_tf", step_ips[4], (uptr)ss_l7);
}

/* ---- NMI ---- */
static volatile u32 nmi_count, nmi_depth, nmi_max_depth, nmi_count_in_first;
static void nmi_handler(struct regs* r) {
  nmi_count++;
  nmi_depth++;
  if (nmi_depth > nmi_max_depth) nmi_max_depth = nmi_depth;
  if (nmi_count == 1) {
    lapic_self_ipi(4u << 8);  /* another NMI: blocked until our IRET */
    for (volatile int i = 0; i < 20000; ++i) {
    }
    sti();  /* IF does not unblock NMIs */
    for (volatile int i = 0; i < 20000; ++i) {
    }
    cli();
    nmi_count_in_first = nmi_count;
  }
  nmi_depth--;
}

static void test_nmi(void) {
  section("NMI: blocked until IRET");
  set_handler(VEC_NMI, nmi_handler);
  cli();
  nmi_count = nmi_depth = nmi_max_depth = 0;
  lapic_self_ipi(4u << 8);
  for (int spin = 0; spin < 1000000 && nmi_count < 2; ++spin) {
  }
  check_eq("nmi.delivered_with_if_clear", nmi_count >= 1, 1);
  check_eq("nmi.second_nmi_not_nested", nmi_count_in_first, 1);
  check_eq("nmi.max_depth_one", nmi_max_depth, 1);
  check_eq("nmi.second_nmi_after_iret", nmi_count, 2);
  set_handler(VEC_NMI, 0);
}

/* ---- an interrupt at CPL 3 ---- */
static void user_wait(uptr unused) {
  for (volatile int i = 0; i < 100000 && !hits; ++i) {
  }
}

static void test_user_interrupt(void) {
  section("interrupt taken at CPL 3");
  cli();
  hits = 0;
  last_sp = last_ss = 0;
  lapic_self_ipi(VEC_IPI);
  wait_irr(VEC_IPI);
  int v = user_call(user_wait, 0, FL_IF);
  check_eq("user_interrupt.user_code_finished", (u32)v, (u32)-1);
  check_eq("user_interrupt.delivered", hits, 1);
  check_eq("user_interrupt.frame_cs", last_cs, USER_CS32);
  check_eq("user_interrupt.frame_ss", last_ss, USER_DS);
  check_eq("user_interrupt.frame_esp_on_user_stack", last_sp <= (uptr)user_stack_top && last_sp > (uptr)user_stack_top - 4096, 1);
}

void kmain(void) {
  test_pending();
  test_tpr();
  test_lapic_timer();
  test_pic_pit();
  test_ss_shadow();
  test_nmi();
  test_user_interrupt();
  set_handler(VEC_IPI, 0);
  cli();
}
