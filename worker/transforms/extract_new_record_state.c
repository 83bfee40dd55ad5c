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

/* The field rewrite modes add, whatever add.fields.prefix says. */
#define DELETED_FIELD "__deleted"

/* One entry of add.fields or add.headers (Debezium's FieldReference). */
typedef struct field_ref {
    char *block; /* the envelope's struct it is read from; NULL: the envelope itself */
    char *field;
    char *name;  /* the field's or header's name: prefix + alias, or + [block_]field */
} field_ref;

typedef struct unwrap {
    delete_mode deletes;
    bool keep_tombstones;
    bool rewrite;           /* every record gets __deleted */
    field_ref *add_fields;  /* ends with a NULL field */
    field_ref *add_headers;
    char *route_by_field;   /* NULL: no routing */
    /* The output schema for an envelope schema, one cache for `after`, one for `before`. */
    connect_schema_cache *after_schemas;
    connect_schema_cache *before_schemas;
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
                      "source field (table, lsn, source.ts_ms, ...; id, total_order and "
                      "data_collection_order are the transaction's); <struct>.<field> is named "
                      "<prefix><struct>_<field>, <field>:<alias> <prefix><alias>."},
    {.name = "add.fields.prefix", .type = FERRY_CONFIG_STRING, .default_value = "__",
     .importance = FERRY_IMPORTANCE_LOW, .documentation = "Prefix of the added fields."},
    {.name = "add.headers", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Envelope fields copied into headers named <prefix><field>, as text."},
    {.name = "add.headers.prefix", .type = FERRY_CONFIG_STRING, .default_value = "__",
     .importance = FERRY_IMPORTANCE_LOW, .documentation = "Prefix of the added headers."},
    {.name = "route.by.field", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "A field of the row whose text becomes the record's topic (the row before "
                      "a delete); a null or blank value keeps the topic."},
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

static void refs_free(field_ref *refs)
{
    for (size_t i = 0; refs && refs[i].field; i++) {
        free(refs[i].block);
        free(refs[i].field);
        free(refs[i].name);
    }
    free(refs);
}

/* The struct of the envelope an unqualified name is read from (Debezium's determineStruct). */
static const char *ref_block(const char *field)
{
    static const char *const transaction[] = {"id", "total_order", "data_collection_order", NULL};
    static const char *const envelope[] = {"op", "ts_ms", "ts_us", "ts_ns", NULL};
    for (size_t i = 0; transaction[i]; i++)
        if (strcmp(field, transaction[i]) == 0)
            return "transaction";
    for (size_t i = 0; envelope[i]; i++)
        if (strcmp(field, envelope[i]) == 0)
            return NULL;
    return strcmp(field, "updateDescription") == 0 ? "updateDescription" : "source";
}

/* "[struct.]field[:alias]" as Debezium's FieldReference reads it: a part after a second dot is
 * ignored, a second colon is refused. 0, or -1 with a message naming key. */
static int ref_parse(const char *item, const char *prefix, const char *key, field_ref *ref,
                     char *err, size_t errlen)
{
    const char *colon = strchr(item, ':');
    if (colon && strchr(colon + 1, ':'))
        return ferry_error_set(err, errlen, "Invalid value %s for configuration %s: Unexpected "
                               "field name: %s", item, key, item), -1;
    size_t path_len = colon ? (size_t)(colon - item) : strlen(item);
    const char *alias = colon && colon[1] ? colon + 1 : NULL;
    const char *dot = memchr(item, '.', path_len);
    if (dot) {
        const char *end = memchr(dot + 1, '.', path_len - (size_t)(dot + 1 - item));
        ref->block = strndup(item, (size_t)(dot - item));
        ref->field = strndup(dot + 1, (size_t)((end ? end : item + path_len) - (dot + 1)));
    } else {
        ref->field = strndup(item, path_len);
        const char *block = ref->field ? ref_block(ref->field) : NULL;
        ref->block = block ? strdup(block) : NULL;
        if (block && !ref->block)
            goto oom;
    }
    if (!ref->field || (dot && !ref->block))
        goto oom;
    size_t size = strlen(prefix) + strlen(item) + 2;
    if (!(ref->name = malloc(size)))
        goto oom;
    if (alias)
        snprintf(ref->name, size, "%s%s", prefix, alias);
    else if (dot)
        snprintf(ref->name, size, "%s%s_%s", prefix, ref->block, ref->field);
    else
        snprintf(ref->name, size, "%s%s", prefix, ref->field);
    return 0;
oom:
    return ferry_error_set(err, errlen, "out of memory"), -1;
}

/* The references of add.fields or add.headers. NULL with a message. */
static field_ref *refs_parse(const ferry_config *config, const char *key, const char *prefix_key,
                             char *err, size_t errlen)
{
    const char *const *items = ferry_config_list(config, key);
    const char *prefix = ferry_config_string(config, prefix_key);
    size_t count = 0;
    while (items && items[count])
        count++;
    field_ref *refs = calloc(count + 1, sizeof(*refs));
    if (!refs) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (ref_parse(items[i], prefix ? prefix : "", key, &refs[i], err, errlen) != 0) {
            refs_free(refs);
            return NULL;
        }
    }
    return refs;
}

static void unwrap_destroy(void *state)
{
    unwrap *self = state;
    if (!self)
        return;
    refs_free(self->add_fields);
    refs_free(self->add_headers);
    free(self->route_by_field);
    connect_schema_cache_destroy(self->after_schemas);
    connect_schema_cache_destroy(self->before_schemas);
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
    const char *route = ferry_config_string(config, "route.by.field");
    if (!(self->add_fields = refs_parse(config, "add.fields", "add.fields.prefix", err,
                                        errlen)) ||
        !(self->add_headers = refs_parse(config, "add.headers", "add.headers.prefix", err,
                                         errlen))) {
        unwrap_destroy(self);
        return -1;
    }
    self->after_schemas = connect_schema_cache_new();
    self->before_schemas = connect_schema_cache_new();
    if ((route && route[0] && !(self->route_by_field = strdup(route))) ||
        !self->after_schemas || !self->before_schemas) {
        unwrap_destroy(self);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    const char *drop_header = ferry_config_string(config, "drop.fields.header.name");
    if (drop_header && drop_header[0])
        log_warn(scope, "drop.fields.header.name is not supported yet and is ignored");
    if (ferry_config_bool(config, "drop.fields.from.key"))
        log_warn(scope, "drop.fields.from.key is not supported yet and is ignored");
    *state = self;
    return 0;
}

/* ---- the envelope ------------------------------------------------------------------------- */

/* A reference's value (borrowed, NULL for a null) and the schema field it is read from (Debezium's
 * getValue and getSchema): a name its struct's schema lacks is read from the envelope itself.
 * 1 with them; 0 when the envelope's schema has no such field (Debezium skips the reference);
 * -1 when it has no such struct (a NullPointerException in Debezium). Without a schema the value
 * is read the same way and *field is NULL. */
static int ref_find(const field_ref *ref, json_t *envelope, json_t *schema, json_t **value,
                    json_t **field)
{
    json_t *parent = ref->block ? json_object_get(envelope, ref->block) : envelope;
    *field = NULL;
    *value = NULL;
    if (schema) {
        json_t *block = ref->block ? connect_schema_field_find(schema, ref->block) : schema;
        if (!block)
            return -1;
        *field = connect_schema_field_find(block, ref->field);
        if (!*field) {
            if (!(*field = connect_schema_field_find(schema, ref->field)))
                return 0;
            parent = envelope;
        }
    } else if (json_is_object(parent) && !json_object_get(parent, ref->field) &&
               json_object_get(envelope, ref->field)) {
        parent = envelope;
    }
    *value = json_is_object(parent) ? json_object_get(parent, ref->field) : NULL;
    if (json_is_null(*value))
        *value = NULL;
    return 1;
}

static int ref_missing_struct(const field_ref *ref, char *err, size_t errlen)
{
    return ferry_error_set(err, errlen, "the change event's schema has no '%s' field for '%s'",
                           ref->block, ref->field), -1;
}

/* The output schema for a row of an envelope: the row's struct schema rebuilt (copySchemaBasics:
 * required, no default) with __deleted in rewrite modes and the added fields, each an optional
 * copy of the basics of the schema it is read from. A new reference, or NULL with a message. */
static json_t *row_schema_build(const unwrap *self, json_t *envelope_schema, json_t *row_field,
                                char *err, size_t errlen)
{
    json_t *schema = connect_schema_copy_basics_new(row_field);
    json_t *fields = json_object_get(row_field, "fields");
    size_t index;
    json_t *field;
    if (!schema)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    json_array_foreach(fields, index, field) {
        if (connect_schema_field_append(schema, connect_schema_field_name(field), field, err,
                                        errlen) != 0)
            goto fail;
    }
    if (self->rewrite) {
        json_t *string = json_pack("{s:s, s:b}", "type", "string", "optional", 1);
        int rc = string ? connect_schema_field_append(schema, DELETED_FIELD, string, err, errlen)
                        : -1;
        json_decref(string);
        if (rc != 0)
            goto fail;
    }
    for (size_t i = 0; self->add_fields[i].field; i++) {
        json_t *value, *source;
        int found = ref_find(&self->add_fields[i], NULL, envelope_schema, &value, &source);
        if (found < 0) {
            ref_missing_struct(&self->add_fields[i], err, errlen);
            goto fail;
        }
        if (found == 0)
            continue;
        json_t *copy = connect_schema_copy_basics_new(source);
        int rc = copy && connect_schema_optional_set(copy, true) == 0
                     ? connect_schema_field_append(schema, self->add_fields[i].name, copy, err,
                                                   errlen)
                     : (ferry_error_set(err, errlen, "out of memory"), -1);
        json_decref(copy);
        if (rc != 0)
            goto fail;
    }
    return schema;
fail:
    json_decref(schema);
    return NULL;
}

/* The row of a change event with __deleted and the added fields (and its schema, when the
 * envelope has one, from the cache). 0, or -1 with a message. */
static int row_make(unwrap *self, json_t *envelope, json_t *schema, const char *state_field,
                    bool deleted, json_t **row_out, json_t **schema_out, char *err,
                    size_t errlen)
{
    json_t *row = json_copy(json_object_get(envelope, state_field));
    json_t *row_schema = NULL;
    *row_out = *schema_out = NULL;
    if (!row)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (schema) {
        connect_schema_cache *cache = deleted ? self->before_schemas : self->after_schemas;
        row_schema = json_incref(connect_schema_cache_get(cache, schema));
        if (!row_schema) {
            row_schema = row_schema_build(self, schema,
                                          connect_schema_field_find(schema, state_field), err,
                                          errlen);
            if (!row_schema || connect_schema_cache_put(cache, schema, row_schema) != 0) {
                json_decref(row);
                json_decref(row_schema);
                return -1;
            }
        }
    }
    int rc = 0;
    if (self->rewrite)
        rc = json_object_set_new(row, DELETED_FIELD, json_string(deleted ? "true" : "false"));
    for (size_t i = 0; rc == 0 && self->add_fields[i].field; i++) {
        json_t *value, *field;
        int found = ref_find(&self->add_fields[i], envelope, schema, &value, &field);
        if (found < 0) {
            rc = ref_missing_struct(&self->add_fields[i], err, errlen);
            break;
        }
        if (found > 0)
            rc = json_object_set(row, self->add_fields[i].name, value ? value : json_null());
    }
    if (rc != 0) {
        if (!err[0])
            ferry_error_set(err, errlen, "out of memory");
        json_decref(row);
        json_decref(row_schema);
        return -1;
    }
    *row_out = row;
    *schema_out = row_schema;
    return 0;
}

/* A header's text as SimpleHeaderConverter writes the value: strings as they are, numbers and
 * booleans as JSON writes them; NULL for a null. 0, or -1 when out of memory. */
static int header_text(json_t *value, char **text)
{
    *text = NULL;
    if (!value || json_is_null(value))
        return 0;
    *text = json_is_string(value) ? strdup(json_string_value(value))
                                  : json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    return *text ? 0 : -1;
}

/* add.headers of a change event, appended to the record's own. 0, or -1 with a message. */
static int headers_add(unwrap *self, ferry_record *record, json_t *envelope, json_t *schema,
                       transform_output *output, char *err, size_t errlen)
{
    for (size_t i = 0; self->add_headers[i].field; i++) {
        json_t *value, *field;
        int found = ref_find(&self->add_headers[i], envelope, schema, &value, &field);
        if (found < 0)
            return ref_missing_struct(&self->add_headers[i], err, errlen);
        if (found == 0)
            continue;
        char *text;
        if (header_text(value, &text) != 0 ||
            transform_header_add(output, record, self->add_headers[i].name, text,
                                 text ? strlen(text) : 0) != 0) {
            free(text);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
        free(text);
    }
    return 0;
}

/* route.by.field: the topic becomes the text of the row's field; null or blank keeps it. */
static int topic_route(unwrap *self, ferry_record *record, json_t *row, json_t *row_schema,
                       transform_output *output, char *err, size_t errlen)
{
    if (!self->route_by_field)
        return 0;
    if (row_schema && !connect_schema_field_find(row_schema, self->route_by_field))
        return ferry_error_set(err, errlen, "%s is not a valid field name",
                               self->route_by_field), -1;
    json_t *value = json_object_get(row, self->route_by_field);
    if (!value || json_is_null(value))
        return 0;
    if (!json_is_string(value))
        return ferry_error_set(err, errlen, "Field '%s' is not of type STRING",
                               self->route_by_field), -1;
    const char *topic = json_string_value(value);
    if (topic[strspn(topic, " \t\n\r\f\v")] == '\0')
        return 0;
    char *kept = transform_keep_text(output, topic, json_string_length(value));
    if (!kept)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    record->topic = kept;
    return 0;
}

static transform_result unwrap_apply(void *state, ferry_record *record, transform_output *output,
                                     char *err, size_t errlen)
{
    unwrap *self = state;
    ferry_data *value = &record->value;
    if (value->kind == FERRY_DATA_NULL) {
        if (!self->keep_tombstones)
            return TRANSFORM_DROP;
        /* Debezium gives a tombstone it keeps the one header it can: op, a delete's "d". */
        for (size_t i = 0; self->add_headers[i].field; i++) {
            const field_ref *ref = &self->add_headers[i];
            if (!ref->block && strcmp(ref->field, "op") == 0 &&
                transform_header_add(output, record, ref->name, "d", 1) != 0) {
                ferry_error_set(err, errlen, "out of memory");
                return TRANSFORM_FAIL;
            }
        }
        return TRANSFORM_KEEP;
    }
    if (value->kind != FERRY_DATA_JSON)
        return TRANSFORM_KEEP; /* text or bytes: not a change event */
    if (transform_data_tree(output, value, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *envelope = value->kind == FERRY_DATA_JSON ? value->json : NULL;
    const char *op = json_string_value(json_object_get(envelope, "op"));
    if (!op)
        return TRANSFORM_KEEP; /* not a change event: heartbeats, schema changes pass */
    json_t *schema = value->schema;
    /* Debezium adds the headers before it decides what becomes of the event. */
    if (headers_add(self, record, envelope, schema, output, err, errlen) != 0)
        return TRANSFORM_FAIL;
    if (strcmp(op, "t") == 0)
        return TRANSFORM_DROP;
    bool deleted = strcmp(op, "d") == 0;
    if (deleted && self->deletes == DELETE_DROP)
        return TRANSFORM_DROP;
    const char *state_field = deleted ? "before" : "after";
    json_t *row_state = json_object_get(envelope, state_field);
    if (!json_is_object(row_state)) {
        ferry_error_set(err, errlen, "a change event with op '%s' has no '%s' object", op,
                        state_field);
        return TRANSFORM_FAIL;
    }
    if (deleted && self->deletes == DELETE_NULL) {
        /* The route reads the row before the delete. */
        if (topic_route(self, record, row_state,
                        connect_schema_field_find(schema, state_field), output, err,
                        errlen) != 0)
            return TRANSFORM_FAIL;
        transform_data_set_null(value);
        return TRANSFORM_KEEP;
    }
    json_t *row, *row_schema;
    if (row_make(self, envelope, schema, state_field, deleted, &row, &row_schema, err,
                 errlen) != 0)
        return TRANSFORM_FAIL;
    /* Debezium routes a delete by the row before it, anything else by the row it made. */
    int rc = deleted ? topic_route(self, record, row_state,
                                   connect_schema_field_find(schema, state_field), output, err,
                                   errlen)
                     : topic_route(self, record, row, row_schema, output, err, errlen);
    if (rc == 0)
        transform_data_set_json(value, row, row_schema);
    json_decref(row);
    json_decref(row_schema);
    return rc == 0 ? TRANSFORM_KEEP : TRANSFORM_FAIL;
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
