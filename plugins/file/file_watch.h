/*
 * file_watch.h - change notification for the file source: inotify when the kernel gives it, and
 * nothing otherwise, in which case the source's periodic scan (poll.interval.ms) is the polling
 * fallback. The scan runs in both cases, so an event inotify never sends (NFS, a full watch
 * table, an overflowed queue) costs latency, never a line.
 *
 * Files are watched through their open descriptor (/proc/self/fd/N), so a watch follows the file
 * that is being read through renames and deletion; directories are watched by path for files that
 * appear, move and vanish.
 */
#ifndef FERRY_FILE_WATCH_H
#define FERRY_FILE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct file_watch file_watch;

/* use_inotify false, or inotify unavailable: a watch that never reports anything (why says so
 * for the latter). NULL only when out of memory. */
file_watch *file_watch_new(bool use_inotify, char *why, size_t whylen);
void file_watch_destroy(file_watch *watch); /* accepts NULL */
bool file_watch_uses_inotify(const file_watch *watch);

/* Watch descriptors (>= 0), or -1 with errno (ENOSPC: the user's watch limit is reached; the
 * file is then only polled). */
int file_watch_add_file(file_watch *watch, int fd);
int file_watch_add_dir(file_watch *watch, const char *path);
void file_watch_remove(file_watch *watch, int wd);

/* What an event says, coarsely. */
#define FILE_WATCH_MODIFIED 0x1u /* a watched file got data, was truncated or changed attributes */
#define FILE_WATCH_NAMES 0x2u    /* a name appeared, moved or vanished in a watched directory */
#define FILE_WATCH_GONE 0x4u     /* the watched object itself moved or vanished */
#define FILE_WATCH_IGNORED 0x8u  /* the kernel dropped the watch (the wd is no longer valid) */
#define FILE_WATCH_APPEARED 0x10u /* with NAMES: the name was created or moved in */
#define FILE_WATCH_MOVED_FROM 0x20u /* with NAMES: the name was renamed away (cookie pairs it) */
#define FILE_WATCH_MOVED_TO 0x40u   /* with NAMES: a rename's new name (cookie pairs it) */

/* name: for an event of a watched directory, the entry's name (borrowed for the call); NULL for
 * events of the watched object itself. cookie: the same for the two halves of a rename. */
typedef void (*file_watch_event_fn)(void *opaque, int wd, unsigned what, const char *name,
                                    uint32_t cookie);

/* Reads every pending event without blocking. Returns the number of events, or -1 when the
 * kernel's queue overflowed (events were lost: rescan everything). */
int file_watch_drain(file_watch *watch, file_watch_event_fn fn, void *opaque);

/* Waits up to timeout_ms for an event (plain sleep without inotify). true when one is pending. */
bool file_watch_wait(file_watch *watch, int timeout_ms);

#endif
