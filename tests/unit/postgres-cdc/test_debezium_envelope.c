/* debezium_envelope: the schemas of a table as Debezium's JsonConverter output shows them, the
 * row, key, source and envelope payloads (unchanged TOAST, old key tuples), heartbeats and
 * transaction metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "debezium_envelope.h"

static pg_type_options options = {.decimal = PG_DECIMAL_PRECISE, .time = PG_TIME_ADAPTIVE,
                                  .interval = PG_INTERVAL_NUMERIC, .binary = PG_BINARY_BYTES,
                                  .money_fraction_digits = 2,
                                  .toast_placeholder = "__debezium_unavailable_value"};
static dbz_context context;
static dbz_table *table;

static int setup(void **state)
{
    (void)state;
    context = (dbz_context){.topic_prefix = "dbserver1", .topic_delimiter = ".",
                            .database = "inventory", .version = "test"};
    assert_int_equal(dbz_context_init(&context), 0);
    const dbz_column_spec columns[] = {
        {"id", PG_OID_INT4, -1, false, true, 0, NULL},
        {"name", PG_OID_TEXT, -1, false, true, -1, NULL},
        {"price", PG_OID_NUMERIC, ((10 << 16) | 2) + 4, true, true, -1, NULL},
        {"secret", PG_OID_TEXT, -1, true, false, -1, NULL},
    };
    char err[256];
    table = dbz_table_new(&context, NULL, &options, 16385, "public", "customers", 'd', columns, 4,
                          err, sizeof err);
    assert_non_null(table);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dbz_table_destroy(table);
    dbz_context_release(&context);
    return 0;
}

static char *dump(const json_t *value)
{
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}

static void assert_json(const json_t *value, const char *expected)
{
    char *text = dump(value);
    if (strcmp(text, expected) != 0)
        fail_msg("got      %s\nexpected %s", text, expected);
    free(text);
}

static pgo_value text(const char *s)
{
    return (pgo_value){.kind = PGO_VALUE_TEXT, .data = s, .len = (uint32_t)strlen(s)};
}

static const pgo_value null_value = {.kind = PGO_VALUE_NULL};
static const pgo_value toast_value = {.kind = PGO_VALUE_UNCHANGED_TOAST};

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(table->topic, "dbserver1.public.customers");
    assert_string_equal(table->id, "public.customers");
    assert_int_equal(table->key_count, 1);
    assert_int_equal(dbz_table_column(table, "price"), 2);
    assert_int_equal(dbz_table_column(table, "nope"), -1);
    dbz_context other = context;
    other.topic_delimiter = "_";
    char *topic = dbz_topic_name(&other, "s", "t");
    assert_string_equal(topic, "dbserver1_s_t");
    free(topic);
}

static void test_key_schema(void **state)
{
    (void)state;
    assert_json(table->key_schema,
                "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,"
                "\"field\":\"id\"}],\"optional\":false,\"name\":"
                "\"dbserver1.public.customers.Key\"}");
}

static void test_envelope_schema(void **state)
{
    (void)state;
    const char *row =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
        "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},{\"type\":\"bytes\","
        "\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
        "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"},\"field\":"
        "\"price\"}],\"optional\":true,\"name\":\"dbserver1.public.customers.Value\"";
    const char *source =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":"
        "\"version\"},{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},{\"type\":"
        "\"string\",\"optional\":false,\"field\":\"name\"},{\"type\":\"int64\",\"optional\":"
        "false,\"field\":\"ts_ms\"},{\"type\":\"string\",\"optional\":true,\"name\":\"io."
        "debezium.data.Enum\",\"version\":1,\"parameters\":{\"allowed\":\"true,first,first_in_"
        "data_collection,last_in_data_collection,last,false,incremental\"},\"default\":\"false\","
        "\"field\":\"snapshot\"},{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
        "{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},{\"type\":\"int64\","
        "\"optional\":true,\"field\":\"ts_us\"},{\"type\":\"int64\",\"optional\":true,\"field\":"
        "\"ts_ns\"},{\"type\":\"string\",\"optional\":false,\"field\":\"schema\"},{\"type\":"
        "\"string\",\"optional\":false,\"field\":\"table\"},{\"type\":\"int64\",\"optional\":"
        "true,\"field\":\"txId\"},{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"},"
        "{\"type\":\"int64\",\"optional\":true,\"field\":\"xmin\"},{\"type\":\"string\","
        "\"optional\":true,\"field\":\"origin\"},{\"type\":\"int64\",\"optional\":true,"
        "\"field\":\"origin_lsn\"}],\"optional\":false,\"name\":"
        "\"io.debezium.connector.postgresql.Source\",\"version\":1,\"field\":\"source\"}";
    const char *transaction =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":"
        "\"id\"},{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"},{\"type\":"
        "\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],\"optional\":true,"
        "\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"}";
    char expected[8192];
    snprintf(expected, sizeof expected,
             "{\"type\":\"struct\",\"fields\":[%s,\"field\":\"before\"},%s,\"field\":\"after\"},"
             "%s,%s,{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},{\"type\":\"int64\","
             "\"optional\":true,\"field\":\"ts_ms\"},{\"type\":\"int64\",\"optional\":true,"
             "\"field\":\"ts_us\"},{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}],"
             "\"optional\":false,\"name\":\"dbserver1.public.customers.Envelope\",\"version\":2}",
             row, row, source, transaction);
    assert_json(table->envelope_schema, expected);
}

static void test_row_and_key_payloads(void **state)
{
    (void)state;
    char err[256];
    pgo_value row[] = {text("7"), text("Ann"), text("12.50"), text("hidden")};
    json_t *after = NULL, *key = NULL;
    assert_int_equal(dbz_row_payload(table, row, 4, NULL, 0, DBZ_ROW_FULL, &after, err,
                                     sizeof err), 0);
    assert_json(after, "{\"id\":7,\"name\":\"Ann\",\"price\":\"BOI=\"}");
    assert_int_equal(dbz_key_payload(table, row, 4, &key, err, sizeof err), 0);
    assert_json(key, "{\"id\":7}");
    json_decref(after);
    json_decref(key);

    /* An old key tuple (REPLICA IDENTITY DEFAULT): required columns get Debezium's fallback. */
    pgo_value old_key[] = {text("7"), null_value, null_value, null_value};
    json_t *before = NULL;
    assert_int_equal(dbz_row_payload(table, old_key, 4, NULL, 0, DBZ_ROW_KEY_ONLY, &before, err,
                                     sizeof err), 0);
    assert_json(before, "{\"id\":7,\"name\":\"\",\"price\":null}");
    json_decref(before);

    /* Unchanged TOAST: the placeholder, or the old row's value when there is one. */
    pgo_value toasted[] = {text("7"), toast_value, text("1.00"), null_value};
    assert_int_equal(dbz_row_payload(table, toasted, 4, NULL, 0, DBZ_ROW_FULL, &after, err,
                                     sizeof err), 0);
    assert_json(after, "{\"id\":7,\"name\":\"__debezium_unavailable_value\",\"price\":\"ZA==\"}");
    json_decref(after);
    assert_int_equal(dbz_row_payload(table, toasted, 4, row, 4, DBZ_ROW_FULL, &after, err,
                                     sizeof err), 0);
    assert_json(after, "{\"id\":7,\"name\":\"Ann\",\"price\":\"ZA==\"}");
    json_decref(after);

    /* A bad value names the column; a tuple of the wrong width names the table. */
    pgo_value bad[] = {text("x7"), text("Ann"), null_value, null_value};
    assert_int_equal(dbz_row_payload(table, bad, 4, NULL, 0, DBZ_ROW_FULL, &after, err,
                                     sizeof err), -1);
    assert_string_equal(err, "column id: cannot read 'x7' as an integer");
    assert_int_equal(dbz_row_payload(table, bad, 3, NULL, 0, DBZ_ROW_FULL, &after, err,
                                     sizeof err), -1);
    assert_non_null(strstr(err, "a tuple of public.customers has 3 columns, its relation has 4"));
}

static void test_source_and_envelope(void **state)
{
    (void)state;
    dbz_source_info info = {.ts_us = 1700000000123456, .last_commit_lsn = 100, .lsn = 250,
                            .tx_id = 571};
    json_t *source = dbz_source_payload(&context, table, &info);
    assert_json(source,
                "{\"version\":\"test\",\"connector\":\"postgresql\",\"name\":\"dbserver1\","
                "\"ts_ms\":1700000000123,\"snapshot\":\"false\",\"db\":\"inventory\","
                "\"sequence\":\"[\\\"100\\\",\\\"250\\\"]\",\"ts_us\":1700000000123456,\"ts_ns\":"
                "1700000000123456000,\"schema\":\"public\",\"table\":\"customers\",\"txId\":571,"
                "\"lsn\":250,\"xmin\":null,\"origin\":null,\"origin_lsn\":null}");
    json_t *envelope = dbz_envelope_payload(&context, 'c', NULL, json_pack("{s:i}", "id", 1),
                                            source,
                                            dbz_transaction_payload(571, 250, 3, 2),
                                            1700000001000000);
    char *text_value = dump(envelope);
    assert_non_null(strstr(text_value, "{\"before\":null,\"after\":{\"id\":1},\"source\":{"));
    assert_non_null(strstr(text_value, ",\"transaction\":{\"id\":\"571:250\",\"total_order\":3,"
                                       "\"data_collection_order\":2},\"op\":\"c\",\"ts_ms\":"
                                       "1700000001000,\"ts_us\":1700000001000000,\"ts_ns\":"
                                       "1700000001000000000}"));
    free(text_value);
    json_decref(envelope);

    dbz_source_info snapshot = {.ts_us = 1, .snapshot = "last", .lsn = 9, .tx_id = -1};
    source = dbz_source_payload(&context, table, &snapshot);
    assert_string_equal(json_string_value(json_object_get(source, "snapshot")), "last");
    assert_string_equal(json_string_value(json_object_get(source, "sequence")), "[null,\"9\"]");
    assert_true(json_is_null(json_object_get(source, "txId")));
    json_decref(source);
}

static void test_heartbeat_and_transactions(void **state)
{
    (void)state;
    json_t *key, *key_schema, *value, *value_schema;
    assert_int_equal(dbz_heartbeat(&context, 42, &key, &key_schema, &value, &value_schema), 0);
    assert_json(key, "{\"serverName\":\"dbserver1\"}");
    assert_json(value, "{\"ts_ms\":42}");
    assert_json(key_schema, "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":"
                            "false,\"field\":\"serverName\"}],\"optional\":false,\"name\":\"io."
                            "debezium.connector.common.ServerNameKey\",\"version\":1}");
    json_decref(key);
    json_decref(key_schema);
    json_decref(value);
    json_decref(value_schema);

    json_t *collections = json_pack("[{s:s, s:i}]", "data_collection", "public.customers",
                                    "event_count", 2);
    assert_int_equal(dbz_transaction_event(571, 400, true, 2, collections, 99, &key, &key_schema,
                                           &value, &value_schema), 0);
    assert_json(key, "{\"id\":\"571:400\"}");
    assert_json(value, "{\"status\":\"END\",\"id\":\"571:400\",\"event_count\":2,\"data_collections"
                       "\":[{\"data_collection\":\"public.customers\",\"event_count\":2}],"
                       "\"ts_ms\":99}");
    assert_string_equal(json_string_value(json_object_get(value_schema, "name")),
                        "io.debezium.connector.common.TransactionMetadataValue");
    json_decref(key);
    json_decref(key_schema);
    json_decref(value);
    json_decref(value_schema);
    json_decref(collections);
    assert_int_equal(dbz_transaction_event(571, 250, false, -1, NULL, 99, &key, &key_schema, &value,
                                           &value_schema), 0);
    assert_json(value, "{\"status\":\"BEGIN\",\"id\":\"571:250\",\"event_count\":null,"
                       "\"data_collections\":null,\"ts_ms\":99}");
    json_decref(key);
    json_decref(key_schema);
    json_decref(value);
    json_decref(value_schema);
}

static void test_run_id(void **state)
{
    (void)state;
    /* a version 7 UUID: 48 bits of ms, the version, random bits with the variant */
    const uint8_t random[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    char id[37];
    dbz_run_id(0x0123456789ab, random, id);
    assert_string_equal(id, "01234567-89ab-7fff-bfff-ffffffffffff");
    const uint8_t zero[10] = {0};
    dbz_run_id(1, zero, id);
    assert_string_equal(id, "00000000-0001-7000-8000-000000000000");
}

static void test_no_key_and_avro_names(void **state)
{
    (void)state;
    dbz_context avro = context;
    avro.topic_prefix = "my-server";
    avro.avro_names = true;
    avro.source_schema = NULL;
    avro.transaction_schema = NULL;
    assert_int_equal(dbz_context_init(&avro), 0);
    const dbz_column_spec columns[] = {{"v", PG_OID_TEXT, -1, true, true, -1, NULL}};
    char err[256];
    dbz_table *keyless = dbz_table_new(&avro, NULL, &options, 1, "public", "1log", 'f', columns,
                                       1, err, sizeof err);
    assert_non_null(keyless);
    assert_null(keyless->key_schema);
    assert_string_equal(keyless->topic, "my-server.public.1log");
    assert_string_equal(json_string_value(json_object_get(keyless->row_schema, "name")),
                        "my_server.public._log.Value");
    pgo_value row[] = {text("x")};
    json_t *key = json_true();
    assert_int_equal(dbz_key_payload(keyless, row, 1, &key, err, sizeof err), 0);
    assert_null(key);
    dbz_table_destroy(keyless);
    dbz_context_release(&avro);
}

/* Constant defaults in the field schemas, after the type's keys as the JsonConverter writes
 * them; none for now() and nextval(); a required column missing from an old key tuple gets its
 * default. */
static void test_defaults(void **state)
{
    (void)state;
    const dbz_column_spec columns[] = {
        {"id", PG_OID_INT4, -1, false, true, 0, "nextval('t_id_seq'::regclass)"},
        {"qty", PG_OID_INT4, -1, false, true, -1, "0"},
        {"label", PG_OID_TEXT, -1, false, true, -1, "'none'::text"},
        {"note", PG_OID_TEXT, -1, true, true, -1, "'it''s'::text"},
        {"day", PG_OID_DATE, -1, true, true, -1, "'2020-01-02'::date"},
        {"price", PG_OID_NUMERIC, ((10 << 16) | 2) + 4, false, true, -1, "1.5"},
        {"created", PG_OID_TIMESTAMPTZ, -1, true, true, -1, "now()"},
    };
    char err[256];
    dbz_table *defaults = dbz_table_new(&context, NULL, &options, 16390, "public", "t", 'd',
                                        columns, 7, err, sizeof err);
    assert_non_null(defaults);
    assert_json(json_object_get(defaults->row_schema, "fields"),
                "[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
                "{\"type\":\"int32\",\"optional\":false,\"default\":0,\"field\":\"qty\"},"
                "{\"type\":\"string\",\"optional\":false,\"default\":\"none\",\"field\":\"label\"},"
                "{\"type\":\"string\",\"optional\":true,\"default\":\"it's\",\"field\":\"note\"},"
                "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\","
                "\"version\":1,\"default\":18263,\"field\":\"day\"},"
                "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data."
                "Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\",\"connect.decimal."
                "precision\":\"10\"},\"default\":\"AJY=\",\"field\":\"price\"},"
                "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time."
                "ZonedTimestamp\",\"version\":1,\"field\":\"created\"}]");
    /* An old key tuple: the required columns take their defaults, the optional ones null. */
    pgo_value old_key[] = {text("1"),  null_value, null_value, null_value,
                           null_value, null_value, null_value};
    json_t *before = NULL;
    assert_int_equal(dbz_row_payload(defaults, old_key, 7, NULL, 0, DBZ_ROW_KEY_ONLY, &before,
                                     err, sizeof err),
                     0);
    assert_json(before, "{\"id\":1,\"qty\":0,\"label\":\"none\",\"note\":null,\"day\":null,"
                        "\"price\":\"AJY=\",\"created\":null}");
    json_decref(before);
    dbz_table_destroy(defaults);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_key_schema),
        cmocka_unit_test(test_envelope_schema),
        cmocka_unit_test(test_row_and_key_payloads),
        cmocka_unit_test(test_source_and_envelope),
        cmocka_unit_test(test_heartbeat_and_transactions),
        cmocka_unit_test(test_run_id),
        cmocka_unit_test(test_no_key_and_avro_names),
        cmocka_unit_test(test_defaults),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
