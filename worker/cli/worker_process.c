/*
 * worker_process.c - signals, the worker file and the control loop's thread, for both worker
 * commands.
 */
#include "cli/worker_process.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/thread_role.h"
#include "config/config_provider.h"
#include "config/config_validate.h"
#include "config/properties.h"

/* One malloc arena a core rather than glibc's eight: no more threads than cores allocate at the
 * same moment, and a worker has a few dozen threads (its own, and three or four for every Kafka
 * client), each arena keeping free memory of its own. An idle worker of a cluster paid about
 * 0.4 MB of RSS for the extra arenas (bench/distributed). MALLOC_ARENA_MAX or GLIBC_TUNABLES set
 * in the environment still decide. */
static void worker_process_arenas_limit(void)
{
    if (getenv("MALLOC_ARENA_MAX") || getenv("GLIBC_TUNABLES"))
        return;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    mallopt(M_ARENA_MAX, cores > 1 ? (int)cores : 1);
}

void worker_process_begin(worker_process *process)
{
    memset(process, 0, sizeof(*process));
    sigemptyset(&process->signals);
    sigaddset(&process->signals, SIGTERM);
    sigaddset(&process->signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &process->signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker_process_arenas_limit();
}

worker_config *worker_process_config_read(const char *path)
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

static void *worker_process_signal_main(void *argument)
{
    worker_process *process = argument;
    int signal_number = 0;
    if (sigwait(&process->signals, &signal_number) != 0)
        return NULL;
    log_info("worker", "%s received: stopping gracefully (send it again to exit at once)",
             strsignal(signal_number));
    rest_server_drain(process->rest, WORKER_PROCESS_REST_DRAIN_MS);
    worker_shutdown(process->worker);
    if (sigwait(&process->signals, &signal_number) == 0) {
        log_warn("worker", "%s received again: exiting now", strsignal(signal_number));
        _exit(128 + signal_number);
    }
    return NULL;
}

int worker_process_signals_watch(worker_process *process, worker *running, rest_server *rest)
{
    process->worker = running;
    process->rest = rest;
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker_process_signal_main, process) != 0) {
        log_error("worker", "cannot start the signal thread");
        return -1;
    }
    pthread_detach(thread);
    return 0;
}

static void *worker_process_control_main(void *argument)
{
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker_run(argument);
    return NULL;
}

int worker_process_loop_start(worker_process *process)
{
    thread_role_clear();
    if (pthread_create(&process->control, NULL, worker_process_control_main, process->worker) !=
        0) {
        thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
        log_error("worker", "cannot start the control thread");
        return -1;
    }
    process->looping = true;
    return 0;
}

void worker_process_loop_end(worker_process *process)
{
    if (process->looping) {
        pthread_join(process->control, NULL);
        process->looping = false;
        thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    } else if (process->worker) {
        worker_shutdown(process->worker);
        worker_run(process->worker);
    }
}
