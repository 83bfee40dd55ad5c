/*
 * worker_config.c - the worker's definition (Kafka Connect's worker keys with their defaults, plus
 * ferry's own) and the loader that resolves providers, validates the .properties against it and
 * fills the typed struct. Every problem is collected before the loader gives up, so a user fixes
 * a worker file in one go.
 */
#include "config/worker_config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WORKER_JSON_CONVERTER "org.apache.kafka.connect.json.JsonConverter"
#define WORKER_DEFAULT_LISTENER "http://127.0.0.1:8083"
#define WORKER_EMBEDDED "embedded"

static const char *const worker_bool_values[] = {"true", "false", NULL};
static const char *const worker_listener_schemes[] = {"http", "https", NULL};
static const char *const worker_connect_protocols[] = {"eager", "compatible", "sessioned", NULL};
/* Java's names of the MACs ferry can sign and verify with (GnuTLS has each). */
static const char *const worker_hmac_algorithms[] = {"HmacSHA1", "HmacSHA224", "HmacSHA256",
                                                     "HmacSHA384", "HmacSHA512", NULL};

/* Keys Kafka Connect's WorkerConfig knows that ferry declares. The *.replication.factor keys are
 * Java shorts where -1 means "the broker's default"; 0 is refused after the definition check. */
const ferry_config_key worker_config_keys[] = {
    {.name = "bootstrap.servers", .type = FERRY_CONFIG_LIST, .default_value = WORKER_EMBEDDED,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Kafka brokers to connect to (host:port,...). \"embedded\" or an empty value "
                      "starts an in-process, in-memory Kafka instead (for trying ferry out)."},
    {.name = "group.id", .type = FERRY_CONFIG_STRING, .default_value = "connect-cluster",
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The Connect cluster this worker belongs to."},
    {.name = "offset.storage.topic", .type = FERRY_CONFIG_STRING,
     .default_value = "connect-offsets", .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The compacted topic holding source connector offsets."},
    {.name = "offset.storage.partitions", .type = FERRY_CONFIG_INT, .default_value = "25",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1,
     .documentation = "Partitions of the offsets topic when the worker creates it."},
    {.name = "offset.storage.replication.factor", .type = FERRY_CONFIG_INT, .default_value = "3",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = -1, .has_max = true,
     .max = 32767,
     .documentation = "Replication factor of the offsets topic when the worker creates it; -1 "
                      "uses the broker's default."},
    {.name = "config.storage.topic", .type = FERRY_CONFIG_STRING,
     .default_value = "connect-configs", .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The compacted, single-partition topic holding connector configs."},
    {.name = "config.storage.replication.factor", .type = FERRY_CONFIG_INT, .default_value = "3",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = -1, .has_max = true,
     .max = 32767,
     .documentation = "Replication factor of the configs topic when the worker creates it; -1 "
                      "uses the broker's default."},
    {.name = "status.storage.topic", .type = FERRY_CONFIG_STRING,
     .default_value = "connect-status", .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The compacted topic holding connector and task states."},
    {.name = "status.storage.partitions", .type = FERRY_CONFIG_INT, .default_value = "5",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1,
     .documentation = "Partitions of the status topic when the worker creates it."},
    {.name = "status.storage.replication.factor", .type = FERRY_CONFIG_INT, .default_value = "3",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = -1, .has_max = true,
     .max = 32767,
     .documentation = "Replication factor of the status topic when the worker creates it; -1 "
                      "uses the broker's default."},
    {.name = "key.converter", .type = FERRY_CONFIG_CLASS, .default_value = WORKER_JSON_CONVERTER,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Converter for record keys, unless a connector sets its own: JsonConverter, "
                      "StringConverter or ByteArrayConverter (Kafka Connect class names or "
                      "json, string, bytearray)."},
    {.name = "value.converter", .type = FERRY_CONFIG_CLASS,
     .default_value = WORKER_JSON_CONVERTER, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Converter for record values, unless a connector sets its own."},
    {.name = "key.converter.schemas.enable", .type = FERRY_CONFIG_BOOLEAN,
     .default_value = "true", .importance = FERRY_IMPORTANCE_MEDIUM,
     .allowed_values = worker_bool_values,
     .documentation = "JsonConverter: wrap keys in the {\"schema\",\"payload\"} envelope."},
    {.name = "value.converter.schemas.enable", .type = FERRY_CONFIG_BOOLEAN,
     .default_value = "true", .importance = FERRY_IMPORTANCE_MEDIUM,
     .allowed_values = worker_bool_values,
     .documentation = "JsonConverter: wrap values in the {\"schema\",\"payload\"} envelope."},
    {.name = "header.converter", .type = FERRY_CONFIG_CLASS,
     .default_value = "org.apache.kafka.connect.storage.SimpleHeaderConverter",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Converter for record headers (accepted for compatibility)."},
    {.name = "offset.flush.interval.ms", .type = FERRY_CONFIG_LONG, .default_value = "60000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .documentation = "How often source offsets are committed and sink tasks flushed."},
    {.name = "offset.flush.timeout.ms", .type = FERRY_CONFIG_LONG, .default_value = "5000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .documentation = "How long an offset commit may wait for Kafka's acknowledgement before it "
                      "is abandoned and retried at the next interval."},
    {.name = "task.shutdown.graceful.timeout.ms", .type = FERRY_CONFIG_LONG,
     .default_value = "5000", .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .documentation = "How long tasks get to flush and commit when the worker shuts down."},
    {.name = "exactly.once.source.support", .type = FERRY_CONFIG_STRING,
     .default_value = "disabled", .importance = FERRY_IMPORTANCE_HIGH,
     .allowed_values = (const char *const[]){"disabled", "preparing", "enabled", NULL},
     .documentation = "enabled: every source task writes its records and their offsets in "
                      "Kafka transactions (transactional.id <group.id>-<connector>-<task>), "
                      "so read_committed consumers see each record once. preparing: tasks "
                      "stay at-least-once while a cluster is upgraded (distributed mode). "
                      "A standalone worker needs its own explicit group.id to enable it "
                      "(docs/operations.md, \"Delivery guarantees\")."},
    {.name = "plugin.path", .type = FERRY_CONFIG_LIST, .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Directories searched for plugin modules (comma-separated); unset = the "
                      "installed plugin directory."},
    {.name = "listeners", .type = FERRY_CONFIG_LIST, .default_value = WORKER_DEFAULT_LISTENER,
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Where the REST API listens: comma-separated scheme://host:port. Unlike "
                      "Kafka Connect, ferry listens on localhost only by default."},
    {.name = "rest.advertised.host.name", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Host name reported as this worker's id instead of the listener's."},
    {.name = "rest.advertised.port", .type = FERRY_CONFIG_INT, .importance = FERRY_IMPORTANCE_LOW,
     .has_min = true, .min = 0, .has_max = true, .max = 65535,
     .documentation = "Port reported as this worker's id instead of the listener's."},
    {.name = "rest.advertised.listener", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = worker_listener_schemes,
     .documentation = "The scheme (http or https) other workers use to reach this one; its port "
                      "and host come from the first listener of that scheme (else the first "
                      "listener)."},
    {.name = "topic.creation.enable", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = worker_bool_values,
     .documentation = "Whether source connectors may create the topics their records go to, "
                      "with the settings of their topic.creation.* keys (docs/configuration.md, "
                      "\"Topic creation\"). false: those keys are ignored, with a warning."},
    {.name = "task.restart.auto", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = worker_bool_values,
     .documentation = "ferry: restart FAILED tasks automatically, with back-off. false keeps them "
                      "FAILED until restarted through the REST API."},
    {.name = "task.restart.backoff.initial.ms", .type = FERRY_CONFIG_LONG,
     .default_value = "1000", .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1,
     .documentation = "ferry: wait before the first automatic restart of a failed task; doubles "
                      "with each further failure."},
    {.name = "task.restart.backoff.max.ms", .type = FERRY_CONFIG_LONG, .default_value = "60000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1,
     .documentation = "ferry: the longest wait between automatic restarts of a failed task."},
    /* Distributed mode (docs/distributed.md). The group timeouts are librdkafka's ranges; the
     * broker's group.min.session.timeout.ms and group.max.session.timeout.ms apply too. */
    {.name = "session.timeout.ms", .type = FERRY_CONFIG_INT, .default_value = "10000",
     .importance = FERRY_IMPORTANCE_HIGH, .has_min = true, .min = 1, .has_max = true,
     .max = 3600000,
     .documentation = "Distributed mode: how long the group coordinator waits for a worker's "
                      "heartbeats before it removes the worker from the group; a worker that "
                      "notices it was out for longer stops its tasks. Within the broker's "
                      "group.min.session.timeout.ms and group.max.session.timeout.ms."},
    {.name = "heartbeat.interval.ms", .type = FERRY_CONFIG_INT, .default_value = "3000",
     .importance = FERRY_IMPORTANCE_HIGH, .has_min = true, .min = 1, .has_max = true,
     .max = 3600000,
     .documentation = "Distributed mode: the time between heartbeats to the group coordinator; "
                      "lower than session.timeout.ms, typically a third of it at most."},
    {.name = "rebalance.timeout.ms", .type = FERRY_CONFIG_INT, .default_value = "60000",
     .importance = FERRY_IMPORTANCE_HIGH, .has_min = true, .min = 1, .has_max = true,
     .max = 86400000,
     .documentation = "Distributed mode: how long a rebalance may take (the group member's "
                      "max.poll.interval.ms); at least session.timeout.ms."},
    {.name = "scheduled.rebalance.max.delay.ms", .type = FERRY_CONFIG_INT,
     .default_value = "300000", .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .has_max = true, .max = INT32_MAX,
     .documentation = "Distributed mode: how long the connectors and tasks of a worker that left "
                      "the group stay unassigned, waiting for it to come back, before they are "
                      "given to the other workers."},
    {.name = "worker.sync.timeout.ms", .type = FERRY_CONFIG_INT, .default_value = "3000",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 0, .has_max = true,
     .max = INT32_MAX,
     .documentation = "Distributed mode: how long the leader waits for a worker to acknowledge "
                      "that it stopped work taken from it before giving that work to another "
                      "worker."},
    {.name = "connect.protocol", .type = FERRY_CONFIG_STRING, .default_value = "sessioned",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = worker_connect_protocols,
     .documentation = "Kafka Connect's rebalance protocol; accepted for compatibility: ferry "
                      "always rebalances incrementally and signs requests forwarded between "
                      "workers."},
    {.name = "inter.worker.key.generation.algorithm", .type = FERRY_CONFIG_STRING,
     .default_value = "HmacSHA256", .importance = FERRY_IMPORTANCE_LOW,
     .allowed_values = worker_hmac_algorithms,
     .documentation = "Distributed mode: the algorithm of the session keys the leader generates "
                      "for requests forwarded between workers."},
    {.name = "inter.worker.key.size", .type = FERRY_CONFIG_INT,
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1, .has_max = true,
     .max = INT32_MAX,
     .documentation = "Distributed mode: the size of the session keys, in bits (at least 40 "
                      "for the SHA-2 MACs, as Java's key generators require); unset = the "
                      "algorithm's own size."},
    {.name = "inter.worker.key.ttl.ms", .type = FERRY_CONFIG_INT, .default_value = "3600000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = INT32_MAX,
     .documentation = "Distributed mode: how long a session key is used before the leader "
                      "writes a new one."},
    {.name = "inter.worker.signature.algorithm", .type = FERRY_CONFIG_STRING,
     .default_value = "HmacSHA256", .importance = FERRY_IMPORTANCE_LOW,
     .allowed_values = worker_hmac_algorithms,
     .documentation = "Distributed mode: the algorithm that signs requests forwarded between "
                      "workers; one of inter.worker.verification.algorithms."},
    {.name = "inter.worker.verification.algorithms", .type = FERRY_CONFIG_LIST,
     .default_value = "HmacSHA256", .importance = FERRY_IMPORTANCE_LOW,
     .allowed_values = worker_hmac_algorithms,
     .documentation = "Distributed mode: the algorithms a worker accepts on forwarded requests; "
                      "must include inter.worker.signature.algorithm."},
    {.name = CLIENT_OVERRIDE_POLICY_KEY, .type = FERRY_CONFIG_STRING, .default_value = "All",
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Which producer.override.*, consumer.override.* and admin.override.* keys "
                      "a connector may set: All (any), Principal (only sasl.jaas.config, "
                      "sasl.mechanism and security.protocol) or None; Kafka Connect's class "
                      "names are accepted too."},
    {.name = "config.storage.encryption.key.file", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "ferry: a file of named 256-bit keys, lines <id>=<base64>; when set, "
                      "sensitive connector config values are stored encrypted (AES-256-GCM) in "
                      "the configs topic with the first key listed, and read with whichever "
                      "listed key they name. Java workers cannot read such values."},
    {.name = "config.storage.encryption.key.env", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "ferry: instead of a key file, the name of an environment variable holding "
                      "the same text (entries separated by newlines or commas)."},
    {.name = NULL},
};

/* Keys that belong to something the definition does not spell out: the Kafka clients' settings
 * (prefixed per client; security settings at the top level serve the worker's own clients, as in
 * Kafka Connect), converters' own settings, config providers and REST options. */
static const char *const worker_config_known_prefixes[] = {
    "producer.", "consumer.", "admin.", "key.converter.", "value.converter.",
    "header.converter.", "config.providers", "rest.", "listeners.https.", "security.protocol",
    "ssl.", "sasl.", NULL,
};

/* The REST API's security settings (worker/rest/, docs/security.md), checked with the worker's
 * keys when the worker file loads. The https keys take PEM files or Java's JKS and PKCS12
 * stores, as Kafka Connect's do. */
static const ferry_config_key worker_rest_config_keys[] = {
    {.name = "listeners.https.ssl.certificate.location", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "ferry: PEM file with the certificate (and chain) of https listeners."},
    {.name = "listeners.https.ssl.key.location", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "ferry: PEM file with the private key of https listeners."},
    {.name = "listeners.https.ssl.key.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_HIGH, .sensitive = true,
     .documentation = "Password of an encrypted private key of https listeners."},
    {.name = "listeners.https.ssl.keystore.type", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "As in Kafka: JKS (when unset), PKCS12 or PEM; with PEM, "
                      "listeners.https.ssl.keystore.location names one file holding the key "
                      "and the certificate chain."},
    {.name = "listeners.https.ssl.keystore.location", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "The keystore holding the private key and its certificate chain (of "
                      "listeners.https.ssl.keystore.type; the first key entry is used)."},
    {.name = "listeners.https.ssl.keystore.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_MEDIUM, .sensitive = true,
     .documentation = "Password of a JKS or PKCS12 keystore (also the key's password when "
                      "listeners.https.ssl.key.password is unset, as in Java)."},
    {.name = "listeners.https.ssl.truststore.location", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "A truststore (JKS, PKCS12 or PEM), read and checked at start; client "
                      "certificates are not requested, so it verifies nothing yet."},
    {.name = "listeners.https.ssl.truststore.type", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "JKS (when unset), PKCS12 or PEM."},
    {.name = "listeners.https.ssl.truststore.password", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_LOW, .sensitive = true,
     .documentation = "Password of listeners.https.ssl.truststore.location."},
    {.name = "listeners.https.ssl.keystore.key", .type = FERRY_CONFIG_PASSWORD,
     .importance = FERRY_IMPORTANCE_MEDIUM, .sensitive = true,
     .documentation = "The private key itself in PEM, as Kafka clients accept it; with "
                      "listeners.https.ssl.keystore.certificate.chain."},
    {.name = "listeners.https.ssl.keystore.certificate.chain", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "The certificate chain itself in PEM; with "
                      "listeners.https.ssl.keystore.key."},
    {.name = "listeners.https.ssl.enabled.protocols", .type = FERRY_CONFIG_LIST,
     .default_value = "TLSv1.2,TLSv1.3", .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "TLS versions https listeners accept: TLSv1.2 and/or TLSv1.3."},
    {.name = "listeners.https.ssl.client.auth", .type = FERRY_CONFIG_STRING,
     .default_value = "none", .importance = FERRY_IMPORTANCE_LOW,
     .allowed_values = (const char *const[]){"none", "requested", "required", NULL},
     .documentation = "Client certificates are not supported yet: anything but none stops the "
                      "worker at start rather than being ignored."},
    {.name = "rest.auth.basic.users", .type = FERRY_CONFIG_LIST, .sensitive = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "ferry: HTTP Basic credentials the REST API accepts, as user:password "
                      "entries separated by commas (a password may hold ':' but not ','). Use "
                      "a config provider, ${file:/etc/ferry/secrets.properties:rest.users}, to "
                      "keep them out of the worker file."},
    {.name = "rest.auth.bearer.tokens", .type = FERRY_CONFIG_LIST, .sensitive = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "ferry: bearer tokens the REST API accepts (Authorization: Bearer ...), "
                      "separated by commas."},
    {.name = "rest.auth.roles", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "ferry: roles of rest.auth.basic.users, as user:role entries separated by "
                      "commas; a role is admin (everything, the default of a user not listed) "
                      "or read-only (GET and HEAD only: any other method gets 403)."},
    {.name = "rest.auth.bearer.read-only.tokens", .type = FERRY_CONFIG_LIST, .sensitive = true,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "ferry: bearer tokens the REST API accepts with the read-only role (GET "
                      "and HEAD only), separated by commas."},
    {.name = "ui.enable", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "ferry: serve the web console at /ui/ on the REST listeners, with the "
                      "API's authentication (docs/console.md)."},
    {.name = "rest.auth.public.paths", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "ferry: paths answered to GET requests without credentials when "
                      "authentication is on, e.g. /health,/metrics for probes and scrapers."},
    {.name = "rest.request.max.bytes", .type = FERRY_CONFIG_INT, .default_value = "1048576",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1,
     .documentation = "ferry: the largest request body the REST API reads; a larger one gets "
                      "413."},
    {.name = "rest.extension.classes", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Kafka Connect's Java REST extensions; not supported, so setting it stops "
                      "the worker rather than leave an API its owner believes protected open."},
    {.name = NULL},
};

static const ferry_config_key *const worker_config_defs[] = {worker_config_keys,
                                                             worker_rest_config_keys};
#define WORKER_CONFIG_DEF_COUNT (sizeof(worker_config_defs) / sizeof(worker_config_defs[0]))

/* The value of key as set, else its default from the definition (NULL when neither). */
static const char *worker_value(const config_map *values, const char *key)
{
    const char *value = config_map_get(values, key);
    if (value)
        return value;
    const ferry_config_key *def = config_definition_find(worker_config_defs, WORKER_CONFIG_DEF_COUNT, key);
    return def ? def->default_value : NULL;
}

/* Parses an integer key whose value the definition check already accepted (or its default).
 * Returns 0, or -1 when it did not (the problem is already in the error list). */
static int worker_int(const config_map *values, const char *key, int64_t *out)
{
    const char *text = worker_value(values, key);
    if (!text)
        return -1;
    return config_value_parse_int(text, INT64_MIN, INT64_MAX, out, NULL, 0);
}

/* Reads an INT key into *out when its value (or default) passed the definition's bounds; false,
 * *out unchanged, when it did not (the definition check reported it) or the key has no value. */
static bool worker_int32(const config_map *values, const char *key, int32_t *out)
{
    int64_t number;
    const ferry_config_key *def =
        config_definition_find(worker_config_defs, WORKER_CONFIG_DEF_COUNT, key);
    if (!def || worker_int(values, key, &number) != 0 || number < INT32_MIN ||
        number > INT32_MAX || (def->has_min && number < def->min) ||
        (def->has_max && number > def->max))
        return false;
    *out = (int32_t)number;
    return true;
}

static bool worker_bool(const config_map *values, const char *key, bool *out)
{
    const char *text = worker_value(values, key);
    return text && config_value_parse_bool(text, out, NULL, 0) == 0;
}

/* A copy of text without surrounding white space, or NULL on allocation failure. */
static char *worker_strdup_trimmed(const char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    return strndup(text, len);
}

/* One listener "scheme://host:port" (host may be empty or a bracketed IPv6 address). Fills
 * host (a new string), port and whether the scheme is https; returns 0, or -1 with what is
 * wrong in why. */
static int worker_listener_parse(const char *listener, char **host, long *port, bool *https,
                                 char *why, size_t whylen)
{
    const char *sep = strstr(listener, "://");
    if (!sep) {
        ferry_error_set(why, whylen, "'%s' has no scheme (expected http://host:port)", listener);
        return -1;
    }
    size_t scheme_len = (size_t)(sep - listener);
    if (!((scheme_len == 4 && strncasecmp(listener, "http", 4) == 0) ||
          (scheme_len == 5 && strncasecmp(listener, "https", 5) == 0))) {
        ferry_error_set(why, whylen, "'%s' has an unsupported scheme (expected http or https)",
                        listener);
        return -1;
    }
    *https = scheme_len == 5;
    const char *authority = sep + 3;
    const char *host_end;
    if (authority[0] == '[') {
        host_end = strchr(authority, ']');
        if (!host_end) {
            ferry_error_set(why, whylen, "'%s' has an unterminated IPv6 address", listener);
            return -1;
        }
        host_end++;
    } else {
        host_end = authority + strcspn(authority, ":/");
    }
    if (*host_end != ':') {
        ferry_error_set(why, whylen, "'%s' is not of the form scheme://host:port", listener);
        return -1;
    }
    const char *digits = host_end + 1;
    size_t ndigits = strspn(digits, "0123456789");
    /* A trailing '/' is what a URL usually ends with; accept it. */
    bool ends = digits[ndigits] == '\0' ||
                (digits[ndigits] == '/' && digits[ndigits + 1] == '\0');
    if (ndigits == 0 || !ends || ndigits > 5 ||
        (*port = strtol(digits, NULL, 10)) > 65535) {
        ferry_error_set(why, whylen, "'%s' has an invalid port (expected 0 to 65535)", listener);
        return -1;
    }
    *host = strndup(authority, (size_t)(host_end - authority));
    if (!*host) {
        ferry_error_set(why, whylen, "out of memory");
        return -1;
    }
    return 0;
}

/* Checks every listener and sets worker_id and advertised_url from the advertised one, as Kafka
 * Connect reports the worker's advertised URL: the first listener of the scheme
 * rest.advertised.listener names, else the first listener; rest.advertised.host.name and
 * rest.advertised.port replace its host and port. An empty host binds every interface; the
 * worker then names itself by its host name, as Kafka Connect does. Returns 0, or 1 for a
 * problem reported in errors. */
static size_t worker_listeners_check(worker_config *config, const config_map *values,
                                     config_errors *errors)
{
    char why[512];
    char *host = NULL;
    long port = 0;
    bool https = false;
    bool chosen = false;
    size_t problems = 0;
    const char *advertised = config_map_get(values, "rest.advertised.listener");
    char *scheme = advertised ? worker_strdup_trimmed(advertised) : NULL;
    char **listeners = config_value_split_list(config->listeners);
    if (!listeners || (advertised && !scheme)) {
        config_errors_add(errors, "listeners", "out of memory");
        free(scheme);
        config_list_free(listeners);
        return 1;
    }
    bool scheme_set = scheme && scheme[0] != '\0';
    bool want_https = scheme_set && strcasecmp(scheme, "https") == 0;
    if (!listeners[0]) {
        config_errors_add(errors, "listeners",
                          "Invalid value '%s' for configuration listeners: expected at least one "
                          "listener such as " WORKER_DEFAULT_LISTENER,
                          config->listeners);
        problems = 1;
        goto cleanup;
    }
    for (size_t i = 0; listeners[i]; i++) {
        char *this_host = NULL;
        long this_port = 0;
        bool this_https = false;
        if (worker_listener_parse(listeners[i], &this_host, &this_port, &this_https, why,
                                  sizeof(why)) != 0) {
            config_errors_add(errors, "listeners",
                              "Invalid value '%s' for configuration listeners: %s",
                              config->listeners, why);
            free(this_host);
            problems = 1;
            goto cleanup;
        }
        /* The first listener, replaced once by the first of the advertised scheme. */
        bool matches = scheme_set && this_https == want_https;
        if (i == 0 || (matches && !chosen)) {
            free(host);
            host = this_host;
            port = this_port;
            https = this_https;
            chosen = matches;
        } else {
            free(this_host);
        }
    }
    if (scheme_set)
        https = want_https;

    const char *advertised_host = config_map_get(values, "rest.advertised.host.name");
    int64_t advertised_port;
    if (advertised_host && advertised_host[strspn(advertised_host, " \t")] != '\0') {
        char *copy = worker_strdup_trimmed(advertised_host);
        if (!copy)
            goto out_of_memory;
        free(host);
        host = copy;
    } else if (host[0] == '\0') {
        char name[HOST_NAME_MAX + 1];
        if (gethostname(name, sizeof(name)) != 0)
            snprintf(name, sizeof(name), "localhost");
        name[sizeof(name) - 1] = '\0'; /* gethostname need not terminate a truncated name */
        char *copy = strdup(name);
        if (!copy)
            goto out_of_memory;
        free(host);
        host = copy;
    }
    if (config_map_get(values, "rest.advertised.port") &&
        worker_int(values, "rest.advertised.port", &advertised_port) == 0)
        port = (long)advertised_port;
    if (asprintf(&config->worker_id, "%s:%ld", host, port) < 0) {
        config->worker_id = NULL;
        goto out_of_memory;
    }
    /* Kafka Connect's form, with the trailing slash: "http://host:port/". */
    if (asprintf(&config->advertised_url, "%s://%s/", https ? "https" : "http",
                 config->worker_id) < 0) {
        config->advertised_url = NULL;
        goto out_of_memory;
    }
    goto cleanup;

out_of_memory:
    config_errors_add(errors, "listeners", "out of memory");
    problems = 1;
cleanup:
    free(host);
    free(scheme);
    config_list_free(listeners);
    return problems;
}

/* The replication factors are shorts where -1 means the broker's default and 0 means nothing. */
static size_t worker_replication_check(const config_map *values, const char *key,
                                       int16_t *out, config_errors *errors)
{
    int64_t value;
    if (worker_int(values, key, &value) != 0 || value < -1 || value > INT16_MAX)
        return 0; /* already reported by the definition check */
    if (value == 0) {
        config_errors_add(errors, key,
                          "Invalid value '%s' for configuration %s: expected -1 (the broker's "
                          "default) or an integer between 1 and 32767",
                          worker_value(values, key), key);
        return 1;
    }
    *out = (int16_t)value;
    return 0;
}

/* Topic names and the group id may not be blank; the three topics must differ, or the stores
 * would read each other's records. */
static size_t worker_topics_check(const worker_config *config, config_errors *errors)
{
    struct {
        const char *key;
        const char *value;
    } names[] = {
        {"group.id", config->group_id},
        {"offset.storage.topic", config->offset_topic},
        {"config.storage.topic", config->config_topic},
        {"status.storage.topic", config->status_topic},
    };
    size_t problems = 0;
    size_t count = sizeof(names) / sizeof(names[0]);
    for (size_t i = 0; i < count; i++) {
        if (names[i].value[0] == '\0') {
            config_errors_add(errors, names[i].key,
                              "Invalid value '' for configuration %s: String must be non-empty",
                              names[i].key);
            problems++;
        }
    }
    for (size_t i = 1; i < count; i++) {
        for (size_t j = i + 1; j < count; j++) {
            if (names[i].value[0] == '\0' || strcmp(names[i].value, names[j].value) != 0)
                continue;
            config_errors_add(errors, names[j].key,
                              "Invalid value '%s' for configuration %s: %s already uses this "
                              "topic; the offsets, configs and status topics must be different",
                              names[j].value, names[j].key, names[i].key);
            problems++;
        }
    }
    return problems;
}

/* Resolves ${provider:...} key by key, so that every unresolvable variable is reported, not only
 * the first one. A key that cannot be resolved is left out of the result (its default stands in)
 * so that the other keys are still checked; *failed tells the caller to give up afterwards.
 * NULL only when memory runs out. */
static config_map *worker_config_resolve(const config_map *raw,
                                         const config_providers *providers,
                                         config_errors *errors, bool *failed)
{
    char err[1024];
    config_map *resolved = config_map_new();
    config_map *single = NULL;
    config_map *one = NULL;
    *failed = false;
    if (!resolved)
        goto out_of_memory;
    for (size_t i = 0; i < config_map_count(raw); i++) {
        const char *key = config_map_key_at(raw, i);
        const char *value = config_map_value_at(raw, i);
        if (!strstr(value, "${")) {
            if (config_map_set(resolved, key, value) != 0)
                goto out_of_memory;
            continue;
        }
        single = config_map_new();
        if (!single || config_map_set(single, key, value) != 0)
            goto out_of_memory;
        one = config_providers_resolve(providers, single, err, sizeof(err));
        if (!one) {
            config_errors_add(errors, key, "%s", err);
            *failed = true;
        } else if (config_map_set(resolved, key, config_map_value_at(one, 0)) != 0) {
            goto out_of_memory;
        }
        config_map_destroy(single);
        config_map_destroy(one);
        single = one = NULL;
    }
    return resolved;

out_of_memory:
    config_errors_add(errors, NULL, "out of memory while resolving the worker config");
    config_map_destroy(single);
    config_map_destroy(one);
    config_map_destroy(resolved);
    return NULL;
}

/* Copies a string setting (set or default) into *out; -1 on allocation failure. */
static int worker_string(const config_map *values, const char *key, char **out)
{
    const char *value = worker_value(values, key);
    if (!value) {
        *out = NULL;
        return 0;
    }
    *out = worker_strdup_trimmed(value);
    return *out ? 0 : -1;
}

/* bootstrap.servers as librdkafka takes it: items trimmed, joined by ','. Empty or "embedded"
 * selects the embedded cluster. */
static int worker_bootstrap(worker_config *config, const config_map *values)
{
    char **servers = config_value_split_list(worker_value(values, "bootstrap.servers"));
    size_t len = 0;
    int rc = -1;
    if (!servers)
        return -1;
    if (!servers[0] || (!servers[1] && strcasecmp(servers[0], WORKER_EMBEDDED) == 0)) {
        config->embedded = true;
        rc = 0;
        goto cleanup;
    }
    for (size_t i = 0; servers[i]; i++)
        len += strlen(servers[i]) + 1;
    config->bootstrap_servers = calloc(1, len);
    if (!config->bootstrap_servers)
        goto cleanup;
    for (size_t i = 0; servers[i]; i++) {
        if (i > 0)
            strcat(config->bootstrap_servers, ",");
        strcat(config->bootstrap_servers, servers[i]);
    }
    rc = 0;

cleanup:
    config_list_free(servers);
    return rc;
}

/* The group member's timeouts (docs/distributed.md): heartbeats more often than the session
 * times out (Kafka's consumer refuses otherwise), and a rebalance timeout, the member's
 * max.poll.interval.ms, of at least the session timeout (librdkafka refuses otherwise). */
static size_t worker_group_timeouts_load(worker_config *config, config_errors *errors)
{
    size_t problems = 0;
    const config_map *values = config->values;
    config->session_timeout_ms = 10000;
    config->heartbeat_interval_ms = 3000;
    config->rebalance_timeout_ms = 60000;
    config->scheduled_rebalance_max_delay_ms = 300000;
    config->worker_sync_timeout_ms = 3000;
    bool session_valid = worker_int32(values, "session.timeout.ms", &config->session_timeout_ms);
    bool heartbeat_valid =
        worker_int32(values, "heartbeat.interval.ms", &config->heartbeat_interval_ms);
    bool rebalance_valid =
        worker_int32(values, "rebalance.timeout.ms", &config->rebalance_timeout_ms);
    worker_int32(values, "scheduled.rebalance.max.delay.ms",
                 &config->scheduled_rebalance_max_delay_ms);
    worker_int32(values, "worker.sync.timeout.ms", &config->worker_sync_timeout_ms);

    if (session_valid && heartbeat_valid &&
        config->heartbeat_interval_ms >= config->session_timeout_ms) {
        config_errors_add(errors, "heartbeat.interval.ms",
                          "Invalid value '%d' for configuration heartbeat.interval.ms: must be "
                          "lower than session.timeout.ms (%d)",
                          (int)config->heartbeat_interval_ms, (int)config->session_timeout_ms);
        problems++;
    }
    if (session_valid && rebalance_valid &&
        config->rebalance_timeout_ms < config->session_timeout_ms) {
        config_errors_add(errors, "rebalance.timeout.ms",
                          "Invalid value '%d' for configuration rebalance.timeout.ms: must not be "
                          "lower than session.timeout.ms (%d)",
                          (int)config->rebalance_timeout_ms, (int)config->session_timeout_ms);
        problems++;
    }
    return problems;
}

/* Whether name is one of worker_hmac_algorithms (any case). */
static bool worker_hmac_known(const char *name)
{
    for (const char *const *known = worker_hmac_algorithms; *known; known++) {
        if (strcasecmp(*known, name) == 0)
            return true;
    }
    return false;
}

/* The session keys of requests forwarded between workers: a key size the key generator takes
 * (Java's SunJCE refuses SHA-2 keys under 40 bits), and a signing algorithm the workers verify,
 * as Kafka Connect requires. Returns the problems, or -1 when out of memory. */
static long worker_inter_worker_load(worker_config *config, config_errors *errors)
{
    long problems = 0;
    const config_map *values = config->values;
    config->inter_worker_key_size = -1;
    config->inter_worker_key_ttl_ms = 3600000;
    if (worker_string(values, "inter.worker.key.generation.algorithm",
                      &config->inter_worker_key_generation_algorithm) != 0 ||
        worker_string(values, "inter.worker.signature.algorithm",
                      &config->inter_worker_signature_algorithm) != 0)
        return -1;
    config->inter_worker_verification_algorithms =
        config_value_split_list(worker_value(values, "inter.worker.verification.algorithms"));
    if (!config->inter_worker_verification_algorithms)
        return -1;
    worker_int32(values, "inter.worker.key.size", &config->inter_worker_key_size);
    worker_int32(values, "inter.worker.key.ttl.ms", &config->inter_worker_key_ttl_ms);

    /* A refused algorithm was reported by the definition check already. */
    const char *generation = config->inter_worker_key_generation_algorithm;
    if (config->inter_worker_key_size > 0 && config->inter_worker_key_size < 40 &&
        worker_hmac_known(generation) && strcasecmp(generation, "HmacSHA1") != 0) {
        config_errors_add(errors, "inter.worker.key.size",
                          "Invalid value '%d' for configuration inter.worker.key.size: %s keys "
                          "need at least 40 bits",
                          (int)config->inter_worker_key_size, generation);
        problems++;
    }
    const char *signature = config->inter_worker_signature_algorithm;
    if (!worker_hmac_known(signature))
        return problems;
    for (char **item = config->inter_worker_verification_algorithms; *item; item++) {
        if (strcasecmp(*item, signature) == 0)
            return problems;
    }
    config_errors_add(errors, "inter.worker.signature.algorithm",
                      "Invalid value '%s' for configuration inter.worker.signature.algorithm: "
                      "Signature algorithm must be present in "
                      "inter.worker.verification.algorithms list",
                      signature);
    return problems + 1;
}

/* The override policy and the encryption keys of the configs topic. Returns the number of
 * problems. */
static size_t worker_secrets_load(worker_config *config, config_errors *errors)
{
    size_t problems = 0;
    const char *policy = worker_value(config->values, CLIENT_OVERRIDE_POLICY_KEY);
    if (client_override_policy_parse(policy, &config->override_policy) != 0) {
        config_errors_add(errors, CLIENT_OVERRIDE_POLICY_KEY,
                          "Invalid value '%s' for configuration %s: expected None, Principal or "
                          "All (or a Kafka Connect class name such as "
                          "org.apache.kafka.connect.connector.policy."
                          "NoneConnectorClientConfigOverridePolicy)",
                          policy ? policy : "", CLIENT_OVERRIDE_POLICY_KEY);
        problems++;
    }
    const char *file = config_map_get(config->values, "config.storage.encryption.key.file");
    const char *env = config_map_get(config->values, "config.storage.encryption.key.env");
    bool has_file = file && *file, has_env = env && *env;
    char err[1024];
    if (has_file && has_env) {
        config_errors_add(errors, "config.storage.encryption.key.env",
                          "config.storage.encryption.key.file and "
                          "config.storage.encryption.key.env are both set: set one");
        return problems + 1;
    }
    if (has_file) {
        config->config_cipher = config_cipher_load_file(file, err, sizeof(err));
        if (!config->config_cipher) {
            config_errors_add(errors, "config.storage.encryption.key.file", "%s", err);
            problems++;
        }
    } else if (has_env) {
        const char *text = getenv(env);
        char source[300];
        snprintf(source, sizeof(source), "environment variable %s", env);
        config->config_cipher = text ? config_cipher_parse(text, source, err, sizeof(err))
                                     : NULL;
        if (!config->config_cipher) {
            config_errors_add(errors, "config.storage.encryption.key.env", "%s",
                              text ? err : "the environment variable it names is not set");
            problems++;
        }
    }
    return problems;
}

worker_config *worker_config_load(const config_map *raw, const config_providers *providers,
                                  config_errors *errors, config_map *unknown)
{
    char err[1024];
    size_t problems = 0;
    size_t errors_before = config_errors_count(errors);
    config_providers *own_providers = NULL;
    int64_t number;
    worker_config *config = calloc(1, sizeof(*config));
    if (!config) {
        config_errors_add(errors, NULL, "out of memory while loading the worker config");
        return NULL;
    }

    /* Without providers from the caller, the worker file's own config.providers.* settings
     * apply to it, as in Kafka Connect. */
    if (!providers) {
        own_providers = config_providers_new(raw, err, sizeof(err));
        if (!own_providers) {
            config_errors_add(errors, "config.providers.file.param.allowed.paths", "%s", err);
            goto fail;
        }
        providers = own_providers;
    }
    bool unresolved = false;
    config->values = worker_config_resolve(raw, providers, errors, &unresolved);
    if (!config->values)
        goto fail;
    problems += unresolved ? 1 : 0;

    problems += config_validate(worker_config_defs, WORKER_CONFIG_DEF_COUNT, config->values,
                                worker_config_known_prefixes, errors, unknown);

    if (worker_bootstrap(config, config->values) != 0 ||
        worker_string(config->values, "group.id", &config->group_id) != 0 ||
        worker_string(config->values, "offset.storage.topic", &config->offset_topic) != 0 ||
        worker_string(config->values, "config.storage.topic", &config->config_topic) != 0 ||
        worker_string(config->values, "status.storage.topic", &config->status_topic) != 0 ||
        worker_string(config->values, "key.converter", &config->key_converter) != 0 ||
        worker_string(config->values, "value.converter", &config->value_converter) != 0 ||
        worker_string(config->values, "plugin.path", &config->plugin_path) != 0 ||
        worker_string(config->values, "listeners", &config->listeners) != 0) {
        config_errors_add(errors, NULL, "out of memory while loading the worker config");
        goto fail;
    }
    /* An empty plugin.path means the default path, as an absent one does. */
    if (config->plugin_path && config->plugin_path[0] == '\0') {
        free(config->plugin_path);
        config->plugin_path = NULL;
    }

    /* The numeric fields keep their defaults when a value was refused above, so that the cross
     * checks below do not report the same key twice. */
    config->offset_partitions = 25;
    config->status_partitions = 5;
    config->offset_replication_factor = 3;
    config->config_replication_factor = 3;
    config->status_replication_factor = 3;
    config->offset_flush_interval_ms = 60000;
    config->offset_flush_timeout_ms = 5000;
    config->task_shutdown_graceful_timeout_ms = 5000;
    config->task_restart_auto = true;
    config->topic_creation_enable = true;
    config->task_restart_backoff_initial_ms = 1000;
    config->task_restart_backoff_max_ms = 60000;

    bool restart_bounds_valid = true;
    if (worker_int(config->values, "offset.storage.partitions", &number) == 0 && number >= 1 &&
        number <= INT32_MAX)
        config->offset_partitions = (int32_t)number;
    if (worker_int(config->values, "status.storage.partitions", &number) == 0 && number >= 1 &&
        number <= INT32_MAX)
        config->status_partitions = (int32_t)number;
    problems += worker_replication_check(config->values, "offset.storage.replication.factor",
                                         &config->offset_replication_factor, errors);
    problems += worker_replication_check(config->values, "config.storage.replication.factor",
                                         &config->config_replication_factor, errors);
    problems += worker_replication_check(config->values, "status.storage.replication.factor",
                                         &config->status_replication_factor, errors);
    if (worker_int(config->values, "offset.flush.interval.ms", &number) == 0 && number >= 0)
        config->offset_flush_interval_ms = number;
    if (worker_int(config->values, "offset.flush.timeout.ms", &number) == 0 && number >= 0)
        config->offset_flush_timeout_ms = number;
    if (worker_int(config->values, "task.shutdown.graceful.timeout.ms", &number) == 0 &&
        number >= 0)
        config->task_shutdown_graceful_timeout_ms = number;
    worker_bool(config->values, "task.restart.auto", &config->task_restart_auto);
    worker_bool(config->values, "topic.creation.enable", &config->topic_creation_enable);
    if (worker_int(config->values, "task.restart.backoff.initial.ms", &number) == 0 && number >= 1)
        config->task_restart_backoff_initial_ms = number;
    else
        restart_bounds_valid = false;
    if (worker_int(config->values, "task.restart.backoff.max.ms", &number) == 0 && number >= 1)
        config->task_restart_backoff_max_ms = number;
    else
        restart_bounds_valid = false;

    if (restart_bounds_valid &&
        config->task_restart_backoff_initial_ms > config->task_restart_backoff_max_ms) {
        config_errors_add(errors, "task.restart.backoff.initial.ms",
                          "Invalid value '%lld' for configuration task.restart.backoff.initial.ms: "
                          "must not be greater than task.restart.backoff.max.ms (%lld)",
                          (long long)config->task_restart_backoff_initial_ms,
                          (long long)config->task_restart_backoff_max_ms);
        problems++;
    }

    problems += worker_group_timeouts_load(config, errors);
    long inter_worker_problems = worker_inter_worker_load(config, errors);
    if (inter_worker_problems < 0) {
        config_errors_add(errors, NULL, "out of memory while loading the worker config");
        goto fail;
    }
    problems += (size_t)inter_worker_problems;

    problems += worker_topics_check(config, errors);
    problems += worker_listeners_check(config, config->values, errors);
    problems += worker_secrets_load(config, errors);

    if (problems > 0 || config_errors_count(errors) > errors_before)
        goto fail;
    config_providers_destroy(own_providers);
    return config;

fail:
    config_providers_destroy(own_providers);
    worker_config_destroy(config);
    return NULL;
}

void worker_config_destroy(worker_config *config)
{
    if (!config)
        return;
    config_map_destroy(config->values);
    free(config->bootstrap_servers);
    free(config->group_id);
    free(config->offset_topic);
    free(config->config_topic);
    free(config->status_topic);
    free(config->key_converter);
    free(config->value_converter);
    free(config->plugin_path);
    free(config->listeners);
    free(config->worker_id);
    free(config->advertised_url);
    free(config->inter_worker_key_generation_algorithm);
    free(config->inter_worker_signature_algorithm);
    config_list_free(config->inter_worker_verification_algorithms);
    config_cipher_destroy(config->config_cipher);
    free(config);
}

int worker_config_set_bootstrap(worker_config *config, const char *bootstrap_servers)
{
    char *copy = strdup(bootstrap_servers);
    if (!copy)
        return -1;
    free(config->bootstrap_servers);
    config->bootstrap_servers = copy;
    return 0;
}
