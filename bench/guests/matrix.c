/* Benchmark: integer matrix products. C = A * B and D = C * A for 576x576
 * uint32 matrices (wrapping arithmetic), row-major with the i-k-j loop
 * order, then an FNV-1a checksum of each result. */
#include "guest.h"

enum { N = 576 };

static uint32_t a[N][N], b[N][N], c[N][N], d[N][N];

static uint32_t seed = 2463534242u;

static uint32_t next_random(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static void multiply(uint32_t (*result)[N], uint32_t (*x)[N], uint32_t (*y)[N])
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            result[i][j] = 0;
        for (int k = 0; k < N; k++) {
            uint32_t factor = x[i][k];
            for (int j = 0; j < N; j++)
                result[i][j] += factor * y[k][j];
        }
    }
}

static uint64_t checksum(uint32_t (*m)[N])
{
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            hash = (hash ^ m[i][j]) * 0x100000001b3ULL;
    return hash;
}

int guest_main(uint64_t ram_size)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            a[i][j] = next_random() % 1000;
            b[i][j] = next_random();
        }
    }
    multiply(c, a, b);
    gprintf("C = A*B: c[0][0] %u c[%d][%d] %u checksum %016lx\n", c[0][0], N - 1, N - 1, c[N - 1][N - 1],
            (unsigned long)checksum(c));
    multiply(d, c, a);
    gprintf("D = C*A: d[0][0] %u d[%d][%d] %u checksum %016lx\n", d[0][0], N - 1, N - 1, d[N - 1][N - 1],
            (unsigned long)checksum(d));

    /* Spot-check one element of D by a dot product computed the other way round. */
    uint32_t dot = 0;
    for (int k = 0; k < N; k++)
        dot += c[N / 2][k] * a[k][N / 3];
    check_u64("d[N/2][N/3] by dot product", dot, d[N / 2][N / 3]);
    return check_summary();
}
