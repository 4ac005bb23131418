/* Bit manipulation. Built with -mbmi -mbmi2 -mlzcnt -mpopcnt -mmovbe, so the
 * builtins and idioms below become POPCNT, LZCNT, TZCNT, ANDN, BEXTR, BLSI,
 * BLSMSK, BLSR, BZHI, PDEP, PEXT, SHLX/SHRX/SARX, RORX, MULX and MOVBE; every
 * result is also computed with plain shifts and loops and compared. */
#include "guest.h"

#if !defined(__BMI__) || !defined(__BMI2__) || !defined(__LZCNT__) || !defined(__POPCNT__) || !defined(__MOVBE__)
#error "build with -mbmi -mbmi2 -mlzcnt -mpopcnt -mmovbe"
#endif

#define NOINLINE __attribute__((noinline))

static uint64_t hash = 0xcbf29ce484222325ULL;
static unsigned disagreements;

static void mix(uint64_t value)
{
    hash = (hash ^ value) * 0x100000001b3ULL;
}

static void agree(uint64_t fast, uint64_t slow)
{
    mix(fast);
    disagreements += fast != slow;
}

static unsigned slow_popcount(uint64_t x)
{
    unsigned count = 0;
    for (; x; x >>= 1)
        count += x & 1;
    return count;
}

static unsigned slow_leading_zeros(uint64_t x, unsigned width)
{
    unsigned count = 0;
    for (int bit = (int)width - 1; bit >= 0 && !(x >> bit & 1); bit--)
        count++;
    return count;
}

static unsigned slow_trailing_zeros(uint64_t x, unsigned width)
{
    unsigned count = 0;
    while (count < width && !(x >> count & 1))
        count++;
    return count;
}

static uint64_t slow_deposit(uint64_t source, uint64_t mask)
{
    uint64_t result = 0;
    for (int bit = 0, next = 0; bit < 64; bit++)
        if (mask >> bit & 1)
            result |= (source >> next++ & 1) << bit;
    return result;
}

static uint64_t slow_extract(uint64_t source, uint64_t mask)
{
    uint64_t result = 0;
    for (int bit = 0, next = 0; bit < 64; bit++)
        if (mask >> bit & 1)
            result |= (source >> bit & 1) << next++;
    return result;
}

static uint64_t slow_byte_swap(uint64_t x, unsigned bytes)
{
    uint64_t result = 0;
    for (unsigned i = 0; i < bytes; i++)
        result = result << 8 | (x >> (8 * i) & 0xff);
    return result;
}

static NOINLINE uint64_t rotate_left64(uint64_t x, unsigned count)
{
    return x << (count & 63) | x >> (-count & 63);
}

static NOINLINE uint32_t rotate_right32(uint32_t x, unsigned count)
{
    return x >> (count & 31) | x << (-count & 31);
}

static NOINLINE uint64_t rotate_right_by_13(uint64_t x)
{
    return x >> 13 | x << 51;
}

/* Variable shifts: SHLX, SHRX, SARX. */
static NOINLINE uint64_t shift_mix(uint64_t x, int64_t s, unsigned count)
{
    return (x << (count & 63)) ^ (x >> (count & 63)) ^ (uint64_t)(s >> (count & 63));
}

static NOINLINE uint32_t load_big_endian32(const uint8_t *p)
{
    uint32_t value;
    memcpy(&value, p, sizeof(value));
    return __builtin_bswap32(value);
}

static NOINLINE void store_big_endian64(uint8_t *p, uint64_t value)
{
    value = __builtin_bswap64(value);
    memcpy(p, &value, sizeof(value));
}

/* Kept out of line so each idiom is selected as its own instruction. */
static NOINLINE uint64_t and_not(uint64_t a, uint64_t b) { return ~a & b; }
static NOINLINE uint64_t lowest_set_bit(uint64_t x) { return x & (0 - x); }
static NOINLINE uint64_t mask_up_to_lowest_set_bit(uint64_t x) { return x ^ (x - 1); }
static NOINLINE uint64_t clear_lowest_set_bit(uint64_t x) { return x & (x - 1); }
static NOINLINE uint64_t extract_field(uint64_t x, unsigned control) { return __builtin_ia32_bextr_u64(x, control); }
static NOINLINE uint64_t zero_high_bits(uint64_t x, unsigned index) { return __builtin_ia32_bzhi_di(x, index); }

static NOINLINE uint64_t multiply_high(uint64_t a, uint64_t b)
{
    return (uint64_t)((unsigned __int128)a * b >> 64);
}

static void test_value(uint64_t x, uint64_t y)
{
    uint32_t x32 = (uint32_t)x;
    unsigned count = (unsigned)y;

    agree((uint64_t)__builtin_popcountll(x), slow_popcount(x));
    agree((uint64_t)__builtin_popcount(x32), slow_popcount(x32));
    agree(x ? (uint64_t)__builtin_clzll(x) : 64, slow_leading_zeros(x, 64));
    agree(x32 ? (uint64_t)__builtin_clz(x32) : 32, slow_leading_zeros(x32, 32));
    agree(x ? (uint64_t)__builtin_ctzll(x) : 64, slow_trailing_zeros(x, 64));
    agree(x32 ? (uint64_t)__builtin_ctz(x32) : 32, slow_trailing_zeros(x32, 32));
    agree(__builtin_parityll(x), slow_popcount(x) & 1);

    agree(and_not(x, y), y - (x & y));
    agree(lowest_set_bit(x), x ? 1ULL << slow_trailing_zeros(x, 64) : 0);
    agree(mask_up_to_lowest_set_bit(x), x ? ~0ULL >> (63 - slow_trailing_zeros(x, 64)) : ~0ULL);
    agree(clear_lowest_set_bit(x), x ? x - (1ULL << slow_trailing_zeros(x, 64)) : 0);

    unsigned start = count & 255, length = (count >> 8) & 127;
    uint64_t field = start >= 64 ? 0 : x >> start;
    if (length < 64)
        field &= (1ULL << length) - 1;
    agree(extract_field(x, start | length << 8), field);
    unsigned keep = count & 255;
    agree(zero_high_bits(x, keep), keep >= 64 ? x : x & ((1ULL << keep) - 1));
    agree(__builtin_ia32_pdep_di(x, y), slow_deposit(x, y));
    agree(__builtin_ia32_pext_di(x, y), slow_extract(x, y));
    agree(__builtin_ia32_pdep_si(x32, (uint32_t)y), slow_deposit(x32, (uint32_t)y));
    agree(__builtin_ia32_pext_si(x32, (uint32_t)y), slow_extract(x32, (uint32_t)y));

    agree(rotate_left64(x, count), count & 63 ? x << (count & 63) | x >> (64 - (count & 63)) : x);
    agree(rotate_right32(x32, count), count & 31 ? x32 >> (count & 31) | x32 << (32 - (count & 31)) : x32);
    agree(rotate_right_by_13(x), x >> 13 | x << 51);
    mix(shift_mix(x, (int64_t)y, count));

    agree(__builtin_bswap16((uint16_t)x), slow_byte_swap(x, 2));
    agree(__builtin_bswap32(x32), slow_byte_swap(x, 4));
    agree(__builtin_bswap64(x), slow_byte_swap(x, 8));
    uint8_t bytes[8];
    store_big_endian64(bytes, x);
    agree(load_big_endian32(bytes), x >> 32);
    agree(load_big_endian32(bytes + 4), x32);

    uint64_t high = multiply_high(x, y);
    uint64_t x_low = x & 0xffffffff, x_high = x >> 32, y_low = y & 0xffffffff, y_high = y >> 32;
    uint64_t middle = (x_low * y_low >> 32) + (x_high * y_low & 0xffffffff) + (x_low * y_high & 0xffffffff);
    agree(high, x_high * y_high + (x_high * y_low >> 32) + (x_low * y_high >> 32) + (middle >> 32));
}

int guest_main(uint64_t ram_size)
{
    static const uint64_t edges[] = { 0, 1, 2, 0x80, 0xff, 0x8000, 0x80000000, 0xffffffff, 0x100000000ULL,
                                      0x8000000000000000ULL, 0xffffffffffffffffULL, 0x5555555555555555ULL,
                                      0xaaaaaaaaaaaaaaaaULL, 0x0123456789abcdefULL, 0xf0f0f0f00f0f0f0fULL };
    for (size_t i = 0; i < ARRAY_SIZE(edges); i++)
        for (size_t j = 0; j < ARRAY_SIZE(edges); j++)
            test_value(edges[i], edges[j]);
    gprintf("edge values: hash %016lx\n", hash);

    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 300; i++) {
        uint64_t x = state = state * 6364136223846793005ULL + 1;
        uint64_t y = state = state * 6364136223846793005ULL + 1;
        test_value(x >> (i % 61), y ^ (y >> 7));
    }
    gprintf("random values: hash %016lx\n", hash);

    /* Morton codes: interleave two 32-bit coordinates with PDEP, undo with PEXT. */
    uint64_t morton_hash = 0;
    for (uint32_t i = 0; i < 64; i++) {
        uint32_t column = i * 0x9e3779b9u, row = i * 0x7f4a7c15u;
        uint64_t code = __builtin_ia32_pdep_di(column, 0x5555555555555555ULL) | __builtin_ia32_pdep_di(row, 0xaaaaaaaaaaaaaaaaULL);
        agree(__builtin_ia32_pext_di(code, 0x5555555555555555ULL), column);
        agree(__builtin_ia32_pext_di(code, 0xaaaaaaaaaaaaaaaaULL), row);
        morton_hash = morton_hash * 31 + code;
    }
    gprintf("morton codes: %016lx\n", morton_hash);
    check_u64("fast and slow results agree", disagreements, 0);
    return check_summary();
}
