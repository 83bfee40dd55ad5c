/*
 * log.c - the worker's logger. Every line is built in memory first and written with a single
 * fwrite under a mutex, so lines of concurrent tasks never interleave:
 *
 *   2026-11-22T10:00:00.123Z INFO  [loader] loaded plugin file 1.0.0
 */
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_stream; /* NULL = stderr; guarded by log_mutex */
/* Read on every call without the mutex, so that a line below the level costs no lock. */
static atomic_int log_level = FERRY_LOG_INFO;

void log_configure(FILE *stream, ferry_log_level max_level)
{
    pthread_mutex_lock(&log_mutex);
    log_stream = stream;
    pthread_mutex_unlock(&log_mutex);
    atomic_store(&log_level, (int)max_level);
}

ferry_log_level log_max_level(void)
{
    return (ferry_log_level)atomic_load(&log_level);
}

int log_level_parse(const char *text, ferry_log_level *level)
{
    static const struct {
        const char *name;
        ferry_log_level level;
    } names[] = {
        {"error", FERRY_LOG_ERROR}, {"warn", FERRY_LOG_WARN},   {"warning", FERRY_LOG_WARN},
        {"info", FERRY_LOG_INFO},   {"debug", FERRY_LOG_DEBUG}, {"trace", FERRY_LOG_TRACE},
    };
    if (!text)
        return -1;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(text, names[i].name) == 0) {
            *level = names[i].level;
            return 0;
        }
    }
    return -1;
}

const char *log_level_name(ferry_log_level level)
{
    switch (level) {
    case FERRY_LOG_ERROR: return "ERROR";
    case FERRY_LOG_WARN: return "WARN";
    case FERRY_LOG_INFO: return "INFO";
    case FERRY_LOG_DEBUG: return "DEBUG";
    case FERRY_LOG_TRACE: return "TRACE";
    }
    return "UNKNOWN";
}

void log_write(ferry_log_level level, const char *scope, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_writev(level, scope, fmt, ap);
    va_end(ap);
}

void log_writev(ferry_log_level level, const char *scope, const char *fmt, va_list ap)
{
    if ((int)level > atomic_load(&log_level))
        return;

    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

    /* The message goes to a stack buffer when short, to the heap when long; if the heap fails
     * the line is written cut rather than lost. */
    char small[1024];
    char *message = small;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof(small), fmt, copy);
    va_end(copy);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len >= sizeof(small)) {
        char *big = malloc(len + 1);
        if (big) {
            vsnprintf(big, len + 1, fmt, ap);
            message = big;
        } else {
            len = sizeof(small) - 1;
        }
    }
    /* Exactly one newline per line, whether or not the caller ended the message with one. */
    while (len > 0 && message[len - 1] == '\n')
        len--;

    const char *name = log_level_name(level);
    bool scoped = scope && *scope;
    pthread_mutex_lock(&log_mutex);
    FILE *stream = log_stream ? log_stream : stderr;
    fprintf(stream, "%s.%03ldZ %-5s %s%s%s%.*s\n", stamp, now.tv_nsec / 1000000L, name,
            scoped ? "[" : "", scoped ? scope : "", scoped ? "] " : "", (int)len, message);
    fflush(stream);
    pthread_mutex_unlock(&log_mutex);

    if (message != small)
        free(message);
}
