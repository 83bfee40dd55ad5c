/*
 * pg_types.c - PostgreSQL type → Connect schema and text value → JSON value (see pg_types.h).
 */
#include "pg_types.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ferry/plugin.h>

#define PG_MAX_ARRAY_DEPTH 6 /* PostgreSQL's MAXDIM */
#define US_PER_SECOND INT64_C(1000000)
#define US_PER_DAY INT64_C(86400000000)

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
    size_t allowed_len = 1;
    if (label_count) {
        fresh.labels = calloc(label_count, sizeof(char *));
        if (!fresh.labels)
            goto fail;
        for (size_t i = 0; i < label_count; i++) {
            fresh.labels[i] = strdup(labels[i]);
            if (!fresh.labels[i])
                goto fail;
            fresh.label_count++;
            allowed_len += strlen(labels[i]) + 1;
        }
    }
    fresh.allowed = calloc(1, allowed_len);
    if (!fresh.name || !fresh.allowed)
        goto fail;
    for (size_t i = 0; i < fresh.label_count; i++) {
        if (i)
            strcat(fresh.allowed, ",");
        strcat(fresh.allowed, fresh.labels[i]);
    }
    pg_type_info *slot = pg_type_registry_slot(registry->slots, registry->capacity, oid);
    if (slot->oid)
        pg_type_info_free(slot);
    else
        registry->count++;
    *slot = fresh;
    return 0;

fail:
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
            type->precision = (packed >> 16) & 0xFFFF;
            type->scale = (int16_t)(packed & 0xFFFF); /* negative scales since PostgreSQL 15 */
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
        return pg_schema_make("float64", optional, NULL, NULL);
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
    case PG_CONV_FLOAT32: return pg_schema_make("float32", optional, NULL, NULL);
    case PG_CONV_FLOAT64: return pg_schema_make("float64", optional, NULL, NULL);
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
/* Small parsers                                                                              */

static int pg_invalid(char *err, size_t errlen, const char *what, const char *text, size_t len)
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

static bool pg_parse_int64(const char *s, int64_t *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        return false;
    *out = v;
    return true;
}

/* Reads n digits at *p. */
static bool pg_digits(const char **p, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* Reads at least one digit (at most 12). */
static bool pg_number(const char **p, int64_t *out)
{
    const char *start = *p;
    int64_t v = 0;
    while (isdigit((unsigned char)**p) && *p - start < 12) {
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return *p > start;
}

/* "HH:MM:SS[.ffffff]" at *p, into µs since midnight. */
static bool pg_parse_clock(const char **p, int64_t *micros)
{
    int64_t h, m, s, frac = 0;
    if (!pg_digits(p, 2, &h) || **p != ':')
        return false;
    (*p)++;
    if (!pg_digits(p, 2, &m) || **p != ':')
        return false;
    (*p)++;
    if (!pg_digits(p, 2, &s))
        return false;
    if (**p == '.') {
        (*p)++;
        int digits = 0;
        while (isdigit((unsigned char)**p)) {
            if (digits < 6) {
                frac = frac * 10 + (**p - '0');
                digits++;
            }
            (*p)++;
        }
        if (digits == 0)
            return false;
        for (; digits < 6; digits++)
            frac *= 10;
    }
    *micros = ((h * 60 + m) * 60 + s) * US_PER_SECOND + frac;
    return true;
}

/* "+HH[:MM[:SS]]" or "-..." at *p, into seconds east of UTC. */
static bool pg_parse_offset(const char **p, int64_t *seconds)
{
    char sign = **p;
    if (sign != '+' && sign != '-')
        return false;
    (*p)++;
    int64_t h, m = 0, s = 0;
    if (!pg_digits(p, 2, &h))
        return false;
    if (**p == ':') {
        (*p)++;
        if (!pg_digits(p, 2, &m))
            return false;
        if (**p == ':') {
            (*p)++;
            if (!pg_digits(p, 2, &s))
                return false;
        }
    }
    *seconds = (h * 3600 + m * 60 + s) * (sign == '-' ? -1 : 1);
    return true;
}

int64_t pg_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    /* Howard Hinnant's days_from_civil. */
    year -= month <= 2;
    const int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yoe = (unsigned)(year - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void pg_civil_from_days(int64_t z, int64_t *year, unsigned *month, unsigned *day)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = y + (*month <= 2);
}

/* "YYYY-MM-DD" at *p (year of 4+ digits), BC handled by the caller; days since 1970. */
static bool pg_parse_date_part(const char **p, int64_t *year, int64_t *month, int64_t *day)
{
    if (!pg_number(p, year) || **p != '-')
        return false;
    (*p)++;
    if (!pg_digits(p, 2, month) || **p != '-')
        return false;
    (*p)++;
    if (!pg_digits(p, 2, day))
        return false;
    return *month >= 1 && *month <= 12 && *day >= 1 && *day <= 31;
}

static bool pg_bc_suffix(const char **p)
{
    if (strcmp(*p, " BC") == 0) {
        *p += 3;
        return true;
    }
    return false;
}

/* Days since 1970 of "YYYY-MM-DD[ BC]". */
static bool pg_parse_date(const char *s, int64_t *days)
{
    int64_t year, month, day;
    const char *p = s;
    if (!pg_parse_date_part(&p, &year, &month, &day))
        return false;
    if (pg_bc_suffix(&p))
        year = 1 - year;
    if (*p)
        return false;
    *days = pg_days_from_civil(year, (unsigned)month, (unsigned)day);
    return true;
}

/* µs since 1970 (UTC) of "YYYY-MM-DD HH:MM:SS[.f][+HH[:MM]][ BC]". */
static bool pg_parse_timestamp(const char *s, bool with_zone, int64_t *micros)
{
    int64_t year, month, day, clock, offset = 0;
    const char *p = s;
    if (!pg_parse_date_part(&p, &year, &month, &day) || *p != ' ')
        return false;
    p++;
    if (!pg_parse_clock(&p, &clock))
        return false;
    if (with_zone && !pg_parse_offset(&p, &offset))
        return false;
    if (pg_bc_suffix(&p))
        year = 1 - year;
    if (*p)
        return false;
    *micros = pg_days_from_civil(year, (unsigned)month, (unsigned)day) * US_PER_DAY + clock -
              offset * US_PER_SECOND;
    return true;
}

/* Java's ISO_LOCAL_DATE year: 4 digits, a sign beyond. */
static int pg_format_year(char *out, size_t size, int64_t year)
{
    if (year > 9999)
        return snprintf(out, size, "+%" PRId64, year);
    if (year < 0)
        return snprintf(out, size, "-%04" PRId64, -year);
    return snprintf(out, size, "%04" PRId64, year);
}

/* ".ffffff" with exactly width digits (width > 0), or the shortest (width 0: nothing when zero),
 * of a fraction in µs. */
static int pg_format_fraction(char *out, size_t size, int64_t frac_us, int width)
{
    char digits[8];
    snprintf(digits, sizeof digits, "%06" PRId64, frac_us);
    if (width > 0) {
        if (width > 6) {
            return snprintf(out, size, ".%s%0*d", digits, width - 6, 0);
        }
        return snprintf(out, size, ".%.*s", width, digits);
    }
    int n = 6;
    while (n > 0 && digits[n - 1] == '0')
        n--;
    if (n == 0) {
        out[0] = '\0';
        return 0;
    }
    return snprintf(out, size, ".%.*s", n, digits);
}

static int64_t pg_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* ------------------------------------------------------------------------------------------ */
/* Numbers                                                                                    */

json_t *pg_base64_string(const uint8_t *bytes, size_t len, bool url_safe)
{
    static const char standard[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *alphabet = url_safe ? url : standard;
    size_t out_len = (len + 2) / 3 * 4;
    char *out = malloc(out_len + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8 | bytes[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)bytes[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    json_t *value = json_stringn_nocheck(out, o);
    free(out);
    return value;
}

/* A decimal's digits without sign or point, and how many of them are after the point. */
typedef struct pg_decimal {
    bool negative;
    char *digits;  /* malloc'd, NUL-terminated, at least "0" */
    size_t ndigits;
    int32_t scale; /* digits after the point */
} pg_decimal;

/* Parses "-123.4500" (digits, one optional point, optional sign). false when malformed. */
static bool pg_decimal_parse(const char *s, size_t len, pg_decimal *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        out->negative = s[i++] == '-';
    out->digits = malloc(len + 2);
    if (!out->digits)
        return false;
    bool point = false, any = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && !point) {
            point = true;
        } else if (isdigit((unsigned char)c)) {
            out->digits[out->ndigits++] = c;
            any = true;
            if (point)
                out->scale++;
        } else {
            free(out->digits);
            out->digits = NULL;
            return false;
        }
    }
    if (!any) {
        free(out->digits);
        out->digits = NULL;
        return false;
    }
    out->digits[out->ndigits] = '\0';
    return true;
}

/* Adjusts the digits to a target scale: zeros appended, or digits dropped (rounding half up,
 * which PostgreSQL never needs since it prints the column's scale). */
static bool pg_decimal_rescale(pg_decimal *d, int32_t scale)
{
    if (scale == d->scale)
        return true;
    if (scale > d->scale) {
        size_t extra = (size_t)(scale - d->scale);
        char *grown = realloc(d->digits, d->ndigits + extra + 1);
        if (!grown)
            return false;
        d->digits = grown;
        memset(d->digits + d->ndigits, '0', extra);
        d->ndigits += extra;
        d->digits[d->ndigits] = '\0';
    } else {
        size_t drop = (size_t)(d->scale - scale);
        if (drop >= d->ndigits) {
            d->digits[0] = '0';
            d->ndigits = 1;
        } else {
            d->ndigits -= drop;
        }
        d->digits[d->ndigits] = '\0';
    }
    d->scale = scale;
    return true;
}

/* Java's BigInteger.toByteArray() of the unscaled value: big-endian two's complement, minimal. */
static uint8_t *pg_decimal_unscaled_bytes(const pg_decimal *d, size_t *out_len)
{
    size_t n = d->ndigits;
    /* base-256 magnitude, little-endian, by repeated multiply-add */
    size_t cap = n / 2 + 2;
    uint8_t *mag = calloc(cap, 1);
    if (!mag)
        return NULL;
    size_t used = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned carry = (unsigned)(d->digits[i] - '0');
        for (size_t j = 0; j < used; j++) {
            unsigned v = mag[j] * 10u + carry;
            mag[j] = (uint8_t)(v & 0xFF);
            carry = v >> 8;
        }
        if (carry)
            mag[used++] = (uint8_t)carry;
    }
    while (used > 1 && mag[used - 1] == 0)
        used--;
    bool zero = used == 1 && mag[0] == 0;
    bool negative = d->negative && !zero;
    if (negative) {
        /* two's complement: invert and add one */
        unsigned carry = 1;
        for (size_t j = 0; j < used; j++) {
            unsigned v = (uint8_t)~mag[j] + carry;
            mag[j] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    /* a sign byte when the top bit says the wrong sign */
    bool top = (mag[used - 1] & 0x80) != 0;
    uint8_t pad = 0;
    bool need_pad = false;
    if (!negative && top) {
        need_pad = true;
        pad = 0x00;
    } else if (negative && !top) {
        need_pad = true;
        pad = 0xFF;
    }
    if (negative) /* minimal: drop redundant 0xFF bytes */
        while (used > 1 && mag[used - 1] == 0xFF && (mag[used - 2] & 0x80))
            used--;
    size_t total = used + (need_pad ? 1 : 0);
    uint8_t *out = malloc(total);
    if (!out) {
        free(mag);
        return NULL;
    }
    size_t o = 0;
    if (need_pad)
        out[o++] = pad;
    for (size_t j = used; j > 0; j--)
        out[o++] = mag[j - 1];
    free(mag);
    *out_len = total;
    return out;
}

static bool pg_is_special_number(const char *s)
{
    return strcmp(s, "NaN") == 0 || strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0;
}

/* A numeric's text in the configured mode; scale INT32_MIN = variable scale. */
static int pg_convert_decimal(const pg_value_type *type, const char *s, size_t len,
                              int32_t scale, json_t **out, char *err, size_t errlen)
{
    switch (type->options->decimal) {
    case PG_DECIMAL_STRING:
        *out = json_stringn_nocheck(s, len);
        return 0;
    case PG_DECIMAL_DOUBLE: {
        if (pg_is_special_number(s)) {
            *out = json_string(s);
            return 0;
        }
        char *end;
        double v = strtod(s, &end);
        if (end == s || *end)
            return pg_invalid(err, errlen, "a number", s, len);
        *out = json_real(v);
        return 0;
    }
    case PG_DECIMAL_PRECISE:
        break;
    }
    if (pg_is_special_number(s)) {
        /* A Connect Decimal cannot hold NaN or infinity: Debezium sends null. */
        *out = json_null();
        return 0;
    }
    pg_decimal d;
    if (!pg_decimal_parse(s, len, &d))
        return pg_invalid(err, errlen, "a decimal number", s, len);
    /* A negative scale (numeric(p,-s), PostgreSQL 15) drops trailing zeros: the value is a
     * multiple of 10^s. */
    bool variable = scale == INT32_MIN;
    if (!variable && !pg_decimal_rescale(&d, scale)) {
        free(d.digits);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    int32_t value_scale = d.scale;
    size_t nbytes = 0;
    uint8_t *bytes = pg_decimal_unscaled_bytes(&d, &nbytes);
    free(d.digits);
    if (!bytes)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    json_t *encoded = pg_base64_string(bytes, nbytes, false);
    free(bytes);
    if (!encoded)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (!variable) {
        *out = encoded;
        return 0;
    }
    *out = json_pack("{s:i, s:o}", "scale", value_scale, "value", encoded);
    return *out ? 0 : (ferry_error_set(err, errlen, "out of memory"), -1);
}

/* money text ("$1,234.56", "-$1,234.56", "($1.00)") to a plain decimal. */
static int pg_convert_money(const pg_value_type *type, const char *s, size_t len, json_t **out,
                            char *err, size_t errlen)
{
    char plain[64];
    size_t o = 0;
    bool negative = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '-' || c == '(')
            negative = true;
        else if ((isdigit((unsigned char)c) || c == '.') && o + 2 < sizeof plain)
            plain[o++ + 1] = c;
    }
    if (o == 0)
        return pg_invalid(err, errlen, "a money amount", s, len);
    plain[0] = negative ? '-' : '+';
    plain[o + 1] = '\0';
    if (type->options->decimal == PG_DECIMAL_STRING) {
        *out = json_string(negative ? plain : plain + 1);
        return 0;
    }
    return pg_convert_decimal(type, plain, o + 1, type->options->money_fraction_digits, out, err,
                              errlen);
}

static int pg_convert_float(const char *s, size_t len, json_t **out, char *err, size_t errlen)
{
    if (pg_is_special_number(s)) {
        *out = json_string(s);
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end)
        return pg_invalid(err, errlen, "a floating-point number", s, len);
    *out = json_real(v);
    return 0;
}

static int pg_convert_int(const char *s, size_t len, int64_t min, int64_t max, json_t **out,
                          char *err, size_t errlen)
{
    int64_t v;
    if (!pg_parse_int64(s, &v) || v < min || v > max)
        return pg_invalid(err, errlen, "an integer", s, len);
    *out = json_integer(v);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Bytes                                                                                      */

static int pg_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* bytea text (hex "\x0a0b", or the escape format) to bytes. */
static uint8_t *pg_bytea_decode(const char *s, size_t len, size_t *out_len)
{
    uint8_t *out = malloc(len / 2 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
        for (size_t i = 2; i + 1 < len; i += 2) {
            int high = pg_hex_value(s[i]), low = pg_hex_value(s[i + 1]);
            if (high < 0 || low < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (uint8_t)(high << 4 | low);
        }
        if ((len - 2) % 2) {
            free(out);
            return NULL;
        }
    } else {
        free(out);
        out = malloc(len + 1);
        if (!out)
            return NULL;
        for (size_t i = 0; i < len; i++) {
            if (s[i] != '\\') {
                out[o++] = (uint8_t)s[i];
            } else if (i + 1 < len && s[i + 1] == '\\') {
                out[o++] = '\\';
                i++;
            } else if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3') {
                out[o++] = (uint8_t)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
                                     (s[i + 3] - '0'));
                i += 3;
            } else {
                free(out);
                return NULL;
            }
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
        static const char hex[] = "0123456789abcdef";
        char *text = malloc(len * 2 + 1);
        if (!text)
            return NULL;
        for (size_t i = 0; i < len; i++) {
            text[2 * i] = hex[bytes[i] >> 4];
            text[2 * i + 1] = hex[bytes[i] & 15];
        }
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
/* Times                                                                                      */

static int pg_convert_time(const pg_value_type *type, const char *s, size_t len, json_t **out,
                           char *err, size_t errlen)
{
    int64_t micros;
    const char *p = s;
    if (!pg_parse_clock(&p, &micros) || *p)
        return pg_invalid(err, errlen, "a time (HH:MM:SS[.ffffff])", s, len);
    const pg_type_options *options = type->options;
    bool millis = options->time == PG_TIME_CONNECT ||
                  (options->time == PG_TIME_ADAPTIVE && type->precision <= 3);
    *out = json_integer(millis ? micros / 1000 : micros);
    return 0;
}

static int pg_convert_timetz(const char *s, size_t len, json_t **out, char *err, size_t errlen)
{
    int64_t micros, offset;
    const char *p = s;
    if (!pg_parse_clock(&p, &micros) || !pg_parse_offset(&p, &offset) || *p)
        return pg_invalid(err, errlen, "a time with time zone", s, len);
    int64_t utc = micros - offset * US_PER_SECOND;
    utc = ((utc % US_PER_DAY) + US_PER_DAY) % US_PER_DAY;
    int64_t seconds = utc / US_PER_SECOND;
    char fraction[16], text[48];
    pg_format_fraction(fraction, sizeof fraction, utc % US_PER_SECOND, 0);
    snprintf(text, sizeof text, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 "%sZ", seconds / 3600,
             seconds / 60 % 60, seconds % 60, fraction);
    *out = json_string(text);
    return 0;
}

static int pg_convert_timestamp(const pg_value_type *type, const char *s, size_t len,
                                json_t **out, char *err, size_t errlen)
{
    if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) {
        *out = json_integer(s[0] == '-' ? INT64_MIN : INT64_MAX);
        return 0;
    }
    int64_t micros;
    if (!pg_parse_timestamp(s, false, &micros))
        return pg_invalid(err, errlen, "a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])", s, len);
    const pg_type_options *options = type->options;
    bool millis = options->time == PG_TIME_CONNECT || type->precision <= 3;
    *out = json_integer(millis ? pg_floor_div(micros, 1000) : micros);
    return 0;
}

static int pg_convert_timestamptz(const pg_value_type *type, const char *s, size_t len,
                                  json_t **out, char *err, size_t errlen)
{
    if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) {
        *out = json_string(s);
        return 0;
    }
    int64_t micros;
    if (!pg_parse_timestamp(s, true, &micros))
        return pg_invalid(err, errlen, "a timestamp with time zone", s, len);
    int64_t days = pg_floor_div(micros, US_PER_DAY);
    int64_t clock = micros - days * US_PER_DAY;
    int64_t year;
    unsigned month, day;
    pg_civil_from_days(days, &year, &month, &day);
    char year_text[24], fraction[24], text[96];
    pg_format_year(year_text, sizeof year_text, year);
    int64_t seconds = clock / US_PER_SECOND;
    pg_format_fraction(fraction, sizeof fraction, clock % US_PER_SECOND,
                       type->precision > 0 ? type->precision : 0);
    snprintf(text, sizeof text, "%s-%02u-%02uT%02" PRId64 ":%02" PRId64 ":%02" PRId64 "%sZ",
             year_text, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60, fraction);
    *out = json_string(text);
    return 0;
}

static int pg_convert_date(const char *s, size_t len, json_t **out, char *err, size_t errlen)
{
    if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) {
        *out = json_integer(s[0] == '-' ? INT32_MIN : INT32_MAX);
        return 0;
    }
    int64_t days;
    if (!pg_parse_date(s, &days) || days < INT32_MIN || days > INT32_MAX)
        return pg_invalid(err, errlen, "a date (YYYY-MM-DD)", s, len);
    *out = json_integer(days);
    return 0;
}

/* IntervalStyle iso_8601: "P1Y2M3DT4H5M6.5S", "PT0S", components may be negative. */
static int pg_convert_interval(const pg_value_type *type, const char *s, size_t len,
                               json_t **out, char *err, size_t errlen)
{
    const char *p = s;
    if (*p != 'P')
        return pg_invalid(err, errlen, "an ISO 8601 interval", s, len);
    p++;
    int64_t years = 0, months = 0, days = 0, hours = 0, minutes = 0;
    char seconds_text[40] = "0";
    double seconds = 0;
    bool time_part = false;
    while (*p) {
        if (*p == 'T') {
            time_part = true;
            p++;
            continue;
        }
        const char *start = p;
        if (*p == '-' || *p == '+')
            p++;
        while (isdigit((unsigned char)*p) || *p == '.')
            p++;
        if (p == start || !*p)
            return pg_invalid(err, errlen, "an ISO 8601 interval", s, len);
        size_t n = (size_t)(p - start);
        char number[40];
        if (n >= sizeof number)
            return pg_invalid(err, errlen, "an ISO 8601 interval", s, len);
        memcpy(number, start, n);
        number[n] = '\0';
        int64_t whole = strtoll(number, NULL, 10);
        char unit = *p++;
        if (!time_part && unit == 'Y')
            years = whole;
        else if (!time_part && unit == 'M')
            months = whole;
        else if (!time_part && unit == 'D')
            days = whole;
        else if (time_part && unit == 'H')
            hours = whole;
        else if (time_part && unit == 'M')
            minutes = whole;
        else if (time_part && unit == 'S') {
            seconds = strtod(number, NULL);
            memcpy(seconds_text, number, n + 1);
        } else
            return pg_invalid(err, errlen, "an ISO 8601 interval", s, len);
    }
    if (type->options->interval == PG_INTERVAL_NUMERIC) {
        /* Debezium's MicroDuration.durationMicros, in the same floating-point steps. */
        double number_of_days = (double)(years * 12 + months) * (365.25 / 12.0) + (double)days;
        double number_of_seconds =
            ((number_of_days * 24 + (double)hours) * 60 + (double)minutes) * 60 + seconds;
        *out = json_integer((json_int_t)(number_of_seconds * 1e6));
        return 0;
    }
    /* Interval.toIsoString: seconds with trailing zeros stripped. */
    char *dot = strchr(seconds_text, '.');
    if (dot) {
        size_t end = strlen(seconds_text);
        while (end > 0 && seconds_text[end - 1] == '0')
            seconds_text[--end] = '\0';
        if (end > 0 && seconds_text[end - 1] == '.')
            seconds_text[--end] = '\0';
    }
    if (seconds_text[0] == '+')
        memmove(seconds_text, seconds_text + 1, strlen(seconds_text));
    if (strcmp(seconds_text, "-0") == 0 || seconds_text[0] == '\0')
        strcpy(seconds_text, "0");
    char text[160];
    snprintf(text, sizeof text, "P%" PRId64 "Y%" PRId64 "M%" PRId64 "DT%" PRId64 "H%" PRId64
             "M%sS", years, months, days, hours, minutes, seconds_text);
    *out = json_string(text);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Arrays                                                                                     */

typedef struct pg_array_reader {
    const char *s;
    size_t len;
    size_t pos;
    const pg_value_type *element;
    char *err;
    size_t errlen;
} pg_array_reader;

static int pg_array_level(pg_array_reader *r, int depth, json_t **out);

static void pg_array_skip_space(pg_array_reader *r)
{
    while (r->pos < r->len && isspace((unsigned char)r->s[r->pos]))
        r->pos++;
}

static int pg_array_error(pg_array_reader *r, const char *why)
{
    ferry_error_set(r->err, r->errlen, "cannot read array '%.*s': %s at character %zu",
                    (int)(r->len > 80 ? 80 : r->len), r->s, why, r->pos + 1);
    return -1;
}

/* One element: NULL, a quoted string, an unquoted word, or a nested level. */
static int pg_array_element(pg_array_reader *r, int depth, json_t **out)
{
    pg_array_skip_space(r);
    if (r->pos >= r->len)
        return pg_array_error(r, "unexpected end");
    if (r->s[r->pos] == '{')
        return pg_array_level(r, depth + 1, out);
    char *text = malloc(r->len - r->pos + 1);
    if (!text)
        return ferry_error_set(r->err, r->errlen, "out of memory"), -1;
    size_t n = 0;
    bool quoted = r->s[r->pos] == '"';
    if (quoted) {
        r->pos++;
        for (;;) {
            if (r->pos >= r->len) {
                free(text);
                return pg_array_error(r, "unterminated quoted element");
            }
            char c = r->s[r->pos++];
            if (c == '"')
                break;
            if (c == '\\' && r->pos < r->len)
                c = r->s[r->pos++];
            text[n++] = c;
        }
    } else {
        while (r->pos < r->len && r->s[r->pos] != ',' && r->s[r->pos] != '}') {
            char c = r->s[r->pos++];
            if (c == '\\' && r->pos < r->len)
                c = r->s[r->pos++];
            text[n++] = c;
        }
        while (n > 0 && isspace((unsigned char)text[n - 1]))
            n--;
    }
    text[n] = '\0';
    int rc = 0;
    if (!quoted && n == 4 && strncasecmp(text, "NULL", 4) == 0)
        *out = json_null();
    else
        rc = pg_value_convert(r->element, text, n, out, r->err, r->errlen);
    free(text);
    return rc;
}

static int pg_array_level(pg_array_reader *r, int depth, json_t **out)
{
    if (depth > PG_MAX_ARRAY_DEPTH)
        return pg_array_error(r, "nested too deep");
    if (r->pos >= r->len || r->s[r->pos] != '{')
        return pg_array_error(r, "expected '{'");
    r->pos++;
    json_t *array = json_array();
    if (!array)
        return ferry_error_set(r->err, r->errlen, "out of memory"), -1;
    pg_array_skip_space(r);
    if (r->pos < r->len && r->s[r->pos] == '}') {
        r->pos++;
        *out = array;
        return 0;
    }
    for (;;) {
        json_t *element = NULL;
        if (pg_array_element(r, depth, &element) != 0) {
            json_decref(array);
            return -1;
        }
        if (json_array_append_new(array, element) != 0) {
            json_decref(array);
            return ferry_error_set(r->err, r->errlen, "out of memory"), -1;
        }
        pg_array_skip_space(r);
        if (r->pos >= r->len) {
            json_decref(array);
            return pg_array_error(r, "unexpected end");
        }
        char c = r->s[r->pos++];
        if (c == '}')
            break;
        if (c != ',') {
            json_decref(array);
            return pg_array_error(r, "expected ',' or '}'");
        }
    }
    *out = array;
    return 0;
}

static int pg_convert_array(const pg_value_type *type, const char *s, size_t len, json_t **out,
                            char *err, size_t errlen)
{
    pg_array_reader r = {.s = s, .len = len, .element = type->element, .err = err,
                         .errlen = errlen};
    /* "[0:2]={...}": explicit bounds are dropped. */
    if (len > 0 && s[0] == '[') {
        const char *eq = memchr(s, '=', len);
        if (!eq)
            return pg_array_error(&r, "bounds without '='");
        r.pos = (size_t)(eq - s) + 1;
    }
    int rc = pg_array_level(&r, 1, out);
    if (rc == 0) {
        pg_array_skip_space(&r);
        if (r.pos != len) {
            json_decref(*out);
            *out = NULL;
            return pg_array_error(&r, "trailing characters");
        }
    }
    return rc;
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
        return pg_convert_array(type, text, len, out, err, errlen);
    case PG_CONV_BYTES: {
        size_t n = 0;
        uint8_t *bytes = pg_bytea_decode(text, len, &n);
        if (!bytes)
            return pg_invalid(err, errlen, "bytea (hex or escape format)", text, len);
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
            rc = pg_invalid(err, errlen, "a boolean (t or f)", text, len);
        break;
    case PG_CONV_INT16: rc = pg_convert_int(s, len, INT16_MIN, INT16_MAX, out, err, errlen); break;
    case PG_CONV_INT32: rc = pg_convert_int(s, len, INT32_MIN, INT32_MAX, out, err, errlen); break;
    case PG_CONV_INT64: rc = pg_convert_int(s, len, INT64_MIN, INT64_MAX, out, err, errlen); break;
    case PG_CONV_FLOAT32:
    case PG_CONV_FLOAT64: rc = pg_convert_float(s, len, out, err, errlen); break;
    case PG_CONV_NUMERIC:
        rc = pg_convert_decimal(type, s, len, type->scale, out, err, errlen);
        break;
    case PG_CONV_MONEY: rc = pg_convert_money(type, s, len, out, err, errlen); break;
    case PG_CONV_DATE: rc = pg_convert_date(s, len, out, err, errlen); break;
    case PG_CONV_TIME: rc = pg_convert_time(type, s, len, out, err, errlen); break;
    case PG_CONV_TIMETZ: rc = pg_convert_timetz(s, len, out, err, errlen); break;
    case PG_CONV_TIMESTAMP: rc = pg_convert_timestamp(type, s, len, out, err, errlen); break;
    case PG_CONV_TIMESTAMPTZ: rc = pg_convert_timestamptz(type, s, len, out, err, errlen); break;
    case PG_CONV_INTERVAL: rc = pg_convert_interval(type, s, len, out, err, errlen); break;
    case PG_CONV_BIT:
        for (size_t i = 0; i < len; i++)
            if (s[i] != '0' && s[i] != '1') {
                rc = pg_invalid(err, errlen, "a bit string", text, len);
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
