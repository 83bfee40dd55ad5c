/*
 * extract_new_record_state.c - Debezium's ExtractNewRecordState ("unwrap") as Debezium 3.6 has
 * it: a change event (a value whose schema is named *.Envelope) becomes the row after the change,
 * deletes and tombstones as delete.tombstone.handling.mode says, with add.fields, add.headers,
 * route.by.field and the drop.fields.* keys. Other records pass unchanged; truncate events (no
 * row before or after) are dropped.
 *
 * Debezium 3.2 removed drop.tombstones and delete.handling.mode: they are accepted and ignored,
 * as Debezium 3.6 ignores them (with a warning). docs/transforms.md lists every key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "transforms/connect_schema.h"
#include "transforms/debezium_support.h"
#include "transforms/transform.h"

typedef enum delete_mode {
    DELETE_DROP,       /* the delete event disappears */
    DELETE_NULL_VALUE, /* a null value that keeps the row's schema (tombstone; legacy none) */
    DELETE_TOMBSTONE,  /* a null value without a schema (delete-to-tombstone) */
    DELETE_REWRITE,    /* the row before the delete plus __deleted: "true" */
} delete_mode;

/* One item of add.fields or add.headers (Debezium's FieldReference). */
typedef struct field_reference {
    char *parent; /* the envelope's field holding it ("source", "transaction"); NULL: the envelope */
    char *field;
    char *name;   /* the added field's or header's name, prefix included */
} field_reference;

typedef struct reference_list {
    field_reference *items;
    size_t count;
} reference_list;

typedef struct unwrap {
    delete_mode deletes;
    bool keep_tombstones;
    bool rewrite; /* creates and updates get __deleted: "false" */
    bool replace_null_with_default;
    reference_list fields;
    reference_list headers;
    char *route_by_field;     /* NULL: records keep their topic */
    char *drop_fields_header; /* NULL: no field is dropped */
    bool drop_fields_from_key;
    bool keep_schema_compatible;
    /* A row's schema -> the one with __deleted; an envelope schema -> the schema of what its
     * creates and updates, or its rewritten deletes, become with the added fields. */
    connect_schema_cache *marked_schemas;
    connect_schema_cache *after_schemas;
    connect_schema_cache *before_schemas;
} unwrap;

#define DELETED_FIELD "__deleted"

static const char *const delete_tombstone_modes[] = {"drop", "tombstone", "rewrite",
                                                     "rewrite-with-tombstone",
                                                     "delete-to-tombstone", NULL};

/* The end of the documentation of add.fields and add.headers, Debezium's words. */
#define ADDED_FIELDS_DOC                                                                         \
    ". Example: 'version,connector,source.ts_ms' would add __version, __connector and "         \
    "__source_ts_ms fields. Optionally one can also map new field name like "                   \
    "version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP.Please note that the new " \
    "field name is case-sensitive."

/* Debezium 3.6's ConfigDef (ExtractNewRecordStateConfigDefinition.CONFIG_FIELDS and the three
 * drop.fields keys), in its order, with its texts. */
static const ferry_config_key unwrap_config[] = {
    {.name = "delete.tombstone.handling.mode", .type = FERRY_CONFIG_STRING,
     .default_value = "tombstone", .importance = FERRY_IMPORTANCE_MEDIUM,
     .allowed_values = delete_tombstone_modes,
     .display_name = "Handle delete and tombstone records",
     .documentation = "How to handle delete records. Options are: drop - Remove the delete event "
                      "and tombstone from the stream.tombstone (default) - For each delete "
                      "event, leave only a tombstone in the stream.rewrite - Remove tombstone "
                      "from the record, and add a `__deleted` field with the value "
                      "`true`.rewrite-with-tombstone - Retain tombstone in record and add a "
                      "`__deleted` field with the value `true`.delete-to-tombstone - Convert "
                      "delete events to tombstone events and drop tombstone events."},
    {.name = "route.by.field", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .display_name = "Route by field name",
     .documentation = "The column which determines how the events will be routed, the value "
                      "will replace the topic name."},
    {.name = "add.fields.prefix", .type = FERRY_CONFIG_STRING, .default_value = "__",
     .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Field prefix to be added to each field.",
     .documentation = "Adds this prefix to each field listed."},
    {.name = "add.fields", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Adds the specified field(s) to the message if they exist.",
     .documentation = "Adds each field listed, prefixed with __ (or __<struct>_ if the struct is "
                      "specified)" ADDED_FIELDS_DOC},
    {.name = "add.headers.prefix", .type = FERRY_CONFIG_STRING, .default_value = "__",
     .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Header prefix to be added to each header.",
     .documentation = "Adds this prefix listed to each header."},
    {.name = "add.headers", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Adds the specified fields to the header if they exist.",
     .documentation = "Adds each field listed to the header,  __ (or __<struct>_ if the struct is "
                      "specified)" ADDED_FIELDS_DOC},
    {.name = "drop.fields.header.name", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Specifies a header that contains a list of field names to be removed",
     .documentation = "Specifies the name of a header that contains a list of fields to be "
                      "removed from the event value."},
    {.name = "drop.fields.from.key", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Specifies whether the fields to be dropped should also be omitted from "
                     "the key",
     .documentation = "Specifies whether to apply the drop fields behavior to the event key as "
                      "well as the value. Default behavior is to only remove fields from the "
                      "event value, not the key."},
    {.name = "drop.fields.keep.schema.compatible", .type = FERRY_CONFIG_BOOLEAN,
     .default_value = "true", .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Specifies if fields are dropped, will the event's schemas be compatible",
     .documentation = "Controls the output event's schema compatibility when using the drop "
                      "fields feature. `true`: dropped fields are removed if the schema "
                      "indicates its optional leaving the schemas unchanged, `false`: dropped "
                      "fields are removed from the key/value schemas, regardless of "
                      "optionality."},
    {.name = NULL},
};

/* ---- configuration ------------------------------------------------------------------------ */

static void references_free(reference_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].parent);
        free(list->items[i].field);
        free(list->items[i].name);
    }
    free(list->items);
    *list = (reference_list){0};
}

static void unwrap_destroy(void *state)
{
    unwrap *self = state;
    if (!self)
        return;
    references_free(&self->fields);
    references_free(&self->headers);
    free(self->route_by_field);
    free(self->drop_fields_header);
    connect_schema_cache_destroy(self->marked_schemas);
    connect_schema_cache_destroy(self->after_schemas);
    connect_schema_cache_destroy(self->before_schemas);
    free(self);
}

/* FieldReference.determineStruct: where an unqualified name lives. */
static const char *reference_parent(const char *field)
{
    if (strcmp(field, "id") == 0 || strcmp(field, "data_collection_order") == 0 ||
        strcmp(field, "total_order") == 0)
        return "transaction";
    if (strcmp(field, "op") == 0 || strcmp(field, "ts_ms") == 0 || strcmp(field, "ts_us") == 0 ||
        strcmp(field, "ts_ns") == 0)
        return NULL;
    if (strcmp(field, "updateDescription") == 0)
        return "updateDescription";
    return "source";
}

/* One item ("source.ts_ms", "op:OPERATION") as Debezium's FieldReference reads it. 0, 1 for an
 * item Debezium refuses, -1 when out of memory. */
static int reference_parse(const char *item, const char *prefix, field_reference *reference)
{
    strlist parts = {0}, splits = {0};
    int rc = debezium_split(item, ':', &parts);
    if (rc == 0 && (parts.count == 0 || parts.count > 2))
        rc = 1;
    if (rc == 0)
        rc = debezium_split(parts.items[0], '.', &splits);
    if (rc == 0 && splits.count == 0)
        rc = 1;
    if (rc == 0) {
        bool qualified = splits.count > 1;
        const char *field = qualified ? splits.items[1] : splits.items[0];
        const char *parent = qualified ? splits.items[0] : reference_parent(field);
        strbuf name = {0};
        strbuf_append_str(&name, prefix);
        if (parts.count == 2) {
            strbuf_append_str(&name, parts.items[1]);
        } else {
            if (qualified) {
                strbuf_append_str(&name, parent);
                strbuf_append_char(&name, '_');
            }
            strbuf_append_str(&name, field);
        }
        reference->name = strbuf_take(&name, NULL);
        reference->field = strdup(field);
        reference->parent = parent ? strdup(parent) : NULL;
        if (!reference->name || !reference->field || (parent && !reference->parent))
            rc = -1;
    }
    strlist_free(&parts);
    strlist_free(&splits);
    return rc;
}

/* add.fields or add.headers: split on commas and trimmed as Debezium splits them (empty items
 * kept: they name no field and add nothing). */
static int references_parse(const char *key, const char *text, const char *prefix,
                            reference_list *list, char *err, size_t errlen)
{
    strlist items = {0};
    int rc = text && text[0] ? debezium_split(text, ',', &items) : 0;
    if (rc == 0 && items.count &&
        !(list->items = calloc(items.count, sizeof(*list->items))))
        rc = -1;
    for (size_t i = 0; rc == 0 && i < items.count; i++) {
        size_t len = 0;
        const char *trimmed = debezium_trim(items.items[i], &len);
        char *item = strndup(trimmed, len);
        rc = item ? reference_parse(item, prefix, &list->items[list->count++]) : -1;
        if (rc == 1)
            ferry_error_set(err, errlen, "Invalid value %s for configuration %s: Unexpected "
                            "field name: %s", text, key, item);
        free(item);
    }
    if (rc < 0)
        ferry_error_set(err, errlen, "out of memory");
    strlist_free(&items);
    return rc == 0 ? 0 : -1;
}

/* Configuration.getBoolean: "true" or "false" in any case, trimmed; anything else is the
 * default, as Debezium reads a key it does not validate. */
static bool lenient_bool(const ferry_config *config, const char *key, bool fallback)
{
    const char *text = config_map_get(ferry_config_values(config), key);
    size_t len = 0;
    const char *trimmed = text ? debezium_trim(text, &len) : "";
    if (len == 4 && strncasecmp(trimmed, "true", 4) == 0)
        return true;
    if (len == 5 && strncasecmp(trimmed, "false", 5) == 0)
        return false;
    return fallback;
}

/* Whether a value equals word, trimmed and without case (Debezium's enum parse). */
static bool word_is(const char *text, const char *word)
{
    size_t len = 0;
    const char *trimmed = debezium_trim(text, &len);
    return strlen(word) == len && strncasecmp(trimmed, word, len) == 0;
}

/* delete.tombstone.handling.mode (default tombstone). Debezium 3.2 removed drop.tombstones and
 * delete.handling.mode, and ignores them since, as unknown keys: so does ferry, so that a config
 * gives what Debezium 3.6 gives for it, and says so in the log. */
static int unwrap_delete_handling(unwrap *self, const ferry_config *config, const char *scope,
                                  char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const config_map *values = ferry_config_values(config);
    const char *mode = ferry_config_string(config, "delete.tombstone.handling.mode");
    self->deletes = word_is(mode, "drop")                  ? DELETE_DROP
                    : word_is(mode, "tombstone")           ? DELETE_NULL_VALUE
                    : word_is(mode, "delete-to-tombstone") ? DELETE_TOMBSTONE
                                                           : DELETE_REWRITE;
    self->keep_tombstones = word_is(mode, "rewrite-with-tombstone");
    if (config_map_get(values, "drop.tombstones") || config_map_get(values, "delete.handling.mode"))
        log_warn(scope, "drop.tombstones and delete.handling.mode are ignored, as Debezium 3.2 "
                        "and later ignore them: deletes and tombstones follow "
                        "delete.tombstone.handling.mode (%s)", mode);
    return 0;
}

static int unwrap_create(const ferry_config *config, const char *scope, void **state, char *err,
                         size_t errlen)
{
    unwrap *self = calloc(1, sizeof(*self));
    if (!self)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (unwrap_delete_handling(self, config, scope, err, errlen) != 0)
        goto fail;
    self->rewrite = self->deletes == DELETE_REWRITE;
    self->replace_null_with_default = lenient_bool(config, "replace.null.with.default", true);
    self->drop_fields_from_key = ferry_config_bool(config, "drop.fields.from.key");
    self->keep_schema_compatible = ferry_config_bool(config, "drop.fields.keep.schema.compatible");
    if (references_parse("add.fields", ferry_config_string(config, "add.fields"),
                         ferry_config_string(config, "add.fields.prefix"), &self->fields, err,
                         errlen) != 0 ||
        references_parse("add.headers", ferry_config_string(config, "add.headers"),
                         ferry_config_string(config, "add.headers.prefix"), &self->headers, err,
                         errlen) != 0)
        goto fail;
    const char *route = ferry_config_string(config, "route.by.field");
    const char *drop_header = ferry_config_string(config, "drop.fields.header.name");
    if ((route && route[0] && !(self->route_by_field = strdup(route))) ||
        (!debezium_is_blank(drop_header) && !(self->drop_fields_header = strdup(drop_header))) ||
        !(self->marked_schemas = connect_schema_cache_new()) ||
        !(self->after_schemas = connect_schema_cache_new()) ||
        !(self->before_schemas = connect_schema_cache_new())) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    *state = self;
    return 0;
fail:
    unwrap_destroy(self);
    return -1;
}

/* ---- the envelope's fields ---------------------------------------------------------------- */

/* FieldReference.getField: the field of the envelope schema a reference names (in its parent,
 * or else at the top level), NULL in *field when neither has it. -1 with a message when the
 * parent is not a field of the envelope (Debezium fails there with a NullPointerException). */
static int reference_field(const field_reference *reference, const json_t *envelope_schema,
                           json_t **field, char *err, size_t errlen)
{
    const json_t *parent = envelope_schema;
    if (reference->parent && !(parent = connect_schema_field_find(envelope_schema,
                                                                  reference->parent)))
        return ferry_error_set(err, errlen, "the change event has no field '%s' for the "
                               "reference %s", reference->parent, reference->name), -1;
    if (connect_schema_field_get(parent, reference->field, field, err, errlen) != 0)
        return -1;
    if (!*field)
        *field = connect_schema_field_find(envelope_schema, reference->field);
    return 0;
}

/* FieldReference.getValue: raw, no default applied. */
static json_t *reference_value(const field_reference *reference, const json_t *envelope,
                               const json_t *envelope_schema)
{
    const json_t *parent = envelope, *parent_schema = envelope_schema;
    if (reference->parent) {
        parent = json_object_get(envelope, reference->parent);
        parent_schema = connect_schema_field_find(envelope_schema, reference->parent);
    }
    if (!parent || json_is_null(parent))
        return NULL;
    json_t *value = connect_schema_field_find(parent_schema, reference->field)
                        ? json_object_get(parent, reference->field)
                        : json_object_get(envelope, reference->field);
    return value && !json_is_null(value) ? value : NULL;
}

/* makeHeaders: one header per reference the envelope has; a tombstone gets only op, "d". */
static int unwrap_headers_add(const unwrap *self, ferry_record *record, transform_output *output,
                              const json_t *envelope, const json_t *schema, char *err,
                              size_t errlen)
{
    for (size_t i = 0; i < self->headers.count; i++) {
        const field_reference *reference = &self->headers.items[i];
        int rc = 0;
        if (!envelope) {
            if (strcmp(reference->field, "op") == 0)
                rc = transform_header_add(output, record, reference->name, "d", 1);
        } else {
            json_t *field = NULL;
            if (reference_field(reference, schema, &field, err, errlen) != 0)
                return -1;
            if (field)
                rc = debezium_header_add(output, record, reference->name, field,
                                         reference_value(reference, envelope, schema));
        }
        if (rc != 0)
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    return 0;
}

/* ---- the row ------------------------------------------------------------------------------ */

/* A schema's copy as InsertField and addFields make it: its name, version, doc and parameters,
 * required, and its fields. A new reference, or NULL with err. */
static json_t *struct_schema_copy(const json_t *schema, char *err, size_t errlen)
{
    json_t *copy = connect_schema_copy_basics_new(schema);
    if (!copy || json_object_set_new(copy, "fields", json_array()) != 0) {
        json_decref(copy);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        if (connect_schema_field_append(copy, connect_schema_field_name(field), field, err,
                                        errlen) != 0) {
            json_decref(copy);
            return NULL;
        }
    }
    return copy;
}

/* InsertField$Value with static.field=__deleted, static.value "true" or "false" (rewrite): the
 * row's schema copied with __deleted, an optional string, last; the values read with defaults
 * when replace.null.with.default. value and schema get new references. */
static int row_mark_deleted(unwrap *self, const json_t *row, const json_t *row_schema,
                            bool deleted, json_t **value, json_t **schema, char *err,
                            size_t errlen)
{
    *schema = json_incref(connect_schema_cache_get(self->marked_schemas, row_schema));
    if (!*schema) {
        json_t *flag = json_pack("{s:s, s:b}", "type", "string", "optional", 1);
        *schema = flag ? struct_schema_copy(row_schema, err, errlen) : NULL;
        if (*schema && connect_schema_field_append(*schema, DELETED_FIELD, flag, err,
                                                   errlen) != 0) {
            json_decref(*schema);
            *schema = NULL;
        }
        if (!flag)
            ferry_error_set(err, errlen, "out of memory");
        json_decref(flag);
        if (!*schema)
            return -1;
        connect_schema_cache_put(self->marked_schemas, (json_t *)row_schema, *schema);
    }
    json_t *out = json_object();
    const json_t *fields = json_object_get(row_schema, "fields");
    int rc = out ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < json_array_size(fields); i++) {
        const char *name = connect_schema_field_name(json_array_get(fields, i));
        if (!name)
            continue; /* a field without a name: nothing to copy */
        json_t *member = NULL;
        connect_schema_struct_get(row_schema, row, name, self->replace_null_with_default,
                                  &member, NULL, 0);
        rc = json_object_set(out, name, member ? member : json_null());
    }
    if (rc == 0)
        rc = json_object_set_new(out, DELETED_FIELD, json_string(deleted ? "true" : "false"));
    if (rc != 0) {
        json_decref(out);
        json_decref(*schema);
        *schema = NULL;
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    *value = out;
    return 0;
}

/* The schema addFields makes of the value's: copied, then one optional field for each
 * reference the envelope has (a copy of its schema's basics). A new reference, or NULL. */
static json_t *added_schema_build(const unwrap *self, const json_t *envelope_schema,
                                  const json_t *schema, char *err, size_t errlen)
{
    json_t *out = struct_schema_copy(schema, err, errlen);
    for (size_t i = 0; out && i < self->fields.count; i++) {
        const field_reference *reference = &self->fields.items[i];
        json_t *field = NULL;
        if (reference_field(reference, envelope_schema, &field, err, errlen) != 0) {
            json_decref(out);
            return NULL;
        }
        if (!field)
            continue;
        json_t *added = connect_schema_copy_basics_new(field);
        int rc = added ? connect_schema_optional_set(added, true) : -1;
        if (rc != 0)
            ferry_error_set(err, errlen, "out of memory");
        else
            rc = connect_schema_field_append(out, reference->name, added, err, errlen);
        json_decref(added);
        if (rc != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* addFields on the record's value (a Struct): its fields as they are, then the envelope's
 * fields add.fields names. cache (NULL: none) holds the schema made for an envelope schema, for
 * values whose schema follows from it. */
static int row_add_fields(const unwrap *self, ferry_data *data, const json_t *envelope,
                          const json_t *envelope_schema, connect_schema_cache *cache,
                          char *err, size_t errlen)
{
    const json_t *value = data->json, *schema = data->schema;
    if (connect_schema_require_struct(schema, value, "source field insertion", err, errlen) != 0)
        return -1;
    json_t *out_schema = cache ? json_incref(connect_schema_cache_get(cache, envelope_schema))
                               : NULL;
    if (!out_schema) {
        if (!(out_schema = added_schema_build(self, envelope_schema, schema, err, errlen)))
            return -1;
        if (cache)
            connect_schema_cache_put(cache, (json_t *)envelope_schema, out_schema);
    }
    json_t *out = json_object();
    int rc = out ? 0 : -1;
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; rc == 0 && i < json_array_size(fields); i++) {
        const char *name = connect_schema_field_name(json_array_get(fields, i));
        if (!name)
            continue; /* a field without a name: nothing to copy */
        json_t *member = json_object_get(value, name);
        rc = json_object_set(out, name, member ? member : json_null());
    }
    for (size_t i = 0; rc == 0 && i < self->fields.count; i++) {
        const field_reference *reference = &self->fields.items[i];
        json_t *field = connect_schema_field_find(out_schema, reference->name);
        if (!field)
            continue; /* the envelope does not have it */
        json_t *member = reference_value(reference, envelope, envelope_schema);
        if (member && connect_json_type(field) == CONNECT_TYPE_STRUCT) {
            /* Struct.put: the copy of the schema (no fields) is not the struct's own. */
            json_decref(out);
            json_decref(out_schema);
            return ferry_error_set(err, errlen, "Struct schemas do not match."), -1;
        }
        rc = json_object_set(out, reference->name, member ? member : json_null());
    }
    if (rc != 0) {
        json_decref(out);
        json_decref(out_schema);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    transform_data_take_json(data, out, out_schema);
    return 0;
}

/* ---- drop.fields.header.name --------------------------------------------------------------- */

/* The field names a header holds: its value as Values.parseString reads a list ("[a,b]",
 * ["a","b"]). 0 with the names (maybe none), 1 when the header is absent or null, -1 with a
 * message when it holds no list. */
static int drop_names_read(const unwrap *self, const ferry_record *record, strlist *names,
                           char *err, size_t errlen)
{
    const ferry_header *header = NULL;
    for (size_t i = 0; i < record->header_count && !header; i++)
        if (strcmp(record->headers[i].key, self->drop_fields_header) == 0)
            header = &record->headers[i];
    if (!header || !header->value)
        return 1;
    char *text = strndup(header->value, header->value_len);
    if (!text)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    size_t len = 0;
    const char *trimmed = debezium_trim(text, &len);
    int rc = 0;
    json_t *list = json_loadb(trimmed, len, JSON_DECODE_ANY, NULL);
    if (json_is_array(list)) {
        for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
            json_t *item = json_array_get(list, i);
            char *item_text = json_is_string(item) ? strdup(json_string_value(item))
                                                   : debezium_java_text(NULL, item);
            rc = item_text ? strlist_append(names, item_text, (size_t)-1) : -1;
            free(item_text);
        }
    } else if (len >= 2 && trimmed[0] == '[' && trimmed[len - 1] == ']') {
        /* Values' own syntax: unquoted items. */
        char *inner = strndup(trimmed + 1, len - 2);
        strlist raw = {0};
        rc = inner ? strlist_split(&raw, inner, ',') : -1;
        for (size_t i = 0; rc == 0 && i < raw.count; i++) {
            const char *item = raw.items[i];
            size_t item_len = strlen(item);
            if (item_len >= 2 && item[0] == '"' && item[item_len - 1] == '"')
                rc = strlist_append(names, item + 1, item_len - 2);
            else
                rc = strlist_append(names, item, item_len);
        }
        strlist_free(&raw);
        free(inner);
    } else {
        rc = -2;
    }
    json_decref(list);
    free(text);
    if (rc == -2)
        return ferry_error_set(err, errlen, "class java.lang.String cannot be cast to class "
                               "java.util.List (header %s)", self->drop_fields_header), -1;
    if (rc != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* getFieldsToDropFromSchema: all the names, or (keep.schema.compatible) those of the schema's
 * optional fields. */
static int drop_names_select(const unwrap *self, const json_t *schema, const strlist *names,
                             strlist *selected, char *err, size_t errlen)
{
    if (!self->keep_schema_compatible) {
        for (size_t i = 0; i < names->count; i++)
            if (strlist_append(selected, names->items[i], (size_t)-1) != 0)
                return ferry_error_set(err, errlen, "out of memory"), -1;
        return 0;
    }
    if (!schema)
        return ferry_error_set(err, errlen, "Cannot invoke \"org.apache.kafka.connect.data."
                               "Schema.fields()\" because \"schema\" is null"), -1;
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        if (name && connect_schema_is_optional(field) && strlist_contains(names, name) &&
            strlist_append(selected, name, (size_t)-1) != 0)
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    return 0;
}

/* ReplaceField with exclude=<names> on a key or value (a new ReplaceField each time, with its
 * default replace.null.with.default). */
static int drop_fields_apply(ferry_data *data, const strlist *exclude, char *err, size_t errlen)
{
    if (exclude->count == 0 || transform_data_is_null(data))
        return 0;
    json_t *value = data->json, *schema = data->schema;
    json_t *out = json_object(), *out_schema = NULL;
    if (!out)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = 0;
    if (!schema) {
        if (connect_schema_require_map(value, "field replacement", err, errlen) != 0) {
            json_decref(out);
            return -1;
        }
        const char *key;
        json_t *member;
        json_object_foreach(value, key, member) {
            if (rc == 0 && !strlist_contains(exclude, key))
                rc = json_object_set(out, key, member);
        }
    } else {
        if (connect_schema_require_struct(schema, value, "field replacement", err, errlen) != 0) {
            json_decref(out);
            return -1;
        }
        out_schema = connect_schema_copy_basics_new(schema);
        rc = out_schema ? json_object_set_new(out_schema, "fields", json_array()) : -1;
        const json_t *fields = json_object_get(schema, "fields");
        for (size_t i = 0; rc == 0 && i < json_array_size(fields); i++) {
            const json_t *field = json_array_get(fields, i);
            const char *name = connect_schema_field_name(field);
            if (!name || strlist_contains(exclude, name))
                continue;
            json_t *member = NULL;
            connect_schema_struct_get(schema, value, name, true, &member, NULL, 0);
            rc = connect_schema_field_append(out_schema, name, field, err, errlen) == 0 &&
                         json_object_set(out, name, member ? member : json_null()) == 0
                     ? 0
                     : -1;
        }
    }
    if (rc != 0) {
        json_decref(out);
        json_decref(out_schema);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    transform_data_take_json(data, out, out_schema);
    return 0;
}

static int unwrap_drop_fields(const unwrap *self, ferry_record *record,
                              transform_output *output, char *err, size_t errlen)
{
    if (!self->drop_fields_header)
        return 0;
    strlist names = {0}, key_fields = {0}, value_fields = {0};
    int rc = drop_names_read(self, record, &names, err, errlen);
    if (rc != 0 || names.count == 0) {
        strlist_free(&names);
        return rc < 0 ? -1 : 0;
    }
    if (self->drop_fields_from_key && !transform_data_is_null(&record->key)) {
        rc = transform_data_tree(output, &record->key, err, errlen);
        if (rc == 0)
            rc = drop_names_select(self, record->key.schema, &names, &key_fields, err, errlen);
        if (rc == 0)
            rc = drop_fields_apply(&record->key, &key_fields, err, errlen);
    }
    if (rc == 0)
        rc = drop_names_select(self, record->value.schema, &names, &value_fields, err, errlen);
    if (rc == 0)
        rc = drop_fields_apply(&record->value, &value_fields, err, errlen);
    strlist_free(&names);
    strlist_free(&key_fields);
    strlist_free(&value_fields);
    return rc;
}

/* ---- route.by.field ----------------------------------------------------------------------- */

/* setTopic: the row's route.by.field, unless it is null or blank. */
static int unwrap_route(const unwrap *self, ferry_record *record, transform_output *output,
                        const json_t *row, const json_t *row_schema, char *err, size_t errlen)
{
    json_t *topic = NULL;
    if (debezium_struct_get_typed(row_schema, row, self->route_by_field, CONNECT_TYPE_STRING,
                                  &topic, err, errlen) != 0)
        return -1;
    if (debezium_is_blank(json_string_value(topic)))
        return 0;
    const char *text = transform_keep_text(output, json_string_value(topic),
                                           json_string_length(topic));
    if (!text)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    record->topic = text;
    return 0;
}

/* ---- applying ----------------------------------------------------------------------------- */

/* A delete event (no row after, a row before): handleDeleteRecord, then route.by.field from
 * the row before, drop.fields, and add.fields when a value is left. */
static int unwrap_delete(unwrap *self, ferry_record *record, transform_output *output,
                         const json_t *envelope, const json_t *envelope_schema,
                         const json_t *after_field, const json_t *before, char *err,
                         size_t errlen)
{
    const json_t *before_field = connect_schema_field_find(envelope_schema, "before");
    json_t *value = NULL, *schema = NULL;
    switch (self->deletes) {
    case DELETE_DROP:
        return 1;
    case DELETE_NULL_VALUE:
        /* ExtractField("after"): a null value under after's schema, which a JDBC sink reads as
         * a flattened delete (Debezium's note). */
        value = json_null();
        if (!(schema = connect_schema_field_schema(after_field)))
            return ferry_error_set(err, errlen, "out of memory"), -1;
        break;
    case DELETE_TOMBSTONE:
        break;
    case DELETE_REWRITE:
        if (json_is_object(before) && connect_json_type(before_field) == CONNECT_TYPE_STRUCT) {
            if (row_mark_deleted(self, before, before_field, true, &value, &schema, err,
                                 errlen) != 0)
                return -1;
        } else {
            value = json_incref((json_t *)before);
            if (!(schema = connect_schema_field_schema(before_field))) {
                json_decref(value);
                return ferry_error_set(err, errlen, "out of memory"), -1;
            }
        }
        break;
    }
    json_t *unwrapped_schema = schema;
    transform_data_take_json(&record->value, value, schema);
    if (self->route_by_field) {
        json_t *old_before = NULL;
        if (debezium_struct_get_typed(envelope_schema, envelope, "before", CONNECT_TYPE_STRUCT,
                                      &old_before, err, errlen) != 0 ||
            unwrap_route(self, record, output, old_before, before_field, err, errlen) != 0)
            return -1;
    }
    if (unwrap_drop_fields(self, record, output, err, errlen) != 0)
        return -1;
    if (transform_data_is_null(&record->value))
        return 0;
    /* The schema follows from the envelope's unless drop.fields made a new one. */
    connect_schema_cache *cache =
        record->value.schema == unwrapped_schema ? self->before_schemas : NULL;
    return row_add_fields(self, &record->value, envelope, envelope_schema, cache, err, errlen);
}

/* A create, read or update: handleRecord, route.by.field from what it gave, add.fields, then
 * drop.fields. */
static int unwrap_row(unwrap *self, ferry_record *record, transform_output *output,
                      const json_t *envelope, const json_t *envelope_schema,
                      const json_t *after_field, const json_t *after, char *err, size_t errlen)
{
    json_t *value = NULL, *schema = NULL;
    if (self->rewrite && json_is_object(after) &&
        connect_json_type(after_field) == CONNECT_TYPE_STRUCT) {
        if (row_mark_deleted(self, after, after_field, false, &value, &schema, err, errlen) != 0)
            return -1;
    } else {
        value = json_incref((json_t *)after);
        if (!(schema = connect_schema_field_schema(after_field))) {
            json_decref(value);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
    }
    transform_data_take_json(&record->value, value, schema);
    if (self->route_by_field) {
        if (connect_schema_require_struct(record->value.schema, record->value.json,
                                          "Read record to set topic routing for CREATE / UPDATE",
                                          err, errlen) != 0 ||
            unwrap_route(self, record, output, record->value.json, record->value.schema, err,
                         errlen) != 0)
            return -1;
    }
    if (row_add_fields(self, &record->value, envelope, envelope_schema, self->after_schemas, err,
                       errlen) != 0)
        return -1;
    return unwrap_drop_fields(self, record, output, err, errlen);
}

static transform_result unwrap_apply(void *state, ferry_record *record, transform_output *output,
                                     char *err, size_t errlen)
{
    unwrap *self = state;
    ferry_data *data = &record->value;
    if (transform_data_is_null(data)) {
        if (self->headers.count &&
            unwrap_headers_add(self, record, output, NULL, NULL, err, errlen) != 0)
            return TRANSFORM_FAIL;
        return self->keep_tombstones ? TRANSFORM_KEEP : TRANSFORM_DROP;
    }
    if (!debezium_is_envelope(data))
        return TRANSFORM_KEEP; /* heartbeats, schema changes, anything else */
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    /* The envelope is read after the record's value is replaced: hold it until the end. */
    json_t *envelope = json_incref(data->json), *schema = json_incref(data->schema);
    int rc = 0;
    const json_t *after_field = NULL;
    json_t *after = NULL, *before = NULL;
    /* ExtractField$Value("after"), and "before" when there is no row after */
    if (connect_schema_require_struct(schema, envelope, "field extraction", err, errlen) != 0 ||
        (self->headers.count &&
         unwrap_headers_add(self, record, output, envelope, schema, err, errlen) != 0))
        rc = -1;
    else if (!(after_field = connect_schema_field_find(schema, "after")))
        rc = (ferry_error_set(err, errlen, "Unknown field: after"), -1);
    else if (connect_schema_struct_get(schema, envelope, "after", true, &after, NULL, 0), after)
        rc = unwrap_row(self, record, output, envelope, schema, after_field, after, err, errlen);
    else if (!connect_schema_field_find(schema, "before"))
        rc = (ferry_error_set(err, errlen, "Unknown field: before"), -1);
    else if (connect_schema_struct_get(schema, envelope, "before", true, &before, NULL, 0),
             !before)
        rc = 1; /* a truncate: no row before or after */
    else
        rc = unwrap_delete(self, record, output, envelope, schema, after_field, before, err,
                           errlen);
    json_decref(envelope);
    json_decref(schema);
    return rc < 0 ? TRANSFORM_FAIL : rc > 0 ? TRANSFORM_DROP : TRANSFORM_KEEP;
}

const transform_type extract_new_record_state_type = {
    .name = "ExtractNewRecordState",
    .aliases = (const char *const[]){"io.debezium.transforms.ExtractNewRecordState", NULL},
    .description = "Debezium's event flattening: a change event becomes the row after the "
                   "change, with delete and tombstone handling.",
    .config = unwrap_config,
    .needs = TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_VALUE | TRANSFORM_NEEDS_HEADERS,
    .create = unwrap_create,
    .apply = unwrap_apply,
    .destroy = unwrap_destroy,
};
