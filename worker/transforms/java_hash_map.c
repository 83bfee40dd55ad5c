/*
 * java_hash_map.c - Java's HashMap buckets of string keys (java_hash_map.h).
 */
#include "transforms/java_hash_map.h"

#include <string.h>

#include "support/utf8.h"

/* HashMap's MAXIMUM_CAPACITY. */
#define JAVA_HASH_MAP_MAX_TABLE ((size_t)1 << 30)

int32_t java_hash_map_string_hash(const char *text)
{
    const unsigned char *at = (const unsigned char *)text;
    size_t left = strlen(text);
    uint32_t hash = 0; /* Java's int arithmetic wraps: unsigned here, the same bits */
    while (left > 0) {
        uint32_t codepoint;
        size_t used = utf8_sequence(at, left, &codepoint);
        if (used == 0) {
            used = utf8_invalid_length(at, left);
            codepoint = 0xFFFD;
        }
        if (codepoint >= 0x10000) {
            hash = hash * 31u + (0xD800u + ((codepoint - 0x10000u) >> 10));
            hash = hash * 31u + (0xDC00u + ((codepoint - 0x10000u) & 0x3FFu));
        } else {
            hash = hash * 31u + codepoint;
        }
        at += used;
        left -= used;
    }
    return (int32_t)hash;
}

size_t java_hash_map_table_grown(size_t count)
{
    size_t table = 16;
    while (table < JAVA_HASH_MAP_MAX_TABLE && count > table / 4 * 3)
        table *= 2;
    return table;
}

size_t java_hash_map_table_sized(size_t count)
{
    /* (int) (count / .75f) + 1, in float arithmetic as Java computes it */
    double wanted = (double)(int64_t)((float)count / 0.75f) + 1;
    if (wanted < 16)
        wanted = 16;
    size_t table = 1;
    while (table < JAVA_HASH_MAP_MAX_TABLE && (double)table < wanted)
        table *= 2;
    return table;
}

size_t java_hash_map_bucket(const char *key, size_t table_size)
{
    uint32_t hash = (uint32_t)java_hash_map_string_hash(key);
    hash ^= hash >> 16;
    return (size_t)hash & (table_size - 1);
}
