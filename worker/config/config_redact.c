/*
 * config_redact.c - hiding sensitive values in configs, traces and messages.
 *
 * Two kinds of secret: the whole value of a sensitive key, and the password inside a value that
 * is otherwise readable (a URL's userinfo, a connection string's password=), which
 * support/credential_redact.h finds. Free text loses both: the literal values config_redact_secrets
 * lists, then any URL or connection-string password it may quote.
 */
#include "config/config_redact.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "support/credential_redact.h"

/* Shorter literal values are not searched for in free text: hiding every "abc" of a message
 * would make it unreadable, and such a value is no secret worth the name. */
#define CONFIG_REDACT_MIN_TEXT 4

void config_redact_object(json_t *object, const ferry_config_key *const *defs, size_t ndefs)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value) {
        if (json_is_null(value))
            continue;
        if (config_key_is_sensitive(defs, ndefs, key)) {
            json_object_set_new(object, key, json_string(CONFIG_REDACTED));
            continue;
        }
        char *clean = NULL;
        int rc = json_is_string(value) ? credential_redact(json_string_value(value), &clean) : 0;
        if (rc != 0)
            json_object_set_new(object, key, json_string(clean ? clean : CONFIG_REDACTED));
        free(clean);
    }
}

static int config_redact_secret_add(strlist *out, const char *secret, size_t len)
{
    if (len < CONFIG_REDACT_MIN_TEXT)
        return 0;
    char *copy = strndup(secret, len);
    if (!copy)
        return -1;
    int rc = strlist_contains(out, copy) ? 0 : strlist_append(out, copy, len);
    free(copy);
    return rc;
}

/* The passwords inside value, as written and percent-decoded. */
static int config_redact_credentials_add(strlist *out, const char *value)
{
    size_t start, end, from = 0;
    while (credential_find(value, from, &start, &end)) {
        if (config_redact_secret_add(out, value + start, end - start) != 0)
            return -1;
        char *decoded = credential_percent_decode(value + start, end - start);
        if (!decoded || config_redact_secret_add(out, decoded, strlen(decoded)) != 0) {
            free(decoded);
            return -1;
        }
        free(decoded);
        from = end;
    }
    return 0;
}

int config_redact_secrets(const config_map *config, const ferry_config_key *const *defs,
                          size_t ndefs, strlist *out)
{
    for (size_t i = 0; config && i < config_map_count(config); i++) {
        const char *value = config_map_value_at(config, i);
        if (strstr(value, "${"))
            continue; /* a reference: the resolved config holds the secret, if any */
        int rc = config_key_is_sensitive(defs, ndefs, config_map_key_at(config, i))
                     ? config_redact_secret_add(out, value, strlen(value))
                     : config_redact_credentials_add(out, value);
        if (rc != 0)
            return -1;
    }
    return 0;
}

char *config_redact_text(const char *text, const config_map *config,
                         const ferry_config_key *const *defs, size_t ndefs)
{
    strlist secrets = {0};
    char *out = strdup(text);
    if (!out || config_redact_secrets(config, defs, ndefs, &secrets) != 0)
        goto fail;
    for (size_t i = 0; i < secrets.count; i++)
        if (credential_hide(&out, secrets.items[i]) != 0)
            goto fail;
    char *clean;
    int rc = credential_redact(out, &clean);
    if (rc < 0)
        goto fail;
    if (rc == 1) {
        free(out);
        out = clean;
    }
    strlist_free(&secrets);
    return out;

fail:
    strlist_free(&secrets);
    free(out);
    return NULL;
}

static void config_redact_trace(json_t *state, const config_map *config,
                                const ferry_config_key *const *defs, size_t ndefs)
{
    const char *trace = json_string_value(json_object_get(state, "trace"));
    if (!trace)
        return;
    char *clean = config_redact_text(trace, config, defs, ndefs);
    json_object_set_new(state, "trace", json_string(clean ? clean : CONFIG_REDACTED));
    free(clean);
}

void config_redact_status(json_t *status, const config_map *config,
                          const ferry_config_key *const *defs, size_t ndefs)
{
    config_redact_trace(status, config, defs, ndefs);
    config_redact_trace(json_object_get(status, "connector"), config, defs, ndefs);
    size_t index;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), index, task)
        config_redact_trace(task, config, defs, ndefs);
}
