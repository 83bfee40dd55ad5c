/* Exactly-once sources in distributed mode (docs/operations.md, "Delivery guarantees"), on three
 * real `ferry distributed` workers and the real broker:
 *
 *   1. a zombie: the worker of an exactly-once SequenceSource's task is paused (SIGSTOP) with a
 *      transaction open (transaction.boundary=interval, 2 s), its tasks move, it is resumed
 *      (SIGCONT): a read_committed consumer sees every sequence number exactly once, and no
 *      record the zombie's task instances polled after the pause (what they polled after their
 *      last commit before it was in the transaction the new owners' initialisation aborted);
 *   2. PUT /connectors/{c}/fence: 404 for an unknown connector; on the stopped connector 204,
 *      and the config topic holds its tasks-fencing-<c> task-count record.
 *
 * Every topic a test uses is created here: nothing relies on the broker's auto-creation. */
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

#include "cluster_harness.h"
#include "kafka_tool.h"

/* The broker's smallest session timeout (group.min.session.timeout.ms) is 6 s. */
#define SESSION_MS 6000
#define DELAY_MS 2000
#define EOS_KEYS                                                                               \
    "session.timeout.ms=6000\nheartbeat.interval.ms=1000\nrebalance.timeout.ms=20000\n"       \
    "scheduled.rebalance.max.delay.ms=2000\nexactly.once.source.support=enabled\n"
#define START_MS 60000
#define MOVE_BOUND_MS (SESSION_MS + DELAY_MS + 10000)
#define TASKS 3
#define PARTITIONS (TASKS * 2)

/* Creates through worker i an exactly-once SequenceSource of `tasks` tasks writing to the topic
 * of its name (created here), with extra ",\"key\":\"value\"" config members. */
static void eos_source_create(ch_cluster *cluster, size_t i, const char *name, int tasks,
                              const char *extra)
{
    kt_create_topic(name, 1, NULL);
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"SequenceSource\","
             "\"tasks.max\":\"%d\",\"topic\":\"%s\",\"partitions\":\"%d\","
             "\"interval.ms\":\"50\",\"exactly.once.support\":\"required\"%s}}",
             name, tasks, name, tasks * 2, extra);
    json_decref(ch_change(cluster, i, "POST", "/connectors", body, 201, START_MS, NULL));
    ch_wait_running(cluster, SIZE_MAX, name, tasks, START_MS);
}

/* Every number of every source partition, from 0 to the highest seen, exactly once. */
static void expect_exactly_once(const ch_sequence *sequence)
{
    int64_t highest[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++)
        highest[p] = -1;
    for (size_t i = 0; i < sequence->count; i++) {
        const ch_sequence_record *record = &sequence->items[i];
        assert_true(record->source_partition >= 0 && record->source_partition < PARTITIONS);
        if (record->number > highest[record->source_partition])
            highest[record->source_partition] = record->number;
    }
    int64_t missing = 0, duplicates = 0, numbers = 0;
    for (int p = 0; p < PARTITIONS; p++) {
        uint8_t *seen = calloc((size_t)highest[p] + 2, 1);
        assert_non_null(seen);
        for (size_t i = 0; i < sequence->count; i++) {
            const ch_sequence_record *record = &sequence->items[i];
            if (record->source_partition != p)
                continue;
            if (seen[record->number]++ && duplicates++ == 0)
                printf("# number %d:%" PRId64 " seen twice (origin %s)\n", p, record->number,
                       record->origin);
        }
        for (int64_t n = 0; n <= highest[p]; n++)
            if (!seen[n] && missing++ == 0)
                printf("# number %d:%" PRId64 " missing\n", p, n);
        numbers += highest[p] + 1;
        free(seen);
    }
    printf("# read_committed: %zu records for %" PRId64 " numbers: %" PRId64 " missing, %" PRId64
           " duplicates\n", sequence->count, numbers, missing, duplicates);
    if (missing || duplicates)
        fail_msg("%" PRId64 " numbers missing, %" PRId64 " seen twice", missing, duplicates);
}

static void test_zombie_transaction_is_fenced(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_eos_zombie");
    ch_cluster cluster;
    ch_init(&cluster, env, 3, EOS_KEYS);
    ch_start_all(&cluster, START_MS);
    const char *source = fp_name(env, "eoszseq");
    eos_source_create(&cluster, 1, source, TASKS,
                      ",\"batch.size\":\"20\",\"origin.header\":\"origin\","
                      "\"transaction.boundary\":\"interval\","
                      "\"transaction.boundary.interval.ms\":\"2000\"");

    char zombie_id[64];
    assert_true(ch_task_worker(&cluster, SIZE_MAX, source, 0, zombie_id, sizeof(zombie_id)));
    size_t zombie = ch_index_of(&cluster, zombie_id);
    assert_true(zombie != SIZE_MAX);
    long zombie_pid = (long)fp_pid(cluster.workers[zombie].proc);
    /* The zombie committed at least once: its records are visible before the pause. */
    int64_t committed_by = fp_now_ms() + 30000;
    for (bool seen = false; !seen;) {
        ch_sequence *sequence = ch_sequence_read(source);
        for (size_t i = 0; i < sequence->count && !seen; i++)
            seen = ch_origin_of_pid(sequence->items[i].origin, zombie_pid);
        ch_sequence_free(sequence);
        if (!seen && fp_now_ms() > committed_by)
            fail_msg("the zombie (pid %ld) committed no record within 30 s", zombie_pid);
        if (!seen)
            fp_sleep_ms(200);
    }
    /* Paused 1 s into a 2 s transaction: it holds records it polled and did not commit. */
    fp_sleep_ms(1000 + rand() % 1000);
    int64_t paused_at = ch_wall_ms();
    ch_pause(&cluster, zombie);
    int64_t paused = fp_now_ms();
    ch_wait_running(&cluster, SIZE_MAX, source, TASKS, MOVE_BOUND_MS);
    printf("# the zombie's tasks run elsewhere %" PRId64 " ms after SIGSTOP\n",
           fp_now_ms() - paused);
    ch_wait_topic_growth(source, kt_end_offsets_sum(source), 300, 30000);

    int64_t woke = fp_now_ms();
    ch_resume(&cluster, zombie);
    if (!fp_wait_log(cluster.workers[zombie].proc, "fenced: stopping every task", 20000))
        fail_msg("the zombie did not say it was fenced within 20 s of SIGCONT");
    printf("# the zombie fenced itself %" PRId64 " ms after SIGCONT\n", fp_now_ms() - woke);
    /* The cluster settles, the sources go on committing. */
    ch_wait_running(&cluster, SIZE_MAX, source, TASKS, START_MS);
    ch_wait_topic_growth(source, kt_end_offsets_sum(source), 300, 30000);
    ch_stop_all(&cluster);

    /* The zombie's task instances: those of its process that polled before the pause (the
     * leader may give the process work again once it rejoined: later instances are new). */
    ch_sequence *sequence = ch_sequence_read(source);
    ch_zombie_records zombie_records;
    /* Woken at the pause: whatever its instances polled after SIGSTOP counts as late. */
    ch_zombie_records_count(sequence, zombie_pid, paused_at, paused_at, &zombie_records);
    int64_t zombie_late = zombie_records.after_wake;
    printf("# %" PRId64 " records in the topic with aborted ones and markers; visible of the "
           "zombie's %zu task instances: %" PRId64 " polled before the pause, %" PRId64
           " after; %" PRId64 " of instances its process started after rejoining\n",
           kt_end_offsets_sum(source), zombie_records.instances, zombie_records.before,
           zombie_late, zombie_records.later_instances);
    expect_exactly_once(sequence);
    ch_sequence_free(sequence);
    if (zombie_late)
        fail_msg("%" PRId64 " records the zombie polled after SIGSTOP are visible", zombie_late);
    ch_finish(&cluster);
    fp_pass(env);
}

static void test_fence_endpoint(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_eos_fence");
    ch_cluster cluster;
    ch_init(&cluster, env, 2, EOS_KEYS);
    ch_start_all(&cluster, START_MS);
    const char *source = fp_name(env, "eosfence");
    eos_source_create(&cluster, 0, source, 2, "");
    json_decref(ch_change(&cluster, 1, "PUT", "/connectors/nosuchconnector/fence", NULL, 404,
                          START_MS, NULL));
    char path[256];
    snprintf(path, sizeof(path), "/connectors/%s/stop", source);
    json_decref(ch_change(&cluster, 0, "PUT", path, NULL, 204, START_MS, NULL));
    ch_wait_state(&cluster, SIZE_MAX, source, "STOPPED", 0, START_MS);
    /* Through either worker: a follower forwards it to the leader. */
    snprintf(path, sizeof(path), "/connectors/%s/fence", source);
    json_decref(ch_change(&cluster, 1, "PUT", path, NULL, 204, START_MS, NULL));
    json_decref(ch_change(&cluster, 0, "PUT", path, NULL, 204, START_MS, NULL));
    ch_stop_all(&cluster);
    json_t *latest = kt_latest_by_key(fp_configs_topic(env));
    char key[256];
    snprintf(key, sizeof(key), "tasks-fencing-%s", source);
    json_t *record = json_object_get(latest, key);
    char *text = record ? json_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    printf("# %s: %s\n", key, text ? text : "(none)");
    free(text);
    if (!json_is_object(record) || !json_is_integer(json_object_get(record, "task-count")))
        fail_msg("the config topic holds no task-count record %s", key);
    json_decref(latest);
    ch_finish(&cluster);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_fence_endpoint, fp_env_teardown),
        cmocka_unit_test_teardown(test_zombie_transaction_is_fenced, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
