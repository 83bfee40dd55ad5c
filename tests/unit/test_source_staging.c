/*
 * test_source_staging.c - the records an exactly-once task holds while a commit is in flight:
 * what goes in comes out byte for byte and in order (no key, tombstones, empty values, explicit
 * partitions), the arena moving as it grows, headers owned until handed over, and clear keeping
 * nothing but memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tasks/source_staging.h"

static void test_records_come_back_in_order(void **state)
{
    (void)state;
    source_staging *staging = source_staging_new();
    assert_non_null(staging);
    assert_int_equal(source_staging_add(staging, "t1", RD_KAFKA_PARTITION_UA, "k", 1, "value", 5,
                                        42, NULL), 0);
    assert_int_equal(source_staging_add(staging, "t2", 3, NULL, 0, NULL, 0, 0, NULL), 0);
    assert_int_equal(source_staging_add(staging, "t1", 0, "", 0, "", 0, 7, NULL), 0);
    assert_int_equal(source_staging_count(staging), 3);

    source_staged_record record;
    source_staging_get(staging, 0, &record);
    assert_string_equal(record.topic, "t1");
    assert_int_equal(record.partition, RD_KAFKA_PARTITION_UA);
    assert_memory_equal(record.key, "k", 1);
    assert_int_equal(record.key_len, 1);
    assert_memory_equal(record.value, "value", 5);
    assert_int_equal(record.value_len, 5);
    assert_int_equal(record.timestamp_ms, 42);
    assert_null(record.headers);

    source_staging_get(staging, 1, &record);
    assert_string_equal(record.topic, "t2");
    assert_int_equal(record.partition, 3);
    assert_null(record.key); /* no key stays no key */
    assert_null(record.value); /* a tombstone stays one */

    source_staging_get(staging, 2, &record);
    assert_non_null(record.key); /* an empty key is not a missing one */
    assert_int_equal(record.key_len, 0);
    assert_non_null(record.value);
    assert_int_equal(record.value_len, 0);

    source_staging_clear(staging);
    assert_int_equal(source_staging_count(staging), 0);
    assert_int_equal(source_staging_bytes(staging), 0);
    source_staging_destroy(staging);
}

/* Many records: the arena is reallocated many times and every record still reads back. */
static void test_arena_growth(void **state)
{
    (void)state;
    source_staging *staging = source_staging_new();
    char value[300];
    for (int i = 0; i < 20000; i++) {
        int len = snprintf(value, sizeof(value), "record %d %0*d", i, i % 200, 0);
        assert_int_equal(source_staging_add(staging, i % 2 ? "odd" : "even", i % 4, &i,
                                            sizeof(i), value, (size_t)len, i, NULL), 0);
    }
    assert_int_equal(source_staging_count(staging), 20000);
    assert_true(source_staging_bytes(staging) > 20000 * 10);
    for (int i = 0; i < 20000; i++) {
        source_staged_record record;
        source_staging_get(staging, (size_t)i, &record);
        int len = snprintf(value, sizeof(value), "record %d %0*d", i, i % 200, 0);
        assert_string_equal(record.topic, i % 2 ? "odd" : "even");
        assert_int_equal(record.partition, i % 4);
        assert_memory_equal(record.key, &i, sizeof(i));
        assert_int_equal(record.value_len, (size_t)len);
        assert_memory_equal(record.value, value, (size_t)len);
        assert_int_equal(record.timestamp_ms, i);
    }
    source_staging_destroy(staging);
}

/* Headers are the staging's until taken (the producer owns those of a record it took): clear
 * and destroy free the rest, so neither a leak nor a double free shows under ASan. */
static void test_headers_ownership(void **state)
{
    (void)state;
    source_staging *staging = source_staging_new();
    rd_kafka_headers_t *kept = rd_kafka_headers_new(1);
    rd_kafka_header_add(kept, "h", -1, "v", 1);
    rd_kafka_headers_t *taken = rd_kafka_headers_new(1);
    rd_kafka_header_add(taken, "h", -1, "w", 1);
    assert_int_equal(source_staging_add(staging, "t", 0, NULL, 0, "a", 1, 0, kept), 0);
    assert_int_equal(source_staging_add(staging, "t", 0, NULL, 0, "b", 1, 0, taken), 0);
    source_staged_record record;
    source_staging_get(staging, 1, &record);
    assert_ptr_equal(record.headers, taken);
    source_staging_headers_take(staging, 1);
    rd_kafka_headers_destroy(taken); /* as the producer would, once delivered */
    source_staging_clear(staging);   /* frees kept */
    assert_int_equal(source_staging_add(staging, "t", 0, NULL, 0, "c", 1, 0,
                                        rd_kafka_headers_new(0)), 0);
    source_staging_destroy(staging); /* frees that one */
    source_staging_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_come_back_in_order),
        cmocka_unit_test(test_arena_growth),
        cmocka_unit_test(test_headers_ownership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
