/*
 * insert_field.c - Kafka Connect's InsertField$Key and InsertField$Value: fields taken from the
 * record (topic, partition, Kafka offset, timestamp) or a configured static string, added to a
 * struct (its schema gains them, optional unless the name ends with `!`) or to a schemaless map.
 * A null key or value passes unchanged. docs/transforms.md lists every key.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "transforms/connect_schema.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

#define INSERT_FIELD_OPTIONALITY_DOC                                                             \
    "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it "    \
    "optional (the default)."

static const ferry_config_key insert_field_config[] = {
    {.name = "topic.field", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Field name for Kafka topic. " INSERT_FIELD_OPTIONALITY_DOC},
    {.name = "partition.field", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Field name for Kafka partition. " INSERT_FIELD_OPTIONALITY_DOC},
    {.name = "offset.field", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Field name for Kafka offset - only applicable to sink connectors.<br/>"
                      INSERT_FIELD_OPTIONALITY_DOC},
    {.name = "timestamp.field", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Field name for record timestamp. " INSERT_FIELD_OPTIONALITY_DOC},
    {.name = "static.field", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Field name for static data field. " INSERT_FIELD_OPTIONALITY_DOC},
    {.name = "static.value", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Static field value, if field name configured."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

/* What a field holds, in the order Java inserts them. */
typedef enum insertion {
    INSERT_TOPIC,
    INSERT_PARTITION,
    INSERT_OFFSET,
    INSERT_TIMESTAMP,
    INSERT_STATIC,
    INSERT_COUNT,
} insertion;

static const char *const insertion_keys[INSERT_COUNT] = {
    "topic.field", "partition.field", "offset.field", "timestamp.field", "static.field"};

/* InsertionSpec: a name (NULL: nothing inserted) and whether its field is optional. */
typedef struct insertion_spec {
    char *name;
    bool optional;
} insertion_spec;

typedef struct insert_field {
    bool key; /* InsertField$Key */
    insertion_spec specs[INSERT_COUNT];
    char *static_value;
    bool replace_null_with_default;
    connect_schema_cache *cache;
} insert_field;

static void insert_field_destroy(void *state)
{
    insert_field *self = state;
    if (!self)
        return;
    for (size_t i = 0; i < INSERT_COUNT; i++)
        free(self->specs[i].name);
    free(self->static_value);
    connect_schema_cache_destroy(self->cache);
    free(self);
}

/* InsertionSpec.parse: one trailing `?` (optional) or `!` (required) is cut from the name. */
static void insertion_spec_parse(insertion_spec *spec)
{
    size_t len = spec->name ? strlen(spec->name) : 0;
    spec->optional = true;
    if (len > 0 && (spec->name[len - 1] == '?' || spec->name[len - 1] == '!')) {
        spec->optional = spec->name[len - 1] == '?';
        spec->name[len - 1] = '\0';
    }
}

static int insert_field_create(const ferry_config *config, const char *scope, bool key,
                               void **state, char *err, size_t errlen)
{
    (void)scope;
    insert_field *self = calloc(1, sizeof(*self));
    if (!self || !(self->cache = connect_schema_cache_new()))
        goto oom;
    self->key = key;
    bool any = false;
    for (size_t i = 0; i < INSERT_COUNT; i++) {
        if (java_config_string(config, insertion_keys[i], &self->specs[i].name) != 0)
            goto oom;
        any = any || self->specs[i].name;
    }
    char *static_spec = self->specs[INSERT_STATIC].name;
    if (java_config_string(config, "static.value", &self->static_value) != 0)
        goto oom;
    self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
    if (!any) {
        ferry_error_set(err, errlen, "No field insertion configured");
        goto fail;
    }
    if (static_spec && !self->static_value) {
        /* Java prints the InsertionSpec object here; its name as configured says more. */
        ferry_error_set(err, errlen, "Invalid value null for configuration static.value: No value "
                        "specified for static field: %s", static_spec);
        goto fail;
    }
    for (size_t i = 0; i < INSERT_COUNT; i++)
        insertion_spec_parse(&self->specs[i]);
    *state = self;
    return 0;
oom:
    ferry_error_set(err, errlen, "out of memory");
fail:
    insert_field_destroy(self);
    return -1;
}

FIELD_TRANSFORM_CREATE_SIDES(insert_field)

/* ---- the inserted values ------------------------------------------------------------------ */

/* The value of an insertion for record: *value a new reference, NULL where Java's is null (no
 * partition, no timestamp, no topic). An offset needs a sink record (Requirements'
 * requireSinkRecord). 0, or -1 with err. */
static int insertion_value(const insert_field *self, insertion what, const ferry_record *record,
                           transform_side side, json_t **value, char *err, size_t errlen)
{
    *value = NULL;
    switch (what) {
    case INSERT_TOPIC:
        if (record->topic && !(*value = json_string(record->topic)))
            return ferry_error_set(err, errlen, "the topic is not valid UTF-8"), -1;
        return 0;
    case INSERT_PARTITION:
        if (record->partition != FERRY_PARTITION_ANY)
            *value = json_integer(record->partition);
        break;
    case INSERT_OFFSET:
        if (side != TRANSFORM_SIDE_SINK)
            return ferry_error_set(err, errlen, "Only SinkRecord supported for [field insertion], "
                                   "found: org.apache.kafka.connect.source.SourceRecord"), -1;
        *value = json_integer(record->kafka_offset);
        break;
    case INSERT_TIMESTAMP:
        if (record->timestamp_ms != FERRY_TIMESTAMP_NONE)
            *value = json_integer(record->timestamp_ms);
        break;
    case INSERT_STATIC:
        *value = json_string(self->static_value);
        if (!*value)
            return ferry_error_set(err, errlen, "static.value is not valid UTF-8"), -1;
        return 0;
    case INSERT_COUNT:
        break;
    }
    return 0;
}

/* Whether Java puts the insertion at all: partition and timestamp only when there is one. */
static bool insertion_put(insertion what, const ferry_record *record)
{
    if (what == INSERT_PARTITION)
        return record->partition != FERRY_PARTITION_ANY;
    if (what == INSERT_TIMESTAMP)
        return record->timestamp_ms != FERRY_TIMESTAMP_NONE;
    return true;
}

/* ---- without a schema: a map -------------------------------------------------------------- */

/* A copy of the map with the insertions put into it, each replacing a key of its name. Java's
 * HashMap has an order of its own; the copy keeps the map's order and appends new keys. */
static json_t *insert_schemaless(const void *state, const json_t *map,
                                 const ferry_record *record, transform_side side, char *err,
                                 size_t errlen)
{
    const insert_field *self = state;
    json_t *updated = json_copy((json_t *)map);
    if (!updated)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    for (insertion what = 0; what < INSERT_COUNT; what++) {
        if (!self->specs[what].name || !insertion_put(what, record))
            continue;
        json_t *value;
        if (insertion_value(self, what, record, side, &value, err, errlen) != 0 ||
            field_transform_member_set(updated, self->specs[what].name, value, err, errlen) != 0) {
            json_decref(updated);
            return NULL;
        }
    }
    return updated;
}

/* ---- with a schema: a struct -------------------------------------------------------------- */

/* The schema of an insertion: Schema.OPTIONAL_STRING_SCHEMA and its kin, Timestamp's for the
 * timestamp. */
static json_t *insertion_schema(insertion what, bool optional)
{
    static const char *const types[INSERT_COUNT] = {"string", "int32", "int64", "int64",
                                                    "string"};
    json_t *schema = json_pack("{s:s, s:b}", "type", types[what], "optional", optional);
    if (schema && what == INSERT_TIMESTAMP &&
        (json_object_set_new(schema, "name",
                             json_string("org.apache.kafka.connect.data.Timestamp")) != 0 ||
         json_object_set_new(schema, "version", json_integer(1)) != 0)) {
        json_decref(schema);
        return NULL;
    }
    return schema;
}

/* makeUpdatedSchema: the struct's basics (not its optional or default), its fields, then the
 * insertions in Java's order. A new reference, or NULL with SchemaBuilder's text. */
static json_t *insert_schema_build(const void *state, const json_t *schema, char *err,
                                   size_t errlen)
{
    const insert_field *self = state;
    json_t *updated = connect_schema_struct_new();
    if (!updated || connect_schema_copy_basics(schema, updated) != 0) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        if (connect_schema_field_append(updated, connect_schema_field_name(field), field, err,
                                        errlen) != 0)
            goto fail;
    }
    for (insertion what = 0; what < INSERT_COUNT; what++) {
        if (!self->specs[what].name)
            continue;
        json_t *field_schema = insertion_schema(what, self->specs[what].optional);
        if (!field_schema) {
            ferry_error_set(err, errlen, "out of memory");
            goto fail;
        }
        int rc = connect_schema_field_append(updated, self->specs[what].name, field_schema, err,
                                             errlen);
        json_decref(field_schema);
        if (rc != 0)
            goto fail;
    }
    return updated;
fail:
    json_decref(updated);
    return NULL;
}

/* The struct under the updated schema: the fields' values (defaults for nulls when
 * replace.null.with.default), then the insertions; each checked as Struct.put checks it. */
static json_t *insert_struct(const void *state, const json_t *schema, const json_t *value,
                             const json_t *updated_schema, const ferry_record *record,
                             transform_side side, char *err, size_t errlen)
{
    const insert_field *self = state;
    json_t *updated = json_object();
    if (!updated)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        if (field_transform_struct_copy(updated, schema, value, name, field, name,
                                        self->replace_null_with_default, err, errlen) != 0)
            goto fail;
    }
    for (insertion what = 0; what < INSERT_COUNT; what++) {
        const char *name = self->specs[what].name;
        if (!name)
            continue;
        json_t *member = NULL;
        if (insertion_put(what, record)) {
            if (insertion_value(self, what, record, side, &member, err, errlen) != 0)
                goto fail;
            if (field_transform_put_check(connect_schema_field_find(updated_schema, name),
                                          name, member, err, errlen) != 0) {
                json_decref(member);
                goto fail;
            }
        }
        if (field_transform_member_set(updated, name, member, err, errlen) != 0)
            goto fail;
    }
    return updated;
fail:
    json_decref(updated);
    return NULL;
}

static const field_transform_ops insert_field_ops = {
    .purpose = "field insertion",
    .schemaless = insert_schemaless,
    .schema_build = insert_schema_build,
    .struct_build = insert_struct,
};

static transform_result insert_field_apply(void *state, ferry_record *record,
                                           transform_output *output, char *err, size_t errlen)
{
    insert_field *self = state;
    return field_transform_apply(&insert_field_ops, self, self->cache, self->key, record, output,
                                 err, errlen);
}

#define INSERT_FIELD_DOC                                                                         \
    "Insert field(s) using attributes from the record metadata or a configured static value."   \
    "<p/>Use the concrete transformation type designed for the record key (<code>"              \
    "org.apache.kafka.connect.transforms.InsertField$Key</code>) or value (<code>"              \
    "org.apache.kafka.connect.transforms.InsertField$Value</code>)."

const transform_type insert_field_key_type = {
    .name = "InsertField$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.InsertField$Key", NULL},
    .description = INSERT_FIELD_DOC,
    .config = insert_field_config,
    .needs = TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_TIMESTAMP,
    .create = insert_field_key_create,
    .apply = insert_field_apply,
    .destroy = insert_field_destroy,
};

const transform_type insert_field_value_type = {
    .name = "InsertField$Value",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.InsertField$Value",
                                     NULL},
    .description = INSERT_FIELD_DOC,
    .config = insert_field_config,
    .needs = TRANSFORM_NEEDS_VALUE | TRANSFORM_NEEDS_TIMESTAMP,
    .create = insert_field_value_create,
    .apply = insert_field_apply,
    .destroy = insert_field_destroy,
};
