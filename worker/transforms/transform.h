/*
 * transform.h - Kafka Connect's single message transforms: the interface of one transform type
 * and the chain a connector's `transforms` config builds (transform_chain.h).
 *
 * A transform works on a record whose key and value the caller owns: their json and schema are
 * references the record holds (the sink's converter made them; a source record's are taken with
 * json_incref before the chain runs). A key or value is not turned into a tree until a transform
 * asks (transform_data_tree): a chain of routers, header transforms and filters never parses.
 * A transform that replaces a key or value releases the old references and stores new ones, and
 * clears data/len: bytes that came with a JSON value no longer describe it. Headers, topics and
 * other memory a transform hands the record live in the chain's scratch space until its release.
 */
#ifndef FERRY_TRANSFORM_H
#define FERRY_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

#include "config/config_validate.h"

typedef enum transform_result {
    TRANSFORM_KEEP, /* the record goes on (perhaps changed) */
    TRANSFORM_DROP, /* the record is filtered out: not an error, its offset still counts */
    TRANSFORM_FAIL, /* the record cannot be transformed: err says why (errors.tolerance applies) */
} transform_result;

/* What a transform or predicate reads or writes of a record besides its topic and partition,
 * which any may: the chain ORs them, so that a task knows before its first record whether it
 * will ever turn a value into a tree or read headers. */
enum {
    TRANSFORM_NEEDS_KEY = 1u << 0,       /* reads or writes the key's tree */
    TRANSFORM_NEEDS_VALUE = 1u << 1,     /* reads or writes the value's tree */
    TRANSFORM_NEEDS_HEADERS = 1u << 2,   /* reads, removes or changes the record's headers */
    TRANSFORM_NEEDS_TIMESTAMP = 1u << 3, /* reads or writes the timestamp */
    /* Appends headers and never looks at the others: a sink may collect the record's own
     * headers after the chain and put them before the appended ones. */
    TRANSFORM_NEEDS_HEADER_APPEND = 1u << 4,
};

/* Where the chain runs: sources before the converters, on what the plugin emitted; sinks after
 * them, on what the converters read. It decides the schema a string or bytes value gets when a
 * transform asks for its tree: a plugin's text is Kafka Connect's STRING_SCHEMA (required), a
 * StringConverter's OPTIONAL_STRING_SCHEMA. */
typedef enum transform_side {
    TRANSFORM_SIDE_SOURCE,
    TRANSFORM_SIDE_SINK,
} transform_side;

/* What the chain gives a transform besides the record: the lazy tree of a key or value, header
 * editing, and memory that lives until the records of this apply are done with (the chain's
 * release). The transform_* helpers below call these. */
typedef struct transform_output {
    transform_side side;
    /* Makes data a tree, once per record for the whole chain: FERRY_DATA_NULL stays as it is;
     * otherwise data becomes FERRY_DATA_JSON with json set (checked JSON text parsed, its text
     * kept in data/len; a string a JSON string; bytes a base64 JSON string with a bytes schema).
     * 0, or -1 with err. */
    int (*data_tree)(struct transform_output *output, ferry_data *data, char *err,
                     size_t errlen);
    /* Makes record->headers an array of the chain's that the transform may change in place,
     * with room for `extra` more entries after record->header_count. NULL when out of memory. */
    ferry_header *(*headers_edit)(struct transform_output *output, ferry_record *record,
                                  size_t extra);
    /* Keeps allocation (from malloc) until the chain's release and returns it; NULL (having
     * freed it) when out of memory or when it is NULL. */
    void *(*keep)(struct transform_output *output, void *allocation);
    /* size bytes of the chain's, aligned for any type, valid until its release (not to be
     * freed): for the small pieces a record gets (header arrays, copied text). NULL when out of
     * memory. */
    void *(*alloc)(struct transform_output *output, size_t size);
} transform_output;

typedef struct transform_type {
    const char *name;                 /* "ExtractNewRecordState", "InsertField$Value" */
    const char *const *aliases;       /* Kafka Connect class names, NULL-terminated; the first
                                       * is the one the listing shows */
    const char *description;
    const ferry_config_key *config;   /* ends with {.name = NULL} */
    unsigned needs;                   /* TRANSFORM_NEEDS_* */
    /* config holds the transform's own keys (the "transforms.<alias>." prefix removed), already
     * validated against the definition; scope names it in log lines. A problem only creation
     * finds (a pattern that does not compile) gets Kafka Connect's text, "Invalid value <v> for
     * configuration <key>: ...", so that validation reports it under its key. */
    int (*create)(const ferry_config *config, const char *scope, void **state, char *err,
                  size_t errlen);
    transform_result (*apply)(void *state, ferry_record *record, transform_output *output,
                              char *err, size_t errlen);
    void (*destroy)(void *state);
} transform_type;

/* Every transform type ferry has, NULL-terminated, in Kafka Connect's listing order. */
const transform_type *const *transform_types(void);
/* The type named by a `transforms.<alias>.type` value (name or alias), or NULL. */
const transform_type *transform_type_find(const char *name);
/* The class name Kafka Connect users know a transform by. */
const char *transform_type_class(const transform_type *type);

/* Replace a record's data with a new JSON value (references taken) and its schema (may be NULL);
 * make it a null (tombstone) value. */
void transform_data_set_json(ferry_data *data, json_t *value, json_t *schema);
void transform_data_set_null(ferry_data *data);
/* Like transform_data_set_json, taking over the caller's references (NULL value: a null). A null
 * with a schema stays a JSON null under it, as Kafka Connect keeps a record's schema when its
 * value is null: the JsonConverter writes {"schema":..,"payload":null}, a sink gets a null. */
void transform_data_take_json(ferry_data *data, json_t *value, json_t *schema);
/* Whether data is Java's null: a Kafka null, or a JSON null (perhaps with a schema). */
bool transform_data_is_null(const ferry_data *data);

/* The calls through output, spelled as functions. */
int transform_data_tree(transform_output *output, ferry_data *data, char *err, size_t errlen);
ferry_header *transform_headers_edit(transform_output *output, ferry_record *record,
                                     size_t extra);
void *transform_keep(transform_output *output, void *allocation);
void *transform_alloc(transform_output *output, size_t size);
/* A copy of len bytes of text plus a NUL kept until the release; NULL when out of memory. */
char *transform_keep_text(transform_output *output, const char *text, size_t len);
/* Appends a header (key and value copied; value NULL: a null header). 0, or -1 when out of
 * memory. */
int transform_header_add(transform_output *output, ferry_record *record, const char *key,
                         const void *value, size_t value_len);
/* Removes header `index` of a record whose headers transform_headers_edit made editable. */
void transform_header_remove(ferry_record *record, size_t index);

#endif
