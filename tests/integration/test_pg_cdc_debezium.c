/* PostgresCdcSource against Debezium itself: for each case of tests/compat/debezium/cases/ (a
 * table, the connector's keys, the statements, and those run while it is stopped before a
 * restart), ferry's postgres-cdc runs the same statements on the real PostgreSQL and Kafka, and
 * every record it writes (topic, key, value, headers, in order per topic) must be the one
 * Debezium 3.6.1 on Kafka Connect 3.9.2 wrote, as captured in
 * tests/compat/debezium/events/<case>.jsonl by tests/compat/debezium/capture.sh. And
 * snapshot.mode=never, which Debezium 3 refuses, is accepted with a warning.
 *
 * What must differ between two runs is normalised on both sides, and nothing else:
 *   - the topic prefix of the run: written "compat" (in topics, schema names, source.name and the
 *     connectorLogicalName header);
 *   - times of the run: the envelope's and the source block's ts_ms, ts_us, ts_ns, and the
 *     transaction records' ts_ms: 0;
 *   - positions of the run: source.lsn and source.txId (0 when not null), source.sequence (each
 *     LSN in it written "LSN", a null kept), and the transaction ids "<txId>:<LSN>" (written
 *     "TXID:LSN", after checking that an event's id is its own source.txId and source.lsn);
 *   - source.version (Debezium's release, ferry's plugin version): "VERSION";
 *   - the __debezium.context.runId header, a new UUID at each start: "RUN-ID" (36 characters
 *     checked). */
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

#ifndef FERRY_DEBEZIUM_CASES
#error "FERRY_DEBEZIUM_CASES (tests/compat/debezium) must be defined by the build"
#endif

/* The slot and publication of the running case, dropped by the teardown. */
static char case_slot[128], case_publication[128];

static char *case_file(const char *name, const char *suffix)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", FERRY_DEBEZIUM_CASES, name, suffix);
    size_t len;
    char *text = fp_read_file(path, &len);
    if (!text)
        fail_msg("cannot read %s", path);
    return text;
}

/* text with every occurrence of from replaced by to (malloc'd). */
static char *replace_all(const char *text, size_t len, const char *from, const char *to)
{
    size_t from_len = strlen(from), to_len = strlen(to);
    size_t count = 0;
    for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), from, from_len)); p++)
        count++;
    char *out = malloc(len + count * to_len + 1);
    assert_non_null(out);
    char *o = out;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), from, from_len);
        size_t keep = hit ? (size_t)(hit - p) : (size_t)(end - p);
        memcpy(o, p, keep);
        o += keep;
        p += keep;
        if (hit) {
            memcpy(o, to, to_len);
            o += to_len;
            p += from_len;
        }
    }
    *o = '\0';
    return out;
}

static char *json_text(const json_t *value)
{
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

static void set_zero_if_integer(json_t *object, const char *field)
{
    if (json_is_integer(json_object_get(object, field)))
        json_object_set_new(object, field, json_integer(0));
}

/* '["<lsn>","<lsn>"]' with each number written LSN, a null kept. */
static void normalise_sequence(json_t *source)
{
    const char *sequence = json_string_value(json_object_get(source, "sequence"));
    if (!sequence)
        return;
    char out[64];
    size_t o = 0;
    for (const char *p = sequence; *p && o < sizeof out - 4; p++) {
        if (*p >= '0' && *p <= '9') {
            while (p[1] >= '0' && p[1] <= '9')
                p++;
            memcpy(out + o, "LSN", 3);
            o += 3;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    json_object_set_new(source, "sequence", json_string(out));
}

/* The path of the first difference between a and b ("value.payload.after.ts"), in path. */
static bool json_first_difference(const json_t *a, const json_t *b, char *path, size_t size)
{
    if (json_equal(a, b))
        return false;
    size_t len = strlen(path);
    if (json_is_object(a) && json_is_object(b)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)a, key, value)
        {
            snprintf(path + len, size - len, "%s%s", len ? "." : "", key);
            json_t *other = json_object_get(b, key);
            if (!other || json_first_difference(value, other, path, size))
                return true;
        }
        json_object_foreach((json_t *)b, key, value)
        {
            snprintf(path + len, size - len, "%s%s", len ? "." : "", key);
            if (!json_object_get(a, key))
                return true;
        }
    } else if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
        for (size_t i = 0; i < json_array_size(a); i++) {
            snprintf(path + len, size - len, "[%zu]", i);
            if (json_first_difference(json_array_get(a, i), json_array_get(b, i), path, size))
                return true;
        }
    }
    path[len] = '\0';
    return true;
}

/* The value at a path json_first_difference wrote (compact JSON, malloc'd). */
static char *json_at(const json_t *value, const char *path)
{
    char name[256];
    const char *p = path;
    while (value && *p) {
        if (*p == '.')
            p++;
        if (*p == '[') {
            value = json_array_get(value, strtoul(p + 1, NULL, 10));
            p = strchr(p, ']') + 1;
            continue;
        }
        size_t n = strcspn(p, ".[");
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        value = json_object_get(value, name);
        p += n;
    }
    return value ? json_text(value) : strdup("(missing)");
}

/* Checks that a transaction id is "<txId>:<LSN>" (of the given ones when >= 0). */
static void check_transaction_id(const char *id, json_int_t tx_id, json_int_t lsn,
                                 const char *what)
{
    unsigned long long x, l;
    char rest;
    if (!id || sscanf(id, "%llu:%llu%c", &x, &l, &rest) != 2)
        fail_msg("%s: transaction id '%s' is not <txId>:<LSN>", what, id ? id : "(none)");
    if (tx_id >= 0 && ((json_int_t)x != tx_id || (json_int_t)l != lsn))
        fail_msg("%s: transaction id '%s' is not the event's txId %lld and LSN %lld", what, id,
                 (long long)tx_id, (long long)lsn);
}

/* Normalises one record {"topic","key","value","headers"} in place (the file's comment). */
static void normalise(json_t *record, const char *what)
{
    json_t *payload = json_object_get(json_object_get(record, "value"), "payload");
    json_t *source = json_object_get(payload, "source");
    if (json_is_object(source)) {
        json_t *transaction = json_object_get(payload, "transaction");
        if (json_is_object(transaction)) {
            check_transaction_id(json_string_value(json_object_get(transaction, "id")),
                                 json_integer_value(json_object_get(source, "txId")),
                                 json_integer_value(json_object_get(source, "lsn")), what);
            json_object_set_new(transaction, "id", json_string("TXID:LSN"));
        }
        static const char *const times[] = {"ts_ms", "ts_us", "ts_ns"};
        for (size_t i = 0; i < 3; i++) {
            set_zero_if_integer(payload, times[i]);
            set_zero_if_integer(source, times[i]);
        }
        set_zero_if_integer(source, "txId");
        set_zero_if_integer(source, "lsn");
        normalise_sequence(source);
        json_object_set_new(source, "version", json_string("VERSION"));
    } else if (json_is_string(json_object_get(payload, "status"))) {
        check_transaction_id(json_string_value(json_object_get(payload, "id")), -1, -1, what);
        json_object_set_new(payload, "id", json_string("TXID:LSN"));
        set_zero_if_integer(payload, "ts_ms");
        json_t *key = json_object_get(json_object_get(record, "key"), "payload");
        check_transaction_id(json_string_value(json_object_get(key, "id")), -1, -1, what);
        json_object_set_new(key, "id", json_string("TXID:LSN"));
    }
    /* notifications: their time; an Initial Snapshot one's id is a new UUID */
    const char *aggregate = json_string_value(json_object_get(payload, "aggregate_type"));
    if (aggregate && json_is_string(json_object_get(payload, "type"))) {
        set_zero_if_integer(payload, "timestamp");
        if (strcmp(aggregate, "Initial Snapshot") == 0) {
            json_object_set_new(payload, "id", json_string("UUID"));
            json_object_set_new(json_object_get(json_object_get(record, "key"), "payload"), "id",
                                json_string("UUID"));
        }
    }
    /* the incremental snapshot's watermark rows in the signal table: a chunk's UUID and times */
    json_t *after = json_object_get(payload, "after");
    const char *signal_type = json_string_value(json_object_get(after, "type"));
    if (signal_type && strncmp(signal_type, "snapshot-window-", 16) == 0) {
        json_object_set_new(after, "id", json_string("CHUNK-ID"));
        json_object_set_new(after, "data", json_string("WINDOW-TIMES"));
        json_object_set_new(json_object_get(json_object_get(record, "key"), "payload"), "id",
                            json_string("CHUNK-ID"));
    }
    json_t *headers = json_object_get(record, "headers");
    for (size_t i = 0; i < json_array_size(headers); i++) {
        json_t *header = json_array_get(headers, i);
        if (strcmp(json_string_value(json_array_get(header, 0)), "__debezium.context.runId"))
            continue;
        const char *run_id = json_string_value(json_array_get(header, 1));
        if (!run_id || strlen(run_id) != 36)
            fail_msg("%s: runId header '%s' is not a UUID", what, run_id ? run_id : "(null)");
        json_array_set_new(header, 1, json_string("RUN-ID"));
    }
}

/* A record of ferry's as the fixture writes one, the run's prefix replaced by "compat". */
static json_t *ferry_record(const char *fixture_topic, const kt_record *r, const char *prefix)
{
    json_error_t error;
    json_t *record = json_pack("{s:s}", "topic", fixture_topic);
    const char *parts[] = {"key", "value"};
    const char *data[] = {r->key, r->value};
    size_t lens[] = {r->key_len, r->value_len};
    for (size_t i = 0; i < 2; i++) {
        if (!data[i]) {
            json_object_set_new(record, parts[i], json_null());
            continue;
        }
        char *text = replace_all(data[i], lens[i], prefix, "compat");
        json_t *parsed = json_loads(text, JSON_DECODE_ANY, &error);
        if (!parsed)
            fail_msg("%s of a record of %s is not JSON: %s", parts[i], fixture_topic, text);
        free(text);
        json_object_set_new(record, parts[i], parsed);
    }
    json_t *headers = json_array();
    for (size_t h = 0; h < r->header_count; h++) {
        json_t *value = json_null();
        if (r->headers[h].value) {
            char *text = replace_all(r->headers[h].value, r->headers[h].value_len, prefix,
                                     "compat");
            value = json_string(text);
            free(text);
        }
        json_array_append_new(headers, json_pack("[s,o]", r->headers[h].name, value));
    }
    json_object_set_new(record, "headers", headers);
    return record;
}

/* Runs the statements of a case file one by one, as psql -f does: each ends with ';' at the end
 * of a line; one string would be one transaction. "--" lines are comments. */
static void exec_statements(char *sql)
{
    char *p = sql;
    while (*p) {
        char *end = strstr(p, ";\n");
        char *next = end ? end + 2 : p + strlen(p);
        if (end)
            end[1] = '\0';
        while (*p == '\n' || strncmp(p, "--", 2) == 0)
            p += *p == '\n' ? 1 : strcspn(p, "\n");
        if (*p)
            pgt_exec(pgt_conn, "%s", p);
        p = next;
    }
}

/* Waits until the task streams (after its snapshot, if it takes one): a change made before
 * might come before the slot's consistent point, which no_data rightly leaves out. */
static void wait_streaming(const char *name, fp_proc *proc)
{
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("%s: the connector did not stream within a minute", name);
}

static void run_case(const char *name)
{
    char *properties = case_file(name, ".properties");
    char *setup_sql = case_file(name, ".setup.sql");
    char *sql = case_file(name, ".sql");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.stopped.sql", FERRY_DEBEZIUM_CASES, name);
    size_t stopped_len;
    char *stopped_sql = fp_read_file(path, &stopped_len); /* NULL: no restart */
    snprintf(path, sizeof path, "%s/../events/%s.jsonl", FERRY_DEBEZIUM_CASES, name);
    size_t fixture_len;
    char *fixture = fp_read_file(path, &fixture_len);
    if (!fixture)
        fail_msg("cannot read %s (tests/compat/debezium/capture.sh writes it)", path);

    /* Debezium's records, and the topics in their order */
    json_t *expected = json_array(), *topics = json_array();
    for (char *line = strtok(fixture, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t error;
        json_t *record = json_loads(line, 0, &error);
        if (!record)
            fail_msg("%s: a line is not JSON: %s", path, error.text);
        const char *topic = json_string_value(json_object_get(record, "topic"));
        json_t *last = json_array_get(topics, json_array_size(topics) - 1);
        if (!last || strcmp(json_string_value(last), topic) != 0)
            json_array_append_new(topics, json_string(topic));
        json_array_append_new(expected, record);
    }
    free(fixture);

    fp_env *env = fp_env_new(name);
    const char *prefix = fp_name(env, "dbzcompat");
    snprintf(case_slot, sizeof case_slot, "%s", fp_name(env, "slot"));
    snprintf(case_publication, sizeof case_publication, "%s", fp_name(env, "pub"));
    exec_statements(setup_sql);
    const char *worker = pgt_worker_file(env, 500, NULL);
    /* "compat" in a case's keys is its topic prefix, as capture.sh reads them */
    char *keys = replace_all(properties, strlen(properties), "compat", prefix);
    const char *connector = pgt_connector_file(env, "pg.properties", name, prefix, case_slot,
                                               case_publication, keys);
    free(keys);
    /* the test broker creates no topic on its own */
    for (size_t t = 0; t < json_array_size(topics); t++) {
        const char *fixture_topic = json_string_value(json_array_get(topics, t));
        char *topic = replace_all(fixture_topic, strlen(fixture_topic), "compat", prefix);
        kt_create_topic(topic, 1, NULL);
        free(topic);
    }
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    wait_streaming(name, proc);
    exec_statements(sql);
    if (stopped_sql) {
        /* everything written so far delivered and confirmed, then stopped */
        /* the insert position: with synchronous_commit=off the written one may lag */
        char *lsn = pgt_value(pgt_conn, "SELECT pg_current_wal_insert_lsn()");
        bool confirmed = false;
        for (int i = 0; i < 600 && !confirmed; i++) {
            char *done = pgt_value(pgt_conn,
                                   "SELECT confirmed_flush_lsn >= '%s' FROM pg_replication_slots "
                                   "WHERE slot_name = '%s'",
                                   lsn, case_slot);
            confirmed = strcmp(done, "t") == 0;
            free(done);
            if (!confirmed)
                fp_sleep_ms(100);
        }
        if (!confirmed)
            fail_msg("%s: the slot was not confirmed up to %s within a minute", name, lsn);
        free(lsn);
        fp_stop(proc, 30000);
        exec_statements(stopped_sql);
        proc = fp_start(env, worker, connector, NULL);
        wait_streaming(name, proc);
    }

    /* ferry's records, topic by topic in the fixture's order */
    size_t index = 0;
    for (size_t t = 0; t < json_array_size(topics); t++) {
        const char *fixture_topic = json_string_value(json_array_get(topics, t));
        char *topic = replace_all(fixture_topic, strlen(fixture_topic), "compat", prefix);
        int64_t want = 0;
        for (size_t i = 0; i < json_array_size(expected); i++)
            want += strcmp(json_string_value(json_object_get(json_array_get(expected, i),
                                                             "topic")),
                           fixture_topic) == 0;
        if (!pgt_wait_records(proc, topic, want, 60000))
            fail_msg("%s: %s has %lld records, Debezium wrote %lld", name, topic,
                     (long long)kt_end_offsets_sum(topic), (long long)want);
        kt_records *got = kt_consume_all(topic, 30000);
        if ((int64_t)got->count != want)
            fail_msg("%s: %s has %zu records, Debezium wrote %lld", name, topic, got->count,
                     (long long)want);
        for (size_t i = 0; i < got->count; i++, index++) {
            char what[300];
            snprintf(what, sizeof what, "%s: record %zu of %s", name, i, fixture_topic);
            json_t *mine = ferry_record(fixture_topic, &got->items[i], prefix);
            json_t *theirs = json_deep_copy(json_array_get(expected, index));
            normalise(mine, what);
            normalise(theirs, what);
            char at[512] = "";
            if (json_first_difference(mine, theirs, at, sizeof at)) {
                char *a = json_at(mine, at), *b = json_at(theirs, at);
                fail_msg("%s differs from Debezium's at %s\nferry:    %.1500s\ndebezium: %.1500s",
                         what, at, a, b);
            }
            json_decref(mine);
            json_decref(theirs);
        }
        kt_records_free(got);
        free(topic);
    }
    fp_stop(proc, 30000);
    json_decref(expected);
    json_decref(topics);
    free(properties);
    free(setup_sql);
    free(sql);
    free(stopped_sql);
}

static int case_teardown(void **state)
{
    fp_env_teardown(state);
    if (case_slot[0]) {
        if (!pgt_conn || PQstatus(pgt_conn) != CONNECTION_OK) {
            PQfinish(pgt_conn);
            pgt_conn = pgt_connect();
        }
        pgt_drop_slot_and_publication(pgt_conn, case_slot, case_publication);
    }
    case_slot[0] = case_publication[0] = '\0';
    return pgt_teardown(state);
}

#define DEBEZIUM_CASE(name)                                                                   \
    static void test_##name(void **state)                                                     \
    {                                                                                         \
        (void)state;                                                                          \
        run_case(#name);                                                                      \
    }

/* One case per difference Debezium 3.6 has shown: transaction ids, infinity in both time
 * precision modes, NaN as a string, the source block with headers and key-change headers, the
 * snapshot's table order, snapshot.mode=always after a restart; and a schema changed while
 * streaming. */
DEBEZIUM_CASE(txid)
DEBEZIUM_CASE(infinity_adaptive)
DEBEZIUM_CASE(infinity_connect)
DEBEZIUM_CASE(decimal_string)
DEBEZIUM_CASE(key_change)
DEBEZIUM_CASE(snapshot_order)
DEBEZIUM_CASE(schema_change)
DEBEZIUM_CASE(always_restart)
DEBEZIUM_CASE(incremental)

/* snapshot.mode=never, which Debezium 3 removed (its validation refuses it): accepted as no_data,
 * with a warning that names the replacement; no snapshot, the stream only. */
static void test_snapshot_mode_never(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "snapshot_mode_never", "never", "(id int PRIMARY KEY)", 500,
                 "snapshot.mode=never\n");
    pgt_exec(pgt_conn, "INSERT INTO %s VALUES (1)", c.table);
    fp_proc *proc = fp_start(c.env, c.worker, c.connector, NULL);
    wait_streaming("snapshot_mode_never", proc);
    assert_true(fp_log_contains(proc, "snapshot.mode=never was removed in Debezium 3 and is read "
                                      "as its replacement, snapshot.mode=no_data"));
    pgt_exec(pgt_conn, "INSERT INTO %s VALUES (2)", c.table);
    assert_true(pgt_wait_records(proc, c.topic, 1, 60000));
    fp_stop(proc, 30000);
    pgt_events *events = pgt_read(c.topic);
    assert_int_equal(events->count, 1);
    assert_string_equal(pgt_op(&events->items[0]), "c");
    assert_int_equal(pgt_row_int(&events->items[0], "id"), 2);
    pgt_events_free(events);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    kt_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_txid, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_infinity_adaptive, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_infinity_connect, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_decimal_string, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_key_change, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_order, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_schema_change, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_always_restart, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_incremental, pgt_setup, case_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_mode_never, pgt_setup, case_teardown),
    };
    /* FERRY_TEST_FILTER: run only the cases whose name matches (cmocka's pattern) */
    if (getenv("FERRY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("FERRY_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
