/* A stack-machine bytecode interpreter whose dispatch is one dense switch,
 * which clang compiles to an indirect jump through a jump table. */
#include "guest.h"

enum opcode {
    OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_SWAP, OP_OVER,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NEG,
    OP_AND, OP_OR, OP_XOR, OP_NOT, OP_SHL, OP_SHR,
    OP_EQ, OP_LT, OP_GT,
    OP_JMP, OP_JZ, OP_JNZ,
    OP_LOAD, OP_STORE, OP_CALL, OP_RET, OP_PRINT,
};

enum { STACK_SIZE = 256, LOCALS = 8, CALL_DEPTH = 64 };

struct machine {
    int64_t stack[STACK_SIZE];
    int64_t locals[LOCALS];
    int32_t return_addresses[CALL_DEPTH];
    int sp, rp;
    uint64_t executed;
    uint64_t printed_hash;
};

static int run(struct machine *m, const int32_t *code)
{
    m->sp = m->rp = 0;
    int32_t pc = 0;
    for (;;) {
        m->executed++;
        int32_t op = code[pc++];
        int64_t *top = &m->stack[m->sp]; /* one past the top of the stack */
        switch (op) {
        case OP_HALT: return 0;
        case OP_PUSH: m->stack[m->sp++] = code[pc++]; break;
        case OP_POP: m->sp--; break;
        case OP_DUP: m->stack[m->sp++] = top[-1]; break;
        case OP_SWAP: { int64_t t = top[-1]; top[-1] = top[-2]; top[-2] = t; break; }
        case OP_OVER: m->stack[m->sp++] = top[-2]; break;
        case OP_ADD: top[-2] = (int64_t)((uint64_t)top[-2] + (uint64_t)top[-1]); m->sp--; break;
        case OP_SUB: top[-2] = (int64_t)((uint64_t)top[-2] - (uint64_t)top[-1]); m->sp--; break;
        case OP_MUL: top[-2] = (int64_t)((uint64_t)top[-2] * (uint64_t)top[-1]); m->sp--; break;
        case OP_DIV: if (top[-1] == 0) return -1; top[-2] /= top[-1]; m->sp--; break;
        case OP_MOD: if (top[-1] == 0) return -1; top[-2] %= top[-1]; m->sp--; break;
        case OP_NEG: top[-1] = (int64_t)(0 - (uint64_t)top[-1]); break;
        case OP_AND: top[-2] &= top[-1]; m->sp--; break;
        case OP_OR: top[-2] |= top[-1]; m->sp--; break;
        case OP_XOR: top[-2] ^= top[-1]; m->sp--; break;
        case OP_NOT: top[-1] = ~top[-1]; break;
        case OP_SHL: top[-2] = (int64_t)((uint64_t)top[-2] << (top[-1] & 63)); m->sp--; break;
        case OP_SHR: top[-2] = (int64_t)((uint64_t)top[-2] >> (top[-1] & 63)); m->sp--; break;
        case OP_EQ: top[-2] = top[-2] == top[-1]; m->sp--; break;
        case OP_LT: top[-2] = top[-2] < top[-1]; m->sp--; break;
        case OP_GT: top[-2] = top[-2] > top[-1]; m->sp--; break;
        case OP_JMP: pc = code[pc]; break;
        case OP_JZ: pc = m->stack[--m->sp] == 0 ? code[pc] : pc + 1; break;
        case OP_JNZ: pc = m->stack[--m->sp] != 0 ? code[pc] : pc + 1; break;
        case OP_LOAD: m->stack[m->sp++] = m->locals[code[pc++]]; break;
        case OP_STORE: m->locals[code[pc++]] = m->stack[--m->sp]; break;
        case OP_CALL: m->return_addresses[m->rp++] = pc + 1; pc = code[pc]; break;
        case OP_RET: pc = m->return_addresses[--m->rp]; break;
        case OP_PRINT:
            gprintf(" %ld", top[-1]);
            m->printed_hash = (m->printed_hash ^ (uint64_t)top[-1]) * 0x100000001b3ULL;
            m->sp--;
            break;
        default: return -2;
        }
    }
}

/* Sum of i*i for i = 1..2000, then the sum of the shifted and masked values. */
static const int32_t sum_of_squares[] = {
    OP_PUSH, 0, OP_STORE, 0,               /* 0: sum = 0 */
    OP_PUSH, 1, OP_STORE, 1,               /* 4: i = 1 */
    OP_LOAD, 1, OP_DUP, OP_MUL,            /* 8: i*i */
    OP_LOAD, 0, OP_ADD, OP_STORE, 0,       /* 12: sum += */
    OP_LOAD, 1, OP_PUSH, 1, OP_ADD, OP_DUP, OP_STORE, 1, /* 17: i++ */
    OP_PUSH, 2000, OP_GT, OP_JZ, 8,        /* 25: loop while i <= 2000 */
    OP_LOAD, 0, OP_PRINT,
    OP_LOAD, 0, OP_PUSH, 7, OP_SHL, OP_PUSH, 0xffff, OP_AND, OP_LOAD, 0, OP_PUSH, 3, OP_SHR, OP_XOR, OP_NOT, OP_PRINT,
    OP_HALT,
};

/* gcd(a, b) by repeated remainder for a few pairs. */
static const int32_t euclid[] = {
    OP_PUSH, 1071, OP_PUSH, 462, OP_CALL, 20,
    OP_PUSH, 1000000007, OP_PUSH, 998244353, OP_CALL, 20,
    OP_PUSH, -48, OP_PUSH, 18, OP_CALL, 20,
    OP_HALT, OP_HALT,
    /* 20: gcd: ( a b -- ) prints gcd */
    OP_DUP, OP_JZ, 30,                      /* 20 */
    OP_SWAP, OP_OVER, OP_MOD,               /* 23: a b -> b a%b */
    OP_JMP, 20,                             /* 26 */
    OP_HALT, OP_HALT,                       /* 28 */
    OP_POP, OP_PRINT, OP_RET,               /* 30 */
};

/* Count primes below 3000 by trial division, printing every 100th prime. */
static const int32_t trial_division[] = {
    OP_PUSH, 0, OP_STORE, 2,                /* 0: count = 0 */
    OP_PUSH, 2, OP_STORE, 0,                /* 4: n = 2 */
    OP_PUSH, 2, OP_STORE, 1,                /* 8: d = 2 */
    OP_LOAD, 1, OP_DUP, OP_MUL, OP_LOAD, 0, OP_GT, OP_JNZ, 40, /* 12: d*d > n -> prime */
    OP_LOAD, 0, OP_LOAD, 1, OP_MOD, OP_JZ, 56, /* 21: n % d == 0 -> composite */
    OP_LOAD, 1, OP_PUSH, 1, OP_ADD, OP_STORE, 1, OP_JMP, 12, /* 28: d++ */
    OP_HALT, OP_HALT, OP_HALT,              /* 37 */
    OP_LOAD, 2, OP_PUSH, 1, OP_ADD, OP_DUP, OP_STORE, 2, /* 40: count++ */
    OP_PUSH, 100, OP_MOD, OP_JNZ, 56,       /* 48 */
    OP_LOAD, 0, OP_PRINT,                   /* 53 */
    OP_LOAD, 0, OP_PUSH, 1, OP_ADD, OP_DUP, OP_STORE, 0, /* 56: n++ */
    OP_PUSH, 3000, OP_LT, OP_JNZ, 8,        /* 64 */
    OP_LOAD, 2, OP_PRINT, OP_HALT,          /* 69 */
};

/* Recursive factorial through CALL/RET: prints 1!, 5!, 20!. */
static const int32_t factorial[] = {
    OP_PUSH, 1, OP_CALL, 16, OP_PRINT,
    OP_PUSH, 5, OP_CALL, 16, OP_PRINT,
    OP_PUSH, 20, OP_CALL, 16, OP_PRINT,
    OP_HALT,
    /* 16: fact ( n -- n! ) */
    OP_DUP, OP_PUSH, 1, OP_GT, OP_JZ, 29,   /* 16 */
    OP_DUP, OP_PUSH, 1, OP_SUB, OP_CALL, 16, OP_MUL, /* 22 */
    OP_RET,                                 /* 29 */
};

int guest_main(uint64_t ram_size)
{
    static const struct {
        const char *name;
        const int32_t *code;
    } programs[] = {
        { "sum_of_squares", sum_of_squares },
        { "euclid", euclid },
        { "trial_division", trial_division },
        { "factorial", factorial },
    };
    static struct machine machine;
    int failures = 0;
    for (size_t i = 0; i < ARRAY_SIZE(programs); i++) {
        uint64_t before = machine.executed;
        gprintf("%s:", programs[i].name);
        int status = run(&machine, programs[i].code);
        gprintf("\n  status %d, %lu instructions, stack depth %d\n", status, machine.executed - before, machine.sp);
        failures += status != 0 || machine.sp != 0;
    }
    gprintf("output hash %016lx\n", machine.printed_hash);
    check_u64("all programs halted cleanly", (uint64_t)failures, 0);
    return check_summary();
}
