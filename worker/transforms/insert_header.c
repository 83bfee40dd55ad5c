/*
 * insert_header.c - Kafka Connect's InsertHeader: appends one header to every record (a header
 * of the same name already there stays). Kafka Connect parses value.literal with
 * Values.parseString into a typed value and its worker writes that value with the header
 * converter (SimpleHeaderConverter by default), so the bytes that reach Kafka are not always the
 * literal: " 12 " becomes 12, "1.0" becomes 1, "[1, 2]" becomes [1,2], "null" a null value. The
 * bytes are worked out once, at create (connect_values.h).
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "transforms/connect_values.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

typedef struct insert_header {
    char *header;
    char *value; /* NULL: a null value */
    size_t value_len;
} insert_header;

/* Both keys are required (no default) but may be empty, as Kafka's NonNullValidator allows:
 * their presence is checked at create. */
static const ferry_config_key insert_header_config[] = {
    {.name = "header", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The name of the header."},
    {.name = "value.literal", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The literal value that is to be set as the header value on all records."},
    {.name = NULL},
};

static void insert_header_destroy(void *state)
{
    insert_header *self = state;
    if (!self)
        return;
    free(self->header);
    free(self->value);
    free(self);
}

static int insert_header_create(const ferry_config *config, const char *scope, void **state,
                                char *err, size_t errlen)
{
    (void)scope;
    static const char *const keys[] = {"header", "value.literal"};
    for (size_t i = 0; i < 2; i++)
        if (!ferry_config_string(config, keys[i]))
            return ferry_error_set(err, errlen, "Missing required configuration \"%s\" which "
                                   "has no default value.", keys[i]), -1;
    insert_header *self = calloc(1, sizeof(*self));
    char *literal = java_config_text(config, "value.literal");
    connect_values *values = connect_values_new(err, errlen);
    strbuf text = {0};
    bool is_null = false;
    int rc = -1;
    if (!self || !literal || !(self->header = java_config_text(config, "header")))
        ferry_error_set(err, errlen, "out of memory");
    else if (values) {
        char why[256];
        rc = connect_values_literal_text(values, literal, &text, &is_null, why, sizeof(why));
        if (rc != 0) /* a literal too long to show whole is cut */
            ferry_error_set(err, errlen, "Invalid value %.64s%s for configuration value.literal: "
                            "%s", literal, strlen(literal) > 64 ? "..." : "", why);
    }
    if (rc == 0 && !is_null) {
        self->value_len = text.len;
        if (!(self->value = strndup(text.data ? text.data : "", text.len))) {
            ferry_error_set(err, errlen, "out of memory");
            rc = -1;
        }
    }
    strbuf_free(&text);
    connect_values_free(values);
    free(literal);
    if (rc != 0) {
        insert_header_destroy(self);
        return -1;
    }
    *state = self;
    return 0;
}

static transform_result insert_header_apply(void *state, ferry_record *record,
                                            transform_output *output, char *err, size_t errlen)
{
    insert_header *self = state;
    /* The header points at this instance's own strings rather than copies: a transform's state
     * outlives every record the chain hands on (its scratch is released first). */
    ferry_header *headers = transform_headers_edit(output, record, 1);
    if (!headers) {
        ferry_error_set(err, errlen, "out of memory");
        return TRANSFORM_FAIL;
    }
    headers[record->header_count++] = (ferry_header){
        .key = self->header, .value = self->value, .value_len = self->value_len};
    return TRANSFORM_KEEP;
}

const transform_type insert_header_type = {
    .name = "InsertHeader",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.InsertHeader", NULL},
    .description = "Add a header to each record.",
    .config = insert_header_config,
    .needs = TRANSFORM_NEEDS_HEADER_APPEND,
    .create = insert_header_create,
    .apply = insert_header_apply,
    .destroy = insert_header_destroy,
};
