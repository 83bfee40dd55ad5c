/*
 * cast.c - Kafka Connect's Cast$Key and Cast$Value: the whole key or value (`spec=int32`), or
 * top-level fields of a struct or map (`spec=a:int32,b:string`), cast to int8, int16, int32,
 * int64, float32, float64, boolean or string, with Kafka 3.9's conversions (castValueToType):
 *
 *   - numbers narrow as Java's do (integers wrap, floating point saturates, NaN is 0), a number
 *     is true when its longValue() is not 0, a boolean is 1 or 0;
 *   - text is read with Byte.parseByte .. Long.parseLong, Float.parseFloat, Double.parseDouble
 *     and Boolean.parseBoolean (java_number.h); a number written as text as Java's toString
 *     writes it, Float.toString and Double.toString included;
 *   - bytes only become text, as base64; a Decimal is a java.math.BigDecimal (its toString, its
 *     intValue() and the rest); Date, Time and Timestamp become their encoded integers, or to
 *     text Kafka's Values.dateFormatFor (HH:mm:ss.SSS'Z' below a day, yyyy-MM-dd on a midnight,
 *     yyyy-MM-dd'T'HH:mm:ss.SSS'Z' otherwise, in UTC).
 *
 * The schema changes as Java changes it: a cast field gets a plain schema of its new type
 * (optional if it was, its default cast too), the other fields stay; a whole-value cast keeps
 * the input's name, version, doc and parameters on a schema of the new type. The struct keeps
 * its own basics and optional, and fails with a default (Kafka cannot cast a STRUCT default).
 * NaN and the infinities, which JSON has no number for, are held as the strings "NaN",
 * "Infinity" and "-Infinity" (what Jackson writes for them). docs/transforms.md describes the
 * keys.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert/java_number.h"
#include "support/base64.h"
#include "support/strbuf.h"
#include "support/utf8.h"
#include "transforms/connect_schema.h"
#include "transforms/connect_values.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

#define CAST_PURPOSE "cast types"
#define CAST_INPUT_TYPES "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
#define CAST_OUTPUT_TYPES "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
#define CAST_MILLIS_PER_DAY INT64_C(86400000)

typedef struct cast_field {
    char *name;
    connect_type type;
} cast_field;

typedef struct cast {
    bool key;                  /* Cast$Key */
    connect_type whole;        /* the type of a whole-value cast; UNKNOWN for field casts */
    cast_field *fields;        /* field casts, in the order the spec names them first */
    size_t field_count;
    bool replace_null_with_default;
    connect_schema_cache *schemas; /* input schema -> cast schema */
    connect_values *values; /* Values.dateFormatFor and BigDecimal.toString, for text */
} cast;

static const ferry_config_key cast_config[] = {
    {.name = "spec", .type = FERRY_CONFIG_LIST, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "List of fields and the type to cast them to of the form "
                      "field1:type,field2:type to cast fields of Maps or Structs. A single type "
                      "to cast the entire value. Valid types are int8, int16, int32, int64, "
                      "float32, float64, boolean, and string. Note that binary fields can only "
                      "be cast to string."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

/* ---- the spec ------------------------------------------------------------------------------ */

static void cast_destroy(void *state)
{
    cast *self = state;
    if (!self)
        return;
    for (size_t i = 0; i < self->field_count; i++)
        free(self->fields[i].name);
    free(self->fields);
    connect_schema_cache_destroy(self->schemas);
    connect_values_free(self->values);
    free(self);
}

/* A piece of the spec's text: [start, start + len). */
typedef struct cast_text {
    const char *start;
    size_t len;
} cast_text;

/* Java's String.trim: the characters up to U+0020 off both ends. */
static cast_text cast_text_trim(cast_text text)
{
    while (text.len > 0 && (unsigned char)text.start[0] <= ' ') {
        text.start++;
        text.len--;
    }
    while (text.len > 0 && (unsigned char)text.start[text.len - 1] <= ' ')
        text.len--;
    return text;
}

/* String.split(":"): the pieces between colons, the empty ones at the end dropped. Returns how
 * many there are (up to 3 stored; more only counted). */
static size_t cast_mapping_split(cast_text mapping, cast_text parts[3])
{
    size_t count = 0, kept = 0;
    const char *at = mapping.start, *end = mapping.start + mapping.len;
    for (;;) {
        const char *colon = memchr(at, ':', (size_t)(end - at));
        cast_text part = {at, (size_t)((colon ? colon : end) - at)};
        if (count < 3)
            parts[count] = part;
        count++;
        if (part.len > 0)
            kept = count;
        if (!colon)
            break;
        at = colon + 1;
    }
    /* A text without a colon is itself, even when empty. */
    return count == 1 ? 1 : kept;
}

/* Schema.Type.valueOf(text.toUpperCase(Locale.ROOT)): UNKNOWN when it names no type. Java's
 * upper case of a few other letters is ASCII (dotless i, long s, the fl and st ligatures). */
static connect_type cast_type_parse(cast_text text)
{
    static const struct {
        const char *name;
        connect_type type;
    } types[] = {
        {"INT8", CONNECT_TYPE_INT8},       {"INT16", CONNECT_TYPE_INT16},
        {"INT32", CONNECT_TYPE_INT32},     {"INT64", CONNECT_TYPE_INT64},
        {"FLOAT32", CONNECT_TYPE_FLOAT32}, {"FLOAT64", CONNECT_TYPE_FLOAT64},
        {"BOOLEAN", CONNECT_TYPE_BOOLEAN}, {"STRING", CONNECT_TYPE_STRING},
        {"BYTES", CONNECT_TYPE_BYTES},     {"ARRAY", CONNECT_TYPE_ARRAY},
        {"MAP", CONNECT_TYPE_MAP},         {"STRUCT", CONNECT_TYPE_STRUCT},
    };
    char upper[16];
    size_t used = 0;
    const unsigned char *at = (const unsigned char *)text.start, *end = at + text.len;
    while (at < end) {
        uint32_t codepoint;
        size_t length = utf8_sequence(at, (size_t)(end - at), &codepoint);
        const char *as = NULL;
        char ascii[2] = {0};
        if (length == 0)
            return CONNECT_TYPE_UNKNOWN;
        if (codepoint < 0x80)
            ascii[0] = (char)(codepoint >= 'a' && codepoint <= 'z' ? codepoint - 32 : codepoint);
        as = codepoint < 0x80 ? ascii
             : codepoint == 0x131 ? "I"
             : codepoint == 0x17F ? "S"
             : codepoint == 0xFB02 ? "FL"
             : codepoint == 0xFB05 || codepoint == 0xFB06 ? "ST"
                                                          : NULL;
        if (!as || used + strlen(as) >= sizeof(upper))
            return CONNECT_TYPE_UNKNOWN;
        memcpy(upper + used, as, strlen(as));
        used += strlen(as);
        at += length;
    }
    upper[used] = '\0';
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(upper, types[i].name) == 0)
            return types[i].type;
    return CONNECT_TYPE_UNKNOWN;
}

static bool cast_output_type(connect_type type)
{
    return (type >= CONNECT_TYPE_BOOLEAN && type <= CONNECT_TYPE_FLOAT64) ||
           type == CONNECT_TYPE_STRING;
}

static int cast_field_put(cast *self, cast_text name, connect_type type)
{
    for (size_t i = 0; i < self->field_count; i++) {
        if (strlen(self->fields[i].name) == name.len &&
            memcmp(self->fields[i].name, name.start, name.len) == 0) {
            self->fields[i].type = type; /* a later entry wins, as in Java's HashMap */
            return 0;
        }
    }
    char *copy = strndup(name.start, name.len);
    if (!copy)
        return -1;
    self->fields[self->field_count++] = (cast_field){copy, type};
    return 0;
}

/* Kafka's parseFieldTypes, with its messages in why. 0, 1 with why, or -1 when out of memory. */
static int cast_spec_parse(cast *self, char *const *items, char *why, size_t whylen)
{
    size_t count = java_config_list_count(items);
    if (count == 0)
        return ferry_error_set(why, whylen, "Must specify at least one field to cast."), 1;
    if (!(self->fields = calloc(count, sizeof(*self->fields))))
        return -1;
    bool whole = false;
    for (size_t i = 0; i < count; i++) {
        cast_text parts[3];
        size_t part_count = cast_mapping_split((cast_text){items[i], strlen(items[i])}, parts);
        if (part_count > 2)
            return ferry_error_set(why, whylen, "Invalid rename mapping: %s", items[i]), 1;
        /* Java reads a type from parts[1], which a mapping of colons alone does not have. */
        cast_text type_text = cast_text_trim(part_count == 1   ? parts[0]
                                             : part_count == 2 ? parts[1]
                                                               : (cast_text){"", 0});
        connect_type type = cast_type_parse(type_text);
        if (type == CONNECT_TYPE_UNKNOWN)
            return ferry_error_set(why, whylen, "Invalid type found in casting spec: %.*s",
                                   (int)type_text.len, type_text.start), 1;
        if (!cast_output_type(type))
            return ferry_error_set(why, whylen, "Cast transformation does not support casting "
                                   "to %s; supported types are " CAST_OUTPUT_TYPES,
                                   connect_schema_type_java_name(type)), 1;
        if (part_count == 1) {
            whole = true;
            self->whole = type;
        } else if (cast_field_put(self, cast_text_trim(parts[0]), type) != 0) {
            return -1;
        }
    }
    if (whole && count > 1)
        return ferry_error_set(why, whylen, "Cast transformations that specify a type to cast "
                               "the entire value to may only specify a single cast in their "
                               "spec"), 1;
    return 0;
}

static int cast_create(const ferry_config *config, const char *scope, bool key,
                       void **state, char *err, size_t errlen)
{
    (void)scope;
    cast *self = calloc(1, sizeof(*self));
    char **items = self ? java_config_list(config, "spec") : NULL;
    char why[300] = "";
    int rc = items ? cast_spec_parse(self, items, why, sizeof(why)) : -1;
    if (rc == 0) {
        self->key = key;
        self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
        if (!(self->schemas = connect_schema_cache_new()))
            rc = -1;
        else if (!(self->values = connect_values_new(why, sizeof(why))))
            rc = 2;
    }
    if (rc == 1) {
        /* Kafka's spec validator throws these; ferry names the key they belong to. */
        char *value = java_config_list_text(items);
        ferry_error_set(err, errlen, "Invalid value %s for configuration spec: %s",
                        value ? value : "[]", why);
        free(value);
    } else if (rc != 0) {
        ferry_error_set(err, errlen, "%s", rc == 2 ? why : "out of memory");
    }
    java_config_list_free(items);
    if (rc != 0) {
        cast_destroy(self);
        return -1;
    }
    *state = self;
    return 0;
}

/* The type a field casts to, or UNKNOWN when the spec does not name it. */
static connect_type cast_field_type(const cast *self, const char *name)
{
    for (size_t i = 0; name && i < self->field_count; i++)
        if (strcmp(self->fields[i].name, name) == 0)
            return self->fields[i].type;
    return CONNECT_TYPE_UNKNOWN;
}

/* ---- one value: castValueToType ---------------------------------------------------------- */

/* What the value is to Java. */
typedef enum cast_kind {
    CAST_LONG,    /* Byte, Short, Integer, Long, and Date, Time, Timestamp encoded */
    CAST_FLOAT,   /* Float */
    CAST_DOUBLE,  /* Double */
    CAST_BOOLEAN, /* Boolean */
    CAST_STRING,  /* String */
    CAST_BYTES,   /* byte[] */
    CAST_DECIMAL, /* BigDecimal: bytes the unscaled value, scale; source and schema */
    CAST_DATE,    /* java.util.Date, for a cast to text: source and schema */
} cast_kind;

typedef struct cast_value {
    cast_kind kind;
    int64_t integer;
    double real;
    bool boolean;
    const char *text;
    size_t text_len;
    unsigned char *bytes; /* owned */
    size_t bytes_len;
    const json_t *source, *schema; /* a logical value as it came, for its text */
    int32_t scale;
} cast_value;

static const char cast_logical_prefix[] = "org.apache.kafka.connect.data.";

/* Which logical type schema is ("Date", "Time", "Timestamp", "Decimal") when its type is the one
 * that type has; NULL otherwise. */
static const char *cast_logical(const json_t *schema, connect_type type)
{
    const char *name = json_string_value(json_object_get(schema, "name"));
    if (!name || strncmp(name, cast_logical_prefix, sizeof(cast_logical_prefix) - 1) != 0)
        return NULL;
    name += sizeof(cast_logical_prefix) - 1;
    if ((strcmp(name, "Date") == 0 || strcmp(name, "Time") == 0) && type == CONNECT_TYPE_INT32)
        return name;
    if (strcmp(name, "Timestamp") == 0 && type == CONNECT_TYPE_INT64)
        return name;
    if (strcmp(name, "Decimal") == 0 && type == CONNECT_TYPE_BYTES)
        return name;
    return NULL;
}

/* The type Java infers for a value without a schema (ConnectSchema.schemaType of the class
 * Kafka's JsonConverter makes). */
static connect_type cast_schemaless_type(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return CONNECT_TYPE_MAP;
    case JSON_ARRAY:
        return CONNECT_TYPE_ARRAY;
    case JSON_STRING:
        return CONNECT_TYPE_STRING;
    case JSON_INTEGER:
        return CONNECT_TYPE_INT64;
    case JSON_REAL:
        return CONNECT_TYPE_FLOAT64;
    case JSON_TRUE:
    case JSON_FALSE:
        return CONNECT_TYPE_BOOLEAN;
    case JSON_NULL:
        break;
    }
    return CONNECT_TYPE_UNKNOWN;
}

/* A floating point value as JSON holds it, or as Jackson's specials: false when it is neither. */
static bool cast_json_real(const json_t *value, double *real)
{
    if (json_is_number(value)) {
        *real = json_number_value(value);
        return true;
    }
    const char *text = json_string_value(value);
    if (!text || !java_number_is_special(text))
        return false;
    *real = strcmp(text, "NaN") == 0 ? NAN : text[0] == '-' ? -INFINITY : INFINITY;
    return true;
}

/* An integer of type as Kafka's JsonConverter reads it into its Java class: (byte), (short) and
 * (int) of intValue(), longValue(); a real is cut as Java's (int) and (long) cut it. */
static int64_t cast_json_integer(const json_t *value, connect_type type)
{
    int64_t wide = json_is_integer(value) ? (int64_t)json_integer_value(value)
                                          : type == CONNECT_TYPE_INT64
                                              ? java_number_double_to_long(json_number_value(value))
                                              : java_number_double_to_int(json_number_value(value));
    switch (type) {
    case CONNECT_TYPE_INT8:
        return (int8_t)(int32_t)wide;
    case CONNECT_TYPE_INT16:
        return (int16_t)(int32_t)wide;
    case CONNECT_TYPE_INT32:
        return (int32_t)wide;
    default:
        return wide;
    }
}

/* Bytes from their base64 text into v (owned). 0, or -1 with err. */
static int cast_read_bytes(const json_t *value, cast_value *v, char *err, size_t errlen)
{
    const char *text = json_string_value(value);
    size_t len = json_string_length(value);
    v->bytes = malloc(base64_decoded_max(len) + 1);
    if (!v->bytes)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    long decoded = base64_decode(text, len, v->bytes);
    if (decoded < 0)
        return ferry_error_set(err, errlen, "Cast transformation was passed bytes that are not "
                               "base64: %s", text), -1;
    v->bytes_len = (size_t)decoded;
    return 0;
}

/* The scale of a Decimal schema (Decimal.scale), or -1 with Kafka's message. */
static int cast_decimal_scale(const json_t *schema, int32_t *scale, char *err, size_t errlen)
{
    const char *text = json_string_value(json_object_get(json_object_get(schema, "parameters"),
                                                         "scale"));
    int64_t parsed;
    if (!text)
        return ferry_error_set(err, errlen, "Invalid Decimal schema: scale parameter not "
                               "found."), -1;
    if (java_number_parse_integer(text, strlen(text), INT32_MIN, INT32_MAX, &parsed) != 0)
        return ferry_error_set(err, errlen, "Invalid scale parameter found in Decimal schema: "),
               -1;
    *scale = (int32_t)parsed;
    return 0;
}

/* A value whose JSON is not what its schema's type holds: Kafka's converter would not have
 * made it. */
static int cast_mismatch(const json_t *value, connect_type type, char *err, size_t errlen)
{
    return ferry_error_set(err, errlen, "Cast transformation was passed a value of type %s for "
                           "a schema of type %s", connect_schema_java_class(NULL, value),
                           connect_schema_type_java_name(type)), -1;
}

/* A logical value (Date, Time, Timestamp, Decimal) as Java holds it for a cast to target. */
static int cast_read_logical(const json_t *schema, const char *logical, const json_t *value,
                             connect_type target, cast_value *v, char *err, size_t errlen)
{
    if (strcmp(logical, "Decimal") == 0) {
        if (!json_is_string(value))
            return cast_mismatch(value, CONNECT_TYPE_BYTES, err, errlen);
        if (cast_decimal_scale(schema, &v->scale, err, errlen) != 0 ||
            cast_read_bytes(value, v, err, errlen) != 0)
            return -1;
        if (v->bytes_len == 0)
            return ferry_error_set(err, errlen, "Zero length BigInteger"), -1;
        v->kind = CAST_DECIMAL;
        v->source = value;
        v->schema = schema;
        return 0;
    }
    if (!json_is_integer(value))
        return cast_mismatch(value, connect_json_type(schema), err, errlen);
    int64_t encoded = json_integer_value(value);
    bool date = strcmp(logical, "Date") == 0, time = strcmp(logical, "Time") == 0;
    if (target == CONNECT_TYPE_STRING) {
        /* Java formats the java.util.Date the converter made. */
        v->kind = CAST_DATE;
        v->source = value;
        v->schema = schema;
        return 0;
    }
    /* encodeLogicalType: Time.fromLogical checks the range. */
    if (time && (encoded < 0 || encoded > CAST_MILLIS_PER_DAY))
        return ferry_error_set(err, errlen, "Kafka Connect Time type should not have any date "
                               "fields set to non-zero values."), -1;
    v->kind = CAST_LONG;
    v->integer = date || time ? (int32_t)encoded : encoded;
    return 0;
}

/* Reads value (not null) under schema (NULL: schemaless) as Java holds it, checking that its type
 * can be cast. 0, or -1 with err. */
static int cast_read(const json_t *schema, const json_t *value, connect_type target,
                     cast_value *v, char *err, size_t errlen)
{
    connect_type type = schema ? connect_json_type(schema) : cast_schemaless_type(value);
    if (type == CONNECT_TYPE_UNKNOWN || type == CONNECT_TYPE_ARRAY || type == CONNECT_TYPE_MAP ||
        type == CONNECT_TYPE_STRUCT)
        return ferry_error_set(err, errlen, "Cast transformation does not support casting from "
                               "%s; supported types are " CAST_INPUT_TYPES,
                               connect_schema_type_java_name(type)), -1;
    const char *logical = schema ? cast_logical(schema, type) : NULL;
    if (logical)
        return cast_read_logical(schema, logical, value, target, v, err, errlen);
    switch (type) {
    case CONNECT_TYPE_INT8:
    case CONNECT_TYPE_INT16:
    case CONNECT_TYPE_INT32:
    case CONNECT_TYPE_INT64:
        if (!json_is_number(value))
            return cast_mismatch(value, type, err, errlen);
        v->kind = CAST_LONG;
        v->integer = cast_json_integer(value, type);
        return 0;
    case CONNECT_TYPE_FLOAT32:
    case CONNECT_TYPE_FLOAT64:
        if (!cast_json_real(value, &v->real))
            return cast_mismatch(value, type, err, errlen);
        v->kind = type == CONNECT_TYPE_FLOAT32 ? CAST_FLOAT : CAST_DOUBLE;
        if (v->kind == CAST_FLOAT)
            v->real = (float)v->real;
        return 0;
    case CONNECT_TYPE_BOOLEAN:
        if (!json_is_boolean(value))
            return cast_mismatch(value, type, err, errlen);
        v->kind = CAST_BOOLEAN;
        v->boolean = json_is_true(value);
        return 0;
    case CONNECT_TYPE_STRING:
        if (!json_is_string(value))
            return cast_mismatch(value, type, err, errlen);
        v->kind = CAST_STRING;
        v->text = json_string_value(value);
        v->text_len = json_string_length(value);
        return 0;
    default: /* CONNECT_TYPE_BYTES */
        if (!json_is_string(value))
            return cast_mismatch(value, type, err, errlen);
        v->kind = CAST_BYTES;
        return cast_read_bytes(value, v, err, errlen);
    }
}

static json_t *cast_oom(char *err, size_t errlen)
{
    ferry_error_set(err, errlen, "out of memory");
    return NULL;
}

/* "Unexpected type in Cast transformation: class [B": bytes cast to anything but a string. */
static json_t *cast_unexpected_bytes(char *err, size_t errlen)
{
    ferry_error_set(err, errlen, "Unexpected type in Cast transformation: class [B");
    return NULL;
}

/* Java's NumberFormatException, as Cast reports it: the text that did not parse. */
static json_t *cast_out_of_range(const cast_value *v, char *err, size_t errlen)
{
    ferry_error_set(err, errlen, "Value (%.*s) was out of range for requested data type",
                    (int)v->text_len, v->text);
    return NULL;
}

/* Number.longValue() of a number (Long, Float, Double, BigDecimal). -1 when out of memory. */
static int cast_long_value(const cast_value *v, int64_t *out)
{
    if (v->kind == CAST_LONG) {
        *out = v->integer;
        return 0;
    }
    if (v->kind == CAST_DECIMAL) {
        java_big_decimal decimal = {v->bytes, v->bytes_len, v->scale};
        return java_big_decimal_long(&decimal, out);
    }
    *out = java_number_double_to_long(v->real);
    return 0;
}

static const struct {
    int64_t min, max;
} cast_integer_ranges[] = {
    [CONNECT_TYPE_INT8] = {INT8_MIN, INT8_MAX},
    [CONNECT_TYPE_INT16] = {INT16_MIN, INT16_MAX},
    [CONNECT_TYPE_INT32] = {INT32_MIN, INT32_MAX},
    [CONNECT_TYPE_INT64] = {INT64_MIN, INT64_MAX},
};

/* castToInt8 .. castToInt64. */
static json_t *cast_to_integer(const cast_value *v, connect_type target, char *err,
                               size_t errlen)
{
    int64_t result = 0;
    switch (v->kind) {
    case CAST_BOOLEAN:
        result = v->boolean;
        break;
    case CAST_STRING:
        if (java_number_parse_integer(v->text, v->text_len, cast_integer_ranges[target].min,
                                      cast_integer_ranges[target].max, &result) != 0)
            return cast_out_of_range(v, err, errlen);
        break;
    case CAST_BYTES:
    case CAST_DATE:
        return cast_unexpected_bytes(err, errlen);
    case CAST_FLOAT:
    case CAST_DOUBLE:
        /* byteValue() and shortValue() narrow the int, intValue() saturates, longValue() too. */
        result = target == CONNECT_TYPE_INT64 ? java_number_double_to_long(v->real)
                                              : java_number_double_to_int(v->real);
        break;
    default: /* CAST_LONG, CAST_DECIMAL: the low bits of the integer (part) */
        if (cast_long_value(v, &result) != 0)
            return cast_oom(err, errlen);
        break;
    }
    if (target == CONNECT_TYPE_INT8)
        result = (int8_t)result;
    else if (target == CONNECT_TYPE_INT16)
        result = (int16_t)result;
    else if (target == CONNECT_TYPE_INT32)
        result = (int32_t)result;
    json_t *out = json_integer((json_int_t)result);
    return out ? out : cast_oom(err, errlen);
}

/* A floating point result: the specials as Jackson writes them; a float as the double its
 * Float.toString reads back as, so that it is written with the float's digits with or without a
 * schema. */
static json_t *cast_real_json(double value, bool is_float, char *err, size_t errlen)
{
    char text[JAVA_NUMBER_MAX];
    if (is_float)
        java_number_float((float)value, text);
    else
        java_number_double(value, text);
    json_t *out = java_number_is_special(text) ? json_string(text)
                  : is_float                   ? json_real(strtod(text, NULL))
                                               : json_real(value);
    return out ? out : cast_oom(err, errlen);
}

/* castToFloat32 and castToFloat64. */
static json_t *cast_to_real(const cast_value *v, connect_type target, char *err, size_t errlen)
{
    bool is_float = target == CONNECT_TYPE_FLOAT32;
    double result = 0;
    switch (v->kind) {
    case CAST_LONG:
        result = is_float ? (double)(float)v->integer : (double)v->integer;
        break;
    case CAST_BOOLEAN:
        result = v->boolean ? 1 : 0;
        break;
    case CAST_STRING: {
        float single;
        if (is_float ? java_number_parse_float(v->text, v->text_len, &single)
                     : java_number_parse_double(v->text, v->text_len, &result))
            return cast_out_of_range(v, err, errlen);
        if (is_float)
            result = single;
        break;
    }
    case CAST_DECIMAL: {
        java_big_decimal decimal = {v->bytes, v->bytes_len, v->scale};
        float single;
        if (is_float ? java_big_decimal_float(&decimal, &single)
                     : java_big_decimal_double(&decimal, &result))
            return cast_oom(err, errlen);
        if (is_float)
            result = single;
        break;
    }
    case CAST_BYTES:
    case CAST_DATE:
        return cast_unexpected_bytes(err, errlen);
    default: /* CAST_FLOAT, CAST_DOUBLE */
        result = is_float ? (double)(float)v->real : v->real;
        break;
    }
    return cast_real_json(result, is_float, err, errlen);
}

/* castToBoolean: a number is true when its longValue() is not 0; text when it is "true" in any
 * case (Boolean.parseBoolean). */
static json_t *cast_to_boolean(const cast_value *v, char *err, size_t errlen)
{
    bool result;
    int64_t number;
    switch (v->kind) {
    case CAST_BOOLEAN:
        result = v->boolean;
        break;
    case CAST_STRING:
        result = v->text_len == 4 && strncasecmp(v->text, "true", 4) == 0;
        break;
    case CAST_BYTES:
    case CAST_DATE:
        return cast_unexpected_bytes(err, errlen);
    default:
        if (cast_long_value(v, &number) != 0)
            return cast_oom(err, errlen);
        result = number != 0;
        break;
    }
    return json_boolean(result);
}

/* castToString: toString() of the Java value, base64 of bytes, Values.dateFormatFor of a
 * date. */
static json_t *cast_to_string(const cast *self, const cast_value *v, char *err, size_t errlen)
{
    strbuf text = {0};
    char number[JAVA_NUMBER_MAX];
    switch (v->kind) {
    case CAST_LONG:
        strbuf_append_int(&text, v->integer);
        break;
    case CAST_FLOAT:
        strbuf_append(&text, number, java_number_float((float)v->real, number));
        break;
    case CAST_DOUBLE:
        strbuf_append(&text, number, java_number_double(v->real, number));
        break;
    case CAST_BOOLEAN:
        strbuf_append_str(&text, v->boolean ? "true" : "false");
        break;
    case CAST_STRING:
        strbuf_append(&text, v->text, v->text_len);
        break;
    case CAST_BYTES:
        strbuf_append_base64(&text, v->bytes, v->bytes_len);
        break;
    case CAST_DECIMAL:
    case CAST_DATE:
        if (connect_values_append(self->values, &text, v->schema, v->source, err, errlen) != 0) {
            strbuf_free(&text);
            return NULL;
        }
        break;
    }
    strbuf_append(&text, "", 0); /* an empty text is a text too */
    json_t *out = strbuf_failed(&text) ? NULL : json_stringn(text.data, text.len);
    strbuf_free(&text);
    return out ? out : cast_oom(err, errlen);
}

/* castValueToType(schema, value, target): a new value (NULL for a null value, with *failed
 * false), or NULL with *failed and err. */
static json_t *cast_value_to(const cast *self, const json_t *schema, const json_t *value,
                             connect_type target, bool *failed, char *err, size_t errlen)
{
    *failed = false;
    if (!value || json_is_null(value))
        return NULL;
    cast_value v = {0};
    json_t *out = NULL;
    if (cast_read(schema, value, target, &v, err, errlen) == 0) {
        switch (target) {
        case CONNECT_TYPE_FLOAT32:
        case CONNECT_TYPE_FLOAT64:
            out = cast_to_real(&v, target, err, errlen);
            break;
        case CONNECT_TYPE_BOOLEAN:
            out = cast_to_boolean(&v, err, errlen);
            break;
        case CONNECT_TYPE_STRING:
            out = cast_to_string(self, &v, err, errlen);
            break;
        default:
            out = cast_to_integer(&v, target, err, errlen);
            break;
        }
    }
    free(v.bytes);
    *failed = out == NULL;
    return out;
}

/* ---- schemas ------------------------------------------------------------------------------- */

/* A new plain schema of type (SchemaBuilder.int8() and the rest). */
static json_t *cast_schema_of(connect_type type)
{
    return json_pack("{s:s, s:b}", "type", connect_json_type_name(type), "optional", 0);
}

/* Sets the optional of schema from source's, and its default to source's default cast (when
 * source has one). 0, or -1 with err. */
static int cast_schema_finish(const cast *self, json_t *schema, const json_t *source,
                              connect_type type, char *err, size_t errlen)
{
    if (connect_schema_is_optional(source) && connect_schema_optional_set(schema, true) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const json_t *default_value = json_object_get(source, "default");
    if (!default_value || json_is_null(default_value))
        return 0;
    bool failed;
    json_t *cast_default = cast_value_to(self, source, default_value, type, &failed, err, errlen);
    if (failed)
        return -1;
    /* SchemaBuilder.defaultValue checks the default against the new schema, which a
     * whole-value cast gave the input's logical name: a number or text is no Date or
     * BigDecimal. */
    const char *name = json_string_value(json_object_get(schema, "name"));
    if (name && strncmp(name, cast_logical_prefix, sizeof(cast_logical_prefix) - 1) == 0 &&
        (strcmp(name + sizeof(cast_logical_prefix) - 1, "Date") == 0 ||
         strcmp(name + sizeof(cast_logical_prefix) - 1, "Time") == 0 ||
         strcmp(name + sizeof(cast_logical_prefix) - 1, "Timestamp") == 0 ||
         strcmp(name + sizeof(cast_logical_prefix) - 1, "Decimal") == 0)) {
        json_decref(cast_default);
        return ferry_error_set(err, errlen, "Invalid default value"), -1;
    }
    if (json_object_set_new(schema, "default", cast_default) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* The fields of a struct schema, the ones the spec names cast. 0, or -1 with err. */
static int cast_schema_fields(const cast *self, const json_t *schema, json_t *out, char *err,
                              size_t errlen)
{
    if (connect_json_type(schema) != CONNECT_TYPE_STRUCT)
        return ferry_error_set(err, errlen, "Cannot list fields on non-struct type"), -1;
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        connect_type type = cast_field_type(self, name);
        if (type == CONNECT_TYPE_UNKNOWN) {
            if (connect_schema_field_append(out, name, field, err, errlen) != 0)
                return -1;
            continue;
        }
        json_t *cast_schema = cast_schema_of(type);
        int rc = -1;
        if (!cast_schema)
            ferry_error_set(err, errlen, "out of memory");
        else
            rc = cast_schema_finish(self, cast_schema, field, type, err, errlen);
        if (rc == 0)
            rc = connect_schema_field_append(out, name, cast_schema, err, errlen);
        json_decref(cast_schema);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Kafka's getOrBuildSchema: the cast schema of schema, a new reference, or NULL with err. */
static json_t *cast_schema_build(const void *state, const json_t *schema, char *err,
                                 size_t errlen)
{
    const cast *self = state;
    bool whole = self->whole != CONNECT_TYPE_UNKNOWN;
    connect_type type = whole ? self->whole : CONNECT_TYPE_STRUCT;
    json_t *out = whole ? cast_schema_of(type) : connect_schema_struct_new();
    if (!out || connect_schema_copy_basics(schema, out) != 0) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    if (!whole && cast_schema_fields(self, schema, out, err, errlen) != 0)
        goto fail;
    if (cast_schema_finish(self, out, schema, type, err, errlen) != 0)
        goto fail;
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* ---- records ------------------------------------------------------------------------------- */

/* The fields of a struct value cast under the cast schema. A new object, or NULL with err. */
static json_t *cast_struct(const cast *self, const json_t *schema, const json_t *updated,
                           const json_t *value, char *err, size_t errlen)
{
    json_t *out = json_object();
    if (!out)
        return cast_oom(err, errlen);
    const json_t *fields = json_object_get(schema, "fields");
    const json_t *updated_fields = json_object_get(updated, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        connect_type type = cast_field_type(self, name);
        json_t *member;
        bool failed = false;
        if (connect_schema_struct_get(schema, value, name, self->replace_null_with_default,
                                      &member, err, errlen) != 0)
            goto fail;
        member = type != CONNECT_TYPE_UNKNOWN
                     ? cast_value_to(self, field, member, type, &failed, err, errlen)
                     : json_incref(member);
        if (failed ||
            field_transform_put_check(json_array_get(updated_fields, i), name, member, err,
                                      errlen) != 0) {
            json_decref(member);
            goto fail;
        }
        if (field_transform_member_set(out, name, member, err, errlen) != 0)
            goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* Field casts without a schema: a copy of the map with each field the spec names cast, and
 * inserted as null when absent. Java's result is a HashMap, whose order is its hash buckets';
 * ferry keeps the map's order and appends absent fields in the spec's order. */
static json_t *cast_map(const cast *self, const json_t *value, char *err, size_t errlen)
{
    json_t *out = json_copy((json_t *)value);
    if (!out)
        return cast_oom(err, errlen);
    for (size_t i = 0; i < self->field_count; i++) {
        bool failed;
        json_t *member = cast_value_to(self, NULL, json_object_get(value, self->fields[i].name),
                                       self->fields[i].type, &failed, err, errlen);
        if (failed ||
            field_transform_member_set(out, self->fields[i].name, member, err, errlen) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* Kafka's order: the schema first (a struct schema with a default fails every record), then
 * the value. A null passes unchanged. */
static transform_result cast_apply(void *state, ferry_record *record, transform_output *output,
                                   char *err, size_t errlen)
{
    cast *self = state;
    ferry_data *data = field_transform_data(record, self->key);
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *value = data->kind == FERRY_DATA_JSON ? data->json : NULL;
    if (!value || json_is_null(value))
        return TRANSFORM_KEEP;
    json_t *schema = data->schema, *updated = NULL, *out = NULL;
    bool whole = self->whole != CONNECT_TYPE_UNKNOWN, failed = false;
    if (schema && !(updated = field_transform_schema(self->schemas, schema, cast_schema_build,
                                                     self, err, errlen)))
        return TRANSFORM_FAIL;
    if (whole)
        out = cast_value_to(self, schema, value, self->whole, &failed, err, errlen);
    else if (!schema)
        out = connect_schema_require_map(value, CAST_PURPOSE, err, errlen) == 0
                  ? cast_map(self, value, err, errlen)
                  : NULL;
    else
        out = connect_schema_require_struct(schema, value, CAST_PURPOSE, err, errlen) == 0
                  ? cast_struct(self, schema, updated, value, err, errlen)
                  : NULL;
    if (!out) {
        json_decref(updated);
        return TRANSFORM_FAIL;
    }
    transform_data_take_json(data, out, updated);
    return TRANSFORM_KEEP;
}

#define CAST_DESCRIPTION                                                                         \
    "Cast fields or the entire key or value to a specific type, e.g. to force an integer field " \
    "to a smaller width. Cast from integers, floats, boolean and string to any other type, and " \
    "cast binary to string (base64 encoded)."

FIELD_TRANSFORM_CREATE_SIDES(cast)

const transform_type cast_key_type = {
    .name = "Cast$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.Cast$Key", NULL},
    .description = CAST_DESCRIPTION,
    .config = cast_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = cast_key_create,
    .apply = cast_apply,
    .destroy = cast_destroy,
};

const transform_type cast_value_type = {
    .name = "Cast$Value",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.Cast$Value", NULL},
    .description = CAST_DESCRIPTION,
    .config = cast_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = cast_value_create,
    .apply = cast_apply,
    .destroy = cast_destroy,
};
