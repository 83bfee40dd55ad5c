/*
 * plugin_fake_host.h - the host of the plugins' unit tests. The services table is the worker's
 * own (host_services(): config getters, logging, the JSON check, record headers) and configs are
 * the worker's ferry_config, so a plugin under test sees the defaults, parsing and list splitting
 * of a running worker. Only what needs a running connector or task is faked, behind the context
 * (plugin_context_ops): emitting records, reading committed offsets, reporting bad records,
 * reconfiguration requests, gauges, status problems and the largest record a topic takes. The fake records what the plugin did, and
 * captures the worker logger's lines, for the tests' assertions.
 *
 *     file_host = plugin_fake_host_reset();
 *     ferry_config *config = plugin_fake_config_new(file_source_type.config, "file", path,
 *                                                   "topic", "lines", NULL);
 *     file_source_type.source_task->start(plugin_fake_context(), config, &task, err, errlen);
 *     ...poll...
 *     assert_string_equal(fake.records[0].value, "first line");
 */
#ifndef FERRY_TESTS_PLUGIN_FAKE_HOST_H
#define FERRY_TESTS_PLUGIN_FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

#include "config/config_validate.h"
#include "support/strbuf.h"

typedef struct plugin_fake_header {
    char *key;
    char *value; /* NUL-terminated copy; NULL for a null header value */
    size_t value_len;
} plugin_fake_header;

/* A copy of a record the plugin emitted or reported. Keys and values are NUL-terminated copies
 * of their bytes (len excludes the NUL), the compact JSON text of a FERRY_DATA_JSON value that
 * came without its text, NULL for FERRY_DATA_NULL. */
typedef struct plugin_fake_record {
    char *topic;
    int32_t partition;
    int64_t kafka_offset;
    ferry_data_kind key_kind;
    char *key;
    size_t key_len;
    ferry_data_kind kind;
    char *value;
    size_t len;
    json_t *source_partition;
    json_t *source_offset; /* NULL when the record carried none */
    plugin_fake_header *headers;
    size_t header_count;
    char *message; /* record_error_report's message; NULL for an emitted record */
} plugin_fake_record;

typedef struct plugin_fake_host_state {
    /* record_emit */
    plugin_fake_record *records;
    size_t count;
    size_t capacity;
    long refuse_after; /* record_emit answers FERRY_RETRY once count reaches it; -1 never */
    /* record_error_report */
    plugin_fake_record *reports;
    size_t report_count;
    size_t report_capacity;
    bool fail_reports; /* answer FERRY_ERROR, as errors.tolerance=none does */
    /* offset_read: compact, sorted source partition text -> committed offset */
    json_t *committed;
    /* status_problem */
    char *problem;       /* the current one, NULL when none */
    char *first_problem; /* the first one ever set */
    size_t problem_changes;
    /* reconfiguration_request */
    size_t reconfiguration_requests;
    /* metric_set: name -> last value */
    json_t *gauges;
    /* record_max_bytes: the answer for every topic (0, as outside a source task, by default),
     * and the topics asked about, ','-separated */
    int64_t record_max_bytes;
    strbuf record_max_topics;
    /* the worker logger's lines, every level, '\n'-separated */
    strbuf log;
} plugin_fake_host_state;

extern plugin_fake_host_state fake;

/* Empties the fake, points the worker's logger at it (every level; FAKE_HOST_VERBOSE=1 copies
 * the lines to stderr too) and returns the services table to install as the plugin's host. */
const ferry_host *plugin_fake_host_reset(void);
/* Frees what the fake recorded and gives the logger back its default stream. */
void plugin_fake_host_free(void);
/* The context to hand to the plugin's callbacks; its services land in `fake`. */
ferry_context *plugin_fake_context(void);

/* A config over a connector type's definition from "key", "value", ... pairs ending at NULL.
 * Free with ferry_config_destroy. */
ferry_config *plugin_fake_config_new(const ferry_config_key *definition, ...)
    __attribute__((sentinel));
/* The same from a JSON object of strings (borrowed). */
ferry_config *plugin_fake_config_json(const ferry_config_key *definition, json_t *values);

/* Commits the latest offset of every source partition among the records emitted so far, as the
 * worker does once Kafka has them. */
void plugin_fake_commit_all(void);
/* Stores a committed offset (JSON texts). */
void plugin_fake_commit(const char *source_partition, const char *offset);
/* Drops the emitted records (after a simulated restart, say). */
void plugin_fake_records_clear(void);

/* The value of the record's header of that key, NULL when it has none. */
const char *plugin_fake_record_header(const plugin_fake_record *record, const char *key);
/* A gauge's last value, -1 when never set. */
double plugin_fake_gauge(const char *name);
bool plugin_fake_log_contains(const char *needle);

#endif
