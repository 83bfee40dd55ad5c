/*
 * es_retry.c - jittered exponential back-off (es_retry.h).
 */
#include "es_retry.h"

void es_retry_init(es_retry *retry, int64_t backoff_ms, int max_retries, uint64_t seed)
{
    retry->backoff_ms = backoff_ms > 0 ? backoff_ms : 0;
    retry->max_retries = max_retries > 0 ? max_retries : 0;
    retry->random = seed ? seed : 0x9e3779b97f4a7c15ull;
}

int64_t es_retry_ceiling(const es_retry *retry, uint32_t k)
{
    if (retry->backoff_ms == 0)
        return 0;
    uint32_t doublings = k > 0 ? k - 1 : 0;
    if (doublings > (uint32_t)retry->max_retries)
        doublings = (uint32_t)retry->max_retries;
    int64_t delay = retry->backoff_ms;
    for (uint32_t i = 0; i < doublings && delay < ES_RETRY_MAX_DELAY_MS; i++)
        delay *= 2;
    return delay < ES_RETRY_MAX_DELAY_MS ? delay : ES_RETRY_MAX_DELAY_MS;
}

static uint64_t es_retry_next(es_retry *retry)
{
    uint64_t x = retry->random;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    retry->random = x;
    return x * 0x2545f4914f6cdd1dull;
}

int64_t es_retry_delay(es_retry *retry, uint32_t k)
{
    int64_t ceiling = es_retry_ceiling(retry, k);
    int64_t half = ceiling / 2;
    if (ceiling - half <= 0)
        return ceiling;
    return half + (int64_t)(es_retry_next(retry) % (uint64_t)(ceiling - half + 1));
}
