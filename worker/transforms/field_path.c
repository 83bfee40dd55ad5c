/*
 * field_path.c - Kafka Connect's field.syntax.version and SingleFieldPath (field_path.h): the
 * V2 parse is buildFieldPathV2 step for step, on bytes (the characters it looks for are ASCII,
 * which UTF-8 never hides inside another character), and the readers are fieldFrom and the two
 * valueFrom.
 */
#include "transforms/field_path.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "support/strbuf.h"
#include "support/strlist.h"
#include "support/utf8.h"
#include "transforms/connect_schema.h"

/* Requirements' purpose when a step on the way is not a map or struct. */
#define FIELD_PATH_PURPOSE "nested field access"

struct field_path {
    char *text;
    strlist steps;
};

const char *const field_path_syntax_names[] = {"V1", "V2", NULL};

/* ------------------------------------------------------------------------------------------ */
/* field.syntax.version                                                                       */

/* Java's String.trim: every character up to U+0020 off both ends. */
static size_t field_path_java_trim(const char *text, const char **start)
{
    size_t len = strlen(text);
    while (len > 0 && (unsigned char)text[0] <= ' ')
        text++, len--;
    while (len > 0 && (unsigned char)text[len - 1] <= ' ')
        len--;
    *start = text;
    return len;
}

int field_path_syntax_parse(const char *text, field_path_syntax *syntax, char *err,
                            size_t errlen)
{
    const char *value;
    size_t len = field_path_java_trim(text ? text : "V1", &value);
    if (len == 2 && strncasecmp(value, "V1", 2) == 0) {
        *syntax = FIELD_PATH_SYNTAX_V1;
        return 0;
    }
    if (len == 2 && strncasecmp(value, "V2", 2) == 0) {
        *syntax = FIELD_PATH_SYNTAX_V2;
        return 0;
    }
    ferry_error_set(err, errlen,
                    "Invalid value %.*s for configuration %s: String must be one of (case "
                    "insensitive): V1, V2",
                    (int)len, value, FIELD_PATH_SYNTAX_KEY);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                    */

typedef enum field_path_status {
    FIELD_PATH_OK,
    FIELD_PATH_INCOMPLETE, /* a backtick step never closed */
    FIELD_PATH_NO_MEMORY,
} field_path_status;

/* Where Java's String index of the byte at offset is: UTF-16 units, two for a character beyond
 * U+FFFF. */
static size_t field_path_java_index(const char *text, size_t offset)
{
    size_t index = 0;
    for (size_t i = 0; i < offset;) {
        size_t len = utf8_sequence((const unsigned char *)text + i, offset - i, NULL);
        index += len == 4 ? 2 : 1;
        i += len ? len : 1;
    }
    return index;
}

/* A step in backticks, the opening one at *at: appended to steps, *at past its closing backtick
 * (and the dot after it). */
static field_path_status field_path_parse_quoted(const char *path, size_t len, size_t *at,
                                                 strlist *steps)
{
    strbuf field = {0};
    size_t start = *at + 1;
    field_path_status status = FIELD_PATH_INCOMPLETE;
    for (size_t idx = start;; idx++) {
        const char *tick = idx < len ? memchr(path + idx, '`', len - idx) : NULL;
        if (!tick)
            goto done;
        idx = (size_t)(tick - path);
        bool escaped = path[idx - 1] == '\\';
        bool last = idx + 1 >= len;
        if (last && escaped)
            goto done;
        if (!last && path[idx + 1] != '.')
            continue; /* a backtick inside the name */
        if (!last && escaped) {
            /* "\`." keeps "`." in the name: the backslash goes, the search goes on */
            strbuf_append(&field, path + start, idx - 1 - start);
            strbuf_append_char(&field, '`');
            start = idx + 1;
            continue;
        }
        strbuf_append(&field, path + start, idx - start);
        status = strbuf_failed(&field) || strlist_append(steps, field.data ? field.data : "",
                                                         field.len) != 0
                     ? FIELD_PATH_NO_MEMORY
                     : FIELD_PATH_OK;
        *at = last ? idx + 1 : idx + 2;
        goto done;
    }
done:
    strbuf_free(&field);
    return status;
}

/* buildFieldPathV2. On FIELD_PATH_INCOMPLETE, *failed_at is the opening backtick's offset. */
static field_path_status field_path_parse_v2(const char *path, strlist *steps, size_t *failed_at)
{
    size_t len = strlen(path);
    size_t idx = 0;
    while (idx < len) {
        if (path[idx] == '`') {
            *failed_at = idx;
            field_path_status status = field_path_parse_quoted(path, len, &idx, steps);
            if (status != FIELD_PATH_OK)
                return status;
            continue;
        }
        const char *dot = memchr(path + idx, '.', len - idx);
        size_t end = dot ? (size_t)(dot - path) : len;
        if (strlist_append(steps, path + idx, end - idx) != 0)
            return FIELD_PATH_NO_MEMORY;
        if (!dot)
            break;
        idx = end + 1;
    }
    /* a trailing dot ends the path with an empty step */
    if (len > 0 && path[len - 1] == '.' && strlist_append(steps, "", 0) != 0)
        return FIELD_PATH_NO_MEMORY;
    return FIELD_PATH_OK;
}

field_path *field_path_parse(const char *text, field_path_syntax syntax, char *err,
                             size_t errlen)
{
    if (!text)
        return ferry_error_set(err, errlen, "a field path is required"), NULL;
    field_path *path = calloc(1, sizeof(*path));
    size_t failed_at = 0;
    field_path_status status = FIELD_PATH_NO_MEMORY;
    if (!path || !(path->text = strdup(text)))
        goto fail;
    if (syntax == FIELD_PATH_SYNTAX_V2)
        status = field_path_parse_v2(text, &path->steps, &failed_at);
    else
        status = strlist_append(&path->steps, text, (size_t)-1) == 0 ? FIELD_PATH_OK
                                                                     : FIELD_PATH_NO_MEMORY;
    if (status == FIELD_PATH_OK)
        return path;
fail:
    if (status == FIELD_PATH_INCOMPLETE)
        ferry_error_set(err, errlen,
                        "Incomplete backtick pair in path: [%s], consider adding a backslash "
                        "before backtick at position %zu to escape it",
                        text, field_path_java_index(text, failed_at));
    else
        ferry_error_set(err, errlen, "out of memory");
    field_path_destroy(path);
    return NULL;
}

void field_path_destroy(field_path *path)
{
    if (!path)
        return;
    free(path->text);
    strlist_free(&path->steps);
    free(path);
}

const char *field_path_text(const field_path *path)
{
    return path->text;
}

size_t field_path_step_count(const field_path *path)
{
    return path->steps.count;
}

const char *field_path_step(const field_path *path, size_t index)
{
    return path->steps.items[index];
}

/* ------------------------------------------------------------------------------------------ */
/* Reading                                                                                    */

/* Kafka's lastStep() on a path with no steps throws; a transform refuses such a path at create,
 * this keeps a reader that is handed one from reading before the array. */
static int field_path_require_steps(const field_path *path, char *err, size_t errlen)
{
    if (path->steps.count > 0)
        return 0;
    return ferry_error_set(err, errlen, "Invalid field path [%s]: it names no field",
                           path->text), -1;
}

/* A JSON null counts as Java's null. */
static json_t *field_path_non_null(json_t *value)
{
    return json_is_null(value) ? NULL : value;
}

int field_path_get(const field_path *path, const json_t *map, json_t **value, char *err,
                   size_t errlen)
{
    *value = NULL;
    if (!map || json_is_null(map))
        return 0;
    if (field_path_require_steps(path, err, errlen) != 0)
        return -1;
    const json_t *current = map;
    size_t last = path->steps.count - 1;
    for (size_t i = 0; i < last; i++) {
        json_t *next = field_path_non_null(json_object_get(current, path->steps.items[i]));
        if (connect_schema_require_map_or_null(next, FIELD_PATH_PURPOSE, err, errlen) != 0)
            return -1;
        if (!next)
            return 0;
        current = next;
    }
    *value = field_path_non_null(json_object_get(current, path->steps.items[last]));
    return 0;
}

int field_path_schema_get(const field_path *path, const json_t *schema, json_t **field,
                          char *err, size_t errlen)
{
    *field = NULL;
    if (!schema)
        return 0;
    if (field_path_require_steps(path, err, errlen) != 0)
        return -1;
    const json_t *current = schema;
    for (size_t i = 0; i < path->steps.count; i++) {
        json_t *found;
        if (connect_schema_field_get(current, path->steps.items[i], &found, err, errlen) != 0)
            return -1;
        if (!found)
            return 0;
        current = found;
    }
    *field = (json_t *)current;
    return 0;
}

int field_path_schema_require(const field_path *path, const json_t *schema, json_t **field,
                              char *err, size_t errlen)
{
    if (field_path_schema_get(path, schema, field, err, errlen) != 0)
        return -1;
    if (*field)
        return 0;
    return ferry_error_set(err, errlen, "Unknown field: %s", path->text), -1;
}

int field_path_struct_get(const field_path *path, const json_t *schema, const json_t *value,
                          bool with_default, json_t **result, char *err, size_t errlen)
{
    *result = NULL;
    if (!value || json_is_null(value))
        return 0;
    if (field_path_require_steps(path, err, errlen) != 0)
        return -1;
    const json_t *current = value;
    const json_t *current_schema = schema;
    size_t last = path->steps.count - 1;
    for (size_t i = 0; i <= last; i++) {
        const char *step = path->steps.items[i];
        json_t *field = connect_schema_field_find(current_schema, step);
        if (!field)
            return 0; /* Kafka asks the struct's schema first: a missing field is a null */
        json_t *member;
        if (connect_schema_struct_get(current_schema, current, step, i < last || with_default,
                                      &member, err, errlen) != 0)
            return -1;
        if (i == last) {
            *result = member;
            return 0;
        }
        if (connect_schema_require_struct_or_null(field, member, FIELD_PATH_PURPOSE, err,
                                                  errlen) != 0)
            return -1;
        if (!member)
            return 0;
        current = member;
        current_schema = field;
    }
    return 0;
}
