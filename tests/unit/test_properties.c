/*
 * test_properties.c - the .properties parser against java.util.Properties.load(): every syntax
 * feature, every malformed input, and the files Kafka ships. The expected values were checked
 * against Java 17's Properties.load on the same text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/properties.h"

/* Text literals keep their length so that embedded NUL bytes count. */
#define TEXT(literal) literal, sizeof(literal) - 1

static config_map *parse_ok(const char *text, size_t len)
{
    char err[256] = "";
    config_map *map = config_map_new();
    assert_non_null(map);
    if (properties_parse(text, len, map, err, sizeof(err)) != 0)
        fail_msg("unexpected error: %s", err);
    return map;
}

static void parse_fails(const char *text, size_t len, const char *expected)
{
    char err[256] = "";
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(properties_parse(text, len, map, err, sizeof(err)), -1);
    assert_string_equal(err, expected);
    config_map_destroy(map);
}

/* Checks the map holds exactly these pairs, in this order: key, value, ..., NULL. */
static void assert_entries(const config_map *map, ...)
{
    va_list ap;
    size_t index = 0;
    va_start(ap, map);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key)
            break;
        const char *value = va_arg(ap, const char *);
        assert_true(index < config_map_count(map));
        assert_string_equal(config_map_key_at(map, index), key);
        assert_string_equal(config_map_value_at(map, index), value);
        index++;
    }
    va_end(ap);
    assert_int_equal(config_map_count(map), index);
}

static char *data_path(const char *name)
{
    const char *dir = getenv("FERRY_TEST_DATA");
    if (!dir)
        fail_msg("FERRY_TEST_DATA is not set (run the tests with meson test)");
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    return path;
}

/* ------------------------------------------------------------------------------------------ */

static void test_separators(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("equals=1\n"
                                    "colon:2\n"
                                    "space 3\n"
                                    "tab\t4\n"
                                    "feed\f5\n"
                                    "spaced   =   6\n"
                                    "both  :  7\n"
                                    "double = = 8\n"
                                    "blank.then.words a b = c\n"
                                    "=no key\n"));
    assert_entries(map, "equals", "1", "colon", "2", "space", "3", "tab", "4", "feed", "5",
                   "spaced", "6", "both", "7", "double", "= 8", "blank.then.words", "a b = c",
                   "", "no key", NULL);
    config_map_destroy(map);
}

static void test_keys_without_values(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("alone\n"
                                    "equals=\n"
                                    "colon:\n"
                                    "   padded   \n"
                                    "last"));
    assert_entries(map, "alone", "", "equals", "", "colon", "", "padded", "", "last", "", NULL);
    config_map_destroy(map);
}

static void test_white_space(void **state)
{
    (void)state;
    /* Leading blanks of a line go, trailing blanks of a value stay, as in Java. */
    config_map *map = parse_ok(TEXT("  \t\fleading=value\n"
                                    "trailing=value  \t\n"
                                    "\n"
                                    "   \n"
                                    "inner = a  b\n"));
    assert_entries(map, "leading", "value", "trailing", "value  \t", "inner", "a  b", NULL);
    config_map_destroy(map);
}

static void test_comments(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("# hash comment\n"
                                    "! bang comment\n"
                                    "   # indented comment\n"
                                    "\t! indented bang\n"
                                    "#key=hidden\n"
                                    "a=1 # not a comment\n"
                                    "b=#not a comment either\n"
                                    "#last line comment without newline"));
    assert_entries(map, "a", "1 # not a comment", "b", "#not a comment either", NULL);
    config_map_destroy(map);
}

static void test_comment_never_continues(void **state)
{
    (void)state;
    /* Java's LineReader consumes a comment to its line end: a trailing backslash means nothing. */
    config_map *map = parse_ok(TEXT("# a comment ending in a backslash \\\n"
                                    "a=1\n"
                                    "! odd count \\\\\\\n"
                                    "b=2\n"));
    assert_entries(map, "a", "1", "b", "2", NULL);
    config_map_destroy(map);
}

static void test_continuation(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("value=hello \\\n"
                                    "      world\n"
                                    "ke\\\n"
                                    "  y=joined key\n"
                                    "three=a\\\n"
                                    "\tb\\\n"
                                    "\f c\n"
                                    "hash=x\\\n"
                                    "   #not a comment\n"));
    assert_entries(map, "value", "hello world", "key", "joined key", "three", "abc", "hash",
                   "x#not a comment", NULL);
    config_map_destroy(map);
}

static void test_continuation_backslash_parity(void **state)
{
    (void)state;
    /* An even number of trailing backslashes is escaped backslashes, an odd one continues. */
    config_map *map = parse_ok(TEXT("two=x\\\\\n"
                                    "next=1\n"
                                    "three=x\\\\\\\n"
                                    "  y\n"
                                    "four=x\\\\\\\\\n"
                                    "after=2\n"));
    assert_entries(map, "two", "x\\", "next", "1", "three", "x\\y", "four", "x\\\\", "after", "2",
                   NULL);
    config_map_destroy(map);
}

static void test_continuation_then_blank_line(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("a=b\\\n"
                                    "\n"
                                    "c=d\n"));
    assert_entries(map, "a", "b", "c", "d", NULL);
    config_map_destroy(map);
}

static void test_continuation_at_end_of_text(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("a=b\\"));
    assert_entries(map, "a", "b", NULL);
    config_map_destroy(map);

    map = parse_ok(TEXT("a=b\\\n"));
    assert_entries(map, "a", "b", NULL);
    config_map_destroy(map);

    map = parse_ok(TEXT("a=b\\\n   "));
    assert_entries(map, "a", "b", NULL);
    config_map_destroy(map);

    /* Java's quirk: a last line holding only a backslash is an empty key with an empty value. */
    map = parse_ok(TEXT("a=1\n\\"));
    assert_entries(map, "a", "1", "", "", NULL);
    config_map_destroy(map);
}

static void test_line_ends(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("crlf=1\r\n"
                                    "cr=2\r"
                                    "lf=3\n"
                                    "cont.crlf=a\\\r\n"
                                    "   b\r\n"
                                    "cont.cr=c\\\r"
                                    "   d\r"
                                    "\r\n\r\n"
                                    "last=4"));
    assert_entries(map, "crlf", "1", "cr", "2", "lf", "3", "cont.crlf", "ab", "cont.cr", "cd",
                   "last", "4", NULL);
    config_map_destroy(map);
}

static void test_escapes(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("controls=[\\t][\\n][\\r][\\f]\n"
                                    "backslash=[\\\\]\n"
                                    "others=[\\q][\\=][\\:][\\#][\\!][\\ ][\\\"][\\b]\n"
                                    "key\\ with\\ blanks = v1\n"
                                    "key\\=with\\:separators = v2\n"
                                    "\\#not.a.comment = v3\n"
                                    "trailing.escaped.blank = v4\\ \n"
                                    "key.ends.in.escaped.blank\\ =v5\n"
                                    "escaped.utf8=\\é\n"));
    assert_entries(map, "controls", "[\t][\n][\r][\f]", "backslash", "[\\]", "others",
                   "[q][=][:][#][!][ ][\"][b]", "key with blanks", "v1", "key=with:separators",
                   "v2", "#not.a.comment", "v3", "trailing.escaped.blank", "v4 ",
                   "key.ends.in.escaped.blank ", "v5", "escaped.utf8", "é", NULL);
    config_map_destroy(map);
}

static void test_unicode_escapes(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("ascii=\\u0041\\u0062\n"
                                    "two.bytes=\\u00e9\\u00E9\n"
                                    "three.bytes=\\u20AC\n"
                                    "pair=\\uD83D\\uDE00\n"
                                    "pair.lower=\\ud83d\\ude00!\n"
                                    "\\u006b\\u0065\\u0079=in a key\n"
                                    "separator\\u003dkept=\\u003d\n"));
    assert_entries(map, "ascii", "Ab", "two.bytes", "\xC3\xA9\xC3\xA9", "three.bytes",
                   "\xE2\x82\xAC", "pair", "\xF0\x9F\x98\x80", "pair.lower", "\xF0\x9F\x98\x80!",
                   "key", "in a key", "separator=kept", "=", NULL);
    config_map_destroy(map);
}

static void test_utf8_text(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("clé=valeur naïve\n"
                                    "emoji=\xF0\x9F\x98\x80\n"
                                    "# commentaire accentué\n"
                                    "日本=語\n"));
    assert_entries(map, "clé", "valeur naïve", "emoji", "\xF0\x9F\x98\x80", "日本", "語", NULL);
    config_map_destroy(map);
}

static void test_byte_order_mark_skipped(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("\xEF\xBB\xBF"
                                    "bootstrap.servers=localhost:9092\n"));
    assert_entries(map, "bootstrap.servers", "localhost:9092", NULL);
    config_map_destroy(map);
}

static void test_duplicate_key_replaces(void **state)
{
    (void)state;
    config_map *map = parse_ok(TEXT("a=1\nb=2\na=3\n"));
    assert_entries(map, "a", "3", "b", "2", NULL);
    config_map_destroy(map);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    config_map *map = parse_ok("", 0);
    assert_int_equal(config_map_count(map), 0);
    config_map_destroy(map);

    map = parse_ok(TEXT("\n\r\n   \n# only comments\n! and more\n"));
    assert_int_equal(config_map_count(map), 0);
    config_map_destroy(map);
}

static void test_javadoc_examples(void **state)
{
    (void)state;
    /* The examples of the java.util.Properties.load javadoc. */
    config_map *map = parse_ok(TEXT("Truth = Beauty\n"
                                    " Truth:Beauty\n"
                                    "Truth                    :Beauty\n"
                                    "fruits                           apple, banana, pear, \\\n"
                                    "                                  cantaloupe, watermelon, \\\n"
                                    "                                  kiwi, mango\n"
                                    "cheeses\n"));
    assert_entries(map, "Truth", "Beauty", "fruits",
                   "apple, banana, pear, cantaloupe, watermelon, kiwi, mango", "cheeses", "",
                   NULL);
    config_map_destroy(map);
}

/* ------------------------------------------------------------------------------------------ */
/* Malformed input                                                                            */

static void test_malformed_unicode_escape(void **state)
{
    (void)state;
    parse_fails(TEXT("a=\\u12"), "line 1: malformed \\uxxxx escape: expected 4 hex digits");
    parse_fails(TEXT("a=\\u12G4\n"), "line 1: malformed \\uxxxx escape: expected 4 hex digits");
    parse_fails(TEXT("a=\\u\n"), "line 1: malformed \\uxxxx escape: expected 4 hex digits");
    parse_fails(TEXT("\\uXYZW=v\n"), "line 1: malformed \\uxxxx escape: expected 4 hex digits");
    /* The line named is the physical line of the escape, inside a continued entry too. */
    parse_fails(TEXT("x=1\n"
                     "\n"
                     "a=b\\\n"
                     "   \\u00zz\n"),
                "line 4: malformed \\uxxxx escape: expected 4 hex digits");
    parse_fails(TEXT("x=1\r\ny=2\r\nz=\\u1\r\n"),
                "line 3: malformed \\uxxxx escape: expected 4 hex digits");
}

static void test_lone_surrogates(void **state)
{
    (void)state;
    parse_fails(TEXT("a=\\uD83D\n"),
                "line 1: \\uD83D is a high surrogate not followed by a \\u escape of a low "
                "surrogate");
    parse_fails(TEXT("a=\\uD83Dx\\uDE00\n"),
                "line 1: \\uD83D is a high surrogate not followed by a \\u escape of a low "
                "surrogate");
    parse_fails(TEXT("a=\\uD83D\\uD83D\n"),
                "line 1: \\uD83D is a high surrogate not followed by a \\u escape of a low "
                "surrogate");
    parse_fails(TEXT("ok=1\na=\\uDE00\n"),
                "line 2: \\uDE00 is a low surrogate without a high surrogate before it");
}

static void test_nul(void **state)
{
    (void)state;
    parse_fails(TEXT("a=b\0c\n"), "line 1: NUL byte");
    parse_fails(TEXT("a=1\n\0=2\n"), "line 2: NUL byte");
    parse_fails(TEXT("a=\\u0000\n"), "line 1: \\u0000 (NUL) is not allowed");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    parse_fails(TEXT("a=\xC3\n"), "line 1: invalid UTF-8");             /* truncated */
    parse_fails(TEXT("a=1\nb=\xE2\x82"), "line 2: invalid UTF-8");       /* cut at the end */
    parse_fails(TEXT("a=\xC0\xAF\n"), "line 1: invalid UTF-8");          /* overlong */
    parse_fails(TEXT("a=\xED\xA0\x80\n"), "line 1: invalid UTF-8");      /* a surrogate */
    parse_fails(TEXT("a=\xF4\x90\x80\x80\n"), "line 1: invalid UTF-8");  /* above U+10FFFF */
    parse_fails(TEXT("a=\xA9\n"), "line 1: invalid UTF-8");              /* a lone continuation */
    parse_fails(TEXT("caf\xE9=latin-1\n"), "line 1: invalid UTF-8");
    /* A sequence cut by a continuation is not joined across it. */
    parse_fails(TEXT("a=\xC3\\\n\xA9\n"), "line 1: invalid UTF-8");
}

static void test_comment_content_not_checked(void **state)
{
    (void)state;
    /* As in Java a comment is skipped unread, so a Latin-1 comment is no error. */
    config_map *map = parse_ok(TEXT("# caf\xE9 \0\na=1\n"));
    assert_entries(map, "a", "1", NULL);
    config_map_destroy(map);
}

static void test_entries_before_error_kept(void **state)
{
    (void)state;
    char err[256];
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(properties_parse(TEXT("a=1\nb=2\nc=\\uZZZZ\nd=4\n"), map, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "line 3: malformed \\uxxxx escape: expected 4 hex digits");
    assert_entries(map, "a", "1", "b", "2", NULL);
    config_map_destroy(map);
}

/* ------------------------------------------------------------------------------------------ */
/* Files                                                                                      */

static void test_file_connect_standalone(void **state)
{
    (void)state;
    char err[256] = "";
    char *path = data_path("connect-standalone.properties");
    config_map *map = config_map_new();
    assert_non_null(map);
    if (properties_parse_file(path, map, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_entries(map, "bootstrap.servers", "localhost:9092", "key.converter",
                   "org.apache.kafka.connect.json.JsonConverter", "value.converter",
                   "org.apache.kafka.connect.json.JsonConverter", "key.converter.schemas.enable",
                   "true", "value.converter.schemas.enable", "true",
                   "offset.storage.file.filename", "/tmp/connect.offsets",
                   "offset.flush.interval.ms", "10000", NULL);
    config_map_destroy(map);
    free(path);
}

static void test_file_connect_file_source(void **state)
{
    (void)state;
    char err[256] = "";
    char *path = data_path("connect-file-source.properties");
    config_map *map = config_map_new();
    assert_non_null(map);
    if (properties_parse_file(path, map, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_entries(map, "name", "local-file-source", "connector.class", "FileStreamSource",
                   "tasks.max", "1", "file", "test.txt", "topic", "connect-test", NULL);
    config_map_destroy(map);
    free(path);
}

static void test_file_every_feature(void **state)
{
    (void)state;
    char err[256] = "";
    char *path = data_path("syntax.properties");
    config_map *map = config_map_new();
    assert_non_null(map);
    if (properties_parse_file(path, map, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_entries(map, "Truth", "Beauty", "fruits",
                   "apple, banana, pear, cantaloupe, watermelon, kiwi, mango", "cheeses", "",
                   "comment.continued", "no, a comment line never continues", "key with spaces",
                   "value with trailing blanks   ", "key=with:separators#and!marks", "=:#!",
                   "escapes",
                   "tab[\t] newline[\n] return[\r] feed[\f] backslash[\\] other[q]", "unicode",
                   "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 caf\xC3\xA9", "utf8.literal",
                   "naïve café ☕", "empty.with.equals", "", "empty.with.colon", "",
                   "double.separator", "= value", "path.windows", "C:\\Program Files\\ferry",
                   "url", "http://localhost:8083/connectors", NULL);
    config_map_destroy(map);
    free(path);
}

static void test_file_errors_name_the_path(void **state)
{
    (void)state;
    char err[512];
    char expected[512];
    char dir_template[] = "/tmp/ferry-test-properties-XXXXXX";
    char *dir = mkdtemp(dir_template);
    assert_non_null(dir);
    config_map *map = config_map_new();
    assert_non_null(map);

    char *missing = NULL;
    assert_true(asprintf(&missing, "%s/missing.properties", dir) > 0);
    assert_int_equal(properties_parse_file(missing, map, err, sizeof(err)), -1);
    snprintf(expected, sizeof(expected), "%s: No such file or directory", missing);
    assert_string_equal(err, expected);

    assert_int_equal(properties_parse_file(dir, map, err, sizeof(err)), -1);
    snprintf(expected, sizeof(expected), "%s: Is a directory", dir);
    assert_string_equal(err, expected);

    char *bad = NULL;
    assert_true(asprintf(&bad, "%s/bad.properties", dir) > 0);
    FILE *file = fopen(bad, "wb");
    assert_non_null(file);
    fputs("ok=1\nbroken=\\u12\n", file);
    fclose(file);
    assert_int_equal(properties_parse_file(bad, map, err, sizeof(err)), -1);
    snprintf(expected, sizeof(expected),
             "%s: line 2: malformed \\uxxxx escape: expected 4 hex digits", bad);
    assert_string_equal(err, expected);
    assert_entries(map, "ok", "1", NULL);

    unlink(bad);
    rmdir(dir);
    free(bad);
    free(missing);
    config_map_destroy(map);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_keys_without_values),
        cmocka_unit_test(test_white_space),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_comment_never_continues),
        cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_continuation_backslash_parity),
        cmocka_unit_test(test_continuation_then_blank_line),
        cmocka_unit_test(test_continuation_at_end_of_text),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_unicode_escapes),
        cmocka_unit_test(test_utf8_text),
        cmocka_unit_test(test_byte_order_mark_skipped),
        cmocka_unit_test(test_duplicate_key_replaces),
        cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_javadoc_examples),
        cmocka_unit_test(test_malformed_unicode_escape),
        cmocka_unit_test(test_lone_surrogates),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_comment_content_not_checked),
        cmocka_unit_test(test_entries_before_error_kept),
        cmocka_unit_test(test_file_connect_standalone),
        cmocka_unit_test(test_file_connect_file_source),
        cmocka_unit_test(test_file_every_feature),
        cmocka_unit_test(test_file_errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
