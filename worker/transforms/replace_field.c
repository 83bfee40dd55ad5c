/*
 * replace_field.c - Kafka Connect's ReplaceField$Key and ReplaceField$Value: a struct's or map's
 * fields filtered (exclude, include, or their deprecated names blacklist and whitelist) and
 * renamed (renames, "from:to" pairs). With a schema the output schema keeps the input's name,
 * version, doc and parameters and the kept fields in their order, under their new names. A null
 * key or value passes unchanged. docs/transforms.md lists every key.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "config/config_validate.h"
#include "transforms/connect_schema.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/java_hash_map.h"
#include "transforms/transform.h"

static const ferry_config_key replace_field_config[] = {
    {.name = "exclude", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Fields to exclude. This takes precedence over the fields to include."},
    {.name = "blacklist", .type = FERRY_CONFIG_LIST, .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Deprecated. Use exclude instead."},
    {.name = "include", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Fields to include. If specified, only these fields will be used."},
    {.name = "whitelist", .type = FERRY_CONFIG_LIST, .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Deprecated. Use include instead."},
    {.name = "renames", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_MEDIUM, .documentation = "Field rename mappings."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

typedef struct replace_field {
    bool key; /* ReplaceField$Key */
    char **exclude;
    char **include;
    /* renames as Java's HashMap holds them: each source once, in the order first put, with the
     * target of its last mapping. */
    char **sources;
    char **targets;
    size_t rename_count;
    /* reverseRenames: for each target, the source that wins it. */
    char **reverse_targets;
    char **reverse_sources;
    size_t reverse_count;
    bool replace_null_with_default;
    connect_schema_cache *cache;
} replace_field;

static void names_free(char **names, size_t count)
{
    for (size_t i = 0; names && i < count; i++)
        free(names[i]);
    free(names);
}

static void replace_field_destroy(void *state)
{
    replace_field *self = state;
    if (!self)
        return;
    java_config_list_free(self->exclude);
    java_config_list_free(self->include);
    names_free(self->sources, self->rename_count);
    names_free(self->targets, self->rename_count);
    free(self->reverse_targets); /* borrowed from targets and sources */
    free(self->reverse_sources);
    connect_schema_cache_destroy(self->cache);
    free(self);
}

/* The index of name in names (count of them), or -1. */
static long names_find(char *const *names, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

static bool list_contains(char *const *items, const char *name)
{
    return names_find(items, java_config_list_count(items), name) >= 0;
}

/* ConfigUtils.translateDeprecatedConfigs for one key: its own value when set (the deprecated
 * one then ignored, as Java logs), else the deprecated key's, else the default. */
static const char *translated_value(const ferry_config *config, const char *scope,
                                    const char *key, const char *deprecated)
{
    const config_map *values = ferry_config_values(config);
    const char *own = config_map_get(values, key);
    const char *old = config_map_get(values, deprecated);
    if (own && old)
        log_error(scope, "%s was configured, as well as the deprecated alias(es) %s.  Using the "
                  "value of %s", key, deprecated, key);
    else if (old)
        log_warn(scope, "Configuration key %s is deprecated and may be removed in the future.  "
                 "Please update your configuration to use %s instead.", deprecated, key);
    return own ? own : old ? old : ferry_config_string(config, key);
}

/* One "from:to" of renames as Java's mapping.split(":") reads it: the pieces between colons,
 * trailing empty ones dropped, must be exactly two (":b" renames the field ""; "a:b:" is a:b). */
static bool rename_parse(const char *mapping, const char **to, size_t *from_len, size_t *to_len)
{
    const char *colon = strchr(mapping, ':');
    if (!colon)
        return false;
    *from_len = (size_t)(colon - mapping);
    *to = colon + 1;
    *to_len = strcspn(*to, ":");
    /* what follows the second piece may only be colons: empty pieces, dropped */
    return *to_len > 0 && (*to)[*to_len + strspn(*to + *to_len, ":")] == '\0';
}

/* Adds from -> to (an earlier mapping of from is replaced, keeping its place). 0, or -1. */
static int rename_add(replace_field *self, const char *from, size_t from_len, const char *to,
                      size_t to_len)
{
    char *source = strndup(from, from_len), *target = strndup(to, to_len);
    if (!source || !target) {
        free(source);
        free(target);
        return -1;
    }
    long at = names_find(self->sources, self->rename_count, source);
    if (at >= 0) {
        free(source);
        free(self->targets[at]);
        self->targets[at] = target;
        return 0;
    }
    self->sources[self->rename_count] = source;
    self->targets[self->rename_count++] = target;
    return 0;
}

/* invert(renames): Java walks renames in its HashMap's order and the last source put for a
 * target wins it. 0, or -1 when out of memory. */
static int reverse_build(replace_field *self)
{
    size_t count = self->rename_count;
    self->reverse_targets = calloc(count + 1, sizeof(char *));
    self->reverse_sources = calloc(count + 1, sizeof(char *));
    if (!self->reverse_targets || !self->reverse_sources)
        return -1;
    size_t table = java_hash_map_table_grown(count);
    size_t *buckets = calloc(count + 1, sizeof(size_t));
    if (!buckets)
        return -1;
    for (size_t i = 0; i < count; i++)
        buckets[i] = java_hash_map_bucket(self->sources[i], table);
    for (size_t i = 0; i < count; i++) {
        long at = names_find(self->reverse_targets, self->reverse_count, self->targets[i]);
        if (at < 0) {
            at = (long)self->reverse_count++;
            self->reverse_targets[at] = self->targets[i];
        } else {
            long holder = names_find(self->sources, count, self->reverse_sources[at]);
            /* i was put after holder: it comes later unless its bucket is earlier */
            if (buckets[i] < buckets[holder])
                continue;
        }
        self->reverse_sources[at] = self->sources[i];
    }
    free(buckets);
    return 0;
}

/* parseRenameMappings, with Java's text for a mapping that is not a pair. 0, or -1 with err. */
static int renames_parse(replace_field *self, const ferry_config *config, char *err,
                         size_t errlen)
{
    char **mappings = java_config_list(config, "renames");
    size_t count = java_config_list_count(mappings);
    int rc = -1;
    if (!mappings || !(self->sources = calloc(count + 1, sizeof(char *))) ||
        !(self->targets = calloc(count + 1, sizeof(char *)))) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const char *to;
        size_t from_len, to_len;
        if (!rename_parse(mappings[i], &to, &from_len, &to_len)) {
            char *list = java_config_list_text(mappings);
            ferry_error_set(err, errlen, "Invalid value %s for configuration renames: Invalid "
                            "rename mapping: %s", list ? list : "", mappings[i]);
            free(list);
            goto done;
        }
        if (rename_add(self, mappings[i], from_len, to, to_len) != 0) {
            ferry_error_set(err, errlen, "out of memory");
            goto done;
        }
    }
    if (reverse_build(self) != 0) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    rc = 0;
done:
    java_config_list_free(mappings);
    return rc;
}

static int replace_field_create(const ferry_config *config, const char *scope, bool key,
                                void **state, char *err, size_t errlen)
{
    replace_field *self = calloc(1, sizeof(*self));
    if (!self || !(self->cache = connect_schema_cache_new()))
        goto oom;
    self->key = key;
    self->exclude = java_config_list_parse(translated_value(config, scope, "exclude",
                                                            "blacklist"));
    self->include = java_config_list_parse(translated_value(config, scope, "include",
                                                            "whitelist"));
    if (!self->exclude || !self->include)
        goto oom;
    if (renames_parse(self, config, err, errlen) != 0)
        goto fail;
    self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
    *state = self;
    return 0;
oom:
    ferry_error_set(err, errlen, "out of memory");
fail:
    replace_field_destroy(self);
    return -1;
}

FIELD_TRANSFORM_CREATE_SIDES(replace_field)

/* ---- the field names ---------------------------------------------------------------------- */

/* filter(): not excluded, and included when include names any. */
static bool field_kept(const replace_field *self, const char *name)
{
    return !list_contains(self->exclude, name) &&
           (!self->include[0] || list_contains(self->include, name));
}

static const char *field_renamed(const replace_field *self, const char *name)
{
    long at = names_find(self->sources, self->rename_count, name);
    return at < 0 ? name : self->targets[at];
}

static const char *field_reverse_renamed(const replace_field *self, const char *name)
{
    long at = names_find(self->reverse_targets, self->reverse_count, name);
    return at < 0 ? name : self->reverse_sources[at];
}

/* ---- without a schema: a map -------------------------------------------------------------- */

/* Whether the key at index of map, kept and renamed to name, wins name over the kept keys
 * before it renamed to the same: Java puts the entries in its HashMap's order (that of a map
 * put together key by key, as JsonConverter reads one), so the one iterated last wins. */
static bool map_key_wins(const replace_field *self, const json_t *map, size_t index,
                         const char *key, const char *name)
{
    size_t table = java_hash_map_table_grown(json_object_size(map));
    size_t bucket = java_hash_map_bucket(key, table);
    size_t at = 0;
    const char *other;
    json_t *member;
    json_object_foreach((json_t *)map, other, member) {
        if (at++ == index)
            break;
        if (field_kept(self, other) && strcmp(field_renamed(self, other), name) == 0 &&
            java_hash_map_bucket(other, table) > bucket)
            return false;
    }
    return true;
}

static json_t *replace_schemaless(const void *state, const json_t *map,
                                  const ferry_record *record, transform_side side, char *err,
                                  size_t errlen)
{
    const replace_field *self = state;
    (void)record;
    (void)side;
    /* Java's output is a new HashMap, in an order of its own; this one keeps the input's. */
    json_t *updated = json_object();
    if (!updated)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    size_t index = 0;
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)map, key, member) {
        size_t at = index++;
        if (!field_kept(self, key))
            continue;
        const char *name = field_renamed(self, key);
        if (json_object_get(updated, name) && !map_key_wins(self, map, at, key, name))
            continue;
        if (field_transform_member_set(updated, name, json_incref(member), err, errlen) != 0) {
            json_decref(updated);
            return NULL;
        }
    }
    return updated;
}

/* ---- with a schema: a struct -------------------------------------------------------------- */

/* makeUpdatedSchema: the basics (not optional or default), the kept fields in their order under
 * their new names. A new reference, or NULL with SchemaBuilder's text. */
static json_t *replace_schema_build(const void *state, const json_t *schema, char *err,
                                    size_t errlen)
{
    const replace_field *self = state;
    json_t *updated = connect_schema_struct_new();
    if (!updated || connect_schema_copy_basics(schema, updated) != 0) {
        json_decref(updated);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        if (!name || !field_kept(self, name))
            continue;
        if (connect_schema_field_append(updated, field_renamed(self, name), field, err,
                                        errlen) != 0) {
            json_decref(updated);
            return NULL;
        }
    }
    return updated;
}

/* Each field of the updated schema takes the value of the field it was renamed from. */
static json_t *replace_struct(const void *state, const json_t *schema, const json_t *value,
                              const json_t *updated_schema, const ferry_record *record,
                              transform_side side, char *err, size_t errlen)
{
    const replace_field *self = state;
    (void)record;
    (void)side;
    json_t *updated = json_object();
    if (!updated)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    const json_t *fields = json_object_get(updated_schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        if (field_transform_struct_copy(updated, schema, value, field_reverse_renamed(self, name),
                                        field, name, self->replace_null_with_default, err,
                                        errlen) != 0) {
            json_decref(updated);
            return NULL;
        }
    }
    return updated;
}

static const field_transform_ops replace_field_ops = {
    .purpose = "field replacement",
    .schemaless = replace_schemaless,
    .schema_build = replace_schema_build,
    .struct_build = replace_struct,
};

static transform_result replace_field_apply(void *state, ferry_record *record,
                                            transform_output *output, char *err, size_t errlen)
{
    replace_field *self = state;
    return field_transform_apply(&replace_field_ops, self, self->cache, self->key, record, output,
                                 err, errlen);
}

#define REPLACE_FIELD_DOC                                                                        \
    "Filter or rename fields.<p/>Use the concrete transformation type designed for the record " \
    "key (<code>org.apache.kafka.connect.transforms.ReplaceField$Key</code>) or value (<code>"  \
    "org.apache.kafka.connect.transforms.ReplaceField$Value</code>)."

const transform_type replace_field_key_type = {
    .name = "ReplaceField$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.ReplaceField$Key",
                                     NULL},
    .description = REPLACE_FIELD_DOC,
    .config = replace_field_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = replace_field_key_create,
    .apply = replace_field_apply,
    .destroy = replace_field_destroy,
};

const transform_type replace_field_value_type = {
    .name = "ReplaceField$Value",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.ReplaceField$Value",
                                     NULL},
    .description = REPLACE_FIELD_DOC,
    .config = replace_field_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = replace_field_value_create,
    .apply = replace_field_apply,
    .destroy = replace_field_destroy,
};
