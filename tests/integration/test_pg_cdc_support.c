/* See test_pg_cdc_support.h. */
#include "test_pg_cdc_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka_tool.h"
#include "service_env.h"

PGconn *pgt_conn;
static char pgt_cleanup_slot[128], pgt_cleanup_publication[128];

int pgt_setup(void **state)
{
    (void)state;
    pgt_conn = pgt_connect();
    return 0;
}

int pgt_teardown(void **state)
{
    fp_env_teardown(state);
    if (!pgt_conn || PQstatus(pgt_conn) != CONNECTION_OK) {
        PQfinish(pgt_conn);
        pgt_conn = pgt_connect();
    }
    if (pgt_cleanup_slot[0])
        pgt_drop_slot_and_publication(pgt_conn, pgt_cleanup_slot, pgt_cleanup_publication);
    pgt_cleanup_slot[0] = pgt_cleanup_publication[0] = '\0';
    PQfinish(pgt_conn);
    pgt_conn = NULL;
    return 0;
}

void pgt_case_new(pgt_case *c, const char *test_name, const char *table_prefix,
                  const char *columns, long flush_ms, const char *extra)
{
    memset(c, 0, sizeof(*c));
    c->env = fp_env_new(test_name);
    c->name = fp_name(c->env, "pgcdc");
    c->prefix = fp_name(c->env, "srv");
    c->slot = fp_name(c->env, "slot");
    c->publication = fp_name(c->env, "pub");
    c->table = fp_name(c->env, table_prefix);
    snprintf(pgt_cleanup_slot, sizeof pgt_cleanup_slot, "%s", c->slot);
    snprintf(pgt_cleanup_publication, sizeof pgt_cleanup_publication, "%s", c->publication);
    snprintf(c->topic, sizeof c->topic, "%s.public.%s", c->prefix, c->table);
    pgt_exec(pgt_conn, "DROP TABLE IF EXISTS %s", c->table);
    pgt_exec(pgt_conn, "CREATE TABLE %s %s", c->table, columns);
    char lines[2048];
    snprintf(lines, sizeof lines, "table.include.list=public\\\\.%s\n%s", c->table,
             extra ? extra : "");
    c->worker = pgt_worker_file(c->env, flush_ms, NULL);
    c->connector = pgt_connector_file(c->env, "pg.properties", c->name, c->prefix, c->slot,
                                      c->publication, lines);
}

const char *pgt_dsn(void)
{
    return service_env_get("FERRY_TEST_PG_DSN");
}

PGconn *pgt_connect(void)
{
    PGconn *conn = PQconnectdb(pgt_dsn());
    if (PQstatus(conn) != CONNECTION_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", PQerrorMessage(conn));
        PQfinish(conn);
        service_env_unreachable("FERRY_TEST_PG_DSN", "%s", why);
    }
    PGresult *result = PQexec(conn, "SET client_min_messages = warning");
    PQclear(result);
    return conn;
}

static PGresult *pgt_run(PGconn *conn, const char *fmt, va_list ap)
{
    char *sql = NULL;
    if (vasprintf(&sql, fmt, ap) < 0)
        fail_msg("out of memory");
    PGresult *result = PQexec(conn, sql);
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        char why[1024];
        snprintf(why, sizeof why, "%s", PQerrorMessage(conn));
        PQclear(result);
        fail_msg("SQL failed: %.300s: %s", sql, why);
    }
    free(sql);
    return result;
}

void pgt_exec(PGconn *conn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PGresult *result = pgt_run(conn, fmt, ap);
    va_end(ap);
    PQclear(result);
}

char *pgt_value(PGconn *conn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PGresult *result = pgt_run(conn, fmt, ap);
    va_end(ap);
    char *value = strdup(PQntuples(result) > 0 && !PQgetisnull(result, 0, 0)
                             ? PQgetvalue(result, 0, 0)
                             : "");
    PQclear(result);
    return value;
}

int64_t pgt_int(PGconn *conn, const char *sql)
{
    char *text = pgt_value(conn, "%s", sql);
    int64_t value = strtoll(text, NULL, 10);
    free(text);
    return value;
}

int pgt_lsn_parse(const char *text, uint64_t *lsn)
{
    unsigned int high, low;
    char tail;
    if (sscanf(text, "%X/%X%c", &high, &low, &tail) != 2)
        return -1;
    *lsn = (uint64_t)high << 32 | low;
    return 0;
}

char *pgt_lsn_format(uint64_t lsn, char *buf, size_t size)
{
    snprintf(buf, size, "%X/%X", (unsigned)(lsn >> 32), (unsigned)lsn);
    return buf;
}

void pgt_drop_slot_and_publication(PGconn *conn, const char *slot, const char *publication)
{
    for (int attempt = 0; slot && attempt < 100; attempt++) {
        char *active = pgt_value(conn,
                                 "SELECT active FROM pg_replication_slots WHERE slot_name = '%s'",
                                 slot);
        bool gone = active[0] == '\0';
        bool busy = strcmp(active, "t") == 0;
        free(active);
        if (gone)
            break;
        if (!busy) {
            PGresult *result = PQexecParams(conn, "SELECT pg_drop_replication_slot($1)", 1, NULL,
                                            &slot, NULL, NULL, 0);
            PQclear(result);
            continue;
        }
        fp_sleep_ms(100);
    }
    if (publication)
        pgt_exec(conn, "DROP PUBLICATION IF EXISTS \"%s\"", publication);
}

const char *pgt_worker_file(fp_env *env, long flush_ms, const char *extra)
{
    char lines[2048];
    snprintf(lines, sizeof lines,
             "plugin.path=%s\n"
             "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "task.restart.auto=false\n%s",
             FERRY_TEST_PG_PLUGIN_PATH, extra ? extra : "");
    return fp_worker_file(env, "worker.properties", flush_ms, lines);
}

void pgt_server_get(pgt_server *server)
{
    PQconninfoOption *options = PQconninfoParse(pgt_dsn(), NULL);
    assert_non_null(options);
    const char *host = "127.0.0.1", *port = "5432", *user = "ferry", *dbname = "ferry";
    for (PQconninfoOption *o = options; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
        else if (strcmp(o->keyword, "user") == 0)
            user = o->val;
        else if (strcmp(o->keyword, "dbname") == 0)
            dbname = o->val;
    }
    snprintf(server->host, sizeof server->host, "%s", host);
    snprintf(server->port, sizeof server->port, "%s", port);
    snprintf(server->user, sizeof server->user, "%s", user);
    snprintf(server->dbname, sizeof server->dbname, "%s", dbname);
    PQconninfoFree(options);
}

const char *pgt_connector_file(fp_env *env, const char *file, const char *name,
                               const char *prefix, const char *slot, const char *publication,
                               const char *extra)
{
    pgt_server server;
    pgt_server_get(&server);
    return fp_write(env, file,
                    "name=%s\n"
                    "connector.class=io.debezium.connector.postgresql.PostgresConnector\n"
                    "database.hostname=%s\ndatabase.port=%s\ndatabase.user=%s\n"
                    "database.dbname=%s\ntopic.prefix=%s\nplugin.name=pgoutput\n"
                    "slot.name=%s\npublication.name=%s\n"
                    "publication.autocreate.mode=filtered\n"
                    "status.update.interval.ms=1000\n"
                    "topic.creation.default.replication.factor=1\n"
                    "topic.creation.default.partitions=1\n%s",
                    name, server.host, server.port, server.user, server.dbname, prefix, slot,
                    publication, extra ? extra : "");
}

/* ---- events ----------------------------------------------------------------------------- */

/* schema, or previous when equal: a topic's events carry the same schema, and 300,000 parsed
 * copies of a Debezium envelope schema would take gigabytes (several times that under
 * ThreadSanitizer). A new reference. */
static json_t *pgt_schema_shared(json_t *schema, json_t *previous)
{
    return json_incref(schema && previous && json_equal(schema, previous) ? previous : schema);
}

static void pgt_collect(const rd_kafka_message_t *m, void *opaque)
{
    pgt_events *events = opaque;
    if (events->count % 1024 == 0) {
        events->items = realloc(events->items, (events->count + 1024) * sizeof(pgt_event));
        assert_non_null(events->items);
    }
    const pgt_event *previous = events->count ? &events->items[events->count - 1] : NULL;
    pgt_event *event = &events->items[events->count++];
    memset(event, 0, sizeof(*event));
    event->partition = m->partition;
    event->offset = m->offset;
    json_error_t error;
    if (m->key) {
        json_t *key = json_loadb(m->key, m->key_len, JSON_DECODE_ANY, &error);
        if (!key)
            fail_msg("a key is not JSON: %s", error.text);
        event->key = json_incref(json_object_get(key, "payload"));
        event->key_schema = pgt_schema_shared(json_object_get(key, "schema"),
                                              previous ? previous->key_schema : NULL);
        json_decref(key);
    }
    if (!event->key)
        event->key = json_null();
    if (m->payload) {
        json_t *value = json_loadb(m->payload, m->len, JSON_DECODE_ANY, &error);
        if (!value)
            fail_msg("a value is not JSON: %s", error.text);
        event->value = json_incref(json_object_get(value, "payload"));
        event->value_schema = pgt_schema_shared(json_object_get(value, "schema"),
                                                previous ? previous->value_schema : NULL);
        json_decref(value);
    }
}

pgt_events *pgt_read(const char *topic)
{
    pgt_events *events = calloc(1, sizeof(*events));
    assert_non_null(events);
    kt_consume(topic, 300000, pgt_collect, events);
    return events;
}

void pgt_events_free(pgt_events *events)
{
    if (!events)
        return;
    for (size_t i = 0; i < events->count; i++) {
        json_decref(events->items[i].key);
        json_decref(events->items[i].value);
        json_decref(events->items[i].value_schema);
        json_decref(events->items[i].key_schema);
    }
    free(events->items);
    free(events);
}

const char *pgt_op(const pgt_event *event)
{
    if (!event->value)
        return "tombstone";
    const char *op = json_string_value(json_object_get(event->value, "op"));
    return op ? op : "?";
}

int64_t pgt_row_int(const pgt_event *event, const char *field)
{
    if (!event->value)
        return -1;
    json_t *row = json_object_get(event->value, "after");
    if (!json_is_object(row))
        row = json_object_get(event->value, "before");
    json_t *value = json_object_get(row, field);
    return json_is_integer(value) ? json_integer_value(value) : -1;
}

bool pgt_wait_records(fp_proc *proc, const char *topic, int64_t count, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    while (fp_now_ms() < deadline) {
        if (kt_partition_count(topic) > 0 && kt_end_offsets_sum(topic) >= count)
            return true;
        if (proc && !fp_alive(proc))
            return false;
        fp_sleep_ms(100);
    }
    return false;
}

char *pgt_task_state(fp_env *env, const char *connector, char **trace)
{
    if (trace)
        *trace = NULL;
    if (kt_partition_count(fp_status_topic(env)) == 0)
        return NULL;
    json_t *latest = kt_latest_by_key(fp_status_topic(env));
    char key[300];
    snprintf(key, sizeof key, "status-task-%s-0", connector);
    json_t *status = json_object_get(latest, key);
    char *state = NULL;
    if (json_is_object(status)) {
        const char *text = json_string_value(json_object_get(status, "state"));
        state = text ? strdup(text) : NULL;
        const char *why = json_string_value(json_object_get(status, "trace"));
        if (trace && why)
            *trace = strdup(why);
    }
    json_decref(latest);
    return state;
}

char *pgt_wait_task_state(fp_env *env, const char *connector, const char *state, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    while (fp_now_ms() < deadline) {
        char *trace = NULL;
        char *current = pgt_task_state(env, connector, &trace);
        bool match = current && strcmp(current, state) == 0;
        free(current);
        if (match)
            return trace ? trace : strdup("");
        free(trace);
        fp_sleep_ms(250);
    }
    return NULL;
}

int pgt_slot_pid(const char *slot)
{
    char *pid = pgt_value(pgt_conn,
                          "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '%s'",
                          slot);
    int value = atoi(pid);
    free(pid);
    return value;
}

/* The first id of [1, count] the topic does not hold, 0 when it holds them all. */
static int pgt_first_missing(const char *topic, int count)
{
    bool *seen = calloc((size_t)count + 1, sizeof(bool));
    assert_non_null(seen);
    pgt_events *events = pgt_read(topic);
    for (size_t i = 0; i < events->count; i++) {
        int64_t id = events->items[i].value ? pgt_row_int(&events->items[i], "id") : -1;
        if (id >= 1 && id <= count)
            seen[id] = true;
    }
    pgt_events_free(events);
    int missing = 0;
    for (int id = count; id >= 1; id--)
        if (!seen[id])
            missing = id;
    free(seen);
    return missing;
}

void pgt_expect_rows(fp_proc *proc, const char *topic, int count)
{
    int missing = 0;
    for (int64_t deadline = fp_now_ms() + 60000; fp_now_ms() < deadline;) {
        if (!pgt_wait_records(proc, topic, count, 1000))
            continue;
        if ((missing = pgt_first_missing(topic, count)) == 0)
            return;
        fp_sleep_ms(500);
    }
    fail_msg("row %d of %d never reached %s", missing ? missing : pgt_first_missing(topic, count),
             count, topic);
}
