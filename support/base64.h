/*
 * base64.h - base64 (RFC 4648), standard and URL-safe alphabets, always padded on output.
 */
#ifndef FERRY_SUPPORT_BASE64_H
#define FERRY_SUPPORT_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* How many characters base64_encode writes for len bytes (without the NUL). */
size_t base64_encoded_length(size_t len);

/* Writes the encoding of len bytes and a NUL to out, which holds base64_encoded_length(len) + 1
 * characters. url_safe chooses '-' and '_' over '+' and '/'. Returns the length written. */
size_t base64_encode(const void *bytes, size_t len, bool url_safe, char *out);

/* The most bytes base64_decode can write for len characters. */
size_t base64_decoded_max(size_t len);

/* Decodes len characters of text (standard or URL-safe alphabet; padding optional, but a
 * padded text must be padded correctly) into out, which holds base64_decoded_max(len) bytes.
 * Returns the number of bytes written, or -1 when the text is not base64. */
long base64_decode(const char *text, size_t len, unsigned char *out);

#endif
