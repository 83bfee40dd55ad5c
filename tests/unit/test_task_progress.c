/* task_progress and rate_window: rates over a sliding window, ETAs, percentages and the lag
 * trend, with an injected clock (no sleeping, no timing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cli/progress_line.h"
#include "tasks/rate_window.h"
#include "tasks/task_metrics.h"
#include "tasks/task_progress.h"

#define SECOND 1000000u

static void report(task_progress *progress, const char *item, ferry_progress_state state,
                   int64_t done, int64_t total, uint64_t now_us)
{
    ferry_progress message = {.struct_size = sizeof(message), .item = item,
                              .phase = "snapshot", .unit = "rows", .state = state,
                              .done = done, .total = total, .records = -1};
    task_progress_report(progress, &message, now_us);
}

static void test_rate_is_unknown_until_the_samples_span_a_spacing(void **state)
{
    (void)state;
    rate_window window;
    rate_window_init(&window, SECOND / 2);
    double rate = -7;
    assert_false(rate_window_rate(&window, &rate));
    rate_window_add(&window, 0, 0);
    assert_false(rate_window_rate(&window, &rate));
    rate_window_add(&window, SECOND / 4, 100);
    assert_false(rate_window_rate(&window, &rate));
    rate_window_add(&window, SECOND, 1000);
    assert_true(rate_window_rate(&window, &rate));
    assert_float_equal(rate, 1000.0, 1e-9);
}

static void test_rate_window_slides(void **state)
{
    (void)state;
    rate_window window;
    rate_window_init(&window, SECOND);
    /* 100/s for 30 s, then 10/s for 20 s: the window (15 s) sees only the slow part. */
    double value = 0;
    uint64_t now = 0;
    for (int i = 0; i < 30; i++, now += SECOND, value += 100)
        rate_window_add(&window, now, value);
    for (int i = 0; i < 20; i++, now += SECOND, value += 10)
        rate_window_add(&window, now, value);
    double rate;
    assert_true(rate_window_rate(&window, &rate));
    assert_float_equal(rate, 10.0, 1e-9);
    assert_float_equal(rate_window_span_seconds(&window), 15.0, 1e-9);
}

static void test_fast_callers_do_not_shrink_the_window(void **state)
{
    (void)state;
    rate_window window;
    rate_window_init(&window, SECOND);
    /* A report every millisecond for 20 s at 1000 units/s. */
    for (uint64_t ms = 0; ms <= 20000; ms++)
        rate_window_add(&window, ms * 1000, (double)ms);
    double rate;
    assert_true(rate_window_rate(&window, &rate));
    assert_float_equal(rate, 1000.0, 1e-6);
    assert_true(rate_window_span_seconds(&window) >= 14.0);
}

static void test_snapshot_rate_eta_and_completion(void **state)
{
    (void)state;
    task_progress *progress = calloc(1, sizeof(*progress));
    assert_non_null(progress);
    report(progress, "public.orders", FERRY_PROGRESS_RUNNING, 0, 1000000, 0);
    report(progress, "public.lines", FERRY_PROGRESS_PENDING, 0, 200000, 0);
    task_progress_summary summary;
    task_progress_summarize(progress, 0, &summary);
    assert_true(summary.running);
    assert_int_equal(summary.total, 1200000);
    assert_true(summary.rate < 0);        /* unknown, not zero */
    assert_true(summary.eta_seconds < 0); /* so no ETA */

    for (uint64_t s = 1; s <= 4; s++)
        report(progress, "public.orders", FERRY_PROGRESS_RUNNING, (int64_t)s * 100000, 1000000,
               s * SECOND);
    task_progress_summarize(progress, 4 * SECOND, &summary);
    assert_float_equal(summary.rate, 100000.0, 1e-6);
    /* 1,200,000 - 400,000 left at 100,000/s */
    assert_float_equal(summary.eta_seconds, 8.0, 1e-9);
    assert_float_equal(summary.percent, 100.0 * 400000 / 1200000, 1e-9);
    assert_string_equal(summary.current, "public.orders");
    assert_int_equal(summary.items_total, 2);
    assert_int_equal(summary.items_done, 0);
    assert_float_equal(task_progress_item_eta(&progress->items[0]), 6.0, 1e-9);

    /* The estimate was short: more rows than reltuples said, never above 99.9% meanwhile. */
    report(progress, "public.orders", FERRY_PROGRESS_RUNNING, 1100000, 1000000, 5 * SECOND);
    assert_float_equal(task_progress_item_percent(&progress->items[0]), 99.9, 1e-9);
    assert_true(task_progress_item_eta(&progress->items[0]) < 0);

    report(progress, "public.orders", FERRY_PROGRESS_DONE, 1100000, 1000000, 6 * SECOND);
    report(progress, "public.lines", FERRY_PROGRESS_RUNNING, 0, 200000, 6 * SECOND);
    report(progress, "public.lines", FERRY_PROGRESS_DONE, 150000, 200000, 7 * SECOND);
    task_progress_summarize(progress, 9 * SECOND, &summary);
    assert_true(summary.completed);
    assert_false(summary.running);
    assert_float_equal(summary.percent, 100.0, 1e-9);
    assert_int_equal(summary.done, 1250000);
    assert_int_equal(summary.total, 1250000);
    assert_int_equal(summary.items_remaining, 0);
    assert_true(summary.eta_seconds < 0);
    assert_float_equal(summary.elapsed_seconds, 7.0, 1e-9); /* until the end, not now */
    free(progress);
}

static void test_unknown_estimate_gives_no_percent_nor_eta(void **state)
{
    (void)state;
    task_progress *progress = calloc(1, sizeof(*progress));
    assert_non_null(progress);
    for (uint64_t s = 0; s <= 3; s++)
        report(progress, "public.never_analysed", FERRY_PROGRESS_RUNNING, (int64_t)s * 10, -1,
               s * SECOND);
    task_progress_summary summary;
    task_progress_summarize(progress, 3 * SECOND, &summary);
    assert_int_equal(summary.total, -1);
    assert_true(summary.percent < 0);
    assert_float_equal(summary.rate, 10.0, 1e-9);
    assert_true(summary.eta_seconds < 0);
    json_t *work = task_progress_json(progress, 3 * SECOND);
    assert_non_null(work);
    assert_null(json_object_get(work, "total"));
    assert_null(json_object_get(work, "eta_seconds"));
    assert_null(json_object_get(work, "percent"));
    assert_string_equal(json_string_value(json_object_get(work, "state")), "running");
    json_decref(work);
    free(progress);
}

static void test_items_total_counts_tables_not_reported_yet(void **state)
{
    (void)state;
    task_progress *progress = calloc(1, sizeof(*progress));
    assert_non_null(progress);
    ferry_progress message = {.struct_size = sizeof(message), .item = "public.a",
                              .phase = "snapshot", .unit = "rows",
                              .state = FERRY_PROGRESS_DONE, .done = 5, .total = 5,
                              .records = -1, .items_total = 3};
    task_progress_report(progress, &message, 0);
    task_progress_summary summary;
    task_progress_summarize(progress, 0, &summary);
    assert_int_equal(summary.items_total, 3);
    assert_int_equal(summary.items_done, 1);
    assert_int_equal(summary.items_remaining, 2);
    assert_int_equal(summary.total, -1);
    assert_false(summary.completed);
    free(progress);
}

static void test_finished_items_fold_to_make_room(void **state)
{
    (void)state;
    task_progress *progress = calloc(1, sizeof(*progress));
    assert_non_null(progress);
    char name[32];
    for (int i = 0; i < TASK_PROGRESS_MAX_ITEMS + 10; i++) {
        snprintf(name, sizeof(name), "public.t%d", i);
        report(progress, name, FERRY_PROGRESS_DONE, 10, 10, (uint64_t)i * SECOND);
    }
    report(progress, "public.last", FERRY_PROGRESS_RUNNING, 5, 10, 100 * SECOND);
    task_progress_summary summary;
    task_progress_summarize(progress, 100 * SECOND, &summary);
    assert_int_equal(progress->count, TASK_PROGRESS_MAX_ITEMS);
    assert_int_equal(summary.items_total, TASK_PROGRESS_MAX_ITEMS + 11);
    assert_int_equal(summary.items_done, TASK_PROGRESS_MAX_ITEMS + 10);
    assert_int_equal(summary.done, (TASK_PROGRESS_MAX_ITEMS + 10) * 10 + 5);
    assert_int_equal(summary.total, (TASK_PROGRESS_MAX_ITEMS + 10) * 10 + 10);
    free(progress);
}

static void test_file_backfill_lines_per_second_and_caught_up(void **state)
{
    (void)state;
    task_progress *progress = calloc(1, sizeof(*progress));
    assert_non_null(progress);
    for (uint64_t s = 0; s <= 2; s++) {
        ferry_progress message = {.struct_size = sizeof(message), .item = "/var/log/app.log",
                                  .phase = "backfill", .unit = "bytes",
                                  .state = FERRY_PROGRESS_RUNNING, .done = (int64_t)s * 50000,
                                  .total = 200000, .records = (int64_t)s * 500};
        task_progress_report(progress, &message, s * SECOND);
    }
    json_t *work = task_progress_json(progress, 2 * SECOND);
    assert_non_null(work);
    assert_float_equal(json_number_value(json_object_get(work, "rate")), 50000.0, 1e-9);
    assert_float_equal(json_number_value(json_object_get(work, "records_per_second")), 500.0,
                       1e-9);
    assert_int_equal(json_integer_value(json_object_get(work, "eta_seconds")), 2);
    json_t *item = json_array_get(json_object_get(work, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(item, "records")), 1000);
    json_decref(work);

    ferry_progress end = {.struct_size = sizeof(end), .item = "/var/log/app.log",
                          .phase = "backfill", .unit = "bytes",
                          .state = FERRY_PROGRESS_CAUGHT_UP, .done = 200000, .total = 200000,
                          .records = 2000};
    task_progress_report(progress, &end, 4 * SECOND);
    work = task_progress_json(progress, 5 * SECOND);
    assert_string_equal(json_string_value(json_object_get(work, "state")), "caught-up");
    assert_float_equal(json_number_value(json_object_get(work, "percent")), 100.0, 1e-9);
    json_decref(work);

    end.state = FERRY_PROGRESS_FORGET;
    task_progress_report(progress, &end, 6 * SECOND);
    assert_int_equal(progress->count, 0);
    free(progress);
}

static void test_lag_trend_over_the_last_minute(void **state)
{
    (void)state;
    task_metrics *metrics = calloc(1, sizeof(*metrics));
    assert_non_null(metrics);
    task_partition_lag lag = {.topic = "orders", .partition = 3};
    task_partition_lag out[1];
    lag.lag = 10000;
    task_metrics_lag_set(metrics, &lag, 1, 0);
    task_metrics_lag_copy(metrics, out, 1);
    assert_null(task_partition_lag_trend(&out[0]));
    /* Falls by 100 a second for two minutes, sampled every second. */
    for (uint64_t s = 1; s <= 120; s++) {
        lag.lag = 10000 - (int64_t)s * 50;
        if (lag.lag < 0)
            lag.lag = 0;
        task_metrics_lag_set(metrics, &lag, 1, s * SECOND);
    }
    task_metrics_lag_copy(metrics, out, 1);
    assert_true(out[0].trend_known);
    assert_float_equal(out[0].change_per_second, -50.0, 1e-6);
    assert_string_equal(task_partition_lag_trend(&out[0]), "falling");
    for (uint64_t s = 121; s <= 200; s++) {
        lag.lag = 4000;
        task_metrics_lag_set(metrics, &lag, 1, s * SECOND);
    }
    task_metrics_lag_copy(metrics, out, 1);
    assert_string_equal(task_partition_lag_trend(&out[0]), "flat");
    free(metrics);
}

static void test_terminal_line_text(void **state)
{
    (void)state;
    task_progress_summary summary = {.phase = "snapshot", .unit = "rows",
                                     .current = "public.orders", .done = 412000,
                                     .total = 1000000, .percent = 41.2, .rate = 81000,
                                     .records_rate = 81000, .eta_seconds = 7};
    char text[256];
    progress_line_format(text, sizeof(text), "orders-0", &summary, 0);
    assert_string_equal(text, "orders-0 snapshot public.orders 412,000/1,000,000 rows (41%) "
                              "81,000 rows/s ETA 7s");
    summary = (task_progress_summary){.phase = "backfill", .unit = "bytes",
                                      .current = "/data/big.log", .done = 52400000,
                                      .total = -1, .percent = -1, .rate = -1,
                                      .records_rate = 12000, .eta_seconds = -1};
    progress_line_format(text, sizeof(text), "files-0", &summary, 0);
    assert_string_equal(text, "files-0 backfill /data/big.log 52.4 MB 12,000 lines/s");
    summary.eta_seconds = 3725;
    progress_line_format(text, sizeof(text), "files-0", &summary, 20);
    assert_string_equal(text, "files-0 backfill /d"); /* width - 1 columns: no wrap */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_is_unknown_until_the_samples_span_a_spacing),
        cmocka_unit_test(test_rate_window_slides),
        cmocka_unit_test(test_fast_callers_do_not_shrink_the_window),
        cmocka_unit_test(test_snapshot_rate_eta_and_completion),
        cmocka_unit_test(test_unknown_estimate_gives_no_percent_nor_eta),
        cmocka_unit_test(test_items_total_counts_tables_not_reported_yet),
        cmocka_unit_test(test_finished_items_fold_to_make_room),
        cmocka_unit_test(test_file_backfill_lines_per_second_and_caught_up),
        cmocka_unit_test(test_lag_trend_over_the_last_minute),
        cmocka_unit_test(test_terminal_line_text),
    };
    return cmocka_run_group_tests_name("task_progress", tests, NULL, NULL);
}
