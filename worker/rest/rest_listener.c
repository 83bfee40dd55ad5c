/*
 * rest_listener.c - listeners parsed and resolved; the certificate and key for HTTPS read from
 * PEM files, inline PEM or a Java keystore (JKS, PKCS12, through support/java_keystore.h).
 */
#include "rest/rest_listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "config/config_validate.h"
#include "support/java_keystore.h"

/* PEM files larger than this are not certificates. */
#define REST_PEM_MAX_BYTES (1024 * 1024)

static bool rest_address_is_loopback(const struct sockaddr_storage *address)
{
    if (address->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)address;
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (address->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)address;
        return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    }
    return false;
}

/* One "scheme://host:port[/]". */
static int rest_endpoint_parse(const char *text, rest_endpoint *endpoint, char *err,
                               size_t errlen)
{
    const char *separator = strstr(text, "://");
    if (!separator)
        return ferry_error_set(err, errlen, "listener '%s' has no scheme", text), -1;
    size_t scheme_len = (size_t)(separator - text);
    if (scheme_len == 5 && strncasecmp(text, "https", 5) == 0)
        endpoint->https = true;
    else if (!(scheme_len == 4 && strncasecmp(text, "http", 4) == 0))
        return ferry_error_set(err, errlen, "listener '%s': expected http or https", text), -1;
    const char *host = separator + 3;
    const char *host_end;
    const char *port_text;
    if (host[0] == '[') {
        host_end = strchr(host, ']');
        if (!host_end || host_end[1] != ':')
            return ferry_error_set(err, errlen, "listener '%s': bad IPv6 address", text), -1;
        port_text = host_end + 2;
        host++;
    } else {
        host_end = strrchr(host, ':');
        if (!host_end)
            return ferry_error_set(err, errlen, "listener '%s' has no port", text), -1;
        port_text = host_end + 1;
    }
    char *end = NULL;
    errno = 0;
    long port = strtol(port_text, &end, 10);
    if (errno || end == port_text || (*end && strcmp(end, "/") != 0) || port < 0 ||
        port > 65535)
        return ferry_error_set(err, errlen, "listener '%s' has an invalid port", text), -1;
    endpoint->port = (int)port;
    endpoint->host = strndup(host, (size_t)(host_end - host));
    if (!endpoint->host)
        return ferry_error_set(err, errlen, "out of memory"), -1;

    char service[16];
    snprintf(service, sizeof(service), "%d", endpoint->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(endpoint->host[0] ? endpoint->host : "0.0.0.0", service, &hints, &found);
    if (rc != 0 || !found)
        return ferry_error_set(err, errlen, "listener '%s': cannot resolve '%s': %s", text,
                               endpoint->host, gai_strerror(rc)), -1;
    memcpy(&endpoint->address, found->ai_addr, found->ai_addrlen);
    endpoint->address_len = found->ai_addrlen;
    freeaddrinfo(found);
    endpoint->loopback = rest_address_is_loopback(&endpoint->address);
    return 0;
}

int rest_endpoints_parse(const char *listeners, rest_endpoint **endpoints, size_t *count,
                         char *err, size_t errlen)
{
    char **items = config_value_split_list(listeners ? listeners : "");
    if (!items)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    size_t n = 0;
    while (items[n])
        n++;
    *count = 0;
    *endpoints = calloc(n ? n : 1, sizeof(**endpoints));
    int rc = -1;
    if (!*endpoints) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    if (n == 0) {
        ferry_error_set(err, errlen, "listeners is empty");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        (*count)++;
        if (rest_endpoint_parse(items[i], &(*endpoints)[i], err, errlen) != 0)
            goto done;
    }
    rc = 0;
done:
    config_list_free(items);
    if (rc != 0) {
        rest_endpoints_free(*endpoints, *count);
        *endpoints = NULL;
        *count = 0;
    }
    return rc;
}

void rest_endpoints_free(rest_endpoint *endpoints, size_t count)
{
    for (size_t i = 0; endpoints && i < count; i++)
        free(endpoints[i].host);
    free(endpoints);
}

/* Reads a whole PEM file named by key. 0, or -1 with a message naming the key and the path. */
static int rest_pem_read(const config_map *values, const char *key, char **out, char *err,
                         size_t errlen)
{
    const char *path = config_map_get(values, key);
    FILE *file = fopen(path, "rb");
    if (!file)
        return ferry_error_set(err, errlen, "%s: cannot open %s: %s", key, path,
                               strerror(errno)), -1;
    char *data = malloc(REST_PEM_MAX_BYTES + 1);
    size_t len = data ? fread(data, 1, REST_PEM_MAX_BYTES + 1, file) : 0;
    bool failed = data && ferror(file);
    fclose(file);
    if (!data)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (failed || len == 0 || len > REST_PEM_MAX_BYTES) {
        free(data);
        return ferry_error_set(err, errlen, "%s: %s is %s", key, path,
                               failed ? "unreadable" : len == 0 ? "empty" : "too large"), -1;
    }
    data[len] = '\0';
    if (!strstr(data, "-----BEGIN ")) {
        gnutls_memset(data, 0, len);
        free(data);
        return ferry_error_set(err, errlen, "%s: %s is not a PEM file", key, path), -1;
    }
    *out = data;
    return 0;
}

static bool rest_value_set(const config_map *values, const char *key)
{
    const char *value = config_map_get(values, key);
    return value && value[strspn(value, " \t")] != '\0';
}

/* A java_keystore problem under the key to change: the password key for a wrong or missing
 * password, the location otherwise. */
static int rest_store_error(java_keystore_status status, const char *prefix, const char *why,
                            char *err, size_t errlen)
{
    const char *key = status == JAVA_KEYSTORE_KEY_PASSWORD ? "listeners.https.ssl.key.password"
                      : status == JAVA_KEYSTORE_STORE_PASSWORD ||
                              status == JAVA_KEYSTORE_NO_PASSWORD
                          ? "password"
                          : "location";
    if (strncmp(key, "listeners.", 10) == 0)
        return ferry_error_set(err, errlen, "%s: %s", key, why), -1;
    return ferry_error_set(err, errlen, "%s.%s: %s", prefix, key, why), -1;
}

/* A JKS or PKCS12 keystore (Java's default type JKS), read into PEM for GnuTLS with the key
 * decrypted (listeners.https.ssl.key.password, else the store password, as in Java). */
static int rest_keystore_read(const config_map *values, rest_tls *tls, char *err, size_t errlen)
{
    const char *key_password = config_map_get(values, "listeners.https.ssl.key.password");
    const char *password = config_map_get(values, "listeners.https.ssl.keystore.password");
    java_keystore_source source = {
        .location = config_map_get(values, "listeners.https.ssl.keystore.location"),
        .type = config_map_get(values, "listeners.https.ssl.keystore.type"),
        .store_password = rest_value_set(values, "listeners.https.ssl.keystore.password")
                              ? password
                              : NULL,
        .key_password = rest_value_set(values, "listeners.https.ssl.key.password")
                            ? key_password
                            : NULL,
    };
    java_keystore_key key;
    char why[512];
    java_keystore_status status = java_keystore_read_key(&source, &key, why, sizeof(why));
    if (status != JAVA_KEYSTORE_OK)
        return rest_store_error(status, "listeners.https.ssl.keystore", why, err, errlen);
    if (key.key_entries > 1)
        log_warn("rest", "listeners.https.ssl.keystore.location: %s holds %zu private keys; "
                 "using the first, '%s'", source.location, key.key_entries,
                 key.alias ? key.alias : "?");
    tls->certificate = key.certificates;
    tls->key = key.key;
    key.certificates = NULL;
    key.key = NULL;
    java_keystore_key_clear(&key);
    return 0;
}

/* listeners.https.ssl.truststore.*: read and checked like the Kafka clients' truststores, so
 * that a worker file written for Kafka Connect loads, and a wrong store or password is said at
 * start. Its certificates would verify client certificates, which the listener does not ask
 * for (listeners.https.ssl.client.auth=none). */
static int rest_truststore_check(const config_map *values, char *err, size_t errlen)
{
    if (!rest_value_set(values, "listeners.https.ssl.truststore.location"))
        return 0;
    java_keystore_source source = {
        .location = config_map_get(values, "listeners.https.ssl.truststore.location"),
        .type = config_map_get(values, "listeners.https.ssl.truststore.type"),
        .store_password = rest_value_set(values, "listeners.https.ssl.truststore.password")
                              ? config_map_get(values, "listeners.https.ssl.truststore.password")
                              : NULL,
    };
    char *pem = NULL;
    char why[512];
    java_keystore_status status = java_keystore_read_trusted(&source, &pem, why, sizeof(why));
    free(pem);
    if (status != JAVA_KEYSTORE_OK)
        return rest_store_error(status, "listeners.https.ssl.truststore", why, err, errlen);
    return 0;
}

/* The GnuTLS priority string for listeners.https.ssl.enabled.protocols. */
static int rest_tls_priorities(const config_map *values, rest_tls *tls, char *err,
                               size_t errlen)
{
    const char *key = "listeners.https.ssl.enabled.protocols";
    const char *text = config_map_get(values, key);
    char **items = config_value_split_list(text ? text : "TLSv1.2,TLSv1.3");
    if (!items)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    char priorities[128] = "NORMAL:-VERS-ALL";
    int rc = 0;
    bool any = false;
    for (size_t i = 0; items[i] && rc == 0; i++) {
        const char *version = strcasecmp(items[i], "TLSv1.3") == 0   ? "+VERS-TLS1.3"
                              : strcasecmp(items[i], "TLSv1.2") == 0 ? "+VERS-TLS1.2"
                                                                     : NULL;
        if (!version) {
            rc = (ferry_error_set(err, errlen, "%s: '%s' is not supported (expected TLSv1.2 "
                                 "and/or TLSv1.3)", key, items[i]), -1);
            break;
        }
        strncat(priorities, ":", sizeof(priorities) - strlen(priorities) - 1);
        strncat(priorities, version, sizeof(priorities) - strlen(priorities) - 1);
        any = true;
    }
    config_list_free(items);
    if (rc == 0 && !any)
        rc = (ferry_error_set(err, errlen, "%s is empty", key), -1);
    if (rc == 0 && !(tls->priorities = strdup(priorities)))
        rc = (ferry_error_set(err, errlen, "out of memory"), -1);
    return rc;
}

int rest_tls_load(const config_map *values, rest_tls *tls, char *err, size_t errlen)
{
    memset(tls, 0, sizeof(*tls));
    const char *client_auth = config_map_get(values, "listeners.https.ssl.client.auth");
    if (client_auth && strcasecmp(client_auth, "none") != 0) {
        return ferry_error_set(err, errlen, "listeners.https.ssl.client.auth=%s: client "
                               "certificates are not supported; use rest.auth.basic.users or "
                               "rest.auth.bearer.tokens", client_auth), -1;
    }
    const char *type = config_map_get(values, "listeners.https.ssl.keystore.type");
    bool pem_type = type && strcasecmp(type, "PEM") == 0;
    if (type && !pem_type && strcasecmp(type, "JKS") != 0 && strcasecmp(type, "PKCS12") != 0)
        return ferry_error_set(err, errlen, "listeners.https.ssl.keystore.type=%s: expected "
                               "JKS, PKCS12 or PEM", type), -1;
    if (rest_truststore_check(values, err, errlen) != 0)
        return -1;
    bool key_decrypted = false;
    int rc;
    if (rest_value_set(values, "listeners.https.ssl.certificate.location") ||
        rest_value_set(values, "listeners.https.ssl.key.location")) {
        rc = rest_pem_read(values, "listeners.https.ssl.certificate.location", &tls->certificate,
                           err, errlen);
        if (rc == 0)
            rc = rest_pem_read(values, "listeners.https.ssl.key.location", &tls->key, err,
                               errlen);
    } else if (rest_value_set(values, "listeners.https.ssl.keystore.location") && !pem_type) {
        rc = rest_keystore_read(values, tls, err, errlen);
        key_decrypted = true;
    } else if (rest_value_set(values, "listeners.https.ssl.keystore.location")) {
        rc = rest_pem_read(values, "listeners.https.ssl.keystore.location", &tls->certificate,
                           err, errlen);
        if (rc == 0 && !(tls->key = strdup(tls->certificate)))
            rc = (ferry_error_set(err, errlen, "out of memory"), -1);
    } else if (rest_value_set(values, "listeners.https.ssl.keystore.key")) {
        const char *chain = config_map_get(values, "listeners.https.ssl.keystore.certificate.chain");
        if (!chain)
            return ferry_error_set(err, errlen, "listeners.https.ssl.keystore.key needs "
                                   "listeners.https.ssl.keystore.certificate.chain"), -1;
        tls->certificate = strdup(chain);
        tls->key = strdup(config_map_get(values, "listeners.https.ssl.keystore.key"));
        rc = tls->certificate && tls->key ? 0 : (ferry_error_set(err, errlen, "out of memory"), -1);
    } else {
        return ferry_error_set(err, errlen, "an https listener needs a certificate and a key: "
                               "set listeners.https.ssl.certificate.location and "
                               "listeners.https.ssl.key.location (PEM files)"), -1;
    }
    if (rc == 0 && !key_decrypted && rest_value_set(values, "listeners.https.ssl.key.password") &&
        !(tls->key_password = strdup(config_map_get(values, "listeners.https.ssl.key.password"))))
        rc = (ferry_error_set(err, errlen, "out of memory"), -1);
    if (rc == 0)
        rc = rest_tls_priorities(values, tls, err, errlen);
    if (rc != 0)
        rest_tls_clear(tls);
    return rc;
}

void rest_tls_clear(rest_tls *tls)
{
    if (tls->key)
        gnutls_memset(tls->key, 0, strlen(tls->key));
    if (tls->key_password)
        gnutls_memset(tls->key_password, 0, strlen(tls->key_password));
    free(tls->certificate);
    free(tls->key);
    free(tls->key_password);
    free(tls->priorities);
    memset(tls, 0, sizeof(*tls));
}
