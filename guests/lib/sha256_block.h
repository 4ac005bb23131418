/* The SHA-256 block function (FIPS 180-4), shared by the sha256 test guest
 * (programs/sha256.c) and the hash benchmark (bench/guests/hash.c), which pad
 * and feed the message each their own way. */
#ifndef ORCVM_GUEST_SHA256_BLOCK_H
#define ORCVM_GUEST_SHA256_BLOCK_H

#include <stdint.h>

/* The hash value before the first block. */
extern const uint32_t sha256_initial_state[8];

/* Folds one 64-byte block of the padded message into state. */
void sha256_compress(uint32_t state[8], const uint8_t block[64]);

#endif
