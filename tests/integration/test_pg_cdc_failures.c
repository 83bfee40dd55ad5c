/* PostgresCdcSource failures that must say what to change: the task is FAILED (automatic
 * restarts off) and its trace in the status topic names the fix. Each case is its own connector
 * on one worker: a role that does not exist (wrong credentials under trust authentication), a
 * database that does not exist, a role without REPLICATION, a missing publication with
 * publication.autocreate.mode=disabled, a slot held by another process (pg_recvlogical), and
 * plugin.name=decoderbufs. Then wal_level=replica: the shared server is restarted with it
 * (FERRY_PG_WAL_LEVEL, every other harness test kept out meanwhile) and back with logical after
 * the test, passed or not. */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_pg_cdc_support.h"

extern char **environ;

static PGconn *db;
static pid_t holder = -1;

static bool wal_level_changed; /* this test restarted the server with wal_level=replica */

/* Brings the server back with its normal settings if this test changed them. */
static void restore_postgres(void)
{
    if (!wal_level_changed)
        return;
    if (db) {
        PQfinish(db);
        db = NULL;
    }
    unsetenv("FERRY_PG_WAL_LEVEL");
    if (fp_services("start", "postgres", NULL) == 0) /* restarts: the settings differ */
        wal_level_changed = false;
}

static int finish(void **state)
{
    restore_postgres();
    if (holder > 0) {
        kill(holder, SIGTERM);
        waitpid(holder, NULL, 0);
        holder = -1;
    }
    return fp_env_teardown(state);
}

/* pg_recvlogical from the server's bin directory. */
static char *recvlogical_path(void)
{
    char *dir = pgt_value(db, "SELECT setting FROM pg_config WHERE name = 'BINDIR'");
    char *path = NULL;
    if (asprintf(&path, "%s/pg_recvlogical", dir) < 0)
        path = NULL;
    free(dir);
    if (!path || access(path, X_OK) != 0)
        fail_msg("pg_recvlogical not found at %s", path ? path : "?");
    return path;
}

static void expect_failed(fp_env *env, const char *connector, const char *needle)
{
    char *trace = pgt_wait_task_state(env, connector, "FAILED", 60000);
    if (!trace) {
        char *why = NULL;
        char *state = pgt_task_state(env, connector, &why);
        fail_msg("task of %s is %s (%s), not FAILED", connector, state ? state : "(no state)",
                 why ? why : "");
    }
    if (!strstr(trace, needle))
        fail_msg("task of %s failed with '%s', which does not say '%s'", connector, trace,
                 needle);
    printf("# %s: FAILED: %s\n", connector, trace);
    free(trace);
}

static void test_failures_name_the_fix(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("pg_cdc_failures");
    db = pgt_connect();
    const char *norepl = fp_name(env, "norepl");
    const char *table = fp_name(env, "tbl");
    const char *held_slot = fp_name(env, "held");
    const char *held_publication = fp_name(env, "heldpub");
    pgt_exec(db, "DROP ROLE IF EXISTS %s", norepl);
    pgt_exec(db, "CREATE ROLE %s LOGIN NOREPLICATION NOSUPERUSER", norepl);
    pgt_exec(db, "CREATE TABLE %s (id int PRIMARY KEY)", table);
    pgt_exec(db, "CREATE PUBLICATION %s FOR TABLE %s", held_publication, table);
    pgt_exec(db, "SELECT pg_create_logical_replication_slot('%s', 'pgoutput')", held_slot);

    /* Another process holds the slot. */
    char *recvlogical = recvlogical_path();
    char *dsn_arg = NULL;
    assert_true(asprintf(&dsn_arg, "%s", pgt_dsn()) > 0);
    char publication_option[256];
    snprintf(publication_option, sizeof publication_option, "publication_names=%s",
             held_publication);
    char *argv[] = {recvlogical, "-d", dsn_arg, "--slot", (char *)held_slot, "--start",
                    "-o", "proto_version=1", "-o", publication_option, "-f", "/dev/null",
                    NULL};
    assert_int_equal(posix_spawn(&holder, recvlogical, NULL, NULL, argv, environ), 0);
    for (int i = 0; i < 100; i++) {
        char *active = pgt_value(db, "SELECT active FROM pg_replication_slots "
                                     "WHERE slot_name = '%s'", held_slot);
        bool busy = strcmp(active, "t") == 0;
        free(active);
        if (busy)
            break;
        fp_sleep_ms(100);
    }

    static const struct {
        const char *prefix;
        const char *needle;
    } cases[] = {
        {"nouser", "check database.user"},
        {"nodb", "check database.dbname"},
        {"norepl", "WITH REPLICATION"},
        {"nopub", "publication.autocreate.mode=disabled: create it"},
        {"held", "stop the other consumer of the slot or set slot.name to another slot"},
    };
    size_t count = sizeof cases / sizeof cases[0];
    const char *files[8] = {0};
    const char *names[8] = {0};
    for (size_t i = 0; i < count; i++) {
        names[i] = fp_name(env, cases[i].prefix);
        char extra[512], specific[256], file[64];
        switch (i) {
        case 0:
            snprintf(specific, sizeof specific, "database.user=nosuchuser_%s\n", names[i]);
            break;
        case 1:
            snprintf(specific, sizeof specific, "database.dbname=nosuchdb_%s\n", names[i]);
            break;
        case 2:
            snprintf(specific, sizeof specific, "database.user=%s\n", norepl);
            break;
        case 3:
            snprintf(specific, sizeof specific,
                     "publication.autocreate.mode=disabled\npublication.name=nopub_%s\n",
                     names[i]);
            break;
        default:
            snprintf(specific, sizeof specific,
                     "slot.name=%s\nslot.max.retries=1\nslot.retry.delay.ms=300\n", held_slot);
            break;
        }
        snprintf(extra, sizeof extra, "table.include.list=public\\\\.%s\n%s", table, specific);
        snprintf(file, sizeof file, "c%zu.properties", i);
        char slot[128];
        snprintf(slot, sizeof slot, "%s_slot", names[i]);
        files[i] = pgt_connector_file(env, file, names[i], names[i], slot, names[i], extra);
    }
    const char *worker = pgt_worker_file(env, 1000, NULL);
    fp_proc *proc = fp_start(env, worker, files[0], files[1], files[2], files[3], files[4],
                             NULL);
    for (size_t i = 0; i < count; i++)
        expect_failed(env, names[i], cases[i].needle);
    assert_true(fp_alive(proc));
    fp_stop(proc, 30000);

    /* plugin.name=decoderbufs is refused when the config is validated: the worker names it. */
    const char *decoder = fp_name(env, "decoder");
    const char *decoder_file =
        pgt_connector_file(env, "decoder.properties", decoder, decoder, decoder, decoder,
                           "plugin.name=decoderbufs\n");
    fp_proc *refused = fp_start(env, worker, decoder_file, NULL);
    int code = 0;
    assert_true(fp_wait_exit(refused, 60000, &code));
    assert_int_not_equal(code, 0);
    assert_true(fp_log_contains(refused, "set plugin.name=pgoutput"));

    kill(holder, SIGTERM);
    waitpid(holder, NULL, 0);
    holder = -1;
    pgt_drop_slot_and_publication(db, held_slot, held_publication);
    for (size_t i = 0; i < count; i++) {
        char slot[128];
        snprintf(slot, sizeof slot, "%s_slot", names[i]);
        pgt_drop_slot_and_publication(db, slot, names[i]);
    }
    pgt_exec(db, "DROP TABLE %s", table);
    pgt_exec(db, "DROP ROLE %s", norepl);
    free(recvlogical);
    free(dsn_arg);
    PQfinish(db);
    db = NULL;
    fp_pass(env);
}

/* wal_level=replica: the task fails saying to set wal_level=logical and restart. */
static void test_wal_level_not_logical(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("pg_cdc_wal_level");
    fp_broker_exclusive(); /* the server restarts twice: no other test may use it meanwhile */
    db = pgt_connect();
    /* PostgreSQL refuses to start with wal_level below logical while a logical slot exists:
     * with every other test kept out, what is left are slots of earlier runs that died. */
    int64_t active = pgt_int(db, "SELECT count(*) FROM pg_replication_slots WHERE active");
    if (active > 0)
        fail_msg("%" PRId64 " replication slots are in use: cannot restart PostgreSQL", active);
    pgt_exec(db, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots");
    PQfinish(db);
    db = NULL;

    setenv("FERRY_PG_WAL_LEVEL", "replica", 1);
    wal_level_changed = true;
    assert_int_equal(fp_services("start", "postgres", NULL), 0);
    db = pgt_connect();
    char *level = pgt_value(db, "SHOW wal_level");
    assert_string_equal(level, "replica");
    free(level);

    const char *name = fp_name(env, "replica");
    char slot[128];
    snprintf(slot, sizeof slot, "%s_slot", name);
    const char *file = pgt_connector_file(env, "c.properties", name, name, slot, name, NULL);
    const char *worker = pgt_worker_file(env, 1000, NULL);
    fp_proc *proc = fp_start(env, worker, file, NULL);
    expect_failed(env, name, "wal_level is 'replica' on PostgreSQL at");
    assert_true(fp_alive(proc));
    fp_stop(proc, 30000);

    restore_postgres();
    assert_false(wal_level_changed);
    db = pgt_connect();
    level = pgt_value(db, "SHOW wal_level");
    assert_string_equal(level, "logical");
    free(level);
    pgt_drop_slot_and_publication(db, slot, name);
    PQfinish(db);
    db = NULL;
    fp_pass(env);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_failures_name_the_fix, finish),
        cmocka_unit_test_teardown(test_wal_level_not_logical, finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
