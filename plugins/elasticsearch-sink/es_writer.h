/*
 * es_writer.h - the task's I/O thread and the state it shares with the task thread.
 *
 * The task thread submits items (es_writer_submit) and registers their offsets as pending. The
 * writer's thread groups waiting items into _bulk requests (batch.size, bulk.size.bytes,
 * linger.ms; at once when a flush asks), keeps up to max.in.flight.requests of them under way on
 * a libcurl multi handle, streams each body from the items (gzip on the fly when asked), reads
 * every answer item by item and records each item's outcome:
 *   acknowledged           its offset is finished;
 *   429/5xx/unavailable    it waits for its back-off (es_retry) and goes into a later request,
 *                          alone: the others of its request are done;
 *   malformed or failed    it is handed back to the task thread (es_writer_take_reports), which
 *                          applies behavior.on.malformed.documents and the error handling, since
 *                          only the task thread may call the host.
 * Writes to one document that carry no version (upserts) are kept in order: a document with a
 * write in flight or waiting for a retry gets its next one only afterwards.
 *
 * Everything here is guarded by one mutex; the functions lock it. The writer never calls the
 * host and never blocks the task thread longer than the waits it is asked for.
 */
#ifndef FERRY_ES_WRITER_H
#define FERRY_ES_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

#include "es_bulk_body.h"
#include "es_bulk_response.h"
#include "es_client.h"
#include "es_config.h"

typedef struct es_writer es_writer;

/* A document Elasticsearch rejected for good, for the task thread to deal with. */
typedef struct es_report {
    es_item *item;
    es_outcome outcome; /* ES_OUTCOME_MALFORMED or ES_OUTCOME_FAILED */
    char *error;        /* Elasticsearch's "<type>: <reason>" */
    const char *topic;  /* the partition's topic, valid as long as the writer */
    int32_t partition;
} es_report;

typedef enum es_wait {
    ES_WAIT_DONE,     /* what was waited for happened */
    ES_WAIT_REPORTS,  /* reports are waiting for the task thread */
    ES_WAIT_TIMEOUT,  /* the deadline passed */
    ES_WAIT_FAILED,   /* the writer failed (es_writer_failed says why) */
} es_wait;

typedef struct es_writer_stats {
    uint64_t acked;           /* documents acknowledged */
    uint64_t failed;          /* documents handed back as rejected */
    uint64_t sent;            /* items sent, counting every attempt */
    uint64_t retried;         /* attempts that failed retriably */
    uint64_t requests;        /* bulk requests answered or failed */
    uint64_t requests_failed; /* whole requests that failed (unavailable, 429, 5xx) */
    uint64_t partial;         /* answered requests with some items to retry */
    uint64_t failovers;       /* URLs paused after a failure */
    uint64_t dropped;         /* documents dropped because their partition was closed */
    size_t buffered;          /* documents held now */
    int in_flight;            /* requests under way now */
} es_writer_stats;

/* Starts the I/O thread. The settings and client must outlive the writer. */
es_writer *es_writer_new(const es_settings *settings, es_client *client, uint64_t seed,
                         char *err, size_t errlen);
/* Stops the thread (in-flight requests are abandoned) and frees everything it holds. */
void es_writer_destroy(es_writer *writer);

/* The slot of a partition, its generation, and the offset below which put already took every
 * record (-1 = none). -1 when out of memory. */
int es_writer_partition(es_writer *writer, const char *topic, int32_t partition, uint32_t *slot,
                        uint32_t *generation, int64_t *accepted_next);
/* The record at offset needs no document (skipped, or handled by the error handling at once). */
void es_writer_skip(es_writer *writer, uint32_t slot, int64_t offset);
/* Hands an item to the writer (slot and generation set): its offset becomes pending. 0, or -1
 * when out of memory (the item is not taken). */
int es_writer_submit(es_writer *writer, es_item *item);
/* Wakes the I/O thread (after a batch of submissions). */
void es_writer_kick(es_writer *writer);

/* Whether another document may be held (fewer than max.buffered.records). */
bool es_writer_has_room(es_writer *writer);
/* Waits for room, reports or the deadline (monotonic ms). */
es_wait es_writer_wait_room(es_writer *writer, int64_t deadline_ms);
/* Sends whatever waits at once and waits until nothing below the given offsets is pending, for
 * reports, or for the deadline. */
es_wait es_writer_wait_flushed(es_writer *writer, const ferry_topic_partition *offsets,
                               size_t count, int64_t deadline_ms);
/* Lowers each offset to the first pending offset of its partition when that is lower. */
void es_writer_committable(es_writer *writer, ferry_topic_partition *offsets, size_t count);

/* Takes the waiting reports (a malloc'd array: pass its entries to es_writer_reported, then
 * free it). */
size_t es_writer_take_reports(es_writer *writer, es_report **reports);
/* The reports were dealt with: their items are freed and, when finished (the error handling
 * took them), their offsets are finished; else (the task is failing) they stay pending. */
void es_writer_reported(es_writer *writer, es_report *reports, size_t count, bool finished);

/* Forgets the partitions (revoked): their waiting documents are dropped, answers for their
 * documents in flight ignored. */
void es_writer_close_partition(es_writer *writer, const char *topic, int32_t partition);

/* true (with the reason) once the writer met something retrying cannot fix. */
bool es_writer_failed(es_writer *writer, char *err, size_t errlen);
void es_writer_stats_get(es_writer *writer, es_writer_stats *stats);
/* The current problem for the task's status (documents retried beyond max.retries), into out;
 * false when there is none. */
bool es_writer_problem(es_writer *writer, char *out, size_t outlen);

#endif
