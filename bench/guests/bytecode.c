/* Benchmark: a stack-machine bytecode interpreter (one dense switch, i.e. an
 * indirect jump per instruction) running two programs written with a tiny
 * assembler: the total Collatz path length of 1..LIMIT (with a CALL/RET per
 * number) and an iterated 64-bit hash mixing loop. */
#include "guest.h"

enum { COLLATZ_LIMIT = 50000, MIX_ITERATIONS = 1000000 };

enum opcode {
    OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_SWAP, OP_OVER,
    OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR,
    OP_EQ, OP_LT, OP_JMP, OP_JZ, OP_JNZ,
    OP_LOAD, OP_STORE, OP_INC, OP_CALL, OP_RET, OP_PRINT,
};

enum { CODE_SIZE = 512, STACK_SIZE = 64, LOCALS = 8, CALL_DEPTH = 16, LABELS = 16 };

struct machine {
    uint64_t stack[STACK_SIZE];
    uint64_t locals[LOCALS];
    int32_t return_addresses[CALL_DEPTH];
    uint64_t executed;
    uint64_t printed_hash;
};

static int run(struct machine *m, const int32_t *code)
{
    int sp = 0, rp = 0;
    int32_t pc = 0;
    uint64_t executed = 0;
    for (;;) {
        executed++;
        int32_t op = code[pc++];
        uint64_t *top = &m->stack[sp]; /* one past the top of the stack */
        switch (op) {
        case OP_HALT: m->executed += executed; return 0;
        case OP_PUSH: m->stack[sp++] = (uint64_t)(int64_t)code[pc++]; break;
        case OP_POP: sp--; break;
        case OP_DUP: m->stack[sp++] = top[-1]; break;
        case OP_SWAP: { uint64_t t = top[-1]; top[-1] = top[-2]; top[-2] = t; break; }
        case OP_OVER: m->stack[sp++] = top[-2]; break;
        case OP_ADD: top[-2] += top[-1]; sp--; break;
        case OP_SUB: top[-2] -= top[-1]; sp--; break;
        case OP_MUL: top[-2] *= top[-1]; sp--; break;
        case OP_AND: top[-2] &= top[-1]; sp--; break;
        case OP_OR: top[-2] |= top[-1]; sp--; break;
        case OP_XOR: top[-2] ^= top[-1]; sp--; break;
        case OP_SHL: top[-2] <<= top[-1] & 63; sp--; break;
        case OP_SHR: top[-2] >>= top[-1] & 63; sp--; break;
        case OP_EQ: top[-2] = top[-2] == top[-1]; sp--; break;
        case OP_LT: top[-2] = top[-2] < top[-1]; sp--; break;
        case OP_JMP: pc = code[pc]; break;
        case OP_JZ: pc = m->stack[--sp] == 0 ? code[pc] : pc + 1; break;
        case OP_JNZ: pc = m->stack[--sp] != 0 ? code[pc] : pc + 1; break;
        case OP_LOAD: m->stack[sp++] = m->locals[code[pc++]]; break;
        case OP_STORE: m->locals[code[pc++]] = m->stack[--sp]; break;
        case OP_INC: m->locals[code[pc++]]++; break;
        case OP_CALL: m->return_addresses[rp++] = pc + 1; pc = code[pc]; break;
        case OP_RET: pc = m->return_addresses[--rp]; break;
        case OP_PRINT:
            gprintf(" %lu", (unsigned long)top[-1]);
            m->printed_hash = (m->printed_hash ^ top[-1]) * 0x100000001b3ULL;
            sp--;
            break;
        default: return -2;
        }
        if (sp < 0 || sp >= STACK_SIZE - 2 || rp < 0 || rp >= CALL_DEPTH)
            return -3;
    }
}

/* The assembler: code is appended with emit(); labels are defined with
 * label() and referenced with target(), patched by finish(). */
struct assembler {
    int32_t code[CODE_SIZE];
    int length;
    int label_at[LABELS];
    int fixup_at[CODE_SIZE];
    int fixup_label[CODE_SIZE];
    int fixups;
};

static void emit(struct assembler *a, int32_t word)
{
    a->code[a->length++] = word;
}

static void emit_arg(struct assembler *a, int32_t op, int32_t arg)
{
    emit(a, op);
    emit(a, arg);
}

static void label(struct assembler *a, int id)
{
    a->label_at[id] = a->length;
}

static void jump(struct assembler *a, int32_t op, int id)
{
    emit(a, op);
    a->fixup_at[a->fixups] = a->length;
    a->fixup_label[a->fixups++] = id;
    emit(a, 0);
}

static void finish(struct assembler *a)
{
    for (int i = 0; i < a->fixups; i++)
        a->code[a->fixup_at[i]] = a->label_at[a->fixup_label[i]];
}

/* locals: 0 total, 1 n, 2 x, 3 steps */
static void assemble_collatz(struct assembler *a)
{
    enum { OUTER, DONE, COLLATZ, INNER, INNER_DONE, EVEN, NEXT };
    emit_arg(a, OP_PUSH, 0); emit_arg(a, OP_STORE, 0);
    emit_arg(a, OP_PUSH, 1); emit_arg(a, OP_STORE, 1);
    label(a, OUTER);
    emit_arg(a, OP_LOAD, 1); emit_arg(a, OP_PUSH, COLLATZ_LIMIT + 1); emit(a, OP_LT);
    jump(a, OP_JZ, DONE);
    emit_arg(a, OP_LOAD, 1);
    jump(a, OP_CALL, COLLATZ);                 /* ( n -- steps ) */
    emit_arg(a, OP_LOAD, 0); emit(a, OP_ADD); emit_arg(a, OP_STORE, 0);
    emit_arg(a, OP_INC, 1);
    jump(a, OP_JMP, OUTER);
    label(a, DONE);
    emit_arg(a, OP_LOAD, 0); emit(a, OP_PRINT);
    emit(a, OP_HALT);

    label(a, COLLATZ);
    emit_arg(a, OP_STORE, 2); emit_arg(a, OP_PUSH, 0); emit_arg(a, OP_STORE, 3);
    label(a, INNER);
    emit_arg(a, OP_LOAD, 2); emit_arg(a, OP_PUSH, 1); emit(a, OP_EQ);
    jump(a, OP_JNZ, INNER_DONE);
    emit_arg(a, OP_LOAD, 2); emit_arg(a, OP_PUSH, 1); emit(a, OP_AND);
    jump(a, OP_JZ, EVEN);
    emit_arg(a, OP_LOAD, 2); emit_arg(a, OP_PUSH, 3); emit(a, OP_MUL);
    emit_arg(a, OP_PUSH, 1); emit(a, OP_ADD); emit_arg(a, OP_STORE, 2);
    jump(a, OP_JMP, NEXT);
    label(a, EVEN);
    emit_arg(a, OP_LOAD, 2); emit_arg(a, OP_PUSH, 1); emit(a, OP_SHR); emit_arg(a, OP_STORE, 2);
    label(a, NEXT);
    emit_arg(a, OP_INC, 3);
    jump(a, OP_JMP, INNER);
    label(a, INNER_DONE);
    emit_arg(a, OP_LOAD, 3);
    emit(a, OP_RET);
    finish(a);
}

/* locals: 0 h, 1 i; h = (h ^ (h >> 29) ^ i) * 0x5851f42d (truncated to 32 bits by a mask every step). */
static void assemble_mix(struct assembler *a)
{
    enum { LOOP, DONE };
    emit_arg(a, OP_PUSH, 0x12345); emit_arg(a, OP_STORE, 0);
    emit_arg(a, OP_PUSH, 0); emit_arg(a, OP_STORE, 1);
    label(a, LOOP);
    emit_arg(a, OP_LOAD, 1); emit_arg(a, OP_PUSH, MIX_ITERATIONS); emit(a, OP_LT);
    jump(a, OP_JZ, DONE);
    emit_arg(a, OP_LOAD, 0); emit(a, OP_DUP); emit_arg(a, OP_PUSH, 29); emit(a, OP_SHR); emit(a, OP_XOR);
    emit_arg(a, OP_LOAD, 1); emit(a, OP_XOR);
    emit_arg(a, OP_PUSH, 0x5851f42d); emit(a, OP_MUL);
    emit(a, OP_DUP); emit_arg(a, OP_PUSH, 32); emit(a, OP_SHR); emit(a, OP_ADD);
    emit_arg(a, OP_STORE, 0);
    emit_arg(a, OP_INC, 1);
    jump(a, OP_JMP, LOOP);
    label(a, DONE);
    emit_arg(a, OP_LOAD, 0); emit(a, OP_PRINT);
    emit(a, OP_HALT);
    finish(a);
}

static struct assembler collatz, mix;
static struct machine machine;

int guest_main(uint64_t ram_size)
{
    assemble_collatz(&collatz);
    assemble_mix(&mix);

    gprintf("collatz total steps for 1..%d:", COLLATZ_LIMIT);
    int status = run(&machine, collatz.code);
    gprintf("\n");
    check_u64("collatz status", (uint64_t)(int64_t)status, 0);

    gprintf("mix after %d iterations:", MIX_ITERATIONS);
    status = run(&machine, mix.code);
    gprintf("\n");
    check_u64("mix status", (uint64_t)(int64_t)status, 0);

    gprintf("bytecode instructions executed %lu, output hash %016lx\n", (unsigned long)machine.executed,
            (unsigned long)machine.printed_hash);
    return check_summary();
}
