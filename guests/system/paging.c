/* Fresh page tables with 4 KiB, 2 MiB and 1 GiB pages: data written through
 * one mapping must read back through the others, and the walker must set
 * the accessed and dirty bits (A on every level, D only on the leaf of a
 * write). */
#include "guest.h"
#include "paging.h"
#include "x86.h"

extern uint8_t __bss_end[]; /* from guest.ld */

#define VIRTUAL_4K TEST_VIRTUAL_BASE                       /* 4 KiB pages */
#define VIRTUAL_2M (TEST_VIRTUAL_BASE + 4 * PAGE_SIZE_2M)  /* one 2 MiB page */
#define VIRTUAL_1G (2 * PAGE_SIZE_1G)                      /* one 1 GiB page over physical 0 */
#define VIRTUAL_HIGH ((uint64_t)1 << 39)                   /* a 2 MiB page in the second PML4 slot */

static volatile uint64_t *at(uint64_t address)
{
    return (volatile uint64_t *)(uintptr_t)address;
}

static uint64_t flags_of(volatile uint64_t *entry)
{
    return *entry & (PTE_ACCESSED | PTE_DIRTY);
}

/* Clears A and D on the walk of address and flushes it. */
static void clear_accessed_dirty(uint64_t address, enum page_level level)
{
    volatile uint64_t *entries[4];
    paging_walk_entries(address, level, entries);
    for (int i = 0; i <= 4 - (int)level; i++)
        *entries[i] &= ~(uint64_t)(PTE_ACCESSED | PTE_DIRTY);
    invlpg((const void *)(uintptr_t)address);
}

/* Untouched, then read, then written: the leaf gets A on the read and D on
 * the write; every upper level gets A. Upper levels are not checked while
 * untouched, since walks for other addresses share them. */
static void check_accessed_dirty(const char *name, uint64_t address, enum page_level level)
{
    static const char *const steps[] = { "untouched", "after a read", "after a write" };
    static const uint64_t want_leaf[] = { 0, PTE_ACCESSED, PTE_ACCESSED | PTE_DIRTY };
    volatile uint64_t *entries[4];
    paging_walk_entries(address, level, entries);
    int leaf = 4 - (int)level;
    clear_accessed_dirty(address, level);
    for (int step = 0; step < 3; step++) {
        if (step == 1)
            (void)*at(address);
        if (step == 2)
            *at(address) = 0x0dd0;
        uint64_t upper_accessed = 0;
        for (int i = 0; i < leaf; i++)
            upper_accessed += (*entries[i] & PTE_ACCESSED) != 0;
        gprintf("%s %s: leaf A/D %lx\n", name, steps[step], flags_of(entries[leaf]));
        check_u64("  leaf A/D", flags_of(entries[leaf]), want_leaf[step]);
        if (step > 0)
            check_u64("  upper levels with A", upper_accessed, (uint64_t)leaf);
    }
}

int guest_main(uint64_t ram_size)
{
    /* Two 2 MiB pages of RAM after the guest image. */
    const uint64_t arena_physical = ((uintptr_t)__bss_end + PAGE_SIZE_2M - 1) & ~(PAGE_SIZE_2M - 1);
    if (arena_physical + 2 * PAGE_SIZE_2M > ram_size) {
        gprintf("FAIL: needs %lu bytes of RAM\n", arena_physical + 2 * PAGE_SIZE_2M);
        return 1;
    }
    write_cr3(paging_init());

    /* 4 KiB pages in reverse order: virtual page i shows physical page 7 - i. */
    for (uint64_t i = 0; i < 8; i++)
        paging_map(VIRTUAL_4K + i * PAGE_SIZE_4K, arena_physical + (7 - i) * PAGE_SIZE_4K, LEVEL_4K);
    paging_map(VIRTUAL_2M, arena_physical, LEVEL_2M);
    paging_map(VIRTUAL_1G, 0, LEVEL_1G);
    paging_map(VIRTUAL_HIGH, arena_physical + PAGE_SIZE_2M, LEVEL_2M);

    for (uint64_t i = 0; i < 8; i++)
        *at(VIRTUAL_4K + i * PAGE_SIZE_4K + 8 * i) = 0x4000 + i;
    uint64_t through_2m = 0, through_1g = 0, through_identity = 0;
    for (uint64_t i = 0; i < 8; i++) {
        uint64_t offset = (7 - i) * PAGE_SIZE_4K + 8 * i;
        through_2m += *at(VIRTUAL_2M + offset) == 0x4000 + i;
        through_1g += *at(VIRTUAL_1G + arena_physical + offset) == 0x4000 + i;
        through_identity += *at(arena_physical + offset) == 0x4000 + i;
    }
    check_u64("4K writes read through the 2M page", through_2m, 8);
    check_u64("4K writes read through the 1G page", through_1g, 8);
    check_u64("4K writes read through the identity map", through_identity, 8);

    *at(VIRTUAL_1G + arena_physical + PAGE_SIZE_2M + 0x1238) = 0x1616;
    check_u64("1G write read through the high 2M page", *at(VIRTUAL_HIGH + 0x1238), 0x1616);
    *at(VIRTUAL_HIGH + PAGE_SIZE_2M - 8) = 0x2626;
    check_u64("high 2M write read through the 1G page", *at(VIRTUAL_1G + arena_physical + 2 * PAGE_SIZE_2M - 8), 0x2626);

    /* Remap a cached 4 KiB page and flush it. */
    check_u64("virtual 4K page 0 before remap", *at(VIRTUAL_4K), 0x4000);
    paging_map(VIRTUAL_4K, arena_physical + 6 * PAGE_SIZE_4K, LEVEL_4K);
    invlpg((const void *)(uintptr_t)VIRTUAL_4K);
    check_u64("virtual 4K page 0 after remap + INVLPG", *at(VIRTUAL_4K + 8), 0x4001);

    /* A PTE made present without INVLPG must be picked up (no negative caching). */
    *paging_entry(VIRTUAL_4K + 16 * PAGE_SIZE_4K, LEVEL_4K) = arena_physical | PTE_PRESENT | PTE_WRITABLE;
    check_u64("new PTE used without a flush", *at(VIRTUAL_4K + 16 * PAGE_SIZE_4K + 8 * 7), 0x4007);

    check_accessed_dirty("4K page", VIRTUAL_4K + 3 * PAGE_SIZE_4K, LEVEL_4K);
    check_accessed_dirty("2M page", VIRTUAL_2M + 0x3000, LEVEL_2M);
    check_accessed_dirty("1G page", VIRTUAL_1G + arena_physical + 0x5000, LEVEL_1G);
    check_accessed_dirty("high 2M page", VIRTUAL_HIGH + 0x100, LEVEL_2M);

    /* A CR3 write flushes everything: reload and check one alias again. */
    write_cr3(read_cr3());
    check_u64("alias after CR3 reload", *at(VIRTUAL_2M + 7 * PAGE_SIZE_4K), 0x4000);
    return check_summary();
}
