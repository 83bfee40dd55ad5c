/*
 * utf8_check.c - UTF-8 validation along the Unicode standard's table of well-formed byte
 * sequences (Unicode 15, table 3-7), with a word-at-a-time skip over ASCII, which is what log lines
 * mostly are.
 */
#include "utf8_check.h"

#include <stdint.h>
#include <string.h>

#define UTF8_HIGH_BITS 0x8080808080808080ull

static bool utf8_continuation(unsigned char byte)
{
    return (byte & 0xC0) == 0x80;
}

bool utf8_check_valid(const void *data, size_t len)
{
    const unsigned char *bytes = data;
    size_t i = 0;
    while (i < len) {
        /* Skip ASCII eight bytes at a time; memcpy keeps the load aligned-agnostic. */
        while (len - i >= 8) {
            uint64_t word;
            memcpy(&word, bytes + i, sizeof(word));
            if (word & UTF8_HIGH_BITS)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char lead = bytes[i];
        if (lead < 0x80) {
            i++;
            continue;
        }
        /* The allowed range of the second byte depends on the lead (overlongs, surrogates and
         * values above U+10FFFF are excluded there); later bytes are plain continuations. */
        size_t length;
        unsigned char second_min = 0x80, second_max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                second_min = 0xA0;
            else if (lead == 0xED)
                second_max = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                second_min = 0x90;
            else if (lead == 0xF4)
                second_max = 0x8F;
        } else {
            return false; /* 0x80..0xC1 and 0xF5..0xFF never start a character */
        }
        if (len - i < length)
            return false;
        if (bytes[i + 1] < second_min || bytes[i + 1] > second_max)
            return false;
        for (size_t k = 2; k < length; k++)
            if (!utf8_continuation(bytes[i + k]))
                return false;
        i += length;
    }
    return true;
}
