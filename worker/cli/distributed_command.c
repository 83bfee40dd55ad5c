/*
 * distributed_command.c - loads the worker config, starts the worker, joins its cluster through
 * the distributed herder, serves the REST API, and stops gracefully on the first SIGTERM/SIGINT
 * (a second one exits at once). A worker stopped this way keeps its place in the group for
 * session.timeout.ms and its work for scheduled.rebalance.max.delay.ms, so that a restart finds
 * it again.
 */
#include "cli/distributed_command.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cli/worker_process.h"
#include "herder/distributed_herder.h"
#include "rest/rest_server.h"
#include "runtime/worker.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: ferry distributed WORKER.properties\n");
}

int distributed_command_run(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        bool help = argc == 2;
        usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    worker_process process;
    worker_process_begin(&process);
    int status = 1;
    worker *running = NULL;
    herder *cluster = NULL;
    rest_server *rest = NULL;
    char why[1024];
    worker_config *config = worker_process_config_read(argv[1]);
    if (!config)
        goto done;
    running = worker_new(config, why, sizeof(why));
    if (!running) {
        log_error("worker", "cannot start: %s", why);
        goto done;
    }
    process.worker = running;
    cluster = distributed_herder_new(running, why, sizeof(why));
    if (!cluster) {
        log_error("worker", "cannot join the cluster: %s", why);
        goto done;
    }
    /* /health says "starting" until the worker has joined and runs its first assignment. */
    rest = rest_server_start(running, cluster, why, sizeof(why));
    if (!rest) {
        log_error("worker", "cannot start the REST API: %s", why);
        goto done;
    }
    if (worker_process_signals_watch(&process, running, rest) != 0 ||
        worker_process_loop_start(&process) != 0)
        goto done;
    status = 0;
done:
    worker_process_loop_end(&process);
    if (cluster && distributed_herder_terminated(cluster))
        status = 1;
    rest_server_stop(rest);
    /* The herder's thread stops before the worker; the membership stays until the tasks have
     * stopped, so that they commit as a member. */
    if (cluster)
        distributed_herder_stop(cluster);
    worker_destroy(running);
    herder_destroy(cluster);
    if (status == 0)
        log_info("worker", "stopped");
    return status;
}
