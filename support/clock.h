/*
 * clock.h - the two clocks the worker and the plugins read: monotonic for deadlines and
 * durations, wall (the epoch) for timestamps written out.
 */
#ifndef FERRY_SUPPORT_CLOCK_H
#define FERRY_SUPPORT_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in milliseconds and in microseconds. */
int64_t clock_monotonic_ms(void);
int64_t clock_monotonic_us(void);
/* CLOCK_REALTIME (since the epoch) in milliseconds and in microseconds. */
int64_t clock_wall_ms(void);
int64_t clock_wall_us(void);
/* The moment ms milliseconds (0 or more) from now on clock id (CLOCK_MONOTONIC or
 * CLOCK_REALTIME), as the absolute time pthread_cond_timedwait, sem_clockwait and
 * pthread_timedjoin_np take. */
void clock_deadline(clockid_t id, int64_t ms, struct timespec *out);

#endif
