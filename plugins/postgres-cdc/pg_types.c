/*
 * pg_types.c - PostgreSQL types as Debezium maps them: the registry of user types, a column's
 * type resolved from its OID, its Connect schema, and the conversion of a text value, which
 * hands numbers to pg_numeric.c, dates and times to pg_datetime.c and arrays to pg_array.c
 * (see pg_types.h).
 */
#include "pg_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "pg_array.h"
#include "pg_datetime.h"
#include "pg_numeric.h"
#include "support/base64.h"
#include "support/hex.h"
#include "support/strbuf.h"

/* ------------------------------------------------------------------------------------------ */
/* The registry: open addressing on the OID                                                    */

struct pg_type_registry {
    pg_type_info *slots; /* oid 0 = free */
    size_t capacity;     /* a power of two */
    size_t count;
};

pg_type_registry *pg_type_registry_new(void)
{
    pg_type_registry *registry = calloc(1, sizeof(*registry));
    if (!registry)
        return NULL;
    registry->capacity = 64;
    registry->slots = calloc(registry->capacity, sizeof(pg_type_info));
    if (!registry->slots) {
        free(registry);
        return NULL;
    }
    return registry;
}

static void pg_type_info_free(pg_type_info *info)
{
    free(info->name);
    for (size_t i = 0; i < info->label_count; i++)
        free(info->labels[i]);
    free(info->labels);
    free(info->allowed);
    memset(info, 0, sizeof(*info));
}

void pg_type_registry_destroy(pg_type_registry *registry)
{
    if (!registry)
        return;
    for (size_t i = 0; i < registry->capacity; i++)
        if (registry->slots[i].oid)
            pg_type_info_free(&registry->slots[i]);
    free(registry->slots);
    free(registry);
}

static pg_type_info *pg_type_registry_slot(pg_type_info *slots, size_t capacity, uint32_t oid)
{
    size_t mask = capacity - 1;
    size_t i = (oid * 2654435761u) & mask;
    while (slots[i].oid && slots[i].oid != oid)
        i = (i + 1) & mask;
    return &slots[i];
}

static int pg_type_registry_grow(pg_type_registry *registry)
{
    size_t capacity = registry->capacity * 2;
    pg_type_info *slots = calloc(capacity, sizeof(pg_type_info));
    if (!slots)
        return -1;
    for (size_t i = 0; i < registry->capacity; i++)
        if (registry->slots[i].oid)
            *pg_type_registry_slot(slots, capacity, registry->slots[i].oid) = registry->slots[i];
    free(registry->slots);
    registry->slots = slots;
    registry->capacity = capacity;
    return 0;
}

int pg_type_registry_add(pg_type_registry *registry, uint32_t oid, const char *name, char kind,
                         uint32_t element_oid, uint32_t base_oid, int32_t base_typmod,
                         const char *const *labels, size_t label_count)
{
    if (!oid)
        return -1;
    if ((registry->count + 1) * 2 > registry->capacity && pg_type_registry_grow(registry) != 0)
        return -1;
    pg_type_info fresh = {.oid = oid, .kind = kind, .element_oid = element_oid,
                          .base_oid = base_oid, .base_typmod = base_typmod};
    fresh.name = strdup(name ? name : "");
    strbuf allowed = {0};
    if (label_count) {
        fresh.labels = calloc(label_count, sizeof(char *));
        if (!fresh.labels)
            goto fail;
        for (size_t i = 0; i < label_count; i++) {
            fresh.labels[i] = strdup(labels[i]);
            if (!fresh.labels[i])
                goto fail;
            fresh.label_count++;
            if (i)
                strbuf_append_char(&allowed, ',');
            strbuf_append_str(&allowed, labels[i]);
        }
    }
    fresh.allowed = strbuf_take(&allowed, NULL);
    if (!fresh.name || !fresh.allowed)
        goto fail;
    pg_type_info *slot = pg_type_registry_slot(registry->slots, registry->capacity, oid);
    if (slot->oid)
        pg_type_info_free(slot);
    else
        registry->count++;
    *slot = fresh;
    return 0;

fail:
    strbuf_free(&allowed);
    pg_type_info_free(&fresh);
    return -1;
}

const pg_type_info *pg_type_registry_get(const pg_type_registry *registry, uint32_t oid)
{
    if (!registry || !oid)
        return NULL;
    pg_type_info *slot = pg_type_registry_slot(registry->slots, registry->capacity, oid);
    return slot->oid ? slot : NULL;
}

size_t pg_type_registry_count(const pg_type_registry *registry)
{
    return registry ? registry->count : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Resolving a type                                                                           */

/* Built-in array types and their elements. */
static const struct {
    uint32_t array_oid, element_oid;
} pg_builtin_arrays[] = {
    {1000, PG_OID_BOOL}, {1001, PG_OID_BYTEA}, {1002, PG_OID_CHAR}, {1003, PG_OID_NAME},
    {1005, PG_OID_INT2}, {1007, PG_OID_INT4}, {1009, PG_OID_TEXT}, {1014, PG_OID_BPCHAR},
    {1015, PG_OID_VARCHAR}, {1016, PG_OID_INT8}, {1021, PG_OID_FLOAT4}, {1022, PG_OID_FLOAT8},
    {1028, PG_OID_OID}, {1231, PG_OID_NUMERIC}, {1182, PG_OID_DATE}, {1183, PG_OID_TIME},
    {1115, PG_OID_TIMESTAMP}, {1185, PG_OID_TIMESTAMPTZ}, {1187, PG_OID_INTERVAL},
    {1270, PG_OID_TIMETZ}, {2951, PG_OID_UUID}, {199, PG_OID_JSON}, {3807, PG_OID_JSONB},
    {1041, PG_OID_INET}, {651, PG_OID_CIDR}, {1040, PG_OID_MACADDR}, {775, PG_OID_MACADDR8},
    {1561, PG_OID_BIT}, {1563, PG_OID_VARBIT}, {791, PG_OID_MONEY}, {143, PG_OID_XML},
};

/* Time precision from a type modifier: 0..6, -1 (none) meaning 6. */
static int32_t pg_time_precision(int32_t typmod)
{
    return typmod >= 0 && typmod <= 6 ? typmod : 6;
}

static void pg_value_type_scalar(pg_value_type *type, uint32_t oid, int32_t typmod)
{
    type->precision = -1;
    type->scale = INT32_MIN;
    type->length = -1;
    switch (oid) {
    case PG_OID_BOOL: type->conv = PG_CONV_BOOL; break;
    case PG_OID_INT2: type->conv = PG_CONV_INT16; break;
    case PG_OID_INT4: type->conv = PG_CONV_INT32; break;
    case PG_OID_INT8:
    case PG_OID_OID: type->conv = PG_CONV_INT64; break;
    case PG_OID_FLOAT4: type->conv = PG_CONV_FLOAT32; break;
    case PG_OID_FLOAT8: type->conv = PG_CONV_FLOAT64; break;
    case PG_OID_NUMERIC:
        type->conv = PG_CONV_NUMERIC;
        if (typmod >= 4) {
            int32_t packed = typmod - 4;
            int32_t precision = (packed >> 16) & 0xFFFF;
            int32_t scale = (int16_t)(packed & 0xFFFF); /* negative scales since PostgreSQL 15 */
            /* PostgreSQL's bounds (numeric(1..1000, -1000..1000)); any other typmod is not one
             * it sends, and is read as none rather than padding values with 30,000 zeros. */
            if (precision >= 1 && precision <= 1000 && scale >= -1000 && scale <= 1000) {
                type->precision = precision;
                type->scale = scale;
            }
        }
        break;
    case PG_OID_MONEY: type->conv = PG_CONV_MONEY; break;
    case PG_OID_TEXT:
    case PG_OID_VARCHAR:
    case PG_OID_BPCHAR:
    case PG_OID_CHAR:
    case PG_OID_NAME:
    case PG_OID_INET:
    case PG_OID_CIDR:
    case PG_OID_MACADDR:
    case PG_OID_MACADDR8:
    case 3904: case 3906: case 3908: case 3910: case 3912: case 3926: /* ranges */
        type->conv = PG_CONV_STRING;
        break;
    case PG_OID_BYTEA: type->conv = PG_CONV_BYTES; break;
    case PG_OID_DATE: type->conv = PG_CONV_DATE; break;
    case PG_OID_TIME:
        type->conv = PG_CONV_TIME;
        type->precision = pg_time_precision(typmod);
        break;
    case PG_OID_TIMETZ:
        type->conv = PG_CONV_TIMETZ;
        type->precision = pg_time_precision(typmod);
        break;
    case PG_OID_TIMESTAMP:
        type->conv = PG_CONV_TIMESTAMP;
        type->precision = pg_time_precision(typmod);
        break;
    case PG_OID_TIMESTAMPTZ:
        type->conv = PG_CONV_TIMESTAMPTZ;
        type->precision = pg_time_precision(typmod);
        break;
    case PG_OID_INTERVAL: type->conv = PG_CONV_INTERVAL; break;
    case PG_OID_UUID: type->conv = PG_CONV_UUID; break;
    case PG_OID_JSON:
    case PG_OID_JSONB: type->conv = PG_CONV_JSON; break;
    case PG_OID_XML: type->conv = PG_CONV_XML; break;
    case PG_OID_BIT:
        type->conv = PG_CONV_BIT;
        type->length = typmod > 0 ? typmod : 1;
        break;
    case PG_OID_VARBIT:
        type->conv = PG_CONV_BIT;
        type->length = typmod > 0 ? typmod : INT32_MAX;
        break;
    default: type->conv = PG_CONV_TEXT; break;
    }
}

static int pg_value_type_resolve(pg_value_type *type, const pg_type_registry *registry,
                                 uint32_t oid, int32_t typmod, int depth)
{
    type->oid = oid;
    type->element = NULL;
    type->allowed = NULL;
    for (size_t i = 0; i < sizeof pg_builtin_arrays / sizeof pg_builtin_arrays[0]; i++) {
        if (pg_builtin_arrays[i].array_oid == oid) {
            type->conv = PG_CONV_ARRAY;
            type->precision = -1;
            type->scale = INT32_MIN;
            type->length = -1;
            type->element = calloc(1, sizeof(pg_value_type));
            if (!type->element)
                return -1;
            type->element->options = type->options;
            return pg_value_type_resolve(type->element, registry, pg_builtin_arrays[i].element_oid,
                                         typmod, depth + 1);
        }
    }
    const pg_type_info *info = oid >= 16384 ? pg_type_registry_get(registry, oid) : NULL;
    if (!info || depth > 8) {
        pg_value_type_scalar(type, oid, typmod);
        return 0;
    }
    if (info->kind == 'e') {
        pg_value_type_scalar(type, 0, -1);
        type->oid = oid;
        type->conv = PG_CONV_ENUM;
        type->allowed = info->allowed;
        return 0;
    }
    if (info->kind == 'd' && info->base_oid) {
        int rc = pg_value_type_resolve(type, registry, info->base_oid,
                                       typmod >= 0 ? typmod : info->base_typmod, depth + 1);
        type->oid = oid;
        return rc;
    }
    if (info->element_oid && info->name && info->name[0] == '_') {
        pg_value_type_scalar(type, 0, -1);
        type->oid = oid;
        type->conv = PG_CONV_ARRAY;
        type->element = calloc(1, sizeof(pg_value_type));
        if (!type->element)
            return -1;
        type->element->options = type->options;
        return pg_value_type_resolve(type->element, registry, info->element_oid, typmod,
                                     depth + 1);
    }
    pg_value_type_scalar(type, 0, -1);
    type->oid = oid;
    /* Extension types Debezium knows by name and sends as strings. */
    type->conv = (strcmp(info->name, "citext") == 0 || strcmp(info->name, "ltree") == 0 ||
                  strcmp(info->name, "isbn") == 0)
                     ? PG_CONV_STRING
                     : PG_CONV_TEXT;
    return 0;
}

int pg_value_type_init(pg_value_type *type, const pg_type_registry *registry, uint32_t oid,
                       int32_t type_modifier, const pg_type_options *options)
{
    memset(type, 0, sizeof(*type));
    type->options = options;
    if (pg_value_type_resolve(type, registry, oid, type_modifier, 0) != 0) {
        pg_value_type_release(type);
        return -1;
    }
    return 0;
}

void pg_value_type_release(pg_value_type *type)
{
    if (!type)
        return;
    if (type->element) {
        pg_value_type_release(type->element);
        free(type->element);
        type->element = NULL;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Schemas                                                                                    */

/* {"type": t, ...optional, name, version, parameters} in the JsonConverter's key order. */
static json_t *pg_schema_make(const char *connect_type, bool optional, const char *name,
                              json_t *parameters)
{
    json_t *schema = json_object();
    if (!schema) {
        json_decref(parameters);
        return NULL;
    }
    int rc = json_object_set_new(schema, "type", json_string(connect_type));
    rc |= json_object_set_new(schema, "optional", json_boolean(optional));
    if (name) {
        rc |= json_object_set_new(schema, "name", json_string(name));
        rc |= json_object_set_new(schema, "version", json_integer(1));
    }
    if (parameters)
        rc |= json_object_set_new(schema, "parameters", parameters);
    if (rc) {
        json_decref(schema);
        return NULL;
    }
    return schema;
}

static json_t *pg_schema_decimal(bool optional, int32_t scale, int32_t precision)
{
    char text[16];
    json_t *parameters = json_object();
    if (!parameters)
        return NULL;
    snprintf(text, sizeof text, "%d", scale);
    json_object_set_new(parameters, "scale", json_string(text));
    if (precision >= 0) {
        snprintf(text, sizeof text, "%d", precision);
        json_object_set_new(parameters, "connect.decimal.precision", json_string(text));
    }
    return pg_schema_make("bytes", optional, "org.apache.kafka.connect.data.Decimal", parameters);
}

static json_t *pg_schema_variable_decimal(bool optional)
{
    json_t *schema = json_pack(
        "{s:s, s:[{s:s, s:b, s:s}, {s:s, s:b, s:s}], s:b, s:s, s:i, s:s}", "type", "struct",
        "fields", "type", "int32", "optional", 0, "field", "scale", "type", "bytes", "optional",
        0, "field", "value", "optional", optional, "name",
        "io.debezium.data.VariableScaleDecimal", "version", 1, "doc", "Variable scaled decimal");
    return schema;
}

static json_t *pg_schema_numeric(const pg_value_type *type, bool optional, int32_t scale,
                                 int32_t precision, bool variable)
{
    switch (type->options->decimal) {
    case PG_DECIMAL_DOUBLE:
        return pg_schema_make("double", optional, NULL, NULL);
    case PG_DECIMAL_STRING:
        return pg_schema_make("string", optional, NULL, NULL);
    case PG_DECIMAL_PRECISE:
        break;
    }
    if (variable)
        return pg_schema_variable_decimal(optional);
    return pg_schema_decimal(optional, scale, precision);
}

json_t *pg_value_type_schema(const pg_value_type *type, bool optional)
{
    const pg_type_options *options = type->options;
    bool adaptive = options->time != PG_TIME_CONNECT;
    switch (type->conv) {
    case PG_CONV_BOOL: return pg_schema_make("boolean", optional, NULL, NULL);
    case PG_CONV_INT16: return pg_schema_make("int16", optional, NULL, NULL);
    case PG_CONV_INT32: return pg_schema_make("int32", optional, NULL, NULL);
    case PG_CONV_INT64: return pg_schema_make("int64", optional, NULL, NULL);
    /* FLOAT32 and FLOAT64 have the JsonConverter's names: it knows no "float32"/"float64". */
    case PG_CONV_FLOAT32: return pg_schema_make("float", optional, NULL, NULL);
    case PG_CONV_FLOAT64: return pg_schema_make("double", optional, NULL, NULL);
    case PG_CONV_NUMERIC:
        return pg_schema_numeric(type, optional, type->scale == INT32_MIN ? 0 : type->scale,
                                 type->precision, type->scale == INT32_MIN);
    case PG_CONV_MONEY:
        return pg_schema_numeric(type, optional, options->money_fraction_digits, -1, false);
    case PG_CONV_STRING:
    case PG_CONV_TEXT: return pg_schema_make("string", optional, NULL, NULL);
    case PG_CONV_BYTES:
        return pg_schema_make(options->binary == PG_BINARY_BYTES ? "bytes" : "string", optional,
                              NULL, NULL);
    case PG_CONV_DATE:
        return pg_schema_make("int32", optional,
                              adaptive ? "io.debezium.time.Date"
                                       : "org.apache.kafka.connect.data.Date", NULL);
    case PG_CONV_TIME:
        if (!adaptive)
            return pg_schema_make("int32", optional, "org.apache.kafka.connect.data.Time", NULL);
        if (options->time == PG_TIME_ADAPTIVE && type->precision <= 3)
            return pg_schema_make("int32", optional, "io.debezium.time.Time", NULL);
        return pg_schema_make("int64", optional, "io.debezium.time.MicroTime", NULL);
    case PG_CONV_TIMETZ:
        return pg_schema_make("string", optional, "io.debezium.time.ZonedTime", NULL);
    case PG_CONV_TIMESTAMP:
        if (!adaptive)
            return pg_schema_make("int64", optional, "org.apache.kafka.connect.data.Timestamp",
                                  NULL);
        return pg_schema_make("int64", optional,
                              type->precision <= 3 ? "io.debezium.time.Timestamp"
                                                   : "io.debezium.time.MicroTimestamp", NULL);
    case PG_CONV_TIMESTAMPTZ:
        return pg_schema_make("string", optional, "io.debezium.time.ZonedTimestamp", NULL);
    case PG_CONV_INTERVAL:
        return options->interval == PG_INTERVAL_STRING
                   ? pg_schema_make("string", optional, "io.debezium.time.Interval", NULL)
                   : pg_schema_make("int64", optional, "io.debezium.time.MicroDuration", NULL);
    case PG_CONV_UUID: return pg_schema_make("string", optional, "io.debezium.data.Uuid", NULL);
    case PG_CONV_JSON: return pg_schema_make("string", optional, "io.debezium.data.Json", NULL);
    case PG_CONV_XML: return pg_schema_make("string", optional, "io.debezium.data.Xml", NULL);
    case PG_CONV_ENUM:
        return pg_schema_make("string", optional, "io.debezium.data.Enum",
                              json_pack("{s:s}", "allowed", type->allowed ? type->allowed : ""));
    case PG_CONV_BIT: {
        if (type->length <= 1)
            return pg_schema_make("boolean", optional, NULL, NULL);
        char length[16];
        snprintf(length, sizeof length, "%d", type->length);
        return pg_schema_make("bytes", optional, "io.debezium.data.Bits",
                              json_pack("{s:s}", "length", length));
    }
    case PG_CONV_ARRAY: {
        /* Debezium: time arrays are always MicroTime, enum elements are not optional. */
        pg_value_type element = *type->element;
        if (element.conv == PG_CONV_TIME) {
            element.precision = 6;
            pg_type_options micro = *options;
            micro.time = PG_TIME_ADAPTIVE_MICROSECONDS;
            element.options = &micro;
            json_t *items = pg_value_type_schema(&element, true);
            json_t *schema = json_pack("{s:s, s:o, s:b}", "type", "array", "items", items,
                                       "optional", optional);
            return schema;
        }
        json_t *items = pg_value_type_schema(type->element, element.conv != PG_CONV_ENUM);
        if (!items)
            return NULL;
        return json_pack("{s:s, s:o, s:b}", "type", "array", "items", items, "optional",
                         optional);
    }
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers of the conversions                                                                 */

int pg_value_invalid(char *err, size_t errlen, const char *what, const char *text, size_t len)
{
    ferry_error_set(err, errlen, "cannot read '%.*s' as %s", (int)(len > 80 ? 80 : len), text,
                    what);
    return -1;
}
/* Copies a value into a NUL-terminated buffer (small values on the stack). */
typedef struct pg_text {
    char small[128];
    char *heap;
    const char *s;
} pg_text;

static const char *pg_text_of(pg_text *t, const char *text, size_t len)
{
    t->heap = NULL;
    if (len < sizeof t->small) {
        memcpy(t->small, text, len);
        t->small[len] = '\0';
        t->s = t->small;
    } else {
        t->heap = malloc(len + 1);
        if (!t->heap)
            return NULL;
        memcpy(t->heap, text, len);
        t->heap[len] = '\0';
        t->s = t->heap;
    }
    return t->s;
}

static void pg_text_free(pg_text *t)
{
    free(t->heap);
}

json_t *pg_base64_string(const uint8_t *bytes, size_t len, bool url_safe)
{
    char *out = malloc(base64_encoded_length(len) + 1);
    if (!out)
        return NULL;
    size_t n = base64_encode(bytes, len, url_safe, out);
    json_t *value = json_stringn_nocheck(out, n);
    free(out);
    return value;
}

/* ------------------------------------------------------------------------------------------ */
/* Bytes                                                                                      */

/* bytea text (hex "\x0a0b", or the escape format) to bytes. */
static uint8_t *pg_bytea_decode(const char *s, size_t len, size_t *out_len)
{
    uint8_t *out = malloc(len + 1);
    if (!out)
        return NULL;
    if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
        long n = hex_decode(s + 2, len - 2, out);
        if (n < 0) {
            free(out);
            return NULL;
        }
        *out_len = (size_t)n;
        return out;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') {
            out[o++] = (uint8_t)s[i];
        } else if (i + 1 < len && s[i + 1] == '\\') {
            out[o++] = '\\';
            i++;
        } else if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3') {
            out[o++] = (uint8_t)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            free(out);
            return NULL;
        }
    }
    *out_len = o;
    return out;
}

static json_t *pg_bytes_value(const pg_type_options *options, const uint8_t *bytes, size_t len)
{
    switch (options->binary) {
    case PG_BINARY_BYTES:
    case PG_BINARY_BASE64:
        return pg_base64_string(bytes, len, false);
    case PG_BINARY_BASE64_URL_SAFE:
        return pg_base64_string(bytes, len, true);
    case PG_BINARY_HEX: {
        char *text = malloc(len * 2 + 1);
        if (!text)
            return NULL;
        hex_encode(bytes, len, text);
        json_t *value = json_stringn_nocheck(text, len * 2);
        free(text);
        return value;
    }
    }
    return NULL;
}

/* Debezium's bits: the bit string as a little-endian BitSet, as few bytes as its highest set bit
 * needs. */
static json_t *pg_bits_value(const char *s, size_t len)
{
    uint8_t *bytes = calloc(len / 8 + 1, 1);
    if (!bytes)
        return NULL;
    size_t highest = 0;
    bool any = false;
    for (size_t i = 0; i < len; i++) {
        if (s[len - 1 - i] == '1') {
            bytes[i / 8] |= (uint8_t)(1u << (i % 8));
            highest = i;
            any = true;
        }
    }
    json_t *value = pg_base64_string(bytes, any ? highest / 8 + 1 : 0, false);
    free(bytes);
    return value;
}

/* ------------------------------------------------------------------------------------------ */
/* Conversion                                                                                 */

int pg_value_convert(const pg_value_type *type, const char *text, size_t len, json_t **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    /* Types whose text goes out as it is need no copy. */
    switch (type->conv) {
    case PG_CONV_TEXT:
    case PG_CONV_STRING:
    case PG_CONV_UUID:
    case PG_CONV_JSON:
    case PG_CONV_XML:
    case PG_CONV_ENUM:
        *out = json_stringn_nocheck(text, len);
        return *out ? 0 : (ferry_error_set(err, errlen, "out of memory"), -1);
    case PG_CONV_ARRAY:
        return pg_array_convert(type, text, len, out, err, errlen);
    case PG_CONV_BYTES: {
        size_t n = 0;
        uint8_t *bytes = pg_bytea_decode(text, len, &n);
        if (!bytes)
            return pg_value_invalid(err, errlen, "bytea (hex or escape format)", text, len);
        *out = pg_bytes_value(type->options, bytes, n);
        free(bytes);
        return *out ? 0 : (ferry_error_set(err, errlen, "out of memory"), -1);
    }
    default:
        break;
    }

    pg_text buffer;
    const char *s = pg_text_of(&buffer, text, len);
    if (!s)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = 0;
    switch (type->conv) {
    case PG_CONV_BOOL:
        if (strcmp(s, "t") == 0 || strcmp(s, "true") == 0)
            *out = json_true();
        else if (strcmp(s, "f") == 0 || strcmp(s, "false") == 0)
            *out = json_false();
        else
            rc = pg_value_invalid(err, errlen, "a boolean (t or f)", text, len);
        break;
    case PG_CONV_INT16:
    case PG_CONV_INT32:
    case PG_CONV_INT64:
    case PG_CONV_FLOAT32:
    case PG_CONV_FLOAT64:
    case PG_CONV_NUMERIC:
    case PG_CONV_MONEY: rc = pg_numeric_convert(type, s, len, out, err, errlen); break;
    case PG_CONV_DATE:
    case PG_CONV_TIME:
    case PG_CONV_TIMETZ:
    case PG_CONV_TIMESTAMP:
    case PG_CONV_TIMESTAMPTZ:
    case PG_CONV_INTERVAL: rc = pg_datetime_convert(type, s, len, out, err, errlen); break;
    case PG_CONV_BIT:
        for (size_t i = 0; i < len; i++)
            if (s[i] != '0' && s[i] != '1') {
                rc = pg_value_invalid(err, errlen, "a bit string", text, len);
                break;
            }
        if (rc == 0)
            *out = type->length <= 1 ? json_boolean(len > 0 && s[len - 1] == '1')
                                     : pg_bits_value(s, len);
        break;
    default:
        *out = json_stringn_nocheck(text, len);
        break;
    }
    pg_text_free(&buffer);
    if (rc == 0 && !*out)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return rc;
}

json_t *pg_value_fallback(const pg_value_type *type)
{
    switch (type->conv) {
    case PG_CONV_BOOL: return json_false();
    case PG_CONV_INT16:
    case PG_CONV_INT32:
    case PG_CONV_INT64:
    case PG_CONV_DATE:
    case PG_CONV_TIME:
    case PG_CONV_TIMESTAMP: return json_integer(0);
    case PG_CONV_FLOAT32:
    case PG_CONV_FLOAT64: return json_real(0.0);
    case PG_CONV_INTERVAL:
        return type->options->interval == PG_INTERVAL_NUMERIC ? json_integer(0)
                                                              : json_string("P0Y0M0DT0H0M0S");
    case PG_CONV_NUMERIC:
    case PG_CONV_MONEY: {
        json_t *zero = NULL;
        pg_value_type copy = *type;
        if (pg_value_convert(&copy, "0", 1, &zero, NULL, 0) != 0)
            return json_null();
        return zero;
    }
    case PG_CONV_BIT: return type->length <= 1 ? json_false() : json_string("");
    case PG_CONV_BYTES: return json_string("");
    case PG_CONV_TIMESTAMPTZ: return json_string("1970-01-01T00:00:00Z");
    case PG_CONV_TIMETZ: return json_string("00:00:00Z");
    case PG_CONV_ARRAY: return json_array();
    default: return json_string("");
    }
}

json_t *pg_value_placeholder(const pg_value_type *type)
{
    const char *placeholder = type->options->toast_placeholder
                                  ? type->options->toast_placeholder
                                  : "__debezium_unavailable_value";
    switch (type->conv) {
    case PG_CONV_TEXT:
    case PG_CONV_STRING:
    case PG_CONV_JSON:
    case PG_CONV_XML:
    case PG_CONV_UUID:
    case PG_CONV_ENUM:
        return json_string(placeholder);
    case PG_CONV_BYTES:
        return pg_bytes_value(type->options, (const uint8_t *)placeholder, strlen(placeholder));
    case PG_CONV_ARRAY:
        switch (type->element->conv) {
        case PG_CONV_TEXT:
        case PG_CONV_STRING:
        case PG_CONV_JSON:
        case PG_CONV_ENUM:
            return json_pack("[s]", placeholder);
        case PG_CONV_INT32:
        case PG_CONV_INT64: {
            json_t *array = json_array();
            for (const char *c = placeholder; array && *c; c++)
                json_array_append_new(array, json_integer((signed char)*c));
            return array;
        }
        case PG_CONV_BYTES:
            return json_pack("[o]", pg_bytes_value(type->options, (const uint8_t *)placeholder,
                                                   strlen(placeholder)));
        default:
            return NULL;
        }
    default:
        return NULL;
    }
}
