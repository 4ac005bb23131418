/* The guest side of the runtime: UART output and the memory routines clang
 * may call on its own. Built with -ffreestanding so these loops never turn
 * back into calls to themselves. */
#include "guest.h"
#include "x86.h"

enum {
    UART_DATA = 0x3f8,
    UART_LINE_STATUS = 0x3fd,
    UART_TRANSMIT_EMPTY = 1 << 5,
};

void gputc(char c)
{
    while (!(inb(UART_LINE_STATUS) & UART_TRANSMIT_EMPTY))
        ;
    outb(UART_DATA, (uint8_t)c);
}

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int value, size_t n)
{
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)value;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x - *y;
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
