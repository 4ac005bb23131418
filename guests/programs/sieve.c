/* Sieve of Eratosthenes over a byte array and over a bit array. */
#include "guest.h"

enum { LIMIT = 200000 };

static uint8_t composite[LIMIT + 1];
static uint64_t composite_bits[LIMIT / 64 + 1];

static uint32_t sieve_bytes(uint32_t limit, uint64_t *prime_sum, uint32_t *largest)
{
    uint32_t count = 0;
    *prime_sum = 0;
    for (uint32_t i = 2; i <= limit; i++) {
        if (composite[i])
            continue;
        count++;
        *prime_sum += i;
        *largest = i;
        for (uint64_t multiple = (uint64_t)i * i; multiple <= limit; multiple += i)
            composite[multiple] = 1;
    }
    return count;
}

static uint32_t sieve_bits(uint32_t limit)
{
    uint32_t count = 0;
    for (uint32_t i = 2; i <= limit; i++) {
        if (composite_bits[i / 64] >> (i % 64) & 1)
            continue;
        count++;
        for (uint64_t multiple = (uint64_t)i * i; multiple <= limit; multiple += i)
            composite_bits[multiple / 64] |= 1ULL << (multiple % 64);
    }
    return count;
}

int guest_main(uint64_t ram_size)
{
    uint64_t prime_sum;
    uint32_t largest = 0;
    uint32_t count = sieve_bytes(LIMIT, &prime_sum, &largest);
    gprintf("primes <= %u: %u, sum %lu, largest %u\n", LIMIT, count, prime_sum, largest);

    static const uint32_t nth[] = { 1, 10, 100, 1000, 10000 };
    uint32_t seen = 0, next = 0;
    for (uint32_t i = 2; i <= LIMIT && next < ARRAY_SIZE(nth); i++) {
        if (!composite[i] && ++seen == nth[next]) {
            gprintf("prime #%u = %u\n", nth[next], i);
            next++;
        }
    }

    uint32_t twin_pairs = 0;
    for (uint32_t i = 3; i + 2 <= LIMIT; i += 2)
        twin_pairs += !composite[i] && !composite[i + 2];
    gprintf("twin prime pairs: %u\n", twin_pairs);

    check_u64("pi(200000)", count, 17984);
    check_u64("bit sieve agrees", sieve_bits(LIMIT), count);
    return check_summary();
}
