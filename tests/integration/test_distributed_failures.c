/* Distributed mode's failure scenarios (docs/distributed.md, "Failure scenarios") on the real
 * broker with real worker processes (cluster_harness.h):
 *
 *   1. a zombie: a worker paused (SIGSTOP) past the session timeout loses its tasks to the
 *      others; when it wakes (SIGCONT) it says it was fenced, and the task instances it ran
 *      before the pause poll nothing more; the status topic never shows its tasks RUNNING there
 *      again once their new owner wrote RUNNING (unless the new owner gave them back); no
 *      sequence number is missing;
 *   2. the leader killed -9: another worker leads within the session timeout and a few seconds,
 *      and creating, pausing, resuming and deleting connectors through any worker works, with
 *      the statuses following;
 *   3. a rolling restart (SIGTERM, exit, start, healthy; one worker after the other) while
 *      sources produce and a client reads the REST API round-robin: every read is answered by
 *      some worker, nothing is lost, every task RUNNING at the end;
 *   4. the broker restarted while a fourth worker's arrival rebalances the cluster: the cluster
 *      converges, every task RUNNING, balanced, no sequence number missing;
 *   5. a cluster taking over the topics of a standalone worker: it lists and runs the
 *      standalone's connector, which resumes from its stored offsets;
 *   6. postgres-cdc moved off a worker killed -9 whose walsender stays behind (a TCP proxy keeps
 *      the server's side of the dead worker's connections open): the task streams again on the
 *      other worker within the delay, the session timeout and a few seconds, taking the slot
 *      over, and every row reaches Kafka. */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "cluster_harness.h"
#include "kafka_tool.h"
#include "tcp_proxy.h"
#include "test_pg_cdc_support.h"

/* The broker's smallest session timeout (group.min.session.timeout.ms) is 6 s. */
#define SESSION_MS 6000
#define DELAY_MS 2000
#define FAST_KEYS                                                                              \
    "session.timeout.ms=6000\nheartbeat.interval.ms=1000\nrebalance.timeout.ms=20000\n"
#define MOVING_KEYS FAST_KEYS "scheduled.rebalance.max.delay.ms=2000\n"
#define START_MS 60000
/* How long work of a worker that vanished may take to run elsewhere: the coordinator's session
 * timeout, the leader's delay, then an assignment read and tasks started. */
#define MOVE_BOUND_MS (SESSION_MS + DELAY_MS + 10000)

/* Waits until every source partition of the topic has a record beyond Kafka offset `from` (the
 * topic has one partition): every task of its source produces, not only its status says so. */
static void wait_every_partition_produces(const char *topic, size_t partitions, int64_t from,
                                          int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (;;) {
        bool produced[16] = {false};
        size_t count = 0;
        ch_sequence *sequence = ch_sequence_read(topic);
        for (size_t i = 0; i < sequence->count; i++) {
            const ch_sequence_record *record = &sequence->items[i];
            if (record->offset < from || record->source_partition >= (int)partitions ||
                produced[record->source_partition])
                continue;
            produced[record->source_partition] = true;
            count++;
        }
        ch_sequence_free(sequence);
        if (count == partitions)
            return;
        if (fp_now_ms() > deadline)
            fail_msg("%s: %zu of its %zu source partitions produced within %d ms", topic, count,
                     partitions, timeout_ms);
        fp_sleep_ms(200);
    }
}

/* ---- 1. the zombie --------------------------------------------------------------------------- */

/* The status records of a moved task: once `owner` (its new worker) wrote RUNNING, `zombie` (the
 * old one) writes no RUNNING record unless `owner` gave the task up first (UNASSIGNED: the leader
 * moved it back on purpose). Prints the history. */
static void expect_no_double_running(ch_cluster *cluster, const char *connector, int task,
                                     const char *zombie, const char *owner)
{
    ch_task_history history;
    ch_task_history_read_all(cluster, connector, task, &history);
    bool owner_runs = false;
    printf("# status-task-%s-%d:", connector, task);
    for (size_t i = 0; i < history.records; i++)
        printf(" %s@%s/%" PRId64, history.items[i].state, history.items[i].worker_id,
               history.items[i].generation);
    printf("\n");
    for (size_t i = 0; i < history.records; i++) {
        const ch_status_record *record = &history.items[i];
        bool running = strcmp(record->state, "RUNNING") == 0;
        if (strcmp(record->worker_id, owner) == 0) {
            if (running)
                owner_runs = true;
            else if (strcmp(record->state, "UNASSIGNED") == 0)
                owner_runs = false;
        } else if (running && owner_runs && strcmp(record->worker_id, zombie) == 0) {
            ch_task_history_clear(&history);
            fail_msg("status-task-%s-%d: record %zu says RUNNING on the fenced worker %s "
                     "(generation %" PRId64 ") while %s runs it", connector, task, i, zombie,
                     record->generation, owner);
        }
    }
    ch_task_history_clear(&history);
    if (!owner_runs)
        printf("# (%s let task %d go since)\n", owner, task);
}

/* How the zombie is told apart from its successors, soundly: every record carries the task
 * instance that polled it ("<pid>-<n>" in its origin header, SequenceSource's origin.header) and
 * the wall-clock time of that poll (its timestamp). The instances of the zombie's process that
 * polled before the pause are the ones that must be fenced; a record polled by one of them after
 * SIGCONT is a poll the fence let through. Records they polled before the pause and delivered
 * after it (what the producer had queued) are allowed, as are records of task instances the
 * zombie starts after rejoining (the leader may give it work again). */
static void expect_zombie_polled_nothing(const ch_sequence *sequence, long zombie_pid,
                                         int64_t paused_at, int64_t woke_at)
{
    ch_zombie_records zombie;
    ch_zombie_records_count(sequence, zombie_pid, paused_at, woke_at, &zombie);
    assert_true(zombie.instances > 0);
    if (zombie.first_woke)
        fail_msg("the zombie's task instance %s polled record %d:%" PRId64 " %" PRId64
                 " ms after it woke: it was not fenced before its next poll",
                 zombie.first_woke->origin, zombie.first_woke->source_partition,
                 zombie.first_woke->number, zombie.first_woke->timestamp_ms - woke_at);
    printf("# zombie (pid %ld): %zu task instances before the pause, %" PRId64 " records polled "
           "before it, %" PRId64 " while it began, none after the wake; %" PRId64 " records of "
           "task instances started after it rejoined\n", zombie_pid, zombie.instances,
           zombie.before, zombie.pausing, zombie.later_instances);
}

static void test_zombie_is_fenced(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_zombie");
    ch_cluster cluster;
    ch_init(&cluster, env, 3, MOVING_KEYS);
    ch_start_all(&cluster, START_MS);
    const char *source = ch_source_new(&cluster, 1, "zseq", 3);
    ch_wait_running(&cluster, SIZE_MAX, source, 3, START_MS);

    /* The zombie: the worker of task 0, and every task it runs. */
    char zombie_id[64];
    assert_true(ch_task_worker(&cluster, SIZE_MAX, source, 0, zombie_id, sizeof(zombie_id)));
    size_t zombie = ch_index_of(&cluster, zombie_id);
    assert_true(zombie != SIZE_MAX);
    long zombie_pid = (long)fp_pid(cluster.workers[zombie].proc);
    bool zombie_task[3] = {false};
    for (int t = 0; t < 3; t++) {
        char id[64];
        assert_true(ch_task_worker(&cluster, SIZE_MAX, source, t, id, sizeof(id)));
        zombie_task[t] = strcmp(id, zombie_id) == 0;
    }
    ch_wait_topic_growth(source, 0, 300, 30000);
    /* The assignment may still have moved while the cluster formed: the zombie must be seen
     * polling before it is paused, or there is nothing of its to fence. */
    int64_t polled_by = fp_now_ms() + 30000;
    for (bool polled = false; !polled;) {
        ch_sequence *sequence = ch_sequence_read(source);
        for (size_t i = 0; i < sequence->count && !polled; i++)
            polled = ch_origin_of_pid(sequence->items[i].origin, zombie_pid);
        ch_sequence_free(sequence);
        if (!polled && fp_now_ms() > polled_by)
            fail_msg("the zombie (pid %ld) polled no record within 30 s", zombie_pid);
        if (!polled)
            fp_sleep_ms(200);
    }

    int64_t paused_at = ch_wall_ms();
    int64_t paused = fp_now_ms();
    ch_pause(&cluster, zombie);
    /* Its tasks run elsewhere (ch_wait_running counts no task of a paused worker). */
    ch_wait_running(&cluster, SIZE_MAX, source, 3, MOVE_BOUND_MS);
    printf("# the zombie's tasks run elsewhere %" PRId64 " ms after SIGSTOP (bound %d ms)\n",
           fp_now_ms() - paused, MOVE_BOUND_MS);
    char owners[3][64];
    for (int t = 0; t < 3; t++)
        assert_true(ch_task_worker(&cluster, SIZE_MAX, source, t, owners[t], sizeof(owners[t])));
    /* Their new owners produce before the zombie wakes. */
    ch_wait_topic_growth(source, kt_end_offsets_sum(source), 300, 30000);

    int64_t woke_at = ch_wall_ms();
    int64_t woke = fp_now_ms();
    ch_resume(&cluster, zombie);
    fp_proc *zombie_proc = cluster.workers[zombie].proc;
    if (!fp_wait_log(zombie_proc, "fenced: stopping every task", 20000))
        fail_msg("the zombie did not say it was fenced within 20 s of SIGCONT");
    /* Each task sees the fence at its next check, on its own thread: after the worker's line. */
    if (!fp_wait_log(zombie_proc, "the worker was fenced: stopping without committing", 10000))
        fail_msg("the zombie's tasks did not say they stopped for the fence");
    printf("# the zombie fenced itself %" PRId64 " ms after SIGCONT\n", fp_now_ms() - woke);
    /* It rejoins and the cluster settles (the leader may hand it work again). */
    int64_t deadline = fp_now_ms() + 30000;
    double fenced = 1;
    while (!ch_metric(&cluster, zombie, "ferry_cluster_fenced", &fenced) || fenced != 0) {
        if (fp_now_ms() > deadline)
            fail_msg("the zombie did not rejoin within 30 s of its wake");
        fp_sleep_ms(100);
    }
    ch_wait_running(&cluster, SIZE_MAX, source, 3, START_MS);
    ch_wait_topic_growth(source, kt_end_offsets_sum(source), 300, 30000);
    ch_stop_all(&cluster);

    for (int t = 0; t < 3; t++)
        if (zombie_task[t])
            expect_no_double_running(&cluster, source, t, zombie_id, owners[t]);
    ch_sequence *sequence = ch_sequence_read(source);
    expect_zombie_polled_nothing(sequence, zombie_pid, paused_at, woke_at);
    ch_sequence_expect_no_gaps(sequence, source, 6);
    ch_sequence_free(sequence);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 2. the leader killed -------------------------------------------------------------------- */

/* Waits until no running worker lists the connector and each answers 404 for its status. */
static void wait_deleted_everywhere(ch_cluster *cluster, const char *connector, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (size_t w = 0; w < cluster->count; w++) {
        if (!cluster->workers[w].running)
            continue;
        for (;;) {
            json_t *list = rc_expect(cluster->workers[w].rest, "GET", "/connectors", NULL, 200);
            bool listed = false;
            size_t index;
            json_t *entry;
            json_array_foreach(list, index, entry)
                listed = listed || strcmp(json_string_value(entry), connector) == 0;
            json_decref(list);
            json_t *status = listed ? NULL : ch_status(cluster, w, connector);
            json_decref(status);
            if (!listed && !status)
                break;
            if (fp_now_ms() > deadline)
                fail_msg("worker %zu still knows %s %d ms after its deletion", w, connector,
                         timeout_ms);
            fp_sleep_ms(100);
        }
    }
}

static void test_leader_killed(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_leader");
    ch_cluster cluster;
    ch_init(&cluster, env, 3, MOVING_KEYS);
    ch_start_all(&cluster, START_MS);
    const char *kept = ch_source_new(&cluster, 0, "lseq", 2);
    const char *doomed = ch_source_new(&cluster, 1, "lgone", 2);
    ch_wait_running(&cluster, SIZE_MAX, kept, 2, START_MS);
    ch_wait_running(&cluster, SIZE_MAX, doomed, 2, START_MS);
    size_t leader = ch_wait_leader(&cluster, 10000);
    printf("# the leader is worker %zu (%s)\n", leader, cluster.workers[leader].id);

    ch_kill9(&cluster, leader);
    int64_t killed = fp_now_ms();
    int bound = SESSION_MS + 8000;
    size_t next = ch_wait_leader(&cluster, bound);
    int64_t took = fp_now_ms() - killed;
    printf("# worker %zu (%s) leads %" PRId64 " ms after the kill (bound %d ms)\n", next,
           cluster.workers[next].id, took, bound);
    assert_true(next != leader);
    size_t follower = ch_any(&cluster, next);

    /* Changes through either worker, the follower's forwarded. 409s are allowed only while the
     * new leader's first assignment is being written (a few seconds at most). */
    int conflicts = 0;
    const char *created = fp_name(env, "lnew");
    kt_create_topic(created, 1, NULL);
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"SequenceSource\","
             "\"tasks.max\":\"2\",\"topic\":\"%s\",\"partitions\":\"4\",\"batch.size\":\"20\","
             "\"interval.ms\":\"50\"}}", created, created);
    json_decref(ch_change(&cluster, follower, "POST", "/connectors", body, 201, 5000,
                          &conflicts));
    ch_wait_running(&cluster, SIZE_MAX, created, 2, 30000);
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/pause", kept);
    json_decref(ch_change(&cluster, next, "PUT", path, NULL, 202, 5000, &conflicts));
    ch_wait_state(&cluster, SIZE_MAX, kept, "PAUSED", 2, 30000);
    snprintf(path, sizeof(path), "/connectors/%s/resume", kept);
    json_decref(ch_change(&cluster, follower, "PUT", path, NULL, 202, 5000, &conflicts));
    ch_wait_running(&cluster, SIZE_MAX, kept, 2, 30000);
    snprintf(path, sizeof(path), "/connectors/%s", doomed);
    json_decref(ch_change(&cluster, follower, "DELETE", path, NULL, 204, 5000, &conflicts));
    wait_deleted_everywhere(&cluster, doomed, 30000);
    printf("# create, pause, resume, delete done %" PRId64 " ms after the kill (%d answers "
           "409 meanwhile)\n", fp_now_ms() - killed, conflicts);
    /* The dead leader's tasks run on the others too. */
    ch_wait_running(&cluster, SIZE_MAX, kept, 2, MOVE_BOUND_MS);
    ch_wait_running(&cluster, SIZE_MAX, created, 2, MOVE_BOUND_MS);
    ch_stop_all(&cluster);
    ch_expect_no_gaps(kept, 4);
    ch_expect_no_gaps(created, 4);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 3. a rolling restart under load --------------------------------------------------------- */

/* A client reading the REST API round-robin over every worker, from a thread of its own (no
 * cmocka assertion there): GET /connectors and GET /connectors/<c>/status. A refused connection
 * (the worker being restarted) moves on to the next worker; a read nobody answers, or answered
 * with anything but 200 (or the documented 409 of a rebalance), is a failure. */
typedef struct rest_load {
    char bases[CH_MAX_WORKERS][64];
    size_t workers;
    const char *const *connectors;
    size_t connector_count;
    atomic_bool stop;
    pthread_t thread;
    /* results, read after the join */
    long calls, refused, conflicts, failures;
    char first_failure[512];
} rest_load;

static void rest_load_failure(rest_load *load, const char *fmt, ...)
{
    if (load->failures++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(load->first_failure, sizeof(load->first_failure), fmt, ap);
        va_end(ap);
    }
}

static void *rest_load_run(void *argument)
{
    rest_load *load = argument;
    rc_client *clients[CH_MAX_WORKERS];
    for (size_t w = 0; w < load->workers; w++)
        clients[w] = rc_new(load->bases[w]);
    size_t next = 0;
    for (long round = 0; !atomic_load(&load->stop); round++) {
        char path[512];
        if (round % 2 == 0)
            snprintf(path, sizeof(path), "/connectors");
        else
            snprintf(path, sizeof(path), "/connectors/%s/status",
                     load->connectors[(size_t)(round / 2) % load->connector_count]);
        long status = 0;
        rc_response response = {0};
        for (size_t tried = 0; tried < load->workers && status == 0; tried++) {
            rc_response_clear(&response);
            status = rc_call(clients[next], "GET", path, NULL, &response);
            next = (next + 1) % load->workers;
            if (status == 0)
                load->refused++;
        }
        load->calls++;
        if (status == 409)
            load->conflicts++;
        else if (status == 0)
            rest_load_failure(load, "GET %s: no worker answered (%s)", path, response.error);
        else if (status != 200)
            rest_load_failure(load, "GET %s answered %ld: %.300s", path, status, response.body);
        rc_response_clear(&response);
        fp_sleep_ms(20);
    }
    for (size_t w = 0; w < load->workers; w++)
        rc_free(clients[w]);
    return NULL;
}

static void test_rolling_restart_under_load(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_rolling");
    ch_cluster cluster;
    const char *sources[3];
    /* A restart takes well under the delay: each worker finds its own work again. */
    ch_start_with_sources(&cluster, env, FAST_KEYS "scheduled.rebalance.max.delay.ms=15000\n",
                          "rseq", sources);

    rest_load load = {.workers = cluster.count, .connectors = sources, .connector_count = 3};
    for (size_t w = 0; w < cluster.count; w++)
        snprintf(load.bases[w], sizeof(load.bases[w]), "%s", cluster.workers[w].base);
    atomic_init(&load.stop, false);
    assert_int_equal(pthread_create(&load.thread, NULL, rest_load_run, &load), 0);
    for (size_t w = 0; w < cluster.count; w++) {
        int64_t restarting = fp_now_ms();
        ch_restart(&cluster, w, START_MS);
        int64_t healthy = fp_now_ms();
        /* Its statuses may still say RUNNING from before (same worker id): what proves that
         * every task runs again is a record of every source partition written after it. */
        int64_t ends[3];
        for (size_t i = 0; i < 3; i++)
            ends[i] = kt_end_offsets_sum(sources[i]);
        for (size_t i = 0; i < 3; i++) {
            ch_wait_running(&cluster, SIZE_MAX, sources[i], 2, 30000);
            wait_every_partition_produces(sources[i], 4, ends[i], 30000);
        }
        printf("# worker %zu restarted: healthy after %" PRId64 " ms, every source partition "
               "produced again %" PRId64 " ms later\n", w, healthy - restarting,
               fp_now_ms() - healthy);
    }
    atomic_store(&load.stop, true);
    pthread_join(load.thread, NULL);
    printf("# REST reads: %ld, %ld refused connections moved on, %ld answered 409, %ld "
           "failures\n", load.calls, load.refused, load.conflicts, load.failures);
    if (load.failures)
        fail_msg("%ld REST reads failed; the first: %s", load.failures, load.first_failure);
    assert_true(load.calls > 50);
    for (size_t i = 0; i < 3; i++)
        ch_wait_running(&cluster, SIZE_MAX, sources[i], 2, 30000);
    ch_stop_all(&cluster);
    for (size_t i = 0; i < 3; i++)
        ch_expect_no_gaps(sources[i], 4);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 4. the broker restarted during a rebalance ---------------------------------------------- */

static void test_broker_restart_during_rebalance(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_broker");
    /* No other test of this harness, from any run, while the shared broker restarts. */
    fp_broker_exclusive();
    ch_cluster cluster;
    const char *sources[3];
    ch_start_with_sources(&cluster, env, MOVING_KEYS, "bseq", sources);

    /* A fourth worker joins (the group rebalances and the leader moves work to it) and the
     * broker goes away right then. */
    size_t fourth = ch_add(&cluster, MOVING_KEYS);
    ch_start(&cluster, fourth);
    if (!fp_wait_log(cluster.workers[fourth].proc, "joined the group", START_MS))
        fail_msg("the fourth worker did not join the group");
    int64_t stopping = fp_now_ms();
    fp_kafka_stopped();
    assert_int_equal(fp_services("stop", "kafka", NULL), 0);
    assert_int_equal(fp_services("start", "kafka", NULL), 0);
    fp_kafka_restarted();
    int64_t back = fp_now_ms();
    printf("# broker stopped and started again in %" PRId64 " ms\n", back - stopping);
    for (size_t w = 0; w < cluster.count; w++)
        if (!fp_alive(cluster.workers[w].proc))
            fail_msg("worker %zu exited while the broker was away", w);

    /* Converged: every task RUNNING and the fourth worker has its share. */
    for (size_t i = 0; i < 3; i++)
        ch_wait_running(&cluster, SIZE_MAX, sources[i], 2, 90000);
    int64_t deadline = fp_now_ms() + 60000;
    int counts[CH_MAX_WORKERS];
    for (;;) {
        ch_task_counts(&cluster, sources, 3, counts);
        if (counts[fourth] >= 1)
            break;
        if (fp_now_ms() > deadline)
            fail_msg("the fourth worker has no task 60 s after the broker came back");
        fp_sleep_ms(100);
    }
    for (size_t i = 0; i < 3; i++)
        ch_wait_running(&cluster, SIZE_MAX, sources[i], 2, 30000);
    ch_wait_balanced(&cluster, sources, 3, 6, 30000);
    for (size_t i = 0; i < 3; i++)
        wait_every_partition_produces(sources[i], 4, kt_end_offsets_sum(sources[i]), 30000);
    printf("# converged, every source partition producing, %" PRId64 " ms after the broker "
           "came back\n", fp_now_ms() - back);
    ch_stop_all(&cluster);
    for (size_t i = 0; i < 3; i++)
        ch_expect_no_gaps(sources[i], 4);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 5. a cluster takes a standalone worker's topics over ------------------------------------ */

/* The committed {"seq": n} of each source partition of the connector in the offsets topic. */
typedef struct committed_scan {
    const char *connector;
    int64_t seq[8];
} committed_scan;

static void committed_record(const rd_kafka_message_t *message, void *opaque)
{
    committed_scan *scan = opaque;
    json_t *key = message->key ? json_loadb(message->key, message->key_len, 0, NULL) : NULL;
    json_t *value = message->payload ? json_loadb(message->payload, message->len, 0, NULL)
                                     : NULL;
    const char *connector = json_string_value(json_array_get(key, 0));
    json_t *partition = json_object_get(json_array_get(key, 1), "partition");
    if (connector && strcmp(connector, scan->connector) == 0 && json_is_integer(partition) &&
        json_integer_value(partition) >= 0 && json_integer_value(partition) < 8)
        scan->seq[json_integer_value(partition)] =
            value ? json_integer_value(json_object_get(value, "seq")) : -1;
    json_decref(key);
    json_decref(value);
}

static void test_takeover_of_standalone_topics(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_takeover");
    const char *name = fp_name(env, "tseq");
    kt_create_topic(name, 1, NULL);
    const char *worker = fp_worker_file(env, "standalone.properties", 1000, NULL);
    const char *connector = fp_write(env, "source.properties",
                                     "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                     "tasks.max=2\npartitions=4\nbatch.size=20\n"
                                     "interval.ms=50\norigin.header=origin\n", name, name);
    fp_proc *standalone = fp_start(env, worker, connector, NULL);
    ch_wait_topic_growth(name, 0, 400, 30000);
    fp_stop(standalone, 30000);

    ch_sequence *before = ch_sequence_read(name);
    int64_t highest[4] = {-1, -1, -1, -1};
    for (size_t i = 0; i < before->count; i++) {
        const ch_sequence_record *record = &before->items[i];
        assert_true(record->source_partition >= 0 && record->source_partition < 4);
        if (record->number > highest[record->source_partition])
            highest[record->source_partition] = record->number;
    }
    size_t standalone_records = before->count;
    ch_sequence_free(before);
    committed_scan committed = {.connector = name};
    kt_consume(fp_offsets_topic(env), 10000, committed_record, &committed);

    ch_cluster cluster;
    ch_init(&cluster, env, 2, FAST_KEYS);
    ch_start_all(&cluster, START_MS);
    for (size_t w = 0; w < cluster.count; w++) {
        json_t *list = rc_expect(cluster.workers[w].rest, "GET", "/connectors", NULL, 200);
        assert_int_equal(json_array_size(list), 1);
        assert_string_equal(json_string_value(json_array_get(list, 0)), name);
        json_decref(list);
    }
    ch_wait_running(&cluster, SIZE_MAX, name, 2, START_MS);
    ch_wait_topic_growth(name, (int64_t)standalone_records, 200, 30000);
    ch_stop_all(&cluster);

    /* The cluster's records follow the standalone's in the topic's one partition: the first of
     * each source partition is the standalone's committed offset, the number after the last
     * one it had acknowledged (or a replay within one flush when it had not committed it). */
    ch_sequence *after = ch_sequence_read(name);
    for (int p = 0; p < 4; p++) {
        int64_t first = -1;
        for (size_t i = standalone_records; i < after->count && first < 0; i++)
            if (after->items[i].source_partition == p)
                first = after->items[i].number;
        printf("# source partition %d: the standalone wrote up to %" PRId64 " and committed "
               "%" PRId64 "; the cluster began at %" PRId64 "\n", p, highest[p],
               committed.seq[p], first);
        assert_true(committed.seq[p] > 0);
        if (first != committed.seq[p])
            fail_msg("source partition %d: the cluster began at %" PRId64 ", not at the stored "
                     "offset %" PRId64, p, first, committed.seq[p]);
        if (first > highest[p] + 1)
            fail_msg("source partition %d: a gap between %" PRId64 " and %" PRId64, p,
                     highest[p], first);
    }
    ch_sequence_expect_no_gaps(after, name, 4);
    ch_sequence_free(after);
    ch_finish(&cluster);
    fp_pass(env);
}

/* ---- 7: a leader that never answers --------------------------------------------------------- */

/* Listens on a free loopback port and never accepts: a connection completes (the kernel's
 * backlog takes it) and a request then waits for an answer that never comes, as from a hung
 * leader or one behind a cut network that TCP has not noticed yet. */
static int silent_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&address, sizeof(address)), 0);
    assert_int_equal(listen(fd, 64), 0);
    socklen_t length = sizeof(address);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&address, &length), 0);
    *port = ntohs(address.sin_port);
    return fd;
}

/* The leader advertises a URL that never answers: the follower's instances cannot hand their
 * task configs over (each try waits out a 10 s request), but that waits on a thread of its own:
 * the follower's herder goes on applying assignments, so the tasks of the leader's own
 * connectors start on the follower at once, and the follower stops promptly. */
static void test_silent_leader(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("distributed_silent");
    int port = 0;
    int silent = silent_listener(&port);
    char leader_keys[512];
    snprintf(leader_keys, sizeof(leader_keys),
             MOVING_KEYS "rest.advertised.host.name=127.0.0.1\nrest.advertised.port=%d\n", port);
    ch_cluster cluster;
    ch_init(&cluster, env, 1, leader_keys);
    /* A worker's id is its advertised host and port. */
    snprintf(cluster.workers[0].id, sizeof(cluster.workers[0].id), "127.0.0.1:%d", port);
    ch_start_all(&cluster, START_MS);
    assert_int_equal(ch_wait_leader(&cluster, 30000), 0);
    size_t follower = ch_add(&cluster, MOVING_KEYS);
    ch_start(&cluster, follower);
    ch_wait_healthy(&cluster, follower, START_MS);
    assert_int_equal(ch_wait_leader(&cluster, 30000), 0);

    enum { SOURCES = 4 };
    const char *names[SOURCES];
    int64_t created = fp_now_ms();
    for (int i = 0; i < SOURCES; i++) {
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "quiet%d", i);
        names[i] = ch_source_new(&cluster, 0, prefix, 2);
    }
    /* The instances the leader runs commit their tasks themselves; those tasks then run on
     * both workers. */
    int leaders = 0, on_follower = 0;
    for (int i = 0; i < SOURCES; i++) {
        json_t *status = NULL;
        const char *where = NULL;
        for (int64_t until = fp_now_ms() + 20000; fp_now_ms() < until; fp_sleep_ms(100)) {
            json_decref(status);
            status = ch_status(&cluster, 0, names[i]);
            where = json_string_value(
                json_object_get(json_object_get(status, "connector"), "worker_id"));
            if (where && where[0])
                break;
        }
        assert_non_null(where);
        bool here = strcmp(where, cluster.workers[0].id) == 0;
        json_decref(status);
        if (!here)
            continue;
        leaders++;
        ch_wait_running(&cluster, 0, names[i], 2, 30000);
        for (int task = 0; task < 2; task++) {
            char id[64];
            if (ch_task_worker(&cluster, 0, names[i], task, id, sizeof(id)) &&
                strcmp(id, cluster.workers[follower].id) == 0)
                on_follower++;
        }
    }
    int64_t running = fp_now_ms() - created;
    printf("# %d of %d instances on the leader; their %d tasks RUNNING (%d on the follower) %"
           PRId64 " ms after the creates\n", leaders, SOURCES, leaders * 2, on_follower,
           running);
    assert_true(leaders > 0 && leaders < SOURCES);
    assert_true(on_follower > 0);
    assert_true(running < 8000); /* the follower's herder did not wait out a 10 s request */

    int64_t stopping = fp_now_ms();
    ch_stop(&cluster, follower);
    int64_t stopped = fp_now_ms() - stopping;
    printf("# the follower stopped in %" PRId64 " ms\n", stopped);
    assert_true(stopped < 5000);
    ch_stop_all(&cluster);
    ch_finish(&cluster);
    close(silent);
    fp_pass(env);
}

/* ---- 6. postgres-cdc moved off a dead worker ------------------------------------------------- */

static tcp_proxy *proxy;

static int pg_teardown(void **state)
{
    tcp_proxy_stop(proxy);
    proxy = NULL;
    return pgt_teardown(state);
}

static void insert_rows(const char *table, int first, int last)
{
    pgt_exec(pgt_conn, "INSERT INTO %s SELECT g FROM generate_series(%d, %d) g", table, first,
             last);
}

static void test_pg_cdc_moves_off_a_dead_worker(void **state)
{
    (void)state;
    int64_t wal_sender_timeout =
        pgt_int(pgt_conn, "SELECT setting::bigint FROM pg_settings WHERE name = "
                          "'wal_sender_timeout'");
    if (wal_sender_timeout != 0 && wal_sender_timeout < 60000)
        fail_msg("wal_sender_timeout is %" PRId64 " ms: a stale walsender would go by itself "
                 "too soon for this test to mean anything", wal_sender_timeout);
    pgt_case c;
    pgt_case_new(&c, "distributed_pg_cdc", "dk", "(id int PRIMARY KEY)", 1000, NULL);
    kt_create_topic(c.topic, 1, NULL); /* the broker does not create topics */
    pgt_server server;
    pgt_server_get(&server);
    proxy = tcp_proxy_start(server.host, server.port);
    ch_cluster cluster;
    char keys[2048];
    snprintf(keys, sizeof(keys),
             MOVING_KEYS "plugin.path=%s\n"
             "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "task.restart.auto=false\n", FERRY_TEST_PG_PLUGIN_PATH);
    ch_init(&cluster, c.env, 2, keys);
    ch_start_all(&cluster, START_MS);

    char port[16], include[300];
    snprintf(port, sizeof(port), "%d", proxy->port);
    snprintf(include, sizeof(include), "public\\.%s", c.table);
    json_t *request = json_pack(
        "{s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}}", "name", c.name,
        "config",
        "connector.class", "io.debezium.connector.postgresql.PostgresConnector",
        "database.hostname", server.host, "database.port", port, "database.user", server.user,
        "database.dbname", server.dbname, "topic.prefix", c.prefix, "plugin.name", "pgoutput",
        "slot.name", c.slot, "publication.name", c.publication, "publication.autocreate.mode",
        "filtered", "status.update.interval.ms", "1000", "table.include.list", include,
        "topic.creation.default.replication.factor", "1", "topic.creation.default.partitions", "1");
    assert_non_null(request);
    char *body = json_dumps(request, JSON_COMPACT);
    json_decref(request);
    json_decref(rc_expect(cluster.workers[1].rest, "POST", "/connectors", body, 201));
    free(body);
    ch_wait_running(&cluster, SIZE_MAX, c.name, 1, START_MS);
    char runner_id[64];
    assert_true(ch_task_worker(&cluster, SIZE_MAX, c.name, 0, runner_id, sizeof(runner_id)));
    size_t runner = ch_index_of(&cluster, runner_id);
    size_t other = ch_any(&cluster, runner);
    if (!fp_wait_log(cluster.workers[runner].proc, "streaming from slot", START_MS))
        fail_msg("the task did not start streaming");
    insert_rows(c.table, 1, 100);
    if (!pgt_wait_records(NULL, c.topic, 100, START_MS))
        fail_msg("the first rows did not reach Kafka");

    int old_pid = pgt_slot_pid(c.slot);
    assert_true(old_pid > 0);
    ch_kill9(&cluster, runner);
    int64_t killed = fp_now_ms();
    insert_rows(c.table, 101, 200);
    fp_sleep_ms(300);
    /* The premise: the dead worker's walsender still holds the slot. */
    assert_int_equal(pgt_slot_pid(c.slot), old_pid);

    int bound = MOVE_BOUND_MS;
    if (!fp_wait_log(cluster.workers[other].proc, "streaming from slot", bound))
        fail_msg("the task did not stream on the other worker within %d ms of the kill", bound);
    int64_t took = fp_now_ms() - killed;
    printf("# streaming on the other worker %" PRId64 " ms after the kill (bound %d ms, "
           "wal_sender_timeout %" PRId64 " ms)\n", took, bound, wal_sender_timeout);
    char line[300];
    snprintf(line, sizeof(line), "took replication slot \"%s\" over from PID %d", c.slot,
             old_pid);
    if (!fp_log_contains(cluster.workers[other].proc, line))
        fail_msg("the other worker's log does not say '%s'", line);
    ch_wait_running(&cluster, SIZE_MAX, c.name, 1, 30000);
    insert_rows(c.table, 201, 300);
    pgt_expect_rows(NULL, c.topic, 300);

    ch_stop_all(&cluster);
    ch_finish(&cluster);
    pgt_exec(pgt_conn, "DROP TABLE %s", c.table);
    fp_pass(c.env);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    /* FERRY_TEST_FILTER=test_leader* runs only the matching tests (cmocka's pattern). */
    if (getenv("FERRY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("FERRY_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_zombie_is_fenced, fp_env_teardown),
        cmocka_unit_test_teardown(test_leader_killed, fp_env_teardown),
        cmocka_unit_test_teardown(test_rolling_restart_under_load, fp_env_teardown),
        cmocka_unit_test_teardown(test_broker_restart_during_rebalance, fp_env_teardown),
        cmocka_unit_test_teardown(test_takeover_of_standalone_topics, fp_env_teardown),
        cmocka_unit_test_teardown(test_silent_leader, fp_env_teardown),
        cmocka_unit_test_setup_teardown(test_pg_cdc_moves_off_a_dead_worker, pgt_setup,
                                        pg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
