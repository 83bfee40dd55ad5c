/*
 * ctl_change.c - the commands of `ferry ctl` that change something: apply (create or update
 * from a JSON or .properties file, or validate it with --dry-run), patch, delete, pause,
 * resume, stop, restart, offsets alter|reset and logs level. Each is one request of Kafka
 * Connect's REST API, so they work against Kafka Connect as well.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_map.h"
#include "config/config_redact.h"
#include "config/properties.h"
#include "ctl/ctl_commands.h"
#include "ctl/ctl_output.h"

/* Kafka Connect's configs are maps of strings: numbers and booleans of a JSON file become their
 * text, as a user writing "tasks.max": 2 means. */
static int ctl_config_stringify(json_t *config, char *err, size_t errlen)
{
    const char *key;
    json_t *value;
    json_object_foreach(config, key, value) {
        if (json_is_string(value) || json_is_null(value))
            continue;
        if (json_is_object(value) || json_is_array(value)) {
            snprintf(err, errlen, "config key '%s': expected a string, not an %s", key,
                     json_is_object(value) ? "object" : "array");
            return -1;
        }
        char *text = json_dumps(value, JSON_ENCODE_ANY);
        if (!text || json_object_set_new(config, key, json_string(text)) != 0) {
            free(text);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        free(text);
    }
    return 0;
}

static bool ctl_ends_with(const char *text, const char *suffix)
{
    size_t len = strlen(text), suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(text + len - suffix_len, suffix) == 0;
}

/* A connector file: JSON ({"name","config"} or a flat config with "name") or .properties (with
 * "name"). *config gets the flat config, name included. 0, or -1 with err. */
static int ctl_connector_file_read(const char *path, json_t **config, char *err, size_t errlen)
{
    *config = NULL;
    if (ctl_ends_with(path, ".properties")) {
        config_map *map = config_map_new();
        if (!map || properties_parse_file(path, map, err, errlen) != 0) {
            if (!map)
                snprintf(err, errlen, "out of memory");
            config_map_destroy(map);
            return -1;
        }
        *config = config_map_to_json(map);
        config_map_destroy(map);
    } else {
        json_error_t error;
        json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &error)
                                             : json_load_file(path, 0, &error);
        if (!doc) {
            snprintf(err, errlen, "%s: %s (line %d, column %d)", path, error.text, error.line,
                     error.column);
            return -1;
        }
        json_t *inner = json_object_get(doc, "config");
        if (json_is_object(inner)) {
            json_t *name = json_object_get(doc, "name");
            *config = json_incref(inner);
            if (json_is_string(name) && !json_object_get(inner, "name"))
                json_object_set(inner, "name", name);
        } else if (json_is_object(doc)) {
            *config = json_incref(doc);
        }
        json_decref(doc);
        if (!*config) {
            snprintf(err, errlen, "%s: expected a JSON object ({\"name\",\"config\"} or a flat "
                     "config)", path);
            return -1;
        }
    }
    if (!*config) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (ctl_config_stringify(*config, err, errlen) != 0 ||
        !json_is_string(json_object_get(*config, "name")) ||
        !json_string_length(json_object_get(*config, "name"))) {
        if (!err[0])
            snprintf(err, errlen, "%s: no connector name (key \"name\")", path);
        json_decref(*config);
        *config = NULL;
        return -1;
    }
    return 0;
}

/* --dry-run: PUT /connector-plugins/{class}/config/validate, each error next to its key. */
static int ctl_apply_validate(const ctl_args *args, ctl_client *client, json_t *config,
                              FILE *out)
{
    const char *class_name = json_string_value(json_object_get(config, "connector.class"));
    if (!class_name) {
        fprintf(stderr, "ferry ctl: the config has no connector.class to validate against\n");
        return CTL_EXIT_USAGE;
    }
    char *path = ctl_client_path(client, "/connector-plugins", class_name, "/config/validate");
    json_t *answer = NULL;
    int rc = path ? ctl_client_expect(client, "PUT", path, config, &answer) : CTL_EXIT_SERVER;
    free(path);
    if (rc != CTL_EXIT_OK)
        return rc;
    long long errors = json_integer_value(json_object_get(answer, "error_count"));
    if (args->format != CTL_FORMAT_TABLE) {
        rc = ctl_output_value(answer, args->format, out);
    } else {
        size_t i;
        json_t *entry;
        ctl_table *table = errors ? ctl_table_new(out, 2, "KEY", "ERROR") : NULL;
        json_array_foreach(json_object_get(answer, "configs"), i, entry) {
            json_t *value = json_object_get(entry, "value");
            size_t e;
            json_t *message;
            json_array_foreach(json_object_get(value, "errors"), e, message)
                if (table)
                    ctl_table_row(table, json_string_value(json_object_get(value, "name")),
                                  json_string_value(message));
        }
        if (table) {
            ctl_table_print(table);
            ctl_table_destroy(table);
        }
        fprintf(out, "%s: %lld error%s\n", json_string_value(json_object_get(config, "name")),
                errors, errors == 1 ? "" : "s");
    }
    json_decref(answer);
    return rc == CTL_EXIT_OK && errors > 0 ? CTL_EXIT_INVALID : rc;
}

/* `create`: POST /connectors, refused (409) when the name exists, where apply would update. */
static int ctl_change_create(const ctl_args *args, ctl_client *client, json_t *config,
                             FILE *out)
{
    const char *name = json_string_value(json_object_get(config, "name"));
    json_t *body = json_pack("{s:s,s:O}", "name", name, "config", config);
    json_t *answer = NULL;
    int rc = body ? ctl_client_expect(client, "POST", "/connectors", body, &answer)
                  : CTL_EXIT_SERVER;
    if (rc == CTL_EXIT_OK) {
        config_redact_object(json_object_get(answer, "config"), NULL, 0);
        if (args->format != CTL_FORMAT_TABLE)
            rc = ctl_output_value(answer, args->format, out);
        else
            fprintf(out, "connector %s created\n", name);
    }
    json_decref(answer);
    json_decref(body);
    return rc;
}

int ctl_change_apply(const ctl_args *args, ctl_client *client, FILE *out)
{
    bool create = strcmp(args->words[0], "create") == 0;
    if (!args->file) {
        fprintf(stderr, "ferry ctl: usage: %s -f FILE%s\n", args->words[0],
                create ? "" : " [--dry-run]");
        return CTL_EXIT_USAGE;
    }
    char err[1024] = "";
    json_t *config = NULL;
    if (ctl_connector_file_read(args->file, &config, err, sizeof(err)) != 0) {
        fprintf(stderr, "ferry ctl: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    if (args->dry_run || create) {
        int rc = create ? ctl_change_create(args, client, config, out)
                        : ctl_apply_validate(args, client, config, out);
        json_decref(config);
        return rc;
    }
    const char *name = json_string_value(json_object_get(config, "name"));
    char *path = ctl_client_path(client, "/connectors", name, "/config");
    ctl_reply reply = {0};
    long status = path ? ctl_client_call(client, "PUT", path, config, &reply, err, sizeof(err))
                       : 0;
    int rc = ctl_client_exit_code(status);
    if (status == 200 || status == 201) {
        config_redact_object(json_object_get(reply.json, "config"), NULL, 0);
        if (args->format != CTL_FORMAT_TABLE)
            rc = ctl_output_value(reply.json, args->format, out);
        else
            fprintf(out, "connector %s %s\n", name, status == 201 ? "created" : "configured");
    } else if (status == 0) {
        fprintf(stderr, "ferry ctl: %s\n", path ? err : "out of memory");
    } else {
        const char *message = json_string_value(json_object_get(reply.json, "message"));
        fprintf(stderr, "ferry ctl: PUT %s: HTTP %ld: %s\n", path, status,
                message ? message : reply.body);
    }
    ctl_reply_clear(&reply);
    free(path);
    json_decref(config);
    return rc;
}

/* The answer of a change: the server's JSON for scripts, a sentence for people. */
static int ctl_change_report(const ctl_args *args, json_t *answer, FILE *out, const char *name,
                             const char *done)
{
    if (args->format != CTL_FORMAT_TABLE)
        return answer ? ctl_output_value(answer, args->format, out) : CTL_EXIT_OK;
    const char *message = json_string_value(json_object_get(answer, "message"));
    if (message)
        fprintf(out, "%s\n", message);
    else
        fprintf(out, "connector %s %s\n", name, done);
    return CTL_EXIT_OK;
}

static int ctl_change_simple(const ctl_args *args, ctl_client *client, FILE *out,
                             const char *method, const char *name, const char *suffix,
                             const json_t *body, const char *done)
{
    char *path = ctl_client_path(client, "/connectors", name, suffix);
    json_t *answer = NULL;
    int rc = path ? ctl_client_expect(client, method, path, body, &answer) : CTL_EXIT_SERVER;
    if (rc == CTL_EXIT_OK) {
        config_redact_object(json_object_get(answer, "config"), NULL, 0);
        rc = ctl_change_report(args, answer, out, name, done);
    }
    json_decref(answer);
    free(path);
    return rc;
}

static const char *ctl_need_name(const ctl_args *args, const char *usage)
{
    const char *name = ctl_args_word(args, 1);
    if (!name)
        fprintf(stderr, "ferry ctl: usage: %s\n", usage);
    return name;
}

int ctl_change_patch(const ctl_args *args, ctl_client *client, FILE *out)
{
    const char *name = ctl_need_name(args, "patch NAME KEY=VALUE... [--unset KEY]... [-f FILE]");
    if (!name)
        return CTL_EXIT_USAGE;
    char err[1024] = "";
    json_t *patch = NULL;
    if (args->file && ctl_connector_file_read(args->file, &patch, err, sizeof(err)) != 0 &&
        !patch) {
        /* A patch file need not name the connector: read it again as a plain object. */
        json_error_t error;
        patch = ctl_ends_with(args->file, ".properties") ? NULL
                                                         : json_load_file(args->file, 0, &error);
        if (!json_is_object(patch) || ctl_config_stringify(patch, err, sizeof(err)) != 0) {
            fprintf(stderr, "ferry ctl: %s\n", err);
            json_decref(patch);
            return CTL_EXIT_USAGE;
        }
    }
    if (!patch)
        patch = json_object();
    for (int i = 2; patch && i < args->count; i++) {
        const char *pair = args->words[i];
        const char *equals = strchr(pair, '=');
        if (!equals || equals == pair) {
            fprintf(stderr, "ferry ctl: patch: '%s' is not KEY=VALUE\n", pair);
            json_decref(patch);
            return CTL_EXIT_USAGE;
        }
        char *key = strndup(pair, (size_t)(equals - pair));
        if (!key || json_object_set_new(patch, key, json_string(equals + 1)) != 0) {
            free(key);
            json_decref(patch);
            patch = NULL;
            break;
        }
        free(key);
    }
    for (int i = 0; patch && i < args->unset_count; i++)
        json_object_set_new(patch, args->unset[i], json_null());
    if (!patch)
        return CTL_EXIT_SERVER;
    if (json_object_size(patch) == 0) {
        fprintf(stderr, "ferry ctl: patch %s: nothing to change (give KEY=VALUE, --unset KEY or "
                "-f FILE)\n", name);
        json_decref(patch);
        return CTL_EXIT_USAGE;
    }
    int rc = ctl_change_simple(args, client, out, "PATCH", name, "/config", patch, "patched");
    json_decref(patch);
    return rc;
}

int ctl_change_lifecycle(const ctl_args *args, ctl_client *client, FILE *out)
{
    const char *verb = args->words[0];
    char usage[64];
    snprintf(usage, sizeof(usage), "%s NAME", verb);
    const char *name = ctl_need_name(args, usage);
    if (!name)
        return CTL_EXIT_USAGE;
    if (strcmp(verb, "delete") == 0)
        return ctl_change_simple(args, client, out, "DELETE", name, NULL, NULL, "deleted");
    static const struct {
        const char *verb, *suffix, *done;
    } verbs[] = {{"pause", "/pause", "paused"},
                 {"resume", "/resume", "resumed"},
                 {"stop", "/stop", "stopped"}};
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strcmp(verb, verbs[i].verb) == 0)
            return ctl_change_simple(args, client, out, "PUT", name, verbs[i].suffix, NULL,
                                     verbs[i].done);
    fprintf(stderr, "ferry ctl: unknown command '%s'\n", verb);
    return CTL_EXIT_USAGE;
}

int ctl_change_restart(const ctl_args *args, ctl_client *client, FILE *out)
{
    const char *name =
        ctl_need_name(args, "restart NAME [--include-tasks] [--only-failed] [--task ID]");
    if (!name)
        return CTL_EXIT_USAGE;
    char suffix[128];
    if (args->task) {
        char *end = NULL;
        errno = 0;
        long task = strtol(args->task, &end, 10);
        if (errno || !*args->task || *end || task < 0 || task > 1000000) {
            fprintf(stderr, "ferry ctl: --task '%s' is not a task id (0, 1, ...)\n", args->task);
            return CTL_EXIT_USAGE;
        }
        snprintf(suffix, sizeof(suffix), "/tasks/%ld/restart", task);
    } else {
        snprintf(suffix, sizeof(suffix), "/restart?includeTasks=%s&onlyFailed=%s",
                 args->include_tasks ? "true" : "false", args->only_failed ? "true" : "false");
    }
    char *path = ctl_client_path(client, "/connectors", name, suffix);
    json_t *answer = NULL;
    int rc = path ? ctl_client_expect(client, "POST", path, NULL, &answer) : CTL_EXIT_SERVER;
    free(path);
    if (rc == CTL_EXIT_OK && args->format == CTL_FORMAT_TABLE && answer) {
        /* 202: the status with what restarts marked RESTARTING. */
        fprintf(out, "connector %s restarting\n", name);
        fprintf(out, "%-9s %s\n", "Connector:",
                json_string_value(json_object_get(json_object_get(answer, "connector"),
                                                  "state")));
        ctl_output_tasks(answer, out);
    } else if (rc == CTL_EXIT_OK) {
        rc = ctl_change_report(args, answer, out, name,
                               args->task ? "task restarted" : "restarted");
    }
    json_decref(answer);
    return rc;
}

int ctl_change_offsets(const ctl_args *args, ctl_client *client, FILE *out)
{
    const char *verb = ctl_args_word(args, 1);
    const char *name = ctl_args_word(args, 2);
    bool alter = verb && strcmp(verb, "alter") == 0;
    if (!name || !(alter || strcmp(verb, "reset") == 0) || (alter && !args->file)) {
        fprintf(stderr, "ferry ctl: usage: offsets alter NAME -f FILE | offsets reset NAME\n");
        return CTL_EXIT_USAGE;
    }
    if (!alter)
        return ctl_change_simple(args, client, out, "DELETE", name, "/offsets", NULL,
                                 "offsets reset");
    json_error_t error;
    json_t *body = strcmp(args->file, "-") == 0 ? json_loadf(stdin, 0, &error)
                                                 : json_load_file(args->file, 0, &error);
    if (!body) {
        fprintf(stderr, "ferry ctl: %s: %s (line %d)\n", args->file, error.text, error.line);
        return CTL_EXIT_USAGE;
    }
    /* A bare list of {"partition","offset"} is the "offsets" of the request. */
    if (json_is_array(body)) {
        json_t *wrapped = json_pack("{s:o}", "offsets", body);
        body = wrapped;
    }
    if (!json_is_array(json_object_get(body, "offsets"))) {
        fprintf(stderr, "ferry ctl: %s: expected {\"offsets\":[{\"partition\":{..},"
                "\"offset\":{..}}]} or the list alone\n", args->file);
        json_decref(body);
        return CTL_EXIT_USAGE;
    }
    int rc = ctl_change_simple(args, client, out, "PATCH", name, "/offsets", body,
                               "offsets altered");
    json_decref(body);
    return rc;
}

int ctl_change_logs(const ctl_args *args, ctl_client *client, FILE *out)
{
    const char *verb = ctl_args_word(args, 1);
    const char *logger = ctl_args_word(args, 2);
    const char *level = ctl_args_word(args, 3);
    if (!verb || strcmp(verb, "level") != 0 ||
        (args->scope && strcmp(args->scope, "worker") != 0 &&
         strcmp(args->scope, "cluster") != 0)) {
        fprintf(stderr, "ferry ctl: usage: logs level [LOGGER [LEVEL]] [--scope worker|cluster]\n");
        return CTL_EXIT_USAGE;
    }
    if (!logger) {
        ctl_args list = *args;
        list.words[1] = "loggers";
        list.count = 2;
        return ctl_query_get(&list, client, out);
    }
    char suffix[64] = "";
    if (args->scope)
        snprintf(suffix, sizeof(suffix), "?scope=%s", args->scope);
    char *path = ctl_client_path(client, "/admin/loggers", logger, level ? suffix : NULL);
    json_t *body = level ? json_pack("{s:s}", "level", level) : NULL;
    json_t *answer = NULL;
    int rc = path && (body || !level)
                 ? ctl_client_expect(client, level ? "PUT" : "GET", path, body, &answer)
                 : CTL_EXIT_SERVER;
    if (rc == CTL_EXIT_OK && args->format != CTL_FORMAT_TABLE) {
        rc = answer ? ctl_output_value(answer, args->format, out) : CTL_EXIT_OK;
    } else if (rc == CTL_EXIT_OK && !level) {
        char *modified = ctl_output_cell(json_object_get(answer, "last_modified"));
        fprintf(out, "%s %s (last modified: %s)\n", logger,
                json_string_value(json_object_get(answer, "level")),
                modified && modified[0] ? modified : "never");
        free(modified);
    } else if (rc == CTL_EXIT_OK) {
        /* 200 lists the loggers changed; 204 (scope=cluster) says nothing. */
        fprintf(out, "logger %s set to %s", logger, level);
        if (json_is_array(answer) && json_array_size(answer) > 1)
            fprintf(out, " (%zu loggers)", json_array_size(answer));
        fputc('\n', out);
    }
    json_decref(answer);
    json_decref(body);
    free(path);
    return rc;
}
