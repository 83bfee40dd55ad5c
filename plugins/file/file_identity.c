/*
 * file_identity.c - fingerprints of file heads and the owner of a file among the tasks (see
 * file_identity.h).
 */
#include "file_identity.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "support/hex.h"

#define FNV_OFFSET_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

uint64_t file_identity_hash(const void *data, size_t len)
{
    const unsigned char *bytes = data;
    uint64_t hash = FNV_OFFSET_BASIS;
    for (size_t i = 0; i < len; i++) {
        hash ^= bytes[i];
        hash *= FNV_PRIME;
    }
    return hash;
}

void file_identity_hash_hex(uint64_t hash, char out[FILE_IDENTITY_HEX_LEN + 1])
{
    /* Most significant byte first, so that the digits read as the number. */
    unsigned char bytes[8];
    for (int i = 7; i >= 0; i--, hash >>= 8)
        bytes[i] = (unsigned char)(hash & 0xff);
    hex_encode(bytes, sizeof(bytes), out);
}

bool file_identity_hash_parse(const char *text, uint64_t *hash)
{
    unsigned char bytes[8];
    if (!text || strlen(text) != FILE_IDENTITY_HEX_LEN ||
        hex_decode(text, FILE_IDENTITY_HEX_LEN, bytes) != (long)sizeof(bytes))
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < sizeof(bytes); i++)
        value = value << 8 | bytes[i];
    *hash = value;
    return true;
}

ssize_t file_identity_head_read(int fd, void *buffer, size_t want)
{
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(fd, (char *)buffer + got, want - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

file_head_relation file_identity_head_compare(const unsigned char *candidate,
                                              size_t candidate_len, const unsigned char *known,
                                              size_t known_len, size_t full)
{
    if (known_len < full || full == 0)
        return FILE_HEAD_DIFFERENT;
    if (candidate_len >= full)
        return memcmp(candidate, known, full) == 0 ? FILE_HEAD_SAME : FILE_HEAD_DIFFERENT;
    return memcmp(candidate, known, candidate_len) == 0 ? FILE_HEAD_PREFIX : FILE_HEAD_DIFFERENT;
}

typedef struct file_identity_magic {
    const char *format;
    const unsigned char *bytes;
    size_t len;
} file_identity_magic;

/* bzip2: "BZh", a block size '1'..'9', then a block header (pi) or an empty stream's end (sqrt
 * pi): checked separately for the digit. */
static const file_identity_magic file_identity_magics[] = {
    {"gzip", (const unsigned char *)"\x1f\x8b", 2},
    {"xz", (const unsigned char *)"\xfd" "7zXZ\x00", 6},
    {"zstd", (const unsigned char *)"\x28\xb5\x2f\xfd", 4},
};

static bool file_identity_bzip2(const unsigned char *head, size_t len)
{
    static const unsigned char block[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
    static const unsigned char end[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
    return len >= 10 && memcmp(head, "BZh", 3) == 0 && head[3] >= '1' && head[3] <= '9' &&
           (memcmp(head + 4, block, 6) == 0 || memcmp(head + 4, end, 6) == 0);
}

const char *file_identity_compressed(const unsigned char *head, size_t len)
{
    for (size_t i = 0; i < sizeof(file_identity_magics) / sizeof(file_identity_magics[0]); i++) {
        const file_identity_magic *magic = &file_identity_magics[i];
        if (len >= magic->len && memcmp(head, magic->bytes, magic->len) == 0)
            return magic->format;
    }
    return file_identity_bzip2(head, len) ? "bzip2" : NULL;
}

uint32_t file_identity_owner(uint64_t device, uint64_t inode, uint32_t task_count)
{
    if (task_count <= 1)
        return 0;
    /* splitmix64's finaliser over both numbers: consecutive inodes land on different tasks. */
    uint64_t x = device * 0x9e3779b97f4a7c15ull ^ inode;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (uint32_t)(x % task_count);
}
