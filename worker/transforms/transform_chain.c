/*
 * transform_chain.c - the `transforms` of a connector and the `predicates` they name: validation,
 * construction, application. A transform with a predicate applies to a record when the
 * predicate's answer, negated by `negate`, is true (Kafka Connect's TransformationStage); each
 * transform gets its own instance of its predicate, as in Kafka Connect.
 */
#include "transforms/transform_chain.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "support/arena.h"
#include "support/array.h"
#include "support/base64.h"
#include "support/utf8.h"
#include "transforms/predicate.h"

extern const transform_type by_logical_table_router_type;
extern const transform_type extract_new_record_state_type;
extern const transform_type outbox_event_router_type;
extern const transform_type cast_key_type;
extern const transform_type cast_value_type;
extern const transform_type drop_headers_type;
extern const transform_type extract_field_key_type;
extern const transform_type extract_field_value_type;
extern const transform_type filter_type;
extern const transform_type flatten_key_type;
extern const transform_type flatten_value_type;
extern const transform_type header_from_key_type;
extern const transform_type header_from_value_type;
extern const transform_type hoist_field_key_type;
extern const transform_type hoist_field_value_type;
extern const transform_type insert_field_key_type;
extern const transform_type insert_field_value_type;
extern const transform_type insert_header_type;
extern const transform_type mask_field_key_type;
extern const transform_type mask_field_value_type;
extern const transform_type regex_router_type;
extern const transform_type replace_field_key_type;
extern const transform_type replace_field_value_type;
extern const transform_type set_schema_metadata_key_type;
extern const transform_type set_schema_metadata_value_type;
extern const transform_type timestamp_converter_key_type;
extern const transform_type timestamp_converter_value_type;
extern const transform_type timestamp_router_type;
extern const transform_type value_to_key_type;

/* In Kafka Connect's listing order: by class name (tests/unit/test_transforms.c checks it). */
static const transform_type *const all_types[] = {
    &by_logical_table_router_type,
    &extract_new_record_state_type,
    &outbox_event_router_type,
    &cast_key_type,
    &cast_value_type,
    &drop_headers_type,
    &extract_field_key_type,
    &extract_field_value_type,
    &filter_type,
    &flatten_key_type,
    &flatten_value_type,
    &header_from_key_type,
    &header_from_value_type,
    &hoist_field_key_type,
    &hoist_field_value_type,
    &insert_field_key_type,
    &insert_field_value_type,
    &insert_header_type,
    &mask_field_key_type,
    &mask_field_value_type,
    &regex_router_type,
    &replace_field_key_type,
    &replace_field_value_type,
    &set_schema_metadata_key_type,
    &set_schema_metadata_value_type,
    &timestamp_converter_key_type,
    &timestamp_converter_value_type,
    &timestamp_router_type,
    &value_to_key_type,
    NULL,
};

const transform_type *const *transform_types(void)
{
    return all_types;
}

const transform_type *transform_type_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; all_types[i]; i++) {
        if (strcmp(all_types[i]->name, name) == 0)
            return all_types[i];
        for (size_t a = 0; all_types[i]->aliases && all_types[i]->aliases[a]; a++)
            if (strcmp(all_types[i]->aliases[a], name) == 0)
                return all_types[i];
    }
    return NULL;
}

const char *transform_type_class(const transform_type *type)
{
    return type->aliases && type->aliases[0] ? type->aliases[0] : type->name;
}

void transform_data_set_json(ferry_data *data, json_t *value, json_t *schema)
{
    json_t *old_json = data->json, *old_schema = data->schema;
    if (!value && schema)
        value = json_null();
    *data = (ferry_data){.kind = value ? FERRY_DATA_JSON : FERRY_DATA_NULL,
                         .json = json_incref(value), .schema = json_incref(schema)};
    json_decref(old_json);
    json_decref(old_schema);
}

void transform_data_set_null(ferry_data *data)
{
    transform_data_set_json(data, NULL, NULL);
}

void transform_data_take_json(ferry_data *data, json_t *value, json_t *schema)
{
    transform_data_set_json(data, value, schema);
    json_decref(value);
    json_decref(schema);
}

bool transform_data_is_null(const ferry_data *data)
{
    if (data->kind == FERRY_DATA_NULL)
        return true;
    return data->kind == FERRY_DATA_JSON && !data->data && (!data->json || json_is_null(data->json));
}

int transform_data_tree(transform_output *output, ferry_data *data, char *err, size_t errlen)
{
    return output->data_tree(output, data, err, errlen);
}

ferry_header *transform_headers_edit(transform_output *output, ferry_record *record,
                                     size_t extra)
{
    return output->headers_edit(output, record, extra);
}

void *transform_keep(transform_output *output, void *allocation)
{
    return output->keep(output, allocation);
}

void *transform_alloc(transform_output *output, size_t size)
{
    return output->alloc(output, size);
}

char *transform_keep_text(transform_output *output, const char *text, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *copy = output->alloc(output, len + 1);
    if (copy) {
        if (len)
            memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

int transform_header_add(transform_output *output, ferry_record *record, const char *key,
                         const void *value, size_t value_len)
{
    char *key_copy = transform_keep_text(output, key, strlen(key));
    char *value_copy = value ? transform_keep_text(output, value, value_len) : NULL;
    ferry_header *headers = key_copy && (!value || value_copy)
                                ? output->headers_edit(output, record, 1) : NULL;
    if (!headers)
        return -1;
    headers[record->header_count++] = (ferry_header){
        .key = key_copy, .value = value_copy, .value_len = value_copy ? value_len : 0};
    return 0;
}

void transform_header_remove(ferry_record *record, size_t index)
{
    ferry_header *headers = (ferry_header *)record->headers;
    if (index >= record->header_count)
        return;
    memmove(&headers[index], &headers[index + 1],
            (record->header_count - index - 1) * sizeof(*headers));
    record->header_count--;
}


/* ---- one link ---------------------------------------------------------------------------- */

typedef struct predicate_instance {
    const predicate_type *type;
    ferry_config *config;
    void *state;
} predicate_instance;

typedef struct transform_link {
    char *alias;
    const transform_type *type;
    ferry_config *config;
    void *state;
    predicate_instance predicate; /* type NULL: the transform applies to every record */
    bool negate;
} transform_link;

typedef struct chain_output {
    transform_output output; /* first: the transforms see only this */
    void **pool;             /* allocations kept since the last release */
    size_t pool_count, pool_capacity;
    arena pieces;            /* header arrays and text handed out since the last release */
} chain_output;

struct transform_chain {
    transform_link *links;
    size_t count;
    unsigned needs; /* TRANSFORM_NEEDS_* of every link and predicate */
    chain_output scratch;
};

/* Whether definition declares key a STRING or CLASS: Kafka's ConfigDef trims those. */
static bool key_trimmed(const ferry_config_key *definition, const char *key)
{
    for (const ferry_config_key *def = definition; def && def->name; def++)
        if (strcmp(def->name, key) == 0)
            return def->type == FERRY_CONFIG_STRING || def->type == FERRY_CONFIG_CLASS;
    return false;
}

/* "<list>.<alias>.<key>" of config (list "transforms" or "predicates"), the prefix removed,
 * without type, and for a transform without predicate and negate (Kafka Connect's, which mask a
 * transform's own keys of those names). The values of definition's STRING keys are trimmed of
 * the characters up to U+0020 at either end, as Java's String.trim in ConfigDef.parseType: a
 * transform reads them as Kafka Connect's do. */
static config_map *alias_own_config(const config_map *config, const char *list,
                                    const char *alias, const ferry_config_key *definition)
{
    bool transform = strcmp(list, "transforms") == 0;
    config_map *own = config_map_new();
    char prefix[256];
    int prefix_len = snprintf(prefix, sizeof(prefix), "%s.%s.", list, alias);
    if (!own || prefix_len < 0 || (size_t)prefix_len >= sizeof(prefix)) {
        config_map_destroy(own);
        return NULL;
    }
    for (size_t i = 0; i < config_map_count(config); i++) {
        const char *key = config_map_key_at(config, i);
        if (strncmp(key, prefix, (size_t)prefix_len) != 0)
            continue;
        const char *own_key = key + prefix_len;
        if (strcmp(own_key, "type") == 0 ||
            (transform && (strcmp(own_key, "predicate") == 0 || strcmp(own_key, "negate") == 0)))
            continue;
        const char *value = config_map_value_at(config, i);
        size_t len = strlen(value);
        if (key_trimmed(definition, own_key)) {
            while (len > 0 && (unsigned char)value[0] <= 0x20)
                value++, len--;
            while (len > 0 && (unsigned char)value[len - 1] <= 0x20)
                len--;
        }
        char *text = strndup(value, len);
        int rc = text ? config_map_set(own, own_key, text) : -1;
        free(text);
        if (rc != 0) {
            config_map_destroy(own);
            return NULL;
        }
    }
    return own;
}

/* Splits `transforms` or `predicates`; NULL when out of memory. */
static char **alias_list(const config_map *config, const char *list_key)
{
    const char *list = config_map_get(config, list_key);
    return config_value_split_list(list ? list : "");
}

static bool alias_listed(char *const *aliases, const char *alias)
{
    for (size_t i = 0; aliases[i]; i++)
        if (strcmp(aliases[i], alias) == 0)
            return true;
    return false;
}

/* The value of "<list>.<alias>.<key>" (NULL when unset); full gets the key's full name. */
static const char *alias_value(const config_map *config, const char *list, const char *alias,
                               const char *key, char *full, size_t full_size)
{
    snprintf(full, full_size, "%s.%s.%s", list, alias, key);
    return config_map_get(config, full);
}

/* negate's text as a boolean (ConfigDef's BOOLEAN: true or false, any case, trimmed): 1, 0, or
 * -1 when it is neither. */
static int negate_parse(const char *text)
{
    if (!text)
        return 0;
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 4 && strncasecmp(text, "true", 4) == 0)
        return 1;
    if (len == 5 && strncasecmp(text, "false", 5) == 0)
        return 0;
    return -1;
}

static const char *transform_type_value(const config_map *config, const char *alias,
                                        char *key, size_t key_size)
{
    snprintf(key, key_size, "transforms.%s.type", alias);
    return config_map_get(config, key);
}

/* Appends ", name" (or the first name) to out while it fits. */
static void name_append(char *out, size_t out_size, size_t *used, const char *name)
{
    if (*used >= out_size)
        return;
    int wrote = snprintf(out + *used, out_size - *used, "%s%s", *used ? ", " : "", name);
    *used += wrote > 0 ? (size_t)wrote : 0;
}

/* The known names, for an unknown type's message: "A, B, C" (cut when out is too small). */
static void type_names(bool predicates, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    if (predicates) {
        for (const predicate_type *const *type = predicate_types(); *type; type++)
            name_append(out, out_size, &used, (*type)->name);
    } else {
        for (const transform_type *const *type = transform_types(); *type; type++)
            name_append(out, out_size, &used, (*type)->name);
    }
}

/* Checks one alias's own keys against its type's definition, reported under their full names
 * ("<list>.<alias>.<key>"). Returns the number of problems. */
static size_t alias_keys_validate(const config_map *config, const char *list, const char *alias,
                                  const ferry_config_key *definition, config_errors *errors)
{
    config_map *own = alias_own_config(config, list, alias, definition);
    config_errors *own_errors = config_errors_new();
    size_t found = 0;
    if (!own || !own_errors) {
        config_errors_add(errors, list, "out of memory while validating %s", list);
        found = 1;
    } else {
        const ferry_config_key *defs[1] = {definition};
        found = config_validate(defs, 1, own, NULL, own_errors, NULL);
        for (size_t e = 0; e < config_errors_count(own_errors); e++) {
            char full[300];
            snprintf(full, sizeof(full), "%s.%s.%s", list, alias,
                     config_errors_key_at(own_errors, e));
            config_errors_add(errors, full, "%s", config_errors_message_at(own_errors, e));
        }
    }
    config_errors_destroy(own_errors);
    config_map_destroy(own);
    return found;
}

/* Builds a predicate instance as a task would, so that what only its creation finds (a regular
 * expression that does not compile) is refused with the config. 0, or -1 with err. */
static int predicate_instance_create(predicate_instance *instance, const config_map *config,
                                     const char *alias, const predicate_type *type, char *err,
                                     size_t errlen)
{
    *instance = (predicate_instance){.type = type};
    config_map *own = alias_own_config(config, "predicates", alias, type->config);
    const ferry_config_key *defs[1] = {type->config};
    instance->config = own ? ferry_config_new(own, defs, 1) : NULL;
    config_map_destroy(own);
    if (!instance->config)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    char why[512] = "";
    if (type->create(instance->config, &instance->state, why, sizeof(why)) != 0) {
        ferry_config_destroy(instance->config);
        *instance = (predicate_instance){0};
        return ferry_error_set(err, errlen, "%s", why), -1;
    }
    return 0;
}

static void predicate_instance_destroy(predicate_instance *instance)
{
    if (instance->type && instance->state)
        instance->type->destroy(instance->state);
    ferry_config_destroy(instance->config);
    *instance = (predicate_instance){0};
}

/* The key a creation error is about, as Kafka Connect's ConfigException texts name it:
 * "... for configuration <key>: ...", "Missing required configuration "<key>" ...", or
 * "'<key>' config ..." at the start; "type" when they name none. */
static void error_key(const char *message, char *key, size_t key_size)
{
    static const struct {
        const char *before, *after;
    } forms[] = {{"for configuration ", ":"}, {"Missing required configuration \"", "\""}};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        const char *at = strstr(message, forms[i].before);
        const char *end = at ? strstr(at + strlen(forms[i].before), forms[i].after) : NULL;
        if (at && end) {
            at += strlen(forms[i].before);
            snprintf(key, key_size, "%.*s", (int)(end - at), at);
            return;
        }
    }
    const char *end = message[0] == '\'' ? strstr(message + 1, "' config ") : NULL;
    if (end)
        snprintf(key, key_size, "%.*s", (int)(end - message - 1), message + 1);
    else
        snprintf(key, key_size, "type");
}

static size_t predicates_validate(const config_map *config, char *const *predicates,
                                  config_errors *errors)
{
    size_t problems = 0;
    for (size_t i = 0; predicates[i]; i++) {
        char type_key[300];
        const char *type_name = alias_value(config, "predicates", predicates[i], "type",
                                            type_key, sizeof(type_key));
        if (!type_name || !type_name[0])
            continue; /* reported with the connector config */
        const predicate_type *type = predicate_type_find(type_name);
        if (!type) {
            char known[2048];
            type_names(true, known, sizeof(known));
            config_errors_add(errors, type_key,
                              "Invalid value %s for configuration %s: Class %s could not be "
                              "found (ferry has: %s)", type_name, type_key, type_name, known);
            problems++;
            continue;
        }
        size_t found = alias_keys_validate(config, "predicates", predicates[i], type->config,
                                           errors);
        problems += found;
        predicate_instance trial;
        char why[512];
        if (found == 0 &&
            predicate_instance_create(&trial, config, predicates[i], type, why, sizeof(why)) != 0) {
            char key[128], full[300];
            error_key(why, key, sizeof(key));
            snprintf(full, sizeof(full), "predicates.%s.%s", predicates[i], key);
            config_errors_add(errors, full, "%s", why);
            problems++;
        } else if (found == 0) {
            predicate_instance_destroy(&trial);
        }
    }
    return problems;
}

/* A transform's predicate and negate: the predicate must be one of `predicates` (Kafka Connect
 * finds out only when a task starts, with "Unknown configuration 'predicates.<p>.type'"), and
 * negate needs a predicate. */
static size_t transform_predicate_validate(const config_map *config, const char *alias,
                                           char *const *predicates, config_errors *errors)
{
    size_t problems = 0;
    char predicate_key[300], negate_key[300];
    const char *predicate = alias_value(config, "transforms", alias, "predicate", predicate_key,
                                        sizeof(predicate_key));
    const char *negate = alias_value(config, "transforms", alias, "negate", negate_key,
                                     sizeof(negate_key));
    bool has_predicate = predicate && predicate[0];
    if (has_predicate && !alias_listed(predicates, predicate)) {
        config_errors_add(errors, predicate_key,
                          "Invalid value %s for configuration %s: no predicate '%s' is defined "
                          "in 'predicates' (with its predicates.%s.type)", predicate,
                          predicate_key, predicate, predicate);
        problems++;
    }
    if (negate && negate_parse(negate) < 0) {
        config_errors_add(errors, negate_key,
                          "Invalid value %s for configuration %s: Expected value to be either "
                          "true or false", negate, negate_key);
        problems++;
    } else if (negate && !has_predicate) {
        config_errors_add(errors, negate_key,
                          "Config '%s' was provided but there is no config '%s' defining a "
                          "predicate to be negated.", negate_key, predicate_key);
        problems++;
    }
    return problems;
}

/* Builds a transform as a task would, so that what only its creation finds (a pattern that
 * does not compile, keys that contradict each other) is refused with the config, under the key
 * its message names. Returns the number of problems (0 or 1). */
static size_t transform_trial(const config_map *config, const char *alias,
                              const transform_type *type, config_errors *errors)
{
    config_map *own = alias_own_config(config, "transforms", alias, type->config);
    const ferry_config_key *defs[1] = {type->config};
    ferry_config *trial_config = own ? ferry_config_new(own, defs, 1) : NULL;
    config_map_destroy(own);
    char why[512] = "", scope[300];
    void *state = NULL;
    size_t problems = 0;
    snprintf(scope, sizeof(scope), "validation transform %s", alias);
    if (!trial_config) {
        config_errors_add(errors, "transforms", "out of memory while validating transforms");
        problems = 1;
    } else if (type->create(trial_config, scope, &state, why, sizeof(why)) != 0) {
        char key[128], full[300];
        error_key(why, key, sizeof(key));
        snprintf(full, sizeof(full), "transforms.%s.%s", alias, key);
        config_errors_add(errors, full, "%s", why[0] ? why : "the transform cannot be created");
        problems = 1;
    } else {
        type->destroy(state);
    }
    ferry_config_destroy(trial_config);
    return problems;
}

size_t transform_chain_validate(const config_map *config, config_errors *errors)
{
    size_t problems = 0;
    char **aliases = alias_list(config, "transforms");
    char **predicates = alias_list(config, "predicates");
    if (!aliases || !predicates) {
        config_errors_add(errors, "transforms", "out of memory while validating transforms");
        config_list_free(aliases);
        config_list_free(predicates);
        return 1;
    }
    problems += predicates_validate(config, predicates, errors);
    for (size_t i = 0; aliases[i]; i++) {
        problems += transform_predicate_validate(config, aliases[i], predicates, errors);
        char type_key[300];
        const char *type_name = transform_type_value(config, aliases[i], type_key,
                                                     sizeof(type_key));
        if (!type_name || !type_name[0])
            continue; /* reported with the connector config */
        const transform_type *type = transform_type_find(type_name);
        if (!type) {
            char known[2048];
            type_names(false, known, sizeof(known));
            config_errors_add(errors, type_key,
                              "Invalid value %s for configuration %s: Class %s could not be "
                              "found (ferry has: %s)", type_name, type_key, type_name, known);
            problems++;
            continue;
        }
        size_t found = alias_keys_validate(config, "transforms", aliases[i], type->config,
                                           errors);
        problems += found;
        if (found == 0)
            problems += transform_trial(config, aliases[i], type, errors);
    }
    config_list_free(predicates);
    config_list_free(aliases);
    return problems;
}

/* The link's predicate and negate, as transform_chain_validate accepted them. 0, or -1. */
static int link_predicate_create(transform_link *link, const config_map *config, char *err,
                                 size_t errlen)
{
    char predicate_key[300], negate_key[300], type_key[300];
    const char *predicate = alias_value(config, "transforms", link->alias, "predicate",
                                        predicate_key, sizeof(predicate_key));
    /* Kafka Connect validates negate as a BOOLEAN (trimmed) but applies
     * Boolean.parseBoolean to the text as written: " true " validates and means false. */
    const char *negate = alias_value(config, "transforms", link->alias, "negate", negate_key,
                                     sizeof(negate_key));
    link->negate = negate && strcasecmp(negate, "true") == 0;
    if (!predicate || !predicate[0])
        return 0;
    const char *type_name = alias_value(config, "predicates", predicate, "type", type_key,
                                        sizeof(type_key));
    const predicate_type *type = predicate_type_find(type_name);
    if (!type)
        return ferry_error_set(err, errlen, "%s: unknown predicate type '%s'", type_key,
                               type_name ? type_name : ""), -1;
    char why[512];
    if (predicate_instance_create(&link->predicate, config, predicate, type, why,
                                  sizeof(why)) != 0)
        return ferry_error_set(err, errlen, "predicates.%s: %s", predicate, why), -1;
    return 0;
}

static int chain_data_tree(transform_output *output, ferry_data *data, char *err,
                           size_t errlen);
static ferry_header *chain_headers_edit(transform_output *output, ferry_record *record,
                                        size_t extra);
static void *chain_keep(transform_output *output, void *allocation);
static void *chain_alloc(transform_output *output, size_t size);

int transform_chain_create(const config_map *config, const char *scope, transform_side side,
                           transform_chain **out, char *err, size_t errlen)
{
    *out = NULL;
    char **aliases = alias_list(config, "transforms");
    if (!aliases)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    size_t count = 0;
    while (aliases[count])
        count++;
    if (count == 0) {
        config_list_free(aliases);
        return 0;
    }
    transform_chain *chain = calloc(1, sizeof(*chain));
    if (!chain || !(chain->links = calloc(count, sizeof(*chain->links)))) {
        free(chain);
        config_list_free(aliases);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    chain->scratch.output = (transform_output){.side = side, .data_tree = chain_data_tree,
                                               .headers_edit = chain_headers_edit,
                                               .keep = chain_keep, .alloc = chain_alloc};
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        transform_link *link = &chain->links[chain->count++];
        char type_key[300], why[512] = "";
        const char *type_name = transform_type_value(config, aliases[i], type_key,
                                                     sizeof(type_key));
        link->alias = strdup(aliases[i]);
        link->type = transform_type_find(type_name);
        if (!link->type) {
            ferry_error_set(err, errlen, "%s: unknown transform type '%s'", type_key,
                            type_name ? type_name : "");
            rc = -1;
            break;
        }
        config_map *own = alias_own_config(config, "transforms", aliases[i], link->type->config);
        const ferry_config_key *defs[1] = {link->type->config};
        link->config = own ? ferry_config_new(own, defs, 1) : NULL;
        config_map_destroy(own);
        char link_scope[300];
        snprintf(link_scope, sizeof(link_scope), "%s transform %s", scope, aliases[i]);
        if (!link->alias || !link->config) {
            ferry_error_set(err, errlen, "out of memory");
            rc = -1;
        } else if (link->type->create(link->config, link_scope, &link->state, why,
                                      sizeof(why)) != 0) {
            ferry_error_set(err, errlen, "transforms.%s: %s", aliases[i], why);
            rc = -1;
        } else {
            rc = link_predicate_create(link, config, err, errlen);
            chain->needs |= link->type->needs;
            if (link->predicate.type)
                chain->needs |= link->predicate.type->needs;
        }
    }
    config_list_free(aliases);
    if (rc != 0) {
        transform_chain_destroy(chain);
        return -1;
    }
    *out = chain;
    return 0;
}

void transform_chain_release(transform_chain *chain)
{
    if (!chain)
        return;
    chain_output *scratch = &chain->scratch;
    for (size_t i = 0; i < scratch->pool_count; i++)
        free(scratch->pool[i]);
    scratch->pool_count = 0;
    arena_reset(&scratch->pieces);
}

unsigned transform_chain_needs(const transform_chain *chain)
{
    return chain ? chain->needs : 0;
}

void transform_chain_destroy(transform_chain *chain)
{
    if (!chain)
        return;
    for (size_t i = 0; i < chain->count; i++) {
        transform_link *link = &chain->links[i];
        if (link->state && link->type)
            link->type->destroy(link->state);
        predicate_instance_destroy(&link->predicate);
        ferry_config_destroy(link->config);
        free(link->alias);
    }
    transform_chain_release(chain);
    free(chain->scratch.pool);
    arena_free(&chain->scratch.pieces);
    free(chain->links);
    free(chain);
}

/* ---- applying ------------------------------------------------------------------------------ */

static void *chain_keep(transform_output *output, void *allocation)
{
    chain_output *scratch = (chain_output *)output;
    if (!allocation)
        return NULL;
    if (array_reserve(&scratch->pool, &scratch->pool_capacity, scratch->pool_count + 1,
                      sizeof(*scratch->pool)) != 0) {
        free(allocation);
        return NULL;
    }
    scratch->pool[scratch->pool_count++] = allocation;
    return allocation;
}

static void *chain_alloc(transform_output *output, size_t size)
{
    return arena_alloc(&((chain_output *)output)->pieces, size);
}

/* A record's headers become a new array of the chain's with room for `extra` more: copied at
 * each edit (a few pointers), so no array a transform holds ever moves under it. */
static ferry_header *chain_headers_edit(transform_output *output, ferry_record *record,
                                        size_t extra)
{
    size_t count = record->header_count;
    ferry_header *headers = chain_alloc(output, (count + extra + 1) * sizeof(*headers));
    if (!headers)
        return NULL;
    if (count)
        memcpy(headers, record->headers, count * sizeof(*headers));
    record->headers = headers;
    return headers;
}

/* Text that is not valid UTF-8, as Java's decoder reads it: each malformed sequence becomes
 * U+FFFD. A new JSON string, or NULL when out of memory. */
static json_t *chain_string_lossy(const unsigned char *text, size_t len)
{
    json_t *string = json_stringn((const char *)text, len);
    if (string || len == 0)
        return string;
    char *fixed = malloc(len * 3 + 1);
    size_t used = 0;
    if (!fixed)
        return NULL;
    for (size_t at = 0; at < len;) {
        size_t valid = utf8_valid_prefix(text + at, len - at);
        memcpy(fixed + used, text + at, valid);
        used += valid;
        at += valid;
        if (at < len) {
            size_t bad = utf8_invalid_length(text + at, len - at);
            used += utf8_encode(0xFFFD, fixed + used);
            at += bad ? bad : 1;
        }
    }
    string = json_stringn(fixed, used);
    free(fixed);
    return string;
}

static int chain_data_tree(transform_output *output, ferry_data *data, char *err,
                           size_t errlen)
{
    if (data->kind == FERRY_DATA_NULL || (data->kind == FERRY_DATA_JSON && data->json))
        return 0;
    bool optional = output->side == TRANSFORM_SIDE_SINK;
    json_t *tree = NULL, *schema = NULL;
    switch (data->kind) {
    case FERRY_DATA_JSON: {
        /* Checked JSON text: read as the JsonConverter reads it without schemas. */
        json_error_t error;
        tree = json_loadb(data->data, data->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
        if (!tree)
            return ferry_error_set(err, errlen, "the value's JSON could not be read at line "
                                   "%d, column %d: %s", error.line, error.column,
                                   error.text), -1;
        data->json = tree;
        return 0;
    }
    case FERRY_DATA_STRING:
        tree = chain_string_lossy(data->data, data->len);
        schema = json_pack("{s:s, s:b}", "type", "string", "optional", optional);
        break;
    case FERRY_DATA_BYTES: {
        char *text = malloc(base64_encoded_length(data->len) + 1);
        if (text) {
            size_t text_len = base64_encode(data->data, data->len, false, text);
            tree = json_stringn(text, text_len);
            free(text);
        }
        schema = json_pack("{s:s, s:b}", "type", "bytes", "optional", optional);
        break;
    }
    default:
        return ferry_error_set(err, errlen, "unknown data kind %d", (int)data->kind), -1;
    }
    if (!tree || !schema) {
        json_decref(tree);
        json_decref(schema);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    *data = (ferry_data){.kind = FERRY_DATA_JSON, .json = tree, .schema = schema};
    return 0;
}

transform_result transform_chain_apply(transform_chain *chain, ferry_record *record,
                                       const char **failed_type, char *err, size_t errlen)
{
    transform_output *output = &chain->scratch.output;
    for (size_t i = 0; i < chain->count; i++) {
        transform_link *link = &chain->links[i];
        if (link->predicate.type &&
            link->predicate.type->test(link->predicate.state, record) == link->negate)
            continue; /* Kafka Connect: applies when negate XOR test */
        char why[512];
        why[0] = '\0';
        transform_result result = link->type->apply(link->state, record, output, why,
                                                    sizeof(why));
        if (result == TRANSFORM_FAIL) {
            ferry_error_set(err, errlen, "transform %s (%s): %s", link->alias, link->type->name,
                            why[0] ? why : "failed");
            if (failed_type)
                *failed_type = transform_type_class(link->type);
            return TRANSFORM_FAIL;
        }
        if (result == TRANSFORM_DROP)
            return TRANSFORM_DROP;
    }
    return TRANSFORM_KEEP;
}
