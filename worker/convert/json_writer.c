/*
 * json_writer.c - compact JSON into a strbuf (json_writer.h).
 *
 * Written for the serialise side, the hot path of every source task: no json_t is built, nothing
 * is allocated once the task's buffer has grown (jansson's json_dump_callback allocates a
 * loop-detection table on every call), strings are escaped straight into the buffer.
 */
#include "convert/json_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/java_number.h"

/* Jackson writes what Java's toString gives, and the values JSON has no number for as strings
 * (its default WRITE_NAN_AS_STRINGS). */
static int json_writer_java_number(strbuf *buffer, const char *text, size_t len)
{
    if (java_number_is_special(text))
        return json_writer_string(buffer, text, len);
    return json_writer_append(buffer, text, len);
}

int json_writer_double(strbuf *buffer, double value)
{
    char text[JAVA_NUMBER_MAX];
    size_t len = java_number_double(value, text);
    return json_writer_java_number(buffer, text, len);
}

int json_writer_float(strbuf *buffer, float value)
{
    char text[JAVA_NUMBER_MAX];
    size_t len = java_number_float(value, text);
    return json_writer_java_number(buffer, text, len);
}

int json_writer_value(strbuf *buffer, const json_t *value, int depth)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return -1;

    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;
        if (json_writer_append_literal(buffer, "{") != 0)
            return -1;
        /* jansson keeps insertion order: a map is written in the order it was built. */
        void *iter = json_object_iter((json_t *)value);
        for (; iter; iter = json_object_iter_next((json_t *)value, iter)) {
            key = json_object_iter_key(iter);
            member = json_object_iter_value(iter);
#if JANSSON_VERSION_HEX >= 0x020e00
            size_t key_len = json_object_iter_key_len(iter);
#else
            size_t key_len = strlen(key);
#endif
            if (!first && json_writer_append_literal(buffer, ",") != 0)
                return -1;
            first = false;
            if (json_writer_string(buffer, key, key_len) != 0 ||
                json_writer_append_literal(buffer, ":") != 0 ||
                json_writer_value(buffer, member, depth + 1) != 0)
                return -1;
        }
        return json_writer_append_literal(buffer, "}");
    }
    case JSON_ARRAY: {
        if (json_writer_append_literal(buffer, "[") != 0)
            return -1;
        for (size_t i = 0; i < json_array_size(value); i++) {
            if (i > 0 && json_writer_append_literal(buffer, ",") != 0)
                return -1;
            if (json_writer_value(buffer, json_array_get(value, i), depth + 1) != 0)
                return -1;
        }
        return json_writer_append_literal(buffer, "]");
    }
    case JSON_STRING:
        return json_writer_string(buffer, json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        return json_writer_integer(buffer, json_integer_value(value));
    case JSON_REAL:
        /* Kafka's JsonConverter reads a real without a schema as a FLOAT64. */
        return json_writer_double(buffer, json_real_value(value));
    case JSON_TRUE:
        return json_writer_append_literal(buffer, "true");
    case JSON_FALSE:
        return json_writer_append_literal(buffer, "false");
    case JSON_NULL:
        return json_writer_append_literal(buffer, "null");
    }
    return -1;
}

