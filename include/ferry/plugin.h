/*
 * ferry/plugin.h - the connector plugin ABI.
 *
 * A plugin is a shared module that exports exactly one symbol, FERRY_PLUGIN_ENTRY_SYMBOL
 * ("ferry_plugin_entry"). The host dlopens the module with RTLD_NOW | RTLD_LOCAL, calls the entry
 * once with its services table, checks the descriptor it gets back and never unloads the module.
 *
 * Versioning. The descriptor starts with a magic number, its own size and the ABI version the
 * plugin was built against. The host refuses a plugin whose major differs from its own or whose
 * minor is newer than its own. Within one major, structures only grow at their end, and the
 * services table carries its size so that a plugin built against a newer minor can test for a
 * service before calling it (FERRY_HOST_HAS).
 *
 * Threading. Connector callbacks run on the worker's control thread. Each task runs on a thread of
 * its own and all of that task's callbacks are called from that one thread, so a task needs no
 * locking for its own state. Host services may be called from the thread of the callback that
 * received the context, during that callback or later from the same thread.
 *
 * Ownership. Everything the host passes to a callback (configs, records, JSON values, strings) is
 * borrowed for the duration of that call; copy or json_incref() what you keep. Everything a plugin
 * passes to a host service is borrowed by the host for the duration of that call unless the
 * service says it takes ownership. JSON values are jansson values.
 *
 * Errors. Callbacks return a ferry_status and, on failure, write a one-line, human-readable message
 * into the caller's buffer (ferry_error_set). FERRY_RETRY means "try again later, nothing is lost";
 * FERRY_ERROR is fatal for the connector or task, which becomes FAILED with the message as trace.
 *
 * ABI changelog (newest first; a minor bump only adds at the end of a structure):
 *   2026-12-13  1.7  ferry_progress, ferry_host.progress_report.
 *   2026-12-06  1.6  FERRY_SOURCE_EXACTLY_ONCE, FERRY_SOURCE_TRANSACTION_BOUNDARIES,
 *                    ferry_host.transaction_commit, ferry_host.transaction_abort.
 *   2026-12-06  1.5  ferry_host.record_max_bytes.
 *   2026-12-06  1.4  ferry_connector_type.alter_offsets, ferry_connector_type.task_class.
 *   2026-11-22  1.3  FERRY_SINK_HEADERS_ON_DEMAND, ferry_host.record_headers.
 *   2026-11-22  1.2  ferry_connector_type.flags (FERRY_SINK_JSON_TEXT), ferry_host.json_check.
 *   2026-11-22  1.1  ferry_host.status_problem.
 *   2026-11-22  1.0  First published ABI.
 */
#ifndef FERRY_PLUGIN_H
#define FERRY_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FERRY_PLUGIN_MAGIC 0x46455259u /* "FERY" */
#define FERRY_ABI_MAJOR 1
#define FERRY_ABI_MINOR 7

/* The one symbol a plugin exports. */
#define FERRY_PLUGIN_ENTRY ferry_plugin_entry
#define FERRY_PLUGIN_ENTRY_SYMBOL "ferry_plugin_entry"

#if defined(__GNUC__)
#define FERRY_EXPORT __attribute__((visibility("default")))
#define FERRY_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define FERRY_EXPORT
#define FERRY_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                          */

typedef enum ferry_status {
    FERRY_OK = 0,
    FERRY_RETRY = 1, /* transient: the host backs off and calls again, nothing is lost */
    FERRY_ERROR = 2, /* fatal for this connector or task: it becomes FAILED */
} ferry_status;

/* Writes a message into a caller's error buffer; always NUL-terminates. Returns FERRY_ERROR so
 * that `return ferry_error_set(err, errlen, "...")` reads naturally. */
static inline FERRY_PRINTF(3, 4) ferry_status
ferry_error_set(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return FERRY_ERROR;
}

/* ------------------------------------------------------------------------------------------ */
/* Config definitions: declared once, they drive validation, the REST API's plugin config       */
/* answer, `ferry plugins` and the docs.                                                      */

typedef enum ferry_config_type {
    FERRY_CONFIG_STRING = 1,
    FERRY_CONFIG_INT,      /* 32-bit signed */
    FERRY_CONFIG_LONG,     /* 64-bit signed */
    FERRY_CONFIG_DOUBLE,
    FERRY_CONFIG_BOOLEAN,  /* true | false, case-insensitive */
    FERRY_CONFIG_LIST,     /* comma-separated, items trimmed */
    FERRY_CONFIG_PASSWORD, /* a string that is always sensitive */
    FERRY_CONFIG_CLASS,    /* a Kafka Connect class name or ferry alias */
} ferry_config_type;

typedef enum ferry_config_importance {
    FERRY_IMPORTANCE_HIGH = 1,
    FERRY_IMPORTANCE_MEDIUM,
    FERRY_IMPORTANCE_LOW,
} ferry_config_importance;

/* One config key. An array of them ends with an entry whose name is NULL. */
typedef struct ferry_config_key {
    const char *name;
    ferry_config_type type;
    const char *default_value;          /* as text; NULL = no default */
    bool required;                      /* must be set (a default does not count) */
    ferry_config_importance importance;
    const char *documentation;
    bool sensitive;                     /* never shown in responses or logs */
    const char *const *allowed_values;  /* NULL-terminated, case-insensitive; NULL = any */
    bool has_min, has_max;              /* numeric bounds for INT, LONG and DOUBLE */
    double min, max;
    const char *group;                  /* for the validate answer; NULL = "Common" */
    const char *display_name;           /* NULL = name */
} ferry_config_key;

/* ------------------------------------------------------------------------------------------ */
/* Opaque host handles                                                                        */

typedef struct ferry_context ferry_context; /* one connector or task instance */
typedef struct ferry_config ferry_config;   /* a validated, provider-resolved config */

/* ------------------------------------------------------------------------------------------ */
/* Records                                                                                    */

typedef enum ferry_data_kind {
    FERRY_DATA_NULL = 0,
    FERRY_DATA_BYTES,  /* raw bytes: data/len */
    FERRY_DATA_STRING, /* UTF-8 text: data/len, not NUL-terminated */
    FERRY_DATA_JSON,   /* structured: json, with an optional Connect schema */
} ferry_data_kind;

/* A key or value. Bytes and strings travel as they are: the host never parses them into JSON
 * unless a converter or transform asks for it. For FERRY_DATA_JSON, json is the value and, when
 * data is not NULL, data/len are the exact JSON text it was parsed from (a sink may forward those
 * bytes unchanged instead of serialising the value again).
 *
 * Checked JSON text (since 1.2, sinks that declare FERRY_SINK_JSON_TEXT only): a FERRY_DATA_JSON
 * value may come with json == NULL and schema == NULL. Then data/len are one JSON value whose
 * syntax the host has checked (ferry_host.json_check: exactly one value, surrounding whitespace
 * allowed, strict RFC 8259, valid UTF-8) and which is not the literal null (that becomes
 * FERRY_DATA_NULL). No tree was built; a sink that needs one parses data/len itself. */
typedef struct ferry_data {
    ferry_data_kind kind;
    const void *data;
    size_t len;
    json_t *json;   /* FERRY_DATA_JSON */
    /* Optional Connect schema ({"type":"struct","fields":[..]}) or NULL. A value: never changed
     * once a record carried it (the JSON converter caches its text per object); hand the same
     * object for records of the same shape, a new one for a new shape. */
    json_t *schema;
} ferry_data;

typedef struct ferry_header {
    const char *key;
    const void *value; /* NULL = null header value */
    size_t value_len;
} ferry_header;

#define FERRY_PARTITION_ANY (-1)
#define FERRY_TIMESTAMP_NONE (-1)

typedef struct ferry_record {
    const char *topic;
    int32_t partition;          /* FERRY_PARTITION_ANY lets the producer choose */
    ferry_data key;
    ferry_data value;
    const ferry_header *headers;
    size_t header_count;
    int64_t timestamp_ms;       /* FERRY_TIMESTAMP_NONE = let Kafka set it */
    /* Sources: where this record came from, small JSON objects of primitives. The offset may be
     * NULL on all but the last record of a batch of one source partition: an offset covers every
     * record emitted before it. */
    json_t *source_partition;
    json_t *source_offset;
    /* Sinks: where the record was read from Kafka. */
    int64_t kafka_offset;
} ferry_record;

/* A Kafka topic partition and, where it matters, an offset (the next offset to read). */
typedef struct ferry_topic_partition {
    const char *topic;
    int32_t partition;
    int64_t offset;
} ferry_topic_partition;

/* A source offset durably committed to the offsets topic. */
typedef struct ferry_source_offset {
    json_t *partition;
    json_t *offset;
} ferry_source_offset;

/* Since 1.7: where one item of long work stands (ferry_host.progress_report). */
typedef enum ferry_progress_state {
    FERRY_PROGRESS_PENDING = 1, /* not started yet (a table after the one being read) */
    FERRY_PROGRESS_RUNNING,     /* being read */
    FERRY_PROGRESS_DONE,        /* read to its end: done is the exact count, 100% */
    FERRY_PROGRESS_CAUGHT_UP,   /* at the end of something that grows (a file being tailed) */
    FERRY_PROGRESS_ABORTED,     /* given up (the snapshot failed) */
    FERRY_PROGRESS_FORGET,      /* the item is no longer followed: the host drops it */
} ferry_progress_state;

typedef struct ferry_progress {
    size_t struct_size;         /* sizeof(ferry_progress) */
    const char *item;           /* what is read: "public.orders", "/var/log/app.log" */
    const char *phase;          /* the work: "snapshot", "backfill" */
    const char *unit;           /* what done and total count: "rows", "bytes" */
    ferry_progress_state state;
    int64_t done;               /* units read so far */
    int64_t total;              /* units in all, an estimate while running; -1 when unknown */
    int64_t records;            /* records made so far (a file's lines); -1: done counts them */
    int64_t items_total;        /* how many items the phase has in all (tables of the
                                 * snapshot); 0 when every item is reported */
} ferry_progress;

/* ------------------------------------------------------------------------------------------ */
/* Host services. The host passes this table to the entry function; it lives as long as the  */
/* process. Fields are only ever added at the end.                                            */

typedef enum ferry_log_level {
    FERRY_LOG_ERROR = 1,
    FERRY_LOG_WARN,
    FERRY_LOG_INFO,
    FERRY_LOG_DEBUG,
    FERRY_LOG_TRACE,
} ferry_log_level;

typedef struct ferry_host {
    size_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;

    /* Logs a line scoped to the instance ("[task:es-sink-0] ..."); ctx may be NULL. Never print
     * to stdout or stderr yourself. */
    void (*log)(ferry_context *ctx, ferry_log_level level, const char *fmt, ...) FERRY_PRINTF(3, 4);

    /* Typed config getters. A value not set falls back to the key's default. The string returned
     * by config_string is owned by the config and valid as long as the config. Numeric and
     * boolean getters return 0/false for an unset key without default; the config was validated
     * against the definition before the plugin sees it, so types are right. */
    const char *(*config_string)(const ferry_config *config, const char *key);
    int64_t (*config_int)(const ferry_config *config, const char *key);
    double (*config_double)(const ferry_config *config, const char *key);
    bool (*config_bool)(const ferry_config *config, const char *key);
    /* Items of a LIST key, NULL-terminated, owned by the config; never NULL. */
    const char *const *(*config_list)(const ferry_config *config, const char *key);
    /* The whole config as a JSON object of strings, borrowed (for task_configs, say). */
    json_t *(*config_json)(const ferry_config *config);

    /* Sources: the last committed offset of a source partition as a new reference, or NULL when
     * there is none. Call from the task's start or poll. */
    json_t *(*offset_read)(ferry_context *ctx, json_t *source_partition);

    /* Sources, during poll: hands one record to the host, which copies what it needs before
     * returning. FERRY_RETRY means the host's buffer is full: stop emitting and return from
     * poll; the record was not taken. */
    ferry_status (*record_emit)(ferry_context *ctx, const ferry_record *record);

    /* Reports a record the plugin cannot process. The runtime applies errors.tolerance: FERRY_OK
     * means the record was tolerated (logged, sent to the dead-letter queue) and the plugin goes
     * on; FERRY_ERROR means the task must fail (return FERRY_ERROR from the callback). */
    ferry_status (*record_error_report)(ferry_context *ctx, const ferry_record *record,
                                        const char *message);

    /* Connectors: asks the host to call task_configs again and restart the tasks (the set of
     * tables or files changed, say). */
    void (*reconfiguration_request)(ferry_context *ctx);

    /* Publishes a gauge under /metrics for this instance (slot lag, say). */
    void (*metric_set)(ferry_context *ctx, const char *name, double value);

    /* Since 1.1. Sets (message != NULL) or clears (NULL) a problem that does not stop the
     * instance: a file it cannot read, a table it cannot see. The instance stays RUNNING and the
     * message shows as the trace of its status until cleared; the host logs each new message
     * once as a warning. One message per instance: a new one replaces the old. */
    void (*status_problem)(ferry_context *ctx, const char *message);

    /* Since 1.2. Checks that text holds exactly one JSON value (strict RFC 8259: no comments,
     * no trailing commas, valid UTF-8 and paired surrogate escapes in strings, at most 2048
     * levels of nesting; whitespace around it allowed) without building or allocating anything.
     * FERRY_OK with, when shape is not NULL, FERRY_JSON_* flags; FERRY_ERROR with the problem
     * and its byte offset in why ("a missing ',' or '}' at byte 17"). Any thread may call it. */
    ferry_status (*json_check)(const void *text, size_t len, uint32_t *shape, char *why,
                               size_t whylen);

    /* Since 1.3. The headers of a record: sets *count and returns them (NULL when there are
     * none). For a record of the batch a sink's put is given, valid until put returns; this is
     * how a sink that declares FERRY_SINK_HEADERS_ON_DEMAND reads headers. For any other record,
     * its own headers and header_count. Call from the task's thread. */
    const ferry_header *(*record_headers)(ferry_context *ctx, const ferry_record *record,
                                          size_t *count);

    /* Since 1.5. Sources: the largest record the task can send to topic, in bytes as Kafka
     * counts a record batch that holds it alone: the lower of the task producer's
     * message.max.bytes (as the worker's producer.* and the connector's producer.override.*
     * configure it) and the topic's max.message.bytes as the broker reports it (the broker's
     * message.max.bytes for a topic that does not exist yet). A record counts its key and value
     * as the converters write them, each header's name and value, and framing: 61 bytes of
     * batch header, at most 36 bytes of its own and 10 per header. A larger record is refused
     * (by the producer or the broker) and goes to the error handler. When the broker does not
     * say (no DescribeConfigs ACL, no answer in time) the producer's limit is returned and the
     * task logs why. The first call for a topic may ask the broker (a round trip, at most a few
     * seconds); later ones are answered from the task's cache. 0 when it cannot be known
     * (outside a running source task). Call from the task's start or poll. */
    int64_t (*record_max_bytes)(ferry_context *ctx, const char *topic);

    /* Since 1.6. Connector-defined transaction boundaries (Kafka Connect's TransactionContext),
     * for a source type that declares FERRY_SOURCE_TRANSACTION_BOUNDARIES, during its poll.
     * They act only when the worker runs exactly-once sources and the connector has
     * transaction.boundary=connector; otherwise they do nothing, so a plugin calls them
     * unconditionally. transaction_commit: the records emitted so far (the last one included)
     * and their source offsets form one transaction, committed before the call returns; the
     * task's commit callback hears about it after poll returns. transaction_abort: the records
     * emitted since the last commit are discarded (read_committed consumers never see them) and
     * their offsets are not committed; the task goes on with its next record, so a plugin that
     * wants them again emits them again. Call from the task's thread. */
    void (*transaction_commit)(ferry_context *ctx);
    void (*transaction_abort)(ferry_context *ctx);

    /* Since 1.7. Sources: the progress of one item of long work (a table of a snapshot, a file
     * read from behind its end). The host keeps the latest report of each item, times the
     * reports to compute rates over a sliding window and an ETA, and shows them in the task's
     * status (the "work" object of "progress"), on /metrics and at `ferry standalone`'s
     * terminal. Call from the task's start or poll, whenever the count moved (once per poll is
     * plenty; the host keeps what it needs). A report of a new item adds it; state
     * FERRY_PROGRESS_FORGET removes it. */
    void (*progress_report)(ferry_context *ctx, const ferry_progress *progress);
} ferry_host;

/* Shape flags of ferry_host.json_check. */
#define FERRY_JSON_OBJECT 0x1u   /* the value is an object */
#define FERRY_JSON_NEWLINES 0x2u /* there is a line break between its tokens (it is not one
                                  * line; a line break can only be whitespace in valid JSON) */

/* True when the host's table has the field: test before calling a service newer than 1.0. */
#define FERRY_HOST_HAS(host, field) \
    ((host)->struct_size >= offsetof(ferry_host, field) + sizeof((host)->field) && (host)->field)

/* ------------------------------------------------------------------------------------------ */
/* Callbacks                                                                                  */

/* A connector turns its config into task configs. Runs on the control thread. */
typedef struct ferry_connector_callbacks {
    /* Optional checks beyond the declarative definition (cross-key rules, reachability). Report
     * each problem with report(key, message); return FERRY_ERROR only when validation itself
     * could not run. */
    ferry_status (*validate)(const ferry_config *config,
                             void (*report)(void *report_ctx, const char *key, const char *message),
                             void *report_ctx, char *err, size_t errlen);
    /* Required. Stores its state in *state. */
    ferry_status (*start)(ferry_context *ctx, const ferry_config *config, void **state,
                          char *err, size_t errlen);
    /* Required. Sets *task_configs to a new JSON array of at most max_tasks objects of strings
     * (ownership passes to the host). An empty array runs no task. */
    ferry_status (*task_configs)(void *state, int max_tasks, json_t **task_configs,
                                 char *err, size_t errlen);
    /* Required. Frees the state; must not fail. */
    void (*stop)(void *state);
} ferry_connector_callbacks;

typedef struct ferry_source_task_callbacks {
    /* Required. The config is the task's config (from task_configs) merged over the
     * connector's. */
    ferry_status (*start)(ferry_context *ctx, const ferry_config *config, void **state,
                          char *err, size_t errlen);
    /* Required. Emits zero or more records with host->record_emit and returns within about
     * timeout_ms. Returning FERRY_OK having emitted nothing means "idle". */
    ferry_status (*poll)(void *state, int timeout_ms, char *err, size_t errlen);
    /* Optional. Offsets up to these are durable in the offsets topic (and so are the records
     * they cover): release what they protect (confirm the LSN, say). */
    void (*commit)(void *state, const ferry_source_offset *offsets, size_t count);
    /* Required. Frees the state; must not fail. */
    void (*stop)(void *state);
} ferry_source_task_callbacks;

typedef struct ferry_sink_task_callbacks {
    ferry_status (*start)(ferry_context *ctx, const ferry_config *config, void **state,
                          char *err, size_t errlen);
    /* Optional. Partitions assigned to / taken from this task. close is called after a final
     * flush and commit of those partitions. */
    ferry_status (*open)(void *state, const ferry_topic_partition *partitions, size_t count,
                         char *err, size_t errlen);
    ferry_status (*close)(void *state, const ferry_topic_partition *partitions, size_t count,
                          char *err, size_t errlen);
    /* Required. Takes a batch in Kafka order per partition. FERRY_RETRY: the host pauses and
     * calls put again with the same batch. */
    ferry_status (*put)(void *state, const ferry_record *records, size_t count,
                        char *err, size_t errlen);
    /* Required. Makes everything put so far durable up to the given offsets (next offset to
     * read per partition). May lower an offset in place to what is really durable; the host
     * commits what it gets back. FERRY_RETRY: the host calls flush again later. */
    ferry_status (*flush)(void *state, ferry_topic_partition *offsets, size_t count,
                          char *err, size_t errlen);
    /* Required. Frees the state; must not fail. */
    void (*stop)(void *state);
} ferry_sink_task_callbacks;

/* ------------------------------------------------------------------------------------------ */
/* Descriptors                                                                                */

typedef enum ferry_connector_kind {
    FERRY_CONNECTOR_SOURCE = 1,
    FERRY_CONNECTOR_SINK = 2,
} ferry_connector_kind;

/* ferry_connector_type.flags (since 1.2). */
/* A sink that takes JSON values as checked text: when the connector's value converter is
 * JsonConverter with schemas.enable=false, the host checks each value's syntax without building
 * a tree and hands it as FERRY_DATA_JSON with json == NULL and data/len the checked text (see
 * ferry_data), unless a transform read the value (then json is its tree). A malformed value is a
 * value converter error as before. A sink without the flag always gets the tree. */
#define FERRY_SINK_JSON_TEXT 0x1u
/* Since 1.3. A sink that reads record headers only through ferry_host.record_headers: when no
 * transform or predicate of the connector reads or writes headers, the host may hand its records without their headers
 * (headers == NULL, header_count == 0) and reads a batch's headers from Kafka only when the sink
 * first asks for them (librdkafka allocates for every record whose headers it is asked for). A sink that reads
 * headers for some configs only, or never, saves that work on every record. */
#define FERRY_SINK_HEADERS_ON_DEMAND 0x2u
/* Since 1.6, sources (Kafka Connect's ExactlyOnceSupport.SUPPORTED): the type resumes exactly
 * from the offsets it reads back (offset_read) and emits the same records after them, so a
 * worker with exactly-once sources delivers each record once. Without it a connector with
 * exactly.once.support=required is refused. */
#define FERRY_SOURCE_EXACTLY_ONCE 0x4u
/* Since 1.6, sources (Kafka Connect's ConnectorTransactionBoundaries.SUPPORTED): the type calls
 * ferry_host.transaction_commit / transaction_abort; without it transaction.boundary=connector
 * is refused. */
#define FERRY_SOURCE_TRANSACTION_BOUNDARIES 0x8u

typedef struct ferry_connector_type {
    size_t struct_size;                 /* sizeof(ferry_connector_type) */
    ferry_connector_kind kind;
    const char *name;                   /* "FileSource": unique across all plugins */
    const char *const *aliases;         /* NULL-terminated Kafka Connect class names, or NULL */
    const char *description;
    const ferry_config_key *config;     /* ends with {.name = NULL}; may be NULL */
    const ferry_connector_callbacks *connector;
    const ferry_source_task_callbacks *source_task; /* kind SOURCE */
    const ferry_sink_task_callbacks *sink_task;     /* kind SINK */
    /* Since 1.2: FERRY_SINK_* flags (sinks); since 1.6 FERRY_SOURCE_* flags (sources). The
     * host reads it only when struct_size covers it, so a type built against 1.0 or 1.1 has
     * none. */
    uint32_t flags;
    /* Since 1.4, optional: Kafka Connect's alterOffsets. Called before offsets a user alters
     * (PATCH /connectors/{c}/offsets) or resets (DELETE, each known partition with offset NULL)
     * are written, with the connector's validated config; the connector is stopped and no
     * instance of it runs. Sources get their source partitions and offsets; sinks get
     * {"kafka_topic","kafka_partition"} partitions and {"kafka_offset"} offsets (the host has
     * checked that shape). FERRY_OK accepts them all; FERRY_ERROR refuses the whole request,
     * with a message naming the partition and the field that is wrong: nothing is written and
     * the client gets a 400 with the message. NULL accepts every offset (as before 1.4). Runs
     * on a thread of the REST server, never beside another callback of the same type. */
    ferry_status (*alter_offsets)(const ferry_config *config, const ferry_source_offset *offsets,
                                  size_t count, char *err, size_t errlen);
    /* Since 1.4, optional: the Kafka Connect task class (FileStreamSourceTask's full name, say)
     * that the host writes as "task.class" into each task config of the config topic, so that a
     * Kafka Connect worker can take the tasks over. NULL: the host writes the type's name with
     * "Task" appended. */
    const char *task_class;
} ferry_connector_type;

typedef struct ferry_plugin {
    uint32_t magic;                     /* FERRY_PLUGIN_MAGIC */
    uint32_t struct_size;               /* sizeof(ferry_plugin) */
    uint32_t abi_major;                 /* FERRY_ABI_MAJOR */
    uint32_t abi_minor;                 /* FERRY_ABI_MINOR */
    const char *name;
    const char *version;
    const ferry_connector_type *const *connectors; /* NULL-terminated */
} ferry_plugin;

/* Fills the version fields; put it first in a designated initializer. */
#define FERRY_PLUGIN_HEADER                                                          \
    .magic = FERRY_PLUGIN_MAGIC, .struct_size = sizeof(ferry_plugin),                \
    .abi_major = FERRY_ABI_MAJOR, .abi_minor = FERRY_ABI_MINOR

/* The entry point every plugin defines:
 *
 *     FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *host);
 *
 * It keeps the host pointer for later service calls and returns a descriptor that lives as long
 * as the process (a static const). It must not start threads or do I/O. */
typedef const ferry_plugin *(*ferry_plugin_entry_fn)(const ferry_host *host);

/* Declared here so that a plugin's definition is checked against the one signature. */
FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *host);

#ifdef __cplusplus
}
#endif

#endif /* FERRY_PLUGIN_H */
