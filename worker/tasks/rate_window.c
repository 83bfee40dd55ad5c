/*
 * rate_window.c - rates over a sliding window of samples (rate_window.h).
 */
#include "tasks/rate_window.h"

#include <string.h>

void rate_window_init(rate_window *window, uint64_t spacing_us)
{
    memset(window, 0, sizeof(*window));
    window->spacing_us = spacing_us ? spacing_us : 1;
}

static int rate_window_index(const rate_window *window, int nth)
{
    return (window->first + nth) % RATE_WINDOW_SAMPLES;
}

void rate_window_add(rate_window *window, uint64_t now_us, double value)
{
    if (window->count > 0) {
        int newest = rate_window_index(window, window->count - 1);
        if (now_us < window->time_us[newest])
            now_us = window->time_us[newest];
        /* The newest sample moves forward until the one before it is a spacing old, so a fast
         * caller does not shrink the window to its own pace. */
        if (window->count > 1) {
            int before = rate_window_index(window, window->count - 2);
            if (now_us - window->time_us[before] < window->spacing_us) {
                window->time_us[newest] = now_us;
                window->value[newest] = value;
                return;
            }
        }
    }
    if (window->count == RATE_WINDOW_SAMPLES) {
        window->first = rate_window_index(window, 1);
        window->count--;
    }
    int slot = rate_window_index(window, window->count);
    window->time_us[slot] = now_us;
    window->value[slot] = value;
    window->count++;
}

double rate_window_span_seconds(const rate_window *window)
{
    if (window->count < 2)
        return 0;
    int oldest = window->first;
    int newest = rate_window_index(window, window->count - 1);
    return (double)(window->time_us[newest] - window->time_us[oldest]) / 1e6;
}

bool rate_window_rate(const rate_window *window, double *per_second)
{
    if (window->count < 2)
        return false;
    int oldest = window->first;
    int newest = rate_window_index(window, window->count - 1);
    uint64_t span_us = window->time_us[newest] - window->time_us[oldest];
    if (span_us < window->spacing_us)
        return false;
    *per_second = (window->value[newest] - window->value[oldest]) * 1e6 / (double)span_us;
    return true;
}
