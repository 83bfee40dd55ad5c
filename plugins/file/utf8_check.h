/*
 * utf8_check.h - a cheap UTF-8 validity test for every line the file source reads: a line that
 * passes goes to Kafka as a string, one that fails as bytes (never altered, never a crash).
 */
#ifndef FERRY_FILE_UTF8_CHECK_H
#define FERRY_FILE_UTF8_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* True when data[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF). NUL is a valid character. ASCII runs are checked 8 bytes at a time. */
bool utf8_check_valid(const void *data, size_t len);

#endif
