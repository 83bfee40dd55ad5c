/*
 * standalone_command.c - loads the worker and connector configs, starts the worker, its herder
 * and its REST API, puts the command line's connectors through the herder as the REST API
 * would, and turns signals into a graceful shutdown: the first SIGTERM/SIGINT drains and
 * commits, a second one exits at once.
 *
 * Threads: the control loop runs on a thread of its own while this one, like any caller of the
 * herder, waits for each connector change; then it waits for the loop to end.
 */
#include "cli/standalone_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/progress_line.h"
#include "cli/worker_process.h"
#include "config/connector_file.h"
#include "herder/standalone_herder.h"
#include "rest/rest_server.h"
#include "runtime/worker.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: ferry standalone [--no-progress] WORKER.properties "
                 "[CONNECTOR.properties|.json ...]\n"
                 "  --no-progress  no progress line for a snapshot or backfill on a terminal\n");
}

/* Logs why a connector file was refused, one line per line of the herder's message. */
static void connector_refusal_log(const char *path, const char *name, const char *message)
{
    size_t len = strcspn(message, "\n");
    log_error("worker", "%s: connector %s not started: %.*s", path, name ? name : "(no name)",
              (int)len, message);
    for (const char *line = message + len; *line == '\n';) {
        line++;
        len = strcspn(line, "\n");
        if (len > 0)
            log_error("worker", "  %.*s", (int)len, line);
        line += len;
    }
}

/* Puts each connector of the command line through the herder, as the REST API's PUT would.
 * 0 when all are in place (or the worker is stopping), -1 after logging which one was
 * refused. */
static int connectors_put(herder *changes, config_map *const *connectors, const char **names,
                          char *const *paths, size_t count)
{
    herder_waiter *waiter = herder_waiter_new();
    if (!waiter) {
        log_error("worker", "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        herder_result result;
        herder_connector_put(changes, connectors[i], STATE_RUNNING, true, herder_waiter_done,
                             waiter);
        herder_wait(waiter, &result);
        if (result.status == HERDER_UNAVAILABLE) {
            herder_result_clear(&result);
            break; /* a signal stopped the worker during start-up */
        }
        if (result.status != HERDER_OK && result.status != HERDER_CREATED) {
            connector_refusal_log(paths[i], names[i], result.message);
            rc = -1;
        }
        herder_result_clear(&result);
    }
    herder_waiter_destroy(waiter);
    return rc;
}

int standalone_command_run(int argc, char **argv)
{
    /* The progress line is for people at a terminal: never in a pipe or a file. */
    bool progress = true;
    if (argc >= 2 && strcmp(argv[1], "--no-progress") == 0) {
        progress = false;
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* This thread creates the worker and restores its connectors as the control thread; then
     * the control loop runs on a thread of its own while this one puts the command line's
     * connectors through the herder, and takes the role back to destroy the worker. */
    worker_process process;
    worker_process_begin(&process);

    int status = 1;
    size_t connector_count = (size_t)argc - 2;
    config_map **connectors = calloc(connector_count + 1, sizeof(*connectors));
    const char **names = calloc(connector_count + 1, sizeof(*names));
    worker *running = NULL;
    herder *changes = NULL;
    rest_server *rest = NULL;
    progress_line *line = NULL;
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
    worker_config *config = worker_process_config_read(argv[1]);
    if (!config)
        goto done;
    char why[1024];
    running = worker_new(config, why, sizeof(why));
    if (!running) {
        log_error("worker", "cannot start: %s", why);
        goto done;
    }
    process.worker = running;
    changes = standalone_herder_new(running);
    if (!changes) {
        log_error("worker", "out of memory");
        goto done;
    }
    /* The API listens before the connectors start: requests wait for the control loop, and
     * /health says "starting" until the herder is ready. A listener that cannot be had stops
     * the worker. */
    rest = rest_server_start(running, changes, why, sizeof(why));
    if (!rest) {
        log_error("worker", "cannot start the REST API: %s", why);
        goto done;
    }
    if (worker_process_signals_watch(&process, running, rest) != 0)
        goto done;
    worker_connectors_restore(running, names);
    if (worker_process_loop_start(&process) != 0)
        goto done;
    const char *term = getenv("TERM");
    if (progress && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0))
        line = progress_line_start(running, stderr);
    if (connectors_put(changes, connectors, names, argv + 2, connector_count) == 0) {
        standalone_herder_ready(changes);
        status = 0;
    } else {
        worker_shutdown(running);
    }
done:
    /* A start-up that failed after the API opened gets a loop that stops at once, which
     * refuses the requests waiting for it, so that stopping the server does not wait for
     * them. */
    worker_process_loop_end(&process);
    progress_line_stop(line);
    /* Requests still in progress get their answer (503 once the loop stopped) before the
     * herder and the worker they use go away. */
    rest_server_stop(rest);
    herder_destroy(changes);
    worker_destroy(running);
    for (size_t i = 0; connectors && i < connector_count; i++)
        config_map_destroy(connectors[i]);
    free(connectors);
    free(names);
    if (status == 0)
        log_info("worker", "stopped");
    return status;
}
