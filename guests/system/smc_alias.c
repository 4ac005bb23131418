/* Code written through a second virtual mapping of its physical page must
 * replace the code executed through the first, and the other way round. */
#include "guest.h"
#include "opcodes.h"
#include "paging.h"
#include "x86.h"

extern uint8_t first_code_page[], second_code_page[];

typedef uint32_t code_function(void);

/* Writes "mov eax, value; ret" at the start of a code page. */
static void write_return_constant(volatile uint8_t *code, uint32_t value)
{
    static const uint8_t template[6] = { OPCODE_MOV_EAX_IMM32, 0, 0, 0, 0, OPCODE_RET };
    for (int i = 0; i < 6; i++)
        code[i] = template[i];
    for (int i = 0; i < 4; i++)
        code[1 + i] = (uint8_t)(value >> (8 * i));
}

static uint32_t run(uint64_t address)
{
    return ((code_function *)(uintptr_t)address)();
}

int guest_main(uint64_t ram_size)
{
    const uint64_t original = (uintptr_t)first_code_page, alias = TEST_VIRTUAL_BASE;
    const uint64_t fresh_original = (uintptr_t)second_code_page, fresh_alias = TEST_VIRTUAL_BASE + PAGE_SIZE_4K;
    write_cr3(paging_init());
    paging_map(alias, original, LEVEL_4K);
    paging_map(fresh_alias, fresh_original, LEVEL_4K);

    check_u64("original code", run(original), 1);
    write_return_constant((volatile uint8_t *)alias, 20);
    check_u64("written through the alias, run through the original", run(original), 20);
    check_u64("run through the alias", run(alias), 20);
    write_return_constant((volatile uint8_t *)original, 30);
    check_u64("written through the original, run through the alias", run(alias), 30);
    check_u64("run through the original", run(original), 30);

    /* The alias becomes writable in the TLB before the page is code at all. */
    write_return_constant((volatile uint8_t *)fresh_alias, 40);
    check_u64("page written through the alias before its first run", run(fresh_original), 40);
    write_return_constant((volatile uint8_t *)fresh_alias, 41);
    check_u64("second write through the now-cached alias", run(fresh_original), 41);

    uint64_t sum = 0, want = 0;
    for (uint32_t i = 0; i < 50; i++) {
        write_return_constant((volatile uint8_t *)(i % 2 ? alias : original), 1000 + i);
        sum += run(i % 3 ? original : alias);
        want += 1000 + i;
    }
    check_u64("alternating writes and runs, 50 times", sum, want);
    return check_summary();
}
