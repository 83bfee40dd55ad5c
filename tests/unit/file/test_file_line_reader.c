/*
 * test_file_line_reader.c - line splitting across read buffers: every chunking of the same bytes
 * gives the same lines and positions (against a simple model, over random chunk sizes), CRLF,
 * lone CR, empty lines, peek-then-consume, a refused line shown again, long lines truncated at a
 * UTF-8 boundary, skipped or failed, a 10 MB line under a small max.line.bytes that never grows
 * the buffer, the unterminated last line, and trimming.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line_reader.h"

typedef struct seen_line {
    char *text;
    size_t len;
    int64_t offset;
    int64_t next;
    bool truncated;
} seen_line;

typedef struct seen_lines {
    seen_line items[4096];
    size_t count;
} seen_lines;

static void seen_free(seen_lines *seen)
{
    for (size_t i = 0; i < seen->count; i++)
        free(seen->items[i].text);
    seen->count = 0;
}

static void seen_add(seen_lines *seen, const line_reader_line *line)
{
    assert_true(seen->count < sizeof(seen->items) / sizeof(seen->items[0]));
    seen_line *item = &seen->items[seen->count++];
    item->text = malloc(line->len + 1);
    assert_non_null(item->text);
    memcpy(item->text, line->data, line->len);
    item->text[line->len] = '\0';
    item->len = line->len;
    item->offset = line->offset;
    item->next = line->next_position;
    item->truncated = line->truncated;
}

/* Feeds data in chunks of the given sizes (cycled), consuming every line. */
static line_reader_result feed(line_reader *reader, const char *data, size_t len,
                               const size_t *chunks, size_t chunk_count, seen_lines *seen)
{
    size_t at = 0, turn = 0;
    for (;;) {
        line_reader_line line;
        line_reader_result result;
        while ((result = line_reader_next(reader, &line)) == LINE_READER_LINE) {
            seen_add(seen, &line);
            line_reader_consume(reader, &line);
        }
        if (result == LINE_READER_TOO_LONG)
            return result;
        if (at == len)
            return LINE_READER_NEED_DATA;
        size_t room = 0;
        char *space = line_reader_space(reader, &room);
        assert_non_null(space);
        assert_true(room > 0);
        size_t n = chunks[turn++ % chunk_count];
        if (n > room)
            n = room;
        if (n > len - at)
            n = len - at;
        memcpy(space, data + at, n);
        line_reader_filled(reader, n);
        at += n;
    }
}

/* The model: split on '\n', drop a '\r' before it, no limit. */
static size_t model_split(const char *data, size_t len, seen_lines *out)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n')
            continue;
        size_t end = i;
        if (end > start && data[end - 1] == '\r')
            end--;
        line_reader_line line = {.data = data + start, .len = end - start,
                                 .offset = (int64_t)start, .next_position = (int64_t)i + 1};
        seen_add(out, &line);
        start = i + 1;
    }
    return start; /* where an unterminated rest begins */
}

static void assert_same_lines(const seen_lines *a, const seen_lines *b)
{
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        assert_int_equal(a->items[i].len, b->items[i].len);
        assert_memory_equal(a->items[i].text, b->items[i].text, a->items[i].len);
        assert_int_equal(a->items[i].offset, b->items[i].offset);
        assert_int_equal(a->items[i].next, b->items[i].next);
    }
}

static void test_lines_across_any_chunking(void **state)
{
    (void)state;
    /* Lines of assorted lengths, CRLF and LF, empty lines, a lone CR, binary bytes. */
    char data[20000];
    size_t len = 0;
    srand(7);
    while (len < sizeof(data) - 300) {
        int kind = rand() % 6;
        size_t n = (size_t)(rand() % 200);
        for (size_t i = 0; i < n; i++)
            data[len++] = kind == 5 ? (char)(rand() % 256 == '\n' ? 'x' : rand() % 256)
                                    : (char)('a' + rand() % 26);
        if (kind == 5)
            for (size_t i = len - n; i < len; i++)
                if (data[i] == '\n')
                    data[i] = 'y';
        if (kind == 1)
            data[len++] = '\r'; /* CRLF */
        if (kind == 2)
            data[len++] = '\r', data[len++] = 'z'; /* a lone CR inside a line */
        data[len++] = '\n';
    }
    seen_lines *expected = calloc(1, sizeof(*expected));
    seen_lines *got = calloc(1, sizeof(*got));
    assert_non_null(expected);
    assert_non_null(got);
    model_split(data, len, expected);
    const size_t fixed[][3] = {{1, 1, 1}, {2, 3, 5}, {7, 1, 64}, {4096, 4096, 4096},
                               {65536, 65536, 65536}, {13, 999, 1}};
    for (size_t c = 0; c < sizeof(fixed) / sizeof(fixed[0]); c++) {
        line_reader reader;
        line_reader_init(&reader, 1000, LINE_READER_FAIL, 0);
        assert_int_equal(feed(&reader, data, len, fixed[c], 3, got), LINE_READER_NEED_DATA);
        assert_same_lines(expected, got);
        assert_int_equal(line_reader_resume_position(&reader), (int64_t)len);
        assert_int_equal(line_reader_read_position(&reader), (int64_t)len);
        seen_free(got);
        line_reader_free(&reader);
    }
    for (int round = 0; round < 50; round++) {
        size_t chunks[8];
        for (size_t i = 0; i < 8; i++)
            chunks[i] = 1 + (size_t)(rand() % 3000);
        line_reader reader;
        line_reader_init(&reader, 1000, LINE_READER_FAIL, 0);
        feed(&reader, data, len, chunks, 8, got);
        assert_same_lines(expected, got);
        seen_free(got);
        line_reader_free(&reader);
    }
    seen_free(expected);
    free(expected);
    free(got);
}

static void test_positions_start_where_told(void **state)
{
    (void)state;
    line_reader reader;
    line_reader_init(&reader, 100, LINE_READER_TRUNCATE, 1000);
    seen_lines *got = calloc(1, sizeof(*got));
    const size_t one[] = {5};
    feed(&reader, "ab\r\ncd\nef", 9, one, 1, got);
    assert_int_equal(got->count, 2);
    assert_string_equal(got->items[0].text, "ab");
    assert_int_equal(got->items[0].offset, 1000);
    assert_int_equal(got->items[0].next, 1004);
    assert_string_equal(got->items[1].text, "cd");
    assert_int_equal(got->items[1].offset, 1004);
    assert_int_equal(got->items[1].next, 1007);
    /* "ef" is not a line yet: a restart resumes at its start. */
    assert_int_equal(line_reader_resume_position(&reader), 1007);
    assert_int_equal(line_reader_read_position(&reader), 1009);
    line_reader_line line;
    assert_true(line_reader_take_partial(&reader, &line));
    assert_int_equal(line.len, 2);
    assert_memory_equal(line.data, "ef", 2);
    assert_int_equal(line.next_position, 1009);
    line_reader_consume(&reader, &line);
    assert_false(line_reader_take_partial(&reader, &line));
    assert_int_equal(line_reader_resume_position(&reader), 1009);
    seen_free(got);
    free(got);
    line_reader_free(&reader);
}

static void fill(line_reader *reader, const char *text)
{
    size_t len = strlen(text), at = 0;
    while (at < len) {
        size_t room;
        char *space = line_reader_space(reader, &room);
        assert_non_null(space);
        size_t n = len - at < room ? len - at : room;
        memcpy(space, text + at, n);
        line_reader_filled(reader, n);
        at += n;
    }
}

static void test_peek_then_consume(void **state)
{
    (void)state;
    line_reader reader;
    line_reader_init(&reader, 100, LINE_READER_TRUNCATE, 0);
    fill(&reader, "one\ntwo\nthree\n");
    line_reader_line line;
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    assert_memory_equal(line.data, "one", 3);
    assert_true(line_reader_more_after(&reader, &line));
    /* Not consumed (the host refused it): shown again. */
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    assert_memory_equal(line.data, "one", 3);
    line_reader_consume(&reader, &line);
    assert_int_equal(line_reader_resume_position(&reader), 4);
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    assert_memory_equal(line.data, "two", 3);
    line_reader_consume(&reader, &line);
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    assert_memory_equal(line.data, "three", 5);
    assert_false(line_reader_more_after(&reader, &line));
    line_reader_consume(&reader, &line);
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_NEED_DATA);
    /* Nothing pending: trimming frees the buffer and keeps the position. */
    line_reader_trim(&reader);
    assert_int_equal(line_reader_capacity(&reader), 0);
    assert_int_equal(line_reader_resume_position(&reader), 14);
    fill(&reader, "four\n");
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    assert_int_equal(line.offset, 14);
    line_reader_free(&reader);
}

static void test_crlf_split_between_reads(void **state)
{
    (void)state;
    line_reader reader;
    line_reader_init(&reader, 4, LINE_READER_FAIL, 0);
    line_reader_line line;
    /* "abcd\r" is max_line + 1 bytes: not too long yet, the '\n' may follow. */
    fill(&reader, "abcd\r");
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_NEED_DATA);
    fill(&reader, "\n");
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    assert_int_equal(line.len, 4);
    assert_int_equal(line.next_position, 6);
    line_reader_consume(&reader, &line);
    /* "abcde" without a '\r' is too long at once. */
    fill(&reader, "abcde");
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_TOO_LONG);
    assert_int_equal(line.offset, 6);
    line_reader_free(&reader);
}

static void test_long_line_truncated(void **state)
{
    (void)state;
    line_reader reader;
    line_reader_init(&reader, 10, LINE_READER_TRUNCATE, 0);
    seen_lines *got = calloc(1, sizeof(*got));
    const char *text = "short\n0123456789ABCDEF\nnext\n";
    const size_t chunk[] = {3};
    feed(&reader, text, strlen(text), chunk, 1, got);
    assert_int_equal(got->count, 3);
    assert_string_equal(got->items[0].text, "short");
    assert_string_equal(got->items[1].text, "0123456789");
    assert_true(got->items[1].truncated);
    assert_int_equal(got->items[1].offset, 6);
    assert_string_equal(got->items[2].text, "next");
    assert_int_equal(got->items[2].offset, 23);
    assert_int_equal(reader.lines_truncated, 1);
    seen_free(got);

    /* A UTF-8 character across the limit is not cut in two: "abcdefghé" with é at 9..10. */
    line_reader_reset(&reader, 0);
    const char *accented = "abcdefghi\xc3\xa9xyz\n";
    feed(&reader, accented, strlen(accented), chunk, 1, got);
    assert_int_equal(got->count, 1);
    assert_string_equal(got->items[0].text, "abcdefghi");
    seen_free(got);
    line_reader_reset(&reader, 0);
    const char *accented_fits = "abcdefgh\xc3\xa9xyz\n";
    feed(&reader, accented_fits, strlen(accented_fits), chunk, 1, got);
    assert_string_equal(got->items[0].text, "abcdefgh\xc3\xa9");
    seen_free(got);
    free(got);
    line_reader_free(&reader);
}

static void test_long_line_skipped(void **state)
{
    (void)state;
    line_reader reader;
    line_reader_init(&reader, 10, LINE_READER_SKIP, 0);
    seen_lines *got = calloc(1, sizeof(*got));
    const char *text = "a\n0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\nb\n0123456789abc";
    const size_t chunk[] = {4};
    feed(&reader, text, strlen(text), chunk, 1, got);
    assert_int_equal(got->count, 2);
    assert_string_equal(got->items[0].text, "a");
    assert_string_equal(got->items[1].text, "b");
    assert_int_equal(got->items[1].offset, 39);
    /* The unterminated long tail is being discarded: a restart comes back to its start. */
    assert_int_equal(line_reader_resume_position(&reader), 41);
    assert_int_equal(reader.lines_skipped, 2);
    line_reader_line line;
    assert_false(line_reader_take_partial(&reader, &line));
    seen_free(got);
    free(got);
    line_reader_free(&reader);
}

/* A 10 MB line without a newline under max.line.bytes = 64 KiB: truncated once, the rest dropped,
 * and the buffer never above its limit. */
static void test_ten_megabyte_line_bounded(void **state)
{
    (void)state;
    const size_t max_line = 65536;
    for (int mode = 0; mode < 3; mode++) {
        line_reader reader;
        line_reader_init(&reader, max_line, (line_reader_overflow)mode, 0);
        size_t total = 10u << 20, fed = 0, lines = 0, largest = 0;
        bool too_long = false;
        while (fed < total && !too_long) {
            size_t room;
            char *space = line_reader_space(&reader, &room);
            assert_non_null(space);
            size_t n = total - fed < room ? total - fed : room;
            memset(space, 'x', n);
            line_reader_filled(&reader, n);
            fed += n;
            if (line_reader_capacity(&reader) > largest)
                largest = line_reader_capacity(&reader);
            line_reader_line line;
            line_reader_result result;
            while ((result = line_reader_next(&reader, &line)) == LINE_READER_LINE) {
                assert_int_equal(line.len, max_line);
                assert_true(line.truncated);
                assert_int_equal(line.offset, 0);
                assert_int_equal(line.next_position, 0);
                lines++;
                line_reader_consume(&reader, &line);
            }
            too_long = result == LINE_READER_TOO_LONG;
        }
        assert_true(largest <= line_reader_capacity_limit(max_line));
        if (mode == LINE_READER_TRUNCATE) {
            assert_int_equal(lines, 1);
            assert_int_equal(fed, total);
        } else if (mode == LINE_READER_SKIP) {
            assert_int_equal(lines, 0);
            assert_int_equal(fed, total);
        } else {
            assert_true(too_long);
            assert_true(fed < 2 * max_line + 65536);
        }
        /* The line ends at last: the next one is read normally. */
        if (!too_long) {
            fill(&reader, "\nafter\n");
            line_reader_line line;
            assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
            assert_int_equal(line.len, 5);
            assert_int_equal(line.offset, (int64_t)total + 1);
            line_reader_consume(&reader, &line);
            assert_int_equal(line_reader_resume_position(&reader), (int64_t)total + 7);
        }
        line_reader_free(&reader);
    }
}

static void test_reset_after_truncation(void **state)
{
    (void)state;
    line_reader reader;
    line_reader_init(&reader, 100, LINE_READER_TRUNCATE, 0);
    fill(&reader, "one\ntw");
    line_reader_line line;
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    line_reader_consume(&reader, &line);
    line_reader_reset(&reader, 0);
    assert_int_equal(line_reader_read_position(&reader), 0);
    fill(&reader, "new\n");
    assert_int_equal(line_reader_next(&reader, &line), LINE_READER_LINE);
    assert_int_equal(line.len, 3);
    assert_memory_equal(line.data, "new", 3);
    assert_int_equal(line.offset, 0);
    line_reader_free(&reader);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_across_any_chunking),
        cmocka_unit_test(test_positions_start_where_told),
        cmocka_unit_test(test_peek_then_consume),
        cmocka_unit_test(test_crlf_split_between_reads),
        cmocka_unit_test(test_long_line_truncated),
        cmocka_unit_test(test_long_line_skipped),
        cmocka_unit_test(test_ten_megabyte_line_bounded),
        cmocka_unit_test(test_reset_after_truncation),
    };
    return cmocka_run_group_tests_name("file_line_reader", tests, NULL, NULL);
}
