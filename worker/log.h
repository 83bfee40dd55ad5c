/*
 * log.h - the worker's logger: one line per event on stderr, timestamped and scoped
 * ("2026-11-22T10:00:00.123Z INFO  [loader] ..."). Thread-safe. Plugins reach it through the host
 * services table, never directly.
 */
#ifndef FERRY_LOG_H
#define FERRY_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include <ferry/plugin.h>

/* Sets where lines go (default stderr) and the most verbose level written (default INFO). */
void log_configure(FILE *stream, ferry_log_level max_level);
ferry_log_level log_max_level(void);
/* Parses "error", "warn", "info", "debug", "trace" (case-insensitive; Kafka's WARN/WARNING too). */
int log_level_parse(const char *text, ferry_log_level *level);
const char *log_level_name(ferry_log_level level);

void log_write(ferry_log_level level, const char *scope, const char *fmt, ...) FERRY_PRINTF(3, 4);
void log_writev(ferry_log_level level, const char *scope, const char *fmt, va_list ap);

#define log_error(scope, ...) log_write(FERRY_LOG_ERROR, scope, __VA_ARGS__)
#define log_warn(scope, ...) log_write(FERRY_LOG_WARN, scope, __VA_ARGS__)
#define log_info(scope, ...) log_write(FERRY_LOG_INFO, scope, __VA_ARGS__)
#define log_debug(scope, ...) log_write(FERRY_LOG_DEBUG, scope, __VA_ARGS__)

#endif
