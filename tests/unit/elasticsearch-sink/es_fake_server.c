/*
 * es_fake_server.c - the scripted _bulk endpoint of es_fake_server.h.
 */
#include "es_fake_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#define FAKE_MAX_CONNECTIONS 64

typedef struct fake_doc {
    char *id;
    int seen;
    bool stored;
    int64_t version; /* -1 = internal */
    char *source;
} fake_doc;

typedef struct fake_connection {
    int fd;
    char *in;
    size_t in_len;
    size_t in_capacity;
} fake_connection;

struct es_fake_server {
    int listener;
    char url[64];
    pthread_t thread;
    pthread_mutex_t mutex;
    atomic_bool stopping; /* set by the test's thread, read by the server's */
    fake_connection connections[FAKE_MAX_CONNECTIONS];
    fake_doc *docs;
    size_t doc_count;
    size_t doc_capacity;
    size_t requests;
    size_t items;
    size_t auto_ids;
    int whole_failures;
    int whole_status;
    char *whole_body;
    int delay_ms;
    bool saw_gzip;
    char authorization[512];
};

/* ---- documents ---------------------------------------------------------------------------- */

static fake_doc *fake_doc_get(es_fake_server *server, const char *id)
{
    for (size_t i = 0; i < server->doc_count; i++)
        if (strcmp(server->docs[i].id, id) == 0)
            return &server->docs[i];
    if (server->doc_count == server->doc_capacity) {
        server->doc_capacity = server->doc_capacity ? server->doc_capacity * 2 : 256;
        server->docs = realloc(server->docs, server->doc_capacity * sizeof(*server->docs));
    }
    fake_doc *doc = &server->docs[server->doc_count++];
    *doc = (fake_doc){.id = strdup(id), .version = -1};
    return doc;
}

/* A NUL-terminated copy of len bytes that need not be terminated themselves (strndup may read
 * past them looking for a NUL). */
static char *fake_copy(const char *bytes, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, bytes, len);
        copy[len] = '\0';
    }
    return copy;
}

static void fake_append(char **out, size_t *len, const char *text)
{
    size_t add = strlen(text);
    *out = realloc(*out, *len + add + 1);
    memcpy(*out + *len, text, add + 1);
    *len += add;
}

/* One item's answer into the items array. */
static bool fake_item(es_fake_server *server, const char *action, json_t *meta, json_t *source,
                      const char *source_text, char **out, size_t *out_len)
{
    char id_text[64];
    const char *id = json_string_value(json_object_get(meta, "_id"));
    if (!id) {
        snprintf(id_text, sizeof(id_text), "auto-%zu", ++server->auto_ids);
        id = id_text;
    }
    json_t *version_value = json_object_get(meta, "version");
    bool versioned = json_is_integer(version_value);
    int64_t version = versioned ? json_integer_value(version_value) : -1;
    fake_doc *doc = fake_doc_get(server, id);
    doc->seen++;
    server->items++;
    json_t *fields = strcmp(action, "update") == 0 ? json_object_get(source, "doc") : source;
    int status = 201;
    const char *type = NULL;
    json_t *fail429 = json_object_get(fields, "fail429");
    if (json_is_integer(fail429) && doc->seen <= json_integer_value(fail429)) {
        status = 429;
        type = "es_rejected_execution_exception";
    } else if (json_is_true(json_object_get(fields, "bad"))) {
        status = 400;
        type = "mapper_parsing_exception";
    } else if (json_is_true(json_object_get(fields, "other"))) {
        status = 400;
        type = "index_closed_exception";
    } else if (strcmp(action, "delete") == 0) {
        if (versioned && doc->stored && doc->version >= version) {
            status = 409;
            type = "version_conflict_engine_exception";
        } else {
            status = doc->stored ? 200 : 404;
            doc->stored = false;
            free(doc->source);
            doc->source = NULL;
            if (versioned)
                doc->version = version;
        }
    } else if ((versioned && doc->version >= version && doc->version >= 0) ||
               (strcmp(action, "create") == 0 && doc->stored)) {
        status = 409;
        type = "version_conflict_engine_exception";
    } else {
        doc->stored = true;
        doc->version = versioned ? version : doc->version;
        free(doc->source);
        doc->source = strdup(source_text ? source_text : "");
    }
    char item[512];
    if (type)
        snprintf(item, sizeof(item), "{\"%s\":{\"status\":%d,\"error\":{\"type\":\"%s\","
                 "\"reason\":\"scripted %s\"}}}", action, status, type, type);
    else
        snprintf(item, sizeof(item), "{\"%s\":{\"status\":%d}}", action, status);
    fake_append(out, out_len, item);
    return type != NULL && status != 409;
}

static char *fake_bulk(es_fake_server *server, const char *body, size_t len)
{
    char *items = strdup("");
    size_t items_len = 0;
    bool errors = false, first = true;
    const char *at = body, *end = body + len;
    while (at < end) {
        const char *newline = memchr(at, '\n', (size_t)(end - at));
        size_t line_len = newline ? (size_t)(newline - at) : (size_t)(end - at);
        if (line_len == 0) {
            at += 1;
            continue;
        }
        json_t *action_line = json_loadb(at, line_len, 0, NULL);
        at = newline ? newline + 1 : end;
        const char *action = action_line ? json_object_iter_key(json_object_iter(action_line))
                                         : NULL;
        if (!action) {
            json_decref(action_line);
            free(items);
            return NULL;
        }
        json_t *meta = json_object_get(action_line, action);
        json_t *source = NULL;
        char *source_text = NULL;
        if (strcmp(action, "delete") != 0 && at < end) {
            const char *source_end = memchr(at, '\n', (size_t)(end - at));
            size_t source_len = source_end ? (size_t)(source_end - at) : (size_t)(end - at);
            source = json_loadb(at, source_len, 0, NULL);
            source_text = fake_copy(at, source_len);
            at = source_end ? source_end + 1 : end;
        }
        if (!first)
            fake_append(&items, &items_len, ",");
        first = false;
        errors |= fake_item(server, action, meta, source, source_text, &items, &items_len);
        json_decref(source);
        free(source_text);
        json_decref(action_line);
    }
    char *answer = NULL;
    if (asprintf(&answer, "{\"errors\":%s,\"took\":1,\"items\":[%s]}", errors ? "true" : "false",
                 items) < 0)
        answer = NULL;
    free(items);
    return answer;
}

/* ---- HTTP --------------------------------------------------------------------------------- */

static const char *fake_header(const char *headers, const char *name, char *value, size_t size)
{
    size_t name_len = strlen(name);
    for (const char *line = strstr(headers, "\r\n"); line && line[2] != '\r';
         line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, name_len) == 0 && start[name_len] == ':') {
            const char *v = start + name_len + 1;
            while (*v == ' ')
                v++;
            const char *stop = strstr(v, "\r\n");
            snprintf(value, size, "%.*s", (int)(stop - v), v);
            return value;
        }
    }
    return NULL;
}

/* A chunked body, decoded; -1 when incomplete. Returns bytes consumed. */
static long fake_dechunk(const char *data, size_t len, char **body, size_t *body_len)
{
    size_t at = 0;
    *body = NULL;
    *body_len = 0;
    for (;;) {
        const char *line_end = memmem(data + at, len - at, "\r\n", 2);
        if (!line_end)
            goto incomplete;
        size_t size = strtoul(data + at, NULL, 16);
        at = (size_t)(line_end - data) + 2;
        if (size == 0) {
            if (len - at < 2)
                goto incomplete;
            return (long)(at + 2);
        }
        if (len - at < size + 2)
            goto incomplete;
        *body = realloc(*body, *body_len + size + 1);
        memcpy(*body + *body_len, data + at, size);
        *body_len += size;
        at += size + 2;
    }
incomplete:
    free(*body);
    *body = NULL;
    return -1;
}

static char *fake_gunzip(const char *data, size_t len, size_t *out_len)
{
    z_stream zip = {0};
    if (inflateInit2(&zip, 15 + 16) != Z_OK)
        return NULL;
    size_t capacity = len * 4 + 1024;
    char *out = malloc(capacity);
    zip.next_in = (Bytef *)data;
    zip.avail_in = (uInt)len;
    int rc;
    do {
        if (zip.total_out == capacity) {
            capacity *= 2;
            out = realloc(out, capacity);
        }
        zip.next_out = (Bytef *)out + zip.total_out;
        zip.avail_out = (uInt)(capacity - zip.total_out);
        rc = inflate(&zip, Z_NO_FLUSH);
    } while (rc == Z_OK);
    *out_len = zip.total_out;
    inflateEnd(&zip);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static void fake_send(int fd, int status, const char *body)
{
    char head[256];
    size_t len = strlen(body);
    int n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n", status, len);
    send(fd, head, (size_t)n, MSG_NOSIGNAL);
    for (size_t sent = 0; sent < len;) {
        ssize_t w = send(fd, body + sent, len - sent, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        sent += (size_t)w;
    }
}

/* Handles every complete request in the connection's buffer. */
static void fake_serve(es_fake_server *server, fake_connection *connection)
{
    for (;;) {
        char *head_end = connection->in ? memmem(connection->in, connection->in_len,
                                                 "\r\n\r\n", 4)
                                        : NULL;
        if (!head_end)
            return;
        size_t head_len = (size_t)(head_end - connection->in) + 4;
        char *headers = fake_copy(connection->in, head_len);
        char value[512];
        char *body = NULL;
        size_t body_len = 0, consumed;
        if (fake_header(headers, "Transfer-Encoding", value, sizeof(value)) &&
            strcasecmp(value, "chunked") == 0) {
            long used = fake_dechunk(connection->in + head_len, connection->in_len - head_len,
                                     &body, &body_len);
            if (used < 0) {
                free(headers);
                return;
            }
            consumed = head_len + (size_t)used;
        } else {
            size_t length = fake_header(headers, "Content-Length", value, sizeof(value))
                                ? strtoul(value, NULL, 10) : 0;
            if (connection->in_len - head_len < length) {
                free(headers);
                return;
            }
            body = malloc(length + 1);
            memcpy(body, connection->in + head_len, length);
            body_len = length;
            consumed = head_len + length;
        }
        if (strstr(headers, "GET /_nodes/_local")) {
            /* The task asks which server this is when it starts: Elasticsearch 8 (not counted,
             * nor scripted, as the requests of a test are). */
            fake_send(connection->fd, 200, "{\"nodes\":{\"fake\":{\"version\":\"8.19.0\","
                                           "\"build_flavor\":\"default\"}}}");
            free(body);
            free(headers);
            memmove(connection->in, connection->in + consumed, connection->in_len - consumed);
            connection->in_len -= consumed;
            continue;
        }
        pthread_mutex_lock(&server->mutex);
        server->requests++;
        if (fake_header(headers, "Authorization", value, sizeof(value)))
            snprintf(server->authorization, sizeof(server->authorization), "%s", value);
        if (fake_header(headers, "Content-Encoding", value, sizeof(value)) &&
            strcasecmp(value, "gzip") == 0) {
            server->saw_gzip = true;
            size_t plain_len = 0;
            char *plain = fake_gunzip(body, body_len, &plain_len);
            free(body);
            body = plain;
            body_len = plain ? plain_len : 0;
        }
        int delay = server->delay_ms;
        int status = 200;
        char *answer = NULL;
        if (server->whole_failures > 0) {
            server->whole_failures--;
            status = server->whole_status;
            answer = strdup(server->whole_body);
        } else if (strstr(headers, "/_bulk")) {
            answer = body ? fake_bulk(server, body, body_len) : NULL;
            if (!answer) {
                status = 400;
                answer = strdup("{\"error\":{\"type\":\"illegal_argument_exception\","
                                "\"reason\":\"Malformed action/metadata line\"},\"status\":400}");
            }
        } else {
            answer = strdup("{\"acknowledged\":true}");
        }
        pthread_mutex_unlock(&server->mutex);
        if (delay > 0)
            usleep((useconds_t)delay * 1000);
        fake_send(connection->fd, status, answer);
        free(answer);
        free(body);
        free(headers);
        memmove(connection->in, connection->in + consumed, connection->in_len - consumed);
        connection->in_len -= consumed;
    }
}

static void fake_close(fake_connection *connection)
{
    close(connection->fd);
    free(connection->in);
    *connection = (fake_connection){.fd = -1};
}

static void *fake_main(void *argument)
{
    es_fake_server *server = argument;
    while (!atomic_load(&server->stopping)) {
        struct pollfd fds[FAKE_MAX_CONNECTIONS + 1];
        int map[FAKE_MAX_CONNECTIONS + 1];
        nfds_t count = 0;
        fds[count++] = (struct pollfd){.fd = server->listener, .events = POLLIN};
        for (int i = 0; i < FAKE_MAX_CONNECTIONS; i++)
            if (server->connections[i].fd >= 0) {
                map[count] = i;
                fds[count++] = (struct pollfd){.fd = server->connections[i].fd,
                                               .events = POLLIN};
            }
        if (poll(fds, count, 50) <= 0)
            continue;
        if (fds[0].revents & POLLIN) {
            int fd = accept(server->listener, NULL, NULL);
            for (int i = 0; fd >= 0 && i < FAKE_MAX_CONNECTIONS; i++)
                if (server->connections[i].fd < 0) {
                    server->connections[i].fd = fd;
                    fd = -1;
                }
            if (fd >= 0)
                close(fd);
        }
        for (nfds_t f = 1; f < count; f++) {
            if (!(fds[f].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            fake_connection *connection = &server->connections[map[f]];
            if (connection->in_capacity - connection->in_len < 65536) {
                connection->in_capacity = connection->in_capacity * 2 + 65536;
                connection->in = realloc(connection->in, connection->in_capacity);
            }
            ssize_t n = recv(connection->fd, connection->in + connection->in_len,
                             connection->in_capacity - connection->in_len, 0);
            if (n <= 0) {
                fake_close(connection);
                continue;
            }
            connection->in_len += (size_t)n;
            fake_serve(server, connection);
        }
    }
    return NULL;
}

es_fake_server *es_fake_server_start(void)
{
    es_fake_server *server = calloc(1, sizeof(*server));
    for (int i = 0; i < FAKE_MAX_CONNECTIONS; i++)
        server->connections[i].fd = -1;
    pthread_mutex_init(&server->mutex, NULL);
    server->listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0,
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(server->listener, (struct sockaddr *)&address, sizeof(address)) != 0 ||
        listen(server->listener, 64) != 0) {
        close(server->listener);
        free(server);
        return NULL;
    }
    socklen_t size = sizeof(address);
    getsockname(server->listener, (struct sockaddr *)&address, &size);
    snprintf(server->url, sizeof(server->url), "http://127.0.0.1:%d", ntohs(address.sin_port));
    pthread_create(&server->thread, NULL, fake_main, server);
    return server;
}

void es_fake_server_stop(es_fake_server *server)
{
    if (!server)
        return;
    atomic_store(&server->stopping, true);
    pthread_join(server->thread, NULL);
    for (int i = 0; i < FAKE_MAX_CONNECTIONS; i++)
        if (server->connections[i].fd >= 0)
            fake_close(&server->connections[i]);
    close(server->listener);
    for (size_t i = 0; i < server->doc_count; i++) {
        free(server->docs[i].id);
        free(server->docs[i].source);
    }
    free(server->docs);
    free(server->whole_body);
    pthread_mutex_destroy(&server->mutex);
    free(server);
}

const char *es_fake_server_url(const es_fake_server *server)
{
    return server->url;
}

void es_fake_server_fail_next(es_fake_server *server, int count, int status, const char *body)
{
    pthread_mutex_lock(&server->mutex);
    server->whole_failures = count;
    server->whole_status = status;
    free(server->whole_body);
    server->whole_body = strdup(body);
    pthread_mutex_unlock(&server->mutex);
}

void es_fake_server_delay(es_fake_server *server, int delay_ms)
{
    pthread_mutex_lock(&server->mutex);
    server->delay_ms = delay_ms;
    pthread_mutex_unlock(&server->mutex);
}

int es_fake_server_seen(es_fake_server *server, const char *id)
{
    pthread_mutex_lock(&server->mutex);
    int seen = 0;
    for (size_t i = 0; i < server->doc_count; i++)
        if (strcmp(server->docs[i].id, id) == 0)
            seen = server->docs[i].seen;
    pthread_mutex_unlock(&server->mutex);
    return seen;
}

size_t es_fake_server_documents(es_fake_server *server)
{
    pthread_mutex_lock(&server->mutex);
    size_t stored = 0;
    for (size_t i = 0; i < server->doc_count; i++)
        stored += server->docs[i].stored;
    pthread_mutex_unlock(&server->mutex);
    return stored;
}

char *es_fake_server_source(es_fake_server *server, const char *id)
{
    pthread_mutex_lock(&server->mutex);
    char *source = NULL;
    for (size_t i = 0; i < server->doc_count; i++)
        if (strcmp(server->docs[i].id, id) == 0 && server->docs[i].stored)
            source = strdup(server->docs[i].source);
    pthread_mutex_unlock(&server->mutex);
    return source;
}

size_t es_fake_server_requests(es_fake_server *server)
{
    pthread_mutex_lock(&server->mutex);
    size_t requests = server->requests;
    pthread_mutex_unlock(&server->mutex);
    return requests;
}

size_t es_fake_server_items(es_fake_server *server)
{
    pthread_mutex_lock(&server->mutex);
    size_t items = server->items;
    pthread_mutex_unlock(&server->mutex);
    return items;
}

bool es_fake_server_saw_gzip(es_fake_server *server)
{
    pthread_mutex_lock(&server->mutex);
    bool gzip = server->saw_gzip;
    pthread_mutex_unlock(&server->mutex);
    return gzip;
}

char *es_fake_server_authorization(es_fake_server *server)
{
    pthread_mutex_lock(&server->mutex);
    char *value = strdup(server->authorization);
    pthread_mutex_unlock(&server->mutex);
    return value;
}
