/* The file plugin's promise, on the real ferry binary and the real broker: never lose a line.
 *
 * A writer thread writes 1,000,000 numbered lines to app.log at a steady pace, rotating it every
 * 50,000 lines, by rename (odd rotations: app.log -> app.log.<k>, a new app.log) and by
 * copytruncate (even rotations: app.log copied to app.log.<k>, then truncated while the writer
 * keeps its descriptor). FileSource follows app.log* into a one-partition topic, FileSink writes
 * the topic to sink.txt, both in one worker. The worker is killed -9 three times, each time just
 * before a rotation, and started again once the rotation happened: twice across a copytruncate
 * and once across a rename done while it was down. A final run goes on until nothing new comes.
 *
 * Then, in sink.txt: every line is there, exactly as written; the first copy of each line of one
 * generation (one file's content between rotations) comes in the order written; the duplicates
 * after each kill stay within about one flush interval (at the sink's top pace) per path, and
 * without a kill there are almost none. A kill -9 during the sink's write() may
 * leave the start of a line, which the restarted sink ends with a newline (the whole line comes
 * again): at most one such fragment per kill, each a prefix of a real line. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"

#define LINES 1000000
#define ROTATE_EVERY 50000
#define GENERATIONS (LINES / ROTATE_EVERY)
#define LINES_PER_SECOND 20000
#define WRITE_BATCH 200
#define FLUSH_MS 1000
#define KILLS 3
/* Kill -9 this many lines before these rotations, start again this many lines after. */
#define KILL_MARGIN 4000
static const int kill_before_rotation[KILLS] = {5, 10, 14}; /* rename, copytruncate, copytruncate */

/* ---- the writer -------------------------------------------------------------------------- */

typedef struct writer {
    char dir[512];
    pthread_t thread;
    atomic_llong written; /* lines written and visible in the files */
    atomic_int failed;
    char error[256];
} writer;

/* "<generation> <seq> <padding>\n": 52 bytes. */
static int line_format(char *out, int64_t seq)
{
    return sprintf(out, "%02d %07" PRId64 " payload-padding-padding-padding-xx\n",
                   (int)(seq / ROTATE_EVERY), seq);
}

static int64_t writer_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

static bool writer_copy(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    bool ok = in >= 0 && out >= 0;
    char buffer[65536];
    while (ok) {
        ssize_t n = read(in, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        ok = write_all(out, buffer, (size_t)n);
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return ok;
}

static void writer_fail(writer *w, const char *what)
{
    snprintf(w->error, sizeof w->error, "%s: %s", what, strerror(errno));
    atomic_store(&w->failed, 1);
}

static void *writer_main(void *argument)
{
    writer *w = argument;
    char log[600], rotated[600];
    snprintf(log, sizeof log, "%s/app.log", w->dir);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        writer_fail(w, "open app.log");
        return NULL;
    }
    static char buffer[WRITE_BATCH * 64];
    int64_t started = writer_now_ms();
    for (int64_t seq = 0; seq < LINES;) {
        int64_t allowed = (writer_now_ms() - started) * LINES_PER_SECOND / 1000;
        if (seq >= allowed) {
            fp_sleep_ms(2);
            continue;
        }
        int64_t end = seq + WRITE_BATCH;
        int64_t boundary = (seq / ROTATE_EVERY + 1) * ROTATE_EVERY;
        if (end > boundary)
            end = boundary;
        size_t len = 0;
        for (int64_t s = seq; s < end; s++)
            len += (size_t)line_format(buffer + len, s);
        if (!write_all(fd, buffer, len)) {
            writer_fail(w, "write app.log");
            break;
        }
        seq = end;
        if (seq % ROTATE_EVERY == 0 && seq < LINES) {
            int k = (int)(seq / ROTATE_EVERY);
            snprintf(rotated, sizeof rotated, "%s/app.log.%d", w->dir, k);
            if (k % 2) {
                close(fd);
                if (rename(log, rotated) != 0) {
                    writer_fail(w, "rename app.log");
                    return NULL;
                }
                fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            } else if (!writer_copy(log, rotated) || ftruncate(fd, 0) != 0) {
                writer_fail(w, "copytruncate app.log");
                break;
            }
            if (fd < 0) {
                writer_fail(w, "reopen app.log");
                return NULL;
            }
        }
        atomic_store(&w->written, seq);
    }
    close(fd);
    return NULL;
}

static int64_t writer_written(writer *w)
{
    if (atomic_load(&w->failed))
        fail_msg("the writer failed: %s", w->error);
    return atomic_load(&w->written);
}

/* ---- the sink's pace: what one flush interval can hold --------------------------------- */

typedef struct rate_sampler {
    const char *path;
    int64_t at[8];
    int64_t lines[8];
    size_t count;
    int64_t last_ms;
    double max_rate; /* sink lines per second, over about a second */
} rate_sampler;

static void sampler_tick(rate_sampler *sampler)
{
    int64_t now = fp_now_ms();
    if (now - sampler->last_ms < 250)
        return;
    sampler->last_ms = now;
    int64_t lines = (int64_t)fp_count_lines(sampler->path);
    size_t slot = sampler->count++ % 8;
    sampler->at[slot] = now;
    sampler->lines[slot] = lines;
    for (size_t back = 1; back < 8 && back < sampler->count; back++) {
        size_t old = (sampler->count - 1 - back) % 8;
        if (now - sampler->at[old] < 1000)
            continue;
        double rate = (double)(lines - sampler->lines[old]) * 1000.0 /
                      (double)(now - sampler->at[old]);
        if (rate > sampler->max_rate)
            sampler->max_rate = rate;
        break;
    }
}

static void writer_wait_for(writer *w, int64_t lines, rate_sampler *sampler)
{
    int64_t deadline = fp_now_ms() + 300000;
    while (writer_written(w) < lines) {
        if (fp_now_ms() > deadline)
            fail_msg("the writer is stuck at %lld lines", (long long)writer_written(w));
        sampler_tick(sampler);
        fp_sleep_ms(5);
    }
}

/* ---- reading sink.txt -------------------------------------------------------------------- */

typedef struct sink_check {
    int64_t lines;
    int64_t distinct;
    int64_t duplicates;
    int64_t duplicates_after[KILLS + 1]; /* [0]: before the first kill; [k]: after kill k */
    int64_t fragments;
    int64_t missing;
    int64_t first_missing;
    int64_t disorders;
    char first_problem[256];
} sink_check;

/* lines_at_kill: sink lines when each kill -9 came, to say which run wrote a duplicate. */
static sink_check sink_verify(const char *path, const int64_t *lines_at_kill)
{
    sink_check check = {.first_missing = -1};
    size_t len = 0;
    char *text = fp_read_file(path, &len);
    if (!text)
        fail_msg("%s does not exist", path);
    uint8_t *seen = calloc(LINES, 1);
    int64_t last_new[GENERATIONS];
    for (int g = 0; g < GENERATIONS; g++)
        last_new[g] = -1;
    assert_non_null(seen);
    char expected[128];
    for (char *line = text; line < text + len;) {
        char *newline = memchr(line, '\n', (size_t)(text + len - line));
        if (!newline)
            fail_msg("%s ends without a newline", path);
        size_t line_len = (size_t)(newline - line) + 1;
        check.lines++;
        int generation = -1;
        long long seq = -1;
        char copy[128];
        snprintf(copy, sizeof copy, "%.*s", (int)(line_len < sizeof copy ? line_len - 1 : 100),
                 line);
        bool whole = sscanf(copy, "%d %lld", &generation, &seq) == 2 && seq >= 0 &&
                     seq < LINES && (size_t)line_format(expected, seq) == line_len &&
                     memcmp(expected, line, line_len) == 0;
        if (!whole) {
            /* The start of a line cut by a kill -9 in mid-write, ended at restart. */
            bool prefix = false;
            if (seq >= 0 && seq < LINES) {
                int full = line_format(expected, seq);
                prefix = line_len < (size_t)full && memcmp(expected, line, line_len - 1) == 0;
            } else {
                prefix = line_len < 12;
            }
            if (!prefix)
                fail_msg("%s line %" PRId64 " is not a line the writer wrote: '%.*s'", path,
                         check.lines, (int)(line_len - 1), line);
            check.fragments++;
        } else if (seen[seq]++) {
            check.duplicates++;
            int segment = 0;
            while (segment < KILLS && check.lines > lines_at_kill[segment])
                segment++;
            check.duplicates_after[segment]++;
        } else {
            check.distinct++;
            if (seq <= last_new[generation] && check.disorders++ == 0)
                snprintf(check.first_problem, sizeof check.first_problem,
                         "line %lld of generation %d came after line %lld", seq, generation,
                         (long long)last_new[generation]);
            last_new[generation] = seq;
        }
        line = newline + 1;
    }
    for (int64_t i = 0; i < LINES; i++)
        if (!seen[i] && check.missing++ == 0)
            check.first_missing = i;
    free(seen);
    free(text);
    return check;
}

/* ---- the test ---------------------------------------------------------------------------- */

static void restored_or_fail(fp_proc *proc, const char *connector)
{
    char line[256];
    snprintf(line, sizeof line, "restoring connector %s", connector);
    if (!fp_wait_log(proc, line, 30000))
        fail_msg("the restarted worker did not restore connector %s", connector);
}

static void test_rotations_and_kill9(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_rotation_kill9");
    const char *topic = fp_name(env, "lines");
    const char *source_name = fp_name(env, "fsrc");
    const char *sink_name = fp_name(env, "fsink");
    kt_create_topic(topic, 1, NULL); /* one partition: Kafka keeps the order of the lines */
    const char *worker_file = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    static writer writer_state;
    writer *w = &writer_state;
    snprintf(w->dir, sizeof w->dir, "%s/logs", fp_dir(env));
    char out_dir[600];
    snprintf(out_dir, sizeof out_dir, "%s/out", fp_dir(env));
    assert_int_equal(mkdir(w->dir, 0755), 0);
    assert_int_equal(mkdir(out_dir, 0755), 0);
    const char *sink_path = fp_path(env, "out/sink.txt");
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=FileSource\nfiles=%s/app.log*\n"
                                  "topic=%s\n",
                                  source_name, w->dir, topic);
    /* A short session timeout: a restarted worker need not wait 45 s for the killed one's
     * consumer to leave the group. */
    const char *sink = fp_write(env, "sink.properties",
                                "name=%s\nconnector.class=FileSink\ntopics=%s\nfile=%s\n"
                                "consumer.override.session.timeout.ms=6000\n"
                                "consumer.override.heartbeat.interval.ms=1000\n",
                                sink_name, topic, sink_path);

    rate_sampler sampler = {.path = sink_path};
    int64_t lines_at_kill[KILLS];
    fp_proc *proc = fp_start(env, worker_file, source, sink, NULL);
    if (!fp_wait_log(proc, "running", 30000))
        fail_msg("the worker did not start its tasks");
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
        fail_msg("cannot start the writer thread");
    int64_t started = fp_now_ms();
    for (int k = 0; k < KILLS; k++) {
        int64_t rotation_at = (int64_t)kill_before_rotation[k] * ROTATE_EVERY;
        writer_wait_for(w, rotation_at - KILL_MARGIN, &sampler);
        if (!fp_alive(proc))
            fail_msg("ferry exited before kill -9 #%d", k + 1);
        fp_kill9(proc);
        size_t in_sink = fp_count_lines(sink_path);
        lines_at_kill[k] = (int64_t)in_sink;
        writer_wait_for(w, rotation_at + KILL_MARGIN, &sampler); /* rotated while down */
        printf("# kill -9 #%d at %lld s, %lld lines written, %zu in the sink; restarted after "
               "the %s of rotation %d\n", k + 1, (long long)(fp_now_ms() - started) / 1000,
               (long long)(rotation_at - KILL_MARGIN), in_sink,
               kill_before_rotation[k] % 2 ? "rename" : "copytruncate",
               kill_before_rotation[k]);
        proc = fp_start(env, worker_file, NULL);
        restored_or_fail(proc, source_name);
        restored_or_fail(proc, sink_name);
    }
    writer_wait_for(w, LINES, &sampler);
    pthread_join(w->thread, NULL);
    writer_written(w);
    int64_t written_at = fp_now_ms();
    printf("# the writer wrote %d lines in %lld s\n", LINES,
           (long long)(written_at - started) / 1000);

    /* The last run: until every line is in, and nothing moved for 5 s (or nothing for 60 s). */
    int64_t last_change = fp_now_ms(), lines = 0;
    for (;;) {
        int64_t now_lines = (int64_t)fp_count_lines(sink_path);
        int64_t now = fp_now_ms();
        if (now_lines != lines) {
            lines = now_lines;
            last_change = now;
        }
        if (lines >= LINES && now - last_change >= 5000)
            break;
        sampler_tick(&sampler);
        if (now - last_change >= 60000) {
            printf("# no progress for 60 s at %" PRId64 " lines in the sink\n", lines);
            break;
        }
        if (!fp_alive(proc))
            fail_msg("ferry exited in the final run");
        fp_sleep_ms(200);
    }
    printf("# the sink caught up %lld s after the writer finished\n",
           (long long)(last_change - written_at) / 1000);
    fp_stop(proc, 60000);

    sink_check check = sink_verify(sink_path, lines_at_kill);
    /* Each kill replays at most what the source sent and the sink wrote since their last
     * commit: about one flush interval (plus a second of slack) at the pipeline's pace. */
    double per_kill = sampler.max_rate * (FLUSH_MS + 1000) / 1000.0 * 2;
    printf("# sink.txt: %" PRId64 " lines, %" PRId64 " distinct of %d, %" PRId64 " missing, %"
           PRId64 " duplicates, %" PRId64 " fragments; the sink's top pace %.0f lines/s\n",
           check.lines, check.distinct, LINES, check.missing, check.duplicates,
           check.fragments, sampler.max_rate);
    printf("# duplicates before any kill (copies found before their truncation): %" PRId64
           "\n", check.duplicates_after[0]);
    for (int k = 0; k < KILLS; k++)
        printf("# duplicates after kill -9 #%d: %" PRId64 " (bound %.0f = %.0f lines/s x (%d "
               "ms flush + 1 s) x 2 paths)\n", k + 1, check.duplicates_after[k + 1], per_kill,
               sampler.max_rate, FLUSH_MS);
    if (check.missing)
        fail_msg("%" PRId64 " lines never reached the sink, the first: %" PRId64, check.missing,
                 check.first_missing);
    if (check.disorders)
        fail_msg("%" PRId64 " lines out of order: %s", check.disorders, check.first_problem);
    for (int k = 0; k < KILLS; k++)
        if ((double)check.duplicates_after[k + 1] > per_kill)
            fail_msg("kill -9 #%d caused %" PRId64 " duplicate lines, more than about one flush "
                     "interval holds (%.0f)", k + 1, check.duplicates_after[k + 1], per_kill);
    /* Without a kill, only a copy found before its original's truncation is read twice, from
     * where the original was to where the truncation was noticed: a write or two. */
    if (check.duplicates_after[0] > 10 * WRITE_BATCH)
        fail_msg("%" PRId64 " duplicate lines before any kill", check.duplicates_after[0]);
    if (check.fragments > KILLS)
        fail_msg("%" PRId64 " cut lines, more than one per kill -9", check.fragments);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_rotations_and_kill9, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("file_delivery", tests, NULL, NULL);
}
