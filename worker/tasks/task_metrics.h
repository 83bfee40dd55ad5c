/*
 * task_metrics.h - what a task counts for /metrics. The task's thread updates the counters with
 * relaxed atomic adds (one per batch, not per record, on the hot paths); any thread may read them
 * at any time, without a lock. Names follow Kafka Connect's task metrics where one exists
 * (source-record-poll-total, sink-record-read-total, offset-commit-*), and are rendered by the
 * REST server as Prometheus counters and gauges.
 */
#ifndef FERRY_TASK_METRICS_H
#define FERRY_TASK_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "tasks/rate_window.h"
#include "tasks/task_progress.h"

/* A running sum and count, for averages and Prometheus summaries (_sum, _count). */
typedef struct metric_summary {
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum;  /* in the unit of the metric (records, microseconds) */
    atomic_uint_fast64_t max;
} metric_summary;

void metric_summary_add(metric_summary *summary, uint64_t value);

static inline void metric_add(atomic_uint_fast64_t *counter, uint64_t value)
{
    atomic_fetch_add_explicit(counter, value, memory_order_relaxed);
}

static inline void metric_store(atomic_uint_fast64_t *counter, uint64_t value)
{
    atomic_store_explicit(counter, value, memory_order_relaxed);
}

#define TASK_METRICS_MAX_LAG_PARTITIONS 64
#define TASK_METRICS_MAX_GAUGES 16

/* A gauge a plugin published (host->metric_set). */
typedef struct task_gauge {
    char name[64];
    double value;
} task_gauge;

/* Lag trends: samples 4 s apart, so the window is the last minute. */
#define TASK_METRICS_LAG_TREND_SPACING_US 4000000u

/* Sink lag of one assigned partition: the high watermark minus the next offset to read, and
 * its trend (filled in by task_metrics_lag_set). */
typedef struct task_partition_lag {
    char topic[128];
    int32_t partition;
    int64_t lag;
    bool trend_known;         /* false until the samples span a spacing */
    double change_per_second; /* the lag's change over the window: < 0 falling, > 0 rising */
} task_partition_lag;

/* "falling", "rising" or "flat" (changing by less than one record in ten seconds), NULL while
 * the trend is unknown. */
const char *task_partition_lag_trend(const task_partition_lag *lag);

typedef struct task_metrics {
    /* Sources */
    atomic_uint_fast64_t records_polled;   /* records the plugin emitted */
    atomic_uint_fast64_t records_written;  /* records acknowledged by Kafka */
    metric_summary poll_batch_records;     /* records per poll that emitted any */
    metric_summary poll_latency_us;        /* time in the plugin's poll */
    /* Sinks */
    atomic_uint_fast64_t records_read;     /* messages consumed from Kafka */
    atomic_uint_fast64_t records_put;      /* records handed to put that it accepted */
    metric_summary put_batch_records;      /* records per accepted put */
    metric_summary put_latency_us;         /* time in the plugin's put */
    /* Both */
    atomic_uint_fast64_t offset_commit_success;
    atomic_uint_fast64_t offset_commit_failure;
    metric_summary offset_commit_latency_us;
    atomic_uint_fast64_t record_errors;    /* records that failed (converter, plugin, producer) */
    atomic_uint_fast64_t records_skipped;  /* of those, tolerated (errors.tolerance=all) */
    atomic_uint_fast64_t dlq_records;      /* of those, sent to the dead-letter queue */
    atomic_uint_fast64_t retries;          /* RETRY answers of put, flush, poll */
    /* Under lock: sink lag per assigned partition (refreshed at each flush) and the gauges the
     * plugin publishes with host->metric_set (slot lag, say). */
    atomic_flag lock;
    task_partition_lag lag[TASK_METRICS_MAX_LAG_PARTITIONS];
    rate_window lag_trend[TASK_METRICS_MAX_LAG_PARTITIONS]; /* aligned with lag */
    int lag_count;
    task_gauge gauges[TASK_METRICS_MAX_GAUGES];
    int gauge_count;
    /* Under lock too: the long work the plugin reports (host->progress_report). */
    task_progress progress;
} task_metrics;

/* Copies the lag table (at most max entries); returns how many. */
int task_metrics_lag_copy(task_metrics *metrics, task_partition_lag *out, int max);
/* For the sink thread: replaces the lag table (entries past the maximum are dropped) at now_us
 * (monotonic), carrying each partition's trend over from the previous table. */
void task_metrics_lag_set(task_metrics *metrics, const task_partition_lag *lags, int count,
                          uint64_t now_us);
/* Sets a plugin gauge by name; a name past the maximum number of gauges is dropped. */
void task_metrics_gauge_set(task_metrics *metrics, const char *name, double value);
int task_metrics_gauges_copy(task_metrics *metrics, task_gauge *out, int max);
/* For the task's thread: takes a plugin's progress report (borrowed) at now_us. */
void task_metrics_progress_report(task_metrics *metrics, const ferry_progress *report,
                                  uint64_t now_us);
/* Copies the progress (a large structure: give it a heap or static home). */
void task_metrics_progress_copy(task_metrics *metrics, task_progress *out);
/* Adds to a status's progress object what there is of "work" (task_progress_json) and "lag"
 * (a sink's partitions with their trends) at now_us. */
void task_metrics_progress_json(task_metrics *metrics, uint64_t now_us, json_t *progress);

#endif
