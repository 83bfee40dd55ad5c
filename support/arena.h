/*
 * arena.h - memory handed out by moving a pointer and taken back all at once: for the many small
 * pieces that live exactly as long as one batch of records (a transform's header arrays and
 * copied strings). arena_reset makes all of it free again; after a round that outgrew the first
 * block, the arena keeps one block as large as that round used (up to ARENA_BLOCK_MAX), so a
 * steady load stops allocating after its first batches.
 *
 *     char *copy = arena_alloc(&batch_arena, len + 1);   ...   arena_reset(&batch_arena);
 */
#ifndef FERRY_SUPPORT_ARENA_H
#define FERRY_SUPPORT_ARENA_H

#include <stddef.h>

#define ARENA_BLOCK_MIN 4096
#define ARENA_BLOCK_MAX (1024 * 1024)

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *blocks; /* the current block first */
    size_t used;         /* bytes handed out since the last reset, in every block */
} arena;                 /* {0} is an empty arena */

/* size bytes aligned for any type, valid until the next arena_reset or arena_free; NULL when
 * out of memory. */
void *arena_alloc(arena *region, size_t size);
/* A copy of len bytes plus a NUL; NULL when out of memory. */
char *arena_strndup(arena *region, const char *text, size_t len);
/* Takes back everything handed out. */
void arena_reset(arena *region);
/* Frees every block; the arena is empty again. */
void arena_free(arena *region);

#endif
