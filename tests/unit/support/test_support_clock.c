/*
 * test_support_clock.c - the clocks: monotonic never goes back, the units agree with each other,
 * and the wall clock is the epoch's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "support/clock.h"

static void test_monotonic(void **state)
{
    (void)state;
    int64_t previous_ms = clock_monotonic_ms();
    int64_t previous_us = clock_monotonic_us();
    for (int i = 0; i < 100000; i++) {
        int64_t ms = clock_monotonic_ms();
        int64_t us = clock_monotonic_us();
        assert_true(ms >= previous_ms);
        assert_true(us >= previous_us);
        /* Read one after the other: the microseconds are at most a little ahead. */
        assert_true(us / 1000 >= ms);
        assert_true(us / 1000 - ms < 1000);
        previous_ms = ms;
        previous_us = us;
    }
    /* A sleep of 20 ms shows as at least 20 ms. */
    struct timespec nap = {0, 20 * 1000000L};
    int64_t before = clock_monotonic_ms();
    nanosleep(&nap, NULL);
    assert_true(clock_monotonic_ms() - before >= 20);
}

static void test_wall(void **state)
{
    (void)state;
    int64_t seconds = (int64_t)time(NULL);
    int64_t ms = clock_wall_ms();
    int64_t us = clock_wall_us();
    assert_true(ms / 1000 >= seconds && ms / 1000 - seconds <= 1);
    assert_true(us / 1000 >= ms && us / 1000 - ms < 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotonic),
        cmocka_unit_test(test_wall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
