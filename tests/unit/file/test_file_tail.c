/*
 * test_file_tail.c - rotation detection and file identity, on real files in a temp directory, with
 * a clock the test moves: appends and new files, rename rotation (the old file read to its end,
 * followed under its new name or retired after rotate.wait.ms with its unterminated last line),
 * copytruncate (truncation detected, the copy read from where its original was), a copy still
 * being written (waits), restarts from committed offsets (rename and copytruncate while down, a
 * re-used inode, FileStream positions that fit or not), read.from=end, deletion, files that do not
 * exist yet, a missing directory and an unreadable file reported, and inotify events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file_identity.h"
#include "file_offset.h"
#include "file_tail.h"

#define FINGERPRINT 32
#define ROTATE_WAIT_MS 500
#define POLL_MS 1000

typedef struct harness {
    char dir[64];
    json_t *committed;
    char *problem;
    file_tail *tail;
    file_tail_config config;
    const char *patterns[4];
    char pattern_text[4][256];
    int64_t now;
    char **lines;
    size_t count;
    size_t capacity;
} harness;

static harness h;

/* ---- the host side ----------------------------------------------------------------------- */

static json_t *h_offset_read(void *opaque, json_t *partition)
{
    (void)opaque;
    char *key = json_dumps(partition, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *offset = json_object_get(h.committed, key);
    free(key);
    return offset ? json_incref(offset) : NULL;
}

static void h_log(void *opaque, ferry_log_level level, const char *message)
{
    (void)opaque;
    if (getenv("FAKE_HOST_VERBOSE"))
        fprintf(stderr, "[%d] %s\n", (int)level, message);
}

static void h_problem(void *opaque, const char *message)
{
    (void)opaque;
    free(h.problem);
    h.problem = message ? strdup(message) : NULL;
}

static void h_start(void)
{
    file_tail_host host = {.offset_read = h_offset_read, .log = h_log, .problem = h_problem};
    char err[256];
    h.tail = file_tail_new(&h.config, &host, err, sizeof(err));
    assert_non_null(h.tail);
}

/* Patterns are names relative to the temp dir. */
static void h_setup(bool single_file, const char *pattern, bool inotify)
{
    memset(&h, 0, sizeof(h));
    snprintf(h.dir, sizeof(h.dir), "/tmp/ferry-tail-XXXXXX");
    assert_non_null(mkdtemp(h.dir));
    chmod(h.dir, 0755);
    h.committed = json_object();
    snprintf(h.pattern_text[0], sizeof(h.pattern_text[0]), "%s/%s", h.dir, pattern);
    h.patterns[0] = h.pattern_text[0];
    h.config = (file_tail_config){
        .single_file = single_file,
        .patterns = h.patterns,
        .task_count = 1,
        .max_line_bytes = 1000,
        .long_lines = LINE_READER_TRUNCATE,
        .fingerprint_bytes = FINGERPRINT,
        .rotate_wait_ms = ROTATE_WAIT_MS,
        .poll_interval_ms = POLL_MS,
        .inotify = inotify,
    };
    h.now = 1000000;
}

/* Another pattern in the same temp dir (the tail must be restarted). */
static void h_setup_patterns(const char *pattern)
{
    snprintf(h.pattern_text[0], sizeof(h.pattern_text[0]), "%s/%s", h.dir, pattern);
}

static void h_lines_free(void)
{
    for (size_t i = 0; i < h.count; i++)
        free(h.lines[i]);
    free(h.lines);
    h.lines = NULL;
    h.count = h.capacity = 0;
}

static int h_teardown(void **state)
{
    (void)state;
    file_tail_destroy(h.tail);
    json_decref(h.committed);
    free(h.problem);
    h_lines_free();
    char command[256];
    snprintf(command, sizeof(command), "chmod -R u+rwx '%s'; rm -rf '%s'", h.dir, h.dir);
    assert_int_equal(system(command), 0);
    return 0;
}

static void h_record(const line_reader_line *line)
{
    if (h.count == h.capacity) {
        h.capacity = h.capacity ? h.capacity * 2 : 64;
        h.lines = realloc(h.lines, h.capacity * sizeof(*h.lines));
    }
    h.lines[h.count++] = strndup(line->data, line->len);
}

static void h_drain_lines(tail_file *f)
{
    line_reader_line line;
    while (line_reader_next(&f->reader, &line) == LINE_READER_LINE) {
        h_record(&line);
        line_reader_consume(&f->reader, &line);
    }
}

/* One poll's worth of one tail: events and scans, every file read to its end, retirements. */
static void h_pump_tail(file_tail *tail)
{
    file_tail_update(tail, h.now);
    for (int round = 0; round < 1000; round++) {
        bool any = false;
        for (size_t i = 0; i < file_tail_count(tail); i++) {
            tail_file *f = file_tail_at(tail, i);
            h_drain_lines(f);
            while (f->ready && file_tail_read(tail, f, h.now) > 0) {
                any = true;
                h_drain_lines(f);
            }
        }
        if (!any)
            break;
    }
    tail_file *f;
    while ((f = file_tail_retirable(tail, h.now))) {
        h_drain_lines(f);
        line_reader_line line;
        if (line_reader_take_partial(&f->reader, &line)) {
            h_record(&line);
            line_reader_consume(&f->reader, &line);
        }
        file_tail_retire(tail, f);
    }
}

static void h_pump(void)
{
    h_pump_tail(h.tail);
}

/* The clock moves past the next scan, then a pump. */
static void h_later(void)
{
    h.now += POLL_MS;
    h_pump();
}

/* What the worker does once everything emitted is acknowledged: commit every file's offset. */
static void h_commit(void)
{
    for (size_t i = 0; i < file_tail_count(h.tail); i++) {
        tail_file *f = file_tail_at(h.tail, i);
        char *key = json_dumps(file_tail_partition(h.tail, f), JSON_COMPACT | JSON_SORT_KEYS);
        json_object_set_new(h.committed, key,
                            file_tail_offset(h.tail, f, line_reader_resume_position(&f->reader)));
        free(key);
    }
}

/* Commits one file's offset only (the others emitted nothing since the last commit). */
static void h_commit_file(const char *path)
{
    for (size_t i = 0; i < file_tail_count(h.tail); i++) {
        tail_file *f = file_tail_at(h.tail, i);
        if (strcmp(f->path, path) != 0)
            continue;
        char *key = json_dumps(file_tail_partition(h.tail, f), JSON_COMPACT | JSON_SORT_KEYS);
        json_object_set_new(h.committed, key,
                            file_tail_offset(h.tail, f, line_reader_resume_position(&f->reader)));
        free(key);
    }
}

/* A kill -9: the tail is gone without a goodbye; the committed offsets stay. */
static void h_crash(void)
{
    file_tail_destroy(h.tail);
    h.tail = NULL;
    h_lines_free();
}

/* ---- files ------------------------------------------------------------------------------- */

static const char *h_path(const char *name)
{
    static char paths[8][256];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, 256, "%s/%s", h.dir, name);
    return path;
}

/* Appends lines "<prefix>-<from>" .. "<prefix>-<to-1>". */
static void h_append(const char *name, const char *prefix, int from, int to)
{
    FILE *file = fopen(h_path(name), "a");
    assert_non_null(file);
    for (int i = from; i < to; i++)
        fprintf(file, "%s-%04d\n", prefix, i);
    assert_int_equal(fclose(file), 0);
}

static void h_append_text(const char *name, const char *text)
{
    FILE *file = fopen(h_path(name), "a");
    assert_non_null(file);
    fputs(text, file);
    assert_int_equal(fclose(file), 0);
}

static void h_rename(const char *from, const char *to)
{
    assert_int_equal(rename(h_path(from), h_path(to)), 0);
}

static void h_copy(const char *from, const char *to, off_t limit)
{
    size_t len = 0;
    FILE *in = fopen(h_path(from), "r");
    assert_non_null(in);
    char buffer[65536];
    len = fread(buffer, 1, sizeof(buffer), in);
    fclose(in);
    if (limit >= 0 && (size_t)limit < len)
        len = (size_t)limit;
    FILE *out = fopen(h_path(to), "w");
    assert_non_null(out);
    assert_int_equal(fwrite(buffer, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
}

static void h_truncate(const char *name)
{
    assert_int_equal(truncate(h_path(name), 0), 0);
}

/* ---- checks ------------------------------------------------------------------------------ */

static size_t h_seen(const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < h.count; i++)
        n += strcmp(h.lines[i], text) == 0;
    return n;
}

/* Every "<prefix>-<i>" for i in [from, to) seen exactly once (or at least once). */
static void h_expect(const char *prefix, int from, int to, bool exactly_once)
{
    for (int i = from; i < to; i++) {
        char text[64];
        snprintf(text, sizeof(text), "%s-%04d", prefix, i);
        size_t n = h_seen(text);
        if (n == 0 || (exactly_once && n != 1))
            fail_msg("line %s seen %zu times (%zu lines in all)", text, n, h.count);
    }
}

static void h_expect_count(size_t count)
{
    if (h.count != count) {
        for (size_t i = 0; i < h.count; i++)
            fprintf(stderr, "  line %zu: %s\n", i, h.lines[i]);
        fail_msg("%zu lines, expected %zu", h.count, count);
    }
}

/* app.log* with generation 0 (ten lines) in app.log, followed and read. */
static void h_follow_generation0(const char *pattern)
{
    h_setup(false, pattern, false);
    h_append("app.log", "g0", 0, 10);
    h_start();
    h_pump();
}

/* ---- the tests --------------------------------------------------------------------------- */

static void test_appends_and_new_files(void **state)
{
    (void)state;
    h_setup(false, "*.log", false);
    h_append("a.log", "a", 0, 10);
    h_start();
    h_pump();
    h_expect("a", 0, 10, true);
    h_append("a.log", "a", 10, 15);
    h_append("b.log", "b", 0, 3);
    h_append("ignored.txt", "x", 0, 3);
    h_later();
    h_expect("a", 10, 15, true);
    h_expect("b", 0, 3, true);
    h_expect_count(18);
}

static void test_rename_rotation_still_matched(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_append("app.log", "g0", 10, 14); /* written before the rotation, not read yet */
    h_rename("app.log", "app.log.1");
    h_append("app.log", "g1", 0, 5);
    h_later();
    h_expect("g0", 0, 14, true);
    h_expect("g1", 0, 5, true);
    h_expect_count(19);
    assert_int_equal(file_tail_count(h.tail), 2);
    /* The renamed file is followed under its new name, still by the same identity. */
    bool renamed = false;
    for (size_t i = 0; i < file_tail_count(h.tail); i++)
        renamed |= strcmp(file_tail_at(h.tail, i)->path, h_path("app.log.1")) == 0;
    assert_true(renamed);
}

static void test_rename_rotation_away_read_to_end(void **state)
{
    (void)state;
    h_follow_generation0("*.log");
    h_append("app.log", "g0", 10, 12);
    h_rename("app.log", "app.log.1"); /* no longer matched */
    h_append("app.log", "g1", 0, 3);
    h_later();
    h_expect("g0", 0, 12, true);
    h_expect("g1", 0, 3, true);
    /* The writer still has the old file open: what it writes there within rotate.wait.ms counts,
     * and so does an unterminated last line once the file is done. */
    h_append("app.log.1", "g0", 12, 13);
    h_append_text("app.log.1", "g0-last-unterminated");
    h_later(); /* without inotify, a scan notices */
    h_expect("g0", 12, 13, true);
    assert_int_equal(file_tail_count(h.tail), 2);
    h.now += ROTATE_WAIT_MS + POLL_MS;
    h_pump();
    assert_int_equal(h_seen("g0-last-unterminated"), 1);
    assert_int_equal(file_tail_count(h.tail), 1);
    h_expect_count(17);
}

static void test_copytruncate_truncation_first(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_append("app.log", "g0", 10, 15);
    h_copy("app.log", "app.log.1", -1);
    h_truncate("app.log");
    h_append("app.log", "g1", 0, 3);
    h_later();
    h_expect("g0", 0, 15, true);
    h_expect("g1", 0, 3, true);
    h_expect_count(18);
}

static void test_copytruncate_copy_seen_first(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_append("app.log", "g0", 10, 15);
    h_copy("app.log", "app.log.1", -1);
    h_later(); /* the copy is found before the truncation */
    h_truncate("app.log");
    h_append("app.log", "g1", 0, 3);
    h_later();
    /* Nothing lost; what was read from both the original and its copy is bounded by what was
     * written between the last read and the copy. */
    h_expect("g0", 0, 15, false);
    h_expect("g0", 0, 10, true);
    h_expect("g1", 0, 3, true);
    assert_true(h.count <= 18 + 5);
}

static void test_copy_being_written_waits(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_append("app.log", "g0", 10, 12);
    h_copy("app.log", "app.log.1", 10); /* cp has written 10 bytes so far */
    h_later();
    assert_int_equal(file_tail_count(h.tail), 1); /* it waits */
    h_copy("app.log", "app.log.1", -1);            /* done */
    h_truncate("app.log");
    h_later();
    h_expect("g0", 0, 12, true);
    h_expect_count(12);

    /* A short file that stays a prefix of a known head is a new file after rotate.wait.ms. */
    h_append("app.log", "g1", 0, 10);
    h_later();
    h_copy("app.log", "app.log.2", 6);
    h_later();
    assert_int_equal(file_tail_count(h.tail), 2);
    h.now += ROTATE_WAIT_MS;
    h_later();
    assert_int_equal(file_tail_count(h.tail), 3);
}

static void test_restart_rename_while_down(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_commit();
    h_crash();
    h_append("app.log", "g0", 10, 14);
    h_rename("app.log", "app.log.1");
    h_append("app.log", "g1", 0, 5);
    h_start();
    h_pump();
    h_expect("g0", 10, 14, true);
    h_expect("g1", 0, 5, true);
    h_expect_count(9);
}

static void test_restart_copytruncate_while_down(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_commit();
    h_crash();
    h_append("app.log", "g0", 10, 14);
    h_copy("app.log", "app.log.1", -1);
    h_truncate("app.log");
    h_append("app.log", "g1", 0, 2);
    h_start();
    h_pump();
    h_expect("g0", 10, 14, true);
    h_expect("g1", 0, 2, true);
    h_expect_count(6);
}

static void test_restart_between_copy_and_truncate(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_commit();
    h_crash();
    h_append("app.log", "g0", 10, 14);
    h_copy("app.log", "app.log.1", -1);
    /* Named so that the copy sorts first: placing must not depend on names. */
    h_rename("app.log.1", "app.log.0");
    h_start();
    h_pump();
    h_truncate("app.log");
    h_append("app.log", "g1", 0, 2);
    h_later();
    h_expect("g0", 10, 14, false);
    h_expect("g1", 0, 2, true);
    assert_int_equal(h_seen("g0-0000"), 0);
    assert_true(h.count <= 6 + 4);
}

/* A copy made while running that had nothing left to read emits no record, so no offset of its
 * own is ever committed: after a restart it is still known, by the content key its original's
 * records were committed under. */
static void test_restart_after_a_copy_that_needed_nothing(void **state)
{
    (void)state;
    h_follow_generation0("app.log*");
    h_commit(); /* app.log's lines, under the content key of generation 0 */
    h_copy("app.log", "app.log.1", -1);
    h_truncate("app.log");
    h_append("app.log", "g1", 0, 6);
    h_later();
    h_expect("g1", 0, 6, true);
    h_expect_count(16);
    h_commit_file(h_path("app.log")); /* the copy emitted nothing: nothing of its own */
    h_crash();
    h_append("app.log", "g1", 6, 8);
    h_rename("app.log.1", "app.log.2"); /* and it is rotated further while down */
    h_start();
    h_pump();
    h_expect("g1", 6, 8, true);
    h_expect_count(2);
}

static void test_reused_inode_is_a_new_file(void **state)
{
    (void)state;
    h_setup(false, "*.log", false);
    h_append("a.log", "new", 0, 10);
    struct stat st;
    assert_int_equal(stat(h_path("a.log"), &st), 0);
    /* An offset committed for this device and inode, by a file with another head. */
    json_t *partition = file_offset_inode_partition((uint64_t)st.st_dev, (uint64_t)st.st_ino);
    char *key = json_dumps(partition, JSON_COMPACT | JSON_SORT_KEYS);
    json_object_set_new(h.committed, key, file_offset_identity(40, 0x1234, 16, "/old/name"));
    h_start();
    h_pump();
    h_expect("new", 0, 10, true);
    h_expect_count(10);
    /* The same offset with the right head resumes. */
    h_crash();
    char head[FINGERPRINT];
    FILE *file = fopen(h_path("a.log"), "r");
    assert_int_equal(fread(head, 1, FINGERPRINT, file), FINGERPRINT);
    fclose(file);
    json_object_set_new(h.committed, key,
                        file_offset_identity(9 * 4, file_identity_hash(head, 16), 16, "x"));
    h_start();
    h_pump();
    h_expect("new", 4, 10, true);
    h_expect_count(6);
    free(key);
    json_decref(partition);
}

static void test_single_file_positions(void **state)
{
    (void)state;
    h_setup(true, "app.log", false);
    h_append("app.log", "x", 0, 10); /* lines of 7 bytes */
    /* Kafka Connect's offset: at a line start, it is honoured. */
    char partition[512];
    snprintf(partition, sizeof(partition), "{\"filename\":\"%s\"}", h_path("app.log"));
    json_object_set_new(h.committed, partition, json_pack("{s:i}", "position", 21));
    h_start();
    h_pump();
    h_expect("x", 3, 10, true);
    h_expect_count(7);
    h_crash();
    /* Not at a line start: the file at the path is another one, read from its beginning. */
    json_object_set_new(h.committed, partition, json_pack("{s:i}", "position", 20));
    h_start();
    h_pump();
    h_expect_count(10);
    h_crash();
    /* Beyond the end: likewise. */
    json_object_set_new(h.committed, partition, json_pack("{s:i}", "position", 7000));
    h_start();
    h_pump();
    h_expect_count(10);
    /* While running, a replacement at the path waits for the old file, then starts at 0. */
    h_append("app.log", "x", 10, 11);
    h_rename("app.log", "app.log.old");
    h_append("app.log", "y", 0, 30);
    h_later();
    h_expect("x", 10, 11, true);
    assert_int_equal(h_seen("y-0000"), 0);
    h.now += ROTATE_WAIT_MS;
    h_later();
    h_later();
    h_expect("y", 0, 30, true);
    h_expect_count(41);
    char expected[64];
    snprintf(expected, sizeof(expected), "{\"position\":%d}", 30 * 7);
    json_t *offset = file_tail_offset(h.tail, file_tail_at(h.tail, 0), 30 * 7);
    char *text = json_dumps(offset, JSON_COMPACT);
    assert_string_equal(text, expected);
    free(text);
    json_decref(offset);
}

static void test_read_from_end(void **state)
{
    (void)state;
    h_setup(false, "*.log", false);
    h.config.read_from_end = true;
    h_append("a.log", "old", 0, 5);
    h_append_text("a.log", "partial");
    h_start();
    h_pump();
    h_expect_count(0);
    h_append_text("a.log", "-end\n");
    h_append("a.log", "a", 0, 2);
    h_append("b.log", "b", 0, 2); /* appears later: read from its beginning */
    h_later();
    assert_int_equal(h_seen("partial-end"), 1);
    h_expect("a", 0, 2, true);
    h_expect("b", 0, 2, true);
    h_expect_count(5);
    /* A restart with committed offsets never skips: c.log appeared while down. */
    h_commit();
    h_crash();
    h_append("c.log", "c", 0, 3);
    h_start();
    h_pump();
    h_expect("c", 0, 3, true);
    h_expect_count(3);
}

static void test_deleted_and_not_yet_existing(void **state)
{
    (void)state;
    h_setup(true, "later.log", false);
    h_start();
    h_pump();
    assert_int_equal(file_tail_count(h.tail), 0);
    assert_null(h.problem); /* a missing file is no problem */
    h_append("later.log", "l", 0, 3);
    h_later();
    h_expect("l", 0, 3, true);
    h_append_text("later.log", "no newline");
    assert_int_equal(unlink(h_path("later.log")), 0);
    h_later();
    assert_int_equal(file_tail_count(h.tail), 1); /* still read, within rotate.wait.ms */
    h.now += ROTATE_WAIT_MS;
    h_later();
    assert_int_equal(file_tail_count(h.tail), 0);
    assert_int_equal(h_seen("no newline"), 1);
    h_expect_count(4);
}

static void test_missing_directory_reported(void **state)
{
    (void)state;
    h_setup(false, "*/*.log", false);
    h_start();
    h_pump();
    assert_null(h.problem);
    assert_int_equal(mkdir(h_path("sub"), 0755), 0);
    h_append("sub/a.log", "a", 0, 2);
    h_later();
    h_expect("a", 0, 2, true);
    /* A directory matched by a wildcard vanishes with a followed file in it. */
    assert_int_equal(unlink(h_path("sub/a.log")), 0);
    assert_int_equal(rmdir(h_path("sub")), 0);
    h_later();
    assert_non_null(h.problem);
    assert_non_null(strstr(h.problem, "/sub vanished (it held "));
    h.now += ROTATE_WAIT_MS;
    h_later(); /* the file is done */
    h_later(); /* and the next scan misses nothing any more */
    assert_null(h.problem);
    file_tail_destroy(h.tail);
    h.tail = NULL;
    h_lines_free();

    h_setup_patterns("sub/*.log");
    h_start();
    h_pump();
    assert_non_null(h.problem);
    assert_non_null(strstr(h.problem, "/sub does not exist"));
    assert_int_equal(mkdir(h_path("sub"), 0755), 0);
    h_append("sub/a.log", "a", 0, 2);
    h_later();
    assert_null(h.problem);
    h_expect("a", 0, 2, true);
    /* The directory vanishes with a followed file in it. */
    assert_int_equal(unlink(h_path("sub/a.log")), 0);
    assert_int_equal(rmdir(h_path("sub")), 0);
    h_later();
    assert_non_null(h.problem);
    assert_non_null(strstr(h.problem, "/sub does not exist"));
    assert_null(strstr(h.problem, "more problem")); /* said once */
}

/* Runs in a child that is not root (root reads everything): an unreadable file is a problem, the
 * other files go on. */
static void test_unreadable_file_reported(void **state)
{
    (void)state;
    h_setup(false, "*.log", false);
    h_append("a.log", "a", 0, 2);
    h_append("secret.log", "s", 0, 2);
    assert_int_equal(chmod(h_path("secret.log"), 0), 0);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        h_start();
        h_pump();
        int rc = h.problem && strstr(h.problem, "secret.log") && strstr(h.problem, "denied") &&
                         h_seen("a-0000") == 1 && h_seen("s-0000") == 0
                     ? 0
                     : 1;
        if (rc)
            fprintf(stderr, "problem: %s, %zu lines\n", h.problem ? h.problem : "(none)",
                    h.count);
        _exit(rc);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_inotify_events(void **state)
{
    (void)state;
    h_setup(false, "*.log", true);
    h_append("a.log", "a", 0, 2);
    h_start();
    h_pump();
    if (!file_tail_uses_inotify(h.tail))
        skip(); /* no inotify here: the scans alone are tested above */
    h_expect_count(2);
    /* No scan is due: the event alone says there is more. */
    h_append("a.log", "a", 2, 4);
    h.now += 1;
    h_pump();
    h_expect_count(4);
    /* A new file: the directory event asks for a scan soon. */
    h_append("b.log", "b", 0, 1);
    h.now += 60;
    h_pump();
    h_expect("b", 0, 1, true);
    h_expect_count(5);
}

/* Files written and renamed to a name the patterns do not match 10 ms later, before any scan:
 * opened from the directory's event, they are read all the same. Half are created empty and
 * written a moment later (an empty file could be the start of a copy of the followed one: it
 * waits, open, and is read once it holds lines, wherever its name went); a quarter are renamed
 * before the task sees the event of their creation (opened under the name they went to). */
static void test_created_and_renamed_away_at_once(void **state)
{
    (void)state;
    h_setup(false, "*.log", true);
    h_append("main.log", "main", 0, 10); /* a followed file with a full head */
    h_start();
    h_pump();
    if (!file_tail_uses_inotify(h.tail))
        skip();
    h_expect_count(10);
    for (int i = 0; i < 100; i++) {
        char name[32], away[32];
        snprintf(name, sizeof(name), "f%03d.log", i);
        snprintf(away, sizeof(away), "f%03d.done", i);
        if (i % 2) {
            h_append_text(name, "");
            h.now += 1;
            h_pump();
        }
        h_append(name, name, 0, 3);
        if (i % 4 == 2) {
            /* Renamed before the task looked at all: the rename's events name both halves,
             * and every next name when it is renamed again. */
            if (i % 8 == 6) {
                char between[32];
                snprintf(between, sizeof(between), "f%03d.tmp", i);
                h_rename(name, between);
                h_rename(between, away);
            } else {
                h_rename(name, away);
            }
            h.now += 1;
            h_pump();
            continue;
        }
        h.now += 1;
        h_pump();
        h.now += 10;
        h_rename(name, away);
        h_pump();
    }
    h.now += ROTATE_WAIT_MS + POLL_MS;
    h_pump();
    h.now += ROTATE_WAIT_MS + POLL_MS;
    h_pump();
    for (int i = 0; i < 100; i++) {
        char name[32];
        snprintf(name, sizeof(name), "f%03d.log", i);
        h_expect(name, 0, 3, true);
    }
    h_expect_count(10 + 300);
}

/* Which of two tasks reads the file at path. */
static uint32_t h_owner(const char *name)
{
    struct stat st;
    assert_int_equal(stat(h_path(name), &st), 0);
    return file_identity_owner((uint64_t)st.st_dev, (uint64_t)st.st_ino, 2);
}

/* copytruncate with two tasks: the copy is a new inode, read by the other task more often than
 * not. It starts where the original was read to, not at byte 0: no line read twice. */
static void test_copytruncate_across_tasks(void **state)
{
    (void)state;
    h_setup(false, "app.log*", false);
    h.config.task_count = 2;
    h.config.share_group = "test_copytruncate_across_tasks";
    h_append("app.log", "g0", 0, 10);
    file_tail *tails[2];
    file_tail_host host = {.offset_read = h_offset_read, .log = h_log, .problem = h_problem};
    char err[256];
    for (uint32_t t = 0; t < 2; t++) {
        h.config.task_index = t;
        tails[t] = file_tail_new(&h.config, &host, err, sizeof(err));
        assert_non_null(tails[t]);
    }
    h_pump_tail(tails[0]);
    h_pump_tail(tails[1]);
    h_expect("g0", 0, 10, true);
    h_append("app.log", "g0", 10, 15);
    /* A copy on the other task (made under a name no pattern matches, then moved in). */
    uint32_t original = h_owner("app.log");
    char name[32];
    for (int k = 0;; k++) {
        assert_true(k < 200);
        snprintf(name, sizeof(name), "copy-%d", k);
        h_copy("app.log", name, -1);
        if (h_owner(name) != original)
            break;
    }
    h_rename(name, "app.log.1");
    h_truncate("app.log");
    h_append("app.log", "g1", 0, 3);
    h.now += POLL_MS;
    h_pump_tail(tails[1 - original]); /* the copy is seen before the truncation */
    h_pump_tail(tails[original]);
    h.now += POLL_MS;
    h_pump_tail(tails[0]);
    h_pump_tail(tails[1]);
    file_tail_destroy(tails[0]);
    file_tail_destroy(tails[1]);
    h_expect("g0", 0, 15, true);
    h_expect("g1", 0, 3, true);
    h_expect_count(18);
}

static void h_write_bytes(const char *name, const void *data, size_t len)
{
    FILE *file = fopen(h_path(name), "a");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, len, file), len);
    assert_int_equal(fclose(file), 0);
}

/* logrotate's compress: app.log.2.gz matches app.log*, but its lines would be binary garbage.
 * Files that start with the magic of gzip, bzip2, xz or zstd are skipped, found at a scan or
 * followed while empty and then written by the compressor. */
static void test_compressed_files_skipped(void **state)
{
    (void)state;
    static const unsigned char gzip[] = {0x1f, 0x8b, 0x08, 0x00, '\n', 0x01, 0x02, '\n', 0xff};
    static const unsigned char bzip2[] = {'B', 'Z', 'h', '9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59,
                                          '\n', 0x80, '\n'};
    static const unsigned char xz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00, '\n', 0x04, '\n'};
    static const unsigned char zstd[] = {0x28, 0xb5, 0x2f, 0xfd, '\n', 0x00, '\n'};
    h_follow_generation0("app.log*");
    h_write_bytes("app.log.1.gz", gzip, sizeof(gzip));
    h_write_bytes("app.log.2.bz2", bzip2, sizeof(bzip2));
    h_write_bytes("app.log.3.xz", xz, sizeof(xz));
    h_write_bytes("app.log.4.zst", zstd, sizeof(zstd));
    h_append_text("app.log.5.gz", ""); /* created empty: followed, then gzip writes */
    h_later();
    h_write_bytes("app.log.5.gz", gzip, sizeof(gzip));
    h_later();
    h_later();
    h_append("app.log", "g0", 10, 12);
    h_later();
    h_expect("g0", 0, 12, true);
    h_expect_count(12);
    assert_int_equal(file_tail_count(h.tail), 1);
    /* "BZh" followed by text is text. */
    h_append_text("app.log.6", "BZh9 is not bzip2\n");
    h_later();
    assert_int_equal(h_seen("BZh9 is not bzip2"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_appends_and_new_files, h_teardown),
        cmocka_unit_test_teardown(test_rename_rotation_still_matched, h_teardown),
        cmocka_unit_test_teardown(test_rename_rotation_away_read_to_end, h_teardown),
        cmocka_unit_test_teardown(test_copytruncate_truncation_first, h_teardown),
        cmocka_unit_test_teardown(test_copytruncate_copy_seen_first, h_teardown),
        cmocka_unit_test_teardown(test_copy_being_written_waits, h_teardown),
        cmocka_unit_test_teardown(test_restart_rename_while_down, h_teardown),
        cmocka_unit_test_teardown(test_restart_copytruncate_while_down, h_teardown),
        cmocka_unit_test_teardown(test_restart_between_copy_and_truncate, h_teardown),
        cmocka_unit_test_teardown(test_restart_after_a_copy_that_needed_nothing, h_teardown),
        cmocka_unit_test_teardown(test_reused_inode_is_a_new_file, h_teardown),
        cmocka_unit_test_teardown(test_single_file_positions, h_teardown),
        cmocka_unit_test_teardown(test_read_from_end, h_teardown),
        cmocka_unit_test_teardown(test_deleted_and_not_yet_existing, h_teardown),
        cmocka_unit_test_teardown(test_missing_directory_reported, h_teardown),
        cmocka_unit_test_teardown(test_unreadable_file_reported, h_teardown),
        cmocka_unit_test_teardown(test_inotify_events, h_teardown),
        cmocka_unit_test_teardown(test_created_and_renamed_away_at_once, h_teardown),
        cmocka_unit_test_teardown(test_copytruncate_across_tasks, h_teardown),
        cmocka_unit_test_teardown(test_compressed_files_skipped, h_teardown),
    };
    return cmocka_run_group_tests_name("file_tail", tests, NULL, NULL);
}
