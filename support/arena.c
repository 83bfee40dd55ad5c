/*
 * arena.c - bump allocation with reset (arena.h).
 */
#include "support/arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    arena_block *next;
    size_t size; /* bytes of data */
    size_t left; /* bytes of data not handed out */
    alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN (alignof(max_align_t))

static arena_block *arena_block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(arena_block))
        return NULL;
    arena_block *block = malloc(sizeof(*block) + size);
    if (block)
        *block = (arena_block){.size = size, .left = size};
    return block;
}

void *arena_alloc(arena *region, size_t size)
{
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    arena_block *block = region->blocks;
    if (!block || block->left < size) {
        /* A new block, at least twice the last (a run of small pieces fills few blocks), and
         * large enough for this piece. */
        size_t want = block ? block->size * 2 : ARENA_BLOCK_MIN;
        if (want > ARENA_BLOCK_MAX)
            want = ARENA_BLOCK_MAX;
        if (want < size)
            want = size;
        block = arena_block_new(want);
        if (!block)
            return NULL;
        block->next = region->blocks;
        region->blocks = block;
    }
    void *piece = block->data + (block->size - block->left);
    block->left -= size;
    region->used += size;
    return piece;
}

char *arena_strndup(arena *region, const char *text, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *copy = arena_alloc(region, len + 1);
    if (copy) {
        if (len)
            memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

void arena_reset(arena *region)
{
    arena_block *block = region->blocks;
    if (block && block->next) {
        /* The round outgrew one block: keep a single block the size of all it used. */
        size_t want = region->used < ARENA_BLOCK_MAX ? region->used : ARENA_BLOCK_MAX;
        arena_free(region);
        region->blocks = arena_block_new(want > ARENA_BLOCK_MIN ? want : ARENA_BLOCK_MIN);
    } else if (block) {
        block->left = block->size;
    }
    region->used = 0;
}

void arena_free(arena *region)
{
    for (arena_block *block = region->blocks, *next; block; block = next) {
        next = block->next;
        free(block);
    }
    region->blocks = NULL;
    region->used = 0;
}
