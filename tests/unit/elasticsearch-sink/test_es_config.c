/*
 * test_es_config.c - ElasticsearchSink's config: URLs normalised or refused, every cross-key rule
 * (Confluent's Validator) reported on the right keys with a message naming them, defaults as
 * Confluent's, the settings derived across keys (TLS, data streams, resources, the worker's error
 * keys), the connector's warning for keys ferry accepts but ignores, and tasks.max task configs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_config.h"
#include "es_plugin.h"
#include "plugin_fake_host.h"

typedef struct reports {
    char text[8192];
    int count;
} reports;

static void collect(void *report_ctx, const char *key, const char *message)
{
    reports *r = report_ctx;
    size_t used = strlen(r->text);
    snprintf(r->text + used, sizeof(r->text) - used, "%s: %s\n", key, message);
    r->count++;
}

/* One config's cross-key check: connection.url is http://es:9200 unless pairs say otherwise. */
typedef struct rule_case {
    const char *pairs[12]; /* "key", "value", ..., NULL */
    const char *expected;  /* a line the reports must hold; NULL: no report at all */
    int count;             /* how many reports exactly; 0: not checked */
} rule_case;

static reports check(const char *const *pairs)
{
    json_t *values = json_pack("{s:s}", "connection.url", "http://es:9200");
    for (size_t i = 0; pairs[i]; i += 2)
        json_object_set_new(values, pairs[i], json_string(pairs[i + 1]));
    ferry_config *config = plugin_fake_config_json(es_config_keys, values);
    json_decref(values);
    reports r = {.text = ""};
    es_config_check(es_host, config, collect, &r);
    ferry_config_destroy(config);
    return r;
}

static void check_cases(const rule_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        reports r = check(cases[i].pairs);
        if (!cases[i].expected && r.count != 0)
            fail_msg("case %zu (%s=%s): no report expected, got:\n%s", i, cases[i].pairs[0],
                     cases[i].pairs[1], r.text);
        if (cases[i].expected && !strstr(r.text, cases[i].expected))
            fail_msg("case %zu (%s=%s): reports do not contain '%s':\n%s", i, cases[i].pairs[0],
                     cases[i].pairs[1], cases[i].expected, r.text);
        if (cases[i].count && r.count != cases[i].count)
            fail_msg("case %zu (%s=%s): %d reports, not %d:\n%s", i, cases[i].pairs[0],
                     cases[i].pairs[1], r.count, cases[i].count, r.text);
    }
}

#define CASE_COUNT(cases) (sizeof(cases) / sizeof((cases)[0]))

static int setup(void **state)
{
    (void)state;
    es_host = plugin_fake_host_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    plugin_fake_host_free();
    return 0;
}

static void test_urls(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *url;   /* NULL: refused */
        const char *error; /* what the refusal says */
    } urls[] = {
        {" es1:9200/ ", "http://es1:9200", NULL},
        {"HTTPS://es2/prefix/", "https://es2/prefix", NULL},
        {"ftp://es", NULL, "not an http:// or https:// URL"},
        {"http://", NULL, "names no host"},
    };
    for (size_t i = 0; i < CASE_COUNT(urls); i++) {
        char err[200] = "";
        char *url = es_url_normalize(urls[i].text, err, sizeof(err));
        if (urls[i].url) {
            assert_non_null(url);
            assert_string_equal(url, urls[i].url);
        } else {
            assert_null(url);
            assert_non_null(strstr(err, urls[i].error));
        }
        free(url);
    }
    static const rule_case cases[] = {
        {.pairs = {"connection.url", "http://a:1,gopher://b", NULL},
         .expected = "connection.url: connection.url: 'gopher://b' is not an http",
         .count = 1},
    };
    check_cases(cases, CASE_COUNT(cases));
}

static void test_defaults_are_valid_and_confluent(void **state)
{
    (void)state;
    static const rule_case cases[] = {{.pairs = {"topics", "t", NULL}}};
    check_cases(cases, CASE_COUNT(cases));
    ferry_config *config = plugin_fake_config_new(es_config_keys, "connection.url", "es:9200",
                                                  NULL);
    es_settings s;
    char err[200];
    assert_int_equal(es_settings_load(es_host, config, &s, err, sizeof(err)), 0);
    assert_int_equal(s.batch_size, 2000);
    assert_int_equal(s.bulk_size_bytes, 5 * 1024 * 1024);
    assert_int_equal(s.linger_ms, 1);
    assert_int_equal(s.max_in_flight, 5);
    assert_int_equal(s.max_buffered, 20000);
    assert_int_equal(s.flush_timeout_ms, 180000);
    assert_int_equal(s.max_retries, 5);
    assert_int_equal(s.retry_backoff_ms, 100);
    assert_int_equal(s.connection_timeout_ms, 1000);
    assert_int_equal(s.read_timeout_ms, 3000);
    assert_false(s.compression);
    assert_false(s.key_ignore);
    assert_false(s.schema_ignore);
    assert_true(s.compact_map_entries);
    assert_int_equal(s.null_behavior, ES_NULL_FAIL);
    assert_int_equal(s.malformed_behavior, ES_MALFORMED_FAIL);
    assert_int_equal(s.write_method, ES_WRITE_INSERT);
    assert_false(s.data_stream);
    assert_true(s.verify_host);
    assert_string_equal(s.urls[0], "http://es:9200");
    es_settings_free(&s);
    ferry_config_destroy(config);
}

static void test_cross_key_rules(void **state)
{
    (void)state;
    static const rule_case cases[] = {
        {.pairs = {"connection.username", "u", NULL},
         .expected = "connection.password: Both 'connection.username' and "
                     "'connection.password' must be set."},
        {.pairs = {"connection.username", "u", "connection.password", "p",
                   "connection.api.key", "id:key", NULL},
         .expected = "connection.api.key: Either 'connection.api.key' or"},
        {.pairs = {"data.stream.type", "logs", NULL},
         .expected = "data.stream.dataset: Either both or neither 'data.stream.dataset' and "
                     "'data.stream.type' must be set."},
        {.pairs = {"data.stream.type", "logs", "data.stream.dataset", "Bad-Set", NULL},
         .expected = "data.stream.dataset: data.stream.dataset 'Bad-Set' must be lowercase"},
        {.pairs = {"data.stream.type", "logs", "data.stream.dataset", "ok",
                   "write.method", "upsert", NULL},
         .expected = "write.method: Upserts are not supported with data streams"},
        {.pairs = {"data.stream.type", "logs", "data.stream.dataset", "ok",
                   "behavior.on.null.values", "delete", NULL},
         .expected = "behavior.on.null.values: Deletes are not supported with data streams"},
        {.pairs = {"data.stream.timestamp.field", "ts", NULL},
         .expected = "data.stream.timestamp.field: Mapping a field to the '@timestamp'"},
        {.pairs = {"key.ignore", "true", "topic.key.ignore", "a", NULL},
         .expected = "topic.key.ignore: 'topic.key.ignore' can not be set if 'key.ignore' is "
                     "true."},
        {.pairs = {"schema.ignore", "true", "topic.schema.ignore", "a", NULL},
         .expected = "schema.ignore: 'topic.schema.ignore' can not be set"},
        {.pairs = {"linger.ms", "5000", "flush.timeout.ms", "2000", NULL},
         .expected = "linger.ms: 'linger.ms' (5000) can not be larger than 'flush.timeout.ms' "
                     "(2000)."},
        {.pairs = {"max.buffered.records", "100", NULL},
         .expected = "batch.size: 'max.buffered.records' (100) must be larger than or equal to "
                     "'batch.size' (2000) x max.in.flight.requests (5).",
         .count = 3},
        {.pairs = {"proxy.username", "u", NULL},
         .expected = "proxy.host: 'proxy.host' must be set to use 'proxy.username'."},
        {.pairs = {"proxy.host", "p", "proxy.password", "x", NULL},
         .expected = "proxy.username: Either both or neither 'proxy.username' and "
                     "'proxy.password' can be set."},
        {.pairs = {"elastic.https.ssl.truststore.location", "/ca.pem", NULL},
         .expected = "elastic.https.ssl.truststore.location: 'elastic.security.protocol' must "
                     "be set to 'SSL' to use SSL configs."},
        {.pairs = {"kerberos.user.principal", "me", NULL},
         .expected = "kerberos.keytab.path: Either both or neither"},
    };
    check_cases(cases, CASE_COUNT(cases));
}

static void test_resource_mappings(void **state)
{
    (void)state;
    static const rule_case cases[] = {
        {.pairs = {"external.resource.usage", "INDEX", NULL},
         .expected = "topic.to.external.resource.mapping: 'external.resource.usage' and "
                     "'topic.to.external.resource.mapping' must be set together"},
        {.pairs = {"external.resource.usage", "INDEX", "topics", "a,b",
                   "topic.to.external.resource.mapping", "a:x", NULL},
         .expected = "Topic 'b' is not mapped to any resource."},
        {.pairs = {"external.resource.usage", "INDEX", "topics", "a",
                   "topic.to.external.resource.mapping", "a", NULL},
         .expected = "Invalid topic-to-resource mapping format 'a'."},
        {.pairs = {"external.resource.usage", "INDEX", "topics", "a,b",
                   "topic.to.external.resource.mapping", "a:x,b:x", NULL},
         .expected = "Resource 'x' is mapped from multiple topics."},
        {.pairs = {"external.resource.usage", "INDEX", "topics", "a",
                   "topic.to.external.resource.mapping", "a:x,a:y", NULL},
         .expected = "Topic 'a' is mapped to multiple resources."},
        {.pairs = {"external.resource.usage", "INDEX", "topics", "a,b",
                   "topic.to.external.resource.mapping", "a:x,b:y",
                   "max.external.resource.mappings", "1", NULL},
         .expected = "Too many topic-to-external-resource mappings are configured (2)"},
        {.pairs = {"external.resource.usage", "DATASTREAM", "topics", "a",
                   "topic.to.external.resource.mapping", "a:logs-a-b", NULL}},
    };
    check_cases(cases, CASE_COUNT(cases));
}

static void test_settings_refuse_what_validate_refuses(void **state)
{
    (void)state;
    ferry_config *config = plugin_fake_config_new(es_config_keys, "connection.url", "http://es",
                                                  "connection.username", "u", NULL);
    es_settings s;
    char err[300];
    assert_int_equal(es_settings_load(es_host, config, &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "connection.username: Both"));
    ferry_config_destroy(config);
    /* An API key as id:key is encoded. */
    config = plugin_fake_config_new(es_config_keys, "connection.url", "http://es",
                                    "connection.api.key", "id:key", NULL);
    assert_int_equal(es_settings_load(es_host, config, &s, err, sizeof(err)), 0);
    assert_string_equal(s.api_key_header, "Authorization: ApiKey aWQ6a2V5");
    es_settings_free(&s);
    ferry_config_destroy(config);
}

/* Loads settings from connection.url http://es and these pairs; fails the test on a refusal. */
static void load(es_settings *s, const char *const *pairs)
{
    json_t *values = json_pack("{s:s}", "connection.url", "http://es");
    for (size_t i = 0; pairs[i]; i += 2)
        json_object_set_new(values, pairs[i], json_string(pairs[i + 1]));
    ferry_config *config = plugin_fake_config_json(es_config_keys, values);
    json_decref(values);
    char err[300] = "";
    int rc = es_settings_load(es_host, config, s, err, sizeof(err));
    ferry_config_destroy(config);
    if (rc != 0)
        fail_msg("settings: %s", err);
}

static void test_settings_derived(void **state)
{
    (void)state;
    es_settings s;
    /* TLS keys count only with SSL; an empty endpoint identification turns the host check off. */
    load(&s, (const char *const[]){"elastic.security.protocol", "SSL",
                                   "elastic.https.ssl.truststore.location", "/ca.pem",
                                   "elastic.https.ssl.endpoint.identification.algorithm", "",
                                   NULL});
    assert_true(s.ssl);
    assert_string_equal(s.ca_file, "/ca.pem");
    assert_false(s.verify_host);
    assert_int_equal(s.max_idle_ms, 60000);
    assert_int_equal(s.proxy_port, 8080);
    assert_false(s.tolerate_all);
    assert_false(s.has_dlq);
    es_settings_free(&s);
    /* Data streams: the lowercased prefix; the worker's error keys. */
    load(&s, (const char *const[]){"data.stream.type", "LOGS", "data.stream.dataset", "app",
                                   "errors.tolerance", "ALL",
                                   "errors.deadletterqueue.topic.name", "dlq", NULL});
    assert_true(s.data_stream);
    assert_string_equal(s.data_stream_prefix, "logs-app-");
    assert_string_equal(s.data_stream_namespace, "${topic}");
    assert_true(s.tolerate_all);
    assert_true(s.has_dlq);
    es_settings_free(&s);
    /* Resources, enums, and autogenerated ids only with inserts. */
    load(&s, (const char *const[]){"external.resource.usage", "alias_index", "topics", "a,b",
                                   "topic.to.external.resource.mapping", "a:x,b:y",
                                   "write.method", "UPSERT", "use.autogenerated.ids", "true",
                                   "behavior.on.null.values", "delete",
                                   "behavior.on.malformed.documents", "warn", NULL});
    assert_int_equal(s.resource_usage, ES_RESOURCE_ALIAS_INDEX);
    assert_int_equal(s.resource_count, 2);
    assert_string_equal(es_settings_resource(&s, "b"), "y");
    assert_null(es_settings_resource(&s, "c"));
    assert_int_equal(s.write_method, ES_WRITE_UPSERT);
    assert_false(s.autogenerated_ids);
    assert_int_equal(s.null_behavior, ES_NULL_DELETE);
    assert_int_equal(s.malformed_behavior, ES_MALFORMED_WARN);
    es_settings_free(&s);
}

static void test_connector(void **state)
{
    (void)state;
    ferry_config *config = plugin_fake_config_new(es_config_keys, "connection.url", "http://es",
                                                  "type.name", "_doc", "kerberos.user.principal",
                                                  "me", "kerberos.keytab.path", "/k", NULL);
    void *connector = NULL;
    char err[300];
    assert_int_equal(es_sink_type.connector->start(plugin_fake_context(), config, &connector, err,
                                                   sizeof(err)), FERRY_OK);
    assert_true(plugin_fake_log_contains("type.name is not supported"));
    assert_true(plugin_fake_log_contains("kerberos.keytab.path is not supported"));
    json_t *tasks = NULL;
    assert_int_equal(es_sink_type.connector->task_configs(connector, 3, &tasks, err, sizeof(err)),
                     FERRY_OK);
    assert_int_equal(json_array_size(tasks), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tasks, 2),
                                                          "connection.url")), "http://es");
    json_decref(tasks);
    es_sink_type.connector->stop(connector);
    ferry_config_destroy(config);
    assert_string_equal(es_sink_type.aliases[0],
                        "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector");
    assert_int_equal(es_sink_type.kind, FERRY_CONNECTOR_SINK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults_are_valid_and_confluent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_key_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resource_mappings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_refuse_what_validate_refuses, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_settings_derived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connector, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
