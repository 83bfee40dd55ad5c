/* Integration smoke test: the real Elasticsearch from tests/services/ (FERRY_TEST_ES_URL).
 *
 * Indexes a JSON document into a unique index with ?refresh=true, finds it again with a match
 * query, checks the hit (id, source fields, count; a query for another word finds nothing), then
 * deletes the index and checks it is gone. HTTP with libcurl, JSON with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "service_env.h"

static const char *es_url;

struct buffer {
    char *data;
    size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct buffer *b = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->len += n;
    grown[b->len] = '\0';
    b->data = grown;
    return n;
}

/* One request; returns the HTTP status (or -1 with *error set) and the body in *out. */
static long http(const char *method, const char *path, const char *body, struct buffer *out,
                 char *error, size_t error_size)
{
    char url[1024];
    char errbuf[CURL_ERROR_SIZE] = "";
    long status = -1;
    struct curl_slist *headers = NULL;

    snprintf(url, sizeof url, "%s%s", es_url, path);
    out->data = NULL;
    out->len = 0;
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(error, error_size, "curl_easy_init failed");
        return -1;
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body != NULL)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(error, error_size, "%s %.300s: %.200s", method, url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return status;
}

/* A request that must succeed with EXPECTED; returns the parsed JSON body (caller decrefs). */
static json_t *request_json(const char *method, const char *path, const char *body, long expected)
{
    struct buffer out;
    char error[512] = "";
    long status = http(method, path, body, &out, error, sizeof error);
    if (status < 0) {
        free(out.data);
        fail_msg("%s", error);
    }
    if (status != expected) {
        char shown[1024];
        snprintf(shown, sizeof shown, "%s", out.data != NULL ? out.data : "");
        free(out.data);
        fail_msg("%s %s: HTTP %ld, expected %ld: %s", method, path, status, expected, shown);
    }
    json_error_t jerr;
    json_t *json = json_loadb(out.data != NULL ? out.data : "", out.len, 0, &jerr);
    free(out.data);
    if (json == NULL)
        fail_msg("%s %s: response is not JSON: %s", method, path, jerr.text);
    return json;
}

static void test_index_search_delete(void **state)
{
    (void)state;
    char index[96], token[96], path[256], body[512];
    service_env_unique_name(index, sizeof index, "ferry-smoke");
    /* A single word for the match query (the standard analyzer keeps "ferrytoken123_456" whole). */
    service_env_unique_name(token, sizeof token, "ferrytoken");

    json_t *doc = json_pack("{s:s, s:i, s:b}", "title", token, "count", 42, "smoke", 1);
    assert_non_null(doc);
    char *doc_text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_non_null(doc_text);

    snprintf(path, sizeof path, "/%s/_doc/doc-1?refresh=true", index);
    json_t *res = request_json("PUT", path, doc_text, 201);
    free(doc_text);
    assert_string_equal(json_string_value(json_object_get(res, "result")), "created");
    assert_string_equal(json_string_value(json_object_get(res, "_index")), index);
    assert_string_equal(json_string_value(json_object_get(res, "_id")), "doc-1");
    json_decref(res);

    /* Found by a match query on its title... */
    snprintf(path, sizeof path, "/%s/_search", index);
    snprintf(body, sizeof body, "{\"query\":{\"match\":{\"title\":\"%s\"}}}", token);
    res = request_json("POST", path, body, 200);
    json_t *hits = json_object_get(res, "hits");
    assert_non_null(hits);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(hits, "total"), "value")), 1);
    json_t *list = json_object_get(hits, "hits");
    assert_true(json_is_array(list));
    assert_int_equal(json_array_size(list), 1);
    json_t *hit = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(hit, "_id")), "doc-1");
    assert_string_equal(json_string_value(json_object_get(hit, "_index")), index);
    json_t *source = json_object_get(hit, "_source");
    assert_string_equal(json_string_value(json_object_get(source, "title")), token);
    assert_int_equal(json_integer_value(json_object_get(source, "count")), 42);
    assert_true(json_is_true(json_object_get(source, "smoke")));
    json_decref(res);

    /* ...and a query for another word finds nothing. */
    snprintf(body, sizeof body, "{\"query\":{\"match\":{\"title\":\"%s_other\"}}}", token);
    res = request_json("POST", path, body, 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(res, "hits"), "total"), "value")), 0);
    json_decref(res);

    snprintf(path, sizeof path, "/%s", index);
    res = request_json("DELETE", path, NULL, 200);
    assert_true(json_is_true(json_object_get(res, "acknowledged")));
    json_decref(res);

    res = request_json("GET", path, NULL, 404);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res, "error"), "type")),
        "index_not_found_exception");
    json_decref(res);
}

/* The variable is set: the node must answer, else this is a failure, not a skip.
 * (The integ-test-zip has no rest-root module, so `GET /` answers 405: ask the cluster instead.) */
static void probe_node(void)
{
    struct buffer out;
    char error[512] = "";
    long status = http("GET", "/_cluster/health", NULL, &out, error, sizeof error);
    json_t *json = status == 200 ? json_loadb(out.data, out.len, 0, NULL) : NULL;
    const char *health = json_string_value(json_object_get(json, "status"));
    int ok = health != NULL && strcmp(health, "red") != 0;
    if (!ok && status >= 0)
        snprintf(error, sizeof error, "GET /_cluster/health answered HTTP %ld: %.200s", status,
                 out.data != NULL ? out.data : "");
    json_decref(json);
    free(out.data);
    if (!ok) {
        curl_global_cleanup();
        service_env_unreachable("FERRY_TEST_ES_URL", "%s", error);
    }
}

int main(void)
{
    es_url = service_env_get("FERRY_TEST_ES_URL");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "curl_global_init failed\n");
        return 1;
    }
    probe_node();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_search_delete),
    };
    int failed = cmocka_run_group_tests_name("smoke_elasticsearch", tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
