/* PostgresCdcSource with exactly-once sources (transaction.boundary=connector), on the real
 * PostgreSQL and Kafka through the real ferry binary: a pgbench-style write load (several client
 * connections, each running multi-row transactions of different sizes: inserts, updates and
 * deletes) while the worker is killed -9 a few times. After the last restart a read_committed
 * consumer of the topic:
 *
 *   - replays, per key, to exactly the table's content;
 *   - sees no change event twice (source.lsn + source.sequence);
 *   - sees the events of each database transaction smaller than transaction.max.events
 *     together, in one run, and all of them (source.txId against the txids the clients wrote).
 *
 * The topic is created here: nothing relies on the broker's auto-creation. */
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
#include <time.h>

#include <cmocka.h>

#include "kafka_tool.h"
#include "test_pg_cdc_support.h"

#define FLUSH_MS 1000
#define CLIENTS 4
#define KILLS 3
#define MAX_EVENTS 40   /* transaction.max.events, as in the connector file */
#define KEYS 2000       /* ids a client works on: [client * KEYS + 1, (client + 1) * KEYS] */
#define MAX_TXS 20000   /* transactions recorded per client */

#define db pgt_conn

/* One database transaction a client committed: its txid and how many row changes it made. */
typedef struct eos_tx {
    int64_t txid;
    int changes;
} eos_tx;

typedef struct eos_client {
    pthread_t thread;
    int index;
    const char *table;
    atomic_bool *stop;
    eos_tx *txs;
    size_t tx_count;
    unsigned seed;
    bool exists[KEYS];
    char error[256];
} eos_client;

static int64_t eos_query_int(PGconn *conn, const char *sql, char *error, size_t size)
{
    PGresult *result = PQexec(conn, sql);
    int64_t value = -1;
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1)
        value = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
    else if (!error[0])
        snprintf(error, size, "%s: %s", sql, PQerrorMessage(conn));
    PQclear(result);
    return value;
}

static bool eos_command(PGconn *conn, const char *sql, char *error, size_t size)
{
    PGresult *result = PQexec(conn, sql);
    bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    if (!ok && !error[0])
        snprintf(error, size, "%s: %s", sql, PQerrorMessage(conn));
    PQclear(result);
    return ok;
}

/* A client: transactions of 1 to 30 row changes, one in ten of 50 to 120 (split by the
 * connector), each on its own ids so that clients never wait for each other's row locks. */
static void *eos_client_run(void *arg)
{
    eos_client *client = arg;
    PGconn *conn = pgt_connect();
    while (!atomic_load(client->stop) && client->tx_count < MAX_TXS && !client->error[0]) {
        int size = rand_r(&client->seed) % 10 == 0 ? 50 + rand_r(&client->seed) % 71
                                                   : 1 + rand_r(&client->seed) % 30;
        if (!eos_command(conn, "BEGIN", client->error, sizeof client->error))
            break;
        int64_t txid = eos_query_int(conn, "SELECT txid_current()", client->error,
                                     sizeof client->error);
        bool touched[KEYS] = {false};
        int changes = 0;
        for (int i = 0; i < size && !client->error[0]; i++) {
            int k = rand_r(&client->seed) % KEYS;
            if (touched[k])
                continue; /* one change per row and transaction keeps the count exact */
            touched[k] = true;
            int id = client->index * KEYS + k + 1;
            int v = rand_r(&client->seed);
            char sql[256];
            if (!client->exists[k])
                snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (%d, %d, %d)", client->table,
                         id, v, size);
            else if (rand_r(&client->seed) % 4 == 0)
                snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = %d", client->table, id);
            else
                snprintf(sql, sizeof sql, "UPDATE %s SET v = %d, size = %d WHERE id = %d",
                         client->table, v, size, id);
            if (eos_command(conn, sql, client->error, sizeof client->error)) {
                client->exists[k] = sql[0] != 'D';
                changes++;
            }
        }
        if (client->error[0] || !eos_command(conn, "COMMIT", client->error, sizeof client->error))
            break;
        client->txs[client->tx_count++] = (eos_tx){.txid = txid, .changes = changes};
        struct timespec pause = {.tv_nsec = (long)(2 + rand_r(&client->seed) % 8) * 1000000L};
        nanosleep(&pause, NULL);
    }
    PQfinish(conn);
    return NULL;
}

static int eos_tx_compare(const void *a, const void *b)
{
    int64_t x = ((const eos_tx *)a)->txid, y = ((const eos_tx *)b)->txid;
    return x < y ? -1 : x > y;
}

static int eos_int_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static const eos_tx *eos_tx_find(const eos_tx *txs, size_t count, int64_t txid)
{
    eos_tx key = {.txid = txid};
    return bsearch(&key, txs, count, sizeof(*txs), eos_tx_compare);
}

static const char *eos_source_string(const pgt_event *event, const char *field)
{
    return json_string_value(json_object_get(json_object_get(event->value, "source"), field));
}

static int64_t eos_source_int(const pgt_event *event, const char *field)
{
    json_t *value = json_object_get(json_object_get(event->value, "source"), field);
    return json_is_integer(value) ? json_integer_value(value) : -1;
}

/* Waits until the marker row (id 0, written after the load) reached the topic: as long as the
 * topic grows (a slow build, ThreadSanitizer's, streams the load's changes for minutes), and 60 s
 * more once it stopped. The topic is read only when it stood still since the last look: the
 * marker is among the last records, and reading a topic of 200,000 events takes seconds. */
static void eos_wait_marker(fp_proc *proc, const char *topic)
{
    int64_t deadline = fp_now_ms() + 60000;
    int64_t seen = -1;
    while (fp_now_ms() < deadline && fp_alive(proc)) {
        int64_t end = kt_end_offsets_sum(topic);
        if (end != seen) {
            seen = end;
            deadline = fp_now_ms() + 60000;
            fp_sleep_ms(1000);
            continue;
        }
        pgt_events *events = pgt_read(topic);
        bool found = false;
        for (size_t i = events->count; i-- > 0 && !found;)
            found = events->items[i].value && pgt_row_int(&events->items[i], "id") == 0;
        pgt_events_free(events);
        if (found)
            return;
        fp_sleep_ms(1000);
    }
    fail_msg("the marker row written after the load did not reach %s (%s)", topic,
             fp_alive(proc) ? "the topic stood still for 60 s" : "the worker exited");
}

static void test_pgbench_load_kill9(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "pg_cdc_eos", "eos", "(id int PRIMARY KEY, v int, size int)", FLUSH_MS,
                 "exactly.once.support=required\ntransaction.boundary=connector\n"
                 "transaction.max.events=40\n");
    fp_env *env = c.env;
    c.worker = pgt_worker_file(env, FLUSH_MS, "exactly.once.source.support=enabled\n");
    kt_create_topic(c.topic, 1, NULL);

    atomic_bool stop = false;
    eos_client clients[CLIENTS];
    memset(clients, 0, sizeof clients);
    fp_proc *proc = fp_start(env, c.worker, c.connector, NULL);
    if (!fp_wait_log(proc, "streaming from slot", 60000))
        fail_msg("the connector did not start streaming");
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = (eos_client){.index = i, .table = c.table, .stop = &stop,
                                  .seed = (unsigned)(fp_now_ms() + i)};
        clients[i].txs = calloc(MAX_TXS, sizeof(eos_tx));
        assert_non_null(clients[i].txs);
        assert_int_equal(pthread_create(&clients[i].thread, NULL, eos_client_run, &clients[i]),
                         0);
    }
    srand((unsigned)fp_now_ms());
    /* A failure stops the clients first: their threads use this frame. */
    char failure[128] = "";
    for (int k = 0; k < KILLS && !failure[0]; k++) {
        fp_sleep_ms(2000 + rand() % 3000);
        fp_kill9(proc);
        int64_t in_topic = kt_end_offsets_sum(c.topic);
        printf("# kill -9 #%d with %" PRId64 " records in the topic (uncommitted included)\n",
               k + 1, in_topic);
        proc = fp_start(env, c.worker, NULL);
        if (!fp_wait_log(proc, "exactly-once: transactions initialised", 60000))
            snprintf(failure, sizeof failure, "run %d: the task did not initialise its "
                     "transactions", k + 2);
    }
    if (!failure[0])
        fp_sleep_ms(3000);
    atomic_store(&stop, true);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(clients[i].thread, NULL);
    if (failure[0]) {
        for (int i = 0; i < CLIENTS; i++)
            free(clients[i].txs);
        fail_msg("%s", failure);
    }
    size_t tx_total = 0, change_total = 0;
    for (int i = 0; i < CLIENTS; i++) {
        if (clients[i].error[0])
            fail_msg("client %d: %s", i, clients[i].error);
        tx_total += clients[i].tx_count;
        for (size_t t = 0; t < clients[i].tx_count; t++)
            change_total += (size_t)clients[i].txs[t].changes;
    }
    pgt_exec(db, "INSERT INTO %s VALUES (0, 0, 1)", c.table);
    printf("# load: %d clients, %zu transactions, %zu row changes\n", CLIENTS, tx_total,
           change_total);
    eos_wait_marker(proc, c.topic);
    fp_stop(proc, 60000);

    /* Every transaction the clients committed, by txid. */
    eos_tx *txs = calloc(tx_total + 1, sizeof(eos_tx));
    assert_non_null(txs);
    size_t n = 0;
    for (int i = 0; i < CLIENTS; i++) {
        memcpy(txs + n, clients[i].txs, clients[i].tx_count * sizeof(eos_tx));
        n += clients[i].tx_count;
        free(clients[i].txs);
    }
    qsort(txs, n, sizeof(eos_tx), eos_tx_compare);

    pgt_events *events = pgt_read(c.topic);
    /* Replay per key; identities (lsn, sequence) to find duplicates; runs of txIds. */
    json_t *replayed = json_object();
    json_t *identities = json_object();
    int64_t duplicates = 0, changes = 0, split_runs = 0, partial = 0, broken = 0;
    int64_t *closed = calloc(events->count + 1, sizeof(int64_t)); /* txIds whose run ended */
    size_t closed_count = 0;
    int64_t run_tx = -1, run_length = 0;
    for (size_t i = 0; i <= events->count; i++) {
        const pgt_event *event = i < events->count ? &events->items[i] : NULL;
        if (event && !event->value)
            continue; /* a tombstone follows its delete */
        int64_t tx = event ? eos_source_int(event, "txId") : -2;
        if (tx != run_tx) {
            if (run_tx >= 0) {
                const eos_tx *known = eos_tx_find(txs, n, run_tx);
                if (known && known->changes < MAX_EVENTS && run_length != known->changes) {
                    if (partial++ == 0)
                        printf("# txId %" PRId64 ": %" PRId64 " events in a run of %d changes\n",
                               run_tx, run_length, known->changes);
                }
                if (known && known->changes >= MAX_EVENTS)
                    split_runs++;
                closed[closed_count++] = run_tx;
            }
            run_tx = tx;
            run_length = 0;
        }
        if (!event)
            break;
        run_length++;
        char identity[128];
        snprintf(identity, sizeof identity, "%" PRId64 "/%s", eos_source_int(event, "lsn"),
                 eos_source_string(event, "sequence") ? eos_source_string(event, "sequence")
                                                      : "");
        if (json_object_get(identities, identity)) {
            if (duplicates++ == 0)
                printf("# event %s (txId %" PRId64 ") seen twice\n", identity, tx);
        }
        json_object_set_new(identities, identity, json_true());
        int64_t id = pgt_row_int(event, "id");
        char key[32];
        snprintf(key, sizeof key, "%" PRId64, id);
        const char *op = pgt_op(event);
        if (op[0] == 'd') {
            json_object_del(replayed, key);
        } else {
            json_t *after = json_object_get(event->value, "after");
            json_object_set(replayed, key, json_object_get(after, "v"));
        }
        if (op[0] != 'r')
            changes++;
    }
    /* A txId seen in two runs: its transaction was interleaved with another or replayed. */
    qsort(closed, closed_count, sizeof(int64_t), eos_int_compare);
    for (size_t i = 1; i < closed_count; i++) {
        if (closed[i] == closed[i - 1] && closed[i] >= 0) {
            const eos_tx *known = eos_tx_find(txs, n, closed[i]);
            if (!known || known->changes < MAX_EVENTS)
                broken++;
        }
    }

    /* The table, as the replay should have it. */
    json_t *table = json_object();
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT id, v FROM %s", c.table);
    PGresult *rows = PQexec(db, sql);
    assert_int_equal(PQresultStatus(rows), PGRES_TUPLES_OK);
    for (int r = 0; r < PQntuples(rows); r++)
        json_object_set_new(table, PQgetvalue(rows, r, 0),
                            json_integer(strtoll(PQgetvalue(rows, r, 1), NULL, 10)));
    PQclear(rows);
    bool same = json_equal(table, replayed);
    printf("# read_committed: %zu records, %" PRId64 " changes for %zu written (+1 marker), "
           "%" PRId64 " duplicates, %" PRId64 " transactions cut, %" PRId64
           " transactions interleaved, %" PRId64 " runs of split transactions; replay %s the "
           "table (%zu rows, %zu replayed)\n",
           events->count, changes, change_total, duplicates, partial, broken, split_runs,
           same ? "equals" : "DIFFERS FROM", json_object_size(table),
           json_object_size(replayed));
    json_decref(table);
    json_decref(replayed);
    json_decref(identities);
    free(closed);
    free(txs);
    pgt_events_free(events);
    if (duplicates)
        fail_msg("%" PRId64 " change events seen twice by a read_committed consumer", duplicates);
    if (!same)
        fail_msg("the events replayed per key differ from the table");
    if (partial || broken)
        fail_msg("%" PRId64 " transactions cut, %" PRId64 " interleaved", partial, broken);
    assert_int_equal(changes, (int64_t)change_total + 1);
    pgt_exec(db, "DROP TABLE %s", c.table);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pgbench_load_kill9, pgt_setup, pgt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
