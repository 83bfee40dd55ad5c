/*
 * connector_file.c - turns a connector config file (or a REST body) into a config map. Two JSON
 * shapes are accepted, as Kafka Connect users have them at hand: the POST /connectors body
 * {"name": .., "config": {..}} (also what GET /connectors/{name} returns, whose "tasks" and "type"
 * are ignored) and the flat map of PUT /connectors/{name}/config. A .properties file is the
 * connect-standalone format.
 */
#include "config/connector_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "config/properties.h"
#include "support/strbuf.h"

/* Every connector config needs a name, whatever its shape. */
static int connector_name_check(const config_map *map, const char *source, char *err,
                                size_t errlen)
{
    const char *name = config_map_get(map, "name");
    if (!name) {
        ferry_error_set(err, errlen, "%s: missing \"name\"", source);
        return -1;
    }
    if (name[strspn(name, " \t\r\n\f\v")] == '\0') {
        ferry_error_set(err, errlen, "%s: \"name\" must not be empty", source);
        return -1;
    }
    return 0;
}

/* {"name": .., "config": {..}}: config.name, when there, must agree with name. */
static config_map *connector_json_wrapped(json_t *root, const char *source, char *err,
                                          size_t errlen)
{
    config_map *map = NULL;
    const char *key;
    json_t *value;
    char inner[512];

    json_object_foreach(root, key, value) {
        /* initial_state belongs to POST /connectors; the REST layer reads it from the body. */
        if (strcmp(key, "name") != 0 && strcmp(key, "config") != 0 &&
            strcmp(key, "tasks") != 0 && strcmp(key, "type") != 0 &&
            strcmp(key, "initial_state") != 0) {
            ferry_error_set(err, errlen,
                            "%s: unknown field \"%s\" (expected \"name\" and \"config\")", source,
                            key);
            goto fail;
        }
    }
    json_t *name = json_object_get(root, "name");
    json_t *config = json_object_get(root, "config");
    if (!json_is_object(config)) {
        ferry_error_set(err, errlen, "%s: \"config\" must be a JSON object", source);
        goto fail;
    }
    if (!name) {
        ferry_error_set(err, errlen, "%s: missing \"name\"", source);
        goto fail;
    }
    if (!json_is_string(name)) {
        ferry_error_set(err, errlen, "%s: \"name\" must be a string", source);
        goto fail;
    }

    map = config_map_new();
    if (!map || config_map_set(map, "name", json_string_value(name)) != 0) {
        ferry_error_set(err, errlen, "%s: out of memory", source);
        goto fail;
    }
    /* Setting name first keeps it first; config.name then replaces it in place. */
    if (config_map_set_from_json(map, config, inner, sizeof(inner)) != 0) {
        ferry_error_set(err, errlen, "%s: %s", source, inner);
        goto fail;
    }
    const char *config_name = config_map_get(map, "name");
    if (strcmp(config_name, json_string_value(name)) != 0) {
        ferry_error_set(err, errlen,
                        "%s: \"config\".\"name\" ('%s') does not match \"name\" ('%s')", source,
                        config_name, json_string_value(name));
        goto fail;
    }
    if (connector_name_check(map, source, err, errlen) != 0)
        goto fail;
    return map;

fail:
    config_map_destroy(map);
    return NULL;
}

config_map *connector_json_parse(const char *text, size_t len, const char *source, char *err,
                                 size_t errlen)
{
    json_error_t json_error;
    config_map *map = NULL;
    char inner[512];

    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &json_error);
    if (!root) {
        ferry_error_set(err, errlen, "%s: malformed JSON at line %d, column %d: %s", source,
                        json_error.line, json_error.column, json_error.text);
        goto fail;
    }
    if (!json_is_object(root)) {
        ferry_error_set(err, errlen,
                        "%s: expected a JSON object ({\"name\": .., \"config\": {..}} or a map "
                        "of strings)",
                        source);
        goto fail;
    }

    if (json_object_get(root, "config")) {
        map = connector_json_wrapped(root, source, err, errlen);
        if (!map)
            goto fail;
    } else {
        map = config_map_new();
        if (!map) {
            ferry_error_set(err, errlen, "%s: out of memory", source);
            goto fail;
        }
        if (config_map_set_from_json(map, root, inner, sizeof(inner)) != 0) {
            ferry_error_set(err, errlen, "%s: %s", source, inner);
            goto fail;
        }
        if (connector_name_check(map, source, err, errlen) != 0)
            goto fail;
    }
    json_decref(root);
    return map;

fail:
    config_map_destroy(map);
    json_decref(root);
    return NULL;
}

static char *connector_file_read(const char *path, size_t *len_out, char *err, size_t errlen)
{
    FILE *file = fopen(path, "rb");
    strbuf text = {0};

    if (!file) {
        ferry_error_set(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (strbuf_append_file(&text, file) != 0) {
        ferry_error_set(err, errlen, "%s: %s", path,
                        strbuf_failed(&text) ? "out of memory" : strerror(errno));
        fclose(file);
        strbuf_free(&text);
        return NULL;
    }
    fclose(file);
    return strbuf_take(&text, len_out);
}

config_map *connector_file_load(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    config_map *map = NULL;
    char inner[512];

    char *text = connector_file_read(path, &len, err, errlen);
    if (!text)
        return NULL;

    /* A byte order mark is skipped here (jansson refuses one); blanks are left to the JSON parser
     * so that its line numbers are the file's. */
    size_t start = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t first = start;
    while (first < len && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r' ||
                           text[first] == '\n' || text[first] == '\f'))
        first++;

    if (first < len && text[first] == '{') {
        map = connector_json_parse(text + start, len - start, path, err, errlen);
        goto cleanup;
    }

    map = config_map_new();
    if (!map) {
        ferry_error_set(err, errlen, "%s: out of memory", path);
        goto cleanup;
    }
    if (properties_parse(text, len, map, inner, sizeof(inner)) != 0) {
        ferry_error_set(err, errlen, "%s: %s", path, inner);
        goto fail;
    }
    if (connector_name_check(map, path, err, errlen) != 0)
        goto fail;
    goto cleanup;

fail:
    config_map_destroy(map);
    map = NULL;
cleanup:
    free(text);
    return map;
}
