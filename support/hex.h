/*
 * hex.h - hexadecimal digits and byte strings.
 */
#ifndef FERRY_SUPPORT_HEX_H
#define FERRY_SUPPORT_HEX_H

#include <stddef.h>

/* The value (0-15) of a hex digit of either case, or -1. */
int hex_digit_value(char c);

/* Writes 2 * len lower-case digits and a NUL to out. */
void hex_encode(const void *bytes, size_t len, char *out);

/* Decodes len digits (len even) into out, which holds len / 2 bytes. Returns the number of
 * bytes written, or -1 when len is odd or a character is not a hex digit. */
long hex_decode(const char *text, size_t len, unsigned char *out);

#endif
