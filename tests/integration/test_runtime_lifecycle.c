/* The runtime's lifecycle on the real ferry binary and the real broker:
 *
 *   5. a failing task: FAILED with its trace in the status topic while the other connector keeps
 *      producing, back to RUNNING by the automatic restart; with task.restart.auto=false it stays
 *      FAILED;
 *   6. the dead-letter queue: a malformed JSON value goes to the DLQ with its original bytes and
 *      Kafka Connect's __connect.errors.* headers (errors.tolerance=all), or fails the task with a
 *      trace naming topic, partition and offset (errors.tolerance=none);
 *      the same for a source record its converter rejects, and the offsets move past it;
 *   7. the embedded Kafka: no bootstrap.servers, a source-to-sink pipeline still completes and the
 *      log announces the embedded cluster and its bootstrap address;
 *   8. the internal topics byte for byte (Kafka Connect's record formats, murmur2 partitioning,
 *      compaction, partition counts), and a non-compacted offsets topic refused;
 *   9. config problems: every bad worker value named; a bad connector value named;
 *  10. errors.retry.timeout ends a sink's retries; a second SIGTERM ends a slow shutdown at once;
 *  11. transforms: Debezium's ExtractNewRecordState on the sink path; a record a transform cannot
 *      handle, on a sink and on a source, skipped (errors.tolerance=all, logged or in the DLQ with
 *      stage TRANSFORMATION and the transform's class) or failing the task with a trace naming
 *      the alias and the record (errors.tolerance=none);
 *  12. JsonConverter values as checked text for sinks that declare FERRY_SINK_JSON_TEXT: no tree
 *      for them, a tree for the others and with transforms, nulls and the DLQ as before;
 *  13. record headers reach sinks alike whether they read them on demand
 *      (FERRY_SINK_HEADERS_ON_DEMAND, ferry_host.record_headers) or from the records, with
 *      transforms too. */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"

#define FLUSH_MS 1000

/* ---- the status topic ------------------------------------------------------------------- */

/* Every value of one key of the status topic, in order (JSON; null for tombstones). */
static json_t *status_history(fp_env *env, const char *key)
{
    json_t *history = json_array();
    assert_non_null(history);
    if (kt_partition_count(fp_status_topic(env)) == 0)
        return history;
    kt_records *records = kt_consume_all(fp_status_topic(env), 30000);
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *r = &records->items[i];
        if (!r->key || strcmp(r->key, key) != 0)
            continue;
        json_t *value = r->value ? json_loadb(r->value, r->value_len, 0, NULL) : NULL;
        json_array_append_new(history, value ? value : json_null());
    }
    kt_records_free(records);
    return history;
}

static bool json_string_is(const json_t *value, const char *expected)
{
    const char *text = json_string_value(value);
    return text && strcmp(text, expected) == 0;
}

static const char *entry_state(const json_t *entry)
{
    const char *state = json_string_value(json_object_get(entry, "state"));
    return state ? state : "";
}

static const char *entry_trace(const json_t *entry)
{
    const char *trace = json_string_value(json_object_get(entry, "trace"));
    return trace ? trace : "";
}

/* Waits until the key's history has an entry at index >= from in state (with trace_part in its
 * trace when given); returns a copy of that entry and sets *index. Fails at the timeout. */
static json_t *status_wait(fp_proc *proc, fp_env *env, const char *key, size_t from,
                           const char *state, const char *trace_part, int timeout_ms,
                           size_t *index)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (;;) {
        json_t *history = status_history(env, key);
        for (size_t i = from; i < json_array_size(history); i++) {
            json_t *entry = json_array_get(history, i);
            if (strcmp(entry_state(entry), state) == 0 &&
                (!trace_part || strstr(entry_trace(entry), trace_part))) {
                json_t *copy = json_deep_copy(entry);
                json_decref(history);
                if (index)
                    *index = i;
                return copy;
            }
        }
        size_t seen = json_array_size(history);
        const char *last = seen ? entry_state(json_array_get(history, seen - 1)) : "(none)";
        char last_copy[32];
        snprintf(last_copy, sizeof last_copy, "%s", last);
        json_decref(history);
        if (!fp_alive(proc))
            fail_msg("ferry exited while waiting for %s to be %s", key, state);
        if (fp_now_ms() > deadline)
            fail_msg("%s did not become %s within %d ms (%zu status records, the last %s)", key,
                     state, timeout_ms, seen, last_copy);
        fp_sleep_ms(300);
    }
}

/* The state of the key's last status record ("" when none). A new string. */
static char *status_latest(fp_env *env, const char *key, size_t *count)
{
    json_t *history = status_history(env, key);
    size_t n = json_array_size(history);
    char *state = strdup(n ? entry_state(json_array_get(history, n - 1)) : "");
    assert_non_null(state);
    if (count)
        *count = n;
    json_decref(history);
    return state;
}

/* "status-task-<connector>-<task>", malloc'd. */
static char *task_key(const char *connector, int task)
{
    char *key = NULL;
    assert_true(asprintf(&key, "status-task-%s-%d", connector, task) > 0);
    return key;
}

/* ---- 5. a failing task ------------------------------------------------------------------ */

typedef struct two_sources {
    fp_env *env;
    fp_proc *proc;
    const char *name_a, *name_b;
    const char *topic_a, *topic_b;
    const char *fail_file;
    char *key_a, *key_b;
} two_sources;

/* A healthy SequenceSource A and a SequenceSource B that fails while fail_file exists, both at
 * about 1000 records/s without end, in one worker; returns once both tasks are RUNNING. */
static void two_sources_start(two_sources *t, const char *test, const char *worker_extra)
{
    fp_env *env = t->env = fp_env_new(test);
    t->name_a = fp_name(env, "healthy");
    t->name_b = fp_name(env, "failing");
    t->topic_a = fp_name(env, "topic_a");
    t->topic_b = fp_name(env, "topic_b");
    t->fail_file = fp_path(env, "fail-b");
    t->key_a = task_key(t->name_a, 0);
    t->key_b = task_key(t->name_b, 0);
    kt_create_topic(t->topic_a, 1, NULL);
    kt_create_topic(t->topic_b, 1, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, worker_extra);
    const char *a = fp_write(env, "a.properties",
                             "name=%s\nconnector.class=SequenceSource\ntopic=%s\npartitions=1\n"
                             "batch.size=10\ninterval.ms=10\n", t->name_a, t->topic_a);
    const char *b = fp_write(env, "b.properties",
                             "name=%s\nconnector.class=SequenceSource\ntopic=%s\npartitions=1\n"
                             "batch.size=10\ninterval.ms=10\nfail.when.file.exists=%s\n",
                             t->name_b, t->topic_b, t->fail_file);
    t->proc = fp_start(env, worker, a, b, NULL);
    json_decref(status_wait(t->proc, env, t->key_a, 0, "RUNNING", NULL, 30000, NULL));
    json_decref(status_wait(t->proc, env, t->key_b, 0, "RUNNING", NULL, 30000, NULL));
}

static void two_sources_free(two_sources *t)
{
    free(t->key_a);
    free(t->key_b);
}

/* Creates the fail file and waits for B's FAILED record; returns its index in B's history. */
static size_t fail_b(two_sources *t)
{
    fp_write(t->env, "fail-b", "fail\n");
    int64_t created = fp_now_ms();
    size_t index = 0;
    json_t *failed = status_wait(t->proc, t->env, t->key_b, 0, "FAILED", "failure requested",
                                 15000, &index);
    printf("# %s FAILED %lld ms after the fail file appeared; trace: %s\n", t->key_b,
           (long long)(fp_now_ms() - created), entry_trace(failed));
    const char *worker_id = json_string_value(json_object_get(failed, "worker_id"));
    char expected_id[64];
    snprintf(expected_id, sizeof expected_id, "127.0.0.1:%d", fp_listener_port(t->env));
    if (!worker_id || strcmp(worker_id, expected_id) != 0)
        fail_msg("FAILED record's worker_id is '%s', expected '%s'", worker_id ? worker_id : "",
                 expected_id);
    if (!json_is_integer(json_object_get(failed, "generation")))
        fail_msg("FAILED record has no integer generation");
    if (!strstr(entry_trace(failed), t->fail_file))
        fail_msg("the trace does not name the fail file: %s", entry_trace(failed));
    json_decref(failed);
    return index;
}

/* A keeps producing and never failed. */
static void a_keeps_producing(two_sources *t, int64_t ms)
{
    int64_t before = kt_end_offsets_sum(t->topic_a);
    fp_sleep_ms(ms);
    int64_t after = kt_end_offsets_sum(t->topic_a);
    printf("# %s produced %" PRId64 " records in %lld ms while %s was failing\n", t->name_a,
           after - before, (long long)ms, t->name_b);
    if (after <= before)
        fail_msg("the healthy connector stopped producing while the other one failed");
    json_t *history = status_history(t->env, t->key_a);
    for (size_t i = 0; i < json_array_size(history); i++)
        if (strcmp(entry_state(json_array_get(history, i)), "FAILED") == 0)
            fail_msg("the healthy connector's task FAILED too: %s",
                     entry_trace(json_array_get(history, i)));
    json_decref(history);
    json_t *latest = kt_latest_by_key(fp_status_topic(t->env));
    const char *state = entry_state(json_object_get(latest, t->key_a));
    bool running = strcmp(state, "RUNNING") == 0;
    json_decref(latest);
    if (!running)
        fail_msg("the healthy connector's task is not RUNNING in the status topic");
    if (!fp_alive(t->proc))
        fail_msg("a failing task took the worker down");
}

static void test_failing_task_restarts_automatically(void **state)
{
    (void)state;
    two_sources t = {0};
    two_sources_start(&t, "failing_task_auto",
                      "task.restart.backoff.initial.ms=500\ntask.restart.backoff.max.ms=1000\n");
    size_t failed_at = fail_b(&t);
    a_keeps_producing(&t, 3000);
    char restarting[256];
    snprintf(restarting, sizeof restarting, "[connector:%s] restarting task 0 automatically",
             t.name_b);
    if (!fp_log_contains(t.proc, restarting))
        fail_msg("no automatic restart of the failing task was attempted (no '%s' in the log)",
                 restarting);

    unlink(t.fail_file);
    int64_t removed = fp_now_ms();
    json_decref(status_wait(t.proc, t.env, t.key_b, failed_at + 1, "RUNNING", NULL, 15000,
                            NULL));
    printf("# %s RUNNING again %lld ms after the fail file was removed\n", t.key_b,
           (long long)(fp_now_ms() - removed));
    /* And it stays RUNNING, producing again. */
    int64_t before = kt_end_offsets_sum(t.topic_b);
    fp_sleep_ms(3000);
    char *latest = status_latest(t.env, t.key_b, NULL);
    int64_t after = kt_end_offsets_sum(t.topic_b);
    printf("# %s: latest state %s, %" PRId64 " records in 3 s after the restart\n", t.key_b,
           latest, after - before);
    if (strcmp(latest, "RUNNING") != 0) {
        free(latest);
        fail_msg("%s did not stay RUNNING after the restart", t.key_b);
    }
    free(latest);
    if (after <= before)
        fail_msg("the restarted task does not produce");
    fp_stop(t.proc, 30000);
    two_sources_free(&t);
    fp_pass(t.env);
}

static void test_failed_task_stays_failed_without_auto_restart(void **state)
{
    (void)state;
    two_sources t = {0};
    two_sources_start(&t, "failing_task_manual",
                      "task.restart.auto=false\ntask.restart.backoff.initial.ms=500\n"
                      "task.restart.backoff.max.ms=1000\n");
    size_t failed_at = fail_b(&t);
    unlink(t.fail_file);
    int64_t before = kt_end_offsets_sum(t.topic_b);
    a_keeps_producing(&t, 5000); /* ten initial back-off periods */
    size_t count = 0;
    char *latest = status_latest(t.env, t.key_b, &count);
    int64_t after = kt_end_offsets_sum(t.topic_b);
    printf("# %s: latest state %s, %zu status records (FAILED was #%zu), %" PRId64
           " records in 5 s after the fail file was removed\n", t.key_b, latest, count,
           failed_at + 1, after - before);
    if (strcmp(latest, "FAILED") != 0 || count != failed_at + 1) {
        free(latest);
        fail_msg("with task.restart.auto=false the failed task did not stay FAILED");
    }
    free(latest);
    if (after != before)
        fail_msg("the FAILED task produced %" PRId64 " records", after - before);
    if (fp_log_contains(t.proc, "restarting task 0 automatically") ||
        fp_log_contains(t.proc, "restarting it in"))
        fail_msg("with task.restart.auto=false a task was restarted automatically");
    fp_stop(t.proc, 30000);
    two_sources_free(&t);
    fp_pass(t.env);
}

/* ---- 6. the dead-letter queue ----------------------------------------------------------- */

static const char *const dlq_values[] = {"{\"id\":0}", "{\"id\":1}", "{\"id\":2,",
                                         "{\"id\":3}", "{\"id\":4}"};
#define DLQ_BAD 2
#define DLQ_COUNT 5

/* Reads a RecordingSink file: the number of lines; the highest Kafka offset in *max_offset
 * (-1 without lines); and, when by_offset is not NULL, field number `field` of each line (4: the
 * value, 5: the headers of headers.record=true) stored (malloc'd) at its Kafka offset when that
 * is below max. */
#define SINK_FIELD_VALUE 4
#define SINK_FIELD_HEADERS 5
static size_t sink_file_read(const char *path, int field, int64_t *max_offset, char **by_offset,
                             size_t max)
{
    size_t len = 0;
    char *text = fp_read_file(path, &len);
    size_t count = 0;
    *max_offset = -1;
    if (!text)
        return 0;
    for (char *line = text; line < text + len;) {
        char *end = strchr(line, '\n');
        if (!end)
            break;
        *end = '\0';
        char *fields[6] = {0};
        char *cursor = line;
        for (int f = 0; f < 6 && cursor; f++) {
            fields[f] = cursor;
            char *tab = f < 5 ? strchr(cursor, '\t') : NULL;
            if (tab)
                *tab = '\0';
            cursor = tab ? tab + 1 : NULL;
        }
        if (fields[2]) {
            int64_t offset = strtoll(fields[2], NULL, 10);
            if (offset > *max_offset)
                *max_offset = offset;
            if (by_offset && offset >= 0 && (size_t)offset < max && fields[field]) {
                free(by_offset[offset]);
                by_offset[offset] = strdup(fields[field]);
            }
        }
        count++;
        line = end + 1;
    }
    free(text);
    return count;
}

/* The lines of a RecordingSink file, their highest Kafka offset and, when values is not NULL,
 * the values of offsets below DLQ_COUNT in (*values)[offset]. */
static size_t sink_lines(const char *path, int64_t *max_offset, char ***values)
{
    return sink_file_read(path, SINK_FIELD_VALUE, max_offset, values ? *values : NULL,
                          DLQ_COUNT);
}

/* A connector file <label>.properties for a RecordingSink-family connector: its name, class,
 * topic and file, then extra lines (each ending in a newline). */
static const char *recording_connector(fp_env *env, const char *label, const char *name,
                                       const char *class_name, const char *topic,
                                       const char *file, const char *extra)
{
    char properties[128];
    snprintf(properties, sizeof properties, "%s.properties", label);
    return fp_write(env, properties, "name=%s\nconnector.class=%s\ntopics=%s\nfile=%s\n%s", name,
                    class_name, topic, file, extra);
}

/* Waits up to 30 s, while the worker lives, until each of count RecordingSink files has at least
 * lines lines. */
static void recording_files_wait(fp_proc *proc, const char *const *names,
                                 const char *const *files, size_t count, size_t lines)
{
    int64_t deadline = fp_now_ms() + 30000;
    int64_t max_offset;
    for (size_t c = 0; c < count; c++)
        while (sink_lines(files[c], &max_offset, NULL) < lines) {
            if (!fp_alive(proc) || fp_now_ms() > deadline)
                fail_msg("%s did not write %zu records", names[c], lines);
            fp_sleep_ms(100);
        }
}

static void header_is(const kt_record *record, const char *name, const char *expected)
{
    const kt_header *header = kt_record_header(record, name);
    if (!header || !header->value)
        fail_msg("the DLQ record has no header %s", name);
    if (expected && strcmp(header->value, expected) != 0)
        fail_msg("DLQ header %s is '%s', expected '%s'", name, header->value, expected);
    printf("# DLQ header %s = %s\n", name, header->value);
}

static void test_dead_letter_queue(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("dead_letter_queue");
    const char *topic = fp_name(env, "json_in");
    const char *dlq = fp_name(env, "dlq");
    const char *tolerant = fp_name(env, "tolerant");
    const char *strict = fp_name(env, "strict");
    const char *tolerant_file = fp_path(env, "tolerant.txt");
    const char *strict_file = fp_path(env, "strict.txt");
    kt_create_topic(topic, 1, NULL);
    rd_kafka_t *producer = kt_producer_new(NULL);
    for (int i = 0; i < DLQ_COUNT; i++) {
        char key[16];
        snprintf(key, sizeof key, i == DLQ_BAD ? "bad-key" : "k%d", i);
        kt_produce(producer, topic, 0, key, strlen(key), dlq_values[i], strlen(dlq_values[i]),
                   i == DLQ_BAD ? "origin" : NULL, i == DLQ_BAD ? "dlq-test" : NULL);
    }
    kt_producer_close(producer);

    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "task.restart.auto=false\n");
    const char *common = "connector.class=RecordingSink\n"
                         "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                         "value.converter.schemas.enable=false\n";
    const char *all = fp_write(env, "tolerant.properties",
                               "name=%s\n%stopics=%s\nfile=%s\nerrors.tolerance=all\n"
                               "errors.log.enable=true\n"
                               "errors.deadletterqueue.topic.name=%s\n"
                               "errors.deadletterqueue.topic.replication.factor=1\n"
                               "errors.deadletterqueue.context.headers.enable=true\n",
                               tolerant, common, topic, tolerant_file, dlq);
    const char *none = fp_write(env, "strict.properties",
                                "name=%s\n%stopics=%s\nfile=%s\nerrors.tolerance=none\n",
                                strict, common, topic, strict_file);
    fp_proc *proc = fp_start(env, worker, all, none, NULL);

    /* errors.tolerance=none: FAILED, the trace names topic, partition and offset. */
    char strict_key[256];
    snprintf(strict_key, sizeof strict_key, "status-task-%s-0", strict);
    json_t *failed = status_wait(proc, env, strict_key, 0, "FAILED", NULL, 30000, NULL);
    const char *trace = entry_trace(failed);
    printf("# errors.tolerance=none: %s FAILED: %s\n", strict_key, trace);
    char where[300];
    snprintf(where, sizeof where, "%s-0", topic);
    bool names_topic_partition = strstr(trace, where) != NULL;
    bool names_offset = strstr(trace, "offset 2") != NULL;
    bool names_stage = strstr(trace, "VALUE_CONVERTER") != NULL;
    json_decref(failed);
    if (!names_topic_partition || !names_offset)
        fail_msg("the trace does not name topic %s, partition 0 and offset 2", topic);
    assert_true(names_stage);

    /* errors.tolerance=all: the four good records reach the file. */
    int64_t deadline = fp_now_ms() + 30000;
    int64_t max_offset = -1;
    while (sink_lines(tolerant_file, &max_offset, NULL) < DLQ_COUNT - 1) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("the tolerant sink did not write the %d good records", DLQ_COUNT - 1);
        fp_sleep_ms(100);
    }
    while (kt_partition_count(dlq) == 0 || kt_end_offsets_sum(dlq) < 1) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("nothing reached the dead-letter queue %s", dlq);
        fp_sleep_ms(100);
    }
    fp_sleep_ms(3 * FLUSH_MS); /* several flushes: nothing more may come */
    fp_stop(proc, 30000);

    char *values[DLQ_COUNT] = {0};
    char **values_ptr = values;
    size_t lines = sink_lines(tolerant_file, &max_offset, &values_ptr);
    printf("# errors.tolerance=all: %zu lines in the sink file\n", lines);
    assert_int_equal(lines, DLQ_COUNT - 1);
    for (int i = 0; i < DLQ_COUNT; i++) {
        bool ok = i == DLQ_BAD ? values[i] == NULL
                               : values[i] && strcmp(values[i], dlq_values[i]) == 0;
        if (!ok)
            fail_msg("tolerant sink file, offset %d: '%s'", i, values[i] ? values[i] : "(none)");
        free(values[i]);
    }

    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal(dead->count, 1);
    const kt_record *record = &dead->items[0];
    if (!record->value || record->value_len != strlen(dlq_values[DLQ_BAD]) ||
        memcmp(record->value, dlq_values[DLQ_BAD], record->value_len) != 0)
        fail_msg("the DLQ record's value is '%s', expected the original bytes '%s'",
                 record->value ? record->value : "(null)", dlq_values[DLQ_BAD]);
    if (!record->key || strcmp(record->key, "bad-key") != 0)
        fail_msg("the DLQ record's key is '%s', expected 'bad-key'",
                 record->key ? record->key : "(null)");
    header_is(record, "origin", "dlq-test");
    header_is(record, "__connect.errors.topic", topic);
    header_is(record, "__connect.errors.partition", "0");
    header_is(record, "__connect.errors.offset", "2");
    header_is(record, "__connect.errors.connector.name", tolerant);
    header_is(record, "__connect.errors.task.id", "0");
    header_is(record, "__connect.errors.stage", "VALUE_CONVERTER");
    header_is(record, "__connect.errors.exception.class.name", NULL);
    header_is(record, "__connect.errors.exception.message", NULL);
    if (kt_record_header(record, "__connect.errors.exception.message")->value_len == 0)
        fail_msg("the exception message header is empty");
    kt_records_free(dead);

    /* The strict sink never wrote the bad record or anything after it. */
    lines = sink_lines(strict_file, &max_offset, NULL);
    printf("# errors.tolerance=none: %zu lines in its sink file, highest offset %" PRId64 "\n",
           lines, max_offset);
    if (max_offset >= DLQ_BAD)
        fail_msg("the strict sink wrote offset %" PRId64 ", at or after the bad record",
                 max_offset);
    char tolerant_key[256];
    snprintf(tolerant_key, sizeof tolerant_key, "status-task-%s-0", tolerant);
    json_t *history = status_history(env, tolerant_key);
    for (size_t i = 0; i < json_array_size(history); i++)
        if (strcmp(entry_state(json_array_get(history, i)), "FAILED") == 0)
            fail_msg("the tolerant sink's task FAILED");
    json_decref(history);
    fp_pass(env);
}

/* A Debezium change event that lost its row: an envelope (schema named *.Envelope) of an update
 * with no `after` field, which ExtractNewRecordState cannot unwrap ("Unknown field: after" in
 * Debezium). {"schema", "payload"}, JsonConverter's form. */
#define ENVELOPE_WITHOUT_ROW                                                                      \
    "{\"schema\":{\"type\":\"struct\",\"name\":\"srv.public.t.Envelope\",\"optional\":false,"    \
    "\"fields\":[{\"type\":\"struct\",\"optional\":true,\"field\":\"before\",\"fields\":["        \
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}]},"                                 \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}]},"                                \
    "\"payload\":{\"before\":{\"id\":1},\"op\":\"u\"}}"

/* A source record the converter rejects: a ByteArrayConverter cannot write the structured value
 * SequenceSource gives every tenth number. With errors.tolerance=all it goes to the DLQ (as JSON
 * text, with the context headers) and the offsets move past it; with none the task fails naming
 * the stage. */
#define SOURCE_DLQ_COUNT 100
#define SOURCE_DLQ_EVERY 10

/* Asserts that each of the connector's `partitions` SequenceSource partitions committed the
 * offset {"seq": seq}. */
static void sequence_offsets_assert(fp_env *env, const char *connector, int partitions,
                                    int64_t seq)
{
    json_t *offsets = kt_latest_by_key(fp_offsets_topic(env));
    const char *key;
    json_t *offset;
    int partitions_done = 0;
    json_object_foreach(offsets, key, offset) {
        if (!strstr(key, connector))
            continue;
        json_int_t committed = json_integer_value(json_object_get(offset, "seq"));
        printf("# committed offset %s -> seq %" JSON_INTEGER_FORMAT "\n", key, committed);
        if (committed != seq)
            fail_msg("source partition %s committed at %" JSON_INTEGER_FORMAT ", expected %"
                     PRId64, key, committed, seq);
        partitions_done++;
    }
    json_decref(offsets);
    assert_int_equal(partitions_done, partitions);
}

static void test_source_dead_letter_queue(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("source_dead_letter_queue");
    const char *topic = fp_name(env, "src_out");
    const char *strict_topic = fp_name(env, "src_strict_out");
    const char *dlq = fp_name(env, "src_dlq");
    const char *tolerant = fp_name(env, "src_tolerant");
    const char *strict = fp_name(env, "src_strict");
    kt_create_topic(topic, 1, NULL);
    kt_create_topic(strict_topic, 1, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "task.restart.auto=false\n");
    const char *common = "connector.class=SequenceSource\npartitions=2\nbatch.size=7\n"
                         "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter\n";
    const char *all = fp_write(env, "tolerant.properties",
                               "name=%s\n%stopic=%s\ncount=%d\nstructured.every=%d\n"
                               "errors.tolerance=all\nerrors.log.enable=true\n"
                               "errors.deadletterqueue.topic.name=%s\n"
                               "errors.deadletterqueue.topic.replication.factor=1\n"
                               "errors.deadletterqueue.context.headers.enable=true\n",
                               tolerant, common, topic, SOURCE_DLQ_COUNT, SOURCE_DLQ_EVERY, dlq);
    const char *none = fp_write(env, "strict.properties",
                                "name=%s\n%stopic=%s\ncount=%d\nstructured.every=%d\n",
                                strict, common, strict_topic, SOURCE_DLQ_COUNT, SOURCE_DLQ_EVERY);
    fp_proc *proc = fp_start(env, worker, all, none, NULL);

    char strict_key[256];
    snprintf(strict_key, sizeof strict_key, "status-task-%s-0", strict);
    json_t *failed = status_wait(proc, env, strict_key, 0, "FAILED", "VALUE_CONVERTER", 30000,
                                 NULL);
    printf("# source, errors.tolerance=none: FAILED: %s\n", entry_trace(failed));
    if (!strstr(entry_trace(failed), "ByteArrayConverter"))
        fail_msg("the trace does not name the converter");
    json_decref(failed);

    const int64_t bad = 2 * SOURCE_DLQ_COUNT / SOURCE_DLQ_EVERY;
    const int64_t good = 2 * SOURCE_DLQ_COUNT - bad;
    int64_t deadline = fp_now_ms() + 30000;
    while (kt_partition_count(topic) == 0 || kt_end_offsets_sum(topic) < good ||
           kt_partition_count(dlq) == 0 || kt_end_offsets_sum(dlq) < bad) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("expected %" PRId64 " records in %s and %" PRId64 " in the DLQ", good,
                     topic, bad);
        fp_sleep_ms(100);
    }
    fp_sleep_ms(3 * FLUSH_MS); /* offsets of the last batches committed */
    fp_stop(proc, 30000);
    assert_int_equal(kt_end_offsets_sum(topic), good);

    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal((int64_t)dead->count, bad);
    for (size_t i = 0; i < dead->count; i++) {
        const kt_record *record = &dead->items[i];
        json_t *value = record->value ? json_loadb(record->value, record->value_len, 0, NULL)
                                      : NULL;
        const char *text = json_string_value(json_object_get(value, "value"));
        int p = -1, n = -1;
        if (!text || sscanf(text, "%d:%d", &p, &n) != 2 || n % SOURCE_DLQ_EVERY != 0)
            fail_msg("DLQ record %zu holds '%.*s', not a structured value of a tenth number", i,
                     (int)record->value_len, record->value ? record->value : "");
        json_decref(value);
        if (i == 0) {
            header_is(record, "__connect.errors.topic", topic);
            header_is(record, "__connect.errors.connector.name", tolerant);
            header_is(record, "__connect.errors.task.id", "0");
            header_is(record, "__connect.errors.stage", "VALUE_CONVERTER");
            header_is(record, "__connect.errors.exception.message", NULL);
        }
    }
    kt_records_free(dead);

    /* The committed offsets moved past the rejected records: count per source partition. */
    sequence_offsets_assert(env, tolerant, 2, SOURCE_DLQ_COUNT);
    printf("# source DLQ: %" PRId64 " records in %s, %" PRId64 " in the DLQ\n", good, topic,
           bad);
    fp_pass(env);
}

/* A source record a transform cannot handle: SequenceSource gives every tenth number a Debezium
 * change event that lost its row (structured.json), which ExtractNewRecordState fails on, and the
 * others are strings it passes unchanged. errors.tolerance=all skips those records: logged, and
 * with a dead-letter queue sent there with stage TRANSFORMATION and the transform's class; the
 * offsets move past them. errors.tolerance=none fails the task with a trace naming the stage, the
 * alias, the transform and the topic. */
static void test_source_transform_errors(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("source_transform_errors");
    const char *queued_topic = fp_name(env, "src_queued_out");
    const char *skipped_topic = fp_name(env, "src_skipped_out");
    const char *strict_topic = fp_name(env, "src_strict_out");
    const char *dlq = fp_name(env, "src_unwrap_dlq");
    const char *queued = fp_name(env, "src_queued");
    const char *skipped = fp_name(env, "src_skipped");
    const char *strict = fp_name(env, "src_strict");
    kt_create_topic(queued_topic, 1, NULL);
    kt_create_topic(skipped_topic, 1, NULL);
    kt_create_topic(strict_topic, 1, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "task.restart.auto=false\n");
    char common[1024];
    snprintf(common, sizeof common,
             "connector.class=SequenceSource\npartitions=2\nbatch.size=7\ncount=%d\n"
             "structured.every=%d\nstructured.json=%s\ntransforms=unwrap\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n",
             SOURCE_DLQ_COUNT, SOURCE_DLQ_EVERY, ENVELOPE_WITHOUT_ROW);
    const char *with_dlq = fp_write(env, "queued.properties",
                                    "name=%s\n%stopic=%s\nerrors.tolerance=all\n"
                                    "errors.deadletterqueue.topic.name=%s\n"
                                    "errors.deadletterqueue.topic.replication.factor=1\n"
                                    "errors.deadletterqueue.context.headers.enable=true\n",
                                    queued, common, queued_topic, dlq);
    const char *without_dlq = fp_write(env, "skipped.properties",
                                       "name=%s\n%stopic=%s\nerrors.tolerance=all\n"
                                       "errors.log.enable=true\n",
                                       skipped, common, skipped_topic);
    const char *none = fp_write(env, "strict.properties", "name=%s\n%stopic=%s\n", strict, common,
                                strict_topic);
    fp_proc *proc = fp_start(env, worker, with_dlq, without_dlq, none, NULL);

    char strict_key[256], where[300];
    snprintf(strict_key, sizeof strict_key, "status-task-%s-0", strict);
    json_t *failed = status_wait(proc, env, strict_key, 0, "FAILED", NULL, 30000, NULL);
    const char *trace = entry_trace(failed);
    printf("# source, errors.tolerance=none: FAILED: %s\n", trace);
    snprintf(where, sizeof where, "topic %s", strict_topic);
    const char *const named[] = {"TRANSFORMATION", where,
                                 "transform unwrap (ExtractNewRecordState)"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strstr(trace, named[i]))
            fail_msg("the strict source's trace does not name '%s'", named[i]);
    json_decref(failed);

    const int64_t bad = 2 * SOURCE_DLQ_COUNT / SOURCE_DLQ_EVERY;
    const int64_t good = 2 * SOURCE_DLQ_COUNT - bad;
    int64_t deadline = fp_now_ms() + 30000;
    while (kt_partition_count(queued_topic) == 0 || kt_end_offsets_sum(queued_topic) < good ||
           kt_partition_count(skipped_topic) == 0 || kt_end_offsets_sum(skipped_topic) < good ||
           kt_partition_count(dlq) == 0 || kt_end_offsets_sum(dlq) < bad) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("expected %" PRId64 " records in %s and in %s, %" PRId64 " in the DLQ",
                     good, queued_topic, skipped_topic, bad);
        fp_sleep_ms(100);
    }
    fp_sleep_ms(3 * FLUSH_MS); /* offsets of the last batches committed */
    fp_stop(proc, 30000);

    /* What was skipped is the tenth numbers; the other records went through unchanged. */
    const char *const topics[] = {queued_topic, skipped_topic, strict_topic};
    for (size_t t = 0; t < 3; t++) {
        kt_records *records = kt_partition_count(topics[t]) ? kt_consume_all(topics[t], 30000)
                                                            : NULL;
        size_t count = records ? records->count : 0;
        for (size_t i = 0; i < count; i++) {
            int p = -1, n = -1;
            const kt_record *record = &records->items[i];
            if (!record->value || sscanf(record->value, "%d:%d", &p, &n) != 2 ||
                n % SOURCE_DLQ_EVERY == 0)
                fail_msg("%s holds '%.*s', not a number's text that is not a tenth", topics[t],
                         (int)record->value_len, record->value ? record->value : "");
        }
        printf("# source transform errors: %zu records in %s\n", count, topics[t]);
        if (t < 2)
            assert_int_equal((int64_t)count, good);
        if (records)
            kt_records_free(records);
    }

    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal((int64_t)dead->count, bad);
    json_t *expected = json_loads(ENVELOPE_WITHOUT_ROW, 0, NULL);
    for (size_t i = 0; i < dead->count; i++) {
        const kt_record *record = &dead->items[i];
        json_t *value = record->value ? json_loadb(record->value, record->value_len, 0, NULL)
                                      : NULL;
        if (!json_equal(value, json_object_get(expected, "payload")))
            fail_msg("DLQ record %zu holds '%.*s', not the event", i, (int)record->value_len,
                     record->value ? record->value : "");
        json_decref(value);
    }
    json_decref(expected);
    const kt_record *first = &dead->items[0];
    header_is(first, "__connect.errors.topic", queued_topic);
    header_is(first, "__connect.errors.connector.name", queued);
    header_is(first, "__connect.errors.stage", "TRANSFORMATION");
    header_is(first, "__connect.errors.class.name", "io.debezium.transforms.ExtractNewRecordState");
    const kt_header *message = kt_record_header(first, "__connect.errors.exception.message");
    if (!message || !message->value || !strstr(message->value, "transform unwrap"))
        fail_msg("the DLQ record's exception message does not name the alias unwrap");
    printf("# DLQ header __connect.errors.exception.message = %s\n", message->value);
    kt_records_free(dead);

    /* Without a DLQ the log says what was skipped, in Kafka Connect's words. */
    char logged[512];
    snprintf(logged, sizeof logged, "Error encountered in task %s-0. Executing stage "
             "'TRANSFORMATION' with class 'io.debezium.transforms.ExtractNewRecordState'",
             skipped);
    if (!fp_log_contains(proc, logged))
        fail_msg("the log has no line \"%s\"", logged);

    sequence_offsets_assert(env, queued, 2, SOURCE_DLQ_COUNT);
    sequence_offsets_assert(env, skipped, 2, SOURCE_DLQ_COUNT);
    fp_pass(env);
}

/* The first SIGTERM starts a graceful shutdown, which waits for a plugin slow to stop; a second
 * signal ends the process at once with 128 + the signal, as an impatient operator expects. */
static void test_second_signal_exits_at_once(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("second_signal");
    const char *topic = fp_name(env, "slow_in");
    kt_create_topic(topic, 1, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "task.shutdown.graceful.timeout.ms=60000\n");
    const char *sink = fp_write(env, "slow.properties",
                                "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n"
                                "stop.delay.ms=30000\n",
                                fp_name(env, "slow"), topic, fp_path(env, "slow.txt"));
    fp_proc *proc = fp_start(env, worker, sink, NULL);
    if (!fp_wait_log(proc, "partitions opened", 30000))
        fail_msg("the sink never got its partition");
    fp_signal(proc, SIGTERM);
    if (!fp_wait_log(proc, "stop delayed by 30000 ms", 10000))
        fail_msg("the graceful shutdown never reached the plugin's stop");
    fp_sleep_ms(500);
    if (!fp_alive(proc))
        fail_msg("ferry exited during the plugin's slow stop after one signal");
    int64_t sent = fp_now_ms();
    fp_signal(proc, SIGTERM);
    int code = -1;
    if (!fp_wait_exit(proc, 3000, &code))
        fail_msg("a second SIGTERM did not end ferry within 3 s");
    printf("# second SIGTERM: exit status %d after %" PRId64 " ms\n", code, fp_now_ms() - sent);
    assert_int_equal(code, 128 + SIGTERM);
    fp_pass(env);
}

/* Transforms on the sink path: Debezium change events (JsonConverter with schemas) unwrapped by
 * io.debezium.transforms.ExtractNewRecordState with rewrite, kept tombstones and add.fields. An
 * event it cannot unwrap goes to the DLQ with stage TRANSFORMATION and the transform's class
 * (errors.tolerance=all); with errors.tolerance=none it fails the task with a trace naming the
 * stage, the alias, the transform, topic-partition and offset, and nothing from it on reaches
 * the sink. */
static void test_sink_transforms_unwrap(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("sink_transforms");
    const char *topic = fp_name(env, "cdc_in");
    const char *dlq = fp_name(env, "cdc_dlq");
    const char *file = fp_path(env, "unwrapped.txt");
    const char *strict_file = fp_path(env, "strict.txt");
    const char *strict = fp_name(env, "unwrap_strict");
    kt_create_topic(topic, 1, NULL);
    const char *row = "{\"type\":\"struct\",\"optional\":true,\"name\":\"srv.public.t.Value\","
                      "\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
                      "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}]";
    char schema[1024];
    snprintf(schema, sizeof schema,
             "{\"type\":\"struct\",\"name\":\"srv.public.t.Envelope\",\"optional\":false,"
             "\"fields\":[%s,\"field\":\"before\"},%s,\"field\":\"after\"},"
             "{\"type\":\"struct\",\"optional\":false,\"field\":\"source\",\"fields\":["
             "{\"type\":\"string\",\"optional\":false,\"field\":\"table\"}]},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}]}", row, row);
    const char *events[][3] = {
        {"c", "null", "{\"id\":1,\"name\":\"a\"}"},
        {"u", "{\"id\":1,\"name\":\"a\"}", "{\"id\":1,\"name\":\"b\"}"},
        {"d", "{\"id\":1,\"name\":\"b\"}", "null"},
        {NULL, NULL, NULL}, /* the tombstone after the delete */
    };
    rd_kafka_t *producer = kt_producer_new(NULL);
    for (size_t i = 0; i < 4; i++) {
        char value[2048];
        if (events[i][0])
            snprintf(value, sizeof value,
                     "{\"schema\":%s,\"payload\":{\"before\":%s,\"after\":%s,"
                     "\"source\":{\"table\":\"t\"},\"op\":\"%s\"}}",
                     schema, events[i][1], events[i][2], events[i][0]);
        kt_produce(producer, topic, 0, "1", 1, events[i][0] ? value : NULL,
                   events[i][0] ? strlen(value) : 0, NULL, NULL);
    }
    kt_produce(producer, topic, 0, "1", 1, ENVELOPE_WITHOUT_ROW, strlen(ENVELOPE_WITHOUT_ROW),
               NULL, NULL);
    kt_producer_close(producer);

    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "task.restart.auto=false\n");
    const char *sink = fp_write(
        env, "unwrap.properties",
        "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n"
        "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
        "value.converter.schemas.enable=true\n"
        "transforms=unwrap\n"
        "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"
        "transforms.unwrap.delete.tombstone.handling.mode=rewrite-with-tombstone\n"
        "transforms.unwrap.add.fields=op,table\n"
        "errors.tolerance=all\nerrors.deadletterqueue.topic.name=%s\n"
        "errors.deadletterqueue.topic.replication.factor=1\n"
        "errors.deadletterqueue.context.headers.enable=true\n",
        fp_name(env, "unwrap"), topic, file, dlq);
    const char *strict_sink = fp_write(
        env, "strict.properties",
        "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n"
        "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
        "transforms=unwrap\n"
        "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"
        "errors.tolerance=none\n",
        strict, topic, strict_file);
    fp_proc *proc = fp_start(env, worker, sink, strict_sink, NULL);
    int64_t deadline = fp_now_ms() + 30000;
    while (fp_count_lines(file) < 4 || kt_partition_count(dlq) == 0 ||
           kt_end_offsets_sum(dlq) < 1) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("expected 4 unwrapped records and 1 in the DLQ (%zu lines)",
                     fp_count_lines(file));
        fp_sleep_ms(100);
    }

    /* errors.tolerance=none: FAILED at that record, which never reached the sink. */
    char strict_key[256], where[300];
    snprintf(strict_key, sizeof strict_key, "status-task-%s-0", strict);
    json_t *failed = status_wait(proc, env, strict_key, 0, "FAILED", NULL, 30000, NULL);
    const char *trace = entry_trace(failed);
    printf("# errors.tolerance=none: %s FAILED: %s\n", strict_key, trace);
    snprintf(where, sizeof where, "%s-0 at offset 4", topic);
    const char *const named[] = {"TRANSFORMATION", where,
                                 "transform unwrap (ExtractNewRecordState)"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strstr(trace, named[i]))
            fail_msg("the strict sink's trace does not name '%s'", named[i]);
    json_decref(failed);
    int64_t strict_max = -1;
    sink_lines(strict_file, &strict_max, NULL);
    if (strict_max >= 4)
        fail_msg("the strict sink wrote offset %" PRId64 ", the record that failed",
                 strict_max);
    fp_stop(proc, 30000);

    const char *expected[] = {
        "{\"id\":1,\"name\":\"a\",\"__deleted\":\"false\",\"__op\":\"c\",\"__table\":\"t\"}",
        "{\"id\":1,\"name\":\"b\",\"__deleted\":\"false\",\"__op\":\"u\",\"__table\":\"t\"}",
        "{\"id\":1,\"name\":\"b\",\"__deleted\":\"true\",\"__op\":\"d\",\"__table\":\"t\"}",
        "null",
    };
    size_t len = 0;
    char *text = fp_read_file(file, &len);
    assert_non_null(text);
    size_t n = 0;
    for (char *line = text; line < text + len; n++) {
        char *end = strchr(line, '\n');
        *end = '\0';
        const char *value = strrchr(line, '\t');
        printf("# unwrapped %zu: %s\n", n, value ? value + 1 : line);
        if (n >= 4 || !value || strcmp(value + 1, expected[n]) != 0)
            fail_msg("record %zu is '%s', expected '%s'", n, value ? value + 1 : line,
                     n < 4 ? expected[n] : "(nothing)");
        line = end + 1;
    }
    free(text);
    assert_int_equal(n, 4);
    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal(dead->count, 1);
    header_is(&dead->items[0], "__connect.errors.stage", "TRANSFORMATION");
    header_is(&dead->items[0], "__connect.errors.offset", "4");
    header_is(&dead->items[0], "__connect.errors.class.name",
              "io.debezium.transforms.ExtractNewRecordState");
    const kt_header *message = kt_record_header(&dead->items[0],
                                                "__connect.errors.exception.message");
    if (!message || !message->value || !strstr(message->value, "unwrap"))
        fail_msg("the DLQ record's exception message does not name the alias unwrap");
    if (dead->items[0].value_len != strlen(ENVELOPE_WITHOUT_ROW) ||
        memcmp(dead->items[0].value, ENVELOPE_WITHOUT_ROW, dead->items[0].value_len) != 0)
        fail_msg("the DLQ record is not the original bytes of the event");
    kt_records_free(dead);
    fp_pass(env);
}

/* JsonConverter values as checked text: a sink that declares FERRY_SINK_JSON_TEXT gets no tree
 * (RecordingTextSink), one that does not still gets one (RecordingSink), and a transform that
 * needs no tree for them (ExtractNewRecordState: no schema, no change event) leaves the text as
 * it is; in text mode the JSON null is still a null value and malformed text still goes to the
 * dead-letter queue as a VALUE_CONVERTER error with its original bytes. */
static void test_sink_json_text(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("sink_json_text");
    const char *topic = fp_name(env, "text_in");
    const char *dlq = fp_name(env, "text_dlq");
    kt_create_topic(topic, 1, NULL);
    static const char *const values[] = {"{\"id\":0}", " null ", "{\"id\":2,", "[3, \"x\"]",
                                         "{\"id\":4}"};
    rd_kafka_t *producer = kt_producer_new(NULL);
    for (size_t i = 0; i < 5; i++)
        kt_produce(producer, topic, 0, NULL, 0, values[i], strlen(values[i]), NULL, NULL);
    kt_producer_close(producer);

    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    const char *common = "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                         "value.converter.schemas.enable=false\njson.form=true\n"
                         "errors.tolerance=all\n";
    const char *names[] = {fp_name(env, "tree"), fp_name(env, "text"), fp_name(env, "unwrap")};
    const char *files[] = {fp_path(env, "tree.txt"), fp_path(env, "text.txt"),
                           fp_path(env, "unwrap.txt")};
    const char *tree = recording_connector(env, "tree", names[0], "RecordingSink", topic,
                                           files[0], common);
    char extra[1024];
    snprintf(extra, sizeof extra, "%serrors.deadletterqueue.topic.name=%s\n"
             "errors.deadletterqueue.topic.replication.factor=1\n"
             "errors.deadletterqueue.context.headers.enable=true\n", common, dlq);
    const char *text = recording_connector(env, "text", names[1], "RecordingTextSink", topic,
                                           files[1], extra);
    snprintf(extra, sizeof extra, "%stransforms=unwrap\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"
             "transforms.unwrap.delete.tombstone.handling.mode=rewrite-with-tombstone\n", common);
    const char *unwrap = recording_connector(env, "unwrap", names[2], "RecordingTextSink",
                                             topic, files[2], extra);
    fp_proc *proc = fp_start(env, worker, tree, text, unwrap, NULL);
    recording_files_wait(proc, names, files, 3, 4);
    int64_t deadline = fp_now_ms() + 30000;
    int64_t max_offset;
    while (kt_partition_count(dlq) == 0 || kt_end_offsets_sum(dlq) < 1) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("nothing reached the dead-letter queue %s", dlq);
        fp_sleep_ms(100);
    }
    fp_stop(proc, 30000);

    const char *forms[] = {"tree:", "text:", "text:"};
    for (size_t c = 0; c < 3; c++) {
        char *seen[DLQ_COUNT] = {0};
        char **seen_ptr = seen;
        assert_int_equal(sink_lines(files[c], &max_offset, &seen_ptr), 4);
        for (size_t i = 0; i < 5; i++) {
            char expected[64] = "";
            if (i == 1)
                snprintf(expected, sizeof expected, "null");
            else if (i != 2)
                snprintf(expected, sizeof expected, "%s%s", forms[c], values[i]);
            printf("# %s, offset %zu: %s\n", names[c], i, seen[i] ? seen[i] : "(none)");
            if (i == 2 ? seen[i] != NULL : !seen[i] || strcmp(seen[i], expected) != 0)
                fail_msg("%s, offset %zu: '%s', expected '%s'", names[c], i,
                         seen[i] ? seen[i] : "(none)", i == 2 ? "(none)" : expected);
            free(seen[i]);
        }
    }
    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal(dead->count, 1);
    const kt_record *record = &dead->items[0];
    assert_int_equal(record->value_len, strlen(values[2]));
    assert_memory_equal(record->value, values[2], record->value_len);
    header_is(record, "__connect.errors.stage", "VALUE_CONVERTER");
    header_is(record, "__connect.errors.offset", "2");
    header_is(record, "__connect.errors.exception.message", NULL);
    if (!strstr(kt_record_header(record, "__connect.errors.exception.message")->value,
                "malformed JSON (a missing object key at byte 8)"))
        fail_msg("the exception message does not say what is malformed and where");
    kt_records_free(dead);
    fp_pass(env);
}

/* Headers on demand: RecordingSink declares FERRY_SINK_HEADERS_ON_DEMAND and reads headers with
 * host->record_headers, RecordingTextSink reads the records' own arrays, and a transform makes
 * the host collect them before put; all three write the same headers for every record: none,
 * one, repeated names with a null and an empty value, bytes that need escaping. A fourth sink
 * asks on demand too, behind DropHeaders and InsertHeader: it gets the headers as the chain left
 * them. A fifth, behind InsertHeader alone (a chain that only appends), keeps its headers on
 * demand: the record's own are read from Kafka after the chain and come before the appended. */
#define HEADER_RECORDS 5
#define HEADER_SINKS 5
static void test_sink_headers_on_demand(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("sink_headers");
    const char *topic = fp_name(env, "headers_in");
    kt_create_topic(topic, 1, NULL);
    const kt_header one[] = {{"a", "1", 1}};
    const kt_header repeated[] = {{"h", "x", 1}, {"h", "y", 1}, {"n", NULL, 0}, {"e", "", 0}};
    const kt_header escaped[] = {{"t", "a\tb", 3}};
    const struct {
        const kt_header *headers;
        size_t count;
        const char *expected;
        const char *edited; /* h dropped, ins=1 appended (the literal 1.0 as Kafka writes it) */
        const char *appended; /* ins=1 appended */
    } records[HEADER_RECORDS] = {
        {NULL, 0, "", "ins=1", "ins=1"},
        {one, 1, "a=1", "a=1,ins=1", "a=1,ins=1"},
        {repeated, 4, "h=x,h=y,n,e=", "n,e=,ins=1", "h=x,h=y,n,e=,ins=1"},
        {escaped, 1, "t=a\\tb", "t=a\\tb,ins=1", "t=a\\tb,ins=1"},
        {one, 1, "a=1", "a=1,ins=1", "a=1,ins=1"},
    };
    rd_kafka_t *producer = kt_producer_new(NULL);
    for (size_t i = 0; i < HEADER_RECORDS; i++) {
        char value[32];
        int length = snprintf(value, sizeof value, "{\"id\":%zu}", i);
        kt_produce_headers(producer, topic, 0, NULL, 0, value, (size_t)length,
                           records[i].headers, records[i].count);
    }
    kt_producer_close(producer);

    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    const char *common = "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                         "value.converter.schemas.enable=false\nheaders.record=true\n";
    const char *names[HEADER_SINKS] = {fp_name(env, "on_demand"), fp_name(env, "eager"),
                                       fp_name(env, "transformed"), fp_name(env, "edited"),
                                       fp_name(env, "appended")};
    const char *files[HEADER_SINKS] = {fp_path(env, "on_demand.txt"), fp_path(env, "eager.txt"),
                                       fp_path(env, "transformed.txt"),
                                       fp_path(env, "edited.txt"), fp_path(env, "appended.txt")};
    const char *on_demand = recording_connector(env, "on_demand", names[0], "RecordingSink",
                                                topic, files[0], common);
    const char *eager = recording_connector(env, "eager", names[1], "RecordingTextSink", topic,
                                            files[1], common);
    char extra[768];
    snprintf(extra, sizeof extra, "%stransforms=unwrap\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n", common);
    const char *transformed = recording_connector(env, "transformed", names[2], "RecordingSink",
                                                  topic, files[2], extra);
    snprintf(extra, sizeof extra, "%stransforms=drop,ins\n"
             "transforms.drop.type=org.apache.kafka.connect.transforms.DropHeaders\n"
             "transforms.drop.headers=h\n"
             "transforms.ins.type=org.apache.kafka.connect.transforms.InsertHeader\n"
             "transforms.ins.header=ins\ntransforms.ins.value.literal=1.0\n", common);
    const char *edited = recording_connector(env, "edited", names[3], "RecordingSink", topic,
                                             files[3], extra);
    snprintf(extra, sizeof extra, "%stransforms=ins\n"
             "transforms.ins.type=org.apache.kafka.connect.transforms.InsertHeader\n"
             "transforms.ins.header=ins\ntransforms.ins.value.literal=1.0\n", common);
    const char *appended = recording_connector(env, "appended", names[4], "RecordingSink", topic,
                                               files[4], extra);
    fp_proc *proc = fp_start(env, worker, on_demand, eager, transformed, edited, appended, NULL);
    recording_files_wait(proc, names, files, HEADER_SINKS, HEADER_RECORDS);
    fp_stop(proc, 30000);

    for (size_t c = 0; c < HEADER_SINKS; c++) {
        char *seen[HEADER_RECORDS] = {0};
        int64_t max_offset;
        assert_int_equal(sink_file_read(files[c], SINK_FIELD_HEADERS, &max_offset, seen,
                                        HEADER_RECORDS), HEADER_RECORDS);
        assert_int_equal(max_offset, HEADER_RECORDS - 1);
        for (size_t i = 0; i < HEADER_RECORDS; i++) {
            const char *expected = c == 3   ? records[i].edited
                                   : c == 4 ? records[i].appended
                                            : records[i].expected;
            printf("# %s, offset %zu: headers '%s'\n", names[c], i, seen[i] ? seen[i] : "(none)");
            if (!seen[i] || strcmp(seen[i], expected) != 0)
                fail_msg("%s, offset %zu: headers '%s', expected '%s'", names[c], i,
                         seen[i] ? seen[i] : "(no headers field)", expected);
            free(seen[i]);
        }
    }
    fp_pass(env);
}

/* ---- 7. the embedded Kafka -------------------------------------------------------------- */

static void test_embedded_kafka(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("embedded_kafka");
    const char *topic = fp_name(env, "embedded");
    const char *file = fp_path(env, "sink.txt");
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "-bootstrap.servers\n");
    char *text = fp_read_file(worker, NULL);
    bool has_bootstrap = strstr(text, "bootstrap.servers") != NULL;
    free(text);
    assert_false(has_bootstrap);
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=2\ncount=100\nbatch.size=10\n",
                                  fp_name(env, "esrc"), topic);
    const char *sink = fp_write(env, "sink.properties",
                                "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n",
                                fp_name(env, "esink"), topic, file);
    fp_proc *proc = fp_start(env, worker, source, sink, NULL);
    if (!fp_wait_log(proc, "EMBEDDED KAFKA", 30000))
        fail_msg("the log does not announce the embedded Kafka");
    char *log = fp_log(proc);
    const char *at = strstr(log, "Bootstrap address: ");
    char bootstrap[128] = "";
    if (at)
        sscanf(at + strlen("Bootstrap address: "), "%127[^ ,)]", bootstrap);
    free(log);
    printf("# embedded Kafka announced at '%s'\n", bootstrap);
    if (!bootstrap[0] || !strchr(bootstrap, ':'))
        fail_msg("the log does not give the embedded Kafka's bootstrap address");

    /* The address answers: a client sees the worker's internal topics there. */
    if (!kt_cluster_lists_topic(bootstrap, fp_offsets_topic(env), 20000))
        fail_msg("the embedded Kafka at %s does not list the offsets topic %s", bootstrap,
                 fp_offsets_topic(env));

    int64_t deadline = fp_now_ms() + 60000;
    while (fp_count_lines(file) < 200) {
        if (!fp_alive(proc))
            fail_msg("ferry exited before the pipeline completed");
        if (fp_now_ms() > deadline)
            fail_msg("only %zu of 200 records reached the sink through the embedded Kafka",
                     fp_count_lines(file));
        fp_sleep_ms(100);
    }
    fp_sleep_ms(2 * FLUSH_MS);
    fp_stop(proc, 30000);

    size_t len = 0;
    char *lines = fp_read_file(file, &len);
    bool seen[2][100] = {{false}};
    size_t count = 0;
    for (char *line = lines; line && line < lines + len;) {
        char *end = strchr(line, '\n');
        *end = '\0';
        char *value = strrchr(line, '\t');
        int p = -1, n = -1;
        if (value && sscanf(value + 1, "%d:%d", &p, &n) == 2 && p >= 0 && p < 2 && n >= 0 &&
            n < 100)
            seen[p][n] = true;
        else
            fail_msg("unexpected sink line '%s'", line);
        count++;
        line = end + 1;
    }
    free(lines);
    for (int p = 0; p < 2; p++)
        for (int n = 0; n < 100; n++)
            if (!seen[p][n])
                fail_msg("record %d:%d did not reach the sink", p, n);
    printf("# embedded Kafka: %zu lines in the sink file for 200 records\n", count);
    fp_pass(env);
}

/* ---- 8. the internal topics, byte for byte ---------------------------------------------- */

static void test_internal_topics_byte_for_byte(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("internal_topics");
    const char *name = fp_name(env, "bytes");
    const char *topic = fp_name(env, "bytes_out");
    kt_create_topic(topic, 1, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "offset.storage.partitions=7\n"
                                        "status.storage.partitions=3\n");
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=1\ncount=10\nbatch.size=10\ntasks.max=1\n",
                                  name, topic);
    char properties[1024];
    snprintf(properties, sizeof properties,
             "\"name\":\"%s\",\"connector.class\":\"SequenceSource\",\"topic\":\"%s\","
             "\"partitions\":\"1\",\"count\":\"10\",\"batch.size\":\"10\",\"tasks.max\":\"1\"",
             name, topic);
    char offset_key[512];
    snprintf(offset_key, sizeof offset_key, "[\"%s\",{\"partition\":0,\"sequence\":\"%s\"}]", name,
             name);

    fp_proc *proc = fp_start(env, worker, source, NULL);
    int64_t deadline = fp_now_ms() + 30000;
    for (bool done = false; !done;) {
        if (kt_partition_count(fp_offsets_topic(env)) > 0) {
            kt_records *records = kt_consume_all(fp_offsets_topic(env), 30000);
            const kt_record *last = kt_records_last(records, offset_key);
            done = last && last->value && strcmp(last->value, "{\"seq\":10}") == 0;
            kt_records_free(records);
        }
        if (!done && (!fp_alive(proc) || fp_now_ms() > deadline))
            fail_msg("the offset {\"seq\":10} was never committed under key %s", offset_key);
        if (!done)
            fp_sleep_ms(200);
    }
    fp_stop(proc, 30000);

    /* Partitions and compaction. */
    const struct {
        const char *topic;
        int partitions;
    } internal[] = {{fp_offsets_topic(env), 7}, {fp_configs_topic(env), 1},
                    {fp_status_topic(env), 3}};
    for (size_t i = 0; i < 3; i++) {
        int partitions = kt_partition_count(internal[i].topic);
        char *policy = kt_topic_config(internal[i].topic, "cleanup.policy");
        printf("# %s: %d partitions, cleanup.policy=%s\n", internal[i].topic, partitions,
               policy ? policy : "(none)");
        bool compact = policy && strcmp(policy, "compact") == 0;
        free(policy);
        assert_int_equal(partitions, internal[i].partitions);
        if (!compact)
            fail_msg("%s is not compacted", internal[i].topic);
    }

    /* Offsets: one stable key, {"seq":N} values, murmur2-partitioned like a Java worker. */
    kt_records *offsets = kt_consume_all(fp_offsets_topic(env), 30000);
    assert_true(offsets->count >= 1);
    for (size_t i = 0; i < offsets->count; i++) {
        const kt_record *r = &offsets->items[i];
        printf("# offsets %d/%" PRId64 ": %s -> %s\n", r->partition, r->offset,
               r->key ? r->key : "(null)", r->value ? r->value : "(null)");
        if (!r->key || strcmp(r->key, offset_key) != 0)
            fail_msg("offsets key '%s', expected '%s'", r->key ? r->key : "(null)", offset_key);
        int n = -1;
        char tail = 0;
        if (!r->value || sscanf(r->value, "{\"seq\":%d%c", &n, &tail) != 2 || tail != '}' ||
            n < 1 || n > 10 || r->value[strlen(r->value) - 1] != '}')
            fail_msg("offsets value '%s' is not {\"seq\":N}", r->value ? r->value : "(null)");
        assert_int_equal(r->partition, kt_java_partition(r->key, r->key_len, 7));
    }
    assert_string_equal(offsets->items[offsets->count - 1].value, "{\"seq\":10}");
    kt_records_free(offsets);

    /* Configs: the connector, its task, the commit; nothing else. */
    char expected_connector[1200], expected_task[1300], key[300];
    snprintf(expected_connector, sizeof expected_connector, "{\"properties\":{%s}}", properties);
    snprintf(expected_task, sizeof expected_task,
             "{\"properties\":{%s,\"task.partitions\":\"0\",\"task.class\":"
             "\"SequenceSourceTask\"}}", properties);
    kt_records *configs = kt_consume_all(fp_configs_topic(env), 30000);
    for (size_t i = 0; i < configs->count; i++)
        printf("# configs %" PRId64 ": %s -> %s\n", configs->items[i].offset,
               configs->items[i].key ? configs->items[i].key : "(null)",
               configs->items[i].value ? configs->items[i].value : "(null)");
    assert_int_equal(configs->count, 3);
    snprintf(key, sizeof key, "connector-%s", name);
    assert_string_equal(configs->items[0].key, key);
    assert_string_equal(configs->items[0].value, expected_connector);
    snprintf(key, sizeof key, "task-%s-0", name);
    assert_string_equal(configs->items[1].key, key);
    assert_string_equal(configs->items[1].value, expected_task);
    snprintf(key, sizeof key, "commit-%s", name);
    assert_string_equal(configs->items[2].key, key);
    assert_string_equal(configs->items[2].value, "{\"tasks\":1}");
    kt_records_free(configs);

    /* Status: Kafka Connect's {"state","trace","worker_id","generation"}, murmur2-partitioned. */
    char running[256], unassigned[256];
    snprintf(running, sizeof running,
             "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"127.0.0.1:%d\","
             "\"generation\":1}", fp_listener_port(env));
    snprintf(unassigned, sizeof unassigned,
             "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"127.0.0.1:%d\","
             "\"generation\":1}", fp_listener_port(env));
    kt_records *status = kt_consume_all(fp_status_topic(env), 30000);
    const kt_record *first_connector = NULL, *last_connector = NULL, *first_task = NULL,
                    *last_task = NULL;
    size_t topic_records = 0;
    char connector_key[300], task_key_text[300], topic_key[300];
    snprintf(topic_key, sizeof topic_key, "status-topic-%s:connector-%s", topic, name);
    snprintf(connector_key, sizeof connector_key, "status-connector-%s", name);
    snprintf(task_key_text, sizeof task_key_text, "status-task-%s-0", name);
    for (size_t i = 0; i < status->count; i++) {
        const kt_record *r = &status->items[i];
        printf("# status %d/%" PRId64 ": %s -> %s\n", r->partition, r->offset,
               r->key ? r->key : "(null)", r->value ? r->value : "(null)");
        assert_non_null(r->key);
        assert_int_equal(r->partition, kt_java_partition(r->key, r->key_len, 3));
        if (strcmp(r->key, connector_key) == 0) {
            if (!first_connector)
                first_connector = r;
            last_connector = r;
        }
        if (strcmp(r->key, task_key_text) == 0) {
            if (!first_task)
                first_task = r;
            last_task = r;
        }
        if (strcmp(r->key, topic_key) == 0) {
            /* Topic tracking (KIP-558): written once, with the topic, connector and task. */
            topic_records++;
            json_t *value = json_loads(r->value ? r->value : "", 0, NULL);
            json_t *entry = json_object_get(value, "topic");
            if (json_object_size(value) != 1 || json_object_size(entry) != 4 ||
                !json_string_is(json_object_get(entry, "name"), topic) ||
                !json_string_is(json_object_get(entry, "connector"), name) ||
                json_integer_value(json_object_get(entry, "task")) != 0 ||
                json_integer_value(json_object_get(entry, "discoverTimestamp")) < 1700000000000)
                fail_msg("topic tracking record %s -> %s", r->key, r->value ? r->value : "null");
            json_decref(value);
        }
    }
    assert_int_equal(topic_records, 1);
    if (!first_connector || !first_task)
        fail_msg("the status topic lacks %s or %s", connector_key, task_key_text);
    assert_string_equal(first_connector->value, running);
    assert_string_equal(first_task->value, running);
    /* After the graceful stop, as Kafka Connect's onShutdown: the task and the connector. */
    assert_string_equal(last_task->value, unassigned);
    assert_string_equal(last_connector->value, unassigned);
    kt_records_free(status);
    fp_pass(env);
}

static void test_non_compacted_offsets_topic_refused(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("non_compacted");
    const char *offsets = fp_name(env, "plain_offsets");
    static const char *const delete_policy[] = {"cleanup.policy", "delete", NULL};
    kt_create_topic(offsets, 1, delete_policy);
    char extra[300];
    snprintf(extra, sizeof extra, "offset.storage.topic=%s\n", offsets);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, extra);
    fp_proc *proc = fp_start(env, worker, NULL);
    int code = -1;
    if (!fp_wait_exit(proc, 60000, &code))
        fail_msg("the worker did not refuse the non-compacted offsets topic within 60 s");
    char *log = fp_log(proc);
    bool names_topic = strstr(log, offsets) != NULL;
    bool names_policy = strstr(log, "cleanup.policy") != NULL;
    free(log);
    printf("# non-compacted %s: exit status %d\n", offsets, code);
    fp_print_log_tail(proc, 3);
    if (code == 0)
        fail_msg("the worker started on a non-compacted offsets topic");
    if (!names_topic || !names_policy)
        fail_msg("the error does not name the topic and cleanup.policy");
    fp_pass(env);
}

/* ---- 9. config problems ----------------------------------------------------------------- */

static void test_config_problems_named(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("config_problems");
    static const char *const bad[][2] = {
        {"offset.flush.interval.ms", "soon"},
        {"task.restart.auto", "maybe"},
        {"offset.storage.replication.factor", "0"},
        {"status.storage.partitions", "0"},
        {"task.shutdown.graceful.timeout.ms", "-5"},
    };
    char extra[1024] = "";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s=%s\n", bad[i][0],
                 bad[i][1]);
    const char *worker = fp_worker_file(env, "bad-worker.properties", -1, extra);
    fp_proc *proc = fp_start(env, worker, NULL);
    int code = -1;
    if (!fp_wait_exit(proc, 30000, &code))
        fail_msg("a worker with a bad config did not exit");
    printf("# bad worker file: exit status %d\n", code);
    fp_print_log_tail(proc, 8);
    if (code == 0)
        fail_msg("a worker with %zu bad values exited 0", sizeof bad / sizeof bad[0]);
    char *log = fp_log(proc);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char expected[256];
        snprintf(expected, sizeof expected, "'%s' for configuration %s", bad[i][1], bad[i][0]);
        if (!strstr(log, expected)) {
            free(log);
            fail_msg("the log does not name %s=%s (looked for \"%s\")", bad[i][0], bad[i][1],
                     expected);
        }
    }
    free(log);

    /* A connector file with a bad value: a good worker, but no start and no stored config. */
    const char *good_worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    const char *name = fp_name(env, "badconn");
    const char *connector = fp_write(env, "connector.properties",
                                     "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                     "count=lots\n", name, fp_name(env, "never"));
    proc = fp_start(env, good_worker, connector, NULL);
    if (!fp_wait_exit(proc, 60000, &code))
        fail_msg("a worker with a bad connector file did not exit");
    printf("# bad connector file: exit status %d\n", code);
    fp_print_log_tail(proc, 3);
    if (code == 0)
        fail_msg("a bad connector file did not make the worker exit non-zero");
    if (!fp_log_contains(proc, "count") || !fp_log_contains(proc, "'lots'"))
        fail_msg("the log does not name count and its value 'lots'");
    if (kt_partition_count(fp_configs_topic(env)) > 0) {
        kt_records *configs = kt_consume_all(fp_configs_topic(env), 30000);
        size_t stored = configs->count;
        kt_records_free(configs);
        if (stored)
            fail_msg("the invalid connector config was stored in the configs topic");
    }
    fp_pass(env);
}

/* A sink whose put asks for a retry gets the same batch again after a pause: while the retry
 * file exists nothing reaches the file and the task stays RUNNING; once it is gone every record
 * arrives exactly once and in Kafka order. */
#define RETRY_COUNT 3000
static void test_sink_retry_redelivers_same_batch(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("sink_retry");
    const char *topic = fp_name(env, "retry_in");
    const char *connector = fp_name(env, "retrying");
    const char *file = fp_path(env, "retrying.txt");
    const char *retry_file = fp_path(env, "retry-now");
    kt_create_topic(topic, 1, NULL);
    rd_kafka_t *producer = kt_producer_new(NULL);
    for (int i = 0; i < RETRY_COUNT; i++) {
        char value[32];
        snprintf(value, sizeof value, "v%d", i);
        kt_produce(producer, topic, 0, NULL, 0, value, strlen(value), NULL, NULL);
    }
    kt_producer_close(producer);
    fp_write(env, "retry-now", "retry\n");

    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    const char *sink = fp_write(env, "retrying.properties",
                                "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n"
                                "retry.when.file.exists=%s\nerrors.retry.delay.max.ms=300\n",
                                connector, topic, file, retry_file);
    /* The same sink with errors.retry.timeout: it gives up and fails, naming the limit. */
    const char *bounded = fp_name(env, "bounded");
    const char *bounded_sink = fp_write(env, "bounded.properties",
                                        "name=%s\nconnector.class=RecordingSink\ntopics=%s\n"
                                        "file=%s\nretry.when.file.exists=%s\n"
                                        "errors.retry.delay.max.ms=300\n"
                                        "errors.retry.timeout=1500\n",
                                        bounded, topic, fp_path(env, "bounded.txt"), retry_file);
    fp_proc *proc = fp_start(env, worker, sink, bounded_sink, NULL);
    if (!fp_wait_log(proc, "put asked for a retry", 30000))
        fail_msg("the sink never asked for a retry");
    char bounded_key[256];
    snprintf(bounded_key, sizeof bounded_key, "status-task-%s-0", bounded);
    json_t *gave_up = status_wait(proc, env, bounded_key, 0, "FAILED",
                                  "errors.retry.timeout=1500", 20000, NULL);
    printf("# errors.retry.timeout=1500: %s\n", entry_trace(gave_up));
    if (!strstr(entry_trace(gave_up), "retry requested"))
        fail_msg("the trace does not carry the plugin's last message");
    json_decref(gave_up);
    fp_sleep_ms(3 * FLUSH_MS); /* several retries and flush intervals */
    if (!fp_wait_log(proc, "the same", 1000))
        fail_msg("the retry does not say the same records come again");
    int64_t max_offset = -1;
    assert_int_equal(sink_lines(file, &max_offset, NULL), 0);
    char status_key[256];
    snprintf(status_key, sizeof status_key, "status-task-%s-0", connector);
    json_t *running = status_wait(proc, env, status_key, 0, "RUNNING", NULL, 10000, NULL);
    json_decref(running);

    unlink(retry_file);
    int64_t deadline = fp_now_ms() + 60000;
    while (fp_count_lines(file) < RETRY_COUNT) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("only %zu of %d records reached the sink after the retries stopped",
                     fp_count_lines(file), RETRY_COUNT);
        fp_sleep_ms(100);
    }
    fp_sleep_ms(2 * FLUSH_MS);
    fp_stop(proc, 30000);

    /* Exactly once each, in offset order. */
    size_t len = 0;
    char *text = fp_read_file(file, &len);
    assert_non_null(text);
    int64_t expected = 0;
    for (char *line = text; line < text + len;) {
        char *end = strchr(line, '\n');
        if (!end)
            break;
        *end = '\0';
        char *fields[5] = {0};
        char *cursor = line;
        for (int f = 0; f < 5 && cursor; f++) {
            fields[f] = cursor;
            char *tab = f < 4 ? strchr(cursor, '\t') : NULL;
            if (tab)
                *tab = '\0';
            cursor = tab ? tab + 1 : NULL;
        }
        char value[32];
        snprintf(value, sizeof value, "v%lld", (long long)expected);
        if (!fields[4] || strtoll(fields[2], NULL, 10) != expected || strcmp(fields[4], value))
            fail_msg("line %lld: expected offset %lld with %s, got offset %s value %s",
                     (long long)expected, (long long)expected, value,
                     fields[2] ? fields[2] : "?", fields[4] ? fields[4] : "?");
        expected++;
        line = end + 1;
    }
    free(text);
    assert_int_equal(expected, RETRY_COUNT);
    printf("# sink retry: %d records redelivered after the retries, in order, once each\n",
           RETRY_COUNT);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    /* FERRY_TEST_FILTER=test_dead* runs only the matching tests (cmocka's pattern). */
    if (getenv("FERRY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("FERRY_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_config_problems_named, fp_env_teardown),
        cmocka_unit_test_teardown(test_internal_topics_byte_for_byte, fp_env_teardown),
        cmocka_unit_test_teardown(test_non_compacted_offsets_topic_refused, fp_env_teardown),
        cmocka_unit_test_teardown(test_embedded_kafka, fp_env_teardown),
        cmocka_unit_test_teardown(test_failing_task_restarts_automatically, fp_env_teardown),
        cmocka_unit_test_teardown(test_failed_task_stays_failed_without_auto_restart, fp_env_teardown),
        cmocka_unit_test_teardown(test_dead_letter_queue, fp_env_teardown),
        cmocka_unit_test_teardown(test_source_dead_letter_queue, fp_env_teardown),
        cmocka_unit_test_teardown(test_source_transform_errors, fp_env_teardown),
        cmocka_unit_test_teardown(test_sink_retry_redelivers_same_batch, fp_env_teardown),
        cmocka_unit_test_teardown(test_second_signal_exits_at_once, fp_env_teardown),
        cmocka_unit_test_teardown(test_sink_transforms_unwrap, fp_env_teardown),
        cmocka_unit_test_teardown(test_sink_json_text, fp_env_teardown),
        cmocka_unit_test_teardown(test_sink_headers_on_demand, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("runtime_lifecycle", tests, NULL, NULL);
}
