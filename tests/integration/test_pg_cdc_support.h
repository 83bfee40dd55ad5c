/* Shared by the PostgreSQL CDC integration tests (test_pg_cdc_*.c): the real PostgreSQL of
 * tests/services (FERRY_TEST_PG_DSN) through libpq, worker and connector files for the
 * postgres-cdc plugin of this build, change events read back from Kafka, task states from the
 * status topic. Every name a test creates (tables, slots, publications, topics) carries the
 * test's unique suffix. */
#ifndef FERRY_TESTS_PG_CDC_SUPPORT_H
#define FERRY_TESTS_PG_CDC_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "ferry_process.h"

#ifndef FERRY_TEST_PG_PLUGIN_PATH
#error "FERRY_TEST_PG_PLUGIN_PATH (build/plugins/postgres-cdc) must be defined by the build"
#endif

/* The connection of the running test (pgt_setup opens it, pgt_teardown closes it). */
extern PGconn *pgt_conn;

/* One test's world: its env, its unique names, its table, worker and connector files. */
typedef struct pgt_case {
    fp_env *env;
    const char *name;        /* the connector */
    const char *prefix;      /* topic.prefix */
    const char *slot;
    const char *publication;
    const char *table;       /* created by pgt_case_new */
    char topic[256];         /* <prefix>.public.<table> */
    const char *worker;
    const char *connector;
} pgt_case;

/* Creates the env of test_name, the names, the table (columns: "(id int PRIMARY KEY, ...)"),
 * a worker file (flush_ms) and a connector file capturing the table, plus extra "key=value\n"
 * lines (a later duplicate key wins). pgt_teardown finishes the env and drops the slot and the
 * publication. */
void pgt_case_new(pgt_case *c, const char *test_name, const char *table_prefix,
                  const char *columns, long flush_ms, const char *extra);
/* cmocka setup and teardown of such tests. */
int pgt_setup(void **state);
int pgt_teardown(void **state);

/* Reads FERRY_TEST_PG_DSN (skip, or fail with FERRY_REQUIRE_SERVICES=1). */
const char *pgt_dsn(void);
PGconn *pgt_connect(void);
/* Runs SQL (printf format); fails the test on an error. */
__attribute__((format(printf, 2, 3))) void pgt_exec(PGconn *conn, const char *fmt, ...);
/* The first cell of a query (malloc'd, "" for NULL); fails the test on an error. */
__attribute__((format(printf, 2, 3))) char *pgt_value(PGconn *conn, const char *fmt, ...);
int64_t pgt_int(PGconn *conn, const char *sql);
/* LSN text "16/B374D848" to a number and back. */
int pgt_lsn_parse(const char *text, uint64_t *lsn);
char *pgt_lsn_format(uint64_t lsn, char *buf, size_t size);
/* Where FERRY_TEST_PG_DSN points: the values a connector config needs. */
typedef struct pgt_server {
    char host[256];
    char port[16];
    char user[128];
    char dbname[128];
} pgt_server;
void pgt_server_get(pgt_server *server);
/* Drops the slot if it exists (waiting for its walsender to exit), and the publication. */
void pgt_drop_slot_and_publication(PGconn *conn, const char *slot, const char *publication);

/* A worker file for the plugin: JSON converters (schemas on), the given flush interval, task
 * restarts off unless extra turns them on. */
const char *pgt_worker_file(fp_env *env, long flush_ms, const char *extra);
/* A connector file: PostgresCdcSource against FERRY_TEST_PG_DSN's server, with the given prefix,
 * slot and publication names (publication.autocreate.mode=filtered) and extra "key=value\n"
 * lines. */
const char *pgt_connector_file(fp_env *env, const char *file, const char *name,
                               const char *prefix, const char *slot, const char *publication,
                               const char *extra);

/* One change event read back from Kafka. */
typedef struct pgt_event {
    json_t *key;          /* the key's payload (null for a null key) */
    json_t *value;        /* the value's payload; NULL for a tombstone */
    json_t *value_schema; /* the value's schema */
    json_t *key_schema;
    int32_t partition;
    int64_t offset;
} pgt_event;

typedef struct pgt_events {
    pgt_event *items;
    size_t count;
} pgt_events;

/* Reads a whole topic (all partitions, in offset order per partition). */
pgt_events *pgt_read(const char *topic);
void pgt_events_free(pgt_events *events);
/* The op of an event ("r", "c", ...), or "tombstone". */
const char *pgt_op(const pgt_event *event);
/* An integer field of after (or before when after is null), -1 when absent. */
int64_t pgt_row_int(const pgt_event *event, const char *field);

/* The slot's active_pid, 0 when it is not active. */
int pgt_slot_pid(const char *slot);
/* Waits until every row id of [1, count] (column "id") reached the topic; fails naming the
 * first one missing after a minute. proc (may be NULL): the worker whose exit ends a wait. */
void pgt_expect_rows(fp_proc *proc, const char *topic, int count);
/* Waits until the topic holds at least count records; false on timeout or when the process
 * exited. */
bool pgt_wait_records(fp_proc *proc, const char *topic, int64_t count, int timeout_ms);
/* The latest state of task 0 of a connector in the status topic ("RUNNING", ...) and its trace
 * (malloc'd, may be NULL). */
char *pgt_task_state(fp_env *env, const char *connector, char **trace);
/* Waits until task 0 is in state; returns its trace (malloc'd) or NULL on timeout. */
char *pgt_wait_task_state(fp_env *env, const char *connector, const char *state, int timeout_ms);

#endif
