/* The Elasticsearch sink against the real Elasticsearch (FERRY_TEST_ES_URL) and the real broker,
 * through the real ferry binary: one worker runs one connector per case, each on its own topic
 * and index, all configured as Confluent's connector is. The same test runs against
 * Elasticsearch 9 and OpenSearch (FERRY_TEST_ES_SERVER, test_es_sink_util.h): the sink must say
 * which server it found, and every case must come out the same.
 *
 *   ids        string keys: _id = key, _version = the Kafka offset (external versioning), a
 *              tombstone deletes (behavior.on.null.values=delete);
 *   versions   external.version.header: _version = the header's number (headers reach the sink
 *              on demand, FERRY_SINK_HEADERS_ON_DEMAND);
 *   structured JSON keys: a one-field struct gives its value, an integer its text, other
 *              structures a sorted compact JSON text;
 *   key.ignore _id = topic+partition+offset over two partitions;
 *   upsert     write.method=upsert merges fields;
 *   stream     a data stream (data.stream.type/dataset, op_type create, @timestamp from the
 *              record's timestamp) through an index template;
 *   dlq        a mapping error (a text into a long field) goes to the dead-letter queue with
 *              Elasticsearch's error in its headers; the other documents are written, the task
 *              keeps running;
 *   schema     JsonConverter with schemas: the index mapping is made from the Connect schema,
 *              decimals become numbers;
 *   nulls      a tombstone with the default behavior.on.null.values=fail and errors.tolerance
 *              none fails the task with a message saying what to set.
 * Then a graceful stop: no sanitizer report, every task logged its counts. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_es_sink_util.h"

#define WAIT_MS 60000


static void produce(rd_kafka_t *producer, const char *topic, int32_t partition, const char *key,
                    const char *value)
{
    kt_produce(producer, topic, partition, key, key ? strlen(key) : 0, value,
               value ? strlen(value) : 0, NULL, NULL);
}

/* The _source of a document as compact JSON with sorted keys (malloc'd), NULL when missing. */
static char *source_of(const char *index, const char *id, int64_t *version)
{
    json_t *doc = esu_get(index, id);
    if (!doc)
        return NULL;
    if (version)
        *version = json_integer_value(json_object_get(doc, "_version"));
    char *text = json_dumps(json_object_get(doc, "_source"), JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    return text;
}

static void expect_source(const char *index, const char *id, const char *expected,
                          int64_t expected_version)
{
    int64_t version = -1;
    char *text = source_of(index, id, &version);
    if (!text)
        fail_msg("%s: no document with _id '%s'", index, id);
    if (strcmp(text, expected) != 0)
        fail_msg("%s/%s: _source %s, expected %s", index, id, text, expected);
    if (expected_version >= 0 && version != expected_version)
        fail_msg("%s/%s: _version %" PRId64 ", expected %" PRId64, index, id, version,
                 expected_version);
    free(text);
}

/* Waits until the document has the expected version (the last write arrived). */
static void wait_version(const char *index, const char *id, int64_t version)
{
    int64_t deadline = fp_now_ms() + WAIT_MS;
    int64_t seen = -1;
    while (fp_now_ms() < deadline) {
        json_t *doc = esu_get(index, id);
        seen = doc ? json_integer_value(json_object_get(doc, "_version")) : -1;
        json_decref(doc);
        if (seen == version)
            return;
        fp_sleep_ms(250);
    }
    fail_msg("%s/%s: _version %" PRId64 " after %d ms, expected %" PRId64, index, id, seen,
             WAIT_MS, version);
}

static void wait_task_state(fp_env *env, const char *name, const char *state, char *trace,
                            size_t trace_size)
{
    char seen[64] = "";
    int64_t deadline = fp_now_ms() + WAIT_MS;
    while (fp_now_ms() < deadline) {
        esu_task_state(env, name, seen, sizeof(seen), trace, trace_size);
        if (strcmp(seen, state) == 0)
            return;
        fp_sleep_ms(250);
    }
    fail_msg("task of %s is '%s', expected %s", name, seen, state);
}

static void test_features(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("es_sink_features");
    const char *ids = fp_name(env, "es_ids");
    const char *versions = fp_name(env, "es_versions");
    const char *keys = fp_name(env, "es_keys");
    const char *ignore = fp_name(env, "es_ignore");
    const char *upsert = fp_name(env, "es_upsert");
    const char *stream = fp_name(env, "es_stream");
    const char *dlq_topic = fp_name(env, "es_dlq");
    const char *dlq = fp_name(env, "es_dlq_queue");
    const char *schema = fp_name(env, "es_schema");
    const char *nulls = fp_name(env, "es_nulls");
    const char *dataset = fp_name(env, "ds"); /* lowercase, no '-' */
    const char *const topics[] = {ids, versions, keys, ignore, upsert, stream, dlq_topic, dlq,
                                  schema, nulls};
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
        kt_create_topic(topics[i], topics[i] == ignore ? 2 : 1, NULL);

    /* The index of the dlq case exists with a long field; the data stream has its template. */
    char body[1024], path[512];
    snprintf(path, sizeof(path), "/%s", dlq_topic);
    json_decref(esu_expect("PUT", path,
                           "{\"mappings\":{\"properties\":{\"n\":{\"type\":\"long\"}}}}", 200));
    snprintf(path, sizeof(path), "/_index_template/%s", dataset);
    snprintf(body, sizeof(body), "{\"index_patterns\":[\"logs-%s-*\"],\"data_stream\":{},"
             "\"priority\":500}", dataset);
    json_decref(esu_expect("PUT", path, body, 200));

    rd_kafka_t *producer = kt_producer_new(NULL);
    /* ids: offsets 0..5 */
    produce(producer, ids, 0, "k1", "{\"v\":1}");
    produce(producer, ids, 0, "k2", "{\"v\":1}");
    produce(producer, ids, 0, "k1", "{\"v\":2}");
    produce(producer, ids, 0, "k3", "{\"v\":1}");
    produce(producer, ids, 0, "k2", NULL);
    produce(producer, ids, 0, "k3", "{\"v\":2}");
    /* versions: from the header v */
    kt_produce(producer, versions, 0, "k1", 2, "{\"v\":1}", 7, "v", "10");
    kt_produce(producer, versions, 0, "k2", 2, "{\"v\":1}", 7, "v", "20");
    kt_produce(producer, versions, 0, "k1", 2, "{\"v\":2}", 7, "v", "15");
    /* structured keys */
    produce(producer, keys, 0, "{\"id\":42}", "{\"what\":\"one field\"}");
    produce(producer, keys, 0, "7", "{\"what\":\"integer\"}");
    produce(producer, keys, 0, "{\"b\":\"x\",\"a\":1}", "{\"what\":\"two fields\"}");
    produce(producer, keys, 0, "\"text\"", "{\"what\":\"string\"}");
    /* key.ignore: 5 records per partition, no keys */
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 5; i++) {
            char value[64];
            snprintf(value, sizeof(value), "{\"p\":%d,\"i\":%d}", p, i);
            produce(producer, ignore, p, NULL, value);
        }
    /* upsert */
    produce(producer, upsert, 0, "k1", "{\"a\":1}");
    produce(producer, upsert, 0, "k1", "{\"b\":2}");
    produce(producer, upsert, 0, "k2", "{\"c\":3}");
    produce(producer, upsert, 0, "k1", "{\"a\":5}");
    /* data stream */
    for (int i = 0; i < 5; i++) {
        char value[64];
        snprintf(value, sizeof(value), "{\"msg\":\"line %d\"}", i);
        produce(producer, stream, 0, NULL, value);
    }
    /* dlq */
    produce(producer, dlq_topic, 0, "k1", "{\"n\":1}");
    produce(producer, dlq_topic, 0, "k2", "{\"n\":\"not a number\"}");
    produce(producer, dlq_topic, 0, "k3", "{\"n\":3}");
    /* JSON values reach the sink as checked text: malformed text is still a converter error for
     * the dead-letter queue, and the JSON null still a null value (ignored here). */
    produce(producer, dlq_topic, 0, "k4", "{\"n\":");
    produce(producer, dlq_topic, 0, "k5", " null ");
    /* schema */
    produce(producer, schema, 0, "p1",
            "{\"schema\":{\"type\":\"struct\",\"name\":\"product\",\"fields\":["
            "{\"field\":\"id\",\"type\":\"int32\"},{\"field\":\"name\",\"type\":\"string\"},"
            "{\"field\":\"price\",\"type\":\"bytes\",\"name\":"
            "\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"2\"}},"
            "{\"field\":\"at\",\"type\":\"int64\",\"name\":"
            "\"org.apache.kafka.connect.data.Timestamp\"}]},"
            "\"payload\":{\"id\":1,\"name\":\"kettle\",\"price\":\"MDk=\","
            "\"at\":1700000000000}}");
    /* nulls */
    produce(producer, nulls, 0, "k1", "{\"v\":1}");
    produce(producer, nulls, 0, "k1", NULL);
    kt_producer_close(producer);

    const char *json_values = "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                              "value.converter.schemas.enable=false\n";
    char lines[2048];
    const char *worker = esu_worker_file(env, 1000, NULL);
    snprintf(lines, sizeof(lines), "topics=%s\n%sbehavior.on.null.values=delete\n", ids,
             json_values);
    const char *c_ids = esu_connector_file(env, fp_name(env, "c_ids"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%sexternal.version.header=v\n", versions,
             json_values);
    const char *c_versions = esu_connector_file(env, fp_name(env, "c_versions"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%skey.converter=org.apache.kafka.connect.json."
             "JsonConverter\nkey.converter.schemas.enable=false\n", keys, json_values);
    const char *c_keys = esu_connector_file(env, fp_name(env, "c_keys"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%skey.ignore=true\n", ignore, json_values);
    const char *c_ignore = esu_connector_file(env, fp_name(env, "c_ignore"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%swrite.method=upsert\n", upsert, json_values);
    const char *c_upsert = esu_connector_file(env, fp_name(env, "c_upsert"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%skey.ignore=true\ndata.stream.type=LOGS\n"
             "data.stream.dataset=%s\n", stream, json_values, dataset);
    const char *c_stream = esu_connector_file(env, fp_name(env, "c_stream"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%serrors.tolerance=all\n"
             "behavior.on.null.values=ignore\n"
             "errors.deadletterqueue.topic.name=%s\n"
             "errors.deadletterqueue.topic.replication.factor=1\n"
             "errors.deadletterqueue.context.headers.enable=true\n", dlq_topic, json_values, dlq);
    const char *c_dlq = esu_connector_file(env, fp_name(env, "c_dlq"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\nvalue.converter=org.apache.kafka.connect.json."
             "JsonConverter\nvalue.converter.schemas.enable=true\n", schema);
    const char *c_schema = esu_connector_file(env, fp_name(env, "c_schema"), lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%s", nulls, json_values);
    const char *c_nulls = esu_connector_file(env, fp_name(env, "c_nulls"), lines);

    fp_proc *proc = fp_start(env, worker, c_ids, c_versions, c_keys, c_ignore, c_upsert,
                             c_stream, c_dlq, c_schema, c_nulls, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 30000));
    /* Each task learnt which server it writes to from the server's answers. */
    char connected[256];
    snprintf(connected, sizeof(connected), "connected to %s at %s", esu_server(), esu_url());
    assert_true(fp_wait_log(proc, connected, 30000));

    /* ids: external versions are the offsets; the tombstone deleted k2. */
    wait_version(ids, "k3", 5);
    assert_true(esu_wait_count(ids, 2, WAIT_MS));
    expect_source(ids, "k1", "{\"v\":2}", 2);
    expect_source(ids, "k3", "{\"v\":2}", 5);
    assert_null(esu_get(ids, "k2"));

    /* versions: the header's numbers, not the offsets */
    wait_version(versions, "k1", 15);
    expect_source(versions, "k1", "{\"v\":2}", 15);
    expect_source(versions, "k2", "{\"v\":1}", 20);

    /* structured keys */
    assert_true(esu_wait_count(keys, 4, WAIT_MS));
    expect_source(keys, "42", "{\"what\":\"one field\"}", 0);
    expect_source(keys, "7", "{\"what\":\"integer\"}", 1);
    expect_source(keys, "{\"a\":1,\"b\":\"x\"}", "{\"what\":\"two fields\"}", 2);
    expect_source(keys, "text", "{\"what\":\"string\"}", 3);

    /* key.ignore */
    assert_true(esu_wait_count(ignore, 10, WAIT_MS));
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 5; i++) {
            char id[300], expected[64];
            snprintf(id, sizeof(id), "%s+%d+%d", ignore, p, i);
            snprintf(expected, sizeof(expected), "{\"i\":%d,\"p\":%d}", i, p);
            expect_source(ignore, id, expected, 1);
        }

    /* upsert: fields merged, the last write wins per field */
    assert_true(esu_wait_count(upsert, 2, WAIT_MS));
    int64_t deadline = fp_now_ms() + WAIT_MS;
    char *merged = NULL;
    while (fp_now_ms() < deadline) {
        free(merged);
        merged = source_of(upsert, "k1", NULL);
        if (merged && strcmp(merged, "{\"a\":5,\"b\":2}") == 0)
            break;
        fp_sleep_ms(250);
    }
    assert_non_null(merged);
    assert_string_equal(merged, "{\"a\":5,\"b\":2}");
    free(merged);
    expect_source(upsert, "k2", "{\"c\":3}", -1);

    /* data stream: logs-<dataset>-<topic>, every document with @timestamp */
    char stream_name[512];
    snprintf(stream_name, sizeof(stream_name), "logs-%s-%s", dataset, stream);
    assert_true(esu_wait_count(stream_name, 5, WAIT_MS));
    json_t *hits = esu_documents(stream_name);
    assert_int_equal(json_array_size(hits), 5);
    size_t i;
    json_t *hit;
    json_array_foreach(hits, i, hit) {
        json_t *source = json_object_get(hit, "_source");
        assert_non_null(json_object_get(source, "@timestamp"));
        assert_non_null(json_object_get(source, "msg"));
        assert_non_null(strstr(json_string_value(json_object_get(hit, "_index")), ".ds-logs-"));
    }
    json_decref(hits);

    /* dlq: the mapping error and the malformed value went to the dead-letter queue, the rest
     * was written, the null ignored */
    assert_true(esu_wait_count(dlq_topic, 2, WAIT_MS));
    deadline = fp_now_ms() + WAIT_MS;
    while (kt_end_offsets_sum(dlq) < 2 && fp_now_ms() < deadline)
        fp_sleep_ms(250);
    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal(dead->count, 2);
    for (size_t d = 0; d < dead->count; d++) {
        const kt_record *record = &dead->items[d];
        bool malformed = strcmp(record->key, "k4") == 0;
        if (!malformed)
            assert_string_equal(record->key, "k2");
        assert_string_equal(record->value, malformed ? "{\"n\":" : "{\"n\":\"not a number\"}");
        const kt_header *message = kt_record_header(record, "__connect.errors.exception.message");
        assert_non_null(message);
        assert_non_null(message->value);
        if (!strstr(message->value, malformed ? "malformed JSON (an unexpected end at byte 5)"
                                              : "parsing_exception"))
            fail_msg("dead-letter message of %s: %s", record->key, message->value);
        const kt_header *stage = kt_record_header(record, "__connect.errors.stage");
        assert_non_null(stage);
        assert_string_equal(stage->value, malformed ? "VALUE_CONVERTER" : "TASK_PUT");
        const kt_header *offset = kt_record_header(record, "__connect.errors.offset");
        assert_non_null(offset);
        assert_string_equal(offset->value, malformed ? "3" : "1");
    }
    kt_records_free(dead);
    assert_null(esu_get(dlq_topic, "k2"));
    char state_text[64], trace[2048];
    esu_task_state(env, fp_name(env, "c_dlq"), state_text, sizeof(state_text), trace,
                   sizeof(trace));
    assert_string_equal(state_text, "RUNNING");

    /* schema: mapping from the Connect schema, the decimal as a number */
    assert_true(esu_wait_count(schema, 1, WAIT_MS));
    expect_source(schema, "p1", "{\"at\":1700000000000,\"id\":1,\"name\":\"kettle\","
                                "\"price\":123.45}", 0);
    snprintf(path, sizeof(path), "/%s/_mapping", schema);
    json_t *mapping = esu_expect("GET", path, NULL, 200);
    json_t *properties = json_object_get(json_object_get(json_object_get(mapping, schema),
                                                         "mappings"), "properties");
    assert_string_equal(json_string_value(json_object_get(json_object_get(properties, "price"),
                                                          "type")), "double");
    assert_string_equal(json_string_value(json_object_get(json_object_get(properties, "id"),
                                                          "type")), "integer");
    assert_string_equal(json_string_value(json_object_get(json_object_get(properties, "at"),
                                                          "type")), "date");
    json_t *name = json_object_get(properties, "name");
    assert_string_equal(json_string_value(json_object_get(name, "type")), "text");
    assert_non_null(json_object_get(json_object_get(name, "fields"), "keyword"));
    json_decref(mapping);

    /* nulls: the default behavior fails the task on the tombstone, saying what to set */
    wait_task_state(env, fp_name(env, "c_nulls"), "FAILED", trace, sizeof(trace));
    if (!strstr(trace, "behavior.on.null.values"))
        fail_msg("trace: %s", trace);

    fp_stop(proc, 30000);
    esu_counts counts;
    assert_true(esu_stop_counts(proc, fp_name(env, "c_ids"), &counts));
    assert_int_equal(counts.acked, 6);
    assert_int_equal(counts.sent, 6);
    assert_true(esu_stop_counts(proc, fp_name(env, "c_dlq"), &counts));
    assert_int_equal(counts.rejected, 1);

    const char *indices[] = {ids, versions, keys, ignore, upsert, dlq_topic, schema, nulls};
    for (size_t n = 0; n < sizeof(indices) / sizeof(indices[0]); n++)
        esu_delete_index(indices[n]);
    kt_delete_topics(topics, sizeof(topics) / sizeof(topics[0]));
    fp_pass(env);
}

int main(void)
{
    fp_init();
    esu_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_features, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
