/* The triple-fault path: with an empty IDT, INT3 raises #GP, whose delivery
 * raises #GP again (#DF), whose delivery fails too: the CPU shuts down. Run
 * with -no-reboot, QEMU then exits with status 0 after the last line below;
 * orcvm must stop the same way (docs/system-tests.md). Nothing after the
 * INT3 may print. */
#include "sys.h"

void kmain(void) {
  section("triple fault");
  struct dtr empty = {0, 0}, got;
  lidt(&empty);
  sidt(&got);
  check_eq("triplefault.idt_limit_zero", got.limit, 0);
  check_eq("triplefault.idt_base_zero", got.base, 0);
  kprintf("# shutting down by a triple fault\n");
  __asm__ volatile("int3");
  kprintf("FAIL triplefault.still_running_after_triple_fault\n");
  checks_failed++;
}
