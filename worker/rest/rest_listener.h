/*
 * rest_listener.h - where the REST API listens and with what TLS material.
 *
 * Listeners come from `listeners` as in Kafka Connect (http://host:port, https://host:port,
 * comma-separated; an empty host binds every IPv4 interface). HTTPS takes PEM material, since
 * Java keystores are Java's:
 *   listeners.https.ssl.certificate.location + listeners.https.ssl.key.location (ferry), or
 *   listeners.https.ssl.keystore.type=PEM with listeners.https.ssl.keystore.location (one file
 *     holding the key and the chain), or the inline listeners.https.ssl.keystore.key and
 *     listeners.https.ssl.keystore.certificate.chain, as Kafka clients spell PEM;
 *   listeners.https.ssl.key.password for an encrypted key;
 *   listeners.https.ssl.enabled.protocols: TLSv1.2 and/or TLSv1.3 (default both).
 * A JKS or PKCS12 keystore, or client certificate authentication, is refused with a message
 * rather than ignored: a security setting that silently does nothing is worse than none.
 */
#ifndef FERRY_REST_LISTENER_H
#define FERRY_REST_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config/config_map.h"

typedef struct rest_endpoint {
    bool https;
    char *host; /* as configured, brackets removed; "" = every interface */
    int port;
    struct sockaddr_storage address;
    socklen_t address_len;
    bool loopback; /* the address is 127.0.0.0/8 or ::1 */
} rest_endpoint;

/* Parses and resolves every listener. 0, or -1 with a message naming the listener. */
int rest_endpoints_parse(const char *listeners, rest_endpoint **endpoints, size_t *count,
                         char *err, size_t errlen);
void rest_endpoints_free(rest_endpoint *endpoints, size_t count);

typedef struct rest_tls {
    char *certificate;  /* PEM chain */
    char *key;          /* PEM private key */
    char *key_password; /* NULL when the key is not encrypted */
    char *priorities;   /* GnuTLS priority string */
} rest_tls;

/* Loads the HTTPS material from the worker's resolved config. 0, or -1 with a message naming
 * the key (never a secret). */
int rest_tls_load(const config_map *values, rest_tls *tls, char *err, size_t errlen);
void rest_tls_clear(rest_tls *tls); /* wipes the key material */

#endif
