/*
 * es_config.c - ElasticsearchSink's config definition, its cross-key rules (Confluent's
 * Validator, same messages) and the parsed es_settings.
 */
#include "es_config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "support/config_bind.h"
#include "support/strbuf.h"
#include "support/strlist.h"

#define G_CONNECTOR "Connector"
#define G_CONVERSION "Data Conversion"
#define G_PROXY "Proxy"
#define G_SECURITY "Security"
#define G_KERBEROS "Kerberos"

#define SSL_PREFIX "elastic.https."

/* Allowed values, in the order of the enums config_bind stores them as (es_config.h). */
static const char *const es_null_values[] = {"ignore", "delete", "fail", NULL};
static const char *const es_malformed_values[] = {"ignore", "warn", "fail", NULL};
static const char *const es_write_values[] = {"insert", "upsert", NULL};
static const char *const es_stream_types[] = {"logs", "metrics", "none", NULL};
enum { ES_STREAM_NONE = 2 };
static const char *const es_protocols[] = {"PLAINTEXT", "SSL", NULL};
enum { ES_PROTOCOL_SSL = 1 };
static const char *const es_resource_values[] = {
    "index", "datastream", "alias_index", "alias_datastream", "disabled", NULL};
/* errors.tolerance, a key of the worker's. */
static const char *const es_tolerance_values[] = {"none", "all", NULL};
enum { ES_TOLERANCE_ALL = 1 };

/* CHOICE rows store an int. */
_Static_assert(sizeof(es_null_behavior) == sizeof(int), "es_null_behavior is an int");
_Static_assert(sizeof(es_malformed_behavior) == sizeof(int), "es_malformed_behavior is an int");
_Static_assert(sizeof(es_write_method) == sizeof(int), "es_write_method is an int");
_Static_assert(sizeof(es_resource_usage) == sizeof(int), "es_resource_usage is an int");

#define UNSUPPORTED " Not supported by ferry: accepted, and ignored with a warning."

const ferry_config_key es_config_keys[] = {
    /* ---- connection ---- */
    {.name = "connection.url", .type = FERRY_CONFIG_LIST, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_CONNECTOR, .display_name = "Connection URLs",
     .documentation = "Comma-separated Elasticsearch URLs (http://eshost1:9200,https://eshost2:9200"
                      "). A URL without a scheme is http. Requests rotate over the healthy URLs; "
                      "one that fails is skipped for a while (failover)."},
    {.name = "connection.username", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_CONNECTOR,
     .documentation = "User name for HTTP basic authentication; set with connection.password."},
    {.name = "connection.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_CONNECTOR,
     .documentation = "Password for HTTP basic authentication; set with connection.username."},
    {.name = "connection.api.key", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_CONNECTOR,
     .documentation = "ferry: an Elasticsearch API key (Authorization: ApiKey), either the "
                      "'encoded' value Elasticsearch returns or 'id:api_key'. Not with "
                      "connection.username."},
    {.name = "external.resource.usage", .type = FERRY_CONFIG_STRING, .default_value = "DISABLED",
     .importance = FERRY_IMPORTANCE_HIGH, .allowed_values = es_resource_values,
     .group = G_CONNECTOR,
     .documentation = "INDEX, DATASTREAM, ALIAS_INDEX, ALIAS_DATASTREAM: write each topic to the "
                      "existing resource named in topic.to.external.resource.mapping; DISABLED: "
                      "indices and data streams are named after the topics."},
    {.name = "topic.to.external.resource.mapping", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_CONNECTOR,
     .documentation = "topic:resource pairs used with external.resource.usage; every topic must "
                      "be mapped."},
    {.name = "max.external.resource.mappings", .type = FERRY_CONFIG_INT, .default_value = "15",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 1, .group = G_CONNECTOR,
     .documentation = "The most topic-to-resource mappings allowed."},
    {.name = "data.stream.type", .type = FERRY_CONFIG_STRING, .default_value = "NONE",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = es_stream_types, .group = G_CONNECTOR,
     .documentation = "LOGS or METRICS: write to the data stream <type>-<dataset>-<namespace> "
                      "(op_type create); NONE writes to indices."},
    {.name = "data.stream.dataset", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONNECTOR,
     .documentation = "The dataset part of data stream names: lowercase, at most 100 characters, "
                      "no spaces or \\/*?\"<>|,#:-. Set together with data.stream.type."},
    {.name = "data.stream.namespace", .type = FERRY_CONFIG_STRING, .default_value = "${topic}",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONNECTOR,
     .documentation = "The namespace part of data stream names; ${topic} is replaced by the "
                      "topic, lowercased."},
    {.name = "data.stream.timestamp.field", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONNECTOR,
     .documentation = "Value fields whose first present one becomes @timestamp in data streams; "
                      "empty = the record's timestamp."},
    {.name = "batch.size", .type = FERRY_CONFIG_INT, .default_value = "2000",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 1, .has_max = true,
     .max = 1000000, .group = G_CONNECTOR,
     .documentation = "The most documents in one _bulk request."},
    {.name = "bulk.size.bytes", .type = FERRY_CONFIG_LONG, .default_value = "5242880",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = -1, .has_max = true,
     .max = 2147483647, .group = G_CONNECTOR,
     .documentation = "The most bytes in one _bulk request (before compression); -1 = no limit. "
                      "batch.size applies too, whichever is reached first."},
    {.name = "max.in.flight.requests", .type = FERRY_CONFIG_INT, .default_value = "5",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 1, .has_max = true,
     .max = 1000, .group = G_CONNECTOR,
     .documentation = "_bulk requests under way at once."},
    {.name = "max.buffered.records", .type = FERRY_CONFIG_INT, .default_value = "20000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1, .has_max = true,
     .max = 2147483647, .group = G_CONNECTOR,
     .documentation = "Documents a task holds (waiting, in flight, retrying) before it pauses "
                      "the consumer. Bounds memory."},
    {.name = "linger.ms", .type = FERRY_CONFIG_LONG, .default_value = "1",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 604800000, .group = G_CONNECTOR,
     .documentation = "How long a request that is not full waits for more documents."},
    {.name = "flush.timeout.ms", .type = FERRY_CONFIG_LONG, .default_value = "180000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1000, .has_max = true,
     .max = 604800000, .group = G_CONNECTOR,
     .documentation = "The longest a flush waits for acknowledgements (ferry caps one wait at "
                      "4 s and commits what is acknowledged; it never fails the task)."},
    {.name = "flush.synchronously", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONNECTOR,
     .documentation = "Accepted for compatibility; ferry's flush always waits for what it "
                      "commits."},
    {.name = "max.retries", .type = FERRY_CONFIG_INT, .default_value = "5",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 2147483647, .group = G_CONNECTOR,
     .documentation = "How many times the back-off of a failing document doubles. Running out "
                      "does not fail the task: the document is retried at the longest back-off "
                      "and the task's status reports Elasticsearch unavailable."},
    {.name = "retry.backoff.ms", .type = FERRY_CONFIG_LONG, .default_value = "100",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 86400000, .group = G_CONNECTOR,
     .documentation = "The first wait before retrying a document that failed with 429, 5xx or a "
                      "timeout; it doubles with each attempt, with jitter."},
    {.name = "connection.compression", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONNECTOR,
     .documentation = "gzip request bodies and accept gzip answers."},
    {.name = "max.connection.idle.time.ms", .type = FERRY_CONFIG_INT, .default_value = "60000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = -1, .has_max = true,
     .max = 86400000, .group = G_CONNECTOR,
     .documentation = "Connections idle for longer are not reused; -1 = no limit."},
    {.name = "connection.timeout.ms", .type = FERRY_CONFIG_INT, .default_value = "1000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 43200000, .group = G_CONNECTOR,
     .documentation = "How long connecting may take. A timeout is retried; it never fails the "
                      "task."},
    {.name = "read.timeout.ms", .type = FERRY_CONFIG_INT, .default_value = "3000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 604800000, .group = G_CONNECTOR,
     .documentation = "How long a request may go without an answer byte (whole seconds); its "
                      "documents are then retried. 0 = no limit."},
    /* ---- data conversion ---- */
    {.name = "key.ignore", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_CONVERSION,
     .documentation = "true: document ids are topic+partition+offset instead of the key."},
    {.name = "schema.ignore", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONVERSION,
     .documentation = "true: do not create index mappings from record schemas; Elasticsearch "
                      "maps fields dynamically."},
    {.name = "compact.map.entries", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONVERSION,
     .documentation = "Maps with string keys as JSON objects; false: as [{\"key\":..,\"value\""
                      ":..}]."},
    {.name = "topic.key.ignore", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONVERSION,
     .documentation = "Topics for which key.ignore is true."},
    {.name = "topic.schema.ignore", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONVERSION,
     .documentation = "Topics for which schema.ignore is true."},
    {.name = "drop.invalid.message", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONVERSION,
     .documentation = "Skip, with a warning, records that cannot become documents, instead of "
                      "treating them as errors."},
    {.name = "behavior.on.null.values", .type = FERRY_CONFIG_STRING, .default_value = "FAIL",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = es_null_values, .group = G_CONVERSION,
     .documentation = "Records with a null value (tombstones): IGNORE them, DELETE the document "
                      "with their id, or FAIL (an error for the record)."},
    {.name = "behavior.on.malformed.documents", .type = FERRY_CONFIG_STRING,
     .default_value = "FAIL", .importance = FERRY_IMPORTANCE_LOW,
     .allowed_values = es_malformed_values, .group = G_CONVERSION,
     .documentation = "Documents Elasticsearch rejects as malformed (mapping conflicts, parse "
                      "errors): IGNORE, WARN (log), or FAIL (an error for the record, which "
                      "errors.tolerance and the dead-letter queue handle)."},
    {.name = "external.version.header", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_CONVERSION,
     .documentation = "Header whose decimal value is the external version; empty = the Kafka "
                      "offset."},
    {.name = "write.method", .type = FERRY_CONFIG_STRING, .default_value = "INSERT",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = es_write_values, .group = G_CONVERSION,
     .documentation = "INSERT replaces documents; UPSERT merges the value's fields into an "
                      "existing document or creates it."},
    {.name = "use.autogenerated.ids", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_CONNECTOR,
     .documentation = "With write.method INSERT: Elasticsearch chooses document ids (at least "
                      "once: a replay duplicates documents)."},
    {.name = "type.name", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_LOW,
     .group = G_CONVERSION,
     .documentation = "Mapping type of Elasticsearch 6 and older." UNSUPPORTED},
    /* ---- proxy ---- */
    {.name = "proxy.host", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_PROXY,
     .documentation = "An HTTP proxy to connect through."},
    {.name = "proxy.port", .type = FERRY_CONFIG_INT, .default_value = "8080",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1, .has_max = true,
     .max = 65535, .group = G_PROXY, .documentation = "The proxy's port."},
    {.name = "proxy.username", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = G_PROXY,
     .documentation = "User name for the proxy (basic authentication)."},
    {.name = "proxy.password", .type = FERRY_CONFIG_PASSWORD, .importance = FERRY_IMPORTANCE_LOW,
     .group = G_PROXY, .documentation = "Password for the proxy."},
    /* ---- security ---- */
    {.name = "elastic.security.protocol", .type = FERRY_CONFIG_STRING,
     .default_value = "PLAINTEXT", .importance = FERRY_IMPORTANCE_MEDIUM,
     .allowed_values = es_protocols, .group = G_SECURITY,
     .documentation = "PLAINTEXT or SSL; with PLAINTEXT the elastic.https.* keys are refused. "
                      "https:// URLs always use TLS with verification."},
    {.name = SSL_PREFIX "ssl.truststore.location", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "CA certificates (PEM file) that verify the servers."},
    {.name = SSL_PREFIX "ssl.truststore.certificates", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "CA certificates as PEM text."},
    {.name = SSL_PREFIX "ssl.truststore.type", .type = FERRY_CONFIG_STRING, .default_value = "JKS",
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_SECURITY,
     .documentation = "Accepted for compatibility: trust stores are read as PEM; a Java "
                      "keystore is refused."},
    {.name = SSL_PREFIX "ssl.truststore.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "Password of a Java trust store." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.keystore.location", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "Client certificate and private key (one PEM file) for mutual TLS."},
    {.name = SSL_PREFIX "ssl.key.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "Password of the client private key."},
    {.name = SSL_PREFIX "ssl.keystore.type", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_SECURITY,
     .documentation = "Type of a Java key store." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.keystore.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "Password of a Java key store." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.keystore.key", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "Private key as PEM text." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.keystore.certificate.chain", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .group = G_SECURITY,
     .documentation = "Certificate chain as PEM text." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.endpoint.identification.algorithm", .type = FERRY_CONFIG_STRING,
     .default_value = "https", .importance = FERRY_IMPORTANCE_LOW, .group = G_SECURITY,
     .documentation = "https: the server certificate must name the host; empty: that check is "
                      "off (the chain is still verified)."},
    {.name = SSL_PREFIX "ssl.protocol", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_SECURITY,
     .documentation = "Java TLS protocol name." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.enabled.protocols", .type = FERRY_CONFIG_LIST,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = G_SECURITY,
     .documentation = "Java TLS protocols." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.cipher.suites", .type = FERRY_CONFIG_LIST,
     .importance = FERRY_IMPORTANCE_LOW, .group = G_SECURITY,
     .documentation = "Java cipher suites." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.provider", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = G_SECURITY,
     .documentation = "Java security provider." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.keymanager.algorithm", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = G_SECURITY,
     .documentation = "Java key manager algorithm." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.trustmanager.algorithm", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = G_SECURITY,
     .documentation = "Java trust manager algorithm." UNSUPPORTED},
    {.name = SSL_PREFIX "ssl.secure.random.implementation", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = G_SECURITY,
     .documentation = "Java SecureRandom implementation." UNSUPPORTED},
    /* ---- kerberos ---- */
    {.name = "kerberos.user.principal", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = G_KERBEROS,
     .documentation = "Kerberos user principal." UNSUPPORTED},
    {.name = "kerberos.keytab.path", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = G_KERBEROS,
     .documentation = "Kerberos keytab file." UNSUPPORTED},
    {.name = NULL},
};

const char *const es_config_unsupported_keys[] = {
    "type.name",
    "kerberos.user.principal",
    "kerberos.keytab.path",
    SSL_PREFIX "ssl.truststore.password",
    SSL_PREFIX "ssl.keystore.type",
    SSL_PREFIX "ssl.keystore.password",
    SSL_PREFIX "ssl.keystore.key",
    SSL_PREFIX "ssl.keystore.certificate.chain",
    SSL_PREFIX "ssl.protocol",
    SSL_PREFIX "ssl.enabled.protocols",
    SSL_PREFIX "ssl.cipher.suites",
    SSL_PREFIX "ssl.provider",
    SSL_PREFIX "ssl.keymanager.algorithm",
    SSL_PREFIX "ssl.trustmanager.algorithm",
    SSL_PREFIX "ssl.secure.random.implementation",
    NULL,
};

/* ---- helpers ------------------------------------------------------------------------------ */

static bool es_blank(const char *text)
{
    return !text || text[strspn(text, " \t\r\n")] == '\0';
}

/* A string key's value, NULL when unset or blank. */
static const char *es_text(const ferry_host *host, const ferry_config *config, const char *key)
{
    const char *value = host->config_string(config, key);
    return es_blank(value) ? NULL : value;
}

static bool es_equals(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

static size_t es_list_count(const char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    return n;
}

static bool es_list_contains(char *const *list, const char *item)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], item) == 0)
            return true;
    return false;
}

char *es_url_normalize(const char *text, char *err, size_t errlen)
{
    while (*text == ' ')
        text++;
    const char *scheme = "http://";
    const char *rest = text;
    if (strncasecmp(text, "http://", 7) == 0) {
        rest = text + 7;
    } else if (strncasecmp(text, "https://", 8) == 0) {
        scheme = "https://";
        rest = text + 8;
    } else if (strstr(text, "://")) {
        ferry_error_set(err, errlen, "connection.url: '%s' is not an http:// or https:// URL",
                        text);
        return NULL;
    }
    size_t rest_len = strlen(rest);
    while (rest_len && (rest[rest_len - 1] == ' ' || rest[rest_len - 1] == '/'))
        rest_len--;
    if (rest_len == 0 || rest[0] == '/' || rest[0] == ':' || memchr(rest, ' ', rest_len)) {
        ferry_error_set(err, errlen, "connection.url: '%s' names no host", text);
        return NULL;
    }
    char *url = NULL;
    if (asprintf(&url, "%s%.*s", scheme, (int)rest_len, rest) < 0) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    return url;
}

/* Data stream dataset and namespace characters (Confluent's validators). */
static const char *es_stream_name_problem(const char *value)
{
    if (strlen(value) > 100)
        return "must be at most 100 characters";
    for (const char *c = value; *c; c++) {
        if (isupper((unsigned char)*c))
            return "must be lowercase";
        if (strchr(" \\/*?\"<>|,#:-", *c))
            return "must not contain spaces or any of \\/*?\"<>|,#:-";
    }
    return NULL;
}

/* ---- cross-key rules ---------------------------------------------------------------------- */

typedef struct es_check {
    es_config_report_fn report;
    void *report_ctx;
    int count;
} es_check;

static FERRY_PRINTF(3, 4) void es_check_add(es_check *check, const char *key, const char *fmt,
                                            ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    check->report(check->report_ctx, key, message);
    check->count++;
}

static void es_check_both(es_check *check, const char *a, const char *b, const char *message)
{
    es_check_add(check, a, "%s", message);
    es_check_add(check, b, "%s", message);
}

static void es_check_resources(const ferry_host *host, const ferry_config *config,
                               es_check *check, bool stream_configured)
{
    const char *usage = host->config_string(config, "external.resource.usage");
    const char *const *pairs = host->config_list(config, "topic.to.external.resource.mapping");
    size_t count = es_list_count(pairs);
    bool enabled = !es_equals(usage, "disabled");
    if (enabled != (count > 0)) {
        es_check_both(check, "external.resource.usage", "topic.to.external.resource.mapping",
                      "'external.resource.usage' and 'topic.to.external.resource.mapping' must "
                      "be set together: a usage other than DISABLED needs mappings, and "
                      "mappings need a usage.");
        return;
    }
    if (!enabled)
        return;
    if (stream_configured) {
        es_check_add(check, "topic.to.external.resource.mapping",
                     "'topic.to.external.resource.mapping' cannot be used with "
                     "'data.stream.type' and 'data.stream.dataset'.");
        return;
    }
    int64_t max = host->config_int(config, "max.external.resource.mappings");
    if ((int64_t)count > max) {
        es_check_add(check, "topic.to.external.resource.mapping",
                     "Too many topic-to-external-resource mappings are configured (%zu). Maximum "
                     "allowed limit is %lld.", count, (long long)max);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        const char *colon = strchr(pairs[i], ':');
        if (!colon || colon == pairs[i] || !colon[1] || strchr(colon + 1, ':')) {
            es_check_add(check, "topic.to.external.resource.mapping",
                         "Invalid topic-to-resource mapping format '%s'. The expected format: "
                         "topic:resource", pairs[i]);
            return;
        }
        for (size_t j = 0; j < i; j++) {
            const char *other = strchr(pairs[j], ':');
            if ((size_t)(colon - pairs[i]) == (size_t)(other - pairs[j]) &&
                strncmp(pairs[i], pairs[j], (size_t)(colon - pairs[i])) == 0) {
                es_check_add(check, "topic.to.external.resource.mapping",
                             "Topic '%.*s' is mapped to multiple resources. Each topic must be "
                             "mapped to exactly one resource.", (int)(colon - pairs[i]),
                             pairs[i]);
                return;
            }
            if (strcmp(colon + 1, other + 1) == 0) {
                es_check_add(check, "topic.to.external.resource.mapping",
                             "Resource '%s' is mapped from multiple topics. Each resource must "
                             "be mapped to exactly one topic.", colon + 1);
                return;
            }
        }
    }
    /* Every configured topic must be mapped (topics.regex cannot be checked in advance). */
    const char *const *topics = host->config_list(config, "topics");
    for (size_t t = 0; topics && topics[t]; t++) {
        bool mapped = false;
        size_t len = strlen(topics[t]);
        for (size_t i = 0; i < count && !mapped; i++)
            mapped = strncmp(pairs[i], topics[t], len) == 0 && pairs[i][len] == ':';
        if (!mapped) {
            es_check_add(check, "topic.to.external.resource.mapping",
                         "Topic '%s' is not mapped to any resource. All topics must be mapped "
                         "when using topic-to-resource mapping configuration.", topics[t]);
            return;
        }
    }
}

int es_config_check(const ferry_host *host, const ferry_config *config, es_config_report_fn report,
                    void *report_ctx)
{
    es_check check = {report, report_ctx, 0};
    char why[256];

    const char *const *urls = host->config_list(config, "connection.url");
    if (!urls || !urls[0])
        es_check_add(&check, "connection.url", "connection.url must name at least one URL");
    for (size_t i = 0; urls && urls[i]; i++) {
        char *url = es_url_normalize(urls[i], why, sizeof(why));
        if (!url)
            es_check_add(&check, "connection.url", "%s", why);
        free(url);
    }

    const char *username = es_text(host, config, "connection.username");
    const char *password = es_text(host, config, "connection.password");
    const char *api_key = es_text(host, config, "connection.api.key");
    if ((username != NULL) != (password != NULL))
        es_check_both(&check, "connection.username", "connection.password",
                      "Both 'connection.username' and 'connection.password' must be set.");
    if (api_key && username)
        es_check_both(&check, "connection.api.key", "connection.username",
                      "Either 'connection.api.key' or 'connection.username' and "
                      "'connection.password' may be set, not both.");

    const char *stream_type = host->config_string(config, "data.stream.type");
    const char *dataset = es_text(host, config, "data.stream.dataset");
    bool stream = !es_equals(stream_type, "none");
    if (stream != (dataset != NULL))
        es_check_both(&check, "data.stream.type", "data.stream.dataset",
                      "Either both or neither 'data.stream.dataset' and 'data.stream.type' must "
                      "be set.");
    if (dataset) {
        const char *problem = es_stream_name_problem(dataset);
        if (problem)
            es_check_add(&check, "data.stream.dataset", "data.stream.dataset '%s' %s", dataset,
                         problem);
    }
    const char *namespace = host->config_string(config, "data.stream.namespace");
    if (stream && namespace) {
        /* ${topic} is replaced by a lowercased topic: check the rest. */
        char copy[256];
        snprintf(copy, sizeof(copy), "%s", namespace);
        for (char *at; (at = strstr(copy, "${topic}"));)
            memmove(at, at + 8, strlen(at + 8) + 1);
        const char *problem = es_blank(namespace) ? "must not be empty"
                                                  : es_stream_name_problem(copy);
        if (problem)
            es_check_add(&check, "data.stream.namespace", "data.stream.namespace '%s' %s",
                         namespace, problem);
    }
    bool timestamp_set = es_list_count(host->config_list(config, "data.stream.timestamp.field"))
                         > 0;
    const char *resource_usage = host->config_string(config, "external.resource.usage");
    bool resource_stream = es_equals(resource_usage, "datastream") ||
                           es_equals(resource_usage, "alias_datastream");
    const char *write_method = host->config_string(config, "write.method");
    const char *null_values = host->config_string(config, "behavior.on.null.values");
    if (!stream && !resource_stream) {
        if (timestamp_set)
            es_check_add(&check, "data.stream.timestamp.field",
                         "Mapping a field to the '@timestamp' Elasticsearch field is only "
                         "necessary when working with data streams. 'data.stream.timestamp.field'"
                         " must not be set when not writing to a data stream.");
    } else if (es_equals(write_method, "upsert")) {
        es_check_add(&check, "write.method",
                     "Upserts are not supported with data streams. 'write.method' must be "
                     "'INSERT' when writing to a data stream.");
    } else if (es_equals(null_values, "delete")) {
        es_check_add(&check, "behavior.on.null.values",
                     "Deletes are not supported with data streams. 'behavior.on.null.values' "
                     "must not be 'DELETE' when writing to a data stream.");
    }
    es_check_resources(host, config, &check, stream || dataset);

    if (host->config_bool(config, "key.ignore") &&
        es_list_count(host->config_list(config, "topic.key.ignore")) > 0)
        es_check_both(&check, "key.ignore", "topic.key.ignore",
                      "'topic.key.ignore' can not be set if 'key.ignore' is true.");
    if (host->config_bool(config, "schema.ignore") &&
        es_list_count(host->config_list(config, "topic.schema.ignore")) > 0)
        es_check_both(&check, "schema.ignore", "topic.schema.ignore",
                      "'topic.schema.ignore' can not be set if 'schema.ignore' is true.");

    int64_t linger = host->config_int(config, "linger.ms");
    int64_t flush_timeout = host->config_int(config, "flush.timeout.ms");
    if (linger > flush_timeout) {
        snprintf(why, sizeof(why), "'linger.ms' (%lld) can not be larger than 'flush.timeout.ms'"
                 " (%lld).", (long long)linger, (long long)flush_timeout);
        es_check_both(&check, "linger.ms", "flush.timeout.ms", why);
    }
    int64_t buffered = host->config_int(config, "max.buffered.records");
    int64_t batch = host->config_int(config, "batch.size");
    int64_t in_flight = host->config_int(config, "max.in.flight.requests");
    if (buffered < batch * in_flight) {
        snprintf(why, sizeof(why), "'max.buffered.records' (%lld) must be larger than or equal "
                 "to 'batch.size' (%lld) x max.in.flight.requests (%lld).", (long long)buffered,
                 (long long)batch, (long long)in_flight);
        es_check_add(&check, "max.buffered.records", "%s", why);
        es_check_add(&check, "batch.size", "%s", why);
        es_check_add(&check, "max.in.flight.requests", "%s", why);
    }

    const char *proxy_host = es_text(host, config, "proxy.host");
    const char *proxy_user = es_text(host, config, "proxy.username");
    const char *proxy_password = es_text(host, config, "proxy.password");
    if (!proxy_host) {
        if (proxy_user)
            es_check_both(&check, "proxy.username", "proxy.host",
                          "'proxy.host' must be set to use 'proxy.username'.");
        if (proxy_password)
            es_check_both(&check, "proxy.password", "proxy.host",
                          "'proxy.host' must be set to use 'proxy.password'.");
    } else if ((proxy_user != NULL) != (proxy_password != NULL)) {
        es_check_both(&check, "proxy.username", "proxy.password",
                      "Either both or neither 'proxy.username' and 'proxy.password' can be set.");
    }

    if (!es_equals(host->config_string(config, "elastic.security.protocol"), "ssl")) {
        json_t *all = host->config_json(config);
        const char *key;
        json_t *value;
        json_object_foreach(all, key, value) {
            if (strncmp(key, SSL_PREFIX, strlen(SSL_PREFIX)) == 0) {
                es_check_add(&check, key, "'elastic.security.protocol' must be set to 'SSL' to "
                             "use SSL configs.");
                break;
            }
        }
    }
    const char *principal = es_text(host, config, "kerberos.user.principal");
    const char *keytab = es_text(host, config, "kerberos.keytab.path");
    if ((principal != NULL) != (keytab != NULL))
        es_check_both(&check, "kerberos.user.principal", "kerberos.keytab.path",
                      "Either both or neither 'kerberos.user.principal' and "
                      "'kerberos.keytab.path' must be set.");
    return check.count;
}

/* ---- settings ----------------------------------------------------------------------------- */

typedef struct es_first_problem {
    char *err;
    size_t errlen;
    bool seen;
} es_first_problem;

static void es_first_problem_report(void *report_ctx, const char *key, const char *message)
{
    es_first_problem *first = report_ctx;
    if (!first->seen)
        ferry_error_set(first->err, first->errlen, "%s: %s", key, message);
    first->seen = true;
}

/* "id:key" -> base64; an encoded key stays as it is. */
static char *es_api_key_header(const char *key)
{
    strbuf buffer = {0};
    strbuf_append_literal(&buffer, "Authorization: ApiKey ");
    if (strchr(key, ':'))
        strbuf_append_base64(&buffer, key, strlen(key));
    else
        strbuf_append_str(&buffer, key);
    return strbuf_take(&buffer, NULL);
}

/* The keys read straight into es_settings. */
static const config_binding es_settings_bindings[] = {
    CONFIG_BIND_STRING("connection.username", es_settings, username),
    CONFIG_BIND_STRING("connection.password", es_settings, password),
    CONFIG_BIND_BOOL("connection.compression", es_settings, compression),
    CONFIG_BIND_LONG("connection.timeout.ms", es_settings, connection_timeout_ms),
    CONFIG_BIND_LONG("read.timeout.ms", es_settings, read_timeout_ms),
    CONFIG_BIND_LONG("max.connection.idle.time.ms", es_settings, max_idle_ms),
    CONFIG_BIND_INT("max.in.flight.requests", es_settings, max_in_flight),
    CONFIG_BIND_STRING("proxy.host", es_settings, proxy_host),
    CONFIG_BIND_INT("proxy.port", es_settings, proxy_port),
    CONFIG_BIND_STRING("proxy.username", es_settings, proxy_username),
    CONFIG_BIND_STRING("proxy.password", es_settings, proxy_password),
    CONFIG_BIND_STRING(SSL_PREFIX "ssl.truststore.location", es_settings, ca_file),
    CONFIG_BIND_STRING(SSL_PREFIX "ssl.truststore.certificates", es_settings, ca_pem),
    CONFIG_BIND_STRING(SSL_PREFIX "ssl.keystore.location", es_settings, client_cert_file),
    CONFIG_BIND_STRING(SSL_PREFIX "ssl.key.password", es_settings, client_key_password),
    CONFIG_BIND_INT("batch.size", es_settings, batch_size),
    CONFIG_BIND_LONG("bulk.size.bytes", es_settings, bulk_size_bytes),
    CONFIG_BIND_LONG("linger.ms", es_settings, linger_ms),
    CONFIG_BIND_INT("max.buffered.records", es_settings, max_buffered),
    CONFIG_BIND_LONG("flush.timeout.ms", es_settings, flush_timeout_ms),
    CONFIG_BIND_INT("max.retries", es_settings, max_retries),
    CONFIG_BIND_LONG("retry.backoff.ms", es_settings, retry_backoff_ms),
    CONFIG_BIND_BOOL("key.ignore", es_settings, key_ignore),
    CONFIG_BIND_LIST("topic.key.ignore", es_settings, key_ignore_topics),
    CONFIG_BIND_BOOL("schema.ignore", es_settings, schema_ignore),
    CONFIG_BIND_LIST("topic.schema.ignore", es_settings, schema_ignore_topics),
    CONFIG_BIND_BOOL("compact.map.entries", es_settings, compact_map_entries),
    CONFIG_BIND_CHOICE("write.method", es_settings, write_method, es_write_values),
    CONFIG_BIND_CHOICE("behavior.on.null.values", es_settings, null_behavior, es_null_values),
    CONFIG_BIND_CHOICE("behavior.on.malformed.documents", es_settings, malformed_behavior,
                       es_malformed_values),
    CONFIG_BIND_BOOL("drop.invalid.message", es_settings, drop_invalid),
    CONFIG_BIND_STRING("external.version.header", es_settings, version_header),
    CONFIG_BIND_BOOL("use.autogenerated.ids", es_settings, autogenerated_ids),
    CONFIG_BIND_STRING("data.stream.namespace", es_settings, data_stream_namespace),
    CONFIG_BIND_LIST("data.stream.timestamp.field", es_settings, timestamp_fields),
    CONFIG_BIND_CHOICE("external.resource.usage", es_settings, resource_usage,
                       es_resource_values),
    {0},
};

/* The keys settings are derived from, across keys or reshaped. */
typedef struct es_settings_inputs {
    char **urls;
    char *api_key;
    int protocol;           /* es_protocols */
    char *identification;   /* ssl.endpoint.identification.algorithm; NULL when blank */
    int stream_type;        /* es_stream_types */
    char *dataset;
    char **resource_pairs;  /* topic:resource */
    int tolerance;          /* es_tolerance_values; -1 when unset */
    char *dlq_topic;
} es_settings_inputs;

static const config_binding es_inputs_bindings[] = {
    CONFIG_BIND_LIST("connection.url", es_settings_inputs, urls),
    CONFIG_BIND_STRING("connection.api.key", es_settings_inputs, api_key),
    CONFIG_BIND_CHOICE("elastic.security.protocol", es_settings_inputs, protocol, es_protocols),
    CONFIG_BIND_STRING(SSL_PREFIX "ssl.endpoint.identification.algorithm", es_settings_inputs,
                       identification),
    CONFIG_BIND_CHOICE("data.stream.type", es_settings_inputs, stream_type, es_stream_types),
    CONFIG_BIND_STRING("data.stream.dataset", es_settings_inputs, dataset),
    CONFIG_BIND_LIST("topic.to.external.resource.mapping", es_settings_inputs, resource_pairs),
    CONFIG_BIND_CHOICE("errors.tolerance", es_settings_inputs, tolerance, es_tolerance_values),
    CONFIG_BIND_STRING("errors.deadletterqueue.topic.name", es_settings_inputs, dlq_topic),
    {0},
};

static int es_settings_urls(es_settings *s, char *const *urls, char *err, size_t errlen)
{
    s->url_count = es_list_count((const char *const *)urls);
    s->urls = calloc(s->url_count + 1, sizeof(*s->urls));
    if (!s->urls)
        return ferry_error_set(err, errlen, "out of memory reading the config"), -1;
    for (size_t i = 0; i < s->url_count; i++)
        if (!(s->urls[i] = es_url_normalize(urls[i], err, errlen)))
            return -1;
    return 0;
}

static int es_settings_resources(es_settings *s, char *const *pairs)
{
    if (s->resource_usage == ES_RESOURCE_DISABLED)
        return 0;
    size_t count = es_list_count((const char *const *)pairs);
    s->resources = calloc(count ? count : 1, sizeof(*s->resources));
    if (!s->resources)
        return -1;
    for (size_t i = 0; i < count; i++) {
        const char *colon = strchr(pairs[i], ':');
        s->resources[i].topic = strndup(pairs[i], (size_t)(colon - pairs[i]));
        s->resources[i].resource = strdup(colon + 1);
        s->resource_count++;
        if (!s->resources[i].topic || !s->resources[i].resource)
            return -1;
    }
    return 0;
}

/* What no single key says. 0, -1 when out of memory. */
static int es_settings_derive(es_settings *s, const es_settings_inputs *in)
{
    if (in->api_key && !(s->api_key_header = es_api_key_header(in->api_key)))
        return -1;
    s->ssl = in->protocol == ES_PROTOCOL_SSL;
    if (!s->ssl) { /* Confluent ignores the elastic.https.* keys without SSL */
        free(s->ca_file), free(s->ca_pem), free(s->client_cert_file);
        free(s->client_key_password);
        s->ca_file = s->ca_pem = s->client_cert_file = s->client_key_password = NULL;
    }
    s->verify_host = !s->ssl || in->identification;
    s->autogenerated_ids = s->autogenerated_ids && s->write_method == ES_WRITE_INSERT;
    if (in->stream_type != ES_STREAM_NONE) {
        s->data_stream = true;
        if (asprintf(&s->data_stream_prefix, "%s-%s-", es_stream_types[in->stream_type],
                     in->dataset ? in->dataset : "") < 0) {
            s->data_stream_prefix = NULL;
            return -1;
        }
        for (char *c = s->data_stream_prefix; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    if (es_settings_resources(s, in->resource_pairs) != 0)
        return -1;
    s->tolerate_all = in->tolerance == ES_TOLERANCE_ALL;
    s->has_dlq = in->dlq_topic != NULL;
    return 0;
}

int es_settings_load(const ferry_host *host, const ferry_config *config, es_settings *s,
                     char *err, size_t errlen)
{
    *s = (es_settings){0};
    es_settings_inputs inputs = {0};
    es_first_problem first = {err, errlen, false};
    if (es_config_check(host, config, es_first_problem_report, &first) > 0)
        return -1;
    if (config_bind(host, config, es_settings_bindings, s) != 0 ||
        config_bind(host, config, es_inputs_bindings, &inputs) != 0)
        goto oom;
    if (es_settings_urls(s, inputs.urls, err, errlen) != 0)
        goto fail;
    if (es_settings_derive(s, &inputs) != 0)
        goto oom;
    config_bind_release(es_inputs_bindings, &inputs);
    return 0;
oom:
    ferry_error_set(err, errlen, "out of memory reading the config");
fail:
    config_bind_release(es_inputs_bindings, &inputs);
    es_settings_free(s);
    return -1;
}

void es_settings_free(es_settings *s)
{
    config_bind_release(es_settings_bindings, s);
    strlist_array_free(s->urls);
    free(s->api_key_header);
    free(s->data_stream_prefix);
    for (size_t i = 0; i < s->resource_count; i++) {
        free(s->resources[i].topic);
        free(s->resources[i].resource);
    }
    free(s->resources);
    *s = (es_settings){0};
}

bool es_settings_key_ignored(const es_settings *settings, const char *topic)
{
    return settings->key_ignore || es_list_contains(settings->key_ignore_topics, topic);
}

bool es_settings_schema_ignored(const es_settings *settings, const char *topic)
{
    return settings->schema_ignore || es_list_contains(settings->schema_ignore_topics, topic);
}

const char *es_settings_resource(const es_settings *settings, const char *topic)
{
    for (size_t i = 0; i < settings->resource_count; i++)
        if (strcmp(settings->resources[i].topic, topic) == 0)
            return settings->resources[i].resource;
    return NULL;
}

bool es_settings_is_data_stream(const es_settings *settings)
{
    return settings->data_stream || settings->resource_usage == ES_RESOURCE_DATASTREAM ||
           settings->resource_usage == ES_RESOURCE_ALIAS_DATASTREAM;
}
