/*
 * by_logical_table_router.c - Debezium's ByLogicalTableRouter: the change events of several
 * physical tables (shards) go to one logical topic. A topic that topic.regex matches as a whole
 * becomes topic.replacement (Java's replaceFirst); the key, a Struct, is renamed
 * <new topic>.Key and gets key.field.name (by default __dbz__physicalTableIdentifier) holding
 * the old topic, or key.field.regex/key.field.replacement applied to it; a change event's schema
 * is renamed <new topic>.Envelope and its before/after schema <new topic>.Value, names adjusted
 * as schema.name.adjustment.mode says. Tombstones and records that are not change events
 * (heartbeats, schema changes) keep their value. docs/transforms.md lists every key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "transforms/connect_schema.h"
#include "transforms/debezium_support.h"
#include "transforms/java_regex.h"
#include "transforms/transform.h"

typedef struct logical_router {
    java_regex *topic_regex;
    char *topic_replacement;
    java_regex *key_field_regex; /* NULL: the identifier is the old topic */
    char *key_field_replacement;
    char *key_field_name;
    bool enforce_uniqueness;
    debezium_names *names;
    connect_schema_cache *key_schemas;      /* old key schema -> new */
    connect_schema_cache *envelope_schemas; /* old envelope schema -> new */
    /* The last topic routed and what it became, and its identifier: most records of a task
     * come from a few tables. */
    char *last_topic;
    char *last_new_topic;
    char *last_identifier_topic;
    char *last_identifier;
    char *scope;
} logical_router;

/* Debezium's getConfigFields (its config() leaves out key.field.name and
 * schema.name.adjustment.mode, which it reads all the same), with its texts. */
static const ferry_config_key logical_router_config[] = {
    {.name = "topic.regex", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_LOW, .display_name = "Topic regex",
     .documentation = "The regex used for extracting the name of the logical table from the "
                      "original topic name."},
    {.name = "topic.replacement", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_LOW, .display_name = "Topic replacement",
     .documentation = "The replacement string used in conjunction with topic.regex. This will "
                      "be used to create the new topic name."},
    {.name = "key.enforce.uniqueness", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW, .display_name = "Add source topic name into key",
     .documentation = "Augment each record's key with a field denoting the source topic. This "
                      "field distinguishes records coming from different physical tables which "
                      "may otherwise have primary/unique key conflicts. If the source tables "
                      "are guaranteed to have globally unique keys then this may be set to "
                      "false to disable key rewriting."},
    {.name = "key.field.regex", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Key field regex",
     .documentation = "The regex used for extracting the physical table identifier from the "
                      "original topic name. Now that multiple physical tables can share a "
                      "topic, the event's key may need to be augmented to include fields other "
                      "than just those for the record's primary/unique key, since these are "
                      "not guaranteed to be unique across tables. We need some identifier added "
                      "to the key that distinguishes the different physical tables."},
    {.name = "key.field.name", .type = FERRY_CONFIG_STRING,
     .default_value = "__dbz__physicalTableIdentifier", .importance = FERRY_IMPORTANCE_LOW,
     .display_name = "Key field name",
     .documentation = "Each record's key schema will be augmented with this field name. The "
                      "purpose of this field is to distinguish the different physical tables "
                      "that can now share a single topic. Make sure not to configure a field "
                      "name that is at risk of conflict with existing key schema field names."},
    {.name = "key.field.replacement", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .display_name = "Key field replacement",
     .documentation = "The replacement string used in conjunction with key.field.regex. This "
                      "will be used to create the physical table identifier in the record's "
                      "key."},
    {.name = "schema.name.adjustment.mode", .type = FERRY_CONFIG_STRING, .default_value = "none",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = debezium_names_modes,
     .display_name = "Schema Name Adjustment",
     .documentation = "Specify how the message key schema names derived from the resulting "
                      "topic name should be adjusted for compatibility with the message "
                      "converter used by the connector, including:'avro' replaces the "
                      "characters that cannot be used in the Avro type name with underscore "
                      "(default)'none' does not apply any adjustment"},
    {.name = "logical.table.cache.size", .type = FERRY_CONFIG_INT, .default_value = "16",
     .importance = FERRY_IMPORTANCE_LOW, .display_name = "Logical table cache size",
     .documentation = "The size used for holding the max entries in LRUCache. The cache will "
                      "keep the old/new schema for logical table key and value, also cache the "
                      "derived key and topic regex result for improving the source record "
                      "transformation."},
    {.name = NULL},
};

static void logical_router_destroy(void *state)
{
    logical_router *self = state;
    if (!self)
        return;
    java_regex_free(self->topic_regex);
    java_regex_free(self->key_field_regex);
    free(self->topic_replacement);
    free(self->key_field_replacement);
    free(self->key_field_name);
    debezium_names_destroy(self->names);
    connect_schema_cache_destroy(self->key_schemas);
    connect_schema_cache_destroy(self->envelope_schemas);
    free(self->last_topic);
    free(self->last_new_topic);
    free(self->last_identifier_topic);
    free(self->last_identifier);
    free(self->scope);
    free(self);
}

/* Field::isRegex: the pattern compiles (Debezium checks it with CASE_INSENSITIVE, then compiles
 * it without flags). NULL with Debezium's text in err. */
static java_regex *regex_compile(const char *key, const char *pattern, char *err, size_t errlen)
{
    char why[400];
    java_regex *regex = java_regex_compile(pattern, why, sizeof(why));
    if (!regex)
        ferry_error_set(err, errlen, "Invalid value %s for configuration %s: A valid regular "
                        "expressions is expected, but %s", pattern, key, why);
    return regex;
}

static int logical_router_create(const ferry_config *config, const char *scope, void **state,
                                 char *err, size_t errlen)
{
    logical_router *self = calloc(1, sizeof(*self));
    if (!self)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const char *topic_regex = ferry_config_string(config, "topic.regex");
    const char *replacement = ferry_config_string(config, "topic.replacement");
    const char *key_regex = ferry_config_string(config, "key.field.regex");
    const char *key_replacement = ferry_config_string(config, "key.field.replacement");
    const char *mode_text = ferry_config_string(config, "schema.name.adjustment.mode");
    debezium_names_mode mode = DEBEZIUM_NAMES_NONE;
    /* Field.required(): a value that is only white space is none. */
    if (debezium_is_blank(topic_regex) || debezium_is_blank(replacement)) {
        const char *key = debezium_is_blank(topic_regex) ? "topic.regex" : "topic.replacement";
        const char *value = debezium_is_blank(topic_regex) ? topic_regex : replacement;
        ferry_error_set(err, errlen, "Invalid value %s for configuration %s: A value is required",
                        value ? value : "null", key);
        goto fail;
    }
    if (!(self->topic_regex = regex_compile("topic.regex", topic_regex, err, errlen)))
        goto fail;
    if (!debezium_is_blank(key_regex)) {
        if (debezium_is_blank(key_replacement)) {
            ferry_error_set(err, errlen, "Invalid value null for configuration "
                            "key.field.replacement: key.field.replacement must be non-empty if "
                            "key.field.regex is set.");
            goto fail;
        }
        if (!(self->key_field_regex = regex_compile("key.field.regex", key_regex, err, errlen)))
            goto fail;
        if (!(self->key_field_replacement = strdup(key_replacement)))
            goto oom;
    }
    if (debezium_names_mode_parse(mode_text, &mode) != 0) {
        ferry_error_set(err, errlen, "Invalid value %s for configuration "
                        "schema.name.adjustment.mode: Value must be one of none, avro, "
                        "avro_unicode", mode_text);
        goto fail;
    }
    self->enforce_uniqueness = ferry_config_bool(config, "key.enforce.uniqueness");
    self->topic_replacement = strdup(replacement);
    self->key_field_name = strdup(ferry_config_string(config, "key.field.name"));
    self->names = debezium_names_new(mode, false);
    self->key_schemas = connect_schema_cache_new();
    self->envelope_schemas = connect_schema_cache_new();
    self->scope = strdup(scope);
    if (!self->topic_replacement || !self->key_field_name || !self->names ||
        !self->key_schemas || !self->envelope_schemas || !self->scope)
        goto oom;
    *state = self;
    return 0;
oom:
    ferry_error_set(err, errlen, "out of memory");
fail:
    logical_router_destroy(self);
    return -1;
}

/* ---- names -------------------------------------------------------------------------------- */

/* regex.matches(text) ? replaceFirst(replacement) : NULL. 0 with *out (the caller frees it;
 * NULL: no match), or -1 with err. */
static int regex_route(java_regex *regex, const char *text, const char *replacement, char **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    if (!java_regex_matches(regex, text, strlen(text)))
        return 0;
    int rc = java_regex_replace_first(regex, text, replacement, out, err, errlen);
    if (rc < 0)
        return -1;
    if (rc == 0 && !(*out = strdup(text)))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* Replaces the remembered pair (from, to) by copies of the given ones; a failed copy just
 * forgets. */
static void remember(char **from, char **to, const char *new_from, const char *new_to)
{
    free(*from);
    free(*to);
    *from = strdup(new_from);
    *to = *from ? strdup(new_to) : NULL;
    if (!*to) {
        free(*from);
        *from = NULL;
    }
}

/* The new topic (borrowed until the next record), NULL when topic.regex does not match. */
static int new_topic_find(logical_router *self, const char *topic, const char **out, char *err,
                          size_t errlen)
{
    *out = NULL;
    if (self->last_topic && strcmp(self->last_topic, topic) == 0) {
        *out = self->last_new_topic;
        return 0;
    }
    char *routed = NULL;
    if (regex_route(self->topic_regex, topic, self->topic_replacement, &routed, err, errlen) != 0)
        return -1;
    if (!routed)
        return 0;
    remember(&self->last_topic, &self->last_new_topic, topic, routed);
    free(routed);
    if (!self->last_new_topic)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    *out = self->last_new_topic;
    return 0;
}

/* The physical table identifier of a topic: key.field.regex/replacement applied to it when it
 * matches, or the topic itself. Borrowed until the next record. */
static int identifier_find(logical_router *self, const char *topic, const char **out, char *err,
                           size_t errlen)
{
    *out = topic;
    if (!self->key_field_regex)
        return 0;
    if (self->last_identifier_topic && strcmp(self->last_identifier_topic, topic) == 0) {
        *out = self->last_identifier;
        return 0;
    }
    char *identifier = NULL;
    if (regex_route(self->key_field_regex, topic, self->key_field_replacement, &identifier, err,
                    errlen) != 0)
        return -1;
    if (!identifier)
        return 0;
    remember(&self->last_identifier_topic, &self->last_identifier, topic, identifier);
    free(identifier);
    if (!self->last_identifier)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    *out = self->last_identifier;
    return 0;
}

/* <topic><suffix> through the schema name adjuster; the caller frees it. */
static char *schema_name(logical_router *self, const char *topic, const char *suffix, char *err,
                         size_t errlen)
{
    size_t len = strlen(topic) + strlen(suffix) + 1;
    char *proposed = malloc(len);
    if (!proposed)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    snprintf(proposed, len, "%s%s", topic, suffix);
    char *name = debezium_names_adjust(self->names, proposed, err, errlen);
    free(proposed);
    return name;
}

/* copySchemaExcludingName: a struct with source's version, doc, parameters and optionality
 * (and fields when copy_fields), named name. A new reference, or NULL with err. */
static json_t *schema_copy_renamed(const json_t *source, const char *name, bool copy_fields,
                                   char *err, size_t errlen)
{
    json_t *schema = connect_schema_copy_basics_new(source);
    if (!schema || json_object_set_new(schema, "type", json_string("struct")) != 0 ||
        json_object_set_new(schema, "name", json_string(name)) != 0 ||
        json_object_set_new(schema, "fields", json_array()) != 0 ||
        connect_schema_optional_set(schema, connect_schema_is_optional(source)) != 0) {
        json_decref(schema);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    json_object_del(schema, "items");
    const json_t *fields = json_object_get(source, "fields");
    for (size_t i = 0; copy_fields && i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        if (connect_schema_field_append(schema, connect_schema_field_name(field), field, err,
                                        errlen) != 0) {
            json_decref(schema);
            return NULL;
        }
    }
    return schema;
}

/* ---- the key ------------------------------------------------------------------------------ */

static json_t *key_schema_build(logical_router *self, const json_t *old_schema,
                                const char *new_topic, char *err, size_t errlen)
{
    char *name = schema_name(self, new_topic, ".Key", err, errlen);
    json_t *schema = name ? schema_copy_renamed(old_schema, name, true, err, errlen) : NULL;
    free(name);
    if (schema && self->enforce_uniqueness) {
        json_t *string = json_pack("{s:s, s:b}", "type", "string", "optional", 0);
        if (!string || connect_schema_field_append(schema, self->key_field_name, string, err,
                                                   errlen) != 0) {
            if (!string)
                ferry_error_set(err, errlen, "out of memory");
            json_decref(schema);
            schema = NULL;
        }
        json_decref(string);
    }
    return schema;
}

static int key_update(logical_router *self, ferry_record *record, transform_output *output,
                      const char *old_topic, const char *new_topic, char *err, size_t errlen)
{
    ferry_data *key = &record->key;
    if (transform_data_is_null(key)) {
        /* A table without a primary key: no key, and no key schema either. */
        transform_data_set_null(key);
        return 0;
    }
    if (transform_data_tree(output, key, err, errlen) != 0 ||
        connect_schema_require_struct(key->schema, key->json, "Updating schema", err,
                                      errlen) != 0)
        return -1;
    json_t *schema = json_incref(connect_schema_cache_get(self->key_schemas, key->schema));
    if (!schema) {
        if (!(schema = key_schema_build(self, key->schema, new_topic, err, errlen)))
            return -1;
        connect_schema_cache_put(self->key_schemas, key->schema, schema);
    }
    json_t *value = json_object();
    int rc = value ? 0 : -1;
    const json_t *fields = json_object_get(key->schema, "fields");
    for (size_t i = 0; rc == 0 && i < json_array_size(fields); i++) {
        const char *name = connect_schema_field_name(json_array_get(fields, i));
        if (!name)
            continue; /* a field without a name: nothing to copy */
        json_t *member = json_object_get(key->json, name);
        rc = json_object_set(value, name, member ? member : json_null());
    }
    const char *identifier = old_topic;
    if (rc == 0 && self->enforce_uniqueness) {
        if (identifier_find(self, old_topic, &identifier, err, errlen) != 0) {
            json_decref(value);
            json_decref(schema);
            return -1;
        }
        rc = json_object_set_new(value, self->key_field_name, json_string(identifier));
    }
    if (rc != 0) {
        json_decref(value);
        json_decref(schema);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    transform_data_take_json(key, value, schema);
    return 0;
}

/* ---- the change event --------------------------------------------------------------------- */

static json_t *envelope_schema_build(logical_router *self, const json_t *old_schema,
                                     const char *new_topic, char *err, size_t errlen)
{
    const json_t *before = connect_schema_field_find(old_schema, "before");
    if (!before)
        return ferry_error_set(err, errlen, "the change event's schema %s has no field "
                               "'before'", json_string_value(json_object_get(old_schema,
                                                                              "name"))),
               NULL;
    char *value_name = schema_name(self, new_topic, ".Value", err, errlen);
    char *envelope_name = value_name ? schema_name(self, new_topic, ".Envelope", err, errlen)
                                     : NULL;
    json_t *value_schema = envelope_name ? schema_copy_renamed(before, value_name, true, err,
                                                               errlen)
                                         : NULL;
    json_t *schema = value_schema ? schema_copy_renamed(old_schema, envelope_name, false, err,
                                                        errlen)
                                  : NULL;
    const json_t *fields = json_object_get(old_schema, "fields");
    for (size_t i = 0; schema && i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        bool row = name && (strcmp(name, "before") == 0 || strcmp(name, "after") == 0);
        if (connect_schema_field_append(schema, name, row ? value_schema : field, err,
                                        errlen) != 0) {
            json_decref(schema);
            schema = NULL;
        }
    }
    free(value_name);
    free(envelope_name);
    json_decref(value_schema);
    return schema;
}

static int envelope_update(logical_router *self, ferry_data *data, transform_output *output,
                           const char *new_topic, char *err, size_t errlen)
{
    if (transform_data_tree(output, data, err, errlen) != 0 ||
        connect_schema_require_struct(data->schema, data->json, "Updating schema", err,
                                      errlen) != 0)
        return -1;
    json_t *schema = json_incref(connect_schema_cache_get(self->envelope_schemas, data->schema));
    if (!schema) {
        if (!(schema = envelope_schema_build(self, data->schema, new_topic, err, errlen)))
            return -1;
        connect_schema_cache_put(self->envelope_schemas, data->schema, schema);
    }
    json_t *value = json_object();
    int rc = value ? 0 : -1;
    const json_t *fields = json_object_get(data->schema, "fields");
    for (size_t i = 0; rc == 0 && i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        if (!name)
            continue; /* a field without a name: nothing to copy */
        json_t *member = NULL;
        connect_schema_struct_get(data->schema, data->json, name, true, &member, NULL, 0);
        bool row = strcmp(name, "before") == 0 || strcmp(name, "after") == 0;
        if (row && member) {
            /* updateValue: the row's fields as they are, under the renamed schema. */
            if (connect_schema_require_struct(field, member, "Updating schema", err,
                                              errlen) != 0) {
                json_decref(value);
                json_decref(schema);
                return -1;
            }
            json_t *copy = json_object();
            const json_t *row_fields = json_object_get(field, "fields");
            rc = copy ? 0 : -1;
            for (size_t f = 0; rc == 0 && f < json_array_size(row_fields); f++) {
                const char *row_name = connect_schema_field_name(json_array_get(row_fields, f));
                if (!row_name)
                    continue; /* a field without a name: nothing to copy */
                json_t *column = json_object_get(member, row_name);
                rc = json_object_set(copy, row_name, column ? column : json_null());
            }
            if (rc == 0)
                rc = json_object_set(value, name, copy);
            json_decref(copy);
        } else {
            rc = json_object_set(value, name, member ? member : json_null());
        }
    }
    if (rc != 0) {
        json_decref(value);
        json_decref(schema);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    transform_data_take_json(data, value, schema);
    return 0;
}

static transform_result logical_router_apply(void *state, ferry_record *record,
                                             transform_output *output, char *err, size_t errlen)
{
    logical_router *self = state;
    const char *old_topic = record->topic ? record->topic : "";
    const char *new_topic = NULL;
    if (new_topic_find(self, old_topic, &new_topic, err, errlen) != 0)
        return TRANSFORM_FAIL;
    if (!new_topic)
        return TRANSFORM_KEEP;
    if (!new_topic[0]) {
        log_warn(self->scope, "Routing regex returned an empty topic name, propagating original "
                              "record");
        return TRANSFORM_KEEP;
    }
    /* Both live in this transform until the next record: the record keeps its own copies. */
    char *topic = transform_keep_text(output, new_topic, strlen(new_topic));
    char *old = transform_keep_text(output, old_topic, strlen(old_topic));
    if (!topic || !old)
        return ferry_error_set(err, errlen, "out of memory"), TRANSFORM_FAIL;
    if (key_update(self, record, output, old, topic, err, errlen) != 0)
        return TRANSFORM_FAIL;
    /* Tombstones and what is not a change event (heartbeats, schema changes) keep their value. */
    if (!transform_data_is_null(&record->value) && debezium_is_envelope(&record->value) &&
        envelope_update(self, &record->value, output, topic, err, errlen) != 0)
        return TRANSFORM_FAIL;
    record->topic = topic;
    return TRANSFORM_KEEP;
}

const transform_type by_logical_table_router_type = {
    .name = "ByLogicalTableRouter",
    .aliases = (const char *const[]){"io.debezium.transforms.ByLogicalTableRouter", NULL},
    .description = "Debezium's logical table routing: the change events of several physical "
                   "tables go to one topic, keys made unique by a physical table identifier.",
    .config = logical_router_config,
    .needs = TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_VALUE,
    .create = logical_router_create,
    .apply = logical_router_apply,
    .destroy = logical_router_destroy,
};
