/* cdc_events: the records of each change message (inserts, updates with and without a key
 * change, deletes and their tombstones, truncates), skipped operations and tables that are not
 * captured, the transaction metadata (BEGIN, the transaction block, END), snapshot rows and the
 * heartbeat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cdc_events.h"

#define ORDERS_OID 16385
#define LOG_OID 16386    /* known, not captured */
#define UNKNOWN_OID 9999 /* no Relation message */

static pg_type_options options = {.decimal = PG_DECIMAL_PRECISE, .time = PG_TIME_ADAPTIVE,
                                  .interval = PG_INTERVAL_NUMERIC, .binary = PG_BINARY_BYTES,
                                  .money_fraction_digits = 2,
                                  .toast_placeholder = "__debezium_unavailable_value"};
static cdc_config config;
static dbz_context context;
static dbz_table *orders;
static cdc_events events;
static cdc_events_batch batch;

static bool lookup(void *lookup_ctx, uint32_t oid, const dbz_table **table)
{
    (void)lookup_ctx;
    *table = oid == ORDERS_OID ? orders : NULL;
    return oid == ORDERS_OID || oid == LOG_OID;
}

static int setup(void **state)
{
    (void)state;
    config = (cdc_config){.topic_prefix = "dbserver1", .topic_delimiter = ".",
                          .topic_heartbeat_prefix = "__debezium-heartbeat",
                          .topic_transaction = "transaction", .tombstones_on_delete = true,
                          .skip_truncate = false};
    context = (dbz_context){.topic_prefix = "dbserver1", .topic_delimiter = ".",
                            .database = "inventory", .version = "test"};
    assert_int_equal(dbz_context_init(&context), 0);
    const dbz_column_spec columns[] = {
        {"id", PG_OID_INT4, -1, false, true, 0, NULL},
        {"qty", PG_OID_INT4, -1, true, true, -1, NULL},
    };
    char err[256];
    orders = dbz_table_new(&context, NULL, &options, ORDERS_OID, "public", "orders", 'd',
                           columns, 2, err, sizeof err);
    assert_non_null(orders);
    cdc_events_init(&events, &config, &context);
    memset(&batch, 0, sizeof batch);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cdc_events_batch_clear(&batch);
    cdc_events_release(&events);
    dbz_table_destroy(orders);
    dbz_context_release(&context);
    return 0;
}

static pgo_value text(const char *s)
{
    return (pgo_value){.kind = PGO_VALUE_TEXT, .data = s, .len = (uint32_t)strlen(s)};
}

static char *dump(const json_t *value)
{
    if (!value)
        return strdup("(none)");
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}

static void assert_json(const json_t *value, const char *expected, const char *what)
{
    char *got = dump(value);
    if (strcmp(got, expected) != 0)
        fail_msg("%s: got %s, expected %s", what, got, expected);
    free(got);
}

/* The op of a record ("c", ...), "tombstone" for a null value, or the status of a transaction
 * record. */
static const char *record_kind(const cdc_events_record *record)
{
    if (!record->value)
        return "tombstone";
    json_t *op = json_object_get(record->value, "op");
    return op ? json_string_value(op) : json_string_value(json_object_get(record->value,
                                                                          "status"));
}

/* Checks the kinds of the batch's records, e.g. "d tombstone c". */
static void assert_kinds(const char *expected)
{
    char kinds[256] = "";
    for (size_t i = 0; i < batch.count; i++) {
        size_t used = strlen(kinds);
        snprintf(kinds + used, sizeof kinds - used, "%s%s", i ? " " : "",
                 record_kind(&batch.records[i]));
    }
    if (strcmp(kinds, expected) != 0)
        fail_msg("records: got \"%s\", expected \"%s\"", kinds, expected);
}

static cdc_events_result change(const pgo_message *message, char *err, size_t errlen)
{
    return cdc_events_change(&events, message, 0x1000, 1700000000000000, lookup, NULL, &batch,
                             err, errlen);
}

static void test_insert_update_delete(void **state)
{
    (void)state;
    char err[256];
    cdc_events_begin(&events, 77, 1700000000000000);
    pgo_value row[] = {text("1"), text("5")};
    pgo_message insert = {.kind = PGO_INSERT, .insert = {ORDERS_OID, {2, row}}};
    assert_int_equal(change(&insert, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("c");
    const cdc_events_record *record = &batch.records[0];
    assert_string_equal(record->topic, "dbserver1.public.orders");
    assert_json(record->key, "{\"id\":1}", "insert key");
    assert_json(json_object_get(record->value, "after"), "{\"id\":1,\"qty\":5}", "insert after");
    assert_json(json_object_get(json_object_get(record->value, "source"), "txId"), "77",
                "insert txId");
    assert_ptr_equal(record->value_schema, orders->envelope_schema);
    assert_true(json_is_null(json_object_get(record->value, "transaction")));
    assert_true(record->change);
    assert_null(record->key_header);
    cdc_events_batch_clear(&batch);

    /* An update that changes the key: delete, tombstone, create. */
    pgo_value old_key[] = {text("1"), {.kind = PGO_VALUE_NULL}};
    pgo_value new_row[] = {text("2"), text("5")};
    pgo_message rekey = {.kind = PGO_UPDATE,
                         .update = {ORDERS_OID, 'K', {2, old_key}, {2, new_row}}};
    assert_int_equal(change(&rekey, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("d tombstone c");
    assert_json(batch.records[1].key, "{\"id\":1}", "tombstone key");
    assert_json(json_object_get(batch.records[0].value, "before"), "{\"id\":1,\"qty\":null}",
                "delete before");
    /* Debezium's headers: the new key on the delete and its tombstone, the old on the create */
    for (size_t i = 0; i < 3; i++) {
        assert_true(batch.records[i].change);
        assert_string_equal(batch.records[i].key_header,
                            i < 2 ? "__debezium.newkey" : "__debezium.oldkey");
        assert_string_equal(batch.records[i].key_header_value, i < 2 ? "{\"id\":2}" : "{\"id\":1}");
    }
    cdc_events_batch_clear(&batch);

    /* The same key: an update, without before for REPLICA IDENTITY DEFAULT. */
    pgo_message update = {.kind = PGO_UPDATE, .update = {ORDERS_OID, 0, {0, NULL}, {2, row}}};
    assert_int_equal(change(&update, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("u");
    assert_json(json_object_get(batch.records[0].value, "before"), "null", "update before");
    cdc_events_batch_clear(&batch);

    pgo_message delete = {.kind = PGO_DELETE, .delete_ = {ORDERS_OID, 'K', {2, old_key}}};
    assert_int_equal(change(&delete, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("d tombstone");
    cdc_events_batch_clear(&batch);
    config.tombstones_on_delete = false;
    assert_int_equal(change(&delete, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("d");
    cdc_events_batch_clear(&batch);
}

static void test_skipped_and_not_captured(void **state)
{
    (void)state;
    char err[256];
    pgo_value row[] = {text("1"), text("5")};
    pgo_message insert = {.kind = PGO_INSERT, .insert = {ORDERS_OID, {2, row}}};
    config.skip_create = true;
    assert_int_equal(change(&insert, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("");
    config.skip_create = false;

    insert.insert.relation_oid = LOG_OID;
    assert_int_equal(change(&insert, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("");

    insert.insert.relation_oid = UNKNOWN_OID;
    assert_int_equal(change(&insert, err, sizeof err), CDC_EVENTS_BAD_VALUE);
    assert_string_equal(err, "a Insert message for relation 9999 came before its Relation "
                             "message");

    /* A value that cannot be converted names its column. */
    pgo_value bad[] = {text("1"), text("many")};
    pgo_message bad_insert = {.kind = PGO_INSERT, .insert = {ORDERS_OID, {2, bad}}};
    assert_int_equal(change(&bad_insert, err, sizeof err), CDC_EVENTS_BAD_VALUE);
    assert_string_equal(err, "column qty: cannot read 'many' as an integer");
}

static void test_truncate(void **state)
{
    (void)state;
    char err[256];
    uint32_t relations[40];
    for (size_t i = 0; i < 40; i++)
        relations[i] = i % 2 ? LOG_OID : ORDERS_OID;
    pgo_message truncate = {.kind = PGO_TRUNCATE, .truncate = {40, 0, relations}};
    config.skip_truncate = true;
    assert_int_equal(change(&truncate, err, sizeof err), CDC_EVENTS_OK);
    assert_kinds("");
    config.skip_truncate = false;
    /* 20 captured tables, room for 15 events: the rest is counted as dropped. */
    assert_int_equal(change(&truncate, err, sizeof err), CDC_EVENTS_OK);
    assert_int_equal(batch.count, CDC_EVENTS_BATCH_MAX - 1);
    assert_int_equal(batch.dropped, 20 - (CDC_EVENTS_BATCH_MAX - 1));
    assert_string_equal(record_kind(&batch.records[0]), "t");
    assert_json(batch.records[0].key, "(none)", "truncate key");
}

static void test_transaction_metadata(void **state)
{
    (void)state;
    char err[256];
    config.provide_transaction_metadata = true;
    cdc_events_begin(&events, 42, 1700000000123000);
    pgo_value first[] = {text("1"), text("5")}, second[] = {text("2"), text("6")};
    pgo_message insert = {.kind = PGO_INSERT, .insert = {ORDERS_OID, {2, first}}};
    assert_int_equal(change(&insert, err, sizeof err), CDC_EVENTS_OK);
    insert.insert.new_tuple.values = second;
    assert_int_equal(change(&insert, err, sizeof err), CDC_EVENTS_OK);
    cdc_events_record *end = cdc_events_commit(&events, 0x2000, true, &batch);
    assert_non_null(end);
    assert_kinds("BEGIN c c END");
    assert_string_equal(batch.records[0].owned_topic, "dbserver1.transaction");
    /* Debezium's ids: "<txId>:<LSN>" of the first event (BEGIN), of each event, of the commit */
    assert_json(batch.records[0].key, "{\"id\":\"42:4096\"}", "BEGIN key");
    assert_json(json_object_get(batch.records[2].value, "transaction"),
                "{\"id\":\"42:4096\",\"total_order\":2,\"data_collection_order\":2}",
                "second block");
    assert_json(end->key, "{\"id\":\"42:8192\"}", "END key");
    assert_json(json_object_get(end->value, "data_collections"),
                "[{\"data_collection\":\"public.orders\",\"event_count\":2}]", "END collections");
    assert_json(json_object_get(end->value, "event_count"), "2", "END event_count");
    assert_json(json_object_get(end->value, "ts_ms"), "1700000000123", "END ts_ms");
    assert_int_equal(events.last_commit_lsn, 0x2000);
    cdc_events_batch_clear(&batch);

    /* The next event names the last commit in its sequence; a transaction without events, or
     * one whose events were all delivered before a restart, has no END. */
    cdc_events_begin(&events, 43, 1700000000124000);
    assert_int_equal(change(&insert, err, sizeof err), CDC_EVENTS_OK);
    assert_json(json_object_get(json_object_get(batch.records[1].value, "source"), "sequence"),
                "\"[\\\"8192\\\",\\\"4096\\\"]\"", "sequence");
    assert_null(cdc_events_commit(&events, 0x3000, false, &batch));
    cdc_events_begin(&events, 44, 1700000000125000);
    assert_null(cdc_events_commit(&events, 0x4000, true, &batch));
}

static void test_snapshot_row_and_heartbeat(void **state)
{
    (void)state;
    char err[256];
    pgo_value row[] = {text("7"), {.kind = PGO_VALUE_NULL}};
    dbz_source_info info = {.ts_us = 1700000000000000, .snapshot = "first", .lsn = 0x1000,
                            .tx_id = 9};
    cdc_events_record *record = NULL;
    assert_int_equal(cdc_events_snapshot_row(&events, orders, row, 2, &info, 1700000000000000,
                                             &batch, &record, err, sizeof err),
                     CDC_EVENTS_OK);
    assert_ptr_equal(record, &batch.records[0]);
    assert_kinds("r");
    assert_json(json_object_get(json_object_get(record->value, "source"), "snapshot"),
                "\"first\"", "snapshot marker");
    assert_json(json_object_get(record->value, "after"), "{\"id\":7,\"qty\":null}", "after");

    pgo_value bad[] = {text("x"), {.kind = PGO_VALUE_NULL}};
    assert_int_equal(cdc_events_snapshot_row(&events, orders, bad, 2, &info, 1700000000000000,
                                             &batch, &record, err, sizeof err),
                     CDC_EVENTS_BAD_VALUE);
    assert_null(record);
    assert_string_equal(err, "column id: cannot read 'x' as an integer");

    record = cdc_events_heartbeat(&events, 1700000000000, &batch);
    assert_non_null(record);
    assert_string_equal(record->owned_topic, "__debezium-heartbeat.dbserver1");
    assert_json(record->key, "{\"serverName\":\"dbserver1\"}", "heartbeat key");
    assert_json(record->value, "{\"ts_ms\":1700000000000}", "heartbeat value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_insert_update_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skipped_and_not_captured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_row_and_heartbeat, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
