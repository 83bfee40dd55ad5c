/*
 * compat_transforms.c - ferry's side of the transforms check (tests/compat/README.md): the table
 * of tests/compat/transforms applied by ferry's transform chain, and the comparison with what
 * Kafka Connect's own transforms made of it (Harness transforms, TransformRun.java).
 *
 *     compat_transforms apply TABLE INPUTS.jsonl OUT.jsonl
 *     compat_transforms compare TABLE INPUTS.jsonl KAFKA.jsonl FERRY.jsonl [NAME...]
 *
 * apply reads the cases of TABLE/cases as TransformTable.java does (files by name, lines in order,
 * "side" and "schemas" "both" expanded alike) and the records from INPUTS.jsonl, which the Java
 * harness wrote (each record's key and value as Kafka's JsonConverter writes them, with schemas
 * and without). For each case it validates and builds the chain as a task does
 * (transform_chain_validate, transform_chain_create with the case's side), and for each record:
 * ferry's JsonConverter reads the key and value (a source plugin hands trees, so on the source
 * side the text the converter kept is dropped), the chain applies, and ferry's JsonConverter
 * writes the outcome, one line in TransformRun's format. Maps are written sorted, as the Java side
 * writes them (MapSort.java).
 *
 * compare matches the two outcome files line by line (by case and record): failures compare as
 * "failed or not" (ferry's message is shown for the reader), everything else must be equal. NAME
 * (or FERRY_COMPAT_TRANSFORMS, comma-separated) selects the cases that use a transform or predicate
 * of that name: a class name, its simple name ("InsertField$Value"), or that without $Key/$Value
 * ("InsertField"); or a case's name. Each difference is printed with the case, its config, the
 * record and both outcomes; the exit status is 1 when there is one.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/log.h"
#include "compat_records.h"
#include "config/config_map.h"
#include "config/config_validate.h"
#include "support/array.h"
#include "support/strbuf.h"
#include "support/utf8.h"
#include "transforms/transform_chain.h"

/* ---- the table --------------------------------------------------------------------------- */

typedef struct table_case {
    char *name;      /* expanded: "name [sink, schemas]" */
    char *base_name; /* as the table has it */
    char *file;
    bool sink;
    bool schemas;
    json_t *sets;   /* the record sets' names (array of strings) */
    json_t *config; /* the "key=value" lines (array of strings) */
} table_case;

typedef struct table {
    table_case *cases;
    size_t count, capacity;
    json_t *inputs; /* the lines of INPUTS.jsonl, in order */
} table;

static void table_free(table *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->cases[i].name);
        free(t->cases[i].base_name);
        free(t->cases[i].file);
        json_decref(t->cases[i].sets);
        json_decref(t->cases[i].config);
    }
    free(t->cases);
    json_decref(t->inputs);
    memset(t, 0, sizeof(*t));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.jsonl files of dir, sorted by name (bytes, as TransformTable.java sorts them). */
static char **jsonl_files(const char *dir, size_t *count, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t capacity = 0;
    *count = 0;
    if (!d) {
        ferry_error_set(err, errlen, "%s: cannot be read", dir);
        return NULL;
    }
    struct dirent *entry;
    while ((entry = readdir(d))) {
        size_t len = strlen(entry->d_name);
        if (len < 6 || strcmp(entry->d_name + len - 6, ".jsonl") != 0)
            continue;
        if (array_reserve(&names, &capacity, *count + 1, sizeof(*names)) != 0 ||
            !(names[*count] = strdup(entry->d_name))) {
            closedir(d);
            ferry_error_set(err, errlen, "out of memory");
            for (size_t i = 0; i < *count; i++)
                free(names[i]);
            free(names);
            return NULL;
        }
        (*count)++;
    }
    closedir(d);
    if (*count)
        qsort(names, *count, sizeof(*names), by_name);
    return names;
}

static json_t *json_lines_read(const char *path, char *err, size_t errlen)
{
    FILE *in = fopen(path, "r");
    json_t *lines = json_array();
    char *line = NULL;
    size_t capacity = 0;
    ssize_t len;
    size_t number = 0;
    if (!in || !lines) {
        ferry_error_set(err, errlen, "%s: cannot be read", path);
        goto fail;
    }
    while ((len = getline(&line, &capacity, in)) >= 0) {
        number++;
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue;
        json_error_t error;
        json_t *value = json_loadb(line, (size_t)len, JSON_DECODE_ANY, &error);
        if (!value || json_array_append_new(lines, value) != 0) {
            ferry_error_set(err, errlen, "%s line %zu: %s", path, number,
                            value ? "out of memory" : error.text);
            goto fail;
        }
    }
    free(line);
    fclose(in);
    return lines;
fail:
    free(line);
    if (in)
        fclose(in);
    json_decref(lines);
    return NULL;
}

static int case_add(table *t, const char *name, const char *file, bool sink, bool schemas,
                    const char *suffix, json_t *sets, json_t *config)
{
    if (array_reserve(&t->cases, &t->capacity, t->count + 1, sizeof(*t->cases)) != 0)
        return -1;
    table_case *c = &t->cases[t->count];
    size_t size = strlen(name) + (suffix ? strlen(suffix) + 4 : 0) + 1;
    *c = (table_case){.name = malloc(size), .base_name = strdup(name), .file = strdup(file),
                      .sink = sink, .schemas = schemas, .sets = json_incref(sets),
                      .config = json_incref(config)};
    t->count++;
    if (!c->name || !c->base_name || !c->file)
        return -1;
    if (suffix)
        snprintf(c->name, size, "%s [%s]", name, suffix);
    else
        snprintf(c->name, size, "%s", name);
    return 0;
}

/* One case line, expanded as TransformTable.readCases expands it. */
static int case_expand(table *t, const char *file, size_t number, json_t *line, char *err,
                       size_t errlen)
{
    const char *name = json_string_value(json_object_get(line, "name"));
    const char *side = json_string_value(json_object_get(line, "side"));
    json_t *schemas = json_object_get(line, "schemas");
    json_t *sets = json_object_get(line, "records");
    json_t *config = json_object_get(line, "config");
    if (!name || !side || !json_is_array(sets) || !json_is_array(config) ||
        !(json_is_boolean(schemas) ||
          (json_is_string(schemas) && strcmp(json_string_value(schemas), "both") == 0)) ||
        !(strcmp(side, "sink") == 0 || strcmp(side, "source") == 0 ||
          strcmp(side, "both") == 0))
        return ferry_error_set(err, errlen, "%s line %zu: a case is {\"name\", \"side\", "
                               "\"schemas\", \"records\", \"config\"}", file, number), -1;
    bool both_sides = strcmp(side, "both") == 0;
    bool both_settings = !json_is_boolean(schemas);
    for (int s = 0; s < (both_sides ? 2 : 1); s++) {
        bool sink = both_sides ? s == 0 : strcmp(side, "sink") == 0;
        for (int k = 0; k < (both_settings ? 2 : 1); k++) {
            bool setting = both_settings ? k == 0 : json_is_true(schemas);
            char suffix[64] = "";
            if (both_sides)
                snprintf(suffix, sizeof(suffix), "%s", sink ? "sink" : "source");
            if (both_settings)
                snprintf(suffix + strlen(suffix), sizeof(suffix) - strlen(suffix), "%s%s",
                         both_sides ? ", " : "", setting ? "schemas" : "no schemas");
            if (case_add(t, name, file, sink, setting, suffix[0] ? suffix : NULL, sets,
                         config) != 0)
                return ferry_error_set(err, errlen, "out of memory"), -1;
        }
    }
    return 0;
}

static int table_read(table *t, const char *dir, const char *inputs, char *err, size_t errlen)
{
    char path[4096];
    size_t count;
    memset(t, 0, sizeof(*t));
    snprintf(path, sizeof(path), "%s/cases", dir);
    char **files = jsonl_files(path, &count, err, errlen);
    int rc = files ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        snprintf(path, sizeof(path), "%s/cases/%s", dir, files[i]);
        json_t *lines = json_lines_read(path, err, errlen);
        if (!lines) {
            rc = -1;
            break;
        }
        for (size_t n = 0; rc == 0 && n < json_array_size(lines); n++)
            rc = case_expand(t, files[i], n + 1, json_array_get(lines, n), err, errlen);
        json_decref(lines);
    }
    for (size_t i = 0; files && i < count; i++)
        free(files[i]);
    free(files);
    if (rc == 0 && !(t->inputs = json_lines_read(inputs, err, errlen)))
        rc = -1;
    if (rc == 0 && t->count == 0)
        rc = (ferry_error_set(err, errlen, "%s: no cases", dir), -1);
    return rc;
}

/* Whether an input line belongs to the set and has the schemas setting. */
static bool input_of(json_t *input, const char *set, bool schemas)
{
    const char *id = json_string_value(json_object_get(input, "record"));
    size_t len = strlen(set);
    return id && strncmp(id, set, len) == 0 && id[len] == '#' &&
           json_is_true(json_object_get(input, "schemas")) == schemas;
}

/* The inputs a case applies to, in the order of its sets and of INPUTS.jsonl: a new array of
 * borrowed lines (NULL when out of memory). */
static json_t *case_inputs(const table *t, const table_case *c)
{
    json_t *inputs = json_array();
    size_t s, n;
    json_t *set, *input;
    json_array_foreach(c->sets, s, set) {
        json_array_foreach(t->inputs, n, input) {
            if (inputs && input_of(input, json_string_value(set), c->schemas) &&
                json_array_append(inputs, input) != 0) {
                json_decref(inputs);
                return NULL;
            }
        }
    }
    return inputs;
}

/* ---- maps in one order (MapSort.java) ------------------------------------------------------ */

static int key_rank(const json_t *key)
{
    if (!key || json_is_null(key))
        return 0;
    if (json_is_boolean(key))
        return 1;
    if (json_is_number(key))
        return 2;
    if (json_is_string(key))
        return 3;
    return 4;
}

static int key_compare(const json_t *a, const json_t *b)
{
    int ra = key_rank(a), rb = key_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 1)
        return (int)json_is_true(a) - (int)json_is_true(b);
    if (ra == 2) {
        if (json_is_integer(a) && json_is_integer(b)) {
            json_int_t x = json_integer_value(a), y = json_integer_value(b);
            return x < y ? -1 : x > y;
        }
        double x = json_number_value(a), y = json_number_value(b);
        return x < y ? -1 : x > y;
    }
    if (ra == 3) {
        size_t la = json_string_length(a), lb = json_string_length(b);
        int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
        return c ? c : (la < lb ? -1 : la > lb);
    }
    return 0;
}

static json_t *map_sort(const json_t *schema, json_t *value);

/* Values of a struct, a list or a map's values, each under its schema. */
static json_t *object_sorted(const json_t *schema, json_t *value, bool sort_keys)
{
    size_t count = json_object_size(value), n = 0;
    const char **keys = calloc(count ? count : 1, sizeof(*keys));
    json_t *out = json_object();
    if (!keys || !out) {
        free(keys);
        json_decref(out);
        return NULL;
    }
    const char *key;
    json_t *member;
    json_object_foreach(value, key, member)
        keys[n++] = key;
    /* insertion sort: stable, and maps are small */
    for (size_t i = 1; sort_keys && i < n; i++) {
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *swap = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = swap;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *member_schema = NULL;
        if (sort_keys) {
            member_schema = schema ? json_object_get(schema, "values") : NULL;
        } else {
            size_t index;
            json_t *field;
            json_array_foreach(json_object_get(schema, "fields"), index, field)
                if (json_is_string(json_object_get(field, "field")) &&
                    strcmp(json_string_value(json_object_get(field, "field")), keys[i]) == 0)
                    member_schema = field;
        }
        json_t *sorted = map_sort(member_schema, json_object_get(value, keys[i]));
        if (!sorted || json_object_set_new(out, keys[i], sorted) != 0) {
            free(keys);
            json_decref(out);
            return NULL;
        }
    }
    free(keys);
    return out;
}

/* A map with keys that are not strings: [[key, value]...], sorted by key (stable). */
static json_t *pairs_sorted(const json_t *schema, json_t *value)
{
    size_t n = json_array_size(value);
    json_t **pairs = calloc(n ? n : 1, sizeof(*pairs));
    json_t *out = json_array();
    if (!pairs || !out)
        goto fail;
    for (size_t i = 0; i < n; i++)
        pairs[i] = json_array_get(value, i);
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && key_compare(json_array_get(pairs[j - 1], 0),
                                                json_array_get(pairs[j], 0)) > 0; j--) {
            json_t *swap = pairs[j];
            pairs[j] = pairs[j - 1];
            pairs[j - 1] = swap;
        }
    }
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(pairs[i], 1)
                           ? json_pack("[O, o]", json_array_get(pairs[i], 0),
                                       map_sort(json_object_get(schema, "values"),
                                                json_array_get(pairs[i], 1)))
                           : json_incref(pairs[i]);
        if (!pair || json_array_append_new(out, pair) != 0)
            goto fail;
    }
    free(pairs);
    return out;
fail:
    free(pairs);
    json_decref(out);
    return NULL;
}

/* A copy of value (a new reference) with every map's entries sorted; schema NULL: schemaless. */
static json_t *map_sort(const json_t *schema, json_t *value)
{
    const char *type = json_string_value(json_object_get(schema, "type"));
    if (json_is_object(value) && (!schema || (type && strcmp(type, "map") == 0)))
        return object_sorted(schema, value, true);
    if (json_is_object(value) && type && strcmp(type, "struct") == 0)
        return object_sorted(schema, value, false);
    if (json_is_array(value) && type && strcmp(type, "map") == 0)
        return pairs_sorted(schema, value);
    if (json_is_array(value)) {
        json_t *out = json_array();
        size_t index;
        json_t *item;
        json_array_foreach(value, index, item) {
            json_t *sorted = map_sort(schema ? json_object_get(schema, "items") : NULL, item);
            if (!sorted || json_array_append_new(out, sorted) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    return json_incref(value);
}

/* ---- apply --------------------------------------------------------------------------------- */

/* Bytes as a JSON string (a new reference): JSON null for none. What both sides write is UTF-8
 * (the inputs come from JSON, the converters write JSON); bytes that are not are shown in hex,
 * and differ from Java's reading of them, which the comparison then shows. */
static json_t *text_of(const void *bytes, size_t len)
{
    if (!bytes)
        return json_null();
    if (utf8_valid(bytes, len))
        return json_stringn(bytes, len);
    strbuf hex = {0};
    strbuf_append_str(&hex, "(not UTF-8:");
    for (size_t i = 0; i < len; i++)
        strbuf_append_printf(&hex, " %02x", ((const unsigned char *)bytes)[i]);
    strbuf_append_char(&hex, ')');
    json_t *text = strbuf_failed(&hex) ? NULL : json_stringn(hex.data, hex.len);
    strbuf_free(&hex);
    return text;
}

typedef struct converters {
    converter *of[2][2]; /* [is_key][schemas] */
} converters;

/* What the JsonConverter writes for the data, maps sorted; a JSON string or null (new). */
static json_t *data_written(converter *conv, const ferry_data *data, char *err, size_t errlen)
{
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    json_t *sorted = NULL;
    ferry_data copy = *data;
    json_t *out = NULL;
    if (data->kind == FERRY_DATA_JSON && data->json && !data->data) {
        if (!(sorted = map_sort(data->schema, data->json))) {
            ferry_error_set(err, errlen, "out of memory");
            return NULL;
        }
        copy.json = sorted;
    }
    if (converter_serialize(conv, "compat", &copy, &buffer, &bytes, &len, err, errlen) == 0 &&
        !(out = text_of(bytes, len)))
        ferry_error_set(err, errlen, "out of memory");
    json_decref(sorted);
    strbuf_free(&buffer);
    return out;
}

/* The outcome of a record the chain kept, in TransformRun's member order. */
static int outcome_add(json_t *line, const table_case *c, converters *convs,
                       const ferry_record *record, char *err, size_t errlen)
{
    json_t *key = data_written(convs->of[1][c->schemas], &record->key, err, errlen);
    json_t *value = key ? data_written(convs->of[0][c->schemas], &record->value, err, errlen)
                        : NULL;
    json_t *headers = json_array();
    if (!key || !value || !headers) {
        json_decref(key);
        json_decref(value);
        json_decref(headers);
        return -1;
    }
    for (size_t i = 0; i < record->header_count; i++)
        json_array_append_new(headers,
                              json_pack("[s, o]", record->headers[i].key,
                                        text_of(record->headers[i].value,
                                                   record->headers[i].value_len)));
    json_object_set_new(line, "topic", json_string(record->topic ? record->topic : ""));
    json_object_set_new(line, "partition", record->partition == FERRY_PARTITION_ANY
                                               ? json_null()
                                               : json_integer(record->partition));
    json_object_set_new(line, "key", key);
    json_object_set_new(line, "value", value);
    json_object_set_new(line, "headers", headers);
    json_object_set_new(line, "timestamp", record->timestamp_ms == FERRY_TIMESTAMP_NONE
                                               ? json_null()
                                               : json_integer(record->timestamp_ms));
    return 0;
}

/* Reads an input's key or value as the case's JsonConverter does. */
static int input_data(converter *conv, const char *topic, json_t *bytes, bool sink,
                      ferry_data *data, char *err, size_t errlen)
{
    memset(data, 0, sizeof(*data));
    if (converter_deserialize(conv, topic, json_string_value(bytes), json_string_length(bytes),
                              data, err, errlen) != 0)
        return -1;
    /* A source plugin hands trees, without text to forward. */
    if (!sink && data->kind == FERRY_DATA_JSON && data->json) {
        data->data = NULL;
        data->len = 0;
    }
    return 0;
}

/* The outcome of one record: a line in TransformRun's format (a new object). */
static json_t *record_apply(const table_case *c, transform_chain *chain, converters *convs,
                            json_t *input)
{
    char err[1024] = "";
    json_t *line = json_pack("{s:s, s:O}", "case", c->name, "record",
                             json_object_get(input, "record"));
    const char *topic = json_string_value(json_object_get(input, "topic"));
    json_t *partition = json_object_get(input, "partition");
    json_t *timestamp = json_object_get(input, "timestamp");
    json_t *input_headers = json_object_get(input, "headers");
    size_t header_count = json_array_size(input_headers);
    ferry_header *headers = calloc(header_count + 1, sizeof(*headers));
    ferry_record record = {
        .topic = topic,
        .partition = json_is_integer(partition) ? (int32_t)json_integer_value(partition)
                     : c->sink                  ? 0
                                                : FERRY_PARTITION_ANY,
        .timestamp_ms = json_is_integer(timestamp) ? json_integer_value(timestamp)
                                                   : FERRY_TIMESTAMP_NONE,
        .kafka_offset = json_integer_value(json_object_get(input, "offset")),
        .headers = headers,
        .header_count = header_count,
    };
    if (!line || !headers) {
        free(headers);
        json_decref(line);
        return NULL;
    }
    for (size_t i = 0; i < header_count; i++) {
        json_t *header = json_array_get(input_headers, i);
        json_t *value = json_array_get(header, 1);
        headers[i] = (ferry_header){.key = json_string_value(json_array_get(header, 0)),
                                    .value = json_string_value(value),
                                    .value_len = json_string_length(value)};
    }
    if (input_data(convs->of[1][c->schemas], topic, json_object_get(input, "key"), c->sink,
                   &record.key, err, sizeof(err)) != 0 ||
        input_data(convs->of[0][c->schemas], topic, json_object_get(input, "value"), c->sink,
                   &record.value, err, sizeof(err)) != 0) {
        json_object_set_new(line, "error", json_sprintf("converter: %s", err));
        goto done;
    }
    transform_result result = chain ? transform_chain_apply(chain, &record, NULL, err,
                                                            sizeof(err))
                                    : TRANSFORM_KEEP;
    if (result == TRANSFORM_DROP)
        json_object_set_new(line, "dropped", json_true());
    else if (result == TRANSFORM_FAIL)
        json_object_set_new(line, "error", json_string(err));
    else if (outcome_add(line, c, convs, &record, err, sizeof(err)) != 0)
        json_object_set_new(line, "error", json_sprintf("converter: %s", err));
done:
    converter_data_release(&record.key);
    converter_data_release(&record.value);
    transform_chain_release(chain);
    free(headers);
    return line;
}

/* The connector config of a case; NULL when out of memory. */
static config_map *case_config(const table_case *c)
{
    config_map *config = config_map_new();
    size_t index;
    json_t *line;
    json_array_foreach(c->config, index, line) {
        const char *text = json_string_value(line);
        const char *equals = text ? strchr(text, '=') : NULL;
        if (!config || !equals)
            continue;
        char *key = strndup(text, (size_t)(equals - text));
        if (!key || config_map_set(config, key, equals + 1) != 0) {
            free(key);
            config_map_destroy(config);
            return NULL;
        }
        free(key);
    }
    return config;
}

/* The chain of a case as a task builds it; NULL with *error set when ferry refuses the config
 * (or has no transforms to apply: *error NULL). */
static transform_chain *case_chain(const table_case *c, json_t **error)
{
    char err[1024] = "";
    transform_chain *chain = NULL;
    config_map *config = case_config(c);
    config_errors *errors = config_errors_new();
    *error = NULL;
    if (!config || !errors) {
        *error = json_string("out of memory");
    } else if (transform_chain_validate(config, errors) > 0) {
        char *text = config_errors_to_string(errors);
        *error = json_sprintf("config: %s", text ? text : "invalid");
        free(text);
    } else if (transform_chain_create(config, "compat", c->sink ? TRANSFORM_SIDE_SINK
                                                                : TRANSFORM_SIDE_SOURCE,
                                      &chain, err, sizeof(err)) != 0) {
        *error = json_sprintf("config: %s", err);
    }
    config_errors_destroy(errors);
    config_map_destroy(config);
    return chain;
}

static int apply(const table *t, const char *out_path)
{
    char err[512];
    converters convs = {0};
    FILE *out = fopen(out_path, "w");
    int rc = out ? 0 : -1;
    size_t lines = 0;
    for (int key = 0; rc == 0 && key < 2; key++)
        for (int schemas = 0; rc == 0 && schemas < 2; schemas++)
            if (!(convs.of[key][schemas] = compat_converter(key, schemas, err, sizeof(err)))) {
                fprintf(stderr, "%s\n", err);
                rc = -1;
            }
    for (size_t i = 0; rc == 0 && i < t->count; i++) {
        const table_case *c = &t->cases[i];
        json_t *error;
        transform_chain *chain = case_chain(c, &error);
        json_t *inputs = case_inputs(t, c);
        size_t n;
        json_t *input;
        if (!inputs)
            rc = -1;
        json_array_foreach(inputs, n, input) {
            json_t *line = error ? json_pack("{s:s, s:O, s:O}", "case", c->name, "record",
                                             json_object_get(input, "record"), "error", error)
                                 : record_apply(c, chain, &convs, input);
            char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
            json_decref(line);
            if (!text || fprintf(out, "%s\n", text) < 0)
                rc = -1;
            free(text);
            lines++;
        }
        json_decref(inputs);
        json_decref(error);
        transform_chain_destroy(chain);
    }
    for (int key = 0; key < 2; key++)
        for (int schemas = 0; schemas < 2; schemas++)
            converter_destroy(convs.of[key][schemas]);
    if (out && fclose(out) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "compat_transforms: could not write %s\n", out_path);
        return 1;
    }
    printf("ferry's transforms applied %zu cases: %zu outcomes in %s\n", t->count, lines,
           out_path);
    return 0;
}

/* ---- compare ------------------------------------------------------------------------------- */

/* "<simple name>" of a class: after the last '.'. */
static const char *simple_name(const char *class_name)
{
    const char *dot = strrchr(class_name, '.');
    return dot ? dot + 1 : class_name;
}

/* Whether a name selects a `*.type` value: the class, its simple name, or that without $Key or
 * $Value. */
static bool name_selects_class(const char *name, const char *class_name)
{
    const char *simple = simple_name(class_name);
    const char *dollar = strchr(simple, '$');
    return strcmp(name, class_name) == 0 || strcmp(name, simple) == 0 ||
           (dollar && strlen(name) == (size_t)(dollar - simple) &&
            strncmp(name, simple, (size_t)(dollar - simple)) == 0);
}

/* The class a config line names when it is `transforms.<a>.type=` or `predicates.<p>.type=`,
 * trimmed (a new string), or NULL. */
static char *type_line_class(const char *line)
{
    const char *equals = line ? strchr(line, '=') : NULL;
    if (!equals || (strncmp(line, "transforms.", 11) != 0 && strncmp(line, "predicates.", 11) != 0))
        return NULL;
    if (equals - line < 17 || strncmp(equals - 5, ".type", 5) != 0 ||
        memchr(line + 11, '.', (size_t)(equals - 5 - line - 11)))
        return NULL;
    const char *start = equals + 1 + strspn(equals + 1, " \t");
    size_t len = strlen(start);
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
        len--;
    return strndup(start, len);
}

/* Whether a case uses a transform or predicate the name selects. */
static bool case_uses(const table_case *c, const char *name)
{
    size_t index;
    json_t *line;
    json_array_foreach(c->config, index, line) {
        char *class_name = type_line_class(json_string_value(line));
        bool uses = class_name && name_selects_class(name, class_name);
        free(class_name);
        if (uses)
            return true;
    }
    return false;
}

static bool case_selected(const table_case *c, char **names)
{
    if (!names || !names[0])
        return true;
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], c->base_name) == 0 || strcmp(names[i], c->name) == 0 ||
            case_uses(c, names[i]))
            return true;
    return false;
}

/* The lines of an outcome file by "<case>\n<record>". */
static json_t *outcomes_read(const char *path, char *err, size_t errlen)
{
    json_t *lines = json_lines_read(path, err, errlen);
    json_t *by_key = json_object();
    size_t index;
    json_t *line;
    if (!lines || !by_key) {
        json_decref(lines);
        json_decref(by_key);
        return NULL;
    }
    json_array_foreach(lines, index, line) {
        const char *name = json_string_value(json_object_get(line, "case"));
        const char *record = json_string_value(json_object_get(line, "record"));
        if (!name || !record) {
            ferry_error_set(err, errlen, "%s line %zu: no \"case\" or \"record\"", path,
                            index + 1);
            json_decref(lines);
            json_decref(by_key);
            return NULL;
        }
        char *key = malloc(strlen(name) + strlen(record) + 2);
        if (key) {
            sprintf(key, "%s\n%s", name, record);
            json_object_set(by_key, key, line);
        }
        free(key);
    }
    json_decref(lines);
    return by_key;
}

/* Payloads, equal but for the spelling of FLOAT32 values: Java's Float.toString
 * writes more digits than the shortest that reads back as the same float before JDK 19
 * (JDK-4511638: 9.0149459E8 on JDK 17, 9.014946E8 on 19 and later, as ferry writes it), so the
 * JVM that runs Kafka Connect decides the spelling; the float must be the same. */
/* Whether ferry's number is a float written with the fewest digits that read back as it (what
 * a FLOAT32 value looks like, whatever its schema says: without one JSON has no float type). */
static bool written_as_float(double value)
{
    float f = (float)value;
    if (!isfinite(f))
        return false;
    for (int digits = 1; digits <= 9; digits++) {
        char text[64];
        snprintf(text, sizeof text, "%.*g", digits, (double)f);
        if (strtof(text, NULL) == f)
            return strtod(text, NULL) == value;
    }
    return false;
}

static bool payloads_equal(const json_t *schema, const json_t *a, const json_t *b)
{
    const char *type = json_string_value(json_object_get(schema, "type"));
    if (json_is_real(a) && json_is_real(b))
        return json_real_value(a) == json_real_value(b) ||
               ((float)json_real_value(a) == (float)json_real_value(b) &&
                written_as_float(json_real_value(b)));
    if (!type && json_typeof(a) == json_typeof(b) && (json_is_object(a) || json_is_array(a))) {
        if (json_is_object(a)) {
            if (json_object_size(a) != json_object_size(b))
                return false;
            const char *name;
            json_t *member;
            json_object_foreach((json_t *)a, name, member)
                if (!payloads_equal(NULL, member, json_object_get(b, name)))
                    return false;
            return true;
        }
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!payloads_equal(NULL, json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (!type || json_typeof(a) != json_typeof(b))
        return json_equal(a, b);
    if (strcmp(type, "struct") == 0 && json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *name;
        json_t *member;
        json_object_foreach((json_t *)a, name, member) {
            const json_t *field_schema = NULL, *field;
            size_t i;
            json_array_foreach(json_object_get(schema, "fields"), i, field)
                if (strcmp(json_string_value(json_object_get(field, "field")), name) == 0)
                    field_schema = field;
            if (!payloads_equal(field_schema, member, json_object_get(b, name)))
                return false;
        }
        return true;
    }
    if ((strcmp(type, "array") == 0 || strcmp(type, "map") == 0) && json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        bool map = strcmp(type, "map") == 0;
        for (size_t i = 0; i < json_array_size(a); i++) {
            const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
            if (map ? !payloads_equal(json_object_get(schema, "keys"), json_array_get(x, 0),
                                      json_array_get(y, 0)) ||
                          !payloads_equal(json_object_get(schema, "values"),
                                          json_array_get(x, 1), json_array_get(y, 1))
                    : !payloads_equal(json_object_get(schema, "items"), x, y))
                return false;
        }
        return true;
    }
    if (strcmp(type, "map") == 0 && json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *name;
        json_t *member;
        json_object_foreach((json_t *)a, name, member)
            if (!payloads_equal(json_object_get(schema, "values"), member,
                                json_object_get(b, name)))
                return false;
        return true;
    }
    return json_equal(a, b);
}

/* The key or value texts of two outcomes: the same bytes, or the same schema and payloads that
 * differ only in the spelling of floats. */
static bool written_equal(const json_t *a, const json_t *b)
{
    if (json_equal(a, b))
        return true;
    if (!json_is_string(a) || !json_is_string(b))
        return false;
    json_t *x = json_loads(json_string_value(a), JSON_DECODE_ANY, NULL);
    json_t *y = json_loads(json_string_value(b), JSON_DECODE_ANY, NULL);
    json_t *schema = json_object_get(x, "schema");
    bool envelope = x && y && json_is_object(x) && json_object_size(x) == 2 && schema &&
                    json_object_get(x, "payload");
    bool equal = envelope ? json_equal(schema, json_object_get(y, "schema")) &&
                                payloads_equal(schema, json_object_get(x, "payload"),
                                               json_object_get(y, "payload"))
                          : x && y && payloads_equal(NULL, x, y);
    json_decref(x);
    json_decref(y);
    return equal;
}

static bool outcomes_equal(json_t *kafka, json_t *ferry)
{
    if (!kafka || !ferry)
        return false;
    bool kafka_failed = json_object_get(kafka, "error") != NULL;
    bool ferry_failed = json_object_get(ferry, "error") != NULL;
    if (kafka_failed || ferry_failed)
        return kafka_failed == ferry_failed;
    if (json_object_size(kafka) != json_object_size(ferry))
        return false;
    const char *name;
    json_t *member;
    json_object_foreach(kafka, name, member) {
        bool written = strcmp(name, "key") == 0 || strcmp(name, "value") == 0;
        json_t *other = json_object_get(ferry, name);
        if (!(written ? written_equal(member, other) : json_equal(member, other)))
            return false;
    }
    return true;
}

static void print_json(const char *label, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    fprintf(stderr, "  %s %s\n", label, text ? text : "(no line)");
    free(text);
}

static void case_print(const table_case *c)
{
    size_t index;
    json_t *line;
    fprintf(stderr, "case '%s' (cases/%s, %s, schemas.enable=%s):\n", c->name, c->file,
            c->sink ? "sink" : "source", c->schemas ? "true" : "false");
    json_array_foreach(c->config, index, line)
        fprintf(stderr, "    %s\n", json_string_value(line));
}

/* The names of the transforms and predicates of a differing case, tallied for the summary. */
static void tally(json_t *tallies, const table_case *c)
{
    size_t index;
    json_t *line;
    json_array_foreach(c->config, index, line) {
        char *class_name = type_line_class(json_string_value(line));
        if (!class_name)
            continue;
        const char *name = simple_name(class_name);
        json_t *count = json_object_get(tallies, name);
        json_object_set_new(tallies, name, json_integer(json_integer_value(count) + 1));
        free(class_name);
    }
}

static char **selection(int argc, char **argv)
{
    if (argc > 0) {
        char **names = calloc((size_t)argc + 1, sizeof(*names));
        for (int i = 0; names && i < argc; i++)
            names[i] = strdup(argv[i]);
        return names;
    }
    const char *env = getenv("FERRY_COMPAT_TRANSFORMS");
    return config_value_split_list(env ? env : "");
}

static int compare(const table *t, const char *kafka_path, const char *ferry_path, char **names)
{
    char err[512];
    json_t *kafka = outcomes_read(kafka_path, err, sizeof(err));
    json_t *ferry = kafka ? outcomes_read(ferry_path, err, sizeof(err)) : NULL;
    json_t *tallies = json_object();
    if (!kafka || !ferry || !tallies) {
        fprintf(stderr, "compat_transforms: %s\n", err);
        json_decref(kafka);
        json_decref(ferry);
        json_decref(tallies);
        return 1;
    }
    size_t cases = 0, outcomes = 0, differing_cases = 0, differences = 0;
    for (size_t i = 0; i < t->count; i++) {
        const table_case *c = &t->cases[i];
        if (!case_selected(c, names))
            continue;
        cases++;
        size_t case_differences = 0;
        json_t *inputs = case_inputs(t, c);
        size_t n;
        json_t *input;
        json_array_foreach(inputs, n, input) {
            outcomes++;
            const char *record = json_string_value(json_object_get(input, "record"));
            char *key = malloc(strlen(c->name) + strlen(record) + 2);
            if (!key)
                continue;
            sprintf(key, "%s\n%s", c->name, record);
            json_t *k = json_object_get(kafka, key);
            json_t *f = json_object_get(ferry, key);
            free(key);
            if (outcomes_equal(k, f))
                continue;
            differences++;
            if (case_differences++ == 0) {
                differing_cases++;
                tally(tallies, c);
                case_print(c);
            }
            /* A config ferry refuses fails every record alike: one is enough. */
            const char *ferry_error = json_string_value(json_object_get(f, "error"));
            if (case_differences > 1 && ferry_error && strncmp(ferry_error, "config: ", 8) == 0)
                continue;
            fprintf(stderr, "  record %s:\n", record);
            print_json("input:", input);
            print_json("kafka:", k);
            print_json("ferry:", f);
        }
        json_decref(inputs);
        if (case_differences > 1)
            fprintf(stderr, "  (%zu records of this case differ)\n", case_differences);
    }
    json_decref(kafka);
    json_decref(ferry);
    if (cases == 0) {
        json_decref(tallies);
        fprintf(stderr, "compat_transforms: no case uses what was selected\n");
        return 1;
    }
    if (differences) {
        fprintf(stderr, "%zu of %zu outcomes differ, in %zu of %zu cases; the transforms and "
                "predicates of the differing cases:\n", differences, outcomes, differing_cases,
                cases);
        const char *name;
        json_t *count;
        json_object_foreach(tallies, name, count)
            fprintf(stderr, "  %s: %lld cases\n", name, (long long)json_integer_value(count));
        json_decref(tallies);
        return 1;
    }
    json_decref(tallies);
    printf("ferry's transforms give Kafka Connect's outcome for all %zu outcomes of %zu cases\n",
           outcomes, cases);
    return 0;
}

static int usage(const char *program)
{
    fprintf(stderr, "usage: %s apply TABLE INPUTS.jsonl OUT.jsonl\n"
                    "       %s compare TABLE INPUTS.jsonl KAFKA.jsonl FERRY.jsonl [NAME...]\n",
            program, program);
    return 2;
}

int main(int argc, char **argv)
{
    char err[512];
    table t;
    bool applying = argc == 5 && strcmp(argv[1], "apply") == 0;
    bool comparing = argc >= 6 && strcmp(argv[1], "compare") == 0;
    if (!applying && !comparing)
        return usage(argv[0]);
    log_configure(stderr, FERRY_LOG_ERROR);
    if (table_read(&t, argv[2], argv[3], err, sizeof(err)) != 0) {
        fprintf(stderr, "compat_transforms: %s\n", err);
        table_free(&t);
        return 1;
    }
    int rc;
    if (applying) {
        rc = apply(&t, argv[4]);
    } else {
        char **names = selection(argc - 6, argv + 6);
        rc = compare(&t, argv[4], argv[5], names);
        config_list_free(names);
    }
    table_free(&t);
    return rc;
}
