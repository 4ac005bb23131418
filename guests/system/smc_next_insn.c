/* Self-modifying code inside the running block: each store must take effect
 * on the instructions after it, on the first and on every later run. */
#include "guest.h"

uint32_t patch_next_immediate(uint32_t value);
uint32_t patch_later_immediate(uint32_t value);
uint32_t patch_opcode(uint8_t modrm);
uint32_t patch_with_string_store(uint32_t value);

enum { MODRM_INC_EAX = 0xc0, MODRM_DEC_EAX = 0xc8, RUNS = 16 };

int guest_main(uint64_t ram_size)
{
    check_u64("next instruction, first run", patch_next_immediate(0x12345678), 0x12345678);
    check_u64("next instruction, second run", patch_next_immediate(0x9abcdef0), 0x9abcdef0);
    check_u64("instruction four later", patch_later_immediate(1000), 1024);
    check_u64("instruction four later, again", patch_later_immediate(2000), 2024);
    check_u64("opcode inc -> dec", patch_opcode(MODRM_DEC_EAX), 99);
    check_u64("opcode dec -> inc", patch_opcode(MODRM_INC_EAX), 101);
    check_u64("string store", patch_with_string_store(0x5555), 0x5555);
    check_u64("string store, again", patch_with_string_store(0x6666), 0x6666);

    /* A new value on every run: no run may reuse the previous run's code. */
    uint64_t next_sum = 0, later_sum = 0, string_sum = 0, opcode_sum = 0;
    for (uint32_t run = 0; run < RUNS; run++) {
        next_sum += patch_next_immediate(run * 3);
        later_sum += patch_later_immediate(run);
        string_sum += patch_with_string_store(run ^ 0xffff);
        opcode_sum += patch_opcode(run % 2 ? MODRM_DEC_EAX : MODRM_INC_EAX);
    }
    check_u64("next instruction, 16 runs", next_sum, 3 * (RUNS * (RUNS - 1) / 2));
    check_u64("instruction four later, 16 runs", later_sum, 24 * RUNS + RUNS * (RUNS - 1) / 2);
    uint64_t want_string_sum = 0;
    for (uint32_t run = 0; run < RUNS; run++)
        want_string_sum += run ^ 0xffff;
    check_u64("string store, 16 runs", string_sum, want_string_sum);
    check_u64("opcode, 16 runs", opcode_sum, 100 * RUNS);
    return check_summary();
}
