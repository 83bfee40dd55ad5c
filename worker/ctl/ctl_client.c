/*
 * ctl_client.c - libcurl requests for `ferry ctl`, against ferry or Kafka Connect alike.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ctl/ctl_args.h"
#include "ctl/ctl_client.h"
#include "support/strbuf.h"

struct ctl_client {
    CURL *curl;
    const ctl_target *target;
    struct curl_slist *headers;
    char *bearer;
};

ctl_client *ctl_client_new(const ctl_target *target)
{
    ctl_client *client = calloc(1, sizeof(*client));
    if (!client)
        return NULL;
    client->target = target;
    client->curl = curl_easy_init();
    if (!client->curl)
        goto fail;
    client->headers = curl_slist_append(NULL, "Accept: application/json");
    struct curl_slist *more = client->headers
                                  ? curl_slist_append(client->headers,
                                                      "Content-Type: application/json")
                                  : NULL;
    if (!more)
        goto fail;
    if (target->token) {
        if (asprintf(&client->bearer, "Authorization: Bearer %s", target->token) < 0) {
            client->bearer = NULL;
            goto fail;
        }
        if (!curl_slist_append(client->headers, client->bearer))
            goto fail;
    }
    CURL *curl = client->curl;
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, client->headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "ferry-ctl/" FERRY_VERSION);
    if (target->user) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, target->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, target->password ? target->password : "");
    }
    if (target->cacert)
        curl_easy_setopt(curl, CURLOPT_CAINFO, target->cacert);
    if (target->cert)
        curl_easy_setopt(curl, CURLOPT_SSLCERT, target->cert);
    if (target->key)
        curl_easy_setopt(curl, CURLOPT_SSLKEY, target->key);
    if (target->insecure) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return client;
fail:
    ctl_client_destroy(client);
    return NULL;
}

void ctl_client_destroy(ctl_client *client)
{
    if (!client)
        return;
    if (client->curl)
        curl_easy_cleanup(client->curl);
    curl_slist_free_all(client->headers);
    free(client->bearer);
    free(client);
}

static size_t ctl_client_write(char *data, size_t size, size_t count, void *user)
{
    strbuf *body = user;
    strbuf_append_grow(body, data, size * count);
    return size * count;
}

void ctl_reply_clear(ctl_reply *reply)
{
    json_decref(reply->json);
    free(reply->body);
    memset(reply, 0, sizeof(*reply));
}

long ctl_client_call(ctl_client *client, const char *method, const char *path,
                     const json_t *body, ctl_reply *reply, char *err, size_t errlen)
{
    memset(reply, 0, sizeof(*reply));
    char *url = NULL, *payload = NULL;
    strbuf answer = {0};
    if (asprintf(&url, "%s%s", client->target->url, path) < 0) {
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    CURL *curl = client->curl;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_client_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    bool sends = body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
                 strcmp(method, "PATCH") == 0;
    if (sends) {
        /* A POST without a body still says Content-Length: 0, as servers want. */
        payload = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload ? payload : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)(payload ? strlen(payload) : 0));
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
                         strcmp(method, "GET") == 0 ? NULL : method);
    }
    curl_easy_setopt(curl, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    CURLcode rc = curl_easy_perform(curl);
    free(payload);
    free(url);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s %s%s: %s", method, client->target->url, path,
                 curl_easy_strerror(rc));
        strbuf_free(&answer);
        return 0;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    strbuf_append_char_grow(&answer, '\0');
    reply->body = answer.data ? answer.data : strdup("");
    if (reply->body && reply->body[0])
        reply->json = json_loads(reply->body, JSON_DECODE_ANY, NULL);
    return reply->status;
}

int ctl_client_exit_code(long status)
{
    if (status >= 200 && status < 300)
        return CTL_EXIT_OK;
    switch (status) {
    case 0:
        return CTL_EXIT_UNREACHABLE;
    case 400:
    case 422:
        return CTL_EXIT_INVALID;
    case 401:
    case 403:
        return CTL_EXIT_UNAUTHORIZED;
    case 404:
        return CTL_EXIT_NOT_FOUND;
    case 409:
        return CTL_EXIT_CONFLICT;
    default:
        return CTL_EXIT_SERVER;
    }
}

int ctl_client_expect(ctl_client *client, const char *method, const char *path,
                      const json_t *body, json_t **answer)
{
    if (answer)
        *answer = NULL;
    char err[1024] = "";
    ctl_reply reply;
    long status = ctl_client_call(client, method, path, body, &reply, err, sizeof(err));
    int code = ctl_client_exit_code(status);
    if (status == 0) {
        fprintf(stderr, "ferry ctl: %s\n", err);
    } else if (code != CTL_EXIT_OK) {
        /* Kafka Connect's {"error_code","message"}, or whatever a proxy in front said. */
        const char *message = json_string_value(json_object_get(reply.json, "message"));
        fprintf(stderr, "ferry ctl: %s %s: HTTP %ld: %s\n", method, path, status,
                message ? message : reply.body && reply.body[0] ? reply.body : "(no message)");
    } else if (answer) {
        *answer = reply.json;
        reply.json = NULL;
    }
    ctl_reply_clear(&reply);
    return code;
}

char *ctl_client_path(ctl_client *client, const char *prefix, const char *name,
                      const char *suffix)
{
    char *escaped = curl_easy_escape(client->curl, name, 0);
    char *path = NULL;
    if (escaped && asprintf(&path, "%s/%s%s", prefix, escaped, suffix ? suffix : "") < 0)
        path = NULL;
    curl_free(escaped);
    return path;
}
