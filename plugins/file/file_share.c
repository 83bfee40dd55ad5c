/*
 * file_share.c - the heads and positions the tasks of one connector share (see file_share.h).
 *
 * Groups live in a process-wide list, found by name; entries are heap objects that the task
 * owning them points at, so that publishing a position is a lock and a store.
 */
#include "file_share.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct file_share_entry {
    file_share_entry *next;
    const void *owner;
    uint32_t task;
    unsigned char *head;
    size_t head_len;
    int64_t position;
    int64_t expires_ms; /* 0 while the file is followed */
    char *path;
};

struct file_share {
    file_share *next;
    char *group;
    int members;
    pthread_mutex_t lock;
    file_share_entry *entries;
};

static pthread_mutex_t file_share_groups_lock = PTHREAD_MUTEX_INITIALIZER;
static file_share *file_share_groups;

static void file_share_entry_free(file_share_entry *entry)
{
    free(entry->head);
    free(entry->path);
    free(entry);
}

file_share *file_share_join(const char *group)
{
    pthread_mutex_lock(&file_share_groups_lock);
    file_share *share = file_share_groups;
    while (share && strcmp(share->group, group) != 0)
        share = share->next;
    if (!share && (share = calloc(1, sizeof(*share)))) {
        share->group = strdup(group);
        if (!share->group || pthread_mutex_init(&share->lock, NULL) != 0) {
            free(share->group);
            free(share);
            share = NULL;
        } else {
            share->next = file_share_groups;
            file_share_groups = share;
        }
    }
    if (share)
        share->members++;
    pthread_mutex_unlock(&file_share_groups_lock);
    return share;
}

void file_share_leave(file_share *share, const void *owner)
{
    if (!share)
        return;
    pthread_mutex_lock(&share->lock);
    for (file_share_entry **at = &share->entries; *at;) {
        file_share_entry *entry = *at;
        if (entry->owner == owner) {
            *at = entry->next;
            file_share_entry_free(entry);
        } else {
            at = &entry->next;
        }
    }
    pthread_mutex_unlock(&share->lock);
    pthread_mutex_lock(&file_share_groups_lock);
    if (--share->members == 0) {
        for (file_share **at = &file_share_groups; *at; at = &(*at)->next) {
            if (*at == share) {
                *at = share->next;
                break;
            }
        }
        for (file_share_entry *entry = share->entries, *next; entry; entry = next) {
            next = entry->next;
            file_share_entry_free(entry);
        }
        pthread_mutex_destroy(&share->lock);
        free(share->group);
        free(share);
    }
    pthread_mutex_unlock(&file_share_groups_lock);
}

file_share_entry *file_share_add(file_share *share, const void *owner, uint32_t task,
                                 const unsigned char *head, size_t head_len, int64_t position,
                                 const char *path)
{
    file_share_entry *entry = calloc(1, sizeof(*entry));
    if (!entry)
        return NULL;
    entry->owner = owner;
    entry->task = task;
    entry->head = malloc(head_len);
    entry->path = strdup(path ? path : "");
    if (!entry->head || !entry->path) {
        file_share_entry_free(entry);
        return NULL;
    }
    memcpy(entry->head, head, head_len);
    entry->head_len = head_len;
    entry->position = position;
    pthread_mutex_lock(&share->lock);
    entry->next = share->entries;
    share->entries = entry;
    pthread_mutex_unlock(&share->lock);
    return entry;
}

void file_share_position(file_share *share, file_share_entry *entry, int64_t position)
{
    pthread_mutex_lock(&share->lock);
    entry->position = position;
    pthread_mutex_unlock(&share->lock);
}

/* Unlinks and frees the entries expired by now_ms. Called with the lock held. */
static void file_share_expire(file_share *share, int64_t now_ms)
{
    for (file_share_entry **at = &share->entries; *at;) {
        file_share_entry *entry = *at;
        if (entry->expires_ms > 0 && entry->expires_ms <= now_ms) {
            *at = entry->next;
            file_share_entry_free(entry);
        } else {
            at = &entry->next;
        }
    }
}

void file_share_remove(file_share *share, file_share_entry *entry, int64_t now_ms,
                       int64_t expires_ms)
{
    pthread_mutex_lock(&share->lock);
    if (expires_ms > 0 && entry->position > 0) {
        entry->expires_ms = expires_ms;
        entry = NULL; /* kept until then */
    } else {
        for (file_share_entry **at = &share->entries; *at; at = &(*at)->next) {
            if (*at == entry) {
                *at = entry->next;
                break;
            }
        }
    }
    file_share_expire(share, now_ms);
    pthread_mutex_unlock(&share->lock);
    if (entry)
        file_share_entry_free(entry);
}

file_head_relation file_share_find(file_share *share, const void *owner, const unsigned char *head,
                                   size_t head_len, size_t full, int64_t now_ms,
                                   int64_t *position, char *what, size_t whatlen)
{
    file_head_relation best = FILE_HEAD_DIFFERENT;
    pthread_mutex_lock(&share->lock);
    file_share_expire(share, now_ms);
    for (file_share_entry *entry = share->entries; entry; entry = entry->next) {
        if (entry->owner == owner)
            continue; /* the task's own files: it knows them better */
        file_head_relation relation =
            file_identity_head_compare(head, head_len, entry->head, entry->head_len, full);
        if (relation == FILE_HEAD_SAME && (best != FILE_HEAD_SAME || entry->position < *position)) {
            /* Of several originals, the one read the least: duplicates rather than a loss. */
            best = FILE_HEAD_SAME;
            *position = entry->position;
            snprintf(what, whatlen, "%s (task %u)%s", entry->path, entry->task + 1,
                     entry->expires_ms > 0 ? ", truncated since" : "");
        } else if (relation == FILE_HEAD_PREFIX && best == FILE_HEAD_DIFFERENT) {
            best = FILE_HEAD_PREFIX;
            snprintf(what, whatlen, "%s (task %u)", entry->path, entry->task + 1);
        }
    }
    pthread_mutex_unlock(&share->lock);
    return best;
}
