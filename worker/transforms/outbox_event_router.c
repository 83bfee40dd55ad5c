/*
 * outbox_event_router.c - Debezium's outbox EventRouter (io.debezium.transforms.outbox.EventRouter)
 * as Debezium 3.6 has it: the change events of an outbox table become the events they carry.
 * A create (or snapshot read) of a row {id, aggregatetype, aggregateid, type, payload} becomes a
 * record on outbox.event.<aggregatetype> (route.by.field through route.topic.regex and
 * route.topic.replacement, Kafka's RegexRouter), keyed by the aggregate id, whose value is the
 * payload (or a struct of the payload and the envelope placements of
 * table.fields.additional.placement), with the header `id` (the event id) and the header
 * placements, the timestamp of table.field.event.timestamp or the event's ts_ms. Deletes and
 * tombstones are dropped, updates handled as table.op.invalid.behavior says; what is not a change
 * event passes. With table.expand.json.payload a JSON string payload becomes a struct whose
 * schema is inferred from it (Debezium's JsonSchemaData).
 *
 * Beyond Debezium 3.6 ferry reads table.fields.additional.error.on.missing (Debezium 3.5 and
 * before) when table.field.additional.missing is not set, and debezium.op.invalid.behavior
 * (Debezium 1.x) when table.op.invalid.behavior is not set; it refuses an unknown placement when
 * the config is created (Debezium fails at the first record). The tracing keys are accepted and
 * do nothing, as in Debezium without OpenTelemetry. docs/transforms.md lists every key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "transforms/connect_schema.h"
#include "transforms/debezium_support.h"
#include "transforms/java_regex.h"
#include "transforms/transform.h"

typedef enum placement {
    PLACEMENT_HEADER,
    PLACEMENT_ENVELOPE,
    PLACEMENT_PARTITION,
} placement;

typedef struct additional_field {
    placement placement;
    char *field;
    char *alias; /* the header's or envelope field's name (the column's by default) */
} additional_field;

typedef enum invalid_op {
    INVALID_OP_WARN,
    INVALID_OP_ERROR,
    INVALID_OP_FATAL,
} invalid_op;

/* The value schema made for one table.field.event.schema.version value. */
typedef struct versioned_schema {
    bool has_version;
    int32_t version;
    json_t *schema;
} versioned_schema;

typedef struct outbox {
    char *field_id;
    char *field_key;
    char *field_payload;
    char *field_timestamp; /* NULL: the event's ts_ms */
    char *field_schema_version;
    char *route_by_field;
    java_regex *route_regex;
    char *route_replacement;
    bool tombstone_on_empty;
    invalid_op invalid_op;
    bool expand_json;
    bool null_as_bytes; /* table.json.payload.null.behavior=optional_bytes */
    bool ignore_missing;
    additional_field *fields;
    size_t field_count;
    bool only_headers; /* no envelope placement: the value is the payload itself */
    debezium_names *field_names;
    connect_schema_cache *value_schemas; /* payload schema -> value schema */
    versioned_schema *versioned;
    size_t versioned_count;
    char *scope;
} outbox;

static const char *const invalid_op_values[] = {"warn", "error", "fatal", NULL};
static const char *const missing_values[] = {"error", "ignore", NULL};
static const char *const null_behavior_values[] = {"ignore", "optional_bytes", NULL};

/* Debezium 3.6's EventRouterConfigDefinition.configDef(), its groups in its order, its texts. */
static const ferry_config_key outbox_config[] = {
    {.name = "table.field.event.id", .type = FERRY_CONFIG_STRING, .default_value = "id",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Table", .display_name = "Event ID Field",
     .documentation = "The column which contains the event ID within the outbox table"},
    {.name = "table.field.event.key", .type = FERRY_CONFIG_STRING,
     .default_value = "aggregateid", .importance = FERRY_IMPORTANCE_LOW, .group = "Table",
     .display_name = "Event Key Field",
     .documentation = "The column which contains the event key within the outbox table"},
    {.name = "table.field.event.type", .type = FERRY_CONFIG_STRING, .default_value = "type",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Table", .display_name = "Event Type Field",
     .documentation = "The column which contains the event type within the outbox table"},
    {.name = "table.field.event.payload", .type = FERRY_CONFIG_STRING,
     .default_value = "payload", .importance = FERRY_IMPORTANCE_LOW, .group = "Table",
     .display_name = "Event Payload Field",
     .documentation = "The column which contains the event payload within the outbox table"},
    {.name = "table.field.event.timestamp", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Table",
     .display_name = "Event Timestamp Field",
     .documentation = "Optionally you can override the Kafka message timestamp with a value "
                      "from a chosen column, otherwise it'll be the Debezium event processed "
                      "timestamp."},
    {.name = "table.fields.additional.placement", .type = FERRY_CONFIG_LIST,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Table",
     .display_name = "Settings for each additional column in the outbox table",
     .documentation = "Extra fields can be added as part of the event envelope or a message "
                      "header, format is a list of colon-delimited pairs or trios when you "
                      "desire to have aliases, e.g. <code>id:header,field_name:envelope:alias,"
                      "field_name:partition</code> "},
    {.name = "table.field.additional.missing", .type = FERRY_CONFIG_STRING,
     .default_value = "error", .importance = FERRY_IMPORTANCE_MEDIUM,
     .allowed_values = missing_values, .group = "Table",
     .display_name = "Behavior when an additional field is missing in the change data",
     .documentation = "When transforming the 'table.fields.additional.placement' fields, "
                      "defines the behavior when one of the configured fields is missing in the "
                      "change data. 'error' (default) will throw an exception; 'ignore' will "
                      "silently skip the missing field."},
    {.name = "table.field.event.schema.version", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = "Table",
     .display_name = "Event Schema Version Field",
     .documentation = "The column which contains the event schema version within the outbox "
                      "table"},
    {.name = "table.op.invalid.behavior", .type = FERRY_CONFIG_STRING, .default_value = "warn",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = invalid_op_values,
     .group = "Table", .display_name = "Behavior when capturing an unexpected outbox event",
     .documentation = "While Debezium is capturing changes from the outbox table, it is "
                      "expecting only to process 'create' or 'delete' row events; in case "
                      "something else is processed this transform can log it as warning, error "
                      "or stop the process."},
    {.name = "table.expand.json.payload", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Table",
     .display_name = "Expand Payload escaped string as real JSON",
     .documentation = "Whether or not to try unescaping a JSON string and make it real JSON. It "
                      "will infer schema information from payload and update the record schema "
                      "accordingly. If content is not JSON, it just produces a warning and "
                      "emits the record unchanged"},
    {.name = "table.json.payload.null.behavior", .type = FERRY_CONFIG_STRING,
     .default_value = "ignore", .importance = FERRY_IMPORTANCE_MEDIUM,
     .allowed_values = null_behavior_values, .group = "Table",
     .display_name = "Behavior when json payload including null value",
     .documentation = "Behavior when json payload including null value, the default will ignore "
                      "null, optional_bytes will keep the null value, and treat null as optional "
                      "bytes of connect."},
    {.name = "route.by.field", .type = FERRY_CONFIG_STRING, .default_value = "aggregatetype",
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Router",
     .display_name = "Field to route events by",
     .documentation = "The column which determines how the events will be routed, the value "
                      "will become part of the topic name"},
    {.name = "route.topic.regex", .type = FERRY_CONFIG_STRING,
     .default_value = "(?<routedByValue>.*)", .importance = FERRY_IMPORTANCE_LOW,
     .group = "Router", .display_name = "The name of the routed topic",
     .documentation = "The default regex to use within the RegexRouter, the default capture "
                      "will allow to replace the routed field into a new topic name defined in "
                      "'route.topic.replacement'"},
    {.name = "route.topic.replacement", .type = FERRY_CONFIG_STRING,
     .default_value = "outbox.event.${routedByValue}", .importance = FERRY_IMPORTANCE_HIGH,
     .group = "Router", .display_name = "The name of the routed topic",
     .documentation = "The name of the topic in which the events will be routed, a replacement "
                      "'${routedByValue}' is available which is the value of The column "
                      "configured via 'route.by.field'"},
    {.name = "route.tombstone.on.empty.payload", .type = FERRY_CONFIG_BOOLEAN,
     .default_value = "false", .importance = FERRY_IMPORTANCE_HIGH, .group = "Router",
     .display_name = "Empty payloads cause a tombstone message",
     .documentation = "Whether or not an empty payload should cause a tombstone event."},
    {.name = "tracing.span.context.field", .type = FERRY_CONFIG_STRING,
     .default_value = "tracingspancontext", .importance = FERRY_IMPORTANCE_HIGH,
     .group = "Tracing", .display_name = "Serialized tracing span context field",
     .documentation = "The name of the field containing java.util.Properties representation of "
                      "serialized span context. Defaults to 'tracingspancontext'"},
    {.name = "tracing.operation.name", .type = FERRY_CONFIG_STRING,
     .default_value = "debezium-read", .importance = FERRY_IMPORTANCE_HIGH, .group = "Tracing",
     .display_name = "Tracing operation name",
     .documentation = "The operation name representing Debezium processing span. Default is "
                      "'debezium-read'"},
    {.name = "tracing.with.context.field.only", .type = FERRY_CONFIG_BOOLEAN,
     .default_value = "false", .importance = FERRY_IMPORTANCE_HIGH, .group = "Tracing",
     .display_name = "Trace only events with context field present",
     .documentation = "Set to `true` when only events that have serialized context field "
                      "should be traced."},
    {.name = NULL},
};

#define PLACEMENT_KEY "table.fields.additional.placement"

/* ---- configuration ------------------------------------------------------------------------ */

static void outbox_destroy(void *state)
{
    outbox *self = state;
    if (!self)
        return;
    free(self->field_id);
    free(self->field_key);
    free(self->field_payload);
    free(self->field_timestamp);
    free(self->field_schema_version);
    free(self->route_by_field);
    java_regex_free(self->route_regex);
    free(self->route_replacement);
    for (size_t i = 0; i < self->field_count; i++) {
        free(self->fields[i].field);
        free(self->fields[i].alias);
    }
    free(self->fields);
    debezium_names_destroy(self->field_names);
    connect_schema_cache_destroy(self->value_schemas);
    for (size_t i = 0; i < self->versioned_count; i++)
        json_decref(self->versioned[i].schema);
    free(self->versioned);
    free(self->scope);
    free(self);
}

/* A copy of text with Java's trim() applied. */
static char *trimmed_copy(const char *text)
{
    size_t len = 0;
    const char *trimmed = debezium_trim(text, &len);
    return strndup(trimmed, len);
}

/* The list as Debezium's validator shows it: "[a:header, b]" (items trimmed, empty ones out). */
static char *placement_list_text(const char *text)
{
    strlist items = {0};
    strbuf out = {0};
    strlist_split(&items, text, ',');
    strbuf_append_char(&out, '[');
    for (size_t i = 0; i < items.count; i++) {
        if (i)
            strbuf_append_literal(&out, ", ");
        strbuf_append_str(&out, items.items[i]);
    }
    strbuf_append_char(&out, ']');
    strlist_free(&items);
    return strbuf_take(&out, NULL);
}

/* AdditionalFieldsValidator.isListOfStringPairs, then parseAdditionalFieldsConfig, with an
 * unknown placement refused (Debezium fails at the first record with a NullPointerException). */
static int placements_parse(outbox *self, const char *text, char *err, size_t errlen)
{
    strlist items = {0}, checked = {0};
    int rc = text ? strlist_split(&checked, text, ',') : 0;
    for (size_t i = 0; rc == 0 && i < checked.count; i++) {
        strlist parts = {0};
        rc = debezium_split(checked.items[i], ':', &parts);
        if (rc == 0 && parts.count != 2 && parts.count != 3)
            rc = 1;
        strlist_free(&parts);
    }
    if (rc == 0 && text)
        rc = debezium_split(text, ',', &items);
    if (rc == 0 && items.count &&
        !(self->fields = calloc(items.count, sizeof(*self->fields))))
        rc = -1;
    char *problem = NULL;
    for (size_t i = 0; rc == 0 && i < items.count; i++) {
        strlist parts = {0};
        rc = debezium_split(items.items[i], ':', &parts);
        if (rc == 0 && parts.count < 2) {
            rc = 2;
            problem = strdup(items.items[i]);
        }
        char *word = rc == 0 ? trimmed_copy(parts.items[1]) : NULL;
        if (rc == 0 && !word)
            rc = -1;
        additional_field *field = &self->fields[self->field_count];
        if (rc == 0) {
            if (strcasecmp(word, "header") == 0)
                field->placement = PLACEMENT_HEADER;
            else if (strcasecmp(word, "envelope") == 0)
                field->placement = PLACEMENT_ENVELOPE;
            else if (strcasecmp(word, "partition") == 0)
                field->placement = PLACEMENT_PARTITION;
            else
                rc = 3, problem = strdup(word);
        }
        if (rc == 0) {
            self->field_count++;
            field->field = trimmed_copy(parts.items[0]);
            field->alias = trimmed_copy(parts.count == 3 ? parts.items[2] : parts.items[0]);
            if (!field->field || !field->alias)
                rc = -1;
        }
        free(word);
        strlist_free(&parts);
    }
    char *list = rc > 0 ? placement_list_text(text) : NULL;
    if (rc == 1)
        ferry_error_set(err, errlen, "Invalid value %s for configuration " PLACEMENT_KEY ": A "
                        "comma-separated list of valid String pairs or trios is expected but "
                        "got: %s", text, list ? list : "");
    else if (rc == 2)
        ferry_error_set(err, errlen, "Invalid value %s for configuration " PLACEMENT_KEY ": '%s' "
                        "is not a column:placement pair", text, problem ? problem : "");
    else if (rc == 3)
        ferry_error_set(err, errlen, "Invalid value %s for configuration " PLACEMENT_KEY ": "
                        "unknown placement '%s' (expected header, envelope or partition)", text,
                        problem ? problem : "");
    else if (rc < 0)
        ferry_error_set(err, errlen, "out of memory");
    free(list);
    free(problem);
    strlist_free(&items);
    strlist_free(&checked);
    return rc == 0 ? 0 : -1;
}

/* A legacy key's value (set, in any case, trimmed) among words; the index, or -1 with err. */
static int legacy_choice(const char *key, const char *value, const char *const *words,
                         const char *problem, char *err, size_t errlen)
{
    size_t len = 0;
    const char *trimmed = debezium_trim(value, &len);
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == len && strncasecmp(words[i], trimmed, len) == 0)
            return i;
    ferry_error_set(err, errlen, "Invalid value %s for configuration %s: %s", value, key,
                    problem);
    return -1;
}

/* table.op.invalid.behavior, or the old debezium.op.invalid.behavior; table.field.additional
 * .missing, or the old table.fields.additional.error.on.missing; field.name.adjustment.mode. */
static int outbox_choices(outbox *self, const ferry_config *config, char *err, size_t errlen)
{
    static const char *const booleans[] = {"false", "true", NULL};
    const config_map *values = ferry_config_values(config);
    const char *op = config_map_get(values, "table.op.invalid.behavior");
    const char *op_key = "table.op.invalid.behavior";
    if (!op && (op = config_map_get(values, "debezium.op.invalid.behavior")))
        op_key = "debezium.op.invalid.behavior";
    int choice = legacy_choice(op_key, op ? op : "warn", invalid_op_values,
                               "Value must be one of warn, error, fatal", err, errlen);
    if (choice < 0)
        return -1;
    self->invalid_op = (invalid_op)choice;
    const char *missing = config_map_get(values, "table.field.additional.missing");
    const char *old_missing = config_map_get(values, "table.fields.additional.error.on.missing");
    if (missing || !old_missing) {
        self->ignore_missing = legacy_choice("table.field.additional.missing",
                                             missing ? missing : "error", missing_values,
                                             "Value must be one of error, ignore", err,
                                             errlen) == 1;
    } else {
        choice = legacy_choice("table.fields.additional.error.on.missing", old_missing, booleans,
                               "Either 'true' or 'false' is expected", err, errlen);
        if (choice < 0)
            return -1;
        self->ignore_missing = choice == 0;
    }
    const char *null_behavior = ferry_config_string(config, "table.json.payload.null.behavior");
    self->null_as_bytes = legacy_choice("table.json.payload.null.behavior", null_behavior,
                                        null_behavior_values, "", err, errlen) == 1;
    const char *names = config_map_get(values, "field.name.adjustment.mode");
    debezium_names_mode mode = DEBEZIUM_NAMES_NONE;
    if (names && debezium_names_mode_parse(names, &mode) != 0)
        return ferry_error_set(err, errlen, "Invalid value %s for configuration "
                               "field.name.adjustment.mode: Value must be one of none, avro, "
                               "avro_unicode", names), -1;
    if (!(self->field_names = debezium_names_new(mode, true)))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* A copy of a string key's value, NULL when it has none. 0, or -1 when out of memory. */
static int string_copy(const ferry_config *config, const char *key, char **out)
{
    const char *value = ferry_config_string(config, key);
    *out = value ? strdup(value) : NULL;
    return value && !*out ? -1 : 0;
}

static int outbox_create(const ferry_config *config, const char *scope, void **state, char *err,
                         size_t errlen)
{
    outbox *self = calloc(1, sizeof(*self));
    if (!self)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (string_copy(config, "table.field.event.id", &self->field_id) != 0 ||
        string_copy(config, "table.field.event.key", &self->field_key) != 0 ||
        string_copy(config, "table.field.event.payload", &self->field_payload) != 0 ||
        string_copy(config, "table.field.event.timestamp", &self->field_timestamp) != 0 ||
        string_copy(config, "table.field.event.schema.version",
                    &self->field_schema_version) != 0 ||
        string_copy(config, "route.by.field", &self->route_by_field) != 0 ||
        !(self->scope = strdup(scope)) || !(self->value_schemas = connect_schema_cache_new()))
        goto oom;
    /* Debezium validates route.topic.regex as it is; Kafka's RegexRouter, which it configures,
     * trims both values. */
    const char *regex_text = ferry_config_string(config, "route.topic.regex");
    char *regex = trimmed_copy(regex_text);
    self->route_replacement = trimmed_copy(ferry_config_string(config, "route.topic.replacement"));
    if (!regex || !self->route_replacement) {
        free(regex);
        goto oom;
    }
    char why[400];
    self->route_regex = java_regex_compile(regex, why, sizeof(why));
    free(regex);
    if (!self->route_regex) {
        ferry_error_set(err, errlen, "Invalid value %s for configuration route.topic.regex: A "
                        "valid regular expressions is expected, but %s", regex_text, why);
        goto fail;
    }
    self->tombstone_on_empty = ferry_config_bool(config, "route.tombstone.on.empty.payload");
    self->expand_json = ferry_config_bool(config, "table.expand.json.payload");
    if (outbox_choices(self, config, err, errlen) != 0 ||
        placements_parse(self, config_map_get(ferry_config_values(config), PLACEMENT_KEY), err,
                         errlen) != 0)
        goto fail;
    self->only_headers = true;
    for (size_t i = 0; i < self->field_count; i++)
        if (self->fields[i].placement == PLACEMENT_ENVELOPE)
            self->only_headers = false;
    *state = self;
    return 0;
oom:
    ferry_error_set(err, errlen, "out of memory");
fail:
    outbox_destroy(self);
    return -1;
}

/* ---- the JSON payload (JsonSchemaData) ----------------------------------------------------- */

/* The JSON node type Jackson names in its messages. */
static const char *json_node_type(const json_t *node)
{
    switch (json_typeof(node)) {
    case JSON_OBJECT:
        return "OBJECT";
    case JSON_ARRAY:
        return "ARRAY";
    case JSON_STRING:
        return "STRING";
    case JSON_INTEGER:
    case JSON_REAL:
        return "NUMBER";
    case JSON_TRUE:
    case JSON_FALSE:
        return "BOOLEAN";
    case JSON_NULL:
        break;
    }
    return "NULL";
}

/* JsonNode.asText(): a value's text, "" for a container. */
static char *json_node_text(const json_t *node)
{
    if (json_is_object(node) || json_is_array(node))
        return strdup("");
    return debezium_java_text(NULL, node);
}

static bool json_fits_int32(const json_t *node)
{
    json_int_t value = json_integer_value(node);
    return json_is_integer(node) && value >= INT32_MIN && value <= INT32_MAX;
}

static json_t *optional_schema(const char *type)
{
    return json_pack("{s:s, s:b}", "type", type, "optional", 1);
}

static int json_schema_infer(outbox *self, const char *key, const json_t *node, json_t **schema,
                             char *err, size_t errlen);

/* mergeSchema: right's fields added to left's (a BYTES field, a null's, gives way to another
 * type); the result is copySchemaBasics(left), so required. */
static json_t *json_schema_merge(json_t *left, const json_t *right, char *err, size_t errlen)
{
    json_t *merged = connect_schema_copy_basics_new(left);
    json_t *fields = json_array();
    int rc = merged && fields ? 0 : -1;
    const json_t *left_fields = json_object_get(left, "fields");
    for (size_t i = 0; rc == 0 && i < json_array_size(left_fields); i++)
        rc = json_array_append(fields, json_array_get(left_fields, i));
    const json_t *right_fields = json_object_get(right, "fields");
    for (size_t i = 0; rc == 0 && i < json_array_size(right_fields); i++) {
        json_t *field = json_array_get(right_fields, i);
        const char *name = connect_schema_field_name(field);
        size_t at = 0;
        for (; at < json_array_size(fields); at++)
            if (strcmp(connect_schema_field_name(json_array_get(fields, at)), name) == 0)
                break;
        if (at == json_array_size(fields)) {
            rc = json_array_append(fields, field);
        } else {
            json_t *old = json_array_get(fields, at);
            if (!json_equal(old, field) && connect_json_type(old) == CONNECT_TYPE_BYTES &&
                connect_json_type(field) != CONNECT_TYPE_BYTES)
                rc = json_array_set(fields, at, field);
        }
    }
    if (rc == 0)
        rc = json_object_set(merged, "fields", fields);
    json_decref(fields);
    if (rc != 0) {
        json_decref(merged);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    return merged;
}

/* toConnectSchemaWithCycles: the schema of an array's elements. The element schemas of an array
 * of objects are merged in the order of the elements (Debezium merges a HashSet of them, in an
 * order of its own). */
static int json_array_items(outbox *self, const char *key, const json_t *array, json_t **items,
                            char *err, size_t errlen)
{
    *items = NULL;
    const json_t *sample = NULL;
    json_t *sample_schema = NULL;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *element = json_array_get(array, i);
        if (json_is_null(element))
            continue;
        if (!sample)
            sample = element;
        char *sample_text = NULL, *element_text = NULL;
        int rc = 0;
        if (strcmp(json_node_type(element), json_node_type(sample)) != 0) {
            sample_text = json_node_text(sample);
            ferry_error_set(err, errlen, "Field is not a homogenous array (%s x %s).",
                            sample_text ? sample_text : "", json_node_type(element));
            rc = -1;
        } else if (json_is_number(sample)) {
            const char *want = json_is_real(sample) ? "FLOAT64"
                               : json_fits_int32(sample) ? "INT32" : "INT64";
            const char *got = json_is_real(element) ? "FLOAT64"
                              : json_fits_int32(element) ? "INT32" : "INT64";
            if (strcmp(want, got) != 0) {
                sample_text = json_node_text(sample);
                element_text = json_node_text(element);
                ferry_error_set(err, errlen, "Field is not a homogenous array (%s x %s), "
                                "different number types (Schema{%s} x Schema{%s})",
                                sample_text ? sample_text : "", element_text ? element_text : "",
                                want, got);
                rc = -1;
            }
        }
        free(sample_text);
        free(element_text);
        if (rc != 0)
            return -1;
    }
    if (sample && json_is_object(sample)) {
        json_t *schema = NULL;
        for (size_t i = 0; i < json_array_size(array); i++) {
            const json_t *element = json_array_get(array, i);
            if (!json_is_object(element))
                continue;
            json_t *element_schema = NULL;
            if (json_schema_infer(self, key, element, &element_schema, err, errlen) != 0) {
                json_decref(schema);
                return -1;
            }
            /* The same schema twice is one element of Debezium's set. */
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++) {
                const json_t *earlier = json_array_get(array, j);
                json_t *earlier_schema = NULL;
                if (json_is_object(earlier) &&
                    json_schema_infer(self, key, earlier, &earlier_schema, NULL, 0) == 0)
                    seen = json_equal(earlier_schema, element_schema);
                json_decref(earlier_schema);
            }
            json_t *merged = seen ? json_incref(schema)
                             : schema ? json_schema_merge(schema, element_schema, err, errlen)
                                      : json_incref(element_schema);
            json_decref(element_schema);
            json_decref(schema);
            if (!(schema = merged))
                return -1;
        }
        *items = schema;
        return 0;
    }
    if (json_schema_infer(self, NULL, sample ? sample : json_null(), &sample_schema, err,
                          errlen) != 0)
        return -1;
    if (!sample_schema)
        return ferry_error_set(err, errlen, "Array '' has unrecognized member schema."), -1;
    *items = sample_schema;
    return 0;
}

/* toConnectSchema(key, node): a new schema, or NULL in *schema for a node that has none (a null
 * ignored, an empty array). -1 with a message when Debezium throws. */
static int json_schema_infer(outbox *self, const char *key, const json_t *node, json_t **schema,
                             char *err, size_t errlen)
{
    *schema = NULL;
    switch (json_typeof(node)) {
    case JSON_STRING:
        *schema = optional_schema("string");
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        *schema = optional_schema("boolean");
        break;
    case JSON_INTEGER:
        *schema = optional_schema(json_fits_int32(node) ? "int32" : "int64");
        break;
    case JSON_REAL:
        *schema = optional_schema("double");
        break;
    case JSON_NULL:
        if (!self->null_as_bytes)
            return 0;
        *schema = optional_schema("bytes");
        break;
    case JSON_ARRAY: {
        if (json_array_size(node) == 0)
            return 0;
        json_t *items = NULL;
        if (json_array_items(self, key, node, &items, err, errlen) != 0)
            return -1;
        *schema = json_pack("{s:s, s:o, s:b}", "type", "array", "items", items, "optional", 1);
        break;
    }
    case JSON_OBJECT: {
        json_t *built = connect_schema_struct_new();
        if (!built || connect_schema_optional_set(built, true) != 0 ||
            (key && json_object_set_new(built, "name", json_string(key)) != 0)) {
            json_decref(built);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
        const char *member_name;
        json_t *member;
        json_object_foreach((json_t *)node, member_name, member) {
            char *name = debezium_names_adjust(self->field_names, member_name, err, errlen);
            char *member_key = NULL;
            json_t *member_schema = NULL;
            int rc = name ? 0 : -1;
            if (rc == 0 && asprintf(&member_key, "%s%s%s", debezium_is_blank(key) ? "" : key,
                                    debezium_is_blank(key) ? "" : ".", name) < 0) {
                member_key = NULL;
                rc = (ferry_error_set(err, errlen, "out of memory"), -1);
            }
            if (rc == 0)
                rc = json_schema_infer(self, member_key, member, &member_schema, err, errlen);
            if (rc == 0 && member_schema && !connect_schema_field_find(built, name))
                rc = connect_schema_field_append(built, name, member_schema, err, errlen);
            free(name);
            free(member_key);
            json_decref(member_schema);
            if (rc != 0) {
                json_decref(built);
                return -1;
            }
        }
        *schema = built;
        return 0;
    }
    }
    if (!*schema)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* Whether a JSON node goes into a field of schema as Struct.put accepts it: the Java class
 * Jackson gives it (Integer within int32, Long beyond, Double for a real) must be the schema's,
 * a null needs an optional schema. */
static bool json_value_fits(const json_t *schema, const json_t *node)
{
    if (json_is_null(node))
        return connect_schema_is_optional(schema);
    switch (connect_json_type(schema)) {
    case CONNECT_TYPE_STRING:
        return json_is_string(node);
    case CONNECT_TYPE_BOOLEAN:
        return json_is_boolean(node);
    case CONNECT_TYPE_INT32:
        return json_fits_int32(node);
    case CONNECT_TYPE_INT64:
        return json_is_integer(node) && !json_fits_int32(node);
    case CONNECT_TYPE_FLOAT64:
        return json_is_real(node);
    case CONNECT_TYPE_ARRAY:
        if (!json_is_array(node))
            return false;
        for (size_t i = 0; i < json_array_size(node); i++)
            if (!json_value_fits(json_object_get(schema, "items"), json_array_get(node, i)))
                return false;
        return true;
    case CONNECT_TYPE_STRUCT: {
        if (!json_is_object(node))
            return false;
        const json_t *fields = json_object_get(schema, "fields");
        for (size_t i = 0; i < json_array_size(fields); i++) {
            const json_t *field = json_array_get(fields, i);
            const json_t *member = json_object_get(node, connect_schema_field_name(field));
            if (member && !json_value_fits(field, member))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

/* toConnectData: the node under the inferred schema, only the members the schema names (by the
 * adjusted name, as Debezium looks them up), in its order. A new reference. */
static json_t *json_value_build(const json_t *schema, const json_t *node)
{
    if (json_is_array(node)) {
        json_t *out = json_array();
        for (size_t i = 0; out && i < json_array_size(node); i++)
            if (json_array_append_new(out, json_value_build(json_object_get(schema, "items"),
                                                            json_array_get(node, i))) != 0) {
                json_decref(out);
                return NULL;
            }
        return out;
    }
    if (!json_is_object(node))
        return json_incref((json_t *)node);
    json_t *out = json_object();
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; out && i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        const json_t *member = json_object_get(node, name);
        if (json_object_set_new(out, name, member ? json_value_build(field, member)
                                                  : json_null()) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* table.expand.json.payload: a string payload that is a JSON object becomes a struct under a
 * schema inferred from it. What Debezium only warns about leaves the payload as it is; a payload
 * whose value does not fit the schema Debezium has already put in place (a top-level array, an
 * array whose objects disagree on a field's type) fails the record, as it then fails in Java's
 * converter. 0, or -1 with err. */
static int payload_expand(outbox *self, const ferry_record *record, json_t **payload,
                          json_t **payload_schema, char *err, size_t errlen)
{
    if (!*payload)
        return 0;
    if (!json_is_string(*payload)) {
        char *key = debezium_java_text(record->key.schema, record->key.json);
        log_warn(self->scope, "Expand JSON payload is turned on but payload is not a string in "
                              "%s", key ? key : "null");
        free(key);
        return 0;
    }
    const char *text = json_string_value(*payload);
    json_error_t error;
    json_t *node = NULL, *schema = NULL;
    char why[400] = "";
    if (text[0] != '{' && text[0] != '[') {
        snprintf(why, sizeof(why), "Unable to parse payload starting with '%.1s'", text);
    } else if (!(node = json_loadb(text, json_string_length(*payload),
                                   JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &error))) {
        snprintf(why, sizeof(why), "%s", error.text);
    } else if (json_schema_infer(self, self->field_payload, node, &schema, why,
                                 sizeof(why)) != 0) {
        /* thrown while inferring: Debezium keeps the payload and its schema */
    } else if (!schema) {
        /* An empty array: Debezium's payload schema becomes null, the payload stays. */
        json_decref(node);
        json_decref(*payload_schema);
        *payload_schema = NULL;
        log_warn(self->scope, "JSON expansion failed: the payload %s has no schema", text);
        return 0;
    } else if (!json_is_object(node) || !json_value_fits(schema, node)) {
        ferry_error_set(err, errlen, "the JSON payload expanded to a value that does not fit the "
                        "schema inferred from it (%s); Debezium's EventRouter emits such a record "
                        "with a schema its value does not have, which no converter writes",
                        json_is_object(node) ? "fields of different types" : "not an object");
        json_decref(node);
        json_decref(schema);
        return -1;
    } else {
        json_t *value = json_value_build(schema, node);
        json_decref(node);
        if (!value) {
            json_decref(schema);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
        json_decref(*payload);
        json_decref(*payload_schema);
        *payload = value;
        *payload_schema = schema;
        return 0;
    }
    json_decref(node);
    json_decref(schema);
    log_warn(self->scope, "JSON expansion failed: %s", why);
    return 0;
}

/* ---- one event ---------------------------------------------------------------------------- */

/* getEventTimestampMs: the event's ts_ms, or the table.field.event.timestamp column in
 * milliseconds (only Debezium's Timestamp, MicroTimestamp and NanoTimestamp). */
static int event_timestamp(const outbox *self, const json_t *envelope,
                           const json_t *envelope_schema, const json_t *event,
                           const json_t *event_schema, int64_t *timestamp, char *err,
                           size_t errlen)
{
    json_t *ts_ms = NULL;
    if (self->field_timestamp) {
        const json_t *field = connect_schema_field_find(event_schema, self->field_timestamp);
        if (!field)
            return ferry_error_set(err, errlen, "Unable to find timestamp field %s in event",
                                   self->field_timestamp), -1;
        json_t *column = NULL;
        if (debezium_struct_get_typed(event_schema, event, self->field_timestamp,
                                      CONNECT_TYPE_INT64, &column, err, errlen) != 0)
            return -1;
        if (column) {
            const char *name = json_string_value(json_object_get(field, "name"));
            json_int_t value = json_integer_value(column);
            if (!name)
                return ferry_error_set(err, errlen, "Unsupported field type INT64 (without "
                                       "logical schema name) for event timestamp"), -1;
            if (strcmp(name, "io.debezium.time.Timestamp") == 0)
                *timestamp = value;
            else if (strcmp(name, "io.debezium.time.MicroTimestamp") == 0)
                *timestamp = value / 1000;
            else if (strcmp(name, "io.debezium.time.NanoTimestamp") == 0)
                *timestamp = value / 1000000;
            else
                return ferry_error_set(err, errlen, "Unsupported field type %s for event "
                                       "timestamp", name), -1;
            return 0;
        }
    }
    if (debezium_struct_get_typed(envelope_schema, envelope, "ts_ms", CONNECT_TYPE_INT64, &ts_ms,
                                  err, errlen) != 0)
        return -1;
    *timestamp = ts_ms ? json_integer_value(ts_ms) : FERRY_TIMESTAMP_NONE;
    return 0;
}

/* getSchemaName: the outbox row's schema name with the routed value before its last part
 * ("srv.public.outbox.Value" and "Order": "srv.public.outbox.Order.Value"). */
static char *value_schema_name(const json_t *event_schema, const char *routed)
{
    const char *name = json_string_value(json_object_get(event_schema, "name"));
    char *out = NULL;
    if (!name)
        return strdup(routed);
    const char *dot = strrchr(name, '.');
    int rc = dot ? asprintf(&out, "%.*s%s.%s", (int)(dot - name + 1), name, routed, dot + 1)
                 : asprintf(&out, "%s.%s", routed, name);
    return rc < 0 ? NULL : out;
}

/* getSchemaBuilder: a struct named after the routed value, with payload and the envelope
 * placements (their columns' schemas). A new reference, or NULL with err. */
static json_t *value_schema_build(const outbox *self, const json_t *payload_schema,
                                  const json_t *event_schema, const char *routed,
                                  const json_t *version, char *err, size_t errlen)
{
    char *name = value_schema_name(event_schema, routed);
    json_t *schema = name ? connect_schema_struct_new() : NULL;
    if (!schema || json_object_set_new(schema, "name", json_string(name)) != 0 ||
        (version && json_object_set(schema, "version", (json_t *)version) != 0)) {
        free(name);
        json_decref(schema);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    free(name);
    if (connect_schema_field_append(schema, "payload", payload_schema, err, errlen) != 0)
        goto fail;
    for (size_t i = 0; i < self->field_count; i++) {
        const additional_field *field = &self->fields[i];
        if (field->placement != PLACEMENT_ENVELOPE)
            continue;
        const json_t *column = connect_schema_field_find(event_schema, field->field);
        if (!column) {
            if (self->ignore_missing)
                continue;
            ferry_error_set(err, errlen, "Unable to find field %s in event", field->field);
            goto fail;
        }
        if (connect_schema_field_append(schema, field->alias, column, err, errlen) != 0)
            goto fail;
    }
    return schema;
fail:
    json_decref(schema);
    return NULL;
}

/* getValueSchema: the first schema made for a payload schema (or, with
 * table.field.event.schema.version, for a version) serves every later event, whatever its
 * routed value. Borrowed. */
static json_t *value_schema_get(outbox *self, const json_t *payload_schema,
                                const json_t *event_schema, const json_t *event,
                                char *err, size_t errlen)
{
    json_t *version = NULL, *routed = NULL;
    if (self->field_schema_version &&
        debezium_struct_get_typed(event_schema, event, self->field_schema_version,
                                  CONNECT_TYPE_INT32, &version, err, errlen) != 0)
        return NULL;
    if (debezium_struct_get_typed(event_schema, event, self->route_by_field, CONNECT_TYPE_STRING,
                                  &routed, err, errlen) != 0)
        return NULL;
    const char *routed_text = routed ? json_string_value(routed) : "null";
    if (!self->field_schema_version) {
        json_t *schema = connect_schema_cache_get(self->value_schemas, payload_schema);
        if (schema)
            return schema;
        schema = value_schema_build(self, payload_schema, event_schema, routed_text, NULL, err,
                                    errlen);
        if (!schema)
            return NULL;
        connect_schema_cache_put(self->value_schemas, (json_t *)payload_schema, schema);
        json_decref(schema);
        return connect_schema_cache_get(self->value_schemas, payload_schema);
    }
    for (size_t i = 0; i < self->versioned_count; i++) {
        versioned_schema *entry = &self->versioned[i];
        if (entry->has_version == (version != NULL) &&
            (!version || entry->version == json_integer_value(version)))
            return entry->schema;
    }
    json_t *schema = value_schema_build(self, payload_schema, event_schema, routed_text, version,
                                        err, errlen);
    versioned_schema *grown = schema ? realloc(self->versioned, (self->versioned_count + 1) *
                                                                   sizeof(*grown))
                                     : NULL;
    if (!grown) {
        if (schema)
            ferry_error_set(err, errlen, "out of memory");
        json_decref(schema);
        return NULL;
    }
    self->versioned = grown;
    grown[self->versioned_count++] = (versioned_schema){
        .has_version = version != NULL,
        .version = version ? (int32_t)json_integer_value(version) : 0, .schema = schema};
    return schema;
}

/* The additional fields, in their order: envelope ones into value (NULL: only headers), header
 * ones as headers, a partition one as the record's partition. */
static int additional_fields_place(const outbox *self, ferry_record *record,
                                   transform_output *output, const json_t *event,
                                   const json_t *event_schema, json_t *value,
                                   const json_t *value_schema, char *err, size_t errlen)
{
    for (size_t i = 0; i < self->field_count; i++) {
        const additional_field *field = &self->fields[i];
        const json_t *column = connect_schema_field_find(event_schema, field->field);
        if (!column && self->ignore_missing)
            continue;
        json_t *member = NULL;
        switch (field->placement) {
        case PLACEMENT_ENVELOPE:
            if (connect_schema_struct_get(event_schema, event, field->field, true, &member, err,
                                          errlen) != 0)
                return -1;
            if (!connect_schema_field_find(value_schema, field->alias))
                return ferry_error_set(err, errlen, "%s is not a valid field name",
                                       field->alias), -1;
            if (json_object_set(value, field->alias, member ? member : json_null()) != 0)
                return ferry_error_set(err, errlen, "out of memory"), -1;
            break;
        case PLACEMENT_HEADER:
            if (connect_schema_struct_get(event_schema, event, field->field, true, &member, err,
                                          errlen) != 0)
                return -1;
            if (debezium_header_add(output, record, field->alias, column, member) != 0)
                return ferry_error_set(err, errlen, "out of memory"), -1;
            break;
        case PLACEMENT_PARTITION:
            if (debezium_struct_get_typed(event_schema, event, field->field, CONNECT_TYPE_INT32,
                                          &member, err, errlen) != 0)
                return -1;
            record->partition = member ? (int32_t)json_integer_value(member)
                                       : FERRY_PARTITION_ANY;
            break;
        }
    }
    return 0;
}

/* Object.toString() of the payload is empty or white space (or it is null); a byte[]'s never
 * is. */
static bool payload_is_empty(const json_t *payload_schema, const json_t *payload)
{
    if (!payload)
        return true;
    if (connect_json_type(payload_schema) == CONNECT_TYPE_BYTES)
        return false;
    char *text = debezium_java_text(payload_schema, payload);
    bool empty = debezium_is_blank(text);
    free(text);
    return empty;
}

/* The routed topic: the route.by.field column through Kafka's RegexRouter. */
static int event_topic(const outbox *self, ferry_record *record, transform_output *output,
                       const json_t *event, const json_t *event_schema, char *err,
                       size_t errlen)
{
    json_t *routed = NULL;
    if (debezium_struct_get_typed(event_schema, event, self->route_by_field, CONNECT_TYPE_STRING,
                                  &routed, err, errlen) != 0)
        return -1;
    if (!routed)
        return ferry_error_set(err, errlen, "the outbox event's %s is null: it gives no topic",
                               self->route_by_field), -1;
    const char *topic = json_string_value(routed);
    char *replaced = NULL;
    if (java_regex_matches(self->route_regex, topic, json_string_length(routed)) &&
        java_regex_replace_first(self->route_regex, topic, self->route_replacement, &replaced,
                                 err, errlen) < 0)
        return -1;
    const char *kept = transform_keep_text(output, replaced ? replaced : topic,
                                           strlen(replaced ? replaced : topic));
    free(replaced);
    if (!kept)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    record->topic = kept;
    return 0;
}

/* A create or read of an outbox row becomes its event. */
static int outbox_route(outbox *self, ferry_record *record, transform_output *output,
                        const json_t *envelope, const json_t *envelope_schema, char *err,
                        size_t errlen)
{
    /* ExtractField$Value("after") */
    const json_t *event_schema = connect_schema_field_find(envelope_schema, "after");
    if (!event_schema)
        return ferry_error_set(err, errlen, "Unknown field: after"), -1;
    json_t *event = NULL;
    connect_schema_struct_get(envelope_schema, envelope, "after", true, &event, NULL, 0);
    if (connect_schema_require_struct(event_schema, event, "Read Outbox Event", err, errlen) != 0)
        return -1;
    const json_t *payload_field = connect_schema_field_find(event_schema, self->field_payload);
    if (!payload_field)
        return ferry_error_set(err, errlen, "Unable to find payload field %s in event",
                               self->field_payload), -1;
    int64_t timestamp = FERRY_TIMESTAMP_NONE;
    json_t *event_id = NULL, *payload = NULL, *key = NULL;
    if (event_timestamp(self, envelope, envelope_schema, event, event_schema, &timestamp, err,
                        errlen) != 0 ||
        connect_schema_struct_get(event_schema, event, self->field_id, true, &event_id, err,
                                  errlen) != 0 ||
        connect_schema_struct_get(event_schema, event, self->field_payload, true, &payload, err,
                                  errlen) != 0)
        return -1;
    if (debezium_header_add(output, record, "id", connect_schema_field_find(event_schema,
                                                                            self->field_id),
                            event_id) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    json_t *payload_schema = connect_schema_field_schema(payload_field);
    json_incref(payload);
    int rc = payload_schema ? 0 : (ferry_error_set(err, errlen, "out of memory"), -1);
    if (rc == 0 && self->expand_json)
        rc = payload_expand(self, record, &payload, &payload_schema, err, errlen);
    json_t *value_schema = NULL, *value = NULL;
    /* The new record's partition is the partition placement's, or none (the producer's). */
    record->partition = FERRY_PARTITION_ANY;
    if (rc == 0 && !self->only_headers) {
        value_schema = value_schema_get(self, payload_schema, event_schema, event, err, errlen);
        value = value_schema ? json_pack("{s:O?}", "payload", payload) : NULL;
        if (value_schema && !value)
            ferry_error_set(err, errlen, "out of memory");
        rc = value ? 0 : -1;
    }
    if (rc == 0)
        rc = additional_fields_place(self, record, output, event, event_schema, value,
                                     value_schema, err, errlen);
    /* A record read from Kafka always has a partition: Kafka Connect's SinkRecord cannot be
     * made without one, and Debezium's router, which makes one with none, fails there. */
    if (rc == 0 && output->side == TRANSFORM_SIDE_SINK &&
        record->partition == FERRY_PARTITION_ANY) {
        ferry_error_set(err, errlen, "the routed record has no partition (no partition placement "
                        "gave one), which a record read from Kafka must have: EventRouter routes "
                        "a source's records");
        rc = -1;
    }
    if (rc == 0)
        rc = connect_schema_struct_get(event_schema, event, self->field_key, true, &key, err,
                                       errlen);
    if (rc == 0)
        rc = event_topic(self, record, output, event, event_schema, err, errlen);
    if (rc == 0) {
        const json_t *key_field = connect_schema_field_find(event_schema, self->field_key);
        json_t *key_schema = key_field ? connect_schema_field_schema(key_field)
                                       : json_pack("{s:s, s:b}", "type", "string", "optional", 0);
        if (!key_schema) {
            rc = (ferry_error_set(err, errlen, "out of memory"), -1);
        } else {
            transform_data_take_json(&record->key, json_incref(key ? key : json_null()),
                                     key_schema);
            if (self->tombstone_on_empty && payload_is_empty(payload_schema, payload))
                transform_data_set_null(&record->value);
            else if (self->only_headers)
                transform_data_set_json(&record->value, payload ? payload : json_null(),
                                        payload_schema);
            else
                transform_data_set_json(&record->value, value, value_schema);
            record->timestamp_ms = timestamp;
        }
    }
    json_decref(value);
    json_decref(payload);
    json_decref(payload_schema);
    return rc;
}

static transform_result outbox_apply(void *state, ferry_record *record, transform_output *output,
                                     char *err, size_t errlen)
{
    outbox *self = state;
    if (transform_data_is_null(&record->value))
        return TRANSFORM_DROP; /* tombstones are ignored */
    if (!debezium_is_envelope(&record->value))
        return TRANSFORM_KEEP; /* heartbeats, schema changes */
    if (transform_data_tree(output, &record->value, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *envelope = json_incref(record->value.json);
    json_t *schema = json_incref(record->value.schema);
    json_t *op = NULL;
    int rc = connect_schema_require_struct(schema, envelope, "Detect Debezium Operation", err,
                                           errlen) == 0 &&
                     debezium_struct_get_typed(schema, envelope, "op", CONNECT_TYPE_STRING, &op,
                                               err, errlen) == 0
                 ? 0
                 : -1;
    if (rc == 0 && !op)
        rc = (ferry_error_set(err, errlen, "the change event has a null op"), -1);
    const char *code = rc == 0 ? json_string_value(op) : "";
    if (rc == 0 && strcmp(code, "d") == 0) {
        rc = 1; /* deletes are ignored */
    } else if (rc == 0 && strcmp(code, "u") == 0) {
        char *key = transform_data_tree(output, &record->key, err, errlen) == 0
                        ? debezium_java_text(record->key.schema, record->key.json)
                        : NULL;
        if (self->invalid_op == INVALID_OP_FATAL) {
            rc = (ferry_error_set(err, errlen, "Unexpected update message received %s, fail.",
                                 key ? key : "null"), -1);
        } else {
            if (self->invalid_op == INVALID_OP_ERROR)
                log_error(self->scope, "Unexpected update message received %s and ignored",
                          key ? key : "null");
            else
                log_warn(self->scope, "Unexpected update message received %s and ignored",
                         key ? key : "null");
            rc = 1;
        }
        free(key);
    } else if (rc == 0) {
        rc = outbox_route(self, record, output, envelope, schema, err, errlen);
    }
    json_decref(envelope);
    json_decref(schema);
    return rc < 0 ? TRANSFORM_FAIL : rc > 0 ? TRANSFORM_DROP : TRANSFORM_KEEP;
}

const transform_type outbox_event_router_type = {
    .name = "EventRouter",
    .aliases = (const char *const[]){"io.debezium.transforms.outbox.EventRouter", NULL},
    .description = "Debezium's outbox event router: the rows inserted into an outbox table "
                   "become events on a topic per aggregate type, keyed by aggregate id.",
    .config = outbox_config,
    .needs = TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_VALUE | TRANSFORM_NEEDS_HEADER_APPEND |
             TRANSFORM_NEEDS_TIMESTAMP,
    .create = outbox_create,
    .apply = outbox_apply,
    .destroy = outbox_destroy,
};
