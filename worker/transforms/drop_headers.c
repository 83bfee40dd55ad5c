/*
 * drop_headers.c - Kafka Connect's DropHeaders: removes every header whose name is one of
 * `headers` (exact and case-sensitive, every occurrence), keeping the others in their order. A
 * record without such a header is left as it is, its header array untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

typedef struct drop_headers {
    char **names; /* NULL-terminated */
} drop_headers;

/* Required (no default); an empty list gets Kafka's NonEmptyListValidator text at create. */
static const ferry_config_key drop_headers_config[] = {
    {.name = "headers", .type = FERRY_CONFIG_LIST, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The name of the headers to be removed."},
    {.name = NULL},
};

static void drop_headers_destroy(void *state)
{
    drop_headers *self = state;
    if (!self)
        return;
    java_config_list_free(self->names);
    free(self);
}

static int drop_headers_create(const ferry_config *config, const char *scope, void **state,
                               char *err, size_t errlen)
{
    (void)scope;
    drop_headers *self = calloc(1, sizeof(*self));
    if (!self)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (java_config_list_non_empty(config, "headers", &self->names, err, errlen) != 0) {
        drop_headers_destroy(self);
        return -1;
    }
    *state = self;
    return 0;
}

static bool drop_headers_named(const drop_headers *self, const char *key)
{
    for (size_t i = 0; key && self->names[i]; i++)
        if (strcmp(self->names[i], key) == 0)
            return true;
    return false;
}

static transform_result drop_headers_apply(void *state, ferry_record *record,
                                           transform_output *output, char *err, size_t errlen)
{
    drop_headers *self = state;
    size_t first = 0;
    while (first < record->header_count && !drop_headers_named(self, record->headers[first].key))
        first++;
    if (first == record->header_count)
        return TRANSFORM_KEEP;
    if (!transform_headers_edit(output, record, 0)) {
        ferry_error_set(err, errlen, "out of memory");
        return TRANSFORM_FAIL;
    }
    for (size_t i = first; i < record->header_count;) {
        if (drop_headers_named(self, record->headers[i].key))
            transform_header_remove(record, i);
        else
            i++;
    }
    return TRANSFORM_KEEP;
}

const transform_type drop_headers_type = {
    .name = "DropHeaders",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.DropHeaders", NULL},
    .description = "Removes one or more headers from each record.",
    .config = drop_headers_config,
    .needs = TRANSFORM_NEEDS_HEADERS,
    .create = drop_headers_create,
    .apply = drop_headers_apply,
    .destroy = drop_headers_destroy,
};
