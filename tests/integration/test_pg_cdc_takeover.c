/* PostgresCdcSource slot take-over on the real PostgreSQL and Kafka, through the real ferry
 * binary:
 *
 *   1. kill -9 of a standalone worker while it streams, restarted at once: its walsender stays
 *      behind holding the slot (the worker's connections go through a proxy in this test that
 *      keeps the server's side open when the worker dies, as a dead host or a cut network does;
 *      on loopback the server would otherwise see the close at once). The restarted task
 *      terminates that walsender of its own, says so with the old PID, streams within a few
 *      seconds (wal_sender_timeout is a minute), and every row written before, during and after
 *      the kill reaches Kafka. The connector's name is long and not ASCII, so the take-over
 *      marker is the cut, hashed one. Before the kill, the network breaks on the running
 *      worker's side only: the task reconnects and takes the slot over from its own last
 *      walsender, without taking its initial snapshot again.
 *   2. a slot held by a foreign client (a replication connection of this test whose
 *      application_name is the marker of another connector) is never terminated: the task
 *      waits, naming the PID and the application, and streams once the client lets go.
 *   3. a walsender with the task's own marker that the task's role may not terminate (a
 *      superuser's, the task running as a role without superuser): the task waits as for a
 *      foreign client, its message naming the missing right (pg_signal_backend). */
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
#include "tcp_proxy.h"
#include "test_pg_cdc_support.h"

#define FLUSH_MS 1000

#define db pgt_conn

static tcp_proxy *proxy;
static PGconn *foreign_holder;

static int teardown(void **state)
{
    tcp_proxy_stop(proxy);
    proxy = NULL;
    PQfinish(foreign_holder);
    foreign_holder = NULL;
    return pgt_teardown(state);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static void insert_rows(const char *table, int first, int last)
{
    pgt_exec(db, "INSERT INTO %s SELECT g FROM generate_series(%d, %d) g", table, first, last);
}

static bool backend_alive(int pid)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid);
    return pgt_int(db, sql) == 1;
}

/* wal_sender_timeout in ms (0: none): the wait a take-over saves must be long for the
 * assertions to mean something. */
static int64_t wal_sender_timeout_ms(void)
{
    return pgt_int(db, "SELECT setting::bigint FROM pg_settings WHERE name = 'wal_sender_timeout'");
}

/* ---- 1. kill -9 while streaming, restart at once ------------------------------------------- */

static void test_kill9_restart_takes_the_slot_over(void **state)
{
    (void)state;
    int64_t timeout = wal_sender_timeout_ms();
    if (timeout != 0 && timeout < 60000)
        fail_msg("wal_sender_timeout is %" PRId64 " ms on the test server: a stale walsender "
                 "would go by itself too soon for this test to mean anything",
                 timeout);
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_takeover_kill9", "tk", "(id int PRIMARY KEY)", FLUSH_MS, NULL);
    pgt_server server;
    pgt_server_get(&server);
    proxy = tcp_proxy_start(server.host, server.port);
    /* A name too long for an application_name, with characters the server would replace. */
    char name[160];
    snprintf(name, sizeof name, "%s commandes \xc3\xa9t\xc3\xa9 2026 du grand magasin central",
             c.name);
    char extra[512];
    snprintf(extra, sizeof extra, "table.include.list=public\\\\.%s\ndatabase.port=%d\n", c.table,
             proxy->port);
    const char *connector = pgt_connector_file(c.env, "takeover.properties", name, c.prefix,
                                               c.slot, c.publication, extra);

    fp_proc *proc = fp_start(c.env, c.worker, connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the task did not start streaming");
    insert_rows(c.table, 1, 100);
    if (!pgt_wait_records(proc, c.topic, 100, 60000))
        fail_msg("the first rows did not reach Kafka");

    /* The connections break on the worker's side only: the running task reconnects and takes
     * the slot over from its own last walsender, and streams on without taking its initial
     * snapshot again. */
    char line[200];
    int own_pid = pgt_slot_pid(c.slot);
    assert_true(own_pid > 0);
    tcp_proxy_cut_clients(proxy);
    fp_sleep_ms(300);
    assert_int_equal(pgt_slot_pid(c.slot), own_pid);
    insert_rows(c.table, 101, 150);
    snprintf(line, sizeof line, "took replication slot \"%s\" over from PID %d", c.slot, own_pid);
    if (!fp_wait_log(proc, line, 20000))
        fail_msg("after the cut, the task did not take the slot over from its own walsender");
    pgt_expect_rows(proc, c.topic, 150);
    char *log = fp_log(proc);
    bool snapshot_again = strstr(strstr(log, line), "snapshot complete") != NULL;
    free(log);
    if (snapshot_again)
        fail_msg("the task took its snapshot again after taking the slot over");

    /* kill -9 while streaming */
    int old_pid = pgt_slot_pid(c.slot);
    assert_true(old_pid > 0);
    insert_rows(c.table, 151, 200);
    fp_kill9(proc);
    fp_sleep_ms(300);
    /* The premise: the dead worker's walsender still holds the slot. */
    assert_int_equal(pgt_slot_pid(c.slot), old_pid);
    insert_rows(c.table, 201, 300);

    int64_t restarted = fp_now_ms();
    proc = fp_start(c.env, c.worker, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 30000))
        fail_msg("the restarted task did not stream again within 30 s");
    int64_t took = fp_now_ms() - restarted;
    printf("# streaming again %" PRId64 " ms after the restart (wal_sender_timeout %" PRId64
           " ms)\n",
           took, timeout);
    if (took > 10000)
        fail_msg("the restarted task took %" PRId64 " ms to stream again: it waited for the "
                 "stale walsender instead of taking the slot over",
                 took);
    snprintf(line, sizeof line, "took replication slot \"%s\" over from PID %d", c.slot, old_pid);
    if (!fp_log_contains(proc, line))
        fail_msg("the log does not say '%s'", line);
    assert_false(backend_alive(old_pid));
    assert_int_not_equal(pgt_slot_pid(c.slot), 0);

    insert_rows(c.table, 301, 400);
    pgt_expect_rows(proc, c.topic, 400);

    fp_stop(proc, 30000);
    pgt_exec(db, "DROP TABLE %s", c.table);
    fp_pass(c.env);
}

/* ---- 2. a holder the task must not (or cannot) terminate ----------------------------------- */

/* Opens a replication connection of this test's role (a superuser) named application and
 * streams the slot on it: the slot is held until foreign_holder is finished. Returns its PID. */
static int hold_slot(const pgt_case *c, const char *application)
{
    char *conninfo = NULL;
    assert_true(asprintf(&conninfo, "%s replication=database application_name=%s", pgt_dsn(),
                         application) > 0);
    foreign_holder = PQconnectdb(conninfo);
    free(conninfo);
    assert_int_equal(PQstatus(foreign_holder), CONNECTION_OK);
    char *command = NULL;
    assert_true(asprintf(&command,
                         "START_REPLICATION SLOT \"%s\" LOGICAL 0/0 (proto_version '1', "
                         "publication_names '\"%s\"')",
                         c->slot, c->publication) > 0);
    PGresult *result = PQexec(foreign_holder, command);
    free(command);
    assert_int_equal(PQresultStatus(result), PGRES_COPY_BOTH);
    PQclear(result);
    int pid = PQbackendPID(foreign_holder);
    assert_int_equal(pgt_slot_pid(c->slot), pid);
    return pid;
}

/* The task waits for the holder, saying so (and `also`, when not NULL), leaves it alone, and
 * streams every row once the holder lets go. */
static void expect_wait_then_stream(pgt_case *c, const char *connector, const char *application,
                                    int holder_pid, const char *also)
{
    insert_rows(c->table, 1, 20);
    fp_proc *proc = fp_start(c->env, c->worker, connector, NULL);
    char line[300];
    snprintf(line, sizeof line, "is in use by PID %d (application_name '%s')", holder_pid,
             application);
    if (!fp_wait_log(proc, line, 30000))
        fail_msg("the task did not wait naming the holder: no '%s'", line);
    if (also && !fp_log_contains(proc, also))
        fail_msg("the task's wait does not say '%s'", also);
    if (!fp_wait_log(proc, "attempt 4 of", 30000))
        fail_msg("the task did not keep waiting for the slot");
    if (fp_log_contains(proc, "terminated it to take the slot over"))
        fail_msg("the task terminated a walsender it must not");
    assert_true(backend_alive(holder_pid));
    assert_int_equal(pgt_slot_pid(c->slot), holder_pid);
    assert_false(fp_log_contains(proc, "streaming from slot"));

    /* The holder lets go: the task gets the slot on its next look. */
    PQfinish(foreign_holder);
    foreign_holder = NULL;
    int64_t released = fp_now_ms();
    if (!fp_wait_log(proc, "streaming from slot", 15000))
        fail_msg("the task did not stream after the holder let the slot go");
    printf("# streaming %" PRId64 " ms after the holder let go\n", fp_now_ms() - released);
    insert_rows(c->table, 21, 40);
    pgt_expect_rows(proc, c->topic, 40);
    fp_stop(proc, 30000);
}

#define WAIT_FOR_SLOT "slot.retry.delay.ms=300\nslot.max.retries=1000\n"

/* A replication connection with the marker of another connector (this one's name plus a
 * letter) is not this task's: never terminated. */
static void test_foreign_holder_is_left_alone(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_takeover_foreign", "tf", "(id int PRIMARY KEY)", FLUSH_MS,
                 WAIT_FOR_SLOT);
    pgt_exec(db, "CREATE PUBLICATION \"%s\" FOR TABLE %s", c.publication, c.table);
    pgt_exec(db, "SELECT pg_create_logical_replication_slot('%s', 'pgoutput')", c.slot);
    char application[128];
    snprintf(application, sizeof application, "ferry-cdc-stream:%sx-0", c.name);
    int pid = hold_slot(&c, application);
    expect_wait_then_stream(&c, c.connector, application, pid, NULL);
    pgt_exec(db, "DROP TABLE %s", c.table);
    fp_pass(c.env);
}

/* A walsender with this task's own marker, but of a superuser, while the task runs as a role
 * without that right: pg_terminate_backend is refused, and the task waits saying what right is
 * missing. */
static void test_takeover_refused_without_the_right(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_takeover_refused", "tr", "(id int PRIMARY KEY)", FLUSH_MS, NULL);
    const char *role = fp_name(c.env, "cdcrole");
    pgt_exec(db, "DROP ROLE IF EXISTS %s", role);
    pgt_exec(db, "CREATE ROLE %s LOGIN REPLICATION NOSUPERUSER", role);
    pgt_exec(db, "GRANT SELECT ON %s TO %s", c.table, role);
    pgt_exec(db, "CREATE PUBLICATION \"%s\" FOR TABLE %s", c.publication, c.table);
    pgt_exec(db, "SELECT pg_create_logical_replication_slot('%s', 'pgoutput')", c.slot);
    char extra[512];
    snprintf(extra, sizeof extra, "table.include.list=public\\\\.%s\ndatabase.user=%s\n%s",
             c.table, role, WAIT_FOR_SLOT);
    const char *connector = pgt_connector_file(c.env, "role.properties", c.name, c.prefix,
                                               c.slot, c.publication, extra);
    char application[128];
    snprintf(application, sizeof application, "ferry-cdc-stream:%s-0", c.name);
    int pid = hold_slot(&c, application);
    char missing[160];
    snprintf(missing, sizeof missing, "GRANT pg_signal_backend TO \"%s\"", role);
    expect_wait_then_stream(&c, connector, application, pid, missing);
    pgt_exec(db, "DROP TABLE %s", c.table);
    pgt_drop_slot_and_publication(db, c.slot, c.publication);
    pgt_exec(db, "DROP ROLE %s", role);
    fp_pass(c.env);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill9_restart_takes_the_slot_over, pgt_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_foreign_holder_is_left_alone, pgt_setup, teardown),
        cmocka_unit_test_setup_teardown(test_takeover_refused_without_the_right, pgt_setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
