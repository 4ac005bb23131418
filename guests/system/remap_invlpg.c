/* Remapping a virtual code page to another physical page and flushing it
 * with INVLPG (or a CR3 write) must make the new page's code run, whether
 * V is entered through an indirect call, a direct call, or a direct jump
 * from code in V itself. */
#include "guest.h"
#include "paging.h"
#include "remap_invlpg.h"
#include "x86.h"

extern uint8_t remap_page_a[], remap_page_b[];
uint32_t call_remapped_page_directly(void);

typedef uint32_t marker_function(void);
typedef uint32_t switch_function(volatile uint64_t *pte, uint64_t new_pte, uint64_t page);

static const uint64_t virtual_page = REMAP_VIRTUAL_PAGE;
static volatile uint64_t *pte;

static uint64_t pte_for(const uint8_t *physical_page)
{
    return (uintptr_t)physical_page | PTE_PRESENT | PTE_WRITABLE;
}

static void remap(const uint8_t *physical_page)
{
    *pte = pte_for(physical_page);
    invlpg((const void *)(uintptr_t)virtual_page);
}

static uint32_t call_indirectly(void)
{
    return ((marker_function *)(uintptr_t)virtual_page)();
}

static uint32_t switch_from_inside(unsigned offset, const uint8_t *new_page)
{
    return ((switch_function *)(uintptr_t)(virtual_page + offset))(pte, pte_for(new_page), virtual_page);
}

int guest_main(uint64_t ram_size)
{
    write_cr3(paging_init());
    pte = paging_entry(virtual_page, LEVEL_4K);
    remap(remap_page_a);

    for (int warm = 0; warm < 3; warm++) {
        check_u64("indirect call to V -> A", call_indirectly(), 0xa);
        check_u64("direct call to V -> A", call_remapped_page_directly(), 0xa);
    }
    remap(remap_page_b);
    check_u64("indirect call after remap to B", call_indirectly(), 0xb);
    check_u64("direct call after remap to B", call_remapped_page_directly(), 0xb);
    remap(remap_page_a);
    check_u64("indirect call after remap back to A", call_indirectly(), 0xa);
    check_u64("direct call after remap back to A", call_remapped_page_directly(), 0xa);

    /* Warm up the path with a remap to the same page, so the jump after the
     * flush has run (and may be chained) before the real switch. */
    for (int warm = 0; warm < 3; warm++)
        check_u64("INVLPG in V, same page", switch_from_inside(SWITCH_WITH_INVLPG_OFFSET, remap_page_a), 0xa + 0x100);
    check_u64("INVLPG in V, A -> B", switch_from_inside(SWITCH_WITH_INVLPG_OFFSET, remap_page_b), 0xb + 0x100);
    check_u64("indirect call after the switch", call_indirectly(), 0xb);
    check_u64("INVLPG in V, B -> A", switch_from_inside(SWITCH_WITH_INVLPG_OFFSET, remap_page_a), 0xa + 0x100);
    for (int warm = 0; warm < 3; warm++)
        check_u64("CR3 write in V, same page", switch_from_inside(SWITCH_WITH_CR3_OFFSET, remap_page_a), 0xa + 0x200);
    check_u64("CR3 write in V, A -> B", switch_from_inside(SWITCH_WITH_CR3_OFFSET, remap_page_b), 0xb + 0x200);
    check_u64("direct call after the switch", call_remapped_page_directly(), 0xb);

    uint64_t sum = 0;
    for (int i = 0; i < 20; i++) {
        remap(i % 2 ? remap_page_b : remap_page_a);
        sum += i % 4 < 2 ? call_indirectly() : call_remapped_page_directly();
    }
    check_u64("alternating remaps, 20 calls", sum, 10 * 0xa + 10 * 0xb);
    return check_summary();
}
