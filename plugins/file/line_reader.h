/*
 * line_reader.h - splits the bytes of one file into lines across read buffers, with bounded
 * memory, and keeps the byte positions a restart resumes from.
 *
 * A line ends at '\n'; a '\r' just before it is dropped too (CRLF). A lone '\r' is an ordinary
 * byte. A line longer than max_line bytes (without its delimiter) is truncated, skipped or
 * reported, as configured; its bytes beyond the limit are never held in memory, so the buffer
 * never grows past max(64 KiB, max_line + 64 KiB), whatever the file holds.
 *
 * Reading is peek-then-consume: line_reader_next() shows the next line without taking it;
 * line_reader_consume() takes it once the host accepted the record. A refused record is simply
 * shown again by the next call. The caller reads the file itself, into line_reader_space().
 *
 * Positions are file offsets in bytes. The resume position is where a restarted reader must
 * start so that no line is lost: the first byte of the first line not yet consumed (of the long
 * line being discarded, while one is).
 */
#ifndef FERRY_FILE_LINE_READER_H
#define FERRY_FILE_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum line_reader_overflow {
    LINE_READER_TRUNCATE = 0, /* the first max_line bytes become the record, the rest is dropped */
    LINE_READER_SKIP,         /* the whole line is dropped */
    LINE_READER_FAIL,         /* line_reader_next answers LINE_READER_TOO_LONG */
} line_reader_overflow;

typedef enum line_reader_result {
    LINE_READER_LINE = 0,  /* *line is the next line */
    LINE_READER_NEED_DATA, /* no complete line buffered: read more */
    LINE_READER_TOO_LONG,  /* LINE_READER_FAIL and the line at line->offset is too long */
} line_reader_result;

/* A line shown by line_reader_next: data points into the reader's buffer and stays valid until
 * the next call that changes the reader (consume, space, filled, reset, trim). */
typedef struct line_reader_line {
    const char *data;
    size_t len;             /* without the delimiter */
    int64_t offset;         /* file offset of the line's first byte */
    int64_t next_position;  /* the resume position once this line is consumed */
    bool truncated;         /* longer than max_line: data holds its first bytes only */
    /* Private to the reader. */
    size_t consume_to;
    bool enters_discard;
} line_reader_line;

typedef struct line_reader {
    char *data;
    size_t capacity;
    size_t start;         /* first byte of the line being assembled */
    size_t scanned;       /* no '\n' in [start, scanned) */
    size_t end;           /* bytes filled */
    bool has_newline;     /* last_newline is the index of the last '\n' in [0, end) */
    size_t last_newline;
    int64_t base;         /* file offset of data[0] */
    size_t max_line;
    line_reader_overflow overflow;
    bool discarding;      /* inside a long line: drop bytes up to its '\n' */
    int64_t long_line_start;
    uint64_t lines_truncated;
    uint64_t lines_skipped;
    int64_t skipped_offset; /* file offset of the last line skipped */
} line_reader;

/* Starts at file offset position; allocates nothing until the first line_reader_space(). */
void line_reader_init(line_reader *reader, size_t max_line, line_reader_overflow overflow,
                      int64_t position);
void line_reader_free(line_reader *reader);
/* Forgets everything buffered and starts again at position (a truncated file: 0). */
void line_reader_reset(line_reader *reader, int64_t position);

/* Where to read the file's next bytes into: at least one byte of room, usually many more (the
 * buffer is compacted and grown as needed). NULL when out of memory. */
char *line_reader_space(line_reader *reader, size_t *room);
/* n bytes were read into the space. */
void line_reader_filled(line_reader *reader, size_t n);

line_reader_result line_reader_next(line_reader *reader, line_reader_line *line);
/* Takes the line the last line_reader_next showed. */
void line_reader_consume(line_reader *reader, const line_reader_line *line);
/* True when another complete line is buffered after the shown one: the caller attaches a source
 * offset only to the last record of a run. */
bool line_reader_more_after(const line_reader *reader, const line_reader_line *line);

/* The bytes after the last complete line, for a file that will never grow again (deleted or
 * rotated away): shown as a final line, consumed like any other. false when there are none. */
bool line_reader_take_partial(line_reader *reader, line_reader_line *line);

/* The file offset of the next byte to read. */
int64_t line_reader_read_position(const line_reader *reader);
/* Where a restart must resume (see the top of this file). */
int64_t line_reader_resume_position(const line_reader *reader);
/* Releases the buffer when nothing is buffered (an idle file keeps no memory). */
void line_reader_trim(line_reader *reader);
size_t line_reader_capacity(const line_reader *reader);

/* The largest buffer a reader with this max_line ever allocates. */
size_t line_reader_capacity_limit(size_t max_line);

#endif
