/* restart_backoff: the delay before a failed task's automatic restart, and the repeated cause
 * that neither a long healthy run nor a low task.restart.backoff.max.ms cuts short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime/restart_backoff.h"

#define AUTH "SASL authentication failed for user ferry (SCRAM-SHA-512): ... (sasl.jaas.config)"

static void test_doubles_up_to_the_bound(void **state)
{
    (void)state;
    restart_backoff backoff = {0};
    const char *causes[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    int64_t expected[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (size_t i = 0; i < 8; i++) {
        bool repeated = true;
        assert_int_equal(restart_backoff_next(&backoff, causes[i], 100, 1000, 30000, &repeated),
                         expected[i]);
        assert_false(repeated);
    }
    restart_backoff_reset(&backoff);
}

static void test_long_healthy_run_resets_a_new_cause(void **state)
{
    (void)state;
    restart_backoff backoff = {0};
    restart_backoff_next(&backoff, "first\nat line 1", 100, 1000, 60000, NULL);
    restart_backoff_next(&backoff, "second", 100, 1000, 60000, NULL);
    assert_int_equal(backoff.current_ms, 2000);
    /* A minute of health, then another cause: from the start again. */
    assert_int_equal(restart_backoff_next(&backoff, "third", 60000, 1000, 60000, NULL), 1000);
    restart_backoff_reset(&backoff);
}

static void test_repeated_cause_grows_to_a_minute(void **state)
{
    (void)state;
    restart_backoff backoff = {0};
    bool repeated = true;
    /* A low max (5 s) does not hold a repeated cause: it grows to at least a minute. */
    assert_int_equal(restart_backoff_next(&backoff, AUTH "\n\tat one", 100, 1000, 5000,
                                          &repeated), 1000);
    assert_false(repeated);
    int64_t delay = 0;
    for (int i = 0; i < 10; i++) {
        /* The trace's first line decides; the rest may differ. */
        delay = restart_backoff_next(&backoff, AUTH "\n\tat another", 100, 1000, 5000,
                                     &repeated);
        assert_true(repeated);
    }
    assert_int_equal(delay, RESTART_BACKOFF_REPEATED_MAX_MS);
    assert_true(RESTART_BACKOFF_REPEATED_MAX_MS >= 60000);
    /* A long healthy run does not reset a repeated cause. */
    assert_int_equal(restart_backoff_next(&backoff, AUTH, 3600000, 1000, 5000, &repeated),
                     RESTART_BACKOFF_REPEATED_MAX_MS);
    assert_true(repeated);
    restart_backoff_reset(&backoff);
    assert_int_equal(backoff.current_ms, 0);
    assert_null(backoff.cause);
    /* After a reset (a restart asked for), the same cause starts from the beginning. */
    assert_int_equal(restart_backoff_next(&backoff, AUTH, 100, 1000, 5000, &repeated), 1000);
    assert_false(repeated);
    restart_backoff_reset(&backoff);
}

static void test_no_trace(void **state)
{
    (void)state;
    restart_backoff backoff = {0};
    bool repeated = true;
    assert_int_equal(restart_backoff_next(&backoff, NULL, 0, 0, 60000, &repeated), 1);
    assert_false(repeated);
    assert_int_equal(restart_backoff_next(&backoff, NULL, 0, 0, 60000, &repeated), 2);
    assert_true(repeated);
    restart_backoff_reset(&backoff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_up_to_the_bound),
        cmocka_unit_test(test_long_healthy_run_resets_a_new_cause),
        cmocka_unit_test(test_repeated_cause_grows_to_a_minute),
        cmocka_unit_test(test_no_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
