/*
 * The floor for rewriting a store: the work no implementation can skip.
 * Read the standard-sealed file, open it with one AES-256-GCM decrypt, seal
 * the same plaintext under a fresh nonce, write a temporary file beside it,
 * fsync, rename over the original. No parsing, no re-encoding, no
 * verification pass: ticketctl's rotate is measured against this.
 *
 *   floor KEY_FILE STORE_FILE
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { header_size = 21, tag_size = 16 };

static int fail(const char *what, const char *path) {
    fprintf(stderr, "floor: error: %s: %s\n", path, what);
    return 1;
}

static int read_whole(const char *path, unsigned char **bytes, size_t *length) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat info;
    if (fstat(fd, &info) != 0 || !(*bytes = malloc((size_t)info.st_size + 1))) {
        close(fd);
        return -1;
    }
    size_t total = 0;
    while (total < (size_t)info.st_size) {
        ssize_t got = read(fd, *bytes + total, (size_t)info.st_size - total);
        if (got <= 0) break;
        total += (size_t)got;
    }
    close(fd);
    *length = total;
    return total == (size_t)info.st_size ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: floor KEY_FILE STORE_FILE\n");
        return 64;
    }
    if (sodium_init() < 0 || !crypto_aead_aes256gcm_is_available()) {
        return fail("libsodium has no AES-256-GCM on this CPU", "libsodium");
    }

    unsigned char *material;
    size_t material_length;
    if (read_whole(argv[1], &material, &material_length) != 0 || material_length == 0) {
        return fail("cannot read the key", argv[1]);
    }
    unsigned char key[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(key, material, material_length);

    unsigned char *file;
    size_t file_length;
    if (read_whole(argv[2], &file, &file_length) != 0) return fail("cannot read the store", argv[2]);
    if (file_length < header_size + tag_size) return fail("too short for a store", argv[2]);
    size_t length = file_length - header_size - tag_size;
    unsigned char *plaintext = malloc(length + 1);
    if (!plaintext) return fail("out of memory", argv[2]);

    if (crypto_aead_aes256gcm_decrypt_detached(
            plaintext, NULL, file + header_size, length, file + header_size + length, file,
            header_size, file + 5, key) != 0) {
        return fail("authentication failed (the floor reads the standard seal only)", argv[2]);
    }
    randombytes_buf(file + 5, crypto_aead_aes256gcm_NPUBBYTES);
    crypto_aead_aes256gcm_encrypt_detached(
        file + header_size, file + header_size + length, NULL, plaintext, length, file,
        header_size, NULL, file + 5, key);

    size_t temporary_length = strlen(argv[2]) + sizeof ".floor-tmp";
    char *temporary = malloc(temporary_length);
    if (!temporary) return fail("out of memory", argv[2]);
    snprintf(temporary, temporary_length, "%s.floor-tmp", argv[2]);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return fail("cannot create the temporary file", temporary);
    size_t written = 0;
    while (written < file_length) {
        ssize_t result = write(fd, file + written, file_length - written);
        if (result <= 0) return fail("cannot write", temporary);
        written += (size_t)result;
    }
    if (fsync(fd) != 0 || close(fd) != 0) return fail("cannot fsync", temporary);
    if (rename(temporary, argv[2]) != 0) return fail("cannot rename into place", argv[2]);

    sodium_memzero(key, sizeof key);
    sodium_memzero(plaintext, length);
    return 0;
}
