/*
 * kafka_client.c - librdkafka's log lines and errors of every worker client through ferry's
 * logger, classified, with the keys named as the user wrote them (kafka_client.h).
 */
#include "kafka/kafka_client.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "base/log.h"
#include "support/clock.h"

#define KAFKA_CLIENT_INTERCEPTOR "ferry-kafka-client"
/* The scope of the lines of a client that is not (or no longer) registered: librdkafka's last
 * lines while it tears a client down. */
#define KAFKA_CLIENT_FALLBACK_SCOPE "kafka"
#define KAFKA_CLIENT_MESSAGE_MAX 1024
/* How long one metadata request of kafka_client_wait_reachable may wait. */
#define KAFKA_CLIENT_PROBE_MS 250

/* ---- messages (pure) --------------------------------------------------------------------- */

/* A librdkafka setting and the Java one users write in its place. */
static const struct {
    const char *librdkafka;
    const char *java;
} kafka_client_names[] = {
    {"ssl.ca.location", "ssl.truststore.location"},
    {"ssl.ca.pem", "ssl.truststore.certificates"},
    {"ssl.certificate.location", "ssl.keystore.location"},
    {"ssl.key.location", "ssl.keystore.location"},
    {"ssl.certificate.pem", "ssl.keystore.certificate.chain"},
    {"ssl.key.pem", "ssl.keystore.key"},
    {"sasl.username", "sasl.jaas.config"},
    {"sasl.password", "sasl.jaas.config"},
    {"sasl.mechanisms", "sasl.mechanism"},
};

/* The settings a kind of problem is about: librdkafka's names first, then the Java ones, the
 * last one the key to name when the user set none of them. */
static const char *const kafka_truststore_keys[] = {
    "ssl.ca.location", "ssl.ca.pem", "ssl.truststore.certificates", "ssl.truststore.location",
    NULL};
static const char *const kafka_keystore_keys[] = {
    "ssl.certificate.location", "ssl.certificate.pem", "ssl.keystore.certificate.chain",
    "ssl.keystore.location", NULL};
static const char *const kafka_credential_keys[] = {"sasl.username", "sasl.password",
                                                    "sasl.jaas.config", NULL};
static const char *const kafka_mechanism_keys[] = {"sasl.mechanisms", "sasl.mechanism", NULL};
static const char *const kafka_protocol_keys[] = {"security.protocol", NULL};

static const char *kafka_role_prefix(kafka_client_role role)
{
    return role == KAFKA_CLIENT_PRODUCER   ? "producer."
           : role == KAFKA_CLIENT_CONSUMER ? "consumer."
                                           : "admin.";
}

static const char *kafka_role_name(kafka_client_role role)
{
    return role == KAFKA_CLIENT_PRODUCER   ? "producer"
           : role == KAFKA_CLIENT_CONSUMER ? "consumer"
                                           : "admin";
}

/* The key the user wrote for the first of keys they set, else the last of keys as a user would
 * write it for this client (with its "<role>." prefix for a task's client). */
static const char *kafka_user_key(const kafka_client_facts *facts, const char *const *keys,
                                  char *buf, size_t buflen)
{
    size_t last = 0;
    for (size_t i = 0; keys[i]; i++) {
        const char *origin = facts->origins ? config_map_get(facts->origins, keys[i]) : NULL;
        if (origin)
            return origin;
        last = i;
    }
    snprintf(buf, buflen, "%s%s", facts->task_client ? kafka_role_prefix(facts->role) : "",
             keys[last]);
    return buf;
}

static bool kafka_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

void kafka_client_rewrite(const kafka_client_facts *facts, const char *text, char *out,
                          size_t outlen)
{
    size_t used = 0;
    if (outlen == 0)
        return;
    out[0] = '\0';
    for (const char *p = text; *p && used + 1 < outlen;) {
        const char *replacement = NULL;
        size_t skip = 0;
        if (p == text || !kafka_name_char(p[-1])) {
            for (size_t i = 0; i < sizeof(kafka_client_names) / sizeof(kafka_client_names[0]);
                 i++) {
                const char *name = kafka_client_names[i].librdkafka;
                size_t len = strlen(name);
                if (strncmp(p, name, len) != 0 || kafka_name_char(p[len]))
                    continue;
                char buf[160];
                const char *const keys[] = {name, kafka_client_names[i].java, NULL};
                const char *key = kafka_user_key(facts, keys, buf, sizeof(buf));
                /* A name kept as it is needs no copy. */
                if (strcmp(key, name) != 0) {
                    snprintf(out + used, outlen - used, "%s", key);
                    used += strlen(out + used);
                    replacement = key;
                    skip = len;
                }
                break;
            }
        }
        if (replacement) {
            p += skip;
            continue;
        }
        out[used++] = *p++;
        out[used] = '\0';
    }
}

/* librdkafka's "sasl_ssl://127.0.0.1:19094/bootstrap: text (after 5ms in state AUTH_REQ)":
 * the broker's address into broker ("" when none) and what follows into rest, without the
 * state suffix. */
static void kafka_reason_split(const char *reason, char *broker, size_t brokerlen, char *rest,
                               size_t restlen)
{
    broker[0] = '\0';
    const char *text = reason;
    const char *space = strchr(reason, ' ');
    const char *scheme = strstr(reason, "://");
    const char *colon = strstr(reason, ": ");
    if (colon && (!space || colon < space)) {
        const char *host = scheme && scheme < colon ? scheme + 3 : reason;
        const char *slash = memchr(host, '/', (size_t)(colon - host));
        if (slash) {
            snprintf(broker, brokerlen, "%.*s", (int)(slash - host), host);
            text = colon + 2;
        }
    }
    snprintf(rest, restlen, "%s", text);
    char *after = strstr(rest, " (after ");
    if (after && isdigit((unsigned char)after[8]) && strstr(after, "ms in state"))
        *after = '\0';
    size_t len = strlen(rest);
    while (len > 0 && (isspace((unsigned char)rest[len - 1]) || rest[len - 1] == '.'))
        rest[--len] = '\0';
}

/* Removes a leading label ("SSL handshake failed: ") from text. */
static void kafka_strip_prefix(char *text, const char *label)
{
    size_t len = strlen(label);
    if (strncasecmp(text, label, len) == 0)
        memmove(text, text + len, strlen(text + len) + 1);
}

/* Removes OpenSSL's "error:0A000086:SSL routines::" (and its older, longer forms). */
static void kafka_strip_openssl_code(char *text)
{
    char *start = strstr(text, "error:");
    if (!start || !isxdigit((unsigned char)start[6]))
        return;
    char *end = strstr(start, "::");
    char *last = end ? NULL : strrchr(start, ':');
    if (end)
        end += 2;
    else if (last && last - start < 120)
        end = last + 1;
    if (!end || end - start > 120)
        return;
    while (*end == ' ')
        end++;
    memmove(start, end, strlen(end) + 1);
}

static bool kafka_contains(const char *text, const char *part)
{
    return strcasestr(text, part) != NULL;
}

static bool kafka_is_plaintext(const char *protocol)
{
    return !protocol || !protocol[0] || strcasecmp(protocol, "PLAINTEXT") == 0;
}

/* A task's client that connects in plaintext while the worker's own clients use a secured
 * protocol: the cluster is secured and the task's client lacks its prefixed settings. */
static bool kafka_missing_prefix(const kafka_client_facts *facts)
{
    return facts->task_client && kafka_is_plaintext(facts->security_protocol) &&
           !kafka_is_plaintext(facts->worker_protocol);
}

/* An error that says the connection itself cannot be made as configured (not a broker that is
 * down or restarting, which refuses the connection or cannot be resolved). */
static bool kafka_connection_broken(rd_kafka_resp_err_t code, const char *rest)
{
    if (code == RD_KAFKA_RESP_ERR__SSL || code == RD_KAFKA_RESP_ERR__AUTHENTICATION)
        return true;
    if (code != RD_KAFKA_RESP_ERR__TRANSPORT && code != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        return false;
    if (kafka_contains(rest, "refused") || kafka_contains(rest, "resolve"))
        return false;
    return code == RD_KAFKA_RESP_ERR__TRANSPORT || kafka_contains(rest, "security.protocol");
}

/* A TLS alert about the client's certificate: the broker wants one or refuses it. */
static bool kafka_client_certificate_refused(const char *rest)
{
    return kafka_contains(rest, "alert") && kafka_contains(rest, "certificate");
}

static kafka_error_class kafka_explain_missing_prefix(const kafka_client_facts *facts,
                                                      const char *broker, const char *rest,
                                                      char *out, size_t outlen)
{
    const char *prefix = kafka_role_prefix(facts->role);
    snprintf(out, outlen,
             "cannot connect to %s with security.protocol=PLAINTEXT (%s): the worker uses "
             "security.protocol=%s, but the worker's top-level security settings "
             "(security.protocol, ssl.*, sasl.*) apply to the worker's own clients only, as in "
             "Kafka Connect; this task's %s has none: set them with the '%s' prefix in the "
             "worker config (%ssecurity.protocol, %ssasl.jaas.config, %sssl.truststore.location, "
             "...) or '%soverride.' in the connector config",
             broker[0] ? broker : facts->bootstrap ? facts->bootstrap : "the brokers", rest,
             facts->worker_protocol, kafka_role_name(facts->role), prefix, prefix, prefix, prefix,
             prefix);
    return KAFKA_ERROR_FATAL;
}

static kafka_error_class kafka_explain_authorization(const kafka_client_facts *facts,
                                                     rd_kafka_resp_err_t code, const char *topic,
                                                     const char *rest, char *out, size_t outlen)
{
    const char *role = kafka_role_name(facts->role);
    char principal[200] = "";
    if (facts->sasl_username && facts->sasl_username[0])
        snprintf(principal, sizeof(principal), " User:%s", facts->sasl_username);
    if (code == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED) {
        snprintf(out, outlen,
                 "not authorized to use consumer group %s (%s principal%s needs the Read ACL "
                 "on the group): %s",
                 facts->group_id ? facts->group_id : "(unknown)", role, principal, rest);
    } else if (code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED) {
        snprintf(out, outlen, "not authorized on the cluster (%s principal%s needs %s): %s",
                 role, principal,
                 facts->role == KAFKA_CLIENT_PRODUCER
                     ? "Write on the topics it writes, which grants an idempotent producer "
                       "IdempotentWrite from Kafka 2.8 on, or IdempotentWrite on the cluster"
                     : "the ACL of the operation on the cluster (Create to create topics, "
                       "Describe)",
                 rest);
    } else {
        const char *action = facts->role == KAFKA_CLIENT_PRODUCER   ? "write to"
                             : facts->role == KAFKA_CLIENT_CONSUMER ? "read"
                                                                    : "create or describe";
        const char *acls = facts->role == KAFKA_CLIENT_PRODUCER   ? "Write and Describe"
                           : facts->role == KAFKA_CLIENT_CONSUMER ? "Read and Describe"
                                                                  : "Create and Describe";
        snprintf(out, outlen, "not authorized to %s topic %s (%s principal%s needs %s ACLs): %s",
                 action, topic && topic[0] ? topic : "(see the broker's message)", role,
                 principal, acls, rest);
    }
    return KAFKA_ERROR_FATAL;
}

static kafka_error_class kafka_explain_tls(const kafka_client_facts *facts, const char *broker,
                                           char *rest, char *out, size_t outlen)
{
    char buf[160];
    const char *key;
    kafka_strip_prefix(rest, "SSL handshake failed: ");
    kafka_strip_prefix(rest, "SSL transport error: ");
    kafka_strip_openssl_code(rest);
    if (kafka_client_certificate_refused(rest))
        key = kafka_user_key(facts, kafka_keystore_keys, buf, sizeof(buf));
    else if (kafka_contains(rest, "certificate") || kafka_contains(rest, "verify"))
        key = kafka_user_key(facts, kafka_truststore_keys, buf, sizeof(buf));
    else
        key = kafka_user_key(facts, kafka_protocol_keys, buf, sizeof(buf));
    char text[KAFKA_CLIENT_MESSAGE_MAX];
    kafka_client_rewrite(facts, rest, text, sizeof(text));
    snprintf(out, outlen, "TLS handshake with %s failed: %s (%s)",
             broker[0] ? broker : facts->bootstrap ? facts->bootstrap : "the broker", text, key);
    return KAFKA_ERROR_FATAL;
}

static kafka_error_class kafka_explain_sasl(const kafka_client_facts *facts, const char *broker,
                                            char *rest, char *out, size_t outlen)
{
    char buf[160];
    kafka_strip_prefix(rest, "SASL authentication error: ");
    char text[KAFKA_CLIENT_MESSAGE_MAX];
    kafka_client_rewrite(facts, rest, text, sizeof(text));
    /* No token from the OAuth endpoint (kafka_oauth.c): its message names the endpoint's key
     * and says why; there is no user name to show. */
    static const char no_token[] = "Failed to acquire SASL OAUTHBEARER token: ";
    if (strncmp(rest, no_token, sizeof(no_token) - 1) == 0) {
        snprintf(out, outlen, "SASL OAUTHBEARER authentication failed: %s",
                 rest + sizeof(no_token) - 1);
        return KAFKA_ERROR_FATAL;
    }
    if (kafka_contains(rest, "mechanism") &&
        (kafka_contains(rest, "unsupported") || kafka_contains(rest, "not supported") ||
         kafka_contains(rest, "not enabled"))) {
        snprintf(out, outlen, "SASL mechanism %s is not enabled on %s: %s (%s)",
                 facts->sasl_mechanism ? facts->sasl_mechanism : "GSSAPI",
                 broker[0] ? broker : "the broker", text,
                 kafka_user_key(facts, kafka_mechanism_keys, buf, sizeof(buf)));
        return KAFKA_ERROR_FATAL;
    }
    snprintf(out, outlen, "SASL authentication failed for user %s (%s)%s%s: %s (%s)",
             facts->sasl_username && facts->sasl_username[0] ? facts->sasl_username : "(none)",
             facts->sasl_mechanism ? facts->sasl_mechanism : "GSSAPI", broker[0] ? " at " : "",
             broker, text, kafka_user_key(facts, kafka_credential_keys, buf, sizeof(buf)));
    return KAFKA_ERROR_FATAL;
}

kafka_error_class kafka_client_explain(const kafka_client_facts *facts, rd_kafka_resp_err_t code,
                                       const char *reason, const char *topic, char *out,
                                       size_t outlen)
{
    char broker[160];
    char rest[KAFKA_CLIENT_MESSAGE_MAX];
    if (!reason || !reason[0])
        reason = rd_kafka_err2str(code);
    kafka_reason_split(reason, broker, sizeof(broker), rest, sizeof(rest));

    if (kafka_missing_prefix(facts) && kafka_connection_broken(code, rest))
        return kafka_explain_missing_prefix(facts, broker, rest, out, outlen);
    switch (code) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
        return kafka_explain_sasl(facts, broker, rest, out, outlen);
    case RD_KAFKA_RESP_ERR__SSL:
        return kafka_explain_tls(facts, broker, rest, out, outlen);
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
        return kafka_explain_authorization(facts, code, topic, rest, out, outlen);
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
        return kafka_explain_sasl(facts, broker, rest, out, outlen);
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM: {
        char buf[160];
        snprintf(out, outlen, "SASL mechanism %s is not enabled on the broker: %s (%s)",
                 facts->sasl_mechanism ? facts->sasl_mechanism : "GSSAPI", rest,
                 kafka_user_key(facts, kafka_mechanism_keys, buf, sizeof(buf)));
        return KAFKA_ERROR_FATAL;
    }
    case RD_KAFKA_RESP_ERR__FATAL:
        snprintf(out, outlen, "fatal %s error: %s", kafka_role_name(facts->role), rest);
        return KAFKA_ERROR_FATAL;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        /* A producer's record fails with it only once librdkafka gave the topic up (it does
         * not exist and the broker did not create it); a consumer waits for the topic, as
         * Kafka Connect's sinks do. */
        if (facts->role == KAFKA_CLIENT_PRODUCER) {
            snprintf(out, outlen,
                     "topic %s does not exist and the broker does not create it "
                     "(auto.create.topics.enable=false): create it first, or let the "
                     "connector create it with topic.creation.default.replication.factor "
                     "and topic.creation.default.partitions (and topic.creation.enable=true "
                     "on the worker): %s",
                     topic && topic[0] ? topic : "(unknown)", rest);
            return KAFKA_ERROR_FATAL;
        }
        break;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
        /* TLS 1.3 tells a client its certificate is missing after the handshake, on the
         * first read. */
        if (kafka_client_certificate_refused(rest))
            return kafka_explain_tls(facts, broker, rest, out, outlen);
        break;
    default:
        break;
    }
    char text[KAFKA_CLIENT_MESSAGE_MAX];
    kafka_client_rewrite(facts, rest, text, sizeof(text));
    if (broker[0])
        snprintf(out, outlen, "%s: %s", broker, text);
    else
        snprintf(out, outlen, "%s", text);
    return KAFKA_ERROR_TRANSIENT;
}

ferry_log_level kafka_client_log_level(int syslog_level)
{
    if (syslog_level <= LOG_ERR)
        return FERRY_LOG_ERROR;
    if (syslog_level == LOG_WARNING)
        return FERRY_LOG_WARN;
    if (syslog_level <= LOG_INFO)
        return FERRY_LOG_INFO;
    return FERRY_LOG_DEBUG;
}

/* ---- the registry ------------------------------------------------------------------------- */

/* One watched client: registered (client set) by on_new, freed by on_destroy, or by
 * on_conf_destroy when its config never made a client. */
typedef struct kafka_client_entry {
    uint64_t id;
    rd_kafka_t *client;
    char *scope;
    char *name;
    kafka_client_role role;
    bool task_client;
    config_map *origins;
    char *bootstrap;
    char *security_protocol;
    char *worker_protocol;
    char *sasl_mechanism;
    char *sasl_username;
    char *group_id;
    bool failed;
    char failure[KAFKA_CLIENT_MESSAGE_MAX];
    char last_error[KAFKA_CLIENT_MESSAGE_MAX];
    struct kafka_client_entry *next;
} kafka_client_entry;

static pthread_mutex_t kafka_clients_mutex = PTHREAD_MUTEX_INITIALIZER;
static kafka_client_entry *kafka_clients; /* under the mutex */
static uint64_t kafka_clients_next_id = 1;

static void kafka_client_entry_free(kafka_client_entry *watch)
{
    if (!watch)
        return;
    free(watch->scope);
    free(watch->name);
    config_map_destroy(watch->origins);
    free(watch->bootstrap);
    free(watch->security_protocol);
    free(watch->worker_protocol);
    free(watch->sasl_mechanism);
    free(watch->sasl_username);
    free(watch->group_id);
    free(watch);
}

/* Under the mutex. */
static kafka_client_entry *kafka_client_find(const rd_kafka_t *client)
{
    for (kafka_client_entry *watch = kafka_clients; watch; watch = watch->next)
        if (watch->client == client)
            return watch;
    return NULL;
}

/* Unlinks the watch of that id; under the mutex. */
static kafka_client_entry *kafka_client_unlink(uint64_t id)
{
    for (kafka_client_entry **link = &kafka_clients; *link; link = &(*link)->next) {
        if ((*link)->id == id) {
            kafka_client_entry *watch = *link;
            *link = watch->next;
            return watch;
        }
    }
    return NULL;
}

static kafka_client_facts kafka_client_entry_facts(const kafka_client_entry *watch)
{
    return (kafka_client_facts){
        .name = watch->name,
        .role = watch->role,
        .task_client = watch->task_client,
        .origins = watch->origins,
        .bootstrap = watch->bootstrap,
        .security_protocol = watch->security_protocol,
        .worker_protocol = watch->worker_protocol,
        .sasl_mechanism = watch->sasl_mechanism,
        .sasl_username = watch->sasl_username,
        .group_id = watch->group_id,
    };
}

static rd_kafka_resp_err_t kafka_client_on_destroy(rd_kafka_t *client, void *ic_opaque)
{
    (void)client;
    pthread_mutex_lock(&kafka_clients_mutex);
    kafka_client_entry *watch = kafka_client_unlink((uint64_t)(uintptr_t)ic_opaque);
    pthread_mutex_unlock(&kafka_clients_mutex);
    kafka_client_entry_free(watch);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t kafka_client_on_conf_destroy(void *ic_opaque)
{
    pthread_mutex_lock(&kafka_clients_mutex);
    kafka_client_entry *watch = NULL;
    for (kafka_client_entry *w = kafka_clients; w; w = w->next)
        if (w->id == (uint64_t)(uintptr_t)ic_opaque && !w->client)
            watch = kafka_client_unlink(w->id);
    pthread_mutex_unlock(&kafka_clients_mutex);
    kafka_client_entry_free(watch);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* Called by rd_kafka_new before it starts any thread: from here on the client's lines find
 * their watch. */
static rd_kafka_resp_err_t kafka_client_on_new(rd_kafka_t *client, const rd_kafka_conf_t *conf,
                                               void *ic_opaque, char *errstr, size_t errstr_size)
{
    (void)conf;
    (void)errstr;
    (void)errstr_size;
    pthread_mutex_lock(&kafka_clients_mutex);
    for (kafka_client_entry *watch = kafka_clients; watch; watch = watch->next)
        if (watch->id == (uint64_t)(uintptr_t)ic_opaque)
            watch->client = client;
    pthread_mutex_unlock(&kafka_clients_mutex);
    return rd_kafka_interceptor_add_on_destroy(client, KAFKA_CLIENT_INTERCEPTOR,
                                               kafka_client_on_destroy, ic_opaque);
}

/* ---- callbacks ---------------------------------------------------------------------------- */

/* librdkafka's own lines. A broker failure (facility FAIL) also comes to the error callback,
 * which writes it for users; its raw line is kept for debugging. */
static void kafka_client_on_log(const rd_kafka_t *client, int level, const char *facility,
                                const char *line)
{
    ferry_log_level ferry_level = kafka_client_log_level(level);
    if (facility && (strcmp(facility, "FAIL") == 0 || strcmp(facility, "ERROR") == 0))
        ferry_level = FERRY_LOG_DEBUG;
    pthread_mutex_lock(&kafka_clients_mutex);
    kafka_client_entry *watch = kafka_client_find(client);
    const char *scope = watch ? watch->scope : KAFKA_CLIENT_FALLBACK_SCOPE;
    if (log_enabled(ferry_level, scope)) {
        char text[KAFKA_CLIENT_MESSAGE_MAX];
        if (watch) {
            kafka_client_facts facts = kafka_client_entry_facts(watch);
            kafka_client_rewrite(&facts, line, text, sizeof(text));
        } else {
            snprintf(text, sizeof(text), "%s", line);
        }
        log_write(ferry_level, scope, "%s: %s (librdkafka %s)",
                  watch ? watch->name : rd_kafka_name(client), text, facility ? facility : "");
    }
    pthread_mutex_unlock(&kafka_clients_mutex);
}

/* Under the mutex: classifies, records and logs one error of a watched client. */
static kafka_error_class kafka_client_record(kafka_client_entry *watch, rd_kafka_resp_err_t code,
                                             const char *reason, const char *topic, char *out,
                                             size_t outlen)
{
    char message[KAFKA_CLIENT_MESSAGE_MAX];
    kafka_client_facts facts = kafka_client_entry_facts(watch);
    kafka_error_class kind = kafka_client_explain(&facts, code, reason, topic, message,
                                                  sizeof(message));
    if (out)
        snprintf(out, outlen, "%s", message);
    if (kind == KAFKA_ERROR_FATAL) {
        if (!watch->failed) {
            watch->failed = true;
            snprintf(watch->failure, sizeof(watch->failure), "%s", message);
            log_error(watch->scope, "%s: %s", watch->name, message);
        }
    } else {
        snprintf(watch->last_error, sizeof(watch->last_error), "%s", message);
        /* After a fatal error the others are its consequences ("all brokers are down"). */
        log_write(watch->failed ? FERRY_LOG_DEBUG : FERRY_LOG_WARN, watch->scope,
                  "%s: %s (retrying)", watch->name, message);
    }
    return kind;
}

/* An error as it is recorded: librdkafka's fatal error (an idempotent producer that cannot go
 * on) with the error behind it when that one explains itself (a missing ACL), else as fatal with
 * its text. */
typedef struct kafka_client_error {
    rd_kafka_resp_err_t code;
    const char *reason; /* reason as given, or one of the texts below */
    char fatal[512];
    char text[512 + 64];
} kafka_client_error;

/* Fills error for code and reason. Called without kafka_clients_mutex: rd_kafka_fatal_error
 * takes the client's own lock, which librdkafka's threads hold while they call
 * kafka_client_on_log, which takes the mutex (the other order would deadlock). */
static void kafka_client_error_resolve(rd_kafka_t *client, rd_kafka_resp_err_t code,
                                       const char *reason, kafka_client_error *error)
{
    error->code = code;
    error->reason = reason;
    if (code != RD_KAFKA_RESP_ERR__FATAL)
        return;
    rd_kafka_resp_err_t cause = rd_kafka_fatal_error(client, error->fatal, sizeof(error->fatal));
    if (cause == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
        cause == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
        cause == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED) {
        error->code = cause;
        error->reason = error->fatal;
    } else if (cause) {
        snprintf(error->text, sizeof(error->text), "%s (%s)", error->fatal,
                 rd_kafka_err2name(cause));
        error->reason = error->text;
    }
}

/* Records a resolved error of client; under the mutex. */
static void kafka_client_record_locked(rd_kafka_t *client, const kafka_client_error *error)
{
    kafka_client_entry *watch = kafka_client_find(client);
    if (watch)
        kafka_client_record(watch, error->code, error->reason, NULL, NULL, 0);
    else
        log_warn(KAFKA_CLIENT_FALLBACK_SCOPE, "%s: %s", rd_kafka_name(client), error->reason);
}

static void kafka_client_on_error(rd_kafka_t *client, int code, const char *reason, void *opaque)
{
    (void)opaque;
    kafka_client_error error;
    kafka_client_error_resolve(client, (rd_kafka_resp_err_t)code, reason, &error);
    pthread_mutex_lock(&kafka_clients_mutex);
    kafka_client_record_locked(client, &error);
    pthread_mutex_unlock(&kafka_clients_mutex);
}

/* ---- the API ------------------------------------------------------------------------------- */

/* A copy of conf's setting, NULL when unset or empty (or out of memory: only a message loses). */
static char *kafka_conf_value(const rd_kafka_conf_t *conf, const char *key)
{
    char value[512];
    size_t size = sizeof(value);
    if (rd_kafka_conf_get(conf, key, value, &size) != RD_KAFKA_CONF_OK || !value[0])
        return NULL;
    return strdup(value);
}

int kafka_client_watch(rd_kafka_conf_t *conf, const kafka_client_spec *spec,
                       const config_map *origins, char *err, size_t errlen)
{
    kafka_client_entry *watch = calloc(1, sizeof(*watch));
    if (!watch || !(watch->scope = strdup(spec->scope)) || !(watch->name = strdup(spec->name)) ||
        !(watch->origins = origins ? config_map_copy(origins) : config_map_new())) {
        kafka_client_entry_free(watch);
        return ferry_error_set(err, errlen, "out of memory watching a Kafka client"), -1;
    }
    watch->role = spec->role;
    watch->task_client = spec->task_client;
    watch->bootstrap = kafka_conf_value(conf, "bootstrap.servers");
    watch->security_protocol = kafka_conf_value(conf, "security.protocol");
    watch->sasl_mechanism = kafka_conf_value(conf, "sasl.mechanisms");
    watch->sasl_username = kafka_conf_value(conf, "sasl.username");
    watch->group_id = kafka_conf_value(conf, "group.id");
    const char *worker_protocol =
        spec->worker ? config_map_get(spec->worker->values, "security.protocol") : NULL;
    if (worker_protocol && !(watch->worker_protocol = strdup(worker_protocol))) {
        kafka_client_entry_free(watch);
        return ferry_error_set(err, errlen, "out of memory watching a Kafka client"), -1;
    }

    pthread_mutex_lock(&kafka_clients_mutex);
    watch->id = kafka_clients_next_id++;
    void *ic_opaque = (void *)(uintptr_t)watch->id;
    rd_kafka_resp_err_t code =
        rd_kafka_conf_interceptor_add_on_new(conf, KAFKA_CLIENT_INTERCEPTOR, kafka_client_on_new,
                                             ic_opaque);
    if (!code)
        code = rd_kafka_conf_interceptor_add_on_conf_destroy(
            conf, KAFKA_CLIENT_INTERCEPTOR, kafka_client_on_conf_destroy, ic_opaque);
    if (code) {
        pthread_mutex_unlock(&kafka_clients_mutex);
        kafka_client_entry_free(watch);
        return ferry_error_set(err, errlen, "cannot watch a Kafka client: %s",
                               rd_kafka_err2str(code)),
               -1;
    }
    watch->next = kafka_clients;
    kafka_clients = watch;
    pthread_mutex_unlock(&kafka_clients_mutex);
    rd_kafka_conf_set_log_cb(conf, kafka_client_on_log);
    rd_kafka_conf_set_error_cb(conf, kafka_client_on_error);
    return 0;
}

rd_kafka_conf_t *kafka_client_config(const worker_config *worker, kafka_client_role role,
                                     const config_map *connector, const char *client_id,
                                     const kafka_client_spec *spec, char *err, size_t errlen)
{
    config_map *origins = NULL;
    rd_kafka_conf_t *conf = kafka_config_build_origins(worker, role, connector, client_id,
                                                       spec->defaults, &origins, err, errlen);
    if (conf && kafka_client_watch(conf, spec, origins, err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        conf = NULL;
    }
    config_map_destroy(origins);
    return conf;
}

bool kafka_client_failed(rd_kafka_t *client, char *message, size_t len)
{
    if (!client)
        return false;
    /* A producer's fatal error is known before its error callback is served (a write refused
     * at once is not followed by a poll). Read before the mutex (kafka_client_error_resolve). */
    char fatal[8];
    kafka_client_error error;
    bool fatal_now = rd_kafka_fatal_error(client, fatal, sizeof(fatal)) != 0;
    if (fatal_now)
        kafka_client_error_resolve(client, RD_KAFKA_RESP_ERR__FATAL, "fatal error", &error);
    pthread_mutex_lock(&kafka_clients_mutex);
    kafka_client_entry *watch = kafka_client_find(client);
    if (watch && !watch->failed && fatal_now)
        kafka_client_record_locked(client, &error);
    bool failed = watch && watch->failed;
    if (failed && message)
        snprintf(message, len, "%s", watch->failure);
    pthread_mutex_unlock(&kafka_clients_mutex);
    return failed;
}

bool kafka_client_report(rd_kafka_t *client, rd_kafka_resp_err_t code, const char *reason,
                         const char *topic, char *out, size_t outlen)
{
    pthread_mutex_lock(&kafka_clients_mutex);
    kafka_client_entry *watch = kafka_client_find(client);
    kafka_error_class kind = KAFKA_ERROR_TRANSIENT;
    if (watch) {
        kind = kafka_client_record(watch, code, reason, topic, out, outlen);
    } else if (out) {
        kafka_client_facts facts = {.name = rd_kafka_name(client)};
        kind = kafka_client_explain(&facts, code, reason, topic, out, outlen);
    }
    pthread_mutex_unlock(&kafka_clients_mutex);
    return kind == KAFKA_ERROR_FATAL;
}

const char *kafka_client_error_text(rd_kafka_t *client, rd_kafka_resp_err_t code,
                                    const char *reason, const char *topic, char *buf,
                                    size_t buflen)
{
    if (!reason)
        reason = rd_kafka_err2str(code);
    return kafka_client_report(client, code, reason, topic, buf, buflen) ? buf : reason;
}

int kafka_client_wait_reachable(rd_kafka_t *client, int timeout_ms, char *err, size_t errlen)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    char failure[KAFKA_CLIENT_MESSAGE_MAX];
    rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR__TIMED_OUT;
    for (;;) {
        const rd_kafka_metadata_t *metadata = NULL;
        code = rd_kafka_metadata(client, 0, NULL, &metadata, KAFKA_CLIENT_PROBE_MS);
        if (metadata)
            rd_kafka_metadata_destroy(metadata);
        rd_kafka_poll(client, 0);
        if (kafka_client_failed(client, failure, sizeof(failure)))
            return ferry_error_set(err, errlen, "%s", failure), -1;
        if (!code)
            return 0;
        if (clock_monotonic_ms() >= deadline)
            break;
    }
    pthread_mutex_lock(&kafka_clients_mutex);
    kafka_client_entry *watch = kafka_client_find(client);
    snprintf(failure, sizeof(failure), "%s",
             watch && watch->last_error[0] ? watch->last_error : rd_kafka_err2str(code));
    char bootstrap[512];
    snprintf(bootstrap, sizeof(bootstrap), "%s",
             watch && watch->bootstrap ? watch->bootstrap : "bootstrap.servers");
    pthread_mutex_unlock(&kafka_clients_mutex);
    return ferry_error_set(err, errlen, "no broker reachable at %s within %d s: %s", bootstrap,
                           timeout_ms / 1000, failure),
           -1;
}
