/*
 * file_share.h - what the tasks of one FileSource connector in this process tell each other:
 * the full heads (fingerprint.bytes first bytes) of the files each task follows, and of content
 * it lately saw truncated away, with how far each was read.
 *
 * Files are spread over tasks by device and inode, and a copy (logrotate's copytruncate) is a new
 * inode: it usually lands on another task than its original. That task looks the copy's head up
 * here and starts where the original was read to, as one task does with its own files, instead of
 * reading the copy from byte 0 again. Only tasks in one process share (ferry runs every task of a
 * connector it is assigned in its one process); tasks of one connector on two workers that see
 * the same files (a shared file system) do not.
 *
 * Thread-safe: one mutex per group, held for a copy of a position or a search of the heads.
 */
#ifndef FERRY_FILE_SHARE_H
#define FERRY_FILE_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "file_identity.h"

typedef struct file_share file_share;
typedef struct file_share_entry file_share_entry;

/* Joins the group of a connector (its name): a new group or a reference to the live one. NULL
 * when out of memory. */
file_share *file_share_join(const char *group);
/* Drops every entry of owner, and the group with its last member. Accepts NULL. */
void file_share_leave(file_share *share, const void *owner);

/* A file that owner (a task's file_tail; task is its number, for logs) follows, whose head (full
 * length) is head: a new entry, NULL when out of memory (the file is then not shared: at worst
 * its copy is read twice). */
file_share_entry *file_share_add(file_share *share, const void *owner, uint32_t task,
                                 const unsigned char *head, size_t head_len, int64_t position,
                                 const char *path);
/* How far the entry's file was read now. */
void file_share_position(file_share *share, file_share_entry *entry, int64_t position);
/* The file is truncated, rewritten or finished: its entry goes; with expires_ms > 0 its head
 * and last position stay until then (content truncated away whose copy may still come). Entries
 * expired by now_ms go too. */
void file_share_remove(file_share *share, file_share_entry *entry, int64_t now_ms,
                       int64_t expires_ms);

/* What the other owners know of head: FILE_HEAD_SAME with the lowest position of the
 * entries it repeats, FILE_HEAD_PREFIX when it is the beginning of one (a copy being written),
 * else FILE_HEAD_DIFFERENT. what names the original for logs. Expired entries are dropped. */
file_head_relation file_share_find(file_share *share, const void *owner, const unsigned char *head,
                                   size_t head_len, size_t full, int64_t now_ms,
                                   int64_t *position, char *what, size_t whatlen);

#endif
