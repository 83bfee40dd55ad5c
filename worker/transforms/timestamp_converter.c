/*
 * timestamp_converter.c - Kafka Connect's TimestampConverter$Key and $Value: a timestamp (the
 * whole key or value, or one top-level field of it) converted between a SimpleDateFormat string,
 * a Unix time in a precision, and Connect's Date, Time and Timestamp logical types, as Kafka 3.9
 * does it, on the trees the JsonConverter gives:
 *
 * - The input's kind comes from its schema (the logical type's name, else a string is text and
 *   an int64 a Unix time) or, schemaless, from the JSON value (an integer is a Long, so a Unix
 *   time; a string is text). Every conversion goes through epoch milliseconds (java.util.Date).
 * - Under a schema, Date is days since the epoch (int32), Time milliseconds of the day (int32)
 *   and Timestamp epoch milliseconds (int64), as JsonConverter writes them. Date keeps the UTC
 *   day, Time the time of that day.
 * - The output schema of a whole value is the target's own (optional when the input's is); with
 *   a field, the struct's schema rebuilt with that field's schema replaced (Kafka's
 *   copySchemaBasics, so name, version, doc and parameters stay, optional and a converted
 *   default too), cached per input schema as Kafka does.
 * - Schemaless, Date, Time and Timestamp targets make a java.util.Date that Kafka's JsonConverter
 *   cannot write ("Java class class java.util.Date does not have corresponding schema type."):
 *   ferry fails the record with that message here, where a JSON tree cannot hold the Date.
 * docs/transforms.md lists the keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support/strbuf.h"
#include "transforms/connect_schema.h"
#include "transforms/java_date_format.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

#define PURPOSE "converting timestamp formats"
#define MS_PER_DAY INT64_C(86400000)

/* The translators, in Kafka's order of target.type's allowed values. */
typedef enum timestamp_kind {
    KIND_STRING,
    KIND_UNIX,
    KIND_DATE,
    KIND_TIME,
    KIND_TIMESTAMP,
} timestamp_kind;

static const char *const kind_names[] = {"string", "unix", "Date", "Time", "Timestamp", NULL};
/* The logical types' names, NULL for the plain ones. */
static const char *const kind_logical_names[] = {
    NULL, NULL, "org.apache.kafka.connect.data.Date", "org.apache.kafka.connect.data.Time",
    "org.apache.kafka.connect.data.Timestamp"};
/* How toRaw's messages name each kind. */
static const char *const kind_expectations[] = {
    "Expected string timestamp to be a String", "Expected Unix timestamp to be a Long",
    "Expected Date to be a java.util.Date", "Expected Time to be a java.util.Date",
    "Expected Timestamp to be a java.util.Date"};

/* unix.precision, and how many of its unit make a millisecond (0 for seconds, which are 1000
 * milliseconds). */
static const char *const precision_names[] = {"nanoseconds", "microseconds", "milliseconds",
                                              "seconds", NULL};
static const int64_t precision_per_ms[] = {1000000, 1000, 1, 0 /* seconds */};

typedef struct timestamp_converter {
    bool key; /* $Key: the record's key; $Value: its value */
    char *field; /* "" = the whole key or value */
    timestamp_kind target;
    java_date_format *format; /* NULL when format is blank */
    size_t precision;         /* index into precision_names */
    bool replace_null_with_default;
    json_t *target_schema[2]; /* the target's schema: [0] required, [1] optional */
    connect_schema_cache *cache;
    strbuf text; /* a formatted timestamp, reused */
} timestamp_converter;

static const ferry_config_key timestamp_converter_config[] = {
    {.name = "field", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The field containing the timestamp, or empty if the entire value is a "
                      "timestamp"},
    {.name = "target.type", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The desired timestamp representation: string, unix, Date, Time, or "
                      "Timestamp"},
    {.name = "format", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "A SimpleDateFormat-compatible format for the timestamp. Used to generate "
                      "the output when type=string or used to parse the input if the input is a "
                      "string."},
    {.name = "unix.precision", .type = FERRY_CONFIG_STRING, .default_value = "milliseconds",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "The desired Unix precision for the timestamp: seconds, milliseconds, "
                      "microseconds, or nanoseconds. Used to generate the output when type=unix "
                      "or used to parse the input if the input is a Long.Note: This SMT will "
                      "cause precision loss during conversions from, and to, values with "
                      "sub-millisecond components."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

/* ---- configuring ------------------------------------------------------------------------- */

static void timestamp_converter_destroy(void *state)
{
    timestamp_converter *self = state;
    if (!self)
        return;
    free(self->field);
    java_date_format_free(self->format);
    json_decref(self->target_schema[0]);
    json_decref(self->target_schema[1]);
    connect_schema_cache_destroy(self->cache);
    strbuf_free(&self->text);
    free(self);
}

/* ConfigDef.ValidString.in: exact, case-sensitive. The index of value in names, or -1 with
 * Kafka's message. */
static int one_of(const char *key, const char *value, const char *const *names, char *err,
                  size_t errlen)
{
    char allowed[128] = "";
    size_t used = 0;
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], value) == 0)
            return i;
        int wrote = snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "",
                             names[i]);
        used += wrote > 0 && (size_t)wrote < sizeof(allowed) - used ? (size_t)wrote : 0;
    }
    ferry_error_set(err, errlen, "Invalid value %s for configuration %s: String must be one of: "
                    "%s", value, key, allowed);
    return -1;
}

/* Translator.typeSchema(optional): the target's own schema. */
static json_t *kind_schema_new(timestamp_kind kind, bool optional)
{
    static const char *const types[] = {"string", "int64", "int32", "int32", "int64"};
    json_t *schema = json_pack("{s:s, s:b}", "type", types[kind], "optional", optional);
    if (schema && kind_logical_names[kind] &&
        (json_object_set_new(schema, "name", json_string(kind_logical_names[kind])) != 0 ||
         json_object_set_new(schema, "version", json_integer(1)) != 0)) {
        json_decref(schema);
        return NULL;
    }
    return schema;
}

/* Kafka's configure: the string target needs a format, and a format must compile. One used only
 * to read strings (any other target) is compiled for parsing, so that a letter ferry cannot
 * parse is refused here rather than at each record. */
static int format_create(timestamp_converter *self, const char *pattern, char *err,
                         size_t errlen)
{
    if (!pattern[0]) {
        if (self->target != KIND_STRING)
            return 0;
        return ferry_error_set(err, errlen, "Invalid value %s for configuration format: "
                               "TimestampConverter requires format option to be specified when "
                               "using string timestamps", pattern), -1;
    }
    char why[256];
    self->format = java_date_format_compile(pattern, self->target != KIND_STRING, why,
                                            sizeof(why));
    if (!self->format)
        return ferry_error_set(err, errlen, "Invalid value %s for configuration format: "
                               "TimestampConverter requires a SimpleDateFormat-compatible "
                               "pattern for string timestamps: %s (%s)", pattern, pattern,
                               why), -1;
    return 0;
}

static int timestamp_converter_create(bool key, const ferry_config *config, void **state,
                                      char *err, size_t errlen)
{
    timestamp_converter *self = calloc(1, sizeof(*self));
    char *target = java_config_text(config, "target.type");
    char *pattern = java_config_text(config, "format");
    char *precision = java_config_text(config, "unix.precision");
    int rc = -1;
    if (self) {
        self->key = key;
        self->field = java_config_text(config, "field");
        self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
        self->cache = connect_schema_cache_new();
    }
    if (!self || !target || !pattern || !precision || !self->field || !self->cache) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    int target_index = one_of("target.type", target, kind_names, err, errlen);
    int precision_index = target_index < 0 ? -1
                                           : one_of("unix.precision", precision,
                                                    precision_names, err, errlen);
    if (precision_index < 0)
        goto done;
    self->target = (timestamp_kind)target_index;
    self->precision = (size_t)precision_index;
    if (format_create(self, pattern, err, errlen) != 0)
        goto done;
    self->target_schema[0] = kind_schema_new(self->target, false);
    self->target_schema[1] = kind_schema_new(self->target, true);
    if (!self->target_schema[0] || !self->target_schema[1]) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    *state = self;
    self = NULL;
    rc = 0;
done:
    free(target);
    free(pattern);
    free(precision);
    timestamp_converter_destroy(self);
    return rc;
}

static int timestamp_converter_create_key(const ferry_config *config, const char *scope,
                                          void **state, char *err, size_t errlen)
{
    (void)scope;
    return timestamp_converter_create(true, config, state, err, errlen);
}

static int timestamp_converter_create_value(const ferry_config *config, const char *scope,
                                            void **state, char *err, size_t errlen)
{
    (void)scope;
    return timestamp_converter_create(false, config, state, err, errlen);
}

/* ---- one timestamp ------------------------------------------------------------------------- */

/* TimeUnit's conversion to a finer unit: saturated at Long's ends. */
static int64_t scale_up(int64_t value, int64_t ratio)
{
    if (value > INT64_MAX / ratio)
        return INT64_MAX;
    if (value < -(INT64_MAX / ratio))
        return INT64_MIN;
    return value * ratio;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Java's (int) cast of a long: its low 32 bits. */
static int32_t java_int(int64_t value)
{
    uint32_t low = (uint32_t)((uint64_t)value & 0xffffffffu);
    return low <= INT32_MAX ? (int32_t)low : (int32_t)(low - UINT32_C(0x80000000)) + INT32_MIN;
}

/* A number as JsonConverter reads it under an int64 schema (int32 for Date and Time): an integer
 * as it is (an int32 cut to its low bits, Java's intValue()), a real's integer part saturated
 * at the type's ends (Java's (long) and (int) casts). */
static int64_t schema_number(const json_t *value, bool int32)
{
    if (json_is_integer(value))
        return int32 ? java_int(json_integer_value(value)) : json_integer_value(value);
    double real = json_real_value(value);
    double low = int32 ? (double)INT32_MIN : -9223372036854775808.0;
    double high = int32 ? (double)INT32_MAX : 9223372036854775807.0;
    if (real <= low)
        return int32 ? INT32_MIN : INT64_MIN;
    if (real >= high)
        return int32 ? INT32_MAX : INT64_MAX;
    return (int64_t)real;
}

/* timestampTypeFromSchema: the kind a schema (or a struct field) says, or -1 with Kafka's
 * message. */
static int kind_from_schema(const json_t *schema, timestamp_kind *kind, char *err,
                            size_t errlen)
{
    const char *name = json_string_value(json_object_get(schema, "name"));
    for (int k = KIND_DATE; name && k <= KIND_TIMESTAMP; k++) {
        if (strcmp(name, kind_logical_names[k]) == 0) {
            *kind = (timestamp_kind)k;
            return 0;
        }
    }
    connect_type type = connect_json_type(schema);
    if (type == CONNECT_TYPE_STRING || type == CONNECT_TYPE_INT64) {
        *kind = type == CONNECT_TYPE_STRING ? KIND_STRING : KIND_UNIX;
        return 0;
    }
    ferry_error_set(err, errlen, "Schema Schema{%s%s%s} does not correspond to a known timestamp "
                    "type format", name ? name : "", name ? ":" : "",
                    connect_schema_type_java_name(type));
    return -1;
}

/* inferTimestampType: schemaless, JsonConverter reads an integer as a Long and text as a
 * String; nothing else is a timestamp. */
static int kind_infer(const json_t *value, timestamp_kind *kind, char *err, size_t errlen)
{
    if (json_is_integer(value) || json_is_string(value)) {
        *kind = json_is_string(value) ? KIND_STRING : KIND_UNIX;
        return 0;
    }
    ferry_error_set(err, errlen, "TimestampConverter does not support class %s objects as "
                    "timestamps", connect_schema_java_class(NULL, value));
    return -1;
}

/* Translator.toRaw: value (of kind, under schema or schemaless) as epoch milliseconds. */
static int to_millis(const timestamp_converter *self, timestamp_kind kind, const json_t *schema,
                     const json_t *value, int64_t *ms, char *err, size_t errlen)
{
    /* Schemaless, only a Long gets here as a number; under a schema a real is read as the
     * JsonConverter reads it. */
    bool fits = kind == KIND_STRING ? json_is_string(value) : json_is_number(value);
    if (!fits)
        return ferry_error_set(err, errlen, "%s, but found class %s", kind_expectations[kind],
                               connect_schema_java_class(schema, value)), -1;
    if (kind == KIND_STRING) {
        const char *text = json_string_value(value);
        if (!self->format) /* Java: a NullPointerException */
            return ferry_error_set(err, errlen, "TimestampConverter requires format option to be "
                                   "specified when using string timestamps"), -1;
        char why[512], plain[512];
        if (java_date_format_parse(self->format, text, ms, why, sizeof(why)) == 0)
            return 0;
        snprintf(plain, sizeof(plain), "Unparseable date: \"%s\"", text);
        /* Beyond Java's own failure, say why ferry could not read what Java would. */
        return ferry_error_set(err, errlen, "Could not parse timestamp: value (%s) does not "
                               "match pattern (%s)%s%s", text,
                               java_date_format_pattern(self->format),
                               strcmp(why, plain) == 0 ? "" : ": ",
                               strcmp(why, plain) == 0 ? "" : why), -1;
    }
    int64_t number = schema_number(value, kind == KIND_DATE || kind == KIND_TIME);
    if (kind == KIND_UNIX) {
        int64_t per_ms = precision_per_ms[self->precision];
        *ms = per_ms == 0 ? scale_up(number, 1000) : number / per_ms;
    } else {
        *ms = kind == KIND_DATE ? number * MS_PER_DAY : number; /* Date.toLogical(int days) */
    }
    return 0;
}

/* Translator.toType for the target, written as JsonConverter writes it under the target's
 * schema. NULL with err when out of memory. */
static json_t *from_millis(timestamp_converter *self, int64_t ms, char *err, size_t errlen)
{
    json_t *out = NULL;
    switch (self->target) {
    case KIND_STRING:
        strbuf_reset(&self->text);
        java_date_format_format(self->format, ms, &self->text);
        out = strbuf_failed(&self->text) ? NULL
                                         : json_stringn(self->text.data ? self->text.data : "",
                                                        self->text.len);
        break;
    case KIND_UNIX: {
        int64_t per_ms = precision_per_ms[self->precision];
        out = json_integer(per_ms == 0 ? ms / 1000 : scale_up(ms, per_ms));
        break;
    }
    case KIND_DATE: /* midnight UTC of the day, as Date.fromLogical's (int) days */
        out = json_integer(java_int(floor_div(ms, MS_PER_DAY)));
        break;
    case KIND_TIME: { /* the time of the UTC day: Calendar floors before the epoch too */
        int64_t of_day = ms % MS_PER_DAY;
        out = json_integer(of_day < 0 ? of_day + MS_PER_DAY : of_day);
        break;
    }
    case KIND_TIMESTAMP:
        out = json_integer(ms);
        break;
    }
    if (!out)
        ferry_error_set(err, errlen, "out of memory");
    return out;
}

/* convertTimestamp: *out is the converted value (a new reference), NULL for a null. */
static int convert(timestamp_converter *self, timestamp_kind kind, const json_t *schema,
                   const json_t *value, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!value || json_is_null(value))
        return 0;
    int64_t ms;
    if (to_millis(self, kind, schema, value, &ms, err, errlen) != 0)
        return -1;
    return (*out = from_millis(self, ms, err, errlen)) ? 0 : -1;
}

/* ---- with a schema ----------------------------------------------------------------------- */

/* applyValueWithSchema: the struct value under in_schema with the field converted, as a new
 * object in the schema's field order; *out NULL for a null struct. */
static int struct_convert(timestamp_converter *self, const json_t *in_schema,
                          const json_t *value, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!value || json_is_null(value))
        return 0;
    json_t *fields = json_object_get(in_schema, "fields");
    json_t *result = json_object();
    if (!result)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        json_t *member = NULL, *updated = NULL;
        if (!name || connect_schema_struct_get(in_schema, value, name,
                                               self->replace_null_with_default, &member, err,
                                               errlen) != 0)
            goto fail;
        bool target = strcmp(name, self->field) == 0;
        if (target) {
            timestamp_kind kind;
            if (kind_from_schema(field, &kind, err, errlen) != 0 ||
                convert(self, kind, field, member, &updated, err, errlen) != 0)
                goto fail;
        } else if (member && !json_is_null(member)) {
            updated = json_incref(member);
        }
        /* Struct.put: a required field takes no null, whatever its default. */
        if (!updated && !connect_schema_is_optional(field)) {
            connect_type type = target ? connect_json_type(self->target_schema[0])
                                       : connect_json_type(field);
            ferry_error_set(err, errlen, "Invalid value: null used for required field: \"%s\", "
                            "schema type: %s", name, connect_schema_type_java_name(type));
            goto fail;
        }
        if (json_object_set_new(result, name, updated ? updated : json_null()) != 0) {
            ferry_error_set(err, errlen, "out of memory");
            goto fail;
        }
    }
    *out = result;
    return 0;
fail:
    json_decref(result);
    return -1;
}

/* The struct schema with the field's schema replaced by the target's (its doc and default
 * dropped, as Kafka's typeSchema has none), a new reference; NULL with err. */
static json_t *struct_schema_build(timestamp_converter *self, const json_t *schema, char *err,
                                   size_t errlen)
{
    if (connect_json_type(schema) != CONNECT_TYPE_STRUCT)
        return ferry_error_set(err, errlen, "Cannot list fields on non-struct type"), NULL;
    json_t *updated = connect_schema_copy_basics_new(schema);
    json_t *fields = json_object_get(schema, "fields");
    if (!updated || json_object_set_new(updated, "fields", json_array()) != 0)
        goto out_of_memory;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        const json_t *field_schema = field;
        if (name && strcmp(name, self->field) == 0)
            field_schema = self->target_schema[connect_schema_is_optional(field)];
        if (connect_schema_field_append(updated, name, field_schema, err, errlen) != 0)
            goto fail;
    }
    if (connect_schema_is_optional(schema) && connect_schema_optional_set(updated, true) != 0)
        goto out_of_memory;
    const json_t *default_value = json_object_get(schema, "default");
    if (default_value && !json_is_null(default_value)) {
        json_t *converted;
        if (struct_convert(self, schema, default_value, &converted, err, errlen) != 0)
            goto fail;
        if (json_object_set_new(updated, "default", converted) != 0)
            goto out_of_memory;
    }
    return updated;
out_of_memory:
    ferry_error_set(err, errlen, "out of memory");
fail:
    json_decref(updated);
    return NULL;
}

static transform_result apply_with_schema(timestamp_converter *self, ferry_data *data,
                                          char *err, size_t errlen)
{
    json_t *schema = data->schema;
    json_t *value = data->kind == FERRY_DATA_JSON ? data->json : NULL;
    json_t *converted = NULL;
    if (!self->field[0]) {
        timestamp_kind kind;
        if (kind_from_schema(schema, &kind, err, errlen) != 0 ||
            convert(self, kind, schema, value, &converted, err, errlen) != 0)
            return TRANSFORM_FAIL;
        transform_data_take_json(data, converted,
                                 json_incref(self->target_schema[connect_schema_is_optional(
                                     schema)]));
        return TRANSFORM_KEEP;
    }
    if (connect_schema_require_struct_or_null(schema, value, PURPOSE, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *updated = json_incref(connect_schema_cache_get(self->cache, schema));
    if (!updated) {
        if (!(updated = struct_schema_build(self, schema, err, errlen)))
            return TRANSFORM_FAIL;
        if (connect_schema_cache_put(self->cache, schema, updated) != 0) {
            json_decref(updated);
            return ferry_error_set(err, errlen, "out of memory"), TRANSFORM_FAIL;
        }
    }
    if (struct_convert(self, schema, value, &converted, err, errlen) != 0) {
        json_decref(updated);
        return TRANSFORM_FAIL;
    }
    transform_data_take_json(data, converted, updated);
    return TRANSFORM_KEEP;
}

/* ---- schemaless -------------------------------------------------------------------------- */

static transform_result apply_schemaless(timestamp_converter *self, ferry_data *data, char *err,
                                         size_t errlen)
{
    json_t *value = data->kind == FERRY_DATA_JSON ? data->json : NULL;
    if (!value || json_is_null(value))
        return TRANSFORM_KEEP; /* null stays null, and schemaless */
    json_t *converted = NULL, *result = NULL;
    timestamp_kind kind;
    if (!self->field[0]) {
        if (kind_infer(value, &kind, err, errlen) != 0 ||
            convert(self, kind, NULL, value, &converted, err, errlen) != 0)
            return TRANSFORM_FAIL;
        result = converted;
    } else {
        if (connect_schema_require_map(value, PURPOSE, err, errlen) != 0)
            return TRANSFORM_FAIL;
        const json_t *member = json_object_get(value, self->field);
        if (member && !json_is_null(member) &&
            (kind_infer(member, &kind, err, errlen) != 0 ||
             convert(self, kind, NULL, member, &converted, err, errlen) != 0))
            return TRANSFORM_FAIL;
        /* Java copies into a HashMap, whose order the JsonConverter writes; ferry keeps the
         * input's order, and an absent field is added (as null) at the end. */
        result = json_copy(value);
        if (!result || json_object_set_new(result, self->field,
                                           converted ? converted : json_null()) != 0) {
            json_decref(result);
            return ferry_error_set(err, errlen, "out of memory"), TRANSFORM_FAIL;
        }
    }
    if (converted && self->target >= KIND_DATE) {
        json_decref(result);
        return ferry_error_set(err, errlen, "Java class class java.util.Date does not have "
                               "corresponding schema type."), TRANSFORM_FAIL;
    }
    transform_data_take_json(data, result, NULL);
    return TRANSFORM_KEEP;
}

static transform_result timestamp_converter_apply(void *state, ferry_record *record,
                                                  transform_output *output, char *err,
                                                  size_t errlen)
{
    timestamp_converter *self = state;
    ferry_data *data = self->key ? &record->key : &record->value;
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    return data->schema ? apply_with_schema(self, data, err, errlen)
                        : apply_schemaless(self, data, err, errlen);
}

#define TIMESTAMP_CONVERTER_DOC                                                                 \
    "Convert timestamps between different formats such as Unix epoch, strings, and Connect "    \
    "Date/Timestamp types.Applies to individual fields or to the entire value.<p/>Use the "     \
    "concrete transformation type designed for the record key "                                 \
    "(<code>org.apache.kafka.connect.transforms.TimestampConverter$Key</code>) or value "       \
    "(<code>org.apache.kafka.connect.transforms.TimestampConverter$Value</code>)."

static const char *const timestamp_converter_key_aliases[] = {
    "org.apache.kafka.connect.transforms.TimestampConverter$Key", NULL};
static const char *const timestamp_converter_value_aliases[] = {
    "org.apache.kafka.connect.transforms.TimestampConverter$Value", NULL};

const transform_type timestamp_converter_key_type = {
    .name = "TimestampConverter$Key",
    .aliases = timestamp_converter_key_aliases,
    .description = TIMESTAMP_CONVERTER_DOC,
    .config = timestamp_converter_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = timestamp_converter_create_key,
    .apply = timestamp_converter_apply,
    .destroy = timestamp_converter_destroy,
};

const transform_type timestamp_converter_value_type = {
    .name = "TimestampConverter$Value",
    .aliases = timestamp_converter_value_aliases,
    .description = TIMESTAMP_CONVERTER_DOC,
    .config = timestamp_converter_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = timestamp_converter_create_value,
    .apply = timestamp_converter_apply,
    .destroy = timestamp_converter_destroy,
};
