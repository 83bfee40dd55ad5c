/*
 * base64.c - the base64 codec of base64.h (RFC 4648, sections 4 and 5).
 */
#include "support/base64.h"

#include <stdint.h>

static const char base64_standard[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char base64_url_safe[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of a character of either alphabet plus one; 0 for anything else. */
static const unsigned char base64_values[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
    ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
    ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
    ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
    ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
    ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
    ['/'] = 64, ['-'] = 63, ['_'] = 64,
};

size_t base64_encoded_length(size_t len)
{
    return (len / 3 + (len % 3 != 0)) * 4;
}

size_t base64_encode(const void *bytes, size_t len, bool url_safe, char *out)
{
    const char *alphabet = url_safe ? base64_url_safe : base64_standard;
    const unsigned char *in = bytes;
    size_t o = 0;
    size_t i = 0;
    for (; len - i >= 3; i += 3) {
        uint32_t triple = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[triple >> 18];
        out[o++] = alphabet[(triple >> 12) & 0x3F];
        out[o++] = alphabet[(triple >> 6) & 0x3F];
        out[o++] = alphabet[triple & 0x3F];
    }
    if (i < len) {
        uint32_t triple = (uint32_t)in[i] << 16 | (len - i == 2 ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = alphabet[triple >> 18];
        out[o++] = alphabet[(triple >> 12) & 0x3F];
        out[o++] = len - i == 2 ? alphabet[(triple >> 6) & 0x3F] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

size_t base64_decoded_max(size_t len)
{
    return len / 4 * 3 + (len % 4 ? 2 : 0);
}

long base64_decode(const char *text, size_t len, unsigned char *out)
{
    size_t data = len;
    while (data > 0 && text[data - 1] == '=')
        data--;
    size_t padding = len - data;
    /* One character carries 6 bits, never a whole byte; padding only fills the last quantum. */
    if (data % 4 == 1 || padding > 2 || (padding && len % 4 != 0))
        return -1;

    size_t o = 0;
    uint32_t accumulator = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < data; i++) {
        unsigned value = base64_values[(unsigned char)text[i]];
        if (value == 0)
            return -1;
        accumulator = (accumulator << 6 | (value - 1)) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(accumulator >> bits);
        }
    }
    return (long)o;
}
