/*
 * test_support_task_name.c - support/task_name.c: task names parsed, connector names with dashes,
 * and the names refused (no number, leading zeros, too large, signs, empty connector).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "support/task_name.h"

static void test_task_names_parsed(void **state)
{
    (void)state;
    size_t len = 0;
    uint32_t number = 0;
    assert_true(task_name_parse("source-3", &len, &number));
    assert_int_equal(len, 6);
    assert_int_equal(number, 3);
    assert_true(task_name_parse("a-b-12", &len, &number));
    assert_int_equal(len, 3);
    assert_int_equal(number, 12);
    /* The number follows the last dash: "a--1" is task 1 of the connector "a-". */
    assert_true(task_name_parse("a--1", &len, &number));
    assert_int_equal(len, 2);
    assert_int_equal(number, 1);
    assert_true(task_name_parse("a-0", NULL, NULL));
    assert_true(task_name_parse("a-2147483647", NULL, &number));
    assert_int_equal(number, 2147483647u);
}

static void test_task_names_refused(void **state)
{
    (void)state;
    const char *bad[] = {"a", "a-", "-0", "a-01", "a-1x", "a-2147483648", "a-+1", "a--", "",
                         "a-99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len = 77;
        uint32_t number = 77;
        assert_false(task_name_parse(bad[i], &len, &number));
        assert_int_equal(len, 77); /* untouched when refused */
        assert_int_equal(number, 77);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_names_parsed),
        cmocka_unit_test(test_task_names_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
