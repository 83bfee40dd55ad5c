/*
 * es_retry.h - when a document that failed with 429, 5xx or a timeout is sent again: jittered
 * exponential back-off. The k-th retry (k = 1, 2, ...) waits a random time between half and all
 * of retry.backoff.ms x 2^min(k - 1, max.retries): the back-off doubles max.retries times and then
 * stays there. It never gives up: Elasticsearch being away is not a reason to drop a document.
 */
#ifndef FERRY_ES_RETRY_H
#define FERRY_ES_RETRY_H

#include <stdint.h>

#define ES_RETRY_MAX_DELAY_MS (24 * 3600 * 1000LL)

typedef struct es_retry {
    int64_t backoff_ms; /* retry.backoff.ms */
    int max_retries;    /* max.retries */
    uint64_t random;    /* xorshift state, never 0 */
} es_retry;

void es_retry_init(es_retry *retry, int64_t backoff_ms, int max_retries, uint64_t seed);

/* The longest wait of the k-th retry (before jitter). */
int64_t es_retry_ceiling(const es_retry *retry, uint32_t k);

/* The wait before the k-th retry, jittered: in [ceiling / 2, ceiling]. */
int64_t es_retry_delay(es_retry *retry, uint32_t k);

#endif
