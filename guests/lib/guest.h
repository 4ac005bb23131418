/* The API every guest program is written against. The same program source
 * builds as an orcvm guest (output through the 16550 UART) and as a host
 * Linux executable (output to stdout); only gputc differs between the two. */
#ifndef ORCVM_GUEST_H
#define ORCVM_GUEST_H

#include <stddef.h>
#include <stdint.h>

#if __STDC_HOSTED__
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#endif

/* Each program defines this. In the guest, ram_size is the RDI value orcvm
 * passes at entry; the return value goes to the exit device. */
int guest_main(uint64_t ram_size);

void gputc(char c);
/* Writes s without appending a newline. */
void gputs(const char *s);
/* printf subset: %d %i %u %x %X %s %c %p %% with the length modifiers
 * h, hh, l, ll, z, the flags '-' and '0', and a width (digits or '*'). */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "name: ok" or "name: MISMATCH got ... want ..." and counts failures. */
void check_u64(const char *name, uint64_t got, uint64_t want);
void check_str(const char *name, const char *got, const char *want);
/* Prints the failure count when non-zero; returns the value guest_main should return. */
int check_summary(void);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
