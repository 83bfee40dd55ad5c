/*
 * cdc_config.h - the connector's config: the declarative definition of every Debezium
 * PostgreSQL key (which drives validation, `ferry plugins` and the REST API), the parsed config
 * the task works with, the table and column filters and message.key.columns.
 * docs/connectors/postgres-cdc.md documents every key.
 */
#ifndef PGCDC_CDC_CONFIG_H
#define PGCDC_CDC_CONFIG_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

#include "pg_types.h"

typedef enum cdc_snapshot_mode {
    CDC_SNAPSHOT_INITIAL,
    CDC_SNAPSHOT_INITIAL_ONLY,
    CDC_SNAPSHOT_NO_DATA,
    CDC_SNAPSHOT_ALWAYS,
    CDC_SNAPSHOT_WHEN_NEEDED,
} cdc_snapshot_mode;

typedef enum cdc_publication_mode {
    CDC_PUBLICATION_ALL_TABLES,
    CDC_PUBLICATION_FILTERED,
    CDC_PUBLICATION_NO_TABLES,
    CDC_PUBLICATION_DISABLED,
} cdc_publication_mode;

typedef enum cdc_failure_mode {
    CDC_FAILURE_FAIL,
    CDC_FAILURE_WARN,
    CDC_FAILURE_SKIP,
} cdc_failure_mode;

typedef struct cdc_filter {
    regex_t *patterns;
    char **sources; /* the patterns as configured, for messages (NULL-terminated) */
    size_t count;
} cdc_filter;

typedef struct cdc_key_override {
    regex_t table;
    char **columns;
    size_t column_count;
} cdc_key_override;

typedef struct cdc_config {
    /* connection */
    char *hostname;
    int port;
    char *user;
    char *password;
    char *dbname;
    char *sslmode, *sslcert, *sslkey, *sslrootcert, *sslpassword;
    bool tcp_keepalive;
    char *initial_statements;
    int64_t query_timeout_ms;
    /* names */
    char *topic_prefix;
    char *topic_delimiter;
    char *topic_heartbeat_prefix;
    char *topic_transaction;
    /* replication */
    /* application_name of the replication connection: the take-over marker of this task
     * (pg_slot_takeover.h), set by the task at start; "" means "ferry-cdc-stream". */
    char stream_application_name[64];
    bool stream_marked; /* it names the connector and task: take-over is possible */
    char *slot_name;
    bool slot_drop_on_stop;
    int slot_max_retries;
    int64_t slot_retry_delay_ms;
    char *publication_name;
    cdc_publication_mode publication_mode;
    int64_t status_update_interval_ms;
    bool flush_lsn_source;
    int64_t heartbeat_interval_ms;
    int64_t transaction_max_events; /* transaction.boundary=connector: split size */
    char *heartbeat_action_query;
    /* what is captured */
    cdc_filter schema_include, schema_exclude, table_include, table_exclude;
    cdc_filter column_include, column_exclude;
    bool table_ignore_builtin;
    cdc_key_override *key_overrides;
    size_t key_override_count;
    bool skip_create, skip_update, skip_delete, skip_truncate;
    bool tombstones_on_delete;
    bool provide_transaction_metadata;
    /* snapshot */
    cdc_snapshot_mode snapshot_mode;
    int snapshot_fetch_size;
    int64_t snapshot_delay_ms;
    /* values */
    pg_type_options types;
    char *toast_placeholder;
    bool avro_names;
    /* batching */
    int max_batch_size;
    int64_t poll_interval_ms;
    cdc_failure_mode failure_mode;
    /* incremental snapshots and signals */
    char *signal_data_collection; /* "schema.table", NULL: no signal table */
    bool signal_source, signal_kafka;
    char *signal_kafka_topic, *signal_kafka_bootstrap, *signal_kafka_group;
    int incremental_chunk_size;
    int incremental_max_rate; /* rows/s, 0: unlimited */
    bool notification_sink, notification_log;
    char *notification_topic;
    bool read_only;
} cdc_config;

/* The definition, ending with {.name = NULL}. */
extern const ferry_config_key cdc_config_keys[];

/* Debezium keys accepted but not supported yet (NULL-terminated), and key prefixes of the same. */
extern const char *const cdc_config_unsupported_keys[];
/* A value Debezium 3 removed that is still accepted, read as its replacement: the replacement's
 * name for a warning, or NULL when the value is current. */
const char *cdc_config_replaced_value(const char *key, const char *value);
extern const char *const cdc_config_unsupported_prefixes[];

/* Reads the validated config through the host's getters. Returns 0, or -1 with a message naming
 * the key, its value and what is expected (a regex that does not compile, say). */
int cdc_config_parse(cdc_config *config, const ferry_host *host, const ferry_config *source,
                     char *err, size_t errlen);
void cdc_config_release(cdc_config *config);

/* Cross-key checks of a raw config (a JSON object of strings): every problem goes to report. */
void cdc_config_check(json_t *values,
                      void (*report)(void *report_ctx, const char *key, const char *message),
                      void *report_ctx);

/* Splits a Debezium list ("a,b\,c": a backslash escapes the separator) into trimmed,
 * non-empty items (malloc'd, NULL-terminated: free with strlist_array_free); NULL when out of
 * memory. */
char **cdc_list_split(const char *text, char separator);

/* Compiles a Java-style regex as an anchored, case-insensitive POSIX one (\d, \w, \s, (?:...)
 * translated). Returns 0, or the regcomp error with its message. */
int cdc_regex_compile(regex_t *regex, const char *pattern, char *err, size_t errlen);

/* Filters: captured when included (or no include list) and not excluded. */
bool cdc_config_schema_captured(const cdc_config *config, const char *schema_name);
bool cdc_config_table_captured(const cdc_config *config, const char *schema_name,
                               const char *table_name);
/* The position in table.include.list of the first pattern that matches a table
 * ("schema.table"), 0 without a list: Debezium snapshots tables in that order, the tables of one
 * pattern by name. */
size_t cdc_config_table_rank(const cdc_config *config, const char *table_id);
bool cdc_config_column_included(const cdc_config *config, const char *schema_name,
                                const char *table_name, const char *column_name);
/* The message.key.columns override of a table ("schema.table"), or NULL. */
const cdc_key_override *cdc_config_key_override(const cdc_config *config, const char *table_id);

#endif
