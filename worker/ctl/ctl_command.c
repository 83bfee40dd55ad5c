/*
 * ctl_command.c - `ferry ctl`: its help, and the dispatch of a command to the file that does
 * it (ctl_query.c, ctl_change.c, ctl_context.c, ctl_completion.c).
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "ctl/ctl_command.h"
#include "ctl/ctl_commands.h"
#include "ctl/ctl_context.h"

static const char ctl_usage[] =
    "usage: ferry ctl [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "The REST API of a ferry worker, or of Kafka Connect, at a terminal.\n"
    "\n"
    "commands:\n"
    "  get connectors|plugins|loggers    list them\n"
    "  get offsets|tasks NAME            a connector's offsets or tasks\n"
    "  describe connector NAME           config (secrets hidden), tasks, topics, offsets, traces\n"
    "  apply -f FILE [--dry-run]         create or update a connector (.json or .properties);\n"
    "                                    --dry-run validates and prints each error by its key\n"
    "  create -f FILE                    create a connector; exit status 3 when it exists\n"
    "  patch NAME KEY=VALUE... [--unset KEY]... [-f FILE]\n"
    "                                    change some keys of a connector's config\n"
    "  delete|pause|resume|stop NAME     as the REST API does\n"
    "  restart NAME [--include-tasks] [--only-failed] [--task ID]\n"
    "  offsets alter NAME -f FILE        set offsets (the connector must be stopped)\n"
    "  offsets reset NAME                forget them (the connector must be stopped)\n"
    "  logs level [LOGGER [LEVEL]] [--scope worker|cluster]\n"
    "                                    show or set log levels\n"
    "  config set-context NAME [--url U] [auth and TLS options]\n"
    "  config use-context|delete-context NAME, config get-contexts, config current-context\n"
    "  completion bash|zsh               print a completion script\n"
    "\n"
    "options (anywhere after ctl):\n"
    "  --url URL              the worker (default: the context's, FERRY_URL, "
    CTL_DEFAULT_URL ")\n"
    "  --context NAME         use this context instead of the current one\n"
    "  -u, --user USER        HTTP Basic user; the password is read from --password-file\n"
    "  --password-file FILE   the first line is the password\n"
    "  --token-file FILE      the first line is a bearer token\n"
    "  --cacert FILE          CA certificates (PEM) to trust for https\n"
    "  --cert FILE, --key FILE  a client certificate and its key (PEM) for mutual TLS\n"
    "  -k, --insecure         do not verify the server's certificate\n"
    "  -o, --output FORMAT    table (default), json or yaml\n"
    "  -h, --help             this help, or a command's: ferry ctl COMMAND --help\n"
    "\n"
    "Contexts live in $XDG_CONFIG_HOME/ferry/ctl.json (~/.config/ferry/ctl.json), mode 0600.\n"
    "Colours are used when stdout is a terminal and NO_COLOR is unset.\n"
    "\n"
    "exit status: 0 ok, 1 usage or local file error, 2 not found (404), 3 conflict (409),\n"
    "4 invalid input (400, validation errors), 5 unreachable (connection, TLS),\n"
    "6 unauthorized (401, 403), 7 any other server answer.\n";

static const struct ctl_command_help {
    const char *name;
    const char *text;
} ctl_command_helps[] = {
    {"get", "usage: ferry ctl get connectors|plugins|loggers [-o json|yaml]\n"
            "       ferry ctl get offsets|tasks NAME [-o json|yaml]\n"
            "\n"
            "connectors: GET /connectors?expand=status&expand=info (name, type, state, running\n"
            "tasks, class); plugins: GET /connector-plugins?connectorsOnly=false; loggers:\n"
            "GET /admin/loggers; offsets: GET /connectors/NAME/offsets; tasks: the tasks of\n"
            "GET /connectors/NAME/status.\n"},
    {"describe", "usage: ferry ctl describe connector NAME [-o json|yaml]\n"
                 "\n"
                 "The connector's type, class, state and worker, its config with the values of\n"
                 "sensitive keys shown as [hidden], its tasks, the topics it used, its offsets\n"
                 "and the trace of every failure.\n"},
    {"apply", "usage: ferry ctl apply -f FILE [--dry-run] [-o json|yaml]\n"
              "\n"
              "FILE (- for stdin) is JSON, {\"name\":..,\"config\":{..}} or a flat config with\n"
              "\"name\", or a .properties file with name=. Creates the connector or replaces its\n"
              "config (PUT /connectors/NAME/config). --dry-run only validates\n"
              "(PUT /connector-plugins/CLASS/config/validate) and prints each error next to\n"
              "its key; exit status 4 when there is any.\n"},
    {"create", "usage: ferry ctl create -f FILE [-o json|yaml]\n"
               "\n"
               "POST /connectors with the connector of FILE (as apply reads it): refused with\n"
               "exit status 3 (409) when a connector of that name exists.\n"},
    {"patch", "usage: ferry ctl patch NAME KEY=VALUE... [--unset KEY]... [-f FILE]\n"
              "\n"
              "PATCH /connectors/NAME/config: the keys given are set, those of --unset\n"
              "removed, the others kept. -f reads the keys from a JSON or .properties file.\n"},
    {"delete", "usage: ferry ctl delete NAME\n\nDELETE /connectors/NAME.\n"},
    {"pause", "usage: ferry ctl pause NAME\n\nPUT /connectors/NAME/pause.\n"},
    {"resume", "usage: ferry ctl resume NAME\n\nPUT /connectors/NAME/resume.\n"},
    {"stop", "usage: ferry ctl stop NAME\n\nPUT /connectors/NAME/stop: the connector and its\n"
             "tasks stop and keep no task config (offsets may then be altered or reset).\n"},
    {"restart", "usage: ferry ctl restart NAME [--include-tasks] [--only-failed]\n"
                "       ferry ctl restart NAME --task ID\n"
                "\n"
                "POST /connectors/NAME/restart?includeTasks=..&onlyFailed=..; with --task,\n"
                "POST /connectors/NAME/tasks/ID/restart.\n"},
    {"offsets", "usage: ferry ctl offsets alter NAME -f FILE\n"
                "       ferry ctl offsets reset NAME\n"
                "\n"
                "alter: PATCH /connectors/NAME/offsets with the file's\n"
                "{\"offsets\":[{\"partition\":{..},\"offset\":{..}}]} (or the list alone); a null\n"
                "offset resets its partition. reset: DELETE /connectors/NAME/offsets. The\n"
                "connector must be stopped first (ferry ctl stop NAME).\n"},
    {"logs", "usage: ferry ctl logs level [LOGGER [LEVEL]] [--scope worker|cluster]\n"
             "\n"
             "Without LOGGER, every logger and its level; with LOGGER, its level; with LEVEL\n"
             "(ERROR, WARN, INFO, DEBUG, TRACE), sets it (PUT /admin/loggers/LOGGER).\n"},
    {"config", "usage: ferry ctl config set-context NAME [--url URL] [--user USER\n"
               "                          --password-file FILE | --token-file FILE]\n"
               "                          [--cacert FILE] [--cert FILE --key FILE] [--insecure]\n"
               "       ferry ctl config use-context NAME\n"
               "       ferry ctl config delete-context NAME\n"
               "       ferry ctl config get-contexts [-o json|yaml]\n"
               "       ferry ctl config current-context\n"
               "\n"
               "Contexts are kept in $XDG_CONFIG_HOME/ferry/ctl.json (mode 0600); passwords\n"
               "and tokens stay in the files the context names. set-context on an existing\n"
               "context changes the keys given. The first context becomes the current one.\n"},
    {"completion", "usage: ferry ctl completion bash|zsh\n"
                   "\n"
                   "Prints a completion script: source <(ferry ctl completion bash).\n"},
};
#define CTL_COMMAND_HELP_COUNT (sizeof(ctl_command_helps) / sizeof(ctl_command_helps[0]))

typedef int (*ctl_handler)(const ctl_args *args, ctl_client *client, FILE *out);

static const struct ctl_dispatch {
    const char *name;
    ctl_handler handler;
} ctl_dispatch_table[] = {
    {"get", ctl_query_get},          {"describe", ctl_query_describe},
    {"apply", ctl_change_apply},     {"create", ctl_change_apply},
    {"patch", ctl_change_patch},
    {"delete", ctl_change_lifecycle}, {"pause", ctl_change_lifecycle},
    {"resume", ctl_change_lifecycle}, {"stop", ctl_change_lifecycle},
    {"restart", ctl_change_restart}, {"offsets", ctl_change_offsets},
    {"logs", ctl_change_logs},
};

static const char *ctl_command_help(const char *command)
{
    for (size_t i = 0; command && i < CTL_COMMAND_HELP_COUNT; i++)
        if (strcmp(command, ctl_command_helps[i].name) == 0)
            return ctl_command_helps[i].text;
    return NULL;
}

static int ctl_command_remote(const ctl_args *args, ctl_handler handler)
{
    char err[1024] = "";
    ctl_target target;
    int rc = ctl_context_resolve(args, &target, err, sizeof(err));
    if (rc != CTL_EXIT_OK) {
        fprintf(stderr, "ferry ctl: %s\n", err);
        return rc;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ctl_client *client = ctl_client_new(&target);
    if (!client) {
        fprintf(stderr, "ferry ctl: out of memory\n");
        rc = CTL_EXIT_SERVER;
    } else {
        rc = handler(args, client, stdout);
    }
    ctl_client_destroy(client);
    ctl_target_clear(&target);
    curl_global_cleanup();
    if (fflush(stdout) != 0 && rc == CTL_EXIT_OK)
        rc = CTL_EXIT_SERVER;
    return rc;
}

int ctl_command_run(int argc, char **argv)
{
    ctl_args args;
    char err[512];
    if (ctl_args_parse(argc, argv, &args, err, sizeof(err)) != 0) {
        fprintf(stderr, "ferry ctl: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    const char *command = ctl_args_word(&args, 0);
    if (command && strcmp(command, "help") == 0) {
        args.help = true;
        command = ctl_args_word(&args, 1);
    }
    if (args.help || !command) {
        const char *help = ctl_command_help(command);
        fputs(help ? help : ctl_usage, args.help ? stdout : stderr);
        return args.help ? CTL_EXIT_OK : CTL_EXIT_USAGE;
    }
    if (strcmp(command, "config") == 0)
        return ctl_context_command(&args, stdout);
    if (strcmp(command, "completion") == 0)
        return ctl_completion_print(&args, stdout);
    for (size_t i = 0; i < sizeof(ctl_dispatch_table) / sizeof(ctl_dispatch_table[0]); i++)
        if (strcmp(command, ctl_dispatch_table[i].name) == 0)
            return ctl_command_remote(&args, ctl_dispatch_table[i].handler);
    fprintf(stderr, "ferry ctl: unknown command '%s' (see ferry ctl --help)\n", command);
    return CTL_EXIT_USAGE;
}
