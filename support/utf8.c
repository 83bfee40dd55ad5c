/*
 * utf8.c - the UTF-8 decoder and encoder of utf8.h, after Unicode's table 3-7 of well-formed
 * byte sequences: the lead byte fixes the length and the range of the second byte, which is
 * where overlongs (E0, F0), surrogates (ED) and values above U+10FFFF (F4) are refused.
 */
#include "support/utf8.h"

#include <string.h>

/* The length a well-formed sequence starting with lead would have, with the allowed range of
 * its second byte in *low..*high; 0 for a byte that cannot start a sequence. */
static size_t utf8_lead(unsigned char lead, unsigned char *low, unsigned char *high)
{
    *low = 0x80;
    *high = 0xBF;
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (lead == 0xE0)
            *low = 0xA0;
        else if (lead == 0xED)
            *high = 0x9F;
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (lead == 0xF0)
            *low = 0x90;
        else if (lead == 0xF4)
            *high = 0x8F;
        return 4;
    }
    return 0;
}

/* How many bytes at s belong to the sequence its lead byte starts, up to the first that does
 * not fit (or avail); equal to the sequence's length when it is well-formed. */
static size_t utf8_scan(const unsigned char *s, size_t avail, size_t *need)
{
    unsigned char low, high;
    *need = utf8_lead(s[0], &low, &high);
    if (*need == 0)
        return 0;
    size_t i = 1;
    for (; i < *need && i < avail; i++) {
        unsigned char c = s[i];
        if (i == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF))
            break;
    }
    return i;
}

size_t utf8_sequence(const unsigned char *s, size_t avail, uint32_t *codepoint)
{
    if (s[0] < 0x80) {
        if (codepoint)
            *codepoint = s[0];
        return 1;
    }
    size_t need;
    if (utf8_scan(s, avail, &need) != need || need == 0)
        return 0;
    if (codepoint) {
        static const unsigned char lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
        uint32_t value = s[0] & lead_mask[need];
        for (size_t i = 1; i < need; i++)
            value = value << 6 | (s[i] & 0x3F);
        *codepoint = value;
    }
    return need;
}

size_t utf8_invalid_length(const unsigned char *s, size_t avail)
{
    size_t need;
    size_t fitting = utf8_scan(s, avail, &need);
    return fitting ? fitting : 1;
}

/* The end of the run of ASCII bytes from at, eight at a time: most text is mostly ASCII. */
static size_t utf8_skip_ascii(const unsigned char *in, size_t at, size_t len)
{
    while (len - at >= 8) {
        uint64_t word;
        memcpy(&word, in + at, 8);
        if (word & 0x8080808080808080ull)
            break;
        at += 8;
    }
    while (at < len && in[at] < 0x80)
        at++;
    return at;
}

size_t utf8_valid_prefix(const void *bytes, size_t len)
{
    const unsigned char *in = bytes;
    size_t at = 0;
    for (;;) {
        at = utf8_skip_ascii(in, at, len);
        if (at == len)
            return len;
        size_t n = utf8_sequence(in + at, len - at, NULL);
        if (n == 0)
            return at;
        at += n;
    }
}

bool utf8_valid(const void *bytes, size_t len)
{
    return utf8_valid_prefix(bytes, len) == len;
}

size_t utf8_encode(uint32_t codepoint, char out[4])
{
    if (codepoint < 0x80) {
        out[0] = (char)codepoint;
        return 1;
    }
    if (codepoint < 0x800) {
        out[0] = (char)(0xC0 | codepoint >> 6);
        out[1] = (char)(0x80 | (codepoint & 0x3F));
        return 2;
    }
    if (codepoint >= 0xD800 && codepoint <= 0xDFFF)
        return 0;
    if (codepoint < 0x10000) {
        out[0] = (char)(0xE0 | codepoint >> 12);
        out[1] = (char)(0x80 | (codepoint >> 6 & 0x3F));
        out[2] = (char)(0x80 | (codepoint & 0x3F));
        return 3;
    }
    if (codepoint > 0x10FFFF)
        return 0;
    out[0] = (char)(0xF0 | codepoint >> 18);
    out[1] = (char)(0x80 | (codepoint >> 12 & 0x3F));
    out[2] = (char)(0x80 | (codepoint >> 6 & 0x3F));
    out[3] = (char)(0x80 | (codepoint & 0x3F));
    return 4;
}
