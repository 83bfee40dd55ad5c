/*
 * test_transforms_debezium.c - Debezium's transforms as Debezium 3.6 has them:
 * ExtractNewRecordState (every delete.tombstone.handling.mode and the legacy keys, add.fields,
 * add.headers, route.by.field, the drop.fields keys), ByLogicalTableRouter (topics, keys, the
 * renamed schemas, schema.name.adjustment.mode) and the outbox EventRouter (topics, keys,
 * values, the id header, timestamps, placements, JSON expansion, ops); the records they leave
 * alone, their errors, and the configs they refuse by key. Expected outputs are what Debezium's
 * Java classes give, read from their sources.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transforms/debezium_support.h"
#include "transforms/transform_chain.h"
#include "transform_fixture.h"

/* ---- change events -------------------------------------------------------------------------- */

/* A row of a table (id int4 key, name text with a default, qty int4), as the pg-cdc source
 * names its schemas. */
#define ROW_SCHEMA                                                                               \
    "{\"type\":\"struct\",\"fields\":["                                                          \
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"                                  \
    "{\"type\":\"string\",\"optional\":true,\"default\":\"none\",\"field\":\"name\"},"           \
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"qty\"}],"                                 \
    "\"optional\":true,\"name\":\"srv.public.t.Value\""

#define SOURCE_SCHEMA                                                                            \
    "{\"type\":\"struct\",\"fields\":["                                                          \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"                          \
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"                               \
    "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"   \
    "\"parameters\":{\"allowed\":\"true,last,false\"},\"default\":\"false\","                    \
    "\"field\":\"snapshot\"},"                                                                   \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"table\"},"                              \
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"}],"                                 \
    "\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Source\",\"field\":\"source\"}"

#define TRANSACTION_SCHEMA                                                                       \
    "{\"type\":\"struct\",\"fields\":["                                                          \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"                                 \
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"}],"                        \
    "\"optional\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"}"

static const char *const envelope_schema_text =
    "{\"type\":\"struct\",\"fields\":[" ROW_SCHEMA ",\"field\":\"before\"}," ROW_SCHEMA
    ",\"field\":\"after\"}," SOURCE_SCHEMA "," TRANSACTION_SCHEMA ","
    "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}],"
    "\"optional\":false,\"name\":\"srv.public.t.Envelope\",\"version\":2}";

static const char *const key_schema_text =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}],"
    "\"optional\":false,\"name\":\"srv.public.t.Key\"}";

/* A change event of topic srv.public.t: op, before and after as JSON ("null" for none), with
 * schemas, key {"id":<id>}. */
static ferry_record change(const char *op, int id, const char *before, const char *after)
{
    char key[64], value[2048];
    snprintf(key, sizeof key, "{\"id\":%d}", id);
    snprintf(value, sizeof value,
             "{\"before\":%s,\"after\":%s,\"source\":{\"connector\":\"postgresql\","
             "\"ts_ms\":1700000000000,\"snapshot\":\"false\",\"table\":\"t\",\"lsn\":1234},"
             "\"transaction\":null,\"op\":\"%s\",\"ts_ms\":1700000000001}",
             before, after, op);
    ferry_record record = fixture_record(key, key_schema_text, value, envelope_schema_text);
    record.topic = "srv.public.t";
    return record;
}

/* The data's value must be this text (members in their order), and its schema (unless NULL)
 * equal to this one (member order aside: the converter writes schemas in Kafka's order). */
static void data_is(const char *what, const ferry_data *data, const char *value,
                        const char *schema)
{
    char *text = fixture_value_text(data);
    if (strcmp(text, value) != 0)
        fail_msg("%s %s, expected %s", what, text, value);
    free(text);
    if (!schema)
        return;
    json_error_t error;
    json_t *expected = json_loads(schema, 0, &error);
    if (!expected)
        fail_msg("bad expected schema %s: %s", schema, error.text);
    if (!json_equal(expected, data->schema)) {
        text = fixture_schema_text(data);
        fail_msg("%s schema %s, expected %s", what, text, schema);
    }
    json_decref(expected);
}

static void value_is(const ferry_record *record, const char *value, const char *schema)
{
    data_is("value", &record->value, value, schema);
}

static void key_is(const ferry_record *record, const char *key, const char *schema)
{
    data_is("key", &record->key, key, schema);
}

static void header_is(const ferry_record *record, const char *key, const char *value)
{
    int found = 0;
    char *text = fixture_header(record, key, &found);
    if (!found)
        fail_msg("no header %s", key);
    if (value ? !text || strcmp(text, value) != 0 : text != NULL)
        fail_msg("header %s is %s, expected %s", key, text ? text : "(null)",
                 value ? value : "(null)");
    free(text);
}

/* Applies the chain; the result must be `expected`, with err containing `message` (when not
 * NULL) on a failure. */
static void apply_expect(transform_chain *chain, ferry_record *record, transform_result expected,
                         const char *message)
{
    char err[1024] = "";
    transform_result result = transform_chain_apply(chain, record, NULL, err, sizeof err);
    if (result != expected)
        fail_msg("result %d, expected %d (%s)", (int)result, (int)expected, err);
    if (message && !strstr(err, message))
        fail_msg("error \"%s\" does not say \"%s\"", err, message);
}

#define UNWRAP "transforms=u\ntransforms.u.type=io.debezium.transforms.ExtractNewRecordState\n"

/* The unwrapped row's schema: the after schema copied (name kept, required) plus what follows. */
#define UNWRAPPED_SCHEMA(extra)                                                                  \
    "{\"type\":\"struct\",\"optional\":false,\"name\":\"srv.public.t.Value\",\"fields\":["       \
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"                                  \
    "{\"type\":\"string\",\"optional\":true,\"default\":\"none\",\"field\":\"name\"},"           \
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"qty\"}" extra "]}"

/* ---- ExtractNewRecordState ------------------------------------------------------------------ */

static void test_unwrap_create_becomes_the_row(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP);
    ferry_record record = change("c", 1, "null", "{\"id\":1,\"name\":null,\"qty\":5}");
    record.value.data = "stale";
    record.value.len = 5;
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    /* addFields rebuilds the schema even with nothing to add: required, no default applied. */
    value_is(&record, "{\"id\":1,\"name\":null,\"qty\":5}", UNWRAPPED_SCHEMA(""));
    assert_null(record.value.data);
    assert_string_equal(record.topic, "srv.public.t");
    key_is(&record, "{\"id\":1}", key_schema_text);
    fixture_record_release(&record);
    transform_chain_release(chain);

    /* A snapshot read and an update alike; the schema is the same one every time. */
    ferry_record read = change("r", 2, "null", "{\"id\":2,\"name\":\"b\",\"qty\":null}");
    ferry_record update = change("u", 2, "{\"id\":2,\"name\":\"b\",\"qty\":null}",
                                 "{\"id\":2,\"name\":\"c\",\"qty\":1}");
    apply_expect(chain, &read, TRANSFORM_KEEP, NULL);
    apply_expect(chain, &update, TRANSFORM_KEEP, NULL);
    value_is(&update, "{\"id\":2,\"name\":\"c\",\"qty\":1}", NULL);
    assert_ptr_equal(read.value.schema, update.value.schema);
    fixture_record_release(&read);
    fixture_record_release(&update);
    transform_chain_destroy(chain);
}

static void test_unwrap_add_fields(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(
        UNWRAP "transforms.u.add.fields=op,table,lsn,source.ts_ms,ts_ms:EVENT_TS,snapshot,"
               "transaction.id,id,nothing\n"
               "transforms.u.add.fields.prefix=m_\n");
    ferry_record record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":1}");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    /* Added in config order; `id` is the transaction's, as transaction.id is (null without a
     * transaction block);
     * `nothing` is in neither source nor the envelope, so it is left out; snapshot keeps its
     * schema's name, version and parameters, made optional, without its default. */
    value_is(&record,
                 "{\"id\":1,\"name\":\"a\",\"qty\":1,\"m_op\":\"c\",\"m_table\":\"t\","
                 "\"m_lsn\":1234,\"m_source_ts_ms\":1700000000000,\"m_EVENT_TS\":1700000000001,"
                 "\"m_snapshot\":\"false\",\"m_transaction_id\":null,\"m_id\":null}",
                 UNWRAPPED_SCHEMA(
                     ",{\"type\":\"string\",\"optional\":true,\"field\":\"m_op\"},"
                     "{\"type\":\"string\",\"optional\":true,\"field\":\"m_table\"},"
                     "{\"type\":\"int64\",\"optional\":true,\"field\":\"m_lsn\"},"
                     "{\"type\":\"int64\",\"optional\":true,\"field\":\"m_source_ts_ms\"},"
                     "{\"type\":\"int64\",\"optional\":true,\"field\":\"m_EVENT_TS\"},"
                     "{\"optional\":true,\"type\":\"string\",\"name\":\"io.debezium.data.Enum\","
                     "\"version\":1,\"parameters\":{\"allowed\":\"true,last,false\"},"
                     "\"field\":\"m_snapshot\"},"
                     "{\"type\":\"string\",\"optional\":true,\"field\":\"m_transaction_id\"},"
                     "{\"type\":\"string\",\"optional\":true,\"field\":\"m_id\"}"));
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* A struct the envelope does not have: Debezium fails on the record. */
    chain = fixture_chain_of(UNWRAP "transforms.u.add.fields=nowhere.x\n");
    record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":1}");
    apply_expect(chain, &record, TRANSFORM_FAIL, "no field 'nowhere'");
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* An added name that the row has: SchemaBuilder's message. */
    chain = fixture_chain_of(UNWRAP "transforms.u.add.fields=op:qty\ntransforms.u.add.fields."
                                    "prefix=\n");
    record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":1}");
    apply_expect(chain, &record, TRANSFORM_FAIL,
                 "Cannot create field because of field name duplication qty");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_unwrap_default_mode_is_tombstone(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.u.add.fields=op\n");
    /* A delete keeps its key and gets a null value that still has the row's schema; no field
     * is added to it. */
    ferry_record deleted = change("d", 1, "{\"id\":1,\"name\":\"a\",\"qty\":1}", "null");
    apply_expect(chain, &deleted, TRANSFORM_KEEP, NULL);
    assert_int_equal(deleted.value.kind, FERRY_DATA_JSON);
    value_is(&deleted, "null", ROW_SCHEMA "}");
    key_is(&deleted, "{\"id\":1}", NULL);
    fixture_record_release(&deleted);
    /* The tombstone after it is dropped. */
    ferry_record tombstone = fixture_record("{\"id\":1}", key_schema_text, "null", NULL);
    apply_expect(chain, &tombstone, TRANSFORM_DROP, NULL);
    fixture_record_release(&tombstone);
    /* A truncate has no row before or after: dropped. */
    ferry_record truncate = change("t", 1, "null", "null");
    apply_expect(chain, &truncate, TRANSFORM_DROP, NULL);
    fixture_record_release(&truncate);
    transform_chain_destroy(chain);
}

/* What a delete and a tombstone become under every mode, the legacy pairs included. */
static void test_unwrap_delete_and_tombstone_modes(void **state)
{
    (void)state;
    enum { DROPPED, NULL_WITH_SCHEMA, TOMBSTONE, REWRITTEN };
    const struct {
        const char *lines;
        int deleted;
        bool tombstone_kept;
    } cases[] = {
        {"transforms.u.delete.tombstone.handling.mode=drop\n", DROPPED, false},
        {"transforms.u.delete.tombstone.handling.mode=tombstone\n", NULL_WITH_SCHEMA, false},
        {"transforms.u.delete.tombstone.handling.mode=rewrite\n", REWRITTEN, false},
        {"transforms.u.delete.tombstone.handling.mode=rewrite-with-tombstone\n", REWRITTEN, true},
        {"transforms.u.delete.tombstone.handling.mode=Delete-To-Tombstone \n", TOMBSTONE, false},
        /* Debezium 3.2 and later ignore the legacy keys: the newer key or its default rules. */
        {"transforms.u.delete.tombstone.handling.mode=drop\ntransforms.u.drop.tombstones=false\n"
         "transforms.u.delete.handling.mode=rewrite\n", DROPPED, false},
        {"transforms.u.drop.tombstones=false\n", NULL_WITH_SCHEMA, false},
        {"transforms.u.delete.handling.mode=rewrite\ntransforms.u.drop.tombstones=false\n",
         NULL_WITH_SCHEMA, false},
        {"transforms.u.delete.handling.mode=anything\ntransforms.u.drop.tombstones=maybe\n",
         NULL_WITH_SCHEMA, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char lines[512];
        snprintf(lines, sizeof lines, UNWRAP "%s", cases[i].lines);
        transform_chain *chain = fixture_chain_of(lines);
        ferry_record deleted = change("d", 7, "{\"id\":7,\"name\":null,\"qty\":1}", "null");
        apply_expect(chain, &deleted,
                     cases[i].deleted == DROPPED ? TRANSFORM_DROP : TRANSFORM_KEEP, NULL);
        if (cases[i].deleted == NULL_WITH_SCHEMA)
            value_is(&deleted, "null", ROW_SCHEMA "}");
        if (cases[i].deleted == TOMBSTONE) {
            assert_int_equal(deleted.value.kind, FERRY_DATA_NULL);
            assert_null(deleted.value.schema);
            key_is(&deleted, "{\"id\":7}", key_schema_text);
        }
        if (cases[i].deleted == REWRITTEN)
            /* InsertField with replace.null.with.default (true): the null name gets its
             * default. */
            value_is(&deleted, "{\"id\":7,\"name\":\"none\",\"qty\":1,\"__deleted\":\"true\"}",
                         UNWRAPPED_SCHEMA(",{\"type\":\"string\",\"optional\":true,"
                                          "\"field\":\"__deleted\"}"));
        ferry_record tombstone = fixture_record("{\"id\":7}", key_schema_text, "null", NULL);
        apply_expect(chain, &tombstone, cases[i].tombstone_kept ? TRANSFORM_KEEP : TRANSFORM_DROP,
                     NULL);
        fixture_record_release(&deleted);
        fixture_record_release(&tombstone);
        transform_chain_destroy(chain);
    }
}

static void test_unwrap_rewrite(void **state)
{
    (void)state;
    /* __deleted is named so whatever add.fields.prefix is; creates and updates get "false";
     * without replace.null.with.default a null stays null. */
    transform_chain *chain = fixture_chain_of(
        UNWRAP "transforms.u.delete.tombstone.handling.mode=rewrite\n"
               "transforms.u.add.fields=op\ntransforms.u.add.fields.prefix=x_\n"
               "transforms.u.replace.null.with.default=false\n");
    ferry_record created = change("c", 1, "null", "{\"id\":1,\"name\":null,\"qty\":1}");
    apply_expect(chain, &created, TRANSFORM_KEEP, NULL);
    value_is(&created,
                 "{\"id\":1,\"name\":null,\"qty\":1,\"__deleted\":\"false\",\"x_op\":\"c\"}",
                 UNWRAPPED_SCHEMA(",{\"type\":\"string\",\"optional\":true,\"field\":\"__deleted\"},"
                                  "{\"type\":\"string\",\"optional\":true,\"field\":\"x_op\"}"));
    ferry_record deleted = change("d", 1, "{\"id\":1,\"name\":null,\"qty\":1}", "null");
    apply_expect(chain, &deleted, TRANSFORM_KEEP, NULL);
    value_is(&deleted,
                 "{\"id\":1,\"name\":null,\"qty\":1,\"__deleted\":\"true\",\"x_op\":\"d\"}", NULL);
    fixture_record_release(&created);
    fixture_record_release(&deleted);
    transform_chain_destroy(chain);
}

static void test_unwrap_add_headers(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(
        UNWRAP "transforms.u.add.headers=op,source.lsn,table:TABLE,transaction.id,nothing\n"
               "transforms.u.add.headers.prefix=dbz.\n"
               "transforms.u.delete.tombstone.handling.mode=rewrite-with-tombstone\n");
    ferry_record record = change("u", 1, "null", "{\"id\":1,\"name\":\"b\",\"qty\":1}");
    const ferry_header own[] = {{.key = "trace", .value = "abc", .value_len = 3}};
    record.headers = own;
    record.header_count = 1;
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_int_equal(record.header_count, 5);
    assert_string_equal(record.headers[0].key, "trace");
    assert_string_equal(record.headers[1].key, "dbz.op");
    header_is(&record, "dbz.op", "u");
    header_is(&record, "dbz.source_lsn", "1234");
    header_is(&record, "dbz.TABLE", "t");
    header_is(&record, "dbz.transaction_id", NULL); /* no transaction block: null */
    transform_chain_release(chain);
    fixture_record_release(&record);

    /* A tombstone gets only op, as "d". */
    ferry_record tombstone = fixture_record("{\"id\":1}", key_schema_text, "null", NULL);
    apply_expect(chain, &tombstone, TRANSFORM_KEEP, NULL);
    assert_int_equal(tombstone.header_count, 1);
    header_is(&tombstone, "dbz.op", "d");
    transform_chain_release(chain);
    fixture_record_release(&tombstone);
    transform_chain_destroy(chain);
}

static void test_unwrap_route_by_field(void **state)
{
    (void)state;
    static const char *const table_schema =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,"
        "\"field\":\"id\"},{\"type\":\"string\",\"optional\":true,\"field\":\"dest\"}],"
        "\"optional\":true,\"name\":\"srv.public.r.Value\"";
    char envelope[1024];
    snprintf(envelope, sizeof envelope,
             "{\"type\":\"struct\",\"fields\":[%s,\"field\":\"before\"},%s,\"field\":\"after\"},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}],\"optional\":false,"
             "\"name\":\"srv.public.r.Envelope\"}",
             table_schema, table_schema);
    transform_chain *chain = fixture_chain_of(
        UNWRAP "transforms.u.route.by.field=dest\n"
               "transforms.u.delete.tombstone.handling.mode=rewrite\n");
    const struct {
        const char *value;
        const char *topic;
    } cases[] = {
        {"{\"before\":null,\"after\":{\"id\":1,\"dest\":\"orders\"},\"op\":\"c\"}", "orders"},
        /* a delete routes by the row before it */
        {"{\"before\":{\"id\":1,\"dest\":\"gone\"},\"after\":null,\"op\":\"d\"}", "gone"},
        /* null or blank: the topic stays */
        {"{\"before\":null,\"after\":{\"id\":1,\"dest\":\" \"},\"op\":\"c\"}", "srv.public.r"},
        {"{\"before\":null,\"after\":{\"id\":1,\"dest\":null},\"op\":\"u\"}", "srv.public.r"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ferry_record record = fixture_record("null", NULL, cases[i].value, envelope);
        record.topic = "srv.public.r";
        apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
        assert_string_equal(record.topic, cases[i].topic);
        transform_chain_release(chain);
        fixture_record_release(&record);
    }
    transform_chain_destroy(chain);

    /* A field the row does not have, or not a string: Struct's messages. */
    chain = fixture_chain_of(UNWRAP "transforms.u.route.by.field=zone\n");
    ferry_record record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":1}");
    apply_expect(chain, &record, TRANSFORM_FAIL, "zone is not a valid field name");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
    chain = fixture_chain_of(UNWRAP "transforms.u.route.by.field=qty\n");
    record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":1}");
    apply_expect(chain, &record, TRANSFORM_FAIL, "Field 'qty' is not of type STRING");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_unwrap_drop_fields(void **state)
{
    (void)state;
    const ferry_header header[] = {
        {.key = "drop", .value = "[\"name\",\"id\",\"qty\",\"other\"]", .value_len = 29}};
    /* Schema compatible (the default): only the optional fields go. */
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.u.drop.fields.header.name=drop\n"
                                              "transforms.u.drop.fields.from.key=true\n");
    ferry_record record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":2}");
    record.headers = header;
    record.header_count = 1;
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    value_is(&record, "{\"id\":1}",
                 "{\"type\":\"struct\",\"optional\":false,\"name\":\"srv.public.t.Value\","
                 "\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}]}");
    key_is(&record, "{\"id\":1}", key_schema_text); /* its one field is required */
    transform_chain_release(chain);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* Not schema compatible: every named field goes, from the key too; Values' own list syntax
     * is read as well. */
    const ferry_header unquoted[] = {{.key = "drop", .value = "[id, qty]", .value_len = 9}};
    chain = fixture_chain_of(UNWRAP "transforms.u.drop.fields.header.name=drop\n"
                             "transforms.u.drop.fields.from.key=true\n"
                             "transforms.u.drop.fields.keep.schema.compatible=false\n");
    record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":2}");
    record.headers = unquoted;
    record.header_count = 1;
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    value_is(&record, "{\"name\":\"a\"}", NULL);
    key_is(&record, "{}",
               "{\"type\":\"struct\",\"optional\":false,\"name\":\"srv.public.t.Key\","
               "\"fields\":[]}");
    transform_chain_release(chain);
    fixture_record_release(&record);

    /* No such header, or an empty list: nothing goes. A header that is no list fails. */
    record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":2}");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    value_is(&record, "{\"id\":1,\"name\":\"a\",\"qty\":2}", NULL);
    fixture_record_release(&record);
    const ferry_header empty[] = {{.key = "drop", .value = "[]", .value_len = 2}};
    record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":2}");
    record.headers = empty;
    record.header_count = 1;
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    value_is(&record, "{\"id\":1,\"name\":\"a\",\"qty\":2}", NULL);
    fixture_record_release(&record);
    const ferry_header text[] = {{.key = "drop", .value = "name", .value_len = 4}};
    record = change("c", 1, "null", "{\"id\":1,\"name\":\"a\",\"qty\":2}");
    record.headers = text;
    record.header_count = 1;
    apply_expect(chain, &record, TRANSFORM_FAIL, "cannot be cast to class java.util.List");
    fixture_record_release(&record);
    transform_chain_release(chain);
    transform_chain_destroy(chain);
}

static void test_unwrap_leaves_other_records(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.u.add.headers=op\n");
    /* A change event without a schema (JsonConverter with schemas.enable=false) is no envelope
     * to Debezium: it passes unchanged, unparsed, without headers. */
    const char *text = "{\"before\":null,\"after\":{\"id\":7},\"op\":\"c\"}";
    ferry_record schemaless = {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .data = text,
                                                       .len = strlen(text)}};
    apply_expect(chain, &schemaless, TRANSFORM_KEEP, NULL);
    assert_null(schemaless.value.json);
    assert_ptr_equal(schemaless.value.data, text);
    assert_int_equal(schemaless.header_count, 0);
    /* A heartbeat, a plain string. */
    ferry_record heartbeat = fixture_record(
        "null", NULL, "{\"ts_ms\":1}",
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,"
        "\"field\":\"ts_ms\"}],\"optional\":false,"
        "\"name\":\"io.debezium.connector.common.Heartbeat\"}");
    json_t *before = heartbeat.value.json;
    apply_expect(chain, &heartbeat, TRANSFORM_KEEP, NULL);
    assert_ptr_equal(heartbeat.value.json, before);
    fixture_record_release(&heartbeat);
    ferry_record line = {.topic = "logs",
                         .value = {.kind = FERRY_DATA_STRING, .data = "line", .len = 4}};
    apply_expect(chain, &line, TRANSFORM_KEEP, NULL);
    assert_int_equal(line.value.kind, FERRY_DATA_STRING);
    transform_chain_destroy(chain);
}

static void test_unwrap_errors(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(UNWRAP);
    /* An envelope schema without after: ExtractField's message. */
    ferry_record record = fixture_record(
        "null", NULL, "{\"op\":\"c\"}",
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,"
        "\"field\":\"op\"}],\"optional\":false,\"name\":\"x.Envelope\"}");
    const char *failed = NULL;
    char err[512] = "";
    assert_int_equal(transform_chain_apply(chain, &record, &failed, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_string_equal(failed, "io.debezium.transforms.ExtractNewRecordState");
    assert_non_null(strstr(err, "transform u (ExtractNewRecordState): Unknown field: after"));
    fixture_record_release(&record);
    /* A value named like an envelope that is not a struct. */
    record = fixture_record("null", NULL, "\"text\"",
                            "{\"type\":\"string\",\"optional\":false,\"name\":\"x.Envelope\"}");
    apply_expect(chain, &record, TRANSFORM_FAIL,
                 "Only Struct objects supported for [field extraction], found: java.lang.String");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_unwrap_configs_refused(void **state)
{
    (void)state;
    fixture_expect_invalid(UNWRAP "transforms.u.delete.tombstone.handling.mode=none\n",
                           "transforms.u.delete.tombstone.handling.mode", "none");
    fixture_expect_invalid(UNWRAP "transforms.u.drop.fields.from.key=maybe\n",
                           "transforms.u.drop.fields.from.key", "maybe");
    fixture_expect_invalid(UNWRAP "transforms.u.add.fields=op,a:b:c\n", "transforms.u.add.fields",
                           "Invalid value op,a:b:c for configuration add.fields: Unexpected "
                           "field name: a:b:c");
    fixture_expect_invalid(UNWRAP "transforms.u.add.headers=:\n", "transforms.u.add.headers",
                           "Unexpected field name: :");
}

/* ---- ByLogicalTableRouter ----------------------------------------------------------------- */

#define ROUTER                                                                                   \
    "transforms=r\ntransforms.r.type=io.debezium.transforms.ByLogicalTableRouter\n"              \
    "transforms.r.topic.regex=(.*)customers_shard(.*)\n"                                         \
    "transforms.r.topic.replacement=$1customers_all_shards\n"

static ferry_record shard_change(const char *topic, const char *op, const char *before,
                                 const char *after)
{
    ferry_record record = change(op, 1, before, after);
    record.topic = topic;
    return record;
}

static void test_router_routes_keys_and_events(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(ROUTER);
    ferry_record record = shard_change("db.customers_shard1", "c", "null",
                                       "{\"id\":1,\"name\":null,\"qty\":2}");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_string_equal(record.topic, "db.customers_all_shards");
    key_is(&record, "{\"id\":1,\"__dbz__physicalTableIdentifier\":\"db.customers_shard1\"}",
               "{\"type\":\"struct\",\"optional\":false,\"name\":\"db.customers_all_shards.Key\","
               "\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
               "{\"type\":\"string\",\"optional\":false,"
               "\"field\":\"__dbz__physicalTableIdentifier\"}]}");
    /* The envelope renamed, before and after under the renamed row schema (optional, as the
     * before schema is), the other fields as they were. */
    json_t *schema = record.value.schema;
    assert_string_equal(json_string_value(json_object_get(schema, "name")),
                        "db.customers_all_shards.Envelope");
    assert_int_equal(json_integer_value(json_object_get(schema, "version")), 2);
    json_t *fields = json_object_get(schema, "fields");
    assert_int_equal(json_array_size(fields), 6);
    for (size_t i = 0; i < 2; i++) {
        json_t *row = json_array_get(fields, i);
        assert_string_equal(json_string_value(json_object_get(row, "name")),
                            "db.customers_all_shards.Value");
        assert_true(json_is_true(json_object_get(row, "optional")));
        assert_int_equal(json_array_size(json_object_get(row, "fields")), 3);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 2), "name")),
                        "io.debezium.connector.postgresql.Source");
    char *value = fixture_value_text(&record.value);
    assert_non_null(strstr(value, "\"after\":{\"id\":1,\"name\":null,\"qty\":2}"));
    assert_non_null(strstr(value, "\"op\":\"c\""));
    free(value);
    transform_chain_release(chain);
    fixture_record_release(&record);

    /* A tombstone and a heartbeat of a shard: the key is routed, the value stays. */
    ferry_record tombstone = fixture_record("{\"id\":1}", key_schema_text, "null", NULL);
    tombstone.topic = "db.customers_shard2";
    apply_expect(chain, &tombstone, TRANSFORM_KEEP, NULL);
    assert_string_equal(tombstone.topic, "db.customers_all_shards");
    assert_int_equal(tombstone.value.kind, FERRY_DATA_NULL);
    key_is(&tombstone,
               "{\"id\":1,\"__dbz__physicalTableIdentifier\":\"db.customers_shard2\"}", NULL);
    transform_chain_release(chain);
    fixture_record_release(&tombstone);
    ferry_record heartbeat = fixture_record("{\"id\":1}", key_schema_text, "{\"ts_ms\":1}",
                                            "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\","
                                            "\"optional\":false,\"field\":\"ts_ms\"}],"
                                            "\"optional\":false,\"name\":\"x.Heartbeat\"}");
    heartbeat.topic = "db.customers_shard2";
    json_t *heartbeat_value = heartbeat.value.json;
    apply_expect(chain, &heartbeat, TRANSFORM_KEEP, NULL);
    assert_ptr_equal(heartbeat.value.json, heartbeat_value);
    transform_chain_release(chain);
    fixture_record_release(&heartbeat);

    /* A table without a primary key: no key, and none after. A topic the regex does not match
     * as a whole: unchanged. */
    ferry_record keyless = shard_change("db.customers_shard3", "c", "null",
                                        "{\"id\":3,\"name\":\"c\",\"qty\":1}");
    json_decref(keyless.key.json);
    json_decref(keyless.key.schema);
    keyless.key = (ferry_data){.kind = FERRY_DATA_NULL};
    apply_expect(chain, &keyless, TRANSFORM_KEEP, NULL);
    assert_int_equal(keyless.key.kind, FERRY_DATA_NULL);
    assert_string_equal(keyless.topic, "db.customers_all_shards");
    transform_chain_release(chain);
    fixture_record_release(&keyless);
    ferry_record other = shard_change("db.orders", "c", "null", "{\"id\":3,\"name\":\"c\","
                                                              "\"qty\":1}");
    json_t *other_value = other.value.json;
    apply_expect(chain, &other, TRANSFORM_KEEP, NULL);
    assert_string_equal(other.topic, "db.orders");
    assert_ptr_equal(other.value.json, other_value);
    fixture_record_release(&other);
    transform_chain_destroy(chain);
}

static void test_router_key_field_options(void **state)
{
    (void)state;
    /* The documentation's example: the shard number as the identifier, under another name. */
    transform_chain *chain = fixture_chain_of(ROUTER "transforms.r.key.field.regex=(.*)customers_"
                                                     "shard(.*)\n"
                                              "transforms.r.key.field.replacement=$2\n"
                                              "transforms.r.key.field.name=shard\n");
    ferry_record record = shard_change("db.customers_shard7", "c", "null",
                                       "{\"id\":1,\"name\":\"a\",\"qty\":2}");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    key_is(&record, "{\"id\":1,\"shard\":\"7\"}", NULL);
    transform_chain_release(chain);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* key.field.regex that does not match: the old topic. */
    chain = fixture_chain_of(ROUTER "transforms.r.key.field.regex=nomatch\n"
                                    "transforms.r.key.field.replacement=x\n");
    record = shard_change("db.customers_shard7", "c", "null", "{\"id\":1,\"name\":\"a\","
                                                              "\"qty\":2}");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    key_is(&record, "{\"id\":1,\"__dbz__physicalTableIdentifier\":\"db.customers_shard7\"}",
               NULL);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* Without uniqueness the key keeps its fields, renamed schema only. */
    chain = fixture_chain_of(ROUTER "transforms.r.key.enforce.uniqueness=false\n");
    record = shard_change("db.customers_shard7", "c", "null", "{\"id\":1,\"name\":\"a\","
                                                              "\"qty\":2}");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    key_is(&record, "{\"id\":1}",
               "{\"type\":\"struct\",\"optional\":false,\"name\":\"db.customers_all_shards.Key\","
               "\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}]}");
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* A key field name the key has: SchemaBuilder's message. */
    chain = fixture_chain_of(ROUTER "transforms.r.key.field.name=id\n");
    record = shard_change("db.customers_shard7", "c", "null", "{\"id\":1,\"name\":\"a\","
                                                              "\"qty\":2}");
    apply_expect(chain, &record, TRANSFORM_FAIL,
                 "Cannot create field because of field name duplication id");
    fixture_record_release(&record);
    /* A schemaless key: Requirements' message. */
    record = fixture_record("{\"id\":1}", NULL, "null", NULL);
    record.topic = "db.customers_shard1";
    apply_expect(chain, &record, TRANSFORM_FAIL,
                 "Only Struct objects supported for [Updating schema], found: java.util.HashMap");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_router_schema_names(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(
        "transforms=r\ntransforms.r.type=ByLogicalTableRouter\n"
        "transforms.r.topic.regex=db-(\\d+)\\.(.*)\ntransforms.r.topic.replacement=$2-all\n"
        "transforms.r.schema.name.adjustment.mode=avro\n");
    ferry_record record = shard_change("db-1.t", "c", "null", "{\"id\":1,\"name\":\"a\","
                                                              "\"qty\":2}");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_string_equal(record.topic, "t-all");
    assert_string_equal(json_string_value(json_object_get(record.key.schema, "name")),
                        "t_all.Key");
    assert_string_equal(json_string_value(json_object_get(record.value.schema, "name")),
                        "t_all.Envelope");
    transform_chain_release(chain);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    debezium_names *names = debezium_names_new(DEBEZIUM_NAMES_AVRO, false);
    char err[512] = "";
    const struct {
        const char *in, *out;
    } avro[] = {{"a-b.c", "a_b.c"}, {"1abc", "_1abc"}, {"é.x", "_.x"}, {"ok_1.A", "ok_1.A"}};
    for (size_t i = 0; i < sizeof avro / sizeof avro[0]; i++) {
        char *out = debezium_names_adjust(names, avro[i].in, err, sizeof err);
        assert_non_null(out);
        assert_string_equal(out, avro[i].out);
        free(out);
    }
    /* Another name replaced by the same text fails, the first time only. */
    assert_null(debezium_names_adjust(names, "a+b.c", err, sizeof err));
    assert_string_equal(err, "The Kafka Connect schema name 'a+b.c' is not a valid Avro schema "
                             "name and its replacement 'a_b.c' conflicts with another different "
                             "schema 'a-b.c'");
    char *again = debezium_names_adjust(names, "a+b.c", err, sizeof err);
    assert_string_equal(again, "a_b.c");
    free(again);
    debezium_names_destroy(names);

    names = debezium_names_new(DEBEZIUM_NAMES_AVRO_UNICODE, false);
    const struct {
        const char *in, *out;
    } unicode[] = {{"a-b", "a_u002db"}, {"my_t.V", "my_u005ft.V"}, {"1x", "_u0031x"},
                   {"\xce\xb1", "_u3b1"}, {"\xf0\x9f\x98\x80", "_ud83d_ude00"}};
    for (size_t i = 0; i < sizeof unicode / sizeof unicode[0]; i++) {
        char *out = debezium_names_adjust(names, unicode[i].in, err, sizeof err);
        assert_non_null(out);
        assert_string_equal(out, unicode[i].out);
        free(out);
    }
    debezium_names_destroy(names);
    /* Field names: no dot allowed. */
    names = debezium_names_new(DEBEZIUM_NAMES_AVRO, true);
    char *field = debezium_names_adjust(names, "a.b", err, sizeof err);
    assert_string_equal(field, "a_b");
    free(field);
    debezium_names_destroy(names);
}

static void test_router_configs_refused(void **state)
{
    (void)state;
    const char *head = "transforms=r\ntransforms.r.type=io.debezium.transforms."
                       "ByLogicalTableRouter\n";
    char lines[512];
    snprintf(lines, sizeof lines, "%stransforms.r.topic.replacement=x\n", head);
    fixture_expect_invalid(lines, "transforms.r.topic.regex", "topic.regex");
    snprintf(lines, sizeof lines, "%stransforms.r.topic.regex=(a\ntransforms.r.topic.replacement"
                                  "=x\n", head);
    fixture_expect_invalid(lines, "transforms.r.topic.regex",
                           "Invalid value (a for configuration topic.regex: A valid regular "
                           "expressions is expected, but Unclosed group near index 2");
    snprintf(lines, sizeof lines, "%stransforms.r.topic.regex= \ntransforms.r.topic.replacement"
                                  "=x\n", head);
    fixture_expect_invalid(lines, "transforms.r.topic.regex", "a non-blank value is required");
    snprintf(lines, sizeof lines, ROUTER "transforms.r.key.field.regex=(.*)\n");
    fixture_expect_invalid(lines, "transforms.r.key.field.replacement",
                           "Invalid value null for configuration key.field.replacement: "
                           "key.field.replacement must be non-empty if key.field.regex is set.");
    snprintf(lines, sizeof lines, ROUTER "transforms.r.schema.name.adjustment.mode=avro2\n");
    fixture_expect_invalid(lines, "transforms.r.schema.name.adjustment.mode", "avro2");
    snprintf(lines, sizeof lines, ROUTER "transforms.r.logical.table.cache.size=big\n");
    fixture_expect_invalid(lines, "transforms.r.logical.table.cache.size", "big");
}

/* ---- outbox EventRouter --------------------------------------------------------------------- */

/* The outbox table of Debezium's outbox pattern as the pg-cdc source describes it: id uuid,
 * aggregatetype, aggregateid, type text, payload jsonb, plus a timestamp column, a partition
 * column and a version column. */
#define OUTBOX_ROW                                                                               \
    "{\"type\":\"struct\",\"fields\":["                                                          \
    "{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.data.Uuid\",\"version\":1,"  \
    "\"field\":\"id\"},"                                                                         \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"aggregatetype\"},"                      \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"aggregateid\"},"                        \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"type\"},"                               \
    "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\",\"version\":1,"   \
    "\"field\":\"payload\"},"                                                                    \
    "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\","        \
    "\"version\":1,\"field\":\"created\"},"                                                      \
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"part\"},"                                 \
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"v\"}],"                                   \
    "\"optional\":true,\"name\":\"srv.public.outbox.Value\""

static const char *const outbox_schema_text =
    "{\"type\":\"struct\",\"fields\":[" OUTBOX_ROW ",\"field\":\"before\"}," OUTBOX_ROW
    ",\"field\":\"after\"},{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}],"
    "\"optional\":false,\"name\":\"srv.public.outbox.Envelope\",\"version\":2}";

#define UUID "6f1c5d3e-0b7a-4c1e-9a57-3c7d2e9b8a10"

/* An outbox change event; payload as JSON text of the column (a JSON string or null). */
static ferry_record outbox_event(const char *op, const char *type, const char *payload,
                                 const char *extra_columns)
{
    char row[1024], value[2304];
    snprintf(row, sizeof row,
             "{\"id\":\"" UUID "\",\"aggregatetype\":\"%s\",\"aggregateid\":\"42\","
             "\"type\":\"OrderCreated\",\"payload\":%s%s}",
             type, payload, extra_columns ? extra_columns : "");
    bool deleted = strcmp(op, "d") == 0;
    snprintf(value, sizeof value, "{\"before\":%s,\"after\":%s,\"op\":\"%s\","
             "\"ts_ms\":1700000000123}", deleted ? row : "null", deleted ? "null" : row, op);
    ferry_record record = fixture_record("{\"id\":\"" UUID "\"}",
                                         "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\","
                                         "\"optional\":false,\"field\":\"id\"}],"
                                         "\"optional\":false,\"name\":\"srv.public.outbox.Key\"}",
                                         value, outbox_schema_text);
    record.topic = "srv.public.outbox";
    return record;
}

#define OUTBOX "transforms=o\ntransforms.o.type=io.debezium.transforms.outbox.EventRouter\n"

static void test_outbox_routes_an_event(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(OUTBOX);
    ferry_record record = outbox_event("c", "Order", "\"{\\\"total\\\":5}\"", NULL);
    record.partition = 2;
    const ferry_header own[] = {{.key = "trace", .value = "t1", .value_len = 2}};
    record.headers = own;
    record.header_count = 1;
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_string_equal(record.topic, "outbox.event.Order");
    key_is(&record, "\"42\"", "{\"type\":\"string\",\"optional\":false}");
    value_is(&record, "\"{\\\"total\\\":5}\"",
                 "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\","
                 "\"version\":1}");
    assert_int_equal(record.header_count, 2);
    header_is(&record, "trace", "t1");
    header_is(&record, "id", UUID);
    assert_int_equal(record.timestamp_ms, 1700000000123);
    assert_int_equal(record.partition, FERRY_PARTITION_ANY); /* not the record's own */
    transform_chain_release(chain);
    fixture_record_release(&record);

    /* A snapshot read too; the aggregate type's case is kept. */
    record = outbox_event("r", "customer", "\"{}\"", NULL);
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_string_equal(record.topic, "outbox.event.customer");
    transform_chain_release(chain);
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_outbox_ops(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(OUTBOX);
    ferry_record deleted = outbox_event("d", "Order", "null", NULL);
    apply_expect(chain, &deleted, TRANSFORM_DROP, NULL);
    fixture_record_release(&deleted);
    ferry_record updated = outbox_event("u", "Order", "null", NULL);
    apply_expect(chain, &updated, TRANSFORM_DROP, NULL); /* warn (the default) */
    fixture_record_release(&updated);
    ferry_record tombstone = fixture_record("{\"id\":1}", NULL, "null", NULL);
    apply_expect(chain, &tombstone, TRANSFORM_DROP, NULL);
    fixture_record_release(&tombstone);
    ferry_record heartbeat = fixture_record("null", NULL, "{\"ts_ms\":1}", NULL);
    apply_expect(chain, &heartbeat, TRANSFORM_KEEP, NULL);
    fixture_record_release(&heartbeat);
    transform_chain_destroy(chain);

    /* fatal: the update fails the record, naming its key. */
    const char *configs[] = {OUTBOX "transforms.o.table.op.invalid.behavior=fatal\n",
                             OUTBOX "transforms.o.debezium.op.invalid.behavior=FATAL\n"};
    for (size_t i = 0; i < 2; i++) {
        chain = fixture_chain_of(configs[i]);
        updated = outbox_event("u", "Order", "null", NULL);
        apply_expect(chain, &updated, TRANSFORM_FAIL,
                     "Unexpected update message received Struct{id=" UUID "}, fail.");
        fixture_record_release(&updated);
        transform_chain_destroy(chain);
    }
    chain = fixture_chain_of(OUTBOX "transforms.o.table.op.invalid.behavior=error\n");
    updated = outbox_event("u", "Order", "null", NULL);
    apply_expect(chain, &updated, TRANSFORM_DROP, NULL);
    fixture_record_release(&updated);
    transform_chain_destroy(chain);
}

static void test_outbox_timestamps(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(OUTBOX "transforms.o.table.field.event.timestamp="
                                                     "created\n");
    ferry_record record = outbox_event("c", "Order", "null", ",\"created\":1700000000999999");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_int_equal(record.timestamp_ms, 1700000000999); /* microseconds to milliseconds */
    fixture_record_release(&record);
    record = outbox_event("c", "Order", "null", ",\"created\":null");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_int_equal(record.timestamp_ms, 1700000000123); /* null: the event's ts_ms */
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    const struct {
        const char *column, *message;
    } bad[] = {{"part", "Field 'part' is not of type INT64"},
               {"nothing", "Unable to find timestamp field nothing in event"}};
    for (size_t i = 0; i < 2; i++) {
        char lines[256];
        snprintf(lines, sizeof lines, OUTBOX "transforms.o.table.field.event.timestamp=%s\n",
                 bad[i].column);
        chain = fixture_chain_of(lines);
        record = outbox_event("c", "Order", "null", ",\"part\":1");
        apply_expect(chain, &record, TRANSFORM_FAIL, bad[i].message);
        fixture_record_release(&record);
        transform_chain_destroy(chain);
    }
}

static void test_outbox_placements(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(
        OUTBOX "transforms.o.table.fields.additional.placement=type:header:eventType,"
               "type:ENVELOPE:eventType, part:partition,aggregateid:header\n");
    ferry_record record = outbox_event("c", "Order", "\"{\\\"a\\\":1}\"", ",\"part\":3");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_int_equal(record.partition, 3);
    header_is(&record, "id", UUID);
    header_is(&record, "eventType", "OrderCreated");
    header_is(&record, "aggregateid", "42");
    assert_string_equal(record.headers[0].key, "id");
    /* An envelope placement: a struct named after the routed value. */
    value_is(&record, "{\"payload\":\"{\\\"a\\\":1}\",\"eventType\":\"OrderCreated\"}",
                 "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":true,"
                 "\"name\":\"io.debezium.data.Json\",\"version\":1,\"field\":\"payload\"},"
                 "{\"type\":\"string\",\"optional\":false,\"field\":\"eventType\"}],"
                 "\"optional\":false,\"name\":\"srv.public.outbox.Order.Value\"}");
    transform_chain_release(chain);
    fixture_record_release(&record);
    /* The first schema made for a payload schema serves the events of other aggregate types
     * too (Debezium caches it by payload schema). */
    record = outbox_event("c", "Customer", "\"{}\"", NULL);
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_string_equal(record.topic, "outbox.event.Customer");
    assert_string_equal(json_string_value(json_object_get(record.value.schema, "name")),
                        "srv.public.outbox.Order.Value");
    assert_int_equal(record.partition, FERRY_PARTITION_ANY); /* part is null */
    transform_chain_release(chain);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* A column the table lacks: an error by default, skipped with ignore (and with the legacy
     * error.on.missing=false). */
    chain = fixture_chain_of(OUTBOX "transforms.o.table.fields.additional.placement=tenant:"
                                    "envelope\n");
    record = outbox_event("c", "Order", "null", NULL);
    apply_expect(chain, &record, TRANSFORM_FAIL, "Unable to find field tenant in event");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
    const char *ignoring[] = {"transforms.o.table.field.additional.missing=ignore\n",
                              "transforms.o.table.fields.additional.error.on.missing=false\n"};
    for (size_t i = 0; i < 2; i++) {
        char lines[512];
        snprintf(lines, sizeof lines, OUTBOX "transforms.o.table.fields.additional.placement="
                                             "tenant:envelope,zone:header\n%s", ignoring[i]);
        chain = fixture_chain_of(lines);
        record = outbox_event("c", "Order", "null", NULL);
        apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
        value_is(&record, "{\"payload\":null}", NULL);
        assert_int_equal(record.header_count, 1);
        transform_chain_release(chain);
        fixture_record_release(&record);
        transform_chain_destroy(chain);
    }
    chain = fixture_chain_of(OUTBOX "transforms.o.table.fields.additional.placement=zone:header\n");
    record = outbox_event("c", "Order", "null", NULL);
    apply_expect(chain, &record, TRANSFORM_FAIL, "zone is not a valid field name");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_outbox_routing_options(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(
        OUTBOX "transforms.o.route.by.field=type\n"
               "transforms.o.route.topic.regex=(?<kind>Order)(.*) \n"
               "transforms.o.route.topic.replacement= events.${kind}.$2 \n"
               "transforms.o.table.field.event.key=type\n"
               "transforms.o.route.tombstone.on.empty.payload=true\n");
    ferry_record record = outbox_event("c", "Order", "\" \"", NULL);
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_string_equal(record.topic, "events.Order.Created");
    key_is(&record, "\"OrderCreated\"", NULL);
    /* A blank payload is a tombstone. */
    assert_int_equal(record.value.kind, FERRY_DATA_NULL);
    assert_null(record.value.schema);
    transform_chain_release(chain);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* A route value the regex does not match becomes the topic itself. */
    chain = fixture_chain_of(OUTBOX "transforms.o.route.topic.regex=x(.*)\n");
    record = outbox_event("c", "Order", "null", NULL);
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_string_equal(record.topic, "Order");
    value_is(&record, "null", NULL); /* a null payload stays a value, not a tombstone */
    assert_non_null(record.value.schema);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* table.field.event.schema.version: the schema's version, per version. */
    chain = fixture_chain_of(OUTBOX "transforms.o.table.field.event.schema.version=v\n"
                                    "transforms.o.table.fields.additional.placement=type:"
                                    "envelope\n");
    record = outbox_event("c", "Order", "null", ",\"v\":3");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    assert_int_equal(json_integer_value(json_object_get(record.value.schema, "version")), 3);
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_outbox_expand_json(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(OUTBOX "transforms.o.table.expand.json.payload="
                                                     "true\n");
    ferry_record record = outbox_event(
        "c", "Order",
        "\"{\\\"n\\\":1,\\\"big\\\":10000000000,\\\"x\\\":1.5,\\\"ok\\\":true,\\\"s\\\":\\\"a\\\","
        "\\\"gone\\\":null,\\\"empty\\\":[],\\\"tags\\\":[\\\"a\\\",null],"
        "\\\"items\\\":[{\\\"q\\\":1},{\\\"p\\\":\\\"b\\\"}],\\\"sub\\\":{\\\"k\\\":2}}\"",
        NULL);
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    value_is(&record,
                 "{\"n\":1,\"big\":10000000000,\"x\":1.5,\"ok\":true,\"s\":\"a\","
                 "\"tags\":[\"a\",null],\"items\":[{\"q\":1,\"p\":null},{\"q\":null,\"p\":\"b\"}],"
                 "\"sub\":{\"k\":2}}",
                 "{\"type\":\"struct\",\"optional\":true,\"name\":\"payload\",\"fields\":["
                 "{\"type\":\"int32\",\"optional\":true,\"field\":\"n\"},"
                 "{\"type\":\"int64\",\"optional\":true,\"field\":\"big\"},"
                 "{\"type\":\"double\",\"optional\":true,\"field\":\"x\"},"
                 "{\"type\":\"boolean\",\"optional\":true,\"field\":\"ok\"},"
                 "{\"type\":\"string\",\"optional\":true,\"field\":\"s\"},"
                 "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":true},"
                 "\"optional\":true,\"field\":\"tags\"},"
                 "{\"type\":\"array\",\"items\":{\"optional\":false,\"type\":\"struct\","
                 "\"name\":\"payload.items\",\"fields\":[{\"type\":\"int32\",\"optional\":true,"
                 "\"field\":\"q\"},{\"type\":\"string\",\"optional\":true,\"field\":\"p\"}]},"
                 "\"optional\":true,\"field\":\"items\"},"
                 "{\"type\":\"struct\",\"optional\":true,\"name\":\"payload.sub\",\"fields\":["
                 "{\"type\":\"int32\",\"optional\":true,\"field\":\"k\"}],\"field\":\"sub\"}]}");
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* optional_bytes keeps nulls as optional bytes. */
    chain = fixture_chain_of(OUTBOX "transforms.o.table.expand.json.payload=true\n"
                                    "transforms.o.table.json.payload.null.behavior="
                                    "optional_bytes\n");
    record = outbox_event("c", "Order", "\"{\\\"gone\\\":null}\"", NULL);
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    value_is(&record, "{\"gone\":null}",
                 "{\"type\":\"struct\",\"optional\":true,\"name\":\"payload\",\"fields\":["
                 "{\"type\":\"bytes\",\"optional\":true,\"field\":\"gone\"}]}");
    fixture_record_release(&record);
    /* Not JSON, a mixed array: a warning, the payload as it was. */
    const char *kept[] = {"\"plain text\"", "\"{\\\"a\\\":[1,\\\"b\\\"]}\"", "\"{broken\""};
    for (size_t i = 0; i < 3; i++) {
        record = outbox_event("c", "Order", kept[i], NULL);
        apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
        value_is(&record, kept[i], NULL);
        fixture_record_release(&record);
    }
    /* A top-level array: Debezium's value would not fit its schema. */
    record = outbox_event("c", "Order", "\"[1,2]\"", NULL);
    apply_expect(chain, &record, TRANSFORM_FAIL, "does not fit");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_outbox_errors(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(OUTBOX "transforms.o.table.field.event.payload="
                                                     "body\n");
    ferry_record record = outbox_event("c", "Order", "null", NULL);
    apply_expect(chain, &record, TRANSFORM_FAIL, "Unable to find payload field body in event");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
    chain = fixture_chain_of(OUTBOX "transforms.o.table.field.event.id=uuid\n");
    record = outbox_event("c", "Order", "null", NULL);
    apply_expect(chain, &record, TRANSFORM_FAIL, "uuid is not a valid field name");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
    chain = fixture_chain_of(OUTBOX "transforms.o.route.by.field=part\n");
    record = outbox_event("c", "Order", "null", NULL);
    apply_expect(chain, &record, TRANSFORM_FAIL, "Field 'part' is not of type STRING");
    fixture_record_release(&record);
    transform_chain_destroy(chain);
}

static void test_outbox_configs_refused(void **state)
{
    (void)state;
    fixture_expect_invalid(OUTBOX "transforms.o.table.fields.additional.placement=type:body\n",
                           "transforms.o.table.fields.additional.placement",
                           "unknown placement 'body'");
    fixture_expect_invalid(OUTBOX "transforms.o.table.fields.additional.placement=type, a:b\n",
                           "transforms.o.table.fields.additional.placement",
                           "A comma-separated list of valid String pairs or trios is expected "
                           "but got: [type, a:b]");
    fixture_expect_invalid(OUTBOX "transforms.o.route.topic.regex=(x\n",
                           "transforms.o.route.topic.regex",
                           "A valid regular expressions is expected");
    fixture_expect_invalid(OUTBOX "transforms.o.table.op.invalid.behavior=skip\n",
                           "transforms.o.table.op.invalid.behavior", "skip");
    fixture_expect_invalid(OUTBOX "transforms.o.debezium.op.invalid.behavior=skip\n",
                           "transforms.o.debezium.op.invalid.behavior",
                           "Value must be one of warn, error, fatal");
    fixture_expect_invalid(OUTBOX "transforms.o.table.fields.additional.error.on.missing=no\n",
                           "transforms.o.table.fields.additional.error.on.missing",
                           "Either 'true' or 'false' is expected");
    fixture_expect_invalid(OUTBOX "transforms.o.field.name.adjustment.mode=x\n",
                           "transforms.o.field.name.adjustment.mode", "none, avro, avro_unicode");
    fixture_expect_invalid(OUTBOX "transforms.o.table.json.payload.null.behavior=keep\n",
                           "transforms.o.table.json.payload.null.behavior", "keep");
    /* The tracing keys are accepted. */
    transform_chain *chain = fixture_chain_of(OUTBOX "transforms.o.tracing.span.context.field=t\n"
                                                     "transforms.o.tracing.operation.name=op\n"
                                                     "transforms.o.tracing.with.context.field."
                                                     "only=true\n");
    transform_chain_destroy(chain);
}

/* ---- shared pieces -------------------------------------------------------------------------- */

static void test_support_header_texts(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(
        OUTBOX "transforms.o.table.fields.additional.placement=payload:header:p,v:header\n");
    ferry_record record = outbox_event("c", "Order", "\"a\\\"b\"", ",\"v\":null");
    apply_expect(chain, &record, TRANSFORM_KEEP, NULL);
    header_is(&record, "p", "a\"b"); /* a string as its characters */
    header_is(&record, "v", NULL);   /* a null: a null header */
    transform_chain_release(chain);
    fixture_record_release(&record);
    transform_chain_destroy(chain);

    /* Values.convertToString of structs, maps, arrays and numbers; Object.toString. */
    json_t *schema = json_loads("{\"type\":\"struct\",\"fields\":[{\"type\":\"string\","
                                "\"optional\":true,\"field\":\"a\"},{\"type\":\"array\","
                                "\"items\":{\"type\":\"double\"},\"optional\":true,"
                                "\"field\":\"b\"},{\"type\":\"int32\",\"optional\":true,"
                                "\"default\":7,\"field\":\"c\"}]}",
                                0, NULL);
    json_t *value = json_loads("{\"a\":\"x\\\"y\",\"b\":[1,2.5],\"c\":null}", 0, NULL);
    char *text = debezium_java_text(schema, value);
    assert_string_equal(text, "Struct{a=x\"y,b=[1.0, 2.5]}");
    free(text);
    json_decref(schema);
    json_decref(value);

    strlist pieces = {0};
    assert_int_equal(debezium_split("a::b::", ':', &pieces), 0);
    assert_int_equal(pieces.count, 3);
    assert_string_equal(pieces.items[1], "");
    strlist_free(&pieces);
    assert_int_equal(debezium_split(":", ':', &pieces), 0);
    assert_int_equal(pieces.count, 0);
    assert_int_equal(debezium_split("", ':', &pieces), 0);
    assert_int_equal(pieces.count, 1);
    strlist_free(&pieces);
    assert_true(debezium_is_blank(" \t"));
    assert_false(debezium_is_blank(" a"));
}

/* Change events of odd shapes fail with a message (or pass), never crash. */
static void test_odd_events(void **state)
{
    (void)state;
    static const char *const odd_schema =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
        "\"optional\":true}],\"optional\":true,\"field\":\"after\"},{\"type\":\"string\","
        "\"optional\":true,\"field\":\"op\"}],\"optional\":false,\"name\":\"x.Envelope\"}";
    const struct {
        const char *lines, *value, *message;
        transform_result result;
    } cases[] = {
        /* unwrap: an after that is not a struct; a field without a name */
        {UNWRAP, "{\"after\":\"x\",\"op\":\"c\"}",
         "Only Struct objects supported for [source field insertion], found: java.lang.String",
         TRANSFORM_FAIL},
        {UNWRAP, "{\"after\":{\"\":1},\"op\":\"c\"}", "fieldName cannot be null.",
         TRANSFORM_FAIL},
        {UNWRAP, "{\"after\":null,\"op\":\"d\"}", "Unknown field: before", TRANSFORM_FAIL},
        /* the router: a change event without before */
        {ROUTER, "{\"after\":null,\"op\":\"c\"}", "has no field 'before'", TRANSFORM_FAIL},
        /* the outbox router: a null op, an after that is no struct */
        {OUTBOX, "{\"after\":null,\"op\":null}", "a null op", TRANSFORM_FAIL},
        {OUTBOX, "{\"after\":null,\"op\":\"c\"}",
         "Only Struct objects supported for [Read Outbox Event], found: null", TRANSFORM_FAIL},
        {OUTBOX, "{\"after\":{},\"op\":\"c\"}", "Unable to find payload field payload in event",
         TRANSFORM_FAIL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        transform_chain *chain = fixture_chain_of(cases[i].lines);
        ferry_record record = fixture_record("null", NULL, cases[i].value, odd_schema);
        record.topic = "db.customers_shard1";
        apply_expect(chain, &record, cases[i].result, cases[i].message);
        transform_chain_release(chain);
        fixture_record_release(&record);
        transform_chain_destroy(chain);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unwrap_create_becomes_the_row),
        cmocka_unit_test(test_unwrap_add_fields),
        cmocka_unit_test(test_unwrap_default_mode_is_tombstone),
        cmocka_unit_test(test_unwrap_delete_and_tombstone_modes),
        cmocka_unit_test(test_unwrap_rewrite),
        cmocka_unit_test(test_unwrap_add_headers),
        cmocka_unit_test(test_unwrap_route_by_field),
        cmocka_unit_test(test_unwrap_drop_fields),
        cmocka_unit_test(test_unwrap_leaves_other_records),
        cmocka_unit_test(test_unwrap_errors),
        cmocka_unit_test(test_unwrap_configs_refused),
        cmocka_unit_test(test_router_routes_keys_and_events),
        cmocka_unit_test(test_router_key_field_options),
        cmocka_unit_test(test_router_schema_names),
        cmocka_unit_test(test_router_configs_refused),
        cmocka_unit_test(test_outbox_routes_an_event),
        cmocka_unit_test(test_outbox_ops),
        cmocka_unit_test(test_outbox_timestamps),
        cmocka_unit_test(test_outbox_placements),
        cmocka_unit_test(test_outbox_routing_options),
        cmocka_unit_test(test_outbox_expand_json),
        cmocka_unit_test(test_outbox_errors),
        cmocka_unit_test(test_outbox_configs_refused),
        cmocka_unit_test(test_support_header_texts),
        cmocka_unit_test(test_odd_events),
    };
    return cmocka_run_group_tests_name("transforms_debezium", tests, NULL, NULL);
}
