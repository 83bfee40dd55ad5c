/*
 * debezium_support.c - what Debezium's transforms share (debezium_support.h).
 */
#include "transforms/debezium_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert/java_number.h"
#include "support/strbuf.h"
#include "support/utf8.h"
#include "transforms/connect_schema.h"

/* ---- records ------------------------------------------------------------------------------ */

bool debezium_is_envelope(const ferry_data *data)
{
    static const char suffix[] = ".Envelope";
    if (data->kind != FERRY_DATA_JSON || !data->schema)
        return false;
    const char *name = json_string_value(json_object_get(data->schema, "name"));
    size_t len = name ? strlen(name) : 0;
    return len >= sizeof(suffix) - 1 && strcmp(name + len - (sizeof(suffix) - 1), suffix) == 0;
}

int debezium_struct_get_typed(const json_t *schema, const json_t *value, const char *name,
                              connect_type type, json_t **member, char *err, size_t errlen)
{
    *member = NULL;
    json_t *field = connect_schema_field_find(schema, name);
    if (!field)
        return ferry_error_set(err, errlen, "%s is not a valid field name", name), -1;
    if (connect_json_type(field) != type)
        return ferry_error_set(err, errlen, "Field '%s' is not of type %s", name,
                               connect_schema_type_java_name(type)), -1;
    json_t *found = json_object_get(value, name);
    *member = found && !json_is_null(found) ? found : NULL;
    return 0;
}

/* ---- text of a value ---------------------------------------------------------------------- */

/* A number as Java's Number.toString prints the class Connect holds for it. */
static void java_number_append(strbuf *out, const json_t *schema, const json_t *value)
{
    char text[JAVA_NUMBER_MAX];
    connect_type type = connect_json_type(schema);
    if (type == CONNECT_TYPE_FLOAT32) {
        java_number_float((float)json_number_value(value), text);
        strbuf_append_str(out, text);
    } else if (type == CONNECT_TYPE_FLOAT64 || (json_is_real(value) && !schema)) {
        java_number_double(json_number_value(value), text);
        strbuf_append_str(out, text);
    } else if (json_is_integer(value)) {
        strbuf_append_int(out, json_integer_value(value));
    } else {
        strbuf_append_int(out, (int64_t)json_real_value(value)); /* an integer type: cut */
    }
}

/* The two texts Java gives a Connect value: Values.append (what SimpleHeaderConverter writes;
 * strings inside a container quoted, a struct's every field with defaults, "," between items)
 * and Object.toString (strings as they are, a struct's non-null fields as "Struct{a=1}",
 * ", " between a list's or a map's items). */
typedef enum text_style {
    TEXT_VALUES,
    TEXT_TO_STRING,
} text_style;

/* A string member: quoted with '"' and '\\' escaped when embedded in Values' text. */
static void text_string_append(strbuf *out, const char *text, size_t len, bool quoted)
{
    if (!quoted) {
        strbuf_append(out, text, len);
        return;
    }
    strbuf_append_char(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"' || text[i] == '\\')
            strbuf_append_char(out, '\\');
        strbuf_append_char(out, text[i]);
    }
    strbuf_append_char(out, '"');
}

static void text_append(strbuf *out, text_style style, const json_t *schema, const json_t *value,
                        bool embedded, int depth)
{
    if (depth > 200) {
        out->failed = true; /* deeper than anything a converter would have read */
        return;
    }
    bool values = style == TEXT_VALUES;
    const char *separator = values ? "," : ", ";
    connect_type type = connect_json_type(schema);
    if (!value || json_is_null(value)) {
        strbuf_append_literal(out, "null");
    } else if (json_is_number(value)) {
        java_number_append(out, schema, value);
    } else if (json_is_boolean(value)) {
        strbuf_append_str(out, json_is_true(value) ? "true" : "false");
    } else if (json_is_string(value)) {
        text_string_append(out, json_string_value(value), json_string_length(value),
                           values && embedded);
    } else if (json_is_array(value)) {
        const json_t *items = json_object_get(schema, type == CONNECT_TYPE_MAP ? "values" : "items");
        strbuf_append_char(out, '[');
        for (size_t i = 0; i < json_array_size(value); i++) {
            if (i)
                strbuf_append_str(out, separator);
            text_append(out, style, items, json_array_get(value, i), true, depth + 1);
        }
        strbuf_append_char(out, ']');
    } else if (type == CONNECT_TYPE_STRUCT) {
        const json_t *fields = json_object_get(schema, "fields");
        bool first = true;
        strbuf_append_str(out, values ? "{" : "Struct{");
        for (size_t i = 0; i < json_array_size(fields); i++) {
            const json_t *field = json_array_get(fields, i);
            const char *name = connect_schema_field_name(field);
            json_t *member = NULL;
            if (values)
                connect_schema_struct_get(schema, value, name, true, &member, NULL, 0);
            else if (name && !json_is_null(json_object_get(value, name)))
                member = json_object_get(value, name);
            if (!values && !member)
                continue;
            if (!first)
                strbuf_append_char(out, ',');
            first = false;
            text_string_append(out, name ? name : "", name ? strlen(name) : 0, values);
            strbuf_append_char(out, values ? ':' : '=');
            text_append(out, style, field, member, true, depth + 1);
        }
        strbuf_append_char(out, '}');
    } else {
        /* A map: its entries in the tree's order (Java's is the map's own). */
        const json_t *map_values = json_object_get(schema, "values");
        const char *key;
        json_t *member;
        bool first = true;
        strbuf_append_char(out, '{');
        json_object_foreach((json_t *)value, key, member) {
            if (!first)
                strbuf_append_str(out, separator);
            first = false;
            text_string_append(out, key, strlen(key), values);
            strbuf_append_char(out, values ? ':' : '=');
            text_append(out, style, map_values, member, true, depth + 1);
        }
        strbuf_append_char(out, '}');
    }
}

int debezium_header_add(transform_output *output, ferry_record *record, const char *key,
                        const json_t *schema, const json_t *value)
{
    if (!value || json_is_null(value))
        return transform_header_add(output, record, key, NULL, 0);
    strbuf text = {0};
    text_append(&text, TEXT_VALUES, schema, value, false, 0);
    size_t len = 0;
    char *bytes = strbuf_take(&text, &len);
    int rc = bytes ? transform_header_add(output, record, key, bytes, len) : -1;
    free(bytes);
    return rc;
}

char *debezium_java_text(const json_t *schema, const json_t *value)
{
    strbuf text = {0};
    text_append(&text, TEXT_TO_STRING, schema, value, false, 0);
    return strbuf_take(&text, NULL);
}

/* ---- Java's strings ----------------------------------------------------------------------- */

const char *debezium_trim(const char *text, size_t *len)
{
    size_t end = strlen(text);
    while (*text && (unsigned char)*text <= ' ') {
        text++;
        end--;
    }
    while (end > 0 && (unsigned char)text[end - 1] <= ' ')
        end--;
    *len = end;
    return text;
}

bool debezium_is_blank(const char *text)
{
    size_t len = 0;
    return !text || (debezium_trim(text, &len), len == 0);
}

int debezium_split(const char *text, char separator, strlist *pieces)
{
    if (!strchr(text, separator))
        return strlist_append(pieces, text, (size_t)-1);
    size_t first = pieces->count;
    for (const char *start = text;;) {
        const char *end = strchr(start, separator);
        size_t len = end ? (size_t)(end - start) : strlen(start);
        if (strlist_append(pieces, start, len) != 0)
            return -1;
        if (!end)
            break;
        start = end + 1;
    }
    while (pieces->count > first && pieces->items[pieces->count - 1][0] == '\0') {
        free(pieces->items[--pieces->count]);
        pieces->items[pieces->count] = NULL;
    }
    return 0;
}

/* ---- SchemaNameAdjuster ------------------------------------------------------------------- */

const char *const debezium_names_modes[] = {"none", "avro", "avro_unicode", NULL};

int debezium_names_mode_parse(const char *text, debezium_names_mode *mode)
{
    size_t len = 0;
    const char *trimmed = text ? debezium_trim(text, &len) : "";
    for (int i = 0; debezium_names_modes[i]; i++) {
        if (strlen(debezium_names_modes[i]) == len &&
            strncasecmp(debezium_names_modes[i], trimmed, len) == 0) {
            *mode = (debezium_names_mode)i;
            return 0;
        }
    }
    return -1;
}

struct debezium_names {
    debezium_names_mode mode;
    bool field_names;
    /* Names replaced so far and, at the same index, what replaced them (ReplacementOccurred's
     * firstTimeOnly memory). */
    strlist originals;
    strlist replacements;
};

debezium_names *debezium_names_new(debezium_names_mode mode, bool field_names)
{
    debezium_names *names = calloc(1, sizeof(*names));
    if (names) {
        names->mode = mode;
        names->field_names = field_names;
    }
    return names;
}

void debezium_names_destroy(debezium_names *names)
{
    if (!names)
        return;
    strlist_free(&names->originals);
    strlist_free(&names->replacements);
    free(names);
}

static bool ascii_letter(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ReplacementFunction.isValidFirstCharacter / isValidNonFirstCharacter of the mode. */
static bool names_valid(const debezium_names *names, uint32_t c, bool first)
{
    bool unicode = names->mode == DEBEZIUM_NAMES_AVRO_UNICODE;
    bool valid_first = ascii_letter(c) || (!unicode && c == '_');
    if (first)
        return valid_first;
    return valid_first || (c >= '0' && c <= '9') || (!names->field_names && c == '.');
}

/* ReplacementFunction.replace(c) of one UTF-16 unit. */
static void names_replace(const debezium_names *names, strbuf *out, uint32_t unit)
{
    if (names->mode != DEBEZIUM_NAMES_AVRO_UNICODE) {
        strbuf_append_char(out, '_');
        return;
    }
    char hex[8];
    snprintf(hex, sizeof(hex), "%x", (unsigned)unit); /* Integer.toHexString */
    strbuf_append_literal(out, "_u");
    if (strlen(hex) <= 2)
        strbuf_append_literal(out, "00");
    strbuf_append_str(out, hex);
}

/* A name's replacement (validFullname): NULL in *out when nothing changes. -1 when out of
 * memory. */
static int names_replacement(const debezium_names *names, const char *name, char **out)
{
    *out = NULL;
    strbuf text = {0};
    bool changed = false, first = true;
    size_t len = strlen(name);
    for (size_t at = 0; at < len;) {
        uint32_t c = 0xFFFD;
        size_t used = utf8_sequence((const unsigned char *)name + at, len - at, &c);
        if (used == 0) {
            used = utf8_invalid_length((const unsigned char *)name + at, len - at);
            used = used ? used : 1;
            c = 0xFFFD;
        }
        /* Java works on UTF-16 units: a character beyond U+FFFF is two, each replaced. */
        uint32_t units[2] = {c, 0};
        size_t count = 1;
        if (c > 0xFFFF) {
            units[0] = 0xD800 + ((c - 0x10000) >> 10);
            units[1] = 0xDC00 + ((c - 0x10000) & 0x3FF);
            count = 2;
        }
        for (size_t u = 0; u < count; u++) {
            if (names_valid(names, units[u], first)) {
                strbuf_append(&text, name + at, used);
            } else {
                names_replace(names, &text, units[u]);
                /* A leading digit stays after its '_' in the underscore modes, so that two
                 * names that differ only there do not meet. */
                if (first && names->mode == DEBEZIUM_NAMES_AVRO && units[u] >= '0' &&
                    units[u] <= '9')
                    strbuf_append_char(&text, (char)units[u]);
                changed = true;
            }
            first = false;
        }
        at += used;
    }
    if (!changed) {
        strbuf_free(&text);
        return 0;
    }
    *out = strbuf_take(&text, NULL);
    return *out ? 0 : -1;
}

char *debezium_names_adjust(debezium_names *names, const char *name, char *err, size_t errlen)
{
    char *replaced = NULL;
    if (names->mode != DEBEZIUM_NAMES_NONE && names_replacement(names, name, &replaced) != 0) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    if (!replaced) {
        char *copy = strdup(name);
        if (!copy)
            ferry_error_set(err, errlen, "out of memory");
        return copy;
    }
    if (strlist_contains(&names->originals, name))
        return replaced; /* reported (or refused) the first time only */
    /* The original last replaced by the same text (Debezium's map keeps the latest). */
    const char *other = NULL;
    for (size_t i = names->replacements.count; i > 0 && !other; i--)
        if (strcmp(names->replacements.items[i - 1], replaced) == 0)
            other = names->originals.items[i - 1];
    char *conflict = other ? strdup(other) : NULL;
    if ((other && !conflict) || strlist_append(&names->originals, name, (size_t)-1) != 0 ||
        strlist_append(&names->replacements, replaced, (size_t)-1) != 0) {
        free(conflict);
        free(replaced);
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    if (conflict) {
        ferry_error_set(err, errlen,
                        "The Kafka Connect schema name '%s' is not a valid Avro schema name and "
                        "its replacement '%s' conflicts with another different schema '%s'",
                        name, replaced, conflict);
        free(conflict);
        free(replaced);
        return NULL;
    }
    return replaced;
}
