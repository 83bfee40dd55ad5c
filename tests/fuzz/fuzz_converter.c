/*
 * fuzz_converter.c - the JsonConverter (convert/converter.c over connect_json.c) on any message
 * bytes, in both directions: deserialised with schemas on, off, and in text mode, then
 * serialised; the round trip must hold: what the converter writes, it reads back (as the same
 * value when schemaless) and writes again byte for byte. A schema that does not fit its payload is refused
 * by the writer, never a crash.
 *
 * The first input byte chooses the converter (mod 3), the rest is the message.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "convert/converter.h"
#include "fuzz_target.h"

enum { FUZZ_SCHEMAS_ON, FUZZ_SCHEMAS_OFF, FUZZ_TEXT_MODE, FUZZ_CONVERTERS };

static converter *fuzz_converter(unsigned which)
{
    static converter *converters[FUZZ_CONVERTERS];
    if (converters[which])
        return converters[which];
    char err[512];
    config_map *settings = config_map_new();
    fuzz_check(settings && config_map_set(settings, "schemas.enable",
                                          which == FUZZ_SCHEMAS_ON ? "true" : "false") == 0,
               "settings");
    converters[which] = converter_new("org.apache.kafka.connect.json.JsonConverter", settings,
                                      false, err, sizeof(err));
    fuzz_check(converters[which] != NULL, "converter_new: %s", err);
    if (which == FUZZ_TEXT_MODE)
        fuzz_check(converter_json_text_enable(converters[which]), "text mode");
    config_map_destroy(settings);
    return converters[which];
}

/* Serialises data into a new copy (NULL bytes for a Kafka null); false when the converter
 * refuses the data. */
static bool fuzz_serialize(const converter *conv, const ferry_data *data, char **out,
                           size_t *out_len, char *err, size_t errlen)
{
    strbuf buffer = {0};
    const void *bytes = NULL;
    size_t len = 0;
    bool ok = converter_serialize(conv, "fuzz", data, &buffer, &bytes, &len, err, errlen) == 0;
    *out = NULL;
    *out_len = len;
    if (ok && bytes) {
        *out = malloc(len ? len : 1);
        fuzz_check(*out != NULL, "malloc");
        memcpy(*out, bytes, len);
    }
    strbuf_free(&buffer);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const converter *conv = fuzz_converter(data[0] % FUZZ_CONVERTERS);
    const char *message = (const char *)data + 1;
    size_t len = size - 1;
    char err[512];

    ferry_data first = {0}, second = {0};
    char *written = NULL, *rewritten = NULL;
    size_t written_len = 0, rewritten_len = 0;
    if (converter_deserialize(conv, "fuzz", message, len, &first, err, sizeof(err)) != 0)
        goto done;
    if (!fuzz_serialize(conv, &first, &written, &written_len, err, sizeof(err)))
        goto done;
    if (!written) {
        fuzz_check(first.kind == FERRY_DATA_NULL, "only a null value serialises to null");
        goto done;
    }
    fuzz_check(converter_deserialize(conv, "fuzz", written, written_len, &second, err,
                                     sizeof(err)) == 0,
               "the converter cannot read what it wrote: %s: %.*s", err, (int)written_len,
               written);
    fuzz_check(fuzz_serialize(conv, &second, &rewritten, &rewritten_len, err, sizeof(err)),
               "the converter cannot write again what it read back: %s: %.*s", err,
               (int)written_len, written);
    fuzz_check(rewritten && rewritten_len == written_len &&
                   memcmp(rewritten, written, written_len) == 0,
               "written twice differently:\n%.*s\n%.*s", (int)written_len, written,
               (int)rewritten_len, rewritten ? rewritten : "");
    /* Without a schema the value is written as it was read. With one, the reader does not
     * check the payload against it (sinks read JSON) and the writer writes what the schema
     * declares, so the first read may hold more than the schema; the bytes compared above are
     * then the round trip. */
    if (first.json && second.json && !first.schema && !json_equal(first.json, second.json)) {
        char *before = json_dumps(first.json, JSON_ENCODE_ANY | JSON_COMPACT);
        char *after = json_dumps(second.json, JSON_ENCODE_ANY | JSON_COMPACT);
        fuzz_check(false, "the value read back differs:\n%s\n%s", before, after);
    }

done:
    converter_data_release(&first);
    converter_data_release(&second);
    free(written);
    free(rewritten);
    return 0;
}
