/*
 * fuzz_line_reader.c - the file source's line splitter (plugins/file/line_reader.c) on any file
 * content, read in pieces of any size, with any line limit and long-line policy: every line
 * shown is the file's bytes at its offset (at most max_line of them when truncated), without a
 * '\n', lines follow each other, the resume position never passes the read position and the
 * buffer never grows past its bound.
 *
 * Input: byte 0 the line limit (1-256, or 64 KiB when 0), byte 1 the policy (mod 3), byte 2 the
 * read size (1-256, or all at once when 0); then the file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "line_reader.h"
#include "fuzz_target.h"

/* Checks one line against the file (text, from file offset 0). */
static void fuzz_line_check(const line_reader *reader, const line_reader_line *line,
                            const uint8_t *text, size_t size)
{
    fuzz_check(line->offset >= 0 && (size_t)line->offset + line->len <= size,
               "line at %lld of %zu bytes in a file of %zu", (long long)line->offset, line->len,
               size);
    fuzz_check(memcmp(line->data, text + line->offset, line->len) == 0, "line bytes at %lld",
               (long long)line->offset);
    fuzz_check(!memchr(line->data, '\n', line->len), "a line holds no newline");
    /* A truncated line is cut on a character boundary, so may be shorter than max_line. */
    fuzz_check(line->len <= reader->max_line, "a line of %zu bytes over %zu", line->len,
               reader->max_line);
    /* A long line whose '\n' is yet to come resumes from its own start. */
    fuzz_check(line->next_position <= line_reader_read_position(reader) &&
                   (line->next_position > line->offset ||
                    (line->truncated && line->next_position == line->offset)),
               "next position %lld", (long long)line->next_position);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t max_line = data[0] ? data[0] : 64 * 1024;
    line_reader_overflow overflow = (line_reader_overflow)(data[1] % 3);
    size_t piece = data[2];
    const uint8_t *text = data + 3;
    size_t text_size = size - 3;

    line_reader reader;
    line_reader_init(&reader, max_line, overflow, 0);
    size_t read = 0;
    int64_t last_end = 0;
    for (;;) {
        line_reader_line line;
        line_reader_result result = line_reader_next(&reader, &line);
        if (result == LINE_READER_LINE) {
            fuzz_line_check(&reader, &line, text, text_size);
            fuzz_check(line.offset >= last_end, "lines in order");
            last_end = line.next_position;
            line_reader_consume(&reader, &line);
            fuzz_check(line_reader_resume_position(&reader) <= line_reader_read_position(&reader),
                       "resume after read");
            continue;
        }
        if (result == LINE_READER_TOO_LONG) {
            fuzz_check(overflow == LINE_READER_FAIL, "too long only when failing on it");
            break;
        }
        if (read == text_size) {
            if (line_reader_take_partial(&reader, &line)) {
                fuzz_line_check(&reader, &line, text, text_size);
                line_reader_consume(&reader, &line);
            }
            break;
        }
        size_t room = 0;
        char *space = line_reader_space(&reader, &room);
        if (!space)
            break;
        fuzz_check(room > 0, "space has room");
        size_t n = text_size - read;
        if (piece && n > piece)
            n = piece;
        if (n > room)
            n = room;
        memcpy(space, text + read, n);
        line_reader_filled(&reader, n);
        read += n;
        fuzz_check(line_reader_capacity(&reader) <= line_reader_capacity_limit(max_line),
                   "capacity %zu over its bound", line_reader_capacity(&reader));
    }
    line_reader_trim(&reader);
    line_reader_free(&reader);
    return 0;
}
