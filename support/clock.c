/*
 * clock.c - clock_gettime in the units the worker and the plugins count in.
 */
#include "support/clock.h"

static int64_t clock_read_us(clockid_t id)
{
    struct timespec now;
    clock_gettime(id, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

int64_t clock_monotonic_ms(void)
{
    return clock_read_us(CLOCK_MONOTONIC) / 1000;
}

int64_t clock_monotonic_us(void)
{
    return clock_read_us(CLOCK_MONOTONIC);
}

int64_t clock_wall_ms(void)
{
    return clock_read_us(CLOCK_REALTIME) / 1000;
}

int64_t clock_wall_us(void)
{
    return clock_read_us(CLOCK_REALTIME);
}

void clock_deadline(clockid_t id, int64_t ms, struct timespec *out)
{
    clock_gettime(id, out);
    if (ms <= 0)
        return;
    out->tv_sec += (time_t)(ms / 1000);
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}
