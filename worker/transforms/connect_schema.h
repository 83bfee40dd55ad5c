/*
 * connect_schema.h - the Connect schema operations the transforms share, on ferry's JSON form of
 * a schema (connect_json.h: {"type":"struct","fields":[{"field":"a","type":"int32",..}],..}):
 * Kafka Connect's Requirements checks with their DataException texts, a struct's fields read as
 * Schema.field and Struct.get read them, SchemaUtil.copySchemaBasics, a struct schema built field
 * by field, and the small cache from an input schema to the schema a transform made for it.
 *
 * In this form a struct's field is its schema with one member more, "field", its name. Schemas
 * are shared between records (the cache hands the same output to every equal input), so none is
 * ever changed once built: a function taking a const schema leaves it as it is, and one taking a
 * json_t * changes only that object and its "fields" array, which must be its own (from
 * connect_schema_struct_new, connect_schema_copy_basics_new or connect_schema_copy); it replaces
 * a field's object rather than change it, so the subtrees it shares with an input stay intact.
 *
 * A value is a jansson tree as the converters give it: a struct or a map with string keys is an
 * object, an array or a map with other keys an array, bytes a base64 string. JSON null and a
 * missing member are both Java's null; every getter here gives NULL for either.
 */
#ifndef FERRY_CONNECT_SCHEMA_H
#define FERRY_CONNECT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "convert/connect_json.h"

/* ---- Java's view of a value, for error texts ------------------------------------------------ */

/* Java's name of a type (Schema.Type): "INT32", "FLOAT64", "STRUCT"; "null" for an unknown one. */
const char *connect_schema_type_java_name(connect_type type);

/* The Java class Kafka Connect holds for value under schema (NULL: schemaless, as
 * JsonConverter reads it): "java.lang.Integer" for an int32, "org.apache.kafka.connect.data.Struct"
 * for a struct, "java.util.HashMap" for a schemaless object, "[B" for bytes, "null" for a null.
 * A value that does not have the shape its schema asks for is named by its JSON kind. */
const char *connect_schema_java_class(const json_t *schema, const json_t *value);

/* ---- Requirements (org.apache.kafka.connect.transforms.util), Kafka's texts ---------------- */

/* Each returns 0, or -1 with Kafka's message in err; purpose is the bracketed part of the text
 * ("field extraction"). The _or_null forms also accept a null value. */
int connect_schema_require_schema(const json_t *schema, const char *purpose, char *err,
                                  size_t errlen);
/* A schemaless value that must be a map (a JSON object). */
int connect_schema_require_map(const json_t *value, const char *purpose, char *err,
                               size_t errlen);
int connect_schema_require_map_or_null(const json_t *value, const char *purpose, char *err,
                                       size_t errlen);
/* A value under schema that must be a Struct: a struct schema and an object. */
int connect_schema_require_struct(const json_t *schema, const json_t *value, const char *purpose,
                                  char *err, size_t errlen);
int connect_schema_require_struct_or_null(const json_t *schema, const json_t *value,
                                          const char *purpose, char *err, size_t errlen);

/* ---- Reading a struct ---------------------------------------------------------------------- */

/* The field named name of a struct schema (borrowed), or NULL: none, or not a struct. */
json_t *connect_schema_field_find(const json_t *schema, const char *name);
/* Schema.field(name): 0 with the field or NULL when there is none, or -1 for a schema that is
 * not a struct ("Cannot look up fields on non-struct type"). */
int connect_schema_field_get(const json_t *schema, const char *name, json_t **field, char *err,
                             size_t errlen);
/* A field's name, or NULL when it has none. */
const char *connect_schema_field_name(const json_t *field);
/* A field's schema on its own (Field.schema()): a new object, the field without its name, its
 * subtrees shared. NULL when out of memory or field is not an object. */
json_t *connect_schema_field_schema(const json_t *field);
/* Struct.get(name) of a struct value under its schema: 0 with the member (borrowed; NULL for a
 * null), and when it is null and with_default is set, the field's default instead
 * (Struct.getWithoutDefault without it); -1 for a name the schema does not have
 * ("<name> is not a valid field name"). */
int connect_schema_struct_get(const json_t *schema, const json_t *value, const char *name,
                              bool with_default, json_t **member, char *err, size_t errlen);
bool connect_schema_is_optional(const json_t *schema);

/* ---- Building a schema --------------------------------------------------------------------- */

/* SchemaBuilder.struct(): a required struct with no fields. NULL when out of memory. */
json_t *connect_schema_struct_new(void);
/* copySchemaBasics(source): a new schema of source's type (an array's with its items) with
 * source's name, version, doc and parameters, and nothing else: not optional, no default, no
 * fields, no map keys or values. NULL when out of memory or source is not an object. */
json_t *connect_schema_copy_basics_new(const json_t *source);
/* copySchemaBasics(source, target): target's name, version and doc become source's (removed
 * where source has none) and source's parameters are added to target's. 0, or -1 when out of
 * memory. */
int connect_schema_copy_basics(const json_t *source, json_t *target);
/* All of schema in a new object with its own "fields" array, the rest shared: for a transform
 * that keeps a struct's optional and default and changes some fields. NULL when out of memory. */
json_t *connect_schema_copy(const json_t *schema);
/* Sets or clears optional (SchemaBuilder.optional()); the default is left as it is. 0, or -1
 * when out of memory. */
int connect_schema_optional_set(json_t *schema, bool optional);

/* The field operations on a struct schema the caller owns. Each returns 0, or -1 with a message
 * in err: SchemaBuilder.field's texts for a missing name ("fieldName cannot be null.") or
 * schema and a name already there ("Cannot create field because of field name duplication
 * <name>"), "<name> is not a valid field name" for one that is not. */
/* SchemaBuilder.field(name, field_schema): appends a field; field_schema is copied (its own
 * "field", if it is a field of another struct, replaced). "Cannot create fields on type <TYPE>"
 * when schema is not a struct. */
int connect_schema_field_append(json_t *schema, const char *name, const json_t *field_schema,
                                char *err, size_t errlen);
int connect_schema_field_remove(json_t *schema, const char *name, char *err, size_t errlen);
/* Gives a field another name, in its place. */
int connect_schema_field_rename(json_t *schema, const char *from, const char *to, char *err,
                                size_t errlen);
/* Gives a field another schema, in its place and with its name. */
int connect_schema_field_retype(json_t *schema, const char *name, const json_t *field_schema,
                                char *err, size_t errlen);
int connect_schema_field_optional_set(json_t *schema, const char *name, bool optional, char *err,
                                      size_t errlen);

/* ---- The schema cache ---------------------------------------------------------------------- */

/* Kafka's transforms keep new SynchronizedCache<>(new LRUCache<>(16)). */
#define CONNECT_SCHEMA_CACHE_SIZE 16

/* Input schema -> the output schema a transform built for it, the least recently used entry
 * dropped beyond CONNECT_SCHEMA_CACHE_SIZE. An input is found by identity first, then by deep
 * equality (ConnectSchema.equals compares the whole tree), so every equal input gets the very
 * same output. One transform instance owns one, on its task's thread: it has no lock. */
typedef struct connect_schema_cache connect_schema_cache;

connect_schema_cache *connect_schema_cache_new(void); /* NULL when out of memory */
void connect_schema_cache_destroy(connect_schema_cache *cache); /* accepts NULL */
/* The output cached for input (borrowed: take a reference to keep it), or NULL; a hit becomes
 * the most recently used entry. */
json_t *connect_schema_cache_get(connect_schema_cache *cache, const json_t *input);
/* Caches output for input, taking a reference to each (an equal input's entry is replaced).
 * 0, or -1 for a NULL argument. */
int connect_schema_cache_put(connect_schema_cache *cache, json_t *input, json_t *output);
size_t connect_schema_cache_count(const connect_schema_cache *cache);

#endif
