/*
 * fuzz_utf8.c - support/utf8.c, the one UTF-8 decoder of the worker and the plugins, on any
 * bytes: decoding sequence by sequence (with Unicode's maximal-subpart replacement where bytes
 * are ill-formed), re-encoding what was decoded gives the bytes back; utf8_valid and
 * utf8_valid_prefix agree with that walk; and glibc's strict UTF-8 locale-free check (the code
 * points' own rules) holds for every code point decoded.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support/utf8.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t at = 0;
    size_t first_invalid = size;
    while (at < size) {
        uint32_t codepoint = 0;
        size_t len = utf8_sequence(data + at, size - at, &codepoint);
        if (len == 0) {
            size_t skip = utf8_invalid_length(data + at, size - at);
            fuzz_check(skip >= 1 && skip <= 3 && skip <= size - at, "maximal subpart %zu", skip);
            if (first_invalid == size)
                first_invalid = at;
            at += skip;
            continue;
        }
        fuzz_check(len <= 4 && codepoint <= 0x10FFFF &&
                       !(codepoint >= 0xD800 && codepoint <= 0xDFFF),
                   "U+%X in %zu bytes", (unsigned)codepoint, len);
        char encoded[4];
        fuzz_check(utf8_encode(codepoint, encoded) == len && memcmp(encoded, data + at, len) == 0,
                   "U+%X does not encode back to its %zu bytes", (unsigned)codepoint, len);
        at += len;
    }
    fuzz_check(utf8_valid(data, size) == (first_invalid == size), "utf8_valid");
    /* The valid prefix ends at the first ill-formed byte, or before a sequence cut off at the
     * end (which the walk above counts as ill-formed too). */
    fuzz_check(utf8_valid_prefix(data, size) == first_invalid, "utf8_valid_prefix %zu, walk %zu",
               utf8_valid_prefix(data, size), first_invalid);
    return 0;
}
