/*
 * test_support_strlist.c - support/strlist.c: appends, comma splitting as Kafka Connect reads a
 * LIST value (items trimmed, empty ones dropped), find, take and the NULL terminator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/strlist.h"

typedef struct split_case {
    const char *text;
    char separator;
    const char *items[5]; /* NULL-terminated */
} split_case;

static const split_case split_cases[] = {
    {"", ',', {NULL}},
    {"   ", ',', {NULL}},
    {",,, ,", ',', {NULL}},
    {"a", ',', {"a", NULL}},
    {"a,b,c", ',', {"a", "b", "c", NULL}},
    {" a , b\t,\nc ", ',', {"a", "b", "c", NULL}},
    {"a,,b,", ',', {"a", "b", NULL}},
    {",leading", ',', {"leading", NULL}},
    {"with space inside, x", ',', {"with space inside", "x", NULL}},
    {"k=v;k2 = v2", ';', {"k=v", "k2 = v2", NULL}},
    {"a,b", ';', {"a,b", NULL}},
    {" whole ", '\0', {"whole", NULL}},
};

static void test_split(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
        const split_case *c = &split_cases[i];
        strlist list = {0};
        assert_int_equal(strlist_split(&list, c->text, c->separator), 0);
        size_t n = 0;
        for (; c->items[n]; n++) {
            if (n >= list.count || strcmp(list.items[n], c->items[n]) != 0)
                fail_msg("case %zu: item %zu is '%s', expected '%s'", i, n,
                         n < list.count ? list.items[n] : "(none)", c->items[n]);
        }
        if (list.count != n)
            fail_msg("case %zu: %zu items, expected %zu", i, list.count, n);
        if (list.items)
            assert_null(list.items[list.count]);
        strlist_free(&list);
    }
    strlist list = {0};
    assert_int_equal(strlist_split(&list, NULL, ','), 0);
    assert_int_equal(list.count, 0);
}

static void test_append_find_take(void **state)
{
    (void)state;
    strlist list = {0};
    assert_false(strlist_contains(&list, "a"));
    assert_int_equal(strlist_append(&list, "alpha", (size_t)-1), 0);
    assert_int_equal(strlist_append(&list, "beta-and-more", 4), 0);
    assert_int_equal(strlist_append(&list, "", 0), 0);
    assert_int_equal(strlist_split(&list, "gamma, delta", ','), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(strlist_append(&list, "filler", (size_t)-1), 0);
    assert_int_equal(list.count, 105);
    assert_null(list.items[list.count]);

    assert_int_equal(strlist_find(&list, "alpha"), 0);
    assert_int_equal(strlist_find(&list, "beta"), 1);
    assert_int_equal(strlist_find(&list, ""), 2);
    assert_int_equal(strlist_find(&list, "delta"), 4);
    assert_int_equal(strlist_find(&list, "filler"), 5);
    assert_int_equal(strlist_find(&list, "beta-and-more"), -1);
    assert_true(strlist_contains(&list, "gamma"));
    assert_false(strlist_contains(&list, "Gamma"));

    char **items = strlist_take(&list);
    assert_null(list.items);
    assert_int_equal(list.count, 0);
    assert_string_equal(items[3], "gamma");
    assert_null(items[105]);
    strlist_array_free(items);

    /* An empty list still takes as an array: just the terminator. */
    items = strlist_take(&list);
    assert_non_null(items);
    assert_null(items[0]);
    strlist_array_free(items);
    strlist_array_free(NULL);
    strlist_free(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_append_find_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
