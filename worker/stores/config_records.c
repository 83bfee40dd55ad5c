/*
 * config_records.c - session keys, restart requests and worker acknowledgements to and from
 * their JSON values in the configs topic.
 */
#include "stores/config_records.h"

#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/base64.h"

void config_records_session_key_clear(config_session_key *key)
{
    if (!key)
        return;
    if (key->key)
        memset(key->key, 0, key->key_len); /* a secret: not left behind in freed memory */
    free(key->key);
    free(key->algorithm);
    *key = (config_session_key){0};
}

int config_records_session_key_copy(const config_session_key *key, config_session_key *out)
{
    *out = (config_session_key){.key_len = key->key_len, .created_ms = key->created_ms};
    out->key = malloc(key->key_len ? key->key_len : 1);
    out->algorithm = strdup(key->algorithm);
    if (!out->key || !out->algorithm) {
        config_records_session_key_clear(out);
        return -1;
    }
    memcpy(out->key, key->key, key->key_len);
    return 0;
}

json_t *config_records_session_key_encode(const config_session_key *key)
{
    char *text = malloc(base64_encoded_length(key->key_len) + 1);
    if (!text)
        return NULL;
    size_t length = base64_encode(key->key, key->key_len, false, text);
    json_t *value = json_pack("{s:s%, s:s, s:I}", "key", text, length, "algorithm",
                              key->algorithm, "creation-timestamp", (json_int_t)key->created_ms);
    free(text);
    return value;
}

/* The string of a member, or NULL with a message naming the field and what it is instead. */
static const char *config_records_string(const json_t *value, const char *field, char *err,
                                         size_t errlen)
{
    const json_t *member = json_object_get(value, field);
    if (json_is_string(member) && json_string_length(member) > 0)
        return json_string_value(member);
    ferry_error_set(err, errlen, "'%s' should be a non-empty string but is %s", field,
                    !member               ? "missing"
                    : json_is_string(member) ? "empty"
                                             : "another JSON type");
    return NULL;
}

static int config_records_integer(const json_t *value, const char *field, json_int_t minimum,
                                  json_int_t *out, char *err, size_t errlen)
{
    const json_t *member = json_object_get(value, field);
    if (!json_is_integer(member) || json_integer_value(member) < minimum) {
        ferry_error_set(err, errlen, "'%s' should be an integer of at least %lld but is %s",
                        field, (long long)minimum,
                        !member                  ? "missing"
                        : json_is_integer(member) ? "smaller"
                                                  : "another JSON type");
        return -1;
    }
    *out = json_integer_value(member);
    return 0;
}

int config_records_session_key_decode(const json_t *value, config_session_key *out, char *err,
                                      size_t errlen)
{
    *out = (config_session_key){0};
    if (!json_is_object(value))
        return ferry_error_set(err, errlen, "the value should be a JSON object"), -1;
    const char *text = config_records_string(value, "key", err, errlen);
    const char *algorithm = text ? config_records_string(value, "algorithm", err, errlen) : NULL;
    json_int_t created = 0;
    if (!algorithm ||
        config_records_integer(value, "creation-timestamp", 0, &created, err, errlen) != 0)
        return -1;
    size_t length = strlen(text);
    out->key = malloc(base64_decoded_max(length) + 1);
    out->algorithm = strdup(algorithm);
    if (!out->key || !out->algorithm) {
        config_records_session_key_clear(out);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    long decoded = base64_decode(text, length, out->key);
    if (decoded <= 0) {
        config_records_session_key_clear(out);
        return ferry_error_set(err, errlen, "'key' should be the base64 of the key's bytes"),
               -1;
    }
    out->key_len = (size_t)decoded;
    out->created_ms = created;
    return 0;
}

json_t *config_records_restart_encode(bool include_tasks, bool only_failed)
{
    return json_pack("{s:b, s:b}", "include-tasks", include_tasks, "only-failed", only_failed);
}

int config_records_restart_decode(const json_t *value, bool *include_tasks, bool *only_failed,
                                  char *err, size_t errlen)
{
    *include_tasks = *only_failed = false;
    if (!json_is_object(value))
        return ferry_error_set(err, errlen, "the value should be a JSON object"), -1;
    const json_t *tasks = json_object_get(value, "include-tasks");
    const json_t *failed = json_object_get(value, "only-failed");
    *include_tasks = json_is_true(tasks);
    *only_failed = json_is_true(failed);
    if (json_is_boolean(tasks) && json_is_boolean(failed))
        return 0;
    ferry_error_set(err, errlen, "'%s' should be a boolean; read as false",
                    json_is_boolean(tasks) ? "only-failed" : "include-tasks");
    return 1;
}

void config_records_worker_clear(config_worker_record *worker)
{
    if (!worker)
        return;
    free(worker->url);
    *worker = (config_worker_record){0};
}

json_t *config_records_worker_encode(const char *url, int64_t epoch)
{
    return json_pack("{s:s, s:I}", "url", url, "epoch", (json_int_t)epoch);
}

int config_records_worker_decode(const json_t *value, config_worker_record *out, char *err,
                                 size_t errlen)
{
    *out = (config_worker_record){0};
    if (!json_is_object(value))
        return ferry_error_set(err, errlen, "the value should be a JSON object"), -1;
    const char *url = config_records_string(value, "url", err, errlen);
    json_int_t epoch = 0;
    if (!url || config_records_integer(value, "epoch", 0, &epoch, err, errlen) != 0)
        return -1;
    if (!(out->url = strdup(url)))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    out->epoch = epoch;
    return 0;
}
