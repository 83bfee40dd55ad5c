/*
 * topic_memo.h - answers that depend on a record's topic alone (a router's new topic, a topic
 * predicate's verdict), kept for the first TOPIC_MEMO_SIZE topics an instance sees: a record of a
 * known topic then costs a string comparison instead of regex runs and allocations. Entries are
 * never evicted, so a record may point into one for as long as the instance lives. One instance,
 * one task thread: no lock.
 */
#ifndef FERRY_TOPIC_MEMO_H
#define FERRY_TOPIC_MEMO_H

#include <stdbool.h>

#define TOPIC_MEMO_SIZE 64

typedef struct topic_memo topic_memo;

/* free_value frees an answer at destroy (NULL: answers are not owned). NULL when out of memory. */
topic_memo *topic_memo_new(void (*free_value)(void *value));
void topic_memo_destroy(topic_memo *memo); /* accepts NULL */
/* Whether topic's answer is kept; *value gets it. */
bool topic_memo_get(topic_memo *memo, const char *topic, void **value);
/* Keeps value as topic's answer (the memo then owns it). 0, or -1 when the memo is full or out
 * of memory: the caller keeps value then. */
int topic_memo_put(topic_memo *memo, const char *topic, void *value);

#endif
