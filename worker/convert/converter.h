/*
 * converter.h - Kafka Connect's converters: JSON (with or without the {"schema","payload"}
 * envelope), String and ByteArray, chosen per worker and per connector by class name or alias.
 *
 * The bytes path does no JSON work: a string or bytes value is serialised by the String and
 * ByteArray converters as it is, and by the JSON converter by escaping it straight into the output
 * buffer; a JSON value read from Kafka keeps its original bytes (ferry_data.data/len) beside the
 * parsed value so a sink can forward them unchanged.
 */
#ifndef FERRY_CONVERTER_H
#define FERRY_CONVERTER_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "support/strbuf.h"

typedef enum converter_kind {
    CONVERTER_JSON = 1,
    CONVERTER_STRING,
    CONVERTER_BYTE_ARRAY,
} converter_kind;

typedef struct converter converter;

/* Finds a converter kind by name, without case: "json", "string", "bytearray", Kafka Connect's
 * class names org.apache.kafka.connect.json.JsonConverter,
 * org.apache.kafka.connect.storage.StringConverter,
 * org.apache.kafka.connect.converters.ByteArrayConverter, or their simple names (JsonConverter,
 * ...), which Kafka Connect accepts as aliases. Returns 0, or -1 if unknown. */
int converter_kind_parse(const char *name, converter_kind *kind);

/* Kafka Connect's header converter, which ferry's header handling follows whatever
 * header.converter names. */
#define CONVERTER_SIMPLE_HEADER_CLASS "org.apache.kafka.connect.storage.SimpleHeaderConverter"

/* Checks key.converter, value.converter and header.converter of a connector (or worker) config:
 * a value that names no converter ferry has (for header.converter: SimpleHeaderConverter, by
 * class or simple name, or a converter) is an error on that key, in Kafka Connect's words for a
 * CLASS value it cannot load. An unset or blank value is not this check's concern. Returns the
 * number of problems. */
size_t converter_config_validate(const config_map *config, config_errors *errors);

/* Creates a converter. settings are the converter's own keys with their prefix stripped
 * ("schemas.enable" from "value.converter.schemas.enable"); NULL = defaults. The JSON converter
 * reads Kafka's JsonConverter keys schemas.enable and replace.null.with.default (both true by
 * default), schemas.cache.size (0 turns the schema cache off) and decimal.format (BASE64, the
 * default, is what it writes; NUMERIC is refused). NULL with a message naming the class or key
 * on error (unknown class, a boolean that is not one, a cache size that is no integer >= 0). */
converter *converter_new(const char *class_name, const config_map *settings, bool is_key,
                         char *err, size_t errlen);
void converter_destroy(converter *converter); /* accepts NULL */
converter_kind converter_get_kind(const converter *converter);
/* Text mode, for a sink that declared FERRY_SINK_JSON_TEXT (a transform that reads the value
 * parses it on demand): a JsonConverter without schemas then checks each value's syntax (runtime/json_syntax.c) instead of building a
 * tree, and deserialises it as FERRY_DATA_JSON with json == NULL and data/len the text (the
 * literal null still gives FERRY_DATA_NULL, malformed text still an error). True when the
 * converter is such a JsonConverter and now in text mode; false (unchanged) otherwise. */
bool converter_json_text_enable(converter *converter);
/* The Kafka Connect class name, for error contexts and the DLQ headers. */
const char *converter_class_name(const converter *converter);

/* Data -> Kafka bytes. The JSON converter writes what Kafka's JsonConverter writes for the same
 * data, byte for byte (connect_json.h): a structured value under its schema, the schema in Kafka's
 * form; a value that still has its JSON text goes out as that text. *bytes points either into
 * data (no copy) or into buffer (valid until the buffer's next use). A task reuses one buffer for
 * every record: once it has grown, serialising allocates nothing. A schema is written once per
 * schema object (convert/schema_text_cache.h: schemas.cache.size, at most 16 kept), which is why
 * the converter is not const: one task's thread uses it. FERRY_DATA_NULL gives
 * *bytes = NULL, *len = 0 (a Kafka null). Returns 0, or
 * -1 with a message (ByteArray given structured data, say). topic is for messages only. */
int converter_serialize(converter *converter, const char *topic, const ferry_data *data,
                        strbuf *buffer, const void **bytes, size_t *len, char *err,
                        size_t errlen);

/* The bytes a ferry_data carries without converting it: bytes and strings, and JSON that came
 * with its text. NULL/0 otherwise (for error reports and the dead-letter queue). */
void converter_data_raw(const ferry_data *data, const void **bytes, size_t *len);

/* Kafka bytes -> data. bytes == NULL is a Kafka null and gives FERRY_DATA_NULL. String and
 * ByteArray point data into bytes (no copy: valid as long as bytes). JSON sets data->json (and
 * data->schema with the envelope) to new references, freed by converter_data_release, and, without
 * the envelope, data->data/len to the original bytes (in text mode only those: see
 * converter_json_text_enable). Returns 0, or -1 with a message that says
 * what is wrong and where (malformed JSON at line/column, missing "schema"/"payload" fields). */
int converter_deserialize(const converter *converter, const char *topic, const void *bytes,
                          size_t len, ferry_data *data, char *err, size_t errlen);
void converter_data_release(ferry_data *data);

#endif
