/*
 * clock.h - the two clocks the worker and the plugins read: monotonic for deadlines and
 * durations, wall (the epoch) for timestamps written out.
 */
#ifndef FERRY_SUPPORT_CLOCK_H
#define FERRY_SUPPORT_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds and in microseconds. */
int64_t clock_monotonic_ms(void);
int64_t clock_monotonic_us(void);
/* CLOCK_REALTIME (since the epoch) in milliseconds and in microseconds. */
int64_t clock_wall_ms(void);
int64_t clock_wall_us(void);

#endif
