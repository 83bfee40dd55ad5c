/*
 * connect_values.c - Values.parseString and Values.convertToString as header values need them
 * (connect_values.h). A parsed literal is held as the Java objects Values would hold (a Byte, a
 * Float, a java.util.Date, a list, a LinkedHashMap), because Values writes and converts by class.
 */
#include "transforms/connect_values.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "convert/connect_json.h"
#include "convert/java_number.h"
#include "support/base64.h"
#include "transforms/java_date_format.h"

#define MILLIS_PER_DAY INT64_C(86400000)
/* A Decimal's unscaled bytes beyond this are refused rather than turned into digits: the
 * conversion is quadratic, and no column holds such a number. */
#define DECIMAL_MAX_BYTES 8192

struct connect_values {
    java_date_format *time;      /* HH:mm:ss.SSS'Z' */
    java_date_format *date;      /* yyyy-MM-dd */
    java_date_format *timestamp; /* yyyy-MM-dd'T'HH:mm:ss.SSS'Z' */
};

connect_values *connect_values_new(char *err, size_t errlen)
{
    connect_values *values = calloc(1, sizeof(*values));
    if (!values) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    values->time = java_date_format_compile("HH:mm:ss.SSS'Z'", true, err, errlen);
    values->date = values->time ? java_date_format_compile("yyyy-MM-dd", true, err, errlen)
                                : NULL;
    values->timestamp = values->date ? java_date_format_compile("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
                                                                true, err, errlen)
                                     : NULL;
    if (!values->timestamp) {
        connect_values_free(values);
        return NULL;
    }
    return values;
}

void connect_values_free(connect_values *values)
{
    if (!values)
        return;
    java_date_format_free(values->time);
    java_date_format_free(values->date);
    java_date_format_free(values->timestamp);
    free(values);
}

/* ---- Writing, as Values.append -------------------------------------------------------------- */

/* A string: as it is at the top, quoted with '\' and '"' escaped inside a container. */
static void append_string(strbuf *out, const char *text, size_t length, bool embedded)
{
    if (!embedded) {
        strbuf_append(out, text, length);
        return;
    }
    strbuf_append_char(out, '"');
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\\' || text[i] == '"')
            strbuf_append_char(out, '\\');
        strbuf_append_char(out, text[i]);
    }
    strbuf_append_char(out, '"');
}

/* A java.util.Date, in the format Values.dateFormatFor picks for it. */
static int append_date(const connect_values *values, strbuf *out, int64_t ms)
{
    const java_date_format *format = ms < MILLIS_PER_DAY        ? values->time
                                     : ms % MILLIS_PER_DAY == 0 ? values->date
                                                                : values->timestamp;
    return java_date_format_format(format, ms, out);
}

static void append_float(strbuf *out, float value)
{
    char text[JAVA_NUMBER_MAX];
    strbuf_append(out, text, java_number_float(value, text));
}

static void append_double(strbuf *out, double value)
{
    char text[JAVA_NUMBER_MAX];
    strbuf_append(out, text, java_number_double(value, text));
}

/* BigDecimal.toString of the decimal digits (no leading zeros; "0" for zero) times 10^-scale. */
static void append_big_decimal(strbuf *out, bool negative, const char *digits, size_t count,
                               int64_t scale)
{
    int64_t adjusted = -scale + (int64_t)count - 1;
    if (negative)
        strbuf_append_char(out, '-');
    if (scale == 0) {
        strbuf_append(out, digits, count);
    } else if (scale > 0 && adjusted >= -6) {
        if ((int64_t)count <= scale) {
            strbuf_append_str(out, "0.");
            for (int64_t i = (int64_t)count; i < scale; i++)
                strbuf_append_char(out, '0');
            strbuf_append(out, digits, count);
        } else {
            size_t point = count - (size_t)scale;
            strbuf_append(out, digits, point);
            strbuf_append_char(out, '.');
            strbuf_append(out, digits + point, count - point);
        }
    } else {
        strbuf_append_char(out, digits[0]);
        if (count > 1) {
            strbuf_append_char(out, '.');
            strbuf_append(out, digits + 1, count - 1);
        }
        if (adjusted != 0)
            strbuf_append_printf(out, "E%s%lld", adjusted > 0 ? "+" : "", (long long)adjusted);
    }
}

/* A Decimal's value: its unscaled big-endian two's complement bytes (Decimal.toLogical) in
 * decimal digits. 0, or -1 with err. */
static int append_decimal_bytes(strbuf *out, const unsigned char *bytes, size_t length,
                                int64_t scale, char *err, size_t errlen)
{
    if (length > DECIMAL_MAX_BYTES)
        return ferry_error_set(err, errlen, "a Decimal of %zu bytes is more than ferry writes "
                               "as text (%d)", length, DECIMAL_MAX_BYTES), -1;
    bool negative = length > 0 && (bytes[0] & 0x80);
    /* The magnitude in 32-bit limbs, most significant first. */
    size_t limb_count = (length + 3) / 4;
    uint32_t *limbs = calloc(limb_count ? limb_count : 1, sizeof(*limbs));
    char *digits = malloc(length * 3 + 2); /* 256^n < 10^(2.41n + 1) */
    if (!limbs || !digits) {
        free(limbs);
        free(digits);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    unsigned carry = 1;
    for (size_t i = length; i-- > 0;) { /* two's complement negated, from the low byte up */
        unsigned byte = negative ? (unsigned)(uint8_t)~bytes[i] + carry : bytes[i];
        carry = negative ? byte >> 8 : 0;
        size_t from_end = length - 1 - i;
        limbs[limb_count - 1 - from_end / 4] |= (uint32_t)(byte & 0xFF) << (8 * (from_end % 4));
    }
    size_t count = 0;
    for (size_t first = 0; first < limb_count;) { /* repeated division by 10^9 */
        uint64_t remainder = 0;
        for (size_t i = first; i < limb_count; i++) {
            uint64_t current = (remainder << 32) | limbs[i];
            limbs[i] = (uint32_t)(current / 1000000000u);
            remainder = current % 1000000000u;
        }
        while (first < limb_count && limbs[first] == 0)
            first++;
        for (int d = 0; d < 9 && (first < limb_count || remainder); d++) {
            digits[count++] = (char)('0' + remainder % 10);
            remainder /= 10;
        }
    }
    if (count == 0)
        digits[count++] = '0';
    for (size_t i = 0; i < count / 2; i++) { /* least significant first until now */
        char swap = digits[i];
        digits[i] = digits[count - 1 - i];
        digits[count - 1 - i] = swap;
    }
    append_big_decimal(out, negative, digits, count, scale);
    free(limbs);
    free(digits);
    return 0;
}

/* ---- Parsed values: the Java objects of Values.parseString ----------------------------------- */

typedef enum java_kind {
    JAVA_BOOLEAN,
    JAVA_BYTE,
    JAVA_SHORT,
    JAVA_INTEGER,
    JAVA_LONG,
    JAVA_FLOAT,
    JAVA_DOUBLE,
    JAVA_DECIMAL, /* text: BigDecimal.toString */
    JAVA_STRING,
    JAVA_DATE, /* java.util.Date of a Date, Time or Timestamp */
    JAVA_LIST,
    JAVA_MAP, /* a LinkedHashMap: items are key, value, key, value, ... */
} java_kind;

/* One Java object; NULL stands for Java's null. */
typedef struct java_value {
    java_kind kind;
    int64_t integer; /* BOOLEAN (0 or 1), BYTE .. LONG, DATE (epoch ms) */
    double real;     /* FLOAT (a float's value), DOUBLE */
    char *text;      /* STRING, DECIMAL */
    size_t length;
    struct java_value **items; /* LIST, MAP */
    size_t count, capacity;
} java_value;

static void java_value_free(java_value *value)
{
    if (!value)
        return;
    for (size_t i = 0; i < value->count; i++)
        java_value_free(value->items[i]);
    free(value->items);
    free(value->text);
    free(value);
}

static java_value *java_value_new(java_kind kind)
{
    java_value *value = calloc(1, sizeof(*value));
    if (value)
        value->kind = kind;
    return value;
}

static java_value *java_text_new(java_kind kind, const char *text, size_t length)
{
    java_value *value = java_value_new(kind);
    if (value && !(value->text = malloc(length + 1))) {
        free(value);
        return NULL;
    }
    if (value) {
        memcpy(value->text, text, length);
        value->text[length] = '\0';
        value->length = length;
    }
    return value;
}

/* Appends item (taken over, NULL a null) to a list or map. 0, or -1 (item freed). */
static int java_value_push(java_value *container, java_value *item)
{
    if (container->count == container->capacity) {
        size_t capacity = container->capacity ? container->capacity * 2 : 4;
        java_value **items = realloc(container->items, capacity * sizeof(*items));
        if (!items) {
            java_value_free(item);
            return -1;
        }
        container->items = items;
        container->capacity = capacity;
    }
    container->items[container->count++] = item;
    return 0;
}

static bool java_is_integral(java_kind kind)
{
    return kind == JAVA_BYTE || kind == JAVA_SHORT || kind == JAVA_INTEGER || kind == JAVA_LONG;
}

/* Object.equals, for map keys. */
static bool java_equals(const java_value *a, const java_value *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case JAVA_FLOAT: { /* Float.equals compares the bits: NaN equals NaN, 0.0 not -0.0 */
        float x = (float)a->real, y = (float)b->real;
        return memcmp(&x, &y, sizeof(x)) == 0;
    }
    case JAVA_DOUBLE:
        return memcmp(&a->real, &b->real, sizeof(a->real)) == 0;
    case JAVA_DECIMAL: /* BigDecimal.equals: value and scale, as its text is */
    case JAVA_STRING:
        return a->length == b->length && memcmp(a->text, b->text, a->length) == 0;
    case JAVA_LIST:
        if (a->count != b->count)
            return false;
        for (size_t i = 0; i < a->count; i++)
            if (!java_equals(a->items[i], b->items[i]))
                return false;
        return true;
    case JAVA_MAP: /* equal entry sets, whatever their order */
        if (a->count != b->count)
            return false;
        for (size_t i = 0; i < a->count; i += 2) {
            bool found = false;
            for (size_t j = 0; j < b->count && !found; j += 2)
                found = java_equals(a->items[i], b->items[j]) &&
                        java_equals(a->items[i + 1], b->items[j + 1]);
            if (!found)
                return false;
        }
        return true;
    default:
        return a->integer == b->integer;
    }
}

/* LinkedHashMap.put: a key already there keeps its place and gets the new value. Takes both
 * over. 0, or -1 when out of memory. */
static int java_map_put(java_value *map, java_value *key, java_value *value)
{
    for (size_t i = 0; i < map->count; i += 2) {
        if (java_equals(map->items[i], key)) {
            java_value_free(key);
            java_value_free(map->items[i + 1]);
            map->items[i + 1] = value;
            return 0;
        }
    }
    if (java_value_push(map, key) != 0) {
        java_value_free(value);
        return -1;
    }
    return java_value_push(map, value);
}

static int java_value_append(const connect_values *values, strbuf *out, const java_value *value,
                             bool embedded)
{
    if (!value) {
        strbuf_append_str(out, "null");
        return 0;
    }
    switch (value->kind) {
    case JAVA_BOOLEAN:
        strbuf_append_str(out, value->integer ? "true" : "false");
        return 0;
    case JAVA_FLOAT:
        append_float(out, (float)value->real);
        return 0;
    case JAVA_DOUBLE:
        append_double(out, value->real);
        return 0;
    case JAVA_DECIMAL:
        strbuf_append(out, value->text, value->length);
        return 0;
    case JAVA_STRING:
        append_string(out, value->text, value->length, embedded);
        return 0;
    case JAVA_DATE:
        return append_date(values, out, value->integer);
    case JAVA_LIST:
    case JAVA_MAP: {
        bool map = value->kind == JAVA_MAP;
        strbuf_append_char(out, map ? '{' : '[');
        for (size_t i = 0; i < value->count; i++) {
            if (i > 0)
                strbuf_append_char(out, map && i % 2 ? ':' : ',');
            if (java_value_append(values, out, value->items[i], true) != 0)
                return -1;
        }
        strbuf_append_char(out, map ? '}' : ']');
        return 0;
    }
    default:
        strbuf_append_int(out, value->integer);
        return 0;
    }
}

/* ---- Values.Parser: the tokenizer --------------------------------------------------------- */

/* A token is a piece of the literal. */
typedef struct token {
    size_t start, length;
} token;

typedef struct parser {
    const char *original;
    size_t length;
    size_t index;
    bool has_next; /* a token looked at but not taken (Java's nextToken) */
    token next;
} parser;

static bool parser_is_delimiter(char c)
{
    return c == ':' || c == ',' || c == '{' || c == '}' || c == '[' || c == ']' || c == '"';
}

/* consumeNextToken: a delimiter alone, or the text up to the next one not escaped by '\'. */
static token parser_consume(parser *p)
{
    bool escaped = false;
    size_t start = p->index;
    for (; p->index < p->length; p->index++) {
        char c = p->original[p->index];
        if (c == '\\') {
            escaped = !escaped;
        } else if (parser_is_delimiter(c) && !escaped) {
            if (start < p->index)
                return (token){start, p->index - start};
            p->index++;
            return (token){start, 1};
        } else {
            escaped = false;
        }
    }
    return (token){start, p->index - start};
}

static size_t parser_mark(const parser *p)
{
    return p->index - (p->has_next ? p->next.length : 0);
}

static void parser_rewind(parser *p, size_t position)
{
    p->index = position;
    p->has_next = false;
}

static bool parser_has_next(const parser *p)
{
    return p->has_next || p->index < p->length;
}

static token parser_next(parser *p)
{
    if (p->has_next) {
        p->has_next = false;
        return p->next;
    }
    return parser_consume(p);
}

/* next(n): the text of the next n tokens, or false (and nothing taken) when there are fewer. */
static bool parser_next_n(parser *p, int n, token *text)
{
    size_t start = parser_mark(p);
    for (int i = 0; i < n; i++) {
        if (!parser_has_next(p)) {
            parser_rewind(p, start);
            return false;
        }
        parser_next(p);
    }
    *text = (token){start, p->index - start};
    return true;
}

/* String.trim(): every character up to U+0020 off both ends. */
static token token_trim(const parser *p, token t)
{
    while (t.length > 0 && (unsigned char)p->original[t.start] <= ' ') {
        t.start++;
        t.length--;
    }
    while (t.length > 0 && (unsigned char)p->original[t.start + t.length - 1] <= ' ')
        t.length--;
    return t;
}

static bool token_blank(const parser *p, token t)
{
    return token_trim(p, t).length == 0;
}

/* canConsume(expected): takes the next token when, trimmed, it is expected; blank tokens before
 * it are skipped for good. */
static bool parser_can_consume(parser *p, const char *expected)
{
    if (!p->has_next) {
        if (!parser_has_next(p))
            return false;
        p->next = parser_consume(p);
        p->has_next = true;
    }
    while (token_blank(p, p->next) && p->index < p->length)
        p->next = parser_consume(p);
    token t = token_trim(p, p->next);
    if (t.length != strlen(expected) || memcmp(p->original + t.start, expected, t.length) != 0)
        return false;
    p->has_next = false;
    return true;
}

/* ---- Values.ValueParser ---------------------------------------------------------------------- */

/* The schema a parsed value has: the Connect type with the logical types apart. */
typedef enum parsed_schema {
    SCHEMA_NONE, /* no value (null), or no common schema */
    SCHEMA_BOOLEAN,
    SCHEMA_INT8,
    SCHEMA_INT16,
    SCHEMA_INT32,
    SCHEMA_INT64,
    SCHEMA_FLOAT32,
    SCHEMA_FLOAT64,
    SCHEMA_STRING,
    SCHEMA_DECIMAL,   /* BYTES */
    SCHEMA_DATE,      /* INT32 */
    SCHEMA_TIME,      /* INT32 */
    SCHEMA_TIMESTAMP, /* INT64 */
    SCHEMA_ARRAY,
    SCHEMA_MAP,
} parsed_schema;

/* A SchemaAndValue; a null one (Java's null result) has SCHEMA_NONE and no value. */
typedef struct parsed {
    parsed_schema schema;
    java_value *value;
} parsed;

/* Outcomes of a parsing step. A DataException makes Values give up a list or map (the caller
 * tries the text another way); the others end the parse. */
enum {
    PARSE_OK = 0,
    PARSE_DATA_EXCEPTION = 1,
    PARSE_NO_MATCH = 2, /* not this kind of value: try the next */
    PARSE_FATAL = -1,   /* out of memory or too deep: err says which */
};

typedef struct value_parser {
    const connect_values *values;
    parser parser;
    char *err;
    size_t errlen;
} value_parser;

static int parse_fatal_oom(value_parser *vp)
{
    ferry_error_set(vp->err, vp->errlen, "out of memory");
    return PARSE_FATAL;
}

static parsed_schema schema_type(parsed_schema schema)
{
    switch (schema) {
    case SCHEMA_DATE:
    case SCHEMA_TIME:
        return SCHEMA_INT32;
    case SCHEMA_TIMESTAMP:
        return SCHEMA_INT64;
    default:
        return schema;
    }
}

/* Values.mergeSchemas: of two schemas of one type the later (both are required); of two numeric
 * types the wider, INT8 < INT16 < INT32 < INT64 < FLOAT32 < FLOAT64 (a logical Date, Time or
 * Timestamp counts as its INT32 or INT64 and stays itself); none for any other pair. */
static parsed_schema schema_merge(parsed_schema previous, parsed_schema latest)
{
    parsed_schema from = schema_type(previous), to = schema_type(latest);
    if (from == to)
        return latest;
    bool numbers = from >= SCHEMA_INT8 && from <= SCHEMA_FLOAT64 && to >= SCHEMA_INT8 &&
                   to <= SCHEMA_FLOAT64;
    if (!numbers)
        return SCHEMA_NONE;
    return to > from ? latest : previous;
}

/* SchemaMerger: the common schema of a list's elements, or of a map's keys or values. */
typedef struct schema_merger {
    parsed_schema common;
    bool compatible;
} schema_merger;

static void schema_merger_add(schema_merger *merger, const parsed *latest)
{
    if (latest->schema == SCHEMA_NONE || !merger->compatible)
        return;
    if (merger->common == SCHEMA_NONE) {
        merger->common = latest->schema;
        return;
    }
    merger->common = schema_merge(merger->common, latest->schema);
    merger->compatible = merger->common != SCHEMA_NONE;
}

/* Values.convertTo(target, null, value) in place, for the alignment of a list's or map's
 * elements to their common schema. The merge makes every element of the target's type, a
 * number it widens, or (for a Date, Time or Timestamp target) a number; a Date under a plain
 * number type cannot be converted without its schema, and null never under a required one. */
static int java_convert(java_value *value, parsed_schema target)
{
    if (!value)
        return PARSE_DATA_EXCEPTION;
    bool integral = java_is_integral(value->kind);
    bool number = integral || value->kind == JAVA_FLOAT || value->kind == JAVA_DOUBLE;
    int64_t as_long = integral ? value->integer : java_number_double_to_long(value->real);
    double as_double = integral ? (double)value->integer : value->real;
    switch (target) {
    case SCHEMA_INT8:
    case SCHEMA_INT16:
    case SCHEMA_INT32:
    case SCHEMA_INT64: {
        static const java_kind kinds[] = {JAVA_BYTE, JAVA_SHORT, JAVA_INTEGER, JAVA_LONG};
        java_kind kind = kinds[target - SCHEMA_INT8];
        if (!number)
            return PARSE_DATA_EXCEPTION;
        if (value->kind != kind)
            value->integer = kind == JAVA_BYTE    ? (int8_t)as_long
                             : kind == JAVA_SHORT ? (int16_t)as_long
                             : kind == JAVA_INTEGER ? (int32_t)as_long
                                                    : as_long;
        value->kind = kind;
        return PARSE_OK;
    }
    case SCHEMA_FLOAT32:
    case SCHEMA_FLOAT64:
        if (!number)
            return PARSE_DATA_EXCEPTION;
        if (target == SCHEMA_FLOAT32 && value->kind != JAVA_FLOAT)
            value->real = (float)as_double;
        else if (target == SCHEMA_FLOAT64 && value->kind != JAVA_DOUBLE)
            value->real = as_double; /* a Float's value widened */
        value->kind = target == SCHEMA_FLOAT32 ? JAVA_FLOAT : JAVA_DOUBLE;
        return PARSE_OK;
    case SCHEMA_DATE:
    case SCHEMA_TIME:
    case SCHEMA_TIMESTAMP:
        if (value->kind == JAVA_DATE)
            return PARSE_OK;
        if (!number)
            return PARSE_DATA_EXCEPTION;
        if (target == SCHEMA_DATE) {
            value->integer = (int64_t)(int32_t)as_long * MILLIS_PER_DAY;
        } else if (target == SCHEMA_TIME) {
            int32_t millis = (int32_t)as_long;
            if (millis < 0 || millis > MILLIS_PER_DAY) /* Time.toLogical refuses it */
                return PARSE_DATA_EXCEPTION;
            value->integer = millis;
        } else {
            value->integer = as_long;
        }
        value->kind = JAVA_DATE;
        return PARSE_OK;
    case SCHEMA_BOOLEAN:
        return value->kind == JAVA_BOOLEAN ? PARSE_OK : PARSE_DATA_EXCEPTION;
    case SCHEMA_STRING:
        return value->kind == JAVA_STRING ? PARSE_OK : PARSE_DATA_EXCEPTION;
    case SCHEMA_DECIMAL:
        return value->kind == JAVA_DECIMAL ? PARSE_OK : PARSE_DATA_EXCEPTION;
    case SCHEMA_ARRAY:
        return value->kind == JAVA_LIST ? PARSE_OK : PARSE_DATA_EXCEPTION;
    case SCHEMA_MAP:
        return value->kind == JAVA_MAP ? PARSE_OK : PARSE_DATA_EXCEPTION;
    default:
        return PARSE_DATA_EXCEPTION;
    }
}

/* alignMapKeys(AndValues)WithSchema: a new LinkedHashMap of the converted entries, in which
 * keys that became equal are one entry. */
static int java_map_align(java_value *map, parsed_schema keys, parsed_schema values)
{
    java_value **items = map->items;
    size_t count = map->count;
    map->items = NULL;
    map->count = map->capacity = 0;
    int rc = PARSE_OK;
    for (size_t i = 0; i < count; i += 2) {
        if (rc == PARSE_OK)
            rc = java_convert(items[i], keys);
        if (rc == PARSE_OK && values != SCHEMA_NONE)
            rc = java_convert(items[i + 1], values);
        if (rc == PARSE_OK) {
            rc = java_map_put(map, items[i], items[i + 1]) == 0 ? PARSE_OK : PARSE_FATAL;
        } else {
            java_value_free(items[i]);
            java_value_free(items[i + 1]);
        }
    }
    free(items);
    return rc;
}

/* ---- numbers and temporals ----------------------------------------------------------------- */

/* A number as BigDecimal's constructor reads it: sign, digits with one optional point, an
 * optional exponent whose value fits an int, and a scale (fraction digits minus exponent) that
 * fits an int too. */
typedef struct big_decimal {
    bool negative;
    char *digits; /* the unscaled value's digits, leading zeros dropped; "" for zero */
    size_t count;
    int64_t scale;
} big_decimal;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when text is a BigDecimal (*number filled, digits allocated), 0 when it is not, -1 when out
 * of memory. */
static int big_decimal_parse(const char *text, size_t length, big_decimal *number)
{
    size_t at = 0;
    *number = (big_decimal){0};
    if (at < length && (text[at] == '+' || text[at] == '-'))
        number->negative = text[at++] == '-';
    size_t mantissa = at, mantissa_digits = 0, fraction_digits = 0;
    bool point = false;
    for (; at < length && (is_digit(text[at]) || (text[at] == '.' && !point)); at++) {
        if (text[at] == '.') {
            point = true;
        } else {
            mantissa_digits++;
            fraction_digits += point;
        }
    }
    if (mantissa_digits == 0)
        return 0;
    size_t mantissa_end = at;
    int64_t exponent = 0;
    if (at < length && (text[at] == 'e' || text[at] == 'E')) {
        at++;
        bool exponent_negative = at < length && text[at] == '-';
        if (at < length && (text[at] == '+' || text[at] == '-'))
            at++;
        size_t exponent_digits = 0;
        for (; at < length && is_digit(text[at]); at++, exponent_digits++) {
            if (exponent > INT64_C(100000000000))
                continue; /* already beyond an int: refused below */
            exponent = exponent * 10 + (text[at] - '0');
        }
        if (exponent_digits == 0)
            return 0;
        if (exponent_negative)
            exponent = -exponent;
        if (exponent < INT32_MIN || exponent > INT32_MAX)
            return 0; /* Java: "Exponent overflow." or "Too many nonzero exponent digits." */
    }
    if (at != length)
        return 0;
    number->scale = (int64_t)fraction_digits - exponent;
    if (number->scale < INT32_MIN || number->scale > INT32_MAX)
        return 0; /* "Scale out of range." */
    if (!(number->digits = malloc(mantissa_digits + 1)))
        return -1;
    bool leading = true;
    for (size_t i = mantissa; i < mantissa_end; i++) {
        if (text[i] == '.' || (leading && text[i] == '0'))
            continue;
        leading = false;
        number->digits[number->count++] = text[i];
    }
    number->digits[number->count] = '\0';
    return 1;
}

/* parseAsExactDecimal: the number as a long when it is a whole one within a long's range. */
static bool big_decimal_long(const big_decimal *number, int64_t *out)
{
    if (number->count == 0) {
        *out = 0;
        return true;
    }
    size_t whole = number->count; /* digits before the point */
    if (number->scale > 0) {
        if ((int64_t)number->count <= number->scale)
            return false; /* a non-zero fraction of 1 */
        whole = number->count - (size_t)number->scale;
        for (size_t i = whole; i < number->count; i++)
            if (number->digits[i] != '0')
                return false;
    }
    int64_t zeros = number->scale < 0 ? -number->scale : 0;
    if ((int64_t)whole + zeros > 19)
        return false;
    uint64_t magnitude = 0, limit = number->negative ? UINT64_C(9223372036854775808)
                                                     : UINT64_C(9223372036854775807);
    for (int64_t i = 0; i < (int64_t)whole + zeros; i++) {
        unsigned digit = i < (int64_t)whole ? (unsigned)(number->digits[i] - '0') : 0;
        if (magnitude > (limit - digit) / 10)
            return false;
        magnitude = magnitude * 10 + digit;
    }
    *out = number->negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    return true;
}

/* parseAsNumber: PARSE_OK with the value, PARSE_NO_MATCH for text that is no number. */
static int parse_number(value_parser *vp, const char *text, size_t length, parsed *out)
{
    big_decimal number;
    int rc = big_decimal_parse(text, length, &number);
    if (rc <= 0)
        return rc < 0 ? parse_fatal_oom(vp) : PARSE_NO_MATCH;
    int64_t whole;
    java_value *value = NULL;
    if (big_decimal_long(&number, &whole)) {
        java_kind kind = whole == (int8_t)whole    ? JAVA_BYTE
                         : whole == (int16_t)whole ? JAVA_SHORT
                         : whole == (int32_t)whole ? JAVA_INTEGER
                                                   : JAVA_LONG;
        static const parsed_schema schemas[] = {[JAVA_BYTE] = SCHEMA_INT8,
                                                [JAVA_SHORT] = SCHEMA_INT16,
                                                [JAVA_INTEGER] = SCHEMA_INT32,
                                                [JAVA_LONG] = SCHEMA_INT64};
        if ((value = java_value_new(kind))) {
            value->integer = whole;
            *out = (parsed){schemas[kind], value};
        }
    } else {
        /* BigDecimal.floatValue and doubleValue round correctly, as strtof and strtod do (the
         * worker never calls setlocale: '.' is the decimal point). */
        char *copy = strndup(text, length);
        float as_float = copy ? strtof(copy, NULL) : 0;
        double as_double = copy ? strtod(copy, NULL) : 0;
        free(copy);
        bool float_finite = isfinite(as_float), double_finite = isfinite(as_double);
        if (!copy) {
            value = NULL;
        } else if (float_finite && number.scale != 0) {
            if ((value = java_value_new(JAVA_FLOAT))) {
                value->real = as_float;
                *out = (parsed){SCHEMA_FLOAT32, value};
            }
        } else if (double_finite && number.scale != 0) {
            if ((value = java_value_new(JAVA_DOUBLE))) {
                value->real = as_double;
                *out = (parsed){SCHEMA_FLOAT64, value};
            }
        } else {
            strbuf text_form = {0};
            append_big_decimal(&text_form, number.negative, number.count ? number.digits : "0",
                               number.count ? number.count : 1, number.scale);
            if (!strbuf_failed(&text_form) &&
                (value = java_text_new(JAVA_DECIMAL, text_form.data, text_form.len)))
                *out = (parsed){SCHEMA_DECIMAL, value};
            strbuf_free(&text_form);
        }
    }
    free(number.digits);
    return value ? PARSE_OK : parse_fatal_oom(vp);
}

/* The length of UTF-8 text in UTF-16 units, as Java's String.length(). */
static size_t utf16_length(const char *text, size_t length)
{
    size_t units = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char byte = (unsigned char)text[i];
        if ((byte & 0xC0) != 0x80)
            units += byte >= 0xF0 ? 2 : 1;
    }
    return units;
}

/* parseAsTemporal: "\:" read as ':', then by its length a Time (13), Timestamp (24) or Date
 * (10) when its format parses it, leniently and with text after it ignored. */
static int parse_temporal(value_parser *vp, const char *text, size_t length, parsed *out)
{
    char *unescaped = malloc(length + 1);
    if (!unescaped)
        return parse_fatal_oom(vp);
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\\' && i + 1 < length && text[i + 1] == ':')
            continue;
        unescaped[used++] = text[i];
    }
    unescaped[used] = '\0';
    size_t units = utf16_length(unescaped, used);
    const java_date_format *format = units == 13   ? vp->values->time
                                     : units == 24 ? vp->values->timestamp
                                     : units == 10 ? vp->values->date
                                                   : NULL;
    parsed_schema schema = units == 13 ? SCHEMA_TIME : units == 24 ? SCHEMA_TIMESTAMP
                                                                   : SCHEMA_DATE;
    int64_t ms;
    char why[160];
    int rc = PARSE_NO_MATCH;
    if (format && strlen(unescaped) == used &&
        java_date_format_parse(format, unescaped, &ms, why, sizeof(why)) == 0) {
        java_value *value = java_value_new(JAVA_DATE);
        if (!value) {
            free(unescaped);
            return parse_fatal_oom(vp);
        }
        value->integer = ms;
        *out = (parsed){schema, value};
        rc = PARSE_OK;
    }
    free(unescaped);
    return rc;
}

/* parseMultipleTokensAsTemporal: a time's colons are delimiters, so the token and the next four
 * are tried together first, then the token alone. */
static int parse_temporal_tokens(value_parser *vp, token t, parsed *out)
{
    parser *p = &vp->parser;
    size_t position = parser_mark(p);
    token rest;
    if (parser_next_n(p, 4, &rest)) {
        size_t length = t.length + rest.length;
        char *joined = malloc(length);
        if (!joined)
            return parse_fatal_oom(vp);
        memcpy(joined, p->original + t.start, t.length);
        memcpy(joined + t.length, p->original + rest.start, rest.length);
        int rc = parse_temporal(vp, joined, length, out);
        free(joined);
        if (rc != PARSE_NO_MATCH)
            return rc;
    }
    parser_rewind(p, position);
    return parse_temporal(vp, p->original + t.start, t.length, out);
}

/* ---- the value grammar ----------------------------------------------------------------------- */

static int parse_value(value_parser *vp, bool embedded, int depth, parsed *out);

static void parsed_free(parsed *result)
{
    java_value_free(result->value);
    *result = (parsed){0};
}

static int parse_string(value_parser *vp, const char *text, size_t length, parsed *out)
{
    java_value *value = java_text_new(JAVA_STRING, text, length);
    if (!value)
        return parse_fatal_oom(vp);
    *out = (parsed){SCHEMA_STRING, value};
    return PARSE_OK;
}

/* parseQuotedString: the tokens up to the closing quote, a temporal when the text is one. */
static int parse_quoted(value_parser *vp, parsed *out)
{
    parser *p = &vp->parser;
    strbuf content = {0};
    while (parser_has_next(p)) {
        if (parser_can_consume(p, "\""))
            break;
        token t = parser_next(p);
        strbuf_append(&content, p->original + t.start, t.length);
    }
    if (strbuf_failed(&content)) {
        strbuf_free(&content);
        return parse_fatal_oom(vp);
    }
    const char *text = content.data ? content.data : "";
    int rc = parse_temporal(vp, text, content.len, out);
    if (rc == PARSE_NO_MATCH)
        rc = parse_string(vp, text, content.len, out);
    strbuf_free(&content);
    return rc;
}

/* A list or map parsed (rc PARSE_OK) becomes the result; else it is freed and rc passed on. */
static int parse_container_end(java_value *container, parsed_schema schema, int rc,
                               parsed *out)
{
    if (rc != PARSE_OK) {
        java_value_free(container);
        return rc;
    }
    *out = (parsed){schema, container};
    return PARSE_OK;
}

static int parse_array(value_parser *vp, int depth, parsed *out)
{
    parser *p = &vp->parser;
    java_value *list = java_value_new(JAVA_LIST);
    if (!list)
        return parse_fatal_oom(vp);
    schema_merger merger = {SCHEMA_NONE, true};
    int rc = PARSE_DATA_EXCEPTION; /* "Array is missing terminating ']'" */
    while (parser_has_next(p)) {
        if (parser_can_consume(p, "]")) {
            rc = PARSE_OK;
            for (size_t i = 0; i < list->count && merger.common != SCHEMA_NONE && rc == PARSE_OK;
                 i++)
                rc = java_convert(list->items[i], merger.common);
            break;
        }
        if (parser_can_consume(p, ",")) /* "Unable to parse an empty array element" */
            break;
        parsed element;
        if ((rc = parse_value(vp, true, depth + 1, &element)) != PARSE_OK)
            break;
        schema_merger_add(&merger, &element);
        if (java_value_push(list, element.value) != 0) {
            rc = parse_fatal_oom(vp);
            break;
        }
        rc = PARSE_DATA_EXCEPTION;
        size_t position = parser_mark(p);
        if (parser_can_consume(p, "]"))
            parser_rewind(p, position);
        else if (!parser_can_consume(p, ",")) /* "Array elements missing ','" */
            break;
    }
    return parse_container_end(list, SCHEMA_ARRAY, rc, out);
}

static int parse_map(value_parser *vp, int depth, parsed *out)
{
    parser *p = &vp->parser;
    java_value *map = java_value_new(JAVA_MAP);
    if (!map)
        return parse_fatal_oom(vp);
    schema_merger keys = {SCHEMA_NONE, true}, values = {SCHEMA_NONE, true};
    int rc = PARSE_DATA_EXCEPTION; /* "Map is missing terminating '}'" */
    while (parser_has_next(p)) {
        if (parser_can_consume(p, "}")) {
            rc = keys.common == SCHEMA_NONE
                     ? PARSE_OK
                     : java_map_align(map, keys.common, values.common);
            if (rc == PARSE_FATAL)
                parse_fatal_oom(vp);
            break;
        }
        rc = PARSE_DATA_EXCEPTION;
        if (parser_can_consume(p, ",")) /* "Unable to parse a map entry with no key or value" */
            break;
        parsed key, value;
        if ((rc = parse_value(vp, true, depth + 1, &key)) != PARSE_OK)
            break;
        if (!key.value) { /* "Map entry may not have a null key" */
            rc = PARSE_DATA_EXCEPTION;
            break;
        }
        if (!parser_can_consume(p, ":")) { /* "Map entry is missing ':'" */
            parsed_free(&key);
            rc = PARSE_DATA_EXCEPTION;
            break;
        }
        if ((rc = parse_value(vp, true, depth + 1, &value)) != PARSE_OK) {
            parsed_free(&key);
            break;
        }
        parsed_schema key_schema = key.schema, value_schema = value.schema;
        if (java_map_put(map, key.value, value.value) != 0) {
            rc = parse_fatal_oom(vp);
            break;
        }
        rc = PARSE_DATA_EXCEPTION;
        parser_can_consume(p, ",");
        schema_merger_add(&keys, &(parsed){key_schema, NULL});
        schema_merger_add(&values, &(parsed){value_schema, NULL});
    }
    return parse_container_end(map, SCHEMA_MAP, rc, out);
}

/* canParseSingleTokenLiteral: null, true or false as the only token (at the top) or the next
 * one (inside a container). */
static bool parse_single_literal(parser *p, bool embedded, const char *literal)
{
    size_t start = parser_mark(p);
    if (parser_can_consume(p, literal) && (embedded || !parser_has_next(p)))
        return true;
    parser_rewind(p, start);
    return false;
}

/* parseNextToken: a temporal or a number when the token starts like one; else inside a
 * container nothing, and at the top the whole literal as a string. */
static int parse_token(value_parser *vp, bool embedded, token t, parsed *out)
{
    parser *p = &vp->parser;
    const char *text = p->original + t.start;
    int rc = PARSE_NO_MATCH;
    if (is_digit(text[0]))
        rc = parse_temporal_tokens(vp, t, out);
    if (rc == PARSE_NO_MATCH && (is_digit(text[0]) || text[0] == '+' || text[0] == '-'))
        rc = parse_number(vp, text, t.length, out);
    if (rc != PARSE_NO_MATCH)
        return rc;
    if (embedded)
        return PARSE_DATA_EXCEPTION; /* "Failed to parse embedded value" */
    return parse_string(vp, p->original, p->length, out);
}

static int parse_value(value_parser *vp, bool embedded, int depth, parsed *out)
{
    parser *p = &vp->parser;
    *out = (parsed){0};
    if (depth > CONNECT_VALUES_MAX_DEPTH) {
        ferry_error_set(vp->err, vp->errlen, "nested deeper than %d levels",
                        CONNECT_VALUES_MAX_DEPTH);
        return PARSE_FATAL;
    }
    if (!parser_has_next(p))
        return PARSE_OK;
    if (embedded && parser_can_consume(p, "\""))
        return parse_quoted(vp, out);
    if (parse_single_literal(p, embedded, "null"))
        return PARSE_OK;
    bool is_true = parse_single_literal(p, embedded, "true");
    if (is_true || parse_single_literal(p, embedded, "false")) {
        java_value *value = java_value_new(JAVA_BOOLEAN);
        if (!value)
            return parse_fatal_oom(vp);
        value->integer = is_true;
        *out = (parsed){SCHEMA_BOOLEAN, value};
        return PARSE_OK;
    }
    size_t start = parser_mark(p);
    int rc = PARSE_NO_MATCH;
    if (parser_can_consume(p, "["))
        rc = parse_array(vp, depth, out);
    else if (parser_can_consume(p, "{"))
        rc = parse_map(vp, depth, out);
    if (rc == PARSE_OK || rc == PARSE_FATAL)
        return rc;
    if (rc == PARSE_DATA_EXCEPTION) /* not a list or map after all: read as text */
        parser_rewind(p, start);
    token t = parser_next(p);
    if (token_blank(p, t))
        return parse_string(vp, p->original + t.start, t.length, out);
    return parse_token(vp, embedded, token_trim(p, t), out);
}

int connect_values_literal_text(const connect_values *values, const char *literal, strbuf *out,
                                bool *is_null, char *err, size_t errlen)
{
    *is_null = false;
    size_t length = strlen(literal);
    if (length == 0)
        return 0; /* parseString(""): the empty STRING */
    value_parser vp = {.values = values, .parser = {.original = literal, .length = length},
                       .err = err, .errlen = errlen};
    parsed result;
    int rc = parse_value(&vp, false, 0, &result);
    if (rc != PARSE_OK) { /* at the top every text is a value: only a fatal error is left */
        if (rc != PARSE_FATAL)
            ferry_error_set(err, errlen, "unreadable literal");
        return -1;
    }
    *is_null = result.value == NULL;
    rc = java_value_append(values, out, result.value, false);
    parsed_free(&result);
    if (rc != 0 || strbuf_failed(out))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* ---- values under a schema, as the JsonConverter hands them to a transform ------------------ */

static int append_json(const connect_values *values, strbuf *out, const json_t *schema,
                       const json_t *value, bool embedded, int depth, char *err, size_t errlen);

static int append_array(const connect_values *values, strbuf *out, const json_t *items,
                        const json_t *value, int depth, char *err, size_t errlen);
static int append_map(const connect_values *values, strbuf *out, const json_t *schema,
                      const json_t *value, int depth, char *err, size_t errlen);

/* A value as the JsonConverter reads it without a schema: Long, Double, String, Boolean,
 * ArrayList, HashMap (see the header on the order of its entries). */
static int append_schemaless(const connect_values *values, strbuf *out, const json_t *value,
                             bool embedded, int depth, char *err, size_t errlen)
{
    switch (json_typeof(value)) {
    case JSON_STRING:
        append_string(out, json_string_value(value), json_string_length(value), embedded);
        return 0;
    case JSON_INTEGER:
        strbuf_append_int(out, json_integer_value(value));
        return 0;
    case JSON_REAL:
        append_double(out, json_real_value(value));
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        strbuf_append_str(out, json_is_true(value) ? "true" : "false");
        return 0;
    case JSON_ARRAY:
        return append_array(values, out, NULL, value, depth, err, errlen);
    case JSON_OBJECT:
        return append_map(values, out, NULL, value, depth, err, errlen);
    default:
        strbuf_append_str(out, "null");
        return 0;
    }
}

/* A number of an integer type as the JsonConverter reads it: a real cut to its integer part
 * (Jackson's intValue saturates at an int's range, longValue at a long's), then to the type's
 * width. */
static int64_t json_integer_of(const json_t *value, connect_type type)
{
    int64_t whole = json_is_integer(value) ? json_integer_value(value)
                                           : java_number_double_to_long(json_number_value(value));
    if (json_is_real(value) && type != CONNECT_TYPE_INT64)
        whole = whole > INT32_MAX ? INT32_MAX : whole < INT32_MIN ? INT32_MIN : whole;
    switch (type) {
    case CONNECT_TYPE_INT8:
        return (int8_t)whole;
    case CONNECT_TYPE_INT16:
        return (int16_t)whole;
    case CONNECT_TYPE_INT32:
        return (int32_t)whole;
    default:
        return whole;
    }
}

static const char *schema_name(const json_t *schema)
{
    return json_string_value(json_object_get(schema, "name"));
}

static bool schema_named(const json_t *schema, const char *logical)
{
    const char *name = schema_name(schema);
    return name && strcmp(name, logical) == 0;
}

/* An integer type's value: a number, or a java.util.Date for the logical Date, Time and
 * Timestamp. */
static int append_integer(const connect_values *values, strbuf *out, const json_t *schema,
                          connect_type type, const json_t *value)
{
    int64_t number = json_integer_of(value, type);
    if (type == CONNECT_TYPE_INT32 && schema_named(schema, "org.apache.kafka.connect.data.Date"))
        return append_date(values, out, number * MILLIS_PER_DAY);
    if ((type == CONNECT_TYPE_INT32 &&
         schema_named(schema, "org.apache.kafka.connect.data.Time")) ||
        (type == CONNECT_TYPE_INT64 &&
         schema_named(schema, "org.apache.kafka.connect.data.Timestamp")))
        return append_date(values, out, number);
    strbuf_append_int(out, number);
    return 0;
}

/* BYTES: a Decimal as BigDecimal.toString, other bytes as their base64 (never escaped). A
 * Decimal whose text is not base64 is written as that text. */
static int append_bytes(strbuf *out, const json_t *schema, const json_t *value, bool embedded,
                        char *err, size_t errlen)
{
    const char *text = json_string_value(value);
    size_t length = json_string_length(value);
    if (schema_named(schema, "org.apache.kafka.connect.data.Decimal")) {
        const json_t *scale_json = json_object_get(json_object_get(schema, "parameters"),
                                                   "scale");
        int64_t scale = json_is_string(scale_json) ? strtoll(json_string_value(scale_json),
                                                             NULL, 10)
                        : json_is_integer(scale_json) ? json_integer_value(scale_json)
                                                      : 0;
        unsigned char *bytes = malloc(base64_decoded_max(length) + 1);
        if (!bytes)
            return ferry_error_set(err, errlen, "out of memory"), -1;
        long decoded = base64_decode(text, length, bytes);
        int rc = decoded >= 0 ? append_decimal_bytes(out, bytes, (size_t)decoded, scale, err,
                                                     errlen)
                              : 1;
        free(bytes);
        if (rc <= 0)
            return rc;
    }
    if (embedded)
        strbuf_append_char(out, '"');
    strbuf_append(out, text, length);
    if (embedded)
        strbuf_append_char(out, '"');
    return 0;
}

/* A list, its items under their schema (NULL: schemaless). */
static int append_array(const connect_values *values, strbuf *out, const json_t *items,
                        const json_t *value, int depth, char *err, size_t errlen)
{
    strbuf_append_char(out, '[');
    for (size_t i = 0; i < json_array_size(value); i++) {
        if (i > 0)
            strbuf_append_char(out, ',');
        if (append_json(values, out, items, json_array_get(value, i), true, depth + 1, err,
                        errlen) != 0)
            return -1;
    }
    strbuf_append_char(out, ']');
    return 0;
}

/* A map (schema NULL: schemaless): an object's members (string keys), or ferry's
 * [[key, value], ...] form for keys of other types. */
static int append_map(const connect_values *values, strbuf *out, const json_t *schema,
                      const json_t *value, int depth, char *err, size_t errlen)
{
    const json_t *key_schema = json_object_get(schema, "keys");
    const json_t *value_schema = json_object_get(schema, "values");
    strbuf_append_char(out, '{');
    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        bool first = true;
        json_object_foreach((json_t *)value, key, member) {
            if (!first)
                strbuf_append_char(out, ',');
            first = false;
            append_string(out, key, strlen(key), true);
            strbuf_append_char(out, ':');
            if (append_json(values, out, value_schema, member, true, depth + 1, err,
                            errlen) != 0)
                return -1;
        }
    } else {
        for (size_t i = 0; i < json_array_size(value); i++) {
            const json_t *pair = json_array_get(value, i);
            if (i > 0)
                strbuf_append_char(out, ',');
            if (append_json(values, out, key_schema, json_array_get(pair, 0), true, depth + 1,
                            err, errlen) != 0)
                return -1;
            strbuf_append_char(out, ':');
            if (append_json(values, out, value_schema, json_array_get(pair, 1), true, depth + 1,
                            err, errlen) != 0)
                return -1;
        }
    }
    strbuf_append_char(out, '}');
    return 0;
}

/* A struct: {"field":value,...} in the schema's order, a null field as its default. */
static int append_struct(const connect_values *values, strbuf *out, const json_t *schema,
                         const json_t *value, int depth, char *err, size_t errlen)
{
    const json_t *fields = json_object_get(schema, "fields");
    strbuf_append_char(out, '{');
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = json_string_value(json_object_get(field, "field"));
        const json_t *member = name ? json_object_get(value, name) : NULL;
        if (!member || json_is_null(member))
            member = json_object_get(field, "default");
        if (i > 0)
            strbuf_append_char(out, ',');
        append_string(out, name ? name : "", name ? strlen(name) : 0, true);
        strbuf_append_char(out, ':');
        if (append_json(values, out, field, member, true, depth + 1, err, errlen) != 0)
            return -1;
    }
    strbuf_append_char(out, '}');
    return 0;
}

static int append_json(const connect_values *values, strbuf *out, const json_t *schema,
                       const json_t *value, bool embedded, int depth, char *err, size_t errlen)
{
    if (depth > CONNECT_VALUES_MAX_DEPTH)
        return ferry_error_set(err, errlen, "a value nested deeper than %d levels",
                               CONNECT_VALUES_MAX_DEPTH), -1;
    if (!value || json_is_null(value)) {
        strbuf_append_str(out, "null");
        return 0;
    }
    connect_type type = schema ? connect_json_type(schema) : CONNECT_TYPE_UNKNOWN;
    switch (type) {
    case CONNECT_TYPE_INT8:
    case CONNECT_TYPE_INT16:
    case CONNECT_TYPE_INT32:
    case CONNECT_TYPE_INT64:
        if (json_is_number(value))
            return append_integer(values, out, schema, type, value);
        break;
    case CONNECT_TYPE_FLOAT32:
        if (json_is_number(value)) {
            append_float(out, (float)json_number_value(value));
            return 0;
        }
        break;
    case CONNECT_TYPE_FLOAT64:
        if (json_is_number(value)) {
            append_double(out, json_number_value(value));
            return 0;
        }
        break;
    case CONNECT_TYPE_BYTES:
        if (json_is_string(value))
            return append_bytes(out, schema, value, embedded, err, errlen);
        break;
    case CONNECT_TYPE_ARRAY:
        if (json_is_array(value))
            return append_array(values, out, json_object_get(schema, "items"), value, depth, err,
                                errlen);
        break;
    case CONNECT_TYPE_MAP:
        if (json_is_object(value) || json_is_array(value))
            return append_map(values, out, schema, value, depth, err, errlen);
        break;
    case CONNECT_TYPE_STRUCT:
        if (json_is_object(value))
            return append_struct(values, out, schema, value, depth, err, errlen);
        break;
    default: /* BOOLEAN and STRING read as they are without a schema */
        break;
    }
    return append_schemaless(values, out, value, embedded, depth, err, errlen);
}

int connect_values_append(const connect_values *values, strbuf *out, const json_t *schema,
                          const json_t *value, char *err, size_t errlen)
{
    if (append_json(values, out, schema, value, false, 0, err, errlen) != 0)
        return -1;
    if (strbuf_failed(out))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}
