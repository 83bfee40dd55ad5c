/*
 * strlist.h - a list of owned strings, and the comma-separated lists Kafka Connect's LIST
 * config values are (items trimmed of white space, empty items dropped).
 */
#ifndef FERRY_SUPPORT_STRLIST_H
#define FERRY_SUPPORT_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strlist {
    char **items; /* NULL-terminated when not NULL */
    size_t count;
    size_t capacity;
} strlist;

/* Appends a copy of text (len bytes, or strlen when len is (size_t)-1). 0, or -1 when out of
 * memory. */
int strlist_append(strlist *list, const char *text, size_t len);
/* Appends the items of a separator-separated text, each trimmed of white space, empty ones
 * dropped. 0, or -1 when out of memory (items appended so far stay). */
int strlist_split(strlist *list, const char *text, char separator);
/* The index of the first item equal to text, or -1. */
long strlist_find(const strlist *list, const char *text);
static inline bool strlist_contains(const strlist *list, const char *text)
{
    return strlist_find(list, text) >= 0;
}
/* Hands the NULL-terminated array to the caller (free each item, then the array) and leaves the
 * list empty; never NULL unless out of memory. */
char **strlist_take(strlist *list);
void strlist_free(strlist *list); /* accepts NULL */
/* Frees a NULL-terminated array of strings as strlist_take returns it; accepts NULL. */
void strlist_array_free(char **items);

#endif
