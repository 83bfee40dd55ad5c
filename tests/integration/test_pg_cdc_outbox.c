/* The outbox pattern end to end, through the real ferry binary, on the real PostgreSQL and Kafka:
 * rows inserted into an `outbox` table (id uuid, aggregatetype, aggregateid, type, payload
 * jsonb), captured by PostgresCdcSource and routed by Debezium's outbox EventRouter
 * (io.debezium.transforms.outbox.EventRouter) to outbox.event.<aggregatetype>, keyed by the
 * aggregate id, the payload as the value, the event id in the `id` header and the event type in
 * a header placement; the snapshot's row and the streamed ones alike, updates and deletes of the
 * table dropped, and nothing left on the table's own topic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka_tool.h"
#include "test_pg_cdc_support.h"

#define db pgt_conn

/* The JsonConverter envelope of a record's key or value (schemas on): its payload, checked to
 * have the schema given as JSON text. A new reference. */
static json_t *payload_of(const char *bytes, size_t len, const char *schema, const char *what)
{
    json_error_t error;
    json_t *envelope = json_loadb(bytes, len, 0, &error);
    if (!envelope)
        fail_msg("%s is not JSON: %.*s", what, (int)len, bytes);
    json_t *expected = json_loads(schema, 0, &error);
    assert_non_null(expected);
    if (!json_equal(json_object_get(envelope, "schema"), expected)) {
        char *got = json_dumps(json_object_get(envelope, "schema"), JSON_COMPACT);
        fail_msg("%s schema %s, expected %s", what, got, schema);
    }
    json_decref(expected);
    json_t *payload = json_incref(json_object_get(envelope, "payload"));
    json_decref(envelope);
    return payload;
}

static const char *header_text(const kt_record *record, const char *name, char *out,
                               size_t size)
{
    const kt_header *header = kt_record_header(record, name);
    if (!header || !header->value)
        fail_msg("record at offset %lld has no header %s", (long long)record->offset, name);
    snprintf(out, size, "%.*s", (int)header->value_len, header->value);
    return out;
}

/* One outbox event as it must arrive: key, payload (jsonb as PostgreSQL writes it back; NULL for
 * a NULL column), id header, type header. */
typedef struct expected_event {
    const char *key;
    const char *payload;
    const char *id;
    const char *type;
} expected_event;

static void check_topic(const char *topic, const expected_event *expected, size_t count)
{
    kt_records *records = kt_consume_all(topic, 30000);
    if (records->count != count)
        fail_msg("%s holds %zu records, expected %zu", topic, records->count, count);
    for (size_t i = 0; i < count; i++) {
        const kt_record *record = &records->items[i];
        char what[300], text[256];
        snprintf(what, sizeof what, "key of record %zu of %s", i, topic);
        assert_non_null(record->key);
        json_t *key = payload_of(record->key, record->key_len,
                                 "{\"type\":\"string\",\"optional\":false}", what);
        assert_string_equal(json_string_value(key), expected[i].key);
        json_decref(key);
        snprintf(what, sizeof what, "value of record %zu of %s", i, topic);
        assert_non_null(record->value);
        json_t *value = payload_of(record->value, record->value_len,
                                   "{\"type\":\"string\",\"optional\":true,"
                                   "\"name\":\"io.debezium.data.Json\",\"version\":1}",
                                   what);
        if (expected[i].payload)
            assert_string_equal(json_string_value(value), expected[i].payload);
        else
            assert_true(json_is_null(value)); /* a NULL payload: a null under the schema */
        json_decref(value);
        assert_string_equal(header_text(record, "id", text, sizeof text), expected[i].id);
        assert_string_equal(header_text(record, "eventType", text, sizeof text),
                            expected[i].type);
        printf("# %s [%zu] key %s id %s: %s\n", topic, i, expected[i].key, expected[i].id,
               expected[i].payload ? expected[i].payload : "null");
    }
    kt_records_free(records);
}

static void test_outbox_events_routed(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_outbox", "outbox",
                 "(id uuid PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL, "
                 "type text NOT NULL, payload jsonb)",
                 500,
                 "transforms=outbox\n"
                 "transforms.outbox.type=io.debezium.transforms.outbox.EventRouter\n"
                 "transforms.outbox.table.fields.additional.placement=type:header:eventType\n");
    fp_env *env = c.env;
    /* Aggregate types of this run only, so that their topics are new. */
    const char *order = fp_name(env, "Order");
    const char *customer = fp_name(env, "Customer");
    char order_topic[256], customer_topic[256];
    snprintf(order_topic, sizeof order_topic, "outbox.event.%s", order);
    snprintf(customer_topic, sizeof customer_topic, "outbox.event.%s", customer);

    /* One event before the connector starts: the snapshot routes it too. */
    pgt_exec(db, "INSERT INTO %s VALUES ('11111111-1111-4111-8111-111111111111', '%s', "
                 "'order-1', 'OrderCreated', '{\"total\": 5, \"lines\": [1, 2]}')",
             c.table, order);
    fp_proc *proc = fp_start(env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");

    pgt_exec(db, "INSERT INTO %s VALUES ('22222222-2222-4222-8222-222222222222', '%s', "
                 "'order-1', 'OrderPaid', '{\"paid\": true}')",
             c.table, order);
    pgt_exec(db, "INSERT INTO %s VALUES ('33333333-3333-4333-8333-333333333333', '%s', "
                 "'customer-9', 'CustomerCreated', '{\"name\": \"Ada\"}')",
             c.table, customer);
    /* Outbox rows are written once: an update is dropped with a warning, a delete (and its
     * tombstone) silently. */
    pgt_exec(db, "UPDATE %s SET payload = '{\"total\": 6}' WHERE aggregateid = 'order-1' "
                 "AND type = 'OrderCreated'",
             c.table);
    pgt_exec(db, "DELETE FROM %s WHERE aggregateid = 'customer-9'", c.table);
    pgt_exec(db, "INSERT INTO %s VALUES ('44444444-4444-4444-8444-444444444444', '%s', "
                 "'order-2', 'OrderCreated', NULL)",
             c.table, order);

    if (!pgt_wait_records(proc, order_topic, 3, 60000) ||
        !pgt_wait_records(proc, customer_topic, 1, 60000)) {
        fp_print_log_tail(proc, 40);
        fail_msg("the outbox events did not all arrive");
    }
    if (!fp_wait_log(proc, "Unexpected update message received", 30000))
        fail_msg("the update of an outbox row was not reported");
    fp_sleep_ms(1500); /* anything that should not come would have come by now */
    fp_stop(proc, 30000);

    const expected_event orders[] = {
        {"order-1", "{\"lines\": [1, 2], \"total\": 5}", "11111111-1111-4111-8111-111111111111",
         "OrderCreated"},
        {"order-1", "{\"paid\": true}", "22222222-2222-4222-8222-222222222222", "OrderPaid"},
        {"order-2", NULL, "44444444-4444-4444-8444-444444444444", "OrderCreated"},
    };
    check_topic(order_topic, orders, 3);
    const expected_event customers[] = {
        {"customer-9", "{\"name\": \"Ada\"}", "33333333-3333-4333-8333-333333333333",
         "CustomerCreated"},
    };
    check_topic(customer_topic, customers, 1);
    /* Nothing of the table itself reaches its own topic: every change event was routed or
     * dropped. */
    assert_int_equal(kt_partition_count(c.topic) == 0 ? 0 : kt_end_offsets_sum(c.topic), 0);
    pgt_exec(db, "DROP TABLE %s", c.table);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outbox_events_routed, pgt_setup, pgt_teardown),
    };
    return cmocka_run_group_tests_name("pg_cdc_outbox", tests, NULL, NULL);
}
