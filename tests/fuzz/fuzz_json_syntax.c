/*
 * fuzz_json_syntax.c - json_syntax_check (convert/json_syntax.c), the check of a value in text
 * mode that replaces a parse, against jansson's parser: both must agree on what is one JSON
 * value, or a sink would be handed text that is not JSON (or refuse good records).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "convert/json_syntax.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    uint32_t shape = 0;
    ferry_status status = json_syntax_check(data, size, &shape, why, sizeof(why));

    /* The converter's flags: a \u0000 in a string is JSON. */
    json_error_t error;
    json_t *parsed = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                                &error);
    /* The one documented difference: numbers of any size pass the check, jansson refuses
     * those that do not fit 64 bits or a double. */
    bool number_too_big = !parsed && (strstr(error.text, "too big") ||
                                      strstr(error.text, "overflow"));
    /* And jansson reads a raw NUL byte outside strings as the end of the text ("3\0" is 3),
     * where the check refuses it: text mode is the stricter there, which lets no bad text
     * through. */
    bool raw_nul = memchr(data, '\0', size) != NULL;
    fuzz_check((status == FERRY_OK) == (parsed != NULL) || (status == FERRY_OK && number_too_big) ||
                   (status != FERRY_OK && parsed && raw_nul), "json_syntax_check %s (%s), jansson %s (%s)",
               status == FERRY_OK ? "accepts" : "refuses", status == FERRY_OK ? "" : why,
               parsed ? "accepts" : "refuses", parsed ? "" : error.text);
    json_decref(parsed);
    return 0;
}
