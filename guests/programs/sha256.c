/* SHA-256 of the FIPS 180-2 test vectors and of a generated message fed in
 * uneven pieces. */
#include "guest.h"

struct sha256 {
    uint32_t state[8];
    uint8_t block[64];
    uint64_t length;
};

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotate_right(uint32_t value, int count)
{
    return value >> count | value << (32 - count);
}

static void compress(uint32_t state[8], const uint8_t block[64])
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 | (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotate_right(w[i - 15], 7) ^ rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotate_right(w[i - 2], 17) ^ rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25)) + ((e & f) ^ (~e & g)) + round_constants[i] + w[i];
        uint32_t t2 = (rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

static void sha256_init(struct sha256 *context)
{
    static const uint32_t initial[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(context->state, initial, sizeof(initial));
    context->length = 0;
}

static void sha256_update(struct sha256 *context, const uint8_t *data, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        context->block[context->length++ % 64] = data[i];
        if (context->length % 64 == 0)
            compress(context->state, context->block);
    }
}

static void sha256_final(struct sha256 *context, char hex[65])
{
    uint64_t bit_length = context->length * 8;
    uint8_t padding = 0x80;
    sha256_update(context, &padding, 1);
    padding = 0;
    while (context->length % 64 != 56)
        sha256_update(context, &padding, 1);
    for (int shift = 56; shift >= 0; shift -= 8) {
        uint8_t byte = (uint8_t)(bit_length >> shift);
        sha256_update(context, &byte, 1);
    }
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        uint8_t byte = (uint8_t)(context->state[i / 4] >> (24 - 8 * (i % 4)));
        hex[2 * i] = digits[byte >> 4];
        hex[2 * i + 1] = digits[byte & 15];
    }
    hex[64] = 0;
}

static void sha256_text(const char *text, char hex[65])
{
    struct sha256 context;
    sha256_init(&context);
    sha256_update(&context, (const uint8_t *)text, strlen(text));
    sha256_final(&context, hex);
}

int guest_main(uint64_t ram_size)
{
    char hex[65];
    sha256_text("abc", hex);
    check_str("sha256(\"abc\")", hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_text("", hex);
    check_str("sha256(\"\")", hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    check_str("sha256(448-bit message)", hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    struct sha256 context;
    sha256_init(&context);
    uint8_t chunk[100];
    for (int i = 0; i < 10000 / 100; i++) {
        memset(chunk, 'a', sizeof(chunk));
        sha256_update(&context, chunk, 100 - 3 * (i % 2));
        sha256_update(&context, chunk, 3 * (i % 2));
    }
    sha256_final(&context, hex);
    check_str("sha256(10000 x 'a')", hex, "27dd1f61b867b6a0f6e9d8a41c43231de52107e53ae424de8f847b821db4b711");

    sha256_init(&context);
    for (uint32_t i = 0; i < 3000; i++) {
        uint8_t byte = (uint8_t)(i * i ^ i >> 3);
        sha256_update(&context, &byte, 1);
    }
    sha256_final(&context, hex);
    check_str("sha256(generated 3000 bytes)", hex, "392b9a5b00c3bb3ba2884e4992c0780f9077295ef38b3c56929888a2a77120c5");
    return check_summary();
}
