/* task_metrics: summaries, the sink lag table and plugin gauges, as /metrics reads them. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tasks/task_metrics.h"

static void test_summary_counts_sums_and_keeps_the_max(void **state)
{
    (void)state;
    metric_summary summary = {0};
    uint64_t values[] = {5, 500, 20, 499};
    for (size_t i = 0; i < 4; i++)
        metric_summary_add(&summary, values[i]);
    assert_int_equal(summary.count, 4);
    assert_int_equal(summary.sum, 1024);
    assert_int_equal(summary.max, 500);
}

typedef struct adder {
    task_metrics *metrics;
    int rounds;
} adder;

static void *add_many(void *argument)
{
    adder *a = argument;
    for (int i = 0; i < a->rounds; i++) {
        metric_add(&a->metrics->records_put, 3);
        metric_summary_add(&a->metrics->put_batch_records, (uint64_t)i);
        char name[16];
        snprintf(name, sizeof name, "g%d", i % 4);
        task_metrics_gauge_set(a->metrics, name, i);
    }
    return NULL;
}

static void test_concurrent_updates_are_not_lost(void **state)
{
    (void)state;
    task_metrics *metrics = calloc(1, sizeof(*metrics));
    assert_non_null(metrics);
    adder a = {metrics, 100000};
    pthread_t threads[2];
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, add_many, &a), 0);
    for (int t = 0; t < 2; t++)
        pthread_join(threads[t], NULL);
    assert_int_equal(metrics->records_put, 600000);
    assert_int_equal(metrics->put_batch_records.count, 200000);
    assert_int_equal(metrics->put_batch_records.max, 99999);
    task_gauge gauges[TASK_METRICS_MAX_GAUGES];
    assert_int_equal(task_metrics_gauges_copy(metrics, gauges, TASK_METRICS_MAX_GAUGES), 4);
    free(metrics);
}

static void test_gauges_replace_by_name_and_stop_at_the_maximum(void **state)
{
    (void)state;
    task_metrics *metrics = calloc(1, sizeof(*metrics));
    assert_non_null(metrics);
    task_metrics_gauge_set(metrics, "slot_lag_bytes", 10);
    task_metrics_gauge_set(metrics, "slot_lag_bytes", 42);
    for (int i = 0; i < TASK_METRICS_MAX_GAUGES + 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "extra%d", i);
        task_metrics_gauge_set(metrics, name, i);
    }
    task_gauge gauges[TASK_METRICS_MAX_GAUGES];
    int count = task_metrics_gauges_copy(metrics, gauges, TASK_METRICS_MAX_GAUGES);
    assert_int_equal(count, TASK_METRICS_MAX_GAUGES);
    assert_string_equal(gauges[0].name, "slot_lag_bytes");
    assert_true(gauges[0].value == 42);
    free(metrics);
}

static void test_lag_table_is_replaced_whole(void **state)
{
    (void)state;
    task_metrics *metrics = calloc(1, sizeof(*metrics));
    assert_non_null(metrics);
    task_partition_lag lags[2] = {{.topic = "orders", .partition = 0, .lag = 7},
                                  {.topic = "orders", .partition = 1, .lag = 0}};
    task_metrics_lag_set(metrics, lags, 2, 1000000);
    task_partition_lag out[4];
    assert_int_equal(task_metrics_lag_copy(metrics, out, 4), 2);
    assert_string_equal(out[0].topic, "orders");
    assert_int_equal(out[0].lag, 7);
    task_metrics_lag_set(metrics, lags + 1, 1, 2000000);
    assert_int_equal(task_metrics_lag_copy(metrics, out, 4), 1);
    assert_int_equal(out[0].partition, 1);
    assert_int_equal(task_metrics_lag_copy(metrics, out, 0), 0);
    free(metrics);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_counts_sums_and_keeps_the_max),
        cmocka_unit_test(test_concurrent_updates_are_not_lost),
        cmocka_unit_test(test_gauges_replace_by_name_and_stop_at_the_maximum),
        cmocka_unit_test(test_lag_table_is_replaced_whole),
    };
    return cmocka_run_group_tests_name("task_metrics", tests, NULL, NULL);
}
