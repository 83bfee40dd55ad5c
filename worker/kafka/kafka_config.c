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
#include "kafka/kafka_oauth.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ssl.h>

#include "config/config_validate.h"
#include "base/log.h"
#include "support/array.h"
#include "support/java_keystore.h"
#include "support/strbuf.h"

#define KAFKA_LOG_SCOPE "kafka"
#define KAFKA_PLAIN_MODULE "org.apache.kafka.common.security.plain.PlainLoginModule"
#define KAFKA_SCRAM_MODULE "org.apache.kafka.common.security.scram.ScramLoginModule"
#define KAFKA_OAUTH_MODULE "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
#define KAFKA_OAUTH_HANDLER \
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"
#define KAFKA_OAUTH_HANDLER_OLD \
    "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler"

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
    /* librdkafka's names of what the translations fill with key material or credentials. */
    static const char *const secret_keys[] = {"ssl.key.pem", "sasl.oauthbearer.client.secret",
                                              "sasl.oauthbearer.config",
                                              "sasl.oauthbearer.extensions", NULL};
    bool sensitive = config_key_is_sensitive(NULL, 0, user_key) ||
                     config_key_is_sensitive(NULL, 0, key);
    for (size_t i = 0; secret_keys[i] && !sensitive; i++)
        sensitive = strcmp(key, secret_keys[i]) == 0;

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

static bool kafka_value_set(const char *value)
{
    return value && value[strspn(value, " \t")] != '\0';
}

/* The name a companion setting has in the layer of setting ("producer.override." +
 * "ssl.key.password"), for messages about a key the user did not write. */
static void kafka_companion_key(const kafka_setting *setting, const char *key, char *out,
                                size_t outlen)
{
    snprintf(out, outlen, "%.*s%s", (int)(setting->key - setting->user_key), setting->user_key,
             key);
}

/* The user's name for a client setting: where its value came from, or its name in setting's
 * layer when unset. */
static void kafka_user_key(const kafka_settings *settings, const kafka_setting *setting,
                           const char *key, char *out, size_t outlen)
{
    const char *origin = config_map_get(settings->origins, key);
    if (origin)
        snprintf(out, outlen, "%s", origin);
    else
        kafka_companion_key(setting, key, out, outlen);
}

/* A Java login setting of milliseconds (sasl.login.connect.timeout.ms, ...): its value, or
 * fallback when unset. Returns 0, or -1 with err naming the key as the user wrote it. */
static int kafka_login_ms(const kafka_settings *settings, const kafka_setting *setting,
                          const char *key, long fallback, long *out, char *err, size_t errlen)
{
    const char *value = config_map_get(settings->effective, key);
    char user_key[256];
    *out = fallback;
    if (!kafka_value_set(value))
        return 0;
    char *end = NULL;
    errno = 0;
    long number = strtol(value, &end, 10);
    if (errno || end == value || *end || number < 0) {
        kafka_user_key(settings, setting, key, user_key, sizeof(user_key));
        return ferry_error_set(err, errlen, "invalid value for %s: '%s' (milliseconds, 0 or "
                               "more)", user_key, value),
               -1;
    }
    *out = number;
    return 0;
}

/* The Java settings the OAuth client-credentials translation reads beside sasl.jaas.config;
 * librdkafka has none of them. */
static const char *const kafka_oauth_keys[] = {
    "sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.sub.claim.name",
    "sasl.oauthbearer.header.urlencode",   "sasl.login.connect.timeout.ms",
    "sasl.login.read.timeout.ms",          "sasl.login.retry.backoff.ms",
    "sasl.login.retry.backoff.max.ms",     NULL};

/* Kafka Connect's client-credentials setup (OAuthBearerLoginCallbackHandler with clientId,
 * clientSecret, scope and extension_NAME, the endpoint in sasl.oauthbearer.token.endpoint.url)
 * becomes ferry's own token fetching (kafka_oauth.h), which every librdkafka build runs. */
static int kafka_translate_oauth_client(rd_kafka_conf_t *conf, const kafka_settings *settings,
                                        const kafka_setting *setting, const kafka_jaas *jaas,
                                        char *err, size_t errlen)
{
    const char *client_secret = config_map_get(jaas->options, "clientSecret");
    const char *endpoint = config_map_get(settings->effective,
                                          "sasl.oauthbearer.token.endpoint.url");
    const char *sub_claim = config_map_get(settings->effective, "sasl.oauthbearer.sub.claim.name");
    const char *urlencode = config_map_get(settings->effective,
                                           "sasl.oauthbearer.header.urlencode");
    char endpoint_key[256];
    /* Borrowed values, only encoded into sasl.oauthbearer.config (never cleared). */
    kafka_oauth_params params = {
        .client_id = (char *)config_map_get(jaas->options, "clientId"),
        .client_secret = (char *)client_secret,
        .scope = (char *)config_map_get(jaas->options, "scope"),
        .sub_claim = kafka_value_set(sub_claim) ? (char *)sub_claim : "sub",
        .endpoint_key = endpoint_key,
        .header_urlencode = urlencode && strcasecmp(urlencode, "true") == 0,
    };
    char *text = NULL;
    int rc = -1;

    kafka_user_key(settings, setting, "sasl.oauthbearer.token.endpoint.url", endpoint_key,
                   sizeof(endpoint_key));
    if (!client_secret)
        return ferry_error_set(err, errlen, "invalid value for %s: %s with clientId needs the "
                               "option clientSecret", setting->user_key, jaas->module),
               -1;
    if (!kafka_value_set(endpoint))
        return ferry_error_set(err, errlen, "missing %s: %s with clientId fetches its tokens "
                               "from the OAuth token endpoint this key names", endpoint_key,
                               setting->user_key),
               -1;
    if (strncasecmp(endpoint, "http://", 7) != 0 && strncasecmp(endpoint, "https://", 8) != 0)
        return ferry_error_set(err, errlen, "invalid value for %s: '%s' (expected an http:// or "
                               "https:// URL; Java's file: tokens are not supported)",
                               endpoint_key, endpoint),
               -1;
    params.endpoint_url = (char *)endpoint;
    if (kafka_login_ms(settings, setting, "sasl.login.connect.timeout.ms",
                       KAFKA_OAUTH_CONNECT_TIMEOUT_MS, &params.connect_timeout_ms, err,
                       errlen) != 0 ||
        kafka_login_ms(settings, setting, "sasl.login.read.timeout.ms",
                       KAFKA_OAUTH_READ_TIMEOUT_MS, &params.read_timeout_ms, err, errlen) != 0 ||
        kafka_login_ms(settings, setting, "sasl.login.retry.backoff.ms",
                       KAFKA_OAUTH_RETRY_BACKOFF_MS, &params.retry_backoff_ms, err,
                       errlen) != 0 ||
        kafka_login_ms(settings, setting, "sasl.login.retry.backoff.max.ms",
                       KAFKA_OAUTH_RETRY_BACKOFF_MAX_MS, &params.retry_backoff_max_ms, err,
                       errlen) != 0)
        return -1;
    if (!(params.extensions = config_map_new()))
        goto out_of_memory;
    for (size_t i = 0; i < config_map_count(jaas->options); i++) {
        const char *name = config_map_key_at(jaas->options, i);
        if (strncmp(name, "extension_", 10) == 0 && name[10] &&
            config_map_set(params.extensions, name + 10, config_map_value_at(jaas->options, i)) !=
                0)
            goto out_of_memory;
    }
    if (!(text = kafka_oauth_params_encode(&params)))
        goto out_of_memory;
    if (kafka_config_set_named(conf, setting->user_key, "sasl.oauthbearer.config", text, false,
                               err, errlen) == 0 &&
        kafka_oauth_configure(conf, err, errlen) == 0)
        rc = 0;
    goto cleanup;

out_of_memory:
    ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
cleanup:
    config_map_destroy(params.extensions);
    kafka_oauth_text_free(text);
    return rc;
}

/* Kafka's OAuthBearerLoginModule: with clientId, tokens from the OAuth token endpoint
 * (kafka_translate_oauth_client); with unsecuredLoginStringClaim_sub, Java's unsecured test
 * tokens, which librdkafka makes itself from sasl.oauthbearer.config. */
static int kafka_translate_oauthbearer(rd_kafka_conf_t *conf, const kafka_settings *settings,
                                       const kafka_setting *setting, const kafka_jaas *jaas,
                                       char *err, size_t errlen)
{
    const char *scope = config_map_get(jaas->options, "scope");
    const char *subject = config_map_get(jaas->options, "unsecuredLoginStringClaim_sub");

    if (config_map_get(jaas->options, "clientId"))
        return kafka_translate_oauth_client(conf, settings, setting, jaas, err, errlen);
    if (!subject)
        return ferry_error_set(err, errlen, "invalid value for %s: %s needs the options clientId "
                               "and clientSecret (with sasl.oauthbearer.token.endpoint.url), or "
                               "unsecuredLoginStringClaim_sub", setting->user_key, jaas->module),
               -1;
    strbuf config = {0};
    strbuf_append_printf(&config, "principal=%s", subject);
    if (scope)
        strbuf_append_printf(&config, " scope=%s", scope);
    for (size_t i = 0; i < config_map_count(jaas->options); i++) {
        const char *name = config_map_key_at(jaas->options, i);
        if (strncmp(name, "extension_", 10) == 0 && name[10])
            strbuf_append_printf(&config, " %s=%s", name, config_map_value_at(jaas->options, i));
    }
    int rc = strbuf_failed(&config)
                 ? (ferry_error_set(err, errlen, "out of memory while building a Kafka client "
                                    "config"), -1)
                 : kafka_config_set_named(conf, setting->user_key,
                                          "enable.sasl.oauthbearer.unsecure.jwt", "true", false,
                                          err, errlen) != 0
                       ? -1
                       : kafka_config_set_named(conf, setting->user_key,
                                                "sasl.oauthbearer.config", config.data, false,
                                                err, errlen);
    strbuf_free(&config);
    return rc;
}

/* PLAIN and SCRAM credentials become sasl.username / sasl.password, OAUTHBEARER's options
 * librdkafka's sasl.oauthbearer.* settings; other login modules (Kerberos) have librdkafka
 * settings of their own and are skipped with a warning. */
static int kafka_translate_jaas(rd_kafka_conf_t *conf, const kafka_settings *settings,
                                const kafka_setting *setting, char *err, size_t errlen)
{
    char why[256];
    kafka_jaas jaas = {0};
    int rc = -1;

    if (kafka_jaas_parse(setting->value, &jaas, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "invalid value for %s: %s", setting->user_key, why);
        goto cleanup;
    }
    if (strcmp(jaas.module, KAFKA_OAUTH_MODULE) == 0) {
        rc = kafka_translate_oauthbearer(conf, settings, setting, &jaas, err, errlen);
        goto cleanup;
    }
    if (strcmp(jaas.module, KAFKA_PLAIN_MODULE) != 0 &&
        strcmp(jaas.module, KAFKA_SCRAM_MODULE) != 0) {
        log_warn(KAFKA_LOG_SCOPE,
                 "ignoring %s: login module %s cannot be translated for librdkafka; configure "
                 "it with librdkafka's settings instead (sasl.kerberos.*)",
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

/* A store's problem under the key the user must change: the password key for a wrong or
 * missing password, the location (or inline) key otherwise. */
static void kafka_store_error(java_keystore_status status, const char *store_key,
                              const char *password_key, const char *key_password_key,
                              const char *why, char *err, size_t errlen)
{
    switch (status) {
    case JAVA_KEYSTORE_STORE_PASSWORD:
        ferry_error_set(err, errlen, "invalid value for %s: %s", password_key, why);
        break;
    case JAVA_KEYSTORE_KEY_PASSWORD:
        ferry_error_set(err, errlen, "invalid value for %s: %s", key_password_key, why);
        break;
    case JAVA_KEYSTORE_NO_PASSWORD:
        ferry_error_set(err, errlen, "missing %s: %s",
                        strstr(why, "key password") ? key_password_key : password_key, why);
        break;
    default:
        ferry_error_set(err, errlen, "invalid value for %s: %s", store_key, why);
        break;
    }
}

/* A Java truststore (ssl.truststore.location of type JKS, Java's default, PKCS12 or PEM; or
 * the PEM text of ssl.truststore.certificates) becomes librdkafka's ssl.ca.pem, read here so
 * that a wrong password or file is reported under the user's key. */
static int kafka_translate_truststore(rd_kafka_conf_t *conf, const kafka_settings *settings,
                                      const kafka_setting *setting, char *err, size_t errlen)
{
    char type_key[256], password_key[256], other_key[256], why[512];
    const char *type = config_map_get(settings->effective, "ssl.truststore.type");
    const char *password = config_map_get(settings->effective, "ssl.truststore.password");
    bool inline_pem = strcmp(setting->key, "ssl.truststore.certificates") == 0;
    java_keystore_source source = {.type = kafka_value_set(type) ? type : NULL,
                                   .store_password = kafka_value_set(password) ? password : NULL};
    char *pem = NULL;

    kafka_user_key(settings, setting, "ssl.truststore.type", type_key, sizeof(type_key));
    kafka_user_key(settings, setting, "ssl.truststore.password", password_key,
                   sizeof(password_key));
    if (inline_pem) {
        kafka_user_key(settings, setting, "ssl.truststore.location", other_key,
                       sizeof(other_key));
        if (kafka_value_set(config_map_get(settings->effective, "ssl.truststore.location")))
            return ferry_error_set(err, errlen, "invalid value for %s: give either %s or %s, "
                                   "not both", setting->user_key, other_key, setting->user_key),
                   -1;
        if (source.type && strcasecmp(source.type, "PEM") != 0)
            return ferry_error_set(err, errlen, "invalid value for %s: inline certificates are "
                                   "PEM, but %s is %s", setting->user_key, type_key, source.type),
                   -1;
        source.type = "PEM";
        source.text = setting->value;
    } else {
        source.location = setting->value;
    }
    java_keystore_status status = java_keystore_read_trusted(&source, &pem, why, sizeof(why));
    if (status != JAVA_KEYSTORE_OK) {
        kafka_store_error(status, setting->user_key, password_key, password_key, why, err,
                          errlen);
        return -1;
    }
    int rc = kafka_config_set_named(conf, setting->user_key, "ssl.ca.pem", pem, false, err,
                                    errlen);
    free(pem);
    return rc;
}

/* A Java keystore (ssl.keystore.location of type JKS, PKCS12 or PEM, or the inline PEM pair
 * ssl.keystore.key + ssl.keystore.certificate.chain) becomes librdkafka's
 * ssl.certificate.pem + ssl.key.pem: the key decrypted here with ssl.key.password (or the
 * store password, as in Java), handed over unencrypted and wiped from ferry's memory. A store
 * with several keys gives its first (librdkafka has no alias to choose by). */
static int kafka_translate_keystore(rd_kafka_conf_t *conf, const kafka_settings *settings,
                                    const kafka_setting *setting, char *err, size_t errlen)
{
    char password_key[256], key_password_key[256], other_key[256], why[512];
    const char *type = config_map_get(settings->effective, "ssl.keystore.type");
    const char *password = config_map_get(settings->effective, "ssl.keystore.password");
    const char *key_password = config_map_get(settings->effective, "ssl.key.password");
    bool inline_pem = strcmp(setting->key, "ssl.keystore.key") == 0;
    java_keystore_source source = {.type = kafka_value_set(type) ? type : NULL,
                                   .store_password = kafka_value_set(password) ? password : NULL,
                                   .key_password = kafka_value_set(key_password) ? key_password
                                                                                 : NULL};
    java_keystore_key key = {0};
    char *text = NULL;
    int rc = -1;

    kafka_user_key(settings, setting, "ssl.keystore.password", password_key,
                   sizeof(password_key));
    kafka_user_key(settings, setting, "ssl.key.password", key_password_key,
                   sizeof(key_password_key));
    if (inline_pem) {
        const char *chain = config_map_get(settings->effective, "ssl.keystore.certificate.chain");
        kafka_user_key(settings, setting, "ssl.keystore.certificate.chain", other_key,
                       sizeof(other_key));
        if (!kafka_value_set(chain)) {
            ferry_error_set(err, errlen, "missing %s: %s needs the certificate chain of its key",
                            other_key, setting->user_key);
            goto cleanup;
        }
        kafka_user_key(settings, setting, "ssl.keystore.location", other_key, sizeof(other_key));
        if (kafka_value_set(config_map_get(settings->effective, "ssl.keystore.location"))) {
            ferry_error_set(err, errlen, "invalid value for %s: give either %s or %s, not both",
                            setting->user_key, other_key, setting->user_key);
            goto cleanup;
        }
        /* One text holding key and chain is what a PEM keystore file holds. */
        size_t len = strlen(setting->value) + strlen(chain) + 2;
        text = malloc(len);
        if (!text) {
            ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
            goto cleanup;
        }
        snprintf(text, len, "%s\n%s", setting->value, chain);
        source.type = "PEM";
        source.text = text;
    } else {
        source.location = setting->value;
    }
    java_keystore_status status = java_keystore_read_key(&source, &key, why, sizeof(why));
    if (status != JAVA_KEYSTORE_OK) {
        kafka_store_error(status, setting->user_key,
                          inline_pem ? key_password_key : password_key,
                          source.key_password || inline_pem ? key_password_key : password_key,
                          why, err, errlen);
        goto cleanup;
    }
    if (key.key_entries > 1)
        log_warn(KAFKA_LOG_SCOPE,
                 "%s: %s holds %zu private keys; using the first, '%s' (give a keystore with "
                 "one key to choose)",
                 setting->user_key, setting->value, key.key_entries,
                 key.alias ? key.alias : "?");
    if (kafka_config_set_named(conf, setting->user_key, "ssl.certificate.pem", key.certificates,
                               false, err, errlen) != 0 ||
        kafka_config_set_named(conf, setting->user_key, "ssl.key.pem", key.key, false, err,
                               errlen) != 0)
        goto cleanup;
    rc = 0;

cleanup:
    java_keystore_key_clear(&key);
    java_keystore_wipe_free(text);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Cipher suites and protocols                                                                */

/* The OpenSSL name of a Java / IANA cipher suite name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
 * is "ECDHE-RSA-AES128-GCM-SHA256"), from the suites this OpenSSL knows (never a table of our
 * own); Java's SSL_ prefix of the older suites is their TLS_ name. Returns the OpenSSL name, ""
 * for a TLS 1.3 suite OpenSSL enables by default, or NULL; *tls13_known is set for a TLS 1.3
 * suite OpenSSL knows but does not enable. */
static const char *kafka_cipher_openssl_name(SSL_CTX *all, const char *java_name,
                                             bool *tls13_known)
{
    char name[128];
    *tls13_known = false;
    snprintf(name, sizeof(name), "%s", java_name);
    if (strncmp(name, "SSL_", 4) == 0)
        memcpy(name, "TLS_", 4);
    STACK_OF(SSL_CIPHER) *ciphers = SSL_CTX_get_ciphers(all);
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); i++) {
        const SSL_CIPHER *cipher = sk_SSL_CIPHER_value(ciphers, i);
        const char *standard = SSL_CIPHER_standard_name(cipher);
        if (!standard || strcmp(standard, name) != 0)
            continue;
        return strcmp(SSL_CIPHER_get_version(cipher), "TLSv1.3") == 0
                   ? ""
                   : SSL_CIPHER_get_name(cipher);
    }
    /* A TLS 1.3 suite outside OpenSSL's default set is accepted by SSL_CTX_set_ciphersuites. */
    SSL_CTX *probe = SSL_CTX_new(TLS_client_method());
    *tls13_known = probe && SSL_CTX_set_ciphersuites(probe, name) == 1;
    SSL_CTX_free(probe);
    return NULL;
}

/* ssl.cipher.suites in Java's (IANA) names becomes OpenSSL's cipher list; OpenSSL names pass
 * as they are. librdkafka 2.0.2 sets no TLS 1.3 suites: OpenSSL's defaults stay enabled, so a
 * TLS 1.3 name among them is accepted and one outside them refused, as is a list that would
 * leave TLS 1.2 without suites. Every name without an equivalent is named at once. */
static int kafka_translate_cipher_suites(rd_kafka_conf_t *conf, const kafka_setting *setting,
                                         char *err, size_t errlen)
{
    char **items = config_value_split_list(setting->value);
    SSL_CTX *all = SSL_CTX_new(TLS_client_method());
    strbuf list = {0}, refused = {0};
    size_t tls13 = 0;
    int rc = -1;

    if (!items || !all || !SSL_CTX_set_cipher_list(all, "ALL:COMPLEMENTOFALL:@SECLEVEL=0")) {
        ferry_error_set(err, errlen, "invalid value for %s: OpenSSL's cipher suites cannot be "
                        "listed", setting->user_key);
        goto cleanup;
    }
    for (size_t i = 0; items[i]; i++) {
        bool tls13_known = false;
        const char *name = items[i];
        if (strncmp(name, "TLS_", 4) == 0 || strncmp(name, "SSL_", 4) == 0)
            name = kafka_cipher_openssl_name(all, items[i], &tls13_known);
        if (name && name[0] == '\0') {
            tls13++;
            continue;
        }
        if (name) {
            strbuf_append_printf(&list, "%s%s", list.len ? ":" : "", name);
            continue;
        }
        strbuf_append_printf(&refused, "%s%s (%s)", refused.len ? ", " : "", items[i],
                             tls13_known ? "a TLS 1.3 suite librdkafka 2.0.2 cannot enable"
                                         : "unknown to OpenSSL");
    }
    if (strbuf_failed(&list) || strbuf_failed(&refused)) {
        ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
        goto cleanup;
    }
    if (refused.len) {
        ferry_error_set(err, errlen, "invalid value for %s: no OpenSSL equivalent for %s",
                        setting->user_key, refused.data);
        goto cleanup;
    }
    if (list.len == 0) {
        ferry_error_set(err, errlen, "invalid value for %s: only TLS 1.3 suites are listed, "
                        "and librdkafka 2.0.2 cannot turn the TLS 1.2 suites off (list TLS 1.2 "
                        "suites too, or remove the key)", setting->user_key);
        goto cleanup;
    }
    if (tls13 == 0)
        log_info(KAFKA_LOG_SCOPE, "%s: TLS 1.3 keeps OpenSSL's default suites (librdkafka 2.0.2 "
                 "has no setting for them)", setting->user_key);
    rc = kafka_config_set_named(conf, setting->user_key, "ssl.cipher.suites", list.data, false,
                                err, errlen);

cleanup:
    strbuf_free(&list);
    strbuf_free(&refused);
    SSL_CTX_free(all);
    config_list_free(items);
    return rc;
}

/* librdkafka 2.0.2 has no setting for the TLS versions: OpenSSL offers TLS 1.2 and 1.3 (the
 * system's minimum, TLSv1.2 on Debian). Java lists that include both are that; a list without
 * one of them, or ssl.protocol asking for a version below TLS 1.3, cannot be had. */
static int kafka_translate_protocols(const kafka_setting *setting, char *err, size_t errlen)
{
    if (strcmp(setting->key, "ssl.protocol") == 0) {
        const char *value = setting->value + strspn(setting->value, " \t");
        if (strcasecmp(value, "TLSv1.3") == 0 || strcasecmp(value, "TLS") == 0)
            return 0;
        return ferry_error_set(err, errlen, "invalid value for %s: '%s' cannot be had with "
                               "librdkafka 2.0.2, which offers TLS 1.2 and TLS 1.3 as OpenSSL "
                               "allows (expected TLSv1.3 or TLS)", setting->user_key, value),
               -1;
    }
    char **items = config_value_split_list(setting->value);
    bool tls12 = false, tls13 = false;
    if (!items)
        return ferry_error_set(err, errlen, "out of memory while building a Kafka client config"),
               -1;
    for (size_t i = 0; items[i]; i++) {
        tls12 |= strcasecmp(items[i], "TLSv1.2") == 0;
        tls13 |= strcasecmp(items[i], "TLSv1.3") == 0;
    }
    config_list_free(items);
    if (tls12 && tls13)
        return 0;
    return ferry_error_set(err, errlen, "invalid value for %s: '%s' cannot be had with "
                           "librdkafka 2.0.2, which has no setting for TLS versions and offers "
                           "TLSv1.2 and TLSv1.3 (list both, or remove the key)",
                           setting->user_key, setting->value),
           -1;
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
        return kafka_translate_jaas(conf, settings, setting, err, errlen);
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
    /* Java's producer max.request.size bounds a request and so the largest record, as
     * librdkafka's message.max.bytes does. */
    if (strcmp(key, "max.request.size") == 0)
        return kafka_config_set_named(conf, setting->user_key, "message.max.bytes",
                                      setting->value, false, err, errlen);
    /* Java's "none" (fail when the group has no offset) is librdkafka's "error". */
    if (strcmp(key, "auto.offset.reset") == 0 && strcasecmp(setting->value, "none") == 0)
        return kafka_config_set_named(conf, setting->user_key, key, "error", false, err, errlen);
    if (strcmp(key, "ssl.truststore.location") == 0 ||
        strcmp(key, "ssl.truststore.certificates") == 0)
        return kafka_translate_truststore(conf, settings, setting, err, errlen);
    if (strcmp(key, "ssl.keystore.location") == 0 || strcmp(key, "ssl.keystore.key") == 0)
        return kafka_translate_keystore(conf, settings, setting, err, errlen);
    if (strcmp(key, "ssl.cipher.suites") == 0)
        return kafka_translate_cipher_suites(conf, setting, err, errlen);
    if (strcmp(key, "ssl.enabled.protocols") == 0 || strcmp(key, "ssl.protocol") == 0)
        return kafka_translate_protocols(setting, err, errlen);
    if (strcmp(key, "ssl.keystore.certificate.chain") == 0 &&
        !kafka_value_set(config_map_get(settings->effective, "ssl.keystore.key"))) {
        char key_key[256];
        kafka_companion_key(setting, "ssl.keystore.key", key_key, sizeof(key_key));
        return ferry_error_set(err, errlen, "missing %s: %s needs the private key it certifies",
                               key_key, setting->user_key),
               -1;
    }
    /* Read together with the stores above. ssl.key.password is librdkafka's own too (for its
     * ssl.key.location), and passes when no Java keystore is configured. */
    if (strcmp(key, "ssl.truststore.type") == 0 || strcmp(key, "ssl.keystore.type") == 0 ||
        strcmp(key, "ssl.truststore.password") == 0 ||
        strcmp(key, "ssl.keystore.password") == 0 ||
        strcmp(key, "ssl.keystore.certificate.chain") == 0)
        return 0;
    if (strcmp(key, "ssl.key.password") == 0 &&
        (kafka_value_set(config_map_get(settings->effective, "ssl.keystore.location")) ||
         kafka_value_set(config_map_get(settings->effective, "ssl.keystore.key"))))
        return 0;
    /* Read by the OAuth translation (librdkafka has none of them) when the login module is
     * OAuth's; otherwise left to the unknown-key warning below. */
    const char *jaas = config_map_get(settings->effective, "sasl.jaas.config");
    for (size_t i = 0; kafka_oauth_keys[i] && jaas && strstr(jaas, KAFKA_OAUTH_MODULE); i++)
        if (strcmp(key, kafka_oauth_keys[i]) == 0)
            return 0;
    /* Kafka Connect's OIDC login handler is what the OAUTHBEARER translation sets up. */
    if (strcmp(key, "sasl.login.callback.handler.class") == 0 &&
        (strcmp(setting->value, KAFKA_OAUTH_HANDLER) == 0 ||
         strcmp(setting->value, KAFKA_OAUTH_HANDLER_OLD) == 0))
        return 0;
    return kafka_config_set_named(conf, setting->user_key, key, setting->value, true, err,
                                  errlen);
}

/* Applies every setting that counts and reports every refused one at once, so that a user
 * fixes a config in one round: one refusal as it is, several as "N Kafka client settings
 * refused: first; second; ...". Returns 0 or -1. */
static int kafka_apply_all(rd_kafka_conf_t *conf, const kafka_settings *settings, char *err,
                           size_t errlen)
{
    strbuf refusals = {0};
    size_t refused = 0;
    char one[1024];
    for (size_t i = 0; i < settings->count; i++) {
        if (!kafka_settings_is_final(settings, i))
            continue;
        one[0] = '\0';
        if (kafka_apply(conf, settings, &settings->items[i], one, sizeof(one)) == 0)
            continue;
        strbuf_append_printf(&refusals, "%s%s", refused++ ? "; " : "", one);
    }
    if (refused == 1)
        ferry_error_set(err, errlen, "%s", refusals.data ? refusals.data : one);
    else if (refused > 1)
        ferry_error_set(err, errlen, "%zu Kafka client settings refused: %s", refused,
                        refusals.data ? refusals.data : one);
    strbuf_free(&refusals);
    return refused ? -1 : 0;
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
                                                  const char *client_id,
                                                  const char *const *defaults,
                                                  config_map *origins, char *err, size_t errlen)
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
    for (size_t i = 0; defaults && defaults[i] && defaults[i + 1]; i += 2)
        if (kafka_config_set(conf, defaults[i], defaults[i + 1], err, errlen) != 0)
            goto fail;

    if (!connector && kafka_settings_add_security(&settings, worker->values) != 0)
        goto out_of_memory;
    if (kafka_settings_add_prefixed(&settings, worker->values, worker_prefixes[role_index],
                                    role) != 0)
        goto out_of_memory;
    if (connector && kafka_settings_add_prefixed(&settings, connector,
                                                 override_prefixes[role_index], role) != 0)
        goto out_of_memory;

    if (kafka_apply_all(conf, &settings, err, errlen) != 0)
        goto fail;
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
    return kafka_config_build_layers(worker, role, connector, client_id, NULL, NULL, err,
                                     errlen);
}

rd_kafka_conf_t *kafka_config_build_origins(const worker_config *worker, kafka_client_role role,
                                            const config_map *connector, const char *client_id,
                                            const char *const *defaults, config_map **origins,
                                            char *err, size_t errlen)
{
    *origins = config_map_new();
    if (!*origins) {
        ferry_error_set(err, errlen, "out of memory while building a Kafka client config");
        return NULL;
    }
    kafka_config_recorded = *origins;
    rd_kafka_conf_t *conf = kafka_config_build_layers(worker, role, connector, client_id,
                                                      defaults, *origins, err, errlen);
    kafka_config_recorded = NULL;
    if (!conf) {
        config_map_destroy(*origins);
        *origins = NULL;
    }
    return conf;
}
