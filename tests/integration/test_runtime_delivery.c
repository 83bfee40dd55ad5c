/* The delivery guarantees of docs/runtime.md, proven on the real ferry binary and the real broker:
 *
 *   1. source, kill -9 three times: no gap in any source partition's sequence, duplicates bounded
 *      by about one flush interval per kill;
 *   2. sink, kill -9 three times: every record reaches the RecordingSink file, duplicates bounded
 *      likewise;
 *   3. graceful restart (SIGTERM) of a worker running a source and a sink: zero duplicates on
 *      either path, nothing missing;
 *   4. the broker stopped for 30 s mid-stream: nothing lost, the worker never exits, no task ever
 *      FAILED. Last, since it stops the shared broker (and always starts it again).
 *
 * The test plugins (tests/plugins/sequence) make the records checkable: SequenceSource values are
 * "<source partition>:<n>", RecordingSink writes "topic\tpartition\toffset\tkey\tvalue" lines at
 * flush only. Throttles (SequenceSource's batch.size/interval.ms, the sink consumer's fetch size)
 * keep every run long enough for several flush intervals, so that a kill lands mid-stream and a
 * lost offset commit would show as far more duplicates than the bound. */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"

#define FLUSH_MS 1000
#define KILLS 3
#define MAX_KAFKA_PARTITIONS 16

/* ---- SequenceSource records in a topic -------------------------------------------------- */

typedef struct seq_record {
    int64_t offset;
    int64_t n;
    int32_t kafka_partition;
    int32_t p;
} seq_record;

typedef struct seq_records {
    seq_record *items;
    size_t count;
    size_t capacity;
    size_t malformed;
    char first_malformed[128];
} seq_records;

/* Parses "<p>:<n>" followed by nothing or 'x' padding. */
static bool seq_value_parse(const char *value, size_t len, int32_t *p, int64_t *n)
{
    char text[64];
    if (!value || len == 0 || len >= sizeof text)
        return false;
    memcpy(text, value, len);
    text[len] = '\0';
    char *end;
    long partition = strtol(text, &end, 10);
    if (end == text || *end != ':')
        return false;
    char *number = end + 1;
    long long sequence = strtoll(number, &end, 10);
    if (end == number)
        return false;
    while (*end == 'x')
        end++;
    if (*end)
        return false;
    *p = (int32_t)partition;
    *n = sequence;
    return true;
}

static void seq_collect(const rd_kafka_message_t *m, void *opaque)
{
    seq_records *records = opaque;
    int32_t p;
    int64_t n;
    if (!seq_value_parse(m->payload, m->len, &p, &n)) {
        if (records->malformed++ == 0)
            snprintf(records->first_malformed, sizeof records->first_malformed, "%.*s",
                     (int)(m->len < 100 ? m->len : 100), m->payload ? (char *)m->payload : "");
        return;
    }
    if (records->count == records->capacity) {
        records->capacity = records->capacity ? records->capacity * 2 : 65536;
        records->items = realloc(records->items, records->capacity * sizeof(seq_record));
        assert_non_null(records->items);
    }
    records->items[records->count++] = (seq_record){m->offset, n, m->partition, p};
}

static seq_records *seq_read(const char *topic)
{
    seq_records *records = calloc(1, sizeof(*records));
    assert_non_null(records);
    int64_t started = fp_now_ms();
    kt_consume(topic, 300000, seq_collect, records);
    printf("# read %zu records of %s in %lld ms\n", records->count, topic,
           (long long)(fp_now_ms() - started));
    if (records->malformed)
        fail_msg("%zu records of %s are not \"<p>:<n>\", first: '%s'", records->malformed, topic,
                 records->first_malformed);
    return records;
}

static void seq_records_free(seq_records *records)
{
    free(records->items);
    free(records);
}

typedef struct seq_check {
    int64_t records;
    int64_t missing;
    int64_t duplicates;
    int64_t first_missing_p, first_missing_n;
} seq_check;

/* Counts, for partitions 0..partitions-1 and numbers 0..count-1, what is missing and what came
 * more than once; a number out of range fails. */
static seq_check seq_verify(const seq_records *records, int partitions, int64_t count)
{
    seq_check check = {.records = (int64_t)records->count, .first_missing_p = -1};
    uint8_t *seen = calloc((size_t)(partitions * count), 1);
    assert_non_null(seen);
    for (size_t i = 0; i < records->count; i++) {
        const seq_record *r = &records->items[i];
        if (r->p < 0 || r->p >= partitions || r->n < 0 || r->n >= count) {
            free(seen);
            fail_msg("record %d:%" PRId64 " at %d/%" PRId64 " is out of range", r->p, r->n,
                     r->kafka_partition, r->offset);
        }
        uint8_t *cell = &seen[(size_t)r->p * (size_t)count + (size_t)r->n];
        if (*cell)
            check.duplicates++;
        if (*cell < 255)
            (*cell)++;
    }
    for (int p = 0; p < partitions; p++) {
        for (int64_t n = 0; n < count; n++) {
            if (seen[(size_t)p * (size_t)count + (size_t)n] == 0) {
                if (check.missing++ == 0) {
                    check.first_missing_p = p;
                    check.first_missing_n = n;
                }
            }
        }
    }
    free(seen);
    return check;
}

/* ---- RecordingSink files ---------------------------------------------------------------- */

typedef struct sink_line {
    int32_t partition;
    int64_t offset;
    char *key;
    char *value;
} sink_line;

typedef struct sink_file {
    sink_line *lines;
    size_t count;
    char *text;
} sink_file;

/* Parses every "topic\tpartition\toffset\tkey\tvalue" line; a line of another topic or of another
 * shape fails the test. */
static sink_file *sink_file_read(const char *path, const char *topic)
{
    sink_file *file = calloc(1, sizeof(*file));
    assert_non_null(file);
    size_t len = 0;
    file->text = fp_read_file(path, &len);
    if (!file->text)
        return file;
    size_t capacity = 0;
    char *line = file->text;
    while (line < file->text + len) {
        char *newline = memchr(line, '\n', (size_t)(file->text + len - line));
        if (!newline)
            fail_msg("%s ends in a partial line: '%.80s'", path, line);
        *newline = '\0';
        char *fields[5];
        char *cursor = line;
        for (int f = 0; f < 5; f++) {
            fields[f] = cursor;
            char *tab = f < 4 ? strchr(cursor, '\t') : NULL;
            if (f < 4 && !tab)
                fail_msg("%s: line '%.120s' does not have 5 fields", path, line);
            if (tab) {
                *tab = '\0';
                cursor = tab + 1;
            }
        }
        if (strcmp(fields[0], topic) != 0)
            fail_msg("%s: line of topic '%s', expected %s", path, fields[0], topic);
        if (file->count == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            file->lines = realloc(file->lines, capacity * sizeof(*file->lines));
            assert_non_null(file->lines);
        }
        file->lines[file->count++] = (sink_line){(int32_t)strtol(fields[1], NULL, 10),
                                                 strtoll(fields[2], NULL, 10), fields[3],
                                                 fields[4]};
        line = newline + 1;
    }
    return file;
}

static void sink_file_free(sink_file *file)
{
    free(file->lines);
    free(file->text);
    free(file);
}

/* ---- watching progress ------------------------------------------------------------------ */

typedef int64_t (*progress_fn)(void *opaque);

typedef struct watch {
    int64_t start_value;
    int64_t value;
    int64_t first_change_at; /* 0 = it never moved */
    int64_t last_change_at;
    /* The first sample at least WATCH_SETTLE_MS after the first change: a rate measured from
     * there leaves out the burst of what queued up while the clients connected. */
    int64_t settled_value;
    int64_t settled_at; /* 0 = none */
    bool stalled;       /* gave up: no progress for stall_ms below the target */
    int64_t max_step;   /* the largest growth between two samples (a sink file: one flush) */
} watch;

#define WATCH_SETTLE_MS 500

/* Records per second from the settled sample to the last change (from the first change when the
 * run was too short to settle). */
static double watch_rate(const watch *w)
{
    int64_t from_value = w->settled_at ? w->settled_value : w->start_value;
    int64_t from_at = w->settled_at ? w->settled_at : w->first_change_at;
    double seconds = (double)(w->last_change_at - from_at) / 1000.0;
    return seconds > 0 ? (double)(w->value - from_value) / seconds : 0;
}

/* Polls progress every poll_ms until it reaches target (stable_ms = 0), or reaches it and then
 * stays unchanged for stable_ms. Fails when the process exits or at the deadline. With stall_ms,
 * gives up (w.stalled) when nothing moved for that long below the target, so that the caller's
 * checks can say what is missing. */
static watch watch_progress_stall(fp_proc *proc, const char *what, progress_fn progress,
                                  void *opaque, int64_t target, int64_t stable_ms,
                                  int64_t poll_ms, int64_t timeout_ms, int64_t stall_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    watch w = {.start_value = progress(opaque)};
    w.value = w.start_value;
    int64_t changed_at = fp_now_ms();
    for (;;) {
        int64_t now = fp_now_ms();
        int64_t value = progress(opaque);
        if (value != w.value) {
            if (value - w.value > w.max_step)
                w.max_step = value - w.value;
            w.value = value;
            changed_at = now;
            if (!w.first_change_at)
                w.first_change_at = now;
            w.last_change_at = now;
        }
        if (w.first_change_at && !w.settled_at && now - w.first_change_at >= WATCH_SETTLE_MS) {
            w.settled_at = now;
            w.settled_value = value;
        }
        if (value >= target && now - changed_at >= stable_ms)
            return w;
        if (stall_ms > 0 && value < target && now - changed_at >= stall_ms) {
            printf("# no progress for %lld ms waiting for %s: %" PRId64 " of %" PRId64 "\n",
                   (long long)stall_ms, what, value, target);
            w.stalled = true;
            return w;
        }
        if (!fp_alive(proc))
            fail_msg("ferry exited while waiting for %s (%" PRId64 " of %" PRId64 ")", what,
                     value, target);
        if (now > deadline)
            fail_msg("timed out waiting for %s: %" PRId64 " of %" PRId64, what, value, target);
        fp_sleep_ms(poll_ms);
    }
}

static watch watch_progress(fp_proc *proc, const char *what, progress_fn progress, void *opaque,
                            int64_t target, int64_t stable_ms, int64_t poll_ms,
                            int64_t timeout_ms)
{
    return watch_progress_stall(proc, what, progress, opaque, target, stable_ms, poll_ms,
                                timeout_ms, 0);
}

/* How long a final run may show no progress before the test stops waiting and checks. */
#define STALL_MS 20000

static int64_t topic_progress(void *opaque)
{
    return kt_end_offsets_sum(opaque);
}

static int64_t file_progress(void *opaque)
{
    return (int64_t)fp_count_lines(opaque);
}

static void restored_or_fail(fp_proc *proc, const char *connector)
{
    char line[256];
    snprintf(line, sizeof line, "restoring connector %s", connector);
    if (!fp_wait_log(proc, line, 30000))
        fail_msg("the restarted worker did not restore connector %s from the config topic",
                 connector);
}

/* ---- 1. kill -9 three times, source ----------------------------------------------------- */

#define SOURCE_PARTITIONS 4
#define SOURCE_COUNT 250000
#define SOURCE_TOTAL ((int64_t)SOURCE_PARTITIONS * SOURCE_COUNT)
#define SOURCE_KAFKA_PARTITIONS 3

static const double kill_at[KILLS] = {0.20, 0.45, 0.70};

static void test_source_kill9_three_times(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("source_kill9");
    const char *topic = fp_name(env, "seq");
    const char *connector = fp_name(env, "seqsrc");
    kt_create_topic(topic, SOURCE_KAFKA_PARTITIONS, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    /* Two tasks of two source partitions each, throttled to at most 100k records/s. */
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=%d\ncount=%d\ntasks.max=2\nbatch.size=100\n"
                                  "interval.ms=2\n",
                                  connector, topic, SOURCE_PARTITIONS, SOURCE_COUNT);
    int64_t ends[KILLS][MAX_KAFKA_PARTITIONS] = {{0}};
    double rate_max = 0;

    for (int k = 0; k < KILLS; k++) {
        /* Only the first run names the connector: later ones restore it from the config topic. */
        fp_proc *proc = k == 0 ? fp_start(env, worker, source, NULL) : fp_start(env, worker, NULL);
        if (k > 0)
            restored_or_fail(proc, connector);
        int64_t target = (int64_t)(kill_at[k] * (double)SOURCE_TOTAL);
        watch w = watch_progress(proc, "records in the topic", topic_progress, (void *)topic,
                                 target, 0, 10, 120000);
        fp_kill9(proc);
        fp_sleep_ms(500); /* produce requests already sent may still land */
        kt_end_offsets(topic, ends[k], MAX_KAFKA_PARTITIONS);
        double seconds = (double)(w.last_change_at - w.first_change_at) / 1000.0;
        double rate = watch_rate(&w);
        if (rate > rate_max)
            rate_max = rate;
        printf("# source: kill -9 #%d at %" PRId64 " records in the topic (%.0f%% of %" PRId64
               "); this run produced %" PRId64 " in %.2f s, steady rate %.0f records/s\n",
               k + 1, w.value, 100.0 * (double)w.value / (double)SOURCE_TOTAL, SOURCE_TOTAL,
               w.value - w.start_value, seconds, rate);
    }

    /* The last run goes to the end; SIGTERM once nothing new came for 3 s. */
    fp_proc *proc = fp_start(env, worker, NULL);
    restored_or_fail(proc, connector);
    watch w = watch_progress_stall(proc, "the whole sequence in the topic", topic_progress,
                                   (void *)topic, SOURCE_TOTAL, 3000, 10, 180000, STALL_MS);
    double seconds = (double)(w.last_change_at - w.first_change_at) / 1000.0;
    double rate = watch_rate(&w);
    printf("# source: final run produced %" PRId64 " in %.2f s, steady rate %.0f records/s\n",
           w.value - w.start_value, seconds, rate);
    if (rate > rate_max)
        rate_max = rate;
    fp_stop(proc, 60000);

    seq_records *records = seq_read(topic);
    seq_check check = seq_verify(records, SOURCE_PARTITIONS, SOURCE_COUNT);

    /* Duplicates per kill: records of the runs after kill k (segment k + 1, by Kafka position)
     * whose number an earlier segment already holds. */
    int64_t segment_max[KILLS + 1][SOURCE_PARTITIONS];
    for (int s = 0; s <= KILLS; s++)
        for (int p = 0; p < SOURCE_PARTITIONS; p++)
            segment_max[s][p] = -1;
    int *segment = calloc(records->count ? records->count : 1, sizeof(int));
    assert_non_null(segment);
    for (size_t i = 0; i < records->count; i++) {
        const seq_record *r = &records->items[i];
        int s = KILLS;
        for (int k = 0; k < KILLS; k++) {
            if (r->offset < ends[k][r->kafka_partition]) {
                s = k;
                break;
            }
        }
        segment[i] = s;
        if (r->n > segment_max[s][r->p])
            segment_max[s][r->p] = r->n;
    }
    int64_t before_max[KILLS + 1][SOURCE_PARTITIONS]; /* max n of the segments before s */
    for (int p = 0; p < SOURCE_PARTITIONS; p++) {
        int64_t running = -1;
        for (int s = 0; s <= KILLS; s++) {
            before_max[s][p] = running;
            if (segment_max[s][p] > running)
                running = segment_max[s][p];
        }
    }
    int64_t per_kill[KILLS] = {0};
    for (size_t i = 0; i < records->count; i++) {
        const seq_record *r = &records->items[i];
        if (segment[i] > 0 && r->n <= before_max[segment[i]][r->p])
            per_kill[segment[i] - 1]++;
    }
    free(segment);
    seq_records_free(records);

    double bound = rate_max * (FLUSH_MS + 1000) / 1000.0;
    printf("# source: %" PRId64 " records in the topic for %" PRId64 " distinct: %" PRId64
           " missing, %" PRId64 " duplicates\n", check.records, SOURCE_TOTAL, check.missing,
           check.duplicates);
    for (int k = 0; k < KILLS; k++)
        printf("# source: duplicates after kill -9 #%d: %" PRId64 " (bound %.0f = %.0f records/s"
               " x (%d ms flush interval + 1 s))\n", k + 1, per_kill[k], bound, rate_max,
               FLUSH_MS);
    if (check.missing)
        fail_msg("%" PRId64 " records missing, first: source partition %" PRId64 " number %" PRId64,
                 check.missing, check.first_missing_p, check.first_missing_n);
    for (int k = 0; k < KILLS; k++)
        if ((double)per_kill[k] > bound)
            fail_msg("kill -9 #%d caused %" PRId64 " duplicates, more than about one flush "
                     "interval holds (%.0f)", k + 1, per_kill[k], bound);
    if ((double)check.duplicates > KILLS * bound)
        fail_msg("%" PRId64 " duplicates in all, more than %d x %.0f", check.duplicates, KILLS,
                 bound);
    fp_pass(env);
}

/* ---- 2. kill -9 three times, sink ------------------------------------------------------- */

#define SINK_RECORDS 200000
#define SINK_KAFKA_PARTITIONS 4
#define SINK_PER_PARTITION (SINK_RECORDS / SINK_KAFKA_PARTITIONS)

/* Record i: key "k<i>", value "v<i>", partition i % partitions, so that the record at offset o of
 * partition p is number o * partitions + p. Small batches: the sink's consumer, limited to one
 * batch per partition and fetch, then reads them at a pace that spans several flush intervals. */
static void prefill(const char *topic, int64_t count, int partitions)
{
    static const char *const configs[] = {"batch.num.messages", "10", "linger.ms", "1", NULL};
    int64_t started = fp_now_ms();
    rd_kafka_t *producer = kt_producer_new(configs);
    for (int64_t i = 0; i < count; i++) {
        char key[32], value[32];
        int key_len = snprintf(key, sizeof key, "k%" PRId64, i);
        int value_len = snprintf(value, sizeof value, "v%" PRId64, i);
        kt_produce(producer, topic, (int32_t)(i % partitions), key, (size_t)key_len, value,
                   (size_t)value_len, NULL, NULL);
    }
    kt_producer_close(producer);
    int64_t took = fp_now_ms() - started;
    printf("# prefilled %s with %" PRId64 " records in %lld ms\n", topic, count,
           (long long)took);
}

static void test_sink_kill9_three_times(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("sink_kill9");
    const char *topic = fp_name(env, "sinkin");
    const char *connector = fp_name(env, "recsink");
    kt_create_topic(topic, SINK_KAFKA_PARTITIONS, NULL);
    prefill(topic, SINK_RECORDS, SINK_KAFKA_PARTITIONS);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    const char *file = fp_path(env, "sink.txt");
    /* A short session timeout, so that a restarted worker does not wait 45 s for the killed
     * one's consumers to leave the group. The throttle: max.partition.fetch.bytes=1 lets a
     * fetch return only the first record batch of a partition (10 records), about 25k records/s
     * here. */
    const char *sink = fp_write(env, "sink.properties",
                                "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n"
                                "tasks.max=1\n"
                                "consumer.override.session.timeout.ms=6000\n"
                                "consumer.override.heartbeat.interval.ms=1000\n"
                                "consumer.override.fetch.max.bytes=1000\n"
                                "consumer.override.max.partition.fetch.bytes=1\n"
                                "consumer.override.message.max.bytes=1000\n",
                                connector, topic, file);
    int64_t lines_at_kill[KILLS];
    double rate_max = 0;
    for (int k = 0; k < KILLS; k++) {
        fp_proc *proc = k == 0 ? fp_start(env, worker, sink, NULL) : fp_start(env, worker, NULL);
        if (k > 0)
            restored_or_fail(proc, connector);
        /* At the threshold, and after at least one flush of this run. */
        int64_t target = (int64_t)(kill_at[k] * SINK_RECORDS);
        int64_t now_lines = (int64_t)fp_count_lines(file);
        if (target <= now_lines)
            target = now_lines + 1;
        watch w = watch_progress(proc, "lines in the sink file", file_progress, (void *)file,
                                 target, 0, 20, 120000);
        /* Then into the flush interval, so that records put but not flushed die with it. */
        fp_sleep_ms(250 * (k + 1));
        fp_kill9(proc);
        lines_at_kill[k] = (int64_t)fp_count_lines(file);
        /* The file grows once per flush: its largest step is what one flush interval held. */
        double rate = (double)w.max_step * 1000.0 / FLUSH_MS;
        if (rate > rate_max)
            rate_max = rate;
        printf("# sink: kill -9 #%d at %" PRId64 " lines in the file (%.0f%% of %d); this run "
               "wrote %" PRId64 ", at most %" PRId64 " per %d ms flush interval\n",
               k + 1, lines_at_kill[k], 100.0 * (double)lines_at_kill[k] / SINK_RECORDS,
               SINK_RECORDS, w.value - w.start_value, w.max_step, FLUSH_MS);
        if (lines_at_kill[k] >= SINK_RECORDS)
            printf("# sink: warning: kill -9 #%d came after the last record reached the file\n",
                   k + 1);
    }
    fp_proc *proc = fp_start(env, worker, NULL);
    restored_or_fail(proc, connector);
    watch w = watch_progress_stall(proc, "every record in the sink file", file_progress,
                                   (void *)file, SINK_RECORDS, 3000, 20, 180000, STALL_MS);
    double rate = (double)w.max_step * 1000.0 / FLUSH_MS;
    printf("# sink: final run wrote %" PRId64 ", at most %" PRId64 " per %d ms flush interval\n",
           w.value - w.start_value, w.max_step, FLUSH_MS);
    if (rate > rate_max)
        rate_max = rate;
    fp_stop(proc, 60000);

    sink_file *lines = sink_file_read(file, topic);
    int8_t *first_segment = malloc(SINK_RECORDS);
    assert_non_null(first_segment);
    memset(first_segment, -1, SINK_RECORDS);
    int64_t duplicates = 0, per_kill[KILLS] = {0};
    for (size_t l = 0; l < lines->count; l++) {
        const sink_line *line = &lines->lines[l];
        if (line->partition < 0 || line->partition >= SINK_KAFKA_PARTITIONS ||
            line->offset < 0 || line->offset >= SINK_PER_PARTITION)
            fail_msg("line %zu: partition %d offset %" PRId64 " is not in the topic", l + 1,
                     line->partition, line->offset);
        int64_t i = line->offset * SINK_KAFKA_PARTITIONS + line->partition;
        char key[32], value[32];
        snprintf(key, sizeof key, "k%" PRId64, i);
        snprintf(value, sizeof value, "v%" PRId64, i);
        if (strcmp(line->key, key) != 0 || strcmp(line->value, value) != 0)
            fail_msg("line %zu: %d/%" PRId64 " has key '%s' value '%s', expected '%s' '%s'",
                     l + 1, line->partition, line->offset, line->key, line->value, key, value);
        int segment = KILLS;
        for (int k = 0; k < KILLS; k++) {
            if ((int64_t)l < lines_at_kill[k]) {
                segment = k;
                break;
            }
        }
        if (first_segment[i] >= 0) {
            duplicates++;
            if (segment > first_segment[i])
                per_kill[segment - 1]++;
        } else {
            first_segment[i] = (int8_t)segment;
        }
    }
    int64_t missing = 0, first_missing = -1;
    for (int64_t i = 0; i < SINK_RECORDS; i++)
        if (first_segment[i] < 0 && missing++ == 0)
            first_missing = i;
    free(first_segment);
    size_t line_count = lines->count;
    sink_file_free(lines);

    double bound = rate_max * (FLUSH_MS + 1000) / 1000.0;
    printf("# sink: %zu lines for %d records: %" PRId64 " missing, %" PRId64 " duplicates\n",
           line_count, SINK_RECORDS, missing, duplicates);
    for (int k = 0; k < KILLS; k++)
        printf("# sink: duplicates after kill -9 #%d: %" PRId64 " (bound %.0f = %.0f records/s x "
               "(%d ms flush interval + 1 s))\n", k + 1, per_kill[k], bound, rate_max, FLUSH_MS);
    if (missing)
        fail_msg("%" PRId64 " records never reached the sink file, first: partition %" PRId64
                 " offset %" PRId64, missing, first_missing % SINK_KAFKA_PARTITIONS,
                 first_missing / SINK_KAFKA_PARTITIONS);
    for (int k = 0; k < KILLS; k++)
        if ((double)per_kill[k] > bound)
            fail_msg("kill -9 #%d caused %" PRId64 " duplicate lines, more than about one flush "
                     "interval holds (%.0f)", k + 1, per_kill[k], bound);
    if ((double)duplicates > KILLS * bound)
        fail_msg("%" PRId64 " duplicate lines in all, more than %d x %.0f", duplicates, KILLS,
                 bound);
    fp_pass(env);
}

/* ---- checks shared by the last two tests ------------------------------------------------ */

/* Every record of the topic (by partition and offset) in the sink file, with its key and value;
 * returns the number of duplicate lines. */
static int64_t sink_covers_topic(const char *file, const char *topic, int64_t *line_count)
{
    kt_records *records = kt_consume_all(topic, 120000);
    int64_t ends[MAX_KAFKA_PARTITIONS] = {0};
    int partitions = kt_end_offsets(topic, ends, MAX_KAFKA_PARTITIONS);
    const kt_record **by_position[MAX_KAFKA_PARTITIONS] = {0};
    uint8_t *seen[MAX_KAFKA_PARTITIONS] = {0};
    for (int p = 0; p < partitions; p++) {
        by_position[p] = calloc((size_t)ends[p] + 1, sizeof(kt_record *));
        seen[p] = calloc((size_t)ends[p] + 1, 1);
        assert_non_null(by_position[p]);
        assert_non_null(seen[p]);
    }
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *r = &records->items[i];
        if (r->partition < partitions && r->offset < ends[r->partition])
            by_position[r->partition][r->offset] = r;
    }
    sink_file *lines = sink_file_read(file, topic);
    int64_t duplicates = 0;
    for (size_t l = 0; l < lines->count; l++) {
        const sink_line *line = &lines->lines[l];
        if (line->partition < 0 || line->partition >= partitions || line->offset < 0 ||
            line->offset >= ends[line->partition] ||
            !by_position[line->partition][line->offset])
            fail_msg("sink file line %zu: %d/%" PRId64 " is not a record of %s", l + 1,
                     line->partition, line->offset, topic);
        const kt_record *r = by_position[line->partition][line->offset];
        if (!r->key || !r->value || strcmp(line->key, r->key) != 0 ||
            strcmp(line->value, r->value) != 0)
            fail_msg("sink file line %zu: %d/%" PRId64 " has key '%s' value '%s', the topic "
                     "'%s' '%s'", l + 1, line->partition, line->offset, line->key, line->value,
                     r->key ? r->key : "(null)", r->value ? r->value : "(null)");
        if (seen[line->partition][line->offset]++)
            duplicates++;
    }
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *r = &records->items[i];
        if (!seen[r->partition][r->offset])
            fail_msg("record %d/%" PRId64 " of %s (value '%s') is not in the sink file (%zu "
                     "lines)", r->partition, r->offset, topic, r->value ? r->value : "(null)",
                     lines->count);
    }
    *line_count = (int64_t)lines->count;
    sink_file_free(lines);
    for (int p = 0; p < partitions; p++) {
        free(by_position[p]);
        free(seen[p]);
    }
    kt_records_free(records);
    return duplicates;
}

/* ---- 3. graceful restart, both paths ---------------------------------------------------- */

#define GRACEFUL_PARTITIONS 2
#define GRACEFUL_COUNT 30000
#define GRACEFUL_TOTAL ((int64_t)GRACEFUL_PARTITIONS * GRACEFUL_COUNT)

static void test_graceful_restart_both_paths(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("graceful_restart");
    const char *topic = fp_name(env, "graceful");
    const char *source_name = fp_name(env, "gsrc");
    const char *sink_name = fp_name(env, "gsink");
    kt_create_topic(topic, 2, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    const char *file = fp_path(env, "sink.txt");
    /* About 10k records/s, so that SIGTERM comes mid-stream. */
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=%d\ncount=%d\ntasks.max=1\nbatch.size=50\n"
                                  "interval.ms=5\n",
                                  source_name, topic, GRACEFUL_PARTITIONS, GRACEFUL_COUNT);
    const char *sink = fp_write(env, "sink.properties",
                                "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n"
                                "tasks.max=1\n", sink_name, topic, file);
    fp_proc *proc = fp_start(env, worker, source, sink, NULL);
    watch w = watch_progress(proc, "records in the topic", topic_progress, (void *)topic,
                             GRACEFUL_TOTAL * 2 / 5, 0, 20, 120000);
    fp_stop(proc, 30000);
    int64_t in_topic = kt_end_offsets_sum(topic);
    int64_t in_file = (int64_t)fp_count_lines(file);
    printf("# graceful: SIGTERM at %" PRId64 " records in the topic; after the stop %" PRId64
           " in the topic and %" PRId64 " lines in the file\n", w.value, in_topic, in_file);
    if (in_topic >= GRACEFUL_TOTAL)
        fail_msg("the source had finished before SIGTERM: the test proves nothing");

    proc = fp_start(env, worker, NULL);
    restored_or_fail(proc, source_name);
    restored_or_fail(proc, sink_name);
    watch_progress_stall(proc, "the whole sequence in the topic", topic_progress, (void *)topic,
                         GRACEFUL_TOTAL, 2000, 20, 120000, STALL_MS);
    watch_progress_stall(proc, "every record in the sink file", file_progress, (void *)file,
                         GRACEFUL_TOTAL, 2000, 20, 120000, STALL_MS);
    fp_stop(proc, 30000);

    seq_records *records = seq_read(topic);
    seq_check check = seq_verify(records, GRACEFUL_PARTITIONS, GRACEFUL_COUNT);
    seq_records_free(records);
    int64_t line_count = 0;
    int64_t duplicate_lines = sink_covers_topic(file, topic, &line_count);
    printf("# graceful: topic %" PRId64 " records (%" PRId64 " missing, %" PRId64
           " duplicates); sink file %" PRId64 " lines (%" PRId64 " duplicates)\n",
           check.records, check.missing, check.duplicates, line_count, duplicate_lines);
    if (check.missing)
        fail_msg("%" PRId64 " records missing from the topic, first %" PRId64 ":%" PRId64,
                 check.missing, check.first_missing_p, check.first_missing_n);
    if (check.duplicates)
        fail_msg("a graceful restart duplicated %" PRId64 " source records", check.duplicates);
    if (duplicate_lines)
        fail_msg("a graceful restart duplicated %" PRId64 " sink records", duplicate_lines);
    assert_int_equal(check.records, GRACEFUL_TOTAL);
    assert_int_equal(line_count, GRACEFUL_TOTAL);
    fp_pass(env);
}

/* ---- 4. the broker unreachable for 30 s ------------------------------------------------- */

#define OUTAGE_PARTITIONS 2
#define OUTAGE_COUNT 30000
#define OUTAGE_TOTAL ((int64_t)OUTAGE_PARTITIONS * OUTAGE_COUNT)
#define OUTAGE_MS 30000

static void test_broker_down_30s(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("broker_down");
    /* No other test of this harness, from any run, while the shared broker is down. */
    fp_broker_exclusive();
    const char *topic = fp_name(env, "outage");
    const char *source_name = fp_name(env, "osrc");
    const char *sink_name = fp_name(env, "osink");
    kt_create_topic(topic, 2, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    const char *file = fp_path(env, "sink.txt");
    /* About 5k records/s: still producing when the broker comes back. */
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                  "partitions=%d\ncount=%d\ntasks.max=1\nbatch.size=50\n"
                                  "interval.ms=10\n",
                                  source_name, topic, OUTAGE_PARTITIONS, OUTAGE_COUNT);
    /* A restarted group coordinator waits a whole session timeout for the members it knew: 10 s
     * rather than the default 45 s keeps the test short. */
    const char *sink = fp_write(env, "sink.properties",
                                "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n"
                                "tasks.max=1\nconsumer.override.session.timeout.ms=10000\n"
                                "consumer.override.heartbeat.interval.ms=2000\n",
                                sink_name, topic, file);
    fp_proc *proc = fp_start(env, worker, source, sink, NULL);
    watch_progress(proc, "records in the topic", topic_progress, (void *)topic, 5000, 0, 50,
                   60000);
    watch_progress(proc, "lines in the sink file", file_progress, (void *)file, 1, 0, 50, 60000);
    int64_t in_topic = kt_end_offsets_sum(topic);
    int64_t in_file = (int64_t)fp_count_lines(file);

    int64_t stopping = fp_now_ms();
    fp_kafka_stopped();
    int rc = fp_services("stop", "kafka", NULL);
    int64_t stopped = fp_now_ms();
    printf("# outage: broker stopped in %lld ms (services.sh exit %d) at %" PRId64 " records in "
           "the topic, %" PRId64 " lines in the file\n", (long long)(stopped - stopping), rc,
           in_topic, in_file);
    assert_int_equal(rc, 0);
    while (fp_now_ms() - stopped < OUTAGE_MS) {
        if (!fp_alive(proc))
            fail_msg("ferry exited while the broker was down");
        fp_sleep_ms(500);
    }
    rc = fp_services("start", "kafka", NULL);
    printf("# outage: broker unreachable for %lld ms in all (services.sh start exit %d)\n",
           (long long)(fp_now_ms() - stopping), rc);
    assert_int_equal(rc, 0);
    fp_kafka_restarted();
    if (!fp_alive(proc))
        fail_msg("ferry exited while the broker was down");

    int64_t resumed = fp_now_ms();
    watch_progress_stall(proc, "the whole sequence in the topic", topic_progress, (void *)topic,
                         OUTAGE_TOTAL, 3000, 100, 300000, 4 * STALL_MS);
    watch_progress_stall(proc, "every record in the sink file", file_progress, (void *)file,
                         OUTAGE_TOTAL, 3000, 100, 300000, 4 * STALL_MS);
    printf("# outage: pipeline complete %lld ms after the broker came back\n",
           (long long)(fp_now_ms() - resumed - 3000));
    fp_stop(proc, 60000);

    seq_records *records = seq_read(topic);
    seq_check check = seq_verify(records, OUTAGE_PARTITIONS, OUTAGE_COUNT);
    seq_records_free(records);
    int64_t line_count = 0;
    int64_t duplicate_lines = sink_covers_topic(file, topic, &line_count);
    printf("# outage: topic %" PRId64 " records (%" PRId64 " missing, %" PRId64
           " duplicates); sink file %" PRId64 " lines (%" PRId64 " duplicates)\n",
           check.records, check.missing, check.duplicates, line_count, duplicate_lines);
    if (check.missing)
        fail_msg("%" PRId64 " records lost on the source path, first %" PRId64 ":%" PRId64,
                 check.missing, check.first_missing_p, check.first_missing_n);

    /* No task ever FAILED: not one FAILED record in the status topic. */
    kt_records *status = kt_consume_all(fp_status_topic(env), 60000);
    size_t task_records = 0;
    for (size_t i = 0; i < status->count; i++) {
        const kt_record *r = &status->items[i];
        if (r->key && strncmp(r->key, "status-task-", 12) == 0)
            task_records++;
        if (r->value && strstr(r->value, "\"FAILED\""))
            fail_msg("status topic: %s -> %s", r->key ? r->key : "(null)", r->value);
    }
    printf("# outage: %zu status records, %zu of tasks, none FAILED\n", status->count,
           task_records);
    kt_records_free(status);
    if (fp_log_contains(proc, "restarting it in"))
        fail_msg("a task was restarted during the outage (see the worker log)");
    if (fp_log_contains(proc, "not acknowledged within"))
        printf("# outage: note: an offset commit waited past offset.flush.timeout.ms for the "
               "broker (\"not acknowledged within\" in the worker log)\n");
    fp_pass(env);
}

int main(void)
{
    fp_init();
    /* FERRY_TEST_FILTER=test_sink* runs only the matching tests (cmocka's pattern). */
    if (getenv("FERRY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("FERRY_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_source_kill9_three_times, fp_env_teardown),
        cmocka_unit_test_teardown(test_sink_kill9_three_times, fp_env_teardown),
        cmocka_unit_test_teardown(test_graceful_restart_both_paths, fp_env_teardown),
        /* Last: it stops the broker (and starts it again, even when it fails). */
        cmocka_unit_test_teardown(test_broker_down_30s, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("runtime_delivery", tests, NULL, NULL);
}
