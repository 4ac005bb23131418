/* Serial output on COM1 and a small printf. */
#include "sys.h"

#define COM1 0x3f8

void con_putc(char c) {
  for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); ++spin) {
  }
  outb(COM1, (u8)c);
}

void con_puts(const char* s) {
  while (*s) con_putc(*s++);
}

struct sink {
  char* buf;
  size_t size, used;
};

static void emit(struct sink* s, char c) {
  if (!s->buf) {
    con_putc(c);
    return;
  }
  if (s->used + 1 < s->size) s->buf[s->used] = c;
  s->used++;
}

static void emit_num(struct sink* s, u64 v, unsigned base, int width, char pad, int negative) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (negative) digits[n++] = '-';
  while (n < width--) emit(s, pad);
  while (n) emit(s, digits[--n]);
}

static void format(struct sink* s, const char* fmt, va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      emit(s, *fmt);
      continue;
    }
    ++fmt;
    char pad = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0') pad = '0', ++fmt;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') ++longs, ++fmt;
    if (*fmt == 'z') longs = 1, ++fmt;
    u64 v = 0;
    switch (*fmt) {
      case 'd': {
        long long x = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
        emit_num(s, x < 0 ? -(u64)x : (u64)x, 10, width, pad, x < 0);
        break;
      }
      case 'u':
      case 'x':
        v = longs >= 2 ? va_arg(ap, unsigned long long) : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
        emit_num(s, v, *fmt == 'u' ? 10 : 16, width, pad, 0);
        break;
      case 'p':
        emit(s, '0');
        emit(s, 'x');
        emit_num(s, (uptr)va_arg(ap, void*), 16, width, pad, 0);
        break;
      case 's': {
        const char* str = va_arg(ap, const char*);
        int len = (int)strlen(str);
        while (len < width--) emit(s, ' ');
        while (*str) emit(s, *str++);
        break;
      }
      case 'c':
        emit(s, (char)va_arg(ap, int));
        break;
      case '%':
        emit(s, '%');
        break;
      default:
        emit(s, '?');
        break;
    }
  }
  if (s->buf && s->size) s->buf[s->used < s->size ? s->used : s->size - 1] = 0;
}

void kvprintf(const char* fmt, va_list ap) {
  struct sink s = {0, 0, 0};
  format(&s, fmt, ap);
}

void kprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}

void kvsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
  struct sink s = {buf, size, 0};
  format(&s, fmt, ap);
}

void ksnprintf(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvsnprintf(buf, size, fmt, ap);
  va_end(ap);
}
