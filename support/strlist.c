/*
 * strlist.c - the string lists of strlist.h.
 */
#include "support/strlist.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support/array.h"

/* White space as Kafka's list parsing trims it (the C locale's isspace, without the locale). */
static bool strlist_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int strlist_append(strlist *list, const char *text, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(text);
    /* One slot more than the items: the array stays NULL-terminated (new slots are zeroed). */
    if (len == SIZE_MAX ||
        array_reserve(&list->items, &list->capacity, list->count + 2, sizeof(*list->items)) != 0)
        return -1;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    list->items[list->count++] = copy;
    return 0;
}

int strlist_split(strlist *list, const char *text, char separator)
{
    if (!text)
        return 0;
    for (const char *item = text;;) {
        const char *end = separator ? strchr(item, separator) : NULL;
        size_t len = end ? (size_t)(end - item) : strlen(item);
        const char *start = item;
        while (len > 0 && strlist_is_space(*start)) {
            start++;
            len--;
        }
        while (len > 0 && strlist_is_space(start[len - 1]))
            len--;
        if (len > 0 && strlist_append(list, start, len) != 0)
            return -1;
        if (!end)
            return 0;
        item = end + 1;
    }
}

long strlist_find(const strlist *list, const char *text)
{
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i], text) == 0)
            return (long)i;
    }
    return -1;
}

char **strlist_take(strlist *list)
{
    char **items = list->items ? list->items : calloc(1, sizeof(*items));
    *list = (strlist){0};
    return items;
}

void strlist_free(strlist *list)
{
    strlist_array_free(list->items);
    *list = (strlist){0};
}

void strlist_array_free(char **items)
{
    if (!items)
        return;
    for (size_t i = 0; items[i]; i++)
        free(items[i]);
    free(items);
}
