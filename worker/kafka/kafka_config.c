/*
 * kafka_config.c - librdkafka configurations for the worker's producers, consumers and admin
 * clients, layered as Kafka Connect layers its Java clients' properties, with the Java settings
 * users carry over from Kafka Connect translated to their librdkafka spelling.
 *
 * Layers, later ones winning: bootstrap.servers and client.id; for the worker's own clients the
 * worker's top-level security settings (security.protocol, ssl.*, sasl.*), as Kafka Connect's
 * internal clients use them; the worker's "<role>." keys; a connector's "<role>.override." keys.
 * A key is applied once, from the layer that set it last, so an override replaces a translated
 * setting as a whole (a connector's sasl.jaas.config replaces the worker's credentials).
 */
#include "kafka/kafka_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_validate.h"
#include "base/log.h"
#include "support/array.h"

#define KAFKA_LOG_SCOPE "kafka"
#define KAFKA_PLAIN_MODULE "org.apache.kafka.common.security.plain.PlainLoginModule"
#define KAFKA_SCRAM_MODULE "org.apache.kafka.common.security.scram.ScramLoginModule"

/* One setting as the user wrote it: user_key carries its prefix ("producer.override.acks"), key
 * is the client setting ("acks", pointing into user_key), value is borrowed from its map. */
typedef struct kafka_setting {
    const char *user_key;
    const char *key;
    const char *value;
} kafka_setting;

typedef struct kafka_settings {
    kafka_setting *items;
    size_t count;
    size_t capacity;
    /* The last value of each client setting and which user key gave it, for the translations
     * that read a companion setting (ssl.truststore.type beside ssl.truststore.location). */
    config_map *effective;
    config_map *origins;
} kafka_settings;

static void kafka_settings_free(kafka_settings *settings)
{
    free(settings->items);
    config_map_destroy(settings->effective);
    config_map_destroy(settings->origins);
}

static int kafka_settings_add(kafka_settings *settings, const char *user_key, size_t prefix_len,
                              const char *value)
{
    if (array_reserve(&settings->items, &settings->capacity, settings->count + 1,
                      sizeof(*settings->items)) != 0)
        return -1;
    const char *key = user_key + prefix_len;
    settings->items[settings->count++] = (kafka_setting){user_key, key, value};
    if (config_map_set(settings->effective, key, value) != 0 ||
        config_map_set(settings->origins, key, user_key) != 0)
        return -1;
    return 0;
}

/* Adds the keys of map that start with prefix (an empty client setting after it is skipped).
 * Returns 0, -1 on allocation failure. */
static int kafka_settings_add_prefixed(kafka_settings *settings, const config_map *map,
                                       const char *prefix, kafka_client_role role)
{
    size_t prefix_len = strlen(prefix);
    for (size_t i = 0; i < config_map_count(map); i++) {
        const char *user_key = config_map_key_at(map, i);
        if (strncmp(user_key, prefix, prefix_len) != 0 || user_key[prefix_len] == '\0')
            continue;
        /* admin.listeners is Kafka Connect's REST admin endpoint, not an admin client
         * setting. */
        const char *key = user_key + prefix_len;
        if (role == KAFKA_CLIENT_ADMIN && strcmp(prefix, "admin.") == 0 &&
            (strcmp(key, "listeners") == 0 || strncmp(key, "listeners.", 10) == 0))
            continue;
        if (kafka_settings_add(settings, user_key, prefix_len, config_map_value_at(map, i)) != 0)
            return -1;
    }
    return 0;
}

/* The worker's top-level security settings, which Kafka Connect's own clients use. */
static int kafka_settings_add_security(kafka_settings *settings, const config_map *worker)
{
    for (size_t i = 0; i < config_map_count(worker); i++) {
        const char *key = config_map_key_at(worker, i);
        if (strcmp(key, "security.protocol") != 0 && strncmp(key, "ssl.", 4) != 0 &&
            strncmp(key, "sasl.", 5) != 0)
            continue;
        if (kafka_settings_add(settings, key, 0, config_map_value_at(worker, i)) != 0)
            return -1;
    }
    return 0;
}

/* True when the setting at index is the one that counts for its key (no later layer set it). */
static bool kafka_settings_is_final(const kafka_settings *settings, size_t index)
{
    const kafka_setting *setting = &settings->items[index];
    const char *origin = config_map_get(settings->origins, setting->key);
    return origin && strcmp(origin, setting->user_key) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Setting one property                                                                       */

/* While kafka_config_build_origins runs on this thread: which user key set each librdkafka
 * setting, for messages that name the key as the user wrote it. */
static _Thread_local config_map *kafka_config_recorded;

/* Copies librdkafka's message without its trailing white space and with every occurrence of a
 * secret value replaced, so that neither logs nor REST answers can show it. */
static void kafka_message_clean(const char *message, const char *secret, char *out, size_t outlen)
{
    size_t used = 0;
    size_t secret_len = secret ? strlen(secret) : 0;
    out[0] = '\0';
    for (const char *p = message; *p && used + 1 < outlen;) {
        if (secret_len > 0 && strncmp(p, secret, secret_len) == 0) {
            int n = snprintf(out + used, outlen - used, "[hidden]");
            if (n < 0 || (size_t)n >= outlen - used)
                break;
            used += (size_t)n;
            p += secret_len;
            continue;
        }
        out[used++] = *p++;
        out[used] = '\0';
    }
    while (used > 0 && isspace((unsigned char)out[used - 1]))
        out[--used] = '\0';
}

/* Sets key (librdkafka's name) to value, reporting problems under user_key, the name the user
 * wrote. An unknown key is skipped with a warning when skip_unknown, an error otherwise.
 * Returns 0 (set or skipped) or -1 with err set. */
static int kafka_config_set_named(rd_kafka_conf_t *conf, const char *user_key, const char *key,
                                  const char *value, bool skip_unknown, char *err, size_t errlen)
{
    char rd_err[512];
    char message[512];
    bool sensitive = config_key_is_sensitive(NULL, 0, user_key) ||
                     config_key_is_sensitive(NULL, 0, key);

    rd_err[0] = '\0';
    rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, key, value, rd_err, sizeof(rd_err));
    if (res == RD_KAFKA_CONF_OK) {
        if (kafka_config_recorded && config_map_set(kafka_config_recorded, key, user_key) != 0)
            return ferry_error_set(err, errlen, "out of memory while building a Kafka client "
                                   "config"), -1;
        return 0;
    }
    kafka_message_clean(rd_err, sensitive ? value : NULL, message, sizeof(message));
    if (res == RD_KAFKA_CONF_UNKNOWN) {
        if (skip_unknown) {
            log_warn(KAFKA_LOG_SCOPE,
                     "ignoring %s: librdkafka has no such setting (a Java client setting "
                     "without effect in ferry)",
                     user_key);
            return 0;
        }
        ferry_error_set(err, errlen, "unknown setting %s: %s", user_key, message);
        return -1;
    }
    /* Name the value unless it is a secret or librdkafka's message shows it already. */
    if (sensitive || value[0] == '\0' || strstr(message, value))
        ferry_error_set(err, errlen, "invalid value for %s: %s", user_key, message);
    else
        ferry_error_set(err, errlen, "invalid value for %s: %s (value '%s')", user_key, message,
                        value);
    return -1;
}

int kafka_config_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                     size_t errlen)
{
    return kafka_config_set_named(conf, key, key, value, false, err, errlen);
}

/* ------------------------------------------------------------------------------------------ */
/* sasl.jaas.config                                                                           */

/* One JAAS login module entry: `Module Flag key=value ...;`, as Kafka's JaasConfig reads it. */
typedef struct kafka_jaas {
    char *module;
    config_map *options;
} kafka_jaas;

static void kafka_jaas_free(kafka_jaas *jaas)
{
    free(jaas->module);
    config_map_destroy(jaas->options);
}

static const char *kafka_jaas_skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* A bare word: anything up to white space, '=', ';' or '"'. A new string, or NULL when there is
 * none (*p unchanged) or memory ran out (*oom set). */
static char *kafka_jaas_word(const char **p, bool *oom)
{
    const char *start = *p;
    size_t len = strcspn(start, " \t\r\n\f\v=;\"");
    if (len == 0)
        return NULL;
    char *word = strndup(start, len);
    if (!word) {
        *oom = true;
        return NULL;
    }
    *p = start + len;
    return word;
}

/* A double-quoted value after its opening quote, with Java's escapes (StreamTokenizer: \n \t
 * \r \b \f, any other escaped character stands for itself). A new string or NULL (unterminated,
 * or *oom). */
static char *kafka_jaas_quoted(const char **p, bool *oom)
{
    const char *in = *p;
    char *out = malloc(strlen(in) + 1);
    size_t len = 0;
    if (!out) {
        *oom = true;
        return NULL;
    }
    while (*in && *in != '"') {
        char c = *in++;
        if (c == '\\') {
            if (*in == '\0')
                break;
            c = *in++;
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            default: break;
            }
        }
        out[len++] = c;
    }
    if (*in != '"') {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    *p = in + 1;
    return out;
}

/* Parses text into jaas. Returns 0, or -1 with why (which never holds a value) in why. */
static int kafka_jaas_parse(const char *text, kafka_jaas *jaas, char *why, size_t whylen)
{
    bool oom = false;
    char *flag = NULL;
    char *option = NULL;
    char *value = NULL;
    const char *p = kafka_jaas_skip_space(text);

    jaas->options = config_map_new();
    if (!jaas->options)
        goto out_of_memory;
    jaas->module = kafka_jaas_word(&p, &oom);
    if (!jaas->module) {
        if (oom)
            goto out_of_memory;
        ferry_error_set(why, whylen, "expected a login module class name");
        goto fail;
    }
    p = kafka_jaas_skip_space(p);
    flag = kafka_jaas_word(&p, &oom);
    if (oom)
        goto out_of_memory;
    if (!flag || (strcasecmp(flag, "required") != 0 && strcasecmp(flag, "requisite") != 0 &&
                  strcasecmp(flag, "sufficient") != 0 && strcasecmp(flag, "optional") != 0)) {
        ferry_error_set(why, whylen,
                        "expected a control flag (required, requisite, sufficient or optional) "
                        "after the login module %s",
                        jaas->module);
        goto fail;
    }

    for (;;) {
        p = kafka_jaas_skip_space(p);
        if (*p == ';')
            break;
        if (*p == '\0') {
            ferry_error_set(why, whylen, "expected ';' at the end of the login module entry");
            goto fail;
        }
        option = kafka_jaas_word(&p, &oom);
        if (!option) {
            if (oom)
                goto out_of_memory;
            ferry_error_set(why, whylen, "expected an option name (name=value)");
            goto fail;
        }
        p = kafka_jaas_skip_space(p);
        if (*p != '=') {
            ferry_error_set(why, whylen, "expected '=' after option %s", option);
            goto fail;
        }
        p = kafka_jaas_skip_space(p + 1);
        if (*p == '"') {
            p++;
            value = kafka_jaas_quoted(&p, &oom);
            if (!value) {
                if (oom)
                    goto out_of_memory;
                ferry_error_set(why, whylen, "unterminated quoted value of option %s", option);
                goto fail;
            }
        } else {
            value = kafka_jaas_word(&p, &oom);
            if (!value) {
                if (oom)
                    goto out_of_memory;
                ferry_error_set(why, whylen, "expected a value for option %s", option);
                goto fail;
            }
        }
        if (config_map_set(jaas->options, option, value) != 0)
            goto out_of_memory;
        free(option);
        free(value);
        option = value = NULL;
    }
    p = kafka_jaas_skip_space(p + 1);
    if (*p != '\0') {
        ferry_error_set(why, whylen, "only one login module may be configured");
        goto fail;
    }
    free(flag);
    return 0;

out_of_memory:
    ferry_error_set(why, whylen, "out of memory");
fail:
    free(flag);
    free(option);
    free(value);
    return -1;
}

/* PLAIN and SCRAM credentials become sasl.username / sasl.password; other login modules
 * (OAUTHBEARER, Kerberos) have librdkafka settings of their own and are skipped with a warning. */
static int kafka_translate_jaas(rd_kafka_conf_t *conf, const kafka_setting *setting, char *err,
                                size_t errlen)
{
    char why[256];
    kafka_jaas jaas = {0};
    int rc = -1;

    if (kafka_jaas_parse(setting->value, &jaas, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "invalid value for %s: %s", setting->user_key, why);
        goto cleanup;
    }
    if (strcmp(jaas.module, KAFKA_PLAIN_MODULE) != 0 &&
        strcmp(jaas.module, KAFKA_SCRAM_MODULE) != 0) {
        log_warn(KAFKA_LOG_SCOPE,
                 "ignoring %s: login module %s cannot be translated for librdkafka; configure "
                 "it with librdkafka's settings instead (sasl.oauthbearer.*, sasl.kerberos.*)",
                 setting->user_key, jaas.module);
        rc = 0;
        goto cleanup;
    }
    const char *username = config_map_get(jaas.options, "username");
    const char *password = config_map_get(jaas.options, "password");
    if (!username || !password) {
        ferry_error_set(err, errlen, "invalid value for %s: %s needs the options username and "
                        "password", setting->user_key, jaas.module);
        goto cleanup;
    }
    if (kafka_config_set_named(conf, setting->user_key, "sasl.username", username, false, err,
                               errlen) != 0 ||
        kafka_config_set_named(conf, setting->user_key, "sasl.password", password, false, err,
                               errlen) != 0)
        goto cleanup;
    rc = 0;

cleanup:
    kafka_jaas_free(&jaas);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* TLS stores                                                                                 */

/* The store type that goes with a location key ("ssl.truststore.type"), Java's default JKS when
 * unset. */
static const char *kafka_store_type(const kafka_settings *settings, const char *type_key)
{
    const char *type = config_map_get(settings->effective, type_key);
    return type && type[strspn(type, " \t")] != '\0' ? type : "JKS";
}

/* librdkafka reads CA certificates from PEM only. */
static int kafka_translate_truststore(rd_kafka_conf_t *conf, const kafka_settings *settings,
                                      const kafka_setting *setting, char *err, size_t errlen)
{
    char type[32];
    snprintf(type, sizeof(type), "%s", kafka_store_type(settings, "ssl.truststore.type"));
    for (char *c = type; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (strcmp(type, "PEM") == 0)
        return kafka_config_set_named(conf, setting->user_key, "ssl.ca.location", setting->value,
                                      false, err, errlen);
    ferry_error_set(err, errlen,
                    "invalid value for %s: a %s truststore cannot be used, librdkafka needs PEM: "
                    "export the CA certificates to a PEM file and set ssl.ca.location (or "
                    "ssl.truststore.location with ssl.truststore.type=PEM)",
                    setting->user_key, type);
    return -1;
}

/* librdkafka reads a client keystore as PKCS#12 (its own ssl.keystore.location) or as PEM
 * certificate and key files; a JKS keystore must be converted first. Without a type the file is
 * handed over as PKCS#12, which is what Java reads from a keystore of unknown type too. */
static int kafka_translate_keystore(rd_kafka_conf_t *conf, const kafka_settings *settings,
                                    const kafka_setting *setting, char *err, size_t errlen)
{
    const char *type = config_map_get(settings->effective, "ssl.keystore.type");
    if (!type || type[strspn(type, " \t")] == '\0' || strcasecmp(type, "PKCS12") == 0)
        return kafka_config_set_named(conf, setting->user_key, "ssl.keystore.location",
                                      setting->value, false, err, errlen);
    if (strcasecmp(type, "PEM") == 0) {
        if (kafka_config_set_named(conf, setting->user_key, "ssl.certificate.location",
                                   setting->value, false, err, errlen) != 0)
            return -1;
        return kafka_config_set_named(conf, setting->user_key, "ssl.key.location", setting->value,
                                      false, err, errlen);
    }
    ferry_error_set(err, errlen,
                    "invalid value for %s: a %s keystore cannot be used, librdkafka needs PKCS12 "
                    "or PEM: convert it (keytool -importkeystore -deststoretype PKCS12) and set "
                    "ssl.keystore.type=PKCS12",
                    setting->user_key, type);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Consumer group assignors                                                                   */

/* Java's assignor classes and their librdkafka names; librdkafka has no eager sticky one. */
static const struct {
    const char *java_class;
    const char *name;
} kafka_assignors[] = {
    {"org.apache.kafka.clients.consumer.RangeAssignor", "range"},
    {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin"},
    {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor", "cooperative-sticky"},
};

/* partition.assignment.strategy as Kafka Connect users write it (class names, often the
 * cooperative sticky one) becomes librdkafka's list of names; librdkafka's own names pass. */
static int kafka_translate_assignors(rd_kafka_conf_t *conf, const kafka_setting *setting,
                                     char *err, size_t errlen)
{
    char **items = config_value_split_list(setting->value);
    char *names = NULL;
    size_t size = 0;
    FILE *out = NULL;
    int rc = -1;

    if (!items || !(out = open_memstream(&names, &size))) {
        ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
        goto cleanup;
    }
    for (size_t i = 0; items[i]; i++) {
        const char *name = items[i];
        for (size_t a = 0; a < sizeof(kafka_assignors) / sizeof(kafka_assignors[0]); a++) {
            if (strcmp(items[i], kafka_assignors[a].java_class) == 0)
                name = kafka_assignors[a].name;
        }
        if (strchr(name, '.')) {
            ferry_error_set(err, errlen,
                            "invalid value for %s: %s has no librdkafka equivalent (expected "
                            "range, roundrobin or cooperative-sticky, or their Java classes)",
                            setting->user_key, name);
            goto cleanup;
        }
        fprintf(out, "%s%s", i ? "," : "", name);
    }
    if (fclose(out) != 0) {
        out = NULL;
        ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
        goto cleanup;
    }
    out = NULL;
    rc = kafka_config_set_named(conf, setting->user_key, setting->key, names, false, err, errlen);

cleanup:
    if (out)
        fclose(out);
    free(names);
    config_list_free(items);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* buffer.memory                                                                              */

/* Java's producer buffer.memory (bytes) is librdkafka's queue.buffering.max.kbytes. */
static int kafka_translate_buffer_memory(rd_kafka_conf_t *conf, const kafka_setting *setting,
                                         char *err, size_t errlen)
{
    char *end = NULL;
    errno = 0;
    long long bytes = strtoll(setting->value, &end, 10);
    if (errno || end == setting->value || *end || bytes < 1024)
        return ferry_error_set(err, errlen, "invalid value for %s: '%s' (bytes, at least 1024)",
                               setting->user_key, setting->value),
               -1;
    char kbytes[32];
    snprintf(kbytes, sizeof(kbytes), "%lld", bytes / 1024);
    return kafka_config_set_named(conf, setting->user_key, "queue.buffering.max.kbytes", kbytes,
                                  false, err, errlen);
}

/* ------------------------------------------------------------------------------------------ */
/* One setting, translated                                                                    */

static int kafka_apply(rd_kafka_conf_t *conf, const kafka_settings *settings,
                       const kafka_setting *setting, char *err, size_t errlen)
{
    const char *key = setting->key;

    if (strcmp(key, "sasl.jaas.config") == 0)
        return kafka_translate_jaas(conf, setting, err, errlen);
    if (strcmp(key, "sasl.mechanism") == 0)
        return kafka_config_set_named(conf, setting->user_key, "sasl.mechanisms", setting->value,
                                      false, err, errlen);
    if (strcmp(key, "ssl.endpoint.identification.algorithm") == 0) {
        /* Java turns host name verification off with an empty value, librdkafka with "none". */
        char value[64];
        const char *start = setting->value + strspn(setting->value, " \t");
        snprintf(value, sizeof(value), "%s", start[0] ? start : "none");
        for (char *c = value; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        return kafka_config_set_named(conf, setting->user_key, key, value, false, err, errlen);
    }
    if (strcmp(key, "partition.assignment.strategy") == 0)
        return kafka_translate_assignors(conf, setting, err, errlen);
    if (strcmp(key, "buffer.memory") == 0)
        return kafka_translate_buffer_memory(conf, setting, err, errlen);
    /* Java's "none" (fail when the group has no offset) is librdkafka's "error". */
    if (strcmp(key, "auto.offset.reset") == 0 && strcasecmp(setting->value, "none") == 0)
        return kafka_config_set_named(conf, setting->user_key, key, "error", false, err, errlen);
    if (strcmp(key, "ssl.truststore.location") == 0)
        return kafka_translate_truststore(conf, settings, setting, err, errlen);
    if (strcmp(key, "ssl.keystore.location") == 0)
        return kafka_translate_keystore(conf, settings, setting, err, errlen);
    /* PEM contents given inline, Java's spelling on the left. */
    if (strcmp(key, "ssl.truststore.certificates") == 0)
        return kafka_config_set_named(conf, setting->user_key, "ssl.ca.pem", setting->value,
                                      false, err, errlen);
    if (strcmp(key, "ssl.keystore.certificate.chain") == 0)
        return kafka_config_set_named(conf, setting->user_key, "ssl.certificate.pem",
                                      setting->value, false, err, errlen);
    if (strcmp(key, "ssl.keystore.key") == 0)
        return kafka_config_set_named(conf, setting->user_key, "ssl.key.pem", setting->value,
                                      false, err, errlen);
    /* Read together with the locations above; a PEM truststore has no password in Java
     * either. */
    if (strcmp(key, "ssl.truststore.type") == 0 || strcmp(key, "ssl.keystore.type") == 0 ||
        strcmp(key, "ssl.truststore.password") == 0)
        return 0;
    return kafka_config_set_named(conf, setting->user_key, key, setting->value, true, err,
                                  errlen);
}

/* The defaults of kafka_config.h's KAFKA_SINK_PREFETCH_KB comment, set before the user's keys
 * so that those replace them. */
static int kafka_config_sink_consumer_defaults(rd_kafka_conf_t *conf, char *err, size_t errlen)
{
    /* librdkafka 2.0 backs a partition off for fetch.error.backoff.ms (500) whenever its fetch
     * queue is full, which a sink reading a little slower than the fetcher hits constantly:
     * measured, it halves throughput (bench/runtime). A short back-off keeps it fetching. */
    if (kafka_config_set(conf, "auto.offset.reset", "earliest", err, errlen) != 0 ||
        kafka_config_set(conf, "fetch.error.backoff.ms", "5", err, errlen) != 0 ||
        kafka_config_set(conf, "queued.max.messages.kbytes", KAFKA_SINK_PREFETCH_KB, err,
                         errlen) != 0)
        return -1;
    if (rd_kafka_version() >= KAFKA_LIBRDKAFKA_QUEUE_BACKOFF &&
        kafka_config_set(conf, "fetch.queue.backoff.ms", "10", err, errlen) != 0)
        return -1;
    return 0;
}

static rd_kafka_conf_t *kafka_config_build_layers(const worker_config *worker,
                                                  kafka_client_role role,
                                                  const config_map *connector,
                                                  const char *client_id, config_map *origins,
                                                  char *err, size_t errlen)
{
    static const char *const worker_prefixes[] = {"producer.", "consumer.", "admin."};
    static const char *const override_prefixes[] = {"producer.override.", "consumer.override.",
                                                    "admin.override."};
    kafka_settings settings = {0};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    size_t role_index = role == KAFKA_CLIENT_PRODUCER   ? 0
                        : role == KAFKA_CLIENT_CONSUMER ? 1
                                                        : 2;

    settings.effective = config_map_new();
    settings.origins = config_map_new();
    if (!conf || !settings.effective || !settings.origins)
        goto out_of_memory;

    if (worker->bootstrap_servers &&
        kafka_config_set(conf, "bootstrap.servers", worker->bootstrap_servers, err, errlen) != 0)
        goto fail;
    /* Java's clients set TCP_NODELAY on every broker connection; librdkafka leaves Nagle's
     * algorithm on, which holds a small request (a config or status record, a commit) behind
     * the unacknowledged one before it until the broker's delayed ACK: tens of milliseconds.
     * Batching is the clients' own business (linger.ms), as in Java. */
    if (kafka_config_set(conf, "socket.nagle.disable", "true", err, errlen) != 0)
        goto fail;
    /* A default the user's own client.id replaces, as in Kafka Connect. */
    if (client_id && kafka_config_set(conf, "client.id", client_id, err, errlen) != 0)
        goto fail;
    /* A producer buffers at most KAFKA_PRODUCER_QUEUE_KB (librdkafka's own bound is 1 GB, which
     * a source outrunning its broker fills); producer.buffer.memory or
     * producer.queue.buffering.max.kbytes change it. */
    if (role == KAFKA_CLIENT_PRODUCER &&
        kafka_config_set(conf, "queue.buffering.max.kbytes", KAFKA_PRODUCER_QUEUE_KB, err,
                         errlen) != 0)
        goto fail;

    if (role == KAFKA_CLIENT_CONSUMER && connector &&
        kafka_config_sink_consumer_defaults(conf, err, errlen) != 0)
        goto fail;

    if (!connector && kafka_settings_add_security(&settings, worker->values) != 0)
        goto out_of_memory;
    if (kafka_settings_add_prefixed(&settings, worker->values, worker_prefixes[role_index],
                                    role) != 0)
        goto out_of_memory;
    if (connector && kafka_settings_add_prefixed(&settings, connector,
                                                 override_prefixes[role_index], role) != 0)
        goto out_of_memory;

    for (size_t i = 0; i < settings.count; i++) {
        if (!kafka_settings_is_final(&settings, i))
            continue;
        if (kafka_apply(conf, &settings, &settings.items[i], err, errlen) != 0)
            goto fail;
    }
    /* The Java names as the user wrote them, under the librdkafka names the translations set. */
    for (size_t i = 0; origins && i < config_map_count(settings.origins); i++) {
        const char *key = config_map_key_at(settings.origins, i);
        if (!config_map_get(origins, key) &&
            config_map_set(origins, key, config_map_value_at(settings.origins, i)) != 0)
            goto out_of_memory;
    }
    kafka_settings_free(&settings);
    return conf;

out_of_memory:
    ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
fail:
    kafka_settings_free(&settings);
    if (conf)
        rd_kafka_conf_destroy(conf);
    return NULL;
}

rd_kafka_conf_t *kafka_config_build(const worker_config *worker, kafka_client_role role,
                                    const config_map *connector, const char *client_id,
                                    char *err, size_t errlen)
{
    return kafka_config_build_layers(worker, role, connector, client_id, NULL, err, errlen);
}

rd_kafka_conf_t *kafka_config_build_origins(const worker_config *worker, kafka_client_role role,
                                            const config_map *connector, const char *client_id,
                                            config_map **origins, char *err, size_t errlen)
{
    *origins = config_map_new();
    if (!*origins) {
        ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
        return NULL;
    }
    kafka_config_recorded = *origins;
    rd_kafka_conf_t *conf = kafka_config_build_layers(worker, role, connector, client_id,
                                                      *origins, err, errlen);
    kafka_config_recorded = NULL;
    if (!conf) {
        config_map_destroy(*origins);
        *origins = NULL;
    }
    return conf;
}
