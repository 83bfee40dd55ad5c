/*
 * log.c - the worker's logger. Every line is built in memory first and written with a single
 * fwrite under a mutex, so lines of concurrent tasks never interleave:
 *
 *   2026-11-22T10:00:00.123Z INFO  [loader] loaded plugin file 1.0.0
 *
 * Under that same mutex, before a line is written, two things happen:
 * - repeats are held back: a line equal to one written less than an interval ago (same level,
 *   scope and text, told apart by a hash kept in a small table) is counted instead of written,
 *   and the count goes out as one line of its own when the interval ends, when another line is
 *   written, or at shutdown (log_repeats_flush). A busy loop that logs cannot fill the disk.
 * - secrets are hidden: the literal secrets each connector registered (log_secrets_set) and the
 *   password of any URL or connection string (support/credential_redact.h).
 */
#include "base/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "support/clock.h"
#include "support/credential_redact.h"

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_stream; /* NULL = stderr; guarded by log_mutex */
/* A status line drawn at the bottom of a terminal (log_status_line_set): log lines clear it,
 * print, and draw it again, so the two never mix on one line. Guarded by log_mutex. */
static char log_status_text[512];
static FILE *log_status_stream; /* where it is drawn, NULL while there is none */

/* The repeat table, guarded by log_mutex. A slot holds the last line written with its hash (a
 * line of another hash that lands there takes it over, after its count is written). */
#define LOG_REPEAT_SLOTS 64
#define LOG_REPEAT_TEXT 256
#define LOG_REPEAT_SCOPE 160

typedef struct log_repeat {
    uint64_t hash;       /* 0: free */
    int64_t since_ms;    /* when the line was written */
    uint64_t suppressed; /* repeats held back since then (or since their count went out) */
    ferry_log_level level;
    char scope[LOG_REPEAT_SCOPE];
    char text[LOG_REPEAT_TEXT]; /* the line as written, for the count's line; cut if long */
} log_repeat;

static log_repeat log_repeats[LOG_REPEAT_SLOTS];
static size_t log_repeats_pending; /* slots whose suppressed count is not 0 */
static int64_t log_repeat_interval_ms = LOG_REPEAT_INTERVAL_MS;
static int64_t (*log_repeat_clock)(void) = clock_monotonic_ms;

/* The secrets registered by connectors, guarded by log_mutex; the total is read without it so
 * that a worker with none pays nothing. */
typedef struct log_secret_set {
    const void *owner;
    char *connector;
    char **secrets; /* longest first, so that a secret inside another never leaves a part */
    size_t count;
} log_secret_set;

static log_secret_set *log_secret_sets;
static size_t log_secret_set_count;
static atomic_size_t log_secret_total;
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

/* ---- secrets ---------------------------------------------------------------------------- */

static int log_secret_longer_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

static void log_secret_set_clear(log_secret_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->secrets[i]);
    free(set->secrets);
    free(set->connector);
    memset(set, 0, sizeof(*set));
}

/* log_mutex held. */
static void log_secret_total_update(void)
{
    size_t total = 0;
    for (size_t i = 0; i < log_secret_set_count; i++)
        total += log_secret_sets[i].count;
    atomic_store(&log_secret_total, total);
}

int log_secrets_set(const void *owner, const char *connector, const char *const *secrets,
                    size_t count)
{
    log_secret_set fresh = {.owner = owner, .count = 0};
    fresh.connector = strdup(connector);
    fresh.secrets = calloc(count ? count : 1, sizeof(char *));
    if (!fresh.connector || !fresh.secrets)
        goto fail;
    for (; fresh.count < count; fresh.count++) {
        fresh.secrets[fresh.count] = strdup(secrets[fresh.count]);
        if (!fresh.secrets[fresh.count])
            goto fail;
    }
    qsort(fresh.secrets, fresh.count, sizeof(char *), log_secret_longer_first);

    pthread_mutex_lock(&log_mutex);
    size_t at = 0;
    while (at < log_secret_set_count && log_secret_sets[at].owner != owner)
        at++;
    if (at == log_secret_set_count) {
        log_secret_set *grown = realloc(log_secret_sets, (at + 1) * sizeof(*grown));
        if (!grown) {
            pthread_mutex_unlock(&log_mutex);
            goto fail;
        }
        log_secret_sets = grown;
        log_secret_set_count++;
    } else {
        log_secret_set_clear(&log_secret_sets[at]);
    }
    log_secret_sets[at] = fresh;
    log_secret_total_update();
    pthread_mutex_unlock(&log_mutex);
    return 0;

fail:
    log_secret_set_clear(&fresh);
    return -1;
}

void log_secrets_forget(const void *owner)
{
    pthread_mutex_lock(&log_mutex);
    for (size_t i = 0; i < log_secret_set_count; i++) {
        if (log_secret_sets[i].owner != owner)
            continue;
        log_secret_set_clear(&log_secret_sets[i]);
        log_secret_sets[i] = log_secret_sets[--log_secret_set_count];
        break;
    }
    if (log_secret_set_count == 0) {
        free(log_secret_sets);
        log_secret_sets = NULL;
    }
    log_secret_total_update();
    pthread_mutex_unlock(&log_mutex);
}

/* Whether scope is one of the connector's: "connector:NAME" or "task:NAME-N", alone or with a
 * sub-scope after '.' or ':'. */
static bool log_scope_of_connector(const char *scope, const char *connector)
{
    size_t n = strlen(connector);
    const char *rest = NULL;
    if (strncmp(scope, "connector:", 10) == 0 && strncmp(scope + 10, connector, n) == 0) {
        rest = scope + 10 + n;
    } else if (strncmp(scope, "task:", 5) == 0 && strncmp(scope + 5, connector, n) == 0 &&
               scope[5 + n] == '-' && scope[6 + n] >= '0' && scope[6 + n] <= '9') {
        rest = scope + 6 + n;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    return rest && (*rest == '\0' || *rest == '.' || *rest == ':');
}

/* Hides in *text (malloc'd, replaced when something is hidden) the secrets that apply to scope:
 * a connector's and its tasks' lines those of that connector, other lines (the worker's, which
 * may quote any connector) every connector's; then the passwords of URLs and connection
 * strings. log_mutex held. 0, or -1 out of memory. */
static int log_hide_locked(const char *scope, char **text)
{
    if (atomic_load(&log_secret_total) > 0) {
        bool connector_scope = scope && (strncmp(scope, "connector:", 10) == 0 ||
                                         strncmp(scope, "task:", 5) == 0);
        for (size_t i = 0; i < log_secret_set_count; i++) {
            const log_secret_set *set = &log_secret_sets[i];
            if (connector_scope && !log_scope_of_connector(scope, set->connector))
                continue;
            for (size_t k = 0; k < set->count; k++)
                if (credential_hide(text, set->secrets[k]) != 0)
                    return -1;
        }
    }
    char *clean;
    int rc = credential_redact(*text, &clean);
    if (rc == 1) {
        free(*text);
        *text = clean;
    }
    return rc < 0 ? -1 : 0;
}

char *log_redact(const char *scope, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy)
        return NULL;
    pthread_mutex_lock(&log_mutex);
    int rc = log_hide_locked(scope, &copy);
    pthread_mutex_unlock(&log_mutex);
    if (rc != 0) {
        free(copy);
        return NULL;
    }
    return copy;
}

/* ---- repeats ---------------------------------------------------------------------------- */

void log_repeat_configure(int64_t interval_ms, int64_t (*clock_ms)(void))
{
    pthread_mutex_lock(&log_mutex);
    log_repeat_interval_ms = interval_ms > 0 ? interval_ms : 0;
    log_repeat_clock = clock_ms ? clock_ms : clock_monotonic_ms;
    memset(log_repeats, 0, sizeof(log_repeats));
    log_repeats_pending = 0;
    pthread_mutex_unlock(&log_mutex);
}

/* FNV-1a over level, scope and text; never 0, which marks a free slot. */
static uint64_t log_repeat_hash(ferry_log_level level, const char *scope, const char *text,
                                size_t len)
{
    uint64_t hash = 14695981039346656037ULL ^ (uint64_t)level;
    for (const char *c = scope ? scope : ""; *c; c++)
        hash = (hash ^ (unsigned char)*c) * 1099511628211ULL;
    hash = (hash ^ 0xff) * 1099511628211ULL; /* scope "a" + text "bc" differs from "ab" + "c" */
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (unsigned char)text[i]) * 1099511628211ULL;
    return hash ? hash : 1;
}

/* One line, as the log writes it; log_mutex held. */
static void log_emit(FILE *stream, ferry_log_level level, const char *scope, const char *text,
                     size_t len, const char *suffix)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    bool scoped = scope && *scope;
    fprintf(stream, "%s.%03ldZ %-5s %s%s%s%.*s%s\n", stamp, now.tv_nsec / 1000000L,
            log_level_name(level), scoped ? "[" : "", scoped ? scope : "", scoped ? "] " : "",
            (int)len, text, suffix ? suffix : "");
}

/* Writes the count of every slot that held lines back (every one, or those whose interval has
 * ended); log_mutex held. */
static void log_repeats_write(FILE *stream, int64_t now_ms, bool all)
{
    for (size_t i = 0; i < LOG_REPEAT_SLOTS && log_repeats_pending > 0; i++) {
        log_repeat *slot = &log_repeats[i];
        bool ended = now_ms - slot->since_ms >= log_repeat_interval_ms;
        if (slot->suppressed == 0 || (!all && !ended))
            continue;
        size_t len = strlen(slot->text);
        char suffix[96];
        snprintf(suffix, sizeof(suffix), "%s (repeated %llu times in the last %g s)",
                 len == LOG_REPEAT_TEXT - 1 ? "..." : "", (unsigned long long)slot->suppressed,
                 (double)log_repeat_interval_ms / 1000.0);
        log_emit(stream, slot->level, slot->scope, slot->text, len, suffix);
        slot->suppressed = 0;
        log_repeats_pending--;
        if (ended)
            slot->hash = 0;
    }
}

/* "\r" and clear to the end of the line: the status line goes before a log line is written. */
static void log_status_hide(FILE *stream)
{
    if (log_status_stream && log_status_stream == stream)
        fputs("\r\033[K", stream);
}

static void log_status_show(FILE *stream)
{
    if (log_status_stream && log_status_stream == stream) {
        fputs(log_status_text, stream);
        fflush(stream);
    }
}

void log_status_line_set(FILE *stream, const char *text)
{
    pthread_mutex_lock(&log_mutex);
    if (log_status_stream)
        fputs("\r\033[K", log_status_stream);
    if (stream && text && text[0]) {
        snprintf(log_status_text, sizeof(log_status_text), "%s", text);
        log_status_stream = stream;
        fputs(log_status_text, stream);
    } else {
        log_status_text[0] = '\0';
        log_status_stream = NULL;
    }
    if (stream)
        fflush(stream);
    pthread_mutex_unlock(&log_mutex);
}

void log_repeats_flush(bool all)
{
    pthread_mutex_lock(&log_mutex);
    if (log_repeats_pending > 0) {
        FILE *stream = log_stream ? log_stream : stderr;
        log_status_hide(stream);
        log_repeats_write(stream, log_repeat_clock(), all);
        fflush(stream);
        log_status_show(stream);
    }
    pthread_mutex_unlock(&log_mutex);
}

/* ---- writing ---------------------------------------------------------------------------- */

void log_writev(ferry_log_level level, const char *scope, const char *fmt, va_list ap)
{
    if (!log_enabled(level, scope))
        return;

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
    uint64_t hash = log_repeat_hash(level, scope, message, len);

    pthread_mutex_lock(&log_mutex);
    FILE *stream = log_stream ? log_stream : stderr;
    int64_t now_ms = log_repeat_clock();
    log_repeat *slot = &log_repeats[hash % LOG_REPEAT_SLOTS];
    if (log_repeat_interval_ms > 0 && slot->hash == hash &&
        now_ms - slot->since_ms < log_repeat_interval_ms) {
        if (slot->suppressed++ == 0)
            log_repeats_pending++;
        pthread_mutex_unlock(&log_mutex);
        if (message != small)
            free(message);
        return;
    }
    log_status_hide(stream);
    /* The counts held back go out before the line that ends their run. */
    log_repeats_write(stream, now_ms, true);

    const char *shown = message;
    char *hidden = NULL;
    if (atomic_load(&log_secret_total) > 0 || memmem(message, len, "://", 3) ||
        memmem(message, len, "password", 8)) {
        hidden = strndup(message, len);
        if (!hidden || log_hide_locked(scope, &hidden) != 0) {
            /* Rather no text than a secret. */
            free(hidden);
            hidden = NULL;
            shown = "(a line that could not be checked for secrets: out of memory)";
            len = strlen(shown);
        } else {
            shown = hidden;
            len = strlen(hidden);
        }
    }
    log_emit(stream, level, scope, shown, len, NULL);
    fflush(stream);
    log_status_show(stream);
    if (log_repeat_interval_ms > 0) {
        slot->hash = hash;
        slot->since_ms = now_ms;
        slot->suppressed = 0;
        slot->level = level;
        snprintf(slot->scope, sizeof(slot->scope), "%s", scope ? scope : "");
        size_t kept = len < LOG_REPEAT_TEXT - 1 ? len : LOG_REPEAT_TEXT - 1;
        memcpy(slot->text, shown, kept);
        slot->text[kept] = '\0';
    }
    pthread_mutex_unlock(&log_mutex);

    free(hidden);
    if (message != small)
        free(message);
}
