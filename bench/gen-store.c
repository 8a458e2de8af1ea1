/*
 * Writes the benchmark's store: 16,384 tickets with identities of 360-480
 * bytes, about a fifth of them consumed, sealed in the standard seal
 * (FORMAT.md). The tickets come from a fixed pseudo-random sequence, so
 * every run measures the same payload; only the envelope nonce is fresh.
 *
 *   gen-store KEY_FILE OUT_FILE ISSUED_BEFORE_MS
 *
 * Every ticket is issued within the day before ISSUED_BEFORE_MS and lives
 * seven days, so at that clock none is expired and rotate removes exactly
 * the consumed ones.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ticket_count = 16384,
    payload_limit = 8 * 1024 * 1024,
    header_size = 21,
    tag_size = 16,
    fixed_ticket_size = 2 + 2 + 4 + 4 + 8 + 8 + 4 + 1,
};

static uint64_t state = 0x6e6f78746c73ULL;

/* xorshift64*: deterministic, good enough to fill test tickets. */
static uint64_t next_random(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dULL;
}

static uint64_t random_between(uint64_t low, uint64_t high) {
    return low + next_random() % (high - low + 1);
}

static unsigned char *put(unsigned char *at, uint64_t value, int size) {
    for (int index = size - 1; index >= 0; index--) {
        at[index] = (unsigned char)value;
        value >>= 8;
    }
    return at + size;
}

static unsigned char *put_random_bytes(unsigned char *at, size_t count) {
    for (size_t index = 0; index < count; index++) {
        at[index] = (unsigned char)next_random();
    }
    return at + count;
}

static int fail(const char *what, const char *path) {
    fprintf(stderr, "gen-store: error: %s: %s\n", path, what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: gen-store KEY_FILE OUT_FILE ISSUED_BEFORE_MS\n");
        return 64;
    }
    if (sodium_init() < 0 || !crypto_aead_aes256gcm_is_available()) {
        return fail("libsodium has no AES-256-GCM on this CPU", "libsodium");
    }
    uint64_t issued_before = strtoull(argv[3], NULL, 10);

    unsigned char material[4096];
    FILE *key_file = fopen(argv[1], "rb");
    if (!key_file) return fail("cannot open the key file", argv[1]);
    size_t material_length = fread(material, 1, sizeof material, key_file);
    fclose(key_file);
    if (material_length == 0) return fail("the key file is empty", argv[1]);
    unsigned char key[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(key, material, material_length);

    unsigned char *payload = malloc(payload_limit);
    unsigned char *file = malloc(header_size + payload_limit + tag_size);
    if (!payload || !file) return fail("out of memory", "gen-store");

    unsigned char *at = payload;
    memcpy(at, "NXTK", 4);
    at += 4;
    at = put(at, 2, 1);
    at = put(at, ticket_count, 4);
    at = put(at, ticket_count, 4);
    int consumed = 0;
    for (int index = 0; index < ticket_count; index++) {
        uint64_t identity_length = random_between(360, 480);
        uint64_t nonce_length = random_between(24, 40);
        if ((size_t)(at - payload) + fixed_ticket_size + identity_length + nonce_length > payload_limit) {
            return fail("the tickets would pass the 8 MiB payload limit", argv[2]);
        }
        at = put(at, identity_length, 2);
        at = put_random_bytes(at, identity_length);
        at = put(at, nonce_length, 2);
        at = put_random_bytes(at, nonce_length);
        at = put(at, next_random() & 0xffffffffu, 4);
        at = put(at, next_random() & 0xffffffffu, 4);
        at = put(at, issued_before - random_between(1, 86400000), 8);
        at = put(at, 7ULL * 86400000, 8);
        at = put(at, next_random() % 2 ? 16384 : 0, 4);
        int is_consumed = next_random() % 5 == 0;
        consumed += is_consumed;
        at = put(at, (uint64_t)is_consumed, 1);
    }
    size_t payload_length = (size_t)(at - payload);

    memcpy(file, "NXSE", 4);
    file[4] = 1;
    randombytes_buf(file + 5, crypto_aead_aes256gcm_NPUBBYTES);
    put(file + 17, payload_length, 4);
    crypto_aead_aes256gcm_encrypt_detached(
        file + header_size, file + header_size + payload_length, NULL, payload, payload_length,
        file, header_size, NULL, file + 5, key);

    FILE *out = fopen(argv[2], "wb");
    if (!out) return fail("cannot create the store", argv[2]);
    size_t file_length = header_size + payload_length + tag_size;
    if (fwrite(file, 1, file_length, out) != file_length || fclose(out) != 0) {
        return fail("cannot write the store", argv[2]);
    }
    printf("%s: %d tickets, %d consumed, payload %zu bytes, file %zu bytes\n", argv[2], ticket_count,
           consumed, payload_length, file_length);
    sodium_memzero(key, sizeof key);
    sodium_memzero(payload, payload_limit);
    free(payload);
    free(file);
    return 0;
}
