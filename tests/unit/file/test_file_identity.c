/*
 * test_file_identity.c - what tells files apart and what the offsets look like: the head
 * fingerprint (hash, hex, comparisons: same, prefix, different, too short to count), the owner
 * of a file among tasks (stable, spread), the partitions and offsets of both modes (FileStream's
 * exact format with `file`), and glob discovery (static directories, excludes, regular files
 * only, duplicates once, a missing directory reported).
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
#include <unistd.h>

#include "file_glob.h"
#include "file_identity.h"
#include "file_offset.h"

static void test_hash_and_hex(void **state)
{
    (void)state;
    /* FNV-1a 64 reference values. */
    assert_true(file_identity_hash("", 0) == 0xcbf29ce484222325ull);
    assert_true(file_identity_hash("a", 1) == 0xaf63dc4c8601ec8cull);
    char hex[FILE_IDENTITY_HEX_LEN + 1];
    file_identity_hash_hex(0x0123456789abcdefull, hex);
    assert_string_equal(hex, "0123456789abcdef");
    uint64_t parsed = 0;
    assert_true(file_identity_hash_parse(hex, &parsed));
    assert_true(parsed == 0x0123456789abcdefull);
    assert_true(file_identity_hash_parse("0123456789ABCDEF", &parsed));
    assert_false(file_identity_hash_parse("0123456789abcde", &parsed));
    assert_false(file_identity_hash_parse("0123456789abcdeg", &parsed));
    assert_false(file_identity_hash_parse(NULL, &parsed));
}

static void test_head_compare(void **state)
{
    (void)state;
    unsigned char known[16], copy[32], other[32];
    for (int i = 0; i < 16; i++)
        known[i] = (unsigned char)('a' + i);
    memcpy(copy, known, 16);
    memcpy(copy + 16, "and more after it", 16);
    memcpy(other, copy, sizeof(other));
    other[15] = 'X';
    assert_int_equal(file_identity_head_compare(copy, 32, known, 16, 16), FILE_HEAD_SAME);
    assert_int_equal(file_identity_head_compare(other, 32, known, 16, 16), FILE_HEAD_DIFFERENT);
    /* A copy being written: its first 5 bytes so far. */
    assert_int_equal(file_identity_head_compare(copy, 5, known, 16, 16), FILE_HEAD_PREFIX);
    assert_int_equal(file_identity_head_compare((const unsigned char *)"abX", 3, known, 16, 16),
                     FILE_HEAD_DIFFERENT);
    /* A known head shorter than the fingerprint never makes two files one (a shared header). */
    assert_int_equal(file_identity_head_compare(copy, 32, known, 8, 16), FILE_HEAD_DIFFERENT);
}

static void test_head_read(void **state)
{
    (void)state;
    char path[] = "/tmp/ferry-identity-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hello world", 11), 11);
    assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
    char head[64];
    assert_int_equal(file_identity_head_read(fd, head, 5), 5);
    assert_memory_equal(head, "hello", 5);
    assert_int_equal(file_identity_head_read(fd, head, sizeof(head)), 11);
    /* pread: the descriptor's offset did not move. */
    assert_int_equal(lseek(fd, 0, SEEK_CUR), 3);
    close(fd);
    unlink(path);
}

static void test_owner_stable_and_spread(void **state)
{
    (void)state;
    assert_int_equal(file_identity_owner(1, 2, 1), 0);
    assert_int_equal(file_identity_owner(1, 2, 0), 0);
    unsigned counts[4] = {0};
    for (uint64_t inode = 1000; inode < 5000; inode++) {
        uint32_t owner = file_identity_owner(2049, inode, 4);
        assert_true(owner < 4);
        assert_int_equal(owner, file_identity_owner(2049, inode, 4));
        counts[owner]++;
    }
    for (int i = 0; i < 4; i++)
        assert_true(counts[i] > 800 && counts[i] < 1200);
}

static void assert_json(json_t *value, const char *expected)
{
    assert_non_null(value);
    char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
    json_decref(value);
}

static void test_offset_formats(void **state)
{
    (void)state;
    /* `file`: exactly FileStreamSource's. */
    assert_json(file_offset_path_partition("/var/log/app.log"),
                "{\"filename\":\"/var/log/app.log\"}");
    assert_json(file_offset_position(1234), "{\"position\":1234}");
    assert_json(file_offset_inode_partition(2049, 131074), "{\"device\":2049,\"inode\":131074}");
    assert_json(file_offset_content_partition(0xfeedull, 1024),
                "{\"head\":\"000000000000feed\",\"head.bytes\":1024}");
    assert_json(file_offset_identity(99, 0xabcull, 1024, "/x/a.log"),
                "{\"head\":\"0000000000000abc\",\"head.bytes\":1024,\"path\":\"/x/a.log\","
                "\"position\":99}");

    file_offset offset;
    char err[256];
    json_t *kafka = json_loads("{\"position\":4711}", 0, NULL);
    assert_int_equal(file_offset_parse(kafka, &offset, err, sizeof(err)), 0);
    assert_int_equal(offset.position, 4711);
    assert_false(offset.has_head);
    json_decref(kafka);
    json_t *ours = file_offset_identity(5, 77, 16, "p");
    assert_int_equal(file_offset_parse(ours, &offset, err, sizeof(err)), 0);
    assert_true(offset.has_head);
    assert_true(offset.head_hash == 77);
    assert_int_equal(offset.head_len, 16);
    json_decref(ours);
    json_t *bad = json_loads("{\"position\":\"12\"}", 0, NULL);
    assert_int_equal(file_offset_parse(bad, &offset, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "{\"position\":\"12\"}"));
    assert_non_null(strstr(err, "non-negative integer"));
    json_decref(bad);
    bad = json_loads("{\"position\":-1}", 0, NULL);
    assert_int_equal(file_offset_parse(bad, &offset, err, sizeof(err)), -1);
    json_decref(bad);
}

/* ---- discovery --------------------------------------------------------------------------- */

static char *make_dir(void)
{
    char *dir = strdup("/tmp/ferry-glob-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void touch(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    close(fd);
}

static int remove_tree(const char *dir)
{
    char command[600];
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    return system(command);
}

typedef struct problems {
    char text[8][512];
    size_t count;
} problems;

static void collect_problem(void *opaque, const char *path, int error)
{
    problems *p = opaque;
    if (p->count < 8)
        snprintf(p->text[p->count], sizeof(p->text[0]), "%s: %s", path, strerror(error));
    p->count++;
}

static void test_static_dir(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"/var/log/app.log", "/var/log"}, {"/var/log/*.log", "/var/log"},
        {"/var/log/app*/x.log", "/var/log"}, {"/var/l?g/x.log", "/var"},
        {"*.log", "."}, {"logs/a-*.log", "logs"}, {"/x.log", "/"}, {"/*/x", "/"},
        {"/var/{a,b}/x", "/var"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *dir = file_glob_static_dir(cases[i][0], false);
        assert_string_equal(dir, cases[i][1]);
        free(dir);
    }
    /* `file`: a path with wildcard characters is a plain name. */
    char *dir = file_glob_static_dir("/data/[weird]*/f.log", true);
    assert_string_equal(dir, "/data/[weird]*");
    free(dir);
}

static void test_glob_scan(void **state)
{
    (void)state;
    char *dir = make_dir();
    touch(dir, "a.log");
    touch(dir, "b.log");
    touch(dir, "b.log.1");
    touch(dir, "c.log.gz");
    touch(dir, "skip-me.log");
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/sub.log", dir);
    assert_int_equal(mkdir(sub, 0755), 0); /* a directory that matches: not a file */
    char p1[512], p2[512], p3[512], x1[512];
    snprintf(p1, sizeof(p1), "%s/*.log", dir);
    snprintf(p2, sizeof(p2), "%s/{b,c}.log*", dir);
    snprintf(p3, sizeof(p3), "%s/missing/*.log", dir);
    snprintf(x1, sizeof(x1), "%s/skip-*", dir);
    const char *const patterns[] = {p1, p2, p3, NULL};
    const char *const excludes[] = {"*.gz", x1, NULL};
    file_glob *matcher = file_glob_new(patterns, excludes, false);
    assert_non_null(matcher);
    file_glob_matches matches = {0};
    problems found = {0};
    assert_int_equal(file_glob_scan(matcher, &matches, collect_problem, &found), 0);
    assert_int_equal(matches.count, 3);
    const char *names[] = {"a.log", "b.log", "b.log.1"};
    for (size_t i = 0; i < 3; i++) {
        char expected[512];
        snprintf(expected, sizeof(expected), "%s/%s", dir, names[i]);
        assert_string_equal(matches.items[i].path, expected);
        assert_true(S_ISREG(matches.items[i].st.st_mode));
    }
    assert_int_equal(found.count, 1);
    assert_non_null(strstr(found.text[0], "/missing"));
    assert_non_null(strstr(found.text[0], strerror(ENOENT)));
    assert_true(file_glob_excluded(matcher, "/any/where/x.gz"));
    assert_false(file_glob_excluded(matcher, "/any/where/x.log"));
    file_glob_matches_clear(&matches);
    free(matches.items);
    matches = (file_glob_matches){0};
    file_glob_destroy(matcher);

    /* `file`: literal, a missing file is no problem, its missing directory is. */
    char literal[512], missing[512];
    snprintf(literal, sizeof(literal), "%s/not-yet.log", dir);
    snprintf(missing, sizeof(missing), "%s/nodir/f.log", dir);
    const char *const one[] = {literal, NULL};
    matcher = file_glob_new(one, NULL, true);
    found.count = 0;
    assert_int_equal(file_glob_scan(matcher, &matches, collect_problem, &found), 0);
    assert_int_equal(matches.count, 0);
    assert_int_equal(found.count, 0);
    touch(dir, "not-yet.log");
    assert_int_equal(file_glob_scan(matcher, &matches, collect_problem, &found), 0);
    assert_int_equal(matches.count, 1);
    file_glob_matches_clear(&matches);
    file_glob_destroy(matcher);
    const char *const gone[] = {missing, NULL};
    matcher = file_glob_new(gone, NULL, true);
    assert_int_equal(file_glob_scan(matcher, &matches, collect_problem, &found), 0);
    assert_int_equal(found.count, 1);
    file_glob_matches_clear(&matches);
    free(matches.items);
    file_glob_destroy(matcher);
    assert_int_equal(remove_tree(dir), 0);
    free(dir);
}

static void test_compressed_magic(void **state)
{
    (void)state;
    const unsigned char bzip2[] = {'B', 'Z', 'h', '9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
    assert_string_equal(file_identity_compressed((const unsigned char *)"\x1f\x8b\x08", 3),
                        "gzip");
    assert_string_equal(file_identity_compressed(bzip2, sizeof(bzip2)), "bzip2");
    assert_string_equal(file_identity_compressed((const unsigned char *)"\xfd" "7zXZ\0!", 7),
                        "xz");
    assert_string_equal(file_identity_compressed((const unsigned char *)"\x28\xb5\x2f\xfd", 4),
                        "zstd");
    assert_null(file_identity_compressed((const unsigned char *)"\x1f", 1)); /* too short */
    assert_null(file_identity_compressed((const unsigned char *)"BZh9 text line\n", 15));
    assert_null(file_identity_compressed((const unsigned char *)"2026-01-01 x\n", 13));
    assert_null(file_identity_compressed(NULL, 0));
}

/* What an inotify event names is matched as a scan would match it: braces, '*' not crossing
 * '/', no leading '.', excludes. */
static void test_glob_matches_path(void **state)
{
    (void)state;
    const char *patterns[] = {"/var/log/app/{a,b{1,2}}-*.log", "/srv/x.txt", NULL};
    const char *excludes[] = {"*-old.log", NULL};
    file_glob *glob = file_glob_new(patterns, excludes, false);
    assert_non_null(glob);
    assert_true(file_glob_matches_path(glob, "/var/log/app/a-1.log"));
    assert_true(file_glob_matches_path(glob, "/var/log/app/b2-x.log"));
    assert_true(file_glob_matches_path(glob, "/srv/x.txt"));
    assert_false(file_glob_matches_path(glob, "/var/log/app/b-1.log"));
    assert_false(file_glob_matches_path(glob, "/var/log/app/a-1.log.1"));
    assert_false(file_glob_matches_path(glob, "/var/log/app/a-x/y.log"));
    assert_false(file_glob_matches_path(glob, "/var/log/app/a-old.log"));
    file_glob_destroy(glob);
    const char *literal[] = {"/var/log/[x].log", NULL};
    glob = file_glob_new(literal, NULL, true);
    assert_non_null(glob);
    assert_true(file_glob_matches_path(glob, "/var/log/[x].log"));
    assert_false(file_glob_matches_path(glob, "/var/log/x.log"));
    file_glob_destroy(glob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_hex),
        cmocka_unit_test(test_head_compare),
        cmocka_unit_test(test_head_read),
        cmocka_unit_test(test_owner_stable_and_spread),
        cmocka_unit_test(test_offset_formats),
        cmocka_unit_test(test_static_dir),
        cmocka_unit_test(test_glob_scan),
        cmocka_unit_test(test_compressed_magic),
        cmocka_unit_test(test_glob_matches_path),
    };
    return cmocka_run_group_tests_name("file_identity", tests, NULL, NULL);
}
