/* sink_prefetch: when a sink task wakes librdkafka's fetcher (once per fill, a low-water
 * fall-back, never when idle or when librdkafka wakes itself). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tasks/sink_prefetch.h"

/* 2048 KB of values or 100,000 messages, as the sink consumer's defaults. */
static void prefetch_100_byte_values(sink_prefetch *prefetch)
{
    sink_prefetch_init(prefetch, true, 2048, 100000);
    sink_prefetch_read(prefetch, 500, 500 * 100, 1000);
}

static void test_wakes_once_per_fill(void **state)
{
    (void)state;
    sink_prefetch prefetch;
    prefetch_100_byte_values(&prefetch);
    /* 2 MB of 100-byte values is 20,971 messages: 20,000 is above 90% of it, the fetcher sleeps. */
    assert_false(sink_prefetch_wake(&prefetch, 20000, 1001));
    /* Draining: still above 80% (16,777 messages), no wake-up yet. */
    assert_false(sink_prefetch_wake(&prefetch, 17500, 1002));
    /* Below 80%: wake it, once. */
    assert_true(sink_prefetch_wake(&prefetch, 16000, 1003));
    assert_false(sink_prefetch_wake(&prefetch, 15500, 1004));
    assert_false(sink_prefetch_wake(&prefetch, 12000, 1020));
    /* The fetch filled the queue again; the next drain wakes it again. */
    assert_false(sink_prefetch_wake(&prefetch, 40000, 1030));
    assert_true(sink_prefetch_wake(&prefetch, 16000, 1031));
}

static void test_low_water_fall_back(void **state)
{
    (void)state;
    sink_prefetch prefetch;
    prefetch_100_byte_values(&prefetch);
    /* Never seen full (the estimate could be wrong): woken when nearly empty, every 5 ms at most. */
    assert_false(sink_prefetch_wake(&prefetch, 5000, 1001));
    assert_true(sink_prefetch_wake(&prefetch, 999, 1001));
    assert_false(sink_prefetch_wake(&prefetch, 500, 1005));
    assert_true(sink_prefetch_wake(&prefetch, 500, 1006));
}

static void test_message_bound(void **state)
{
    (void)state;
    sink_prefetch prefetch;
    /* Tiny values: queued.min.messages is the bound that puts the fetcher to sleep. */
    sink_prefetch_init(&prefetch, true, 2048, 10000);
    sink_prefetch_read(&prefetch, 500, 500 * 2, 0);
    assert_false(sink_prefetch_wake(&prefetch, 9500, 1));
    assert_false(sink_prefetch_wake(&prefetch, 8500, 2));
    assert_true(sink_prefetch_wake(&prefetch, 7500, 3));
}

static void test_average_follows_the_values(void **state)
{
    (void)state;
    sink_prefetch prefetch;
    sink_prefetch_init(&prefetch, true, 1024, 1000000);
    sink_prefetch_read(&prefetch, 100, 100 * 100, 0);
    assert_true(prefetch.value_bytes > 99.9 && prefetch.value_bytes < 100.1);
    /* Larger values: the average moves towards them batch by batch. */
    for (int i = 0; i < 50; i++)
        sink_prefetch_read(&prefetch, 100, 100 * 1000, 1);
    assert_true(prefetch.value_bytes > 990 && prefetch.value_bytes < 1000.1);
    /* 1 MB of 1000-byte values is 1,048 messages: 1,000 is above 90% of it. */
    assert_false(sink_prefetch_wake(&prefetch, 1000, 2));
    assert_true(prefetch.full_seen);
    /* An empty batch changes nothing. */
    sink_prefetch_read(&prefetch, 0, 0, 3);
    assert_true(prefetch.value_bytes > 990);
}

static void test_idle_sink_never_wakes(void **state)
{
    (void)state;
    sink_prefetch prefetch;
    sink_prefetch_init(&prefetch, true, 2048, 100000);
    /* Nothing read yet. */
    assert_false(sink_prefetch_wake(&prefetch, 0, 50));
    sink_prefetch_read(&prefetch, 500, 500 * 100, 1000);
    assert_false(sink_prefetch_wake(&prefetch, 30000, 1001));
    /* More than a second after the last message, whatever the queue. */
    assert_false(sink_prefetch_wake(&prefetch, 0, 1000 + SINK_PREFETCH_IDLE_MS + 1));
    assert_false(sink_prefetch_wake(&prefetch, 10, 5000));
}

static void test_disabled(void **state)
{
    (void)state;
    sink_prefetch prefetch;
    sink_prefetch_init(&prefetch, false, 2048, 100000);
    sink_prefetch_read(&prefetch, 500, 500 * 100, 1000);
    assert_false(sink_prefetch_wake(&prefetch, 30000, 1001));
    assert_false(sink_prefetch_wake(&prefetch, 0, 1002));
    assert_false(sink_prefetch_wake(&prefetch, 0, 1100));
}

static void test_unknown_bounds(void **state)
{
    (void)state;
    sink_prefetch prefetch;
    /* Settings that could not be read: only the low-water fall-back is left. */
    sink_prefetch_init(&prefetch, true, -1, -1);
    sink_prefetch_read(&prefetch, 500, 500 * 100, 1000);
    assert_false(sink_prefetch_wake(&prefetch, 1000000, 1001));
    assert_false(prefetch.full_seen);
    assert_true(sink_prefetch_wake(&prefetch, 10, 1002));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wakes_once_per_fill),
        cmocka_unit_test(test_low_water_fall_back),
        cmocka_unit_test(test_message_bound),
        cmocka_unit_test(test_average_follows_the_values),
        cmocka_unit_test(test_idle_sink_never_wakes),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_unknown_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
