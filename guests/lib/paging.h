/* 4-level page tables for the guests that test the MMU (guest-only). */
#ifndef ORCVM_GUEST_PAGING_H
#define ORCVM_GUEST_PAGING_H

#include <stdint.h>

enum {
    PTE_PRESENT = 1 << 0,
    PTE_WRITABLE = 1 << 1,
    PTE_ACCESSED = 1 << 5,
    PTE_DIRTY = 1 << 6,
    PTE_LARGE = 1 << 7, /* PS: a 2 MiB page in a PDE, 1 GiB in a PDPTE */
};

#define PTE_ADDRESS_MASK 0x000ffffffffff000ULL

enum page_level { LEVEL_4K = 1, LEVEL_2M = 2, LEVEL_1G = 3 };

#define PAGE_SIZE_4K ((uint64_t)1 << 12)
#define PAGE_SIZE_2M ((uint64_t)1 << 21)
#define PAGE_SIZE_1G ((uint64_t)1 << 30)

/* Virtual addresses from 1 GiB up are free for test mappings: the fresh
 * tables identity-map only the first 1 GiB (with 2 MiB pages), where the
 * guest image, its stack and its data live. 1 GiB is also within a rel32
 * call of the guest's code. */
#define TEST_VIRTUAL_BASE ((uint64_t)0x40000000)

/* Builds fresh tables with the identity map; returns the value for CR3. */
uint64_t paging_init(void);

/* The entry that maps virtual_address at the given level, creating the
 * intermediate tables on the way. */
volatile uint64_t *paging_entry(uint64_t virtual_address, enum page_level level);

/* Maps a 4 KiB, 2 MiB or 1 GiB page, present and writable. Does not flush:
 * callers replacing a mapping that may be cached use INVLPG or a CR3 write. */
void paging_map(uint64_t virtual_address, uint64_t physical_address, enum page_level level);

/* Every entry on the walk of virtual_address down to level, from the PML4E:
 * entries[0] is the PML4E, entries[4 - level] the leaf. */
void paging_walk_entries(uint64_t virtual_address, enum page_level level, volatile uint64_t *entries[4]);

#endif
