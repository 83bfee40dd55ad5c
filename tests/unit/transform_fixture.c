/* transform_fixture.c - see transform_fixture.h. */
#include "transform_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_validate.h"

config_map *fixture_config_of(const char *lines)
{
    config_map *config = config_map_new();
    char *copy = strdup(lines);
    assert_non_null(config);
    assert_non_null(copy);
    char *next = NULL;
    for (char *line = strtok_r(copy, "\n", &next); line; line = strtok_r(NULL, "\n", &next)) {
        char *equals = strchr(line, '=');
        assert_non_null(equals);
        *equals = '\0';
        assert_int_equal(config_map_set(config, line, equals + 1), 0);
    }
    free(copy);
    return config;
}

transform_chain *fixture_chain_on(transform_side side, const char *lines)
{
    config_map *config = fixture_config_of(lines);
    config_errors *errors = config_errors_new();
    if (transform_chain_validate(config, errors) != 0) {
        char *text = config_errors_to_string(errors);
        fail_msg("unexpected validation errors: %s", text);
    }
    config_errors_destroy(errors);
    transform_chain *chain = NULL;
    char err[512] = "";
    if (transform_chain_create(config, "task:test-0", side, &chain, err, sizeof err) != 0)
        fail_msg("chain not created: %s", err);
    config_map_destroy(config);
    return chain;
}

transform_chain *fixture_chain_of(const char *lines)
{
    return fixture_chain_on(TRANSFORM_SIDE_SOURCE, lines);
}

void fixture_expect_invalid(const char *lines, const char *key, const char *message_part)
{
    config_map *config = fixture_config_of(lines);
    config_errors *errors = config_errors_new();
    transform_chain_validate(config, errors);
    bool found = false;
    for (size_t e = 0; e < config_errors_count(errors) && !found; e++)
        found = strcmp(config_errors_key_at(errors, e), key) == 0 &&
                strstr(config_errors_message_at(errors, e), message_part) != NULL;
    if (!found) {
        char *text = config_errors_to_string(errors);
        fail_msg("no problem under %s saying \"%s\"; got: %s", key, message_part,
                 text ? text : "(none)");
    }
    config_errors_destroy(errors);
    config_map_destroy(config);
}

ferry_data fixture_data(const char *json, const char *schema)
{
    json_error_t error;
    json_t *value = json_loads(json, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("bad test JSON %s: %s", json, error.text);
    json_t *schema_json = NULL;
    if (schema && !(schema_json = json_loads(schema, 0, &error)))
        fail_msg("bad test schema %s: %s", schema, error.text);
    if (json_is_null(value)) {
        json_decref(value);
        json_decref(schema_json);
        return (ferry_data){.kind = FERRY_DATA_NULL};
    }
    return (ferry_data){.kind = FERRY_DATA_JSON, .json = value, .schema = schema_json};
}

ferry_record fixture_record(const char *key, const char *key_schema, const char *value,
                            const char *value_schema)
{
    return (ferry_record){.topic = "test", .timestamp_ms = 1700000000000,
                          .key = fixture_data(key, key_schema),
                          .value = fixture_data(value, value_schema)};
}

void fixture_record_release(ferry_record *record)
{
    json_decref(record->key.json);
    json_decref(record->key.schema);
    json_decref(record->value.json);
    json_decref(record->value.schema);
    record->key = (ferry_data){0};
    record->value = (ferry_data){0};
}

char *fixture_value_text(const ferry_data *data)
{
    if (data->kind == FERRY_DATA_NULL)
        return strdup("null");
    if (data->kind != FERRY_DATA_JSON)
        return strndup(data->data, data->len);
    if (!data->json)
        return strndup(data->data, data->len);
    return json_dumps(data->json, JSON_COMPACT | JSON_ENCODE_ANY);
}

char *fixture_schema_text(const ferry_data *data)
{
    return data->schema ? json_dumps(data->schema, JSON_COMPACT) : strdup("null");
}

char *fixture_header(const ferry_record *record, const char *key, int *found)
{
    *found = 0;
    char *text = NULL;
    for (size_t i = 0; i < record->header_count; i++) {
        if (strcmp(record->headers[i].key, key) != 0)
            continue;
        *found = 1;
        free(text);
        text = record->headers[i].value
                   ? strndup(record->headers[i].value, record->headers[i].value_len)
                   : NULL;
    }
    return text;
}
