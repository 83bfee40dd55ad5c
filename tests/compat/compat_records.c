/*
 * compat_records.c - record files of the compatibility check (compat_records.h).
 */
#include "compat_records.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config_map.h"

converter *compat_converter(bool is_key, bool schemas, char *err, size_t errlen)
{
    config_map *settings = config_map_new();
    converter *conv = NULL;
    if (!settings || config_map_set(settings, "schemas.enable", schemas ? "true" : "false") != 0) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    conv = converter_new("org.apache.kafka.connect.json.JsonConverter", settings, is_key, err,
                         errlen);
done:
    config_map_destroy(settings);
    return conv;
}

/* The data a plugin would hand over for the case; the caller decrefs json and schema. */
static int compat_case_data(const compat_case *c, ferry_data *data, char *err, size_t errlen)
{
    json_error_t error;
    memset(data, 0, sizeof(*data));
    data->kind = c->kind;
    switch (c->kind) {
    case FERRY_DATA_NULL:
        return 0;
    case FERRY_DATA_STRING:
        data->data = c->value;
        data->len = strlen(c->value);
        return 0;
    case FERRY_DATA_BYTES:
        data->data = c->value;
        data->len = c->value_len;
        return 0;
    case FERRY_DATA_JSON:
        break;
    }
    data->json = json_loads(c->value, JSON_DECODE_ANY, &error);
    if (!data->json) {
        ferry_error_set(err, errlen, "case '%s': bad value %s: %s", c->name, c->value, error.text);
        return -1;
    }
    if (c->schema) {
        data->schema = json_loads(c->schema, 0, &error);
        if (!data->schema) {
            ferry_error_set(err, errlen, "case '%s': bad schema %s: %s", c->name, c->schema,
                            error.text);
            json_decref(data->json);
            data->json = NULL;
            return -1;
        }
    }
    return 0;
}

int compat_record_serialize(const compat_case *c, strbuf *buffer, const void **bytes,
                            size_t *len, char *err, size_t errlen)
{
    ferry_data data;
    int rc = -1;
    converter *conv = compat_converter(c->is_key, c->schemas, err, errlen);
    if (!conv || compat_case_data(c, &data, err, errlen) != 0)
        goto done;
    rc = converter_serialize(conv, "compat", &data, buffer, bytes, len, err, errlen);
    json_decref(data.json);
    json_decref(data.schema);
done:
    converter_destroy(conv);
    return rc;
}

char *compat_record_line(const compat_case *c, char *err, size_t errlen)
{
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    char *line = NULL;
    json_t *object = NULL;

    if (compat_record_serialize(c, &buffer, &bytes, &len, err, errlen) != 0)
        goto done;
    object = json_pack("{s:s, s:b, s:b, s:o}", "case", c->name, "key", c->is_key, "schemas",
                       c->schemas, "record", bytes ? json_stringn(bytes, len) : json_null());
    line = object ? json_dumps(object, JSON_COMPACT) : NULL;
    if (!line)
        ferry_error_set(err, errlen, "case '%s': out of memory, or a record that is not UTF-8",
                        c->name);
done:
    json_decref(object);
    strbuf_free(&buffer);
    return line;
}

int compat_records_write(FILE *out, char *err, size_t errlen)
{
    for (size_t i = 0; i < compat_case_count; i++) {
        char *line = compat_record_line(&compat_cases[i], err, errlen);
        if (!line)
            return -1;
        int written = fprintf(out, "%s\n", line);
        free(line);
        if (written < 0) {
            ferry_error_set(err, errlen, "could not write the records");
            return -1;
        }
    }
    return 0;
}

int compat_record_parse(const char *line, compat_record *record, char *err, size_t errlen)
{
    json_error_t error;
    json_t *name;
    json_t *key;
    json_t *schemas;
    json_t *bytes;
    int rc = -1;

    memset(record, 0, sizeof(*record));
    json_t *object = json_loads(line, 0, &error);
    if (!object) {
        ferry_error_set(err, errlen, "not JSON (%s): %s", error.text, line);
        return -1;
    }
    if (json_unpack_ex(object, &error, JSON_STRICT, "{s:o, s:o, s:o, s:o}", "case", &name, "key",
                       &key, "schemas", &schemas, "record", &bytes) != 0 ||
        !json_is_string(name) || !json_is_boolean(key) || !json_is_boolean(schemas) ||
        !(json_is_string(bytes) || json_is_null(bytes))) {
        ferry_error_set(err, errlen,
                        "expected {\"case\":string,\"key\":boolean,\"schemas\":boolean,"
                        "\"record\":string or null}: %s",
                        line);
        goto done;
    }
    record->name = strdup(json_string_value(name));
    record->is_key = json_is_true(key);
    record->schemas = json_is_true(schemas);
    if (json_is_string(bytes)) {
        record->len = json_string_length(bytes);
        record->bytes = malloc(record->len + 1);
        if (record->bytes)
            memcpy(record->bytes, json_string_value(bytes), record->len + 1);
    }
    if (!record->name || (json_is_string(bytes) && !record->bytes)) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    rc = 0;
done:
    json_decref(object);
    return rc;
}

void compat_record_release(compat_record *record)
{
    if (!record)
        return;
    free(record->name);
    free(record->bytes);
    memset(record, 0, sizeof(*record));
}
