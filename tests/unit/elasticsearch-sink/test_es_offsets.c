/*
 * test_es_offsets.c - the contiguous finished prefix per partition: offsets finished out of
 * order commit only up to the first pending one; gaps (records never pending: skipped ones,
 * transformed away) do not hold anything back; partitions are independent; a closed partition
 * forgets its pending offsets and ignores answers of its old generation; the ring grows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "es_offsets.h"

static void test_prefix_out_of_order(void **state)
{
    (void)state;
    es_offsets offsets;
    es_offsets_init(&offsets);
    uint32_t a = es_offsets_slot(&offsets, "t", 0);
    assert_int_equal(es_offsets_slot(&offsets, "t", 0), a);
    for (int64_t o = 10; o < 15; o++)
        assert_int_equal(es_offsets_add(&offsets, a, o), 0);
    /* Offsets must increase within a partition. */
    assert_int_equal(es_offsets_add(&offsets, a, 14), -1);
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 15), 10);
    assert_true(es_offsets_finish(&offsets, a, 0, 12));
    assert_true(es_offsets_finish(&offsets, a, 0, 14));
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 15), 10);
    assert_true(es_offsets_finish(&offsets, a, 0, 10));
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 15), 11);
    assert_true(es_offsets_finish(&offsets, a, 0, 11));
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 15), 13);
    assert_false(es_offsets_finish(&offsets, a, 0, 12)); /* already finished */
    assert_false(es_offsets_finish(&offsets, a, 0, 99)); /* never pending */
    assert_true(es_offsets_finish(&offsets, a, 0, 13));
    assert_int_equal(es_offsets_first_pending(&offsets, a), -1);
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 15), 15);
    /* A lower requested offset is never raised. */
    assert_int_equal(es_offsets_add(&offsets, a, 20), 0);
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 18), 18);
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 25), 20);
    es_offsets_free(&offsets);
}

static void test_gaps_and_partitions(void **state)
{
    (void)state;
    es_offsets offsets;
    es_offsets_init(&offsets);
    uint32_t a = es_offsets_slot(&offsets, "t", 0);
    uint32_t b = es_offsets_slot(&offsets, "t", 1);
    uint32_t c = es_offsets_slot(&offsets, "u", 0);
    assert_int_not_equal(a, b);
    assert_int_not_equal(a, c);
    es_offsets_add(&offsets, a, 3);
    es_offsets_add(&offsets, a, 7); /* 4..6 were skipped: never pending */
    es_offsets_add(&offsets, b, 0);
    es_offsets_finish(&offsets, a, 0, 3);
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, 8), 7);
    assert_int_equal(es_offsets_committable(&offsets, "t", 1, 5), 0);
    assert_int_equal(es_offsets_committable(&offsets, "u", 0, 5), 5);
    assert_int_equal(es_offsets_committable(&offsets, "v", 0, 5), 5); /* unknown partition */
    es_offsets_free(&offsets);
}

static void test_close_bumps_generation(void **state)
{
    (void)state;
    es_offsets offsets;
    es_offsets_init(&offsets);
    uint32_t a = es_offsets_slot(&offsets, "t", 0);
    es_offsets_add(&offsets, a, 1);
    es_offsets_add(&offsets, a, 2);
    es_offsets_at(&offsets, a)->accepted_next = 3;
    es_offsets_reset(&offsets, a);
    assert_int_equal(es_offsets_at(&offsets, a)->generation, 1);
    assert_int_equal(es_offsets_at(&offsets, a)->accepted_next, -1);
    assert_int_equal(es_offsets_first_pending(&offsets, a), -1);
    assert_int_equal(offsets.pending_total, 0);
    /* Reassigned: the same offsets again; an old answer changes nothing. */
    es_offsets_add(&offsets, a, 1);
    assert_false(es_offsets_finish(&offsets, a, 0, 1));
    assert_int_equal(es_offsets_first_pending(&offsets, a), 1);
    assert_true(es_offsets_finish(&offsets, a, 1, 1));
    assert_int_equal(es_offsets_first_pending(&offsets, a), -1);
    es_offsets_free(&offsets);
}

static void test_ring_grows_and_wraps(void **state)
{
    (void)state;
    es_offsets offsets;
    es_offsets_init(&offsets);
    uint32_t a = es_offsets_slot(&offsets, "t", 0);
    int64_t next = 0, finished = 0;
    /* Keep ~100 pending while moving through 10,000 offsets: the ring wraps many times. */
    for (int round = 0; round < 100; round++) {
        for (int i = 0; i < 150; i++)
            assert_int_equal(es_offsets_add(&offsets, a, next++), 0);
        for (int i = 0; i < 100; i++)
            assert_true(es_offsets_finish(&offsets, a, 0, finished++));
        assert_int_equal(es_offsets_first_pending(&offsets, a), finished);
    }
    /* Finish the rest from the back: nothing moves until the first. */
    for (int64_t o = next - 1; o > finished; o--)
        assert_true(es_offsets_finish(&offsets, a, 0, o));
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, next), finished);
    assert_true(es_offsets_finish(&offsets, a, 0, finished));
    assert_int_equal(es_offsets_committable(&offsets, "t", 0, next), next);
    assert_int_equal(offsets.pending_total, 0);
    es_offsets_free(&offsets);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_out_of_order),
        cmocka_unit_test(test_gaps_and_partitions),
        cmocka_unit_test(test_close_bumps_generation),
        cmocka_unit_test(test_ring_grows_and_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
