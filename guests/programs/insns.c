/* Instructions compilers rarely emit, through inline assembly: RCL/RCR,
 * SHLD/SHRD, ENTER/LEAVE, LOOP/LOOPE/LOOPNE/JRCXZ/JECXZ, ADCX/ADOX,
 * BT/BTS/BTR/BTC on memory bit strings, XADD/CMPXCHG/CMPXCHG8B/CMPXCHG16B
 * with LOCK, REP string operations in both directions, LAHF/SAHF,
 * CMC/STC/CLC, BSWAP, CBW..CQO, MOVSX/MOVZX/MOVSXD, SETcc/CMOVcc of all 16
 * conditions, PUSHFQ/POPFQ, XCHG, XLAT and one-operand MUL/IMUL/DIV/IDIV.
 * Each result is compared with a C model; flags the SDM leaves undefined are
 * masked out, so the output is the same on any x86-64 CPU. */
#include "guest.h"

enum {
    FLAG_CF = 1 << 0,
    FLAG_FIXED = 1 << 1, /* reads as 1 */
    FLAG_PF = 1 << 2,
    FLAG_AF = 1 << 4,
    FLAG_ZF = 1 << 6,
    FLAG_SF = 1 << 7,
    FLAG_DF = 1 << 10,
    FLAG_OF = 1 << 11,
    FLAG_ID = 1 << 21,
    FLAGS_STATUS = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF,
};

/* Reads RFLAGS into a register operand. Steps over the host's red zone, so
 * operands must not be addressed relative to RSP (use "r" operands only). */
#define READ_FLAGS(operand) "lea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq " operand "\n\tlea 128(%%rsp), %%rsp\n\t"

static uint64_t hash = 0xcbf29ce484222325ULL;
static unsigned group_checks, group_failures, total_failures;

/* Mixes a result into the group hash and compares it with the C model. Out
 * of line, to keep the program small for emulators that translate slowly. */
static __attribute__((noinline)) void expect(const char *what, uint64_t index, uint64_t got, uint64_t want)
{
    hash = (hash ^ got) * 0x100000001b3ULL;
    group_checks++;
    if (got == want)
        return;
    if (group_failures < 8)
        gprintf("  %s #%lu: got %016lx want %016lx\n", what, index, got, want);
    group_failures++;
}

static void end_group(const char *name)
{
    gprintf("%-22s %5u checks, %u wrong, hash %016lx\n", name, group_checks, group_failures, hash);
    total_failures += group_failures;
    group_checks = group_failures = 0;
}

static unsigned parity_even(uint64_t value)
{
    return !(__builtin_popcountll(value & 0xff) & 1);
}

/* PF, ZF and SF of a result of the given width. */
static uint64_t result_flags(uint64_t value, unsigned width)
{
    uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
    value &= mask;
    return (parity_even(value) ? FLAG_PF : 0) | (value == 0 ? FLAG_ZF : 0) | (value >> (width - 1) & 1 ? FLAG_SF : 0);
}

static uint64_t width_mask(unsigned width)
{
    return width == 64 ? ~0ULL : (1ULL << width) - 1;
}

static const uint64_t patterns[] = {
    0, 1, 0x80, 0xff, 0x8000, 0x7fff, 0x80000000, 0xffffffff, 0x8000000000000000ULL, 0x7fffffffffffffffULL,
    0xffffffffffffffffULL, 0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x5555aaaa5555aaaaULL, 0x00000000ffff0000ULL,
};

static const uint8_t counts[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200 };

/* ---- RCL / RCR ---- */

#define DEFINE_ROTATE(name, mnemonic, type)                                                          \
    static uint64_t name(uint64_t value, uint8_t count, uint64_t carry, uint64_t *flags)             \
    {                                                                                                \
        type operand = (type)value;                                                                  \
        __asm__ volatile("btq $0, %[flags]\n\t" mnemonic " %%cl, %[operand]\n\t" READ_FLAGS("%[flags]")        \
                : [operand] "+r"(operand), [flags] "+r"(carry) : "c"(count) : "cc");                 \
        *flags = carry;                                                                              \
        return operand;                                                                              \
    }

DEFINE_ROTATE(rcl8, "rclb", uint8_t)
DEFINE_ROTATE(rcl16, "rclw", uint16_t)
DEFINE_ROTATE(rcl32, "rcll", uint32_t)
DEFINE_ROTATE(rcl64, "rclq", uint64_t)
DEFINE_ROTATE(rcr8, "rcrb", uint8_t)
DEFINE_ROTATE(rcr16, "rcrw", uint16_t)
DEFINE_ROTATE(rcr32, "rcrl", uint32_t)
DEFINE_ROTATE(rcr64, "rcrq", uint64_t)

/* The (width + 1)-bit rotation of the SDM, one step at a time. */
static uint64_t model_rotate_through_carry(uint64_t value, unsigned width, uint8_t raw_count, uint64_t carry,
                                           int left, uint64_t *flags)
{
    unsigned masked = raw_count & (width == 64 ? 63 : 31);
    unsigned steps = width == 8 ? masked % 9 : width == 16 ? masked % 17 : masked;
    uint64_t mask = width_mask(width);
    value &= mask;
    uint64_t overflow = (value >> (width - 1) ^ carry) & 1; /* RCR's OF: taken before rotating */
    for (unsigned i = 0; i < steps; i++) {
        uint64_t out = left ? value >> (width - 1) & 1 : value & 1;
        value = left ? (value << 1 | carry) & mask : value >> 1 | carry << (width - 1);
        carry = out;
    }
    if (left)
        overflow = (value >> (width - 1) ^ carry) & 1;
    *flags = carry | (masked == 1 && overflow ? FLAG_OF : 0);
    return value;
}

static void test_rotate_through_carry(void)
{
    static const struct {
        uint64_t (*run)(uint64_t, uint8_t, uint64_t, uint64_t *);
        unsigned width;
        int left;
    } variants[] = {
        { rcl8, 8, 1 }, { rcl16, 16, 1 }, { rcl32, 32, 1 }, { rcl64, 64, 1 },
        { rcr8, 8, 0 }, { rcr16, 16, 0 }, { rcr32, 32, 0 }, { rcr64, 64, 0 },
    };
    unsigned cases = 0;
    for (size_t v = 0; v < ARRAY_SIZE(variants); v++) {
        for (size_t p = 0; p < ARRAY_SIZE(patterns); p++) {
            for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
                for (uint64_t carry = 0; carry < 2; carry++, cases++) {
                    uint64_t flags, want_flags;
                    uint64_t got = variants[v].run(patterns[p], counts[c], carry, &flags);
                    uint64_t want = model_rotate_through_carry(patterns[p], variants[v].width, counts[c], carry,
                                                               variants[v].left, &want_flags);
                    unsigned masked = counts[c] & (variants[v].width == 64 ? 63 : 31);
                    uint64_t defined = FLAG_CF | (masked == 1 ? FLAG_OF : 0);
                    expect(variants[v].left ? "rcl" : "rcr", cases, got, want);
                    expect("rcl/rcr flags", cases, flags & defined, want_flags);
                }
            }
        }
    }
    end_group("rcl/rcr");
}

/* ---- SHLD / SHRD ---- */

#define DEFINE_DOUBLE_SHIFT(name, mnemonic, type)                                                      \
    static uint64_t name(uint64_t destination, uint64_t source, uint8_t count, uint64_t *flags)        \
    {                                                                                                  \
        type operand = (type)destination;                                                              \
        uint64_t flags_out;                                                                            \
        __asm__ volatile("xor %%eax, %%eax\n\t" mnemonic " %%cl, %[source], %[operand]\n\t" READ_FLAGS("%[flags]") \
                : [operand] "+r"(operand), [flags] "=r"(flags_out) : [source] "r"((type)source), "c"(count) \
                : "rax", "cc");                                                                        \
        *flags = flags_out;                                                                            \
        return operand;                                                                                \
    }

DEFINE_DOUBLE_SHIFT(shld16, "shldw", uint16_t)
DEFINE_DOUBLE_SHIFT(shld32, "shldl", uint32_t)
DEFINE_DOUBLE_SHIFT(shld64, "shldq", uint64_t)
DEFINE_DOUBLE_SHIFT(shrd16, "shrdw", uint16_t)
DEFINE_DOUBLE_SHIFT(shrd32, "shrdl", uint32_t)
DEFINE_DOUBLE_SHIFT(shrd64, "shrdq", uint64_t)

static uint64_t shld64_immediate(uint64_t destination, uint64_t source)
{
    __asm__ volatile("shldq $13, %[source], %[destination]" : [destination] "+r"(destination) : [source] "r"(source) : "cc");
    return destination;
}

static uint64_t shrd32_immediate(uint64_t destination, uint64_t source)
{
    uint32_t operand = (uint32_t)destination;
    __asm__ volatile("shrdl $7, %[source], %[operand]" : [operand] "+r"(operand) : [source] "r"((uint32_t)source) : "cc");
    return operand;
}

static void test_double_shift(void)
{
    static const struct {
        uint64_t (*run)(uint64_t, uint64_t, uint8_t, uint64_t *);
        unsigned width;
        int left;
    } variants[] = {
        { shld16, 16, 1 }, { shld32, 32, 1 }, { shld64, 64, 1 },
        { shrd16, 16, 0 }, { shrd32, 32, 0 }, { shrd64, 64, 0 },
    };
    unsigned cases = 0;
    for (size_t v = 0; v < ARRAY_SIZE(variants); v++) {
        unsigned width = variants[v].width;
        uint64_t mask = width_mask(width);
        for (size_t p = 0; p < ARRAY_SIZE(patterns); p++) {
            for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
                unsigned count = counts[c] & (width == 64 ? 63 : 31);
                if (count > width)
                    continue; /* undefined result */
                uint64_t destination = patterns[p] & mask, source = patterns[(p + 5) % ARRAY_SIZE(patterns)] & mask;
                uint64_t flags;
                uint64_t got = variants[v].run(destination, source, counts[c], &flags);
                uint64_t want = destination, want_flags = FLAG_ZF | FLAG_PF; /* from the xor before */
                uint64_t defined = FLAG_CF | FLAG_PF | FLAG_ZF | FLAG_SF;
                if (count == width) {
                    want = source;
                    want_flags = (variants[v].left ? destination : destination >> (width - 1)) & 1;
                } else if (count) {
                    want = variants[v].left ? (destination << count | source >> (width - count)) & mask
                                            : (destination >> count | source << (width - count)) & mask;
                    want_flags = (variants[v].left ? destination >> (width - count) : destination >> (count - 1)) & 1;
                }
                if (count)
                    want_flags |= result_flags(want, width);
                if (count == 1) {
                    defined |= FLAG_OF;
                    want_flags |= ((want ^ destination) >> (width - 1) & 1) ? FLAG_OF : 0;
                }
                expect(variants[v].left ? "shld" : "shrd", cases, got, want);
                expect("shld/shrd flags", cases++, flags & defined, want_flags);
            }
        }
    }
    expect("shld $13", 0, shld64_immediate(0x0123456789abcdefULL, 0xfedcba9876543210ULL), 0x68acf13579bdffdbULL);
    expect("shrd $7", 0, shrd32_immediate(0x12345678, 0x9abcdef0), 0xe02468ac);
    end_group("shld/shrd");
}

/* ---- ENTER / LEAVE ---- */

/* Each probe builds a fake caller frame whose display holds known values,
 * executes ENTER size, level and LEAVE, and records into out[]: RSP before
 * ENTER, RBP and RSP after it, RBP and RSP after LEAVE, then the level + 1
 * quadwords from [RBP - 8 * level] up to [RBP]. */
__asm__(
    ".pushsection .text\n"
    ".macro ENTER_PROBE name, size, level\n"
    ".globl \\name\n"
    ".type \\name, @function\n"
    "\\name:\n"
    "    push %rbp\n"
    "    push %rbx\n"
    "    mov %rsp, %rbx\n"
    "    sub $64, %rsp\n"
    "    .irp slot, 1, 2, 3, 4\n"
    "    movabs $0x1111111111111111 * \\slot, %rax\n"
    "    mov %rax, 56 - 8 * \\slot(%rsp)\n"
    "    .endr\n"
    "    lea 56(%rsp), %rbp\n"
    "    mov %rsp, 0(%rdi)\n"
    "    enter $\\size, $\\level\n"
    "    mov %rbp, 8(%rdi)\n"
    "    mov %rsp, 16(%rdi)\n"
    "    .set offset, 0\n"
    "    .rept \\level + 1\n"
    "    mov -8 * \\level + offset(%rbp), %rax\n"
    "    mov %rax, 40 + offset(%rdi)\n"
    "    .set offset, offset + 8\n"
    "    .endr\n"
    "    leave\n"
    "    mov %rbp, 24(%rdi)\n"
    "    mov %rsp, 32(%rdi)\n"
    "    mov %rbx, %rsp\n"
    "    pop %rbx\n"
    "    pop %rbp\n"
    "    ret\n"
    ".endm\n"
    "ENTER_PROBE enter_probe_0_0, 0, 0\n"
    "ENTER_PROBE enter_probe_32_1, 32, 1\n"
    "ENTER_PROBE enter_probe_24_3, 24, 3\n"
    "ENTER_PROBE enter_probe_8_5, 8, 5\n"
    ".popsection\n");

void enter_probe_0_0(uint64_t *out);
void enter_probe_32_1(uint64_t *out);
void enter_probe_24_3(uint64_t *out);
void enter_probe_8_5(uint64_t *out);

static void test_enter_leave(void)
{
    static const struct {
        void (*run)(uint64_t *);
        unsigned size, level;
    } probes[] = { { enter_probe_0_0, 0, 0 }, { enter_probe_32_1, 32, 1 }, { enter_probe_24_3, 24, 3 }, { enter_probe_8_5, 8, 5 } };
    for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
        uint64_t out[5 + 6];
        probes[i].run(out);
        unsigned level = probes[i].level;
        /* Compare addresses relative to RSP before ENTER, so the hash does not depend on where the stack is. */
        uint64_t before = out[0];
        int64_t old_frame = 56, frame = -8;
        expect("enter rbp", i, out[1] - before, (uint64_t)frame);
        expect("enter rsp", i, out[2] - before, (uint64_t)(frame - 8 * (int64_t)level - probes[i].size));
        expect("leave rbp", i, out[3] - before, (uint64_t)old_frame);
        expect("leave rsp", i, out[4] - before, 0);
        /* out[5 + k] = [RBP - 8 * (level - k)] */
        expect("enter saved rbp", i, out[5 + level] - before, (uint64_t)old_frame);
        if (level > 0)
            expect("enter frame pointer copy", i, out[5] - before, (uint64_t)frame);
        for (unsigned k = 1; k < level; k++)
            expect("enter display copy", i, out[5 + level - k], 0x1111111111111111ULL * k);
    }
    end_group("enter/leave");
}

/* ---- LOOP / LOOPE / LOOPNE / JRCXZ / JECXZ ---- */

static void test_loops(void)
{
    uint64_t iterations = 0, count = 37;
    __asm__ volatile("1: inc %[iterations]\n\tloop 1b" : [iterations] "+r"(iterations), "+c"(count));
    expect("loop iterations", 0, iterations, 37);
    expect("loop rcx", 0, count, 0);

    /* LOOP leaves the flags alone: ZF from the cmp survives. */
    uint64_t zero_flag;
    count = 5;
    __asm__ volatile("cmp %%rcx, %%rcx\n\t1: loop 1b\n\tsetz %b[zf]\n\tmovzbl %b[zf], %k[zf]" : [zf] "=q"(zero_flag), "+c"(count) : : "cc");
    expect("loop keeps ZF", 0, zero_flag, 1);

    static const uint8_t bytes[] = { 7, 7, 7, 7, 9, 7, 0, 7, 7, 7 };
    struct { uint8_t key; uint64_t count, want_index, want_count, want_zf; } scans[] = {
        { 7, 10, 4, 5, 0 },  /* LOOPE stops at the first byte != 7 */
        { 7, 3, 2, 0, 1 },   /* ... or when RCX runs out */
    };
    for (size_t i = 0; i < ARRAY_SIZE(scans); i++) {
        uint64_t index = (uint64_t)-1, remaining = scans[i].count;
        uint8_t zf;
        __asm__ volatile("1: inc %[index]\n\tcmpb %[key], (%[bytes],%[index])\n\tloope 1b\n\tsetz %[zf]"
                : [index] "+r"(index), "+c"(remaining), [zf] "=q"(zf)
                : [key] "q"(scans[i].key), [bytes] "r"(bytes) : "cc");
        expect("loope index", i, index, scans[i].want_index);
        expect("loope rcx", i, remaining, scans[i].want_count);
        expect("loope zf", i, zf, scans[i].want_zf);
    }
    uint64_t index = (uint64_t)-1, remaining = ARRAY_SIZE(bytes);
    uint8_t found;
    __asm__ volatile("1: inc %[index]\n\tcmpb $0, (%[bytes],%[index])\n\tloopne 1b\n\tsetz %[found]"
            : [index] "+r"(index), "+c"(remaining), [found] "=q"(found) : [bytes] "r"(bytes) : "cc");
    expect("loopne index", 0, index, 6);
    expect("loopne rcx", 0, remaining, 3);
    expect("loopne found", 0, found, 1);

    static const uint64_t rcx_values[] = { 0, 1, 0x100000000ULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL };
    for (size_t i = 0; i < ARRAY_SIZE(rcx_values); i++) {
        uint64_t taken_rcx = 0, taken_ecx = 0, rcx = rcx_values[i];
        __asm__ volatile("jrcxz 1f\n\tinc %[taken]\n1:\n\tnot %[taken]" : [taken] "+r"(taken_rcx) : "c"(rcx));
        __asm__ volatile("jecxz 1f\n\tinc %[taken]\n1:\n\tnot %[taken]" : [taken] "+r"(taken_ecx) : "c"(rcx));
        expect("jrcxz taken", i, taken_rcx, rcx == 0 ? ~0ULL : ~1ULL);
        expect("jecxz taken", i, taken_ecx, (uint32_t)rcx == 0 ? ~0ULL : ~1ULL);
    }

    /* With a 32-bit address size LOOP counts in ECX only. */
    iterations = 0;
    count = 0x100000003ULL;
    __asm__ volatile("1: inc %[iterations]\n\taddr32 loop 1b" : [iterations] "+r"(iterations), "+c"(count));
    expect("addr32 loop iterations", 0, iterations, 3);
    end_group("loop/jrcxz");
}

/* ---- ADCX / ADOX ---- */

static void test_adcx_adox(void)
{
    static const uint64_t a[4] = { 0xffffffffffffffffULL, 0xffffffffffffffffULL, 0x8000000000000000ULL, 1 };
    static const uint64_t b[4] = { 1, 0, 0x8000000000000000ULL, 0xfffffffffffffffeULL };
    static const uint64_t c[4] = { 0x7fffffffffffffffULL, 0xffffffffffffffffULL, 0, 0xffffffffffffffffULL };
    static const uint64_t d[4] = { 0x8000000000000001ULL, 0, 0xffffffffffffffffULL, 0 };
    uint64_t carry_sum[4], overflow_sum[4], flags;
    /* xor sets ZF and clears CF/OF; STC then seeds the ADCX chain's carry.
     * ADCX touches only CF and ADOX only OF, so ZF must survive both chains. */
    __asm__ volatile("xor %%eax, %%eax\n\tstc\n\t"
            ".irp offset, 0, 8, 16, 24\n\t"
            "mov \\offset(%[a]), %%rax\n\tadcx \\offset(%[b]), %%rax\n\tmov %%rax, \\offset(%[carry_sum])\n\t"
            "mov \\offset(%[c]), %%rax\n\tadox \\offset(%[d]), %%rax\n\tmov %%rax, \\offset(%[overflow_sum])\n\t"
            ".endr\n\t" READ_FLAGS("%[flags]")
            : [flags] "=r"(flags)
            : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d), [carry_sum] "r"(carry_sum), [overflow_sum] "r"(overflow_sum)
            : "rax", "cc", "memory");
    unsigned __int128 carry = 1, overflow = 0;
    for (int i = 0; i < 4; i++) {
        carry += (unsigned __int128)a[i] + b[i];
        overflow += (unsigned __int128)c[i] + d[i];
        expect("adcx limb", (uint64_t)i, carry_sum[i], (uint64_t)carry);
        expect("adox limb", (uint64_t)i, overflow_sum[i], (uint64_t)overflow);
        carry >>= 64;
        overflow >>= 64;
    }
    expect("adcx/adox flags", 0, flags & (FLAG_CF | FLAG_OF | FLAG_ZF),
           (carry ? FLAG_CF : 0) | (overflow ? FLAG_OF : 0) | FLAG_ZF);
    end_group("adcx/adox");
}

/* ---- BT / BTS / BTR / BTC on a bit string ---- */

/* One function per instruction form; the base points into the middle of the
 * string, so negative offsets address bytes before it. */
#define DEFINE_BIT_STRING_OP(name, mnemonic, type)                                               \
    static uint8_t name(uint8_t *base, int64_t offset)                                          \
    {                                                                                           \
        uint8_t carry;                                                                          \
        __asm__ volatile(mnemonic " %[offset], (%[base])\n\tsetc %[carry]"                      \
                         : [carry] "=q"(carry) : [offset] "r"((type)offset), [base] "r"(base)    \
                         : "cc", "memory");                                                     \
        return carry;                                                                           \
    }

DEFINE_BIT_STRING_OP(bt16, "btw", int16_t)
DEFINE_BIT_STRING_OP(bt32, "btl", int32_t)
DEFINE_BIT_STRING_OP(bt64, "btq", int64_t)
DEFINE_BIT_STRING_OP(bts16, "btsw", int16_t)
DEFINE_BIT_STRING_OP(bts32, "btsl", int32_t)
DEFINE_BIT_STRING_OP(bts64, "btsq", int64_t)
DEFINE_BIT_STRING_OP(lock_bts64, "lock btsq", int64_t)
DEFINE_BIT_STRING_OP(btr16, "btrw", int16_t)
DEFINE_BIT_STRING_OP(btr32, "btrl", int32_t)
DEFINE_BIT_STRING_OP(btr64, "btrq", int64_t)
DEFINE_BIT_STRING_OP(lock_btr32, "lock btrl", int32_t)
DEFINE_BIT_STRING_OP(btc16, "btcw", int16_t)
DEFINE_BIT_STRING_OP(btc32, "btcl", int32_t)
DEFINE_BIT_STRING_OP(btc64, "btcq", int64_t)
DEFINE_BIT_STRING_OP(lock_btc16, "lock btcw", int16_t)

enum bit_operation { BIT_TEST, BIT_SET, BIT_RESET, BIT_COMPLEMENT };

/* Columns: 16, 32, 64-bit operands and a LOCK form (BT has none). */
static uint8_t (*const bit_string_ops[4][4])(uint8_t *, int64_t) = {
    [BIT_TEST] = { bt16, bt32, bt64, bt64 },
    [BIT_SET] = { bts16, bts32, bts64, lock_bts64 },
    [BIT_RESET] = { btr16, btr32, btr64, lock_btr32 },
    [BIT_COMPLEMENT] = { btc16, btc32, btc64, lock_btc16 },
};

static void test_bit_strings(void)
{
    static uint64_t string[8], model[8];
    static const int16_t offsets[] = { -256, -200, -65, -64, -63, -33, -17, -1, 0, 1, 15, 16, 31, 32, 63, 64, 65, 100, 129, 200, 255 };
    uint8_t *base = (uint8_t *)(string + 4), *model_base = (uint8_t *)(model + 4);
    unsigned cases = 0;
    for (int round = 0; round < 3; round++) {
        for (int operation = BIT_TEST; operation <= BIT_COMPLEMENT; operation++) {
            for (size_t i = 0; i < ARRAY_SIZE(offsets); i++, cases++) {
                unsigned form = (unsigned)(i + round + operation) % 4;
                int64_t offset = offsets[(i * 7 + round * 3 + operation) % ARRAY_SIZE(offsets)];
                uint8_t *byte = model_base + (offset >> 3);
                uint8_t bit = (uint8_t)(1 << (offset & 7));
                uint8_t want = (*byte & bit) != 0;
                if (operation == BIT_SET)
                    *byte |= bit;
                else if (operation == BIT_RESET)
                    *byte &= (uint8_t)~bit;
                else if (operation == BIT_COMPLEMENT)
                    *byte ^= bit;
                expect("bt* carry", cases, bit_string_ops[operation][form](base, offset), want);
            }
        }
    }
    for (int i = 0; i < 8; i++)
        expect("bit string", (uint64_t)i, string[i], model[i]);

    /* Immediate offsets are taken modulo the operand size. */
    uint64_t word = 0x8000000000000001ULL;
    uint8_t carry_high, carry_wrapped;
    __asm__ volatile("btq $63, %[word]\n\tsetc %[high]\n\tbtsq $70, %[word]\n\tsetc %[wrapped]"
            : [word] "+r"(word), [high] "=q"(carry_high), [wrapped] "=q"(carry_wrapped) : : "cc");
    expect("bt $63", 0, carry_high, 1);
    expect("bts $70 carry", 0, carry_wrapped, 0);
    expect("bts $70 result", 0, word, 0x8000000000000041ULL);
    uint16_t memory_word = 0x0010;
    uint16_t *memory_word_pointer = &memory_word;
    __asm__ volatile("btcw $20, (%[p])\n\tsetc %[high]" : [high] "=q"(carry_high) : [p] "r"(memory_word_pointer) : "cc", "memory");
    expect("btc $20 word carry", 0, carry_high, 1);
    expect("btc $20 word result", 0, memory_word, 0);
    end_group("bt/bts/btr/btc");
}

/* ---- XADD / CMPXCHG / CMPXCHG8B / CMPXCHG16B ---- */

static uint64_t subtraction_flags(uint64_t a, uint64_t b, unsigned width)
{
    uint64_t mask = width_mask(width), sign = 1ULL << (width - 1);
    a &= mask;
    b &= mask;
    uint64_t r = (a - b) & mask;
    return (a < b ? FLAG_CF : 0) | ((a ^ b ^ r) & 0x10 ? FLAG_AF : 0) | ((a ^ b) & (a ^ r) & sign ? FLAG_OF : 0) |
           result_flags(r, width);
}

static uint64_t addition_flags(uint64_t a, uint64_t b, unsigned width)
{
    uint64_t mask = width_mask(width), sign = 1ULL << (width - 1);
    a &= mask;
    b &= mask;
    uint64_t r = (a + b) & mask;
    return (r < a ? FLAG_CF : 0) | ((a ^ b ^ r) & 0x10 ? FLAG_AF : 0) | (~(a ^ b) & (a ^ r) & sign ? FLAG_OF : 0) |
           result_flags(r, width);
}

static void test_atomics(void)
{
    unsigned cases = 0;
    for (size_t i = 0; i + 1 < ARRAY_SIZE(patterns); i++, cases++) {
        uint64_t memory = patterns[i], addend = patterns[i + 1], flags;
        uint64_t *pointer = &memory;
        __asm__ volatile("lock xaddq %[addend], (%[p])\n\t" READ_FLAGS("%[flags]")
                : [addend] "+r"(addend), [flags] "=r"(flags) : [p] "r"(pointer) : "cc", "memory");
        expect("xadd old", i, addend, patterns[i]);
        expect("xadd sum", i, memory, patterns[i] + patterns[i + 1]);
        expect("xadd flags", i, flags & FLAGS_STATUS, addition_flags(patterns[i], patterns[i + 1], 64));

        uint32_t memory32 = (uint32_t)patterns[i];
        uint32_t *pointer32 = &memory32;
        uint8_t addend8 = (uint8_t)patterns[i + 1];
        __asm__ volatile("lock xaddb %[addend], (%[p])\n\t" READ_FLAGS("%[flags]")
                : [addend] "+q"(addend8), [flags] "=r"(flags) : [p] "r"(pointer32) : "cc", "memory");
        expect("xadd8 old", i, addend8, (uint8_t)patterns[i]);
        expect("xadd8 memory", i, memory32, ((uint32_t)patterns[i] & ~0xffu) | (uint8_t)(patterns[i] + patterns[i + 1]));
        expect("xadd8 flags", i, flags & FLAGS_STATUS, addition_flags(patterns[i], patterns[i + 1], 8));
    }

    /* CMPXCHG: first with a matching accumulator, then with a stale one. */
    for (size_t i = 0; i + 1 < ARRAY_SIZE(patterns); i++) {
        for (int stale = 0; stale < 2; stale++, cases++) {
            uint64_t memory = patterns[i], replacement = patterns[i + 1], flags;
            uint64_t accumulator = stale ? patterns[i] ^ (1ULL << i) : patterns[i];
            uint64_t *pointer = &memory;
            __asm__ volatile("lock cmpxchgq %[replacement], (%[p])\n\t" READ_FLAGS("%[flags]")
                    : "+a"(accumulator), [flags] "=r"(flags) : [replacement] "r"(replacement), [p] "r"(pointer)
                    : "cc", "memory");
            uint64_t compared = stale ? patterns[i] ^ (1ULL << i) : patterns[i];
            expect("cmpxchg memory", cases, memory, stale ? patterns[i] : replacement);
            expect("cmpxchg rax", cases, accumulator, patterns[i]);
            expect("cmpxchg flags", cases, flags & FLAGS_STATUS, subtraction_flags(compared, patterns[i], 64));

            uint16_t memory16 = (uint16_t)patterns[i];
            uint16_t *pointer16 = &memory16;
            uint64_t accumulator16 = 0xaaaa000000000000ULL | (uint16_t)compared;
            __asm__ volatile("lock cmpxchgw %w[replacement], (%[p])\n\t" READ_FLAGS("%[flags]")
                    : "+a"(accumulator16), [flags] "=r"(flags) : [replacement] "r"(replacement), [p] "r"(pointer16)
                    : "cc", "memory");
            int equal = (uint16_t)compared == (uint16_t)patterns[i];
            expect("cmpxchg16 memory", cases, memory16, (uint16_t)(equal ? replacement : patterns[i]));
            expect("cmpxchg16 ax", cases, accumulator16, 0xaaaa000000000000ULL | (uint16_t)patterns[i]);
            expect("cmpxchg16 flags", cases, flags & FLAGS_STATUS, subtraction_flags(compared, patterns[i], 16));
        }
    }

    for (int stale = 0; stale < 2; stale++, cases++) {
        uint64_t memory = 0x89abcdef01234567ULL;
        uint64_t *pointer = &memory;
        uint32_t low = stale ? 0 : 0x01234567, high = 0x89abcdef;
        uint8_t zf;
        __asm__ volatile("lock cmpxchg8b (%[p])\n\tsetz %[zf]"
                : "+a"(low), "+d"(high), [zf] "=q"(zf) : "b"(0x76543210), "c"(0xfedcba98), [p] "r"(pointer) : "cc", "memory");
        expect("cmpxchg8b zf", (uint64_t)stale, zf, !stale);
        expect("cmpxchg8b memory", (uint64_t)stale, memory, stale ? 0x89abcdef01234567ULL : 0xfedcba9876543210ULL);
        expect("cmpxchg8b edx:eax", (uint64_t)stale, (uint64_t)high << 32 | low, 0x89abcdef01234567ULL);

        static uint64_t pair[2] __attribute__((aligned(16)));
        pair[0] = 0x1111111111111111ULL;
        pair[1] = 0x2222222222222222ULL;
        uint64_t expected_low = stale ? 5 : pair[0], expected_high = pair[1];
        __asm__ volatile("lock cmpxchg16b (%[p])\n\tsetz %[zf]"
                : "+a"(expected_low), "+d"(expected_high), [zf] "=q"(zf)
                : "b"(0x3333333333333333ULL), "c"(0x4444444444444444ULL), [p] "r"(pair) : "cc", "memory");
        expect("cmpxchg16b zf", (uint64_t)stale, zf, !stale);
        expect("cmpxchg16b memory low", (uint64_t)stale, pair[0], stale ? 0x1111111111111111ULL : 0x3333333333333333ULL);
        expect("cmpxchg16b memory high", (uint64_t)stale, pair[1], stale ? 0x2222222222222222ULL : 0x4444444444444444ULL);
        expect("cmpxchg16b rdx:rax", (uint64_t)stale, expected_low ^ expected_high, 0x1111111111111111ULL ^ 0x2222222222222222ULL);
    }
    end_group("xadd/cmpxchg");
}

/* ---- REP string operations with DF clear and set ---- */

static void test_string_operations(void)
{
    static uint8_t source[64], destination[80], model[80];
    for (int i = 0; i < 64; i++)
        source[i] = (uint8_t)(i * 37 + 11);

    /* REP MOVSB forward. */
    memset(destination, 0xcc, sizeof(destination));
    const uint8_t *si = source;
    uint8_t *di = destination + 3;
    uint64_t count = 37;
    __asm__ volatile("rep movsb" : "+S"(si), "+D"(di), "+c"(count) : : "memory");
    memset(model, 0xcc, sizeof(model));
    memcpy(model + 3, source, 37);
    expect("rep movsb data", 0, (uint64_t)memcmp(destination, model, sizeof(model)), 0);
    expect("rep movsb rsi", 0, (uint64_t)(si - source), 37);
    expect("rep movsb rdi", 0, (uint64_t)(di - destination), 40);
    expect("rep movsb rcx", 0, count, 0);

    /* REP MOVSB backward over an overlapping range, as memmove does. */
    memcpy(destination, source, 64);
    memmove(model, source, 64);
    memmove(model + 5, model, 50);
    si = destination + 49;
    di = destination + 54;
    count = 50;
    __asm__ volatile("std\n\trep movsb\n\tcld" : "+S"(si), "+D"(di), "+c"(count) : : "memory");
    expect("std rep movsb data", 0, (uint64_t)memcmp(destination, model, 64), 0);
    expect("std rep movsb rsi", 0, (uint64_t)(si - destination), (uint64_t)-1);
    expect("std rep movsb rdi", 0, (uint64_t)(di - destination), 4);

    /* REP STOSQ both ways. */
    static uint64_t quads[12];
    memset(quads, 0, sizeof(quads));
    uint64_t *qdi = quads + 1;
    count = 5;
    __asm__ volatile("rep stosq" : "+D"(qdi), "+c"(count) : "a"(0x1122334455667788ULL) : "memory");
    qdi = quads + 10;
    count = 3;
    __asm__ volatile("std\n\trep stosq\n\tcld" : "+D"(qdi), "+c"(count) : "a"(0x99aabbccddeeff00ULL) : "memory");
    for (int i = 0; i < 12; i++)
        expect("rep stosq", (uint64_t)i, quads[i],
               i >= 1 && i <= 5 ? 0x1122334455667788ULL : i >= 8 && i <= 10 ? 0x99aabbccddeeff00ULL : 0);
    expect("std rep stosq rdi", 0, (uint64_t)(qdi - quads), 7);

    /* REPE CMPSB: stops after the first difference, flags from that compare. */
    memcpy(destination, source, 64);
    destination[20] ^= 0x80;
    uint64_t flags;
    si = source;
    di = destination;
    count = 64;
    __asm__ volatile("repe cmpsb\n\t" READ_FLAGS("%[flags]") : "+S"(si), "+D"(di), "+c"(count), [flags] "=r"(flags) : : "cc", "memory");
    expect("repe cmpsb rcx", 0, count, 43);
    expect("repe cmpsb rsi", 0, (uint64_t)(si - source), 21);
    expect("repe cmpsb flags", 0, flags & FLAGS_STATUS, subtraction_flags(source[20], destination[20], 8));
    si = source + 63;
    di = destination + 63;
    count = 64;
    __asm__ volatile("std\n\trepe cmpsb\n\tcld\n\t" READ_FLAGS("%[flags]") : "+S"(si), "+D"(di), "+c"(count), [flags] "=r"(flags) : : "cc", "memory");
    expect("std repe cmpsb rcx", 0, count, 20);
    expect("std repe cmpsb rdi", 0, (uint64_t)(di - destination), 19);
    expect("std repe cmpsb flags", 0, flags & FLAGS_STATUS, subtraction_flags(source[20], destination[20], 8));

    /* REPNE SCASB as strlen, then backwards for the last 'x'. */
    static const char text[] = "scan for the terminator, then for the last x in this xylophone";
    const char *scan = text;
    count = (uint64_t)-1;
    __asm__ volatile("repne scasb" : "+D"(scan), "+c"(count) : "a"(0) : "cc", "memory");
    expect("repne scasb length", 0, ~count - 1, sizeof(text) - 1);
    scan = text + sizeof(text) - 2;
    count = sizeof(text) - 1;
    __asm__ volatile("std\n\trepne scasb\n\tcld" : "+D"(scan), "+c"(count) : "a"('x') : "cc", "memory");
    expect("std repne scasb position", 0, (uint64_t)(scan + 1 - text), 53);

    /* REP with RCX = 0 does nothing, not even to the flags. */
    si = source;
    di = destination;
    count = 0;
    __asm__ volatile("xor %%eax, %%eax\n\trepe cmpsb\n\t" READ_FLAGS("%[flags]")
            : "+S"(si), "+D"(di), "+c"(count), [flags] "=r"(flags) : : "rax", "cc", "memory");
    expect("rep with rcx=0 flags", 0, flags & FLAGS_STATUS, FLAG_ZF | FLAG_PF);
    expect("rep with rcx=0 rsi", 0, (uint64_t)(si - source), 0);

    /* LODSB backwards, STOSB forwards: reverse a string. */
    char reversed[8] = { 0 };
    static const char forward[] = "abcdefg";
    const char *load = &forward[6];
    char *store = reversed;
    for (int i = 0; i < 7; i++)
        __asm__ volatile("std\n\tlodsb\n\tcld\n\tstosb" : "+S"(load), "+D"(store) : : "rax", "memory");
    expect("lodsb/stosb reverse", 0, (uint64_t)memcmp(reversed, "gfedcba", 8), 0);
    end_group("rep string ops");
}

/* ---- LAHF / SAHF / CMC / STC / CLC / PUSHFQ / POPFQ ---- */

static void test_flag_instructions(void)
{
    for (unsigned value = 0; value < 256; value++) {
        uint64_t ah = value << 8, conditions;
        /* SAHF loads SF ZF AF PF CF; LAHF reads them back with bit 1 set. */
        __asm__ volatile("sahf\n\tsetc %%bl\n\tsetz %%bh\n\tlahf\n\tsets %%cl\n\tsetp %%ch\n\tmovzwl %%bx, %%ebx\n\tmovzwl %%cx, %%ecx\n\tshl $16, %%ecx\n\tor %%rcx, %%rbx"
                : "+a"(ah), "=b"(conditions) : : "rcx", "cc");
        expect("sahf/lahf", value, ah >> 8 & 0xff, (value & 0xd5) | 2);
        expect("sahf conditions", value, conditions,
               (value & 1) | (uint64_t)(value >> 6 & 1) << 8 | (uint64_t)(value >> 7 & 1) << 16 | (uint64_t)(value >> 2 & 1) << 24);
    }

    uint8_t after_stc_cmc, after_clc_cmc, after_stc, after_clc;
    uint64_t with_carry = 40;
    __asm__ volatile("stc\n\tcmc\n\tsetc %[a]\n\tclc\n\tcmc\n\tsetc %[b]\n\tstc\n\tsetc %[c]\n\tadc $1, %[sum]\n\tclc\n\tsetc %[d]"
            : [a] "=q"(after_stc_cmc), [b] "=q"(after_clc_cmc), [c] "=q"(after_stc), [d] "=q"(after_clc), [sum] "+r"(with_carry) : : "cc");
    expect("stc cmc", 0, after_stc_cmc, 0);
    expect("clc cmc", 0, after_clc_cmc, 1);
    expect("stc", 0, after_stc, 1);
    expect("clc", 0, after_clc, 0);
    expect("stc adc", 0, with_carry, 42);

    /* POPFQ every combination of the status flags and DF (and ID, which any
     * privilege level may toggle); PUSHFQ must read the same back. */
    const uint64_t writable = FLAGS_STATUS | FLAG_DF | FLAG_ID;
    for (unsigned combination = 0; combination < 256; combination++) {
        uint64_t pattern = 0;
        for (unsigned bit = 0, chosen = 0; bit < 22; bit++)
            if (writable >> bit & 1)
                pattern |= (uint64_t)(combination >> chosen++ & 1) << bit;
        uint64_t flags, saved;
        uint8_t carry;
        __asm__ volatile("lea -128(%%rsp), %%rsp\n\t"
                "pushfq\n\tpopq %[saved]\n\t"
                "mov %[saved], %[flags]\n\tand %[keep], %[flags]\n\tor %[pattern], %[flags]\n\t"
                "pushq %[flags]\n\tpopfq\n\t"
                "setc %[carry]\n\t"
                "pushfq\n\tpopq %[flags]\n\t"
                "pushq %[saved]\n\tpopfq\n\t"
                "lea 128(%%rsp), %%rsp"
                : [flags] "=&r"(flags), [saved] "=&r"(saved), [carry] "=&q"(carry)
                : [keep] "r"(~writable), [pattern] "r"(pattern) : "cc");
        expect("popfq/pushfq", combination, flags & (writable | FLAG_FIXED), pattern | FLAG_FIXED);
        expect("popfq carry", combination, carry, pattern & FLAG_CF);
    }
    end_group("lahf/sahf/cmc/pushfq");
}

/* ---- BSWAP, sign and zero extension ---- */

static void test_extensions(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
        uint64_t value = patterns[i] ^ 0x0f1e2d3c4b5a6978ULL;
        uint64_t swapped64 = value, swapped32 = value;
        __asm__ volatile("bswapq %[v]" : [v] "+r"(swapped64));
        __asm__ volatile("bswapl %k[v]" : [v] "+r"(swapped32));
        expect("bswap64", i, swapped64, __builtin_bswap64(value));
        expect("bswap32", i, swapped32, __builtin_bswap32((uint32_t)value));

        uint64_t rax = value, rdx = 0x5a5a5a5a5a5a5a5aULL;
        __asm__ volatile("cbtw" : "+a"(rax));
        expect("cbw", i, rax, (value & ~0xffffULL) | (uint16_t)(int8_t)value);
        rax = value;
        __asm__ volatile("cwtl" : "+a"(rax));
        expect("cwde", i, rax, (uint32_t)(int16_t)value);
        rax = value;
        __asm__ volatile("cltq" : "+a"(rax));
        expect("cdqe", i, rax, (uint64_t)(int32_t)value);
        rax = value;
        __asm__ volatile("cwtd" : "+a"(rax), "+d"(rdx));
        expect("cwd", i, rdx, (0x5a5a5a5a5a5a5a5aULL & ~0xffffULL) | ((int16_t)value < 0 ? 0xffff : 0));
        __asm__ volatile("cltd" : "+a"(rax), "+d"(rdx));
        expect("cdq", i, rdx, (int32_t)value < 0 ? 0xffffffff : 0);
        __asm__ volatile("cqto" : "+a"(rax), "+d"(rdx));
        expect("cqo", i, rdx, (int64_t)value < 0 ? ~0ULL : 0);
        expect("cwd/cdq/cqo rax", i, rax, value);

        /* Narrow destinations keep the rest of the register; 32-bit ones clear it. */
        uint64_t out = 0x1234567890abcdefULL, source = value;
        __asm__ volatile("movsbw %b[s], %w[o]" : [o] "+r"(out) : [s] "q"(source));
        expect("movsbw", i, out, 0x1234567890ab0000ULL | (uint16_t)(int8_t)value);
        __asm__ volatile("movzbw %b[s], %w[o]" : [o] "+r"(out) : [s] "q"(source));
        expect("movzbw", i, out, 0x1234567890ab0000ULL | (uint8_t)value);
        __asm__ volatile("movsbl %b[s], %k[o]" : [o] "+r"(out) : [s] "q"(source));
        expect("movsbl", i, out, (uint32_t)(int8_t)value);
        __asm__ volatile("movsbq %b[s], %[o]" : [o] "+r"(out) : [s] "q"(source));
        expect("movsbq", i, out, (uint64_t)(int8_t)value);
        __asm__ volatile("movswl %w[s], %k[o]" : [o] "+r"(out) : [s] "r"(source));
        expect("movswl", i, out, (uint32_t)(int16_t)value);
        __asm__ volatile("movswq %w[s], %[o]" : [o] "+r"(out) : [s] "r"(source));
        expect("movswq", i, out, (uint64_t)(int16_t)value);
        __asm__ volatile("movslq %k[s], %[o]" : [o] "+r"(out) : [s] "r"(source));
        expect("movsxd", i, out, (uint64_t)(int32_t)value);
        __asm__ volatile("movzwq %w[s], %[o]" : [o] "+r"(out) : [s] "r"(source));
        expect("movzwq", i, out, (uint16_t)value);
        const uint64_t *memory = &value;
        __asm__ volatile("movsbq 1(%[m]), %[o]" : [o] "=r"(out) : [m] "r"(memory), "m"(value));
        expect("movsbq memory", i, out, (uint64_t)(int8_t)(value >> 8));
        __asm__ volatile("movzwl 2(%[m]), %k[o]" : [o] "=r"(out) : [m] "r"(memory), "m"(value));
        expect("movzwl memory", i, out, (uint16_t)(value >> 16));
        __asm__ volatile("movslq 4(%[m]), %[o]" : [o] "=r"(out) : [m] "r"(memory), "m"(value));
        expect("movsxd memory", i, out, (uint64_t)(int32_t)(value >> 32));
        /* MOVZX from AH, and MOVSXD without REX.W (63 C1: movsxd eax, ecx). */
        rax = value;
        __asm__ volatile("movzbl %%ah, %%ecx\n\tmov %%rcx, %%rax" : "+a"(rax) : : "rcx");
        expect("movzbl ah", i, rax, (uint8_t)(value >> 8));
        rax = ~0ULL;
        __asm__ volatile(".byte 0x63, 0xc1" : "+a"(rax) : "c"(value));
        expect("movsxd r32", i, rax, (uint32_t)value);
    }
    end_group("bswap/cbw/movsx/movzx");
}

/* ---- SETcc / CMOVcc ---- */

#define CONDITIONS(X) X(o, 0) X(no, 1) X(b, 2) X(ae, 3) X(e, 4) X(ne, 5) X(be, 6) X(a, 7) \
                      X(s, 8) X(ns, 9) X(p, 10) X(np, 11) X(l, 12) X(ge, 13) X(le, 14) X(g, 15)
#define SET_CONDITION(cc, index) "set" #cc " " #index "(%[set])\n\t"
/* The 64-bit CMOV keeps its destination when false; the 32-bit one still zero-extends it. */
#define CMOV_CONDITION(cc, index)                                                                  \
    "mov %[minus_one], %%rax\n\tmov %[minus_one], %%rdx\n\t"                                       \
    "cmov" #cc "q %[one], %%rax\n\tcmov" #cc "l (%[one_in_memory]), %%edx\n\t"                     \
    "mov %%rax, " #index " * 8(%[cmov64])\n\tmov %%rdx, " #index " * 8(%[cmov32])\n\t"

static unsigned condition_mask(uint64_t flags)
{
    unsigned cf = (flags & FLAG_CF) != 0, zf = (flags & FLAG_ZF) != 0, sf = (flags & FLAG_SF) != 0;
    unsigned of = (flags & FLAG_OF) != 0, pf = (flags & FLAG_PF) != 0;
    unsigned holds[16] = { of, !of, cf, !cf, zf, !zf, cf | zf, !(cf | zf), sf, !sf, pf, !pf,
                           sf != of, sf == of, zf | (sf != of), !(zf | (sf != of)) };
    unsigned mask = 0;
    for (int i = 0; i < 16; i++)
        mask |= holds[i] << i;
    return mask;
}

static void test_conditions(void)
{
    static const uint64_t one = 1;
    unsigned cases = 0;
    for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(patterns); j += 2) {
            for (unsigned width = 8; width <= 64; width *= 8, cases++) {
                uint8_t set[16];
                uint64_t cmov64[16], cmov32[16];
                uint64_t a = patterns[i], b = patterns[j] ^ (i * 0x10001);
                if (width == 8)
                    __asm__ volatile("cmpb %b[b], %b[a]\n\t" CONDITIONS(SET_CONDITION) CONDITIONS(CMOV_CONDITION)
                            : : [a] "q"(a), [b] "q"(b), [set] "r"(set), [cmov64] "r"(cmov64), [cmov32] "r"(cmov32),
                                [one] "r"(one), [one_in_memory] "r"(&one), [minus_one] "i"(-1)
                            : "rax", "rdx", "cc", "memory");
                else
                    __asm__ volatile("cmpq %[b], %[a]\n\t" CONDITIONS(SET_CONDITION) CONDITIONS(CMOV_CONDITION)
                            : : [a] "r"(a), [b] "r"(b), [set] "r"(set), [cmov64] "r"(cmov64), [cmov32] "r"(cmov32),
                                [one] "r"(one), [one_in_memory] "r"(&one), [minus_one] "i"(-1)
                            : "rax", "rdx", "cc", "memory");
                unsigned want = condition_mask(subtraction_flags(a, b, width));
                unsigned set_mask = 0, cmov_mask = 0, cmov32_mask = 0;
                for (int c = 0; c < 16; c++) {
                    set_mask |= (unsigned)set[c] << c;
                    cmov_mask |= (cmov64[c] == 1) << c;
                    cmov32_mask |= (cmov32[c] == 1) << c;
                    expect("cmov32 zero-extends", cases * 16 + (unsigned)c, cmov32[c], want >> c & 1 ? 1 : 0xffffffff);
                    expect("cmov64 keeps", cases * 16 + (unsigned)c, cmov64[c], want >> c & 1 ? 1 : ~0ULL);
                }
                expect("setcc", cases, set_mask, want);
                expect("cmovcc", cases, cmov_mask, want);
                expect("cmovcc 32", cases, cmov32_mask, want);
            }
        }
    }
    end_group("setcc/cmovcc");
}

/* ---- XCHG, XLAT, one-operand MUL/IMUL/DIV/IDIV ---- */

static void test_exchange_and_accumulator(void)
{
    uint64_t a = 0x1111111111111111ULL, b = 0xffffffff22222222ULL;
    __asm__ volatile("xchgq %[a], %[b]" : [a] "+r"(a), [b] "+r"(b));
    expect("xchg64", 0, a ^ b, 0x1111111111111111ULL ^ 0xffffffff22222222ULL);
    expect("xchg64 swapped", 0, a, 0xffffffff22222222ULL);
    __asm__ volatile("xchgl %k[a], %k[b]" : [a] "+r"(a), [b] "+r"(b));
    expect("xchg32 zero-extends", 0, a, 0x11111111);
    expect("xchg32 zero-extends other", 0, b, 0x22222222);
    a = 0xaaaaaaaaaaaa3333ULL;
    b = 0xbbbbbbbbbbbb4444ULL;
    __asm__ volatile("xchgw %w[a], %w[b]" : [a] "+r"(a), [b] "+r"(b));
    expect("xchg16", 0, a, 0xaaaaaaaaaaaa4444ULL);
    uint64_t rax = 0x1234;
    __asm__ volatile("xchgb %%ah, %%al" : "+a"(rax));
    expect("xchg ah, al", 0, rax, 0x3412);
    /* 87 C0 is xchg eax, eax: it clears the upper half. 90 is NOP and does not. */
    rax = 0xdeadbeef12345678ULL;
    __asm__ volatile(".byte 0x87, 0xc0" : "+a"(rax));
    expect("xchg eax, eax", 0, rax, 0x12345678);
    rax = 0xdeadbeef12345678ULL;
    __asm__ volatile(".byte 0x90" : "+a"(rax));
    expect("nop", 0, rax, 0xdeadbeef12345678ULL);
    /* 41 90 is xchg r8d, eax, not a NOP. */
    rax = 0xdeadbeef00000001ULL;
    uint64_t r8_value;
    __asm__ volatile("mov %[in], %%r8\n\t.byte 0x41, 0x90\n\tmov %%r8, %[out]" : "+a"(rax), [out] "=r"(r8_value) : [in] "r"(0xcafef00d00000002ULL) : "r8");
    expect("xchg r8d, eax: eax", 0, rax, 2);
    expect("xchg r8d, eax: r8d", 0, r8_value, 1);
    uint64_t memory = 0x5555555555555555ULL, *pointer = &memory, value = 7;
    __asm__ volatile("xchgq %[v], (%[p])" : [v] "+r"(value) : [p] "r"(pointer) : "memory");
    expect("xchg memory", 0, memory, 7);
    expect("xchg memory old", 0, value, 0x5555555555555555ULL);

    static const uint8_t table[256 + 1] = "0123456789abcdef";
    rax = 0xffffffffffff000bULL;
    __asm__ volatile("xlatb" : "+a"(rax) : "b"(table), "m"(table));
    expect("xlat", 0, rax, 0xffffffffffff0000ULL | 'b');

    /* 8-bit forms use AX; 16-bit forms use DX:AX and keep the upper bits. */
    uint64_t rdx, flags;
    rax = 0xaaaaaaaaaaaaaa00ULL | 200;
    __asm__ volatile("movb $3, %%cl\n\tmulb %%cl\n\t" READ_FLAGS("%[flags]") : "+a"(rax), [flags] "=r"(flags) : : "rcx", "cc");
    expect("mul8", 0, rax, 0xaaaaaaaaaaaa0000ULL | 600);
    expect("mul8 cf/of", 0, flags & (FLAG_CF | FLAG_OF), FLAG_CF | FLAG_OF);
    rax = 0xaaaaaaaaaaaaaa00ULL | (uint8_t)-100;
    __asm__ volatile("movb $-2, %%cl\n\timulb %%cl\n\t" READ_FLAGS("%[flags]") : "+a"(rax), [flags] "=r"(flags) : : "rcx", "cc");
    expect("imul8", 0, rax, 0xaaaaaaaaaaaa0000ULL | 200);
    expect("imul8 cf/of", 0, flags & (FLAG_CF | FLAG_OF), FLAG_CF | FLAG_OF);
    rax = 0x5555555555550000ULL | 1003;
    __asm__ volatile("movb $10, %%cl\n\tdivb %%cl" : "+a"(rax) : : "rcx", "cc");
    expect("div8 ah:al", 0, rax, 0x5555555555550000ULL | 3 << 8 | 100);
    rax = 0x5555555555550000ULL | (uint16_t)-1003;
    __asm__ volatile("movb $10, %%cl\n\tidivb %%cl" : "+a"(rax) : : "rcx", "cc");
    expect("idiv8 ah:al", 0, rax, 0x5555555555550000ULL | (uint8_t)-3 << 8 | (uint8_t)-100);
    rax = 0x7777777777770000ULL | 0xfffe;
    rdx = 0x6666666666660000ULL | 0x0003;
    __asm__ volatile("movw $0x1234, %%cx\n\tdivw %%cx" : "+a"(rax), "+d"(rdx) : : "rcx", "cc");
    expect("div16 ax", 0, rax, 0x7777777777770000ULL | 0x3fffe / 0x1234);
    expect("div16 dx", 0, rdx, 0x6666666666660000ULL | 0x3fffe % 0x1234);
    rax = 0x7777777777770000ULL | 0x1234;
    rdx = 0x6666666666660000ULL;
    __asm__ volatile("movw $-7, %%cx\n\timulw %%cx" : "+a"(rax), "+d"(rdx) : : "rcx", "cc");
    expect("imul16 dx:ax", 0, (rdx & 0xffff) << 16 | (rax & 0xffff), (uint32_t)(0x1234 * -7));
    expect("imul16 upper", 0, (rax >> 16) ^ (rdx >> 16), 0x777777777777ULL ^ 0x666666666666ULL);
    end_group("xchg/xlat/mul/div");
}

int guest_main(uint64_t ram_size)
{
    test_rotate_through_carry();
    test_double_shift();
    test_enter_leave();
    test_loops();
    test_adcx_adox();
    test_bit_strings();
    test_atomics();
    test_string_operations();
    test_flag_instructions();
    test_extensions();
    test_conditions();
    test_exchange_and_accumulator();
    check_u64("instructions agree with the C model", total_failures, 0);
    return check_summary();
}
