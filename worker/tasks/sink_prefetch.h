/*
 * sink_prefetch.h - when a sink task must wake librdkafka's fetcher.
 *
 * librdkafka before 2.2 stops fetching a partition once the consumer's prefetch queue holds
 * queued.max.messages.kbytes of values or queued.min.messages messages, and looks again only when
 * something wakes the broker thread, or after a second: a sink that reads the queue empty in less
 * than that waits for the rest of the second with nothing fetched. The sink task keeps a small
 * prefetch (KAFKA_SINK_PREFETCH_KB) fed by waking the fetcher itself (sink_task.c sends a
 * ListOffsets request, which wakes the partitions' broker threads); this module decides when:
 *
 *   - once per fill: the queue was seen at a bound (the fetcher went to sleep) and has since
 *     drained below SINK_PREFETCH_REFILL of it (the fetcher will fetch when woken). The queue's
 *     bytes are estimated from its length and the average size of the values read, which is what
 *     librdkafka counts.
 *   - as a fall-back against a wrong estimate: the queue holds less than SINK_PREFETCH_LOW_MESSAGES
 *     messages, at most every SINK_PREFETCH_LOW_INTERVAL_MS.
 *
 * Never when no message came for SINK_PREFETCH_IDLE_MS (an idle sink sends nothing), nor from
 * librdkafka 2.2 on (fetch.queue.backoff.ms does it). Used from the task's thread only.
 */
#ifndef FERRY_SINK_PREFETCH_H
#define FERRY_SINK_PREFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SINK_PREFETCH_FULL 0.9    /* at this share of a bound the fetcher is taken to sleep */
#define SINK_PREFETCH_REFILL 0.8  /* below this share of both bounds it is woken */
#define SINK_PREFETCH_LOW_MESSAGES 1000
#define SINK_PREFETCH_LOW_INTERVAL_MS 5
#define SINK_PREFETCH_IDLE_MS 1000

typedef struct sink_prefetch {
    bool enabled;          /* false: librdkafka wakes its fetcher itself */
    int64_t max_bytes;     /* queued.max.messages.kbytes, in bytes */
    int64_t max_messages;  /* queued.min.messages */
    double value_bytes;    /* running average size of the values read; < 0 = none read yet */
    bool full_seen;        /* the queue reached a bound since the last wake-up */
    int64_t woken_at;      /* when the fetcher was last woken */
    int64_t messages_at;   /* when messages were last read */
} sink_prefetch;

/* The bounds of the consumer's prefetch (queued.max.messages.kbytes and queued.min.messages);
 * enabled says whether the task must wake the fetcher (librdkafka before 2.2). */
void sink_prefetch_init(sink_prefetch *prefetch, bool enabled, int64_t max_kbytes,
                        int64_t max_messages);

/* count messages with value_bytes bytes of values in all were read at now_ms. */
void sink_prefetch_read(sink_prefetch *prefetch, size_t count, size_t value_bytes,
                        int64_t now_ms);

/* With queued messages in the consumer's queue at now_ms: true when the fetcher must be woken now
 * (the caller then wakes it). */
bool sink_prefetch_wake(sink_prefetch *prefetch, size_t queued, int64_t now_ms);

#endif
