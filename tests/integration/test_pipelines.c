/* The two pipelines users run, end to end on the real binary, broker, PostgreSQL and
 * Elasticsearch, set up only through the REST API from the example configs in config/examples/
 * (each test loads the example, points it at the test's servers, files and unique names, and
 * POSTs it as it is otherwise):
 *
 *   logs  JSON log lines in files (two files matched by a glob, lines appended while running, one
 *         line that is not JSON) -> FileSource -> Kafka -> ElasticsearchSink: every good line is a
 *         document, searchable by field (term and range queries count what was written); the bad
 *         line is in the dead-letter queue and the pipeline keeps running.
 *   cdc   a PostgreSQL table -> PostgresCdcSource (snapshot, then the stream) -> Kafka ->
 *         ElasticsearchSink with Debezium's ExtractNewRecordState: the index mirrors the table,
 *         document for row (ids from the primary key), after inserts, updates and deletes, made
 *         both before the connector started and while it runs.
 *   unwrap-smt  Debezium's unwrap-smt example (tests/integration/unwrap-smt/: its two connector
 *         configs, changed only in hosts and ports, and the source given the
 *         topic.creation.default.* keys the broker without auto-creation needs): the source routes
 *         dbserver1.inventory.customers to customers (RegexRouter), the sink unwraps the events
 *         (ExtractNewRecordState) and keys the documents by the key's id (ExtractField$Key); the
 *         index "customers" holds the example's four rows, then the row inserted, updated and
 *         deleted as the example's README and test do. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_es_sink_util.h"
#include "test_pg_cdc_support.h"
#include "test_rest_client.h"

#ifndef FERRY_SOURCE_ROOT
#error "FERRY_SOURCE_ROOT (the source tree, for config/examples) must be defined"
#endif

#define WAIT_MS 90000

/* ---- the examples, through the REST API ---------------------------------------------------- */

/* <source tree>/<dir>/<file>: {"name", "config"}, a new reference. */
static json_t *load_request(const char *dir, const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", FERRY_SOURCE_ROOT, dir, file);
    json_error_t error;
    json_t *example = json_load_file(path, 0, &error);
    if (!example)
        fail_msg("%s: %s (line %d)", path, error.text, error.line);
    if (!json_is_string(json_object_get(example, "name")) ||
        !json_is_object(json_object_get(example, "config")))
        fail_msg("%s: not a {\"name\", \"config\"} request body", path);
    return example;
}

static json_t *load_example(const char *file)
{
    return load_request("config/examples", file);
}

/* Sets "key" of the example's config (and the name when key is "name"). */
static void example_set(json_t *example, const char *key, const char *value)
{
    if (strcmp(key, "name") == 0) {
        json_object_set_new(example, "name", json_string(value));
        return;
    }
    json_t *config = json_object_get(example, "config");
    if (!json_object_get(config, key))
        fail_msg("the example has no key %s to point at the test's servers", key);
    json_object_set_new(config, key, json_string(value));
}

/* The broker creates no topic (auto.create.topics.enable=false, as production clusters run): the
 * source creates its topics, with the broker's default partitions and replication factor (-1),
 * as a user adds to an example written for a broker that auto-creates. */
static void source_creates_topics(json_t *source)
{
    json_t *config = json_object_get(source, "config");
    json_object_set_new(config, "topic.creation.default.replication.factor", json_string("-1"));
    json_object_set_new(config, "topic.creation.default.partitions", json_string("-1"));
}

/* POST /connectors with the example; asserts 201 and that the answer echoes the name. */
static void post_example(rc_client *client, json_t *example)
{
    char *body = json_dumps(example, JSON_COMPACT);
    assert_non_null(body);
    json_t *created = rc_expect(client, "POST", "/connectors", body, 201);
    free(body);
    const char *name = json_string_value(json_object_get(example, "name"));
    assert_string_equal(json_string_value(json_object_get(created, "name")), name);
    printf("# POST /connectors: %s (%s) created\n", name,
           json_string_value(json_object_get(json_object_get(example, "config"),
                                             "connector.class")));
    json_decref(created);
}

/* Waits until the connector and its task 0 are RUNNING (GET /connectors/<name>/status). */
static void wait_running(rc_client *client, fp_proc *proc, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "/connectors/%s/status", name);
    int64_t deadline = fp_now_ms() + WAIT_MS;
    char last[2048] = "(no answer)";
    while (fp_now_ms() < deadline) {
        if (!fp_alive(proc))
            fail_msg("ferry exited while %s was starting", name);
        rc_response response = {0};
        long status = rc_call(client, "GET", path, NULL, &response);
        if (status == 200 && response.json) {
            const char *connector = json_string_value(
                json_object_get(json_object_get(response.json, "connector"), "state"));
            json_t *task = json_array_get(json_object_get(response.json, "tasks"), 0);
            const char *task_state = json_string_value(json_object_get(task, "state"));
            snprintf(last, sizeof last, "%s", response.body);
            if (task_state && strcmp(task_state, "FAILED") == 0)
                fail_msg("task 0 of %s FAILED: %s", name, response.body);
            if (connector && task_state && strcmp(connector, "RUNNING") == 0 &&
                strcmp(task_state, "RUNNING") == 0) {
                rc_response_clear(&response);
                return;
            }
        }
        rc_response_clear(&response);
        fp_sleep_ms(250);
    }
    fail_msg("%s is not RUNNING after %d ms: %s", name, WAIT_MS, last);
}

/* Asserts that the connector's task is still RUNNING (not FAILED, not restarted). */
static void assert_still_running(rc_client *client, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "/connectors/%s/status", name);
    json_t *status = rc_expect(client, "GET", path, NULL, 200);
    json_t *task = json_array_get(json_object_get(status, "tasks"), 0);
    const char *state = json_string_value(json_object_get(task, "state"));
    if (!state || strcmp(state, "RUNNING") != 0) {
        char *text = json_dumps(status, JSON_COMPACT);
        fail_msg("%s: task 0 is not RUNNING: %s", name, text);
    }
    json_decref(status);
}

/* A worker with the file, PostgreSQL and Elasticsearch plugins, plus extra "key=value\n" lines
 * (NULL: none). */
static rc_client *start_worker(fp_env *env, fp_proc **proc, const char *extra)
{
    char lines[2048];
    snprintf(lines, sizeof lines, "plugin.path=%s,%s,%s\n%s", FERRY_TEST_EXTRA_PLUGIN_PATH,
             FERRY_TEST_PG_PLUGIN_PATH, FERRY_TEST_ES_PLUGIN_PATH, extra ? extra : "");
    const char *worker = fp_worker_file(env, "worker.properties", 1000, lines);
    *proc = fp_start(env, worker, NULL); /* no connector files: everything over REST */
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fp_listener_port(env));
    rc_client *client = rc_new(base);
    assert_true(rc_wait_healthy(client, 60000));
    return client;
}

/* DELETE /connectors/<name> for each name: pipelines go as they came, over REST. */
static void delete_connectors(rc_client *client, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char path[512];
        snprintf(path, sizeof path, "/connectors/%s", names[i]);
        json_decref(rc_expect(client, "DELETE", path, NULL, 204));
        rc_expect_error(client, "GET", path, NULL, 404, names[i]);
    }
}

/* ---- Elasticsearch queries --------------------------------------------------------------- */

/* POST /<index>/_count with a query; -1 when Elasticsearch does not answer 200. */
static int64_t count_query(const char *index, const char *query)
{
    char path[512], body[1024];
    snprintf(path, sizeof path, "/%s/_refresh", index);
    json_decref(esu_expect("POST", path, NULL, 200));
    snprintf(path, sizeof path, "/%s/_count", index);
    snprintf(body, sizeof body, "{\"query\":%s}", query);
    json_t *answer = NULL;
    long status = esu_request("POST", path, body, &answer);
    int64_t count = status == 200 ? json_integer_value(json_object_get(answer, "count")) : -1;
    json_decref(answer);
    return count;
}

/* ---- logs: files -> Kafka -> Elasticsearch ----------------------------------------------- */

static const char *const levels[] = {"INFO", "WARN", "ERROR"};
static const char *const services[] = {"api", "billing"};

/* Appends count log lines numbered from first to the file; counts what the queries will find. */
static void write_log_lines(const char *path, int first, int count, int64_t *errors,
                            int64_t *slow_billing)
{
    FILE *file = fopen(path, "a");
    assert_non_null(file);
    for (int i = first; i < first + count; i++) {
        const char *level = levels[i % 3];
        const char *service = services[i % 2];
        int latency = (i * 37) % 1000;
        fprintf(file, "{\"@timestamp\":\"2026-11-22T10:%02d:%02d.%03dZ\",\"level\":\"%s\","
                      "\"service\":\"%s\",\"latency_ms\":%d,\"seq\":%d,"
                      "\"message\":\"request %d served \\\"ok\\\" \\u00e9\"}\n",
                (i / 60) % 60, i % 60, i % 1000, level, service, latency, i, i);
        if (strcmp(level, "ERROR") == 0)
            (*errors)++;
        if (strcmp(service, "billing") == 0 && latency >= 500)
            (*slow_billing)++;
    }
    fclose(file);
}

static void test_log_aggregation(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("pipeline_logs");
    const char *topic = fp_name(env, "app_logs");
    const char *dlq = fp_name(env, "app_logs_dlq");
    const char *source_name = fp_name(env, "app_logs");
    const char *sink_name = fp_name(env, "app_logs_to_es");
    const char *first_file = fp_path(env, "api.json.log");
    const char *second_file = fp_path(env, "billing.json.log");
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/*.json.log", fp_dir(env));

    /* Lines already there when the pipeline is made, in two files, and one line that is not
     * JSON (a stack trace's continuation, as real logs have). */
    int64_t errors = 0, slow_billing = 0;
    write_log_lines(first_file, 0, 1500, &errors, &slow_billing);
    write_log_lines(second_file, 1500, 1500, &errors, &slow_billing);
    FILE *file = fopen(first_file, "a");
    assert_non_null(file);
    fputs("    at com.example.Handler.serve(Handler.java:42)\n", file);
    fclose(file);

    fp_proc *proc = NULL;
    rc_client *client = start_worker(env, &proc, NULL);

    json_t *source = load_example("pipeline-logs-file-source.json");
    example_set(source, "name", source_name);
    example_set(source, "files", pattern);
    example_set(source, "topic", topic);
    source_creates_topics(source);
    post_example(client, source);
    json_decref(source);

    json_t *sink = load_example("pipeline-logs-elasticsearch-sink.json");
    example_set(sink, "name", sink_name);
    example_set(sink, "topics", topic);
    example_set(sink, "connection.url", esu_url());
    example_set(sink, "errors.deadletterqueue.topic.name", dlq);
    example_set(sink, "errors.deadletterqueue.topic.replication.factor", "1");
    post_example(client, sink);
    json_decref(sink);

    wait_running(client, proc, source_name);
    wait_running(client, proc, sink_name);

    /* More lines while it runs, in both files. */
    write_log_lines(first_file, 3000, 1000, &errors, &slow_billing);
    write_log_lines(second_file, 4000, 1000, &errors, &slow_billing);
    const int64_t documents = 5000;

    /* The index is named after the topic (lowercase already). */
    if (!esu_wait_count(topic, documents, WAIT_MS))
        fail_msg("index %s holds %" PRId64 " documents, expected %" PRId64, topic,
                 esu_count(topic), documents);
    fp_sleep_ms(3000); /* nothing more may come */
    int64_t total = esu_count(topic);
    printf("# logs: %" PRId64 " documents in index %s\n", total, topic);
    assert_int_equal(total, documents);

    /* Searchable by field: term on the keyword sub-field, range on a number, both together. */
    int64_t found_errors = count_query(topic, "{\"term\":{\"level.keyword\":\"ERROR\"}}");
    int64_t found_slow = count_query(topic,
                                     "{\"bool\":{\"filter\":["
                                     "{\"term\":{\"service.keyword\":\"billing\"}},"
                                     "{\"range\":{\"latency_ms\":{\"gte\":500}}}]}}");
    int64_t found_one = count_query(topic, "{\"term\":{\"seq\":4321}}");
    printf("# logs: level ERROR %" PRId64 " (expected %" PRId64 "), billing >= 500 ms %" PRId64
           " (expected %" PRId64 "), seq 4321: %" PRId64 "\n", found_errors, errors, found_slow,
           slow_billing, found_one);
    assert_int_equal(found_errors, errors);
    assert_int_equal(found_slow, slow_billing);
    assert_int_equal(found_one, 1);
    char query[256];
    snprintf(query, sizeof query, "{\"match_phrase\":{\"message\":\"request 4321 served\"}}");
    assert_int_equal(count_query(topic, query), 1);

    /* The line that is not JSON is in the dead-letter queue, and nothing stopped. */
    int64_t deadline = fp_now_ms() + WAIT_MS;
    while (kt_end_offsets_sum(dlq) < 1 && fp_now_ms() < deadline)
        fp_sleep_ms(250);
    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal(dead->count, 1);
    assert_non_null(strstr(dead->items[0].value, "Handler.java:42"));
    const kt_header *stage = kt_record_header(&dead->items[0], "__connect.errors.stage");
    assert_non_null(stage);
    printf("# logs: the line that is not JSON went to %s (stage %s)\n", dlq, stage->value);
    kt_records_free(dead);
    assert_still_running(client, source_name);
    assert_still_running(client, sink_name);

    const char *const names[] = {sink_name, source_name};
    delete_connectors(client, names, 2);
    rc_free(client);
    fp_stop(proc, 30000);
    esu_delete_index(topic);
    const char *topics[] = {topic, dlq};
    kt_delete_topics(topics, 2);
    fp_pass(env);
}

/* ---- cdc: PostgreSQL -> Kafka -> Elasticsearch ------------------------------------------- */

/* The table as {"<id>": {"<column>": value, ...}}, from PostgreSQL. */
static json_t *table_rows(PGconn *conn, const char *table)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(json_object_agg(id, to_jsonb(t)), '{}') FROM %s t", table);
    PGresult *result = PQexec(conn, sql);
    if (PQresultStatus(result) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    json_t *rows = json_loads(PQgetvalue(result, 0, 0), 0, NULL);
    PQclear(result);
    assert_non_null(rows);
    return rows;
}

/* The index as {"<_id>": _source}; empty while the index does not exist yet. */
static json_t *index_documents(const char *index)
{
    json_t *documents = json_object();
    char path[512];
    snprintf(path, sizeof path, "/%s/_refresh", index);
    if (esu_request("POST", path, NULL, NULL) != 200)
        return documents;
    snprintf(path, sizeof path, "/%s/_search?size=10000", index);
    json_t *answer = NULL;
    long status = esu_request("GET", path, NULL, &answer);
    if (status != 200 && status != 404)
        fail_msg("GET %s answered %ld", path, status);
    json_t *hits = json_object_get(json_object_get(answer, "hits"), "hits");
    size_t i;
    json_t *hit;
    json_array_foreach(hits, i, hit) {
        json_object_set(documents, json_string_value(json_object_get(hit, "_id")),
                        json_object_get(hit, "_source"));
    }
    json_decref(answer);
    return documents;
}

/* Waits until the index holds exactly the table's rows; fails naming the first difference. */
static void wait_mirror(PGconn *conn, const char *table, const char *index, const char *when)
{
    json_t *rows = table_rows(conn, table);
    int64_t deadline = fp_now_ms() + WAIT_MS;
    char difference[1024] = "";
    for (;;) {
        json_t *documents = index_documents(index);
        difference[0] = '\0';
        const char *id;
        json_t *row;
        json_object_foreach(rows, id, row) {
            json_t *document = json_object_get(documents, id);
            if (!json_equal(document, row)) {
                char *want = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
                char *have = document ? json_dumps(document, JSON_COMPACT | JSON_SORT_KEYS)
                                      : strdup("(no document)");
                snprintf(difference, sizeof difference, "row %s is %s, the document %s", id,
                         want, have);
                free(want);
                free(have);
                break;
            }
        }
        json_t *document;
        if (!difference[0])
            json_object_foreach(documents, id, document) {
                if (!json_object_get(rows, id)) {
                    snprintf(difference, sizeof difference,
                             "document %s has no row (a delete did not arrive)", id);
                    break;
                }
            }
        size_t count = json_object_size(documents);
        json_decref(documents);
        if (!difference[0]) {
            printf("# %s: the index mirrors the table, %zu rows\n", when, count);
            json_decref(rows);
            return;
        }
        if (fp_now_ms() > deadline)
            break;
        fp_sleep_ms(500);
    }
    json_decref(rows);
    fail_msg("%s: after %d ms the index %s does not mirror table %s: %s", when, WAIT_MS,
             index, table, difference);
}

static void test_change_capture(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("pipeline_cdc");
    const char *table = fp_name(env, "customers");
    const char *prefix = fp_name(env, "dbserver");
    const char *slot = fp_name(env, "slot");
    const char *publication = fp_name(env, "pub");
    const char *source_name = fp_name(env, "inventory_cdc");
    const char *sink_name = fp_name(env, "customers_to_es");
    char topic[512];
    snprintf(topic, sizeof topic, "%s.public.%s", prefix, table);

    PGconn *conn = pgt_connect();
    pgt_exec(conn, "CREATE TABLE %s (id int PRIMARY KEY, name text NOT NULL, email text, "
                   "credit bigint NOT NULL DEFAULT 0, active boolean NOT NULL DEFAULT true)",
             table);
    /* Rows before the connector exists: the snapshot brings them. */
    pgt_exec(conn, "INSERT INTO %s SELECT g, 'customer ' || g, 'c' || g || '@example.com', "
                   "g * 100, g %% 7 <> 0 FROM generate_series(1, 200) g", table);
    pgt_exec(conn, "UPDATE %s SET email = NULL WHERE id %% 10 = 0", table);

    pgt_server server;
    pgt_server_get(&server);

    fp_proc *proc = NULL;
    rc_client *client = start_worker(env, &proc, NULL);

    json_t *source = load_example("pipeline-cdc-postgres-source.json");
    char include[512];
    snprintf(include, sizeof include, "public.%s", table);
    example_set(source, "name", source_name);
    example_set(source, "database.hostname", server.host);
    example_set(source, "database.port", server.port);
    example_set(source, "database.user", server.user);
    /* The test's server trusts loopback: no password (the example reads $PGPASSWORD). */
    json_object_del(json_object_get(source, "config"), "database.password");
    example_set(source, "database.dbname", server.dbname);
    example_set(source, "topic.prefix", prefix);
    example_set(source, "slot.name", slot);
    example_set(source, "publication.name", publication);
    example_set(source, "table.include.list", include);
    source_creates_topics(source);
    post_example(client, source);
    json_decref(source);

    json_t *sink = load_example("pipeline-cdc-elasticsearch-sink.json");
    example_set(sink, "name", sink_name);
    example_set(sink, "topics", topic);
    example_set(sink, "connection.url", esu_url());
    post_example(client, sink);
    json_decref(sink);

    wait_running(client, proc, source_name);
    wait_running(client, proc, sink_name);
    wait_mirror(conn, table, topic, "cdc after the snapshot");

    /* Changes while it runs: inserts, updates (one that nulls a column, one that sets it back),
     * deletes, a row deleted and inserted again, all in a few transactions. */
    pgt_exec(conn, "INSERT INTO %s SELECT g, 'customer ' || g, NULL, 0, true "
                   "FROM generate_series(201, 300) g", table);
    pgt_exec(conn, "UPDATE %s SET credit = credit + 1, name = name || ' (gold)' "
                   "WHERE id %% 3 = 0", table);
    pgt_exec(conn, "UPDATE %s SET email = 'back@example.com' WHERE id = 10", table);
    pgt_exec(conn, "DELETE FROM %s WHERE id %% 5 = 0", table);
    pgt_exec(conn, "BEGIN; DELETE FROM %s WHERE id = 1; "
                   "INSERT INTO %s VALUES (1, 'customer 1 again', NULL, 7, false); COMMIT",
             table, table);
    pgt_exec(conn, "UPDATE %s SET active = NOT active WHERE id BETWEEN 250 AND 260", table);
    wait_mirror(conn, table, topic, "cdc after inserts, updates and deletes");

    assert_still_running(client, source_name);
    assert_still_running(client, sink_name);

    const char *const names[] = {sink_name, source_name};
    delete_connectors(client, names, 2);
    rc_free(client);
    fp_stop(proc, 30000);

    pgt_drop_slot_and_publication(conn, slot, publication);
    pgt_exec(conn, "DROP TABLE %s", table);
    PQfinish(conn);
    esu_delete_index(topic);
    const char *topics[] = {topic};
    kt_delete_topics(topics, 1);
    fp_pass(env);
}

/* ---- Debezium's unwrap-smt example: PostgreSQL -> Kafka -> Elasticsearch ------------------- */

/* The example's names, kept as its configs have them. */
#define UNWRAP_DIR "tests/integration/unwrap-smt"
#define UNWRAP_DATABASE "inventory"
#define UNWRAP_SLOT "debezium"            /* the source's slot.name default */
#define UNWRAP_TOPIC "customers"          /* RegexRouter's $3 of dbserver1.inventory.customers */
#define UNWRAP_UNROUTED "dbserver1.inventory.customers"
#define UNWRAP_INDEX "customers"          /* the sink's index: its topic */
#define UNWRAP_GROUP "connect-elastic-sink"

/* A connection to the example's database on FERRY_TEST_PG_DSN's server. */
static PGconn *unwrap_connect(const pgt_server *server)
{
    char dsn[1024];
    snprintf(dsn, sizeof dsn, "host=%s port=%s user=%s dbname=" UNWRAP_DATABASE, server->host,
             server->port, server->user);
    PGconn *conn = PQconnectdb(dsn);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("%s: %s", dsn, PQerrorMessage(conn));
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    return conn;
}

/* Removes what an earlier run may have left, and this run's at its teardown, passed or failed:
 * the slot (an idle slot would hold the server's WAL), the database, the role, the topics and the
 * index (the example's fixed names are shared by every run). Deleting the topic also deletes the
 * sink group's committed offsets of it. */
static void unwrap_clean(PGconn *server_conn, const pgt_server *server)
{
    if (pgt_int(server_conn, "SELECT count(*) FROM pg_database WHERE datname = '"
                UNWRAP_DATABASE "'") > 0) {
        PGconn *conn = unwrap_connect(server);
        pgt_drop_slot_and_publication(conn, UNWRAP_SLOT, NULL);
        PQfinish(conn);
        pgt_exec(server_conn, "DROP DATABASE " UNWRAP_DATABASE " WITH (FORCE)");
    }
    pgt_exec(server_conn, "DROP ROLE IF EXISTS debezium");
    const char *topics[] = {UNWRAP_TOPIC, UNWRAP_UNROUTED};
    kt_delete_topics(topics, 2);
    esu_delete_index(UNWRAP_INDEX);
}

/* What the example's images bring: the connector's role (password dbz; the test server trusts
 * loopback, so it is not checked), and the inventory database with its customers table and four
 * rows, as Debezium's example-postgres image has them. */
static PGconn *unwrap_database(PGconn *server_conn, const pgt_server *server)
{
    pgt_exec(server_conn, "CREATE ROLE debezium LOGIN REPLICATION SUPERUSER PASSWORD 'dbz'");
    pgt_exec(server_conn, "CREATE DATABASE " UNWRAP_DATABASE);
    PGconn *conn = unwrap_connect(server);
    pgt_exec(conn, "CREATE SCHEMA inventory");
    pgt_exec(conn, "CREATE TABLE inventory.customers (id SERIAL NOT NULL PRIMARY KEY, "
                   "first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL, "
                   "email VARCHAR(255) NOT NULL UNIQUE)");
    pgt_exec(conn, "ALTER SEQUENCE inventory.customers_id_seq RESTART WITH 1001");
    pgt_exec(conn, "ALTER TABLE inventory.customers REPLICA IDENTITY FULL");
    pgt_exec(conn, "INSERT INTO inventory.customers (first_name, last_name, email) VALUES "
                   "('Sally', 'Thomas', 'sally.thomas@acme.com'), "
                   "('George', 'Bailey', 'gbailey@foobar.com'), "
                   "('Edward', 'Walker', 'ed@walker.com'), "
                   "('Anne', 'Kretchmar', 'annek@noanswer.org')");
    return conn;
}

/* Sets a key of the example's config that it has, and asserts that it held `was`: only the
 * hosts and ports the example's Docker network used are replaced. */
static void example_replace(json_t *example, const char *key, const char *was, const char *value)
{
    const char *old = json_string_value(json_object_get(json_object_get(example, "config"), key));
    if (!old || strcmp(old, was) != 0)
        fail_msg("the example's %s is '%s', expected '%s'", key, old ? old : "(none)", was);
    example_set(example, key, value);
}

/* The document with id _id: asserts its _source is exactly the row (NULL: that it is absent). */
static void assert_document(const char *id, const char *row)
{
    json_t *answer = esu_get(UNWRAP_INDEX, id);
    json_t *source = json_object_get(answer, "_source");
    json_t *expected = row ? json_loads(row, 0, NULL) : NULL;
    char *have = source ? json_dumps(source, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    printf("# GET /%s/_doc/%s: %s\n", UNWRAP_INDEX, id, have ? have : "404");
    if (row ? !json_equal(source, expected) : answer != NULL)
        fail_msg("document %s is %s, expected %s", id, have ? have : "(absent)",
                 row ? row : "(absent)");
    free(have);
    json_decref(expected);
    json_decref(answer);
}

static void test_unwrap_smt(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("pipeline_unwrap_smt");
    pgt_server server;
    pgt_server_get(&server);
    PGconn *server_conn = pgt_connect();
    unwrap_clean(server_conn, &server);
    int64_t stale = kt_group_committed(UNWRAP_GROUP, UNWRAP_TOPIC, 0);
    if (stale >= 0)
        fail_msg("group %s still has offset %" PRId64 " of the deleted topic %s", UNWRAP_GROUP,
                 stale, UNWRAP_TOPIC);
    PGconn *conn = unwrap_database(server_conn, &server);

    /* Kafka Connect's default converters, as in the example's Connect image. */
    fp_proc *proc = NULL;
    rc_client *client = start_worker(
        env, &proc,
        "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
        "value.converter=org.apache.kafka.connect.json.JsonConverter\n");

    /* The source first, as the example's test registers it. */
    json_t *source = load_request(UNWRAP_DIR, "source.json");
    example_replace(source, "database.hostname", "postgres", server.host);
    example_replace(source, "database.port", "5432", server.port);
    source_creates_topics(source);
    post_example(client, source);
    const char *source_name = json_string_value(json_object_get(source, "name"));
    wait_running(client, proc, source_name);
    int64_t deadline = fp_now_ms() + WAIT_MS;
    while (kt_partition_count(UNWRAP_TOPIC) == 0 || kt_end_offsets_sum(UNWRAP_TOPIC) < 4) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("the snapshot's 4 events did not reach topic %s", UNWRAP_TOPIC);
        fp_sleep_ms(250);
    }
    if (kt_partition_count(UNWRAP_UNROUTED) > 0)
        fail_msg("topic %s exists: RegexRouter did not route every event", UNWRAP_UNROUTED);
    printf("# unwrap-smt: the snapshot's events are in %s, none in %s\n", UNWRAP_TOPIC,
           UNWRAP_UNROUTED);

    json_t *sink = load_request(UNWRAP_DIR, "es-sink.json");
    example_replace(sink, "connection.url", "http://elastic:9200", esu_url());
    post_example(client, sink);
    const char *sink_name = json_string_value(json_object_get(sink, "name"));
    wait_running(client, proc, sink_name);

    /* The example's four rows, each a document keyed by its id. */
    wait_mirror(conn, "inventory.customers", UNWRAP_INDEX, "unwrap-smt after the snapshot");
    assert_document("1001", "{\"id\":1001,\"first_name\":\"Sally\",\"last_name\":\"Thomas\","
                            "\"email\":\"sally.thomas@acme.com\"}");
    assert_document("1004", "{\"id\":1004,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\","
                            "\"email\":\"annek@noanswer.org\"}");

    /* New record, record update, and the delete of the example's test. */
    pgt_exec(conn, "INSERT INTO inventory.customers VALUES "
                   "(default, 'John', 'Doe', 'john.doe@example.com')");
    wait_mirror(conn, "inventory.customers", UNWRAP_INDEX, "unwrap-smt after the insert");
    assert_document("1005", "{\"id\":1005,\"first_name\":\"John\",\"last_name\":\"Doe\","
                            "\"email\":\"john.doe@example.com\"}");
    pgt_exec(conn, "UPDATE inventory.customers SET first_name = 'Jane', last_name = 'Roe' "
                   "WHERE last_name = 'Doe'");
    wait_mirror(conn, "inventory.customers", UNWRAP_INDEX, "unwrap-smt after the update");
    assert_document("1005", "{\"id\":1005,\"first_name\":\"Jane\",\"last_name\":\"Roe\","
                            "\"email\":\"john.doe@example.com\"}");
    pgt_exec(conn, "DELETE FROM inventory.customers WHERE email = 'john.doe@example.com'");
    wait_mirror(conn, "inventory.customers", UNWRAP_INDEX, "unwrap-smt after the delete");
    assert_document("1005", NULL);
    assert_int_equal(esu_count(UNWRAP_INDEX), 4);

    assert_still_running(client, source_name);
    assert_still_running(client, sink_name);
    const char *const names[] = {sink_name, source_name};
    delete_connectors(client, names, 2);
    json_decref(sink);
    json_decref(source);
    rc_free(client);
    fp_stop(proc, 30000);

    PQfinish(conn);
    PQfinish(server_conn);
    fp_pass(env);
}

/* The test's teardown: its env (the worker killed if it still runs), then the example's names. */
static int unwrap_teardown(void **state)
{
    int rc = fp_env_teardown(state);
    pgt_server server;
    pgt_server_get(&server);
    PGconn *server_conn = pgt_connect();
    unwrap_clean(server_conn, &server);
    PQfinish(server_conn);
    return rc;
}

int main(void)
{
    fp_init();
    esu_init();
    pgt_dsn();
    /* FERRY_TEST_FILTER=test_unwrap* runs only the matching tests (cmocka's pattern). */
    if (getenv("FERRY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("FERRY_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_log_aggregation, fp_env_teardown),
        cmocka_unit_test_teardown(test_change_capture, fp_env_teardown),
        cmocka_unit_test_teardown(test_unwrap_smt, unwrap_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
