/*
 * ctl_query.c - the read-only commands of `ferry ctl`: `get` lists and `describe connector`.
 * Secrets are hidden here too, with the rule the worker applies (config_redact.h): ferry's
 * answers are redacted already, Kafka Connect's are not.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_map.h"
#include "config/config_redact.h"
#include "ctl/ctl_commands.h"
#include "ctl/ctl_output.h"

/* "connectors" or "connector" names the same list, as kubectl accepts both. */
static bool ctl_noun_is(const char *word, const char *plural)
{
    size_t len = strlen(plural);
    return word && (strcmp(word, plural) == 0 ||
                    (strlen(word) == len - 1 && strncmp(word, plural, len - 1) == 0));
}

static int ctl_print_or_table(const ctl_args *args, json_t *answer, FILE *out,
                              void (*table)(json_t *answer, FILE *out))
{
    if (args->format != CTL_FORMAT_TABLE)
        return ctl_output_value(answer, args->format, out);
    table(answer, out);
    return CTL_EXIT_OK;
}

static void ctl_connectors_table(json_t *answer, FILE *out)
{
    ctl_table *table = ctl_table_new(out, 5, "NAME", "TYPE", "STATE", "TASKS", "CLASS");
    if (!table)
        return;
    ctl_table_colour_column(table, 2);
    const char *name;
    json_t *entry;
    json_object_foreach(answer, name, entry) {
        json_t *status = json_object_get(entry, "status");
        json_t *info = json_object_get(entry, "info");
        json_t *tasks = json_object_get(status, "tasks");
        size_t running = 0, i;
        json_t *task;
        json_array_foreach(tasks, i, task)
            running += json_is_string(json_object_get(task, "state")) &&
                       strcmp(json_string_value(json_object_get(task, "state")), "RUNNING") == 0;
        char count[48];
        snprintf(count, sizeof(count), "%zu/%zu", running, json_array_size(tasks));
        const char *type = json_string_value(json_object_get(info, "type"));
        ctl_table_row(table, name, type ? type : json_string_value(json_object_get(status, "type")),
                      json_string_value(json_object_get(json_object_get(status, "connector"),
                                                        "state")),
                      count,
                      json_string_value(json_object_get(json_object_get(info, "config"),
                                                        "connector.class")));
    }
    ctl_table_print(table);
    ctl_table_destroy(table);
}

static void ctl_plugins_table(json_t *answer, FILE *out)
{
    ctl_table *table = ctl_table_new(out, 3, "CLASS", "TYPE", "VERSION");
    if (!table)
        return;
    size_t i;
    json_t *plugin;
    json_array_foreach(answer, i, plugin)
        ctl_table_row(table, json_string_value(json_object_get(plugin, "class")),
                      json_string_value(json_object_get(plugin, "type")),
                      json_string_value(json_object_get(plugin, "version")));
    ctl_table_print(table);
    ctl_table_destroy(table);
}

static void ctl_offsets_table(json_t *answer, FILE *out)
{
    ctl_table *table = ctl_table_new(out, 2, "PARTITION", "OFFSET");
    if (!table)
        return;
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(answer, "offsets"), i, entry) {
        char *partition = ctl_output_cell(json_object_get(entry, "partition"));
        char *offset = ctl_output_cell(json_object_get(entry, "offset"));
        ctl_table_row(table, partition, offset);
        free(partition);
        free(offset);
    }
    ctl_table_print(table);
    ctl_table_destroy(table);
}

static void ctl_loggers_table(json_t *answer, FILE *out)
{
    ctl_table *table = ctl_table_new(out, 3, "LOGGER", "LEVEL", "LAST MODIFIED");
    if (!table)
        return;
    const char *name;
    json_t *logger;
    json_object_foreach(answer, name, logger) {
        char *modified = ctl_output_cell(json_object_get(logger, "last_modified"));
        ctl_table_row(table, name, json_string_value(json_object_get(logger, "level")),
                      modified);
        free(modified);
    }
    ctl_table_print(table);
    ctl_table_destroy(table);
}

/* Hides secrets of a config object (in place) and of the traces of its status. */
static void ctl_redact(json_t *config, json_t *status)
{
    if (status && config) {
        config_map *map = config_map_new();
        char err[256];
        if (map && config_map_set_from_json(map, config, err, sizeof(err)) == 0)
            config_redact_status(status, map, NULL, 0);
        config_map_destroy(map);
    }
    if (config)
        config_redact_object(config, NULL, 0);
}

int ctl_query_get(const ctl_args *args, ctl_client *client, FILE *out)
{
    const char *noun = ctl_args_word(args, 1);
    const char *name = ctl_args_word(args, 2);
    json_t *answer = NULL;
    char *path = NULL;
    int rc;
    void (*table)(json_t *, FILE *) = NULL;
    if (ctl_noun_is(noun, "connectors")) {
        rc = ctl_client_expect(client, "GET", "/connectors?expand=status&expand=info", NULL,
                               &answer);
        if (rc == CTL_EXIT_OK && json_is_object(answer)) {
            const char *key;
            json_t *entry;
            json_object_foreach(answer, key, entry)
                ctl_redact(json_object_get(json_object_get(entry, "info"), "config"),
                           json_object_get(entry, "status"));
        }
        table = ctl_connectors_table;
    } else if (ctl_noun_is(noun, "plugins")) {
        rc = ctl_client_expect(client, "GET", "/connector-plugins?connectorsOnly=false", NULL,
                               &answer);
        table = ctl_plugins_table;
    } else if (ctl_noun_is(noun, "loggers")) {
        rc = ctl_client_expect(client, "GET", "/admin/loggers", NULL, &answer);
        table = ctl_loggers_table;
    } else if (ctl_noun_is(noun, "offsets") || ctl_noun_is(noun, "tasks")) {
        if (!name) {
            fprintf(stderr, "ferry ctl: get %s needs a connector name\n", noun);
            return CTL_EXIT_USAGE;
        }
        bool offsets = noun[0] == 'o';
        path = ctl_client_path(client, "/connectors", name, offsets ? "/offsets" : "/status");
        rc = path ? ctl_client_expect(client, "GET", path, NULL, &answer) : CTL_EXIT_SERVER;
        if (!offsets && rc == CTL_EXIT_OK) {
            json_t *tasks = json_incref(json_object_get(answer, "tasks"));
            if (args->format != CTL_FORMAT_TABLE) {
                json_decref(answer);
                answer = tasks ? tasks : json_array();
            } else {
                json_decref(tasks);
            }
        }
        table = offsets ? ctl_offsets_table : ctl_output_tasks;
    } else {
        fprintf(stderr, "ferry ctl: get %s%s: expected connectors, plugins, offsets NAME, "
                "tasks NAME or loggers\n", noun ? "" : "needs what to list", noun ? noun : "");
        return CTL_EXIT_USAGE;
    }
    if (rc == CTL_EXIT_OK)
        rc = ctl_print_or_table(args, answer, out, table);
    json_decref(answer);
    free(path);
    return rc;
}

/* ---- describe connector ----------------------------------------------------------------- */

static void ctl_describe_field(FILE *out, const char *label, const char *value,
                               const char *colour)
{
    fprintf(out, "%-9s %s%s%s\n", label, colour, value ? value : "",
            colour[0] ? ctl_output_colour_end(out) : "");
}

static void ctl_describe_trace(FILE *out, const char *what, json_t *state)
{
    const char *trace = json_string_value(json_object_get(state, "trace"));
    if (!trace)
        return;
    fprintf(out, "\nTrace of %s:\n", what);
    for (const char *line = trace; *line;) {
        size_t len = strcspn(line, "\n");
        fprintf(out, "  %.*s\n", (int)len, line);
        line += len + (line[len] == '\n');
    }
}

static void ctl_describe_print(json_t *described, FILE *out)
{
    json_t *info = json_object_get(described, "info");
    json_t *status = json_object_get(described, "status");
    json_t *config = json_object_get(info, "config");
    json_t *connector = json_object_get(status, "connector");
    const char *state = json_string_value(json_object_get(connector, "state"));
    ctl_describe_field(out, "Name:", json_string_value(json_object_get(info, "name")), "");
    ctl_describe_field(out, "Type:", json_string_value(json_object_get(info, "type")), "");
    ctl_describe_field(out, "Class:", json_string_value(json_object_get(config,
                                                                        "connector.class")), "");
    ctl_describe_field(out, "State:", state, ctl_output_state_colour(out, state));
    ctl_describe_field(out, "Worker:", json_string_value(json_object_get(connector, "worker_id")),
                       "");
    json_t *topics = json_object_get(described, "topics");
    if (json_is_array(topics)) {
        fprintf(out, "%-9s ", "Topics:");
        size_t i;
        json_t *topic;
        json_array_foreach(topics, i, topic)
            fprintf(out, "%s%s", i ? ", " : "", json_string_value(topic));
        fputc('\n', out);
    }
    fputs("\nConfig:\n", out);
    ctl_table *table = ctl_table_new(out, 2, "  KEY", "VALUE");
    if (table) {
        /* Sorted, so that two describes compare line by line. */
        const char **keys = calloc(json_object_size(config) + 1, sizeof(*keys));
        size_t count = 0;
        const char *key;
        json_t *value;
        json_object_foreach(config, key, value)
            if (keys)
                keys[count++] = key;
        for (size_t i = 1; i < count; i++)
            for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
                const char *swap = keys[j];
                keys[j] = keys[j - 1];
                keys[j - 1] = swap;
            }
        for (size_t i = 0; i < count; i++) {
            char *cell = ctl_output_cell(json_object_get(config, keys[i]));
            char indented[1024];
            snprintf(indented, sizeof(indented), "  %s", keys[i]);
            ctl_table_row(table, indented, cell);
            free(cell);
        }
        free(keys);
        ctl_table_print(table);
        ctl_table_destroy(table);
    }
    fputs("\nTasks:\n", out);
    ctl_output_tasks(status, out);
    if (json_is_object(json_object_get(described, "offsets"))) {
        fputs("\nOffsets:\n", out);
        ctl_offsets_table(json_object_get(described, "offsets"), out);
    }
    ctl_describe_trace(out, "the connector", connector);
    size_t i;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), i, task) {
        char what[64];
        snprintf(what, sizeof(what), "task %lld",
                 (long long)json_integer_value(json_object_get(task, "id")));
        ctl_describe_trace(out, what, task);
    }
}

/* An optional part of describe (topics, offsets: not every Kafka Connect has them): its
 * answer, or NULL when the request failed for any reason. */
static json_t *ctl_describe_optional(ctl_client *client, const char *name, const char *suffix)
{
    char *path = ctl_client_path(client, "/connectors", name, suffix);
    ctl_reply reply;
    char err[256];
    json_t *answer = NULL;
    if (path && ctl_client_call(client, "GET", path, NULL, &reply, err, sizeof(err)) == 200) {
        answer = reply.json;
        reply.json = NULL;
    }
    if (path)
        ctl_reply_clear(&reply);
    free(path);
    return answer;
}

int ctl_query_describe(const ctl_args *args, ctl_client *client, FILE *out)
{
    const char *noun = ctl_args_word(args, 1);
    const char *name = ctl_args_word(args, 2);
    if (!ctl_noun_is(noun, "connectors") || !name) {
        fprintf(stderr, "ferry ctl: usage: describe connector NAME\n");
        return CTL_EXIT_USAGE;
    }
    json_t *info = NULL, *status = NULL, *described = NULL;
    char *info_path = ctl_client_path(client, "/connectors", name, NULL);
    char *status_path = ctl_client_path(client, "/connectors", name, "/status");
    int rc = info_path && status_path ? ctl_client_expect(client, "GET", info_path, NULL, &info)
                                      : CTL_EXIT_SERVER;
    if (rc == CTL_EXIT_OK)
        rc = ctl_client_expect(client, "GET", status_path, NULL, &status);
    if (rc != CTL_EXIT_OK)
        goto done;
    ctl_redact(json_object_get(info, "config"), status);
    json_t *topics = ctl_describe_optional(client, name, "/topics");
    described = json_pack("{s:O,s:O,s:O*,s:o*}", "info", info, "status", status, "topics",
                          json_object_get(json_object_get(topics, name), "topics"), "offsets",
                          ctl_describe_optional(client, name, "/offsets"));
    json_decref(topics);
    if (!described) {
        rc = CTL_EXIT_SERVER;
        goto done;
    }
    if (args->format != CTL_FORMAT_TABLE)
        rc = ctl_output_value(described, args->format, out);
    else
        ctl_describe_print(described, out);
done:
    json_decref(described);
    json_decref(info);
    json_decref(status);
    free(info_path);
    free(status_path);
    return rc;
}
