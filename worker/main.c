/*
 * main.c - the ferry command line: picks a subcommand and turns its result into the exit status.
 * Only this file decides that the process stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <curl/curl.h>
#include <gnutls/gnutls.h>

#include <ferry/plugin.h>

#include "cli/distributed_command.h"
#include "cli/plugins_command.h"
#include "cli/standalone_command.h"
#include "ctl/ctl_command.h"
#include "base/allocator.h"
#include "base/log.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ferry COMMAND [ARGS]\n"
            "\n"
            "commands:\n"
            "  standalone WORKER.properties [CONNECTOR ...]\n"
            "                                         run connectors (.properties or .json files)\n"
            "  distributed WORKER.properties          run one worker of a cluster\n"
            "  plugins [--plugin-path DIRS] [--json]  list connector types and their config keys\n"
            "  ctl COMMAND [ARGS]                     the REST API of ferry or Kafka Connect at a\n"
            "                                         terminal (ferry ctl --help)\n"
            "  --version                              print the version and exit\n"
            "  --help                                 print this help and exit\n"
            "\n"
            "The log level is taken from FERRY_LOG_LEVEL (error, warn, info, debug, trace).\n");
}

static void version_print(FILE *out)
{
    fprintf(out, "ferry %s (plugin ABI %d.%d; librdkafka %s, jansson %s, GnuTLS %s, %s)\n",
            FERRY_VERSION, FERRY_ABI_MAJOR, FERRY_ABI_MINOR, rd_kafka_version_str(),
            JANSSON_VERSION, gnutls_check_version(NULL), curl_version());
}

int main(int argc, char **argv)
{
    allocator_configure();
    const char *level_text = getenv("FERRY_LOG_LEVEL");
    ferry_log_level level = FERRY_LOG_INFO;
    if (level_text && log_level_parse(level_text, &level) != 0) {
        fprintf(stderr, "ferry: FERRY_LOG_LEVEL='%s' is not one of error, warn, info, debug, "
                "trace\n", level_text);
        return 2;
    }
    log_configure(stderr, level);

    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp(command, "--version") == 0 || strcmp(command, "-V") == 0 ||
        strcmp(command, "version") == 0) {
        version_print(stdout);
        return 0;
    }
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(command, "ctl") == 0)
        return ctl_command_run(argc - 1, argv + 1);
    if (strcmp(command, "plugins") == 0)
        return plugins_command_run(argc - 1, argv + 1, stdout);
    if (strcmp(command, "standalone") == 0 || strcmp(command, "distributed") == 0) {
        int rc = strcmp(command, "standalone") == 0 ? standalone_command_run(argc - 1, argv + 1)
                                                    : distributed_command_run(argc - 1, argv + 1);
        /* The counts of repeated lines still held back: no line goes without its count. */
        log_repeats_flush(true);
        return rc;
    }

    fprintf(stderr, "ferry: unknown command '%s'\n", command);
    usage(stderr);
    return 2;
}
