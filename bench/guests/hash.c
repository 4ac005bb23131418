/* Benchmark: SHA-256 and table-driven CRC-32 over a 4 MiB generated buffer,
 * several rounds; each round folds the previous digest into the buffer so no
 * round can be skipped. Prints one line per round and checks known answers. */
#include "guest.h"
#include "sha256_block.h"

enum { BUFFER_SIZE = 4 << 20, ROUNDS = 6 };

static uint8_t buffer[BUFFER_SIZE];
static uint32_t crc_table[256];

/* SHA-256 of a whole message in memory. */
static void sha256(const uint8_t *data, size_t length, uint8_t digest[32])
{
    uint32_t state[8];
    memcpy(state, sha256_initial_state, sizeof(state));
    size_t full = length / 64 * 64;
    for (size_t offset = 0; offset < full; offset += 64)
        sha256_compress(state, data + offset);

    uint8_t tail[128];
    size_t rest = length - full;
    for (size_t i = 0; i < sizeof(tail); i++)
        tail[i] = 0;
    for (size_t i = 0; i < rest; i++)
        tail[i] = data[full + i];
    tail[rest] = 0x80;
    size_t tail_length = rest + 9 <= 64 ? 64 : 128;
    uint64_t bit_length = (uint64_t)length * 8;
    for (int i = 0; i < 8; i++)
        tail[tail_length - 1 - i] = (uint8_t)(bit_length >> (8 * i));
    sha256_compress(state, tail);
    if (tail_length == 128)
        sha256_compress(state, tail + 64);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)state[i];
    }
}

static void crc32_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc32(const uint8_t *data, size_t length)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < length; i++)
        crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

static void to_hex(const uint8_t digest[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = 0;
}

int guest_main(uint64_t ram_size)
{
    uint8_t digest[32];
    char hex[65];
    crc32_init();

    sha256((const uint8_t *)"abc", 3, digest);
    to_hex(digest, hex);
    check_str("sha256(abc)", hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_u64("crc32(123456789)", crc32((const uint8_t *)"123456789", 9), 0xcbf43926);

    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < BUFFER_SIZE; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (int k = 0; k < 8; k++)
            buffer[i + k] = (uint8_t)(x >> (8 * k));
    }

    uint32_t crc_fold = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint32_t crc = crc32(buffer, BUFFER_SIZE);
        sha256(buffer, BUFFER_SIZE, digest);
        to_hex(digest, hex);
        gprintf("round %d: crc32 %08x sha256 %s\n", round, crc, hex);
        crc_fold = crc_fold * 31 + crc;
        for (int i = 0; i < 32; i++)
            buffer[(size_t)round * 65537 % (BUFFER_SIZE - 32) + i] ^= digest[i];
    }
    gprintf("checksum %08x\n", crc_fold);
    return check_summary();
}
