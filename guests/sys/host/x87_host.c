/* The x87 kernels' cases run natively, to check their expected output against a
 * real x87: built for the host (x86-64 Linux) by check_x87_host.sh, it prints
 * what the kernel its argument names (x87 or x87_sdm) prints before its fault
 * checks. */
#define X87_HOST
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../lib/sys.h"

uptr pre_sp;

void kprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}
void section(const char* title) { printf("# %s\n", title); }
int catch_call(void (*fn)(uptr), uptr arg) {
  fn(arg);
  return -1;
}

#include "../x87_list.h"

int main(int argc, char** argv) {
  if (argc != 2 || (strcmp(argv[1], "x87") != 0 && strcmp(argv[1], "x87_sdm") != 0)) {
    fprintf(stderr, "usage: x87_host x87|x87_sdm\n");
    return 2;
  }
  x87_shared_sections(strcmp(argv[1], "x87") == 0 ? 0 : QEMU_DIFFERS);
  return 0;
}
