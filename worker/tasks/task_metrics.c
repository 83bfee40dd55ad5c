/*
 * task_metrics.c - the few task metrics that are more than one atomic counter.
 */
#include "tasks/task_metrics.h"

#include <math.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

void metric_summary_add(metric_summary *summary, uint64_t value)
{
    atomic_fetch_add_explicit(&summary->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&summary->sum, value, memory_order_relaxed);
    uint_fast64_t seen = atomic_load_explicit(&summary->max, memory_order_relaxed);
    while (value > seen &&
           !atomic_compare_exchange_weak_explicit(&summary->max, &seen, value,
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

static void metrics_lock(task_metrics *metrics)
{
    while (atomic_flag_test_and_set_explicit(&metrics->lock, memory_order_acquire))
        ;
}

static void metrics_unlock(task_metrics *metrics)
{
    atomic_flag_clear_explicit(&metrics->lock, memory_order_release);
}

int task_metrics_lag_copy(task_metrics *metrics, task_partition_lag *out, int max)
{
    metrics_lock(metrics);
    int count = metrics->lag_count < max ? metrics->lag_count : max;
    memcpy(out, metrics->lag, (size_t)count * sizeof(*out));
    metrics_unlock(metrics);
    return count;
}

const char *task_partition_lag_trend(const task_partition_lag *lag)
{
    if (!lag->trend_known)
        return NULL;
    if (lag->change_per_second <= -0.1)
        return "falling";
    return lag->change_per_second >= 0.1 ? "rising" : "flat";
}

/* The trend of a partition from the previous table, or a fresh one. */
static void metrics_lag_trend_carry(const task_metrics *metrics, const task_partition_lag *lag,
                                    rate_window *out)
{
    for (int i = 0; i < metrics->lag_count; i++) {
        if (metrics->lag[i].partition == lag->partition &&
            strcmp(metrics->lag[i].topic, lag->topic) == 0) {
            *out = metrics->lag_trend[i];
            return;
        }
    }
    rate_window_init(out, TASK_METRICS_LAG_TREND_SPACING_US);
}

void task_metrics_lag_set(task_metrics *metrics, const task_partition_lag *lags, int count,
                          uint64_t now_us)
{
    static _Thread_local rate_window trends[TASK_METRICS_MAX_LAG_PARTITIONS];
    static _Thread_local task_partition_lag table[TASK_METRICS_MAX_LAG_PARTITIONS];
    if (count > TASK_METRICS_MAX_LAG_PARTITIONS)
        count = TASK_METRICS_MAX_LAG_PARTITIONS;
    metrics_lock(metrics);
    for (int i = 0; i < count; i++) {
        table[i] = lags[i];
        metrics_lag_trend_carry(metrics, &lags[i], &trends[i]);
        rate_window_add(&trends[i], now_us, (double)lags[i].lag);
        table[i].trend_known = rate_window_rate(&trends[i], &table[i].change_per_second);
        if (!table[i].trend_known)
            table[i].change_per_second = 0;
    }
    memcpy(metrics->lag, table, (size_t)count * sizeof(*table));
    memcpy(metrics->lag_trend, trends, (size_t)count * sizeof(*trends));
    metrics->lag_count = count;
    metrics_unlock(metrics);
}

void task_metrics_progress_report(task_metrics *metrics, const ferry_progress *report,
                                  uint64_t now_us)
{
    metrics_lock(metrics);
    task_progress_report(&metrics->progress, report, now_us);
    metrics_unlock(metrics);
}

void task_metrics_progress_copy(task_metrics *metrics, task_progress *out)
{
    metrics_lock(metrics);
    memcpy(out, &metrics->progress, sizeof(*out));
    metrics_unlock(metrics);
}

void task_metrics_gauge_set(task_metrics *metrics, const char *name, double value)
{
    metrics_lock(metrics);
    int i = 0;
    while (i < metrics->gauge_count && strcmp(metrics->gauges[i].name, name) != 0)
        i++;
    if (i == metrics->gauge_count && i < TASK_METRICS_MAX_GAUGES) {
        snprintf(metrics->gauges[i].name, sizeof(metrics->gauges[i].name), "%s", name);
        metrics->gauge_count++;
    }
    if (i < metrics->gauge_count)
        metrics->gauges[i].value = value;
    metrics_unlock(metrics);
}

int task_metrics_gauges_copy(task_metrics *metrics, task_gauge *out, int max)
{
    metrics_lock(metrics);
    int count = metrics->gauge_count < max ? metrics->gauge_count : max;
    memcpy(out, metrics->gauges, (size_t)count * sizeof(*out));
    metrics_unlock(metrics);
    return count;
}

/* {"total", "partitions": [{topic, partition, lag, trend?, change_per_second?}]}, NULL with no
 * partition. */
static json_t *metrics_lag_json(task_metrics *metrics)
{
    task_partition_lag lags[TASK_METRICS_MAX_LAG_PARTITIONS];
    int count = task_metrics_lag_copy(metrics, lags, TASK_METRICS_MAX_LAG_PARTITIONS);
    if (count == 0)
        return NULL;
    json_t *partitions = json_array();
    int64_t total = 0;
    for (int i = 0; partitions && i < count; i++) {
        json_t *entry = json_pack("{s:s, s:i, s:I}", "topic", lags[i].topic, "partition",
                                  (int)lags[i].partition, "lag", (json_int_t)lags[i].lag);
        const char *trend = task_partition_lag_trend(&lags[i]);
        if (entry && trend) {
            json_object_set_new(entry, "trend", json_string(trend));
            json_object_set_new(entry, "change_per_second",
                                json_real(round(lags[i].change_per_second * 10.0) / 10.0));
        }
        json_array_append_new(partitions, entry);
        total += lags[i].lag;
    }
    return json_pack("{s:I, s:o}", "total", (json_int_t)total, "partitions", partitions);
}

void task_metrics_progress_json(task_metrics *metrics, uint64_t now_us, json_t *progress)
{
    task_progress *copy = malloc(sizeof(*copy));
    if (copy) {
        task_metrics_progress_copy(metrics, copy);
        json_t *work = task_progress_json(copy, now_us);
        if (work)
            json_object_set_new(progress, "work", work);
        free(copy);
    }
    json_t *lag = metrics_lag_json(metrics);
    if (lag)
        json_object_set_new(progress, "lag", lag);
}
