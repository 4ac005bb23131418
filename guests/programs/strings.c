/* String routines written out by hand: length, compare, search, reverse,
 * integer to text in several bases and back, tokenizing and case folding. */
#include "guest.h"

static size_t string_length(const char *s)
{
    const char *end = s;
    while (*end)
        end++;
    return (size_t)(end - s);
}

static int string_compare(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static const char *string_find(const char *haystack, const char *needle)
{
    size_t needle_length = string_length(needle);
    for (; *haystack; haystack++) {
        size_t i = 0;
        while (i < needle_length && haystack[i] == needle[i])
            i++;
        if (i == needle_length)
            return haystack;
    }
    return needle_length == 0 ? haystack : NULL;
}

static void string_reverse(char *s)
{
    size_t length = string_length(s);
    for (size_t i = 0; i < length / 2; i++) {
        char swap = s[i];
        s[i] = s[length - 1 - i];
        s[length - 1 - i] = swap;
    }
}

static void int_to_string(int64_t value, unsigned base, char *out)
{
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    char *p = out;
    do {
        *p++ = "0123456789abcdefghijklmnopqrstuvwxyz"[magnitude % base];
        magnitude /= base;
    } while (magnitude);
    if (value < 0)
        *p++ = '-';
    *p = 0;
    string_reverse(out);
}

static int64_t string_to_int(const char *s, unsigned base)
{
    int negative = *s == '-';
    s += negative;
    uint64_t value = 0;
    for (; *s; s++) {
        unsigned digit = *s <= '9' ? (unsigned)(*s - '0') : (unsigned)(*s - 'a' + 10);
        value = value * base + digit;
    }
    return negative ? (int64_t)(0 - value) : (int64_t)value;
}

static void to_upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
}

static int sign(int value)
{
    return (value > 0) - (value < 0);
}

int guest_main(uint64_t ram_size)
{
    static const char text[] = "the quick brown fox jumps over the lazy dog; the end";
    gprintf("length %zu\n", string_length(text));
    static const char *needles[] = { "the", "fox", "lazy dog", "end", "cat", "", "dog;" };
    for (size_t i = 0; i < ARRAY_SIZE(needles); i++) {
        const char *found = string_find(text, needles[i]);
        gprintf("find \"%s\": %ld\n", needles[i], found ? (long)(found - text) : -1L);
    }
    static const char *pairs[][2] = { { "apple", "apples" }, { "abc", "abd" }, { "same", "same" },
                                      { "", "x" }, { "\xff", "a" }, { "Zebra", "apple" } };
    for (size_t i = 0; i < ARRAY_SIZE(pairs); i++)
        gprintf("compare pair %zu: %d\n", i, sign(string_compare(pairs[i][0], pairs[i][1])));

    char buffer[80];
    memcpy(buffer, text, sizeof(text));
    string_reverse(buffer);
    gprintf("reversed: %s\n", buffer);
    to_upper(buffer);
    gprintf("upper: %s\n", buffer);

    static const int64_t values[] = { 0, 1, -1, 42, -1234567890, INT64_MAX, INT64_MIN, 0x7fffffff };
    static const unsigned bases[] = { 2, 8, 10, 16, 36 };
    unsigned round_trip_failures = 0;
    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
            int_to_string(values[i], bases[b], buffer);
            if (bases[b] != 2)
                gprintf("%s%s", b == 1 ? "" : " ", buffer);
            round_trip_failures += string_to_int(buffer, bases[b]) != values[i];
        }
        gprintf("\n");
    }
    check_u64("itoa/atoi round trips", round_trip_failures, 0);

    /* Split on spaces and count word lengths. */
    unsigned word_count = 0, letters = 0, longest = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        if (p > start) {
            unsigned length = (unsigned)(p - start);
            word_count++;
            letters += length;
            longest = length > longest ? length : longest;
        }
    }
    gprintf("words %u letters %u longest %u\n", word_count, letters, longest);
    check_u64("strlen agrees", string_length(text), strlen(text));
    check_u64("word count", word_count, 11);
    return check_summary();
}
