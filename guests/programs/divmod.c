/* Integer division and remainder, signed and unsigned, at 8, 16, 32 and 64
 * bits: by runtime divisors (DIV/IDIV), by constants (multiply-high
 * sequences, shifts), and 128-by-64 DIV/IDIV through RDX:RAX. */
#include "guest.h"

/* Hides a value from the optimiser so divisions happen at run time. */
#define OPAQUE(value) ({ __typeof__(value) hidden_ = (value); __asm__("" : "+r"(hidden_)); hidden_; })

static uint64_t hash = 0xcbf29ce484222325ULL;

static void mix(uint64_t value)
{
    hash = (hash ^ value) * 0x100000001b3ULL;
}

static uint64_t lcg_state = 42;

static uint64_t lcg_next(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state ^ lcg_state >> 29;
}

static const uint64_t edge_values[] = {
    0, 1, 2, 3, 7, 10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL, 0xfffffffffffffffeULL, 12345678901234ULL,
};

enum { RANDOM_VALUES = 40, VALUE_COUNT = ARRAY_SIZE(edge_values) + RANDOM_VALUES };

static uint64_t values[VALUE_COUNT];
static unsigned identity_failures;

static uint64_t magnitude(int64_t value)
{
    return value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
}

/* For every pair of test values truncated to the type: quotient and remainder
 * by a runtime divisor, checked against a == q * b + r and |r| < |b|. */
#define DIVIDE_ALL_PAIRS(type, is_signed)                                                     \
    do {                                                                                      \
        for (int i = 0; i < VALUE_COUNT; i++) {                                               \
            for (int j = 0; j < VALUE_COUNT; j++) {                                           \
                type a = (type)values[i], b = (type)values[j];                                \
                int overflows = is_signed && b == (type)-1 && a == (type)(1ULL << (sizeof(type) * 8 - 1)); \
                if (b == 0 || overflows)                                                      \
                    continue;                                                                 \
                type q = OPAQUE(a) / OPAQUE(b), r = OPAQUE(a) % OPAQUE(b);                    \
                mix((uint64_t)q);                                                             \
                mix((uint64_t)r);                                                             \
                type reconstructed = (type)((uint64_t)q * (uint64_t)b + (uint64_t)r);         \
                int remainder_small = is_signed ? magnitude((int64_t)r) < magnitude((int64_t)b)  \
                                                : (uint64_t)r < (uint64_t)b;                  \
                identity_failures += reconstructed != a || !remainder_small;                 \
            }                                                                                 \
        }                                                                                     \
        gprintf("%-8s hash %016lx\n", #type, hash);                                           \
    } while (0)

static void divide_by_constants(void)
{
    uint64_t sum = 0;
    for (int i = 0; i < VALUE_COUNT; i++) {
        uint64_t u = values[i];
        int64_t s = (int64_t)values[i];
        int32_t s32 = (int32_t)values[i];
        uint16_t u16 = (uint16_t)values[i];
        int8_t s8 = (int8_t)values[i];
        sum = sum * 3 + u / 7 + u % 10 + u / 1000000007 + u % 1000000007;
        sum = sum * 3 + (uint64_t)(s / 3) + (uint64_t)(s % -5) + (uint64_t)(s / 16) + (uint64_t)(s % 64);
        sum = sum * 3 + (uint64_t)(s32 / 100) + (uint64_t)(s32 % 7) + (uint32_t)u / 641 + (uint32_t)u % 6700417;
        sum = sum * 3 + u16 / 10 + u16 % 9 + (uint64_t)(s8 / 3) + (uint64_t)(s8 % 4);
    }
    gprintf("constant divisors: %016lx\n", sum);
}

/* RDX:RAX / divisor; the quotient must fit in 64 bits. */
static uint64_t divide_128(uint64_t high, uint64_t low, uint64_t divisor, uint64_t *remainder)
{
    __asm__("divq %[divisor]" : "+a"(low), "+d"(high) : [divisor] "rm"(divisor) : "cc");
    *remainder = high;
    return low;
}

static int64_t divide_128_signed(int64_t high, uint64_t low, int64_t divisor, int64_t *remainder)
{
    __asm__("idivq %[divisor]" : "+a"(low), "+d"(high) : [divisor] "rm"(divisor) : "cc");
    *remainder = high;
    return (int64_t)low;
}

static void divide_wide(void)
{
    uint64_t remainder;
    int64_t signed_remainder;
    for (int i = 0; i + 2 < VALUE_COUNT; i++) {
        uint64_t divisor = values[i + 2] | 1ULL << 63;
        uint64_t high = values[i] % divisor;
        uint64_t quotient = divide_128(high, values[i + 1], divisor, &remainder);
        mix(quotient);
        mix(remainder);
        int64_t signed_divisor = (int64_t)(values[i + 2] | 1);
        if (signed_divisor == -1)
            continue; /* INT64_MIN / -1 raises #DE */
        /* A sign-extended 64-bit dividend keeps the quotient in range. */
        int64_t signed_low = (int64_t)values[i + 1];
        int64_t signed_quotient = divide_128_signed(signed_low >> 63, (uint64_t)signed_low, signed_divisor, &signed_remainder);
        mix((uint64_t)signed_quotient);
        mix((uint64_t)signed_remainder);
        identity_failures += signed_quotient != signed_low / signed_divisor || signed_remainder != signed_low % signed_divisor;
    }
    gprintf("128-bit dividends hash %016lx\n", hash);
}

int guest_main(uint64_t ram_size)
{
    memcpy(values, edge_values, sizeof(edge_values));
    for (int i = ARRAY_SIZE(edge_values); i < VALUE_COUNT; i++)
        values[i] = lcg_next() >> (i % 64);

    DIVIDE_ALL_PAIRS(uint8_t, 0);
    DIVIDE_ALL_PAIRS(int8_t, 1);
    DIVIDE_ALL_PAIRS(uint16_t, 0);
    DIVIDE_ALL_PAIRS(int16_t, 1);
    DIVIDE_ALL_PAIRS(uint32_t, 0);
    DIVIDE_ALL_PAIRS(int32_t, 1);
    DIVIDE_ALL_PAIRS(uint64_t, 0);
    DIVIDE_ALL_PAIRS(int64_t, 1);
    divide_by_constants();
    divide_wide();

    uint64_t remainder;
    uint64_t quotient = divide_128(0x1234, 0x56789abcdef01234ULL, 0x9876543210fedcbaULL, &remainder);
    check_u64("0x123456789abcdef01234 / 0x9876543210fedcba", quotient, 0x1e91);
    check_u64("0x123456789abcdef01234 % 0x9876543210fedcba", remainder, 0x1d950c6360b740da);
    check_u64("division identities", identity_failures, 0);
    return check_summary();
}
