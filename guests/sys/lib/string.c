/* The few C library functions the kernels (and clang's lowering) need. */
#include "sys.h"

void* memset(void* d, int c, size_t n) {
  u8* p = d;
  while (n--) *p++ = (u8)c;
  return d;
}

void* memcpy(void* d, const void* s, size_t n) {
  u8* p = d;
  const u8* q = s;
  while (n--) *p++ = *q++;
  return d;
}

void* memmove(void* d, const void* s, size_t n) {
  u8* p = d;
  const u8* q = s;
  if (p < q) {
    while (n--) *p++ = *q++;
  } else {
    while (n--) p[n] = q[n];
  }
  return d;
}

int memcmp(const void* a, const void* b, size_t n) {
  const u8 *p = a, *q = b;
  for (; n; --n, ++p, ++q)
    if (*p != *q) return *p - *q;
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

int strcmp(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return (u8)*a - (u8)*b;
}

#ifndef __x86_64__
/* 64-bit division for the 32-bit kernels (clang calls these). */
static u64 udivmod64(u64 n, u64 d, u64* rem) {
  u64 q = 0, r = 0;
  for (int i = 63; i >= 0; --i) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= 1ull << i;
    }
  }
  if (rem) *rem = r;
  return q;
}
u64 __udivdi3(u64 n, u64 d) { return udivmod64(n, d, 0); }
u64 __umoddi3(u64 n, u64 d) {
  u64 r;
  udivmod64(n, d, &r);
  return r;
}
#endif
