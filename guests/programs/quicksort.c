/* Quicksort (recursive, Hoare partition) of signed 32-bit, unsigned 64-bit
 * and record arrays filled from a linear congruential generator. */
#include "guest.h"

enum { COUNT = 4000 };

static uint64_t lcg_state = 0x2545f4914f6cdd1dULL;

static uint64_t lcg_next(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state;
}

#define DEFINE_QUICKSORT(name, type, less)                                   \
    static void name(type *items, long low, long high)                      \
    {                                                                       \
        while (low < high) {                                                \
            type pivot = items[low + (high - low) / 2];                     \
            long i = low - 1, j = high + 1;                                 \
            for (;;) {                                                      \
                do i++; while (less(items[i], pivot));                      \
                do j--; while (less(pivot, items[j]));                      \
                if (i >= j)                                                 \
                    break;                                                  \
                type swap = items[i];                                       \
                items[i] = items[j];                                        \
                items[j] = swap;                                            \
            }                                                               \
            /* Recurse into the smaller half so the stack stays shallow. */ \
            if (j - low < high - j) {                                       \
                name(items, low, j);                                        \
                low = j + 1;                                                \
            } else {                                                        \
                name(items, j + 1, high);                                   \
                high = j;                                                   \
            }                                                               \
        }                                                                   \
    }

struct record {
    uint16_t key;
    uint32_t serial;
};

#define LESS_VALUE(a, b) ((a) < (b))
#define LESS_RECORD(a, b) ((a).key < (b).key || ((a).key == (b).key && (a).serial < (b).serial))

DEFINE_QUICKSORT(sort_int32, int32_t, LESS_VALUE)
DEFINE_QUICKSORT(sort_uint64, uint64_t, LESS_VALUE)
DEFINE_QUICKSORT(sort_records, struct record, LESS_RECORD)

static int32_t signed_values[COUNT];
static uint64_t unsigned_values[COUNT];
static struct record records[COUNT];

/* Order-sensitive, so a wrongly sorted array changes it. */
static uint64_t mix(uint64_t hash, uint64_t value)
{
    return (hash ^ value) * 0x100000001b3ULL;
}

int guest_main(uint64_t ram_size)
{
    for (int i = 0; i < COUNT; i++) {
        signed_values[i] = (int32_t)(lcg_next() >> 32);
        unsigned_values[i] = lcg_next();
        records[i].key = (uint16_t)(lcg_next() >> 60); /* many equal keys */
        records[i].serial = (uint32_t)i;
    }
    sort_int32(signed_values, 0, COUNT - 1);
    sort_uint64(unsigned_values, 0, COUNT - 1);
    sort_records(records, 0, COUNT - 1);

    uint32_t signed_disorder = 0, unsigned_disorder = 0, record_disorder = 0;
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (int i = 0; i < COUNT; i++) {
        if (i > 0) {
            signed_disorder += signed_values[i - 1] > signed_values[i];
            unsigned_disorder += unsigned_values[i - 1] > unsigned_values[i];
            record_disorder += LESS_RECORD(records[i], records[i - 1]);
        }
        hash = mix(hash, (uint32_t)signed_values[i]);
        hash = mix(hash, unsigned_values[i]);
        hash = mix(hash, (uint64_t)records[i].key << 32 | records[i].serial);
    }
    gprintf("int32: min %d median %d max %d\n", signed_values[0], signed_values[COUNT / 2], signed_values[COUNT - 1]);
    gprintf("uint64: min %016lx max %016lx\n", unsigned_values[0], unsigned_values[COUNT - 1]);
    gprintf("records: first %u/%u last %u/%u\n", records[0].key, records[0].serial,
            records[COUNT - 1].key, records[COUNT - 1].serial);
    gprintf("hash %016lx\n", hash);
    check_u64("int32 sorted", signed_disorder, 0);
    check_u64("uint64 sorted", unsigned_disorder, 0);
    check_u64("records sorted", record_disorder, 0);
    return check_summary();
}
