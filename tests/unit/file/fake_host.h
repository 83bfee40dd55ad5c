/*
 * fake_host.h - a services table for unit tests of the file plugin's tasks: configs from JSON
 * (with the connector type's defaults), a committed-offset store, record_emit that copies what
 * it is given (and can answer FERRY_RETRY on demand), and the last status problem and log lines.
 */
#ifndef FERRY_TESTS_FILE_FAKE_HOST_H
#define FERRY_TESTS_FILE_FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

typedef struct fake_record {
    char *topic;
    ferry_data_kind kind;
    char *value; /* NUL-terminated copy; len excludes the NUL */
    size_t len;
    json_t *partition;
    json_t *offset; /* NULL when the record carried none */
    char *header_path;
    char *header_offset;
} fake_record;

typedef struct fake_host_state {
    json_t *committed;       /* compact sorted partition text -> offset */
    fake_record *records;
    size_t count;
    size_t capacity;
    long refuse_after;       /* record_emit answers FERRY_RETRY once count reaches it; -1 never */
    char *problem;           /* the current status problem, NULL when none */
    size_t problem_changes;
    char *log;               /* every log line, '\n'-separated */
    size_t log_len;
} fake_host_state;

extern fake_host_state fake;

/* Installs the fake as the plugin's host and empties it. */
void fake_host_reset(void);
void fake_host_free(void);
const ferry_host *fake_host_table(void);
ferry_context *fake_context(void);

/* A config of the given keys over a connector type's definition ("key", "value", ..., NULL). */
ferry_config *fake_config_new(const ferry_config_key *definition, ...);
void fake_config_free(ferry_config *config);

/* Commits the latest offset of every partition among the records emitted so far, as the worker
 * does once they are acknowledged. */
void fake_commit_all(void);
/* Stores a committed offset (JSON texts). */
void fake_commit(const char *partition, const char *offset);
/* Drops the emitted records (after a simulated restart, say). */
void fake_records_clear(void);
bool fake_log_contains(const char *needle);

#endif
