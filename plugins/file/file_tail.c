/*
 * file_tail.c - the files a source task follows (see file_tail.h).
 *
 * A scan (every poll.interval.ms, and soon after inotify reports names changing) matches the
 * patterns and reconciles what it finds with the followed files by device and inode:
 *   - a known inode at another path was renamed: only its path changes, reading goes on;
 *   - a followed file no longer matched was rotated away or deleted: it is read to its end, and
 *     closed once idle for rotate.wait.ms (its last unterminated line is emitted then);
 *   - a followed file that shrank below what was read, or whose first bytes changed, was
 *     truncated (copytruncate) or rewritten: its old head and position become an "orphan" and it
 *     is read again from 0;
 *   - a new inode is opened and placed: at the committed offset of its content (the content key:
 *     a renamed file, or a copy of content read before, finds it whatever its name or inode), or
 *     of its device and inode when the offset's head matches the file; else at the position of a
 *     followed file or an orphan whose full head it repeats (a copy made while running); else at
 *     0, or at the end for read.from=end on a first start. A file shorter than a head it could be
 *     a copy of waits (a copy being written) until it is longer, or idle for rotate.wait.ms.
 * On the first scan after a restart, files with a committed offset are placed before the others,
 * so that a copy made while the worker was down finds the position of its original.
 *
 * Between scans, a name inotify reports created or moved into a watched directory is opened and
 * placed at once, and so is the new name of a matched name renamed before it was opened: a file
 * renamed away a moment after it was written is read all the same. A file waiting to be told from
 * a copy being written keeps its descriptor open. With several tasks, the followed files' full
 * heads and positions, and those of content truncated away, are shared with the connector's other
 * tasks in this process (file_share.h): a copy that lands on another task than its original
 * starts where the original was. Files that start with a compression magic are skipped, said once.
 */
#include "file_tail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_glob.h"
#include "file_identity.h"
#include "file_offset.h"
#include "file_share.h"
#include "file_watch.h"
#include "support/array.h"
#include "support/strlist.h"

#define TAIL_ORPHANS_MAX 256
/* Orphans wait this long at least for their copy to show up. */
#define TAIL_ORPHAN_LIFETIME_MS 60000
/* Scans asked for by inotify are at most this frequent. */
#define TAIL_EVENT_SCAN_MIN_MS 50
/* While a new file waits (a copy being written?), scans come this often: it is not watched. */
#define TAIL_PENDING_SCAN_MS 100
#define TAIL_MESSAGE_MAX 1024
/* Renames from a matched name remembered until their second half comes (the next event). */
#define TAIL_MOVES_MAX 16

/* Content that was read up to position, then truncated away or replaced while running: a copy
 * of it that shows up is read from position. */
typedef struct tail_orphan {
    unsigned char *head;
    size_t head_len;
    int64_t position;
    int64_t expires_ms;
} tail_orphan;

typedef struct tail_dir {
    char *path;
    int wd;
    bool seen;
} tail_dir;

/* A matched file this scan may start following. */
typedef struct tail_candidate {
    const file_glob_match *match;
    int fd;
    struct stat st;
    unsigned char *head;
    size_t head_len;
    json_t *partition;
    bool placed;        /* own_position is decided (a committed offset, checked) */
    int64_t own_position;
    const char *own_note;
} tail_candidate;

/* A new file whose bytes so far are the beginning of a known head: maybe a copy in progress. It
 * stays open while it waits, so that it is read even when renamed away or deleted meanwhile. */
typedef struct tail_pending {
    tail_candidate candidate; /* its descriptor, head, partition and committed placement */
    file_glob_match match;    /* its own path and stat: candidate.match points here */
    off_t size;
    int64_t since_ms;         /* when its size last changed */
} tail_pending;

/* A file left alone for its compression magic: remembered so that it is said once. */
typedef struct tail_skipped {
    uint64_t device;
    uint64_t inode;
    bool seen;
} tail_skipped;

enum { MATCH_OTHER_TASK = 0, MATCH_KNOWN, MATCH_CANDIDATE };

struct file_tail {
    file_tail_config config;
    file_tail_host host;
    char *single_path;
    file_glob *glob;
    file_watch *watch;
    tail_file **files;
    size_t count;
    size_t capacity;
    tail_orphan orphans[TAIL_ORPHANS_MAX];
    size_t orphan_count;
    tail_pending **pending;
    size_t pending_count;
    size_t pending_capacity;
    tail_skipped *skipped;
    size_t skipped_count;
    size_t skipped_capacity;
    strlist appeared;        /* paths inotify saw appear since the last update */
    strlist moved_away;      /* new names of matched names renamed before they were opened */
    uint32_t moves[TAIL_MOVES_MAX]; /* cookies of renames away from a matched name */
    size_t move_next;
    file_share *share;       /* NULL: one task, or no sharing */
    tail_dir *dirs;
    size_t dir_count;
    size_t dir_capacity;
    file_glob_matches matches;
    unsigned char *scratch; /* fingerprint_bytes, for head checks */
    bool scan_requested;
    bool scanned_once;
    bool any_committed;
    bool watch_limit_logged;
    bool followed_any;      /* a file was followed in this run (`file`: later ones are new) */
    int64_t next_scan_ms;
    int64_t last_scan_ms;
    /* Problems found by the running scan (the first one's text and how many), the one published,
     * and a read error since the last scan. */
    char problem[TAIL_MESSAGE_MAX];
    size_t problem_count;
    char *problem_published;
    char read_problem[TAIL_MESSAGE_MAX];
};

/* ---- logging and problems ---------------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static void tail_log(file_tail *tail, ferry_log_level level, const char *fmt, ...)
{
    if (!tail->host.log)
        return;
    char message[TAIL_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    tail->host.log(tail->host.opaque, level, message);
}

__attribute__((format(printf, 2, 3)))
static void tail_problem(file_tail *tail, const char *fmt, ...)
{
    if (tail->problem_count++ > 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail->problem, sizeof(tail->problem), fmt, ap);
    va_end(ap);
}

static void tail_problems_publish(file_tail *tail)
{
    char message[TAIL_MESSAGE_MAX + 64];
    if (tail->problem_count == 1)
        snprintf(message, sizeof(message), "%s", tail->problem);
    else if (tail->problem_count > 1)
        snprintf(message, sizeof(message), "%s (and %zu more problem%s)", tail->problem,
                 tail->problem_count - 1, tail->problem_count > 2 ? "s" : "");
    const char *now = tail->problem_count ? message : NULL;
    const char *before = tail->problem_published;
    if ((!now && !before) || (now && before && strcmp(now, before) == 0))
        return;
    free(tail->problem_published);
    tail->problem_published = now ? strdup(now) : NULL;
    if (tail->host.problem)
        tail->host.problem(tail->host.opaque, now);
}

static void tail_glob_problem(void *opaque, const char *path, int error)
{
    file_tail *tail = opaque;
    if (error == ENOENT)
        tail_problem(tail, "directory %s does not exist", path);
    else
        tail_problem(tail, "cannot read directory %s: %s", path, strerror(error));
}

/* ---- small helpers ----------------------------------------------------------------------- */

static int64_t tail_mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static uint64_t tail_head_hash(tail_file *f)
{
    if (f->head_hash_len != f->head_len) {
        f->head_hash = file_identity_hash(f->head, f->head_len);
        f->head_hash_len = f->head_len;
    }
    return f->head_hash;
}

static tail_file *tail_find(const file_tail *tail, uint64_t device, uint64_t inode)
{
    for (size_t i = 0; i < tail->count; i++)
        if (tail->files[i]->device == device && tail->files[i]->inode == inode)
            return tail->files[i];
    return NULL;
}

static void tail_file_free(file_tail *tail, tail_file *f)
{
    if (!f)
        return;
    if (f->shared)
        file_share_remove(tail->share, f->shared, 0, 0);
    if (f->watch >= 0)
        file_watch_remove(tail->watch, f->watch);
    if (f->fd >= 0)
        close(f->fd);
    line_reader_free(&f->reader);
    json_decref(f->partition);
    free(f->head);
    free(f->path);
    free(f);
}

/* Reads the file's head again (after a truncation, or to extend a short one). */
static void tail_head_load(file_tail *tail, tail_file *f)
{
    ssize_t n = file_identity_head_read(f->fd, f->head, tail->config.fingerprint_bytes);
    f->head_len = n > 0 ? (size_t)n : 0;
    f->head_hash_len = SIZE_MAX; /* the same length may now hold other bytes */
}

/* ---- orphans ----------------------------------------------------------------------------- */

static void tail_orphan_drop(file_tail *tail, size_t index)
{
    free(tail->orphans[index].head);
    memmove(&tail->orphans[index], &tail->orphans[index + 1],
            (tail->orphan_count - index - 1) * sizeof(tail->orphans[0]));
    tail->orphan_count--;
}

static int64_t tail_orphan_expiry(const file_tail *tail, int64_t now_ms)
{
    int64_t lifetime = 10 * tail->config.rotate_wait_ms;
    return now_ms + (lifetime > TAIL_ORPHAN_LIFETIME_MS ? lifetime : TAIL_ORPHAN_LIFETIME_MS);
}

/* Only full-length heads can ever match a copy: others are not kept. */
static void tail_orphan_add(file_tail *tail, const unsigned char *head, size_t head_len,
                            int64_t position, int64_t now_ms)
{
    if (head_len != tail->config.fingerprint_bytes || position <= 0)
        return;
    unsigned char *copy = malloc(head_len);
    if (!copy)
        return; /* without memory, forget it: at worst a copy is read again */
    memcpy(copy, head, head_len);
    if (tail->orphan_count == TAIL_ORPHANS_MAX)
        tail_orphan_drop(tail, 0);
    tail->orphans[tail->orphan_count++] = (tail_orphan){
        .head = copy, .head_len = head_len, .position = position,
        .expires_ms = tail_orphan_expiry(tail, now_ms)};
}

static void tail_orphans_expire(file_tail *tail, int64_t now_ms)
{
    for (size_t i = 0; i < tail->orphan_count;) {
        if (tail->orphans[i].expires_ms <= now_ms)
            tail_orphan_drop(tail, i);
        else
            i++;
    }
}

/* ---- truncation and rewriting ------------------------------------------------------------ */

static void tail_truncated(file_tail *tail, tail_file *f, int64_t now_ms, const char *why)
{
    int64_t resume = line_reader_resume_position(&f->reader);
    tail_log(tail, FERRY_LOG_INFO, "%s was truncated (%s) after %" PRId64 " bytes were read: "
             "reading it again from byte 0", f->path, why, resume);
    if (!tail->config.single_file)
        tail_orphan_add(tail, f->head, f->head_len, resume, now_ms);
    if (f->shared) {
        /* The other tasks keep the old head as an orphan too: its copy may be theirs. */
        file_share_position(tail->share, f->shared, resume);
        file_share_remove(tail->share, f->shared, now_ms, tail_orphan_expiry(tail, now_ms));
        f->shared = NULL;
    }
    line_reader_reset(&f->reader, 0);
    tail_head_load(tail, f);
    if (f->content_key) {
        /* New content: young again, until its own head is complete. */
        json_t *partition = file_offset_inode_partition(f->device, f->inode);
        if (partition) {
            json_decref(f->partition);
            f->partition = partition;
            f->content_key = false;
        }
    }
    struct stat st;
    if (fstat(f->fd, &st) == 0) {
        f->checked_size = st.st_size;
        f->checked_mtime_ns = tail_mtime_ns(&st);
    }
    f->awaiting_copy = false;
    f->ready = true;
    f->active_ms = now_ms;
}

/* True when the file still starts with the head it had. */
static bool tail_head_unchanged(file_tail *tail, tail_file *f)
{
    ssize_t n = file_identity_head_read(f->fd, tail->scratch, f->head_len);
    return n == (ssize_t)f->head_len && memcmp(tail->scratch, f->head, f->head_len) == 0;
}

/* Size and head of a followed file, at a scan: truncation, rewriting, growth (the polling
 * fallback: without inotify this is how new bytes are noticed). */
static void tail_check(file_tail *tail, tail_file *f, int64_t now_ms)
{
    struct stat st;
    if (f->compressed || fstat(f->fd, &st) != 0)
        return;
    int64_t mtime_ns = tail_mtime_ns(&st);
    bool changed = st.st_size != f->checked_size || mtime_ns != f->checked_mtime_ns;
    f->checked_size = st.st_size;
    f->checked_mtime_ns = mtime_ns;
    int64_t read_position = line_reader_read_position(&f->reader);
    if (f->awaiting_copy) {
        if (st.st_size < read_position)
            return; /* the copy is still being written up to where its original was read */
        f->awaiting_copy = false;
    }
    if (st.st_size < read_position) {
        tail_truncated(tail, f, now_ms, "its size went down");
        return;
    }
    if (changed && f->head_len > 0 && !tail_head_unchanged(tail, f)) {
        tail_truncated(tail, f, now_ms, "its first bytes changed");
        return;
    }
    if (f->head_len < tail->config.fingerprint_bytes && (size_t)st.st_size > f->head_len)
        tail_head_load(tail, f);
    if (st.st_size > read_position)
        f->ready = true;
}

/* ---- directories ------------------------------------------------------------------------- */

static void tail_dir_ensure(file_tail *tail, const char *path)
{
    for (size_t i = 0; i < tail->dir_count; i++) {
        tail_dir *dir = &tail->dirs[i];
        if (strcmp(dir->path, path) == 0) {
            dir->seen = true;
            if (dir->wd < 0)
                dir->wd = file_watch_add_dir(tail->watch, path);
            return;
        }
    }
    if (array_reserve(&tail->dirs, &tail->dir_capacity, tail->dir_count + 1,
                      sizeof(*tail->dirs)) != 0)
        return;
    char *copy = strdup(path);
    if (!copy)
        return;
    tail->dirs[tail->dir_count++] =
        (tail_dir){.path = copy, .wd = file_watch_add_dir(tail->watch, path), .seen = true};
}

/* Watches the patterns' static directories and the directories of matched files. */
static void tail_dirs_update(file_tail *tail)
{
    if (!file_watch_uses_inotify(tail->watch))
        return;
    for (size_t i = 0; i < tail->dir_count; i++)
        tail->dirs[i].seen = false;
    for (size_t i = 0; i < file_glob_pattern_count(tail->glob); i++)
        tail_dir_ensure(tail, file_glob_dir(tail->glob, i));
    for (size_t i = 0; i < tail->matches.count; i++) {
        const char *path = tail->matches.items[i].path;
        const char *slash = strrchr(path, '/');
        if (!slash) {
            tail_dir_ensure(tail, ".");
            continue;
        }
        size_t length = slash == path ? 1 : (size_t)(slash - path);
        char *dir = strndup(path, length);
        if (dir)
            tail_dir_ensure(tail, dir);
        free(dir);
    }
    for (size_t i = 0; i < tail->dir_count;) {
        if (tail->dirs[i].seen) {
            i++;
            continue;
        }
        file_watch_remove(tail->watch, tail->dirs[i].wd);
        free(tail->dirs[i].path);
        tail->dirs[i] = tail->dirs[--tail->dir_count];
    }
}

/* ---- compressed files -------------------------------------------------------------------- */

static tail_skipped *tail_skipped_find(file_tail *tail, uint64_t device, uint64_t inode)
{
    for (size_t i = 0; i < tail->skipped_count; i++)
        if (tail->skipped[i].device == device && tail->skipped[i].inode == inode)
            return &tail->skipped[i];
    return NULL;
}

/* Whether head starts with a compression magic (logrotate's compress: app.log.2.gz). Such a
 * file is never read: its lines would be binary garbage. Said once per file. */
static bool tail_compressed(file_tail *tail, uint64_t device, uint64_t inode,
                            const unsigned char *head, size_t head_len, const char *path)
{
    const char *format = file_identity_compressed(head, head_len);
    if (!format)
        return false;
    tail_skipped *known = tail_skipped_find(tail, device, inode);
    if (known) {
        known->seen = true;
        return true;
    }
    tail_log(tail, FERRY_LOG_INFO, "%s is %s-compressed: skipped (compressed files are never "
             "read; exclude them, e.g. exclude=*.gz, to keep them out of the scans)", path,
             format);
    if (array_reserve(&tail->skipped, &tail->skipped_capacity, tail->skipped_count + 1,
                      sizeof(*tail->skipped)) == 0)
        tail->skipped[tail->skipped_count++] =
            (tail_skipped){.device = device, .inode = inode, .seen = true};
    return true;
}

static void tail_skipped_sweep(file_tail *tail)
{
    for (size_t i = 0; i < tail->skipped_count;) {
        if (tail->skipped[i].seen) {
            tail->skipped[i].seen = false;
            i++;
        } else {
            tail->skipped[i] = tail->skipped[--tail->skipped_count];
        }
    }
}

/* ---- sharing with the other tasks --------------------------------------------------------- */

/* Publishes how far f was read, once its head is complete (file_share.h). */
static void tail_share_update(file_tail *tail, tail_file *f)
{
    if (!tail->share || f->compressed || f->head_len < tail->config.fingerprint_bytes)
        return;
    int64_t position = line_reader_resume_position(&f->reader);
    if (f->shared)
        file_share_position(tail->share, f->shared, position);
    else
        f->shared = file_share_add(tail->share, tail, tail->config.task_index, f->head,
                                   f->head_len, position, f->path);
}

/* ---- placing a new file ------------------------------------------------------------------ */

static void tail_candidate_clear(tail_candidate *candidate)
{
    if (candidate->fd >= 0)
        close(candidate->fd);
    free(candidate->head);
    json_decref(candidate->partition);
    candidate->fd = -1;
    candidate->head = NULL;
    candidate->partition = NULL;
}

/* The position after the last complete line, for read.from=end. */
static int64_t tail_end_position(file_tail *tail, int fd, off_t size)
{
    char chunk[8192];
    int64_t end = size;
    int64_t floor = size - (int64_t)tail->config.max_line_bytes - 1;
    if (floor < 0)
        floor = 0;
    while (end > floor) {
        int64_t from = end - (int64_t)sizeof(chunk) > floor ? end - (int64_t)sizeof(chunk)
                                                           : floor;
        ssize_t n = pread(fd, chunk, (size_t)(end - from), (off_t)from);
        if (n <= 0)
            break;
        for (ssize_t i = n - 1; i >= 0; i--)
            if (chunk[i] == '\n')
                return from + i + 1;
        end = from;
    }
    return size; /* no line ends in reach: skip the unterminated text as well */
}

/* Checks a committed FileStreamSource position against the file: within it, and at the start of
 * a line (positions always are), else the file at the path is another one. */
static bool tail_position_fits(int fd, off_t size, int64_t position)
{
    if (position > size)
        return false;
    if (position == 0)
        return true;
    char before;
    return pread(fd, &before, 1, (off_t)(position - 1)) == 1 && before == '\n';
}

/* Looks the candidate's partition up in the committed offsets and decides whether that offset
 * places it. A committed head that does not match is kept as an orphan. */
static json_t *tail_committed(file_tail *tail, json_t *partition)
{
    json_t *committed = partition && tail->host.offset_read
                            ? tail->host.offset_read(tail->host.opaque, partition)
                            : NULL;
    if (committed)
        tail->any_committed = true;
    return committed;
}

/* Places the candidate at a committed position it must fit (within the file, at a line start). */
static void tail_candidate_at(file_tail *tail, tail_candidate *candidate,
                              const file_offset *offset, const char *note)
{
    candidate->placed = true;
    if (tail_position_fits(candidate->fd, candidate->st.st_size, offset->position)) {
        candidate->own_position = offset->position;
        candidate->own_note = note;
        return;
    }
    tail_log(tail, FERRY_LOG_INFO, "%s: the committed position %" PRId64 " does not fit the file "
             "(%lld bytes, or not at a line start): it is another file; reading it from its "
             "beginning", candidate->match->path, offset->position,
             (long long)candidate->st.st_size);
    candidate->own_note = "another file than its committed offset's";
}

/* Reads a committed offset (and releases it); false, having placed the candidate at 0, when it
 * cannot be read. */
static bool tail_committed_parse(file_tail *tail, tail_candidate *candidate, json_t *committed,
                                 file_offset *offset)
{
    char why[512];
    int parsed = file_offset_parse(committed, offset, why, sizeof(why));
    json_decref(committed);
    if (parsed == 0)
        return true;
    tail_log(tail, FERRY_LOG_WARN, "%s: %s; reading the file from its beginning",
             candidate->match->path, why);
    candidate->placed = true;
    candidate->own_note = "its committed offset is unreadable";
    return false;
}

static void tail_candidate_committed(file_tail *tail, tail_candidate *candidate)
{
    /* With `file`, the committed offset belongs to the first file this run follows: a file that
     * replaces it later is new, whatever an offset of its predecessor says. */
    if (tail->config.single_file && tail->followed_any)
        return;
    file_offset offset;
    size_t full = tail->config.fingerprint_bytes;
    if (!tail->config.single_file && candidate->head_len == full) {
        /* The content key: the file's own offset, or that of content it is a copy of. */
        json_t *key = file_offset_content_partition(file_identity_hash(candidate->head, full),
                                                    full);
        json_t *committed = tail_committed(tail, key);
        json_decref(key);
        if (committed && tail_committed_parse(tail, candidate, committed, &offset)) {
            if (offset.position > candidate->st.st_size) {
                /* The same content, read further than this file holds yet: a copy still being
                 * written. It is read from there once it gets there. */
                candidate->placed = true;
                candidate->own_position = offset.position;
                candidate->own_note = "committed offset of its content, not written that far yet";
            } else {
                tail_candidate_at(tail, candidate, &offset, "committed offset of its content");
            }
        }
        if (committed)
            return;
    }
    json_t *committed = tail_committed(tail, candidate->partition);
    if (!committed || !tail_committed_parse(tail, candidate, committed, &offset))
        return;
    const char *path = candidate->match->path;
    off_t size = candidate->st.st_size;
    if (tail->config.single_file || !offset.has_head) {
        tail_candidate_at(tail, candidate, &offset, "committed offset");
        return;
    }
    bool same = offset.head_len <= candidate->head_len &&
                file_identity_hash(candidate->head, offset.head_len) == offset.head_hash;
    if (!same)
        return; /* the inode now holds another file */
    candidate->placed = true;
    if (offset.position > size) {
        tail_log(tail, FERRY_LOG_INFO, "%s was truncated since its committed offset (%" PRId64
                 " > %lld bytes): reading it from its beginning", path, offset.position,
                 (long long)size);
        candidate->own_note = "truncated since its committed offset";
        return;
    }
    candidate->own_position = offset.position;
    candidate->own_note = "committed offset";
}

/* Opens a matched file and reads what placing it needs. false when it cannot be followed now
 * (unreadable: a problem; vanished or replaced meanwhile: the next scan sees). */
static bool tail_candidate_open(file_tail *tail, const file_glob_match *match,
                                tail_candidate *candidate)
{
    *candidate = (tail_candidate){.match = match, .fd = -1};
    candidate->fd = open(match->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (candidate->fd < 0) {
        if (errno != ENOENT)
            tail_problem(tail, "cannot read %s: %s", match->path, strerror(errno));
        return false;
    }
    if (fstat(candidate->fd, &candidate->st) != 0 ||
        candidate->st.st_dev != match->st.st_dev || candidate->st.st_ino != match->st.st_ino) {
        tail_candidate_clear(candidate);
        tail->scan_requested = true;
        return false;
    }
    candidate->head = malloc(tail->config.fingerprint_bytes);
    ssize_t n = candidate->head
                    ? file_identity_head_read(candidate->fd, candidate->head,
                                              tail->config.fingerprint_bytes)
                    : -1;
    if (n < 0) {
        tail_problem(tail, "cannot read %s: %s", match->path,
                     candidate->head ? strerror(errno) : "out of memory");
        tail_candidate_clear(candidate);
        return false;
    }
    candidate->head_len = (size_t)n;
    if (tail_compressed(tail, (uint64_t)candidate->st.st_dev, (uint64_t)candidate->st.st_ino,
                        candidate->head, candidate->head_len, match->path)) {
        tail_candidate_clear(candidate);
        return false;
    }
    candidate->partition =
        tail->config.single_file
            ? file_offset_path_partition(tail->single_path)
            : file_offset_inode_partition((uint64_t)candidate->st.st_dev,
                                          (uint64_t)candidate->st.st_ino);
    if (!candidate->partition) {
        tail_problem(tail, "out of memory following %s", match->path);
        tail_candidate_clear(candidate);
        return false;
    }
    tail_candidate_committed(tail, candidate);
    return true;
}

typedef struct tail_copy_source {
    file_head_relation relation;
    int64_t position;
    char what[320];
} tail_copy_source;

static void tail_copy_consider(tail_copy_source *best, file_head_relation relation,
                               int64_t position, const char *what, const char *suffix)
{
    if (relation == FILE_HEAD_SAME &&
        (best->relation != FILE_HEAD_SAME || position < best->position)) {
        /* Of several originals, the one read the least: duplicates rather than a lost line. */
        best->relation = FILE_HEAD_SAME;
        best->position = position;
        snprintf(best->what, sizeof(best->what), "%s%s", what, suffix);
    } else if (relation == FILE_HEAD_PREFIX && best->relation == FILE_HEAD_DIFFERENT) {
        best->relation = FILE_HEAD_PREFIX;
        snprintf(best->what, sizeof(best->what), "%s%s", what, suffix);
    }
}

/* Is the candidate a copy of content already read while running? Looks at orphans and the
 * followed files. (Copies made while the worker was down are found by the content key of their
 * committed offset.) With several tasks, what the others follow and lately truncated too. */
static tail_copy_source tail_copy_find(file_tail *tail, const tail_candidate *candidate,
                                       int64_t now_ms)
{
    tail_copy_source best = {.relation = FILE_HEAD_DIFFERENT};
    size_t full = tail->config.fingerprint_bytes;
    for (size_t i = 0; i < tail->orphan_count; i++) {
        const tail_orphan *orphan = &tail->orphans[i];
        file_head_relation relation = file_identity_head_compare(
            candidate->head, candidate->head_len, orphan->head, orphan->head_len, full);
        tail_copy_consider(&best, relation, orphan->position,
                           "content truncated or replaced earlier", "");
    }
    for (size_t i = 0; i < tail->count; i++) {
        tail_file *f = tail->files[i];
        file_head_relation relation = file_identity_head_compare(
            candidate->head, candidate->head_len, f->head, f->head_len, full);
        tail_copy_consider(&best, relation, line_reader_resume_position(&f->reader), f->path,
                           "");
    }
    if (tail->share) {
        /* The copy of a file another task reads lands here as often as not (its inode is new). */
        int64_t position = 0;
        char what[300];
        file_head_relation relation =
            file_share_find(tail->share, tail, candidate->head,
                            candidate->head_len, full, now_ms, &position, what, sizeof(what));
        tail_copy_consider(&best, relation, position, what, "");
    }
    return best;
}

static tail_pending *tail_pending_find(const file_tail *tail, uint64_t device, uint64_t inode)
{
    for (size_t i = 0; i < tail->pending_count; i++)
        if ((uint64_t)tail->pending[i]->candidate.st.st_dev == device &&
            (uint64_t)tail->pending[i]->candidate.st.st_ino == inode)
            return tail->pending[i];
    return NULL;
}

static void tail_pending_free(tail_pending *pending)
{
    tail_candidate_clear(&pending->candidate);
    free(pending->match.path);
    free(pending);
}

/* For a possible copy still being written: true while it should wait, having taken the
 * candidate (its descriptor stays open while it waits). */
static bool tail_pending_hold(file_tail *tail, tail_candidate *candidate, int64_t now_ms)
{
    tail_pending *known = tail_pending_find(tail, (uint64_t)candidate->st.st_dev,
                                            (uint64_t)candidate->st.st_ino);
    if (known && &known->candidate == candidate) /* tail_pending_review's own */
        return now_ms - known->since_ms < tail->config.rotate_wait_ms;
    if (known) { /* opened twice: the waiting one is the one */
        tail_candidate_clear(candidate);
        return true;
    }
    tail_pending *pending = calloc(1, sizeof(*pending));
    char *path = strdup(candidate->match->path);
    if (!pending || !path ||
        array_reserve(&tail->pending, &tail->pending_capacity, tail->pending_count + 1,
                      sizeof(*tail->pending)) != 0) {
        free(pending);
        free(path);
        return false; /* without memory, read it as a new file at once */
    }
    pending->candidate = *candidate;
    pending->match = (file_glob_match){.path = path, .st = candidate->st};
    pending->candidate.match = &pending->match;
    pending->size = candidate->st.st_size;
    pending->since_ms = now_ms;
    *candidate = (tail_candidate){.fd = -1};
    tail->pending[tail->pending_count++] = pending;
    return true;
}

static void tail_place(file_tail *tail, tail_candidate *candidate, bool first_scan,
                       int64_t now_ms);

/* The files that wait: each is placed again with what it holds now, wherever its name went. */
static void tail_pending_review(file_tail *tail, int64_t now_ms)
{
    for (size_t i = 0; i < tail->pending_count;) {
        tail_pending *pending = tail->pending[i];
        tail_candidate *candidate = &pending->candidate;
        candidate->match = &pending->match;
        struct stat st;
        ssize_t n = -1;
        if (fstat(candidate->fd, &st) == 0) {
            if (st.st_size != pending->size) {
                pending->size = st.st_size;
                pending->since_ms = now_ms;
            }
            candidate->st = st;
            pending->match.st = st;
            n = file_identity_head_read(candidate->fd, candidate->head,
                                        tail->config.fingerprint_bytes);
        }
        if (n >= 0) {
            candidate->head_len = (size_t)n;
            if (tail_compressed(tail, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
                                candidate->head, candidate->head_len, pending->match.path))
                tail_candidate_clear(candidate);
            else
                tail_place(tail, candidate, false, now_ms);
        } else {
            tail_candidate_clear(candidate);
        }
        if (candidate->fd >= 0) {
            i++;
            continue;
        }
        tail_pending_free(pending); /* followed (tail_follow took the descriptor), or dropped */
        tail->pending[i] = tail->pending[--tail->pending_count];
    }
}

/* Starts following the candidate at position (takes its descriptor, head and partition). */
static void tail_follow(file_tail *tail, tail_candidate *candidate, int64_t position,
                        const char *note, int64_t now_ms)
{
    tail_file *f = calloc(1, sizeof(*f));
    char *path = strdup(candidate->match->path);
    if (!f || !path ||
        array_reserve(&tail->files, &tail->capacity, tail->count + 1, sizeof(*tail->files))) {
        free(f);
        free(path);
        tail_problem(tail, "out of memory following %s", candidate->match->path);
        tail_candidate_clear(candidate);
        return;
    }
    f->path = path;
    f->device = (uint64_t)candidate->st.st_dev;
    f->inode = (uint64_t)candidate->st.st_ino;
    f->fd = candidate->fd;
    f->head = candidate->head;
    f->head_len = candidate->head_len;
    f->partition = candidate->partition;
    candidate->fd = -1;
    candidate->head = NULL;
    candidate->partition = NULL;
    line_reader_init(&f->reader, tail->config.max_line_bytes, tail->config.long_lines, position);
    f->awaiting_copy = position > candidate->st.st_size;
    f->checked_size = candidate->st.st_size;
    f->checked_mtime_ns = tail_mtime_ns(&candidate->st);
    f->head_hash_len = SIZE_MAX;
    f->ready = true;
    f->active_ms = now_ms;
    f->watch = -1;
    if (file_watch_uses_inotify(tail->watch)) {
        f->watch = file_watch_add_file(tail->watch, f->fd);
        if (f->watch < 0 && !tail->watch_limit_logged) {
            tail->watch_limit_logged = true;
            tail_log(tail, FERRY_LOG_WARN, "cannot watch %s with inotify (%s): it and files "
                     "like it are polled every poll.interval.ms", f->path, strerror(errno));
        }
    }
    tail->files[tail->count++] = f;
    tail->followed_any = true;
    tail_log(tail, FERRY_LOG_INFO, "following %s from byte %" PRId64 " of %lld (%s)", f->path,
             position, (long long)candidate->st.st_size, note);
}

/* Places a candidate: where a followed file or an orphan with its content is (what this run
 * knows is fresher than any committed offset), or where its committed offset says, or as a new
 * file; a possible copy still being written waits. On the first scan after a start, the files a
 * committed offset places go first, without looking at others. */
static void tail_place(file_tail *tail, tail_candidate *candidate, bool first_scan,
                       int64_t now_ms)
{
    if (!tail->config.single_file && !(first_scan && candidate->placed)) {
        tail_copy_source source = tail_copy_find(tail, candidate, now_ms);
        if (source.relation == FILE_HEAD_SAME) {
            char note[400];
            snprintf(note, sizeof(note), "a copy of %s", source.what);
            tail_follow(tail, candidate, source.position, note, now_ms);
            return;
        }
        if (source.relation == FILE_HEAD_PREFIX) {
            if (tail_pending_hold(tail, candidate, now_ms))
                return;
            tail_log(tail, FERRY_LOG_INFO, "%s still looks like the beginning of a copy of %s "
                     "after rotate.wait.ms: reading it as a new file", candidate->match->path,
                     source.what);
        }
    }
    if (candidate->placed) {
        tail_follow(tail, candidate, candidate->own_position, candidate->own_note, now_ms);
        return;
    }
    if (tail->config.read_from_end && first_scan && !tail->any_committed) {
        tail_follow(tail, candidate,
                    tail_end_position(tail, candidate->fd, candidate->st.st_size),
                    "new file, read.from=end", now_ms);
        return;
    }
    tail_follow(tail, candidate, 0, first_scan ? "no committed offset" : "new file", now_ms);
}

/* ---- the scan ---------------------------------------------------------------------------- */

/* A pattern's static directory: the scan reports it missing already. */
static bool tail_is_pattern_dir(const file_tail *tail, const char *dir)
{
    for (size_t i = 0; i < file_glob_pattern_count(tail->glob); i++)
        if (strcmp(file_glob_dir(tail->glob, i), dir) == 0)
            return true;
    return false;
}

/* Follows renames and notices files that are no longer matched. Fills kinds[]. */
static void tail_reconcile(file_tail *tail, unsigned char *kinds, int64_t now_ms)
{
    for (size_t i = 0; i < tail->count; i++)
        tail->files[i]->matched = false;
    for (size_t i = 0; i < tail->matches.count; i++) {
        const file_glob_match *match = &tail->matches.items[i];
        uint64_t device = (uint64_t)match->st.st_dev, inode = (uint64_t)match->st.st_ino;
        if (!tail->config.single_file &&
            file_identity_owner(device, inode, tail->config.task_count) !=
                tail->config.task_index) {
            kinds[i] = MATCH_OTHER_TASK;
            continue;
        }
        tail_file *f = tail_find(tail, device, inode);
        tail_pending *pending = f ? NULL : tail_pending_find(tail, device, inode);
        tail_skipped *skipped = f || pending ? NULL : tail_skipped_find(tail, device, inode);
        if (pending || skipped) {
            kinds[i] = MATCH_KNOWN; /* waiting (its name is kept for logs), or compressed */
            char *path = pending ? strdup(match->path) : NULL;
            if (path) {
                free(pending->match.path);
                pending->match.path = path;
            }
            if (skipped)
                skipped->seen = true;
            continue;
        }
        if (!f) {
            /* A second name (hard link) of a new file is not a second file. */
            bool seen = false;
            for (size_t k = 0; k < i && !seen; k++)
                seen = kinds[k] == MATCH_CANDIDATE &&
                       tail->matches.items[k].st.st_dev == match->st.st_dev &&
                       tail->matches.items[k].st.st_ino == match->st.st_ino;
            kinds[i] = seen ? MATCH_KNOWN : MATCH_CANDIDATE;
            continue;
        }
        kinds[i] = MATCH_KNOWN;
        if (f->matched)
            continue; /* a second name (hard link) of a file already seen */
        f->matched = true;
        if (strcmp(f->path, match->path) != 0) {
            char *path = strdup(match->path);
            if (path) {
                tail_log(tail, FERRY_LOG_INFO, "%s was renamed to %s: following it there",
                         f->path, path);
                free(f->path);
                f->path = path;
            }
        }
        if (f->gone && !f->compressed) {
            f->gone = false;
            f->active_ms = now_ms;
        }
    }
    for (size_t i = 0; i < tail->count; i++) {
        tail_file *f = tail->files[i];
        if (!f->matched && !f->gone) {
            f->gone = true;
            f->active_ms = now_ms;
            tail_log(tail, FERRY_LOG_INFO, "%s is no longer matched (rotated away or deleted): "
                     "reading it to its end", f->path);
        }
        if (f->gone) {
            /* A vanished directory is worth saying, for as long as its files are still read. */
            char *dir = strdup(f->path);
            char *slash = dir ? strrchr(dir, '/') : NULL;
            struct stat st;
            if (slash && slash != dir) {
                *slash = '\0';
                if (!tail_is_pattern_dir(tail, dir) && stat(dir, &st) != 0 && errno == ENOENT)
                    tail_problem(tail, "directory %s vanished (it held %s)", dir, f->path);
            }
            free(dir);
        }
    }
}

void file_tail_scan(file_tail *tail, int64_t now_ms)
{
    tail->scan_requested = false;
    tail->last_scan_ms = now_ms;
    tail->next_scan_ms = now_ms + tail->config.poll_interval_ms;
    tail->problem_count = 0;
    if (tail->read_problem[0]) {
        tail_problem(tail, "%s", tail->read_problem);
        tail->read_problem[0] = '\0';
    }
    tail_orphans_expire(tail, now_ms);
    if (file_glob_scan(tail->glob, &tail->matches, tail_glob_problem, tail) != 0) {
        tail_log(tail, FERRY_LOG_ERROR, "out of memory scanning the file patterns");
        return;
    }
    tail_dirs_update(tail);
    unsigned char *kinds = calloc(tail->matches.count + 1, 1);
    if (!kinds) {
        tail_log(tail, FERRY_LOG_ERROR, "out of memory scanning the file patterns");
        return;
    }
    tail_reconcile(tail, kinds, now_ms);
    for (size_t i = 0; i < tail->count; i++)
        tail_check(tail, tail->files[i], now_ms);

    /* read.from=end applies to a first start only: when none of this task's files has a
     * committed offset (looked up as the candidates are opened, below). A restart must not skip
     * what was written while the worker was down. */
    bool first_scan = !tail->scanned_once;
    /* With `file`, one file at a time: a new file at the path waits for the old one to end. */
    bool blocked = tail->config.single_file && tail->count > 0;
    size_t candidate_count = 0;
    for (size_t i = 0; i < tail->matches.count; i++)
        candidate_count += kinds[i] == MATCH_CANDIDATE && !blocked;
    tail_candidate *candidates = calloc(candidate_count + 1, sizeof(*candidates));
    if (!candidates) {
        tail_log(tail, FERRY_LOG_ERROR, "out of memory placing new files");
        free(kinds);
        return;
    }
    size_t opened = 0;
    for (size_t i = 0; i < tail->matches.count && opened < candidate_count; i++)
        if (kinds[i] == MATCH_CANDIDATE &&
            tail_candidate_open(tail, &tail->matches.items[i], &candidates[opened]))
            opened++;
    /* On the first scan, files placed by their committed offsets go first: their heads are what
     * copies made while the worker was down are recognised by. */
    for (size_t i = 0; first_scan && i < opened; i++)
        if (candidates[i].placed)
            tail_place(tail, &candidates[i], first_scan, now_ms);
    for (size_t i = 0; i < opened; i++)
        if (candidates[i].fd >= 0)
            tail_place(tail, &candidates[i], first_scan, now_ms);
    for (size_t i = 0; i < opened; i++)
        tail_candidate_clear(&candidates[i]);
    free(candidates);
    free(kinds);
    tail_pending_review(tail, now_ms);
    tail_skipped_sweep(tail);
    if (tail->pending_count > 0 && tail->next_scan_ms > now_ms + TAIL_PENDING_SCAN_MS)
        tail->next_scan_ms = now_ms + TAIL_PENDING_SCAN_MS;
    tail->scanned_once = true;
    tail_problems_publish(tail);
}

/* ---- events ------------------------------------------------------------------------------ */

/* The path of a name in a watched directory, as the scan would spell it; NULL without memory
 * (the next scan finds what it names). */
static char *tail_event_path(const char *dir, const char *name)
{
    char *path = NULL;
    int length = strcmp(dir, ".") == 0 ? asprintf(&path, "%s", name)
                 : strcmp(dir, "/") == 0 ? asprintf(&path, "/%s", name)
                                         : asprintf(&path, "%s/%s", dir, name);
    return length < 0 ? NULL : path;
}

static void tail_path_note(strlist *list, const char *path)
{
    if (path && !strlist_contains(list, path))
        strlist_append(list, path, strlen(path));
}

/* A name that appeared in a watched directory is opened before the next scan; a matched name
 * renamed to one the patterns do not match (the two halves of a rename, paired by cookie) is
 * opened under its new name, in case it was renamed before it was opened. */
static void tail_dir_event(file_tail *tail, const tail_dir *dir, unsigned what,
                           const char *name, uint32_t cookie)
{
    char *path = tail_event_path(dir->path, name);
    if (!path)
        return;
    long renamed_again = strlist_find(&tail->moved_away, path);
    if ((what & FILE_WATCH_MOVED_FROM) && cookie &&
        (renamed_again >= 0 || file_glob_matches_path(tail->glob, path))) {
        /* A name already on the list that moves on is followed to its next name. */
        if (renamed_again >= 0)
            tail->moved_away.items[renamed_again][0] = '\0';
        tail->moves[tail->move_next++ % TAIL_MOVES_MAX] = cookie;
    } else if ((what & FILE_WATCH_MOVED_TO) && cookie) {
        for (size_t i = 0; i < TAIL_MOVES_MAX; i++) {
            if (tail->moves[i] == cookie) {
                tail->moves[i] = 0;
                tail_path_note(&tail->moved_away, path);
            }
        }
    }
    if (what & FILE_WATCH_APPEARED)
        tail_path_note(&tail->appeared, path);
    free(path);
}

static void tail_on_event(void *opaque, int wd, unsigned what, const char *name,
                          uint32_t cookie)
{
    file_tail *tail = opaque;
    for (size_t i = 0; i < tail->count; i++) {
        tail_file *f = tail->files[i];
        if (f->watch != wd)
            continue;
        if (what & FILE_WATCH_MODIFIED)
            f->ready = true;
        if (what & FILE_WATCH_GONE)
            tail->scan_requested = true;
        if (what & FILE_WATCH_IGNORED)
            f->watch = -1;
        return;
    }
    for (size_t i = 0; i < tail->dir_count; i++) {
        tail_dir *dir = &tail->dirs[i];
        if (dir->wd != wd)
            continue;
        if (what & (FILE_WATCH_NAMES | FILE_WATCH_GONE | FILE_WATCH_IGNORED))
            tail->scan_requested = true;
        if (name && (what & FILE_WATCH_NAMES) && tail->scanned_once)
            tail_dir_event(tail, dir, what, name, cookie);
        if (what & FILE_WATCH_IGNORED)
            dir->wd = -1; /* watched again by a scan once it exists */
    }
}

/* Opens the files whose names just appeared, without waiting for the next scan: a file may be
 * renamed away (to a name the patterns do not match) before it. The scan still does the rest
 * (renames, files gone, problems). */
static void tail_appeared_open(file_tail *tail, const strlist *paths, bool matched,
                               int64_t now_ms)
{
    for (size_t i = 0; i < paths->count; i++) {
        const char *path = paths->items[i];
        file_glob_match match = {.path = (char *)path};
        if (stat(path, &match.st) != 0 || !S_ISREG(match.st.st_mode) ||
            (!matched && !file_glob_matches_path(tail->glob, path)))
            continue;
        uint64_t device = (uint64_t)match.st.st_dev, inode = (uint64_t)match.st.st_ino;
        if (!tail->config.single_file &&
            file_identity_owner(device, inode, tail->config.task_count) !=
                tail->config.task_index)
            continue;
        if (tail_find(tail, device, inode) || tail_pending_find(tail, device, inode) ||
            tail_skipped_find(tail, device, inode))
            continue;
        if (tail->config.single_file && tail->count > 0)
            continue; /* one file at a time: the scan takes it once the old one is finished */
        tail_candidate candidate;
        if (tail_candidate_open(tail, &match, &candidate))
            tail_place(tail, &candidate, false, now_ms);
        tail_candidate_clear(&candidate);
    }
}

void file_tail_update(file_tail *tail, int64_t now_ms)
{
    if (file_watch_drain(tail->watch, tail_on_event, tail) < 0) {
        for (size_t i = 0; i < tail->count; i++)
            tail->files[i]->ready = true;
        tail->scan_requested = true;
    }
    /* Before a scan: a name may be gone from the directory by the time the scan reads it. */
    tail_appeared_open(tail, &tail->moved_away, true, now_ms);
    tail_appeared_open(tail, &tail->appeared, false, now_ms);
    strlist_free(&tail->moved_away);
    strlist_free(&tail->appeared);
    if (!tail->scanned_once || now_ms >= tail->next_scan_ms ||
        (tail->scan_requested && now_ms - tail->last_scan_ms >= TAIL_EVENT_SCAN_MIN_MS))
        file_tail_scan(tail, now_ms);
    for (size_t i = 0; i < tail->count; i++)
        tail_share_update(tail, tail->files[i]);
}

/* ---- reading ----------------------------------------------------------------------------- */

/* Bytes read at position that fall in the head's missing part extend it. */
static void tail_head_capture(file_tail *tail, tail_file *f, int64_t position, const char *data,
                              size_t n)
{
    size_t full = tail->config.fingerprint_bytes;
    if (f->head_len >= full || position > (int64_t)f->head_len ||
        position + (int64_t)n <= (int64_t)f->head_len)
        return;
    size_t from = f->head_len - (size_t)position;
    size_t upto = position + (int64_t)n < (int64_t)full ? n : full - (size_t)position;
    memcpy(f->head + f->head_len, data + from, upto - from);
    f->head_len += upto - from;
}

/* After bytes came at the start of a file nothing was taken from yet: whether it turned out to
 * be compressed (created empty, then written by gzip). Its bytes are dropped, never emitted. */
static bool tail_read_compressed(file_tail *tail, tail_file *f)
{
    if (line_reader_resume_position(&f->reader) != 0 ||
        !tail_compressed(tail, f->device, f->inode, f->head, f->head_len, f->path))
        return false;
    f->compressed = true;
    f->gone = true; /* finished at once, never read again (file_tail_retirable) */
    f->ready = false;
    line_reader_reset(&f->reader, 0);
    line_reader_trim(&f->reader);
    return true;
}

ssize_t file_tail_read(file_tail *tail, tail_file *f, int64_t now_ms)
{
    if (f->compressed) {
        f->ready = false;
        return 0;
    }
    tail_share_update(tail, f); /* what was taken so far, before more comes */
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t room = 0;
        char *space = line_reader_space(&f->reader, &room);
        if (!space) {
            snprintf(tail->read_problem, sizeof(tail->read_problem),
                     "out of memory reading %s", f->path);
            return -1;
        }
        int64_t position = line_reader_read_position(&f->reader);
        ssize_t n;
        do
            n = pread(f->fd, space, room, (off_t)position);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            snprintf(tail->read_problem, sizeof(tail->read_problem), "cannot read %s: %s",
                     f->path, strerror(errno));
            f->ready = false;
            return -1;
        }
        if (n > 0) {
            tail_head_capture(tail, f, position, space, (size_t)n);
            line_reader_filled(&f->reader, (size_t)n);
            f->active_ms = now_ms;
            return tail_read_compressed(tail, f) ? 0 : n;
        }
        /* The end: nothing more, or a truncation that left the file shorter than what was read. */
        struct stat st;
        if (fstat(f->fd, &st) == 0 && st.st_size < position) {
            if (f->awaiting_copy)
                break;
            tail_truncated(tail, f, now_ms, "its size went down");
            continue;
        }
        break;
    }
    f->ready = false;
    line_reader_trim(&f->reader);
    return 0;
}

json_t *file_tail_partition(file_tail *tail, tail_file *f)
{
    size_t full = tail->config.fingerprint_bytes;
    if (!tail->config.single_file && !f->content_key && f->head_len >= full) {
        json_t *partition = file_offset_content_partition(tail_head_hash(f), full);
        if (partition) { /* without memory, the device-and-inode key serves on */
            json_decref(f->partition);
            f->partition = partition;
            f->content_key = true;
        }
    }
    return f->partition;
}

json_t *file_tail_offset(file_tail *tail, tail_file *f, int64_t position)
{
    if (tail->config.single_file)
        return file_offset_position(position);
    return file_offset_identity(position, tail_head_hash(f), f->head_len, f->path);
}

/* ---- retiring ---------------------------------------------------------------------------- */

tail_file *file_tail_retirable(file_tail *tail, int64_t now_ms)
{
    for (size_t i = 0; i < tail->count; i++) {
        tail_file *f = tail->files[i];
        if (f->compressed)
            return f;
        if (!f->gone || f->ready || now_ms - f->active_ms < tail->config.rotate_wait_ms)
            continue;
        struct stat st;
        if (fstat(f->fd, &st) == 0 && st.st_size > line_reader_read_position(&f->reader)) {
            f->ready = true; /* it grew after all */
            continue;
        }
        return f;
    }
    return NULL;
}

void file_tail_retire(file_tail *tail, tail_file *f)
{
    for (size_t i = 0; i < tail->count; i++) {
        if (tail->files[i] != f)
            continue;
        if (!f->compressed)
            tail_log(tail, FERRY_LOG_INFO, "finished %s (rotated away or deleted) at byte %"
                     PRId64, f->path, line_reader_resume_position(&f->reader));
        memmove(&tail->files[i], &tail->files[i + 1], (tail->count - i - 1) * sizeof(f));
        tail->count--;
        tail_file_free(tail, f);
        tail->scan_requested = true; /* with `file`, the next file may be waiting */
        return;
    }
}

/* ---- the rest ---------------------------------------------------------------------------- */

void file_tail_wait(file_tail *tail, int64_t now_ms, int timeout_ms)
{
    int64_t wait = timeout_ms;
    int64_t until_scan = tail->next_scan_ms - now_ms;
    if (tail->scan_requested)
        until_scan = tail->last_scan_ms + TAIL_EVENT_SCAN_MIN_MS - now_ms;
    if (until_scan < wait)
        wait = until_scan;
    for (size_t i = 0; i < tail->count; i++) {
        const tail_file *f = tail->files[i];
        if (f->ready)
            return;
        if (f->gone && f->active_ms + tail->config.rotate_wait_ms - now_ms < wait)
            wait = f->active_ms + tail->config.rotate_wait_ms - now_ms;
    }
    if (wait > 0)
        file_watch_wait(tail->watch, (int)wait);
}

size_t file_tail_count(const file_tail *tail)
{
    return tail->count;
}

tail_file *file_tail_at(const file_tail *tail, size_t index)
{
    return index < tail->count ? tail->files[index] : NULL;
}

bool file_tail_uses_inotify(const file_tail *tail)
{
    return file_watch_uses_inotify(tail->watch);
}

void file_tail_destroy(file_tail *tail)
{
    if (!tail)
        return;
    for (size_t i = 0; i < tail->count; i++)
        tail_file_free(tail, tail->files[i]);
    free(tail->files);
    for (size_t i = 0; i < tail->orphan_count; i++)
        free(tail->orphans[i].head);
    for (size_t i = 0; i < tail->dir_count; i++) {
        file_watch_remove(tail->watch, tail->dirs[i].wd);
        free(tail->dirs[i].path);
    }
    free(tail->dirs);
    for (size_t i = 0; i < tail->pending_count; i++)
        tail_pending_free(tail->pending[i]);
    free(tail->pending);
    free(tail->skipped);
    strlist_free(&tail->appeared);
    strlist_free(&tail->moved_away);
    file_share_leave(tail->share, tail);
    file_glob_matches_clear(&tail->matches);
    free(tail->matches.items);
    file_glob_destroy(tail->glob);
    file_watch_destroy(tail->watch);
    free(tail->scratch);
    free(tail->single_path);
    free(tail->problem_published);
    free(tail);
}

file_tail *file_tail_new(const file_tail_config *config, const file_tail_host *host, char *err,
                         size_t errlen)
{
    if (!config->patterns || !config->patterns[0])
        return ferry_error_set(err, errlen, "no file or pattern to follow"), NULL;
    if (config->fingerprint_bytes == 0 || config->task_count == 0 ||
        config->task_index >= config->task_count)
        return ferry_error_set(err, errlen, "invalid file tail settings"), NULL;
    file_tail *tail = calloc(1, sizeof(*tail));
    if (!tail)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    tail->config = *config;
    tail->config.patterns = NULL; /* the glob keeps its own copies */
    tail->config.excludes = NULL;
    tail->config.share_group = NULL;
    tail->host = *host;
    char why[256];
    tail->glob = file_glob_new(config->patterns, config->excludes, config->single_file);
    tail->watch = file_watch_new(config->inotify, why, sizeof(why));
    tail->scratch = malloc(config->fingerprint_bytes);
    if (config->single_file)
        tail->single_path = strdup(config->patterns[0]);
    if (!config->single_file && config->task_count > 1 && config->share_group)
        tail->share = file_share_join(config->share_group);
    if (!tail->glob || !tail->watch || !tail->scratch ||
        (config->single_file && !tail->single_path) ||
        (!config->single_file && config->task_count > 1 && config->share_group && !tail->share)) {
        file_tail_destroy(tail);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    if (config->inotify && !file_watch_uses_inotify(tail->watch))
        tail_log(tail, FERRY_LOG_WARN, "%s: polling every %" PRId64 " ms instead", why,
                 config->poll_interval_ms);
    return tail;
}
