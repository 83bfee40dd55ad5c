/*
 * file_tail.h - the set of files one source task follows, like `tail -F` over glob patterns:
 * discovery of new files, renames, rotation by rename (the old file is read to its end) and by
 * copytruncate (the truncation is detected and the file read again from 0, the copy is
 * recognised as content already read), deletion, files that do not exist yet, and where each
 * file starts after a restart. No Kafka and no host here: committed offsets are read and problems
 * reported through the callbacks of file_tail_host, so the unit tests drive it on real files.
 *
 * The state of a file is its reader (line_reader.h): its position only ever reaches the offsets
 * topic through the records the source emits, never through a file of our own.
 *
 * Not thread-safe: a task's thread owns its tail.
 */
#ifndef FERRY_FILE_TAIL_H
#define FERRY_FILE_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ferry/plugin.h>

#include "line_reader.h"

typedef struct file_tail_config {
    /* `file`: the one path, FileStreamSource's partition and offset, one file at a time (a
     * replacement at the path waits until the rotated one is read to its end). Otherwise
     * `files`: glob patterns, files identified by device, inode and head. */
    bool single_file;
    const char *const *patterns; /* NULL-terminated; the one path with single_file */
    const char *const *excludes; /* NULL-terminated, may be NULL */
    uint32_t task_index;         /* this task reads the files whose owner is task_index */
    uint32_t task_count;
    size_t max_line_bytes;
    line_reader_overflow long_lines;
    size_t fingerprint_bytes;
    bool read_from_end;          /* a first start begins at the end of files found then */
    int64_t rotate_wait_ms;      /* how long a file rotated away is still read after its end */
    int64_t poll_interval_ms;    /* the scan interval, the polling fallback */
    bool inotify;
    /* With several tasks: the name the tasks of one connector share their files' heads under
     * (file_share.h), so that a copy another task reads starts where its original was. NULL: no
     * sharing. */
    const char *share_group;
} file_tail_config;

typedef struct file_tail_host {
    void *opaque;
    /* The committed offset of a source partition (new reference) or NULL. */
    json_t *(*offset_read)(void *opaque, json_t *partition);
    void (*log)(void *opaque, ferry_log_level level, const char *message);
    /* A problem that does not stop the task (an unreadable file, a missing directory), or NULL
     * once there is none. Called only when the message changes. */
    void (*problem)(void *opaque, const char *message);
} file_tail_host;

/* One followed file. The source reads its fields; file_tail changes them. */
typedef struct tail_file {
    char *path;           /* where it was last seen (kept after it vanished, for logs) */
    uint64_t device;
    uint64_t inode;
    int fd;
    int watch;            /* inotify watch descriptor, -1 when polled */
    line_reader reader;
    json_t *partition;    /* its source partition: read it with file_tail_partition() */
    unsigned char *head;  /* the file's first head_len bytes (up to fingerprint bytes) */
    size_t head_len;
    bool ready;           /* may have bytes to read */
    bool gone;            /* no longer matched: rotated away or deleted; read to the end */
    bool awaiting_copy;   /* adopted as a copy at a position its size has not reached yet */
    bool compressed;      /* it turned out to start with a compression magic: never read */
    int64_t active_ms;    /* when bytes last came, or it was found or went */
    uint64_t lines_read;  /* lines the source emitted from it (for its progress) */
    bool backfill;        /* it was found well behind its end: its progress is reported */
    /* Private to file_tail. */
    bool content_key;     /* partition is the content key (file_offset.h) */
    bool matched;
    off_t checked_size;
    int64_t checked_mtime_ns;
    uint64_t head_hash;
    size_t head_hash_len;
    struct file_share_entry *shared; /* its full head, published to the other tasks */
} tail_file;

typedef struct file_tail file_tail;

/* NULL with a message on error (out of memory). */
file_tail *file_tail_new(const file_tail_config *config, const file_tail_host *host, char *err,
                         size_t errlen);
void file_tail_destroy(file_tail *tail); /* accepts NULL */

/* Serves pending change events and scans when a scan is due (poll.interval.ms) or an event asked
 * for one: discovery, renames, rotations, truncations, copies. A name that appears in a watched
 * directory and matches the patterns is opened at once, from the event, so that a file renamed
 * away a moment after it was written is still read. now_ms: a monotonic clock. */
void file_tail_update(file_tail *tail, int64_t now_ms);
/* Scans now, whatever the interval. */
void file_tail_scan(file_tail *tail, int64_t now_ms);

size_t file_tail_count(const file_tail *tail);
tail_file *file_tail_at(const file_tail *tail, size_t index);

/* Reads f's next bytes into its reader. Returns the number read, 0 at the end of the file (f is
 * then no longer ready), or -1 on a read error (reported as a problem). A truncation found at the
 * end of the file restarts the file at 0 and reads from there. */
ssize_t file_tail_read(file_tail *tail, tail_file *f, int64_t now_ms);

/* f's source partition now (borrowed, valid until f changes): with `files`, it changes once,
 * from the device-and-inode key to the content key, when f's head reaches fingerprint.bytes. */
json_t *file_tail_partition(file_tail *tail, tail_file *f);
/* A new reference to f's source offset at a resume position (file_offset.h's formats). */
json_t *file_tail_offset(file_tail *tail, tail_file *f, int64_t position);

/* A file rotated away or deleted, read to its end and idle for rotate.wait.ms, or NULL. The
 * caller emits its last unterminated line (line_reader_take_partial), then retires it. */
tail_file *file_tail_retirable(file_tail *tail, int64_t now_ms);
void file_tail_retire(file_tail *tail, tail_file *f);

/* Sleeps until a change event or the next scan, at most timeout_ms. */
void file_tail_wait(file_tail *tail, int64_t now_ms, int timeout_ms);

/* Whether inotify is in use (false: scans only). */
bool file_tail_uses_inotify(const file_tail *tail);

#endif
