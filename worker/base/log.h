/*
 * log.h - the worker's logger: one line per event on stderr, timestamped and scoped
 * ("2026-11-22T10:00:00.123Z INFO  [loader] ..."). Thread-safe. Plugins reach it through the host
 * services table, never directly.
 */
#ifndef FERRY_LOG_H
#define FERRY_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <ferry/plugin.h>

/* Sets where lines go (default stderr) and the most verbose level written (default INFO). */
void log_configure(FILE *stream, ferry_log_level max_level);
ferry_log_level log_max_level(void);
/* Parses "error", "warn", "info", "debug", "trace" (case-insensitive; Kafka's WARN/WARNING too). */
int log_level_parse(const char *text, ferry_log_level *level);
const char *log_level_name(ferry_log_level level);

/* Whether a line of the scope at the level would be written. */
bool log_enabled(ferry_log_level level, const char *scope);

/*
 * Named loggers, as Kafka Connect's /admin/loggers sets them. "root" is the level of every line
 * no other logger covers. A logger covers the scopes it names: a scope ("worker", "rest",
 * "offsets", "connector:orders", "task:orders-0"), the scopes below it ("<name>.", "<name>:"),
 * and, for a connector's name, that connector's and its tasks' lines ("orders" covers
 * "connector:orders" and "task:orders-<n>"). The longest logger that covers a scope decides.
 * Setting a logger also sets the loggers below it ("<name>." prefix); setting root sets them all,
 * as log4j does. Other names (Java class names) are kept and listed, and cover no line.
 *
 * The scopes of ferry's own lines (LOG_SCOPES) are loggers from the start, listed and found
 * with the level that applies to them (root's until one is set), as Kafka Connect's loggers
 * exist before anyone sets them: a client that lists the loggers and then sets one finds them.
 */
#define LOG_LOGGER_NAME_MAX 200
#define LOG_LOGGERS_MAX 64
#define LOG_ROOT_LOGGER "root"
#define LOG_SCOPES                                                                             \
    {"cluster", "configs", "group", "herder", "kafka", "offsets", "plugins", "rest", "status",  \
     "worker"}
#define LOG_SCOPE_COUNT 10
/* The most loggers log_loggers lists: root, the scopes, the loggers set. */
#define LOG_LISTED_MAX (1 + LOG_SCOPE_COUNT + LOG_LOGGERS_MAX)

typedef struct log_logger_info {
    char name[LOG_LOGGER_NAME_MAX];
    ferry_log_level level;
    long long modified_ms; /* when it was last set (ms since the epoch), 0 = never */
} log_logger_info;

/* 0, or -1 when the name is empty or too long, or LOG_LOGGERS_MAX loggers are set already. */
int log_logger_set(const char *name, ferry_log_level level);
/* Root first, then the named loggers (ferry's scopes and those set) by name; returns how many
 * there are (at most max are copied; LOG_LISTED_MAX is enough). */
size_t log_loggers(log_logger_info *out, size_t max);
/* The logger of that name (root included); false when none is set. */
bool log_logger_get(const char *name, log_logger_info *out);
/* Forgets the named loggers and resets root's time (tests). */
void log_loggers_reset(void);

/*
 * Repeats. A line equal to one written less than an interval ago (same level, scope and text) is
 * counted, not written; the count goes out as "<line> (repeated N times in the last S s)" at the
 * first line written after it, when the interval has ended and log_repeats_flush runs, or at
 * shutdown (log_repeats_flush(true)). No line is dropped without its count.
 */
#define LOG_REPEAT_INTERVAL_MS 5000
/* Sets the interval (0: every line is written) and the monotonic clock in ms (NULL: the real
 * one), and forgets what was held back (tests). */
void log_repeat_configure(int64_t interval_ms, int64_t (*clock_ms)(void));
/* Writes the counts held back: every one when all, else those whose interval has ended (call
 * it now and then, and with all at shutdown). */
void log_repeats_flush(bool all);

/*
 * Secrets. A connector registers the literal secrets of its config (see config_redact_secrets);
 * they are replaced with "[hidden]" in every line its scopes ("connector:NAME", "task:NAME-N"
 * and their sub-scopes) write, and in the lines of the worker's own scopes. The password of any
 * URL or connection string is hidden in every line. owner tells registrations apart (one per
 * running connector object); setting again replaces the owner's list.
 */
int log_secrets_set(const void *owner, const char *connector, const char *const *secrets,
                    size_t count);
void log_secrets_forget(const void *owner);
/* A copy of text with what a line of scope would hide hidden: for traces and DLQ headers, which
 * leave the worker as log lines do. NULL out of memory. */
char *log_redact(const char *scope, const char *text);

/* Draws text as a status line on stream (a terminal) without a newline, redrawn after every
 * log line written to the same stream; NULL text (or stream) clears it. Any thread. */
void log_status_line_set(FILE *stream, const char *text);

void log_write(ferry_log_level level, const char *scope, const char *fmt, ...) FERRY_PRINTF(3, 4);
void log_writev(ferry_log_level level, const char *scope, const char *fmt, va_list ap)
    FERRY_PRINTF(3, 0);

#define log_error(scope, ...) log_write(FERRY_LOG_ERROR, scope, __VA_ARGS__)
#define log_warn(scope, ...) log_write(FERRY_LOG_WARN, scope, __VA_ARGS__)
#define log_info(scope, ...) log_write(FERRY_LOG_INFO, scope, __VA_ARGS__)
#define log_debug(scope, ...) log_write(FERRY_LOG_DEBUG, scope, __VA_ARGS__)

#endif
