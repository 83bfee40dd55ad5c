/* See test_rest_client.h. */
#include "test_rest_client.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

struct rc_client {
    CURL *curl;
    char *base;
    char *authorization; /* full header line */
    char *extra;         /* one more header line */
    char *ca;
};

rc_client *rc_new(const char *base)
{
    rc_client *client = calloc(1, sizeof(*client));
    if (!client)
        return NULL;
    client->curl = curl_easy_init();
    client->base = strdup(base);
    return client;
}

rc_client *rc_new_local(int port, int healthy_ms)
{
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    rc_client *client = rc_new(base);
    if (!client)
        fail_msg("cannot make a REST client of %s", base);
    if (healthy_ms > 0 && !rc_wait_healthy(client, healthy_ms))
        fail_msg("%s/health did not answer 200 within %d ms", base, healthy_ms);
    return client;
}

void rc_free(rc_client *client)
{
    if (!client)
        return;
    curl_easy_cleanup(client->curl);
    free(client->base);
    free(client->authorization);
    free(client->extra);
    free(client->ca);
    free(client);
}

static void rc_replace(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

void rc_set_basic(rc_client *client, const char *user, const char *password)
{
    if (!user) {
        rc_replace(&client->authorization, NULL);
        return;
    }
    char plain[512];
    snprintf(plain, sizeof(plain), "%s:%s", user, password);
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char encoded[800] = "Authorization: Basic ";
    size_t used = strlen(encoded), len = strlen(plain);
    for (size_t i = 0; i < len; i += 3) {
        unsigned n = (unsigned)(unsigned char)plain[i] << 16;
        if (i + 1 < len)
            n |= (unsigned)(unsigned char)plain[i + 1] << 8;
        if (i + 2 < len)
            n |= (unsigned char)plain[i + 2];
        encoded[used++] = alphabet[(n >> 18) & 63];
        encoded[used++] = alphabet[(n >> 12) & 63];
        encoded[used++] = i + 1 < len ? alphabet[(n >> 6) & 63] : '=';
        encoded[used++] = i + 2 < len ? alphabet[n & 63] : '=';
    }
    encoded[used] = '\0';
    rc_replace(&client->authorization, strdup(encoded));
}

void rc_set_bearer(rc_client *client, const char *token)
{
    char *line = NULL;
    if (token && asprintf(&line, "Authorization: Bearer %s", token) < 0)
        line = NULL;
    rc_replace(&client->authorization, line);
}

void rc_set_header(rc_client *client, const char *header)
{
    rc_replace(&client->extra, header ? strdup(header) : NULL);
}

void rc_set_ca(rc_client *client, const char *ca_file)
{
    rc_replace(&client->ca, ca_file ? strdup(ca_file) : NULL);
}

typedef struct rc_buffer {
    char *data;
    size_t len;
} rc_buffer;

static size_t rc_collect(char *data, size_t size, size_t count, void *opaque)
{
    rc_buffer *buffer = opaque;
    size_t n = size * count;
    char *grown = realloc(buffer->data, buffer->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + buffer->len, data, n);
    buffer->len += n;
    grown[buffer->len] = '\0';
    buffer->data = grown;
    return n;
}

void rc_response_clear(rc_response *response)
{
    free(response->body);
    free(response->headers);
    json_decref(response->json);
    memset(response, 0, sizeof(*response));
}

long rc_call_typed(rc_client *client, const char *method, const char *path, const char *body,
                   size_t body_len, const char *content_type, rc_response *response)
{
    memset(response, 0, sizeof(*response));
    CURL *curl = client->curl;
    curl_easy_reset(curl);
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", client->base, path);
    rc_buffer body_buffer = {0}, header_buffer = {0};
    struct curl_slist *headers = NULL;
    char type_line[256];
    if (body) {
        snprintf(type_line, sizeof(type_line), "Content-Type: %s",
                 content_type ? content_type : "application/json");
        headers = curl_slist_append(headers, type_line);
    }
    headers = curl_slist_append(headers, "Expect:");
    if (client->authorization)
        headers = curl_slist_append(headers, client->authorization);
    if (client->extra)
        headers = curl_slist_append(headers, client->extra);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, rc_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_buffer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, rc_collect);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_buffer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    if (client->ca)
        curl_easy_setopt(curl, CURLOPT_CAINFO, client->ca);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    response->body = body_buffer.data ? body_buffer.data : strdup("");
    response->len = body_buffer.len;
    response->headers = header_buffer.data ? header_buffer.data : strdup("");
    if (rc != CURLE_OK) {
        snprintf(response->error, sizeof(response->error), "%s", error[0] ? error
                                                                          : curl_easy_strerror(rc));
        response->status = 0;
        return 0;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
    if (response->len > 0)
        response->json = json_loadb(response->body, response->len, JSON_DECODE_ANY, NULL);
    return response->status;
}

long rc_call(rc_client *client, const char *method, const char *path, const char *body,
             rc_response *response)
{
    return rc_call_typed(client, method, path, body, body ? strlen(body) : 0, NULL, response);
}

char *rc_header(const rc_response *response, const char *name)
{
    size_t name_len = strlen(name);
    for (const char *line = response->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > name_len && strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
            const char *value = line + name_len + 1;
            while (*value == ' ')
                value++;
            return strndup(value, (size_t)(line + len - value));
        }
        line = end ? end + 2 : NULL;
    }
    return NULL;
}

json_t *rc_expect(rc_client *client, const char *method, const char *path, const char *body,
                  long status)
{
    rc_response response;
    long got = rc_call(client, method, path, body, &response);
    if (got != status)
        fail_msg("%s %s: expected %ld, got %ld: %s%s", method, path, status, got, response.body,
                 response.error);
    if (response.len > 0 && !response.json && status != 200)
        fail_msg("%s %s: the body is not JSON: %s", method, path, response.body);
    json_t *json = json_incref(response.json);
    rc_response_clear(&response);
    return json;
}

void rc_expect_error(rc_client *client, const char *method, const char *path, const char *body,
                     long status, const char *needle)
{
    rc_response response;
    long got = rc_call(client, method, path, body, &response);
    char why[256];
    if (got != status)
        fail_msg("%s %s: expected %ld, got %ld: %s%s", method, path, status, got, response.body,
                 response.error);
    if (!rc_shape_error(response.json, status, why, sizeof(why)))
        fail_msg("%s %s: not Kafka Connect's error shape (%s): %s", method, path, why,
                 response.body);
    const char *message = json_string_value(json_object_get(response.json, "message"));
    if (needle && !strstr(message, needle))
        fail_msg("%s %s: the message '%s' does not contain '%s'", method, path, message, needle);
    rc_response_clear(&response);
}

bool rc_wait_healthy(rc_client *client, int timeout_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        rc_response response;
        long status = rc_call(client, "GET", "/health", NULL, &response);
        rc_response_clear(&response);
        if (status == 200)
            return true;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
            timeout_ms)
            return false;
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

/* ---- shapes ----------------------------------------------------------------------------- */

#define SHAPE_FAIL(...)                                                                        \
    do {                                                                                       \
        snprintf(why, len, __VA_ARGS__);                                                       \
        return false;                                                                          \
    } while (0)

static bool rc_has(const json_t *object, const char *key, json_type type)
{
    json_t *value = json_object_get(object, key);
    return value && json_typeof(value) == type;
}

static bool rc_has_bool(const json_t *object, const char *key)
{
    return json_is_boolean(json_object_get(object, key));
}

static bool rc_is_state(const json_t *value)
{
    static const char *const states[] = {"UNASSIGNED", "RUNNING", "PAUSED", "STOPPED", "FAILED",
                                         "RESTARTING"};
    const char *text = json_string_value(value);
    for (size_t i = 0; text && i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(text, states[i]) == 0)
            return true;
    return false;
}

static bool rc_string_map(const json_t *value)
{
    const char *key;
    json_t *item;
    if (!json_is_object(value))
        return false;
    json_object_foreach((json_t *)value, key, item)
        if (!json_is_string(item))
            return false;
    return true;
}

bool rc_shape_error(const json_t *value, long status, char *why, size_t len)
{
    if (!json_is_object(value) || json_object_size(value) != 2)
        SHAPE_FAIL("not an object of exactly error_code and message");
    if (json_integer_value(json_object_get(value, "error_code")) != status)
        SHAPE_FAIL("error_code is not %ld", status);
    if (!rc_has(value, "message", JSON_STRING))
        SHAPE_FAIL("no message string");
    return true;
}

bool rc_shape_connector_info(const json_t *value, char *why, size_t len)
{
    if (!rc_has(value, "name", JSON_STRING) || !rc_string_map(json_object_get(value, "config")) ||
        !rc_has(value, "tasks", JSON_ARRAY) || !rc_has(value, "type", JSON_STRING))
        SHAPE_FAIL("ConnectorInfo needs name, config (strings), tasks, type");
    const char *type = json_string_value(json_object_get(value, "type"));
    if (strcmp(type, "source") != 0 && strcmp(type, "sink") != 0 && strcmp(type, "unknown") != 0)
        SHAPE_FAIL("type '%s'", type);
    size_t index;
    json_t *task;
    json_array_foreach(json_object_get(value, "tasks"), index, task) {
        if (!rc_has(task, "connector", JSON_STRING) || !rc_has(task, "task", JSON_INTEGER) ||
            json_integer_value(json_object_get(task, "task")) != (json_int_t)index)
            SHAPE_FAIL("tasks[%zu] is not {connector, task: %zu}", index, index);
    }
    return true;
}

bool rc_shape_task_state(const json_t *value, char *why, size_t len)
{
    if (!rc_has(value, "id", JSON_INTEGER) || !rc_is_state(json_object_get(value, "state")) ||
        !rc_has(value, "worker_id", JSON_STRING))
        SHAPE_FAIL("TaskState needs id, state, worker_id");
    json_t *trace = json_object_get(value, "trace");
    if (trace && !json_is_string(trace))
        SHAPE_FAIL("trace is not a string");
    return true;
}

bool rc_shape_status(const json_t *value, char *why, size_t len)
{
    json_t *connector = json_object_get(value, "connector");
    if (!rc_has(value, "name", JSON_STRING) || !json_is_object(connector) ||
        !rc_has(value, "tasks", JSON_ARRAY) || !rc_has(value, "type", JSON_STRING))
        SHAPE_FAIL("ConnectorStateInfo needs name, connector, tasks, type");
    if (!rc_is_state(json_object_get(connector, "state")) ||
        !rc_has(connector, "worker_id", JSON_STRING))
        SHAPE_FAIL("connector needs state and worker_id");
    size_t index;
    json_t *task;
    json_array_foreach(json_object_get(value, "tasks"), index, task) {
        if (!rc_shape_task_state(task, why, len))
            return false;
        if (json_integer_value(json_object_get(task, "id")) != (json_int_t)index)
            SHAPE_FAIL("tasks[%zu] has id %lld", index,
                       (long long)json_integer_value(json_object_get(task, "id")));
    }
    return true;
}

bool rc_shape_task_info(const json_t *value, char *why, size_t len)
{
    json_t *id = json_object_get(value, "id");
    if (!rc_has(id, "connector", JSON_STRING) || !rc_has(id, "task", JSON_INTEGER) ||
        !rc_string_map(json_object_get(value, "config")))
        SHAPE_FAIL("TaskInfo needs id {connector, task} and config (strings)");
    return true;
}

bool rc_shape_config_key(const json_t *value, char *why, size_t len)
{
    static const char *const strings[] = {"name", "type", "importance", "documentation", "group",
                                          "width", "display_name"};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        if (!rc_has(value, strings[i], JSON_STRING))
            SHAPE_FAIL("ConfigKeyInfo needs %s", strings[i]);
    json_t *fallback = json_object_get(value, "default_value");
    /* Kafka Connect's ConfigKeyInfo serialises orderInGroup as "order". */
    if (!rc_has_bool(value, "required") || !rc_has(value, "order", JSON_INTEGER) ||
        !rc_has(value, "dependents", JSON_ARRAY) ||
        !(json_is_null(fallback) || json_is_string(fallback)) ||
        json_object_get(value, "order_in_group"))
        SHAPE_FAIL("ConfigKeyInfo needs required, order (not order_in_group), dependents, "
                   "default_value");
    return true;
}

bool rc_shape_config_infos(const json_t *value, char *why, size_t len)
{
    if (!rc_has(value, "name", JSON_STRING) || !rc_has(value, "error_count", JSON_INTEGER) ||
        !rc_has(value, "groups", JSON_ARRAY) || !rc_has(value, "configs", JSON_ARRAY))
        SHAPE_FAIL("ConfigInfos needs name, error_count, groups, configs");
    json_int_t errors = 0;
    size_t index;
    json_t *config;
    json_array_foreach(json_object_get(value, "configs"), index, config) {
        json_t *definition = json_object_get(config, "definition");
        json_t *config_value = json_object_get(config, "value");
        if (!rc_shape_config_key(definition, why, len))
            return false;
        json_t *shown = json_object_get(config_value, "value");
        if (!rc_has(config_value, "name", JSON_STRING) ||
            !(json_is_null(shown) || json_is_string(shown)) ||
            !rc_has(config_value, "recommended_values", JSON_ARRAY) ||
            !rc_has(config_value, "errors", JSON_ARRAY) || !rc_has_bool(config_value, "visible"))
            SHAPE_FAIL("configs[%zu].value needs name, value, recommended_values, errors, "
                       "visible", index);
        errors += (json_int_t)json_array_size(json_object_get(config_value, "errors"));
    }
    if (errors != json_integer_value(json_object_get(value, "error_count")))
        SHAPE_FAIL("error_count %lld but %lld errors listed",
                   (long long)json_integer_value(json_object_get(value, "error_count")),
                   (long long)errors);
    return true;
}

bool rc_shape_plugin(const json_t *value, char *why, size_t len)
{
    if (!rc_has(value, "class", JSON_STRING) || !rc_has(value, "type", JSON_STRING) ||
        !rc_has(value, "version", JSON_STRING))
        SHAPE_FAIL("PluginInfo needs class, type, version");
    return true;
}

bool rc_shape_offsets(const json_t *value, bool sink, char *why, size_t len)
{
    json_t *offsets = json_object_get(value, "offsets");
    if (!json_is_array(offsets))
        SHAPE_FAIL("ConnectorOffsets needs an offsets array");
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        json_t *offset = json_object_get(entry, "offset");
        if (!json_is_object(partition) || !json_is_object(offset))
            SHAPE_FAIL("offsets[%zu] needs partition and offset objects", index);
        if (sink && (!rc_has(partition, "kafka_topic", JSON_STRING) ||
                     !rc_has(partition, "kafka_partition", JSON_INTEGER) ||
                     !rc_has(offset, "kafka_offset", JSON_INTEGER)))
            SHAPE_FAIL("offsets[%zu] is not a sink offset", index);
    }
    return true;
}

void rc_assert_shape(bool ok, const char *what, const char *why)
{
    if (!ok)
        fail_msg("%s: %s", what, why);
}
