/* PostgresCdcSource incremental snapshots (Debezium's signals and watermarks) on the real
 * PostgreSQL and Kafka, through the real ferry binary:
 *
 *   1. a 1,000,000-row table under about 500 updates/s plus deletes, an execute-snapshot signal
 *      inserted into the signal table: at the end the last state of each key in the topic equals
 *      SELECT *, no read event follows the delete of its key, and the slot's confirmed LSN moves
 *      while the snapshot runs;
 *   2. kill -9 at about half of the snapshot: the restart resumes from the chunk in the offsets'
 *      incremental_snapshot_* fields, not from the start;
 *   3. stop-snapshot halts within one chunk; pause-snapshot / resume-snapshot; the notifications
 *      STARTED, IN_PROGRESS, COMPLETED (and PAUSED, RESUMED, ABORTED) on the sink topic;
 *   4. a table added to table.include.list and signalled is snapshotted alone; a table without
 *      a key is refused unless message.key.columns gives it one;
 *   5. the kafka signal channel gives the same read events as the signal table (a record for
 *      another connector skipped); the offsets' key fields are Debezium's Java serialization;
 *   6. read.only=true: a role with SELECT and REPLICATION only, signalled through Kafka, under
 *      updates and deletes, ends with the table's state; the REST status shows the progress. */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kafka_tool.h"
#include "test_rest_client.h"
#include "test_pg_cdc_support.h"

#define FLUSH_MS 1000

#define db pgt_conn

/* The signal table of a case, its topic of notifications, its signal topic (the kafka channel)
 * and the connector lines for them. */
typedef struct incr_names {
    const char *signal;
    const char *notifications;
    const char *signal_topic; /* NULL: no kafka channel */
    char lines[1024];
} incr_names;

/* channels: NULL (the signal table), or signal.enabled.channels naming kafka (its topic made);
 * the signal table is named to the connector unless channels leave source out. */
static void incr_names_make(incr_names *names, fp_env *env, const char *channels,
                            const char *extra)
{
    names->signal = fp_name(env, "sig");
    names->notifications = fp_name(env, "notify");
    names->signal_topic = channels ? fp_name(env, "signals") : NULL;
    pgt_exec(db, "DROP TABLE IF EXISTS %s", names->signal);
    pgt_exec(db, "CREATE TABLE %s (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                 "data varchar(2048))",
             names->signal);
    char signal_lines[512] = "", kafka_lines[512] = "";
    if (!channels || strstr(channels, "source"))
        snprintf(signal_lines, sizeof signal_lines, "signal.data.collection=public.%s\n",
                 names->signal);
    if (channels) {
        kt_create_topic(names->signal_topic, 1, NULL);
        snprintf(kafka_lines, sizeof kafka_lines,
                 "signal.enabled.channels=%s\n"
                 "signal.kafka.topic=%s\n"
                 "signal.kafka.bootstrap.servers=%s\n"
                 "signal.kafka.groupId=%s\n",
                 channels, names->signal_topic, kt_bootstrap(), fp_name(env, "signal-group"));
    }
    snprintf(names->lines, sizeof names->lines,
             "snapshot.mode=no_data\n"
             "%s%s"
             "notification.enabled.channels=sink\n"
             "notification.sink.topic.name=%s\n"
             "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "value.converter.schemas.enable=false\n%s",
             signal_lines, kafka_lines, names->notifications, extra ? extra : "");
}

/* A case with its signal table (and kafka channel: see incr_names_make); extra: more connector
 * lines. Its table's topic and the notifications' are created. */
static void incr_case_new(pgt_case *c, incr_names *names, const char *test_name,
                          const char *table_prefix, const char *columns, const char *channels,
                          const char *extra)
{
    pgt_case_new(c, test_name, table_prefix, columns, FLUSH_MS, NULL);
    incr_names_make(names, c->env, channels, extra);
    char lines[2048];
    snprintf(lines, sizeof lines, "table.include.list=public\\\\.%s\n%s", c->table,
             names->lines);
    c->connector = pgt_connector_file(c->env, "pg.properties", c->name, c->prefix, c->slot,
                                      c->publication, lines);
    /* the broker creates no topic on its own */
    kt_create_topic(c->topic, 1, NULL);
    kt_create_topic(names->notifications, 1, NULL);
}

/* The end of a passed case: its table and signal table dropped. */
static void incr_case_done(pgt_case *c, const incr_names *names)
{
    pgt_exec(db, "DROP TABLE %s", c->table);
    pgt_exec(db, "DROP TABLE %s", names->signal);
    fp_pass(c->env);
}

/* An execute-snapshot of a table in Debezium's kafka form (key: topic.prefix). */
static void incr_kafka_signal(const pgt_case *c, const incr_names *names, const char *key,
                              const char *id, const char *table)
{
    char value[512];
    snprintf(value, sizeof value,
             "{\"id\": \"%s\", \"type\": \"execute-snapshot\", \"data\": "
             "{\"data-collections\": [\"public.%s\"], \"type\": \"INCREMENTAL\"}}",
             id, table);
    rd_kafka_t *producer = kt_producer_new(NULL);
    kt_produce(producer, names->signal_topic, 0, key ? key : c->prefix,
               strlen(key ? key : c->prefix), value, strlen(value), NULL, NULL);
    kt_producer_close(producer);
}

static void incr_signal(const incr_names *names, const char *id, const char *type,
                        const char *data)
{
    pgt_exec(db, "INSERT INTO %s VALUES ('%s', '%s', '%s')", names->signal, id, type, data);
}

/* The incremental snapshot notifications' types in order ("STARTED,IN_PROGRESS,...", malloc'd),
 * after the Initial Snapshot SKIPPED one. */
static char *incr_notification_types(const char *topic, int *in_progress)
{
    kt_records *records = kt_consume_all(topic, 10000);
    size_t size = 16 + records->count * 24;
    char *types = calloc(1, size);
    *in_progress = 0;
    for (size_t i = 0; i < records->count; i++) {
        json_t *envelope = json_loadb(records->items[i].value, records->items[i].value_len, 0,
                                      NULL);
        json_t *value = json_object_get(envelope, "payload");
        value = json_incref(value ? value : envelope);
        json_decref(envelope);
        const char *type = json_string_value(json_object_get(value, "type"));
        assert_non_null(type);
        const char *aggregate = json_string_value(json_object_get(value, "aggregate_type"));
        assert_non_null(aggregate);
        if (strcmp(aggregate, "Initial Snapshot") == 0) {
            /* the task streams without an initial snapshot: Debezium's SKIPPED, first */
            assert_string_equal(type, "SKIPPED");
            assert_int_equal(i, 0);
            json_decref(value);
            continue;
        }
        assert_string_equal(aggregate, "Incremental Snapshot");
        if (strcmp(type, "IN_PROGRESS") == 0) {
            (*in_progress)++;
        } else {
            if (*types)
                strcat(types, ",");
            strcat(types, type);
        }
        json_decref(value);
    }
    kt_records_free(records);
    return types;
}

/* ---- the last state per key of a big topic, read without keeping the records -------------- */

enum { STATE_NONE = 0, STATE_ROW, STATE_DELETED };

typedef struct topic_state {
    int64_t max_id;
    unsigned char *state; /* by id */
    int64_t *value;       /* column v of the last row */
    int64_t reads, changes, deletes;
    int64_t read_after_delete; /* a read event of a key whose delete came before it */
    int64_t first_bad;
} topic_state;

static void topic_state_add(const rd_kafka_message_t *message, void *opaque)
{
    topic_state *ts = opaque;
    if (!message->payload)
        return; /* tombstone */
    json_t *envelope = json_loadb(message->payload, message->len, 0, NULL);
    assert_non_null(envelope);
    json_t *value = json_object_get(envelope, "payload");
    value = json_incref(value ? value : envelope);
    json_decref(envelope);
    const char *op = json_string_value(json_object_get(value, "op"));
    json_t *row = json_object_get(value, op && op[0] == 'd' ? "before" : "after");
    int64_t id = json_integer_value(json_object_get(row, "id"));
    if (!op || id <= 0 || id > ts->max_id) {
        json_decref(value);
        return;
    }
    if (op[0] == 'd') {
        ts->state[id] = STATE_DELETED;
        ts->deletes++;
    } else {
        if (op[0] == 'r') {
            ts->reads++;
            if (ts->state[id] == STATE_DELETED) {
                if (!ts->read_after_delete)
                    ts->first_bad = id;
                ts->read_after_delete++;
            }
        } else {
            ts->changes++;
        }
        ts->state[id] = STATE_ROW;
        ts->value[id] = json_integer_value(json_object_get(row, "v"));
    }
    json_decref(value);
}

static void topic_state_read(topic_state *ts, const char *topic, int64_t max_id)
{
    memset(ts, 0, sizeof(*ts));
    ts->max_id = max_id;
    ts->state = calloc((size_t)max_id + 1, 1);
    ts->value = calloc((size_t)max_id + 1, sizeof(int64_t));
    assert_non_null(ts->state);
    assert_non_null(ts->value);
    kt_consume(topic, 180000, topic_state_add, ts);
}

static void topic_state_free(topic_state *ts)
{
    free(ts->state);
    free(ts->value);
}

/* Compares the last state of each key with the table: returns the number of differences. */
static int64_t topic_state_compare(const topic_state *ts, const char *table)
{
    unsigned char *present = calloc((size_t)ts->max_id + 1, 1);
    int64_t differences = 0;
    PGresult *result = PQexec(db, "BEGIN");
    PQclear(result);
    char sql[256];
    snprintf(sql, sizeof sql, "DECLARE all_rows CURSOR FOR SELECT id, v FROM %s", table);
    result = PQexec(db, sql);
    PQclear(result);
    for (;;) {
        result = PQexec(db, "FETCH 100000 FROM all_rows");
        assert_int_equal(PQresultStatus(result), PGRES_TUPLES_OK);
        int rows = PQntuples(result);
        for (int r = 0; r < rows; r++) {
            int64_t id = strtoll(PQgetvalue(result, r, 0), NULL, 10);
            int64_t v = strtoll(PQgetvalue(result, r, 1), NULL, 10);
            present[id] = 1;
            if (ts->state[id] != STATE_ROW || ts->value[id] != v) {
                if (differences++ < 5)
                    printf("# id %" PRId64 ": table v=%" PRId64 ", topic %s v=%" PRId64 "\n", id,
                           v, ts->state[id] == STATE_ROW ? "row" : "no row", ts->value[id]);
            }
        }
        PQclear(result);
        if (rows == 0)
            break;
    }
    result = PQexec(db, "COMMIT");
    PQclear(result);
    for (int64_t id = 1; id <= ts->max_id; id++) {
        if (!present[id] && ts->state[id] == STATE_ROW) {
            if (differences++ < 5)
                printf("# id %" PRId64 ": deleted from the table, a row in the topic\n", id);
        }
    }
    free(present);
    return differences;
}

/* ---- the concurrent writer ---------------------------------------------------------------- */

typedef struct writer {
    pthread_t thread;
    const char *table;
    int64_t rows;
    int per_second;
    atomic_bool stop;
    int64_t updates, deletes;
} writer;

static void *writer_run(void *arg)
{
    writer *w = arg;
    PGconn *conn = pgt_connect();
    uint64_t seed = 88172645463325252ULL;
    int64_t start = fp_now_ms();
    int64_t done = 0;
    while (!atomic_load(&w->stop)) {
        /* batches of 10 statements in one transaction, paced to per_second */
        char sql[4096];
        size_t len = (size_t)snprintf(sql, sizeof sql, "BEGIN;");
        for (int i = 0; i < 10; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            int64_t id = (int64_t)(seed % (uint64_t)w->rows) + 1;
            if (i == 9 && (done / 10) % 5 == 0) {
                len += (size_t)snprintf(sql + len, sizeof sql - len,
                                        "DELETE FROM %s WHERE id = %" PRId64 ";", w->table, id);
                w->deletes++;
            } else {
                len += (size_t)snprintf(sql + len, sizeof sql - len,
                                        "UPDATE %s SET v = v + 1 WHERE id = %" PRId64 ";",
                                        w->table, id);
                w->updates++;
            }
        }
        snprintf(sql + len, sizeof sql - len, "COMMIT;");
        PGresult *result = PQexec(conn, sql);
        PQclear(result);
        done += 10;
        int64_t due = start + done * 1000 / w->per_second;
        int64_t now = fp_now_ms();
        if (due > now)
            fp_sleep_ms(due - now);
    }
    PQfinish(conn);
    return NULL;
}

static uint64_t slot_confirmed(const char *slot)
{
    char *text = pgt_value(db, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE "
                               "slot_name = '%s'",
                           slot);
    uint64_t lsn = 0;
    pgt_lsn_parse(text, &lsn);
    free(text);
    return lsn;
}

/* ---- 1. a million rows under updates and deletes ------------------------------------------ */

#define MILLION 1000000

static void test_million_rows_under_load(void **state)
{
    (void)state;
    pgt_case c;
    incr_names names;
    incr_case_new(&c, &names, "pg_cdc_incr_million", "big",
                  "(id int PRIMARY KEY, v int NOT NULL, pad text)", NULL,
                  "incremental.snapshot.chunk.size=10000\n");
    pgt_exec(db, "INSERT INTO %s SELECT g, 0, repeat('p', 40) FROM generate_series(1, %d) g",
             c.table, MILLION);
    pgt_exec(db, "VACUUM ANALYZE %s", c.table);
    fp_proc *proc = fp_start(c.env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");

    writer w = {.table = c.table, .rows = MILLION, .per_second = 500};
    atomic_init(&w.stop, false);
    assert_int_equal(pthread_create(&w.thread, NULL, writer_run, &w), 0);
    fp_sleep_ms(1000);
    int64_t started = fp_now_ms();
    char data[512];
    snprintf(data, sizeof data,
             "{\"data-collections\": [\"public.%s\"], \"type\": \"incremental\"}", c.table);
    incr_signal(&names, "million-1", "execute-snapshot", data);

    /* the slot moves during the snapshot */
    uint64_t first = 0, last = 0;
    int samples = 0;
    while (!fp_log_contains(proc, "incremental snapshot complete") &&
           fp_now_ms() - started < 240000 && fp_alive(proc)) {
        uint64_t lsn = slot_confirmed(c.slot);
        if (samples++ == 2)
            first = lsn;
        last = lsn;
        fp_sleep_ms(1000);
    }
    int64_t took = fp_now_ms() - started;
    atomic_store(&w.stop, true);
    pthread_join(w.thread, NULL);
    if (!fp_log_contains(proc, "incremental snapshot complete"))
        fail_msg("the incremental snapshot did not complete in 240 s");
    printf("# incremental snapshot of %d rows under %d changes/s: %.1f s (%" PRId64
           " updates, %" PRId64 " deletes)\n",
           MILLION, w.per_second, (double)took / 1000, w.updates, w.deletes);
    assert_true(samples > 3);
    if (last <= first)
        fail_msg("the slot's confirmed LSN did not move during the snapshot");

    /* every change reaches the topic: a last update, then wait for it */
    pgt_exec(db, "UPDATE %s SET v = -1 WHERE id = (SELECT max(id) FROM %s)", c.table, c.table);
    fp_sleep_ms(FLUSH_MS * 3);
    fp_stop(proc, 60000);

    topic_state ts;
    topic_state_read(&ts, c.topic, MILLION);
    printf("# topic: %" PRId64 " read events, %" PRId64 " changes, %" PRId64 " deletes\n",
           ts.reads, ts.changes, ts.deletes);
    if (ts.read_after_delete)
        fail_msg("%" PRId64 " read events after their key's delete (the first: id %" PRId64 ")",
                 ts.read_after_delete, ts.first_bad);
    int64_t differences = topic_state_compare(&ts, c.table);
    if (differences)
        fail_msg("%" PRId64 " keys differ between the topic and the table", differences);
    assert_true(ts.reads >= MILLION - w.deletes);
    topic_state_free(&ts);
    int in_progress = 0;
    char *types = incr_notification_types(names.notifications, &in_progress);
    printf("# notifications: %s, %d IN_PROGRESS\n", types, in_progress);
    assert_string_equal(types, "STARTED,TABLE_SCAN_COMPLETED,COMPLETED");
    assert_true(in_progress >= MILLION / 10000);
    free(types);
    incr_case_done(&c, &names);
}

/* ---- 2. kill -9 half way ------------------------------------------------------------------ */

#define KILL_ROWS 200000

/* The incremental_snapshot_primary_key of the last offset committed (malloc'd, NULL: none). */
static char *committed_incremental_key(fp_env *env)
{
    kt_records *records = kt_consume_all(fp_offsets_topic(env), 10000);
    char *found = NULL;
    for (size_t i = 0; i < records->count; i++) {
        if (!records->items[i].value)
            continue;
        json_t *offset = json_loadb(records->items[i].value, records->items[i].value_len, 0,
                                    NULL);
        const char *key = json_string_value(json_object_get(offset, "incremental_snapshot_primary_key"));
        if (json_object_get(offset, "incremental_snapshot_collections")) {
            free(found);
            found = strdup(key ? key : "");
        }
        json_decref(offset);
    }
    kt_records_free(records);
    return found;
}

static void test_kill9_resumes_from_chunk(void **state)
{
    (void)state;
    pgt_case c;
    incr_names names;
    incr_case_new(&c, &names, "pg_cdc_incr_kill", "kill",
                  "(id int PRIMARY KEY, v int NOT NULL, pad text)", NULL,
                  /* paced, so that the kill comes in the middle of it */
                  "incremental.snapshot.chunk.size=2000\n"
                  "incremental.snapshot.max.rows.per.second=20000\n");
    pgt_exec(db, "INSERT INTO %s SELECT g, 0, repeat('k', 100) FROM generate_series(1, %d) g",
             c.table, KILL_ROWS);
    fp_proc *proc = fp_start(c.env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    char data[512];
    snprintf(data, sizeof data, "{\"data-collections\": [\"public.%s\"]}", c.table);
    incr_signal(&names, "kill-1", "execute-snapshot", data);
    if (!pgt_wait_records(proc, c.topic, KILL_ROWS / 2, 180000))
        fail_msg("the incremental snapshot did not get half way");
    fp_sleep_ms(FLUSH_MS * 2); /* an offset with the position is committed */
    fp_kill9(proc);
    fp_sleep_ms(500);
    int64_t before_kill = kt_end_offsets_sum(c.topic);
    char *key = committed_incremental_key(c.env);
    printf("# killed -9 with %" PRId64 " of %d rows in the topic; committed primary key %s\n",
           before_kill, KILL_ROWS, key ? key : "(none)");
    if (!key || !*key)
        fail_msg("no offset with incremental_snapshot_primary_key was committed");
    /* Debezium's form: the hex of a Java-serialized Object[] holding one java.lang.Integer */
    if (strncmp(key, "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b", 54) != 0 ||
        !strstr(key, "6a6176612e6c616e672e496e7465676572"))
        fail_msg("incremental_snapshot_primary_key %s is not an Object[] of an Integer", key);
    free(key);
    assert_true(before_kill < KILL_ROWS);

    proc = fp_start(c.env, c.worker, NULL);
    if (!fp_wait_log(proc, "resuming after its last chunk", 60000))
        fail_msg("the restart did not resume the incremental snapshot");
    if (!fp_wait_log(proc, "incremental snapshot complete", 180000))
        fail_msg("the resumed incremental snapshot did not complete");
    fp_sleep_ms(FLUSH_MS * 2);
    fp_stop(proc, 60000);

    topic_state ts;
    topic_state_read(&ts, c.topic, KILL_ROWS);
    int64_t missing = 0;
    for (int64_t id = 1; id <= KILL_ROWS; id++)
        missing += ts.state[id] != STATE_ROW;
    printf("# %" PRId64 " read events for %d rows (%" PRId64 " duplicates), %" PRId64
           " missing\n",
           ts.reads, KILL_ROWS, ts.reads - KILL_ROWS, missing);
    assert_int_equal(missing, 0);
    /* starting over would repeat every row read before the kill */
    if (ts.reads - KILL_ROWS >= before_kill / 2)
        fail_msg("%" PRId64 " duplicates after a kill at %" PRId64 " rows: the snapshot started "
                 "over instead of resuming",
                 ts.reads - KILL_ROWS, before_kill);
    topic_state_free(&ts);
    incr_case_done(&c, &names);
}

/* ---- 3. stop, pause, resume, notifications ------------------------------------------------ */

#define CONTROL_ROWS 40000

static void test_stop_pause_resume(void **state)
{
    (void)state;
    pgt_case c;
    incr_names names;
    incr_case_new(&c, &names, "pg_cdc_incr_control", "ctl", "(id int PRIMARY KEY, v int NOT NULL)",
                  NULL, "incremental.snapshot.chunk.size=500\n");
    pgt_exec(db, "INSERT INTO %s SELECT g, 0 FROM generate_series(1, %d) g", c.table,
             CONTROL_ROWS);
    fp_proc *proc = fp_start(c.env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    char data[512];
    snprintf(data, sizeof data, "{\"data-collections\": [\"public.%s\"]}", c.table);
    incr_signal(&names, "ctl-1", "execute-snapshot", data);
    incr_signal(&names, "ctl-2", "pause-snapshot", "{\"type\": \"incremental\"}");
    fp_sleep_ms(3000);
    int64_t paused = kt_end_offsets_sum(c.topic);
    fp_sleep_ms(3000);
    printf("# paused at %" PRId64 " records\n", paused);
    assert_int_equal(kt_end_offsets_sum(c.topic), paused);
    assert_true(paused <= 1000); /* the chunk read before the pause, at most */
    /* the progress in the REST status: paused (2), one chunk or two read */
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fp_listener_port(c.env));
    rc_client *rest = rc_new(base);
    char path[256];
    snprintf(path, sizeof path, "/connectors/%s/status", c.name);
    json_t *status = rc_expect(rest, "GET", path, NULL, 200);
    json_t *progress = json_object_get(json_array_get(json_object_get(status, "tasks"), 0),
                                       "progress");
    printf("# status progress while paused: running %lld, chunks %lld, rows %lld\n",
           (long long)json_integer_value(json_object_get(progress, "incremental_snapshot_running")),
           (long long)json_integer_value(json_object_get(progress, "incremental_snapshot_chunks")),
           (long long)json_integer_value(json_object_get(progress, "incremental_snapshot_rows")));
    assert_int_equal(json_integer_value(json_object_get(progress, "incremental_snapshot_running")),
                     2);
    assert_int_equal(json_integer_value(json_object_get(progress,
                                                        "incremental_snapshot_tables_remaining")),
                     1);
    assert_true(json_integer_value(json_object_get(progress, "incremental_snapshot_chunks")) >= 1);
    json_decref(status);
    rc_free(rest);

    incr_signal(&names, "ctl-3", "resume-snapshot", "{\"type\": \"incremental\"}");
    if (!pgt_wait_records(proc, c.topic, paused + 2000, 60000))
        fail_msg("the snapshot did not resume");
    incr_signal(&names, "ctl-4", "stop-snapshot", data);
    int64_t at_stop = kt_end_offsets_sum(c.topic);
    fp_sleep_ms(3000);
    int64_t stopped = kt_end_offsets_sum(c.topic);
    fp_sleep_ms(3000);
    printf("# stop-snapshot at %" PRId64 " records, %" PRId64 " after it\n", at_stop, stopped);
    assert_int_equal(kt_end_offsets_sum(c.topic), stopped);
    assert_true(stopped < CONTROL_ROWS);
    assert_true(stopped - at_stop <= 2 * 500); /* within one chunk (and one in flight) */
    fp_stop(proc, 60000);

    int in_progress = 0;
    char *types = incr_notification_types(names.notifications, &in_progress);
    printf("# notifications: %s, %d IN_PROGRESS\n", types, in_progress);
    assert_string_equal(types, "STARTED,PAUSED,RESUMED,ABORTED");
    assert_true(in_progress >= 2);
    free(types);
    incr_case_done(&c, &names);
}

/* ---- 4. a table added to table.include.list; tables without a primary key ----------------- */

static void test_add_table(void **state)
{
    (void)state;
    pgt_case c;
    incr_names names;
    incr_case_new(&c, &names, "pg_cdc_incr_add", "first", "(id int PRIMARY KEY, v int NOT NULL)",
                  NULL, NULL);
    fp_env *env = c.env;
    const char *added = fp_name(env, "added");   /* no primary key: message.key.columns */
    const char *keyless = fp_name(env, "keyless"); /* no key at all */
    pgt_exec(db, "DROP TABLE IF EXISTS %s, %s", added, keyless);
    pgt_exec(db, "CREATE TABLE %s (id int NOT NULL, v int NOT NULL)", added);
    pgt_exec(db, "CREATE TABLE %s (id int NOT NULL, v int NOT NULL)", keyless);
    pgt_exec(db, "INSERT INTO %s SELECT g, 0 FROM generate_series(1, 1000) g", c.table);
    pgt_exec(db, "INSERT INTO %s SELECT g, 0 FROM generate_series(1, 3000) g", added);
    char added_topic[256], keyless_topic[256];
    snprintf(added_topic, sizeof added_topic, "%s.public.%s", c.prefix, added);
    snprintf(keyless_topic, sizeof keyless_topic, "%s.public.%s", c.prefix, keyless);
    kt_create_topic(added_topic, 1, NULL);
    kt_create_topic(keyless_topic, 1, NULL);
    pgt_exec(db, "INSERT INTO %s SELECT g, 0 FROM generate_series(1, 10) g", keyless);
    fp_proc *proc = fp_start(env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    char data[512];
    snprintf(data, sizeof data, "{\"data-collections\": [\"public.%s\"]}", added);
    incr_signal(&names, "add-1", "execute-snapshot", data);
    if (!fp_wait_log(proc, "is not captured", 30000))
        fail_msg("a table outside table.include.list was not refused");
    fp_stop(proc, 60000);

    /* the table joins table.include.list, with its key columns */
    char lines[2048];
    snprintf(lines, sizeof lines,
             "table.include.list=public\\\\.%s,public\\\\.%s,public\\\\.%s\n"
             "message.key.columns=public\\\\.%s:id\n%s",
             c.table, added, keyless, added, names.lines);
    c.connector = pgt_connector_file(env, "pg.properties", c.name, c.prefix, c.slot,
                                     c.publication, lines);
    proc = fp_start(env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming again");
    snprintf(data, sizeof data, "{\"data-collections\": [\"public.%s\", \"public.%s\"]}", added,
             keyless);
    incr_signal(&names, "add-2", "execute-snapshot", data);
    if (!fp_wait_log(proc, "incremental snapshot complete", 60000))
        fail_msg("the added table's incremental snapshot did not complete");
    if (!fp_log_contains(proc, "has no primary key and message.key.columns names no key"))
        fail_msg("the table without any key was not refused with a clear message");
    fp_sleep_ms(FLUSH_MS * 2);
    fp_stop(proc, 60000);

    char topic[256];
    snprintf(topic, sizeof topic, "%s.public.%s", c.prefix, added);
    topic_state ts;
    topic_state_read(&ts, topic, 3000);
    int64_t reads = ts.reads;
    topic_state_free(&ts);
    printf("# added table: %" PRId64 " read events; first table: %" PRId64 "\n", reads,
           kt_end_offsets_sum(c.topic));
    assert_int_equal(reads, 3000);
    assert_int_equal(kt_end_offsets_sum(c.topic), 0); /* the other table is not snapshotted */
    pgt_exec(db, "DROP TABLE %s, %s", added, keyless);
    incr_case_done(&c, &names);
}

/* ---- 5. the kafka signal channel ----------------------------------------------------------- */

#define KAFKA_ROWS 5000

/* The read events' "after" of a topic (values without schemas) by id, in two halves: the first
 * count, then the rest. */
static void read_events_by_id(const char *topic, size_t count, json_t *first, json_t *second)
{
    kt_records *records = kt_consume_all(topic, 10000);
    size_t reads = 0;
    for (size_t i = 0; i < records->count; i++) {
        json_t *value = records->items[i].value ? json_loadb(records->items[i].value,
                                                             records->items[i].value_len, 0,
                                                             NULL)
                                                : NULL;
        const char *op = json_string_value(json_object_get(value, "op"));
        if (op && strcmp(op, "r") == 0) {
            json_t *after = json_object_get(value, "after");
            char id[32];
            snprintf(id, sizeof id, "%" JSON_INTEGER_FORMAT,
                     json_integer_value(json_object_get(after, "id")));
            json_object_set(reads++ < count ? first : second, id, after);
        }
        json_decref(value);
    }
    kt_records_free(records);
}

static void test_kafka_channel(void **state)
{
    (void)state;
    pgt_case c;
    incr_names names;
    incr_case_new(&c, &names, "pg_cdc_incr_kafka", "kch",
                  "(id int PRIMARY KEY, v int NOT NULL, t text)", "source,kafka",
                  "incremental.snapshot.chunk.size=700\n"
                  "signal.consumer.client.rack=r1\n");
    pgt_exec(db, "INSERT INTO %s SELECT g, g * 3, 'row ' || g FROM generate_series(1, %d) g",
             c.table, KAFKA_ROWS);
    fp_proc *proc = fp_start(c.env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    if (!fp_log_contains(proc, "reading signals from Kafka topic"))
        fail_msg("the kafka signal channel did not start");

    /* Debezium's form: key = topic.prefix, value {id, type, data}; another key is not ours */
    incr_kafka_signal(&c, &names, "someone-else", "kafka-0", c.table);
    incr_kafka_signal(&c, &names, NULL, "kafka-1", c.table);
    if (!fp_wait_log(proc, "incremental snapshot complete", 120000))
        fail_msg("the snapshot signalled through Kafka did not complete");
    if (!fp_log_contains(proc, "is not the connector's topic.prefix"))
        fail_msg("a signal with another key was not skipped");

    /* the same through the signal table */
    char data[512];
    snprintf(data, sizeof data, "{\"data-collections\": [\"public.%s\"]}", c.table);
    incr_signal(&names, "table-1", "execute-snapshot", data);
    if (!pgt_wait_records(proc, c.topic, 2 * KAFKA_ROWS, 120000))
        fail_msg("the snapshot signalled through the table did not complete");
    fp_sleep_ms(FLUSH_MS * 2);
    fp_stop(proc, 60000);

    json_t *by_kafka = json_object(), *by_table = json_object();
    read_events_by_id(c.topic, KAFKA_ROWS, by_kafka, by_table);
    printf("# read events: %zu through Kafka, %zu through the table\n",
           json_object_size(by_kafka), json_object_size(by_table));
    assert_int_equal(json_object_size(by_kafka), KAFKA_ROWS);
    assert_true(json_equal(by_kafka, by_table));
    json_decref(by_kafka);
    json_decref(by_table);
    int in_progress = 0;
    char *types = incr_notification_types(names.notifications, &in_progress);
    printf("# notifications: %s, %d IN_PROGRESS\n", types, in_progress);
    assert_string_equal(types, "STARTED,TABLE_SCAN_COMPLETED,COMPLETED,"
                               "STARTED,TABLE_SCAN_COMPLETED,COMPLETED");
    free(types);
    incr_case_done(&c, &names);
}

/* ---- 6. read.only=true: a role that can only read, signals through Kafka -------------------- */

#define READ_ONLY_ROWS 50000

static void test_read_only(void **state)
{
    (void)state;
    pgt_case c;
    incr_names names;
    char role[64], extra[512];
    /* a role with SELECT and REPLICATION only (this run's); the publication made beforehand by
       its owner; no signal table named to the connector */
    snprintf(role, sizeof role, "pgcdc_reader_%d", (int)getpid());
    snprintf(extra, sizeof extra,
             "database.user=%s\n"
             "publication.autocreate.mode=disabled\n"
             "read.only=true\n"
             "incremental.snapshot.chunk.size=2000\n",
             role);
    incr_case_new(&c, &names, "pg_cdc_incr_read_only", "ro",
                  "(id int PRIMARY KEY, v int NOT NULL)", "kafka", extra);
    pgt_exec(db, "INSERT INTO %s SELECT g, 0 FROM generate_series(1, %d) g", c.table,
             READ_ONLY_ROWS);
    pgt_exec(db, "DROP ROLE IF EXISTS %s", role);
    pgt_exec(db, "CREATE ROLE %s LOGIN REPLICATION", role);
    pgt_exec(db, "GRANT SELECT ON %s TO %s", c.table, role);
    pgt_exec(db, "CREATE PUBLICATION %s FOR TABLE %s", c.publication, c.table);
    fp_proc *proc = fp_start(c.env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming as a read-only role");

    writer w = {.table = c.table, .rows = READ_ONLY_ROWS, .per_second = 500};
    atomic_init(&w.stop, false);
    assert_int_equal(pthread_create(&w.thread, NULL, writer_run, &w), 0);
    incr_kafka_signal(&c, &names, NULL, "ro-1", c.table);
    bool complete = fp_wait_log(proc, "incremental snapshot complete", 180000);
    atomic_store(&w.stop, true);
    pthread_join(w.thread, NULL);
    if (!complete)
        fail_msg("the read-only incremental snapshot did not complete");
    pgt_exec(db, "UPDATE %s SET v = -1 WHERE id = (SELECT max(id) FROM %s)", c.table, c.table);
    fp_sleep_ms(FLUSH_MS * 3);
    fp_stop(proc, 60000);
    if (fp_log_contains(proc, "permission denied"))
        fail_msg("the read-only snapshot tried to write");

    topic_state ts;
    topic_state_read(&ts, c.topic, READ_ONLY_ROWS);
    printf("# read.only: %" PRId64 " read events, %" PRId64 " changes, %" PRId64
           " deletes (%" PRId64 " updates, %" PRId64 " deletes made)\n",
           ts.reads, ts.changes, ts.deletes, w.updates, w.deletes);
    if (ts.read_after_delete)
        fail_msg("%" PRId64 " read events after their key's delete (the first: id %" PRId64 ")",
                 ts.read_after_delete, ts.first_bad);
    int64_t differences = topic_state_compare(&ts, c.table);
    if (differences)
        fail_msg("%" PRId64 " keys differ between the topic and the table", differences);
    topic_state_free(&ts);
    int in_progress = 0;
    char *types = incr_notification_types(names.notifications, &in_progress);
    printf("# notifications: %s, %d IN_PROGRESS\n", types, in_progress);
    assert_string_equal(types, "STARTED,TABLE_SCAN_COMPLETED,COMPLETED");
    free(types);
    pgt_drop_slot_and_publication(db, c.slot, c.publication);
    pgt_exec(db, "DROP OWNED BY %s", role); /* its grant */
    pgt_exec(db, "DROP ROLE %s", role);
    incr_case_done(&c, &names);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_million_rows_under_load, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_kill9_resumes_from_chunk, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_stop_pause_resume, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_add_table, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_kafka_channel, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_read_only, pgt_setup, pgt_teardown),
    };
    /* FERRY_TEST_FILTER: run only the cases whose name matches (cmocka's pattern) */
    if (getenv("FERRY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("FERRY_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
