/*
 * test_ctl.c - `ferry ctl` against a real worker on the real broker: every command, in tables and
 * in JSON, and the exit codes of 404, 409 and validation errors; and the Kafka Connect metric
 * names of /metrics (tests/fixtures/metrics/) with their labels and values.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

/* Runs `ferry ctl ARGS...` with FERRY_URL set to url (unless NULL) and the env's config dir;
 * returns the exit status, stdout in *output (malloc'd). */
static int ctl_run(fp_env *env, const char *url, char **output, ...)
{
    const char *argv[48] = {FERRY_BINARY, "ctl"};
    int argc = 2;
    va_list ap;
    va_start(ap, output);
    for (const char *arg; argc < 47 && (arg = va_arg(ap, const char *));)
        argv[argc++] = arg;
    va_end(ap);
    argv[argc] = NULL;
    const char *out_path = fp_path(env, "ctl.out");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *out = freopen(out_path, "w", stdout);
        if (!out)
            _exit(99);
        setenv("XDG_CONFIG_HOME", fp_path(env, "xdg"), 1);
        setenv("NO_COLOR", "1", 1);
        if (url)
            setenv("FERRY_URL", url, 1);
        else
            unsetenv("FERRY_URL");
        execv(FERRY_BINARY, (char *const *)argv);
        _exit(98);
    }
    int status = 0;
    assert_true(waitpid(pid, &status, 0) == pid);
    size_t len = 0;
    char *text = fp_read_file(out_path, &len);
    if (output)
        *output = text ? text : strdup("");
    else
        free(text);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

#define CTL_OK(env, url, out, ...) assert_int_equal(ctl_run(env, url, out, __VA_ARGS__, NULL), 0)

static json_t *ctl_json(fp_env *env, const char *url, ...)
{
    const char *words[16];
    int count = 0;
    va_list ap;
    va_start(ap, url);
    for (const char *arg; count < 13 && (arg = va_arg(ap, const char *));)
        words[count++] = arg;
    va_end(ap);
    words[count++] = "-o";
    words[count++] = "json";
    while (count < 16)
        words[count++] = NULL;
    char *text = NULL;
    int rc = ctl_run(env, url, &text, words[0], words[1], words[2], words[3], words[4],
                     words[5], words[6], words[7], words[8], words[9], words[10], words[11],
                     words[12], words[13], words[14], words[15], NULL);
    assert_int_equal(rc, 0);
    json_error_t error;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("not JSON (%s): %s", error.text, text);
    free(text);
    return value;
}

static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected '%s' in:\n%s", needle, text);
}

/* Waits until `get connectors -o json` shows the connector and its task RUNNING. */
static void wait_running(fp_env *env, const char *url, const char *name, const char *state)
{
    int64_t deadline = fp_now_ms() + 30000;
    char seen[64] = "";
    while (fp_now_ms() < deadline) {
        json_t *all = ctl_json(env, url, "get", "connectors", NULL);
        json_t *status = json_object_get(json_object_get(all, name), "status");
        const char *connector =
            json_string_value(json_object_get(json_object_get(status, "connector"), "state"));
        const char *task = json_string_value(
            json_object_get(json_array_get(json_object_get(status, "tasks"), 0), "state"));
        snprintf(seen, sizeof(seen), "%s/%s", connector ? connector : "-", task ? task : "-");
        bool done = connector && strcmp(connector, state) == 0 &&
                    (strcmp(state, "STOPPED") == 0 || (task && strcmp(task, state) == 0));
        json_decref(all);
        if (done)
            return;
        fp_sleep_ms(200);
    }
    fail_msg("%s: expected %s, last seen %s", name, state, seen);
}

static fp_proc *start_worker(fp_env *env, char *url, size_t len)
{
    const char *worker_file = fp_worker_file(env, "worker.properties", 500, NULL);
    fp_proc *proc = fp_start(env, worker_file, NULL);
    snprintf(url, len, "http://127.0.0.1:%d", fp_listener_port(env));
    rc_client *client = rc_new(url);
    assert_true(rc_wait_healthy(client, 60000));
    rc_free(client);
    return proc;
}

static void test_ctl_commands(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("ctl_commands");
    char url[64];
    fp_proc *proc = start_worker(env, url, sizeof(url));
    const char *topic = fp_name(env, "ctl");
    kt_create_topic(topic, 1, NULL);
    const char *source = fp_name(env, "ctl-source");
    const char *sink = fp_name(env, "ctl-sink");
    char *out = NULL;

    /* plugins, in a table and in JSON */
    CTL_OK(env, url, &out, "get", "plugins");
    assert_contains(out, "CLASS");
    assert_contains(out, "SequenceSource");
    free(out);
    json_t *plugins = ctl_json(env, url, "get", "plugins", NULL);
    assert_true(json_is_array(plugins) && json_array_size(plugins) > 0);
    json_decref(plugins);

    /* apply: .properties creates, then updates; JSON with a secret */
    const char *source_file = fp_write(env, "source.properties",
                                       "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                       "partitions=1\ninterval.ms=20\nbatch.size=10\n",
                                       source, topic);
    CTL_OK(env, url, &out, "apply", "-f", source_file);
    assert_contains(out, "created");
    free(out);
    CTL_OK(env, url, &out, "apply", "-f", source_file);
    assert_contains(out, "configured");
    free(out);
    const char *sink_file = fp_write(env, "sink.json",
                                     "{\"name\":\"%s\",\"config\":{\"connector.class\":"
                                     "\"NullSink\",\"topics\":\"%s\",\"tasks.max\":1,"
                                     "\"db.password\":\"s3cret-value\"}}", sink, topic);
    CTL_OK(env, url, &out, "apply", "-f", sink_file);
    assert_contains(out, "created");
    free(out);
    wait_running(env, url, source, "RUNNING");
    wait_running(env, url, sink, "RUNNING");

    /* 409: create of a name that exists */
    assert_int_equal(ctl_run(env, url, NULL, "create", "-f", sink_file, NULL), 3);

    /* get connectors: table, JSON, YAML */
    CTL_OK(env, url, &out, "get", "connectors");
    assert_contains(out, "NAME");
    assert_contains(out, source);
    assert_contains(out, "RUNNING");
    assert_contains(out, "1/1");
    free(out);
    CTL_OK(env, url, &out, "get", "connectors", "-o", "yaml");
    assert_contains(out, "state: RUNNING");
    free(out);

    /* describe: the secret hidden, in both outputs */
    CTL_OK(env, url, &out, "describe", "connector", sink);
    assert_contains(out, "Config:");
    assert_contains(out, "[hidden]");
    assert_contains(out, "Tasks:");
    assert_null(strstr(out, "s3cret-value"));
    free(out);
    json_t *described = ctl_json(env, url, "describe", "connector", sink, NULL);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(described, "info"), "config"),
                            "db.password")),
                        "[hidden]");
    json_decref(described);
    CTL_OK(env, url, &out, "get", "tasks", source);
    assert_contains(out, "RUNNING");
    free(out);

    /* 404 */
    assert_int_equal(ctl_run(env, url, NULL, "describe", "connector", "no-such-connector", NULL),
                     2);
    assert_int_equal(ctl_run(env, url, NULL, "delete", "no-such-connector", NULL), 2);
    assert_int_equal(ctl_run(env, url, NULL, "pause", "no-such-connector", NULL), 2);

    /* validation errors: --dry-run prints them next to their key; apply is refused */
    const char *bad = fp_write(env, "bad.json", "{\"name\":\"bad\",\"connector.class\":"
                                                "\"SequenceSource\",\"partitions\":\"many\"}");
    assert_int_equal(ctl_run(env, url, &out, "apply", "--dry-run", "-f", bad, NULL), 4);
    assert_contains(out, "KEY");
    assert_contains(out, "partitions");
    assert_contains(out, "topic");
    free(out);
    assert_int_equal(ctl_run(env, url, NULL, "apply", "-f", bad, NULL), 4);
    CTL_OK(env, url, &out, "apply", "--dry-run", "-f", source_file);
    assert_contains(out, "0 errors");
    free(out);
    /* usage errors */
    assert_int_equal(ctl_run(env, url, NULL, "apply", NULL), 1);
    assert_int_equal(ctl_run(env, url, NULL, "get", "things", NULL), 1);
    assert_int_equal(ctl_run(env, url, NULL, "get", "--output", "xml", "connectors", NULL), 1);
    /* unreachable */
    assert_int_equal(ctl_run(env, "http://127.0.0.1:1", NULL, "get", "connectors", NULL), 5);

    /* patch, lifecycle, restarts */
    CTL_OK(env, url, &out, "patch", source, "batch.size=5", "--unset", "interval.ms");
    assert_contains(out, "patched");
    free(out);
    CTL_OK(env, url, &out, "pause", source);
    free(out);
    wait_running(env, url, source, "PAUSED");
    CTL_OK(env, url, &out, "resume", source);
    free(out);
    wait_running(env, url, source, "RUNNING");
    CTL_OK(env, url, &out, "restart", source, "--include-tasks");
    assert_contains(out, "restarting");
    free(out);
    wait_running(env, url, source, "RUNNING");
    CTL_OK(env, url, &out, "restart", source, "--task", "0");
    free(out);
    CTL_OK(env, url, &out, "restart", sink, "--include-tasks", "--only-failed");
    free(out);

    /* loggers */
    CTL_OK(env, url, &out, "get", "loggers");
    assert_contains(out, "root");
    free(out);
    CTL_OK(env, url, &out, "logs", "level", "rest", "DEBUG");
    assert_contains(out, "DEBUG");
    free(out);
    CTL_OK(env, url, &out, "logs", "level", "rest");
    assert_contains(out, "DEBUG");
    free(out);
    assert_int_equal(ctl_run(env, url, NULL, "logs", "level", "rest", "LOUD", NULL), 2);

    /* offsets: read, write back, reset (stopped first) */
    CTL_OK(env, url, &out, "stop", source);
    free(out);
    wait_running(env, url, source, "STOPPED");
    json_t *offsets = ctl_json(env, url, "get", "offsets", source, NULL);
    assert_true(json_array_size(json_object_get(offsets, "offsets")) > 0);
    assert_int_equal(json_dump_file(offsets, fp_path(env, "offsets.json"), 0), 0);
    json_decref(offsets);
    CTL_OK(env, url, &out, "get", "offsets", source);
    assert_contains(out, "PARTITION");
    free(out);
    CTL_OK(env, url, &out, "offsets", "alter", source, "-f", fp_path(env, "offsets.json"));
    assert_contains(out, "altered");
    free(out);
    CTL_OK(env, url, &out, "offsets", "reset", source);
    assert_contains(out, "reset");
    free(out);
    offsets = ctl_json(env, url, "get", "offsets", source, NULL);
    assert_int_equal(json_array_size(json_object_get(offsets, "offsets")), 0);
    json_decref(offsets);

    /* contexts: the file is private, a context replaces FERRY_URL */
    CTL_OK(env, NULL, &out, "config", "set-context", "local", "--url", url);
    free(out);
    CTL_OK(env, NULL, &out, "config", "set-context", "nowhere", "--url", "http://127.0.0.1:1");
    free(out);
    struct stat info;
    assert_int_equal(stat(fp_path(env, "xdg/ferry/ctl.json"), &info), 0);
    assert_int_equal(info.st_mode & 0777, 0600);
    CTL_OK(env, NULL, &out, "config", "get-contexts");
    assert_contains(out, "local");
    free(out);
    CTL_OK(env, NULL, &out, "get", "connectors");
    assert_contains(out, sink);
    free(out);
    CTL_OK(env, NULL, &out, "config", "use-context", "nowhere");
    free(out);
    assert_int_equal(ctl_run(env, NULL, NULL, "get", "connectors", NULL), 5);
    CTL_OK(env, NULL, &out, "--context", "local", "get", "connectors");
    free(out);
    assert_int_equal(ctl_run(env, NULL, NULL, "config", "use-context", "missing", NULL), 2);

    /* completion scripts that the shells accept */
    CTL_OK(env, url, &out, "completion", "bash");
    FILE *script = fopen(fp_path(env, "completion.bash"), "w");
    fputs(out, script);
    fclose(script);
    free(out);
    char command[1024];
    snprintf(command, sizeof(command), "bash -c 'source %s && complete -p ferry' >/dev/null",
             fp_path(env, "completion.bash"));
    assert_int_equal(system(command), 0);
    CTL_OK(env, url, &out, "completion", "zsh");
    assert_contains(out, "compdef _ferry ferry");
    free(out);
    CTL_OK(env, url, &out, "--help");
    assert_contains(out, "exit status");
    free(out);
    CTL_OK(env, url, &out, "apply", "--help");
    assert_contains(out, "--dry-run");
    free(out);

    /* delete */
    CTL_OK(env, url, &out, "delete", source);
    assert_contains(out, "deleted");
    free(out);
    CTL_OK(env, url, &out, "delete", sink);
    free(out);
    json_t *none = ctl_json(env, url, "get", "connectors", NULL);
    assert_int_equal(json_object_size(none), 0);
    json_decref(none);

    fp_stop(proc, 30000);
    fp_pass(env);
}

/* ---- /metrics: Kafka Connect's names -------------------------------------------------------- */

/* Dashboard names ferry does not offer, each for a reason docs/metrics.md gives. */
static const char *const not_offered[] = {
    "jvm_",                                                      /* no JVM */
    "kafka_connect_connect_metrics_",                            /* the Java group client's */
    "kafka_connect_connect_worker_metrics_connector_startup_",  /* not counted */
    "kafka_connect_connect_worker_metrics_task_startup_",       /* not counted */
    "kafka_connect_task_error_metrics_total_errors_logged",     /* not counted */
    "kafka_connect_task_error_metrics_deadletterqueue_produce_failures", /* not counted */
    "kafka_connect_connect_worker_rebalance_metrics_",          /* distributed workers only */
};

static bool is_offered(const char *name)
{
    for (size_t i = 0; i < sizeof(not_offered) / sizeof(not_offered[0]); i++)
        if (strncmp(name, not_offered[i], strlen(not_offered[i])) == 0)
            return false;
    return true;
}

/* The value of the sample `name{labels...}` whose label text contains every needle given. */
static bool sample_value(const char *metrics, const char *name, const char *label1,
                         const char *label2, double *value)
{
    size_t len = strlen(name);
    for (const char *line = metrics; *line;) {
        const char *end = strchr(line, '\n');
        size_t line_len = end ? (size_t)(end - line) : strlen(line);
        if (strncmp(line, name, len) == 0 && (line[len] == '{' || line[len] == ' ')) {
            char *copy = strndup(line, line_len);
            char *space = strrchr(copy, ' ');
            bool match = space && (!label1 || strstr(copy, label1)) &&
                         (!label2 || strstr(copy, label2));
            if (match) {
                *value = strtod(space + 1, NULL);
                free(copy);
                return true;
            }
            free(copy);
        }
        line += line_len + (end != NULL);
    }
    return false;
}

/* Every name a dashboard query reads: identifiers followed by '{' or '('-less selectors. */
static void dashboard_names(const char *path, char names[][128], size_t *count, size_t max)
{
    json_error_t error;
    json_t *dashboard = json_load_file(path, 0, &error);
    assert_non_null(dashboard);
    regex_t pattern;
    assert_int_equal(regcomp(&pattern, "[a-z_][a-z0-9_]*\\{", REG_EXTENDED), 0);
    json_t *stack = json_array();
    json_array_append(stack, dashboard);
    while (json_array_size(stack) > 0) {
        json_t *node = json_incref(json_array_get(stack, json_array_size(stack) - 1));
        json_array_remove(stack, json_array_size(stack) - 1);
        const char *key;
        json_t *child;
        size_t i;
        if (json_is_object(node)) {
            json_object_foreach(node, key, child) {
                const char *expr = json_string_value(child);
                if (expr && (strcmp(key, "expr") == 0 || strcmp(key, "query") == 0)) {
                    regmatch_t match;
                    for (const char *at = expr; regexec(&pattern, at, 1, &match, 0) == 0;
                         at += match.rm_eo) {
                        char name[128];
                        int len = (int)(match.rm_eo - match.rm_so - 1);
                        snprintf(name, sizeof(name), "%.*s", len, at + match.rm_so);
                        bool known = false;
                        for (size_t n = 0; n < *count; n++)
                            known |= strcmp(names[n], name) == 0;
                        if (!known && *count < max)
                            snprintf(names[(*count)++], 128, "%s", name);
                    }
                } else if (json_is_object(child) || json_is_array(child)) {
                    json_array_append(stack, child);
                }
            }
        } else if (json_is_array(node)) {
            json_array_foreach(node, i, child)
                json_array_append(stack, child);
        }
        json_decref(node);
    }
    regfree(&pattern);
    json_decref(stack);
    json_decref(dashboard);
}

/* The rule file's "name:" templates as regular expressions ($N: any name part). */
static size_t rule_patterns(const char *path, regex_t *patterns, size_t max)
{
    size_t len = 0, count = 0;
    char *text = fp_read_file(path, &len);
    assert_non_null(text);
    for (char *line = strtok(text, "\n"); line && count < max; line = strtok(NULL, "\n")) {
        char *name = strstr(line, "name:");
        if (!name || strncmp(line, "    name:", 9) != 0)
            continue;
        name += 5;
        while (*name == ' ' || *name == '"')
            name++;
        char regex[256] = "^";
        size_t at = 1;
        for (const char *c = name; *c && *c != '"' && at < sizeof(regex) - 16; c++) {
            if (*c == '$' && c[1] >= '0' && c[1] <= '9') {
                at += (size_t)snprintf(regex + at, sizeof(regex) - at, "[a-z0-9_]+");
                while (c[1] >= '0' && c[1] <= '9')
                    c++;
            } else {
                regex[at++] = *c;
            }
        }
        regex[at++] = '$';
        regex[at] = '\0';
        if (regcomp(&patterns[count], regex, REG_EXTENDED | REG_NOSUB) == 0)
            count++;
    }
    free(text);
    return count;
}

static void test_metrics_kafka_connect_names(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("ctl_metrics");
    char url[64];
    fp_proc *proc = start_worker(env, url, sizeof(url));
    const char *topic = fp_name(env, "metrics");
    kt_create_topic(topic, 1, NULL);
    const char *source = fp_name(env, "metrics-source");
    const char *sink = fp_name(env, "metrics-sink");
    rc_client *client = rc_new(url);
    char body[1024];
    snprintf(body, sizeof(body), "{\"connector.class\":\"SequenceSource\",\"topic\":\"%s\","
             "\"partitions\":\"1\",\"count\":\"200\",\"batch.size\":\"20\"}", topic);
    char path[256];
    snprintf(path, sizeof(path), "/connectors/%s/config", source);
    json_decref(rc_expect(client, "PUT", path, body, 201));
    snprintf(body, sizeof(body), "{\"connector.class\":\"NullSink\",\"topics\":\"%s\"}", topic);
    snprintf(path, sizeof(path), "/connectors/%s/config", sink);
    json_decref(rc_expect(client, "PUT", path, body, 201));

    /* Until the sink has put every record the source wrote. */
    char source_label[256], sink_label[256];
    snprintf(source_label, sizeof(source_label), "connector=\"%s\"", source);
    snprintf(sink_label, sizeof(sink_label), "connector=\"%s\"", sink);
    rc_response response = {0};
    int64_t deadline = fp_now_ms() + 60000;
    double put = 0;
    while (fp_now_ms() < deadline) {
        rc_response_clear(&response);
        assert_int_equal(rc_call(client, "GET", "/metrics", NULL, &response), 200);
        if (sample_value(response.body, "ferry_sink_task_records_put_total", sink_label, NULL,
                         &put) && put >= 200)
            break;
        fp_sleep_ms(250);
    }
    assert_true(put >= 200);
    const char *metrics = response.body;

    /* Every name of the dashboard, with the labels its queries select by. */
    char names[128][128];
    size_t count = 0;
    dashboard_names(FERRY_FIXTURES "/metrics/kafka-connect-cluster.json", names, &count, 128);
    assert_true(count > 30);
    size_t checked = 0;
    for (size_t i = 0; i < count; i++) {
        if (!is_offered(names[i]))
            continue;
        double value;
        bool task_level = strstr(names[i], "task_metrics") || strstr(names[i], "task_error");
        bool sink_only = strstr(names[i], "_sink_task_") != NULL;
        const char *label = sink_only ? sink_label : source_label;
        bool found;
        if (strcmp(names[i], "kafka_connect_app") == 0 ||
            strcmp(names[i], "process_cpu_seconds_total") == 0)
            found = sample_value(metrics, names[i], NULL, NULL, &value);
        else if (strcmp(names[i], "kafka_connect_connect_worker_metrics_connector_count") == 0 ||
                 strcmp(names[i], "kafka_connect_connect_worker_metrics_task_count") == 0)
            /* The worker's totals: the rule labels them connector="aggregate". */
            found = sample_value(metrics, names[i], "connector=\"aggregate\"", NULL, &value);
        else
            found = sample_value(metrics, names[i], label, task_level ? "task=\"0\"" : NULL,
                                 &value);
        if (!found)
            fail_msg("/metrics has no %s{%s%s}", names[i], label, task_level ? ",task=\"0\"" : "");
        checked++;
    }
    assert_true(checked > 25);

    /* Every kafka_connect_ name ferry writes is one the rule file produces (or, for
     * kafka_connect_app, the one the dashboard reads). */
    regex_t patterns[64];
    size_t rules = rule_patterns(FERRY_FIXTURES "/metrics/kafka_connect.yml", patterns, 64);
    assert_true(rules > 5);
    for (const char *line = metrics; *line;) {
        size_t len = strcspn(line, "{ \n");
        if (strncmp(line, "kafka_connect_", 14) == 0) {
            char *name = strndup(line, len);
            bool produced = false;
            for (size_t r = 0; r < rules && !produced; r++)
                produced = regexec(&patterns[r], name, 0, NULL, 0) == 0;
            for (size_t n = 0; n < count && !produced; n++)
                produced = strcmp(names[n], name) == 0;
            if (!produced)
                fail_msg("%s is a name neither the rule file gives nor the dashboard reads",
                         name);
            free(name);
        }
        const char *end = strchr(line, '\n');
        line = end ? end + 1 : line + strlen(line);
    }
    for (size_t r = 0; r < rules; r++)
        regfree(&patterns[r]);

    /* ferry's own dashboard (config/) reads families /metrics has (a cluster's only on one). */
    char own[64][128];
    size_t own_count = 0;
    dashboard_names(FERRY_FIXTURES "/../../config/grafana-ferry.json", own, &own_count, 64);
    assert_true(own_count > 10);
    for (size_t i = 0; i < own_count; i++) {
        if (strncmp(own[i], "ferry_cluster_", 14) == 0)
            continue;
        char family[160];
        snprintf(family, sizeof(family), "# TYPE %s", own[i]);
        size_t len = strlen(family);
        static const char *const parts[] = {"_sum", "_count"};
        for (size_t p = 0; p < 2; p++)
            if (len > strlen(parts[p]) && strcmp(family + len - strlen(parts[p]), parts[p]) == 0)
                family[len - strlen(parts[p])] = '\0';
        if (!strstr(metrics, family))
            fail_msg("config/grafana-ferry.json reads %s, not on /metrics", own[i]);
    }

    /* Values agree with ferry's own names. */
    static const struct {
        const char *connect, *ferry;
        bool sink;
    } same[] = {
        {"kafka_connect_source_task_metrics_source_record_poll_total",
         "ferry_source_task_records_polled_total", false},
        {"kafka_connect_source_task_metrics_source_record_write_total",
         "ferry_source_task_records_written_total", false},
        {"kafka_connect_sink_task_metrics_sink_record_read_total",
         "ferry_sink_task_records_read_total", true},
        {"kafka_connect_sink_task_metrics_sink_record_send_total",
         "ferry_sink_task_records_put_total", true},
        {"kafka_connect_sink_task_metrics_offset_commit_completion_total",
         "ferry_task_offset_commit_success_total", true},
        {"kafka_connect_task_error_metrics_total_record_errors", "ferry_task_record_errors_total",
         false},
        {"kafka_connect_task_error_metrics_total_retries", "ferry_task_retries_total", true},
        {"kafka_connect_connector_task_metrics_batch_size_max",
         "ferry_source_task_poll_batch_records_max", false},
        {"kafka_connect_connector_task_metrics_batch_size_max",
         "ferry_sink_task_put_batch_records_max", true},
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        double connect = -1, ferry = -2;
        const char *label = same[i].sink ? sink_label : source_label;
        assert_true(sample_value(metrics, same[i].connect, label, "task=\"0\"", &connect));
        assert_true(sample_value(metrics, same[i].ferry, label, "task=\"0\"", &ferry));
        if (connect != ferry)
            fail_msg("%s = %g but %s = %g", same[i].connect, connect, same[i].ferry, ferry);
    }
    double value = 0;
    assert_true(sample_value(metrics, "kafka_connect_source_task_metrics_source_record_poll_total",
                             source_label, NULL, &value));
    assert_true(value >= 200);
    assert_true(sample_value(metrics, "kafka_connect_connector_metrics", source_label,
                             "status=\"running\"", &value));
    assert_true(sample_value(metrics, "kafka_connect_connector_metrics", sink_label,
                             "connector_type=\"sink\"", &value));
    assert_true(sample_value(metrics, "kafka_connect_connect_worker_metrics_connector_running_task_count",
                             sink_label, NULL, &value));
    assert_true(value == 1);
    assert_true(sample_value(metrics, "kafka_connect_connect_worker_metrics_connector_count",
                             "connector=\"aggregate\"", NULL, &value));
    assert_true(value == 2);

    rc_response_clear(&response);
    rc_free(client);
    fp_stop(proc, 30000);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_ctl_commands, fp_env_teardown),
        cmocka_unit_test_teardown(test_metrics_kafka_connect_names, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
