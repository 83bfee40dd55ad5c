/* PostgresCdcSource events on the real PostgreSQL and Kafka, through the real ferry binary:
 *
 *   1. the event sequence: a snapshot of existing rows, then an insert, an update, a delete
 *      (with its tombstone), a multi-row update, a primary-key change (delete + tombstone +
 *      create), a truncate, REPLICA IDENTITY FULL (whole old rows) and an unchanged TOASTed
 *      column; every event's op, key, before, after and source block checked, the Connect
 *      schemas named as Debezium names them, and the transaction metadata (BEGIN/END events, the
 *      transaction block);
 *   2. every type of the mapping table round-trips: the same row read by the snapshot and by the
 *      stream gives the same values, and the values Debezium gives;
 *   3. a Debezium connector config (JSON, as posted to Kafka Connect) copied unchanged is
 *      accepted and produces Debezium's topics;
 *   4. the field schemas as Kafka's JsonConverter reads them: "float" and "double" for real and
 *      double precision, and the constant column defaults as "default" (none for now() or a
 *      sequence), from the snapshot and from the stream; a required column missing from an old
 *      key tuple gets its default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_pg_cdc_support.h"

#define db pgt_conn

/* Compact JSON of a value (malloc'd). */
static char *json_text(const json_t *value)
{
    if (!value)
        return strdup("(none)");
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

static void assert_json_is(const json_t *value, const char *expected, const char *what)
{
    json_error_t error;
    json_t *parsed = json_loads(expected, JSON_DECODE_ANY, &error);
    if (!parsed)
        fail_msg("bad expected JSON for %s: %s", what, error.text);
    if (!json_equal(parsed, value)) {
        char *got = json_text(value);
        char *want = json_text(parsed);
        json_decref(parsed);
        fail_msg("%s: got %s, expected %s", what, got, want);
    }
    json_decref(parsed);
}

/* Checks one change event: op, key, before and after (JSON text or "null"). */
static void check_event(const pgt_events *events, size_t i, const char *op, const char *key,
                        const char *before, const char *after)
{
    if (i >= events->count)
        fail_msg("event %zu missing: only %zu events", i, events->count);
    const pgt_event *event = &events->items[i];
    char what[96];
    if (strcmp(pgt_op(event), op) != 0) {
        char *value = json_text(event->value);
        fail_msg("event %zu is '%s', expected '%s': %s", i, pgt_op(event), op, value);
    }
    snprintf(what, sizeof what, "event %zu (%s) key", i, op);
    assert_json_is(event->key, key, what);
    if (!event->value)
        return;
    snprintf(what, sizeof what, "event %zu (%s) before", i, op);
    assert_json_is(json_object_get(event->value, "before"), before, what);
    snprintf(what, sizeof what, "event %zu (%s) after", i, op);
    assert_json_is(json_object_get(event->value, "after"), after, what);
}

static const char *source_string(const pgt_event *event, const char *field)
{
    return json_string_value(json_object_get(json_object_get(event->value, "source"), field));
}

static json_int_t source_int(const pgt_event *event, const char *field)
{
    json_t *value = json_object_get(json_object_get(event->value, "source"), field);
    return json_is_integer(value) ? json_integer_value(value) : -1;
}

/* ---- 1. the event sequence ---------------------------------------------------------------- */

static void test_event_sequence(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_events", "orders",
                 "(id int PRIMARY KEY, name text NOT NULL, qty int)", 500, NULL);
    fp_env *env = c.env;
    const char *prefix = c.prefix, *table = c.table;
    const char *toast = fp_name(env, "docs");
    pgt_exec(db, "DROP TABLE IF EXISTS %s", toast);
    pgt_exec(db, "CREATE TABLE %s (id int PRIMARY KEY, body text, n int)", toast);
    pgt_exec(db, "INSERT INTO %s VALUES (1, 'a', 10), (2, 'b', 20)", table);
    char extra[512];
    snprintf(extra, sizeof extra,
             "table.include.list=public\\\\.%s,public\\\\.%s\nskipped.operations=none\n"
             "provide.transaction.metadata=true\nslot.drop.on.stop=true\n",
             table, toast);
    const char *worker = c.worker;
    const char *connector = pgt_connector_file(env, "events.properties", c.name, prefix, c.slot,
                                               c.publication, extra);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");

    pgt_exec(db, "INSERT INTO %s VALUES (3, 'c', 30)", table);                     /* T1 */
    pgt_exec(db, "UPDATE %s SET name = 'a2' WHERE id = 1", table);                 /* T2 */
    pgt_exec(db, "DELETE FROM %s WHERE id = 2", table);                            /* T3 */
    pgt_exec(db, "UPDATE %s SET qty = qty + 1 WHERE id IN (1, 3)", table);         /* T4 */
    pgt_exec(db, "UPDATE %s SET id = 30 WHERE id = 3", table);                     /* T5 */
    pgt_exec(db, "TRUNCATE %s", table);                                            /* T6 */
    pgt_exec(db, "ALTER TABLE %s REPLICA IDENTITY FULL", table);
    pgt_exec(db, "INSERT INTO %s VALUES (5, 'e', 50)", table);                     /* T7 */
    pgt_exec(db, "UPDATE %s SET qty = 51 WHERE id = 5", table);                    /* T8 */
    pgt_exec(db, "DELETE FROM %s WHERE id = 5", table);                            /* T9 */
    /* A TOASTed column (incompressible, stored out of line) left unchanged by an update. */
    pgt_exec(db, "INSERT INTO %s SELECT 1, string_agg(md5(i::text), ''), 1 "
                 "FROM generate_series(1, 400) i", toast);                         /* T10 */
    pgt_exec(db, "UPDATE %s SET n = 2 WHERE id = 1", toast);                       /* T11 */

    const char *topic = c.topic;
    char toast_topic[256], tx_topic[256];
    snprintf(toast_topic, sizeof toast_topic, "%s.public.%s", prefix, toast);
    snprintf(tx_topic, sizeof tx_topic, "%s.transaction", prefix);
    if (!pgt_wait_records(proc, topic, 16, 60000) || !pgt_wait_records(proc, toast_topic, 2, 60000))
        fail_msg("not all events arrived");
    fp_sleep_ms(1500);
    fp_stop(proc, 30000);

    pgt_events *events = pgt_read(topic);
    size_t i = 0;
    check_event(events, i++, "r", "{\"id\":1}", "null", "{\"id\":1,\"name\":\"a\",\"qty\":10}");
    check_event(events, i++, "r", "{\"id\":2}", "null", "{\"id\":2,\"name\":\"b\",\"qty\":20}");
    check_event(events, i++, "c", "{\"id\":3}", "null", "{\"id\":3,\"name\":\"c\",\"qty\":30}");
    check_event(events, i++, "u", "{\"id\":1}", "null", "{\"id\":1,\"name\":\"a2\",\"qty\":10}");
    /* REPLICA IDENTITY DEFAULT: the old key only; required columns get Debezium's fallback */
    check_event(events, i++, "d", "{\"id\":2}", "{\"id\":2,\"name\":\"\",\"qty\":null}", "null");
    check_event(events, i++, "tombstone", "{\"id\":2}", NULL, NULL);
    check_event(events, i++, "u", "{\"id\":1}", "null", "{\"id\":1,\"name\":\"a2\",\"qty\":11}");
    check_event(events, i++, "u", "{\"id\":3}", "null", "{\"id\":3,\"name\":\"c\",\"qty\":31}");
    check_event(events, i++, "d", "{\"id\":3}", "{\"id\":3,\"name\":\"\",\"qty\":null}", "null");
    check_event(events, i++, "tombstone", "{\"id\":3}", NULL, NULL);
    check_event(events, i++, "c", "{\"id\":30}", "null", "{\"id\":30,\"name\":\"c\",\"qty\":31}");
    check_event(events, i++, "t", "null", "null", "null");
    check_event(events, i++, "c", "{\"id\":5}", "null", "{\"id\":5,\"name\":\"e\",\"qty\":50}");
    /* REPLICA IDENTITY FULL: the whole old row */
    check_event(events, i++, "u", "{\"id\":5}", "{\"id\":5,\"name\":\"e\",\"qty\":50}",
                "{\"id\":5,\"name\":\"e\",\"qty\":51}");
    check_event(events, i++, "d", "{\"id\":5}", "{\"id\":5,\"name\":\"e\",\"qty\":51}", "null");
    check_event(events, i++, "tombstone", "{\"id\":5}", NULL, NULL);
    assert_int_equal(events->count, 16);

    /* The source block and the transaction block. */
    const pgt_event *first = &events->items[0];
    /* The snapshot reads this table first (table.include.list's order), then the empty TOAST
     * table: this table's first row is the snapshot's first, its last row the snapshot's last
     * all the same, as Debezium marks them. */
    assert_string_equal(source_string(first, "snapshot"), "first");
    assert_string_equal(source_string(&events->items[1], "snapshot"), "last");
    assert_true(json_is_null(json_object_get(first->value, "transaction")));
    for (size_t e = 0; e < events->count; e++) {
        const pgt_event *event = &events->items[e];
        if (!event->value)
            continue;
        assert_string_equal(source_string(event, "connector"), "postgresql");
        assert_string_equal(source_string(event, "name"), prefix);
        assert_string_equal(source_string(event, "db"), "ferry");
        assert_string_equal(source_string(event, "schema"), "public");
        assert_string_equal(source_string(event, "table"), table);
        assert_true(source_int(event, "lsn") > 0);
        assert_true(source_int(event, "txId") > 0);
        assert_true(json_is_integer(json_object_get(event->value, "ts_ms")));
        if (e >= 2) {
            assert_string_equal(source_string(event, "snapshot"), "false");
            assert_non_null(source_string(event, "sequence"));
            json_t *block = json_object_get(event->value, "transaction");
            char txid[48]; /* Debezium's "<txId>:<LSN>" */
            snprintf(txid, sizeof txid, "%lld:%lld", (long long)source_int(event, "txId"),
                     (long long)source_int(event, "lsn"));
            assert_string_equal(json_string_value(json_object_get(block, "id")), txid);
        }
    }
    /* The multi-row update: one transaction, orders 1 and 2. */
    assert_int_equal(source_int(&events->items[6], "txId"), source_int(&events->items[7], "txId"));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(events->items[7].value, "transaction"), "total_order")),
                     2);
    assert_true(source_int(&events->items[2], "lsn") < source_int(&events->items[3], "lsn"));

    /* Schemas named as Debezium names them. */
    char name_text[300];
    snprintf(name_text, sizeof name_text, "%s.public.%s.Envelope", prefix, table);
    assert_string_equal(json_string_value(json_object_get(first->value_schema, "name")),
                        name_text);
    snprintf(name_text, sizeof name_text, "%s.public.%s.Key", prefix, table);
    assert_string_equal(json_string_value(json_object_get(first->key_schema, "name")), name_text);
    assert_int_equal(json_integer_value(json_object_get(first->value_schema, "version")), 2);
    pgt_events_free(events);

    /* The unchanged TOASTed column gets the placeholder. */
    events = pgt_read(toast_topic);
    assert_int_equal(events->count, 2);
    assert_int_equal(json_string_length(json_object_get(
                         json_object_get(events->items[0].value, "after"), "body")),
                     12800);
    check_event(events, 1, "u", "{\"id\":1}", "null",
                "{\"id\":1,\"body\":\"__debezium_unavailable_value\",\"n\":2}");
    pgt_events_free(events);

    /* Transaction metadata: BEGIN and END around every transaction with events. */
    events = pgt_read(tx_topic);
    size_t begins = 0, ends = 0;
    bool multi_row_end = false;
    for (size_t e = 0; e < events->count; e++) {
        const char *status = json_string_value(json_object_get(events->items[e].value, "status"));
        assert_non_null(status);
        if (strcmp(status, "BEGIN") == 0)
            begins++;
        if (strcmp(status, "END") == 0) {
            ends++;
            if (json_integer_value(json_object_get(events->items[e].value, "event_count")) == 2) {
                json_t *collections = json_object_get(events->items[e].value, "data_collections");
                char expected[300];
                snprintf(expected, sizeof expected,
                         "[{\"data_collection\":\"public.%s\",\"event_count\":2}]", table);
                assert_json_is(collections, expected, "data_collections of the multi-row update");
                multi_row_end = true;
            }
        }
    }
    assert_int_equal(begins, 11); /* T1..T11 */
    assert_int_equal(ends, 11);
    assert_true(multi_row_end);
    pgt_events_free(events);
    pgt_exec(db, "DROP TABLE %s, %s", table, toast);
    fp_pass(env);
}

/* ---- 2. every type ------------------------------------------------------------------------ */

static const struct {
    const char *column;
    const char *type;
    const char *literal;
    const char *expected;      /* the JSON of the value */
    const char *schema_name;   /* the field schema's name, NULL for none */
} types[] = {
    {"c_bool", "boolean", "true", "true", NULL},
    {"c_int2", "smallint", "-12", "-12", NULL},
    {"c_int4", "integer", "123456", "123456", NULL},
    {"c_int8", "bigint", "9000000000", "9000000000", NULL},
    {"c_float4", "real", "1.5", "1.5", NULL},
    {"c_float8", "double precision", "-2.25", "-2.25", NULL},
    {"c_numeric", "numeric(10,2)", "1234.56", "\"AeJA\"", "org.apache.kafka.connect.data.Decimal"},
    {"c_numvar", "numeric", "3.14159", "{\"scale\":5,\"value\":\"BMsv\"}",
     "io.debezium.data.VariableScaleDecimal"},
    {"c_text", "text", "'hello w\xc3\xb6rld'", "\"hello w\xc3\xb6rld\"", NULL},
    {"c_varchar", "varchar(20)", "'abc'", "\"abc\"", NULL},
    {"c_char", "char(5)", "'ab'", "\"ab   \"", NULL},
    {"c_bytea", "bytea", "'\\x00ff10'", "\"AP8Q\"", NULL},
    {"c_date", "date", "'2024-02-29'", "19782", "io.debezium.time.Date"},
    {"c_time", "time", "'13:45:30.123456'", "49530123456", "io.debezium.time.MicroTime"},
    {"c_time3", "time(3)", "'13:45:30.123'", "49530123", "io.debezium.time.Time"},
    {"c_timetz", "timetz", "'13:45:30+02'", "\"11:45:30Z\"", "io.debezium.time.ZonedTime"},
    {"c_timestamp", "timestamp", "'2024-02-29 13:45:30.5'", "1709214330500000",
     "io.debezium.time.MicroTimestamp"},
    {"c_timestamptz", "timestamptz", "'2024-02-29 13:45:30.5+01'",
     "\"2024-02-29T12:45:30.500000Z\"", "io.debezium.time.ZonedTimestamp"},
    {"c_interval", "interval", "'1 day 02:03:04'", "93784000000",
     "io.debezium.time.MicroDuration"},
    {"c_uuid", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
     "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", "io.debezium.data.Uuid"},
    {"c_json", "json", "'{\"a\": 1}'", "\"{\\\"a\\\": 1}\"", "io.debezium.data.Json"},
    {"c_jsonb", "jsonb", "'{\"b\":[1,2]}'", "\"{\\\"b\\\": [1, 2]}\"", "io.debezium.data.Json"},
    {"c_int4arr", "integer[]", "'{1,2,NULL}'", "[1,2,null]", NULL},
    {"c_textarr", "text[]", "'{\"x y\",z}'", "[\"x y\",\"z\"]", NULL},
    {"c_enum", "%s", "'sad'", "\"sad\"", "io.debezium.data.Enum"},
    {"c_inet", "inet", "'10.1.2.3/24'", "\"10.1.2.3/24\"", NULL},
    {"c_cidr", "cidr", "'10.1.0.0/16'", "\"10.1.0.0/16\"", NULL},
    {"c_macaddr", "macaddr", "'08:00:2b:01:02:03'", "\"08:00:2b:01:02:03\"", NULL},
    {"c_point", "point", "'(1,2)'", "\"(1,2)\"", NULL},
};
#define TYPE_COUNT (sizeof types / sizeof types[0])

static const json_t *field_schema(const json_t *envelope_schema, const char *column)
{
    json_t *fields = json_object_get(envelope_schema, "fields");
    json_t *after = NULL;
    for (size_t i = 0; i < json_array_size(fields); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(fields, i), "field")),
                   "after") == 0)
            after = json_array_get(fields, i);
    json_t *columns = json_object_get(after, "fields");
    for (size_t i = 0; i < json_array_size(columns); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(columns, i), "field")),
                   column) == 0)
            return json_array_get(columns, i);
    return NULL;
}

static void test_every_type(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_types", "types", "(id int PRIMARY KEY)", 500,
                 "slot.drop.on.stop=true\n");
    fp_env *env = c.env;
    const char *table = c.table, *topic = c.topic;
    const char *worker = c.worker, *connector = c.connector;
    const char *mood = fp_name(env, "mood");
    pgt_exec(db, "DROP TYPE IF EXISTS %s", mood);
    pgt_exec(db, "CREATE TYPE %s AS ENUM ('happy', 'sad')", mood);

    char values[4096] = "";
    int v = 0;
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        char type[128];
        snprintf(type, sizeof type, "%s", strcmp(types[i].type, "%s") == 0 ? mood : types[i].type);
        pgt_exec(db, "ALTER TABLE %s ADD COLUMN %s %s", table, types[i].column, type);
        v += snprintf(values + v, sizeof values - (size_t)v, "%s%s", i ? ", " : "",
                      types[i].literal);
    }
    pgt_exec(db, "INSERT INTO %s VALUES (1, %s)", table, values);
    pgt_exec(db, "INSERT INTO %s (id) VALUES (3)", table);

    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    pgt_exec(db, "INSERT INTO %s VALUES (2, %s)", table, values);
    pgt_exec(db, "INSERT INTO %s (id) VALUES (4)", table);
    if (!pgt_wait_records(proc, topic, 4, 60000))
        fail_msg("not all rows arrived");
    fp_stop(proc, 30000);

    pgt_events *events = pgt_read(topic);
    assert_int_equal(events->count, 4);
    const pgt_event *snapshot_row = &events->items[0], *stream_row = &events->items[2];
    assert_string_equal(pgt_op(snapshot_row), "r");
    assert_string_equal(pgt_op(stream_row), "c");
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        char what[160];
        snprintf(what, sizeof what, "%s (%s) read by the snapshot", types[i].column,
                 types[i].type);
        assert_json_is(json_object_get(json_object_get(snapshot_row->value, "after"),
                                       types[i].column),
                       types[i].expected, what);
        snprintf(what, sizeof what, "%s (%s) read from the stream", types[i].column,
                 types[i].type);
        assert_json_is(json_object_get(json_object_get(stream_row->value, "after"),
                                       types[i].column),
                       types[i].expected, what);
        const json_t *schema = field_schema(stream_row->value_schema, types[i].column);
        assert_non_null(schema);
        assert_true(json_is_true(json_object_get(schema, "optional")));
        const char *schema_name = json_string_value(json_object_get(schema, "name"));
        if (types[i].schema_name) {
            if (!schema_name || strcmp(schema_name, types[i].schema_name) != 0)
                fail_msg("%s: schema name %s, expected %s", types[i].column,
                         schema_name ? schema_name : "(none)", types[i].schema_name);
        } else if (schema_name) {
            fail_msg("%s: unexpected schema name %s", types[i].column, schema_name);
        }
    }
    /* Rows of NULLs: every column null, from the snapshot and from the stream. */
    for (size_t r = 1; r < 4; r += 2) {
        json_t *after = json_object_get(events->items[r].value, "after");
        for (size_t i = 0; i < TYPE_COUNT; i++)
            assert_true(json_is_null(json_object_get(after, types[i].column)));
    }
    /* The enum's schema lists its labels. */
    const json_t *enum_schema = field_schema(stream_row->value_schema, "c_enum");
    assert_string_equal(json_string_value(json_object_get(json_object_get(enum_schema,
                                                                           "parameters"),
                                                          "allowed")),
                        "happy,sad");
    pgt_events_free(events);
    pgt_exec(db, "DROP TABLE %s", table);
    pgt_exec(db, "DROP TYPE %s", mood);
    fp_pass(env);
}

/* ---- 3. a Debezium config, unchanged ------------------------------------------------------- */

static void test_debezium_config_unchanged(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_debezium_config", "customers",
                 "(id serial PRIMARY KEY, email text NOT NULL)", 500, NULL);
    fp_env *env = c.env;
    const char *name = c.name, *prefix = c.prefix, *slot = c.slot;
    const char *publication = c.publication, *customers = c.table;
    const char *orders = fp_name(env, "orders");
    pgt_exec(db, "DROP TABLE IF EXISTS %s", orders);
    pgt_exec(db, "CREATE TABLE %s (id serial PRIMARY KEY, total numeric(10,2))", orders);
    pgt_exec(db, "INSERT INTO %s (email) VALUES ('a@example.com')", customers);
    pgt_exec(db, "INSERT INTO %s (total) VALUES (9.99)", orders);

    pgt_server server;
    pgt_server_get(&server);
    /* What a Debezium user posts to Kafka Connect, keys and all. */
    const char *connector = fp_write(
        env, "inventory.json",
        "{\n"
        "  \"name\": \"%s\",\n"
        "  \"config\": {\n"
        "    \"connector.class\": \"io.debezium.connector.postgresql.PostgresConnector\",\n"
        "    \"tasks.max\": \"1\",\n"
        "    \"database.hostname\": \"%s\",\n"
        "    \"database.port\": \"%s\",\n"
        "    \"database.user\": \"ferry\",\n"
        "    \"database.password\": \"\",\n"
        "    \"database.dbname\": \"ferry\",\n"
        "    \"topic.prefix\": \"%s\",\n"
        "    \"plugin.name\": \"pgoutput\",\n"
        "    \"slot.name\": \"%s\",\n"
        "    \"publication.name\": \"%s\",\n"
        "    \"publication.autocreate.mode\": \"filtered\",\n"
        "    \"schema.include.list\": \"public\",\n"
        "    \"table.include.list\": \"public.%s,public.%s\",\n"
        "    \"snapshot.mode\": \"initial\",\n"
        "    \"snapshot.fetch.size\": \"10240\",\n"
        "    \"tombstones.on.delete\": \"true\",\n"
        "    \"decimal.handling.mode\": \"precise\",\n"
        "    \"time.precision.mode\": \"adaptive\",\n"
        "    \"heartbeat.interval.ms\": \"0\",\n"
        "    \"include.schema.changes\": \"false\",\n"
        "    \"max.batch.size\": \"2048\",\n"
        "    \"max.queue.size\": \"8192\",\n"
        "    \"poll.interval.ms\": \"500\",\n"
        "    \"database.sslmode\": \"disable\",\n"
        "    \"slot.drop.on.stop\": \"true\",\n"
        "    \"topic.creation.default.replication.factor\": \"1\",\n"
        "    \"topic.creation.default.partitions\": \"1\",\n"
        "    \"key.converter\": \"org.apache.kafka.connect.json.JsonConverter\",\n"
        "    \"value.converter\": \"org.apache.kafka.connect.json.JsonConverter\",\n"
        "    \"key.converter.schemas.enable\": \"true\",\n"
        "    \"value.converter.schemas.enable\": \"true\"\n"
        "  }\n"
        "}\n",
        name, server.host, server.port, prefix, slot, publication, customers, orders);
    fp_proc *proc = fp_start(env, c.worker, connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    pgt_exec(db, "INSERT INTO %s (email) VALUES ('b@example.com')", customers);
    char customers_topic[256], orders_topic[256];
    snprintf(customers_topic, sizeof customers_topic, "%s.public.%s", prefix, customers);
    snprintf(orders_topic, sizeof orders_topic, "%s.public.%s", prefix, orders);
    if (!pgt_wait_records(proc, customers_topic, 2, 60000) ||
        !pgt_wait_records(proc, orders_topic, 1, 60000))
        fail_msg("Debezium's topics %s and %s did not get their events", customers_topic,
                 orders_topic);
    assert_true(fp_log_contains(proc, "config key include.schema.changes is not supported yet"));
    char *trace = NULL;
    char *task_state = pgt_task_state(env, name, &trace);
    assert_non_null(task_state);
    assert_string_equal(task_state, "RUNNING");
    free(task_state);
    free(trace);
    fp_stop(proc, 30000);
    pgt_events *events = pgt_read(orders_topic);
    assert_int_equal(events->count, 1);
    assert_json_is(json_object_get(json_object_get(events->items[0].value, "after"), "total"),
                   "\"A+c=\"", "orders.total");
    pgt_events_free(events);
    pgt_exec(db, "DROP TABLE %s, %s", customers, orders);
    fp_pass(env);
}

/* ---- 4. field schemas: float types and defaults ------------------------------------------ */

/* The "after" field schemas of an event, as compact JSON in the order they arrived. */
static char *after_fields(const pgt_event *event)
{
    json_t *fields = json_object_get(event->value_schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        json_t *field = json_array_get(fields, i);
        if (strcmp(json_string_value(json_object_get(field, "field")), "after") == 0)
            return json_dumps(json_object_get(field, "fields"), JSON_COMPACT);
    }
    return strdup("(no after)");
}

static void test_schema_types_and_defaults(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_defaults", "defaults",
                 "(id serial PRIMARY KEY, n int NOT NULL DEFAULT 0, t text DEFAULT 'x', r real, "
                 "d double precision, label text NOT NULL DEFAULT 'none', "
                 "created timestamptz DEFAULT now())",
                 500, "slot.drop.on.stop=true\n");
    fp_env *env = c.env;
    const char *table = c.table, *topic = c.topic;
    pgt_exec(db, "INSERT INTO %s (r, d) VALUES (1.5, -2.25)", table);
    fp_proc *proc = fp_start(env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    pgt_exec(db, "INSERT INTO %s (r, d) VALUES (0.25, 1e300)", table);
    pgt_exec(db, "DELETE FROM %s WHERE id = 2", table);
    if (!pgt_wait_records(proc, topic, 4, 60000))
        fail_msg("not all events arrived");
    fp_stop(proc, 30000);

    pgt_events *events = pgt_read(topic);
    assert_int_equal(events->count, 4); /* r, c, d, tombstone */
    static const char expected[] =
        "[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
        "{\"type\":\"int32\",\"optional\":false,\"default\":0,\"field\":\"n\"},"
        "{\"type\":\"string\",\"optional\":true,\"default\":\"x\",\"field\":\"t\"},"
        "{\"type\":\"float\",\"optional\":true,\"field\":\"r\"},"
        "{\"type\":\"double\",\"optional\":true,\"field\":\"d\"},"
        "{\"type\":\"string\",\"optional\":false,\"default\":\"none\",\"field\":\"label\"},"
        "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\","
        "\"version\":1,\"field\":\"created\"}]";
    for (size_t e = 0; e < 3; e++) {
        char *fields = after_fields(&events->items[e]);
        if (strcmp(fields, expected) != 0)
            fail_msg("event %zu (%s): the after fields are\n%s\nexpected\n%s", e,
                     pgt_op(&events->items[e]), fields, expected);
        free(fields);
    }
    /* nextval() gives the key no default */
    char *key_schema = json_dumps(events->items[0].key_schema, JSON_COMPACT);
    assert_non_null(
        strstr(key_schema, "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}"));
    free(key_schema);
    /* the values: read, created, deleted (its old key tuple: the required columns take their
     * defaults), tombstone */
    json_t *after = json_object_get(events->items[0].value, "after");
    assert_true(json_is_string(json_object_get(after, "created")));
    json_object_del(after, "created");
    assert_json_is(after,
                   "{\"id\":1,\"n\":0,\"t\":\"x\",\"r\":1.5,\"d\":-2.25,\"label\":\"none\"}",
                   "the snapshot row");
    after = json_object_get(events->items[1].value, "after");
    json_object_del(after, "created");
    assert_json_is(after,
                   "{\"id\":2,\"n\":0,\"t\":\"x\",\"r\":0.25,\"d\":1e300,\"label\":\"none\"}",
                   "the streamed row");
    /* The optional columns of the old key tuple are null in the event (t's default would replace
     * it only in a converter with replace.null.with.default, Kafka's JsonConverter's option). */
    json_t *before = json_object_get(events->items[2].value, "before");
    json_object_del(before, "t");
    check_event(events, 2, "d", "{\"id\":2}",
                "{\"id\":2,\"n\":0,\"r\":null,\"d\":null,\"label\":\"none\",\"created\":null}",
                "null");
    check_event(events, 3, "tombstone", "{\"id\":2}", NULL, NULL);
    pgt_events_free(events);
    pgt_exec(db, "DROP TABLE %s", table);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_sequence, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_every_type, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_debezium_config_unchanged, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_schema_types_and_defaults, pgt_setup, pgt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
