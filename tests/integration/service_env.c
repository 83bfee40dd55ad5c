/* See service_env.h. */
#include "service_env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *service_env_get(const char *var)
{
    const char *value = getenv(var);
    if (value != NULL && value[0] != '\0')
        return value;

    const char *require = getenv("FERRY_REQUIRE_SERVICES");
    if (require != NULL && strcmp(require, "1") == 0) {
        fprintf(stderr,
                "FAIL: %s is not set: start the services with tests/services/services.sh start "
                "and eval its env\n"
                "      (tests/services/services.sh start && eval \"$(tests/services/services.sh env)\")\n",
                var);
        fflush(NULL);
        exit(EXIT_FAILURE);
    }
    fprintf(stderr,
            "SKIP: %s is not set: start the services with tests/services/services.sh start and "
            "eval its env (FERRY_REQUIRE_SERVICES=1 turns this skip into a failure)\n",
            var);
    fflush(NULL);
    exit(SERVICE_ENV_SKIP);
}

void service_env_unreachable(const char *var, const char *fmt, ...)
{
    const char *value = getenv(var);
    va_list ap;

    fprintf(stderr, "FAIL: %s=%s is set but its server does not answer: ", var,
            value != NULL ? value : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n      (is it running? tests/services/services.sh status)\n");
    fflush(NULL);
    exit(EXIT_FAILURE);
}

const char *service_env_sasl_bootstrap(void)
{
    return service_env_get("FERRY_TEST_SASL_BOOTSTRAP");
}

const char *service_env_mtls_bootstrap(void)
{
    return service_env_get("FERRY_TEST_MTLS_BOOTSTRAP");
}

const char *service_env_tls_dir(void)
{
    return service_env_get("FERRY_TEST_TLS_DIR");
}

/* A file of FERRY_TEST_TLS_DIR is missing or unreadable: services.sh makes them all, so this is
 * a failure, never a skip. */
__attribute__((noreturn, format(printf, 1, 2)))
static void service_env_tls_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "FAIL: FERRY_TEST_TLS_DIR=%s: ", service_env_tls_dir());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n      (tests/services/services.sh start makes the missing files)\n");
    fflush(NULL);
    exit(EXIT_FAILURE);
}

char *service_env_tls_path(char *buf, unsigned long size, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", service_env_tls_dir(), name);
    if (n < 0 || (unsigned long)n >= size)
        service_env_tls_fail("the path of %s is too long", name);
    if (access(buf, R_OK) != 0)
        service_env_tls_fail("cannot read %s: %s", buf, strerror(errno));
    return buf;
}

char *service_env_tls_read_line(const char *name)
{
    char path[4096], line[1024];
    service_env_tls_path(path, sizeof path, name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        service_env_tls_fail("cannot open %s: %s", path, strerror(errno));
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok)
        service_env_tls_fail("%s is empty", path);
    line[strcspn(line, "\r\n")] = '\0';
    char *copy = strdup(line);
    if (copy == NULL)
        service_env_tls_fail("out of memory reading %s", path);
    return copy;
}

char *service_env_unique_name(char *buf, unsigned long size, const char *prefix)
{
    static unsigned counter;
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, size, "%s_%ld_%lld%03ld_%u", prefix, (long)getpid(), (long long)ts.tv_sec,
             ts.tv_nsec / 1000000, counter++);
    for (char *p = buf; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return buf;
}

int64_t service_env_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void service_env_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
