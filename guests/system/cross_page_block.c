/* A block that crosses a page boundary must be retranslated when either of
 * its pages is written, and when the second page is remapped. */
#include "guest.h"
#include "paging.h"
#include "x86.h"

extern uint8_t cross_page_first_page[], cross_page_run[];
extern volatile uint8_t first_page_immediate[], straddling_immediate[], second_page_immediate[];

typedef uint32_t code_function(void);

static uint8_t replacement_second_page[4096] __attribute__((aligned(4096)));

static void store32(volatile uint8_t *destination, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        destination[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t run_at(uint64_t address)
{
    return ((code_function *)(uintptr_t)address)();
}

static uint32_t run(void)
{
    return run_at((uintptr_t)cross_page_run);
}

int guest_main(uint64_t ram_size)
{
    const uint64_t second_page = (uintptr_t)cross_page_first_page + PAGE_SIZE_4K;
    check_u64("block crosses the page boundary", (uintptr_t)cross_page_run / PAGE_SIZE_4K + 1,
              ((uintptr_t)second_page_immediate) / PAGE_SIZE_4K);
    check_u64("as assembled", run(), 0x1103);
    check_u64("as assembled, again", run(), 0x1103);

    store32(second_page_immediate, 0x20000);
    check_u64("instruction on the second page written", run(), 0x20103);
    /* Only the last immediate byte lies on the second page. */
    straddling_immediate[3] = 0x05;
    check_u64("second-page byte of the straddling instruction written", run(), 0x5020103);
    store32(first_page_immediate, 0x40);
    check_u64("instruction on the first page written", run(), 0x5020142);

    uint64_t sum = 0, want = 0;
    for (uint32_t i = 0; i < 30; i++) {
        store32(second_page_immediate, i);
        sum += run();
        want += 0x5000142 + i;
    }
    check_u64("second page rewritten before each of 30 runs", sum, want);

    /* Map the two pages at fresh virtual addresses, run there, then point
     * the second virtual page at a copy with another immediate. */
    write_cr3(paging_init());
    const uint64_t virtual_first = TEST_VIRTUAL_BASE, virtual_second = TEST_VIRTUAL_BASE + PAGE_SIZE_4K;
    paging_map(virtual_first, (uintptr_t)cross_page_first_page, LEVEL_4K);
    paging_map(virtual_second, second_page, LEVEL_4K);
    const uint64_t virtual_run = virtual_first + ((uintptr_t)cross_page_run - (uintptr_t)cross_page_first_page);
    store32(second_page_immediate, 0x7000);
    check_u64("run through the second mapping", run_at(virtual_run), 0x5007142);
    memcpy(replacement_second_page, (const void *)(uintptr_t)second_page, sizeof(replacement_second_page));
    store32(replacement_second_page + ((uintptr_t)second_page_immediate - second_page), 0x9000);
    paging_map(virtual_second, (uintptr_t)replacement_second_page, LEVEL_4K);
    invlpg((const void *)(uintptr_t)virtual_second);
    check_u64("second virtual page remapped to a copy", run_at(virtual_run), 0x5009142);
    check_u64("original mapping unchanged", run(), 0x5007142);
    return check_summary();
}
