/*
 * source_transaction.h - exactly-once delivery of one source task (Kafka Connect's KIP-618): the
 * task's producer is transactional (transactional.id "<group.id>-<connector>-<task>"), each
 * transaction holds the task's records and, produced by the same producer before the commit,
 * the offset records that cover them, so the offsets topic and the data topics move together or
 * not at all. Opening a task initialises transactions, which aborts whatever a predecessor with
 * the same transactional.id left open and fences it; the task then reads its committed offsets
 * with read_committed, past any transaction open then (offset_store_read). Where transactions
 * end is the connector's transaction.boundary: after whole polls (source_transaction_due), every
 * transaction.boundary.interval.ms, or where the plugin says (ferry_host.transaction_commit). docs/operations.md, "Delivery guarantees", tells users the
 * rules. Owned by the task's thread; not thread-safe (the background commit's thread only
 * serves delivery reports and calls rd_kafka_commit_transaction).
 */
#ifndef FERRY_SOURCE_TRANSACTION_H
#define FERRY_SOURCE_TRANSACTION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include <ferry/plugin.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "config/worker_config.h"
#include "stores/offset_store.h"

typedef enum source_transaction_boundary {
    SOURCE_BOUNDARY_POLL,      /* whole polls: a transaction per poll that emitted records
                                * while Kafka keeps up, several under load */
    SOURCE_BOUNDARY_INTERVAL,  /* a transaction per transaction.boundary.interval.ms */
    SOURCE_BOUNDARY_CONNECTOR, /* the plugin commits and aborts */
} source_transaction_boundary;

/* What became of a commit or abort. */
typedef enum source_transaction_outcome {
    SOURCE_TRANSACTION_DONE,   /* committed (or aborted, when asked to) */
    SOURCE_TRANSACTION_REWIND, /* Kafka could not commit it and it was aborted: the task goes
                                * back to the last committed offsets and emits again */
    SOURCE_TRANSACTION_FENCED, /* a newer producer with the same transactional.id took over */
    SOURCE_TRANSACTION_FAILED, /* a fatal error: the task fails with the message */
} source_transaction_outcome;

typedef struct source_transaction source_transaction;

/* Whether the worker runs exactly-once sources (exactly.once.source.support=enabled). */
bool source_transaction_enabled(const worker_config *worker);

/* Kafka Connect's rules for a source connector config on a worker that runs exactly-once
 * sources, plus ferry's own for a standalone worker (standalone: no cluster behind it): an
 * explicit group.id, exactly.once.support=required only for a type declaring
 * FERRY_SOURCE_EXACTLY_ONCE, transaction.boundary=connector only for one declaring
 * FERRY_SOURCE_TRANSACTION_BOUNDARIES. Problems go to errors; returns how many. */
size_t source_transaction_validate(const worker_config *worker, bool standalone,
                                   const ferry_connector_type *type, const config_map *config,
                                   config_errors *errors);

/* The transactional.id of a task: "<group.id>-<connector>-<task>", as Kafka Connect derives it.
 * A standalone worker must have group.id set explicitly (then unique per worker). 0, or -1
 * with a message. */
int source_transaction_id(const worker_config *worker, bool standalone, const char *connector,
                          int task_id, char *out, size_t len, char *err, size_t errlen);

/* The transactional producer's defaults, which the user's producer settings replace:
 * linger.ms=100 (librdkafka's is 5). librdkafka 2.0's broker thread polls without sleeping
 * while a partition has its five requests in flight and records waiting longer than linger.ms,
 * which is what a transaction's records produced together (and a commit's flush) come to; with
 * a linger longer than those waits it sleeps until a response. Batches leave when full, and a
 * commit sends the rest at once (its flush), so the linger adds no latency to a transaction. */
extern const char *const source_transaction_producer_defaults[];

/* What the task's producer config needs for transactions (transactional.id, acks=all,
 * idempotence). 0, or -1 with a message. */
int source_transaction_configure(rd_kafka_conf_t *conf, const char *transactional_id,
                                 char *err, size_t errlen);

/* Kafka Connect's fencing round of a distributed worker (KIP-618): fences the transactional.ids
 * of tasks 0 .. task_count - 1 of the connector, so that no producer of an earlier generation of
 * its tasks (a zombie on a worker that lost them) can commit again, and what they left open is
 * aborted. Blocks up to a minute per id. 0, or -1 with a message. */
int source_transaction_fence(const worker_config *worker, const char *connector, int task_count,
                             char *err, size_t errlen);

typedef struct source_transaction_spec {
    rd_kafka_t *producer;           /* the task's transactional producer, borrowed */
    const worker_config *worker;
    const config_map *config;       /* the task's config */
    const char *connector;
    const char *scope;
    offset_store *worker_offsets;   /* the worker's offsets store, borrowed */
    atomic_bool *stop_requested;    /* gives up waiting for Kafka when set */
} source_transaction_spec;

/* Initialises transactions (fencing predecessors, aborting what they left open), creates the
 * connector's own offsets topic when offsets.storage.topic names one that is missing, and reads
 * the committed offsets. NULL with a message on error (Kafka unreachable, stop requested,
 * fenced). */
source_transaction *source_transaction_open(const source_transaction_spec *spec, char *err,
                                            size_t errlen);
/* Aborts a transaction still open (nothing committed) and frees; the producer stays the
 * caller's. Accepts NULL. */
void source_transaction_destroy(source_transaction *transaction);

source_transaction_boundary source_transaction_boundary_of(const source_transaction *transaction);

/* The committed offset of one of the task's source partitions (a new reference, or NULL). */
json_t *source_transaction_offset(source_transaction *transaction, json_t *partition);

/* Begins a transaction unless one is open: before each record. 0, or -1 with a message (a
 * fatal producer error). */
int source_transaction_begin(source_transaction *transaction, char *err, size_t errlen);
bool source_transaction_active(const source_transaction *transaction);

/* Counts what the task's producer holds unacknowledged: _sent after each record it produced
 * (bytes: key and value), _delivered from the producer's delivery callback for every report,
 * delivered or failed (any thread). A commit waits for that count to fall to a few batches
 * before it flushes (docs/runtime.md, "What librdkafka's transactions cost"). */
void source_transaction_sent(source_transaction *transaction, size_t bytes);
void source_transaction_delivered(source_transaction *transaction,
                                  const rd_kafka_message_t *message);

/* Whether the boundary says to commit the open transaction now (after a poll). With poll:
 * once Kafka holds at most a few batches of the transaction's records unacknowledged (at once,
 * while it keeps up), or once the transaction has been open 200 ms; with interval: once it has
 * been open transaction.boundary.interval.ms. */
bool source_transaction_due(const source_transaction *transaction, int64_t now_ms);

/* Produces the offset records (entries: each source partition's latest offset in the
 * transaction) and commits. On DONE the offsets are visible through _offset and the worker's
 * store, and kept for _committed_take. On REWIND the transaction was aborted. why gets the
 * reason of anything but DONE. */
source_transaction_outcome source_transaction_commit(source_transaction *transaction,
                                                     const ferry_source_offset *entries,
                                                     size_t count, int timeout_ms, char *why,
                                                     size_t whylen);
/* The same commit in the background, so that the task keeps polling (and stages what it
 * polls) while Kafka acknowledges the transaction's last records and ends it: _commit_start
 * produces the offset records and hands the commit call to a thread of the transaction's; the
 * task produces nothing to the producer until _commit_finish returned. That thread's flush
 * serves delivery reports, so the producer's delivery callback must be safe on any thread.
 * _commit_ended says, cheaply, whether _commit_finish would return at once; _commit_finish
 * (the same entries and count) waits for the end and gives what source_transaction_commit
 * gives. _committing: started and not finished. */
void source_transaction_commit_start(source_transaction *transaction,
                                     const ferry_source_offset *entries, size_t count,
                                     int timeout_ms);
bool source_transaction_commit_ended(const source_transaction *transaction);
source_transaction_outcome source_transaction_commit_finish(source_transaction *transaction,
                                                            const ferry_source_offset *entries,
                                                            size_t count, int timeout_ms,
                                                            char *why, size_t whylen);
bool source_transaction_committing(const source_transaction *transaction);
/* Aborts the open transaction (no-op without one): DONE, FENCED or FAILED. */
source_transaction_outcome source_transaction_abort(source_transaction *transaction,
                                                    int timeout_ms, char *why, size_t whylen);

/* The offsets committed since the last call, latest per source partition, for the plugin's
 * commit callback: a new array (references owned; free with source_offset_entries_free), its
 * count returned (0: *entries = NULL). */
size_t source_transaction_committed_take(source_transaction *transaction,
                                         ferry_source_offset **entries);

/* From the delivery callback, on any thread: Kafka refused a record of the open transaction
 * (cause: why; fatal: no retry gets it through). The commit then fails; the first refusal is in
 * its message, and a fatal one makes it FAILED rather than REWIND. */
void source_transaction_refused(source_transaction *transaction, bool fatal, const char *cause);

/* Whether a delivery report is one of the transaction's offset records (not a task record). */
bool source_transaction_owns(const source_transaction *transaction,
                             const rd_kafka_message_t *message);

#endif
