/*
 * line_reader.c - line splitting across read buffers (see line_reader.h).
 *
 * The buffer holds data[start, end): the line being assembled and whatever was read after it.
 * Searching resumes where the previous search stopped (scanned), so a long line is searched once,
 * not once per read; the index of the last '\n' read lets the caller know, without searching,
 * whether another complete line follows the one it is looking at.
 */
#include "line_reader.h"

#include <stdlib.h>
#include <string.h>

#define LINE_READER_INITIAL_CAPACITY ((size_t)64 * 1024)
/* Compact or grow when less than this is left for a read: reads stay large. */
#define LINE_READER_MIN_ROOM ((size_t)4096)

size_t line_reader_capacity_limit(size_t max_line)
{
    /* A pending line of up to max_line + 1 bytes (its '\r'), plus room to read behind it. */
    return max_line + LINE_READER_INITIAL_CAPACITY;
}

void line_reader_init(line_reader *reader, size_t max_line, line_reader_overflow overflow,
                      int64_t position)
{
    memset(reader, 0, sizeof(*reader));
    reader->max_line = max_line;
    reader->overflow = overflow;
    reader->base = position;
}

void line_reader_free(line_reader *reader)
{
    free(reader->data);
    reader->data = NULL;
    reader->capacity = 0;
}

void line_reader_reset(line_reader *reader, int64_t position)
{
    reader->base = position;
    reader->start = reader->scanned = reader->end = 0;
    reader->has_newline = false;
    reader->discarding = false;
}

/* Moves the pending bytes to the front of the buffer. */
static void line_reader_compact(line_reader *reader)
{
    size_t pending = reader->end - reader->start;
    if (pending)
        memmove(reader->data, reader->data + reader->start, pending);
    reader->base += (int64_t)reader->start;
    reader->scanned -= reader->start;
    if (reader->has_newline && reader->last_newline >= reader->start)
        reader->last_newline -= reader->start;
    else
        reader->has_newline = false;
    reader->end = pending;
    reader->start = 0;
}

static void line_reader_grow(line_reader *reader)
{
    size_t limit = line_reader_capacity_limit(reader->max_line);
    if (reader->capacity >= limit)
        return;
    size_t capacity = reader->capacity ? reader->capacity * 2 : LINE_READER_INITIAL_CAPACITY;
    if (capacity > limit)
        capacity = limit;
    char *data = realloc(reader->data, capacity);
    if (!data)
        return; /* the caller sees how much room is left, possibly none */
    reader->data = data;
    reader->capacity = capacity;
}

char *line_reader_space(line_reader *reader, size_t *room)
{
    if (reader->start == reader->end) {
        /* Nothing pending: start again at the front, at the same file offset. */
        reader->base += (int64_t)reader->end;
        reader->start = reader->scanned = reader->end = 0;
        reader->has_newline = false;
    }
    if (reader->capacity - reader->end < LINE_READER_MIN_ROOM && reader->start > 0)
        line_reader_compact(reader);
    if (reader->capacity - reader->end < LINE_READER_MIN_ROOM)
        line_reader_grow(reader);
    if (reader->capacity == reader->end)
        return NULL;
    *room = reader->capacity - reader->end;
    return reader->data + reader->end;
}

void line_reader_filled(line_reader *reader, size_t n)
{
    if (n == 0)
        return;
    const char *newline = memrchr(reader->data + reader->end, '\n', n);
    if (newline) {
        reader->has_newline = true;
        reader->last_newline = (size_t)(newline - reader->data);
    }
    reader->end += n;
}

/* Where to cut a long line: at max_line, or a little before when a UTF-8 character straddles the
 * limit, so that a valid line stays valid once truncated. */
static size_t line_reader_cut(const char *data, size_t max_line)
{
    size_t cut = max_line;
    while (cut > 0 && max_line - cut < 3 && ((unsigned char)data[cut] & 0xC0) == 0x80)
        cut--;
    if (cut == max_line || ((unsigned char)data[cut] & 0xC0) == 0xC0)
        return cut;
    return max_line; /* not UTF-8 there anyway: cut at the limit */
}

/* The shown line for a line longer than max_line (truncate mode). */
static void line_reader_show_truncated(line_reader *reader, line_reader_line *line,
                                       size_t consume_to, bool enters_discard)
{
    const char *data = reader->data + reader->start;
    line->data = data;
    line->len = line_reader_cut(data, reader->max_line);
    line->offset = reader->base + (int64_t)reader->start;
    line->truncated = true;
    line->consume_to = consume_to;
    line->enters_discard = enters_discard;
    /* An unterminated long line: until its '\n' is found, a restart comes back to its start. */
    line->next_position = enters_discard ? line->offset : reader->base + (int64_t)consume_to;
}

line_reader_result line_reader_next(line_reader *reader, line_reader_line *line)
{
    for (;;) {
        if (reader->discarding) {
            const char *newline = reader->end > reader->start
                                      ? memchr(reader->data + reader->start, '\n',
                                               reader->end - reader->start)
                                      : NULL;
            if (!newline) {
                reader->start = reader->scanned = reader->end;
                return LINE_READER_NEED_DATA;
            }
            reader->start = reader->scanned = (size_t)(newline - reader->data) + 1;
            reader->discarding = false;
            continue;
        }

        size_t from = reader->scanned > reader->start ? reader->scanned : reader->start;
        const char *newline = NULL;
        if (reader->has_newline && reader->last_newline >= from)
            newline = memchr(reader->data + from, '\n', reader->end - from);
        if (newline) {
            size_t newline_index = (size_t)(newline - reader->data);
            size_t length = newline_index - reader->start;
            if (length > 0 && reader->data[newline_index - 1] == '\r')
                length--;
            if (length <= reader->max_line) {
                line->data = reader->data + reader->start;
                line->len = length;
                line->offset = reader->base + (int64_t)reader->start;
                line->next_position = reader->base + (int64_t)newline_index + 1;
                line->truncated = false;
                line->consume_to = newline_index + 1;
                line->enters_discard = false;
                return LINE_READER_LINE;
            }
            switch (reader->overflow) {
            case LINE_READER_FAIL:
                line->offset = reader->base + (int64_t)reader->start;
                return LINE_READER_TOO_LONG;
            case LINE_READER_SKIP:
                reader->skipped_offset = reader->base + (int64_t)reader->start;
                reader->start = reader->scanned = newline_index + 1;
                reader->lines_skipped++;
                continue;
            case LINE_READER_TRUNCATE:
            default:
                line_reader_show_truncated(reader, line, newline_index + 1, false);
                return LINE_READER_LINE;
            }
        }

        reader->scanned = reader->end;
        size_t pending = reader->end - reader->start;
        /* Still possibly short: up to max_line bytes, plus a '\r' whose '\n' is yet to come. */
        if (pending <= reader->max_line ||
            (pending == reader->max_line + 1 && reader->data[reader->end - 1] == '\r'))
            return LINE_READER_NEED_DATA;
        switch (reader->overflow) {
        case LINE_READER_FAIL:
            line->offset = reader->base + (int64_t)reader->start;
            return LINE_READER_TOO_LONG;
        case LINE_READER_SKIP:
            reader->discarding = true;
            reader->long_line_start = reader->skipped_offset =
                reader->base + (int64_t)reader->start;
            reader->start = reader->scanned = reader->end;
            reader->lines_skipped++;
            return LINE_READER_NEED_DATA;
        case LINE_READER_TRUNCATE:
        default:
            line_reader_show_truncated(reader, line, reader->end, true);
            return LINE_READER_LINE;
        }
    }
}

void line_reader_consume(line_reader *reader, const line_reader_line *line)
{
    if (line->truncated)
        reader->lines_truncated++;
    if (line->enters_discard) {
        reader->discarding = true;
        reader->long_line_start = line->offset;
        reader->start = reader->scanned = reader->end;
        return;
    }
    reader->start = reader->scanned = line->consume_to;
}

bool line_reader_more_after(const line_reader *reader, const line_reader_line *line)
{
    return !line->enters_discard && reader->has_newline &&
           reader->last_newline >= line->consume_to;
}

bool line_reader_take_partial(line_reader *reader, line_reader_line *line)
{
    if (reader->discarding || reader->start == reader->end)
        return false;
    size_t length = reader->end - reader->start;
    if (reader->data[reader->end - 1] == '\r')
        length--;
    if (length > reader->max_line) {
        if (reader->overflow == LINE_READER_SKIP) {
            reader->skipped_offset = reader->base + (int64_t)reader->start;
            reader->start = reader->scanned = reader->end;
            reader->lines_skipped++;
            return false;
        }
        /* Truncated (and, in fail mode too: the file is gone, there is nothing to fail for). */
        line_reader_show_truncated(reader, line, reader->end, false);
        return true;
    }
    line->data = reader->data + reader->start;
    line->len = length;
    line->offset = reader->base + (int64_t)reader->start;
    line->next_position = reader->base + (int64_t)reader->end;
    line->truncated = false;
    line->consume_to = reader->end;
    line->enters_discard = false;
    return true;
}

int64_t line_reader_read_position(const line_reader *reader)
{
    return reader->base + (int64_t)reader->end;
}

int64_t line_reader_resume_position(const line_reader *reader)
{
    return reader->discarding ? reader->long_line_start : reader->base + (int64_t)reader->start;
}

void line_reader_trim(line_reader *reader)
{
    if (reader->start != reader->end || !reader->data)
        return;
    reader->base += (int64_t)reader->end;
    reader->start = reader->scanned = reader->end = 0;
    reader->has_newline = false;
    line_reader_free(reader);
}

size_t line_reader_capacity(const line_reader *reader)
{
    return reader->capacity;
}
