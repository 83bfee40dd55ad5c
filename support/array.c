/*
 * array.c - array_reserve of array.h.
 */
#include "support/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation: most tables hold a few entries. */
#define ARRAY_FIRST_CAPACITY 8

int array_reserve(void *items, size_t *capacity, size_t needed, size_t item_size)
{
    if (needed <= *capacity)
        return 0;
    if (item_size == 0 || needed > SIZE_MAX / item_size)
        return -1;
    size_t grown = *capacity ? *capacity : ARRAY_FIRST_CAPACITY;
    while (grown < needed)
        grown = grown > SIZE_MAX / 2 ? needed : grown * 2;
    if (grown > SIZE_MAX / item_size)
        grown = needed;

    /* items points at the caller's T *: read and write it as bytes, whatever T is. */
    void *data;
    memcpy(&data, items, sizeof(data));
    unsigned char *grown_data = realloc(data, grown * item_size);
    if (!grown_data)
        return -1;
    memset(grown_data + *capacity * item_size, 0, (grown - *capacity) * item_size);
    memcpy(items, &grown_data, sizeof(grown_data));
    *capacity = grown;
    return 0;
}
