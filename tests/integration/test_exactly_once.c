/* Exactly-once sources (docs/operations.md, "Delivery guarantees"), on the real ferry binary and
 * the real broker:
 *
 *   1. SequenceSource, 1,000,000 records, 20 kill -9 at random moments: a read_committed
 *      consumer sees every sequence number exactly once;
 *   2. transaction.boundary=interval with the connector's own offsets topic
 *      (offsets.storage.topic), created compacted by the worker: kill -9 three times, every
 *      number exactly once, the offsets in that topic;
 *   3. validation on a worker with exactly-once sources: exactly.once.support=required on a
 *      type that cannot promise it, and transaction.boundary=connector on a type that cannot
 *      define boundaries, are refused with a message; the same configs with requested / poll
 *      pass;
 *   4. a record Kafka refuses every time (larger than its topic's max.message.bytes): the
 *      transaction is aborted and the task rewound a few times, then it fails with a trace
 *      that names the refusal, and nothing of it is visible to read_committed consumers.
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

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

#define EOS_WORKER "exactly.once.source.support=enabled\n"

/* ---- 1. kill -9 twenty times ------------------------------------------------------------ */

#define EOS_PARTITIONS 4
#define EOS_COUNT 250000
#define EOS_TOTAL ((int64_t)EOS_PARTITIONS * EOS_COUNT)
#define EOS_KILLS 20

typedef struct eos_seen {
    uint8_t *counts[EOS_PARTITIONS]; /* per source partition, per number: times seen */
    int64_t records;
    int64_t malformed;
} eos_seen;

/* A record "<p>:<n>" with p < partitions and n < count: true with *p and *n set. */
static bool eos_parse(const rd_kafka_message_t *message, long partitions, long long count,
                      long *p, long long *n)
{
    char text[64];
    if (!message->payload || message->len == 0 || message->len >= sizeof(text))
        return false;
    memcpy(text, message->payload, message->len);
    text[message->len] = '\0';
    char *end;
    *p = strtol(text, &end, 10);
    *n = *end == ':' ? strtoll(end + 1, &end, 10) : -1;
    return !*end && *p >= 0 && *p < partitions && *n >= 0 && *n < count;
}

static void eos_collect(const rd_kafka_message_t *message, void *opaque)
{
    eos_seen *seen = opaque;
    long p;
    long long n;
    seen->records++;
    if (!eos_parse(message, EOS_PARTITIONS, EOS_COUNT, &p, &n)) {
        seen->malformed++;
        return;
    }
    if (seen->counts[p][n] < 255)
        seen->counts[p][n]++;
}

static rc_client *eos_client_new(fp_env *env)
{
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", fp_listener_port(env));
    rc_client *client = rc_new(base);
    assert_non_null(client);
    return client;
}

/* How far the connector's committed offsets are: the sum of every partition's next number. */
static int64_t eos_committed(rc_client *client, const char *connector)
{
    char path[256];
    snprintf(path, sizeof(path), "/connectors/%s/offsets", connector);
    rc_response response = {0};
    long status = rc_call(client, "GET", path, NULL, &response);
    int64_t sum = 0;
    json_t *body = status == 200 ? json_loads(response.body ? response.body : "", 0, NULL)
                                 : NULL;
    json_t *entry;
    size_t i;
    json_array_foreach(json_object_get(body, "offsets"), i, entry)
        sum += json_integer_value(json_object_get(json_object_get(entry, "offset"), "seq"));
    json_decref(body);
    rc_response_clear(&response);
    return sum;
}

static void test_sequence_kill9_twenty_times(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("eos_kill9");
    const char *topic = fp_name(env, "seq");
    const char *connector = fp_name(env, "seqsrc");
    kt_create_topic(topic, 3, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, EOS_WORKER);
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=%d\ncount=%d\ntasks.max=2\nbatch.size=400\n"
                                  "interval.ms=25\nexactly.once.support=required\n"
                                  "transaction.boundary=poll\n",
                                  connector, topic, EOS_PARTITIONS, EOS_COUNT);
    /* Paced (each task at most 400 records every 25 ms, 32,000 records/s in all) so that the
     * twenty runs, about 25 s of producing, end before the sequence does. */
    rc_client *client = eos_client_new(env);
    srand((unsigned)fp_now_ms());
    int64_t started = fp_now_ms();

    for (int k = 0; k < EOS_KILLS; k++) {
        fp_proc *proc = k == 0 ? fp_start(env, worker, source, NULL) : fp_start(env, worker, NULL);
        /* A random moment of the run: 300 to 1,500 ms after the tasks began (the log says
         * so once the transactions are initialised). */
        if (!fp_wait_log(proc, "exactly-once: transactions initialised", 60000))
            fail_msg("run %d: the tasks did not initialise their transactions", k + 1);
        fp_sleep_ms(300 + rand() % 1200);
        int64_t committed = eos_committed(client, connector);
        fp_kill9(proc);
        printf("# kill -9 #%d at %" PRId64 " committed records (%.0f%%), %.1f s in\n", k + 1,
               committed, 100.0 * (double)committed / (double)EOS_TOTAL,
               (double)(fp_now_ms() - started) / 1000.0);
        if (committed >= EOS_TOTAL)
            fail_msg("the sequence was done before kill -9 #%d: make it longer", k + 1);
    }

    fp_proc *proc = fp_start(env, worker, NULL);
    int64_t deadline = fp_now_ms() + 120000;
    while (eos_committed(client, connector) < EOS_TOTAL && fp_now_ms() < deadline)
        fp_sleep_ms(200);
    printf("# the whole sequence committed %.1f s after the first start\n",
           (double)(fp_now_ms() - started) / 1000.0);
    fp_stop(proc, 60000);

    eos_seen seen = {0};
    for (int p = 0; p < EOS_PARTITIONS; p++) {
        seen.counts[p] = calloc(EOS_COUNT, 1);
        assert_non_null(seen.counts[p]);
    }
    kt_consume(topic, 300000, eos_collect, &seen);
    int64_t missing = 0, duplicates = 0;
    long first_p = -1, first_n = -1;
    for (int p = 0; p < EOS_PARTITIONS; p++) {
        for (int64_t n = 0; n < EOS_COUNT; n++) {
            if (seen.counts[p][n] == 0 && missing++ == 0) {
                first_p = p;
                first_n = (long)n;
            }
            if (seen.counts[p][n] > 1)
                duplicates += seen.counts[p][n] - 1;
        }
        free(seen.counts[p]);
    }
    rc_free(client);
    printf("# read_committed: %" PRId64 " records for %" PRId64 " numbers: %" PRId64
           " missing, %" PRId64 " duplicates, %" PRId64 " malformed\n", seen.records, EOS_TOTAL,
           missing, duplicates, seen.malformed);
    if (seen.malformed)
        fail_msg("%" PRId64 " records are not \"<p>:<n>\"", seen.malformed);
    if (missing)
        fail_msg("%" PRId64 " numbers missing, first: partition %ld number %ld", missing,
                 first_p, first_n);
    if (duplicates)
        fail_msg("%" PRId64 " numbers seen twice by a read_committed consumer", duplicates);
    fp_pass(env);
}

/* ---- 2. interval boundary, the connector's own offsets topic ----------------------------- */

#define OWN_PARTITIONS 2
#define OWN_COUNT 20000
#define OWN_KILLS 3

typedef struct eos_own_seen {
    uint8_t counts[OWN_PARTITIONS][OWN_COUNT];
    int64_t records;
    int64_t malformed;
} eos_own_seen;

static void eos_own_collect(const rd_kafka_message_t *message, void *opaque)
{
    eos_own_seen *seen = opaque;
    long p;
    long long n;
    seen->records++;
    if (!eos_parse(message, OWN_PARTITIONS, OWN_COUNT, &p, &n)) {
        seen->malformed++;
        return;
    }
    if (seen->counts[p][n] < 255)
        seen->counts[p][n]++;
}

/* Numbers not seen yet, and numbers seen more than once, in a read_committed read. */
static void eos_own_read(const char *topic, eos_own_seen *seen, int64_t *missing,
                         int64_t *duplicates)
{
    memset(seen, 0, sizeof(*seen));
    kt_consume(topic, 60000, eos_own_collect, seen);
    *missing = *duplicates = 0;
    for (int p = 0; p < OWN_PARTITIONS; p++)
        for (int n = 0; n < OWN_COUNT; n++) {
            *missing += seen->counts[p][n] == 0;
            *duplicates += seen->counts[p][n] > 1 ? seen->counts[p][n] - 1 : 0;
        }
}

/* transaction.boundary=interval (200 ms) and offsets.storage.topic naming a topic of the
 * connector's own, which the worker creates (compacted): kill -9 three times, then every number
 * exactly once, and the connector's offsets in its own topic. */
static void test_interval_own_offsets_topic(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("eos_interval");
    const char *topic = fp_name(env, "iseq");
    const char *connector = fp_name(env, "iseqsrc");
    const char *own = fp_name(env, "ioffsets");
    kt_create_topic(topic, 2, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, EOS_WORKER);
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=%d\ncount=%d\ntasks.max=2\nbatch.size=100\n"
                                  "interval.ms=20\nexactly.once.support=required\n"
                                  "transaction.boundary=interval\n"
                                  "transaction.boundary.interval.ms=200\n"
                                  "offsets.storage.topic=%s\n",
                                  connector, topic, OWN_PARTITIONS, OWN_COUNT, own);
    srand((unsigned)fp_now_ms());
    for (int k = 0; k < OWN_KILLS; k++) {
        fp_proc *proc = k == 0 ? fp_start(env, worker, source, NULL) : fp_start(env, worker, NULL);
        if (!fp_wait_log(proc, "exactly-once: transactions initialised", 60000))
            fail_msg("run %d: the tasks did not initialise their transactions", k + 1);
        fp_sleep_ms(300 + rand() % 900);
        fp_kill9(proc);
    }
    fp_proc *proc = fp_start(env, worker, NULL);
    eos_own_seen *seen = calloc(1, sizeof(*seen));
    assert_non_null(seen);
    int64_t missing = 1, duplicates = 0;
    for (int64_t deadline = fp_now_ms() + 90000; missing > 0 && fp_now_ms() < deadline;) {
        fp_sleep_ms(1000);
        eos_own_read(topic, seen, &missing, &duplicates);
    }
    fp_stop(proc, 60000);
    eos_own_read(topic, seen, &missing, &duplicates);
    printf("# read_committed: %" PRId64 " records for %d numbers: %" PRId64 " missing, %" PRId64
           " duplicates, %" PRId64 " malformed\n", seen->records, OWN_PARTITIONS * OWN_COUNT,
           missing, duplicates, seen->malformed);
    free(seen);
    if (missing || duplicates)
        fail_msg("%" PRId64 " numbers missing, %" PRId64 " seen twice", missing, duplicates);

    /* The connector's own offsets topic: created compacted, holding its offsets. */
    char *policy = kt_topic_config(own, "cleanup.policy");
    printf("# %s: cleanup.policy=%s\n", own, policy ? policy : "(none)");
    if (!policy || strcmp(policy, "compact") != 0)
        fail_msg("the connector's offsets topic %s is not compacted", own);
    free(policy);
    json_t *offsets = kt_latest_by_key(own);
    size_t ours = 0;
    const char *key;
    json_t *value;
    json_object_foreach(offsets, key, value)
        ours += strstr(key, connector) != NULL && json_is_object(value);
    json_decref(offsets);
    printf("# %zu offset keys of %s in %s\n", ours, connector, own);
    if (ours != OWN_PARTITIONS)
        fail_msg("%zu offset keys of %s in its own offsets topic (expected %d)", ours,
                 connector, OWN_PARTITIONS);
    fp_pass(env);
}

/* ---- 4. a record Kafka always refuses ----------------------------------------------------- */

static void eos_count(const rd_kafka_message_t *message, void *opaque)
{
    (void)message;
    (void)opaque;
}

static void test_refused_record_fails_the_task(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("eos_refused");
    const char *topic = fp_name(env, "refused");
    const char *connector = fp_name(env, "refusedsrc");
    /* Records of 20,000 bytes to a topic that takes 10,000: the producer sends them (its own
     * limit is 1 MB), the broker refuses each batch. */
    const char *const configs[] = {"max.message.bytes", "10000", NULL};
    kt_create_topic(topic, 1, configs);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, EOS_WORKER);
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=1\ncount=50\nbatch.size=10\nrecord.bytes=20000\n"
                                  "exactly.once.support=required\n"
                                  "transaction.boundary=poll\n", connector, topic);
    fp_proc *proc = fp_start(env, worker, source, NULL);
    rc_client *client = eos_client_new(env);
    assert_true(rc_wait_healthy(client, 30000));
    char path[256];
    snprintf(path, sizeof(path), "/connectors/%s/status", connector);
    const char *trace = NULL;
    json_t *status = NULL;
    for (int64_t deadline = fp_now_ms() + 60000; fp_now_ms() < deadline; fp_sleep_ms(200)) {
        json_decref(status);
        status = rc_expect(client, "GET", path, NULL, 200);
        json_t *task = json_array_get(json_object_get(status, "tasks"), 0);
        if (task && strcmp(json_string_value(json_object_get(task, "state")), "FAILED") == 0) {
            trace = json_string_value(json_object_get(task, "trace"));
            break;
        }
    }
    printf("# the task's trace: %s\n", trace ? trace : "(not failed)");
    if (!trace)
        fail_msg("the task did not fail on a record Kafka refuses every time");
    char refusal[300];
    snprintf(refusal, sizeof(refusal), "the first record Kafka refused: delivery to %s [0] failed: "
             "Broker: Message size too large", topic);
    if (!strstr(trace, "aborted") || !strstr(trace, refusal))
        fail_msg("the trace does not say which record Kafka refused and why: %s", trace);
    json_decref(status);
    rc_free(client);
    fp_stop(proc, 30000);
    /* Nothing of the aborted transactions is visible to read_committed consumers. */
    size_t committed = kt_consume(topic, 30000, eos_count, NULL);
    printf("# read_committed records in %s: %zu\n", topic, committed);
    assert_int_equal(committed, 0);
    fp_pass(env);
}

/* ---- 3. validation ------------------------------------------------------------------------ */

/* PUT /connector-plugins/<type>/config/validate: the error count and, when needle is not NULL,
 * that one of the errors of key contains it. */
static void eos_validate(rc_client *client, const char *type, const char *config, int errors,
                         const char *key, const char *needle)
{
    char path[256];
    snprintf(path, sizeof(path), "/connector-plugins/%s/config/validate", type);
    json_t *answer = rc_expect(client, "PUT", path, config, 200);
    int count = (int)json_integer_value(json_object_get(answer, "error_count"));
    bool found = needle == NULL;
    json_t *entry;
    size_t i;
    json_array_foreach(json_object_get(answer, "configs"), i, entry) {
        json_t *value = json_object_get(entry, "value");
        if (!key || strcmp(json_string_value(json_object_get(value, "name")), key) != 0)
            continue;
        json_t *message;
        size_t j;
        json_array_foreach(json_object_get(value, "errors"), j, message)
            if (needle && strstr(json_string_value(message), needle))
                found = true;
    }
    char *text = json_dumps(answer, JSON_COMPACT);
    json_decref(answer);
    if (count != errors || !found) {
        printf("# validate %s: %s\n", type, text);
        free(text);
        fail_msg("validating %s: %d errors (expected %d)%s%s", type, count, errors,
                 found ? "" : ", none saying ", found ? "" : needle);
    }
    free(text);
}

static void test_validation_refusals(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("eos_validate");
    const char *worker = fp_worker_file(env, "worker.properties", 1000, EOS_WORKER);
    fp_proc *proc = fp_start(env, worker, NULL);
    rc_client *client = eos_client_new(env);
    assert_true(rc_wait_healthy(client, 30000));

    /* FileSource promises exactly-once but does not define boundaries. */
    eos_validate(client, "FileSource",
                 "{\"connector.class\":\"FileSource\",\"name\":\"f\",\"file\":\"/tmp/x\","
                 "\"topic\":\"t\",\"exactly.once.support\":\"required\","
                 "\"transaction.boundary\":\"connector\"}",
                 1, "transaction.boundary", "does not support connector-defined transaction");
    eos_validate(client, "FileSource",
                 "{\"connector.class\":\"FileSource\",\"name\":\"f\",\"file\":\"/tmp/x\","
                 "\"topic\":\"t\",\"exactly.once.support\":\"required\","
                 "\"transaction.boundary\":\"poll\"}",
                 0, NULL, NULL);
    /* SequenceSource promises exactly-once only; AtLeastOnceSequenceSource nothing. */
    eos_validate(client, "SequenceSource",
                 "{\"connector.class\":\"SequenceSource\",\"name\":\"s\",\"topic\":\"t\","
                 "\"transaction.boundary\":\"connector\"}",
                 1, "transaction.boundary", "does not support connector-defined transaction");
    eos_validate(client, "AtLeastOnceSequenceSource",
                 "{\"connector.class\":\"AtLeastOnceSequenceSource\",\"name\":\"s\","
                 "\"topic\":\"t\",\"exactly.once.support\":\"required\"}",
                 1, "exactly.once.support", "does not provide exactly-once semantics");
    eos_validate(client, "AtLeastOnceSequenceSource",
                 "{\"connector.class\":\"AtLeastOnceSequenceSource\",\"name\":\"s\","
                 "\"topic\":\"t\",\"exactly.once.support\":\"requested\"}",
                 0, NULL, NULL);
    rc_free(client);
    fp_stop(proc, 30000);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_validation_refusals, fp_env_teardown),
        cmocka_unit_test_teardown(test_refused_record_fails_the_task, fp_env_teardown),
        cmocka_unit_test_teardown(test_interval_own_offsets_topic, fp_env_teardown),
        cmocka_unit_test_teardown(test_sequence_kill9_twenty_times, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
