/* topic_memo.c - see topic_memo.h. */
#include "transforms/topic_memo.h"

#include <stdlib.h>
#include <string.h>

typedef struct topic_answer {
    char *topic;
    void *value;
} topic_answer;

struct topic_memo {
    topic_answer answers[TOPIC_MEMO_SIZE];
    size_t count;
    size_t last; /* the answer of the last topic asked for: records come in runs of one topic */
    void (*free_value)(void *value);
};

topic_memo *topic_memo_new(void (*free_value)(void *value))
{
    topic_memo *memo = calloc(1, sizeof(*memo));
    if (memo)
        memo->free_value = free_value;
    return memo;
}

void topic_memo_destroy(topic_memo *memo)
{
    if (!memo)
        return;
    for (size_t i = 0; i < memo->count; i++) {
        free(memo->answers[i].topic);
        if (memo->free_value)
            memo->free_value(memo->answers[i].value);
    }
    free(memo);
}

bool topic_memo_get(topic_memo *memo, const char *topic, void **value)
{
    if (memo->count && strcmp(memo->answers[memo->last].topic, topic) == 0) {
        *value = memo->answers[memo->last].value;
        return true;
    }
    for (size_t i = 0; i < memo->count; i++) {
        if (strcmp(memo->answers[i].topic, topic) == 0) {
            memo->last = i;
            *value = memo->answers[i].value;
            return true;
        }
    }
    return false;
}

int topic_memo_put(topic_memo *memo, const char *topic, void *value)
{
    if (memo->count == TOPIC_MEMO_SIZE)
        return -1;
    char *copy = strdup(topic);
    if (!copy)
        return -1;
    memo->last = memo->count++;
    memo->answers[memo->last] = (topic_answer){.topic = copy, .value = value};
    return 0;
}
