/*
 * test_support_array.c - support/array.c: growth by doubling, new slots zeroed, old ones kept,
 * and the sizes it refuses (overflow), leaving the array as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/array.h"

typedef struct item {
    int64_t a;
    char name[24];
} item;

static void test_growth(void **state)
{
    (void)state;
    item *items = NULL;
    size_t capacity = 0, count = 0;
    size_t reallocations = 0;
    for (; count < 1000; count++) {
        size_t before = capacity;
        assert_int_equal(array_reserve(&items, &capacity, count + 1, sizeof(*items)), 0);
        if (capacity != before) {
            reallocations++;
            assert_true(capacity >= count + 1);
            assert_true(before == 0 || capacity == before * 2);
            /* The new slots are zeroed. */
            for (size_t i = count; i < capacity; i++) {
                assert_int_equal(items[i].a, 0);
                assert_int_equal(items[i].name[0], 0);
            }
        }
        items[count].a = (int64_t)count;
        items[count].name[0] = 'x';
    }
    assert_true(reallocations <= 10);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(items[i].a, (int64_t)i);

    /* Asking for less than there is changes nothing. */
    item *same = items;
    size_t same_capacity = capacity;
    assert_int_equal(array_reserve(&items, &capacity, 3, sizeof(*items)), 0);
    assert_ptr_equal(items, same);
    assert_int_equal(capacity, same_capacity);

    /* A jump far past the doubling. */
    assert_int_equal(array_reserve(&items, &capacity, 100000, sizeof(*items)), 0);
    assert_true(capacity >= 100000);
    assert_int_equal(items[99999].a, 0);
    assert_int_equal(items[999].a, 999);
    free(items);
}

static void test_overflow_refused(void **state)
{
    (void)state;
    int *items = NULL;
    size_t capacity = 0;
    assert_int_equal(array_reserve(&items, &capacity, 4, sizeof(*items)), 0);
    items[3] = 7;
    int *before = items;

    const size_t too_many[] = {SIZE_MAX, SIZE_MAX / sizeof(int) + 1, SIZE_MAX / 2};
    for (size_t i = 0; i < sizeof(too_many) / sizeof(too_many[0]); i++) {
        assert_int_equal(array_reserve(&items, &capacity, too_many[i], sizeof(*items)), -1);
        assert_ptr_equal(items, before);
        assert_int_equal(capacity, 8);
        assert_int_equal(items[3], 7);
    }
    /* Elements so big that the count overflows at once. */
    void *huge = NULL;
    size_t huge_capacity = 0;
    assert_int_equal(array_reserve(&huge, &huge_capacity, 3, SIZE_MAX / 2), -1);
    assert_null(huge);
    assert_int_equal(huge_capacity, 0);
    free(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_overflow_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
