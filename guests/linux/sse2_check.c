// A static Linux program for the boot test's user space, with no C library: raw
// system calls, integer loops the compiler vectorises with SSE2, and double
// arithmetic in SSE2 scalar instructions. Prints one line the init script echoes.
#include <stddef.h>
#include <stdint.h>

static long sys_write(int fd, const void* buf, size_t n) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(1), "D"(fd), "S"(buf), "d"(n) : "rcx", "r11", "memory");
  return ret;
}

static __attribute__((noreturn)) void sys_exit(int code) {
  __asm__ volatile("syscall" : : "a"(60), "D"(code) : "rcx", "r11", "memory");
  __builtin_unreachable();
}

static char* put_unsigned(char* p, uint64_t v) {
  char digits[20];
  int n = 0;
  do digits[n++] = (char)('0' + v % 10); while (v /= 10);
  while (n) *p++ = digits[--n];
  return p;
}

static char* put_text(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}

static uint32_t values[1024];

int main(void) {
  for (uint32_t i = 0; i < 1024; ++i) values[i] = i * 2654435761u;
  uint32_t sum = 0, xor_all = 0;
  for (uint32_t i = 0; i < 1024; ++i) {  // vectorised: PADDD, PXOR
    sum += values[i];
    xor_all ^= values[i] >> 3;
  }
  double harmonic = 0;
  for (int i = 1; i <= 1000; ++i) harmonic += 1.0 / i;  // CVTSI2SD, DIVSD, ADDSD
  char line[128], *p = line;
  p = put_text(p, "sse2 sum ");
  p = put_unsigned(p, sum);
  p = put_text(p, " xor ");
  p = put_unsigned(p, xor_all);
  p = put_text(p, " harmonic*1e9 ");
  p = put_unsigned(p, (uint64_t)(harmonic * 1e9));  // CVTTSD2SI
  *p++ = '\n';
  return sys_write(1, line, (size_t)(p - line)) == p - line ? 0 : 1;
}

__attribute__((used)) void start_c(void) { sys_exit(main()); }

__asm__(".globl _start\n_start:\n  and $-16, %rsp\n  call start_c\n");
