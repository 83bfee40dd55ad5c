/*
 * fuzz_converter.c - the converters (convert/converter.c over connect_json.c) on any message
 * bytes and any converter configuration, in both directions; the round trip must hold: what a
 * converter writes, it reads back (as the same value when schemaless) and writes again byte for
 * byte. A schema that does not fit its payload is refused by the writer, never a crash.
 *
 * The first input byte chooses the mode:
 *  - below 0x80: a JsonConverter (byte mod 3: schemas on, off, text mode), the rest is the
 *    message;
 *  - from 0x80: the rest is a connector's .properties text (key.converter, value.converter and
 *    their settings: schemas.enable, replace.null.with.default, decimal.format, encoding,
 *    converter.type, schemas.cache.size, ... any class and any value), a NUL byte, then the
 *    message. The config goes through converter_config_validate and, as a task builds its
 *    converters, connector_config_converter and converter_new (a refusal must say why). The
 *    value converter reads the message (bit 0: in text mode when it can; bit 1: a Kafka null when
 *    there is no message); what it read goes round its own trip, then is written by the key
 *    converter (String, ByteArray, JSON with or without schemas) and, unless it was read in
 *    text mode, round that one's trip.
 *    Bits 2-4 also hand the key converter the message as data of a kind they pick (bytes,
 *    string, structured without a value, an unknown kind), as a caller might.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "config/connector_config.h"
#include "config/properties.h"
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
 * refuses the data, which it then says why. */
static bool fuzz_serialize(converter *conv, const ferry_data *data, char **out,
                           size_t *out_len, char *err, size_t errlen)
{
    strbuf buffer = {0};
    const void *bytes = NULL;
    size_t len = 0;
    err[0] = '\0';
    bool ok = converter_serialize(conv, "fuzz", data, &buffer, &bytes, &len, err, errlen) == 0;
    fuzz_check(ok || err[0] != '\0', "a refusal says why");
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

/* What conv writes of first, it reads back and writes again byte for byte; schemaless JSON
 * reads back as the same value. Data another converter read may still carry its JSON text as it
 * came (blanks, escapes), which a writer with an envelope keeps in the payload: that text is
 * then written in the JsonConverter's form by the second write and settles by the third. The
 * same data written twice gives the same bytes (the second time, its schema's text is cached). */
static void fuzz_round_trip(converter *conv, const ferry_data *first, bool settled)
{
    char err[512];
    ferry_data second = {0};
    char *written = NULL, *rewritten = NULL;
    size_t written_len = 0, rewritten_len = 0;
    if (!fuzz_serialize(conv, first, &written, &written_len, err, sizeof(err)))
        goto done;
    /* The second time, the schema's text comes from the converter's cache: the same bytes. */
    char *repeated = NULL;
    size_t repeated_len = 0;
    fuzz_check(fuzz_serialize(conv, first, &repeated, &repeated_len, err, sizeof(err)) &&
                   repeated_len == written_len &&
                   (!written || memcmp(repeated, written, written_len) == 0),
               "written repeated differently (the schema cache?):\n%.*s\n%.*s", (int)written_len,
               written ? written : "", (int)repeated_len, repeated ? repeated : "");
    free(repeated);
    if (!written) {
        fuzz_check(first->kind == FERRY_DATA_NULL ||
                       (first->kind == FERRY_DATA_JSON && json_is_null(first->json)),
                   "only a null value serialises to null");
        goto done;
    }
    fuzz_check(converter_deserialize(conv, "fuzz", written, written_len, &second, err,
                                     sizeof(err)) == 0,
               "%s cannot read what it wrote: %s: %.*s", converter_class_name(conv), err,
               (int)written_len, written);
    fuzz_check(fuzz_serialize(conv, &second, &rewritten, &rewritten_len, err, sizeof(err)),
               "%s cannot write again what it read back: %s: %.*s", converter_class_name(conv),
               err, (int)written_len, written);
    if (!settled && (rewritten_len != written_len || memcmp(rewritten, written, written_len))) {
        fuzz_check(rewritten != NULL, "only a null value serialises to null");
        ferry_data again = {0};
        fuzz_check(converter_deserialize(conv, "fuzz", rewritten, rewritten_len, &again, err,
                                         sizeof(err)) == 0,
                   "%s cannot read what it wrote: %s", converter_class_name(conv), err);
        free(written);
        written = rewritten;
        written_len = rewritten_len;
        rewritten = NULL;
        fuzz_check(fuzz_serialize(conv, &again, &rewritten, &rewritten_len, err, sizeof(err)),
                   "%s cannot write again what it read back: %s", converter_class_name(conv), err);
        converter_data_release(&again);
    }
    fuzz_check(rewritten && rewritten_len == written_len &&
                   memcmp(rewritten, written, written_len) == 0,
               "written twice differently:\n%.*s\n%.*s", (int)written_len, written,
               (int)rewritten_len, rewritten ? rewritten : "");
    /* Without a schema the value is written as it was read. With one, the reader does not
     * check the payload against it (sinks read JSON) and the writer writes what the schema
     * declares, so the first read may hold more than the schema; the bytes compared above are
     * then the round trip. */
    if (first->json && second.json && !first->schema && !json_equal(first->json, second.json)) {
        char *before = json_dumps(first->json, JSON_ENCODE_ANY | JSON_COMPACT);
        char *after = json_dumps(second.json, JSON_ENCODE_ANY | JSON_COMPACT);
        fuzz_check(false, "the value read back differs:\n%s\n%s", before, after);
    }

done:
    converter_data_release(&second);
    free(written);
    free(rewritten);
}

/* A JsonConverter from the first byte, the rest the message. */
static void fuzz_json(uint8_t mode, const uint8_t *message, size_t len)
{
    unsigned which = mode % FUZZ_CONVERTERS;
    char err[512];
    ferry_data first = {0};
    if (converter_deserialize(fuzz_converter(which), "fuzz", message, len, &first, err,
                              sizeof(err)) == 0)
        fuzz_round_trip(fuzz_converter(which), &first, true);
    converter_data_release(&first);
}

/* One converter of a connector config, as a task creates it; NULL when refused. */
static converter *fuzz_configured(const config_map *config, const char *prefix, bool is_key,
                                  bool without_settings)
{
    /* The worker's side, which the connector's keys override. */
    static config_map *worker;
    if (!worker) {
        worker = config_map_new();
        fuzz_check(worker && config_map_set(worker, "value.converter.schemas.enable", "false") == 0,
                   "worker config");
    }
    char err[512] = "";
    const char *class_name = NULL;
    config_map *settings = connector_config_converter(
        config, worker, prefix, "org.apache.kafka.connect.json.JsonConverter", &class_name);
    fuzz_check(settings != NULL, "connector_config_converter");
    converter *conv = converter_new(class_name, without_settings ? NULL : settings, is_key, err,
                                    sizeof(err));
    converter_kind kind;
    if (!conv) {
        fuzz_check(err[0] != '\0', "a refused converter says why");
    } else {
        fuzz_check(converter_kind_parse(converter_class_name(conv), &kind) == 0 &&
                       kind == converter_get_kind(conv),
                   "the class name reads back as the converter's kind");
        fuzz_check(converter_kind_parse(class_name, &kind) == 0 && kind == converter_get_kind(conv),
                   "a converter of the class asked for");
    }
    config_map_destroy(settings);
    return conv;
}

static void fuzz_configured_mode(uint8_t mode, const uint8_t *input, size_t size)
{
    const char *rest = (const char *)input;
    char err[512];
    const char *nul = memchr(rest, '\0', size);
    size_t config_len = nul ? (size_t)(nul - rest) : size;
    const char *message = nul ? nul + 1 : NULL;
    size_t message_len = nul ? size - config_len - 1 : 0;
    if (!message && !(mode & 2)) {
        message = "";
        message_len = 0;
    }

    config_map *config = config_map_new();
    config_errors *errors = config_errors_new();
    converter *key = NULL, *value = NULL;
    ferry_data read = {0};
    fuzz_check(config && errors, "config_map_new");
    if (properties_parse(rest, config_len, config, err, sizeof(err)) != 0)
        goto done;

    size_t problems = converter_config_validate(config, errors);
    fuzz_check(problems == config_errors_count(errors), "every problem is listed");
    for (size_t i = 0; i < problems; i++) {
        const char *on = config_errors_key_at(errors, i);
        fuzz_check(strcmp(on, "key.converter") == 0 || strcmp(on, "value.converter") == 0 ||
                       strcmp(on, "header.converter") == 0,
                   "a problem on a converter key, not %s", on);
        fuzz_check(config_errors_message_at(errors, i)[0] != '\0', "a problem says what");
    }

    key = fuzz_configured(config, "key.converter", true, mode & 4);
    value = fuzz_configured(config, "value.converter", false, false);
    if (!value)
        goto done;
    bool text = false;
    if (mode & 1) {
        text = converter_json_text_enable(value);
        fuzz_check(!text || converter_get_kind(value) == CONVERTER_JSON,
                   "text mode is the JsonConverter's");
    }
    if (converter_deserialize(value, "fuzz", message, message_len, &read, err, sizeof(err)) != 0) {
        fuzz_check(err[0] != '\0', "a message that does not read says why");
        goto done;
    }
    const void *raw;
    size_t raw_len;
    converter_data_raw(&read, &raw, &raw_len);
    fuzz_check(!raw || (raw == message && raw_len == message_len) || read.kind == FERRY_DATA_JSON,
               "the raw bytes are the message's");
    fuzz_round_trip(value, &read, true);
    if (key) {
        /* A value read in text mode goes to its sink as it is, never to another converter; and
         * text mode passes numbers of any size (json_syntax.h), which the tree that reads an
         * envelope back cannot hold: such a value is written by the key converter, not read
         * back. */
        if (text) {
            char *out = NULL;
            size_t out_len = 0;
            fuzz_serialize(key, &read, &out, &out_len, err, sizeof(err));
            free(out);
        } else {
            fuzz_round_trip(key, &read, false);
        }
        /* The message as data of any kind, as a transform or a source task may hand it. */
        static const ferry_data_kind kinds[] = {FERRY_DATA_BYTES, FERRY_DATA_STRING,
                                                FERRY_DATA_JSON, (ferry_data_kind)7};
        ferry_data handed = {.kind = kinds[(mode >> 3) & 3], .data = message, .len = message_len};
        if (handed.kind == FERRY_DATA_JSON)
            handed.data = NULL; /* structured without a value: refused */
        if (mode & 0x20) {
            char *out = NULL;
            size_t out_len = 0;
            bool ok = fuzz_serialize(key, &handed, &out, &out_len, err, sizeof(err));
            fuzz_check(!ok || handed.kind != FERRY_DATA_JSON, "no value, nothing written");
            free(out);
        }
    }

done:
    converter_data_release(&read);
    converter_destroy(key);
    converter_destroy(value);
    config_errors_destroy(errors);
    config_map_destroy(config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_two_modes(data, size, fuzz_json, fuzz_configured_mode);
}
