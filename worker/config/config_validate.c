/*
 * config_validate.c - checks a config map against ferry_config_key definitions, and the
 * ferry_config handle whose typed getters plugins call. Value parsing follows Kafka's ConfigDef:
 * surrounding white space is trimmed before a value is parsed, booleans are true/false in any
 * case, numbers are decimal and must fill the whole (trimmed) value.
 */
#include "config/config_validate.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "support/array.h"
#include "support/strlist.h"

/* ------------------------------------------------------------------------------------------ */
/* The error list                                                                             */

typedef struct config_error {
    char *key; /* NULL = not about one key */
    char *message;
} config_error;

struct config_errors {
    config_error *items;
    size_t count;
    size_t capacity;
    /* An error that could not be recorded still counts, so that a config never passes
     * validation because memory ran out while its problems were being listed. */
    bool out_of_memory;
};

static const char config_errors_oom_message[] = "out of memory while validating the config";

config_errors *config_errors_new(void)
{
    return calloc(1, sizeof(config_errors));
}

void config_errors_destroy(config_errors *errors)
{
    if (!errors)
        return;
    for (size_t i = 0; i < errors->count; i++) {
        free(errors->items[i].key);
        free(errors->items[i].message);
    }
    free(errors->items);
    free(errors);
}

void config_errors_add(config_errors *errors, const char *key, const char *fmt, ...)
{
    char *message = NULL;
    char *key_copy = NULL;
    va_list ap;

    if (!errors)
        return;
    va_start(ap, fmt);
    int n = vasprintf(&message, fmt, ap);
    va_end(ap);
    if (n < 0) {
        message = NULL;
        goto fail;
    }
    if (key && !(key_copy = strdup(key)))
        goto fail;
    if (array_reserve(&errors->items, &errors->capacity, errors->count + 1,
                      sizeof(*errors->items)) != 0)
        goto fail;
    errors->items[errors->count].key = key_copy;
    errors->items[errors->count].message = message;
    errors->count++;
    return;

fail:
    free(message);
    free(key_copy);
    errors->out_of_memory = true;
}

size_t config_errors_count(const config_errors *errors)
{
    return errors ? errors->count + (errors->out_of_memory ? 1 : 0) : 0;
}

const char *config_errors_key_at(const config_errors *errors, size_t index)
{
    return errors && index < errors->count ? errors->items[index].key : NULL;
}

const char *config_errors_message_at(const config_errors *errors, size_t index)
{
    if (!errors)
        return NULL;
    if (index < errors->count)
        return errors->items[index].message;
    if (index == errors->count && errors->out_of_memory)
        return config_errors_oom_message;
    return NULL;
}

json_t *config_errors_for_key(const config_errors *errors, const char *key)
{
    json_t *messages = json_array();
    if (!messages)
        return NULL;
    for (size_t i = 0; errors && i < errors->count; i++) {
        const char *item_key = errors->items[i].key;
        if (!item_key || !key || strcmp(item_key, key) != 0)
            continue;
        if (json_array_append_new(messages, json_string(errors->items[i].message)) != 0) {
            json_decref(messages);
            return NULL;
        }
    }
    return messages;
}

char *config_errors_to_string(const config_errors *errors)
{
    size_t count = config_errors_count(errors);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        return NULL;
    fprintf(out, "%zu error%s", count, count == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        const char *key = config_errors_key_at(errors, i);
        fputs(i == 0 ? ": " : "; ", out);
        if (key)
            fprintf(out, "key '%s': ", key);
        fputs(config_errors_message_at(errors, i), out);
    }
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* ------------------------------------------------------------------------------------------ */
/* Value parsing                                                                              */

static bool config_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The trimmed part of text: *start and its length. */
static size_t config_trim(const char *text, const char **start)
{
    while (config_is_space(*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && config_is_space(text[len - 1]))
        len--;
    *start = text;
    return len;
}

int config_value_parse_bool(const char *text, bool *out, char *err, size_t errlen)
{
    const char *start;
    size_t len = config_trim(text ? text : "", &start);
    if (len == 4 && strncasecmp(start, "true", 4) == 0) {
        *out = true;
        return 0;
    }
    if (len == 5 && strncasecmp(start, "false", 5) == 0) {
        *out = false;
        return 0;
    }
    ferry_error_set(err, errlen, "expected true or false");
    return -1;
}

int config_value_parse_int(const char *text, int64_t min, int64_t max, int64_t *out, char *err,
                           size_t errlen)
{
    const char *start;
    size_t len = config_trim(text ? text : "", &start);
    bool negative = false;
    uint64_t magnitude = 0;
    size_t i = 0;

    /* Decimal digits only, an optional sign first, as Java's Long.parseLong: no hex, no octal,
     * no blanks between sign and digits. */
    if (i < len && (start[i] == '+' || start[i] == '-')) {
        negative = start[i] == '-';
        i++;
    }
    if (i == len)
        goto invalid;
    for (; i < len; i++) {
        if (start[i] < '0' || start[i] > '9')
            goto invalid;
        unsigned digit = (unsigned)(start[i] - '0');
        if (magnitude > (UINT64_MAX - digit) / 10)
            goto invalid;
        magnitude = magnitude * 10 + digit;
    }
    int64_t value;
    if (negative) {
        if (magnitude > (uint64_t)INT64_MAX + 1)
            goto invalid;
        value = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
    } else {
        if (magnitude > (uint64_t)INT64_MAX)
            goto invalid;
        value = (int64_t)magnitude;
    }
    if (value < min || value > max)
        goto invalid;
    *out = value;
    return 0;

invalid:
    ferry_error_set(err, errlen, "expected an integer between %lld and %lld", (long long)min,
                    (long long)max);
    return -1;
}

int config_value_parse_double(const char *text, double *out, char *err, size_t errlen)
{
    const char *start;
    size_t len = config_trim(text ? text : "", &start);
    char *copy = NULL;
    char *end = NULL;

    if (len == 0)
        goto invalid;
    copy = strndup(start, len);
    if (!copy) {
        ferry_error_set(err, errlen, "out of memory");
        return -1;
    }
    /* strtod follows LC_NUMERIC; the worker never calls setlocale, so '.' is the separator. */
    double value = strtod(copy, &end);
    if (*end != '\0' || !isfinite(value))
        goto invalid;
    free(copy);
    *out = value;
    return 0;

invalid:
    free(copy);
    ferry_error_set(err, errlen, "expected a number");
    return -1;
}

char **config_value_split_list(const char *text)
{
    strlist list = {0};
    if (strlist_split(&list, text, ',') != 0) {
        strlist_free(&list);
        return NULL;
    }
    return strlist_take(&list);
}

void config_list_free(char **items)
{
    strlist_array_free(items);
}

/* ------------------------------------------------------------------------------------------ */
/* Validation                                                                                 */

const ferry_config_key *config_definition_find(const ferry_config_key *const *defs, size_t ndefs,
                                               const char *key)
{
    for (size_t d = 0; defs && d < ndefs; d++) {
        for (const ferry_config_key *def = defs[d]; def && def->name; def++) {
            if (strcmp(def->name, key) == 0)
                return def;
        }
    }
    return NULL;
}

/* The last dot-separated segments of a key that mark it as a secret. A key is compared in lower
 * case, with '_' and '-' read as '.', and matches when it ends with one of these as whole
 * segments: "database.password", "ssl.key.password", "connection.api_key", "sasl.jaas.config",
 * "value.converter.basic.auth.user.info" do; "password.encoder.iterations", "tokenizer" do not. */
static const char *const config_secret_suffixes[] = {
    "password", "passwd",  "passphrase", "secret",      "token",     "credentials",
    "credential", "apikey", "api.key",    "private.key", "jaas.config", "user.info",
    "keystore.key", NULL,
};

static bool config_key_is_secret_name(const char *key)
{
    size_t len = strlen(key);
    char *normal = malloc(len + 1);
    bool secret = true; /* when memory runs out, hiding a value is the safe answer */
    if (!normal)
        return secret;
    for (size_t i = 0; i < len; i++) {
        char c = key[i];
        if (c == '_' || c == '-')
            c = '.';
        else if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        normal[i] = c;
    }
    normal[len] = '\0';

    secret = false;
    for (size_t i = 0; config_secret_suffixes[i]; i++) {
        size_t suffix_len = strlen(config_secret_suffixes[i]);
        if (suffix_len > len)
            continue;
        if (strcmp(normal + len - suffix_len, config_secret_suffixes[i]) != 0)
            continue;
        if (suffix_len == len || normal[len - suffix_len - 1] == '.') {
            secret = true;
            break;
        }
    }
    free(normal);
    return secret;
}

bool config_key_is_sensitive(const ferry_config_key *const *defs, size_t ndefs, const char *key)
{
    const ferry_config_key *def = config_definition_find(defs, ndefs, key);
    if (def && (def->sensitive || def->type == FERRY_CONFIG_PASSWORD))
        return true;
    return config_key_is_secret_name(key);
}

static bool config_value_is_blank(const char *value)
{
    const char *start;
    return config_trim(value, &start) == 0;
}

/* "a, b, c" from a NULL-terminated list, into buf. */
static void config_join(const char *const *items, char *buf, size_t buflen)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; items[i] && used < buflen; i++) {
        int n = snprintf(buf + used, buflen - used, "%s%s", i ? ", " : "", items[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static bool config_value_allowed(const ferry_config_key *def, const char *value, size_t len)
{
    for (size_t i = 0; def->allowed_values[i]; i++) {
        if (strlen(def->allowed_values[i]) == len &&
            strncasecmp(def->allowed_values[i], value, len) == 0)
            return true;
    }
    return false;
}

/* Bounds of an integer key: its declared min/max clamped to its type's range. */
static void config_int_bounds(const ferry_config_key *def, int64_t *min, int64_t *max)
{
    bool is_int = def->type == FERRY_CONFIG_INT;
    *min = is_int ? INT32_MIN : INT64_MIN;
    *max = is_int ? INT32_MAX : INT64_MAX;
    /* Doubles beyond ±2^63 do not convert to int64_t; compare before converting. */
    if (def->has_min && def->min > (double)*min)
        *min = def->min >= 9223372036854775807.0 ? INT64_MAX : (int64_t)ceil(def->min);
    if (def->has_max && def->max < (double)*max)
        *max = def->max <= -9223372036854775808.0 ? INT64_MIN : (int64_t)floor(def->max);
}

/* One value against its definition; a problem goes to errors. Returns 1 for a problem. */
static size_t config_check_value(const ferry_config_key *def, const char *value,
                                 bool sensitive, config_errors *errors)
{
    char expected[512];
    char allowed[512];
    const char *shown = sensitive ? "[hidden]" : value;
    const char *trimmed;
    size_t trimmed_len = config_trim(value, &trimmed);

    switch (def->type) {
    case FERRY_CONFIG_STRING:
    case FERRY_CONFIG_PASSWORD:
        break;
    case FERRY_CONFIG_CLASS:
        if (trimmed_len == 0) {
            config_errors_add(errors, def->name,
                              "Invalid value '%s' for configuration %s: expected a class name",
                              shown, def->name);
            return 1;
        }
        break;
    case FERRY_CONFIG_BOOLEAN: {
        bool parsed;
        if (config_value_parse_bool(value, &parsed, expected, sizeof(expected)) != 0) {
            config_errors_add(errors, def->name, "Invalid value '%s' for configuration %s: %s",
                              shown, def->name, expected);
            return 1;
        }
        break;
    }
    case FERRY_CONFIG_INT:
    case FERRY_CONFIG_LONG: {
        int64_t min, max, parsed;
        config_int_bounds(def, &min, &max);
        if (config_value_parse_int(value, min, max, &parsed, expected, sizeof(expected)) != 0) {
            config_errors_add(errors, def->name, "Invalid value '%s' for configuration %s: %s",
                              shown, def->name, expected);
            return 1;
        }
        break;
    }
    case FERRY_CONFIG_DOUBLE: {
        double parsed;
        bool ok = config_value_parse_double(value, &parsed, expected, sizeof(expected)) == 0;
        if (ok && ((def->has_min && parsed < def->min) || (def->has_max && parsed > def->max)))
            ok = false;
        if (!ok) {
            if (def->has_min && def->has_max)
                snprintf(expected, sizeof(expected), "expected a number between %g and %g",
                         def->min, def->max);
            else if (def->has_min)
                snprintf(expected, sizeof(expected), "expected a number of at least %g",
                         def->min);
            else if (def->has_max)
                snprintf(expected, sizeof(expected), "expected a number of at most %g", def->max);
            config_errors_add(errors, def->name, "Invalid value '%s' for configuration %s: %s",
                              shown, def->name, expected);
            return 1;
        }
        break;
    }
    case FERRY_CONFIG_LIST:
        if (def->allowed_values) {
            char **items = config_value_split_list(value);
            if (!items) {
                config_errors_add(errors, def->name, "%s", config_errors_oom_message);
                return 1;
            }
            size_t bad = 0;
            for (size_t i = 0; items[i]; i++) {
                if (config_value_allowed(def, items[i], strlen(items[i])))
                    continue;
                config_join(def->allowed_values, allowed, sizeof(allowed));
                config_errors_add(errors, def->name,
                                  "Invalid value '%s' for configuration %s: item '%s' is not one "
                                  "of: %s",
                                  shown, def->name, sensitive ? "[hidden]" : items[i], allowed);
                bad = 1;
                break;
            }
            config_list_free(items);
            return bad;
        }
        return 0;
    }

    if (def->allowed_values && !config_value_allowed(def, trimmed, trimmed_len)) {
        config_join(def->allowed_values, allowed, sizeof(allowed));
        config_errors_add(errors, def->name,
                          "Invalid value '%s' for configuration %s: expected one of: %s", shown,
                          def->name, allowed);
        return 1;
    }
    return 0;
}

size_t config_value_check(const ferry_config_key *def, const char *value, config_errors *errors)
{
    bool sensitive = def->sensitive || def->type == FERRY_CONFIG_PASSWORD;
    return config_check_value(def, value, sensitive, errors);
}

static bool config_has_prefix(const char *key, const char *const *prefixes)
{
    for (size_t i = 0; prefixes && prefixes[i]; i++) {
        if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    }
    return false;
}

size_t config_validate(const ferry_config_key *const *defs, size_t ndefs, const config_map *values,
                       const char *const *known_prefixes, config_errors *errors,
                       config_map *unknown)
{
    size_t problems = 0;

    for (size_t d = 0; defs && d < ndefs; d++) {
        for (const ferry_config_key *def = defs[d]; def && def->name; def++) {
            /* A key declared twice (common keys and a plugin's own) is checked once, against
             * the definition the getters use. */
            if (config_definition_find(defs, ndefs, def->name) != def)
                continue;
            const char *value = config_map_get(values, def->name);
            bool sensitive = config_key_is_sensitive(defs, ndefs, def->name);
            if (def->required && !value) {
                if (def->default_value)
                    config_errors_add(errors, def->name, "Missing required configuration \"%s\".",
                                      def->name);
                else
                    config_errors_add(errors, def->name,
                                      "Missing required configuration \"%s\" which has no "
                                      "default value.",
                                      def->name);
                problems++;
                continue;
            }
            if (!value)
                continue;
            if (def->required && config_value_is_blank(value)) {
                config_errors_add(errors, def->name,
                                  "Invalid value '%s' for configuration %s: a non-blank value is "
                                  "required",
                                  sensitive ? "[hidden]" : value, def->name);
                problems++;
                continue;
            }
            problems += config_check_value(def, value, sensitive, errors);
        }
    }

    for (size_t i = 0; i < config_map_count(values); i++) {
        const char *key = config_map_key_at(values, i);
        if (config_definition_find(defs, ndefs, key) || config_has_prefix(key, known_prefixes))
            continue;
        if (unknown && config_map_set(unknown, key, config_map_value_at(values, i)) != 0) {
            config_errors_add(errors, key, "%s", config_errors_oom_message);
            problems++;
        }
    }
    return problems;
}

/* ------------------------------------------------------------------------------------------ */
/* The ferry_config handle                                                                    */

typedef struct config_list_cache {
    char *key;
    char **items;
} config_list_cache;

struct ferry_config {
    config_map *values;
    /* The array of definition arrays is copied; the definitions are borrowed: they are a
     * plugin's static descriptor, which lives as long as the process. */
    const ferry_config_key **defs;
    size_t ndefs;

    /* Built on first use by getters that take a const config: guarded by cache_mutex because
     * a connector's config may be read from the control thread and a task thread at once. */
    pthread_mutex_t cache_mutex;
    config_list_cache *lists;
    size_t list_count;
    size_t list_capacity;
    json_t *json;
};

/* What ferry_config_list returns when it has nothing else: never NULL, as promised. */
static const char *const config_empty_list[] = {NULL};

ferry_config *ferry_config_new(const config_map *values, const ferry_config_key *const *defs,
                               size_t ndefs)
{
    ferry_config *config = calloc(1, sizeof(*config));
    if (!config)
        return NULL;
    if (pthread_mutex_init(&config->cache_mutex, NULL) != 0) {
        free(config);
        return NULL;
    }
    config->values = values ? config_map_copy(values) : config_map_new();
    if (!config->values)
        goto fail;
    if (defs && ndefs > 0) {
        config->defs = calloc(ndefs, sizeof(*config->defs));
        if (!config->defs)
            goto fail;
        memcpy(config->defs, defs, ndefs * sizeof(*config->defs));
        config->ndefs = ndefs;
    }
    return config;

fail:
    ferry_config_destroy(config);
    return NULL;
}

void ferry_config_destroy(ferry_config *config)
{
    if (!config)
        return;
    for (size_t i = 0; i < config->list_count; i++) {
        free(config->lists[i].key);
        config_list_free(config->lists[i].items);
    }
    free(config->lists);
    json_decref(config->json);
    config_map_destroy(config->values);
    free(config->defs);
    pthread_mutex_destroy(&config->cache_mutex);
    free(config);
}

const config_map *ferry_config_values(const ferry_config *config)
{
    return config ? config->values : NULL;
}

/* The set value, or the definition's default, or NULL. */
static const char *ferry_config_text(const ferry_config *config, const char *key)
{
    if (!config || !key)
        return NULL;
    const char *value = config_map_get(config->values, key);
    if (value)
        return value;
    const ferry_config_key *def =
        config_definition_find((const ferry_config_key *const *)config->defs, config->ndefs, key);
    return def ? def->default_value : NULL;
}

const char *ferry_config_string(const ferry_config *config, const char *key)
{
    return ferry_config_text(config, key);
}

int64_t ferry_config_int(const ferry_config *config, const char *key)
{
    int64_t value;
    const char *text = ferry_config_text(config, key);
    if (!text || config_value_parse_int(text, INT64_MIN, INT64_MAX, &value, NULL, 0) != 0)
        return 0;
    return value;
}

double ferry_config_double(const ferry_config *config, const char *key)
{
    double value;
    const char *text = ferry_config_text(config, key);
    if (!text || config_value_parse_double(text, &value, NULL, 0) != 0)
        return 0.0;
    return value;
}

bool ferry_config_bool(const ferry_config *config, const char *key)
{
    bool value;
    const char *text = ferry_config_text(config, key);
    if (!text || config_value_parse_bool(text, &value, NULL, 0) != 0)
        return false;
    return value;
}

const char *const *ferry_config_list(const ferry_config *config, const char *key)
{
    if (!config || !key)
        return config_empty_list;
    /* The cache is an implementation detail behind a const handle. */
    ferry_config *mutable_config = (ferry_config *)config;
    const char *const *result = config_empty_list;

    pthread_mutex_lock(&mutable_config->cache_mutex);
    for (size_t i = 0; i < config->list_count; i++) {
        if (strcmp(config->lists[i].key, key) == 0) {
            result = (const char *const *)config->lists[i].items;
            goto done;
        }
    }
    if (array_reserve(&mutable_config->lists, &mutable_config->list_capacity,
                      config->list_count + 1, sizeof(*config->lists)) != 0)
        goto done;
    char *key_copy = strdup(key);
    char **items = config_value_split_list(ferry_config_text(config, key));
    if (!key_copy || !items) {
        free(key_copy);
        config_list_free(items);
        goto done;
    }
    mutable_config->lists[config->list_count].key = key_copy;
    mutable_config->lists[config->list_count].items = items;
    mutable_config->list_count++;
    result = (const char *const *)items;

done:
    pthread_mutex_unlock(&mutable_config->cache_mutex);
    return result;
}

json_t *ferry_config_json(const ferry_config *config)
{
    if (!config)
        return NULL;
    ferry_config *mutable_config = (ferry_config *)config;
    pthread_mutex_lock(&mutable_config->cache_mutex);
    if (!config->json)
        mutable_config->json = config_map_to_json(config->values);
    json_t *json = config->json;
    pthread_mutex_unlock(&mutable_config->cache_mutex);
    return json;
}
