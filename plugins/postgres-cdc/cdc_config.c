/*
 * cdc_config.c - the config definition (Debezium's keys, names and defaults), its parsing, the
 * filters and message.key.columns (see cdc_config.h).
 */
#include "cdc_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "support/config_bind.h"
#include "support/strbuf.h"
#include "support/strlist.h"

static const char *const plugin_names[] = {"pgoutput", "decoderbufs", NULL};
static const char *const snapshot_modes[] = {"initial", "initial_only", "never", "no_data",
                                             "always", "when_needed", "exported", NULL};
static const char *const publication_modes[] = {"all_tables", "filtered", "no_tables",
                                                "disabled", NULL};
static const char *const decimal_modes[] = {"precise", "double", "string", NULL};
static const char *const time_modes[] = {"adaptive", "adaptive_time_microseconds", "connect",
                                         NULL};
static const char *const interval_modes[] = {"numeric", "string", NULL};
static const char *const binary_modes[] = {"bytes", "base64", "base64-url-safe", "hex", NULL};
static const char *const ssl_modes[] = {"disable", "allow", "prefer", "require", "verify-ca",
                                        "verify-full", NULL};
static const char *const failure_modes[] = {"fail", "warn", "skip", "ignore", NULL};
static const char *const name_modes[] = {"none", "avro", "avro_unicode", NULL};
static const char *const isolation_modes[] = {"serializable", "repeatable_read",
                                              "read_committed", "read_uncommitted", NULL};
static const char *const locking_modes[] = {"none", "shared", NULL};

#define KEY(n, t, d, imp, g, doc) \
    {.name = (n), .type = (t), .default_value = (d), .importance = (imp), .group = (g), \
     .documentation = (doc)}
#define UNSUPPORTED(n, t, d) \
    {.name = (n), .type = (t), .default_value = (d), .importance = FERRY_IMPORTANCE_LOW, \
     .group = "Not supported yet", \
     .documentation = "Debezium key, not supported yet: accepted with a warning, no effect."}

const ferry_config_key cdc_config_keys[] = {
    /* connection */
    {.name = "database.hostname", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Connection",
     .documentation = "Host name or address of the PostgreSQL server."},
    {.name = "database.port", .type = FERRY_CONFIG_INT, .default_value = "5432",
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Connection", .has_min = true, .min = 1,
     .has_max = true, .max = 65535, .documentation = "Port of the PostgreSQL server."},
    {.name = "database.user", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Connection",
     .documentation = "Role to connect as: needs LOGIN and REPLICATION (or superuser) and SELECT "
                      "on the captured tables."},
    {.name = "database.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Connection", .sensitive = true,
     .documentation = "Password of database.user."},
    {.name = "database.dbname", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Connection",
     .documentation = "Database to capture."},
    {.name = "database.sslmode", .type = FERRY_CONFIG_STRING, .default_value = "prefer",
     .allowed_values = ssl_modes, .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Connection",
     .documentation = "libpq sslmode: disable, allow, prefer, require, verify-ca, verify-full."},
    KEY("database.sslcert", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM, "Connection",
        "File of the client certificate."),
    KEY("database.sslkey", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM, "Connection",
        "File of the client private key."),
    {.name = "database.sslpassword", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Connection", .sensitive = true,
     .documentation = "Password of the client private key."},
    KEY("database.sslrootcert", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM, "Connection",
        "File of the root certificates the server is checked against."),
    KEY("database.tcpKeepAlive", FERRY_CONFIG_BOOLEAN, "true", FERRY_IMPORTANCE_LOW,
        "Connection", "TCP keepalives on the connections to the server."),
    KEY("database.initial.statements", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_LOW,
        "Connection",
        "SQL statements run on the regular connection when it connects, separated by ';' (';;' "
        "for a literal ';')."),
    {.name = "database.query.timeout.ms", .type = FERRY_CONFIG_INT, .default_value = "600000",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Connection", .has_min = true, .min = 0,
     .documentation = "statement_timeout of the regular connection (0 = none)."},
    {.name = "topic.prefix", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Connection",
     .documentation = "Logical name of the server: the prefix of every topic and the source "
                      "partition of the offsets."},
    {.name = "plugin.name", .type = FERRY_CONFIG_STRING, .default_value = "pgoutput",
     .allowed_values = plugin_names, .importance = FERRY_IMPORTANCE_MEDIUM,
     .group = "Replication",
     .documentation = "Logical decoding plugin: only pgoutput (built into PostgreSQL 10+) is "
                      "supported."},
    /* replication */
    KEY("slot.name", FERRY_CONFIG_STRING, "debezium", FERRY_IMPORTANCE_MEDIUM, "Replication",
        "Name of the logical replication slot; created when missing."),
    KEY("slot.drop.on.stop", FERRY_CONFIG_BOOLEAN, "false", FERRY_IMPORTANCE_MEDIUM,
        "Replication", "Drop the slot when the task stops (the position is lost)."),
    {.name = "slot.max.retries", .type = FERRY_CONFIG_INT, .default_value = "6",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Replication", .has_min = true, .min = 0,
     .documentation = "How often to retry getting a slot that another process holds."},
    {.name = "slot.retry.delay.ms", .type = FERRY_CONFIG_LONG, .default_value = "10000",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Replication", .has_min = true, .min = 0,
     .documentation = "Wait between those retries; also the longest reconnect back-off."},
    KEY("publication.name", FERRY_CONFIG_STRING, "dbz_publication", FERRY_IMPORTANCE_MEDIUM,
        "Replication", "Name of the publication streamed by pgoutput."),
    {.name = "publication.autocreate.mode", .type = FERRY_CONFIG_STRING,
     .default_value = "all_tables", .allowed_values = publication_modes,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Replication",
     .documentation = "all_tables: create the publication FOR ALL TABLES when missing; "
                      "filtered: create it for the captured tables, and set its tables to them "
                      "when it exists; no_tables: create it empty; disabled: never create it, "
                      "fail when it is missing."},
    {.name = "status.update.interval.ms", .type = FERRY_CONFIG_INT, .default_value = "10000",
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Replication", .has_min = true, .min = 1,
     .documentation = "Interval of the standby status updates sent to the server."},
    KEY("flush.lsn.source", FERRY_CONFIG_BOOLEAN, "true", FERRY_IMPORTANCE_LOW, "Replication",
        "Confirm the processed LSN to the server; false leaves the slot to another tool."),
    {.name = "heartbeat.interval.ms", .type = FERRY_CONFIG_INT, .default_value = "0",
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Replication", .has_min = true, .min = 0,
     .documentation = "Interval of heartbeat records (0 = none) to "
                      "<topic.heartbeat.prefix>.<topic.prefix>."},
    KEY("heartbeat.action.query", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_LOW,
        "Replication", "SQL run on the regular connection at each heartbeat."),
    KEY("topic.heartbeat.prefix", FERRY_CONFIG_STRING, "__debezium-heartbeat",
        FERRY_IMPORTANCE_LOW, "Replication", "Prefix of the heartbeat topic."),
    /* what is captured */
    KEY("schema.include.list", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_HIGH, "Filters",
        "Regular expressions (comma-separated) of the schemas to capture."),
    KEY("schema.exclude.list", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_HIGH, "Filters",
        "Regular expressions of schemas not to capture."),
    KEY("table.include.list", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_HIGH, "Filters",
        "Regular expressions of the tables to capture, as schema.table."),
    KEY("table.exclude.list", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_HIGH, "Filters",
        "Regular expressions of tables not to capture, as schema.table."),
    KEY("column.include.list", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM, "Filters",
        "Regular expressions of the columns in event values, as schema.table.column."),
    KEY("column.exclude.list", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM, "Filters",
        "Regular expressions of columns left out of event values, as schema.table.column."),
    KEY("table.ignore.builtin", FERRY_CONFIG_BOOLEAN, "true", FERRY_IMPORTANCE_LOW, "Filters",
        "Never capture the system schemas."),
    KEY("message.key.columns", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM, "Filters",
        "Key columns per table: <table regex>:<column>,<column>;... (default: the primary "
        "key)."),
    KEY("skipped.operations", FERRY_CONFIG_STRING, "t", FERRY_IMPORTANCE_LOW, "Filters",
        "Operations not emitted, comma-separated: c, u, d, t, or none."),
    KEY("tombstones.on.delete", FERRY_CONFIG_BOOLEAN, "true", FERRY_IMPORTANCE_MEDIUM, "Filters",
        "Emit a tombstone (null value) after each delete event."),
    KEY("provide.transaction.metadata", FERRY_CONFIG_BOOLEAN, "false", FERRY_IMPORTANCE_LOW,
        "Filters",
        "Add the transaction block to events and write BEGIN/END events to "
        "<topic.prefix>.<topic.transaction>."),
    KEY("topic.transaction", FERRY_CONFIG_STRING, "transaction", FERRY_IMPORTANCE_LOW, "Filters",
        "Suffix of the transaction metadata topic."),
    KEY("topic.delimiter", FERRY_CONFIG_STRING, ".", FERRY_IMPORTANCE_LOW, "Filters",
        "Delimiter between the topic prefix, the schema and the table."),
    /* snapshot */
    {.name = "snapshot.mode", .type = FERRY_CONFIG_STRING, .default_value = "initial",
     .allowed_values = snapshot_modes, .importance = FERRY_IMPORTANCE_MEDIUM,
     .group = "Snapshot",
     .documentation = "initial: snapshot when there is no offset, then stream; initial_only: "
                      "snapshot, no stream; no_data: no snapshot; always: snapshot at every "
                      "start, then stream from it; when_needed: also when the slot's position "
                      "was lost. never and exported (removed in Debezium 3) are read as no_data "
                      "and initial, with a warning."},
    {.name = "snapshot.fetch.size", .type = FERRY_CONFIG_INT, .default_value = "10240",
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Snapshot", .has_min = true, .min = 1,
     .documentation = "Rows per snapshot chunk (chunks are read by primary key)."},
    {.name = "snapshot.delay.ms", .type = FERRY_CONFIG_LONG, .default_value = "0",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Snapshot", .has_min = true, .min = 0,
     .documentation = "Wait before the snapshot starts."},
    {.name = "snapshot.isolation.mode", .type = FERRY_CONFIG_STRING,
     .default_value = "serializable", .allowed_values = isolation_modes,
     .importance = FERRY_IMPORTANCE_LOW, .group = "Snapshot",
     .documentation = "Accepted: the snapshot always reads the slot's exported snapshot in a "
                      "REPEATABLE READ transaction."},
    {.name = "snapshot.locking.mode", .type = FERRY_CONFIG_STRING, .default_value = "none",
     .allowed_values = locking_modes, .importance = FERRY_IMPORTANCE_LOW, .group = "Snapshot",
     .documentation = "Accepted: no table locks are taken."},
    /* incremental snapshots and signals */
    KEY("signal.data.collection", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM,
        "Signals",
        "The signal table, schema.table, with columns (id, type, data) of text types: rows "
        "inserted into it are signals (execute-snapshot, stop-snapshot, pause-snapshot, "
        "resume-snapshot); the incremental snapshot writes its watermarks into it unless "
        "read.only=true. It must be in the publication (filtered publications get it added)."),
    KEY("signal.enabled.channels", FERRY_CONFIG_STRING, "source", FERRY_IMPORTANCE_MEDIUM,
        "Signals", "Where signals come from, comma-separated: source (the signal table) and "
                   "kafka (records on signal.kafka.topic whose key is topic.prefix and whose "
                   "value is {\"id\", \"type\", \"data\"})."),
    KEY("signal.kafka.topic", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_MEDIUM, "Signals",
        "The topic of the kafka signal channel (its partition 0 is read); default "
        "<topic.prefix>-signal."),
    KEY("signal.kafka.bootstrap.servers", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_LOW,
        "Signals", "The brokers of the kafka signal channel (required with it); its other "
                   "consumer settings are signal.consumer.* (security.protocol, sasl.*, ...)."),
    KEY("signal.kafka.groupId", FERRY_CONFIG_STRING, "kafka-signal", FERRY_IMPORTANCE_LOW,
        "Signals", "The consumer group that keeps the kafka signal channel's offset."),
    {.name = "incremental.snapshot.chunk.size", .type = FERRY_CONFIG_INT,
     .default_value = "1024", .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Signals",
     .has_min = true, .min = 1,
     .documentation = "Rows per chunk of an incremental snapshot (held in memory between the "
                      "chunk's watermarks)."},
    {.name = "incremental.snapshot.max.rows.per.second", .type = FERRY_CONFIG_INT,
     .default_value = "0", .importance = FERRY_IMPORTANCE_LOW, .group = "Signals",
     .has_min = true, .min = 0,
     .documentation = "ferry's: at most this many rows per second read by an incremental "
                      "snapshot (0: as fast as it goes), so that it leaves the pipeline room for "
                      "the stream's latency (bench/README.md)."},
    KEY("notification.enabled.channels", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_LOW,
        "Signals", "Notification channels, comma-separated: sink (records to "
                   "notification.sink.topic.name) and log."),
    KEY("notification.sink.topic.name", FERRY_CONFIG_STRING, NULL, FERRY_IMPORTANCE_LOW,
        "Signals", "Topic of the sink notification channel (required with it)."),
    KEY("read.only", FERRY_CONFIG_BOOLEAN, "false", FERRY_IMPORTANCE_LOW, "Signals",
        "Read-only incremental snapshots (Debezium's): each chunk's watermarks are "
        "pg_current_snapshot() before and after its SELECT, compared with the streamed "
        "transaction ids, instead of rows written into the signal table; for a replica or a "
        "role with SELECT and REPLICATION only (signal through kafka)."),
    /* values */
    {.name = "decimal.handling.mode", .type = FERRY_CONFIG_STRING, .default_value = "precise",
     .allowed_values = decimal_modes, .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Values",
     .documentation = "numeric and money: precise (Connect Decimal), double, string."},
    {.name = "time.precision.mode", .type = FERRY_CONFIG_STRING, .default_value = "adaptive",
     .allowed_values = time_modes, .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Values",
     .documentation = "adaptive (the column's precision), adaptive_time_microseconds, connect "
                      "(Connect's Date, Time, Timestamp)."},
    {.name = "interval.handling.mode", .type = FERRY_CONFIG_STRING, .default_value = "numeric",
     .allowed_values = interval_modes, .importance = FERRY_IMPORTANCE_LOW, .group = "Values",
     .documentation = "interval: numeric (microseconds) or string (ISO 8601)."},
    {.name = "binary.handling.mode", .type = FERRY_CONFIG_STRING, .default_value = "bytes",
     .allowed_values = binary_modes, .importance = FERRY_IMPORTANCE_LOW, .group = "Values",
     .documentation = "bytea: bytes, base64, base64-url-safe, hex."},
    {.name = "money.fraction.digits", .type = FERRY_CONFIG_INT, .default_value = "2",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Values", .has_min = true, .min = 0,
     .has_max = true, .max = 38, .documentation = "Scale of money values."},
    KEY("unavailable.value.placeholder", FERRY_CONFIG_STRING, "__debezium_unavailable_value",
        FERRY_IMPORTANCE_LOW, "Values", "Placeholder of unchanged TOASTed values."),
    KEY("include.unknown.datatypes", FERRY_CONFIG_BOOLEAN, "false", FERRY_IMPORTANCE_LOW,
        "Values", "Accepted: values of unknown types are always sent as their text."),
    {.name = "schema.name.adjustment.mode", .type = FERRY_CONFIG_STRING, .default_value = "none",
     .allowed_values = name_modes, .importance = FERRY_IMPORTANCE_LOW, .group = "Values",
     .documentation = "none, or avro (characters Avro does not allow in names become '_')."},
    /* batching */
    {.name = "max.batch.size", .type = FERRY_CONFIG_INT, .default_value = "2048",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Batching", .has_min = true, .min = 1,
     .documentation = "Most records one poll emits."},
    {.name = "poll.interval.ms", .type = FERRY_CONFIG_LONG, .default_value = "500",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Batching", .has_min = true, .min = 0,
     .documentation = "Longest wait for a change in one poll (bounded by the runtime's poll "
                      "timeout)."},
    KEY("max.queue.size", FERRY_CONFIG_INT, "8192", FERRY_IMPORTANCE_LOW, "Batching",
        "Accepted: there is no queue, memory is bounded by the producer's queue."),
    KEY("max.queue.size.in.bytes", FERRY_CONFIG_LONG, "0", FERRY_IMPORTANCE_LOW, "Batching",
        "Accepted: there is no queue."),
    {.name = "transaction.max.events", .type = FERRY_CONFIG_LONG, .default_value = "10000",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Batching", .has_min = true, .min = 1,
     .documentation = "With transaction.boundary=connector on a worker running exactly-once "
                      "sources, each database transaction is one Kafka transaction; one with "
                      "more change events than this is split into Kafka transactions of this "
                      "many, so that none stays open near the broker's "
                      "transaction.max.timeout.ms (docs/connectors/postgres-cdc.md)."},
    {.name = "event.processing.failure.handling.mode", .type = FERRY_CONFIG_STRING,
     .default_value = "fail", .allowed_values = failure_modes,
     .importance = FERRY_IMPORTANCE_LOW, .group = "Batching",
     .documentation = "A change that cannot be converted: fail the task, warn (log and skip) "
                      "or skip."},
    /* accepted, not supported yet */
    UNSUPPORTED("slot.stream.params", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("slot.failover", FERRY_CONFIG_BOOLEAN, "false"),
    UNSUPPORTED("replica.identity.autoset.values", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("snapshot.select.statement.overrides", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("snapshot.include.collection.list", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("snapshot.max.threads", FERRY_CONFIG_INT, "1"),
    UNSUPPORTED("snapshot.query.mode", FERRY_CONFIG_STRING, "select_all"),
    UNSUPPORTED("snapshot.lock.timeout.ms", FERRY_CONFIG_LONG, "10000"),
    UNSUPPORTED("snapshot.tables.order.by.row.count", FERRY_CONFIG_STRING, "disabled"),
    UNSUPPORTED("message.prefix.include.list", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("message.prefix.exclude.list", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("hstore.handling.mode", FERRY_CONFIG_STRING, "json"),
    UNSUPPORTED("include.schema.comments", FERRY_CONFIG_BOOLEAN, "false"),
    UNSUPPORTED("include.schema.changes", FERRY_CONFIG_BOOLEAN, "true"),
    UNSUPPORTED("xmin.fetch.interval.ms", FERRY_CONFIG_LONG, "0"),
    UNSUPPORTED("converters", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("column.propagate.source.type", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("datatype.propagate.source.type", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("field.name.adjustment.mode", FERRY_CONFIG_STRING, "none"),
    UNSUPPORTED("database.server.name", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("retriable.restart.connector.wait.ms", FERRY_CONFIG_LONG, "10000"),
    UNSUPPORTED("errors.max.retries", FERRY_CONFIG_INT, "-1"),
    UNSUPPORTED("streaming.delay.ms", FERRY_CONFIG_LONG, "0"),
    UNSUPPORTED("custom.metric.tags", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("topic.naming.strategy", FERRY_CONFIG_STRING, NULL),
    UNSUPPORTED("topic.cache.size", FERRY_CONFIG_INT, "10000"),
    UNSUPPORTED("skip.messages.without.change", FERRY_CONFIG_BOOLEAN, "false"),
    UNSUPPORTED("database.sslfactory", FERRY_CONFIG_STRING, NULL),
    {.name = NULL},
};

const char *cdc_config_replaced_value(const char *key, const char *value)
{
    static const struct {
        const char *key, *value, *replacement;
    } replaced[] = {
        {"snapshot.mode", "never", "no_data"},
        {"snapshot.mode", "exported", "initial"},
    };
    for (size_t i = 0; key && value && i < sizeof replaced / sizeof replaced[0]; i++)
        if (strcmp(key, replaced[i].key) == 0 && strcasecmp(value, replaced[i].value) == 0)
            return replaced[i].replacement;
    return NULL;
}

const char *const cdc_config_unsupported_keys[] = {
    "slot.stream.params", "slot.failover", "replica.identity.autoset.values",
    "snapshot.select.statement.overrides", "snapshot.include.collection.list",
    "snapshot.max.threads", "snapshot.query.mode", "snapshot.lock.timeout.ms",
    "snapshot.tables.order.by.row.count", "message.prefix.include.list", "message.prefix.exclude.list", "hstore.handling.mode",
    "include.schema.comments", "include.schema.changes", "xmin.fetch.interval.ms", "converters",
    "column.propagate.source.type", "datatype.propagate.source.type",
    "field.name.adjustment.mode", "database.server.name", "retriable.restart.connector.wait.ms",
    "errors.max.retries", "streaming.delay.ms", "custom.metric.tags", "topic.naming.strategy",
    "topic.cache.size", "skip.messages.without.change", "database.sslfactory", NULL,
};

const char *const cdc_config_unsupported_prefixes[] = {"column.mask.", "column.truncate.",
                                                       "snapshot.select.statement.overrides.",
                                                       NULL};

/* ------------------------------------------------------------------------------------------ */
/* Lists and regexes                                                                          */

char **cdc_list_split(const char *text, char separator)
{
    strlist items = {0};
    strbuf item = {0};
    size_t len = text ? strlen(text) : 0;
    for (size_t i = 0; i <= len; i++) {
        if (i + 1 < len && text[i] == '\\' && text[i + 1] == separator) {
            strbuf_append_char(&item, separator);
            i++;
        } else if (i < len && text[i] != separator) {
            strbuf_append_char(&item, text[i]);
        } else {
            /* the item ends: trimmed, dropped when empty (no separator left to split on) */
            if (strbuf_failed(&item) || strlist_split(&items, item.data ? item.data : "", '\0'))
                goto fail;
            strbuf_reset(&item);
        }
    }
    strbuf_free(&item);
    return strlist_take(&items);
fail:
    strbuf_free(&item);
    strlist_free(&items);
    return NULL;
}

int cdc_regex_compile(regex_t *regex, const char *pattern, char *err, size_t errlen)
{
    strbuf posix = {0};
    strbuf_append_literal(&posix, "^(");
    size_t len = strlen(pattern);
    size_t i = strncmp(pattern, "(?i)", 4) == 0 ? 4 : 0;
    for (; i < len; i++) {
        char c = pattern[i];
        if (c == '(' && pattern[i + 1] == '?' && pattern[i + 2] == ':') {
            strbuf_append_char(&posix, '(');
            i += 2;
        } else if (c == '\\' && i + 1 < len) {
            char next = pattern[++i];
            const char *class = NULL;
            switch (next) {
            case 'd': class = "[0-9]"; break;
            case 'D': class = "[^0-9]"; break;
            case 'w': class = "[A-Za-z0-9_]"; break;
            case 'W': class = "[^A-Za-z0-9_]"; break;
            case 's': class = "[[:space:]]"; break;
            case 'S': class = "[^[:space:]]"; break;
            default: break;
            }
            if (class) {
                strbuf_append_str(&posix, class);
            } else {
                strbuf_append_char(&posix, '\\');
                strbuf_append_char(&posix, next);
            }
        } else {
            strbuf_append_char(&posix, c);
        }
    }
    strbuf_append_literal(&posix, ")$");
    if (strbuf_failed(&posix)) {
        strbuf_free(&posix);
        return ferry_error_set(err, errlen, "out of memory"), REG_ESPACE;
    }
    int rc = regcomp(regex, posix.data, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rc != 0) {
        char why[200];
        regerror(rc, regex, why, sizeof why);
        ferry_error_set(err, errlen, "invalid regular expression '%s': %s", pattern, why);
    }
    strbuf_free(&posix);
    return rc;
}

static void cdc_filter_release(cdc_filter *filter)
{
    for (size_t i = 0; i < filter->count; i++)
        regfree(&filter->patterns[i]);
    free(filter->patterns);
    strlist_array_free(filter->sources);
    memset(filter, 0, sizeof(*filter));
}

static int cdc_filter_parse(cdc_filter *filter, const char *key, const char *text, char *err,
                            size_t errlen)
{
    memset(filter, 0, sizeof(*filter));
    if (!text || !*text)
        return 0;
    filter->sources = cdc_list_split(text, ',');
    size_t count = 0;
    while (filter->sources && filter->sources[count])
        count++;
    filter->patterns = calloc(count + 1, sizeof(regex_t));
    if (!filter->sources || !filter->patterns) {
        cdc_filter_release(filter);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    /* count says how many patterns are compiled (and to be freed) */
    for (; filter->count < count; filter->count++) {
        char why[300];
        if (cdc_regex_compile(&filter->patterns[filter->count], filter->sources[filter->count],
                              why, sizeof why) != 0) {
            ferry_error_set(err, errlen, "%s: %s", key, why);
            cdc_filter_release(filter);
            return -1;
        }
    }
    return 0;
}

static bool cdc_filter_matches(const cdc_filter *filter, const char *text)
{
    for (size_t i = 0; i < filter->count; i++)
        if (regexec(&filter->patterns[i], text, 0, NULL, 0) == 0)
            return true;
    return false;
}

static int cdc_key_overrides_parse(cdc_config *config, const char *text, char *err,
                                   size_t errlen)
{
    if (!text || !*text)
        return 0;
    char **entries = cdc_list_split(text, ';');
    if (!entries)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    size_t count = 0;
    while (entries[count])
        count++;
    config->key_overrides = calloc(count + 1, sizeof(cdc_key_override));
    if (!config->key_overrides) {
        strlist_array_free(entries);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        char *colon = strrchr(entries[i], ':');
        if (!colon || colon == entries[i] || !colon[1]) {
            rc = (ferry_error_set(err, errlen,
                                 "message.key.columns: entry '%s' is not "
                                 "<table regex>:<column>[,<column>...]",
                                 entries[i]), -1);
            break;
        }
        *colon = '\0';
        cdc_key_override *override = &config->key_overrides[i];
        char why[300];
        if (cdc_regex_compile(&override->table, entries[i], why, sizeof why) != 0) {
            rc = (ferry_error_set(err, errlen, "message.key.columns: %s", why), -1);
            break;
        }
        config->key_override_count++;
        override->columns = cdc_list_split(colon + 1, ',');
        if (!override->columns) {
            rc = (ferry_error_set(err, errlen, "out of memory"), -1);
            break;
        }
        while (override->columns[override->column_count])
            override->column_count++;
        if (override->column_count == 0)
            rc = (ferry_error_set(err, errlen, "message.key.columns: entry '%s' names no column",
                                 entries[i]), -1);
    }
    strlist_array_free(entries);
    return rc;
}

static int cdc_skipped_parse(cdc_config *config, const char *text, char *err, size_t errlen)
{
    char **items = cdc_list_split(text ? text : "", ',');
    if (!items)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = 0;
    for (size_t i = 0; items[i]; i++) {
        const char *op = items[i];
        if (strcasecmp(op, "none") == 0)
            continue;
        if (strcasecmp(op, "c") == 0)
            config->skip_create = true;
        else if (strcasecmp(op, "u") == 0)
            config->skip_update = true;
        else if (strcasecmp(op, "d") == 0)
            config->skip_delete = true;
        else if (strcasecmp(op, "t") == 0)
            config->skip_truncate = true;
        else {
            rc = (ferry_error_set(err, errlen,
                                 "skipped.operations: '%s' is not an operation (expected c, u, "
                                 "d, t or none)",
                                 op), -1);
            break;
        }
    }
    strlist_array_free(items);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                    */

/* Every key that is a plain setting, bound in one call (config_bind). */
static const config_binding cdc_config_bindings[] = {
    CONFIG_BIND_STRING("database.hostname", cdc_config, hostname),
    CONFIG_BIND_INT("database.port", cdc_config, port),
    CONFIG_BIND_STRING("database.user", cdc_config, user),
    CONFIG_BIND_STRING("database.password", cdc_config, password),
    CONFIG_BIND_STRING("database.dbname", cdc_config, dbname),
    CONFIG_BIND_STRING("database.sslmode", cdc_config, sslmode),
    CONFIG_BIND_STRING("database.sslcert", cdc_config, sslcert),
    CONFIG_BIND_STRING("database.sslkey", cdc_config, sslkey),
    CONFIG_BIND_STRING("database.sslrootcert", cdc_config, sslrootcert),
    CONFIG_BIND_STRING("database.sslpassword", cdc_config, sslpassword),
    CONFIG_BIND_BOOL("database.tcpKeepAlive", cdc_config, tcp_keepalive),
    CONFIG_BIND_STRING("database.initial.statements", cdc_config, initial_statements),
    CONFIG_BIND_LONG("database.query.timeout.ms", cdc_config, query_timeout_ms),
    CONFIG_BIND_STRING("topic.prefix", cdc_config, topic_prefix),
    CONFIG_BIND_STRING("topic.delimiter", cdc_config, topic_delimiter),
    CONFIG_BIND_STRING("topic.heartbeat.prefix", cdc_config, topic_heartbeat_prefix),
    CONFIG_BIND_STRING("topic.transaction", cdc_config, topic_transaction),
    CONFIG_BIND_STRING("slot.name", cdc_config, slot_name),
    CONFIG_BIND_BOOL("slot.drop.on.stop", cdc_config, slot_drop_on_stop),
    CONFIG_BIND_INT("slot.max.retries", cdc_config, slot_max_retries),
    CONFIG_BIND_LONG("slot.retry.delay.ms", cdc_config, slot_retry_delay_ms),
    CONFIG_BIND_STRING("publication.name", cdc_config, publication_name),
    CONFIG_BIND_LONG("status.update.interval.ms", cdc_config, status_update_interval_ms),
    CONFIG_BIND_BOOL("flush.lsn.source", cdc_config, flush_lsn_source),
    CONFIG_BIND_LONG("heartbeat.interval.ms", cdc_config, heartbeat_interval_ms),
    CONFIG_BIND_LONG("transaction.max.events", cdc_config, transaction_max_events),
    CONFIG_BIND_STRING("heartbeat.action.query", cdc_config, heartbeat_action_query),
    CONFIG_BIND_BOOL("table.ignore.builtin", cdc_config, table_ignore_builtin),
    CONFIG_BIND_BOOL("tombstones.on.delete", cdc_config, tombstones_on_delete),
    CONFIG_BIND_BOOL("provide.transaction.metadata", cdc_config, provide_transaction_metadata),
    CONFIG_BIND_INT("snapshot.fetch.size", cdc_config, snapshot_fetch_size),
    CONFIG_BIND_LONG("snapshot.delay.ms", cdc_config, snapshot_delay_ms),
    CONFIG_BIND_INT("money.fraction.digits", cdc_config, types.money_fraction_digits),
    CONFIG_BIND_STRING("unavailable.value.placeholder", cdc_config, toast_placeholder),
    CONFIG_BIND_INT("max.batch.size", cdc_config, max_batch_size),
    CONFIG_BIND_LONG("poll.interval.ms", cdc_config, poll_interval_ms),
    CONFIG_BIND_STRING("signal.data.collection", cdc_config, signal_data_collection),
    CONFIG_BIND_STRING("signal.kafka.topic", cdc_config, signal_kafka_topic),
    CONFIG_BIND_STRING("signal.kafka.bootstrap.servers", cdc_config, signal_kafka_bootstrap),
    CONFIG_BIND_STRING("signal.kafka.groupId", cdc_config, signal_kafka_group),
    CONFIG_BIND_INT("incremental.snapshot.chunk.size", cdc_config, incremental_chunk_size),
    CONFIG_BIND_INT("incremental.snapshot.max.rows.per.second", cdc_config,
                    incremental_max_rate),
    CONFIG_BIND_STRING("notification.sink.topic.name", cdc_config, notification_topic),
    CONFIG_BIND_BOOL("read.only", cdc_config, read_only),
    {0},
};

/* The keys with allowed values, bound as the index of the value in them (-1: unset), then
 * mapped to the config's enums. */
typedef struct cdc_config_choices {
    int snapshot, publication, decimal, time, interval, binary, names, failure;
} cdc_config_choices;

static const config_binding cdc_config_choice_bindings[] = {
    CONFIG_BIND_CHOICE("snapshot.mode", cdc_config_choices, snapshot, snapshot_modes),
    CONFIG_BIND_CHOICE("publication.autocreate.mode", cdc_config_choices, publication,
                       publication_modes),
    CONFIG_BIND_CHOICE("decimal.handling.mode", cdc_config_choices, decimal, decimal_modes),
    CONFIG_BIND_CHOICE("time.precision.mode", cdc_config_choices, time, time_modes),
    CONFIG_BIND_CHOICE("interval.handling.mode", cdc_config_choices, interval, interval_modes),
    CONFIG_BIND_CHOICE("binary.handling.mode", cdc_config_choices, binary, binary_modes),
    CONFIG_BIND_CHOICE("schema.name.adjustment.mode", cdc_config_choices, names, name_modes),
    CONFIG_BIND_CHOICE("event.processing.failure.handling.mode", cdc_config_choices, failure,
                       failure_modes),
    {0},
};

/* The enum of each allowed value where values are aliases; elsewhere the index is the enum. */
static const int snapshot_mode_of[] = {
    CDC_SNAPSHOT_INITIAL,     CDC_SNAPSHOT_INITIAL_ONLY, CDC_SNAPSHOT_NO_DATA /* never */,
    CDC_SNAPSHOT_NO_DATA,     CDC_SNAPSHOT_ALWAYS,       CDC_SNAPSHOT_WHEN_NEEDED,
    CDC_SNAPSHOT_INITIAL /* exported */,
};
static const int failure_mode_of[] = {CDC_FAILURE_FAIL, CDC_FAILURE_WARN, CDC_FAILURE_SKIP,
                                      CDC_FAILURE_SKIP /* ignore */};
static const int avro_names_of[] = {false, true, true}; /* none, avro, avro_unicode */

#define CDC_COUNT(array) (sizeof(array) / sizeof((array)[0]))
_Static_assert(CDC_COUNT(snapshot_mode_of) == CDC_COUNT(snapshot_modes) - 1, "snapshot.mode");
_Static_assert(CDC_COUNT(failure_mode_of) == CDC_COUNT(failure_modes) - 1, "failure mode");
_Static_assert(CDC_COUNT(avro_names_of) == CDC_COUNT(name_modes) - 1, "name adjustment");
_Static_assert(CDC_COUNT(publication_modes) - 1 == CDC_PUBLICATION_DISABLED + 1 &&
                   CDC_COUNT(decimal_modes) - 1 == PG_DECIMAL_STRING + 1 &&
                   CDC_COUNT(time_modes) - 1 == PG_TIME_CONNECT + 1 &&
                   CDC_COUNT(interval_modes) - 1 == PG_INTERVAL_STRING + 1 &&
                   CDC_COUNT(binary_modes) - 1 == PG_BINARY_HEX + 1,
               "the allowed values are in the order of their enums");

/* The enum of a bound choice: the first allowed value (the default) when unset. */
static int cdc_choice(int index, const int *enum_of)
{
    if (index < 0)
        index = 0;
    return enum_of ? enum_of[index] : index;
}

/* A key and the field it sets. */
typedef struct cdc_config_field {
    const char *key;
    size_t offset; /* offsetof(cdc_config, ...) */
} cdc_config_field;

/* The filters, each a list of regexes. */
static const cdc_config_field cdc_filter_keys[] = {
    {"schema.include.list", offsetof(cdc_config, schema_include)},
    {"schema.exclude.list", offsetof(cdc_config, schema_exclude)},
    {"table.include.list", offsetof(cdc_config, table_include)},
    {"table.exclude.list", offsetof(cdc_config, table_exclude)},
    {"column.include.list", offsetof(cdc_config, column_include)},
    {"column.exclude.list", offsetof(cdc_config, column_exclude)},
};
#define CDC_FILTER_COUNT CDC_COUNT(cdc_filter_keys)

/* Strings whose empty value means something (no delimiter, an empty placeholder) or that a host
 * without defaults may leave unset: config_bind leaves a blank string unset, these take what
 * was given, blank included, or else the definition's default. */
static const cdc_config_field cdc_kept_strings[] = {
    {"topic.delimiter", offsetof(cdc_config, topic_delimiter)},
    {"topic.heartbeat.prefix", offsetof(cdc_config, topic_heartbeat_prefix)},
    {"topic.transaction", offsetof(cdc_config, topic_transaction)},
    {"unavailable.value.placeholder", offsetof(cdc_config, toast_placeholder)},
    {"slot.name", offsetof(cdc_config, slot_name)},
    {"publication.name", offsetof(cdc_config, publication_name)},
};

static const char *cdc_config_default(const char *key)
{
    for (const ferry_config_key *def = cdc_config_keys; def->name; def++)
        if (strcmp(def->name, key) == 0)
            return def->default_value;
    return NULL;
}

static int cdc_config_keep_strings(cdc_config *config, const ferry_host *host,
                                   const ferry_config *source)
{
    for (size_t i = 0; i < CDC_COUNT(cdc_kept_strings); i++) {
        char **field = (char **)((char *)config + cdc_kept_strings[i].offset);
        if (*field)
            continue;
        const char *given = host->config_string(source, cdc_kept_strings[i].key);
        *field = strdup(given ? given : cdc_config_default(cdc_kept_strings[i].key));
        if (!*field)
            return -1;
    }
    return 0;
}

/* signal.enabled.channels and notification.enabled.channels: the channels ferry has, an
 * error naming any other. */
static int cdc_channels_parse(cdc_config *config, const char *signals, const char *notifications,
                              char *err, size_t errlen)
{
    char **items = cdc_list_split(signals ? signals : "source", ',');
    if (!items)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = 0;
    for (size_t i = 0; items[i] && rc == 0; i++) {
        if (strcasecmp(items[i], "source") == 0)
            config->signal_source = true;
        else if (strcasecmp(items[i], "kafka") == 0)
            config->signal_kafka = true;
        else
            rc = (ferry_error_set(err, errlen,
                                  "signal.enabled.channels: channel '%s' is not one ferry has "
                                  "(source, kafka)",
                                  items[i]), -1);
    }
    strlist_array_free(items);
    if (rc != 0)
        return rc;
    items = cdc_list_split(notifications, ',');
    if (!items)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    for (size_t i = 0; items[i] && rc == 0; i++) {
        if (strcasecmp(items[i], "sink") == 0)
            config->notification_sink = true;
        else if (strcasecmp(items[i], "log") == 0)
            config->notification_log = true;
        else if (strcasecmp(items[i], "jmx") != 0)
            rc = (ferry_error_set(err, errlen,
                                  "notification.enabled.channels: channel '%s' is not one ferry "
                                  "has (sink, log; jmx is accepted and does nothing)",
                                  items[i]), -1);
    }
    strlist_array_free(items);
    if (rc == 0 && config->notification_sink &&
        (!config->notification_topic || !*config->notification_topic))
        rc = (ferry_error_set(err, errlen,
                              "notification.sink.topic.name: required when "
                              "notification.enabled.channels has sink"), -1);
    return rc;
}

static bool cdc_is(const char *value, const char *expected)
{
    return value && strcasecmp(value, expected) == 0;
}

int cdc_config_parse(cdc_config *config, const ferry_host *host, const ferry_config *source,
                     char *err, size_t errlen)
{
    memset(config, 0, sizeof(*config));
    cdc_config_choices choices;
    if (config_bind(host, source, cdc_config_bindings, config) != 0 ||
        config_bind(host, source, cdc_config_choice_bindings, &choices) != 0 ||
        cdc_config_keep_strings(config, host, source) != 0) {
        cdc_config_release(config);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    if (!config->hostname || !config->user || !config->dbname || !config->topic_prefix) {
        cdc_config_release(config);
        return ferry_error_set(err, errlen, "database.hostname, database.user, database.dbname "
                                            "and topic.prefix are required"), -1;
    }
    const char *plugin = host->config_string(source, "plugin.name");
    if (plugin && !cdc_is(plugin, "pgoutput")) {
        cdc_config_release(config);
        return ferry_error_set(err, errlen,
                               "plugin.name=%s is not supported: only the built-in pgoutput "
                               "plugin is; set plugin.name=pgoutput",
                               plugin), -1;
    }
    config->snapshot_mode = (cdc_snapshot_mode)cdc_choice(choices.snapshot, snapshot_mode_of);
    config->publication_mode = (cdc_publication_mode)cdc_choice(choices.publication, NULL);
    config->types.decimal = (pg_decimal_mode)cdc_choice(choices.decimal, NULL);
    config->types.time = (pg_time_mode)cdc_choice(choices.time, NULL);
    config->types.interval = (pg_interval_mode)cdc_choice(choices.interval, NULL);
    config->types.binary = (pg_binary_mode)cdc_choice(choices.binary, NULL);
    config->types.toast_placeholder = config->toast_placeholder;
    config->avro_names = cdc_choice(choices.names, avro_names_of);
    config->failure_mode = (cdc_failure_mode)cdc_choice(choices.failure, failure_mode_of);
    /* What a host without the definition's defaults leaves at 0. */
    if (config->snapshot_fetch_size <= 0)
        config->snapshot_fetch_size = 10240;
    if (config->max_batch_size <= 0)
        config->max_batch_size = 2048;
    if (config->status_update_interval_ms <= 0)
        config->status_update_interval_ms = 10000;
    if (config->incremental_chunk_size <= 0)
        config->incremental_chunk_size = 1024;
    if (cdc_channels_parse(config, host->config_string(source, "signal.enabled.channels"),
                           host->config_string(source, "notification.enabled.channels"), err,
                           errlen) != 0) {
        cdc_config_release(config);
        return -1;
    }

    for (size_t i = 0; i < CDC_FILTER_COUNT; i++) {
        cdc_filter *filter = (cdc_filter *)((char *)config + cdc_filter_keys[i].offset);
        if (cdc_filter_parse(filter, cdc_filter_keys[i].key,
                             host->config_string(source, cdc_filter_keys[i].key), err,
                             errlen) != 0) {
            cdc_config_release(config);
            return -1;
        }
    }
    if (cdc_key_overrides_parse(config, host->config_string(source, "message.key.columns"), err,
                                errlen) ||
        cdc_skipped_parse(config, host->config_string(source, "skipped.operations"), err,
                          errlen)) {
        cdc_config_release(config);
        return -1;
    }
    return 0;
}

void cdc_config_release(cdc_config *config)
{
    if (!config)
        return;
    config_bind_release(cdc_config_bindings, config);
    for (size_t i = 0; i < CDC_FILTER_COUNT; i++)
        cdc_filter_release((cdc_filter *)((char *)config + cdc_filter_keys[i].offset));
    for (size_t i = 0; i < config->key_override_count; i++) {
        regfree(&config->key_overrides[i].table);
        strlist_array_free(config->key_overrides[i].columns);
    }
    free(config->key_overrides);
    memset(config, 0, sizeof(*config));
}

/* ------------------------------------------------------------------------------------------ */
/* Cross-key checks                                                                           */

/* Reports a message without the "<key>: " it starts with (the report names the key). */
static void cdc_report(void (*report)(void *report_ctx, const char *key, const char *message),
                       void *report_ctx, const char *key, const char *why)
{
    size_t len = strlen(key);
    if (strncmp(why, key, len) == 0 && why[len] == ':' && why[len + 1] == ' ')
        why += len + 2;
    report(report_ctx, key, why);
}

void cdc_config_check(json_t *values,
                      void (*report)(void *report_ctx, const char *key, const char *message),
                      void *report_ctx)
{
    char why[400];
    const char *plugin = json_string_value(json_object_get(values, "plugin.name"));
    if (plugin && !cdc_is(plugin, "pgoutput"))
        report(report_ctx, "plugin.name",
               "only the built-in pgoutput plugin is supported: set plugin.name=pgoutput");
    for (size_t i = 0; i < CDC_FILTER_COUNT; i++) {
        const char *key = cdc_filter_keys[i].key;
        cdc_filter filter;
        if (cdc_filter_parse(&filter, key, json_string_value(json_object_get(values, key)), why,
                             sizeof why) != 0)
            cdc_report(report, report_ctx, key, why);
        else
            cdc_filter_release(&filter);
    }
    /* The keys come in pairs, include then exclude. */
    for (size_t i = 0; i + 1 < CDC_FILTER_COUNT; i += 2) {
        const char *include = cdc_filter_keys[i].key, *exclude = cdc_filter_keys[i + 1].key;
        if (json_object_get(values, include) && json_object_get(values, exclude)) {
            char message[128];
            snprintf(message, sizeof message, "%s and %s cannot both be set", include, exclude);
            report(report_ctx, exclude, message);
        }
    }
    cdc_config probe;
    memset(&probe, 0, sizeof probe);
    const char *keys = json_string_value(json_object_get(values, "message.key.columns"));
    if (cdc_key_overrides_parse(&probe, keys, why, sizeof why) != 0)
        cdc_report(report, report_ctx, "message.key.columns", why);
    const char *skipped = json_string_value(json_object_get(values, "skipped.operations"));
    if (skipped && cdc_skipped_parse(&probe, skipped, why, sizeof why) != 0)
        cdc_report(report, report_ctx, "skipped.operations", why);
    cdc_config_release(&probe);
}

/* ------------------------------------------------------------------------------------------ */
/* Filters                                                                                    */

static bool cdc_builtin_schema(const char *schema_name)
{
    return strcmp(schema_name, "pg_catalog") == 0 ||
           strcmp(schema_name, "information_schema") == 0 ||
           strncmp(schema_name, "pg_toast", 8) == 0 || strncmp(schema_name, "pg_temp", 7) == 0;
}

bool cdc_config_schema_captured(const cdc_config *config, const char *schema_name)
{
    if (config->table_ignore_builtin && cdc_builtin_schema(schema_name))
        return false;
    if (config->schema_include.count && !cdc_filter_matches(&config->schema_include, schema_name))
        return false;
    return !cdc_filter_matches(&config->schema_exclude, schema_name);
}

bool cdc_config_table_captured(const cdc_config *config, const char *schema_name,
                               const char *table_name)
{
    if (!cdc_config_schema_captured(config, schema_name))
        return false;
    char id[512];
    snprintf(id, sizeof id, "%s.%s", schema_name, table_name);
    if (config->table_include.count && !cdc_filter_matches(&config->table_include, id))
        return false;
    return !cdc_filter_matches(&config->table_exclude, id);
}

size_t cdc_config_table_rank(const cdc_config *config, const char *table_id)
{
    for (size_t i = 0; i < config->table_include.count; i++)
        if (regexec(&config->table_include.patterns[i], table_id, 0, NULL, 0) == 0)
            return i;
    return 0;
}

bool cdc_config_column_included(const cdc_config *config, const char *schema_name,
                                const char *table_name, const char *column_name)
{
    if (!config->column_include.count && !config->column_exclude.count)
        return true;
    char id[768];
    snprintf(id, sizeof id, "%s.%s.%s", schema_name, table_name, column_name);
    if (config->column_include.count && !cdc_filter_matches(&config->column_include, id))
        return false;
    return !cdc_filter_matches(&config->column_exclude, id);
}

const cdc_key_override *cdc_config_key_override(const cdc_config *config, const char *table_id)
{
    for (size_t i = 0; i < config->key_override_count; i++)
        if (regexec(&config->key_overrides[i].table, table_id, 0, NULL, 0) == 0)
            return &config->key_overrides[i];
    return NULL;
}
