/*
 * rate_window.h - the rate of change of a count over a sliding window of timed samples: rows
 * per second of a snapshot, bytes per second of a file, the trend of a sink's lag. Samples are
 * kept at least `spacing_us` apart (a newer one replaces the newest until it is that old), so
 * the window spans about RATE_WINDOW_SAMPLES - 1 spacings whatever the caller's pace. Time is
 * the caller's (a monotonic clock in microseconds), so tests inject it. Plain data: the owner
 * locks it if other threads read it.
 */
#ifndef FERRY_RATE_WINDOW_H
#define FERRY_RATE_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define RATE_WINDOW_SAMPLES 16

typedef struct rate_window {
    uint64_t spacing_us;
    int count;   /* samples held, oldest first from `first` */
    int first;
    uint64_t time_us[RATE_WINDOW_SAMPLES];
    double value[RATE_WINDOW_SAMPLES];
} rate_window;

void rate_window_init(rate_window *window, uint64_t spacing_us);
/* Records the count's value at now_us (not before the previous sample's time). */
void rate_window_add(rate_window *window, uint64_t now_us, double value);
/* The change per second between the oldest and the newest sample. false while they are less
 * than one spacing apart: the rate is unknown, not zero. */
bool rate_window_rate(const rate_window *window, double *per_second);
/* Seconds the samples span (0 with fewer than two). */
double rate_window_span_seconds(const rate_window *window);

#endif
