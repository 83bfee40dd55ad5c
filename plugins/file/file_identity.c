/*
 * file_identity.c - fingerprints of file heads and the owner of a file among the tasks (see
 * file_identity.h).
 */
#include "file_identity.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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
    static const char digits[] = "0123456789abcdef";
    for (int i = FILE_IDENTITY_HEX_LEN - 1; i >= 0; i--) {
        out[i] = digits[hash & 0xf];
        hash >>= 4;
    }
    out[FILE_IDENTITY_HEX_LEN] = '\0';
}

bool file_identity_hash_parse(const char *text, uint64_t *hash)
{
    if (!text || strlen(text) != FILE_IDENTITY_HEX_LEN)
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < FILE_IDENTITY_HEX_LEN; i++) {
        char c = text[i];
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = (unsigned)(c - 'A' + 10);
        else
            return false;
        value = value << 4 | digit;
    }
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
