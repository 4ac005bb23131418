/* Portable formatting shared by the guest and host builds, so both produce
 * the same bytes for the same arguments. */
#include <stdarg.h>

#include "guest.h"

void gputs(const char *s)
{
    while (*s)
        gputc(*s++);
}

static void put_repeated(char c, int count)
{
    for (; count > 0; count--)
        gputc(c);
}

struct field {
    int width;
    int left_align;
    int zero_pad;
};

static void put_field(const struct field *field, const char *text, int length, int negative)
{
    int padding = field->width - length - negative;
    if (!field->left_align && !field->zero_pad)
        put_repeated(' ', padding);
    if (negative)
        gputc('-');
    if (!field->left_align && field->zero_pad)
        put_repeated('0', padding);
    for (int i = 0; i < length; i++)
        gputc(text[i]);
    if (field->left_align)
        put_repeated(' ', padding);
}

static void put_unsigned(const struct field *field, uint64_t value, unsigned base, int upper, int negative)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buffer[24];
    int position = sizeof(buffer);
    do {
        buffer[--position] = digits[value % base];
        value /= base;
    } while (value);
    put_field(field, buffer + position, (int)sizeof(buffer) - position, negative);
}

enum length { LENGTH_CHAR, LENGTH_SHORT, LENGTH_INT, LENGTH_LONG, LENGTH_LONG_LONG, LENGTH_SIZE };

static uint64_t take_unsigned(va_list *args, enum length length)
{
    switch (length) {
    case LENGTH_CHAR: return (unsigned char)va_arg(*args, unsigned);
    case LENGTH_SHORT: return (unsigned short)va_arg(*args, unsigned);
    case LENGTH_INT: return va_arg(*args, unsigned);
    case LENGTH_LONG: return va_arg(*args, unsigned long);
    case LENGTH_LONG_LONG: return va_arg(*args, unsigned long long);
    case LENGTH_SIZE: return va_arg(*args, size_t);
    }
    return 0;
}

static int64_t take_signed(va_list *args, enum length length)
{
    switch (length) {
    case LENGTH_CHAR: return (signed char)va_arg(*args, int);
    case LENGTH_SHORT: return (short)va_arg(*args, int);
    case LENGTH_INT: return va_arg(*args, int);
    case LENGTH_LONG: return va_arg(*args, long);
    case LENGTH_LONG_LONG: return va_arg(*args, long long);
    case LENGTH_SIZE: return (int64_t)va_arg(*args, size_t);
    }
    return 0;
}

static enum length parse_length(const char **cursor)
{
    const char *p = *cursor;
    enum length length = LENGTH_INT;
    if (p[0] == 'h' && p[1] == 'h') {
        length = LENGTH_CHAR;
        p += 2;
    } else if (p[0] == 'h') {
        length = LENGTH_SHORT;
        p++;
    } else if (p[0] == 'l' && p[1] == 'l') {
        length = LENGTH_LONG_LONG;
        p += 2;
    } else if (p[0] == 'l') {
        length = LENGTH_LONG;
        p++;
    } else if (p[0] == 'z') {
        length = LENGTH_SIZE;
        p++;
    }
    *cursor = p;
    return length;
}

static void gvprintf(const char *fmt, va_list args_in)
{
    va_list args;
    va_copy(args, args_in);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            gputc(*p);
            continue;
        }
        p++;
        struct field field = { 0, 0, 0 };
        for (;; p++) {
            if (*p == '-')
                field.left_align = 1;
            else if (*p == '0')
                field.zero_pad = 1;
            else
                break;
        }
        if (*p == '*') {
            field.width = va_arg(args, int);
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                field.width = field.width * 10 + (*p++ - '0');
        }
        enum length length = parse_length(&p);
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t value = take_signed(&args, length);
            uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
            put_unsigned(&field, magnitude, 10, 0, value < 0);
            break;
        }
        case 'u': put_unsigned(&field, take_unsigned(&args, length), 10, 0, 0); break;
        case 'x': put_unsigned(&field, take_unsigned(&args, length), 16, 0, 0); break;
        case 'X': put_unsigned(&field, take_unsigned(&args, length), 16, 1, 0); break;
        case 'p':
            gputs("0x");
            put_unsigned(&field, (uintptr_t)va_arg(args, void *), 16, 0, 0);
            break;
        case 'c': {
            char c = (char)va_arg(args, int);
            field.zero_pad = 0;
            put_field(&field, &c, 1, 0);
            break;
        }
        case 's': {
            const char *s = va_arg(args, const char *);
            field.zero_pad = 0;
            put_field(&field, s, (int)strlen(s), 0);
            break;
        }
        case '%': gputc('%'); break;
        case '\0': p--; break; /* a lone '%' at the end: stop at the terminator */
        default: gputc('%'); gputc(*p); break;
        }
    }
    va_end(args);
}

void gprintf(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    gvprintf(fmt, args);
    va_end(args);
}
