/*
 * topic_reader.c - assign every partition at its beginning, consume to the end offsets taken at
 * the start (read_committed: the last stable offsets, and on request on to the high watermarks
 * once the transactions open then ended), with no consumer group and no commits; a following
 * reader then goes on consuming on its own thread. Each partition's position (every record below
 * it handed to the callback) moves with the records and with the end-of-partition events, which
 * also step over offsets that carry no record for us (transaction markers), and is what a sync
 * waits on.
 */
#include "kafka/topic_reader.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "kafka/kafka_client.h"
#include "support/clock.h"

/* How long one poll of the reader's thread may wait: the bound on stopping it should a wake-up
 * be missed. */
#define TOPIC_READER_POLL_MS 500
/* fetch.wait.max.ms of a reader that reads to the end and stops. */
#define TOPIC_READER_FETCH_WAIT_MS "10"

struct topic_reader {
    char *topic;
    rd_kafka_t *consumer;
    rd_kafka_queue_t *queue; /* the consumer's queue, woken to stop the thread */
    int partitions;
    topic_reader_fn fn;
    void *opaque;
    pthread_mutex_t mutex;
    pthread_cond_t advanced; /* broadcast whenever a position moves */
    int64_t *positions;      /* by partition id, under mutex */
    atomic_bool stopping;
    bool running;
    pthread_t thread;
    rd_kafka_resp_err_t consumer_error; /* the last poll's consumer error */
};

typedef enum topic_poll {
    TOPIC_POLL_FAILED = -1,       /* fn refused the record or the consumer reported an error */
    TOPIC_POLL_NOTHING = 0,
    TOPIC_POLL_RECORD = 1,
    TOPIC_POLL_END = 2,           /* a partition's end reached */
} topic_poll;

static void topic_reader_free(topic_reader *reader)
{
    if (!reader)
        return;
    if (reader->queue)
        rd_kafka_queue_destroy(reader->queue);
    /* The reader never joins its group nor commits: there is nothing for a consumer close to
     * leave or commit, and its wait for the group handler's coordinator requests would only
     * hold up a shutdown. */
    if (reader->consumer)
        rd_kafka_destroy_flags(reader->consumer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    if (reader->positions) {
        pthread_cond_destroy(&reader->advanced);
        pthread_mutex_destroy(&reader->mutex);
    }
    free(reader->positions);
    free(reader->topic);
    free(reader);
}

/* The consumer and the topic's partition count (waiting a little for a topic created a moment
 * ago). Takes ownership of conf. */
static topic_reader *topic_reader_open(rd_kafka_conf_t *conf, const char *topic, int timeout_ms,
                                       topic_reader_fn fn, void *opaque, char *err,
                                       size_t errlen)
{
    char why[512];
    const rd_kafka_metadata_t *metadata = NULL;
    rd_kafka_topic_t *handle = NULL;
    topic_reader *reader = calloc(1, sizeof(*reader));
    if (!reader || !(reader->topic = strdup(topic))) {
        ferry_error_set(err, errlen, "out of memory reading topic %s", topic);
        goto fail;
    }
    reader->fn = fn;
    reader->opaque = opaque;
    atomic_init(&reader->stopping, false);
    /* rd_kafka_consumer_poll needs a group id even with assign(); the group is never joined
     * and nothing is committed under it. */
    char group[32];
    size_t group_size = sizeof(group);
    if (rd_kafka_conf_get(conf, "group.id", group, &group_size) != RD_KAFKA_CONF_OK || !group[0])
        rd_kafka_conf_set(conf, "group.id", "ferry-topic-reader", NULL, 0);
    /* earliest: should the log start ever pass a following reader's position, it reads again
     * rather than skipping records. read_committed whatever consumer.isolation.level says: an
     * exactly-once source task writes its offsets inside its transactions, and the offsets of
     * an aborted (or still open) transaction must never be read back. The end offsets the
     * reader waits for are then the last stable offsets, which Kafka answers under the same
     * isolation level. */
    if (rd_kafka_conf_set(conf, "isolation.level", "read_committed", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "enable.partition.eof", "true", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", why, sizeof(why))) {
        ferry_error_set(err, errlen, "reading topic %s: %s", topic, why);
        goto fail;
    }
    reader->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (!reader->consumer) {
        ferry_error_set(err, errlen, "reading topic %s: %s", topic, why);
        goto fail;
    }
    conf = NULL;
    /* Its errors and the other events of the main queue are served by the reader's polls. */
    rd_kafka_poll_set_consumer(reader->consumer);
    reader->queue = rd_kafka_queue_get_consumer(reader->consumer);
    handle = rd_kafka_topic_new(reader->consumer, topic, NULL);
    rd_kafka_resp_err_t rc;
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        rc = rd_kafka_metadata(reader->consumer, 0, handle, &metadata, timeout_ms);
        bool settling = !rc && metadata->topic_cnt == 1 &&
                        (metadata->topics[0].err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                         metadata->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                         metadata->topics[0].partition_cnt == 0);
        if (!settling || clock_monotonic_ms() >= deadline)
            break;
        rd_kafka_metadata_destroy(metadata);
        metadata = NULL;
        struct timespec pause = {.tv_nsec = 100000000L};
        nanosleep(&pause, NULL);
    }
    if (rc || metadata->topic_cnt != 1 || metadata->topics[0].err) {
        char reason[1024];
        rd_kafka_resp_err_t code = rc                         ? rc
                                   : metadata->topic_cnt == 1 ? metadata->topics[0].err
                                                              : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
        ferry_error_set(err, errlen, "reading topic %s: no metadata: %s", topic,
                        kafka_client_error_text(reader->consumer, code, NULL, topic, reason,
                                                sizeof(reason)));
        goto fail;
    }
    reader->partitions = metadata->topics[0].partition_cnt;
    reader->positions = calloc((size_t)reader->partitions + 1, sizeof(*reader->positions));
    if (!reader->positions) {
        ferry_error_set(err, errlen, "out of memory reading topic %s", topic);
        goto fail;
    }
    pthread_mutex_init(&reader->mutex, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&reader->advanced, &attributes);
    pthread_condattr_destroy(&attributes);
    rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(handle);
    return reader;
fail:
    if (metadata)
        rd_kafka_metadata_destroy(metadata);
    if (handle)
        rd_kafka_topic_destroy(handle);
    if (conf)
        rd_kafka_conf_destroy(conf);
    topic_reader_free(reader);
    return NULL;
}

/* Every partition's low and high watermarks, waiting for the leaders of a topic created a moment
 * ago. */
static int topic_reader_watermarks(topic_reader *reader, int64_t *lows, int64_t *ends,
                                    int timeout_ms, char *err, size_t errlen)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (int32_t id = 0; id < reader->partitions; id++) {
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t rc;
        for (;;) {
            int64_t left = deadline - clock_monotonic_ms();
            rc = rd_kafka_query_watermark_offsets(reader->consumer, reader->topic, id, &low,
                                                  &high, left > 0 ? (int)left : 1);
            bool settling = rc == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                            rc == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                            rc == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
            if (!settling || clock_monotonic_ms() >= deadline)
                break;
            struct timespec pause = {.tv_nsec = 100000000L};
            nanosleep(&pause, NULL);
        }
        if (rc) {
            char why[1024];
            ferry_error_set(err, errlen, "reading topic %s: end offset of partition %d: %s",
                            reader->topic, id,
                            kafka_client_error_text(reader->consumer, rc, NULL, reader->topic,
                                                    why, sizeof(why)));
            return -1;
        }
        lows[id] = low;
        ends[id] = high;
    }
    return 0;
}

/* Every partition's end offset in one request per leader (a sync's: the reader's own fetch may
 * be waiting on the same connection, and the broker answers one request of a connection at a
 * time). Kafka's latest offset is looked up with the timestamp -1. */
static int topic_reader_latest_offsets(topic_reader *reader, int64_t *ends, int timeout_ms,
                                       char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *query =
        rd_kafka_topic_partition_list_new(reader->partitions);
    if (!query) {
        ferry_error_set(err, errlen, "out of memory reading topic %s", reader->topic);
        return -1;
    }
    for (int32_t id = 0; id < reader->partitions; id++)
        rd_kafka_topic_partition_list_add(query, reader->topic, id)->offset = -1;
    rd_kafka_resp_err_t rc = rd_kafka_offsets_for_times(reader->consumer, query, timeout_ms);
    for (int i = 0; !rc && i < query->cnt; i++) {
        const rd_kafka_topic_partition_t *partition = &query->elems[i];
        if (partition->err)
            rc = partition->err;
        else if (partition->partition >= 0 && partition->partition < reader->partitions)
            ends[partition->partition] = partition->offset;
    }
    rd_kafka_topic_partition_list_destroy(query);
    if (rc) {
        char why[1024];
        ferry_error_set(err, errlen, "reading topic %s: end offsets: %s", reader->topic,
                        kafka_client_error_text(reader->consumer, rc, NULL, reader->topic, why,
                                                sizeof(why)));
        return -1;
    }
    return 0;
}

static bool topic_reader_at_locked(const topic_reader *reader, const int64_t *ends)
{
    for (int i = 0; i < reader->partitions; i++)
        if (reader->positions[i] < ends[i])
            return false;
    return true;
}

static bool topic_reader_at(topic_reader *reader, const int64_t *ends)
{
    pthread_mutex_lock(&reader->mutex);
    bool at = topic_reader_at_locked(reader, ends);
    pthread_mutex_unlock(&reader->mutex);
    return at;
}

static void topic_reader_advance(topic_reader *reader, int32_t partition, int64_t next)
{
    if (partition < 0 || partition >= reader->partitions)
        return;
    pthread_mutex_lock(&reader->mutex);
    if (next > reader->positions[partition]) {
        reader->positions[partition] = next;
        pthread_cond_broadcast(&reader->advanced);
    }
    pthread_mutex_unlock(&reader->mutex);
}

static topic_poll topic_reader_poll(topic_reader *reader, int timeout_ms, char *err,
                                    size_t errlen)
{
    rd_kafka_message_t *message = rd_kafka_consumer_poll(reader->consumer, timeout_ms);
    if (!message)
        return TOPIC_POLL_NOTHING;
    topic_poll result;
    reader->consumer_error = message->err;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        topic_reader_advance(reader, message->partition, message->offset);
        result = TOPIC_POLL_END;
    } else if (message->err) {
        char why[1024];
        ferry_error_set(err, errlen, "reading topic %s: %s", reader->topic,
                        kafka_client_error_text(reader->consumer, message->err,
                                                rd_kafka_message_errstr(message), reader->topic,
                                                why, sizeof(why)));
        result = TOPIC_POLL_FAILED;
    } else {
        result = reader->fn(reader->opaque, message, err, errlen) == 0 ? TOPIC_POLL_RECORD
                                                                       : TOPIC_POLL_FAILED;
        topic_reader_advance(reader, message->partition, message->offset + 1);
    }
    rd_kafka_message_destroy(message);
    return result;
}

/* One poll of a restore: *read counts the records, -1 once one failed. */
static void topic_reader_step(topic_reader *reader, int timeout_ms, long *read, char *err,
                              size_t errlen)
{
    topic_poll polled = topic_reader_poll(reader, timeout_ms, err, errlen);
    if (polled == TOPIC_POLL_FAILED)
        *read = -1;
    else if (polled == TOPIC_POLL_RECORD)
        (*read)++;
}

/* A read_committed reader's end offsets are the last stable offsets: a transaction still open
 * hides every record written after its first one, committed or not. Another producer's
 * transaction may be open when the reading begins (an exactly-once task of another connector
 * committing on the same offsets partition), with records behind it that were committed before
 * the reading began (a fenced predecessor's last offsets): a reader that must see those goes on,
 * once at the last stable offsets, to the high watermarks its fetches reported, which an open
 * transaction's end lets it pass (its records delivered or, aborted, skipped). Raises ends to
 * them: 1 when any partition has more to read, 0 when none has, -1 while a partition has not
 * been fetched yet (no high watermark known). */
static int topic_reader_high_watermarks(topic_reader *reader, int64_t *ends)
{
    int more = 0;
    for (int32_t id = 0; id < reader->partitions; id++) {
        int64_t low = 0, high = RD_KAFKA_OFFSET_INVALID;
        if (rd_kafka_get_watermark_offsets(reader->consumer, reader->topic, id, &low, &high) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            high < 0)
            return -1;
        if (high > ends[id]) {
            ends[id] = high;
            more = 1;
        }
    }
    return more;
}

/* The error of a restore that did not get to its end offsets in time, naming the partition it
 * is stuck on; past the last stable offsets, that is a transaction left open. */
static void topic_reader_unfinished(topic_reader *reader, const int64_t *ends, bool stable_only,
                                    int timeout_ms, char *err, size_t errlen)
{
    int32_t stuck = 0;
    int64_t position = 0;
    pthread_mutex_lock(&reader->mutex);
    for (int32_t id = 0; id < reader->partitions; id++)
        if (reader->positions[id] < ends[id]) {
            stuck = id;
            position = reader->positions[id];
            break;
        }
    pthread_mutex_unlock(&reader->mutex);
    if (stable_only)
        ferry_error_set(err, errlen, "reading topic %s: not at its end after %d ms "
                        "(partition %d at offset %" PRId64 " of %" PRId64 ")", reader->topic,
                        timeout_ms, stuck, position, ends[stuck]);
    else
        ferry_error_set(err, errlen, "reading topic %s: a transaction open at offset %" PRId64
                        " of partition %d did not end within %d ms, and records committed "
                        "after it cannot be read before it ends (a producer that stopped "
                        "without ending it is aborted by the broker after its "
                        "transaction.timeout.ms)", reader->topic, position, stuck, timeout_ms);
}

/* Assigns every partition at its beginning and reads up to the end offsets of now, the last
 * stable offsets; to TOPIC_READER_END_ALL, then on to the high watermarks
 * (topic_reader_high_watermarks), every partition fetched at least once. A reader that will not
 * follow, reading to TOPIC_READER_END_STABLE, skips the assignment of a topic with nothing to
 * read. */
static long topic_reader_restore(topic_reader *reader, bool follow, topic_reader_end end,
                                 int timeout_ms, char *err, size_t errlen)
{
    long read = -1;
    int64_t *lows = calloc((size_t)reader->partitions + 1, sizeof(*lows));
    int64_t *ends = calloc((size_t)reader->partitions + 1, sizeof(*ends));
    rd_kafka_topic_partition_list_t *assignment =
        rd_kafka_topic_partition_list_new(reader->partitions);
    if (!lows || !ends || !assignment) {
        ferry_error_set(err, errlen, "out of memory reading topic %s", reader->topic);
        goto done;
    }
    if (topic_reader_watermarks(reader, lows, ends, timeout_ms, err, errlen) != 0)
        goto done;
    /* Nothing lies below a partition's low watermark. */
    memcpy(reader->positions, lows, (size_t)reader->partitions * sizeof(*lows));
    read = 0;
    if (!follow && end == TOPIC_READER_END_STABLE && topic_reader_at(reader, ends))
        goto done;
    for (int32_t id = 0; id < reader->partitions; id++)
        rd_kafka_topic_partition_list_add(assignment, reader->topic, id)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t rc = rd_kafka_assign(reader->consumer, assignment);
    if (rc) {
        ferry_error_set(err, errlen, "reading topic %s: %s", reader->topic,
                        rd_kafka_err2str(rc));
        read = -1;
        goto done;
    }
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    bool stable_only = true;
    while (read >= 0) {
        if (!topic_reader_at(reader, ends)) {
            if (clock_monotonic_ms() > deadline) {
                topic_reader_unfinished(reader, ends, stable_only, timeout_ms, err, errlen);
                read = -1;
            } else {
                topic_reader_step(reader, 200, &read, err, errlen);
            }
            continue;
        }
        /* The high watermarks are taken once: the transactions open by then are the ones to
         * wait for, not those of the writes that go on meanwhile. */
        if (end == TOPIC_READER_END_STABLE || !stable_only)
            break;
        int more = topic_reader_high_watermarks(reader, ends);
        if (more == 0)
            break;
        if (more > 0) {
            log_debug("kafka", "reading topic %s: transactions open when the reading began; "
                      "reading on once they end", reader->topic);
            stable_only = false;
        } else if (clock_monotonic_ms() > deadline) {
            ferry_error_set(err, errlen, "reading topic %s: no fetch answered within %d ms",
                            reader->topic, timeout_ms);
            read = -1;
        } else {
            /* A partition not fetched yet: its high watermark comes with its first fetch. */
            topic_reader_step(reader, 10, &read, err, errlen);
        }
    }
done:
    if (assignment)
        rd_kafka_topic_partition_list_destroy(assignment);
    free(lows);
    free(ends);
    return read;
}

long topic_reader_read_all(rd_kafka_conf_t *consumer_conf, const char *topic,
                           topic_reader_end end, int timeout_ms, topic_reader_fn fn, void *opaque,
                           char *err, size_t errlen)
{
    /* A fetch at a partition's end waits fetch.wait.max.ms for records (500 ms by default)
     * before the broker answers that there are none; a reader that stops at the end asks often
     * instead, for the few fetches it makes. */
    char why[512];
    if (rd_kafka_conf_set(consumer_conf, "fetch.wait.max.ms", TOPIC_READER_FETCH_WAIT_MS, why,
                          sizeof(why)) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(consumer_conf);
        ferry_error_set(err, errlen, "reading topic %s: %s", topic, why);
        return -1;
    }
    topic_reader *reader = topic_reader_open(consumer_conf, topic, timeout_ms, fn, opaque, err,
                                             errlen);
    if (!reader)
        return -1;
    long read = topic_reader_restore(reader, false, end, timeout_ms, err, errlen);
    topic_reader_free(reader);
    return read;
}

static void *topic_reader_run(void *argument)
{
    topic_reader *reader = argument;
    rd_kafka_resp_err_t logged = RD_KAFKA_RESP_ERR_NO_ERROR;
    while (!atomic_load(&reader->stopping)) {
        char why[512] = "";
        if (topic_reader_poll(reader, TOPIC_READER_POLL_MS, why, sizeof(why)) !=
            TOPIC_POLL_FAILED)
            continue;
        /* A record fn refuses is skipped; a consumer error is logged once until another
         * one, since librdkafka repeats it at every retry. */
        if (reader->consumer_error == RD_KAFKA_RESP_ERR_NO_ERROR)
            log_warn("kafka", "%s", why);
        else if (reader->consumer_error != logged)
            log_warn("kafka", "%s (reading goes on)", why);
        logged = reader->consumer_error;
    }
    return NULL;
}

topic_reader *topic_reader_start(rd_kafka_conf_t *consumer_conf, const char *topic,
                                 int timeout_ms, topic_reader_fn fn, void *opaque,
                                 long *records_read, char *err, size_t errlen)
{
    topic_reader *reader = topic_reader_open(consumer_conf, topic, timeout_ms, fn, opaque, err,
                                             errlen);
    if (!reader)
        return NULL;
    long read = topic_reader_restore(reader, true, TOPIC_READER_END_STABLE, timeout_ms, err,
                                     errlen);
    if (records_read)
        *records_read = read;
    if (read < 0)
        goto fail;
    int rc = pthread_create(&reader->thread, NULL, topic_reader_run, reader);
    if (rc != 0) {
        ferry_error_set(err, errlen, "reading topic %s: cannot start a thread: %s", topic,
                        strerror(rc));
        goto fail;
    }
    reader->running = true;
    return reader;
fail:
    topic_reader_free(reader);
    return NULL;
}

int topic_reader_partitions(const topic_reader *reader)
{
    return reader->partitions;
}

int topic_reader_wait(topic_reader *reader, const int64_t *ends, int timeout_ms, char *err,
                      size_t errlen)
{
    if (reader->running && pthread_equal(pthread_self(), reader->thread)) {
        ferry_error_set(err, errlen, "reading topic %s: a wait on the reader's own thread "
                        "would wait for itself", reader->topic);
        return -1;
    }
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    int rc = 0;
    pthread_mutex_lock(&reader->mutex);
    while (!topic_reader_at_locked(reader, ends)) {
        if (clock_monotonic_ms() >= deadline) {
            ferry_error_set(err, errlen, "reading topic %s: not at the offsets awaited within "
                            "%d ms", reader->topic, timeout_ms);
            rc = -1;
            break;
        }
        struct timespec until = {.tv_sec = deadline / 1000,
                                 .tv_nsec = (long)(deadline % 1000) * 1000000L};
        pthread_cond_timedwait(&reader->advanced, &reader->mutex, &until);
    }
    pthread_mutex_unlock(&reader->mutex);
    return rc;
}

int topic_reader_sync(topic_reader *reader, int timeout_ms, char *err, size_t errlen)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    int64_t *ends = calloc((size_t)reader->partitions + 1, sizeof(*ends));
    if (!ends) {
        ferry_error_set(err, errlen, "out of memory reading topic %s", reader->topic);
        return -1;
    }
    int rc = topic_reader_latest_offsets(reader, ends, timeout_ms, err, errlen);
    if (rc == 0) {
        int64_t left = deadline - clock_monotonic_ms();
        rc = topic_reader_wait(reader, ends, left > 0 ? (int)left : 0, err, errlen);
    }
    free(ends);
    return rc;
}

void topic_reader_stop(topic_reader *reader)
{
    if (!reader)
        return;
    if (reader->running) {
        atomic_store(&reader->stopping, true);
        rd_kafka_queue_yield(reader->queue);
        pthread_join(reader->thread, NULL);
    }
    topic_reader_free(reader);
}
