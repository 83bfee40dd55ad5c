/*
 * extract_new_record_state.c - Debezium's ExtractNewRecordState ("unwrap"): a change event's
 * envelope {before, after, source, op, ts_ms} becomes the row state, with Debezium's keys for
 * deletes and tombstones (drop.tombstones and delete.handling.mode, or the newer
 * delete.tombstone.handling.mode, which wins when set) and add.fields / add.headers. With a
 * Connect schema on the value the output schema is the `after` field's, plus the added fields.
 * Records that are not change events (no `op`) pass unchanged; truncate events (op t) carry no
 * row and are dropped. docs/transforms.md lists every key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "transforms/connect_schema.h"
#include "transforms/transform.h"

typedef enum delete_mode {
    DELETE_DROP,      /* the delete event disappears */
    DELETE_NULL,      /* it becomes a record with a null value */
    DELETE_REWRITE,   /* its value is `before` plus __deleted: "true" */
} delete_mode;

typedef struct unwrap {
    delete_mode deletes;
    bool keep_tombstones;
    bool rewrite;           /* every record gets __deleted */
    char **add_fields;      /* NULL-terminated */
    char **add_headers;
    char *fields_prefix;
    char *headers_prefix;
} unwrap;

static const char *const legacy_delete_modes[] = {"drop", "rewrite", "none", NULL};
static const char *const delete_tombstone_modes[] = {"drop", "tombstone", "rewrite",
                                                     "rewrite-with-tombstone",
                                                     "delete-to-tombstone", NULL};

static const ferry_config_key unwrap_config[] = {
    {.name = "drop.tombstones", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Drop tombstone records (null values). Ignored when "
                      "delete.tombstone.handling.mode is set."},
    {.name = "delete.handling.mode", .type = FERRY_CONFIG_STRING, .default_value = "drop",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = legacy_delete_modes,
     .documentation = "Delete events: drop them, keep them with a null value (none), or rewrite "
                      "them to the row before the delete plus __deleted=true (rewrite, which "
                      "adds __deleted=false to every other record). Ignored when "
                      "delete.tombstone.handling.mode is set."},
    {.name = "delete.tombstone.handling.mode", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = delete_tombstone_modes,
     .documentation = "Deletes and tombstones together (Debezium 2.5+): drop (both dropped), "
                      "tombstone (deletes dropped, tombstones kept), rewrite (deletes rewritten, "
                      "tombstones dropped), rewrite-with-tombstone (deletes rewritten, tombstones "
                      "kept), delete-to-tombstone (deletes become null values, tombstones "
                      "dropped)."},
    {.name = "add.fields", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Envelope fields copied into the value as <prefix><field>: op, ts_ms, or a "
                      "source field (table, lsn, source.ts_ms, ...); a dot becomes '_'."},
    {.name = "add.fields.prefix", .type = FERRY_CONFIG_STRING, .default_value = "__",
     .importance = FERRY_IMPORTANCE_LOW, .documentation = "Prefix of the added fields."},
    {.name = "add.headers", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Envelope fields copied into headers named <prefix><field>, as text."},
    {.name = "add.headers.prefix", .type = FERRY_CONFIG_STRING, .default_value = "__",
     .importance = FERRY_IMPORTANCE_LOW, .documentation = "Prefix of the added headers."},
    {.name = "route.by.field", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Not supported yet: accepted with a warning, records keep their topic."},
    {.name = "drop.fields.header.name", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Not supported yet: accepted with a warning."},
    {.name = "drop.fields.from.key", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Not supported yet: accepted with a warning."},
    {.name = "drop.fields.keep.schema.compatible", .type = FERRY_CONFIG_BOOLEAN,
     .default_value = "true", .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Not supported yet: accepted."},
    {.name = "replace.null.with.default", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Accepted for compatibility; null columns stay null."},
    {.name = NULL},
};

static char **list_copy(const char *const *items)
{
    size_t count = 0;
    while (items && items[count])
        count++;
    char **copy = calloc(count + 1, sizeof(*copy));
    for (size_t i = 0; copy && i < count; i++) {
        if (!(copy[i] = strdup(items[i]))) {
            for (size_t j = 0; j < i; j++)
                free(copy[j]);
            free(copy);
            return NULL;
        }
    }
    return copy;
}

static void list_free(char **items)
{
    for (size_t i = 0; items && items[i]; i++)
        free(items[i]);
    free(items);
}

static void unwrap_destroy(void *state)
{
    unwrap *self = state;
    if (!self)
        return;
    list_free(self->add_fields);
    list_free(self->add_headers);
    free(self->fields_prefix);
    free(self->headers_prefix);
    free(self);
}

static int unwrap_create(const ferry_config *config, const char *scope, void **state, char *err,
                         size_t errlen)
{
    unwrap *self = calloc(1, sizeof(*self));
    if (!self)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const char *mode = ferry_config_string(config, "delete.tombstone.handling.mode");
    if (mode && mode[0]) {
        self->deletes = strcmp(mode, "drop") == 0 || strcmp(mode, "tombstone") == 0
                            ? DELETE_DROP
                        : strcmp(mode, "delete-to-tombstone") == 0 ? DELETE_NULL
                                                                   : DELETE_REWRITE;
        self->keep_tombstones = strcmp(mode, "tombstone") == 0 ||
                                strcmp(mode, "rewrite-with-tombstone") == 0;
    } else {
        const char *legacy = ferry_config_string(config, "delete.handling.mode");
        self->deletes = strcmp(legacy, "rewrite") == 0 ? DELETE_REWRITE
                        : strcmp(legacy, "none") == 0  ? DELETE_NULL
                                                       : DELETE_DROP;
        self->keep_tombstones = !ferry_config_bool(config, "drop.tombstones");
    }
    self->rewrite = self->deletes == DELETE_REWRITE;
    self->add_fields = list_copy(ferry_config_list(config, "add.fields"));
    self->add_headers = list_copy(ferry_config_list(config, "add.headers"));
    self->fields_prefix = strdup(ferry_config_string(config, "add.fields.prefix"));
    self->headers_prefix = strdup(ferry_config_string(config, "add.headers.prefix"));
    if (!self->add_fields || !self->add_headers || !self->fields_prefix ||
        !self->headers_prefix) {
        unwrap_destroy(self);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    static const char *const unsupported[] = {"route.by.field", "drop.fields.header.name", NULL};
    for (size_t i = 0; unsupported[i]; i++) {
        const char *value = ferry_config_string(config, unsupported[i]);
        if (value && value[0])
            log_warn(scope, "%s is not supported yet and is ignored", unsupported[i]);
    }
    if (ferry_config_bool(config, "drop.fields.from.key"))
        log_warn(scope, "drop.fields.from.key is not supported yet and is ignored");
    *state = self;
    return 0;
}

/* ---- the envelope ------------------------------------------------------------------------- */

/* Where an added field's value lives: op and ts_ms* in the envelope, "source.x" and every other
 * name in the source block, "transaction.x" in the transaction block. Sets the value and the
 * Connect type of its schema (NULL when unknown). */
static json_t *envelope_field(json_t *envelope, json_t *schema, const char *name,
                              const char **type)
{
    const char *dot = strchr(name, '.');
    json_t *block = envelope, *block_schema = schema;
    const char *leaf = name;
    if (dot) {
        char parent[64];
        snprintf(parent, sizeof(parent), "%.*s", (int)(dot - name), name);
        block = json_object_get(envelope, parent);
        block_schema = connect_schema_field_find(schema, parent);
        leaf = dot + 1;
    } else if (strcmp(name, "op") != 0 && strncmp(name, "ts_", 3) != 0) {
        block = json_object_get(envelope, "source");
        block_schema = connect_schema_field_find(schema, "source");
    }
    json_t *field = connect_schema_field_find(block_schema, leaf);
    *type = json_string_value(json_object_get(field, "type"));
    return json_object_get(block, leaf);
}

static const char *json_connect_type(const json_t *value)
{
    if (json_is_integer(value))
        return "int64";
    if (json_is_real(value))
        return "double";
    if (json_is_boolean(value))
        return "boolean";
    return "string";
}

/* Adds name = value to the row (and an optional field of the type to its schema). */
static int row_field_add(json_t *row, json_t *row_schema, const char *name, json_t *value,
                         const char *type)
{
    if (json_object_set(row, name, value ? value : json_null()) != 0)
        return -1;
    if (!row_schema)
        return 0;
    json_t *fields = json_object_get(row_schema, "fields");
    return json_array_append_new(fields, json_pack("{s:s, s:b, s:s}", "type",
                                                   type ? type : json_connect_type(value),
                                                   "optional", 1, "field", name));
}

/* "<prefix><name with dots as underscores>" into out. */
static void prefixed_name(char *out, size_t size, const char *prefix, const char *name)
{
    snprintf(out, size, "%s%s", prefix, name);
    for (char *c = out + strlen(prefix); *c; c++)
        if (*c == '.')
            *c = '_';
}

static transform_result unwrap_apply(void *state, ferry_record *record, transform_output *output,
                                     char *err, size_t errlen)
{
    unwrap *self = state;
    ferry_data *value = &record->value;
    if (value->kind == FERRY_DATA_NULL)
        return self->keep_tombstones ? TRANSFORM_KEEP : TRANSFORM_DROP;
    if (value->kind != FERRY_DATA_JSON)
        return TRANSFORM_KEEP; /* text or bytes: not a change event */
    if (transform_data_tree(output, value, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *envelope = value->kind == FERRY_DATA_JSON ? value->json : NULL;
    const char *op = json_string_value(json_object_get(envelope, "op"));
    if (!op)
        return TRANSFORM_KEEP; /* not a change event: heartbeats, schema changes pass */
    if (strcmp(op, "t") == 0)
        return TRANSFORM_DROP;
    bool deleted = strcmp(op, "d") == 0;
    if (deleted && self->deletes == DELETE_DROP)
        return TRANSFORM_DROP;
    if (deleted && self->deletes == DELETE_NULL) {
        transform_data_set_null(value);
        return TRANSFORM_KEEP;
    }
    json_t *schema = value->schema;
    const char *state_field = deleted ? "before" : "after";
    json_t *row_state = json_object_get(envelope, state_field);
    if (!json_is_object(row_state)) {
        ferry_error_set(err, errlen, "a change event with op '%s' has no '%s' object", op,
                        state_field);
        return TRANSFORM_FAIL;
    }
    json_t *row = json_copy(row_state);
    json_t *row_schema = NULL;
    if (schema) {
        row_schema = json_deep_copy(connect_schema_field_find(schema, state_field));
        if (row_schema)
            json_object_del(row_schema, "field");
    }
    int rc = row ? 0 : -1;
    if (self->rewrite && rc == 0) {
        json_t *flag = json_string(deleted ? "true" : "false");
        char name[128];
        prefixed_name(name, sizeof(name), self->fields_prefix, "deleted");
        rc = row_field_add(row, row_schema, name, flag, "string");
        json_decref(flag);
    }
    for (size_t i = 0; rc == 0 && self->add_fields[i]; i++) {
        const char *type = NULL;
        json_t *field = envelope_field(envelope, schema, self->add_fields[i], &type);
        char name[128];
        prefixed_name(name, sizeof(name), self->fields_prefix, self->add_fields[i]);
        rc = row_field_add(row, row_schema, name, field, type);
    }
    for (size_t i = 0; rc == 0 && self->add_headers[i]; i++) {
        const char *type = NULL;
        json_t *field = envelope_field(envelope, schema, self->add_headers[i], &type);
        char name[128];
        prefixed_name(name, sizeof(name), self->headers_prefix, self->add_headers[i]);
        char *text = !field || json_is_null(field) ? NULL
                     : json_is_string(field)       ? strdup(json_string_value(field))
                                                   : json_dumps(field, JSON_ENCODE_ANY);
        if (field && !json_is_null(field) && !text)
            rc = -1;
        else
            rc = transform_header_add(output, record, name, text, text ? strlen(text) : 0);
        free(text);
    }
    if (rc != 0) {
        json_decref(row);
        json_decref(row_schema);
        ferry_error_set(err, errlen, "out of memory");
        return TRANSFORM_FAIL;
    }
    transform_data_set_json(value, row, row_schema);
    json_decref(row);
    json_decref(row_schema);
    return TRANSFORM_KEEP;
}

const transform_type extract_new_record_state_type = {
    .name = "ExtractNewRecordState",
    .aliases = (const char *const[]){"io.debezium.transforms.ExtractNewRecordState", NULL},
    .description = "Debezium's event flattening: a change event becomes the row after the "
                   "change, with delete and tombstone handling.",
    .config = unwrap_config,
    .needs = TRANSFORM_NEEDS_VALUE | TRANSFORM_NEEDS_HEADERS,
    .create = unwrap_create,
    .apply = unwrap_apply,
    .destroy = unwrap_destroy,
};
