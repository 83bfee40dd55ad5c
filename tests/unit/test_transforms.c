/* The transform chain and Debezium's ExtractNewRecordState: validation, deletes and tombstones in
 * every mode, add.fields with their schema, add.headers, Debezium's field references and
 * route.by.field, and records that are not change events;
 * predicates (TopicNameMatches, HasHeaderKey, RecordIsTombstone) with and without negate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "transforms/transform_chain.h"
#include "transform_fixture.h"

/* A Debezium change event for a table (id int4, name text) with its Connect schema. */
static const char *const row_schema_text =
    "{\"type\":\"struct\",\"optional\":true,\"name\":\"srv.public.t.Value\",\"fields\":["
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}]";

static json_t *envelope_schema(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"type\":\"struct\",\"name\":\"srv.public.t.Envelope\",\"optional\":false,"
             "\"fields\":[%s,\"field\":\"before\"},%s,\"field\":\"after\"},"
             "{\"type\":\"struct\",\"optional\":false,\"field\":\"source\",\"fields\":["
             "{\"type\":\"string\",\"optional\":false,\"field\":\"table\"},"
             "{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"},"
             "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}]},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
             "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}]}",
             row_schema_text, row_schema_text);
    json_t *schema = json_loads(text, 0, NULL);
    assert_non_null(schema);
    return schema;
}

/* A record owning its references, as the sink's converter hands it over. */
static ferry_record event(const char *op, const char *before, const char *after, bool schema)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"before\":%s,\"after\":%s,\"source\":{\"table\":\"t\",\"lsn\":1234,"
             "\"ts_ms\":1700000000000},\"op\":\"%s\",\"ts_ms\":1700000000001}",
             before, after, op);
    json_t *value = json_loads(text, 0, NULL);
    assert_non_null(value);
    return (ferry_record){.topic = "srv.public.t",
                          .value = {.kind = FERRY_DATA_JSON, .json = value,
                                    .schema = schema ? envelope_schema() : NULL}};
}

static void record_release(ferry_record *record)
{
    json_decref(record->value.json);
    json_decref(record->value.schema);
    json_decref(record->key.json);
    json_decref(record->key.schema);
}

#define UNWRAP "transforms=unwrap\ntransforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"

static char *value_text(const ferry_record *record)
{
    return record->value.json ? json_dumps(record->value.json, JSON_COMPACT | JSON_SORT_KEYS)
                              : NULL;
}

static void test_validation_names_the_full_key(void **state)
{
    (void)state;
    config_map *config = config_map_new();
    config_map_set(config, "transforms", "unwrap,other,filtered");
    config_map_set(config, "transforms.unwrap.type", "ExtractNewRecordState");
    config_map_set(config, "transforms.unwrap.delete.handling.mode", "explode");
    config_map_set(config, "transforms.unwrap.drop.tombstones", "maybe");
    config_map_set(config, "transforms.other.type", "org.apache.kafka.connect.transforms.Nope");
    config_map_set(config, "transforms.filtered.type", "ExtractNewRecordState");
    config_map_set(config, "transforms.filtered.predicate", "isTombstone");
    config_errors *errors = config_errors_new();
    assert_int_equal(transform_chain_validate(config, errors), 4);
    const char *expected[] = {"transforms.unwrap.delete.handling.mode",
                              "transforms.unwrap.drop.tombstones", "transforms.other.type",
                              "transforms.filtered.predicate"};
    for (size_t i = 0; i < 4; i++) {
        bool found = false;
        for (size_t e = 0; e < config_errors_count(errors); e++)
            found = found || strcmp(config_errors_key_at(errors, e), expected[i]) == 0;
        if (!found)
            fail_msg("no error for %s", expected[i]);
    }
    char *text = config_errors_to_string(errors);
    assert_non_null(strstr(text, "explode"));
    assert_non_null(strstr(text, "org.apache.kafka.connect.transforms.Nope"));
    free(text);
    config_errors_destroy(errors);
    config_map_destroy(config);
}

static void test_no_transforms_no_chain(void **state)
{
    (void)state;
    config_map *config = config_map_new();
    transform_chain *chain = (transform_chain *)1;
    char err[128];
    assert_int_equal(transform_chain_create(config, "task:x-0", TRANSFORM_SIDE_SOURCE, &chain, err,
                                            sizeof err), 0);
    assert_null(chain);
    config_map_destroy(config);
}

static void test_create_becomes_the_row_with_its_schema(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.add.fields=op,table,lsn,source.ts_ms\n");
    ferry_record record = event("c", "null", "{\"id\":1,\"name\":\"a\"}", true);
    record.value.data = "stale";
    record.value.len = 5;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    char *text = value_text(&record);
    assert_string_equal(text, "{\"__lsn\":1234,\"__op\":\"c\",\"__source_ts_ms\":1700000000000,"
                              "\"__table\":\"t\",\"id\":1,\"name\":\"a\"}");
    free(text);
    assert_null(record.value.data); /* the original bytes no longer describe the value */
    json_t *schema = record.value.schema;
    assert_string_equal(json_string_value(json_object_get(schema, "name")), "srv.public.t.Value");
    assert_null(json_object_get(schema, "field"));
    json_t *fields = json_object_get(schema, "fields");
    assert_int_equal(json_array_size(fields), 6);
    const char *types[][2] = {{"__op", "string"}, {"__table", "string"}, {"__lsn", "int64"},
                              {"__source_ts_ms", "int64"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *field = json_array_get(fields, 2 + i);
        assert_string_equal(json_string_value(json_object_get(field, "field")), types[i][0]);
        assert_string_equal(json_string_value(json_object_get(field, "type")), types[i][1]);
        assert_true(json_is_true(json_object_get(field, "optional")));
    }
    record_release(&record);
    transform_chain_destroy(chain);
}

/* A sink's JsonConverter in text mode hands checked text without a tree: the first transform
 * that reads the value parses it, and the chain says before any record that it will. */
static void test_checked_text_is_parsed_on_demand(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_on(TRANSFORM_SIDE_SINK, UNWRAP);
    assert_int_equal(transform_chain_needs(chain) & TRANSFORM_NEEDS_VALUE, TRANSFORM_NEEDS_VALUE);
    const char *text = "{\"before\":null,\"after\":{\"id\":7},\"op\":\"c\"}";
    ferry_record record = {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .data = text,
                                                   .len = strlen(text)}};
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    char *row = value_text(&record);
    assert_string_equal(row, "{\"id\":7}");
    free(row);
    record_release(&record);

    const char *broken = "{\"op\":\"c\",\"after\":{\"id\":99999999999999999999999}}";
    record = (ferry_record){.topic = "t", .partition = 2, .kafka_offset = 40,
                            .value = {.kind = FERRY_DATA_JSON, .data = broken,
                                      .len = strlen(broken)}};
    char err[512] = "";
    const char *failed = NULL;
    assert_int_equal(transform_chain_apply(chain, &record, &failed, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_string_equal(failed, "io.debezium.transforms.ExtractNewRecordState");
    assert_non_null(strstr(err, "transform unwrap (ExtractNewRecordState): the value's JSON"));
    record_release(&record);
    transform_chain_destroy(chain);

    transform_chain *headers = fixture_chain_of("transforms=unwrap\ntransforms.unwrap.type="
                                        "ExtractNewRecordState\ntransforms.unwrap.predicate=h\n"
                                        "predicates=h\npredicates.h.type=HasHeaderKey\n"
                                        "predicates.h.name=x\n");
    assert_int_equal(transform_chain_needs(headers) & TRANSFORM_NEEDS_HEADERS,
                     TRANSFORM_NEEDS_HEADERS);
    transform_chain_destroy(headers);
    assert_int_equal(transform_chain_needs(NULL), 0);
}

static void test_deletes_and_tombstones_by_default_are_dropped(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP);
    ferry_record deleted = event("d", "{\"id\":1,\"name\":\"a\"}", "null", false);
    assert_int_equal(transform_chain_apply(chain, &deleted, NULL, NULL, 0), TRANSFORM_DROP);
    ferry_record tombstone = {.topic = "srv.public.t"};
    assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, NULL, 0), TRANSFORM_DROP);
    record_release(&deleted);
    transform_chain_destroy(chain);
}

static void test_rewrite_marks_deleted_and_keeps_tombstones(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.delete.handling.mode=rewrite\n"
                                             "transforms.unwrap.drop.tombstones=false\n");
    ferry_record deleted = event("d", "{\"id\":1,\"name\":\"a\"}", "null", true);
    assert_int_equal(transform_chain_apply(chain, &deleted, NULL, NULL, 0), TRANSFORM_KEEP);
    char *text = value_text(&deleted);
    assert_string_equal(text, "{\"__deleted\":\"true\",\"id\":1,\"name\":\"a\"}");
    free(text);
    ferry_record updated = event("u", "null", "{\"id\":1,\"name\":\"b\"}", false);
    assert_int_equal(transform_chain_apply(chain, &updated, NULL, NULL, 0), TRANSFORM_KEEP);
    text = value_text(&updated);
    assert_string_equal(text, "{\"__deleted\":\"false\",\"id\":1,\"name\":\"b\"}");
    free(text);
    ferry_record tombstone = {.topic = "srv.public.t"};
    assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, NULL, 0), TRANSFORM_KEEP);
    record_release(&deleted);
    record_release(&updated);
    transform_chain_destroy(chain);
}

static void test_delete_tombstone_handling_modes(void **state)
{
    (void)state;
    const struct {
        const char *mode;
        transform_result deleted, tombstone;
        bool null_value;
    } cases[] = {
        {"drop", TRANSFORM_DROP, TRANSFORM_DROP, false},
        {"tombstone", TRANSFORM_DROP, TRANSFORM_KEEP, false},
        {"rewrite", TRANSFORM_KEEP, TRANSFORM_DROP, false},
        {"rewrite-with-tombstone", TRANSFORM_KEEP, TRANSFORM_KEEP, false},
        {"delete-to-tombstone", TRANSFORM_KEEP, TRANSFORM_DROP, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char lines[512];
        /* The newer key wins over the legacy ones. */
        snprintf(lines, sizeof lines, UNWRAP "transforms.unwrap.delete.tombstone.handling.mode=%s\n"
                 "transforms.unwrap.drop.tombstones=true\n", cases[i].mode);
        transform_chain *chain = fixture_chain_of(lines);
        ferry_record deleted = event("d", "{\"id\":7,\"name\":\"x\"}", "null", true);
        assert_int_equal(transform_chain_apply(chain, &deleted, NULL, NULL, 0), cases[i].deleted);
        if (cases[i].deleted == TRANSFORM_KEEP) {
            assert_int_equal(deleted.value.kind,
                             cases[i].null_value ? FERRY_DATA_NULL : FERRY_DATA_JSON);
            if (cases[i].null_value)
                assert_null(deleted.value.schema);
        }
        ferry_record tombstone = {.topic = "srv.public.t"};
        assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, NULL, 0),
                         cases[i].tombstone);
        record_release(&deleted);
        transform_chain_destroy(chain);
    }
}

/* The row's schema rebuilt as Debezium's addFields rebuilds it: required, and each added field an
 * optional copy of the basics of the schema it is read from; a reference the envelope's schema
 * does not have is skipped, an alias names the field, a second colon is refused. */
static void test_field_references_as_debezium_reads_them(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.add.fields=op:operation,"
                                             "source.ts_ms:src_ts,lsn,nope\n"
                                             "transforms.unwrap.add.fields.prefix=meta_\n"
                                             "transforms.unwrap.add.headers=table:tbl,nope\n");
    ferry_record record = event("c", "null", "{\"id\":1,\"name\":\"a\"}", true);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    char *text = value_text(&record);
    assert_string_equal(text, "{\"id\":1,\"meta_lsn\":1234,\"meta_operation\":\"c\","
                              "\"meta_src_ts\":1700000000000,\"name\":\"a\"}");
    free(text);
    json_t *schema = record.value.schema;
    assert_true(json_is_false(json_object_get(schema, "optional")));
    assert_string_equal(json_string_value(json_object_get(schema, "name")), "srv.public.t.Value");
    json_t *fields = json_object_get(schema, "fields");
    assert_int_equal(json_array_size(fields), 5);
    const char *names[] = {"id", "name", "meta_operation", "meta_src_ts", "meta_lsn"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(fields, i),
                                                               "field")), names[i]);
    assert_true(json_is_true(json_object_get(json_array_get(fields, 2), "optional")));
    int found = 0;
    char *table = fixture_header(&record, "__tbl", &found);
    assert_true(found);
    assert_string_equal(table, "t");
    free(table);
    free(fixture_header(&record, "__nope", &found));
    assert_false(found);
    /* The schema is built once per envelope schema. */
    ferry_record again = event("u", "null", "{\"id\":2,\"name\":\"b\"}", true);
    assert_int_equal(transform_chain_apply(chain, &again, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_ptr_equal(again.value.schema, record.value.schema);
    transform_chain_release(chain);
    record_release(&record);
    record_release(&again);
    transform_chain_destroy(chain);

    /* id is the transaction's: an envelope without that struct cannot give it. */
    chain = fixture_chain_of(UNWRAP "transforms.unwrap.add.fields=id\n");
    record = event("c", "null", "{\"id\":1,\"name\":\"a\"}", true);
    char err[256];
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(strstr(err, "no 'transaction' field"));
    record_release(&record);
    transform_chain_destroy(chain);

    config_map *config = fixture_config_of(UNWRAP "transforms.unwrap.add.fields=a:b:c\n");
    transform_chain *refused = NULL;
    assert_int_equal(transform_chain_create(config, "test", TRANSFORM_SIDE_SOURCE, &refused, err,
                                            sizeof err), -1);
    assert_non_null(strstr(err, "Invalid value a:b:c for configuration add.fields: Unexpected "
                                "field name: a:b:c"));
    config_map_destroy(config);
}

/* Rewrite modes add __deleted whatever the prefix of the other added fields is. */
static void test_deleted_field_keeps_its_name(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.delete.tombstone.handling."
                                             "mode=rewrite\ntransforms.unwrap.add.fields=op\n"
                                             "transforms.unwrap.add.fields.prefix=meta_\n");
    ferry_record deleted = event("d", "{\"id\":1,\"name\":\"a\"}", "null", true);
    assert_int_equal(transform_chain_apply(chain, &deleted, NULL, NULL, 0), TRANSFORM_KEEP);
    char *text = value_text(&deleted);
    assert_string_equal(text, "{\"__deleted\":\"true\",\"id\":1,\"meta_op\":\"d\",\"name\":\"a\"}");
    free(text);
    record_release(&deleted);
    transform_chain_destroy(chain);
}

/* route.by.field: the row's field names the topic (the row before a delete); null keeps it. */
static void test_route_by_field(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.route.by.field=name\n"
                                             "transforms.unwrap.delete.tombstone.handling.mode="
                                             "delete-to-tombstone\n");
    ferry_record created = event("c", "null", "{\"id\":1,\"name\":\"people\"}", true);
    assert_int_equal(transform_chain_apply(chain, &created, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_string_equal(created.topic, "people");
    ferry_record unnamed = event("u", "null", "{\"id\":1,\"name\":null}", true);
    assert_int_equal(transform_chain_apply(chain, &unnamed, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_string_equal(unnamed.topic, "srv.public.t");
    ferry_record deleted = event("d", "{\"id\":1,\"name\":\"gone\"}", "null", true);
    assert_int_equal(transform_chain_apply(chain, &deleted, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_string_equal(deleted.topic, "gone");
    assert_int_equal(deleted.value.kind, FERRY_DATA_NULL);
    transform_chain_release(chain);
    record_release(&created);
    record_release(&unnamed);
    record_release(&deleted);
    transform_chain_destroy(chain);

    chain = fixture_chain_of(UNWRAP "transforms.unwrap.route.by.field=region\n");
    ferry_record record = event("c", "null", "{\"id\":1,\"name\":\"a\"}", true);
    char err[256];
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(strstr(err, "region is not a valid field name"));
    record_release(&record);
    transform_chain_destroy(chain);
}

/* A tombstone Debezium keeps gets the one header it can have: op, "d". */
static void test_kept_tombstone_gets_the_op_header(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.delete.tombstone.handling."
                                             "mode=rewrite-with-tombstone\n"
                                             "transforms.unwrap.add.headers=op,table\n");
    ferry_record tombstone = {.topic = "srv.public.t"};
    assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(tombstone.header_count, 1);
    int found = 0;
    char *op = fixture_header(&tombstone, "__op", &found);
    assert_true(found);
    assert_string_equal(op, "d");
    free(op);
    transform_chain_release(chain);
    transform_chain_destroy(chain);
}

static void test_headers_follow_the_records_own(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.add.headers=op,source.lsn\n"
                                             "transforms.unwrap.add.headers.prefix=dbz.\n");
    ferry_record record = event("u", "null", "{\"id\":1,\"name\":\"b\"}", false);
    const ferry_header own[] = {{.key = "trace", .value = "abc", .value_len = 3}};
    record.headers = own;
    record.header_count = 1;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(record.header_count, 3);
    assert_string_equal(record.headers[0].key, "trace");
    assert_string_equal(record.headers[1].key, "dbz.op");
    assert_memory_equal(record.headers[1].value, "u", 1);
    assert_string_equal(record.headers[2].key, "dbz.source_lsn");
    assert_memory_equal(record.headers[2].value, "1234", 4);
    transform_chain_release(chain);
    record_release(&record);
    transform_chain_destroy(chain);
}

static void test_other_records_pass_and_truncates_are_dropped(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP);
    json_t *heartbeat = json_pack("{s:I}", "ts_ms", (json_int_t)1);
    ferry_record plain = {.topic = "__debezium-heartbeat",
                          .value = {.kind = FERRY_DATA_JSON, .json = heartbeat}};
    assert_int_equal(transform_chain_apply(chain, &plain, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_ptr_equal(plain.value.json, heartbeat);
    ferry_record text = {.topic = "logs",
                         .value = {.kind = FERRY_DATA_STRING, .data = "line", .len = 4}};
    assert_int_equal(transform_chain_apply(chain, &text, NULL, NULL, 0), TRANSFORM_KEEP);
    ferry_record truncated = event("t", "null", "null", false);
    assert_int_equal(transform_chain_apply(chain, &truncated, NULL, NULL, 0), TRANSFORM_DROP);
    ferry_record broken = event("u", "null", "null", false);
    const char *failed = NULL;
    char err[256];
    assert_int_equal(transform_chain_apply(chain, &broken, &failed, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_string_equal(failed, "io.debezium.transforms.ExtractNewRecordState");
    assert_non_null(strstr(err, "unwrap"));
    assert_non_null(strstr(err, "no 'after' object"));
    record_release(&plain);
    record_release(&text); /* its string became a JSON string with a schema */
    record_release(&truncated);
    record_release(&broken);
    transform_chain_destroy(chain);
}

/* ---- predicates ---------------------------------------------------------------------------- */

/* The number of problems of a config given as "key=value" lines, and whether one is on key with
 * a message containing text. */
static size_t problems_of(const char *lines, const char *key, const char *text)
{
    config_map *config = fixture_config_of(lines);
    config_errors *errors = config_errors_new();
    size_t problems = transform_chain_validate(config, errors);
    if (key) {
        bool found = false;
        for (size_t e = 0; e < config_errors_count(errors); e++)
            found = found || (strcmp(config_errors_key_at(errors, e), key) == 0 &&
                              strstr(config_errors_message_at(errors, e), text) != NULL);
        if (!found) {
            char *all = config_errors_to_string(errors);
            fail_msg("no error on %s containing \"%s\"; errors: %s", key, text, all);
        }
    }
    config_errors_destroy(errors);
    config_map_destroy(config);
    return problems;
}

static void test_predicate_configs_refused_by_key(void **state)
{
    (void)state;
    /* A predicate that is not defined in `predicates`. */
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.predicate=tomb\n",
                                 "transforms.unwrap.predicate", "no predicate 'tomb'"), 1);
    /* negate without a predicate: Kafka Connect's message. */
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.negate=true\n",
                                 "transforms.unwrap.negate",
                                 "Config 'transforms.unwrap.negate' was provided but there is no "
                                 "config 'transforms.unwrap.predicate' defining a predicate to "
                                 "be negated."), 1);
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.predicate=tomb\n"
                                        "transforms.unwrap.negate=maybe\npredicates=tomb\n"
                                        "predicates.tomb.type=RecordIsTombstone\n",
                                 "transforms.unwrap.negate", "either true or false"), 1);
    /* An unknown predicate type, by its class name. */
    assert_int_equal(problems_of("predicates=p\npredicates.p.type=com.example.Nope\n",
                                 "predicates.p.type", "Class com.example.Nope could not be "
                                 "found"), 1);
    /* A predicate's own keys: HasHeaderKey needs a name, TopicNameMatches a regex that
     * compiles. */
    assert_int_equal(problems_of("predicates=h\npredicates.h.type=org.apache.kafka.connect."
                                 "transforms.predicates.HasHeaderKey\n",
                                 "predicates.h.name", ""), 1);
    assert_int_equal(problems_of("predicates=t\npredicates.t.type=TopicNameMatches\n"
                                 "predicates.t.pattern=orders(\n",
                                 "predicates.t.pattern", "Invalid regex"), 1);
    /* All well: no problem. */
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.predicate=t\n"
                                        "transforms.unwrap.negate=TRUE\npredicates=t,h\n"
                                        "predicates.t.type=TopicNameMatches\n"
                                        "predicates.t.pattern=srv\\.public\\..*\n"
                                        "predicates.h.type=HasHeaderKey\n"
                                        "predicates.h.name=trace\n",
                                 NULL, NULL), 0);
}

/* A transform with a predicate applies when negate XOR the predicate's answer. */
static bool unwrapped(transform_chain *chain, const char *topic, const ferry_header *headers,
                      size_t header_count)
{
    ferry_record record = event("c", "null", "{\"id\":1,\"name\":\"a\"}", false);
    record.topic = topic;
    record.headers = headers;
    record.header_count = header_count;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    bool row = json_object_get(record.value.json, "after") == NULL;
    transform_chain_release(chain);
    record_release(&record);
    return row;
}

static void test_predicates_decide_per_record(void **state)
{
    (void)state;
    /* TopicNameMatches matches the whole topic name, as Java's matches(). */
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=orders\n"
                                             "predicates=orders\n"
                                             "predicates.orders.type=TopicNameMatches\n"
                                             "predicates.orders.pattern=srv\\.public\\.orders\n");
    assert_true(unwrapped(chain, "srv.public.orders", NULL, 0));
    assert_false(unwrapped(chain, "srv.public.t", NULL, 0));
    assert_false(unwrapped(chain, "srv.public.orders2", NULL, 0));
    transform_chain_destroy(chain);

    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=orders\ntransforms.unwrap.negate=true\n"
                            "predicates=orders\npredicates.orders.type=TopicNameMatches\n"
                            "predicates.orders.pattern=srv\\.public\\.orders\n");
    assert_false(unwrapped(chain, "srv.public.orders", NULL, 0));
    assert_true(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);

    /* negate as Kafka Connect applies it: Boolean.parseBoolean of the text as written, so
     * " true" passes validation and means false. */
    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=orders\n"
                            "transforms.unwrap.negate= true\n"
                            "predicates=orders\npredicates.orders.type=TopicNameMatches\n"
                            "predicates.orders.pattern=srv\\.public\\.orders\n");
    assert_true(unwrapped(chain, "srv.public.orders", NULL, 0));
    assert_false(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);

    /* HasHeaderKey: exact and case-sensitive; its name trimmed as ConfigDef trims a STRING. */
    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=traced\npredicates=traced\n"
                            "predicates.traced.type=org.apache.kafka.connect.transforms.predicates."
                            "HasHeaderKey\npredicates.traced.name= trace\t\n");
    const ferry_header traced[] = {{.key = "other", .value = "x", .value_len = 1},
                                   {.key = "trace", .value = NULL}};
    const ferry_header upper[] = {{.key = "Trace", .value = "x", .value_len = 1}};
    assert_true(unwrapped(chain, "srv.public.t", traced, 2));
    assert_false(unwrapped(chain, "srv.public.t", upper, 1));
    assert_false(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);

    /* RecordIsTombstone, negated: a tombstone is left alone (unwrap alone drops it), a change
     * event is unwrapped. */
    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=tomb\ntransforms.unwrap.negate=true\n"
                            "predicates=tomb\npredicates.tomb.type=RecordIsTombstone\n");
    ferry_record tombstone = {.topic = "srv.public.t"};
    assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(tombstone.value.kind, FERRY_DATA_NULL);
    assert_true(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);
}

/* The registry lists transforms as Kafka Connect's /connector-plugins does: by class name. */
static void test_types_in_class_order(void **state)
{
    (void)state;
    const transform_type *const *types = transform_types();
    assert_non_null(types[0]);
    for (size_t i = 1; types[i]; i++)
        if (strcmp(transform_type_class(types[i - 1]), transform_type_class(types[i])) >= 0)
            fail_msg("%s is listed before %s", transform_type_class(types[i - 1]),
                     transform_type_class(types[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_in_class_order),
        cmocka_unit_test(test_validation_names_the_full_key),
        cmocka_unit_test(test_no_transforms_no_chain),
        cmocka_unit_test(test_create_becomes_the_row_with_its_schema),
        cmocka_unit_test(test_checked_text_is_parsed_on_demand),
        cmocka_unit_test(test_deletes_and_tombstones_by_default_are_dropped),
        cmocka_unit_test(test_rewrite_marks_deleted_and_keeps_tombstones),
        cmocka_unit_test(test_delete_tombstone_handling_modes),
        cmocka_unit_test(test_field_references_as_debezium_reads_them),
        cmocka_unit_test(test_deleted_field_keeps_its_name),
        cmocka_unit_test(test_route_by_field),
        cmocka_unit_test(test_kept_tombstone_gets_the_op_header),
        cmocka_unit_test(test_headers_follow_the_records_own),
        cmocka_unit_test(test_other_records_pass_and_truncates_are_dropped),
        cmocka_unit_test(test_predicate_configs_refused_by_key),
        cmocka_unit_test(test_predicates_decide_per_record),
    };
    return cmocka_run_group_tests_name("transforms", tests, NULL, NULL);
}
