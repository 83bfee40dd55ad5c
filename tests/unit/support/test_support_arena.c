/*
 * test_support_arena.c - support/arena.c: pieces aligned and kept intact while blocks are added,
 * a reset after a round that outgrew its block leaving one block that holds the same round again
 * without another, pieces larger than any block, copies of text, and the sizes it refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "support/arena.h"

#define PIECES 2000

/* Fills PIECES pieces of 1..64 bytes with a pattern of their index; returns them in pieces. */
static void round_fill(arena *region, unsigned char **pieces)
{
    for (size_t i = 0; i < PIECES; i++) {
        size_t size = 1 + i % 64;
        pieces[i] = arena_alloc(region, size);
        assert_non_null(pieces[i]);
        assert_int_equal((uintptr_t)pieces[i] % alignof(max_align_t), 0);
        memset(pieces[i], (int)(i & 0xff), size);
    }
}

static void round_check(unsigned char **pieces)
{
    for (size_t i = 0; i < PIECES; i++)
        for (size_t b = 0; b < 1 + i % 64; b++)
            if (pieces[i][b] != (unsigned char)(i & 0xff))
                fail_msg("piece %zu byte %zu was overwritten", i, b);
}

static void test_pieces_survive_growth_and_reset_keeps_one_block(void **state)
{
    (void)state;
    arena region = {0};
    unsigned char **pieces = calloc(PIECES, sizeof(*pieces));
    assert_non_null(pieces);
    round_fill(&region, pieces); /* about 100 KB: several blocks */
    round_check(pieces);
    assert_non_null(region.blocks);

    arena_reset(&region);
    arena_block *kept = region.blocks;
    assert_non_null(kept);
    round_fill(&region, pieces);
    round_check(pieces);
    /* The block kept at the reset held the whole round: no block was added. */
    assert_ptr_equal(region.blocks, kept);

    /* A round of the same size after a reset with one block reuses it from its start. */
    unsigned char *first = pieces[0];
    arena_reset(&region);
    assert_ptr_equal(arena_alloc(&region, 1), first);
    arena_free(&region);
    assert_null(region.blocks);
    free(pieces);
}

static void test_large_pieces_and_text(void **state)
{
    (void)state;
    arena region = {0};
    char *small = arena_strndup(&region, "header", 6);
    assert_string_equal(small, "header");
    size_t large = ARENA_BLOCK_MAX * 2 + 3;
    unsigned char *big = arena_alloc(&region, large);
    assert_non_null(big);
    memset(big, 0x5a, large);
    assert_string_equal(small, "header"); /* still there after a block of its own was added */
    char *empty = arena_strndup(&region, NULL, 0);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    char *cut = arena_strndup(&region, "abcdef", 3);
    assert_string_equal(cut, "abc");
    assert_int_equal(big[large - 1], 0x5a);
    /* Sizes that cannot be rounded up or added to a block's header are refused. */
    assert_null(arena_alloc(&region, SIZE_MAX));
    assert_null(arena_alloc(&region, SIZE_MAX - 8));
    assert_null(arena_strndup(&region, "x", SIZE_MAX));
    /* A reset after a round larger than ARENA_BLOCK_MAX keeps one block of that size. */
    arena_reset(&region);
    assert_non_null(region.blocks);
    assert_non_null(arena_alloc(&region, ARENA_BLOCK_MAX));
    arena_free(&region);
    arena_free(&region); /* freeing an empty arena is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_survive_growth_and_reset_keeps_one_block),
        cmocka_unit_test(test_large_pieces_and_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
