#include "paging.h"

#include "guest.h"
#include "x86.h"

enum { TABLE_ENTRIES = 512, TABLE_POOL_SIZE = 32 };

static uint64_t table_pool[TABLE_POOL_SIZE][TABLE_ENTRIES] __attribute__((aligned(4096)));
static unsigned tables_used;
static uint64_t *root;

static uint64_t *allocate_table(void)
{
    if (tables_used == TABLE_POOL_SIZE) {
        gputs("paging: table pool exhausted\n");
        guest_exit(2);
    }
    uint64_t *table = table_pool[tables_used++];
    memset(table, 0, sizeof(table_pool[0]));
    return table;
}

static unsigned table_index(uint64_t virtual_address, int level)
{
    return (unsigned)(virtual_address >> (12 + 9 * (level - 1))) & (TABLE_ENTRIES - 1);
}

/* level 4 is the PML4; the entry for level L lives in the table of level L. */
static volatile uint64_t *entry_in(uint64_t *table, uint64_t virtual_address, int level)
{
    return (volatile uint64_t *)&table[table_index(virtual_address, level)];
}

void paging_walk_entries(uint64_t virtual_address, enum page_level level, volatile uint64_t *entries[4])
{
    uint64_t *table = root;
    for (int current = 4, slot = 0; current >= (int)level; current--, slot++) {
        volatile uint64_t *entry = entry_in(table, virtual_address, current);
        entries[slot] = entry;
        if (current == (int)level)
            break;
        if (!(*entry & PTE_PRESENT)) {
            uint64_t *next = allocate_table();
            *entry = (uint64_t)(uintptr_t)next | PTE_PRESENT | PTE_WRITABLE;
        }
        table = (uint64_t *)(uintptr_t)(*entry & PTE_ADDRESS_MASK);
    }
}

volatile uint64_t *paging_entry(uint64_t virtual_address, enum page_level level)
{
    volatile uint64_t *entries[4];
    paging_walk_entries(virtual_address, level, entries);
    return entries[4 - level];
}

void paging_map(uint64_t virtual_address, uint64_t physical_address, enum page_level level)
{
    *paging_entry(virtual_address, level) =
        physical_address | PTE_PRESENT | PTE_WRITABLE | (level == LEVEL_4K ? 0 : PTE_LARGE);
}

uint64_t paging_init(void)
{
    tables_used = 0;
    root = allocate_table();
    for (uint64_t address = 0; address < PAGE_SIZE_1G; address += PAGE_SIZE_2M)
        paging_map(address, address, LEVEL_2M);
    return (uint64_t)(uintptr_t)root;
}
