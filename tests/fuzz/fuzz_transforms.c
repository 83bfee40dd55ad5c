/*
 * fuzz_transforms.c - the transform chain (transforms/transform_chain.c) on arbitrary records: a
 * value read by the JsonConverter (schemas on or off, so structs with schemas and schemaless
 * maps) goes through one of a fixed set of chains of the common transforms, then is written by
 * the converter again, as a task does. A record the chain cannot handle fails with a message;
 * it never crashes.
 *
 * The first input byte: bit 0 schemas on, the rest (>> 1) chooses the chain; then the value.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
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

static converter *fuzz_converter(bool schemas)
{
    static converter *converters[2];
    if (converters[schemas])
        return converters[schemas];
    char err[512];
    config_map *settings = config_map_new();
    fuzz_check(settings && config_map_set(settings, "schemas.enable",
                                          schemas ? "true" : "false") == 0, "settings");
    converters[schemas] = converter_new("JsonConverter", settings, false, err, sizeof(err));
    fuzz_check(converters[schemas] != NULL, "converter_new: %s", err);
    config_map_destroy(settings);
    return converters[schemas];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool schemas = data[0] & 1;
    transform_chain *chain = fuzz_chain((size_t)(data[0] >> 1) % FUZZ_CHAIN_COUNT);
    const converter *conv = fuzz_converter(schemas);
    char err[512];
    static const ferry_header headers[] = {{.key = "trace", .value = "abc", .value_len = 3},
                                           {.key = "op", .value = NULL}};
    ferry_record record = {.topic = "fuzz.public.orders", .partition = 0,
                           .timestamp_ms = 1700000000000, .headers = headers,
                           .header_count = 2};
    if (converter_deserialize(conv, "fuzz", data + 1, size - 1, &record.value, err,
                              sizeof(err)) != 0)
        return 0;
    const char *failed_type = NULL;
    transform_result result = transform_chain_apply(chain, &record, &failed_type, err,
                                                    sizeof(err));
    if (result == TRANSFORM_FAIL)
        fuzz_check(err[0] != '\0', "a failing transform says why");
    if (result == TRANSFORM_KEEP) {
        fuzz_check(record.topic && record.topic[0], "a kept record has a topic");
        for (int side = 0; side < 2; side++) {
            strbuf buffer = {0};
            const void *bytes = NULL;
            size_t len = 0;
            converter_serialize(conv, record.topic, side ? &record.value : &record.key,
                                &buffer, &bytes, &len, err, sizeof(err));
            strbuf_free(&buffer);
        }
    }
    converter_data_release(&record.key);
    converter_data_release(&record.value);
    transform_chain_release(chain);
    return 0;
}
