/* Integration smoke test: the real PostgreSQL from tests/services/ (FERRY_TEST_PG_DSN).
 *
 * Logical replication end to end with the built-in pgoutput plugin, the way a CDC source reads
 * it: a table and a publication, a temporary logical slot created over a replication connection,
 * an INSERT, then START_REPLICATION and the CopyData stream parsed by hand ('w' XLogData header,
 * then pgoutput's Begin / Relation / Insert / Commit messages). Checks that the Insert carries the
 * inserted values, acknowledges the LSN, and cleans up (slot, publication, table). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "service_env.h"

#define TIMEOUT_MS 30000
#define INSERTED_ID 4242

static const char *dsn;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static PGconn *connect_or_fail(const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        PQfinish(conn);
        fail_msg("connect '%s': %s", conninfo, msg);
    }
    return conn;
}

static void exec_ok(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        PQclear(res);
        fail_msg("%s: %s", sql, msg);
    }
    PQclear(res);
}

/* Big-endian readers over a bounded buffer; a short buffer fails the test. */
struct reader {
    const unsigned char *p;
    size_t left;
};

static void need(struct reader *r, size_t n)
{
    if (r->left < n)
        fail_msg("pgoutput message truncated: need %zu bytes, have %zu", n, r->left);
}

static uint8_t get_u8(struct reader *r)
{
    need(r, 1);
    r->left--;
    return *r->p++;
}

static uint64_t get_be(struct reader *r, int bytes)
{
    uint64_t v = 0;
    need(r, (size_t)bytes);
    for (int i = 0; i < bytes; i++)
        v = (v << 8) | r->p[i];
    r->p += bytes;
    r->left -= (size_t)bytes;
    return v;
}

/* A NUL-terminated string, copied into out. */
static void get_cstr(struct reader *r, char *out, size_t size)
{
    const unsigned char *end = memchr(r->p, '\0', r->left);
    if (end == NULL)
        fail_msg("pgoutput string not terminated");
    size_t n = (size_t)(end - r->p);
    snprintf(out, size, "%.*s", (int)n, (const char *)r->p);
    r->p += n + 1;
    r->left -= n + 1;
}

static void put_be64(char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (char)(v & 0xff);
        v >>= 8;
    }
}

/* Standby status update ('r'): written/flushed/applied LSN, clock, reply-requested flag. */
static void send_status(PGconn *conn, uint64_t lsn)
{
    char msg[1 + 8 + 8 + 8 + 8 + 1];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* microseconds since 2000-01-01 (PostgreSQL's epoch) */
    int64_t pg_now = ((int64_t)ts.tv_sec - 946684800LL) * 1000000LL + ts.tv_nsec / 1000;
    msg[0] = 'r';
    put_be64(msg + 1, lsn);
    put_be64(msg + 9, lsn);
    put_be64(msg + 17, lsn);
    put_be64(msg + 25, (uint64_t)pg_now);
    msg[33] = 0;
    assert_int_equal(PQputCopyData(conn, msg, sizeof msg), 1);
    assert_int_not_equal(PQflush(conn), -1);
}

struct decoded {
    uint32_t relid;
    char relname[128];
    char nspname[128];
    int relation_cols;
    char colnames[2][64];
    int begins;
    int commits;
    int inserts;
    int commit_after_insert;
    int insert_cols;
    char insert_values[2][128];
    uint64_t last_commit_end;
};

static void decode_pgoutput(struct reader *r, struct decoded *d, const char *table)
{
    uint8_t kind = get_u8(r);
    switch (kind) {
    case 'B': /* Begin: final LSN, commit time, xid */
        get_be(r, 8);
        get_be(r, 8);
        get_be(r, 4);
        d->begins++;
        break;
    case 'C': /* Commit: flags, commit LSN, end LSN, commit time */
        get_u8(r);
        get_be(r, 8);
        d->last_commit_end = get_be(r, 8);
        get_be(r, 8);
        d->commits++;
        if (d->inserts > 0)
            d->commit_after_insert = 1;
        break;
    case 'R': { /* Relation: id, namespace, name, replica identity, columns */
        char nsp[128], rel[128];
        uint32_t relid = (uint32_t)get_be(r, 4);
        get_cstr(r, nsp, sizeof nsp);
        get_cstr(r, rel, sizeof rel);
        get_u8(r);
        int ncols = (int)get_be(r, 2);
        if (strcmp(rel, table) != 0)
            break;
        d->relid = relid;
        snprintf(d->relname, sizeof d->relname, "%s", rel);
        snprintf(d->nspname, sizeof d->nspname, "%s", nsp);
        d->relation_cols = ncols;
        for (int i = 0; i < ncols; i++) {
            char name[64];
            get_u8(r);
            get_cstr(r, name, sizeof name);
            get_be(r, 4); /* type oid */
            get_be(r, 4); /* typmod */
            if (i < 2)
                snprintf(d->colnames[i], sizeof d->colnames[i], "%s", name);
        }
        break;
    }
    case 'I': { /* Insert: relation id, 'N', TupleData */
        uint32_t relid = (uint32_t)get_be(r, 4);
        assert_int_equal(get_u8(r), 'N');
        assert_int_equal(relid, d->relid); /* the Relation message comes first */
        int ncols = (int)get_be(r, 2);
        d->insert_cols = ncols;
        for (int i = 0; i < ncols; i++) {
            uint8_t t = get_u8(r);
            if (t != 't')
                fail_msg("column %d: expected text ('t'), got '%c'", i, t);
            uint32_t len = (uint32_t)get_be(r, 4);
            need(r, len);
            if (i < 2)
                snprintf(d->insert_values[i], sizeof d->insert_values[i], "%.*s", (int)len,
                         (const char *)r->p);
            r->p += len;
            r->left -= len;
        }
        d->inserts++;
        break;
    }
    default: /* Type, Origin, ...: not produced here, and not needed */
        break;
    }
}

/* Reads the replication stream until the Insert and its Commit have been seen. */
static void read_stream(PGconn *repl, struct decoded *d, const char *table)
{
    int64_t deadline = now_ms() + TIMEOUT_MS;
    uint64_t last_wal_end = 0;
    while (!d->commit_after_insert) {
        if (now_ms() > deadline)
            fail_msg("no pgoutput Insert+Commit for %s within %d ms (begins=%d inserts=%d commits=%d)",
                     table, TIMEOUT_MS, d->begins, d->inserts, d->commits);
        char *buf = NULL;
        int n = PQgetCopyData(repl, &buf, 1);
        if (n == 0) {
            fd_set rfds;
            struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
            FD_ZERO(&rfds);
            FD_SET(PQsocket(repl), &rfds);
            if (select(PQsocket(repl) + 1, &rfds, NULL, NULL, &tv) < 0 && errno != EINTR)
                fail_msg("select: %s", strerror(errno));
            assert_int_equal(PQconsumeInput(repl), 1);
            continue;
        }
        if (n < 0)
            fail_msg("replication stream ended: %s", PQerrorMessage(repl));

        struct reader r = {(const unsigned char *)buf, (size_t)n};
        uint8_t kind = get_u8(&r);
        if (kind == 'w') { /* XLogData: start LSN, end LSN, send time, then the plugin's bytes */
            get_be(&r, 8);
            last_wal_end = get_be(&r, 8);
            get_be(&r, 8);
            decode_pgoutput(&r, d, table);
        } else if (kind == 'k') { /* keepalive: WAL end, send time, reply requested */
            last_wal_end = get_be(&r, 8);
            get_be(&r, 8);
            if (get_u8(&r))
                send_status(repl, last_wal_end);
        } else {
            PQfreemem(buf);
            fail_msg("unexpected CopyData message '%c'", kind);
        }
        PQfreemem(buf);
    }
    /* Acknowledge what we have read, as a CDC source does once Kafka has it. */
    send_status(repl, d->last_commit_end);
}

static void stop_stream(PGconn *repl)
{
    assert_int_equal(PQputCopyEnd(repl, NULL), 1);
    assert_int_not_equal(PQflush(repl), -1);
    /* Drain: WAL may still be in flight before the server's CopyDone. */
    int64_t deadline = now_ms() + 10000;
    for (;;) {
        char *buf = NULL;
        int n = PQgetCopyData(repl, &buf, 0);
        if (buf != NULL)
            PQfreemem(buf);
        if (n < 0 || now_ms() > deadline)
            break;
    }
    PGresult *res;
    while ((res = PQgetResult(repl)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        PQclear(res);
        assert_true(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_OUT);
    }
}

static int count_rows(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

static void test_pgoutput_insert(void **state)
{
    (void)state;
    char table[64], pub[80], slot[80], value[128], sql[512];
    service_env_unique_name(table, sizeof table, "ferry_smoke");
    snprintf(pub, sizeof pub, "%s_pub", table);
    snprintf(slot, sizeof slot, "%s_slot", table);
    snprintf(value, sizeof value, "inserted by %s", table);

    PGconn *conn = connect_or_fail(dsn);
    exec_ok(conn, "SET client_min_messages = warning");
    snprintf(sql, sizeof sql, "CREATE TABLE %s (id integer PRIMARY KEY, name text NOT NULL)", table);
    exec_ok(conn, sql);
    snprintf(sql, sizeof sql, "CREATE PUBLICATION %s FOR TABLE %s", pub, table);
    exec_ok(conn, sql);

    /* A replication connection (walsender in database mode). */
    char repl_info[512];
    snprintf(repl_info, sizeof repl_info, "%s replication=database", dsn);
    PGconn *repl = connect_or_fail(repl_info);

    snprintf(sql, sizeof sql, "CREATE_REPLICATION_SLOT %s TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT", slot);
    PGresult *res = PQexec(repl, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(repl));
    assert_int_equal(PQntuples(res), 1);
    assert_string_equal(PQgetvalue(res, 0, 0), slot);
    assert_string_equal(PQgetvalue(res, 0, 3), "pgoutput");
    PQclear(res);

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '%s' AND temporary "
             "AND plugin = 'pgoutput'",
             slot);
    assert_int_equal(count_rows(conn, sql), 1);

    /* The change to capture happens after the slot's consistent point. */
    snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (%d, '%s')", table, INSERTED_ID, value);
    exec_ok(conn, sql);

    snprintf(sql, sizeof sql,
             "START_REPLICATION SLOT %s LOGICAL 0/0 (proto_version '1', publication_names '%s')",
             slot, pub);
    res = PQexec(repl, sql);
    if (PQresultStatus(res) != PGRES_COPY_BOTH)
        fail_msg("%s: %s", sql, PQerrorMessage(repl));
    PQclear(res);

    struct decoded d = {0};
    read_stream(repl, &d, table);

    assert_string_equal(d.nspname, "public");
    assert_string_equal(d.relname, table);
    assert_int_equal(d.relation_cols, 2);
    assert_string_equal(d.colnames[0], "id");
    assert_string_equal(d.colnames[1], "name");
    assert_int_equal(d.inserts, 1);
    assert_int_equal(d.insert_cols, 2);
    char id_text[16];
    snprintf(id_text, sizeof id_text, "%d", INSERTED_ID);
    assert_string_equal(d.insert_values[0], id_text);
    assert_string_equal(d.insert_values[1], value);
    assert_true(d.begins >= 1);
    assert_true(d.commits >= 1);
    assert_true(d.last_commit_end > 0);

    stop_stream(repl);
    /* The slot is temporary; drop it explicitly anyway, then the session. */
    snprintf(sql, sizeof sql, "DROP_REPLICATION_SLOT %s", slot);
    res = PQexec(repl, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(repl));
    PQclear(res);
    PQfinish(repl);

    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '%s'", slot);
    assert_int_equal(count_rows(conn, sql), 0);
    snprintf(sql, sizeof sql, "DROP PUBLICATION %s", pub);
    exec_ok(conn, sql);
    snprintf(sql, sizeof sql, "DROP TABLE %s", table);
    exec_ok(conn, sql);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_class WHERE relname = '%s'", table);
    assert_int_equal(count_rows(conn, sql), 0);
    PQfinish(conn);
}

/* The variable is set: the server must answer, else this is a failure, not a skip. */
static void probe_server(void)
{
    PGconn *conn = PQconnectdb(dsn);
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        PQfinish(conn);
        msg[strcspn(msg, "\n")] = '\0';
        service_env_unreachable("FERRY_TEST_PG_DSN", "%s", msg);
    }
    PGresult *res = PQexec(conn, "SHOW wal_level");
    int logical = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "logical") == 0;
    PQclear(res);
    PQfinish(conn);
    if (!logical) {
        fprintf(stderr, "FAIL: the server at FERRY_TEST_PG_DSN=%s does not have wal_level=logical\n", dsn);
        exit(EXIT_FAILURE);
    }
}

int main(void)
{
    dsn = service_env_get("FERRY_TEST_PG_DSN");
    probe_server();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgoutput_insert),
    };
    return cmocka_run_group_tests_name("smoke_postgres", tests, NULL, NULL);
}
