/* Arbitrary-precision arithmetic: 100! with 32-bit and with 64-bit limbs,
 * (100!)^2 by schoolbook multiplication (MUL with 128-bit products, ADC
 * chains), Fibonacci(1000) by addition and a subtraction with borrow. */
#include "guest.h"

enum { MAX_LIMBS = 40, MAX_DIGITS = MAX_LIMBS * 20 + 1 };

struct bignum {
    uint64_t limbs[MAX_LIMBS]; /* little-endian */
    int count;
};

static void bignum_set(struct bignum *n, uint64_t value)
{
    memset(n, 0, sizeof(*n));
    n->limbs[0] = value;
    n->count = 1;
}

static void bignum_trim(struct bignum *n)
{
    while (n->count > 1 && n->limbs[n->count - 1] == 0)
        n->count--;
}

static void bignum_multiply_small(struct bignum *n, uint64_t factor)
{
    uint64_t carry = 0;
    for (int i = 0; i < n->count; i++) {
        unsigned __int128 product = (unsigned __int128)n->limbs[i] * factor + carry;
        n->limbs[i] = (uint64_t)product;
        carry = (uint64_t)(product >> 64);
    }
    if (carry)
        n->limbs[n->count++] = carry;
}

static void bignum_add(struct bignum *sum, const struct bignum *a, const struct bignum *b)
{
    int count = a->count > b->count ? a->count : b->count;
    uint64_t carry = 0;
    for (int i = 0; i < count; i++) {
        uint64_t x = i < a->count ? a->limbs[i] : 0;
        uint64_t y = i < b->count ? b->limbs[i] : 0;
        unsigned __int128 limb_sum = (unsigned __int128)x + y + carry;
        sum->limbs[i] = (uint64_t)limb_sum;
        carry = (uint64_t)(limb_sum >> 64);
    }
    sum->count = count;
    if (carry)
        sum->limbs[sum->count++] = carry;
}

/* Requires a >= b. */
static void bignum_subtract(struct bignum *difference, const struct bignum *a, const struct bignum *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < a->count; i++) {
        uint64_t y = i < b->count ? b->limbs[i] : 0;
        uint64_t limb = a->limbs[i] - y - borrow;
        borrow = a->limbs[i] < y || (a->limbs[i] == y && borrow);
        difference->limbs[i] = limb;
    }
    difference->count = a->count;
    bignum_trim(difference);
}

static void bignum_multiply(struct bignum *product, const struct bignum *a, const struct bignum *b)
{
    struct bignum result;
    memset(&result, 0, sizeof(result));
    for (int i = 0; i < a->count; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < b->count; j++) {
            unsigned __int128 t = (unsigned __int128)a->limbs[i] * b->limbs[j] + result.limbs[i + j] + carry;
            result.limbs[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        result.limbs[i + b->count] = carry;
    }
    result.count = a->count + b->count;
    bignum_trim(&result);
    *product = result;
}

static int bignum_equal(const struct bignum *a, const struct bignum *b)
{
    return a->count == b->count && memcmp(a->limbs, b->limbs, a->count * sizeof(uint64_t)) == 0;
}

static void bignum_to_hex(const struct bignum *n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    int started = 0;
    for (int i = n->count * 16 - 1; i >= 0; i--) {
        int digit = n->limbs[i / 16] >> (4 * (i % 16)) & 15;
        started |= digit != 0 || i == 0;
        if (started)
            *out++ = digits[digit];
    }
    *out = 0;
}

/* Divides by 10^9 one 32-bit half-limb at a time, so every step is a 64-by-32 division. */
static uint32_t bignum_divide_billion(struct bignum *n)
{
    uint64_t remainder = 0;
    for (int i = n->count - 1; i >= 0; i--) {
        uint64_t high = (remainder << 32 | n->limbs[i] >> 32);
        uint64_t low = ((high % 1000000000) << 32 | (uint32_t)n->limbs[i]);
        n->limbs[i] = (high / 1000000000) << 32 | low / 1000000000;
        remainder = low % 1000000000;
    }
    bignum_trim(n);
    return (uint32_t)remainder;
}

static void bignum_to_decimal(const struct bignum *value, char *out)
{
    struct bignum n = *value;
    char reversed[MAX_DIGITS];
    int length = 0;
    do {
        uint32_t chunk = bignum_divide_billion(&n);
        int last = n.count == 1 && n.limbs[0] == 0;
        for (int digit = 0; digit < 9 && (!last || chunk || digit == 0); digit++) {
            reversed[length++] = (char)('0' + chunk % 10);
            chunk /= 10;
        }
    } while (n.count > 1 || n.limbs[0] != 0);
    for (int i = 0; i < length; i++)
        out[i] = reversed[length - 1 - i];
    out[length] = 0;
}

/* 100! again, with 32-bit limbs and 64-bit intermediate products. */
static void factorial_32bit_limbs(unsigned n, char *out)
{
    enum { LIMB_BASE = 1000000000 };
    uint32_t limbs[MAX_LIMBS * 3] = { 1 };
    int count = 1;
    for (uint32_t factor = 2; factor <= n; factor++) {
        uint32_t carry = 0;
        for (int i = 0; i < count; i++) {
            uint64_t product = (uint64_t)limbs[i] * factor + carry;
            limbs[i] = (uint32_t)(product % LIMB_BASE);
            carry = (uint32_t)(product / LIMB_BASE);
        }
        for (; carry; carry /= LIMB_BASE)
            limbs[count++] = carry % LIMB_BASE;
    }
    int length = 0;
    for (int i = count - 1; i >= 0; i--) {
        uint32_t limb = limbs[i];
        char digits[9];
        for (int d = 8; d >= 0; d--, limb /= 10)
            digits[d] = (char)('0' + limb % 10);
        int skip = 0;
        if (i == count - 1)
            while (skip < 8 && digits[skip] == '0')
                skip++;
        for (int d = skip; d < 9; d++)
            out[length++] = digits[d];
    }
    out[length] = 0;
}

static const char factorial_100[] =
    "93326215443944152681699238856266700490715968264381621468592963895217599993229915608941463976156518286253697920827223758251185210916864000000000000000000000000";

int guest_main(uint64_t ram_size)
{
    static char text[MAX_DIGITS];
    struct bignum factorial, square, previous, current, next, difference, one;

    bignum_set(&factorial, 1);
    for (uint64_t factor = 2; factor <= 100; factor++)
        bignum_multiply_small(&factorial, factor);
    bignum_to_decimal(&factorial, text);
    gprintf("100! = %s\n", text);
    check_str("100! with 64-bit limbs", text, factorial_100);
    bignum_to_hex(&factorial, text);
    check_str("100! in hex", text,
              "1b30964ec395dc24069528d54bbda40d16e966ef9a70eb21b5b2943a321cdf10391745570cca9420c6ecb3b72ed2ee8b02ea2735c61a000000000000000000000000");
    factorial_32bit_limbs(100, text);
    check_str("100! with 32-bit limbs", text, factorial_100);

    bignum_multiply(&square, &factorial, &factorial);
    bignum_to_hex(&square, text);
    gprintf("(100!)^2 = 0x%s\n", text);
    check_str("(100!)^2", text,
              "2e348ed530b5a11899ff14ffdfa14ad5d879fbb5514885623a48641dd73a3f3054392faf8c933459e758d4f56d2cfdc70508bd6a5cd00beec4fa362680f1b9be241bbc430e2e421e2d2cbcd1829930ad1c3592989f407cad9828c3edd126d00c7cd6a2e03a3fd2f8c103aa4000000000000000000000000000000000000000000000000");

    bignum_set(&previous, 0);
    bignum_set(&current, 1);
    for (int i = 1; i < 1000; i++) {
        bignum_add(&next, &previous, &current);
        previous = current;
        current = next;
    }
    bignum_to_decimal(&current, text);
    gprintf("fib(1000) = %s\n", text);
    check_str("fib(1000)", text,
              "43466557686937456435688527675040625802564660517371780402481729089536555417949051890403879840079255169295922593080322634775209689623239873322471161642996440906533187938298969649928516003704476137795166849228875");
    bignum_subtract(&difference, &current, &previous);
    bignum_subtract(&difference, &current, &difference);
    check_u64("fib(1000) - (fib(1000) - fib(999)) == fib(999)", bignum_equal(&difference, &previous), 1);

    /* 2^521 - 1 by shifting ones in through repeated doubling and increments. */
    bignum_set(&one, 1);
    bignum_set(&current, 0);
    for (int bit = 0; bit < 521; bit++) {
        bignum_add(&current, &current, &current);
        bignum_add(&current, &current, &one);
    }
    bignum_to_hex(&current, text);
    gprintf("2^521-1 = 0x%s\n", text);
    check_u64("2^521-1 limb count", current.count, 9);
    return check_summary();
}
