/* The take-over marker of a task's replication connection (pg_slot_takeover_marker): the
 * connector name and task as they are when the server keeps them unchanged; cut with a hash of
 * the whole name when too long or holding characters the server would replace; never longer
 * than PostgreSQL's 63 bytes; different for names that differ anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pg_slot_takeover.h"

/* Printable ASCII of at most 63 bytes: what the server stores as it is. */
static void assert_storable(const char *marker)
{
    assert_true(strlen(marker) <= PG_APPLICATION_NAME_MAX);
    for (const unsigned char *c = (const unsigned char *)marker; *c; c++)
        assert_true(*c >= 0x20 && *c <= 0x7e);
}

static void test_plain_names(void **state)
{
    (void)state;
    char marker[64];
    assert_true(pg_slot_takeover_marker("orders-cdc", 0, marker, sizeof marker));
    assert_string_equal(marker, "ferry-cdc-stream:orders-cdc-0");
    assert_true(pg_slot_takeover_marker("a b:c", 3, marker, sizeof marker));
    assert_string_equal(marker, "ferry-cdc-stream:a b:c-3");
    /* exactly 63 bytes: kept as it is */
    char name[64];
    memset(name, 'n', 44);
    name[44] = '\0';
    assert_true(pg_slot_takeover_marker(name, 0, marker, sizeof marker));
    assert_int_equal(strlen(marker), 63);
    assert_non_null(strstr(marker, name));
    assert_null(strchr(marker, '~'));
}

static void test_long_names_are_cut_with_a_hash(void **state)
{
    (void)state;
    char first[64], second[64], name[200];
    memset(name, 'n', 45); /* one byte too many */
    name[45] = '\0';
    assert_true(pg_slot_takeover_marker(name, 0, first, sizeof first));
    assert_storable(first);
    assert_int_equal(strncmp(first, "ferry-cdc-stream:nnn", 20), 0);
    assert_non_null(strchr(first, '~'));
    assert_int_equal(strcmp(first + strlen(first) - 2, "-0"), 0);

    /* Names equal up to the cut differ in their markers. */
    memset(name, 'x', 150);
    name[150] = '\0';
    assert_true(pg_slot_takeover_marker(name, 0, first, sizeof first));
    name[149] = 'y';
    assert_true(pg_slot_takeover_marker(name, 0, second, sizeof second));
    assert_storable(first);
    assert_storable(second);
    assert_string_not_equal(first, second);
    /* The same name gives the same marker (another worker computes it again). */
    assert_true(pg_slot_takeover_marker(name, 0, first, sizeof first));
    assert_string_equal(first, second);
    /* So does the task. */
    assert_true(pg_slot_takeover_marker(name, 12, first, sizeof first));
    assert_storable(first);
    assert_int_equal(strcmp(first + strlen(first) - 3, "-12"), 0);
}

static void test_odd_characters(void **state)
{
    (void)state;
    char first[64], second[64];
    /* The server would store "caf?" or "caf\xc3\xa9" escaped: the marker does not rely on it,
     * and keeps names that only differ there apart. */
    assert_true(pg_slot_takeover_marker("caf\xc3\xa9", 0, first, sizeof first));
    assert_true(pg_slot_takeover_marker("caf\xc3\xa8", 0, second, sizeof second));
    assert_storable(first);
    assert_storable(second);
    assert_int_equal(strncmp(first, "ferry-cdc-stream:caf~", 21), 0);
    assert_string_not_equal(first, second);
    assert_true(pg_slot_takeover_marker("tab\there", 0, first, sizeof first));
    assert_storable(first);
    assert_int_equal(strncmp(first, "ferry-cdc-stream:tabhere~", 25), 0);
}

static void test_no_name_no_takeover(void **state)
{
    (void)state;
    char marker[64];
    assert_false(pg_slot_takeover_marker(NULL, 0, marker, sizeof marker));
    assert_string_equal(marker, "ferry-cdc-stream");
    assert_false(pg_slot_takeover_marker("", 0, marker, sizeof marker));
    assert_string_equal(marker, "ferry-cdc-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_names),
        cmocka_unit_test(test_long_names_are_cut_with_a_hash),
        cmocka_unit_test(test_odd_characters),
        cmocka_unit_test(test_no_name_no_takeover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
