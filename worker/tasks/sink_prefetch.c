/*
 * sink_prefetch.c - when a sink task must wake librdkafka's fetcher (sink_prefetch.h).
 */
#include "tasks/sink_prefetch.h"

/* Weight of the newest batch in the running average of value sizes. */
#define SINK_PREFETCH_AVERAGE_WEIGHT 0.2

void sink_prefetch_init(sink_prefetch *prefetch, bool enabled, int64_t max_kbytes,
                        int64_t max_messages)
{
    *prefetch = (sink_prefetch){
        .enabled = enabled,
        .max_bytes = max_kbytes > 0 ? max_kbytes * 1024 : 0,
        .max_messages = max_messages > 0 ? max_messages : 0,
        .value_bytes = -1,
        .woken_at = INT64_MIN / 2,
        .messages_at = INT64_MIN / 2,
    };
}

void sink_prefetch_read(sink_prefetch *prefetch, size_t count, size_t value_bytes,
                        int64_t now_ms)
{
    if (count == 0)
        return;
    prefetch->messages_at = now_ms;
    double average = (double)value_bytes / (double)count;
    if (prefetch->value_bytes < 0)
        prefetch->value_bytes = average;
    else
        prefetch->value_bytes += SINK_PREFETCH_AVERAGE_WEIGHT * (average - prefetch->value_bytes);
}

/* The larger of the queue's shares of its two bounds; 0 for a bound that is not set. */
static double sink_prefetch_fill(const sink_prefetch *prefetch, size_t queued)
{
    double fill = 0;
    if (prefetch->max_messages > 0)
        fill = (double)queued / (double)prefetch->max_messages;
    if (prefetch->max_bytes > 0 && prefetch->value_bytes > 0) {
        double bytes = (double)queued * prefetch->value_bytes / (double)prefetch->max_bytes;
        if (bytes > fill)
            fill = bytes;
    }
    return fill;
}

bool sink_prefetch_wake(sink_prefetch *prefetch, size_t queued, int64_t now_ms)
{
    if (!prefetch->enabled || now_ms > prefetch->messages_at + SINK_PREFETCH_IDLE_MS)
        return false;
    double fill = sink_prefetch_fill(prefetch, queued);
    if (fill >= SINK_PREFETCH_FULL) {
        prefetch->full_seen = true;
        return false;
    }
    bool wake = false;
    if (prefetch->full_seen && fill < SINK_PREFETCH_REFILL)
        wake = true;
    else if (queued < SINK_PREFETCH_LOW_MESSAGES &&
             now_ms >= prefetch->woken_at + SINK_PREFETCH_LOW_INTERVAL_MS)
        wake = true;
    if (wake) {
        prefetch->full_seen = false;
        prefetch->woken_at = now_ms;
    }
    return wake;
}
