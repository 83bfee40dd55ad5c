/* PostgresCdcSource delivery on the real PostgreSQL and Kafka, through the real ferry binary:
 *
 *   1. kill -9 mid-snapshot: after the restart every row is there, and the snapshot resumed from
 *      its last committed chunk (far fewer duplicates than the rows read before the kill);
 *   2. kill -9 mid-stream inside one big transaction loaded with COPY (whose rows share LSNs):
 *      after the restart every row is there, and the transaction was not replayed from its
 *      start (the offset's position inside the transaction);
 *   3. PostgreSQL restarted during the stream: the task reconnects by itself, stays RUNNING, and
 *      every change arrives exactly once;
 *   4. hundreds of MB of WAL on a table that is not captured: the slot's confirmed_flush_lsn
 *      follows (from keepalives with a filtered publication; from empty transactions with
 *      FOR ALL TABLES, where heartbeats also run). */
#include <inttypes.h>
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

#define FLUSH_MS 1000

#define db pgt_conn

typedef struct id_check {
    int64_t rows;
    int64_t missing;
    int64_t duplicates;
    int64_t first_missing;
    int64_t by_op[128];
} id_check;

/* Counts how often each id in [1, count] appears in the events' rows (tombstones ignored). */
static id_check check_ids(const pgt_events *events, int64_t count)
{
    id_check check = {.first_missing = -1};
    uint8_t *seen = calloc((size_t)count + 1, 1);
    assert_non_null(seen);
    for (size_t i = 0; i < events->count; i++) {
        const pgt_event *event = &events->items[i];
        if (!event->value)
            continue;
        int64_t id = pgt_row_int(event, "id");
        if (id < 1 || id > count)
            fail_msg("an event with id %" PRId64 " outside [1, %" PRId64 "]", id, count);
        check.rows++;
        check.by_op[(unsigned char)pgt_op(event)[0]]++;
        if (seen[id])
            check.duplicates++;
        if (seen[id] < 255)
            seen[id]++;
    }
    for (int64_t id = 1; id <= count; id++) {
        if (!seen[id] && check.missing++ == 0)
            check.first_missing = id;
    }
    free(seen);
    return check;
}

static void restored_or_fail(fp_proc *proc, const char *connector)
{
    char line[256];
    snprintf(line, sizeof line, "restoring connector %s", connector);
    if (!fp_wait_log(proc, line, 30000))
        fail_msg("the restarted worker did not restore connector %s", connector);
}

/* ---- 1. kill -9 mid-snapshot ----------------------------------------------------------------- */

#define SNAPSHOT_ROWS 300000

static void test_kill9_mid_snapshot(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_kill_snapshot", "snap", "(id int PRIMARY KEY, pad text)", FLUSH_MS,
                 "snapshot.fetch.size=2000\n");
    fp_env *env = c.env;
    const char *name = c.name, *table = c.table, *topic = c.topic;
    const char *worker = c.worker, *connector = c.connector;
    pgt_exec(db, "INSERT INTO %s SELECT g, repeat('s', 100) FROM generate_series(1, %d) g", table,
             SNAPSHOT_ROWS);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!pgt_wait_records(proc, topic, SNAPSHOT_ROWS / 2, 180000))
        fail_msg("the snapshot did not get half way");
    fp_kill9(proc);
    fp_sleep_ms(500);
    int64_t before_kill = kt_end_offsets_sum(topic);
    printf("# killed -9 with %" PRId64 " of %d snapshot rows in the topic\n", before_kill,
           SNAPSHOT_ROWS);
    assert_true(before_kill < SNAPSHOT_ROWS);

    proc = fp_start(env, worker, NULL);
    restored_or_fail(proc, name);
    if (!fp_wait_log(proc, "resuming at", 60000))
        fail_msg("the snapshot did not resume from its committed position");
    if (!fp_wait_log(proc, "streaming from slot", 180000))
        fail_msg("the resumed snapshot did not finish");
    /* The stream after a resumed snapshot. */
    pgt_exec(db, "INSERT INTO %s SELECT g, 'new' FROM generate_series(%d, %d) g", table,
             SNAPSHOT_ROWS + 1, SNAPSHOT_ROWS + 100);
    int64_t total = SNAPSHOT_ROWS + 100;
    pgt_wait_records(proc, topic, total, 120000);
    fp_sleep_ms(2000);
    fp_stop(proc, 60000);

    pgt_events *events = pgt_read(topic);
    id_check check = check_ids(events, total);
    printf("# %" PRId64 " events: %" PRId64 " read, %" PRId64 " created, %" PRId64
           " duplicates, %" PRId64 " missing\n",
           check.rows, check.by_op['r'], check.by_op['c'], check.duplicates, check.missing);
    if (check.missing)
        fail_msg("%" PRId64 " rows missing, the first id %" PRId64, check.missing,
                 check.first_missing);
    assert_int_equal(check.by_op['c'], 100);
    /* Starting over would repeat every row read before the kill (> 150,000); resuming repeats
     * at most what was emitted after the last committed offset. */
    if (check.duplicates >= before_kill / 2)
        fail_msg("%" PRId64 " duplicates after a kill at %" PRId64 " rows: the snapshot started "
                 "over instead of resuming",
                 check.duplicates, before_kill);
    pgt_events_free(events);
    pgt_exec(db, "DROP TABLE %s", table);
    fp_pass(env);
}

/* ---- 2. kill -9 inside a big transaction --------------------------------------------------- */

#define BIG_TX_ROWS 300000

static void copy_rows(PGconn *conn, const char *table, int64_t first, int64_t count)
{
    pgt_exec(conn, "BEGIN");
    char sql[256];
    snprintf(sql, sizeof sql, "COPY %s (id, v) FROM STDIN", table);
    PGresult *result = PQexec(conn, sql);
    assert_int_equal(PQresultStatus(result), PGRES_COPY_IN);
    PQclear(result);
    char buffer[65536];
    size_t used = 0;
    for (int64_t id = first; id < first + count; id++) {
        used += (size_t)snprintf(buffer + used, sizeof buffer - used,
                                 "%" PRId64 "\tvalue-%" PRId64 "\n", id, id);
        if (used > sizeof buffer - 128) {
            assert_int_equal(PQputCopyData(conn, buffer, (int)used), 1);
            used = 0;
        }
    }
    if (used)
        assert_int_equal(PQputCopyData(conn, buffer, (int)used), 1);
    assert_int_equal(PQputCopyEnd(conn, NULL), 1);
    result = PQgetResult(conn);
    assert_int_equal(PQresultStatus(result), PGRES_COMMAND_OK);
    PQclear(result);
    while ((result = PQgetResult(conn)))
        PQclear(result);
    pgt_exec(conn, "COMMIT");
}

static void test_kill9_inside_big_transaction(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_kill_stream", "bigtx", "(id int PRIMARY KEY, v text)", FLUSH_MS,
                 NULL);
    fp_env *env = c.env;
    const char *name = c.name, *table = c.table, *topic = c.topic;
    const char *worker = c.worker, *connector = c.connector;
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    /* One transaction; COPY writes multi-insert records: many rows per LSN. */
    copy_rows(db, table, 1, BIG_TX_ROWS);
    char *shared = pgt_value(db, "SELECT count(*) FROM %s", table);
    printf("# one transaction of %s rows committed\n", shared);
    free(shared);
    if (!pgt_wait_records(proc, topic, BIG_TX_ROWS / 2, 240000))
        fail_msg("the transaction did not get half way to Kafka");
    fp_kill9(proc);
    fp_sleep_ms(500);
    int64_t before_kill = kt_end_offsets_sum(topic);
    printf("# killed -9 with %" PRId64 " of %d rows of the transaction in the topic\n",
           before_kill, BIG_TX_ROWS);
    assert_true(before_kill < BIG_TX_ROWS);

    proc = fp_start(env, worker, NULL);
    restored_or_fail(proc, name);
    if (!fp_wait_log(proc, "skipping what was already delivered", 60000))
        fail_msg("the restart did not resume inside the transaction");
    copy_rows(db, table, BIG_TX_ROWS + 1, 10);
    pgt_wait_records(proc, topic, BIG_TX_ROWS + 10, 240000);
    fp_sleep_ms(2000);
    fp_stop(proc, 60000);

    pgt_events *events = pgt_read(topic);
    id_check check = check_ids(events, BIG_TX_ROWS + 10);
    printf("# %" PRId64 " events, %" PRId64 " duplicates, %" PRId64 " missing\n", check.rows,
           check.duplicates, check.missing);
    if (check.missing)
        fail_msg("%" PRId64 " rows missing, the first id %" PRId64, check.missing,
                 check.first_missing);
    if (check.duplicates >= before_kill / 2)
        fail_msg("%" PRId64 " duplicates after a kill at %" PRId64 " rows: the transaction was "
                 "replayed from its start",
                 check.duplicates, before_kill);
    pgt_events_free(events);
    pgt_exec(db, "DROP TABLE %s", table);
    fp_pass(env);
}

/* ---- 3. PostgreSQL restarted during the stream -------------------------------------------- */

static void insert_batches(PGconn *conn, const char *table, int64_t first, int batches, int rows)
{
    for (int b = 0; b < batches; b++) {
        int64_t from = first + (int64_t)b * rows;
        pgt_exec(conn, "INSERT INTO %s SELECT g FROM generate_series(%" PRId64 ", %" PRId64 ") g",
                 table, from, from + rows - 1);
    }
}

static void test_postgres_restart(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_pg_restart", "restart", "(id int PRIMARY KEY)", FLUSH_MS,
                 "slot.retry.delay.ms=2000\n");
    fp_env *env = c.env;
    const char *name = c.name, *table = c.table, *topic = c.topic;
    const char *worker = c.worker, *connector = c.connector;
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    insert_batches(db, table, 1, 20, 100);
    if (!pgt_wait_records(proc, topic, 2000, 60000))
        fail_msg("the first changes did not arrive");

    PQfinish(db);
    db = NULL;
    assert_int_equal(fp_services("stop", "postgres", NULL), 0);
    fp_sleep_ms(3000);
    assert_int_equal(fp_services("start", "postgres", NULL), 0);
    db = pgt_connect();
    insert_batches(db, table, 2001, 20, 100);
    if (!pgt_wait_records(proc, topic, 4000, 120000))
        fail_msg("the changes after PostgreSQL's restart did not arrive");
    assert_true(fp_log_contains(proc, "replication connection lost"));
    assert_true(fp_wait_log(proc, "replication connection open again", 30000));
    char *trace = NULL;
    char *state_now = pgt_task_state(env, name, &trace);
    assert_non_null(state_now);
    assert_string_equal(state_now, "RUNNING");
    free(state_now);
    free(trace);
    assert_true(fp_alive(proc));
    fp_sleep_ms(1500);
    fp_stop(proc, 60000);

    pgt_events *events = pgt_read(topic);
    id_check check = check_ids(events, 4000);
    printf("# %" PRId64 " events, %" PRId64 " duplicates, %" PRId64 " missing\n", check.rows,
           check.duplicates, check.missing);
    assert_int_equal(check.missing, 0);
    assert_int_equal(check.duplicates, 0);
    pgt_events_free(events);
    pgt_exec(db, "DROP TABLE %s", table);
    fp_pass(env);
}

/* ---- 4. WAL elsewhere: the slot follows ------------------------------------------------------ */

static uint64_t lsn_of(PGconn *conn, const char *sql)
{
    char *text = pgt_value(conn, "%s", sql);
    uint64_t lsn = 0;
    if (pgt_lsn_parse(text, &lsn) != 0)
        fail_msg("'%s' is not an LSN", text);
    free(text);
    return lsn;
}

static void slot_follows(const char *mode, int64_t rows, int64_t min_wal_mb)
{
    bool all_tables = strcmp(mode, "all_tables") == 0;
    char extra[512];
    snprintf(extra, sizeof extra, "publication.autocreate.mode=%s\n%s", mode,
             all_tables ? "heartbeat.interval.ms=1000\n" : "");
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_wal_follow", "idle", "(id int PRIMARY KEY)", FLUSH_MS, extra);
    fp_env *env = c.env;
    const char *prefix = c.prefix, *slot = c.slot, *captured = c.table, *topic = c.topic;
    const char *worker = c.worker, *connector = c.connector;
    const char *noise = fp_name(env, "noise");
    pgt_exec(db, "CREATE TABLE %s (id int PRIMARY KEY, pad text)", noise);
    pgt_exec(db, "INSERT INTO %s VALUES (1)", captured);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    assert_true(pgt_wait_records(proc, topic, 1, 30000));

    char slot_lsn_sql[256];
    snprintf(slot_lsn_sql, sizeof slot_lsn_sql,
             "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '%s'", slot);
    uint64_t start = lsn_of(db, slot_lsn_sql);
    int64_t began = fp_now_ms();
    pgt_exec(db, "INSERT INTO %s SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, %"
                 PRId64 ") g", noise, rows);
    uint64_t end = lsn_of(db, "SELECT pg_current_wal_lsn()");
    double written_mb = (double)(end - start) / (1024.0 * 1024.0);
    printf("# %s: %.0f MB of WAL on an uncaptured table in %.1f s\n", mode, written_mb,
           (double)(fp_now_ms() - began) / 1000.0);
    assert_true(written_mb >= (double)min_wal_mb);

    uint64_t confirmed = start;
    int64_t deadline = fp_now_ms() + 180000;
    while (fp_now_ms() < deadline) {
        confirmed = lsn_of(db, slot_lsn_sql);
        if (confirmed >= end)
            break;
        assert_true(fp_alive(proc));
        fp_sleep_ms(250);
    }
    char a[24], b[24];
    printf("# %s: confirmed_flush_lsn %s, WAL end after the writes %s, %.1f s after them\n", mode,
           pgt_lsn_format(confirmed, a, sizeof a), pgt_lsn_format(end, b, sizeof b),
           (double)(fp_now_ms() - began) / 1000.0);
    if (confirmed < end)
        fail_msg("the slot's confirmed_flush_lsn stayed at %s, %.0f MB behind %s", a,
                 (double)(end - confirmed) / (1024.0 * 1024.0), b);
    if (all_tables) {
        char heartbeat_topic[256];
        snprintf(heartbeat_topic, sizeof heartbeat_topic, "__debezium-heartbeat.%s", prefix);
        assert_true(pgt_wait_records(proc, heartbeat_topic, 1, 30000));
    }
    fp_stop(proc, 60000);
    pgt_exec(db, "DROP TABLE %s, %s", captured, noise);
    fp_pass(env);
}

static void test_slot_follows_keepalives(void **state)
{
    (void)state;
    slot_follows("filtered", 1000000, 250);
}

static void test_slot_follows_empty_transactions(void **state)
{
    (void)state;
    slot_follows("all_tables", 200000, 50);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill9_mid_snapshot, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_kill9_inside_big_transaction, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_slot_follows_keepalives, pgt_setup, pgt_teardown),
        cmocka_unit_test_setup_teardown(test_slot_follows_empty_transactions, pgt_setup,
                                        pgt_teardown),
        /* last: it restarts the shared PostgreSQL */
        cmocka_unit_test_setup_teardown(test_postgres_restart, pgt_setup, pgt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
