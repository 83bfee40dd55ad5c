/*
 * test_stores.c - the config and status stores of two workers on the same topics of the real
 * broker (FERRY_TEST_BOOTSTRAP), as a cluster has them: a write through one config store reaches
 * the other by itself (its listener hears it, its snapshot holds it) and config_store_sync makes
 * that certain; every record of a cluster (task configs, target states, session key, assignment,
 * worker acknowledgements, restart requests, deletion) crosses; a removed listener hears nothing.
 * Two status stores: a status of a lower generation from another worker does not replace a higher
 * one (though it is the latest record of its key in the topic), a higher one does, a store opened
 * later restores the same, active topics cross both ways, and deletion clears them all.
 * An offsets read (an exactly-once task's at its start) with another producer's transaction open
 * in the topic: it reads the records committed behind that transaction once the transaction
 * ends, committed or aborted, and names the transaction when it does not end in time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/clock.h"
#include "config/config_map.h"
#include "stores/config_store.h"
#include "stores/offset_store.h"
#include "stores/status_store.h"
#include "kafka_tool.h"
#include "service_env.h"

#define STORE_TIMEOUT_MS 30000
#define EVENT_TIMEOUT_MS 15000

/* What a listener heard: one line per change, "<kind> <connector or worker>[ flags]". */
typedef struct heard {
    pthread_mutex_t mutex;
    char lines[64][160];
    size_t count;
} heard;

static void heard_listener(void *opaque, const config_change *change)
{
    heard *events = opaque;
    pthread_mutex_lock(&events->mutex);
    if (events->count < sizeof(events->lines) / sizeof(events->lines[0])) {
        const char *subject = change->connector ? change->connector
                              : change->worker_id ? change->worker_id
                                                  : "-";
        snprintf(events->lines[events->count++], sizeof(events->lines[0]), "%s %s%s%s",
                 config_change_kind_name(change->kind), subject,
                 change->include_tasks ? " include-tasks" : "",
                 change->only_failed ? " only-failed" : "");
    }
    pthread_mutex_unlock(&events->mutex);
}

static bool heard_has(heard *events, const char *line)
{
    pthread_mutex_lock(&events->mutex);
    bool found = false;
    for (size_t i = 0; i < events->count && !found; i++)
        found = strcmp(events->lines[i], line) == 0;
    pthread_mutex_unlock(&events->mutex);
    return found;
}

static size_t heard_count(heard *events)
{
    pthread_mutex_lock(&events->mutex);
    size_t count = events->count;
    pthread_mutex_unlock(&events->mutex);
    return count;
}

/* Waits, without any sync, for the listener to hear line: the store reads on by itself. */
static void heard_wait(heard *events, const char *line)
{
    for (int64_t deadline = clock_monotonic_ms() + EVENT_TIMEOUT_MS;
         clock_monotonic_ms() < deadline;) {
        if (heard_has(events, line))
            return;
        service_env_sleep_ms(20);
    }
    pthread_mutex_lock(&events->mutex);
    for (size_t i = 0; i < events->count; i++)
        printf("# heard: %s\n", events->lines[i]);
    pthread_mutex_unlock(&events->mutex);
    fail_msg("the listener never heard \"%s\" within %d ms", line, EVENT_TIMEOUT_MS);
}

static config_store *config_open(const char *topic)
{
    char err[512];
    config_store *store = config_store_open(topic, kt_conf_new(), kt_conf_new(), NULL,
                                            STORE_TIMEOUT_MS, err, sizeof(err));
    if (!store)
        fail_msg("config_store_open(%s): %s", topic, err);
    return store;
}

static void config_sync(config_store *store)
{
    char err[512];
    if (config_store_sync(store, STORE_TIMEOUT_MS, err, sizeof(err)) != 0)
        fail_msg("config_store_sync: %s", err);
}

/* The connector's entry of the store's snapshot as sorted JSON text (malloc'd), or NULL. */
static char *config_entry(config_store *store, const char *name)
{
    json_t *snapshot = config_store_snapshot(store);
    json_t *entry = json_object_get(snapshot, name);
    char *text = entry ? json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(snapshot);
    return text;
}

static void assert_config_entry(config_store *store, const char *name, const char *expected)
{
    char *text = config_entry(store, name);
    if (!expected && text)
        fail_msg("%s should be absent, is %s", name, text);
    if (expected && !text)
        fail_msg("%s is absent", name);
    if (expected)
        assert_string_equal(text, expected);
    free(text);
}

#define CHECKED(call)                                                                          \
    do {                                                                                       \
        char err_[512] = "";                                                                   \
        if ((call) != 0)                                                                       \
            fail_msg("%s: %s", #call, err_);                                                   \
    } while (0)

static void test_config_stores_follow_each_other(void **state)
{
    (void)state;
    char topic[96];
    service_env_unique_name(topic, sizeof(topic), "ferry_stores_configs");
    kt_create_topic(topic, 1, (const char *const[]){"cleanup.policy", "compact", NULL});
    config_store *a = config_open(topic), *b = config_open(topic);
    heard heard_a = {.mutex = PTHREAD_MUTEX_INITIALIZER}, heard_b = {.mutex =
                                                                        PTHREAD_MUTEX_INITIALIZER};
    config_store_listen(a, heard_listener, &heard_a);
    config_store_listen(b, heard_listener, &heard_b);

    /* A connector written through a reaches b by itself. */
    config_map *config = config_map_new();
    assert_int_equal(config_map_set(config, "connector.class", "FileStreamSource"), 0);
    assert_int_equal(config_map_set(config, "tasks.max", "2"), 0);
    CHECKED(config_store_put_connector(a, "orders", config, err_, sizeof(err_)));
    config_map_destroy(config);
    const char *created = "{\"config\":{\"connector.class\":\"FileStreamSource\","
                          "\"tasks.max\":\"2\"},\"inconsistent\":false,"
                          "\"target_state\":\"STARTED\",\"tasks\":[]}";
    assert_config_entry(a, "orders", created); /* a write returns once read back */
    heard_wait(&heard_b, "connector orders");
    assert_config_entry(b, "orders", created);
    heard_wait(&heard_a, "connector orders"); /* a hears its own writes too */

    /* From here on, b syncs instead of waiting: what a wrote is in b's snapshot at once. */
    json_t *tasks = json_pack("[{s:s}, {s:s}]", "task", "0", "task", "1");
    CHECKED(config_store_put_tasks(a, "orders", tasks, err_, sizeof(err_)));
    json_decref(tasks);
    config_sync(b);
    assert_true(heard_has(&heard_b, "tasks orders"));
    CHECKED(config_store_put_target_state(a, "orders", "STOPPED", err_, sizeof(err_)));
    config_sync(b);
    assert_true(heard_has(&heard_b, "target state orders"));
    assert_config_entry(b, "orders",
                        "{\"config\":{\"connector.class\":\"FileStreamSource\","
                        "\"tasks.max\":\"2\"},\"inconsistent\":false,"
                        "\"target_state\":\"STOPPED\",\"tasks\":[{\"task\":\"0\"},"
                        "{\"task\":\"1\"}]}");

    unsigned char bytes[32];
    for (int i = 0; i < 32; i++)
        bytes[i] = (unsigned char)(i * 7);
    config_session_key key = {.key = bytes, .key_len = sizeof(bytes),
                              .algorithm = "HmacSHA256", .created_ms = clock_wall_ms()};
    CHECKED(config_store_put_session_key(a, &key, err_, sizeof(err_)));
    json_t *assignment = json_pack("{s:i, s:s, s:{s:{s:[s], s:[s, s]}}, s:{}}", "epoch", 1,
                                   "leader", "w1", "assignment", "w1", "connectors", "orders",
                                   "tasks", "orders-0", "orders-1", "departed");
    CHECKED(config_store_put_assignment(a, assignment, err_, sizeof(err_)));
    config_sync(b);
    assert_true(heard_has(&heard_b, "session key -"));
    assert_true(heard_has(&heard_b, "assignment -"));
    config_session_key read;
    assert_int_equal(config_store_session_key(b, &read), 0);
    assert_int_equal(read.key_len, 32);
    assert_memory_equal(read.key, bytes, 32);
    assert_string_equal(read.algorithm, "HmacSHA256");
    assert_int_equal(read.created_ms, key.created_ms);
    config_records_session_key_clear(&read);
    json_t *seen = config_store_assignment(b);
    assert_true(json_equal(seen, assignment));
    json_decref(seen);
    json_decref(assignment);

    /* The session key as Kafka Connect writes it. */
    json_t *latest = kt_latest_by_key(topic);
    json_t *written = json_object_get(latest, "session-key");
    assert_string_equal(json_string_value(json_object_get(written, "algorithm")), "HmacSHA256");
    assert_int_equal(json_integer_value(json_object_get(written, "creation-timestamp")),
                     key.created_ms);
    assert_true(json_is_string(json_object_get(written, "key")));
    json_decref(latest);

    /* The other way round: b's acknowledgement reaches a. */
    CHECKED(config_store_put_worker(b, "w2", "http://w2:8083", 1, err_, sizeof(err_)));
    config_sync(a);
    assert_true(heard_has(&heard_a, "worker w2"));
    json_t *workers = config_store_workers(a);
    char *text = json_dumps(workers, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"w2\":{\"epoch\":1,\"url\":\"http://w2:8083\"}}");
    free(text);
    json_decref(workers);

    CHECKED(config_store_put_restart_request(a, "orders", true, false, err_, sizeof(err_)));
    heard_wait(&heard_b, "restart orders include-tasks");

    CHECKED(config_store_delete_connector(a, "orders", err_, sizeof(err_)));
    config_sync(b);
    assert_true(heard_has(&heard_b, "connector removed orders"));
    assert_config_entry(b, "orders", NULL);

    /* A store opened now restores all of it; b, without a listener, hears nothing more. */
    config_store *c = config_open(topic);
    json_t *snapshot = config_store_snapshot(c);
    assert_int_equal(json_object_size(snapshot), 0);
    json_decref(snapshot);
    assert_int_equal(config_store_session_key(c, &read), 0);
    config_records_session_key_clear(&read);
    config_store_listen(b, NULL, NULL);
    size_t before = heard_count(&heard_b);
    CHECKED(config_store_put_worker(c, "w3", "http://w3:8083", 2, err_, sizeof(err_)));
    config_sync(b);
    assert_int_equal(heard_count(&heard_b), before);
    workers = config_store_workers(b);
    assert_int_equal(json_object_size(workers), 2);
    json_decref(workers);

    config_store_close(c);
    config_store_close(b);
    config_store_close(a);
    kt_delete_topics((const char *const[]){topic}, 1);
}

static status_store *status_open(const char *topic, const char *worker)
{
    char err[512];
    status_store *store = status_store_open(topic, kt_conf_new(), kt_conf_new(), worker,
                                            STORE_TIMEOUT_MS, err, sizeof(err));
    if (!store)
        fail_msg("status_store_open(%s): %s", topic, err);
    return store;
}

static void status_sync(status_store *store)
{
    char err[512];
    if (status_store_sync(store, STORE_TIMEOUT_MS, err, sizeof(err)) != 0)
        fail_msg("status_store_sync: %s", err);
}

static void assert_json(json_t *value, const char *expected)
{
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
                       : NULL;
    if (!expected && text)
        fail_msg("expected nothing, got %s", text);
    if (expected && !text)
        fail_msg("expected %s, got nothing", expected);
    if (expected)
        assert_string_equal(text, expected);
    free(text);
    json_decref(value);
}

static void test_status_stores_generations(void **state)
{
    (void)state;
    char topic[96];
    service_env_unique_name(topic, sizeof(topic), "ferry_stores_status");
    kt_create_topic(topic, 3, (const char *const[]){"cleanup.policy", "compact", NULL});
    status_store *one = status_open(topic, "w1"), *two = status_open(topic, "w2");

    status_store_connector(one, "orders", "RUNNING", NULL, 5);
    status_store_task(one, "orders", 0, "RUNNING", NULL, 5);
    status_sync(one);
    /* A fenced worker of an older generation writes after it: both stores keep w1's. */
    status_store_connector(two, "orders", "UNASSIGNED", NULL, 3);
    status_store_task(two, "orders", 0, "UNASSIGNED", NULL, 3);
    status_sync(two);
    status_sync(one);
    const char *w1 = "{\"generation\":5,\"state\":\"RUNNING\",\"worker_id\":\"w1\"}";
    const char *w1_tasks =
        "[{\"generation\":5,\"id\":0,\"state\":\"RUNNING\",\"worker_id\":\"w1\"}]";
    status_store *stores[] = {one, two};
    for (size_t i = 0; i < 2; i++) {
        assert_json(status_store_connector_get(stores[i], "orders"), w1);
        assert_json(status_store_tasks_get(stores[i], "orders"), w1_tasks);
    }
    /* ... though w2's record is the topic's latest of that key. */
    json_t *latest = kt_latest_by_key(topic);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(latest, "status-task-orders-0"), "worker_id")),
                        "w2");
    json_decref(latest);

    /* A newer generation from w2 replaces it everywhere, and a store opened now restores it. */
    status_store_task(two, "orders", 0, "FAILED", "boom", 6);
    status_sync(two);
    status_sync(one);
    const char *w2_tasks = "[{\"generation\":6,\"id\":0,\"state\":\"FAILED\",\"trace\":\"boom\","
                           "\"worker_id\":\"w2\"}]";
    assert_json(status_store_tasks_get(one, "orders"), w2_tasks);
    assert_json(status_store_tasks_get(two, "orders"), w2_tasks);
    status_store *three = status_open(topic, "w3");
    assert_json(status_store_tasks_get(three, "orders"), w2_tasks);
    assert_json(status_store_connector_get(three, "orders"), w1);

    /* Active topics cross both ways. */
    status_store_topic(one, "orders", "orders-topic", 0, clock_wall_ms());
    assert_json(status_store_topics(one, "orders"), "[\"orders-topic\"]");
    status_sync(one);
    status_sync(two);
    assert_json(status_store_topics(two, "orders"), "[\"orders-topic\"]");
    status_store_topic_reset(two, "orders", "orders-topic");
    assert_json(status_store_topics(two, "orders"), "[]");
    status_sync(two);
    status_sync(one);
    assert_json(status_store_topics(one, "orders"), "[]");
    status_store_topic(two, "orders", "orders-topic", 0, clock_wall_ms());

    /* Deletion: tombstones for the connector, its task and its topics. */
    status_sync(two);
    status_sync(one);
    status_store_delete(one, "orders", 1);
    status_sync(one);
    status_sync(two);
    status_sync(three);
    for (size_t i = 0; i < 2; i++) {
        assert_json(status_store_connector_get(stores[i], "orders"), NULL);
        assert_json(status_store_tasks_get(stores[i], "orders"), "[]");
        assert_json(status_store_topics(stores[i], "orders"), "[]");
    }
    assert_json(status_store_tasks_get(three, "orders"), "[]");

    status_store_close(three);
    status_store_close(two);
    status_store_close(one);
    kt_delete_topics((const char *const[]){topic}, 1);
}

/* ---- an offsets read past open transactions ----------------------------------------------- */

/* One offset record of connector's partition {"p":1}: {"o":offset}. */
static void offset_produce(rd_kafka_t *producer, const char *topic, const char *connector,
                           int offset)
{
    char err[256], *key = NULL, *value = NULL;
    ferry_source_offset entry = {.partition = json_pack("{s:i}", "p", 1),
                                 .offset = json_pack("{s:i}", "o", offset)};
    if (offset_store_record(connector, &entry, &key, &value, err, sizeof(err)) != 0)
        fail_msg("offset_store_record: %s", err);
    kt_produce(producer, topic, 0, key, strlen(key), value, strlen(value), NULL, NULL);
    if (rd_kafka_flush(producer, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("an offset record was not delivered");
    json_decref(entry.partition);
    json_decref(entry.offset);
    free(key);
    free(value);
}

/* The offset of connector's partition {"p":1} in store, or -1. */
static int offset_of(offset_store *store, const char *connector)
{
    json_t *partition = json_pack("{s:i}", "p", 1);
    json_t *offset = offset_store_get(store, connector, partition);
    int value = offset ? (int)json_integer_value(json_object_get(offset, "o")) : -1;
    json_decref(offset);
    json_decref(partition);
    return value;
}

typedef struct offset_reading {
    const char *topic;
    int timeout_ms;
    pthread_t thread;
    atomic_bool done;
    offset_store *store;
    char err[1024];
} offset_reading;

static void *offset_reading_run(void *argument)
{
    offset_reading *reading = argument;
    reading->store = offset_store_read(reading->topic, kt_conf_new(), reading->timeout_ms,
                                       reading->err, sizeof(reading->err));
    atomic_store(&reading->done, true);
    return NULL;
}

static void offset_reading_start(offset_reading *reading, const char *topic, int timeout_ms)
{
    *reading = (offset_reading){.topic = topic, .timeout_ms = timeout_ms};
    atomic_init(&reading->done, false);
    assert_int_equal(pthread_create(&reading->thread, NULL, offset_reading_run, reading), 0);
}

static void txn_check(rd_kafka_error_t *error, const char *what)
{
    if (error) {
        char text[512];
        snprintf(text, sizeof(text), "%s", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        fail_msg("%s: %s", what, text);
    }
}

/* other's transaction, open while the reading begins, holds "other" at other_offset; the reading
 * task's predecessor committed "orders" at orders_offset behind it. The reading waits for the
 * transaction, which then commits or aborts, and reads orders_offset and other_expected. */
static void offset_read_behind_transaction(const char *topic, rd_kafka_t *other,
                                           rd_kafka_t *predecessor, int other_offset,
                                           int orders_offset, bool commit, int other_expected)
{
    txn_check(rd_kafka_begin_transaction(other), "begin_transaction");
    offset_produce(other, topic, "other", other_offset);
    offset_produce(predecessor, topic, "orders", orders_offset);
    offset_reading reading;
    offset_reading_start(&reading, topic, STORE_TIMEOUT_MS);
    service_env_sleep_ms(700);
    assert_false(atomic_load(&reading.done)); /* the reading waits for the transaction */
    txn_check(commit ? rd_kafka_commit_transaction(other, 30000)
                     : rd_kafka_abort_transaction(other, 30000),
              commit ? "commit_transaction" : "abort_transaction");
    assert_int_equal(pthread_join(reading.thread, NULL), 0);
    if (!reading.store)
        fail_msg("offset_store_read: %s", reading.err);
    assert_int_equal(offset_of(reading.store, "orders"), orders_offset);
    assert_int_equal(offset_of(reading.store, "other"), other_expected);
    offset_store_close(reading.store);
}

static void test_offset_read_waits_for_open_transactions(void **state)
{
    (void)state;
    char topic[96], hidden[96], id[128];
    service_env_unique_name(topic, sizeof(topic), "ferry_stores_offsets");
    service_env_unique_name(hidden, sizeof(hidden), "ferry_stores_offsets_hidden");
    for (size_t i = 0; i < 2; i++)
        kt_create_topic(i ? hidden : topic, 1,
                        (const char *const[]){"cleanup.policy", "compact", NULL});
    snprintf(id, sizeof(id), "%s-other-0", topic);
    /* Another connector's task, whose transaction is open while the reading begins; then the
     * reading task's predecessor, whose last offsets were committed behind it. */
    rd_kafka_t *other = kt_producer_new((const char *const[]){"transactional.id", id, NULL});
    rd_kafka_t *predecessor = kt_producer_new(NULL);
    txn_check(rd_kafka_init_transactions(other, 30000), "init_transactions");

    /* The whole topic hidden behind the transaction (its first record), which commits. */
    offset_read_behind_transaction(hidden, other, predecessor, 7, 42, true, 7);
    /* Committed records before it; it commits, then another aborts. */
    offset_produce(predecessor, topic, "orders", 1);
    offset_read_behind_transaction(topic, other, predecessor, 8, 43, true, 8);
    offset_read_behind_transaction(topic, other, predecessor, 9, 44, false, 8);

    /* A transaction that does not end within the reading's time: an error that says so. */
    txn_check(rd_kafka_begin_transaction(other), "begin_transaction");
    offset_produce(other, topic, "other", 10);
    offset_produce(predecessor, topic, "orders", 45);
    offset_reading reading;
    offset_reading_start(&reading, topic, 1500);
    assert_int_equal(pthread_join(reading.thread, NULL), 0);
    assert_null(reading.store);
    printf("# %s\n", reading.err);
    assert_non_null(strstr(reading.err, "a transaction open at offset"));
    assert_non_null(strstr(reading.err, "of partition 0 did not end within 1500 ms"));
    txn_check(rd_kafka_abort_transaction(other, 30000), "abort_transaction");

    kt_producer_close(other);
    kt_producer_close(predecessor);
    kt_delete_topics((const char *const[]){topic, hidden}, 2);
}

int main(void)
{
    kt_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_stores_follow_each_other),
        cmocka_unit_test(test_status_stores_generations),
        cmocka_unit_test(test_offset_read_waits_for_open_transactions),
    };
    return cmocka_run_group_tests_name("stores", tests, NULL, NULL);
}
