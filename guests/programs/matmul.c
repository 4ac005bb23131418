/* Integer matrix multiplication: int32 (with a transposed variant), int64,
 * uint8 inputs widened to uint16 sums, and a matrix power modulo a prime. */
#include "guest.h"

enum { N = 24 };

static int32_t a32[N][N], b32[N][N], c32[N][N], bt32[N][N], ct32[N][N];
static int64_t a64[N][N], b64[N][N], c64[N][N];
static uint8_t a8[N][N], b8[N][N];
static uint16_t c16[N][N];

static uint32_t seed = 12345;

static uint32_t next_random(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static uint64_t checksum(const void *data, size_t size)
{
    const uint8_t *bytes = data;
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
    return hash;
}

static void multiply_mod(uint64_t result[4][4], uint64_t x[4][4], uint64_t y[4][4], uint64_t modulus)
{
    uint64_t product[4][4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            uint64_t sum = 0;
            for (int k = 0; k < 4; k++)
                sum = (sum + x[i][k] * y[k][j]) % modulus;
            product[i][j] = sum;
        }
    }
    memcpy(result, product, sizeof(product));
}

int guest_main(uint64_t ram_size)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            a32[i][j] = (int32_t)(next_random() % 2001) - 1000;
            b32[i][j] = (int32_t)(next_random() % 2001) - 1000;
            a64[i][j] = (int64_t)next_random() * ((i + j) % 2 ? -1 : 1);
            b64[i][j] = (int64_t)(next_random() % 100000);
            a8[i][j] = (uint8_t)next_random();
            b8[i][j] = (uint8_t)(next_random() % 4);
        }
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            bt32[j][i] = b32[i][j];

    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int32_t sum32 = 0, sum_transposed = 0;
            int64_t sum64 = 0;
            uint16_t sum16 = 0;
            for (int k = 0; k < N; k++) {
                sum32 += a32[i][k] * b32[k][j];
                sum_transposed += a32[i][k] * bt32[j][k];
                sum64 += a64[i][k] * b64[k][j];
                sum16 = (uint16_t)(sum16 + a8[i][k] * b8[k][j]);
            }
            c32[i][j] = sum32;
            ct32[i][j] = sum_transposed;
            c64[i][j] = sum64;
            c16[i][j] = sum16;
        }
    }
    int64_t trace32 = 0, trace64 = 0;
    for (int i = 0; i < N; i++) {
        trace32 += c32[i][i];
        trace64 += c64[i][i];
    }
    gprintf("int32: trace %ld c[0][0] %d c[%d][%d] %d checksum %016lx\n", trace32, c32[0][0], N - 1, N - 1,
            c32[N - 1][N - 1], checksum(c32, sizeof(c32)));
    gprintf("int64: trace %ld checksum %016lx\n", trace64, checksum(c64, sizeof(c64)));
    gprintf("uint8->uint16: c[1][2] %u checksum %016lx\n", c16[1][2], checksum(c16, sizeof(c16)));
    check_u64("transposed product agrees", memcmp(c32, ct32, sizeof(c32)) == 0, 1);

    /* The Fibonacci companion matrix raised to 10^6 by squaring, mod 10^9+7. */
    const uint64_t modulus = 1000000007;
    uint64_t power[4][4] = { { 1, 1, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
    uint64_t result[4][4] = { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
    for (uint64_t exponent = 1000000; exponent; exponent >>= 1) {
        if (exponent & 1)
            multiply_mod(result, result, power, modulus);
        multiply_mod(power, power, power, modulus);
    }
    gprintf("fib(10^6) mod 1e9+7 = %lu\n", result[0][1]);
    check_u64("fib(10^6) mod 1e9+7", result[0][1], 918091266);
    return check_summary();
}
