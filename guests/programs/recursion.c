/* Deep and branchy recursion: Ackermann, naive Fibonacci, Towers of Hanoi,
 * Takeuchi, McCarthy 91, mutual recursion and N-queens backtracking. */
#include "guest.h"

#define NOINLINE __attribute__((noinline))

static NOINLINE uint32_t ackermann(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

static NOINLINE uint32_t fibonacci(uint32_t n)
{
    return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}

struct hanoi {
    uint32_t moves;
    uint64_t trace; /* depends on the order of the moves */
    uint8_t peg_sizes[3];
};

static NOINLINE void hanoi(struct hanoi *state, unsigned disks, unsigned from, unsigned to, unsigned via)
{
    if (disks == 0)
        return;
    hanoi(state, disks - 1, from, via, to);
    state->moves++;
    state->trace = state->trace * 31 + disks * 9 + from * 3 + to;
    state->peg_sizes[from]--;
    state->peg_sizes[to]++;
    hanoi(state, disks - 1, via, to, from);
}

static NOINLINE int takeuchi(int x, int y, int z)
{
    if (y >= x)
        return z;
    return takeuchi(takeuchi(x - 1, y, z), takeuchi(y - 1, z, x), takeuchi(z - 1, x, y));
}

static NOINLINE int mccarthy91(int n)
{
    return n > 100 ? n - 10 : mccarthy91(mccarthy91(n + 11));
}

static NOINLINE int is_odd(unsigned n);

static NOINLINE int is_even(unsigned n)
{
    return n == 0 ? 1 : is_odd(n - 1);
}

static NOINLINE int is_odd(unsigned n)
{
    return n == 0 ? 0 : is_even(n - 1);
}

static NOINLINE unsigned queens(unsigned size, unsigned row, uint32_t columns, uint32_t diagonals, uint32_t anti_diagonals)
{
    if (row == size)
        return 1;
    unsigned solutions = 0;
    for (unsigned column = 0; column < size; column++) {
        uint32_t diagonal = 1u << (row + column), anti_diagonal = 1u << (row + size - column);
        if ((columns >> column & 1) || (diagonals & diagonal) || (anti_diagonals & anti_diagonal))
            continue;
        solutions += queens(size, row + 1, columns | 1u << column, diagonals | diagonal, anti_diagonals | anti_diagonal);
    }
    return solutions;
}

int guest_main(uint64_t ram_size)
{
    for (uint32_t m = 0; m <= 3; m++) {
        gprintf("ackermann(%u, n):", m);
        for (uint32_t n = 0; n <= 5; n++)
            gprintf(" %u", ackermann(m, n));
        gprintf("\n");
    }
    check_u64("ackermann(3, 5)", ackermann(3, 5), 253);
    check_u64("fibonacci(24)", fibonacci(24), 46368);

    struct hanoi state = { 0, 0, { 14, 0, 0 } };
    hanoi(&state, 14, 0, 2, 1);
    gprintf("hanoi(14): %u moves, trace %016lx, pegs %u %u %u\n", state.moves, state.trace,
            state.peg_sizes[0], state.peg_sizes[1], state.peg_sizes[2]);
    check_u64("hanoi moves", state.moves, (1u << 14) - 1);

    check_u64("takeuchi(18, 12, 6)", (uint64_t)takeuchi(18, 12, 6), 7);
    int mccarthy_sum = 0;
    for (int n = 0; n <= 110; n++)
        mccarthy_sum += mccarthy91(n);
    gprintf("sum of mccarthy91(0..110) = %d\n", mccarthy_sum);
    gprintf("is_even(1001) = %d, is_odd(777) = %d\n", is_even(1001), is_odd(777));
    for (unsigned size = 1; size <= 8; size++)
        gprintf("queens(%u) = %u\n", size, queens(size, 0, 0, 0, 0));
    check_u64("queens(8)", queens(8, 0, 0, 0, 0), 92);
    return check_summary();
}
