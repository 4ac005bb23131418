/* Benchmark: recursive Hoare quicksort (median of three) of 1M uint32 values,
 * three times: uniformly random, few distinct keys, nearly sorted. Each result
 * is verified and checksummed. */
#include "guest.h"

enum { COUNT = 1 << 20 };

static uint32_t values[COUNT];
static uint64_t lcg_state = 0x2545f4914f6cdd1dULL;

static uint32_t lcg_next(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 32);
}

static void swap(uint32_t *x, uint32_t *y)
{
    uint32_t t = *x;
    *x = *y;
    *y = t;
}

static void quicksort(uint32_t *items, long low, long high)
{
    while (high - low > 16) {
        long mid = low + (high - low) / 2;
        if (items[mid] < items[low])
            swap(&items[mid], &items[low]);
        if (items[high] < items[low])
            swap(&items[high], &items[low]);
        if (items[high] < items[mid])
            swap(&items[high], &items[mid]);
        uint32_t pivot = items[mid];
        long i = low - 1, j = high + 1;
        for (;;) {
            do i++; while (items[i] < pivot);
            do j--; while (pivot < items[j]);
            if (i >= j)
                break;
            swap(&items[i], &items[j]);
        }
        /* Recurse into the smaller half so the stack stays shallow. */
        if (j - low < high - j) {
            quicksort(items, low, j);
            low = j + 1;
        } else {
            quicksort(items, j + 1, high);
            high = j;
        }
    }
    for (long i = low + 1; i <= high; i++) {
        uint32_t item = items[i];
        long j = i - 1;
        while (j >= low && items[j] > item) {
            items[j + 1] = items[j];
            j--;
        }
        items[j + 1] = item;
    }
}

static void report(const char *name)
{
    uint64_t hash = 0xcbf29ce484222325ULL, sum = 0;
    long unordered = 0;
    for (long i = 0; i < COUNT; i++) {
        if (i && values[i - 1] > values[i])
            unordered++;
        sum += values[i];
        if ((i & 1023) == 0)
            hash = (hash ^ values[i]) * 0x100000001b3ULL;
    }
    gprintf("%-13s min %10u median %10u max %10u sum %lu sample hash %016lx\n", name, values[0],
            values[COUNT / 2], values[COUNT - 1], (unsigned long)sum, (unsigned long)hash);
    check_u64("sorted", (uint64_t)unordered, 0);
}

int guest_main(uint64_t ram_size)
{
    for (long i = 0; i < COUNT; i++)
        values[i] = lcg_next();
    quicksort(values, 0, COUNT - 1);
    report("random");

    for (long i = 0; i < COUNT; i++)
        values[i] = lcg_next() % 1000;
    quicksort(values, 0, COUNT - 1);
    report("few keys");

    for (long i = 0; i < COUNT; i++)
        values[i] = (uint32_t)i * 4096;
    for (int k = 0; k < COUNT / 64; k++)
        swap(&values[lcg_next() % COUNT], &values[lcg_next() % COUNT]);
    quicksort(values, 0, COUNT - 1);
    report("nearly sorted");
    return check_summary();
}
