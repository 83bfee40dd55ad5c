/*
 * transform_chain.c - the `transforms` of a connector: validation, construction, application.
 */
#include "transforms/transform_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "support/array.h"

extern const transform_type extract_new_record_state_type;

static const transform_type *const all_types[] = {&extract_new_record_state_type, NULL};

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

void transform_data_set_json(ferry_data *data, json_t *value, json_t *schema)
{
    json_t *old_json = data->json, *old_schema = data->schema;
    *data = (ferry_data){.kind = value ? FERRY_DATA_JSON : FERRY_DATA_NULL,
                         .json = json_incref(value), .schema = json_incref(schema)};
    json_decref(old_json);
    json_decref(old_schema);
}

void transform_data_set_null(ferry_data *data)
{
    transform_data_set_json(data, NULL, NULL);
}

/* ---- one link ---------------------------------------------------------------------------- */

typedef struct transform_link {
    char *alias;
    const transform_type *type;
    ferry_config *config;
    void *state;
} transform_link;

typedef struct chain_output {
    transform_output output; /* first: the transforms see only this */
    ferry_header *added;     /* headers added to the record being transformed */
    size_t added_count, added_capacity;
    void **pool;             /* header arrays and strings handed out since the last release */
    size_t pool_count, pool_capacity;
} chain_output;

struct transform_chain {
    transform_link *links;
    size_t count;
    chain_output scratch;
};

/* "transforms.<alias>.<key>" of config, the prefix removed, without type/predicate/negate. */
static config_map *transform_own_config(const config_map *config, const char *alias)
{
    config_map *own = config_map_new();
    char prefix[256];
    int prefix_len = snprintf(prefix, sizeof(prefix), "transforms.%s.", alias);
    if (!own || prefix_len < 0 || (size_t)prefix_len >= sizeof(prefix)) {
        config_map_destroy(own);
        return NULL;
    }
    for (size_t i = 0; i < config_map_count(config); i++) {
        const char *key = config_map_key_at(config, i);
        if (strncmp(key, prefix, (size_t)prefix_len) != 0)
            continue;
        const char *own_key = key + prefix_len;
        if (strcmp(own_key, "type") == 0)
            continue;
        if (config_map_set(own, own_key, config_map_value_at(config, i)) != 0) {
            config_map_destroy(own);
            return NULL;
        }
    }
    return own;
}

/* Splits `transforms`; NULL when out of memory. */
static char **transform_aliases(const config_map *config)
{
    const char *list = config_map_get(config, "transforms");
    return config_value_split_list(list ? list : "");
}

static const char *transform_type_value(const config_map *config, const char *alias,
                                        char *key, size_t key_size)
{
    snprintf(key, key_size, "transforms.%s.type", alias);
    return config_map_get(config, key);
}

size_t transform_chain_validate(const config_map *config, config_errors *errors)
{
    size_t problems = 0;
    char **aliases = transform_aliases(config);
    if (!aliases) {
        config_errors_add(errors, "transforms", "out of memory while validating transforms");
        return 1;
    }
    for (size_t i = 0; aliases[i]; i++) {
        char type_key[300];
        const char *type_name = transform_type_value(config, aliases[i], type_key,
                                                     sizeof(type_key));
        if (!type_name || !type_name[0])
            continue; /* reported with the connector config */
        const transform_type *type = transform_type_find(type_name);
        if (!type) {
            config_errors_add(errors, type_key,
                              "Invalid value %s for configuration %s: Class %s could not be "
                              "found (ferry has: %s)", type_name, type_key, type_name,
                              "ExtractNewRecordState");
            problems++;
            continue;
        }
        config_map *own = transform_own_config(config, aliases[i]);
        config_errors *own_errors = config_errors_new();
        if (!own || !own_errors) {
            config_errors_add(errors, type_key, "out of memory while validating transforms");
            problems++;
        } else {
            const ferry_config_key *defs[1] = {type->config};
            config_map *unknown = config_map_new();
            size_t found = config_validate(defs, 1, own, NULL, own_errors, unknown);
            for (size_t u = 0; unknown && u < config_map_count(unknown); u++) {
                const char *key = config_map_key_at(unknown, u);
                if (strcmp(key, "predicate") == 0 || strcmp(key, "negate") == 0) {
                    config_errors_add(own_errors, key, "predicates are not supported yet");
                    found++;
                }
            }
            config_map_destroy(unknown);
            for (size_t e = 0; e < config_errors_count(own_errors); e++) {
                char full[300];
                snprintf(full, sizeof(full), "transforms.%s.%s", aliases[i],
                         config_errors_key_at(own_errors, e));
                config_errors_add(errors, full, "%s", config_errors_message_at(own_errors, e));
            }
            problems += found;
        }
        config_errors_destroy(own_errors);
        config_map_destroy(own);
    }
    config_list_free(aliases);
    return problems;
}

int transform_chain_create(const config_map *config, const char *scope, transform_chain **out,
                           char *err, size_t errlen)
{
    *out = NULL;
    char **aliases = transform_aliases(config);
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
        config_map *own = transform_own_config(config, aliases[i]);
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
}

void transform_chain_destroy(transform_chain *chain)
{
    if (!chain)
        return;
    for (size_t i = 0; i < chain->count; i++) {
        transform_link *link = &chain->links[i];
        if (link->state && link->type)
            link->type->destroy(link->state);
        ferry_config_destroy(link->config);
        free(link->alias);
    }
    transform_chain_release(chain);
    free(chain->scratch.pool);
    free(chain->scratch.added);
    free(chain->links);
    free(chain);
}

/* ---- applying ------------------------------------------------------------------------------ */

/* Keeps an allocation until the next release; frees it and returns NULL when out of memory. */
static void *chain_pool_keep(chain_output *scratch, void *allocation)
{
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

static int chain_header_add(transform_output *output, const char *key, const char *value)
{
    chain_output *scratch = (chain_output *)output;
    if (array_reserve(&scratch->added, &scratch->added_capacity, scratch->added_count + 1,
                      sizeof(*scratch->added)) != 0)
        return -1;
    char *key_copy = chain_pool_keep(scratch, strdup(key));
    char *value_copy = value ? chain_pool_keep(scratch, strdup(value)) : NULL;
    if (!key_copy || (value && !value_copy))
        return -1;
    scratch->added[scratch->added_count++] = (ferry_header){
        .key = key_copy, .value = value_copy, .value_len = value_copy ? strlen(value_copy) : 0};
    return 0;
}

transform_result transform_chain_apply(transform_chain *chain, ferry_record *record,
                                       const char **failed_type, char *err, size_t errlen)
{
    chain_output *scratch = &chain->scratch;
    scratch->output.header_add = chain_header_add;
    scratch->added_count = 0;
    for (size_t i = 0; i < chain->count; i++) {
        transform_link *link = &chain->links[i];
        char why[512] = "";
        transform_result result = link->type->apply(link->state, record, &scratch->output, why,
                                                    sizeof(why));
        if (result == TRANSFORM_FAIL) {
            ferry_error_set(err, errlen, "transform %s (%s): %s", link->alias, link->type->name,
                            why[0] ? why : "failed");
            if (failed_type)
                *failed_type = link->type->aliases && link->type->aliases[0]
                                   ? link->type->aliases[0] : link->type->name;
            return TRANSFORM_FAIL;
        }
        if (result == TRANSFORM_DROP)
            return TRANSFORM_DROP;
    }
    if (scratch->added_count > 0) {
        /* The record's headers, then the added ones, in one array kept until the release. */
        size_t total = record->header_count + scratch->added_count;
        ferry_header *headers = chain_pool_keep(scratch, malloc(total * sizeof(*headers)));
        if (!headers) {
            ferry_error_set(err, errlen, "out of memory adding headers");
            return TRANSFORM_FAIL;
        }
        if (record->header_count)
            memcpy(headers, record->headers, record->header_count * sizeof(*headers));
        memcpy(headers + record->header_count, scratch->added,
               scratch->added_count * sizeof(*headers));
        record->headers = headers;
        record->header_count = total;
    }
    return TRANSFORM_KEEP;
}
