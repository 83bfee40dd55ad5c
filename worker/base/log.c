/*
 * log.c - the worker's logger. Every line is built in memory first and written with a single
 * fwrite under a mutex, so lines of concurrent tasks never interleave:
 *
 *   2026-11-22T10:00:00.123Z INFO  [loader] loaded plugin file 1.0.0
 */
#include "base/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_stream; /* NULL = stderr; guarded by log_mutex */
/* root's level, and the most verbose level of root and every named logger: read on every call
 * without a lock, so that a line below every level costs nothing more. */
static atomic_int log_level = FERRY_LOG_INFO;
static atomic_int log_ceiling = FERRY_LOG_INFO;
static atomic_int log_named_count;

/* The named loggers, sorted by name; guarded by loggers_mutex. */
static pthread_mutex_t loggers_mutex = PTHREAD_MUTEX_INITIALIZER;
static log_logger_info loggers[LOG_LOGGERS_MAX];
static size_t logger_count;
static long long root_modified_ms;
static const char *const log_scopes[LOG_SCOPE_COUNT] = LOG_SCOPES;

/* Recomputes the ceiling; loggers_mutex held. */
static void log_ceiling_update(void)
{
    int ceiling = atomic_load(&log_level);
    for (size_t i = 0; i < logger_count; i++)
        if ((int)loggers[i].level > ceiling)
            ceiling = (int)loggers[i].level;
    atomic_store(&log_ceiling, ceiling);
    atomic_store(&log_named_count, (int)logger_count);
}

void log_configure(FILE *stream, ferry_log_level max_level)
{
    pthread_mutex_lock(&log_mutex);
    log_stream = stream;
    pthread_mutex_unlock(&log_mutex);
    pthread_mutex_lock(&loggers_mutex);
    atomic_store(&log_level, (int)max_level);
    log_ceiling_update();
    pthread_mutex_unlock(&loggers_mutex);
}

ferry_log_level log_max_level(void)
{
    return (ferry_log_level)atomic_load(&log_level);
}

static long long log_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Whether the logger covers the scope (see log.h). */
static bool log_logger_covers(const char *logger, const char *scope)
{
    size_t n = strlen(logger);
    if (strncmp(scope, logger, n) == 0 &&
        (scope[n] == '\0' || scope[n] == '.' || scope[n] == ':'))
        return true;
    if (strncmp(scope, "connector:", 10) == 0)
        return strcmp(scope + 10, logger) == 0;
    if (strncmp(scope, "task:", 5) == 0 && strncmp(scope + 5, logger, n) == 0 &&
        scope[5 + n] == '-' && scope[6 + n] != '\0') {
        for (const char *c = scope + 6 + n; *c; c++)
            if (*c < '0' || *c > '9')
                return false;
        return true;
    }
    return false;
}

/* The level of the longest logger that covers scope, else root's; loggers_mutex held. */
static int log_effective_level(const char *scope)
{
    int effective = atomic_load(&log_level);
    size_t longest = 0;
    for (size_t i = 0; i < logger_count; i++) {
        size_t len = strlen(loggers[i].name);
        if (len > longest && log_logger_covers(loggers[i].name, scope)) {
            longest = len;
            effective = (int)loggers[i].level;
        }
    }
    return effective;
}

bool log_enabled(ferry_log_level level, const char *scope)
{
    if ((int)level > atomic_load(&log_ceiling))
        return false;
    if (atomic_load(&log_named_count) == 0 || !scope)
        return (int)level <= atomic_load(&log_level);
    pthread_mutex_lock(&loggers_mutex);
    int effective = log_effective_level(scope);
    pthread_mutex_unlock(&loggers_mutex);
    return (int)level <= effective;
}

int log_logger_set(const char *name, ferry_log_level level)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len >= LOG_LOGGER_NAME_MAX)
        return -1;
    long long now = log_now_ms();
    int rc = 0;
    pthread_mutex_lock(&loggers_mutex);
    bool root = strcmp(name, LOG_ROOT_LOGGER) == 0;
    if (root) {
        atomic_store(&log_level, (int)level);
        root_modified_ms = now;
    }
    /* The logger itself and those below it; every one for root. */
    bool found = root;
    for (size_t i = 0; i < logger_count; i++) {
        bool self = strcmp(loggers[i].name, name) == 0;
        bool below = strncmp(loggers[i].name, name, len) == 0 && loggers[i].name[len] == '.';
        if (root || self || below) {
            loggers[i].level = level;
            loggers[i].modified_ms = now;
        }
        found |= self;
    }
    if (!found) {
        if (logger_count == LOG_LOGGERS_MAX) {
            rc = -1;
        } else {
            size_t at = 0;
            while (at < logger_count && strcmp(loggers[at].name, name) < 0)
                at++;
            memmove(&loggers[at + 1], &loggers[at], (logger_count - at) * sizeof(loggers[0]));
            memcpy(loggers[at].name, name, len + 1);
            loggers[at].level = level;
            loggers[at].modified_ms = now;
            logger_count++;
        }
    }
    log_ceiling_update();
    pthread_mutex_unlock(&loggers_mutex);
    return rc;
}

/* Whether name is one of the loggers set; loggers_mutex held. */
static bool log_logger_is_set(const char *name)
{
    for (size_t i = 0; i < logger_count; i++)
        if (strcmp(loggers[i].name, name) == 0)
            return true;
    return false;
}

size_t log_loggers(log_logger_info *out, size_t max)
{
    log_logger_info all[LOG_LISTED_MAX];
    pthread_mutex_lock(&loggers_mutex);
    snprintf(all[0].name, sizeof(all[0].name), "%s", LOG_ROOT_LOGGER);
    all[0].level = (ferry_log_level)atomic_load(&log_level);
    all[0].modified_ms = root_modified_ms;
    /* The loggers set (sorted), merged with the scopes nobody set yet (sorted too). */
    size_t total = 1, set = 0, scope = 0;
    while (set < logger_count || scope < LOG_SCOPE_COUNT) {
        if (scope < LOG_SCOPE_COUNT && log_logger_is_set(log_scopes[scope])) {
            scope++;
            continue;
        }
        if (set < logger_count &&
            (scope == LOG_SCOPE_COUNT || strcmp(loggers[set].name, log_scopes[scope]) < 0)) {
            all[total++] = loggers[set++];
            continue;
        }
        snprintf(all[total].name, sizeof(all[total].name), "%s", log_scopes[scope]);
        all[total].level = (ferry_log_level)log_effective_level(log_scopes[scope]);
        all[total].modified_ms = 0;
        total++;
        scope++;
    }
    pthread_mutex_unlock(&loggers_mutex);
    for (size_t i = 0; i < total && i < max; i++)
        out[i] = all[i];
    return total;
}

bool log_logger_get(const char *name, log_logger_info *out)
{
    log_logger_info all[LOG_LISTED_MAX];
    size_t count = log_loggers(all, LOG_LISTED_MAX);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(all[i].name, name) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

void log_loggers_reset(void)
{
    pthread_mutex_lock(&loggers_mutex);
    logger_count = 0;
    root_modified_ms = 0;
    log_ceiling_update();
    pthread_mutex_unlock(&loggers_mutex);
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
    if (!log_enabled(level, scope))
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
