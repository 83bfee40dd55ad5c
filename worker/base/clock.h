/*
 * clock.h - milliseconds of the two clocks every layer of the worker reads.
 */
#ifndef FERRY_CLOCK_H
#define FERRY_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC, for deadlines and durations. */
int64_t clock_monotonic_ms(void);
/* Milliseconds since the epoch (CLOCK_REALTIME), for timestamps written to Kafka. */
int64_t clock_wall_ms(void);

#endif
