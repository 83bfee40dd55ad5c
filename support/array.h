/*
 * array.h - the one way to grow an array: doubling, overflow-checked. Every table that grows by
 * appending (connectors, pending records, offsets, matches) calls array_reserve instead of its
 * own realloc arithmetic.
 *
 *     if (array_reserve(&list->items, &list->capacity, list->count + 1, sizeof(*list->items)))
 *         return -1;
 *     list->items[list->count++] = item;
 */
#ifndef FERRY_SUPPORT_ARRAY_H
#define FERRY_SUPPORT_ARRAY_H

#include <stddef.h>

/* Makes *items (an array of item_size-byte elements with *capacity slots, NULL and 0 at first)
 * hold at least needed elements, doubling from a small start; new slots are zeroed. 0, or -1
 * when out of memory or the size overflows (then *items and *capacity are unchanged).
 * items is a pointer to the array's pointer (void ** in disguise, to take any element type). */
int array_reserve(void *items, size_t *capacity, size_t needed, size_t item_size);

#endif
