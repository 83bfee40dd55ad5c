/*
 * fuzz_transforms.c - the transform chain (transforms/transform_chain.c) on arbitrary records
 * and arbitrary chain configurations: a value read by a converter (JSON with schemas on or off,
 * so structs with schemas and schemaless maps) goes through a chain, then is written by the
 * converter again, as a task does. A record the chain cannot handle fails with a message; it
 * never crashes.
 *
 * The first input byte chooses the mode:
 *  - below 0x80: one of a fixed set of chains of the common transforms (byte >> 1), bit 0
 *    schemas on; the rest is the value;
 *  - from 0x80: the rest is a connector's .properties text, a NUL byte, then the value. The
 *    text's transforms, predicates and their options are checked by transform_chain_validate
 *    and built by transform_chain_create (a refusal names the key); fuzz.topic, fuzz.key (a
 *    message read as the value is), fuzz.headers (a JSON array of [name, value]) and
 *    fuzz.timestamp make the record. Bit 0: schemas on; bit 1: a sink's chain (else a
 *    source's); bit 2: the value is handed as checked JSON text (a schemaless sink's text
 *    mode), bit 3: as a string (StringConverter), bit 4: as bytes (ByteArrayConverter); bit 5:
 *    the value is a Kafka null (a tombstone). Records go only through chains that passed the
 *    validation, as a task's config has.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "config/config_validate.h"
#include "config/properties.h"
#include "convert/converter.h"
#include "transforms/transform_chain.h"
#include "fuzz_target.h"

#define SMT "org.apache.kafka.connect.transforms."
static const char *const fuzz_chains[] = {
    /* Debezium's unwrap then a reroute: what CDC pipelines run */
    "transforms=unwrap,route\n"
    "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"
    "transforms.unwrap.add.fields=op,table,lsn\n"
    "transforms.unwrap.delete.tombstone.handling.mode=rewrite\n"
    "transforms.route.type=" SMT "RegexRouter\n"
    "transforms.route.regex=(.*)\n"
    "transforms.route.replacement=$1-out\n",
    /* field edits */
    "transforms=ins,rep,mask,cast\n"
    "transforms.ins.type=" SMT "InsertField$Value\n"
    "transforms.ins.static.field=source\ntransforms.ins.static.value=fuzz\n"
    "transforms.ins.topic.field=topic\ntransforms.ins.timestamp.field=ts\n"
    "transforms.rep.type=" SMT "ReplaceField$Value\n"
    "transforms.rep.exclude=secret\ntransforms.rep.renames=id:key,name:title\n"
    "transforms.mask.type=" SMT "MaskField$Value\ntransforms.mask.fields=title,amount\n"
    "transforms.cast.type=" SMT "Cast$Value\ntransforms.cast.spec=key:string,amount:float64\n",
    /* shape changes */
    "transforms=flat,key,hoist\n"
    "transforms.flat.type=" SMT "Flatten$Value\ntransforms.flat.delimiter=_\n"
    "transforms.key.type=" SMT "ValueToKey\ntransforms.key.fields=id\n"
    "transforms.hoist.type=" SMT "HoistField$Value\ntransforms.hoist.field=wrapped\n",
    /* extraction and time */
    "transforms=ts,extract\n"
    "transforms.ts.type=" SMT "TimestampConverter$Value\ntransforms.ts.field=ts\n"
    "transforms.ts.target.type=string\ntransforms.ts.format=yyyy-MM-dd'T'HH:mm:ss.SSSXXX\n"
    "transforms.extract.type=" SMT "ExtractField$Value\ntransforms.extract.field=after\n",
    /* headers and a predicate */
    "transforms=hdr,ins,drop,filter\n"
    "transforms.hdr.type=" SMT "HeaderFrom$Value\ntransforms.hdr.fields=id,op\n"
    "transforms.hdr.headers=id,op\ntransforms.hdr.operation=copy\n"
    "transforms.ins.type=" SMT "InsertHeader\ntransforms.ins.header=origin\n"
    "transforms.ins.value.literal=fuzz\n"
    "transforms.drop.type=" SMT "DropHeaders\ntransforms.drop.headers=op\n"
    "transforms.filter.type=" SMT "Filter\ntransforms.filter.predicate=isTomb\n"
    "predicates=isTomb\npredicates.isTomb.type=" SMT "predicates.RecordIsTombstone\n",
    /* Debezium's outbox router, the other shape of a CDC record */
    ("transforms=outbox\n"
     "transforms.outbox.type=io.debezium.transforms.outbox.EventRouter\n"),
};
#define FUZZ_CHAIN_COUNT (sizeof(fuzz_chains) / sizeof(fuzz_chains[0]))

static transform_chain *fuzz_chain(size_t which)
{
    static transform_chain *chains[FUZZ_CHAIN_COUNT];
    if (chains[which])
        return chains[which];
    char err[512];
    config_map *config = config_map_new();
    fuzz_check(config != NULL, "config_map_new");
    fuzz_check(properties_parse(fuzz_chains[which], strlen(fuzz_chains[which]), config, err,
                                sizeof(err)) == 0, "chain %zu: %s", which, err);
    fuzz_check(transform_chain_create(config, "task:fuzz-0", TRANSFORM_SIDE_SOURCE,
                                      &chains[which], err, sizeof(err)) == 0,
               "chain %zu: %s", which, err);
    config_map_destroy(config);
    return chains[which];
}

enum { FUZZ_SCHEMAS_OFF, FUZZ_SCHEMAS_ON, FUZZ_TEXT, FUZZ_STRING, FUZZ_BYTES, FUZZ_CONVERTERS };

static converter *fuzz_converter(unsigned which)
{
    static converter *converters[FUZZ_CONVERTERS];
    static const char *const classes[FUZZ_CONVERTERS] = {
        "JsonConverter", "JsonConverter", "JsonConverter", "StringConverter",
        "ByteArrayConverter"};
    if (converters[which])
        return converters[which];
    char err[512];
    config_map *settings = config_map_new();
    fuzz_check(settings && config_map_set(settings, "schemas.enable",
                                          which == FUZZ_SCHEMAS_ON ? "true" : "false") == 0,
               "settings");
    converters[which] = converter_new(classes[which], settings, false, err, sizeof(err));
    fuzz_check(converters[which] != NULL, "converter_new: %s", err);
    if (which == FUZZ_TEXT)
        fuzz_check(converter_json_text_enable(converters[which]), "text mode");
    config_map_destroy(settings);
    return converters[which];
}

/* Applies chain to record and checks the outcome; a kept record is written by conv. A
 * configured RegexRouter may route to the empty topic, as Kafka's does (its producer refuses
 * it): named says the topic may not be empty. */
static void fuzz_apply(transform_chain *chain, ferry_record *record, converter *conv,
                       bool named)
{
    char err[512] = "";
    const char *failed_type = NULL;
    transform_result result = transform_chain_apply(chain, record, &failed_type, err,
                                                    sizeof(err));
    if (result == TRANSFORM_FAIL)
        fuzz_check(err[0] != '\0' && failed_type && failed_type[0],
                   "a failing transform says which and why");
    if (result == TRANSFORM_KEEP) {
        fuzz_check(record->topic && (!named || record->topic[0]), "a kept record has a topic");
        for (size_t i = 0; i < record->header_count; i++)
            fuzz_check(record->headers[i].key != NULL, "a header has a name");
        for (int side = 0; side < 2; side++) {
            strbuf buffer = {0};
            const void *bytes = NULL;
            size_t len = 0;
            converter_serialize(conv, record->topic, side ? &record->value : &record->key,
                                &buffer, &bytes, &len, err, sizeof(err));
            strbuf_free(&buffer);
        }
    }
    converter_data_release(&record->key);
    converter_data_release(&record->value);
}

/* A fixed chain, the rest of the input the value. */
static void fuzz_fixed(uint8_t mode, const uint8_t *data, size_t size)
{
    char err[512];
    bool schemas = mode & 1;
    transform_chain *chain = fuzz_chain((size_t)(mode >> 1) % FUZZ_CHAIN_COUNT);
    converter *conv = fuzz_converter(schemas ? FUZZ_SCHEMAS_ON : FUZZ_SCHEMAS_OFF);
    static const ferry_header headers[] = {{.key = "trace", .value = "abc", .value_len = 3},
                                           {.key = "op", .value = NULL}};
    ferry_record record = {.topic = "fuzz.public.orders", .partition = 0,
                           .timestamp_ms = 1700000000000, .headers = headers,
                           .header_count = 2};
    if (converter_deserialize(conv, "fuzz", data, size, &record.value, err, sizeof(err)) != 0)
        return;
    fuzz_apply(chain, &record, conv, true);
    transform_chain_release(chain);
}

/* The record's headers from fuzz.headers, [[name, value], ...]: a string value as its text,
 * null as a null header, anything else as its JSON. The names and values live in texts. */
static size_t fuzz_headers(const char *list, ferry_header *headers, size_t max, json_t *texts)
{
    json_t *parsed = list ? json_loads(list, JSON_DECODE_ANY, NULL) : NULL;
    size_t count = 0, index;
    json_t *pair;
    json_array_foreach(parsed, index, pair) {
        if (count == max)
            break;
        const char *name = json_string_value(json_array_get(pair, 0));
        json_t *value = json_array_get(pair, 1);
        if (!name)
            continue;
        json_t *text;
        if (json_is_string(value) || json_is_null(value)) {
            text = json_incref(value);
        } else {
            char *dumped = value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
            text = json_string_nocheck(dumped ? dumped : "");
            free(dumped);
        }
        json_array_append_new(texts, text);
        headers[count++] = (ferry_header){
            .key = name, .value = json_is_null(text) ? NULL : json_string_value(text),
            .value_len = json_is_null(text) ? 0 : json_string_length(text)};
    }
    /* The names are in parsed: kept alive by texts. */
    json_array_append_new(texts, parsed ? parsed : json_null());
    return count;
}

/* A chain from the input's own config, then the rest of the input through it. */
static void fuzz_configured(uint8_t mode, const uint8_t *data, size_t size)
{
    char err[512] = "";
    const uint8_t *nul = memchr(data, '\0', size);
    size_t config_len = nul ? (size_t)(nul - data) : size;
    const uint8_t *value = nul ? nul + 1 : data + size;
    size_t value_len = nul ? size - config_len - 1 : 0;
    unsigned which = mode & 1 ? FUZZ_SCHEMAS_ON : FUZZ_SCHEMAS_OFF;
    if (mode & 4)
        which = FUZZ_TEXT;
    if (mode & 8)
        which = FUZZ_STRING;
    if (mode & 16)
        which = FUZZ_BYTES;
    converter *conv = fuzz_converter(which);
    converter *key_conv = fuzz_converter(mode & 1 ? FUZZ_SCHEMAS_ON : FUZZ_SCHEMAS_OFF);

    config_map *config = config_map_new();
    config_errors *errors = config_errors_new();
    json_t *texts = json_array();
    transform_chain *chain = NULL;
    ferry_header headers[8];
    ferry_record record = {.topic = "fuzz.public.orders", .timestamp_ms = 1700000000000};
    fuzz_check(config && errors && texts, "allocation");
    if (properties_parse((const char *)data, config_len, config, err, sizeof(err)) != 0)
        goto done;

    size_t problems = transform_chain_validate(config, errors);
    fuzz_check(problems == config_errors_count(errors), "every problem is listed");
    for (size_t i = 0; i < problems; i++)
        fuzz_check(config_errors_message_at(errors, i)[0] != '\0', "a problem says what");
    transform_side side = mode & 2 ? TRANSFORM_SIDE_SINK : TRANSFORM_SIDE_SOURCE;
    if (transform_chain_create(config, "task:fuzz-0", side, &chain, err, sizeof(err)) != 0) {
        fuzz_check(err[0] != '\0' && chain == NULL, "a refused chain says why");
        goto done;
    }
    /* A task gets a config that passed validation: only such a chain sees records. */
    if (!chain || problems > 0) {
        fuzz_check(chain || transform_chain_needs(chain) == 0, "no chain needs nothing");
        goto done;
    }
    transform_chain_needs(chain);

    const char *topic = config_map_get(config, "fuzz.topic");
    if (topic && topic[0])
        record.topic = topic;
    const char *timestamp = config_map_get(config, "fuzz.timestamp");
    if (timestamp)
        record.timestamp_ms = strtoll(timestamp, NULL, 10);
    record.partition = (int32_t)(mode >> 6);
    record.header_count = fuzz_headers(config_map_get(config, "fuzz.headers"), headers,
                                       sizeof(headers) / sizeof(headers[0]), texts);
    record.headers = headers;
    const char *key = config_map_get(config, "fuzz.key");
    if (key && converter_deserialize(key_conv, "fuzz", key, strlen(key), &record.key, err,
                                     sizeof(err)) != 0)
        goto done;
    if (converter_deserialize(conv, "fuzz", mode & 32 ? NULL : value, value_len, &record.value,
                              err, sizeof(err)) != 0) {
        converter_data_release(&record.key);
        goto done;
    }
    fuzz_apply(chain, &record, conv, false);
    transform_chain_release(chain);

done:
    transform_chain_destroy(chain);
    json_decref(texts);
    config_errors_destroy(errors);
    config_map_destroy(config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_two_modes(data, size, fuzz_fixed, fuzz_configured);
}
