/*
 * java_serial.c - the Java serialization of an Object[] of key values (see java_serial.h). The
 * grammar is java.io.ObjectStreamConstants' (Java Object Serialization Specification, chapter
 * 6): a magic and version, then TC_ARRAY with the class descriptor of Object[], then each
 * element as TC_OBJECT (its class descriptor, then its field values), TC_STRING or a
 * TC_REFERENCE to a handle given earlier (handles count from 0x7E0000 in the order descriptors
 * and objects appear).
 */
#include "java_serial.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/array.h"
#include "support/utf8.h"

enum {
    STREAM_MAGIC = 0xACED,
    STREAM_VERSION = 5,
    TC_NULL = 0x70,
    TC_REFERENCE = 0x71,
    TC_CLASSDESC = 0x72,
    TC_OBJECT = 0x73,
    TC_STRING = 0x74,
    TC_ARRAY = 0x75,
    TC_ENDBLOCKDATA = 0x78,
    TC_LONGSTRING = 0x7C,
    SC_SERIALIZABLE = 0x02,
    BASE_WIRE_HANDLE = 0x7E0000,
};

/* The classes of the stream, each with its serialVersionUID and its serializable fields (type
 * code and name, in the order the JVM sorts them: primitives first, then by name). */
typedef enum java_class {
    CLASS_OBJECT_ARRAY,
    CLASS_NUMBER,
    CLASS_INTEGER,
    CLASS_LONG,
    CLASS_UUID,
    CLASS_COUNT,
    CLASS_OTHER, /* a class ferry does not read */
    CLASS_NONE,  /* TC_NULL: no class (the superclass of one that extends Object) */
} java_class;

typedef struct java_class_spec {
    const char *name;
    uint64_t suid;
    java_class super;        /* CLASS_NONE: java.lang.Object */
    const char *fields[2][2]; /* {type code, name}; NULL name: no more */
} java_class_spec;

static const java_class_spec java_classes[CLASS_COUNT] = {
    [CLASS_OBJECT_ARRAY] = {"[Ljava.lang.Object;", UINT64_C(0x90CE589F1073296C), CLASS_NONE, {{0}}},
    [CLASS_NUMBER] = {"java.lang.Number", UINT64_C(0x86AC951D0B94E08B), CLASS_NONE, {{0}}},
    [CLASS_INTEGER] = {"java.lang.Integer", UINT64_C(0x12E2A0A4F7818738), CLASS_NUMBER,
                       {{"I", "value"}}},
    [CLASS_LONG] = {"java.lang.Long", UINT64_C(0x3B8BE490CC8F23DF), CLASS_NUMBER,
                    {{"J", "value"}}},
    [CLASS_UUID] = {"java.util.UUID", UINT64_C(0xBC9903F7986D852F), CLASS_NONE,
                    {{"J", "leastSigBits"}, {"J", "mostSigBits"}}},
};

/* ------------------------------------------------------------------------------------------ */
/* Writing                                                                                    */

typedef struct java_writer {
    strbuf *out;
    uint32_t next_handle;
    uint32_t class_handle[CLASS_COUNT]; /* 0: not written yet */
    uint32_t cached[2][256];            /* INTEGER / LONG -128..127: the object's handle, 0: none */
} java_writer;

static void put_u8(strbuf *out, unsigned value)
{
    strbuf_append_char(out, (char)(unsigned char)value);
}

static void put_be(strbuf *out, uint64_t value, int bytes)
{
    unsigned char buffer[8];
    for (int i = 0; i < bytes; i++)
        buffer[i] = (unsigned char)(value >> (8 * (bytes - 1 - i)));
    strbuf_append(out, buffer, (size_t)bytes);
}

static void put_utf(strbuf *out, const char *text)
{
    put_be(out, strlen(text), 2);
    strbuf_append_str(out, text);
}

static void write_class(java_writer *writer, java_class class)
{
    if (class == CLASS_NONE) {
        put_u8(writer->out, TC_NULL);
        return;
    }
    if (writer->class_handle[class]) {
        put_u8(writer->out, TC_REFERENCE);
        put_be(writer->out, writer->class_handle[class], 4);
        return;
    }
    const java_class_spec *spec = &java_classes[class];
    writer->class_handle[class] = writer->next_handle++;
    put_u8(writer->out, TC_CLASSDESC);
    put_utf(writer->out, spec->name);
    put_be(writer->out, spec->suid, 8);
    put_u8(writer->out, SC_SERIALIZABLE);
    size_t fields = 0;
    while (fields < 2 && spec->fields[fields][1])
        fields++;
    put_be(writer->out, fields, 2);
    for (size_t f = 0; f < fields; f++) {
        put_u8(writer->out, (unsigned char)spec->fields[f][0][0]);
        put_utf(writer->out, spec->fields[f][1]);
    }
    put_u8(writer->out, TC_ENDBLOCKDATA);
    write_class(writer, spec->super);
}

/* Java's modified UTF-8: NUL as two bytes, a character beyond U+FFFF as its two surrogates of
 * three bytes each. -1 when text is not valid UTF-8. */
static int write_string(java_writer *writer, const char *text, size_t len)
{
    strbuf encoded = {0};
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_sequence(s + i, len - i, &cp);
        if (n == 0) {
            free(encoded.data);
            return -1;
        }
        i += n;
        uint32_t units[2] = {cp, 0};
        size_t unit_count = 1;
        if (cp > 0xFFFF) {
            units[0] = 0xD800 + ((cp - 0x10000) >> 10);
            units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            unit_count = 2;
        }
        for (size_t u = 0; u < unit_count; u++) {
            uint32_t c = units[u];
            if (c >= 1 && c < 0x80) {
                put_u8(&encoded, c);
            } else if (c < 0x800) {
                put_u8(&encoded, 0xC0 | (c >> 6));
                put_u8(&encoded, 0x80 | (c & 0x3F));
            } else {
                put_u8(&encoded, 0xE0 | (c >> 12));
                put_u8(&encoded, 0x80 | ((c >> 6) & 0x3F));
                put_u8(&encoded, 0x80 | (c & 0x3F));
            }
        }
    }
    if (encoded.len <= 0xFFFF) {
        put_u8(writer->out, TC_STRING);
        put_be(writer->out, encoded.len, 2);
    } else {
        put_u8(writer->out, TC_LONGSTRING);
        put_be(writer->out, encoded.len, 8);
    }
    if (encoded.failed)
        writer->out->failed = true;
    else
        strbuf_append(writer->out, encoded.data, encoded.len);
    free(encoded.data);
    writer->next_handle++;
    return 0;
}

static int write_value(java_writer *writer, const java_value *value)
{
    if (value->kind == JAVA_STRING)
        return write_string(writer, value->text, value->len);
    if (value->kind == JAVA_INTEGER && (value->number < INT32_MIN || value->number > INT32_MAX))
        return -1;
    uint32_t *cached = NULL;
    if (value->kind != JAVA_UUID && value->number >= -128 && value->number <= 127)
        cached = &writer->cached[value->kind == JAVA_LONG][value->number + 128];
    if (cached && *cached) {
        put_u8(writer->out, TC_REFERENCE);
        put_be(writer->out, *cached, 4);
        return 0;
    }
    put_u8(writer->out, TC_OBJECT);
    java_class class = value->kind == JAVA_INTEGER ? CLASS_INTEGER
                       : value->kind == JAVA_LONG  ? CLASS_LONG
                                                   : CLASS_UUID;
    write_class(writer, class);
    uint32_t handle = writer->next_handle++;
    if (cached)
        *cached = handle;
    if (class == CLASS_INTEGER)
        put_be(writer->out, (uint64_t)value->number, 4);
    else if (class == CLASS_LONG)
        put_be(writer->out, (uint64_t)value->number, 8);
    else {
        put_be(writer->out, value->least_bits, 8);
        put_be(writer->out, value->most_bits, 8);
    }
    return 0;
}

int java_serial_write_array(const java_value *values, size_t count, strbuf *out)
{
    java_writer writer = {.out = out, .next_handle = BASE_WIRE_HANDLE};
    put_be(out, STREAM_MAGIC, 2);
    put_be(out, STREAM_VERSION, 2);
    put_u8(out, TC_ARRAY);
    write_class(&writer, CLASS_OBJECT_ARRAY);
    writer.next_handle++; /* the array */
    put_be(out, count, 4);
    for (size_t i = 0; i < count; i++)
        if (write_value(&writer, &values[i]) != 0)
            return -1;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading                                                                                    */

/* What a handle stands for. */
typedef struct java_handle {
    bool is_class;
    java_class class; /* is_class */
    char *class_name; /* is_class, CLASS_OTHER: for the message */
    java_value value; /* an element (text owned) */
    bool is_value;
} java_handle;

typedef struct java_reader {
    const unsigned char *p, *end;
    java_handle *handles;
    size_t handle_count, handle_capacity;
    char *err;
    size_t errlen;
} java_reader;

static int read_fail(java_reader *reader, const char *what)
{
    ferry_error_set(reader->err, reader->errlen, "not a Java-serialized Object[] of keys: %s",
                    what);
    return -1;
}

static int read_be(java_reader *reader, int bytes, uint64_t *value)
{
    if (reader->end - reader->p < bytes)
        return read_fail(reader, "the stream ends too early");
    *value = 0;
    for (int i = 0; i < bytes; i++)
        *value = (*value << 8) | *reader->p++;
    return 0;
}

static java_handle *handle_new(java_reader *reader)
{
    if (array_reserve(&reader->handles, &reader->handle_capacity, reader->handle_count + 1,
                      sizeof(*reader->handles)) != 0)
        return read_fail(reader, "out of memory"), NULL;
    java_handle *handle = &reader->handles[reader->handle_count++];
    memset(handle, 0, sizeof(*handle));
    return handle;
}

static java_handle *handle_get(java_reader *reader)
{
    uint64_t wire;
    if (read_be(reader, 4, &wire) != 0)
        return NULL;
    if (wire < BASE_WIRE_HANDLE || wire - BASE_WIRE_HANDLE >= reader->handle_count)
        return read_fail(reader, "a reference to an unknown handle"), NULL;
    return &reader->handles[wire - BASE_WIRE_HANDLE];
}

/* Modified UTF-8 of len bytes to UTF-8 (malloc'd, NUL-terminated). */
static int read_modified_utf8(java_reader *reader, uint64_t len, char **text, size_t *text_len)
{
    if ((uint64_t)(reader->end - reader->p) < len)
        return read_fail(reader, "the stream ends inside a string");
    const unsigned char *s = reader->p, *end = reader->p + len;
    reader->p = end;
    strbuf out = {0};
    strbuf_append(&out, "", 0);
    uint32_t high = 0; /* a high surrogate waiting for its low one */
    while (s < end) {
        uint32_t unit;
        if (s[0] < 0x80) {
            unit = *s++;
        } else if ((s[0] & 0xE0) == 0xC0 && end - s >= 2 && (s[1] & 0xC0) == 0x80) {
            unit = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
            s += 2;
        } else if ((s[0] & 0xF0) == 0xE0 && end - s >= 3 && (s[1] & 0xC0) == 0x80 &&
                   (s[2] & 0xC0) == 0x80) {
            unit = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
            s += 3;
        } else {
            free(out.data);
            return read_fail(reader, "a string is not in modified UTF-8");
        }
        uint32_t cp = unit;
        if (unit >= 0xD800 && unit <= 0xDBFF && !high) {
            high = unit;
            continue;
        }
        if (high) {
            if (unit < 0xDC00 || unit > 0xDFFF) {
                free(out.data);
                return read_fail(reader, "a string holds an unpaired surrogate");
            }
            cp = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
            high = 0;
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            free(out.data);
            return read_fail(reader, "a string holds an unpaired surrogate");
        }
        char bytes[4];
        strbuf_append(&out, bytes, utf8_encode(cp, bytes));
    }
    if (high || out.failed) {
        free(out.data);
        return read_fail(reader, high ? "a string holds an unpaired surrogate" : "out of memory");
    }
    *text = out.data;
    *text_len = out.len;
    return 0;
}

/* A TC_STRING or TC_LONGSTRING body (the tag read): a new handle holding the string. */
static java_handle *read_string_body(java_reader *reader, unsigned char tag)
{
    uint64_t len;
    if (read_be(reader, tag == TC_STRING ? 2 : 8, &len) != 0)
        return NULL;
    char *text;
    size_t text_len;
    if (read_modified_utf8(reader, len, &text, &text_len) != 0)
        return NULL;
    java_handle *handle = handle_new(reader);
    if (!handle) {
        free(text);
        return NULL;
    }
    handle->is_value = true;
    handle->value = (java_value){.kind = JAVA_STRING, .text = text, .len = text_len};
    return handle;
}

static int read_class(java_reader *reader, java_class *class);

/* A TC_CLASSDESC body (the tag read). */
static int read_class_body(java_reader *reader, java_class *class)
{
    uint64_t name_len, suid, flags, fields;
    char *name;
    size_t text_len;
    if (read_be(reader, 2, &name_len) != 0 ||
        read_modified_utf8(reader, name_len, &name, &text_len) != 0)
        return -1;
    java_handle *handle = handle_new(reader);
    if (!handle) {
        free(name);
        return -1;
    }
    size_t index = reader->handle_count - 1;
    handle->is_class = true;
    handle->class = CLASS_OTHER;
    handle->class_name = name;
    for (int c = 0; c < CLASS_COUNT; c++)
        if (strcmp(java_classes[c].name, name) == 0)
            handle->class = (java_class)c;
    if (read_be(reader, 8, &suid) != 0 || read_be(reader, 1, &flags) != 0 ||
        read_be(reader, 2, &fields) != 0)
        return -1;
    for (uint64_t f = 0; f < fields; f++) {
        uint64_t code, field_len;
        char *field;
        if (read_be(reader, 1, &code) != 0 || read_be(reader, 2, &field_len) != 0 ||
            read_modified_utf8(reader, field_len, &field, &text_len) != 0)
            return -1;
        free(field);
        if (code == 'L' || code == '[') { /* the field's type name: a string or a reference */
            uint64_t tag;
            if (read_be(reader, 1, &tag) != 0)
                return -1;
            if (tag == TC_REFERENCE ? !handle_get(reader)
                                    : tag == TC_STRING ? !read_string_body(reader, TC_STRING)
                                                       : read_fail(reader, "a bad field type") != 0)
                return -1;
        }
    }
    uint64_t end_tag;
    if (read_be(reader, 1, &end_tag) != 0)
        return -1;
    if (end_tag != TC_ENDBLOCKDATA)
        return read_fail(reader, "a class descriptor carries annotations");
    java_class super;
    if (read_class(reader, &super) != 0)
        return -1;
    handle = &reader->handles[index]; /* read_class may have moved the table */
    if (handle->class != CLASS_OTHER &&
        (suid != java_classes[handle->class].suid || !(flags & SC_SERIALIZABLE))) {
        ferry_error_set(reader->err, reader->errlen,
                        "not a Java-serialized Object[] of keys: class %s has "
                        "serialVersionUID %lld, not %lld", name, (long long)suid,
                        (long long)java_classes[handle->class].suid);
        return -1;
    }
    *class = handle->class;
    return 0;
}

/* A class descriptor: TC_CLASSDESC, TC_REFERENCE to one, or TC_NULL (CLASS_NONE). */
static int read_class(java_reader *reader, java_class *class)
{
    uint64_t tag;
    if (read_be(reader, 1, &tag) != 0)
        return -1;
    if (tag == TC_NULL) {
        *class = CLASS_NONE;
        return 0;
    }
    if (tag == TC_CLASSDESC)
        return read_class_body(reader, class);
    if (tag != TC_REFERENCE)
        return read_fail(reader, "a class descriptor was expected");
    java_handle *handle = handle_get(reader);
    if (!handle)
        return -1;
    if (!handle->is_class)
        return read_fail(reader, "a reference to an object where a class was expected");
    *class = handle->class;
    return 0;
}

/* The name of the class last read (the one read_class just returned CLASS_OTHER for). */
static const char *last_class_name(const java_reader *reader)
{
    for (size_t i = reader->handle_count; i-- > 0;)
        if (reader->handles[i].is_class && reader->handles[i].class == CLASS_OTHER)
            return reader->handles[i].class_name;
    return "an unknown class";
}

/* One element into value (strings copied). */
static int read_element(java_reader *reader, size_t index, java_value *value)
{
    uint64_t tag;
    if (read_be(reader, 1, &tag) != 0)
        return -1;
    java_handle *handle = NULL;
    if (tag == TC_STRING || tag == TC_LONGSTRING) {
        handle = read_string_body(reader, (unsigned char)tag);
    } else if (tag == TC_REFERENCE) {
        handle = handle_get(reader);
        if (handle && !handle->is_value)
            return read_fail(reader, "an element refers to a class, not a value");
    } else if (tag == TC_OBJECT) {
        java_class class;
        if (read_class(reader, &class) != 0)
            return -1;
        if (class != CLASS_INTEGER && class != CLASS_LONG && class != CLASS_UUID) {
            ferry_error_set(reader->err, reader->errlen,
                            "key value %zu is a %s; ferry reads java.lang.Integer, "
                            "java.lang.Long, java.lang.String and java.util.UUID keys",
                            index + 1, class == CLASS_NONE ? "java.lang.Object"
                                       : class == CLASS_OTHER ? last_class_name(reader)
                                                              : java_classes[class].name);
            return -1;
        }
        java_value read = {.kind = class == CLASS_INTEGER ? JAVA_INTEGER
                                   : class == CLASS_LONG  ? JAVA_LONG
                                                          : JAVA_UUID};
        uint64_t number;
        if (class == CLASS_INTEGER) {
            if (read_be(reader, 4, &number) != 0)
                return -1;
            read.number = (int32_t)(uint32_t)number;
        } else if (class == CLASS_LONG) {
            if (read_be(reader, 8, &number) != 0)
                return -1;
            read.number = (int64_t)number;
        } else if (read_be(reader, 8, &read.least_bits) != 0 ||
                   read_be(reader, 8, &read.most_bits) != 0) {
            return -1;
        }
        handle = handle_new(reader);
        if (handle) {
            handle->is_value = true;
            handle->value = read;
        }
    } else if (tag == TC_NULL) {
        ferry_error_set(reader->err, reader->errlen,
                        "not a Java-serialized Object[] of keys: key value %zu is null",
                        index + 1);
        return -1;
    } else {
        return read_fail(reader, "an element is not an object, a string or a reference");
    }
    if (!handle)
        return -1;
    *value = handle->value;
    if (value->kind == JAVA_STRING) {
        value->text = malloc(value->len + 1);
        if (!value->text)
            return read_fail(reader, "out of memory");
        memcpy(value->text, handle->value.text, value->len + 1);
    }
    return 0;
}

static int read_array(java_reader *reader, java_value **values, size_t *count)
{
    uint64_t magic, version, tag, length;
    java_class class;
    if (read_be(reader, 2, &magic) != 0 || read_be(reader, 2, &version) != 0)
        return -1;
    if (magic != STREAM_MAGIC || version != STREAM_VERSION)
        return read_fail(reader, "no stream magic 0xACED0005 at its start");
    if (read_be(reader, 1, &tag) != 0)
        return -1;
    if (tag != TC_ARRAY)
        return read_fail(reader, "the stream does not hold an array");
    if (read_class(reader, &class) != 0)
        return -1;
    if (class != CLASS_OBJECT_ARRAY)
        return read_fail(reader, "the array is not an Object[]");
    if (!handle_new(reader) || read_be(reader, 4, &length) != 0)
        return -1;
    /* every element takes at least 5 bytes: a length beyond the bytes left is a lie */
    if (length > (uint64_t)(reader->end - reader->p))
        return read_fail(reader, "the array is longer than the stream");
    *values = calloc(length ? length : 1, sizeof(**values));
    if (!*values)
        return read_fail(reader, "out of memory");
    for (*count = 0; *count < length; (*count)++)
        if (read_element(reader, *count, &(*values)[*count]) != 0)
            return -1;
    if (reader->p != reader->end)
        return read_fail(reader, "bytes follow the array");
    return 0;
}

int java_serial_read_array(const void *bytes, size_t len, java_value **values, size_t *count,
                           char *err, size_t errlen)
{
    java_reader reader = {.p = bytes, .end = (const unsigned char *)bytes + len, .err = err,
                          .errlen = errlen};
    *values = NULL;
    *count = 0;
    int rc = read_array(&reader, values, count);
    for (size_t i = 0; i < reader.handle_count; i++) {
        free(reader.handles[i].class_name);
        if (reader.handles[i].is_value)
            free(reader.handles[i].value.text);
    }
    free(reader.handles);
    if (rc != 0) {
        java_values_free(*values, *count);
        *values = NULL;
        *count = 0;
    }
    return rc;
}

void java_values_free(java_value *values, size_t count)
{
    for (size_t i = 0; values && i < count; i++)
        free(values[i].text);
    free(values);
}
