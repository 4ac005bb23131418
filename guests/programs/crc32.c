/* CRC-32 (IEEE, reflected) computed bitwise, with a byte table and with
 * slicing-by-4, plus CRC-32C bitwise; all must agree on every buffer. */
#include "guest.h"

enum { BUFFER_SIZE = 8192 };

static uint32_t table[4][256];
static uint8_t buffer[BUFFER_SIZE];

static uint32_t crc32_bitwise(uint32_t polynomial, const uint8_t *data, size_t length)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (polynomial & (0 - (crc & 1)));
    }
    return ~crc;
}

static void build_tables(void)
{
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++)
            crc = crc & 1 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
        table[0][byte] = crc;
    }
    for (int slice = 1; slice < 4; slice++) {
        for (int byte = 0; byte < 256; byte++)
            table[slice][byte] = (table[slice - 1][byte] >> 8) ^ table[0][table[slice - 1][byte] & 0xff];
    }
}

static uint32_t crc32_table(const uint8_t *data, size_t length)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < length; i++)
        crc = (crc >> 8) ^ table[0][(crc ^ data[i]) & 0xff];
    return ~crc;
}

static uint32_t crc32_slicing(const uint8_t *data, size_t length)
{
    uint32_t crc = 0xffffffff;
    for (; length >= 4; length -= 4, data += 4) {
        crc ^= (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
        crc = table[3][crc & 0xff] ^ table[2][crc >> 8 & 0xff] ^ table[1][crc >> 16 & 0xff] ^ table[0][crc >> 24];
    }
    for (; length; length--)
        crc = (crc >> 8) ^ table[0][(crc ^ *data++) & 0xff];
    return ~crc;
}

int guest_main(uint64_t ram_size)
{
    build_tables();
    const uint8_t *check_input = (const uint8_t *)"123456789";
    check_u64("crc32 bitwise check value", crc32_bitwise(0xedb88320, check_input, 9), 0xcbf43926);
    check_u64("crc32 table check value", crc32_table(check_input, 9), 0xcbf43926);
    check_u64("crc32 slicing check value", crc32_slicing(check_input, 9), 0xcbf43926);
    check_u64("crc32c check value", crc32_bitwise(0x82f63b78, check_input, 9), 0xe3069283);

    uint32_t seed = 1;
    for (size_t i = 0; i < BUFFER_SIZE; i++) {
        seed = seed * 1103515245 + 12345;
        buffer[i] = (uint8_t)(seed >> 16);
    }
    uint32_t mismatches = 0;
    static const size_t lengths[] = { 0, 1, 3, 4, 5, 63, 64, 1000, 4097, BUFFER_SIZE };
    for (size_t i = 0; i < ARRAY_SIZE(lengths); i++) {
        size_t offset = i % 4;
        size_t length = lengths[i] - (lengths[i] == BUFFER_SIZE ? offset : 0);
        uint32_t bitwise = crc32_bitwise(0xedb88320, buffer + offset, length);
        uint32_t by_table = crc32_table(buffer + offset, length);
        uint32_t sliced = crc32_slicing(buffer + offset, length);
        uint32_t castagnoli = crc32_bitwise(0x82f63b78, buffer + offset, length);
        gprintf("offset %zu length %5zu: crc32 %08x crc32c %08x\n", offset, length, by_table, castagnoli);
        mismatches += (bitwise != by_table) + (sliced != by_table);
    }
    check_u64("all crc32 methods agree", mismatches, 0);
    return check_summary();
}
