/*
 * es_fake_host.h - a services table for unit tests of the Elasticsearch sink: configs from
 * key/value pairs over ElasticsearchSink's definition (defaults as the worker applies them), an
 * error handler that records what it is handed (and answers OK or ERROR on demand), the last
 * status problem, gauges and log lines.
 */
#ifndef FERRY_TESTS_ES_FAKE_HOST_H
#define FERRY_TESTS_ES_FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

typedef struct es_fake_report {
    char *topic;
    int32_t partition;
    int64_t offset;
    char *key;   /* NULL for a null key */
    char *value; /* NULL for a null value */
    char *message;
} es_fake_report;

typedef struct es_fake_host_state {
    es_fake_report *reports;
    size_t report_count;
    bool fail_reports;  /* record_error_report answers FERRY_ERROR (errors.tolerance=none) */
    char *problem;      /* current status problem */
    char *first_problem; /* the first status problem set */
    size_t problem_changes;
    char *log;          /* every line, '\n'-separated */
    size_t log_len;
    double gauges[32];
    char gauge_names[32][64];
    size_t gauge_count;
} es_fake_host_state;

extern es_fake_host_state es_fake;

/* Installs the fake as the plugin's host (es_host) and empties it. */
void es_fake_host_reset(void);
void es_fake_host_free(void);
ferry_context *es_fake_context(void);

/* A config of ElasticsearchSink from "key", "value", ..., NULL. */
ferry_config *es_fake_config_new(const char *key, ...) __attribute__((sentinel));
void es_fake_config_free(ferry_config *config);

bool es_fake_log_contains(const char *needle);
/* A gauge's last value, -1 when never set. */
double es_fake_gauge(const char *name);

#endif
