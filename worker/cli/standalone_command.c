/*
 * standalone_command.c - loads the worker and connector configs, starts the worker and its REST
 * API, and turns signals into a graceful shutdown: the first SIGTERM/SIGINT drains and commits,
 * a second one exits at once.
 */
#include "cli/standalone_command.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_provider.h"
#include "config/connector_file.h"
#include "config/properties.h"
#include "base/log.h"
#include "base/thread_role.h"
#include "rest/rest_server.h"
#include "runtime/worker.h"

typedef struct signal_watch {
    sigset_t signals;
    worker *worker;
} signal_watch;

static void *signal_thread_main(void *argument)
{
    signal_watch *watch = argument;
    int signal_number = 0;
    if (sigwait(&watch->signals, &signal_number) != 0)
        return NULL;
    log_info("worker", "%s received: stopping gracefully (send it again to exit at once)",
             strsignal(signal_number));
    worker_shutdown(watch->worker);
    if (sigwait(&watch->signals, &signal_number) == 0) {
        log_warn("worker", "%s received again: exiting now", strsignal(signal_number));
        _exit(128 + signal_number);
    }
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: ferry standalone WORKER.properties [CONNECTOR.properties|.json ...]\n");
}

/* Reads, resolves and checks the worker file; prints every problem. */
static worker_config *worker_config_read(const char *path)
{
    char why[1024];
    worker_config *config = NULL;
    config_providers *providers = NULL;
    config_errors *errors = config_errors_new();
    config_map *unknown = config_map_new();
    config_map *raw = config_map_new();
    if (!errors || !unknown || !raw) {
        log_error("worker", "out of memory");
        goto done;
    }
    if (properties_parse_file(path, raw, why, sizeof(why)) != 0) {
        log_error("worker", "%s", why);
        goto done;
    }
    providers = config_providers_new(raw, why, sizeof(why));
    if (!providers) {
        log_error("worker", "%s: %s", path, why);
        goto done;
    }
    config = worker_config_load(raw, providers, errors, unknown);
    if (!config) {
        log_error("worker", "%s: %zu problems in the worker config:", path,
                  config_errors_count(errors));
        for (size_t i = 0; i < config_errors_count(errors); i++)
            log_error("worker", "  %s", config_errors_message_at(errors, i));
        goto done;
    }
    for (size_t i = 0; i < config_map_count(unknown); i++)
        log_warn("worker", "%s: unknown worker key '%s' ignored", path,
                 config_map_key_at(unknown, i));
done:
    config_providers_destroy(providers);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
    config_map_destroy(raw);
    return config;
}

int standalone_command_run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* Block the stop signals before any thread exists (librdkafka's included), so that only the
     * signal thread ever receives them. */
    signal_watch watch = {.worker = NULL};
    sigemptyset(&watch.signals);
    sigaddset(&watch.signals, SIGTERM);
    sigaddset(&watch.signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &watch.signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* This thread creates the worker, starts its connectors and runs its control loop. */
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);

    int status = 1;
    size_t connector_count = (size_t)argc - 2;
    config_map **connectors = calloc(connector_count + 1, sizeof(*connectors));
    const char **names = calloc(connector_count + 1, sizeof(*names));
    worker *running = NULL;
    rest_server *rest = NULL;
    if (!connectors || !names) {
        log_error("worker", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < connector_count; i++) {
        char why[1024];
        connectors[i] = connector_file_load(argv[i + 2], why, sizeof(why));
        if (!connectors[i]) {
            log_error("worker", "%s", why);
            goto done;
        }
        names[i] = config_map_get(connectors[i], "name");
    }
    worker_config *config = worker_config_read(argv[1]);
    if (!config)
        goto done;
    char why[1024];
    running = worker_new(config, why, sizeof(why));
    if (!running) {
        log_error("worker", "cannot start: %s", why);
        goto done;
    }
    /* The API listens before the connectors start: requests wait for the control loop, and
     * /health says "starting" meanwhile. A listener that cannot be had stops the worker. */
    rest = rest_server_start(running, why, sizeof(why));
    if (!rest) {
        log_error("worker", "cannot start the REST API: %s", why);
        goto done;
    }
    watch.worker = running;
    pthread_t signal_thread;
    if (pthread_create(&signal_thread, NULL, signal_thread_main, &watch) != 0) {
        log_error("worker", "cannot start the signal thread");
        goto done;
    }
    pthread_detach(signal_thread);

    worker_connectors_restore(running, names);
    for (size_t i = 0; i < connector_count; i++) {
        config_errors *errors = config_errors_new();
        bool created;
        if (!errors || worker_connector_put(running, connectors[i], STATE_RUNNING, &created,
                                            errors, why, sizeof(why)) != 0) {
            log_error("worker", "%s: connector %s not started: %s", argv[i + 2],
                      names[i] ? names[i] : "(no name)", errors ? why : "out of memory");
            for (size_t e = 0; errors && e < config_errors_count(errors); e++)
                log_error("worker", "  %s", config_errors_message_at(errors, e));
            config_errors_destroy(errors);
            goto done;
        }
        config_errors_destroy(errors);
    }
    worker_run(running);
    status = 0;
done:
    if (rest && status != 0) {
        /* Start-up failed after the API opened: a loop that stops at once refuses the
         * requests waiting for it, so that stopping the server does not wait for them. */
        worker_shutdown(running);
        worker_run(running);
    }
    /* Requests still in progress get their answer (503 once the loop stopped) before the
     * worker they use goes away. */
    rest_server_stop(rest);
    worker_destroy(running);
    for (size_t i = 0; connectors && i < connector_count; i++)
        config_map_destroy(connectors[i]);
    free(connectors);
    free(names);
    if (status == 0)
        log_info("worker", "stopped");
    return status;
}
