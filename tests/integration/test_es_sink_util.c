/* Helpers of the Elasticsearch sink's integration tests (test_es_sink_util.h). */
#include "test_es_sink_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "kafka_tool.h"
#include "service_env.h"

static const char *esu_base;
typedef struct esu_buffer {
    char *data;
    size_t len;
} esu_buffer;

static size_t esu_collect(char *ptr, size_t size, size_t count, void *opaque)
{
    esu_buffer *buffer = opaque;
    size_t n = size * count;
    char *grown = realloc(buffer->data, buffer->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + buffer->len, ptr, n);
    buffer->len += n;
    grown[buffer->len] = '\0';
    buffer->data = grown;
    return n;
}

static long esu_http(const char *base, const char *method, const char *path, const char *body,
                     json_t **answer)
{
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", base, path);
    esu_buffer buffer = {0};
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, esu_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buffer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (answer)
        *answer = buffer.data ? json_loads(buffer.data, 0, NULL) : NULL;
    free(buffer.data);
    return status;
}

/* The server a test runs against (FERRY_TEST_ES_SERVER): its URL variable, its product, and
 * whether services.sh starts it only when asked (then an unset variable is always a skip). */
typedef struct esu_kind {
    const char *server, *variable, *product;
    int major; /* 0: any */
    bool optional;
} esu_kind;

static const esu_kind esu_kinds[] = {
    {"elasticsearch", "FERRY_TEST_ES_URL", "Elasticsearch", 0, false},
    {"elasticsearch9", "FERRY_TEST_ES9_URL", "Elasticsearch", 9, true},
    {"opensearch", "FERRY_TEST_OPENSEARCH_URL", "OpenSearch", 0, true},
};

static char esu_server_text[128];

void esu_init(void)
{
    const char *server = getenv("FERRY_TEST_ES_SERVER");
    const esu_kind *kind = NULL;
    for (size_t i = 0; i < sizeof(esu_kinds) / sizeof(esu_kinds[0]); i++)
        if (!server || !*server || strcmp(server, esu_kinds[i].server) == 0) {
            kind = &esu_kinds[i];
            break;
        }
    if (!kind) {
        fprintf(stderr, "FAIL: FERRY_TEST_ES_SERVER=%s: not elasticsearch, elasticsearch9 or "
                "opensearch\n", server);
        exit(EXIT_FAILURE);
    }
    const char *value = getenv(kind->variable);
    if (kind->optional && (!value || !*value)) {
        fprintf(stderr, "SKIP: %s is not set: start the optional server with "
                "tests/services/services.sh start %s and eval its env\n", kind->variable,
                kind->server);
        exit(SERVICE_ENV_SKIP);
    }
    esu_base = service_env_get(kind->variable);
    json_t *health = NULL;
    long status = esu_http(esu_base, "GET", "/_cluster/health?wait_for_status=yellow&timeout=30s",
                           NULL, &health);
    json_decref(health);
    if (status != 200)
        service_env_unreachable(kind->variable, "GET /_cluster/health answered %ld", status);
    /* The server must be the kind the test is for: what the sink is expected to recognise. */
    json_t *nodes = NULL;
    status = esu_http(esu_base, "GET", "/_nodes/_local?filter_path=nodes.*.version,"
                      "nodes.*.build_flavor", NULL, &nodes);
    json_t *node = json_object_iter_value(json_object_iter(json_object_get(nodes, "nodes")));
    const char *version = json_string_value(json_object_get(node, "version"));
    const char *product = json_object_get(node, "build_flavor") ? "Elasticsearch"
                                                                 : "OpenSearch";
    if (status != 200 || !version || strcmp(product, kind->product) != 0 ||
        (kind->major && atoi(version) != kind->major)) {
        fprintf(stderr, "FAIL: %s=%s is %s %s, not the %s%s this test is for\n", kind->variable,
                esu_base, product, version ? version : "(no version)", kind->product,
                kind->major == 9 ? " 9" : "");
        exit(EXIT_FAILURE);
    }
    snprintf(esu_server_text, sizeof(esu_server_text), "%s %s", product, version);
    json_decref(nodes);
    printf("# the sink writes to %s at %s\n", esu_server_text, esu_base);
}

const char *esu_server(void)
{
    return esu_server_text;
}

const char *esu_url(void)
{
    return esu_base;
}

long esu_request(const char *method, const char *path, const char *body, json_t **answer)
{
    return esu_http(esu_base, method, path, body, answer);
}

json_t *esu_expect(const char *method, const char *path, const char *body, long expected)
{
    json_t *answer = NULL;
    long status = esu_request(method, path, body, &answer);
    if (status != expected) {
        char *text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
        fail_msg("%s %s answered %ld, expected %ld: %.500s", method, path, status, expected,
                 text ? text : "(no JSON)");
    }
    return answer;
}

int64_t esu_count(const char *index)
{
    char path[600];
    snprintf(path, sizeof(path), "/%s/_refresh", index);
    if (esu_request("POST", path, NULL, NULL) != 200)
        return -1;
    snprintf(path, sizeof(path), "/%s/_count", index);
    json_t *answer = NULL;
    long status = esu_request("GET", path, NULL, &answer);
    int64_t count = status == 200 ? json_integer_value(json_object_get(answer, "count")) : -1;
    json_decref(answer);
    return count;
}

bool esu_wait_count(const char *index, int64_t target, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    int64_t count = -1;
    while (fp_now_ms() < deadline) {
        count = esu_count(index);
        if (count >= target)
            return true;
        fp_sleep_ms(250);
    }
    printf("# %s: %lld documents, expected %lld\n", index, (long long)count, (long long)target);
    return false;
}

json_t *esu_documents(const char *index)
{
    char path[600];
    snprintf(path, sizeof(path), "/%s/_refresh", index);
    esu_request("POST", path, NULL, NULL);
    snprintf(path, sizeof(path), "/%s/_search?size=10000&version=true", index);
    json_t *answer = esu_expect("GET", path, "{\"query\":{\"match_all\":{}}}", 200);
    json_t *hits = json_incref(json_object_get(json_object_get(answer, "hits"), "hits"));
    json_decref(answer);
    assert_non_null(hits);
    return hits;
}

json_t *esu_get(const char *index, const char *id)
{
    char *escaped = curl_easy_escape(NULL, id, 0);
    char path[1200];
    snprintf(path, sizeof(path), "/%s/_doc/%s", index, escaped);
    curl_free(escaped);
    json_t *answer = NULL;
    long status = esu_request("GET", path, NULL, &answer);
    if (status != 200) {
        json_decref(answer);
        return NULL;
    }
    return answer;
}

void esu_delete_index(const char *index)
{
    char path[600];
    snprintf(path, sizeof(path), "/%s?ignore_unavailable=true", index);
    esu_request("DELETE", path, NULL, NULL);
}

bool esu_wait_up(int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    while (fp_now_ms() < deadline) {
        if (esu_request("GET", "/_cluster/health?wait_for_status=yellow&timeout=5s", NULL,
                        NULL) == 200)
            return true;
        fp_sleep_ms(500);
    }
    return false;
}

const char *esu_worker_file(fp_env *env, long flush_ms, const char *extra)
{
    char *lines = NULL;
    if (asprintf(&lines, "plugin.path=%s,%s\n%s", FERRY_TEST_PLUGIN_PATH,
                 FERRY_TEST_ES_PLUGIN_PATH, extra ? extra : "") < 0)
        fail_msg("out of memory");
    const char *path = fp_worker_file(env, "worker.properties", flush_ms, lines);
    free(lines);
    return path;
}

const char *esu_connector_file(fp_env *env, const char *name, const char *lines)
{
    char file[300];
    snprintf(file, sizeof(file), "%s.properties", name);
    return fp_write(env, file,
                    "name=%s\n"
                    "connector.class=io.confluent.connect.elasticsearch.ElasticsearchSinkConnector\n"
                    "connection.url=%s\n"
                    "%s\n",
                    name, esu_base, lines);
}

json_t *esu_connector_status(fp_env *env, const char *name)
{
    char base[64], path[400];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", fp_listener_port(env));
    snprintf(path, sizeof(path), "/connectors/%s/status", name);
    json_t *answer = NULL;
    long status = esu_http(base, "GET", path, NULL, &answer);
    if (status != 200) {
        json_decref(answer);
        return NULL;
    }
    return answer;
}

void esu_task_state(fp_env *env, const char *name, char *state, size_t state_size, char *trace,
                    size_t trace_size)
{
    json_t *status = esu_connector_status(env, name);
    json_t *task = json_array_get(json_object_get(status, "tasks"), 0);
    snprintf(state, state_size, "%s", json_string_value(json_object_get(task, "state"))
                                          ? json_string_value(json_object_get(task, "state"))
                                          : "");
    if (trace)
        snprintf(trace, trace_size, "%s", json_string_value(json_object_get(task, "trace"))
                                              ? json_string_value(json_object_get(task, "trace"))
                                              : "");
    json_decref(status);
}

bool esu_task_ever_failed(fp_env *env, const char *name)
{
    kt_records *records = kt_consume_all(fp_status_topic(env), 30000);
    char prefix[300];
    snprintf(prefix, sizeof(prefix), "status-task-%s-", name);
    bool failed = false;
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *record = &records->items[i];
        if (record->key && strncmp(record->key, prefix, strlen(prefix)) == 0 && record->value &&
            strstr(record->value, "\"FAILED\""))
            failed = true;
    }
    kt_records_free(records);
    return failed;
}

bool esu_stop_counts(const fp_proc *proc, const char *connector, esu_counts *counts)
{
    *counts = (esu_counts){0};
    char *log = fp_log(proc);
    char scope[300];
    snprintf(scope, sizeof(scope), "[task:%s-", connector);
    for (const char *line = log; (line = strstr(line, scope)); line++) {
        const char *end = strchr(line, '\n');
        const char *at = strstr(line, "] stopping: ");
        if (!at || (end && at > end))
            continue;
        at += 2;
        long long a, r, s, b, f, p, t, u;
        if (sscanf(at, "stopping: %lld documents acknowledged, %lld rejected, %lld items sent "
                   "in %lld bulk requests (%lld failed as a whole, %lld partly), %lld items "
                   "retried, %lld documents not acknowledged", &a, &r, &s, &b, &f, &p, &t,
                   &u) != 8)
            continue;
        counts->acked += a;
        counts->rejected += r;
        counts->sent += s;
        counts->requests += b;
        counts->whole_failures += f;
        counts->partial += p;
        counts->retried += t;
        counts->unacked += u;
        counts->lines++;
    }
    free(log);
    return counts->lines > 0;
}
