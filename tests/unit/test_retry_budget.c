/* retry_budget: errors.retry.timeout and errors.retry.delay.max.ms for plugin RETRY answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tasks/retry_budget.h"

static void test_waits_double_up_to_the_cap(void **state)
{
    (void)state;
    retry_budget budget;
    retry_budget_init(&budget, 0, 1000);
    int64_t expected[] = {100, 200, 400, 800, 1000, 1000};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        int64_t delay = -1;
        assert_true(retry_budget_retry(&budget, 5000 + (int64_t)i, &delay));
        assert_int_equal(delay, expected[i]);
    }
    assert_int_equal(budget.attempts, 6);
}

static void test_no_limit_with_zero_or_minus_one(void **state)
{
    (void)state;
    int64_t timeouts[] = {0, -1};
    for (size_t t = 0; t < 2; t++) {
        retry_budget budget;
        retry_budget_init(&budget, timeouts[t], 60000);
        int64_t delay;
        assert_true(retry_budget_retry(&budget, 0, &delay));
        /* A day of RETRY answers later, still retrying. */
        assert_true(retry_budget_retry(&budget, 86400000, &delay));
        assert_int_equal(retry_budget_elapsed(&budget, 86400000), 86400000);
    }
}

static void test_timeout_ends_the_run(void **state)
{
    (void)state;
    retry_budget budget;
    retry_budget_init(&budget, 1500, 300);
    int64_t now = 1000, delay;
    assert_true(retry_budget_retry(&budget, now, &delay));
    assert_int_equal(delay, 100);
    /* The last wait is cut at the deadline rather than running past it. */
    assert_true(retry_budget_retry(&budget, now + 1450, &delay));
    assert_int_equal(delay, 50);
    assert_true(retry_budget_retry(&budget, now + 1500, &delay));
    assert_int_equal(delay, 0);
    assert_false(retry_budget_retry(&budget, now + 1501, &delay));
    assert_int_equal(retry_budget_elapsed(&budget, now + 1501), 1501);
    char trace[160];
    assert_string_equal(retry_budget_spent_trace(&budget, now + 1501, "put", "busy", trace,
                                                 sizeof(trace)),
                        "put still asked for a retry after 1501 ms (errors.retry.timeout=1500): "
                        "busy");
    assert_string_equal(retry_budget_spent_trace(&budget, now + 1501, "poll", "", trace,
                                                 sizeof(trace)),
                        "poll still asked for a retry after 1501 ms (errors.retry.timeout=1500): "
                        "(no message)");
}

static void test_success_resets_the_run(void **state)
{
    (void)state;
    retry_budget budget;
    retry_budget_init(&budget, 1000, 60000);
    int64_t delay;
    assert_true(retry_budget_retry(&budget, 0, &delay));
    assert_true(retry_budget_retry(&budget, 900, &delay));
    retry_budget_reset(&budget);
    assert_int_equal(retry_budget_elapsed(&budget, 5000), 0);
    /* A new run: its own second of retries, from the first wait. */
    assert_true(retry_budget_retry(&budget, 5000, &delay));
    assert_int_equal(delay, 100);
    assert_true(retry_budget_retry(&budget, 5999, &delay));
    assert_false(retry_budget_retry(&budget, 6001, &delay));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waits_double_up_to_the_cap),
        cmocka_unit_test(test_no_limit_with_zero_or_minus_one),
        cmocka_unit_test(test_timeout_ends_the_run),
        cmocka_unit_test(test_success_resets_the_run),
    };
    return cmocka_run_group_tests_name("retry_budget", tests, NULL, NULL);
}
