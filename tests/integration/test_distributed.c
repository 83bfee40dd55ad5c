/* Distributed mode on the real broker with real worker processes (cluster_harness.h):
 *
 *   1. three workers, three sequence sources of two tasks and three recording sinks created
 *      through every worker (followers forward to the leader): each answers 201, every worker
 *      lists every connector, the tasks are balanced (max - min <= 1) and all RUNNING;
 *   2. kill -9 of a worker: its tasks run elsewhere within scheduled.rebalance.max.delay.ms +
 *      session.timeout.ms + a few seconds, the other workers' tasks get no new status record
 *      (they never stopped), and no sequence number is missing from any source's topic;
 *   3. a worker killed and restarted within the delay gets back exactly its own tasks, and the
 *      others get no new status record;
 *   4. adding a connector and then a fourth worker stops no task that does not move;
 *   5. a sink's two tasks on two workers share its consumer group connect-<name>: every record
 *      reaches the sink once;
 *   6. the status topic as a Kafka Connect cluster shares it: generations above the topic's
 *      highest, STOP tombstones the task statuses. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster_harness.h"
#include "kafka_tool.h"

/* The broker's smallest session timeout (group.min.session.timeout.ms) is 6 s. */
#define SESSION_MS 6000
#define FAST_KEYS                                                                              \
    "session.timeout.ms=6000\nheartbeat.interval.ms=1000\nrebalance.timeout.ms=20000\n"
#define START_MS 60000

static void sink_create(ch_cluster *cluster, size_t i, const char *name, const char *topic,
                        const char *file)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"RecordingSink\","
             "\"tasks.max\":\"1\",\"topics\":\"%s\",\"file\":\"%s\"}}",
             name, topic, file);
    json_t *answer = rc_expect(cluster->workers[i].rest, "POST", "/connectors", body, 201);
    json_decref(answer);
}

/* Every running worker lists exactly these connectors, once each has read the config topic
 * (a few milliseconds after the write). */
static void expect_listed_everywhere(ch_cluster *cluster, const char *const *names, size_t count)
{
    for (size_t w = 0; w < cluster->count; w++) {
        if (!cluster->workers[w].running)
            continue;
        int64_t deadline = fp_now_ms() + 10000;
        for (;;) {
            json_t *list = rc_expect(cluster->workers[w].rest, "GET", "/connectors", NULL, 200);
            size_t found = 0;
            for (size_t c = 0; c < count; c++) {
                size_t index;
                json_t *entry;
                json_array_foreach(list, index, entry)
                    found += strcmp(json_string_value(entry), names[c]) == 0;
            }
            bool all = found == count && json_array_size(list) == count;
            json_decref(list);
            if (all)
                break;
            if (fp_now_ms() > deadline)
                fail_msg("worker %zu lists %zu of the %zu connectors after 10 s", w, found,
                         count);
            fp_sleep_ms(20);
        }
    }
}

typedef struct task_ref {
    const char *connector;
    int task;
    char worker[64];
    ch_task_history before;
} task_ref;

/* Notes which worker runs each task and its status records so far. */
static size_t tasks_note(ch_cluster *cluster, const char *const *sources, size_t count,
                         int tasks_each, task_ref *refs)
{
    size_t n = 0;
    for (size_t c = 0; c < count; c++)
        for (int t = 0; t < tasks_each; t++, n++) {
            refs[n].connector = sources[c];
            refs[n].task = t;
            assert_true(ch_task_worker(cluster, SIZE_MAX, sources[c], t, refs[n].worker,
                                       sizeof(refs[n].worker)));
            ch_task_history_read(cluster, sources[c], t, &refs[n].before);
        }
    return n;
}

/* The tasks that ran on other workers than `moved` got no new status record and still run
 * there. */
static void expect_untouched(ch_cluster *cluster, const task_ref *refs, size_t count,
                             const char *moved)
{
    size_t untouched = 0;
    for (size_t i = 0; i < count; i++) {
        if (moved && strcmp(refs[i].worker, moved) == 0)
            continue;
        ch_task_history after;
        ch_task_history_read(cluster, refs[i].connector, refs[i].task, &after);
        if (after.records != refs[i].before.records)
            fail_msg("%s-%d on %s got %zu new status records (last %s on %s)",
                     refs[i].connector, refs[i].task, refs[i].worker,
                     after.records - refs[i].before.records, after.state, after.worker_id);
        char now[64];
        assert_true(ch_task_worker(cluster, SIZE_MAX, refs[i].connector, refs[i].task, now,
                                   sizeof(now)));
        assert_string_equal(now, refs[i].worker);
        untouched++;
    }
    printf("# %zu tasks untouched\n", untouched);
}

/* ---- 1 ------------------------------------------------------------------------------------- */

static void test_balanced_and_forwarded(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_balanced");
    ch_cluster cluster;
    ch_init(&cluster, env, 3, FAST_KEYS "scheduled.rebalance.max.delay.ms=5000\n");
    ch_start_all(&cluster, START_MS);
    const char *names[6];
    const char *topics[3];
    for (size_t i = 0; i < 3; i++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "seq%zu", i);
        names[i] = fp_name(env, prefix);
        topics[i] = names[i];
        kt_create_topic(topics[i], 1, NULL);
        /* Every worker takes a write: at least two of them are followers, which forward. */
        ch_source_create(&cluster, i, names[i], topics[i], 2);
    }
    for (size_t i = 0; i < 3; i++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "sink%zu", i);
        names[3 + i] = fp_name(env, prefix);
        snprintf(prefix, sizeof(prefix), "sink%zu.txt", i);
        sink_create(&cluster, (i + 1) % 3, names[3 + i], topics[i], fp_path(env, prefix));
    }
    expect_listed_everywhere(&cluster, names, 6);
    for (size_t i = 0; i < 6; i++)
        ch_wait_running(&cluster, SIZE_MAX, names[i], i < 3 ? 2 : 1, START_MS);
    ch_expect_balanced(&cluster, names, 6, 9);
    /* Reads answer alike on every worker. */
    for (size_t w = 0; w < 3; w++) {
        json_t *status = ch_status(&cluster, w, names[0]);
        assert_non_null(status);
        assert_int_equal(json_array_size(json_object_get(status, "tasks")), 2);
        json_decref(status);
    }
    ch_stop_all(&cluster);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 5 ------------------------------------------------------------------------------------- */

/* The (partition, offset) pairs of a RecordingSink's file: seen[p][o] times each. */
typedef struct recorded {
    int partitions;
    int64_t records;
    uint8_t *seen[8];
    int64_t duplicates;
} recorded;

static void recorded_read(const char *path, int partitions, int64_t per_partition,
                          recorded *out)
{
    memset(out, 0, sizeof(*out));
    out->partitions = partitions;
    for (int p = 0; p < partitions; p++) {
        out->seen[p] = calloc((size_t)per_partition + 1, 1);
        assert_non_null(out->seen[p]);
    }
    size_t len = 0;
    char *text = fp_read_file(path, &len);
    for (char *line = text; line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        int partition = -1;
        long long offset = -1;
        const char *field = strchr(line, '\t');
        if (field && sscanf(field + 1, "%d\t%lld", &partition, &offset) == 2 && partition >= 0 &&
            partition < partitions && offset >= 0 && offset < per_partition) {
            if (out->seen[partition][offset]++)
                out->duplicates++;
            out->records++;
        } else {
            fail_msg("%s: not a record line: %s", path, line);
        }
        line = end ? end + 1 : NULL;
    }
    free(text);
}

/* A sink's tasks on two workers share its consumer group connect-<name>: every record reaches
 * the sink once, and the group's committed offsets cover the topic. */
static void test_sink_group_across_workers(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_sink_group");
    ch_cluster cluster;
    ch_init(&cluster, env, 2, FAST_KEYS "scheduled.rebalance.max.delay.ms=5000\n");
    ch_start_all(&cluster, START_MS);
    enum { PARTITIONS = 4, PER_PARTITION = 500 };
    const char *topic = fp_name(env, "records");
    kt_create_topic(topic, PARTITIONS, NULL);
    const char *name = fp_name(env, "sink");
    const char *file = fp_path(env, "sink.txt");
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"RecordingSink\","
             "\"tasks.max\":\"2\",\"topics\":\"%s\",\"file\":\"%s\"}}",
             name, topic, file);
    json_decref(rc_expect(cluster.workers[1].rest, "POST", "/connectors", body, 201));
    ch_wait_running(&cluster, SIZE_MAX, name, 2, START_MS);
    char first[64], second[64];
    assert_true(ch_task_worker(&cluster, SIZE_MAX, name, 0, first, sizeof(first)));
    assert_true(ch_task_worker(&cluster, SIZE_MAX, name, 1, second, sizeof(second)));
    assert_string_not_equal(first, second);
    /* Records only once both tasks consume: no rebalance of the group moves a partition while
     * records flow, so none may arrive twice. */
    int64_t deadline = fp_now_ms() + START_MS;
    char group[256];
    snprintf(group, sizeof(group), "connect-%s", name);
    rd_kafka_t *producer = kt_producer_new(NULL);
    for (int p = 0; p < PARTITIONS; p++)
        for (int n = 0; n < PER_PARTITION; n++) {
            char value[32];
            snprintf(value, sizeof(value), "%d:%d", p, n);
            kt_produce(producer, topic, p, NULL, 0, value, strlen(value), NULL, NULL);
        }
    kt_producer_close(producer);
    for (;;) {
        int64_t committed = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            int64_t offset = kt_group_committed(group, topic, p);
            committed += offset > 0 ? offset : 0;
        }
        if (committed == PARTITIONS * PER_PARTITION &&
            fp_count_lines(file) >= (size_t)(PARTITIONS * PER_PARTITION))
            break;
        if (fp_now_ms() > deadline)
            fail_msg("%s: %" PRId64 " of %d offsets committed, %zu records in the sink", group,
                     committed, PARTITIONS * PER_PARTITION, fp_count_lines(file));
        fp_sleep_ms(100);
    }
    recorded seen;
    recorded_read(file, PARTITIONS, PER_PARTITION, &seen);
    for (int p = 0; p < PARTITIONS; p++) {
        for (int n = 0; n < PER_PARTITION; n++)
            if (!seen.seen[p][n])
                fail_msg("record %d:%d never reached the sink", p, n);
        free(seen.seen[p]);
    }
    printf("# %" PRId64 " records through tasks on %s and %s, %" PRId64 " duplicates\n",
           seen.records, first, second, seen.duplicates);
    assert_int_equal(seen.duplicates, 0);
    ch_stop_all(&cluster);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 2 and 3 ------------------------------------------------------------------------------- */

static void test_failover(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_failover");
    ch_cluster cluster;
    const char *names[3];
    const int64_t delay_ms = 3000;
    ch_start_with_sources(&cluster, env,
                          FAST_KEYS "scheduled.rebalance.max.delay.ms=3000\n", "seq",
                          names);
    task_ref refs[6];
    size_t count = tasks_note(&cluster, names, 3, 2, refs);
    /* The victim: the worker running task 0 of the first source. */
    size_t victim = ch_index_of(&cluster, refs[0].worker);
    assert_true(victim != SIZE_MAX);
    char victim_id[64];
    snprintf(victim_id, sizeof(victim_id), "%s", cluster.workers[victim].id);
    ch_kill9(&cluster, victim);
    int64_t killed = fp_now_ms();
    int64_t bound = delay_ms + SESSION_MS + 10000;
    for (size_t i = 0; i < 3; i++)
        ch_wait_running(&cluster, SIZE_MAX, names[i], 2, (int)bound);
    int64_t took = fp_now_ms() - killed;
    printf("# every task runs again %" PRId64 " ms after the kill (bound %" PRId64 " ms)\n", took,
           bound);
    for (size_t i = 0; i < count; i++) {
        char now[64];
        assert_true(ch_task_worker(&cluster, SIZE_MAX, refs[i].connector, refs[i].task, now,
                                   sizeof(now)));
        assert_string_not_equal(now, victim_id);
    }
    expect_untouched(&cluster, refs, count, victim_id);
    /* Let the moved tasks produce, then stop and check the sequences. */
    fp_sleep_ms(1000);
    ch_stop_all(&cluster);
    for (size_t i = 0; i < 3; i++)
        ch_expect_no_gaps(names[i], 4);
    ch_finish(&cluster);
    fp_pass(env);
}

static void test_restart_within_delay(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_restart");
    ch_cluster cluster;
    const char *names[3];
    ch_start_with_sources(&cluster, env,
                          FAST_KEYS "scheduled.rebalance.max.delay.ms=60000\n", "seq",
                          names);
    task_ref refs[6];
    size_t count = tasks_note(&cluster, names, 3, 2, refs);
    size_t victim = ch_index_of(&cluster, refs[0].worker);
    char victim_id[64];
    snprintf(victim_id, sizeof(victim_id), "%s", cluster.workers[victim].id);
    ch_kill9(&cluster, victim);
    ch_start(&cluster, victim);
    ch_wait_healthy(&cluster, victim, START_MS);
    for (size_t i = 0; i < 3; i++)
        ch_wait_running(&cluster, SIZE_MAX, names[i], 2, START_MS);
    /* Exactly its own tasks came back to it; the others never moved. */
    for (size_t i = 0; i < count; i++) {
        char now[64];
        assert_true(ch_task_worker(&cluster, SIZE_MAX, refs[i].connector, refs[i].task, now,
                                   sizeof(now)));
        assert_string_equal(now, refs[i].worker);
    }
    expect_untouched(&cluster, refs, count, victim_id);
    ch_stop_all(&cluster);
    for (size_t i = 0; i < 3; i++)
        ch_expect_no_gaps(names[i], 4);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 4 ------------------------------------------------------------------------------------- */

static void test_growth_moves_only_what_must(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_growth");
    ch_cluster cluster;
    const char *names[4];
    ch_start_with_sources(&cluster, env,
                          FAST_KEYS "scheduled.rebalance.max.delay.ms=5000\n", "seq",
                          names);
    task_ref refs[6];
    size_t count = tasks_note(&cluster, names, 3, 2, refs);
    /* A new connector: nothing else stops. */
    names[3] = ch_source_new(&cluster, 1, "seq3", 2);
    ch_wait_running(&cluster, SIZE_MAX, names[3], 2, START_MS);
    expect_untouched(&cluster, refs, count, NULL);
    /* A fourth worker: the tasks that move to it are the only ones that stop. */
    size_t fourth = ch_add(&cluster, FAST_KEYS "scheduled.rebalance.max.delay.ms=5000\n");
    ch_start(&cluster, fourth);
    ch_wait_healthy(&cluster, fourth, START_MS);
    int64_t deadline = fp_now_ms() + START_MS;
    int counts[CH_MAX_WORKERS];
    for (;;) {
        ch_task_counts(&cluster, names, 4, counts);
        if (counts[fourth] >= 2)
            break;
        if (fp_now_ms() > deadline)
            fail_msg("the fourth worker got %d tasks, expected 2", counts[fourth]);
        fp_sleep_ms(100);
    }
    for (size_t i = 0; i < 4; i++)
        ch_wait_running(&cluster, SIZE_MAX, names[i], 2, START_MS);
    ch_expect_balanced(&cluster, names, 4, 8);
    size_t moved = 0;
    for (size_t i = 0; i < count; i++) {
        char now[64];
        assert_true(ch_task_worker(&cluster, SIZE_MAX, refs[i].connector, refs[i].task, now,
                                   sizeof(now)));
        ch_task_history after;
        ch_task_history_read(&cluster, refs[i].connector, refs[i].task, &after);
        if (strcmp(now, refs[i].worker) != 0) {
            moved++;
            continue;
        }
        if (after.records != refs[i].before.records)
            fail_msg("%s-%d stayed on %s but got %zu new status records", refs[i].connector,
                     refs[i].task, now, after.records - refs[i].before.records);
    }
    printf("# %zu of the first tasks moved to the fourth worker\n", moved);
    assert_true(moved <= 2);
    ch_stop_all(&cluster);
    for (size_t i = 0; i < 4; i++)
        ch_expect_no_gaps(names[i], 4);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 6 ------------------------------------------------------------------------------------- */

/* The status topic as a Kafka Connect cluster shares it: the generations of a cluster's
 * statuses go on above the highest on the topic (here a Java worker's 41), and STOP tombstones
 * the status of every task of the connector, whichever worker ran it. */
static void test_status_topic_shared(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_status");
    ch_cluster cluster;
    ch_init(&cluster, env, 2, FAST_KEYS "scheduled.rebalance.max.delay.ms=5000\n");
    ch_start_all(&cluster, START_MS); /* creates the internal topics */
    ch_stop_all(&cluster);
    rd_kafka_t *producer = kt_producer_new(NULL);
    const char *java = "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"java:8083\","
                       "\"generation\":41}";
    kt_produce(producer, fp_status_topic(env), -1, "status-connector-elsewhere", 26, java,
               strlen(java), NULL, NULL);
    kt_producer_close(producer);
    ch_start_all(&cluster, START_MS);

    const char *name = ch_source_new(&cluster, 0, "gseq", 2);
    ch_wait_running(&cluster, SIZE_MAX, name, 2, 30000);
    char keys[3][256];
    snprintf(keys[0], sizeof(keys[0]), "status-connector-%s", name);
    for (int t = 0; t < 2; t++)
        snprintf(keys[1 + t], sizeof(keys[1 + t]), "status-task-%s-%d", name, t);
    json_t *latest = kt_latest_by_key(fp_status_topic(env));
    for (size_t k = 0; k < 3; k++) {
        json_t *status = json_object_get(latest, keys[k]);
        json_int_t generation = json_integer_value(json_object_get(status, "generation"));
        printf("# %s: generation %" JSON_INTEGER_FORMAT "\n", keys[k], generation);
        if (generation <= 41)
            fail_msg("%s has generation %" JSON_INTEGER_FORMAT ", not above the topic's 41",
                     keys[k], generation);
    }
    json_decref(latest);

    char path[300];
    snprintf(path, sizeof(path), "/connectors/%s/stop", name);
    json_decref(ch_change(&cluster, 1, "PUT", path, NULL, 204, 10000, NULL));
    ch_wait_state(&cluster, SIZE_MAX, name, "STOPPED", 0, 30000);
    int64_t deadline = fp_now_ms() + 30000;
    bool tombstoned = false;
    while (!tombstoned && fp_now_ms() < deadline) {
        latest = kt_latest_by_key(fp_status_topic(env));
        tombstoned = json_is_null(json_object_get(latest, keys[1])) &&
                     json_is_null(json_object_get(latest, keys[2]));
        json_decref(latest);
        if (!tombstoned)
            fp_sleep_ms(200);
    }
    if (!tombstoned)
        fail_msg("the task statuses of %s were not tombstoned within 30 s of STOP", name);
    ch_stop_all(&cluster);
    ch_finish(&cluster);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_balanced_and_forwarded, fp_env_teardown),
        cmocka_unit_test_teardown(test_failover, fp_env_teardown),
        cmocka_unit_test_teardown(test_restart_within_delay, fp_env_teardown),
        cmocka_unit_test_teardown(test_growth_moves_only_what_must, fp_env_teardown),
        cmocka_unit_test_teardown(test_sink_group_across_workers, fp_env_teardown),
        cmocka_unit_test_teardown(test_status_topic_shared, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
