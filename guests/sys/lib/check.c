/* Checks, one output line each, and the exit through isa-debug-exit. */
#include "sys.h"

unsigned checks_passed, checks_failed;

void check_eq(const char* name, u64 got, u64 want) {
  if (got == want) {
    checks_passed++;
    kprintf("PASS %s\n", name);
  } else {
    checks_failed++;
    kprintf("FAIL %s: got 0x%llx want 0x%llx\n", name, (unsigned long long)got, (unsigned long long)want);
  }
}

void check_true(const char* name, int cond) {
  if (cond) {
    checks_passed++;
    kprintf("PASS %s\n", name);
  } else {
    checks_failed++;
    kprintf("FAIL %s: condition false\n", name);
  }
}

void check_eqf(u64 got, u64 want, const char* fmt, ...) {
  char name[128];
  va_list ap;
  va_start(ap, fmt);
  kvsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  check_eq(name, got, want);
}

void section(const char* title) { kprintf("# %s\n", title); }

void sys_exit(void) {
  kprintf("DONE %u passed, %u failed\n", checks_passed, checks_failed);
  outb(0xf4, checks_failed ? 1 : 0);
  for (;;) __asm__ volatile("cli; hlt");
}

void sys_abort(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  con_puts("FAIL abort: ");
  kvprintf(fmt, ap);
  va_end(ap);
  con_putc('\n');
  checks_failed++;
  sys_exit();
}
