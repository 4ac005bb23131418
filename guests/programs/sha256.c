/* SHA-256 of the FIPS 180-2 test vectors and of a generated message fed in
 * uneven pieces. */
#include "guest.h"
#include "sha256_block.h"

struct sha256 {
    uint32_t state[8];
    uint8_t block[64];
    uint64_t length;
};

static void sha256_init(struct sha256 *context)
{
    memcpy(context->state, sha256_initial_state, sizeof(sha256_initial_state));
    context->length = 0;
}

static void sha256_update(struct sha256 *context, const uint8_t *data, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        context->block[context->length++ % 64] = data[i];
        if (context->length % 64 == 0)
            sha256_compress(context->state, context->block);
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
