/*
 * test_es_retry.c - retry scheduling: each retry's ceiling doubles max.retries times from
 * retry.backoff.ms and then stays; the jittered wait lies in [ceiling / 2, ceiling] and varies;
 * no back-off means no wait; huge values are capped instead of overflowing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "es_retry.h"

static void test_ceilings_double_then_stay(void **state)
{
    (void)state;
    es_retry retry;
    es_retry_init(&retry, 100, 5, 1);
    const int64_t expected[] = {100, 100, 200, 400, 800, 1600, 3200, 3200, 3200};
    for (uint32_t k = 0; k < sizeof(expected) / sizeof(expected[0]); k++)
        assert_int_equal(es_retry_ceiling(&retry, k), expected[k]);
    es_retry_init(&retry, 250, 0, 1);
    assert_int_equal(es_retry_ceiling(&retry, 1), 250);
    assert_int_equal(es_retry_ceiling(&retry, 50), 250);
}

static void test_jitter_bounds_and_spread(void **state)
{
    (void)state;
    es_retry retry;
    es_retry_init(&retry, 100, 5, 42);
    for (uint32_t k = 1; k <= 8; k++) {
        int64_t ceiling = es_retry_ceiling(&retry, k);
        int64_t low = ceiling, high = 0;
        for (int i = 0; i < 2000; i++) {
            int64_t delay = es_retry_delay(&retry, k);
            assert_true(delay >= ceiling / 2);
            assert_true(delay <= ceiling);
            if (delay < low)
                low = delay;
            if (delay > high)
                high = delay;
        }
        /* Jitter: the waits spread over most of the range. */
        assert_true(high - low >= (ceiling - ceiling / 2) * 8 / 10);
    }
}

static void test_no_backoff_and_caps(void **state)
{
    (void)state;
    es_retry retry;
    es_retry_init(&retry, 0, 5, 7);
    assert_int_equal(es_retry_delay(&retry, 3), 0);
    es_retry_init(&retry, 86400000, 2147483647, 7);
    assert_int_equal(es_retry_ceiling(&retry, 4000000000u), ES_RETRY_MAX_DELAY_MS);
    int64_t delay = es_retry_delay(&retry, 60);
    assert_true(delay <= ES_RETRY_MAX_DELAY_MS && delay >= ES_RETRY_MAX_DELAY_MS / 2);
    /* Seed 0 still gives a working generator. */
    es_retry_init(&retry, 1000, 3, 0);
    assert_true(es_retry_delay(&retry, 1) >= 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ceilings_double_then_stay),
        cmocka_unit_test(test_jitter_bounds_and_spread),
        cmocka_unit_test(test_no_backoff_and_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
