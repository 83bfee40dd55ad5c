/*
 * utf8.h - UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above
 * U+10FFFF. The one decoder and encoder of the worker and the plugins.
 */
#ifndef FERRY_SUPPORT_UTF8_H
#define FERRY_SUPPORT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The length (1-4) of the well-formed sequence at s (avail bytes readable, avail > 0), with its
 * code point in *codepoint (may be NULL); 0 when the bytes there are not a well-formed sequence
 * or the sequence is cut off by avail. */
size_t utf8_sequence(const unsigned char *s, size_t avail, uint32_t *codepoint);

/* Where utf8_sequence gave 0: the length (1-3) of the maximal subpart of the ill-formed sequence
 * at s, the bytes to replace with one U+FFFD as Unicode recommends and as Java's decoder does
 * (so that a writer decodes bytes into text exactly as Kafka Connect would). */
size_t utf8_invalid_length(const unsigned char *s, size_t avail);

/* Whether all len bytes are well-formed UTF-8. */
bool utf8_valid(const void *bytes, size_t len);

/* The length of the longest prefix of bytes, at most len, that ends on a sequence boundary and
 * holds only well-formed sequences: where to cut text without splitting a character. */
size_t utf8_valid_prefix(const void *bytes, size_t len);

/* Writes the encoding of codepoint to out; returns its length (1-4), or 0 for a surrogate or a
 * value above U+10FFFF (nothing written). */
size_t utf8_encode(uint32_t codepoint, char out[4]);

#endif
