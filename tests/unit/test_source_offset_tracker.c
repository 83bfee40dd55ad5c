/*
 * test_source_offset_tracker.c - the tracker that decides which source offsets may be committed:
 * acks in and out of order, the whole-prefix rule, the latest offset per partition, records
 * without offsets, committed vs superseded entries, remove_last, a randomized run of a million
 * records checking the delivery invariant against a model, and memory that stays flat while the
 * number of records in flight is bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/source_offset_tracker.h"

/* Bytes the allocator has handed out and not taken back: under AddressSanitizer its own count
 * (exact), otherwise glibc's. */
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_HEAP_IN_USE 1
#define HEAP_SLACK 1024
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void)
{
    return __sanitizer_get_current_allocated_bytes();
}
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
#define HAVE_HEAP_IN_USE 1
/* glibc counts chunks parked in its per-thread caches as in use: allow for a few of them. */
#define HEAP_SLACK 16384
static size_t heap_in_use(void)
{
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
#else
#define HAVE_HEAP_IN_USE 0
#define HEAP_SLACK 0
static size_t heap_in_use(void)
{
    return 0;
}
#endif

static json_t *json_parse(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("bad test JSON %s: %s", text, error.text);
    return value;
}

static uint64_t add(source_offset_tracker *tracker, json_t *partition, json_t *offset)
{
    uint64_t seq = UINT64_MAX;
    assert_int_equal(source_offset_tracker_add(tracker, partition, offset, &seq), 0);
    return seq;
}

/* Adds a record whose offset is {"position":position} (the tracker keeps its own reference). */
static uint64_t add_position(source_offset_tracker *tracker, json_t *partition, long position)
{
    json_t *offset = json_pack("{s:i}", "position", position);
    assert_non_null(offset);
    uint64_t seq = add(tracker, partition, offset);
    json_decref(offset);
    return seq;
}

static long entry_position(const ferry_source_offset *entry)
{
    return (long)json_integer_value(json_object_get(entry->offset, "position"));
}

/* The committable entry of a partition value, or NULL. */
static const ferry_source_offset *find_entry(const ferry_source_offset *entries, size_t count,
                                             json_t *partition)
{
    for (size_t i = 0; i < count; i++) {
        if (json_equal(entries[i].partition, partition))
            return &entries[i];
    }
    return NULL;
}

/* Asserts exactly one committable entry, for partition, at position; then frees them. */
static void assert_single(source_offset_tracker *tracker, json_t *partition, long position)
{
    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(tracker, &entries);
    assert_int_equal(count, 1);
    assert_non_null(entries);
    assert_true(json_equal(entries[0].partition, partition));
    assert_int_equal(entry_position(&entries[0]), position);
    source_offset_entries_free(entries, count);
}

static void assert_none(source_offset_tracker *tracker)
{
    ferry_source_offset *entries = (ferry_source_offset *)(uintptr_t)1;
    assert_int_equal(source_offset_tracker_committable(tracker, &entries), 0);
    assert_null(entries);
}

static void test_in_order_acks(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    assert_non_null(tracker);
    json_t *file = json_parse("{\"filename\":\"/tmp/a.txt\"}");

    assert_int_equal(add_position(tracker, file, 10), 0);
    assert_int_equal(add_position(tracker, file, 20), 1);
    assert_int_equal(add_position(tracker, file, 30), 2);
    assert_none(tracker);

    source_offset_tracker_ack(tracker, 0);
    assert_single(tracker, file, 10);
    source_offset_tracker_ack(tracker, 1);
    source_offset_tracker_ack(tracker, 2);
    /* Only the latest offset of the partition. */
    assert_single(tracker, file, 30);

    json_decref(file);
    source_offset_tracker_destroy(tracker);
}

static void test_out_of_order_acks(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *file = json_parse("{\"filename\":\"/tmp/a.txt\"}");
    for (long i = 0; i < 5; i++)
        add_position(tracker, file, (i + 1) * 100);

    source_offset_tracker_ack(tracker, 4);
    source_offset_tracker_ack(tracker, 2);
    assert_none(tracker);
    source_offset_tracker_ack(tracker, 1);
    assert_none(tracker);
    source_offset_tracker_ack(tracker, 0);
    /* 0, 1, 2 acknowledged: 3 is still missing, so 4's offset must wait. */
    assert_single(tracker, file, 300);
    source_offset_tracker_ack(tracker, 3);
    assert_single(tracker, file, 500);

    json_decref(file);
    source_offset_tracker_destroy(tracker);
}

static void test_whole_prefix_required(void **state)
{
    (void)state;
    /* Stricter than "every earlier record of the same partition": an unacknowledged record of
     * another partition holds every later offset back, which costs nothing and is safe. */
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *a = json_parse("{\"filename\":\"a\"}");
    json_t *b = json_parse("{\"filename\":\"b\"}");
    uint64_t first = add_position(tracker, a, 1);
    uint64_t second = add_position(tracker, b, 2);
    source_offset_tracker_ack(tracker, second);
    assert_none(tracker);
    source_offset_tracker_ack(tracker, first);

    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(tracker, &entries);
    assert_int_equal(count, 2);
    assert_int_equal(entry_position(find_entry(entries, count, a)), 1);
    assert_int_equal(entry_position(find_entry(entries, count, b)), 2);
    source_offset_entries_free(entries, count);

    json_decref(a);
    json_decref(b);
    source_offset_tracker_destroy(tracker);
}

static void test_several_partitions_latest_each(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *partitions[3] = {json_parse("{\"t\":\"x\"}"), json_parse("{\"t\":\"y\"}"),
                             json_parse("{\"t\":\"z\"}")};
    for (long i = 0; i < 30; i++)
        add_position(tracker, partitions[i % 3], i);
    for (uint64_t seq = 0; seq < 30; seq++)
        source_offset_tracker_ack(tracker, 29 - seq);

    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(tracker, &entries);
    assert_int_equal(count, 3);
    assert_int_equal(entry_position(find_entry(entries, count, partitions[0])), 27);
    assert_int_equal(entry_position(find_entry(entries, count, partitions[1])), 28);
    assert_int_equal(entry_position(find_entry(entries, count, partitions[2])), 29);
    source_offset_entries_free(entries, count);

    for (int i = 0; i < 3; i++)
        json_decref(partitions[i]);
    source_offset_tracker_destroy(tracker);
}

static void test_equal_partitions_are_one(void **state)
{
    (void)state;
    /* A plugin that builds a new partition object per record, in any key order, still has one
     * partition; integers and reals stay distinct, as in the canonical text. */
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *one = json_parse("{\"b\":1,\"a\":{\"y\":[1,2],\"x\":-0.0}}");
    json_t *two = json_parse("{\"a\":{\"x\":0.0,\"y\":[1,2]},\"b\":1}");
    json_t *real = json_parse("{\"a\":{\"x\":0.0,\"y\":[1,2]},\"b\":1.0}");
    add_position(tracker, one, 1);
    add_position(tracker, two, 2);
    add_position(tracker, real, 3);
    add_position(tracker, one, 4);
    for (uint64_t seq = 0; seq < 4; seq++)
        source_offset_tracker_ack(tracker, seq);

    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(tracker, &entries);
    assert_int_equal(count, 2);
    assert_int_equal(entry_position(find_entry(entries, count, two)), 4);
    assert_int_equal(entry_position(find_entry(entries, count, real)), 3);
    source_offset_entries_free(entries, count);

    json_decref(one);
    json_decref(two);
    json_decref(real);
    source_offset_tracker_destroy(tracker);
}

static void test_records_without_marks(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *file = json_parse("{\"filename\":\"f\"}");
    json_t *offset = json_parse("{\"position\":7}");

    /* No partition and no offset, or a partition without offset (a batch's earlier records):
     * both move no offset. An offset without partition is refused and takes no sequence. */
    assert_int_equal(add(tracker, NULL, NULL), 0);
    assert_int_equal(add(tracker, file, NULL), 1);
    uint64_t seq = 99;
    assert_int_equal(source_offset_tracker_add(tracker, NULL, offset, &seq), -1);
    assert_int_equal(seq, 99);
    assert_int_equal(source_offset_tracker_pending(tracker), 2);

    source_offset_tracker_ack(tracker, 0);
    source_offset_tracker_ack(tracker, 1);
    assert_none(tracker);

    /* A mark after unmarked records waits for them. */
    assert_int_equal(add(tracker, NULL, NULL), 2);
    assert_int_equal(add(tracker, file, offset), 3);
    assert_int_equal(add(tracker, file, NULL), 4);
    source_offset_tracker_ack(tracker, 3);
    assert_none(tracker);
    source_offset_tracker_ack(tracker, 2);
    assert_single(tracker, file, 7);
    /* A later unmarked record changes nothing. */
    source_offset_tracker_ack(tracker, 4);
    assert_single(tracker, file, 7);
    assert_int_equal(source_offset_tracker_pending(tracker), 0);

    json_decref(file);
    json_decref(offset);
    source_offset_tracker_destroy(tracker);
}

static void test_committed_and_superseded(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *a = json_parse("{\"p\":\"a\"}");
    json_t *b = json_parse("{\"p\":\"b\"}");
    source_offset_tracker_ack(tracker, add_position(tracker, a, 1));
    source_offset_tracker_ack(tracker, add_position(tracker, b, 1));

    ferry_source_offset *first = NULL;
    size_t first_count = source_offset_tracker_committable(tracker, &first);
    assert_int_equal(first_count, 2);
    /* Asking again before the commit finishes gives the same entries. */
    ferry_source_offset *again = NULL;
    size_t again_count = source_offset_tracker_committable(tracker, &again);
    assert_int_equal(again_count, 2);
    source_offset_entries_free(again, again_count);

    /* While the offset write is in flight, a newer offset of a becomes committable. */
    source_offset_tracker_ack(tracker, add_position(tracker, a, 2));
    source_offset_tracker_committed(tracker, first, first_count);
    source_offset_entries_free(first, first_count);

    /* b is forgotten; a's newer offset stays. */
    assert_single(tracker, a, 2);

    /* An equal value counts as committed even as another json_t. */
    json_t *copy = json_pack("{s:i}", "position", 2);
    ferry_source_offset committed = {.partition = json_parse("{\"p\":\"a\"}"), .offset = copy};
    source_offset_tracker_committed(tracker, &committed, 1);
    json_decref(committed.partition);
    json_decref(committed.offset);
    assert_none(tracker);

    /* Committing something unknown or stale is harmless. */
    source_offset_tracker_ack(tracker, add_position(tracker, a, 3));
    ferry_source_offset stale = {.partition = a, .offset = json_pack("{s:i}", "position", 2)};
    ferry_source_offset unknown = {.partition = json_parse("{\"p\":\"zzz\"}"), .offset = a};
    source_offset_tracker_committed(tracker, &stale, 1);
    source_offset_tracker_committed(tracker, &unknown, 1);
    source_offset_tracker_committed(tracker, NULL, 0);
    json_decref(stale.offset);
    json_decref(unknown.partition);
    assert_single(tracker, a, 3);

    json_decref(a);
    json_decref(b);
    source_offset_tracker_destroy(tracker);
}

static void test_entries_outlive_tracker(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *a = json_parse("{\"p\":\"a\"}");
    source_offset_tracker_ack(tracker, add_position(tracker, a, 5));
    json_decref(a);

    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(tracker, &entries);
    source_offset_tracker_destroy(tracker);
    /* New references: still valid after the tracker and the plugin let go. */
    assert_int_equal(count, 1);
    assert_string_equal(json_string_value(json_object_get(entries[0].partition, "p")), "a");
    assert_int_equal(entry_position(&entries[0]), 5);
    source_offset_entries_free(entries, count);
    source_offset_entries_free(NULL, 0);
}

static void test_remove_last(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *file = json_parse("{\"filename\":\"f\"}");

    /* Nothing to undo: harmless. */
    source_offset_tracker_remove_last(tracker);
    assert_int_equal(source_offset_tracker_pending(tracker), 0);

    assert_int_equal(add_position(tracker, file, 1), 0);
    assert_int_equal(add_position(tracker, file, 2), 1);
    /* The producer refused record 1: its offset must never become committable. */
    source_offset_tracker_remove_last(tracker);
    assert_int_equal(source_offset_tracker_pending(tracker), 1);
    source_offset_tracker_ack(tracker, 1); /* unknown now: ignored */
    source_offset_tracker_ack(tracker, 0);
    assert_single(tracker, file, 1);
    assert_int_equal(source_offset_tracker_pending(tracker), 0);

    /* The sequence number is given again, with the offset of the retried record. */
    assert_int_equal(add_position(tracker, file, 3), 1);
    /* Undoing an unmarked record leaves the earlier mark alone. */
    assert_int_equal(add(tracker, file, NULL), 2);
    source_offset_tracker_remove_last(tracker);
    source_offset_tracker_ack(tracker, 1);
    assert_single(tracker, file, 3);

    /* Undoing a record acknowledged out of order (cannot happen for a refused record, but the
     * tracker stays consistent). */
    assert_int_equal(add_position(tracker, file, 4), 2);
    assert_int_equal(add_position(tracker, file, 5), 3);
    source_offset_tracker_ack(tracker, 3);
    assert_int_equal(source_offset_tracker_pending(tracker), 1);
    source_offset_tracker_remove_last(tracker);
    assert_int_equal(source_offset_tracker_pending(tracker), 1);
    assert_int_equal(add_position(tracker, file, 6), 3);
    assert_int_equal(source_offset_tracker_pending(tracker), 2);
    source_offset_tracker_ack(tracker, 2);
    assert_single(tracker, file, 4);
    source_offset_tracker_ack(tracker, 3);
    assert_single(tracker, file, 6);

    json_decref(file);
    source_offset_tracker_destroy(tracker);
}

static void test_pending_count(void **state)
{
    (void)state;
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *file = json_parse("{\"filename\":\"f\"}");
    assert_int_equal(source_offset_tracker_pending(tracker), 0);
    for (long i = 0; i < 10; i++)
        add_position(tracker, file, i);
    assert_int_equal(source_offset_tracker_pending(tracker), 10);
    source_offset_tracker_ack(tracker, 5);
    source_offset_tracker_ack(tracker, 5); /* repeated */
    source_offset_tracker_ack(tracker, 42); /* never given */
    source_offset_tracker_ack(tracker, UINT64_MAX);
    assert_int_equal(source_offset_tracker_pending(tracker), 9);
    source_offset_tracker_ack(tracker, 0);
    source_offset_tracker_ack(tracker, 0); /* below the prefix now */
    assert_int_equal(source_offset_tracker_pending(tracker), 8);
    for (uint64_t seq = 0; seq < 10; seq++)
        source_offset_tracker_ack(tracker, seq);
    assert_int_equal(source_offset_tracker_pending(tracker), 0);
    assert_single(tracker, file, 9);
    json_decref(file);
    source_offset_tracker_destroy(tracker);
}

static void test_many_partitions(void **state)
{
    (void)state;
    /* Enough partitions to grow the committable table's index several times, then commit every
     * other one and check the rest survive the re-indexing. */
    enum { PARTITIONS = 5000 };
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t **partitions = calloc(PARTITIONS, sizeof(*partitions));
    assert_non_null(partitions);
    for (int i = 0; i < PARTITIONS; i++) {
        partitions[i] = json_pack("{s:s,s:i}", "table", "t", "n", i);
        add_position(tracker, partitions[i], i);
    }
    for (uint64_t seq = PARTITIONS; seq-- > 0;)
        source_offset_tracker_ack(tracker, seq);

    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(tracker, &entries);
    assert_int_equal(count, PARTITIONS);
    ferry_source_offset *half = calloc(PARTITIONS / 2, sizeof(*half));
    size_t half_count = 0;
    for (size_t i = 0; i < count; i++) {
        long n = (long)json_integer_value(json_object_get(entries[i].partition, "n"));
        assert_int_equal(entry_position(&entries[i]), n);
        if (n % 2 == 0)
            half[half_count++] = entries[i];
    }
    source_offset_tracker_committed(tracker, half, half_count);
    free(half);
    source_offset_entries_free(entries, count);

    count = source_offset_tracker_committable(tracker, &entries);
    assert_int_equal(count, PARTITIONS / 2);
    for (size_t i = 0; i < count; i++) {
        long n = (long)json_integer_value(json_object_get(entries[i].partition, "n"));
        assert_int_equal(n % 2, 1);
    }
    source_offset_entries_free(entries, count);

    /* Newer offsets still find their (re-indexed) entries. */
    for (int i = 0; i < PARTITIONS; i++)
        source_offset_tracker_ack(tracker, add_position(tracker, partitions[i], PARTITIONS + i));
    count = source_offset_tracker_committable(tracker, &entries);
    assert_int_equal(count, PARTITIONS);
    for (size_t i = 0; i < count; i++) {
        long n = (long)json_integer_value(json_object_get(entries[i].partition, "n"));
        assert_int_equal(entry_position(&entries[i]), PARTITIONS + n);
    }
    source_offset_tracker_committed(tracker, entries, count);
    source_offset_entries_free(entries, count);
    assert_none(tracker);

    for (int i = 0; i < PARTITIONS; i++)
        json_decref(partitions[i]);
    free(partitions);
    source_offset_tracker_destroy(tracker);
}

/* ------------------------------------------------------------------------------------------ */
/* Randomized: a million records, acks shuffled inside windows, checked against a model.       */

#define RANDOM_RECORDS 1000000
#define RANDOM_PARTITIONS 7
#define RANDOM_MAX_WINDOW 2048

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t rng_below(size_t bound)
{
    return (size_t)(rng_next() % bound);
}

typedef struct random_run {
    source_offset_tracker *tracker;
    json_t *partitions[RANDOM_PARTITIONS];
    int8_t *mark_partition; /* per sequence: partition index, or -1 for no mark */
    uint8_t *acked;         /* per sequence */
    uint64_t prefix;        /* the model's contiguous acknowledged prefix */
    uint64_t next;          /* the model's next sequence */
    int64_t expected[RANDOM_PARTITIONS]; /* latest committable, not committed mark; -1 none */
    size_t checks;
} random_run;

static void random_add(random_run *run, bool marked)
{
    int p = (int)rng_below(RANDOM_PARTITIONS);
    uint64_t seq;
    if (marked) {
        json_t *partition = run->partitions[p];
        /* Now and then a fresh but equal partition object, as a plugin that builds one per
         * record would pass. */
        bool fresh = rng_below(97) == 0;
        if (fresh)
            partition = json_deep_copy(partition);
        json_t *offset = json_integer((json_int_t)run->next);
        assert_int_equal(source_offset_tracker_add(run->tracker, partition, offset, &seq), 0);
        json_decref(offset);
        if (fresh)
            json_decref(partition);
        run->mark_partition[seq] = (int8_t)p;
    } else {
        assert_int_equal(source_offset_tracker_add(run->tracker, rng_below(2) ? NULL : run->partitions[p],
                                                   NULL, &seq),
                         0);
        run->mark_partition[seq] = -1;
    }
    assert_int_equal(seq, run->next);
    run->next++;
}

static void random_ack(random_run *run, uint64_t seq)
{
    source_offset_tracker_ack(run->tracker, seq);
    run->acked[seq] = 1;
    while (run->prefix < run->next && run->acked[run->prefix]) {
        int p = run->mark_partition[run->prefix];
        if (p >= 0)
            run->expected[p] = (int64_t)run->prefix;
        run->prefix++;
    }
}

static int random_partition_index(random_run *run, json_t *partition)
{
    for (int p = 0; p < RANDOM_PARTITIONS; p++) {
        if (json_equal(run->partitions[p], partition))
            return p;
    }
    fail_msg("committable entry with an unknown partition");
    return -1;
}

/* Checks the committable entries against the model; commits them when asked. */
static void random_check(random_run *run, bool commit)
{
    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(run->tracker, &entries);
    size_t expected_count = 0;
    for (int p = 0; p < RANDOM_PARTITIONS; p++)
        expected_count += run->expected[p] >= 0;
    assert_int_equal(count, expected_count);
    for (size_t i = 0; i < count; i++) {
        uint64_t seq = (uint64_t)json_integer_value(entries[i].offset);
        /* The invariant: the record carrying the offset and every earlier one were acked. */
        if (seq >= run->prefix)
            fail_msg("offset of record %llu committable with record %llu unacknowledged",
                     (unsigned long long)seq, (unsigned long long)run->prefix);
        for (uint64_t back = seq + 1; back-- > 0 && back + 64 > seq;)
            assert_int_equal(run->acked[back], 1);
        int p = random_partition_index(run, entries[i].partition);
        assert_int_equal(run->mark_partition[seq], p);
        /* The latest per partition. */
        assert_int_equal((int64_t)seq, run->expected[p]);
    }
    if (commit) {
        source_offset_tracker_committed(run->tracker, entries, count);
        for (size_t i = 0; i < count; i++) {
            int p = random_partition_index(run, entries[i].partition);
            if (run->expected[p] == (int64_t)json_integer_value(entries[i].offset))
                run->expected[p] = -1;
        }
    }
    source_offset_entries_free(entries, count);
    run->checks++;
}

/* Acknowledges everything in flight in a shuffled order and commits, leaving the tracker empty. */
static void random_drain(random_run *run, uint64_t *window, size_t *window_len)
{
    for (size_t i = *window_len; i > 1; i--) {
        size_t j = rng_below(i);
        uint64_t tmp = window[i - 1];
        window[i - 1] = window[j];
        window[j] = tmp;
    }
    for (size_t i = 0; i < *window_len; i++)
        random_ack(run, window[i]);
    *window_len = 0;
    assert_int_equal(run->prefix, run->next);
    assert_int_equal(source_offset_tracker_pending(run->tracker), 0);
    random_check(run, true);
    assert_none(run->tracker);
}

static void test_randomized_million(void **state)
{
    (void)state;
    random_run run = {.tracker = source_offset_tracker_new()};
    assert_non_null(run.tracker);
    run.mark_partition = malloc(RANDOM_RECORDS);
    run.acked = calloc(RANDOM_RECORDS, 1);
    /* In flight: the previous window's leftovers plus the current window. */
    uint64_t *window = malloc(2 * RANDOM_MAX_WINDOW * sizeof(*window));
    assert_non_null(run.mark_partition);
    assert_non_null(run.acked);
    assert_non_null(window);
    for (int p = 0; p < RANDOM_PARTITIONS; p++) {
        run.partitions[p] = json_pack("{s:s,s:i}", "file", "/var/log/app.log", "shard", p);
        run.expected[p] = -1;
    }

    /* Warm-up: the largest in-flight span the run will ever have (two full windows, every
     * record marked), so the rings reach their final size now. */
    size_t window_len = 0;
    for (int i = 0; i < 2 * RANDOM_MAX_WINDOW; i++) {
        window[window_len++] = run.next;
        random_add(&run, true);
    }
    random_drain(&run, window, &window_len);
    size_t heap_after_warm_up = heap_in_use();

    size_t iteration = 0;
    while (run.next < RANDOM_RECORDS) {
        /* A new window of consecutive records... */
        size_t size = 1 + rng_below(RANDOM_MAX_WINDOW);
        if (size > RANDOM_RECORDS - run.next)
            size = RANDOM_RECORDS - run.next;
        size_t previous = window_len; /* left over from the last window, all older */
        for (size_t i = 0; i < size; i++) {
            window[window_len++] = run.next;
            random_add(&run, rng_below(4) != 0);
        }
        /* ...then every leftover of the previous window and a random part of this one are
         * acknowledged in a shuffled order; the rest of this window waits for the next round.
         * So at most two windows are ever in flight. */
        size_t keep = rng_below(size + 1);
        for (size_t i = window_len; i > previous + 1; i--) {
            size_t j = previous + rng_below(i - previous);
            uint64_t tmp = window[i - 1];
            window[i - 1] = window[j];
            window[j] = tmp;
        }
        size_t ack_count = window_len - keep;
        for (size_t i = ack_count; i > 1; i--) {
            size_t j = rng_below(i);
            uint64_t tmp = window[i - 1];
            window[i - 1] = window[j];
            window[j] = tmp;
        }
        for (size_t i = 0; i < ack_count; i++) {
            random_ack(&run, window[i]);
            /* A repeated ack now and then must change nothing. */
            if (rng_below(1000) == 0)
                source_offset_tracker_ack(run.tracker, window[i]);
        }
        memmove(window, window + ack_count, keep * sizeof(*window));
        window_len = keep;
        assert_int_equal(source_offset_tracker_pending(run.tracker), window_len);

        if (iteration % 7 == 0)
            random_check(&run, rng_below(3) != 0);
        iteration++;
    }
    random_drain(&run, window, &window_len);
    size_t heap_at_end = heap_in_use();
    assert_true(run.checks > 100);

    /* A million records later, not a byte more than after the warm-up: the rings were reused. */
    if (HAVE_HEAP_IN_USE && heap_at_end > heap_after_warm_up + HEAP_SLACK)
        fail_msg("heap grew from %zu to %zu bytes over %d records", heap_after_warm_up,
                 heap_at_end, RANDOM_RECORDS);

    for (int p = 0; p < RANDOM_PARTITIONS; p++)
        json_decref(run.partitions[p]);
    free(window);
    free(run.acked);
    free(run.mark_partition);
    source_offset_tracker_destroy(run.tracker);
}

static void test_memory_bounded(void **state)
{
    (void)state;
    if (!HAVE_HEAP_IN_USE)
        skip();
    /* 1000 records in flight at a time, 500 rounds: after the first round the tracker allocates
     * nothing more (the offsets below are the test's own and are all released by then). */
    enum { IN_FLIGHT = 1000, ROUNDS = 500 };
    source_offset_tracker *tracker = source_offset_tracker_new();
    json_t *file = json_parse("{\"filename\":\"/tmp/a.txt\"}");
    size_t heap_after_first = 0;
    long position = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t first = 0;
        for (int i = 0; i < IN_FLIGHT; i++) {
            uint64_t seq = add_position(tracker, file, position++);
            if (i == 0)
                first = seq;
        }
        /* Reverse order: the worst case for the prefix, every ack but the last out of order. */
        for (int i = IN_FLIGHT; i-- > 0;)
            source_offset_tracker_ack(tracker, first + (uint64_t)i);
        assert_int_equal(source_offset_tracker_pending(tracker), 0);
        ferry_source_offset *entries = NULL;
        size_t count = source_offset_tracker_committable(tracker, &entries);
        assert_int_equal(count, 1);
        assert_int_equal(entry_position(&entries[0]), position - 1);
        source_offset_tracker_committed(tracker, entries, count);
        source_offset_entries_free(entries, count);
        if (round == 0)
            heap_after_first = heap_in_use();
    }
    size_t heap_at_end = heap_in_use();
    if (heap_at_end > heap_after_first + HEAP_SLACK)
        fail_msg("heap grew from %zu to %zu bytes with %d records in flight", heap_after_first,
                 heap_at_end, IN_FLIGHT);
    json_decref(file);
    source_offset_tracker_destroy(tracker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_acks),
        cmocka_unit_test(test_out_of_order_acks),
        cmocka_unit_test(test_whole_prefix_required),
        cmocka_unit_test(test_several_partitions_latest_each),
        cmocka_unit_test(test_equal_partitions_are_one),
        cmocka_unit_test(test_records_without_marks),
        cmocka_unit_test(test_committed_and_superseded),
        cmocka_unit_test(test_entries_outlive_tracker),
        cmocka_unit_test(test_remove_last),
        cmocka_unit_test(test_pending_count),
        cmocka_unit_test(test_many_partitions),
        cmocka_unit_test(test_randomized_million),
        cmocka_unit_test(test_memory_bounded),
    };
    return cmocka_run_group_tests_name("source_offset_tracker", tests, NULL, NULL);
}
