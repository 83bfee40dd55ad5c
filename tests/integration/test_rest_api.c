/*
 * test_rest_api.c - every endpoint of the REST API against the real ferry binary and the real
 * broker, success and error cases, with Kafka Connect's status codes, JSON shapes and
 * {"error_code","message"} errors; then the persistence promise: what was changed over REST is
 * in the configs topic in Kafka Connect's format and comes back after a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

static char why[512];

#define SHAPE(check, value, what) rc_assert_shape(check(value, why, sizeof(why)), what, why)

static const char *state_of(const json_t *status, int task)
{
    if (task < 0)
        return json_string_value(json_object_get(json_object_get(status, "connector"), "state"));
    return json_string_value(
        json_object_get(json_array_get(json_object_get(status, "tasks"), (size_t)task), "state"));
}

/* Waits until the connector (and task 0, unless task_state is NULL) report the states. */
static json_t *wait_states(rc_client *client, const char *name, const char *connector_state,
                           const char *task_state)
{
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/status", name);
    int64_t deadline = fp_now_ms() + 30000;
    char seen[128] = "";
    while (fp_now_ms() < deadline) {
        json_t *status = rc_expect(client, "GET", path, NULL, 200);
        SHAPE(rc_shape_status, status, path);
        const char *connector = state_of(status, -1);
        const char *task = state_of(status, 0);
        snprintf(seen, sizeof(seen), "%s/%s", connector, task ? task : "-");
        if (strcmp(connector, connector_state) == 0 &&
            (!task_state || (task && strcmp(task, task_state) == 0)))
            return status;
        json_decref(status);
        fp_sleep_ms(100);
    }
    fail_msg("%s: expected %s/%s, last seen %s", name, connector_state,
             task_state ? task_state : "*", seen);
    return NULL;
}

static bool array_has_string(const json_t *array, const char *text)
{
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item)
        if (json_is_string(item) && strcmp(json_string_value(item), text) == 0)
            return true;
    return false;
}

static json_t *find_config(json_t *infos, const char *key)
{
    size_t index;
    json_t *config;
    json_array_foreach(json_object_get(infos, "configs"), index, config) {
        const char *name = json_string_value(json_object_get(json_object_get(config, "value"),
                                                             "name"));
        if (name && strcmp(name, key) == 0)
            return json_object_get(config, "value");
    }
    return NULL;
}

/* GET /connector-plugins shows Kafka Connect's class names (sinks first, then sources, each by
 * class), with the plugin's version; ferry's own names stay valid wherever a plugin is named. */
static void check_plugin_class_names(rc_client *client)
{
    json_t *plugins = rc_expect(client, "GET", "/connector-plugins", NULL, 200);
    const char *const expected[][2] = {
        {"org.apache.kafka.connect.file.FileStreamSinkConnector", "sink"},
        {"org.apache.kafka.connect.file.FileStreamSourceConnector", "source"},
    };
    size_t found[2] = {0, 0};
    bool source_seen = false;
    size_t index;
    json_t *plugin;
    json_array_foreach(plugins, index, plugin) {
        const char *class_name = json_string_value(json_object_get(plugin, "class"));
        const char *type = json_string_value(json_object_get(plugin, "type"));
        if (strcmp(type, "sink") == 0 && source_seen)
            fail_msg("sink %s listed after a source", class_name);
        source_seen |= strcmp(type, "source") == 0;
        assert_true(strcmp(class_name, "FileSource") != 0 && strcmp(class_name, "FileSink") != 0);
        for (size_t e = 0; e < 2; e++) {
            if (strcmp(class_name, expected[e][0]) != 0)
                continue;
            found[e] = index + 1;
            assert_string_equal(type, expected[e][1]);
            assert_string_equal(json_string_value(json_object_get(plugin, "version")), "1.0.0");
        }
    }
    assert_true(found[0] > 0 && found[1] > 0);
    json_decref(plugins);
    /* One definition by any of the names. */
    json_t *by_class = rc_expect(client, "GET", "/connector-plugins/org.apache.kafka.connect.file."
                                 "FileStreamSourceConnector/config", NULL, 200);
    static const char *const names[] = {"FileSource", "FileStreamSource",
                                        "FileStreamSourceConnector"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "/connector-plugins/%s/config", names[i]);
        json_t *by_name = rc_expect(client, "GET", path, NULL, 200);
        assert_true(json_equal(by_class, by_name));
        json_decref(by_name);
    }
    json_decref(by_class);
    /* A body naming the type by ferry's name validates against Kafka Connect's class name, and
     * the other way round; the answer is named by connector.class as given. */
    json_t *infos = rc_expect(client, "PUT", "/connector-plugins/org.apache.kafka.connect.file."
                              "FileStreamSourceConnector/config/validate",
                              "{\"connector.class\":\"FileSource\",\"name\":\"v\","
                              "\"topic\":\"t\",\"file\":\"/tmp/x\"}", 200);
    assert_string_equal(json_string_value(json_object_get(infos, "name")), "FileSource");
    assert_int_equal(json_integer_value(json_object_get(infos, "error_count")), 0);
    json_decref(infos);
    infos = rc_expect(client, "PUT", "/connector-plugins/FileSource/config/validate",
                      "{\"connector.class\":\"org.apache.kafka.connect.file."
                      "FileStreamSourceConnector\",\"name\":\"v\",\"topic\":\"t\","
                      "\"file\":\"/tmp/x\"}", 200);
    assert_int_equal(json_integer_value(json_object_get(infos, "error_count")), 0);
    json_decref(infos);
    rc_expect_error(client, "PUT", "/connector-plugins/FileSource/config/validate",
                    "{\"connector.class\":\"FileSink\",\"name\":\"v\"}", 400,
                    "Included connector type FileSink does not match request type FileSource");
}

/* Kafka Connect 3.9's framework keys, in its order, in /config (after the plugin's keys) and in
 * validate (before them): ConnectorConfig's 15 and SourceConnectorConfig's 5 (23 with
 * FileStreamSource's own 3), with Kafka Connect's field names, order and width. */
static void check_framework_keys(rc_client *client)
{
    static const char *const source_keys[] = {
        "name", "connector.class", "tasks.max", "tasks.max.enforce", "key.converter",
        "value.converter", "header.converter", "transforms", "predicates",
        "config.action.reload", "errors.retry.timeout", "errors.retry.delay.max.ms",
        "errors.tolerance", "errors.log.enable", "errors.log.include.messages",
        "topic.creation.groups", "exactly.once.support", "transaction.boundary",
        "transaction.boundary.interval.ms", "offsets.storage.topic"};
    const size_t count = sizeof(source_keys) / sizeof(source_keys[0]);
    json_t *keys = rc_expect(client, "GET", "/connector-plugins/FileStreamSource/config", NULL,
                             200);
    size_t index, first = 0;
    json_t *key;
    json_array_foreach(keys, index, key) {
        SHAPE(rc_shape_config_key, key, "GET /connector-plugins/FileStreamSource/config");
        if (strcmp(json_string_value(json_object_get(key, "name")), "name") == 0)
            first = index;
    }
    assert_true(first > 0); /* the plugin's own keys come first */
    assert_true(json_array_size(keys) >= first + count);
    for (size_t i = 0; i < count; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(keys, first + i),
                                                              "name")), source_keys[i]);
    json_t *transforms = json_array_get(keys, first + 7);
    assert_int_equal(json_integer_value(json_object_get(transforms, "order")), 8);
    assert_string_equal(json_string_value(json_object_get(transforms, "group")), "Transforms");
    assert_string_equal(json_string_value(json_object_get(transforms, "width")), "LONG");
    json_t *tasks = json_array_get(keys, first + 2);
    assert_string_equal(json_string_value(json_object_get(tasks, "display_name")), "Tasks max");
    assert_string_equal(json_string_value(json_object_get(tasks, "default_value")), "1");
    json_decref(keys);

    json_t *infos = rc_expect(client, "PUT", "/connector-plugins/FileStreamSource/config/validate",
                              "{\"name\":\"v\",\"topic\":\"t\"}", 200);
    SHAPE(rc_shape_config_infos, infos, "validate FileStreamSource");
    json_t *configs = json_object_get(infos, "configs");
    for (size_t i = 0; i < count; i++) {
        json_t *definition = json_object_get(json_array_get(configs, i), "definition");
        assert_string_equal(json_string_value(json_object_get(definition, "name")),
                            source_keys[i]);
    }
    json_t *groups = json_object_get(infos, "groups");
    static const char *const source_groups[] = {"Common", "Transforms", "Predicates",
                                                "Error Handling", "Topic Creation",
                                                "Exactly Once Support", "offsets.topic"};
    for (size_t i = 0; i < sizeof(source_groups) / sizeof(source_groups[0]); i++)
        assert_string_equal(json_string_value(json_array_get(groups, i)), source_groups[i]);
    json_decref(infos);

    static const char *const sink_keys[] = {"topics", "topics.regex",
                                            "errors.deadletterqueue.topic.name",
                                            "errors.deadletterqueue.topic.replication.factor",
                                            "errors.deadletterqueue.context.headers.enable"};
    infos = rc_expect(client, "PUT", "/connector-plugins/FileStreamSink/config/validate",
                      "{\"name\":\"v\",\"topics\":\"t\"}", 200);
    configs = json_object_get(infos, "configs");
    for (size_t i = 0; i < 5; i++) {
        json_t *definition = json_object_get(json_array_get(configs, 15 + i), "definition");
        assert_string_equal(json_string_value(json_object_get(definition, "name")),
                            sink_keys[i]);
    }
    json_decref(infos);
}

/* A converter key naming no converter is refused at create and update with Kafka Connect's
 * words for a CLASS it cannot load, and is an error on that key in validate. */
static void check_converter_names(rc_client *client)
{
    const char *message = "Invalid value com.example.NoSuchConverter for configuration "
                          "value.converter: Class com.example.NoSuchConverter could not be "
                          "found.";
    json_t *infos = rc_expect(client, "PUT", "/connector-plugins/SequenceSource/config/validate",
                              "{\"connector.class\":\"SequenceSource\",\"name\":\"v\","
                              "\"topic\":\"t\",\"value.converter\":"
                              "\"com.example.NoSuchConverter\",\"key.converter\":"
                              "\"StringConverter\",\"header.converter\":"
                              "\"org.apache.kafka.connect.storage.SimpleHeaderConverter\"}", 200);
    assert_int_equal(json_integer_value(json_object_get(infos, "error_count")), 1);
    json_t *errors = json_object_get(find_config(infos, "value.converter"), "errors");
    assert_int_equal(json_array_size(errors), 1);
    assert_string_equal(json_string_value(json_array_get(errors, 0)), message);
    json_decref(infos);
    rc_expect_error(client, "POST", "/connectors",
                    "{\"name\":\"bad-converter\",\"config\":{\"connector.class\":"
                    "\"SequenceSource\",\"topic\":\"t\",\"value.converter\":"
                    "\"com.example.NoSuchConverter\"}}", 400, message);
    rc_expect_error(client, "PUT", "/connectors/bad-converter/config",
                    "{\"connector.class\":\"SequenceSource\",\"topic\":\"t\","
                    "\"header.converter\":\"avro\"}", 400,
                    "Invalid value avro for configuration header.converter: Class avro could "
                    "not be found.");
    rc_expect_error(client, "GET", "/connectors/bad-converter", NULL, 404, "not found");
}

static void check_server_and_plugins(rc_client *client)
{
    json_t *root = rc_expect(client, "GET", "/", NULL, 200);
    assert_true(json_is_string(json_object_get(root, "version")));
    assert_true(json_is_string(json_object_get(root, "commit")));
    assert_true(json_string_length(json_object_get(root, "kafka_cluster_id")) > 0);
    json_decref(root);

    json_t *health = rc_expect(client, "GET", "/health", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(health, "status")), "healthy");
    assert_string_equal(json_string_value(json_object_get(health, "message")),
                        "Worker has completed startup and is ready to handle requests.");
    json_decref(health);

    json_t *plugins = rc_expect(client, "GET", "/connector-plugins", NULL, 200);
    assert_true(json_array_size(plugins) >= 3);
    size_t index;
    json_t *plugin;
    bool sequence = false, converter = false;
    json_array_foreach(plugins, index, plugin) {
        SHAPE(rc_shape_plugin, plugin, "GET /connector-plugins");
        sequence |= strcmp(json_string_value(json_object_get(plugin, "class")),
                           "io.ferry.test.SequenceSourceConnector") == 0;
        converter |= strcmp(json_string_value(json_object_get(plugin, "type")), "converter") == 0;
    }
    assert_true(sequence);
    assert_false(converter);
    json_decref(plugins);
    plugins = rc_expect(client, "GET", "/connector-plugins?connectorsOnly=false", NULL, 200);
    converter = false;
    bool transformation = false, header_converter = false;
    int predicates = 0;
    /* Kafka Connect's order: connectors, transformations, predicates, converters, header
     * converters. */
    static const char *const type_order[] = {"connector", "transformation", "predicate",
                                             "converter", "header_converter"};
    size_t type_at = 0;
    json_array_foreach(plugins, index, plugin) {
        SHAPE(rc_shape_plugin, plugin, "GET /connector-plugins?connectorsOnly=false");
        const char *class_name = json_string_value(json_object_get(plugin, "class"));
        const char *type = json_string_value(json_object_get(plugin, "type"));
        size_t rank = 0; /* source and sink */
        for (size_t t = 1; t < 5; t++)
            if (strcmp(type, type_order[t]) == 0)
                rank = t;
        if (rank < type_at)
            fail_msg("plugin %s of type %s listed after the %ss", class_name, type,
                     type_order[type_at]);
        type_at = rank;
        converter |= strcmp(class_name, "org.apache.kafka.connect.json.JsonConverter") == 0 &&
                     strcmp(type, "converter") == 0;
        transformation |= strcmp(class_name, "io.debezium.transforms.ExtractNewRecordState") ==
                              0 && strcmp(type, "transformation") == 0;
        header_converter |= strcmp(class_name, "org.apache.kafka.connect.storage."
                                               "SimpleHeaderConverter") == 0 &&
                            strcmp(type, "header_converter") == 0;
        if (strcmp(type, "predicate") == 0) {
            assert_non_null(strstr(class_name, "org.apache.kafka.connect.transforms.predicates."));
            predicates++;
        }
    }
    assert_true(converter);
    assert_true(header_converter);
    assert_true(transformation);
    assert_int_equal(predicates, 3); /* TopicNameMatches, HasHeaderKey, RecordIsTombstone */
    json_decref(plugins);
    /* connectorsOnly defaults to true; any value but "true" (any case) is false, a blank one is
     * the default, as Jersey reads a boolean. */
    static const struct {
        const char *query;
        bool connectors_only;
    } only[] = {{"?connectorsOnly=perhaps", false}, {"?connectorsOnly=FALSE", false},
                {"?connectorsOnly=0", false},       {"?connectorsOnly=", true},
                {"?connectorsOnly=TrUe", true}};
    for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
        char listing[128];
        snprintf(listing, sizeof(listing), "/connector-plugins%s", only[i].query);
        plugins = rc_expect(client, "GET", listing, NULL, 200);
        converter = false;
        json_array_foreach(plugins, index, plugin)
            converter |= strcmp(json_string_value(json_object_get(plugin, "type")),
                                "converter") == 0;
        if (converter == only[i].connectors_only)
            fail_msg("%s: converters %s", listing, converter ? "listed" : "missing");
        json_decref(plugins);
    }

    check_plugin_class_names(client);
    check_framework_keys(client);
    check_converter_names(client);

    json_t *keys = rc_expect(client, "GET", "/connector-plugins/SequenceSource/config", NULL, 200);
    assert_true(json_array_size(keys) > 3);
    json_t *key;
    bool topic_required = false;
    json_array_foreach(keys, index, key) {
        SHAPE(rc_shape_config_key, key, "GET /connector-plugins/SequenceSource/config");
        if (strcmp(json_string_value(json_object_get(key, "name")), "topic") == 0)
            topic_required = json_is_true(json_object_get(key, "required"));
    }
    assert_true(topic_required);
    json_decref(keys);
    keys = rc_expect(client, "GET", "/connector-plugins/org.apache.kafka.connect.transforms."
                     "predicates.TopicNameMatches/config", NULL, 200);
    assert_int_equal(json_array_size(keys), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 0), "name")),
                        "pattern");
    json_decref(keys);
    json_decref(rc_expect(client, "GET",
                          "/connector-plugins/org.apache.kafka.connect.json.JsonConverter/config",
                          NULL, 200));
    keys = rc_expect(client, "GET",
                     "/connector-plugins/io.debezium.transforms.ExtractNewRecordState/config",
                     NULL, 200);
    /* Debezium 3.6's keys: the legacy drop.tombstones is read but not listed, as in Debezium. */
    bool handling_mode = false, drop_tombstones = false;
    json_array_foreach(keys, index, key) {
        SHAPE(rc_shape_config_key, key, "GET /connector-plugins/<transform>/config");
        const char *name = json_string_value(json_object_get(key, "name"));
        handling_mode |= strcmp(name, "delete.tombstone.handling.mode") == 0;
        drop_tombstones |= strcmp(name, "drop.tombstones") == 0;
    }
    assert_true(handling_mode);
    assert_false(drop_tombstones);
    json_decref(keys);
    rc_expect_error(client, "GET", "/connector-plugins/NoSuchPlugin/config", NULL, 404,
                    "NoSuchPlugin");

    /* Validate: a good config, a bad one with every error, a mismatched type. */
    json_t *valid = rc_expect(client, "PUT", "/connector-plugins/SequenceSource/config/validate",
                              "{\"connector.class\":\"SequenceSource\",\"name\":\"v\","
                              "\"topic\":\"t\"}", 200);
    SHAPE(rc_shape_config_infos, valid, "validate");
    assert_int_equal(json_integer_value(json_object_get(valid, "error_count")), 0);
    assert_string_equal(json_string_value(json_object_get(valid, "name")), "SequenceSource");
    assert_true(array_has_string(json_object_get(valid, "groups"), "Common"));
    json_decref(valid);
    json_t *invalid = rc_expect(client, "PUT",
                                "/connector-plugins/SequenceSource/config/validate",
                                "{\"name\":\"v\",\"partitions\":\"many\",\"tasks.max\":\"0\"}",
                                200);
    SHAPE(rc_shape_config_infos, invalid, "validate (invalid)");
    assert_int_equal(json_integer_value(json_object_get(invalid, "error_count")), 3);
    assert_int_equal(json_array_size(json_object_get(find_config(invalid, "topic"), "errors")),
                     1);
    assert_int_equal(
        json_array_size(json_object_get(find_config(invalid, "partitions"), "errors")), 1);
    assert_string_equal(json_string_value(json_object_get(find_config(invalid, "partitions"),
                                                          "value")),
                        "many");
    json_decref(invalid);
    /* Transforms and predicates as Kafka Connect's ConnectorConfig.enrich shows them: a group
     * per alias with its type, predicate and negate, and its type's keys under their full
     * names; a bad value reported under its key. */
    json_t *enriched = rc_expect(
        client, "PUT", "/connector-plugins/SequenceSource/config/validate",
        "{\"connector.class\":\"SequenceSource\",\"name\":\"v\",\"topic\":\"t\","
        "\"transforms\":\"unwrap\",\"transforms.unwrap.type\":"
        "\"io.debezium.transforms.ExtractNewRecordState\",\"transforms.unwrap.predicate\":"
        "\"live\",\"transforms.unwrap.delete.tombstone.handling.mode\":\"maybe\",\"predicates\":\"live\","
        "\"predicates.live.type\":"
        "\"org.apache.kafka.connect.transforms.predicates.TopicNameMatches\","
        "\"predicates.live.pattern\":\"t.*\"}", 200);
    SHAPE(rc_shape_config_infos, enriched, "validate (transforms)");
    assert_true(array_has_string(json_object_get(enriched, "groups"), "Transforms: unwrap"));
    assert_true(array_has_string(json_object_get(enriched, "groups"), "Predicates: live"));
    assert_int_equal(json_integer_value(json_object_get(enriched, "error_count")), 1);
    assert_int_equal(json_array_size(json_object_get(
                         find_config(enriched, "transforms.unwrap.delete.tombstone.handling.mode"), "errors")),
                     1);
    assert_string_equal(json_string_value(json_object_get(
                            find_config(enriched, "transforms.unwrap.predicate"), "value")),
                        "live");
    assert_non_null(find_config(enriched, "transforms.unwrap.negate"));
    assert_non_null(find_config(enriched, "transforms.unwrap.add.fields"));
    assert_string_equal(json_string_value(json_object_get(
                            find_config(enriched, "predicates.live.pattern"), "value")),
                        "t.*");
    json_decref(enriched);
    rc_expect_error(client, "PUT", "/connector-plugins/SequenceSource/config/validate",
                    "{\"connector.class\":\"NullSink\"}", 400, "does not match");
    rc_expect_error(client, "PUT", "/connector-plugins/SequenceSource/config/validate",
                    "{\"connector.class\":", 400, "Malformed JSON");
    rc_expect_error(client, "PUT", "/connector-plugins/SequenceSource/config/validate",
                    "[1,2]", 400, "JSON object");
}

/* The message of a 400 answer, which must list exactly one problem and name the key name. */
static void expect_one_name_error(rc_client *client, const char *method, const char *path,
                                  const char *body)
{
    rc_response response;
    long status = rc_call(client, method, path, body, &response);
    const char *message = json_string_value(json_object_get(response.json, "message"));
    if (status != 400 || !message)
        fail_msg("%s %s: expected 400, got %ld: %s", method, path, status, response.body);
    if (!strstr(message, "contains the following 1 error(s)") ||
        !strstr(message, "configuration name"))
        fail_msg("%s %s: expected one error about the name, got: %s", method, path, message);
    rc_response_clear(&response);
}

/* A name is refused with one error whatever is wrong with it; a name too long for a REST path
 * is refused at once (creating it would leave a connector nobody can delete), and nothing is
 * created. */
static void check_name_rules(rc_client *client)
{
    static const char config[] = "{\"connector.class\":\"SequenceSource\",\"topic\":\"t\"}";
    char body[9000];
    snprintf(body, sizeof(body), "{\"name\":\"\",\"config\":%s}", config);
    expect_one_name_error(client, "POST", "/connectors", body);
    snprintf(body, sizeof(body), "{\"name\":\"a\\u0007b\",\"config\":%s}", config);
    expect_one_name_error(client, "POST", "/connectors", body);
    expect_one_name_error(client, "PUT", "/connectors/a%07b/config", config);

    json_t *before = rc_expect(client, "GET", "/connectors", NULL, 200);
    char name[8001];
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"config\":%s}", name, config);
    int64_t started = fp_now_ms();
    expect_one_name_error(client, "POST", "/connectors", body);
    int64_t took = fp_now_ms() - started;
    rc_expect_error(client, "POST", "/connectors", body, 400,
                    "the name is 8000 bytes long; the limit is 1000 bytes");
    printf("# a name of 8000 bytes: refused in %" PRId64 " ms\n", took);
    assert_true(took < 5000);
    json_t *after = rc_expect(client, "GET", "/connectors", NULL, 200);
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);

    snprintf(body, sizeof(body), "{\"connector.class\":\"SequenceSource\",\"topic\":\"t\","
             "\"name\":\"%s\"}", name);
    json_t *validation = rc_expect(client, "PUT",
                                   "/connector-plugins/SequenceSource/config/validate", body, 200);
    assert_int_equal(json_integer_value(json_object_get(validation, "error_count")), 1);
    assert_int_equal(json_array_size(json_object_get(find_config(validation, "name"), "errors")),
                     1);
    json_decref(validation);
}

static void check_creation(rc_client *client, const char *source, const char *sink,
                           const char *stopped, const char *topic)
{
    json_t *none = rc_expect(client, "GET", "/connectors", NULL, 200);
    assert_int_equal(json_array_size(none), 0);
    json_decref(none);

    char body[1024];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"SequenceSource\","
             "\"topic\":\"%s\",\"partitions\":\"2\",\"tasks.max\":\"2\",\"batch.size\":\"5\","
             "\"interval.ms\":\"50\"}}", source, topic);
    rc_response response;
    assert_int_equal(rc_call(client, "POST", "/connectors", body, &response), 201);
    SHAPE(rc_shape_connector_info, response.json, "POST /connectors");
    char *location = rc_header(&response, "Location");
    char expected[256];
    snprintf(expected, sizeof(expected), "/connectors/%s", source);
    assert_non_null(location);
    assert_non_null(strstr(location, expected));
    free(location);
    assert_string_equal(json_string_value(json_object_get(response.json, "type")), "source");
    assert_int_equal(json_array_size(json_object_get(response.json, "tasks")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(response.json, "config"), "name")), source);
    rc_response_clear(&response);

    rc_expect_error(client, "POST", "/connectors", body, 409, "already exists");
    rc_expect_error(client, "POST", "/connectors",
                    "{\"name\":\"bad\",\"config\":{\"connector.class\":\"SequenceSource\","
                    "\"partitions\":\"x\",\"tasks.max\":\"-1\"}}", 400,
                    "contains the following 3 error(s)");
    rc_expect_error(client, "POST", "/connectors",
                    "{\"name\":\"bad\",\"config\":{\"connector.class\":\"NoSuchConnector\"}}",
                    400, "NoSuchConnector");
    rc_expect_error(client, "POST", "/connectors", "{\"name\":\"bad\",\"config\":", 400,
                    "line 1");
    rc_expect_error(client, "POST", "/connectors", "{\"name\":\"bad\"}", 400, "config");
    rc_expect_error(client, "POST", "/connectors",
                    "{\"name\":\"bad\",\"config\":{\"connector.class\":\"SequenceSource\","
                    "\"topic\":\"t\"},\"initial_state\":\"SLEEPING\"}", 400, "initial_state");
    rc_expect_error(client, "POST", "/connectors",
                    "{\"name\":\"bad\",\"config\":{\"name\":\"other\"}}", 400, "doesn't match");
    rc_expect_error(client, "POST", "/connectors",
                    "{\"name\":\"bad\",\"config\":{\"connector.class\":[1]}}", 400,
                    "connector.class");
    rc_expect_error(client, "POST", "/connectors", "{\"name\":\"\",\"config\":{}}", 400,
                    "name");
    check_name_rules(client);
    assert_int_equal(rc_call_typed(client, "POST", "/connectors", "{}", 2,
                                   "application/x-www-form-urlencoded", &response), 415);
    rc_response_clear(&response);

    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"NullSink\",\"topics\":\"%s\"},"
             "\"initial_state\":\"PAUSED\"}", sink, topic);
    json_t *info = rc_expect(client, "POST", "/connectors", body, 201);
    assert_string_equal(json_string_value(json_object_get(info, "type")), "sink");
    json_decref(info);
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"SequenceSource\","
             "\"topic\":\"%s\"},\"initial_state\":\"STOPPED\"}", stopped, topic);
    json_decref(rc_expect(client, "POST", "/connectors", body, 201));

    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));
    json_decref(wait_states(client, sink, "PAUSED", NULL));
    json_t *status = wait_states(client, stopped, "STOPPED", NULL);
    assert_int_equal(json_array_size(json_object_get(status, "tasks")), 0);
    json_decref(status);
}

static void check_reads(rc_client *client, const char *source, const char *sink,
                        const char *stopped, const char *topic)
{
    json_t *names = rc_expect(client, "GET", "/connectors", NULL, 200);
    assert_int_equal(json_array_size(names), 3);
    assert_true(array_has_string(names, source) && array_has_string(names, sink) &&
                array_has_string(names, stopped));
    json_decref(names);

    json_t *expanded = rc_expect(client, "GET", "/connectors?expand=status&expand=info", NULL,
                                 200);
    assert_int_equal(json_object_size(expanded), 3);
    const char *name;
    json_t *entry;
    json_object_foreach(expanded, name, entry) {
        SHAPE(rc_shape_status, json_object_get(entry, "status"), "expand=status");
        SHAPE(rc_shape_connector_info, json_object_get(entry, "info"), "expand=info");
    }
    json_decref(expanded);
    expanded = rc_expect(client, "GET", "/connectors?expand=status&expand=bogus", NULL, 200);
    json_object_foreach(expanded, name, entry) {
        assert_non_null(json_object_get(entry, "status"));
        assert_null(json_object_get(entry, "info"));
    }
    json_decref(expanded);

    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s", source);
    json_t *info = rc_expect(client, "GET", path, NULL, 200);
    SHAPE(rc_shape_connector_info, info, path);
    json_decref(info);
    snprintf(path, sizeof(path), "/connectors/%s/config", source);
    json_t *config = rc_expect(client, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(config, "connector.class")),
                        "SequenceSource");
    assert_string_equal(json_string_value(json_object_get(config, "name")), source);
    json_decref(config);

    snprintf(path, sizeof(path), "/connectors/%s/tasks", source);
    json_t *tasks = rc_expect(client, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(tasks), 2);
    size_t index;
    json_t *task;
    json_array_foreach(tasks, index, task) {
        SHAPE(rc_shape_task_info, task, path);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(task, "id"), "task")),
                         (json_int_t)index);
    }
    json_decref(tasks);
    snprintf(path, sizeof(path), "/connectors/%s/tasks-config", source);
    json_t *by_id = rc_expect(client, "GET", path, NULL, 200);
    assert_int_equal(json_object_size(by_id), 2);
    json_decref(by_id);
    snprintf(path, sizeof(path), "/connectors/%s/tasks/1/status", source);
    json_t *state = rc_expect(client, "GET", path, NULL, 200);
    SHAPE(rc_shape_task_state, state, path);
    assert_int_equal(json_integer_value(json_object_get(state, "id")), 1);
    json_decref(state);
    snprintf(path, sizeof(path), "/connectors/%s/tasks/9/status", source);
    rc_expect_error(client, "GET", path, NULL, 404, "No status found for task");
    snprintf(path, sizeof(path), "/connectors/%s/tasks/x1/status", source);
    rc_expect_error(client, "GET", path, NULL, 404, NULL);

    /* Active topics: the source's topic shows once its task has written to it. */
    snprintf(path, sizeof(path), "/connectors/%s/topics", source);
    bool active = false;
    for (int64_t deadline = fp_now_ms() + 20000; !active && fp_now_ms() < deadline;) {
        json_t *topics = rc_expect(client, "GET", path, NULL, 200);
        json_t *list = json_object_get(json_object_get(topics, source), "topics");
        assert_true(json_is_array(list));
        active = array_has_string(list, topic);
        json_decref(topics);
        if (!active)
            fp_sleep_ms(200);
    }
    if (!active)
        fail_msg("GET %s never listed %s", path, topic);
    snprintf(path, sizeof(path), "/connectors/%s/topics/reset", source);
    json_decref(rc_expect(client, "PUT", path, NULL, 202));

    static const char *const unknown[][2] = {
        {"GET", "/connectors/nobody"},           {"GET", "/connectors/nobody/config"},
        {"GET", "/connectors/nobody/status"},    {"GET", "/connectors/nobody/tasks"},
        {"GET", "/connectors/nobody/tasks-config"}, {"GET", "/connectors/nobody/tasks/0/status"},
        {"POST", "/connectors/nobody/restart"},  {"POST", "/connectors/nobody/tasks/0/restart"},
        {"PUT", "/connectors/nobody/pause"},     {"PUT", "/connectors/nobody/resume"},
        {"PUT", "/connectors/nobody/stop"},      {"DELETE", "/connectors/nobody"},
        {"GET", "/connectors/nobody/topics"},    {"PUT", "/connectors/nobody/topics/reset"},
        {"GET", "/connectors/nobody/offsets"},   {"DELETE", "/connectors/nobody/offsets"},
    };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        rc_expect_error(client, unknown[i][0], unknown[i][1], NULL, 404, "nobody");
    rc_expect_error(client, "PATCH", "/connectors/nobody/config", "{\"a\":\"b\"}", 404, "nobody");
    rc_expect_error(client, "PATCH", "/connectors/nobody/offsets",
                    "{\"offsets\":[{\"partition\":{\"a\":1},\"offset\":{\"b\":2}}]}", 404,
                    "nobody");

    /* Routing errors, as JSON. */
    rc_expect_error(client, "GET", "/no/such/path", NULL, 404, "HTTP 404 Not Found");
    rc_response response;
    assert_int_equal(rc_call(client, "DELETE", "/connectors", NULL, &response), 405);
    assert_true(rc_shape_error(response.json, 405, why, sizeof(why)));
    char *allow = rc_header(&response, "Allow");
    assert_non_null(allow);
    assert_string_equal(allow, "GET, POST");
    free(allow);
    rc_response_clear(&response);
}

static void check_updates(rc_client *client, const char *source)
{
    char path[512], body[1024];
    snprintf(path, sizeof(path), "/connectors/%s/config", source);
    snprintf(body, sizeof(body), "{\"connector.class\":\"SequenceSource\",\"topic\":\"%s-x\","
             "\"partitions\":\"2\",\"tasks.max\":\"2\",\"batch.size\":\"5\","
             "\"interval.ms\":\"50\",\"removed.later\":\"1\"}", source);
    json_t *updated = rc_expect(client, "PUT", path, body, 200);
    SHAPE(rc_shape_connector_info, updated, "PUT config");
    json_decref(updated);
    rc_expect_error(client, "PUT", path, "{\"name\":\"other\"}", 400, "doesn't match");
    rc_expect_error(client, "PUT", path, "{\"connector.class\":\"SequenceSource\"}", 400,
                    "topic");
    rc_expect_error(client, "PUT", path, "not json", 400, "Malformed JSON");

    snprintf(body, sizeof(body), "{\"topic\":\"%s-t\",\"removed.later\":null,\"batch.size\":7}",
             source);
    json_t *patched = rc_expect(client, "PATCH", path, body, 200);
    json_t *config = json_object_get(patched, "config");
    assert_null(json_object_get(config, "removed.later"));
    assert_string_equal(json_string_value(json_object_get(config, "batch.size")), "7");
    json_decref(patched);
    rc_expect_error(client, "PATCH", path, "{\"tasks.max\":\"zero\"}", 400, "tasks.max");
    rc_expect_error(client, "PATCH", path, "{\"name\":\"renamed\"}", 400, "doesn't match");
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));

    /* A connector created by PUT. */
    char created[512];
    snprintf(created, sizeof(created), "/connectors/%s-put/config", source);
    json_decref(rc_expect(client, "PUT", created, "{\"connector.class\":\"SequenceSource\","
                          "\"topic\":\"t\",\"count\":\"0\"}", 201));
    snprintf(created, sizeof(created), "/connectors/%s-put", source);
    json_decref(rc_expect(client, "DELETE", created, NULL, 204));
    rc_expect_error(client, "DELETE", created, NULL, 404, "not found");
}

/* Kafka Connect 3.9's words for each 404 (AbstractHerder, DistributedHerder,
 * ConnectorPluginsResource, LoggingResource), compared whole: scripts match on them. */
/* pattern with each "{c}" replaced by name. */
static void fill_name(char *out, size_t len, const char *pattern, const char *name)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *c = pattern; *c && used + 1 < len;) {
        if (strncmp(c, "{c}", 3) == 0) {
            used += (size_t)snprintf(out + used, len - used, "%s", name);
            used = used < len ? used : len - 1;
            c += 3;
        } else {
            out[used++] = *c++;
            out[used] = '\0';
        }
    }
}

static void check_not_found_messages(rc_client *client, const char *source)
{
    static const struct {
        const char *method;
        const char *path; /* {c}: a connector that does not exist */
        const char *body;
        const char *message;
    } cases[] = {
        {"GET", "/connectors/{c}", NULL, "Connector {c} not found"},
        {"GET", "/connectors/{c}/config", NULL, "Connector {c} not found"},
        {"PATCH", "/connectors/{c}/config", "{\"tasks.max\":\"1\"}",
         "Connector {c} not found"},
        {"DELETE", "/connectors/{c}", NULL, "Connector {c} not found"},
        {"GET", "/connectors/{c}/tasks", NULL, "Connector {c} not found"},
        {"GET", "/connectors/{c}/status", NULL, "No status found for connector {c}"},
        {"GET", "/connectors/{c}/tasks/0/status", NULL, "No status found for task {c}-0"},
        {"PUT", "/connectors/{c}/pause", NULL, "Unknown connector {c}"},
        {"PUT", "/connectors/{c}/resume", NULL, "Unknown connector {c}"},
        {"PUT", "/connectors/{c}/stop", NULL, "Unknown connector {c}"},
        {"POST", "/connectors/{c}/restart", NULL, "Unknown connector: {c}"},
        {"POST", "/connectors/{c}/restart?includeTasks=true", NULL, "Unknown connector: {c}"},
        {"POST", "/connectors/{c}/tasks/0/restart", NULL, "Unknown connector: {c}"},
        {"GET", "/connectors/{c}/offsets", NULL, "Connector {c} not found"},
        {"DELETE", "/connectors/{c}/offsets", NULL, "Connector {c} not found"},
        {"GET", "/connector-plugins/{c}/config", NULL, "Unknown plugin {c}."},
        {"GET", "/admin/loggers/{c}", NULL, "Logger {c} not found."},
    };
    const char *missing = "no-such-connector";
    char path[512], expected[512];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fill_name(path, sizeof(path), cases[i].path, missing);
        fill_name(expected, sizeof(expected), cases[i].message, missing);
        json_t *error = rc_expect(client, cases[i].method, path, cases[i].body, 404);
        const char *message = json_string_value(json_object_get(error, "message"));
        if (!message || strcmp(message, expected) != 0)
            fail_msg("%s %s: message '%s', expected '%s'", cases[i].method, path,
                     message ? message : "(none)", expected);
        json_decref(error);
    }
    /* A task the connector does not have. */
    snprintf(path, sizeof(path), "/connectors/%s/tasks/7/restart", source);
    snprintf(expected, sizeof(expected), "Unknown task: %s-7", source);
    json_t *error = rc_expect(client, "POST", path, NULL, 404);
    assert_string_equal(json_string_value(json_object_get(error, "message")), expected);
    json_decref(error);
    snprintf(path, sizeof(path), "/connectors/%s/tasks/7/status", source);
    snprintf(expected, sizeof(expected), "No status found for task %s-7", source);
    error = rc_expect(client, "GET", path, NULL, 404);
    assert_string_equal(json_string_value(json_object_get(error, "message")), expected);
    json_decref(error);
}

static void check_lifecycle(rc_client *client, const char *source)
{
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/pause", source);
    json_decref(rc_expect(client, "PUT", path, NULL, 202));
    json_decref(rc_expect(client, "PUT", path, NULL, 202)); /* idempotent */
    json_decref(wait_states(client, source, "PAUSED", "PAUSED"));
    snprintf(path, sizeof(path), "/connectors/%s/resume", source);
    json_decref(rc_expect(client, "PUT", path, NULL, 202));
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));

    snprintf(path, sizeof(path), "/connectors/%s/restart", source);
    json_decref(rc_expect(client, "POST", path, NULL, 204));
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));
    snprintf(path, sizeof(path), "/connectors/%s/restart?includeTasks=true", source);
    json_t *plan = rc_expect(client, "POST", path, NULL, 202);
    SHAPE(rc_shape_status, plan, path);
    assert_string_equal(state_of(plan, -1), "RESTARTING");
    assert_string_equal(state_of(plan, 0), "RESTARTING");
    json_decref(plan);
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));
    snprintf(path, sizeof(path), "/connectors/%s/restart?includeTasks=true&onlyFailed=true",
             source);
    plan = rc_expect(client, "POST", path, NULL, 202);
    assert_string_equal(state_of(plan, -1), "RUNNING"); /* nothing failed: nothing restarts */
    assert_string_equal(state_of(plan, 0), "RUNNING");
    json_decref(plan);
    /* Booleans are Java's Boolean.parseBoolean: "TRUE" is true, "yes" and "" are false. */
    snprintf(path, sizeof(path), "/connectors/%s/restart?onlyFailed=sometimes", source);
    json_decref(rc_expect(client, "POST", path, NULL, 204));
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));
    snprintf(path, sizeof(path), "/connectors/%s/restart?includeTasks=yes&onlyFailed=", source);
    json_decref(rc_expect(client, "POST", path, NULL, 204));
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));
    snprintf(path, sizeof(path), "/connectors/%s/restart?includeTasks=TRUE&onlyFailed=1",
             source);
    plan = rc_expect(client, "POST", path, NULL, 202);
    assert_string_equal(state_of(plan, -1), "RESTARTING");
    assert_string_equal(state_of(plan, 0), "RESTARTING");
    json_decref(plan);
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));
    snprintf(path, sizeof(path), "/connectors/%s/tasks/0/restart", source);
    json_decref(rc_expect(client, "POST", path, NULL, 204));
    snprintf(path, sizeof(path), "/connectors/%s/tasks/5/restart", source);
    rc_expect_error(client, "POST", path, NULL, 404, "Unknown task: ");
    json_decref(wait_states(client, source, "RUNNING", "RUNNING"));
}

static json_t *wait_offsets(rc_client *client, const char *name, bool sink)
{
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/offsets", name);
    int64_t deadline = fp_now_ms() + 30000;
    while (fp_now_ms() < deadline) {
        json_t *offsets = rc_expect(client, "GET", path, NULL, 200);
        rc_assert_shape(rc_shape_offsets(offsets, sink, why, sizeof(why)), path, why);
        if (json_array_size(json_object_get(offsets, "offsets")) > 0)
            return offsets;
        json_decref(offsets);
        fp_sleep_ms(200);
    }
    fail_msg("%s: no offsets within 30 s", name);
    return NULL;
}

static void check_source_offsets(rc_client *client, const char *source)
{
    char path[512], stop[512];
    snprintf(path, sizeof(path), "/connectors/%s/offsets", source);
    snprintf(stop, sizeof(stop), "/connectors/%s/stop", source);
    json_t *offsets = wait_offsets(client, source, false);
    json_t *partition = json_object_get(json_array_get(json_object_get(offsets, "offsets"), 0),
                                        "partition");
    char *partition_text = json_dumps(partition, JSON_COMPACT);
    json_decref(offsets);
    partition = json_loads(partition_text, 0, NULL);

    char body[1024];
    snprintf(body, sizeof(body), "{\"offsets\":[{\"partition\":%s,\"offset\":{\"seq\":3}}]}",
             partition_text);
    rc_expect_error(client, "PATCH", path, body, 400, "must be in the STOPPED state");
    rc_expect_error(client, "DELETE", path, NULL, 400, "'/connectors/");

    json_decref(rc_expect(client, "PUT", stop, NULL, 204));
    json_decref(rc_expect(client, "PUT", stop, NULL, 204)); /* idempotent */
    json_t *status = wait_states(client, source, "STOPPED", NULL);
    assert_int_equal(json_array_size(json_object_get(status, "tasks")), 0);
    json_decref(status);

    json_t *message = rc_expect(client, "PATCH", path, body, 200);
    assert_non_null(strstr(json_string_value(json_object_get(message, "message")),
                           "altered successfully"));
    json_decref(message);
    offsets = rc_expect(client, "GET", path, NULL, 200);
    bool found = false;
    size_t index;
    json_t *entry;
    json_array_foreach(json_object_get(offsets, "offsets"), index, entry)
        if (json_equal(json_object_get(entry, "partition"), partition)) {
            found = json_integer_value(json_object_get(json_object_get(entry, "offset"), "seq"))
                    == 3;
        }
    json_decref(partition);
    json_decref(offsets);
    assert_true(found);

    rc_expect_error(client, "PATCH", path, "{\"offsets\":[]}", 400, "need to be provided");
    rc_expect_error(client, "PATCH", path, "{\"offsets\":[{\"partition\":null}]}", 400,
                    "partition");
    rc_expect_error(client, "PATCH", path,
                    "{\"offsets\":[{\"partition\":{\"a\":1},\"offset\":7}]}", 400, "offset");

    message = rc_expect(client, "DELETE", path, NULL, 200);
    assert_non_null(strstr(json_string_value(json_object_get(message, "message")),
                           "reset successfully"));
    json_decref(message);
    offsets = rc_expect(client, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(offsets, "offsets")), 0);
    json_decref(offsets);
    free(partition_text);
}

static void check_sink_offsets(rc_client *client, const char *sink, const char *topic)
{
    char path[512], resume[512], stop[512];
    snprintf(path, sizeof(path), "/connectors/%s/offsets", sink);
    snprintf(resume, sizeof(resume), "/connectors/%s/resume", sink);
    snprintf(stop, sizeof(stop), "/connectors/%s/stop", sink);
    json_decref(rc_expect(client, "PUT", resume, NULL, 202));
    json_decref(wait_states(client, sink, "RUNNING", "RUNNING"));
    json_t *offsets = wait_offsets(client, sink, true);
    json_decref(offsets);

    json_decref(rc_expect(client, "PUT", stop, NULL, 204));
    json_decref(wait_states(client, sink, "STOPPED", NULL));
    char body[1024];
    snprintf(body, sizeof(body), "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"%s\","
             "\"kafka_partition\":0},\"offset\":{\"kafka_offset\":2}}]}", topic);
    json_decref(rc_expect(client, "PATCH", path, body, 200));
    offsets = rc_expect(client, "GET", path, NULL, 200);
    rc_assert_shape(rc_shape_offsets(offsets, true, why, sizeof(why)), path, why);
    size_t index;
    json_t *entry;
    bool found = false;
    json_array_foreach(json_object_get(offsets, "offsets"), index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        if (json_integer_value(json_object_get(partition, "kafka_partition")) == 0)
            found = json_integer_value(json_object_get(json_object_get(entry, "offset"),
                                                       "kafka_offset")) == 2;
    }
    assert_true(found);
    json_decref(offsets);

    rc_expect_error(client, "PATCH", path,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\"},\"offset\":null}]}",
                    400, "kafka_partition");
    rc_expect_error(client, "PATCH", path,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":0},"
                    "\"offset\":{\"kafka_offset\":-4}}]}", 400, "non-negative");
    rc_expect_error(client, "PATCH", path,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":0},"
                    "\"offset\":{\"position\":4}}]}", 400, "kafka_offset");
    json_t *message = rc_expect(client, "DELETE", path, NULL, 200);
    assert_non_null(strstr(json_string_value(json_object_get(message, "message")),
                           "reset successfully"));
    json_decref(message);
    offsets = rc_expect(client, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(offsets, "offsets")), 0);
    json_decref(offsets);
}

/* A sink with consumer.override.group.id: its consumer and its offsets endpoints use that group
 * (and its admin.override.* the admin client), as in Kafka Connect. */
static void check_sink_group_override(rc_client *client, fp_env *env, const char *topic)
{
    const char *name = fp_name(env, "grouped");
    const char *group = fp_name(env, "my_group");
    char body[1024], path[512];
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"config\":{\"connector.class\":"
             "\"NullSink\",\"topics\":\"%s\",\"consumer.override.group.id\":\"%s\","
             "\"admin.override.request.timeout.ms\":\"20000\"}}", name, topic, group);
    json_decref(rc_expect(client, "POST", "/connectors", body, 201));
    json_t *offsets = wait_offsets(client, name, true);
    json_decref(offsets);
    int64_t committed = kt_group_committed(group, topic, 0);
    printf("# consumer.override.group.id: group %s committed %" PRId64 " on %s-0\n", group,
           committed, topic);
    assert_true(committed > 0);
    assert_true(kt_group_committed(fp_name(env, "connect-grouped"), topic, 0) < 0);
    snprintf(path, sizeof(path), "/connectors/%s", name);
    json_decref(rc_expect(client, "DELETE", path, NULL, 204));
}

static void check_loggers_and_metrics(rc_client *client, fp_proc *proc, const char *source)
{
    json_t *loggers = rc_expect(client, "GET", "/admin/loggers", NULL, 200);
    assert_true(json_is_string(json_object_get(json_object_get(loggers, "root"), "level")));
    /* ferry's scopes are listed before anyone sets them, in Kafka Connect's LoggerLevel shape,
     * and what is listed can be read and set. */
    static const char *const scopes[] = {"cluster", "configs", "herder", "kafka", "offsets",
                                         "plugins", "rest", "status", "worker"};
    for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
        json_t *listed = json_object_get(loggers, scopes[i]);
        if (!listed)
            fail_msg("GET /admin/loggers lacks %s", scopes[i]);
        assert_int_equal(json_object_size(listed), 2);
        assert_string_equal(json_string_value(json_object_get(listed, "level")), "INFO");
        assert_true(json_is_null(json_object_get(listed, "last_modified")));
    }
    const char *name;
    json_t *listed;
    json_object_foreach(loggers, name, listed) {
        char logger_path[256];
        snprintf(logger_path, sizeof(logger_path), "/admin/loggers/%s", name);
        json_t *read = rc_expect(client, "GET", logger_path, NULL, 200);
        assert_true(json_equal(read, listed));
        json_decref(read);
    }
    json_decref(loggers);
    json_t *herder = rc_expect(client, "PUT", "/admin/loggers/herder", "{\"level\":\"WARN\"}",
                               200);
    assert_true(array_has_string(herder, "herder"));
    json_decref(herder);
    herder = rc_expect(client, "GET", "/admin/loggers/herder", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(herder, "level")), "WARN");
    assert_true(json_is_integer(json_object_get(herder, "last_modified")));
    json_decref(herder);
    json_t *root = rc_expect(client, "GET", "/admin/loggers/root", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(root, "level")), "INFO");
    assert_true(json_is_null(json_object_get(root, "last_modified")));
    json_decref(root);
    json_t *changed = rc_expect(client, "PUT", "/admin/loggers/root", "{\"level\":\"DEBUG\"}",
                                200);
    assert_true(array_has_string(changed, "root"));
    json_decref(changed);
    root = rc_expect(client, "GET", "/admin/loggers/root", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(root, "level")), "DEBUG");
    assert_true(json_is_integer(json_object_get(root, "last_modified")));
    json_decref(root);
    json_decref(rc_expect(client, "PUT", "/admin/loggers/root?scope=cluster",
                          "{\"level\":\"info\"}", 204));
    rc_expect_error(client, "PUT", "/admin/loggers/root", "{\"lvl\":\"INFO\"}", 400, "'level'");
    rc_expect_error(client, "PUT", "/admin/loggers/root", "{\"level\":\"LOUD\"}", 404,
                    "invalid log level");
    rc_expect_error(client, "GET", "/admin/loggers/org.apache.kafka.connect", NULL, 404,
                    "not found");

    /* A named logger: the REST API's own lines at DEBUG while root stays at INFO. */
    changed = rc_expect(client, "PUT", "/admin/loggers/rest", "{\"level\":\"DEBUG\"}", 200);
    assert_int_equal(json_array_size(changed), 1);
    assert_true(array_has_string(changed, "rest"));
    json_decref(changed);
    loggers = rc_expect(client, "GET", "/admin/loggers", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(loggers, "rest"),
                                                          "level")), "DEBUG");
    assert_string_equal(json_string_value(json_object_get(json_object_get(loggers, "root"),
                                                          "level")), "INFO");
    json_decref(loggers);
    json_decref(rc_expect(client, "GET", "/connectors?expand=status", NULL, 200));
    if (!fp_wait_log(proc, "DEBUG [rest] GET /connectors 200", 10000))
        fail_msg("with logger rest at DEBUG the request was not logged");
    /* A connector's name: its connector and task lines; a parent sets the loggers below it. */
    char path[512];
    snprintf(path, sizeof(path), "/admin/loggers/%s", source);
    changed = rc_expect(client, "PUT", path, "{\"level\":\"TRACE\"}", 200);
    assert_true(array_has_string(changed, source));
    json_decref(changed);
    json_t *logger = rc_expect(client, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(logger, "level")), "TRACE");
    json_decref(logger);
    json_decref(rc_expect(client, "PUT", "/admin/loggers/io.debezium.connector",
                          "{\"level\":\"DEBUG\"}", 200));
    changed = rc_expect(client, "PUT", "/admin/loggers/io.debezium", "{\"level\":\"WARN\"}",
                        200);
    assert_int_equal(json_array_size(changed), 2);
    assert_true(array_has_string(changed, "io.debezium.connector"));
    json_decref(changed);
    /* root sets every logger, as log4j's does */
    changed = rc_expect(client, "PUT", "/admin/loggers/root", "{\"level\":\"INFO\"}", 200);
    /* root, ferry's 10 scopes, the connector, io.debezium and io.debezium.connector */
    assert_int_equal(json_array_size(changed), 14);
    json_decref(changed);
    logger = rc_expect(client, "GET", "/admin/loggers/rest", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(logger, "level")), "INFO");
    json_decref(logger);

    rc_response response;
    assert_int_equal(rc_call(client, "GET", "/metrics", NULL, &response), 200);
    char *type = rc_header(&response, "Content-Type");
    assert_non_null(strstr(type, "text/plain"));
    free(type);
    char needle[512];
    snprintf(needle, sizeof(needle), "ferry_task_state{connector=\"%s\",task=\"0\","
             "state=\"RUNNING\"} 1", source);
    const char *expected[] = {"ferry_worker_uptime_seconds ", "ferry_worker_resident_memory_bytes ",
                              "ferry_worker_connectors 3", "# TYPE ferry_source_task_records_polled_total counter",
                              "# TYPE ferry_sink_task_partition_lag gauge",
                              "# TYPE ferry_task_offset_commit_latency_seconds summary", needle};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        if (!strstr(response.body, expected[i]))
            fail_msg("GET /metrics lacks '%s':\n%s", expected[i], response.body);
    rc_response_clear(&response);
}

/* The configs topic holds every change in Kafka Connect's format. */
static void check_configs_topic(fp_env *env, const char *source, const char *sink,
                                const char *stopped, const char *deleted)
{
    json_t *latest = kt_latest_by_key(fp_configs_topic(env));
    char key[512];
    snprintf(key, sizeof(key), "connector-%s", source);
    json_t *properties = json_object_get(json_object_get(latest, key), "properties");
    assert_string_equal(json_string_value(json_object_get(properties, "batch.size")), "7");
    snprintf(key, sizeof(key), "target-state-%s", source);
    assert_string_equal(json_string_value(json_object_get(json_object_get(latest, key),
                                                          "state.v2")), "STOPPED");
    snprintf(key, sizeof(key), "target-state-%s", sink);
    assert_string_equal(json_string_value(json_object_get(json_object_get(latest, key),
                                                          "state.v2")), "STOPPED");
    snprintf(key, sizeof(key), "target-state-%s", stopped);
    assert_string_equal(json_string_value(json_object_get(json_object_get(latest, key),
                                                          "state")), "PAUSED");
    snprintf(key, sizeof(key), "connector-%s", deleted);
    assert_true(json_is_null(json_object_get(latest, key)));
    json_decref(latest);
}

static void test_every_endpoint(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("rest_api");
    const char *source = fp_name(env, "source");
    const char *sink = fp_name(env, "sink");
    const char *stopped = fp_name(env, "stopped");
    const char *topic = fp_name(env, "records");
    kt_create_topic(topic, 1, NULL);
    const char *worker_file = fp_worker_file(env, "worker.properties", 500, NULL);
    fp_proc *proc = fp_start(env, worker_file, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 60000));
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", fp_listener_port(env));
    rc_client *client = rc_new(base);
    assert_true(rc_wait_healthy(client, 60000));

    check_server_and_plugins(client);
    check_creation(client, source, sink, stopped, topic);
    check_reads(client, source, sink, stopped, topic);
    check_updates(client, source);
    check_lifecycle(client, source);
    check_not_found_messages(client, source);
    check_loggers_and_metrics(client, proc, source);
    check_source_offsets(client, source);
    check_sink_offsets(client, sink, topic);
    check_sink_group_override(client, env, topic);

    /* A deleted connector's config is tombstoned. */
    char path[512], body[512];
    const char *deleted = fp_name(env, "deleted");
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"config\":{\"connector.class\":"
             "\"SequenceSource\",\"topic\":\"t\",\"count\":\"0\"}}", deleted);
    json_decref(rc_expect(client, "POST", "/connectors", body, 201));
    snprintf(path, sizeof(path), "/connectors/%s", deleted);
    json_decref(rc_expect(client, "DELETE", path, NULL, 204));
    rc_expect_error(client, "GET", path, NULL, 404, "not found");

    fp_stop(proc, 60000);
    check_configs_topic(env, source, sink, stopped, deleted);

    /* Everything comes back after a restart. */
    proc = fp_start(env, worker_file, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 60000));
    assert_true(rc_wait_healthy(client, 60000));
    json_t *names = rc_expect(client, "GET", "/connectors", NULL, 200);
    assert_int_equal(json_array_size(names), 3);
    assert_false(array_has_string(names, deleted));
    json_decref(names);
    snprintf(path, sizeof(path), "/connectors/%s/config", source);
    json_t *config = rc_expect(client, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(config, "batch.size")), "7");
    assert_null(json_object_get(config, "removed.later"));
    json_decref(config);
    json_decref(wait_states(client, source, "STOPPED", NULL));
    json_decref(wait_states(client, sink, "STOPPED", NULL));
    json_decref(wait_states(client, stopped, "STOPPED", NULL));
    snprintf(path, sizeof(path), "/connectors/%s/resume", stopped);
    json_decref(rc_expect(client, "PUT", path, NULL, 202));
    json_decref(wait_states(client, stopped, "RUNNING", "RUNNING"));
    fp_stop(proc, 60000);

    rc_free(client);
    fp_pass(env);
    fp_env_finish(env);
}

/* The value of key in the topic's latest records: NULL when absent, JSON null for a tombstone. */
static json_t *latest_value(const char *topic, const char *key)
{
    json_t *latest = kt_latest_by_key(topic);
    json_t *value = json_incref(json_object_get(latest, key));
    json_decref(latest);
    return value;
}

/* Waits for the status topic's latest record of key to say state (NULL: a tombstone). */
static json_t *wait_status_record(const char *topic, const char *key, const char *state)
{
    int64_t deadline = fp_now_ms() + 30000;
    while (fp_now_ms() < deadline) {
        json_t *value = latest_value(topic, key);
        if (value && (state ? strcmp(json_string_value(json_object_get(value, "state")) ?: "",
                                     state) == 0
                            : json_is_null(value)))
            return value;
        json_decref(value);
        fp_sleep_ms(200);
    }
    fail_msg("%s: no %s record in %s within 30 s", key, state ? state : "tombstone", topic);
    return NULL;
}

/* Internal topics a Kafka Connect 3.9 worker shares: ferry's task configs carry task.class;
 * status generations go on from the highest on the topic (here a Java worker's 41); topic
 * records under ferry's former key are read; a worker shutdown writes UNASSIGNED for the
 * connector and its task, STOP tombstones the task status; a FileStreamSource offset the
 * connector cannot use is refused with a 400 naming the partition and the field, and nothing
 * is written. */
static void test_internal_topics_shared(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("rest_topics");
    const char *name = fp_name(env, "file-src");
    const char *topic = fp_name(env, "lines");
    const char *used = fp_name(env, "used-before");
    const char *worker_file = fp_worker_file(env, "worker.properties", 500, NULL);
    char path[512], body[2048], key[512];
    const char *input = fp_path(env, "input.txt");
    FILE *file = fopen(input, "w");
    assert_non_null(file);
    fputs("one\ntwo\n", file);
    fclose(file);

    fp_proc *proc = fp_start(env, worker_file, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 60000));
    fp_stop(proc, 60000);
    /* What a Kafka Connect cluster left: a status of generation 41 and, for this connector, a
     * topic record under ferry's former key. */
    rd_kafka_t *producer = kt_producer_new(NULL);
    const char *java = "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"java:8083\","
                       "\"generation\":41}";
    kt_produce(producer, fp_status_topic(env), -1, "status-connector-elsewhere", 26, java,
               strlen(java), NULL, NULL);
    snprintf(key, sizeof(key), "topic-%s-%s", used, name);
    snprintf(body, sizeof(body), "{\"topic\":{\"name\":\"%s\",\"connector\":\"%s\",\"task\":0,"
             "\"discoverTimestamp\":1700000000000}}", used, name);
    kt_produce(producer, fp_status_topic(env), -1, key, strlen(key), body, strlen(body), NULL,
               NULL);
    kt_producer_close(producer);

    proc = fp_start(env, worker_file, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 60000));
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", fp_listener_port(env));
    rc_client *client = rc_new(base);
    assert_true(rc_wait_healthy(client, 60000));
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"config\":{\"connector.class\":"
             "\"org.apache.kafka.connect.file.FileStreamSourceConnector\",\"file\":\"%s\","
             "\"topic\":\"%s\"}}", name, input, topic);
    json_decref(rc_expect(client, "POST", "/connectors", body, 201));
    json_decref(wait_states(client, name, "RUNNING", "RUNNING"));

    snprintf(path, sizeof(path), "/connectors/%s/topics", name);
    json_t *topics = rc_expect(client, "GET", path, NULL, 200);
    assert_true(array_has_string(json_object_get(json_object_get(topics, name), "topics"), used));
    json_decref(topics);
    snprintf(path, sizeof(path), "/connectors/%s/tasks", name);
    json_t *tasks = rc_expect(client, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(
                            json_array_get(tasks, 0), "config"), "task.class")),
                        "org.apache.kafka.connect.file.FileStreamSourceTask");
    json_decref(tasks);
    snprintf(key, sizeof(key), "task-%s-0", name);
    json_t *task_config = latest_value(fp_configs_topic(env), key);
    assert_string_equal(json_string_value(json_object_get(json_object_get(task_config,
                                                                          "properties"),
                                                          "task.class")),
                        "org.apache.kafka.connect.file.FileStreamSourceTask");
    json_decref(task_config);
    snprintf(key, sizeof(key), "status-connector-%s", name);
    json_t *status = wait_status_record(fp_status_topic(env), key, "RUNNING");
    assert_true(json_integer_value(json_object_get(status, "generation")) > 41);
    json_decref(status);

    /* A shutdown: UNASSIGNED for the connector and its task. */
    fp_stop(proc, 60000);
    json_decref(wait_status_record(fp_status_topic(env), key, "UNASSIGNED"));
    char task_key[512];
    snprintf(task_key, sizeof(task_key), "status-task-%s-0", name);
    json_decref(wait_status_record(fp_status_topic(env), task_key, "UNASSIGNED"));

    proc = fp_start(env, worker_file, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 60000));
    assert_true(rc_wait_healthy(client, 60000));
    json_decref(wait_states(client, name, "RUNNING", "RUNNING"));
    json_decref(wait_status_record(fp_status_topic(env), task_key, "RUNNING"));
    /* STOP: the task's status is tombstoned. */
    snprintf(path, sizeof(path), "/connectors/%s/stop", name);
    json_decref(rc_expect(client, "PUT", path, NULL, 204));
    json_decref(wait_states(client, name, "STOPPED", NULL));
    json_decref(wait_status_record(fp_status_topic(env), task_key, NULL));

    /* Offsets the file source could not use: refused, nothing written. */
    snprintf(path, sizeof(path), "/connectors/%s/offsets", name);
    json_t *before = rc_expect(client, "GET", path, NULL, 200);
    int64_t written = kt_end_offsets_sum(fp_offsets_topic(env));
    static const char *const refused[][2] = {
        {"{\"filename\":\"/x\"},\"offset\":{\"position\":\"bad\"}",
         "partition {\"filename\":\"/x\"}: the value of 'position'"},
        {"{\"file\":\"/x\"},\"offset\":{\"position\":1}", "'filename'"},
        {"{\"filename\":\"/x\"},\"offset\":{\"position\":-1}", "non-negative"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        snprintf(body, sizeof(body), "{\"offsets\":[{\"partition\":%s}]}", refused[i][0]);
        rc_expect_error(client, "PATCH", path, body, 400, refused[i][1]);
    }
    assert_int_equal(kt_end_offsets_sum(fp_offsets_topic(env)), written);
    json_t *after = rc_expect(client, "GET", path, NULL, 200);
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    snprintf(body, sizeof(body), "{\"offsets\":[{\"partition\":{\"filename\":\"%s\"},"
             "\"offset\":{\"position\":4}}]}", input);
    json_decref(rc_expect(client, "PATCH", path, body, 200));
    json_t *message = rc_expect(client, "DELETE", path, NULL, 200);
    assert_non_null(strstr(json_string_value(json_object_get(message, "message")),
                           "reset successfully"));
    json_decref(message);

    fp_stop(proc, 60000);
    rc_free(client);
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_endpoint),
        cmocka_unit_test(test_internal_topics_shared),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
