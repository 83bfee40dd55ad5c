/*
 * mask_field.c - Kafka Connect's MaskField$Key and MaskField$Value: the named fields of a struct
 * or map get the "null value" of their Java type (0, false, "", an empty list or map, Decimal
 * zero, the epoch for Date, Time and Timestamp), or a configured replacement converted to their
 * type (numbers and strings only), with Kafka's texts for a value that cannot be masked. Unlike
 * most transforms it does not let a null key or value pass: Java fails on it. The schema stays as
 * it is. docs/transforms.md lists every key.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "support/strbuf.h"
#include "transforms/connect_schema.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/java_hash_map.h"
#include "transforms/transform.h"

static const ferry_config_key mask_field_config[] = {
    {.name = "fields", .type = FERRY_CONFIG_LIST, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .documentation = "Names of fields to mask."},
    {.name = "replacement", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Custom value replacement, that will be applied to all 'fields' values "
                      "(numeric or non-empty string values only)."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

/* A replacement read as Java's new BigDecimal(String) reads it: sign, every digit of the
 * unscaled value (the point removed), and the scale (digits after the point less the
 * exponent). */
typedef struct java_decimal {
    bool negative;
    char *digits;
    size_t count;
    int64_t scale;
} java_decimal;

typedef struct mask_field {
    bool key; /* MaskField$Key */
    char **fields; /* each once, in the order Java's HashSet iterates them */
    size_t field_count;
    char *replacement; /* NULL: the type's null value */
    bool replacement_is_number; /* it reads as a BigDecimal: number and decimal below are set */
    java_decimal decimal;
    int64_t replacement_long; /* BigDecimal.longValue() */
    double replacement_double; /* BigDecimal.doubleValue() */
    bool replace_null_with_default;
} mask_field;

static void mask_field_destroy(void *state)
{
    mask_field *self = state;
    if (!self)
        return;
    java_config_list_free(self->fields);
    free(self->replacement);
    free(self->decimal.digits);
    free(self);
}

/* ---- the replacement as a number ---------------------------------------------------------- */

/* Digits at text (ASCII): how many. */
static size_t digits_span(const char *text)
{
    return strspn(text, "0123456789");
}

/* new BigDecimal(text): [+-] digits [. digits] [(e|E) [+-] digits], at least one digit before the
 * exponent, an exponent and a scale within Java's int. false when Java throws
 * NumberFormatException (or out of memory). */
static bool java_decimal_parse(const char *text, java_decimal *decimal)
{
    *decimal = (java_decimal){0};
    const char *at = text;
    if (*at == '+' || *at == '-')
        decimal->negative = *at++ == '-';
    size_t whole = digits_span(at);
    const char *fraction = at + whole;
    size_t fraction_count = 0;
    if (*fraction == '.') {
        fraction++;
        fraction_count = digits_span(fraction);
    }
    const char *rest = fraction + fraction_count;
    if (whole + fraction_count == 0)
        return false;
    int64_t exponent = 0;
    if (*rest == 'e' || *rest == 'E') {
        rest++;
        bool negative = *rest == '-';
        if (*rest == '+' || *rest == '-')
            rest++;
        size_t count = digits_span(rest);
        if (count == 0)
            return false;
        for (size_t i = 0; i < count; i++) {
            exponent = exponent * 10 + (rest[i] - '0');
            if (exponent > INT32_MAX + (int64_t)1)
                return false;
        }
        exponent = negative ? -exponent : exponent;
        if (exponent > INT32_MAX)
            return false;
        rest += count;
    }
    if (*rest)
        return false;
    decimal->scale = (int64_t)fraction_count - exponent;
    if (decimal->scale > INT32_MAX || decimal->scale < INT32_MIN)
        return false;
    decimal->digits = malloc(whole + fraction_count + 1);
    if (!decimal->digits)
        return false;
    memcpy(decimal->digits, at, whole);
    memcpy(decimal->digits + whole, fraction, fraction_count);
    decimal->count = whole + fraction_count;
    decimal->digits[decimal->count] = '\0';
    return true;
}

/* BigDecimal.longValue(): the integer part (the fraction cut off), its low 64 bits. */
static int64_t java_decimal_long(const java_decimal *decimal)
{
    uint64_t value = 0;
    size_t whole = decimal->count; /* the digits before the point */
    if (decimal->scale > 0 && (uint64_t)decimal->scale >= decimal->count)
        whole = 0;
    else if (decimal->scale > 0)
        whole = decimal->count - (size_t)decimal->scale;
    for (size_t i = 0; i < whole; i++)
        value = value * 10u + (uint64_t)(decimal->digits[i] - '0');
    /* 10^64 is a multiple of 2^64: past 64 more zeros the low bits are all 0 */
    for (int64_t zeros = decimal->scale < 0 ? -decimal->scale : 0; zeros > 0 && value; zeros--)
        value *= 10u;
    if (decimal->negative)
        value = 0u - value;
    int64_t result;
    memcpy(&result, &value, sizeof(result));
    return result;
}

/* BigInteger.toByteArray() of the unscaled value: big-endian two's complement, the fewest bytes
 * that hold its sign. A new array of *len bytes, NULL when out of memory. */
static unsigned char *unscaled_bytes(const char *digits, size_t count, bool negative,
                                     size_t *len)
{
    size_t size = count / 2 + 2; /* 10^count < 256^(count/2+1), and a byte for the sign */
    unsigned char *bytes = calloc(size, 1);
    if (!bytes)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        unsigned carry = (unsigned)(digits[i] - '0');
        for (size_t j = size; j-- > 0;) {
            unsigned product = bytes[j] * 10u + carry;
            bytes[j] = (unsigned char)product;
            carry = product >> 8;
        }
    }
    if (negative) { /* two's complement: every bit inverted, one added */
        unsigned carry = 1;
        for (size_t j = size; j-- > 0;) {
            unsigned sum = (unsigned char)~bytes[j] + carry;
            bytes[j] = (unsigned char)sum;
            carry = sum >> 8;
        }
    }
    size_t start = 0;
    while (start + 1 < size &&
           ((bytes[start] == 0x00 && !(bytes[start + 1] & 0x80)) ||
            (bytes[start] == 0xFF && (bytes[start + 1] & 0x80))))
        start++;
    *len = size - start;
    memmove(bytes, bytes + start, *len);
    return bytes;
}

/* The most digits a rescaled replacement may have: far beyond any column, short of a runaway
 * exponent. */
#define MASK_DECIMAL_MAX_DIGITS 4096

/* The replacement as the ferry form of a Decimal of schema's scale (base64 of the unscaled
 * value). Java holds the BigDecimal with its own scale, which its JsonConverter refuses to write
 * under another; a ferry value carries only the schema's scale, so the replacement is rescaled
 * when that loses nothing and refused with the converter's text when it would. */
static json_t *decimal_at_scale(const java_decimal *decimal, const json_t *schema, char *err,
                                size_t errlen)
{
    const char *scale_text =
        json_string_value(json_object_get(json_object_get(schema, "parameters"), "scale"));
    if (!scale_text)
        return ferry_error_set(err, errlen, "Invalid Decimal schema: scale parameter not "
                               "found."), NULL;
    char *end;
    long scale = strtol(scale_text, &end, 10);
    if (end == scale_text || *end || scale > INT32_MAX || scale < INT32_MIN)
        return ferry_error_set(err, errlen, "Invalid scale parameter found in Decimal schema: "),
               NULL;
    size_t count = decimal->count;
    int64_t zeros = (int64_t)scale - decimal->scale;
    if (zeros < 0) {
        /* fewer digits after the point: only zeros may go */
        size_t drop = (uint64_t)-zeros > count ? count : (size_t)-zeros;
        if (strspn(decimal->digits + count - drop, "0") != drop)
            goto mismatch;
        count -= drop;
        zeros = 0;
    }
    if ((uint64_t)zeros > MASK_DECIMAL_MAX_DIGITS || count + (size_t)zeros >
                                                         MASK_DECIMAL_MAX_DIGITS)
        goto mismatch;
    strbuf digits = {0};
    strbuf_append(&digits, decimal->digits, count);
    for (int64_t i = 0; i < zeros; i++)
        strbuf_append_char(&digits, '0');
    size_t len = 0;
    unsigned char *bytes = strbuf_failed(&digits)
                               ? NULL
                               : unscaled_bytes(digits.data ? digits.data : "", digits.len,
                                                decimal->negative, &len);
    strbuf_free(&digits);
    strbuf text = {0};
    if (bytes)
        strbuf_append_base64(&text, bytes, len);
    free(bytes);
    json_t *value = bytes && !strbuf_failed(&text) ? json_stringn(text.data, text.len) : NULL;
    strbuf_free(&text);
    if (!value)
        ferry_error_set(err, errlen, "out of memory");
    return value;
mismatch:
    ferry_error_set(err, errlen, "Decimal value has mismatching scale for given Decimal schema. "
                    "Schema has scale %ld, value has scale %lld.", scale,
                    (long long)decimal->scale);
    return NULL;
}

/* ---- config ------------------------------------------------------------------------------- */

/* new HashSet<>(fields): each name once, in the set's iteration order (bucket, then the order
 * the names were added). Sorts self->fields, which holds them in config order, in place: the
 * first `kept` slots are the sorted names so far; a slot behind them is never read again once
 * passed (a repeated name is freed there, a kept one was copied forward). */
static void fields_in_set_order(mask_field *self, size_t listed)
{
    size_t table = java_hash_map_table_sized(listed);
    size_t kept = 0;
    for (size_t i = 0; i < listed; i++) {
        bool seen = false;
        for (size_t j = 0; j < kept && !seen; j++)
            seen = strcmp(self->fields[j], self->fields[i]) == 0;
        if (seen) {
            free(self->fields[i]);
            continue;
        }
        /* insertion sort by bucket, stable for names of one bucket */
        char *name = self->fields[i];
        size_t bucket = java_hash_map_bucket(name, table), at = kept;
        while (at > 0 && java_hash_map_bucket(self->fields[at - 1], table) > bucket) {
            self->fields[at] = self->fields[at - 1];
            at--;
        }
        self->fields[at] = name;
        kept++;
    }
    self->fields[kept] = NULL;
    self->field_count = kept;
}

static int mask_field_create(const ferry_config *config, const char *scope, bool key,
                             void **state, char *err, size_t errlen)
{
    (void)scope;
    mask_field *self = calloc(1, sizeof(*self));
    if (!self)
        goto oom;
    self->key = key;
    if (java_config_list_non_empty(config, "fields", &self->fields, err, errlen) != 0)
        goto fail;
    fields_in_set_order(self, java_config_list_count(self->fields));
    if (java_config_string(config, "replacement", &self->replacement) != 0)
        goto oom;
    if (self->replacement && !self->replacement[0]) {
        ferry_error_set(err, errlen, "Invalid value  for configuration replacement: String must "
                        "be non-empty");
        goto fail;
    }
    if (self->replacement &&
        (self->replacement_is_number = java_decimal_parse(self->replacement, &self->decimal))) {
        self->replacement_long = java_decimal_long(&self->decimal);
        /* strtod rounds correctly, as BigDecimal.doubleValue() does; the syntax is checked */
        self->replacement_double = strtod(self->replacement, NULL);
    }
    self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
    *state = self;
    return 0;
oom:
    ferry_error_set(err, errlen, "out of memory");
fail:
    mask_field_destroy(self);
    return -1;
}

FIELD_TRANSFORM_CREATE_SIDES(mask_field)

/* ---- masking one value -------------------------------------------------------------------- */

static bool class_is(const char *class, const char *name)
{
    return strcmp(class, name) == 0;
}

static bool class_is_integral(const char *class)
{
    return class_is(class, "java.lang.Byte") || class_is(class, "java.lang.Short") ||
           class_is(class, "java.lang.Integer") || class_is(class, "java.lang.Long");
}

static bool class_is_floating(const char *class)
{
    return class_is(class, "java.lang.Float") || class_is(class, "java.lang.Double");
}

/* maskWithNullValue: PRIMITIVE_VALUE_MAPPING by the value's class, then any List or Map. */
static json_t *mask_null_value(const char *class, const json_t *value, char *err, size_t errlen)
{
    json_t *masked = NULL;
    if (class_is(class, "java.lang.Boolean"))
        masked = json_false();
    else if (class_is_integral(class) || class_is(class, "java.util.Date"))
        masked = json_integer(0);
    else if (class_is_floating(class))
        masked = json_real(0.0);
    else if (class_is(class, "java.math.BigDecimal"))
        masked = json_string("AA=="); /* BigDecimal.ZERO: its unscaled value, 0, one byte */
    else if (class_is(class, "java.lang.String"))
        masked = json_string("");
    else if (class_is(class, "java.util.ArrayList"))
        masked = json_array();
    else if (class_is(class, "java.util.HashMap"))
        masked = json_is_object(value) ? json_object() : json_array(); /* a map, as it came */
    else
        return ferry_error_set(err, errlen, "Cannot mask value of type: class %s", class), NULL;
    if (!masked)
        ferry_error_set(err, errlen, "out of memory");
    return masked;
}

/* The replacement as a number of class: Values.convertToByte and its kin narrow
 * BigDecimal.longValue() as Java casts; Float rounds BigDecimal.doubleValue() once more. */
static json_t *replacement_number(const mask_field *self, const char *class, char *err,
                                  size_t errlen)
{
    if (!self->replacement_is_number)
        return ferry_error_set(err, errlen, "Unable to convert %s (class java.lang.String) to a "
                               "number", self->replacement), NULL;
    int64_t whole = self->replacement_long;
    if (class_is(class, "java.lang.Byte"))
        return json_integer((int8_t)whole);
    if (class_is(class, "java.lang.Short"))
        return json_integer((int16_t)whole);
    if (class_is(class, "java.lang.Integer"))
        return json_integer((int32_t)whole);
    if (class_is(class, "java.lang.Long"))
        return json_integer(whole);
    double real = class_is(class, "java.lang.Float") ? (double)(float)self->replacement_double
                                                     : self->replacement_double;
    if (!isfinite(real))
        return ferry_error_set(err, errlen, "The replacement %s is beyond the range of a %s, "
                               "which JSON cannot hold", self->replacement, class), NULL;
    return json_real(real);
}

/* maskWithCustomReplacement: REPLACEMENT_MAPPING_FUNC by the value's class. */
static json_t *mask_replacement(const mask_field *self, const char *class, const json_t *schema,
                                char *err, size_t errlen)
{
    json_t *masked = NULL;
    if (class_is_integral(class) || class_is_floating(class))
        return replacement_number(self, class, err, errlen);
    if (class_is(class, "java.math.BigDecimal")) {
        if (!self->replacement_is_number)
            return ferry_error_set(err, errlen, "Unable to convert %s (class java.lang.String) "
                                   "to number", self->replacement), NULL;
        return decimal_at_scale(&self->decimal, schema, err, errlen);
    }
    if (!class_is(class, "java.lang.String"))
        return ferry_error_set(err, errlen, "Cannot mask value of type class %s with custom "
                               "replacement.", class), NULL;
    if (!(masked = json_string(self->replacement)))
        ferry_error_set(err, errlen, "the replacement is not valid UTF-8");
    return masked;
}

/* masked(value) under schema (NULL: schemaless): *masked a new reference, NULL for a null.
 * 0, or -1 with Kafka's text. */
static int mask_value(const mask_field *self, const json_t *schema, const json_t *value,
                      json_t **masked, char *err, size_t errlen)
{
    *masked = NULL;
    if (!value || json_is_null(value))
        return 0;
    const char *class = connect_schema_java_class(schema, value);
    *masked = self->replacement ? mask_replacement(self, class, schema, err, errlen)
                                : mask_null_value(class, value, err, errlen);
    return *masked ? 0 : -1;
}

static bool field_masked(const mask_field *self, const char *name)
{
    for (size_t i = 0; i < self->field_count; i++)
        if (strcmp(self->fields[i], name) == 0)
            return true;
    return false;
}

/* ---- a map and a struct ------------------------------------------------------------------- */

/* A copy of the map with each field masked; a field the map lacks is added as a null. Java's
 * HashMap has an order of its own; the copy keeps the map's order and appends the added. */
static json_t *mask_schemaless(const mask_field *self, const json_t *map, char *err,
                               size_t errlen)
{
    if (connect_schema_require_map(map, "mask fields", err, errlen) != 0)
        return NULL;
    json_t *updated = json_copy((json_t *)map);
    if (!updated)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    for (size_t i = 0; i < self->field_count; i++) {
        json_t *masked;
        if (mask_value(self, NULL, json_object_get(map, self->fields[i]), &masked, err,
                       errlen) != 0)
            goto fail;
        if (field_transform_member_set(updated, self->fields[i], masked, err, errlen) != 0)
            goto fail;
    }
    return updated;
fail:
    json_decref(updated);
    return NULL;
}

/* A struct of the same schema, its masked fields masked, each checked as Struct.put checks. */
static json_t *mask_struct(const mask_field *self, const json_t *schema, const json_t *value,
                           char *err, size_t errlen)
{
    if (connect_schema_require_struct(schema, value, "mask fields", err, errlen) != 0)
        return NULL;
    json_t *updated = json_object();
    if (!updated)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        json_t *original, *member;
        if (connect_schema_struct_get(schema, value, name, self->replace_null_with_default,
                                      &original, err, errlen) != 0)
            goto fail;
        if (field_masked(self, name)) {
            if (mask_value(self, field, original, &member, err, errlen) != 0)
                goto fail;
        } else {
            member = json_incref(original);
        }
        if (field_transform_put_check(field, name, member, err, errlen) != 0) {
            json_decref(member);
            goto fail;
        }
        if (field_transform_member_set(updated, name, member, err, errlen) != 0)
            goto fail;
    }
    return updated;
fail:
    json_decref(updated);
    return NULL;
}

static transform_result mask_field_apply(void *state, ferry_record *record,
                                         transform_output *output, char *err, size_t errlen)
{
    mask_field *self = state;
    ferry_data *data = field_transform_data(record, self->key);
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    const json_t *value = data->kind == FERRY_DATA_NULL ? NULL : data->json;
    json_t *updated = data->schema ? mask_struct(self, data->schema, value, err, errlen)
                                   : mask_schemaless(self, value, err, errlen);
    if (!updated)
        return TRANSFORM_FAIL;
    transform_data_take_json(data, updated, json_incref(data->schema));
    return TRANSFORM_KEEP;
}

#define MASK_FIELD_DOC                                                                           \
    "Mask specified fields with a valid null value for the field type (i.e. 0, false, empty "    \
    "string, and so on).<p/>For numeric and string fields, an optional replacement value can "  \
    "be specified that is converted to the correct type.<p/>Use the concrete transformation "    \
    "type designed for the record key (<code>org.apache.kafka.connect.transforms.MaskField$Key"  \
    "</code>) or value (<code>org.apache.kafka.connect.transforms.MaskField$Value</code>)."

const transform_type mask_field_key_type = {
    .name = "MaskField$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.MaskField$Key", NULL},
    .description = MASK_FIELD_DOC,
    .config = mask_field_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = mask_field_key_create,
    .apply = mask_field_apply,
    .destroy = mask_field_destroy,
};

const transform_type mask_field_value_type = {
    .name = "MaskField$Value",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.MaskField$Value",
                                     NULL},
    .description = MASK_FIELD_DOC,
    .config = mask_field_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = mask_field_value_create,
    .apply = mask_field_apply,
    .destroy = mask_field_destroy,
};
