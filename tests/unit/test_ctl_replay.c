/*
 * test_ctl_replay.c - `ferry ctl` against Kafka Connect 3.9.2's own REST answers: a small HTTP
 * server (ferry's own, on 127.0.0.1) serves what tests/compat/ctl/record.sh recorded from the
 * real Kafka Connect, by method and request target, and the test runs `ferry ctl` commands
 * against it, checking their tables, their JSON and their exit codes. No Kafka Connect runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "rest/http_server.h"

#define REPLAY_MAX 64

typedef struct replay_answer {
    char method[16];
    char target[256];
    unsigned status;
    char content_type[128];
    char location[256];
    char *body;
} replay_answer;

typedef struct replay_server {
    http_server *server;
    char url[64];
    replay_answer answers[REPLAY_MAX];
    size_t count;
    pthread_mutex_t mutex;
    char unanswered[8][320]; /* requests no answer was recorded for */
    size_t unanswered_count;
} replay_server;

static replay_server *replay;

/* All of a stream, NUL-terminated (malloc'd); the stream is closed. */
static char *stream_slurp(FILE *in)
{
    char *text = NULL;
    size_t len = 0;
    FILE *copy = open_memstream(&text, &len);
    assert_non_null(copy);
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof(buffer), in)) > 0)
        fwrite(buffer, 1, got, copy);
    fclose(copy);
    return text;
}

static char *replay_read(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        fail_msg("cannot read %s", path);
    char *text = stream_slurp(file);
    fclose(file);
    return text;
}

/* One answers/<name>.http: "HTTP/1.1 NNN ...", headers, an empty line, the body. */
static void replay_add(replay_server *server, const char *method, const char *target,
                       const char *file)
{
    assert_true(server->count < REPLAY_MAX);
    replay_answer *answer = &server->answers[server->count++];
    snprintf(answer->method, sizeof(answer->method), "%s", method);
    snprintf(answer->target, sizeof(answer->target), "%s", target);
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", FERRY_CTL_ANSWERS, file);
    char *text = replay_read(path);
    assert_int_equal(sscanf(text, "HTTP/%*s %u", &answer->status), 1);
    char *body = strstr(text, "\n\n");
    if (!body)
        fail_msg("%s: no empty line after the headers", path);
    *body = '\0';
    for (char *line = strchr(text, '\n'); line && *line; line = strchr(line, '\n')) {
        line++;
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (strncasecmp(line, "Content-Type: ", 14) == 0)
            snprintf(answer->content_type, sizeof(answer->content_type), "%.*s",
                     (int)(len - 14), line + 14);
        else if (strncasecmp(line, "Location: ", 10) == 0)
            snprintf(answer->location, sizeof(answer->location), "%.*s", (int)(len - 10),
                     line + 10);
    }
    answer->body = strdup(body + 2);
    assert_non_null(answer->body);
    free(text);
}

static void replay_request(void *context, http_exchange *exchange)
{
    replay_server *server = context;
    const char *method = http_exchange_method(exchange);
    const char *query = http_exchange_query(exchange);
    char target[300];
    snprintf(target, sizeof(target), "%s%s%s", http_exchange_path(exchange), query[0] ? "?" : "",
             query);
    for (size_t i = 0; i < server->count; i++) {
        const replay_answer *answer = &server->answers[i];
        if (strcmp(answer->method, method) != 0 || strcmp(answer->target, target) != 0)
            continue;
        http_header location = {"Location", answer->location};
        http_exchange_respond(exchange, answer->status,
                              answer->content_type[0] ? answer->content_type : NULL, &location,
                              answer->location[0] ? 1 : 0, answer->body, strlen(answer->body));
        return;
    }
    pthread_mutex_lock(&server->mutex);
    if (server->unanswered_count < 8)
        snprintf(server->unanswered[server->unanswered_count++], 320, "%.15s %s", method, target);
    pthread_mutex_unlock(&server->mutex);
    static const char missing[] = "no answer recorded for this request";
    http_exchange_respond(exchange, 599, "text/plain", NULL, 0, missing, sizeof(missing) - 1);
}

static int replay_setup(void **state)
{
    (void)state;
    replay = calloc(1, sizeof(*replay));
    assert_non_null(replay);
    pthread_mutex_init(&replay->mutex, NULL);
    char path[1024];
    snprintf(path, sizeof(path), "%s/index.tsv", FERRY_CTL_ANSWERS);
    char *index = replay_read(path);
    char *save = NULL;
    for (char *line = strtok_r(index, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char method[16], target[256], file[128];
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%15[^\t]\t%255[^\t]\t%127s", method, target, file) != 3)
            fail_msg("index.tsv: a line is not METHOD, TARGET and FILE: %s", line);
        replay_add(replay, method, target, file);
    }
    free(index);
    /* Kafka Connect answers a restart 409 during a rebalance, which cannot be brought about on
     * purpose; its 409 answer (to a create of a name that exists) stands in for it. */
    replay_add(replay, "POST",
               "/connectors/ctl-file-sink/restart?includeTasks=false&onlyFailed=false",
               "conflict-create.http");

    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    http_listen listen_at = {"the replay", (struct sockaddr *)&address, sizeof(address), false};
    http_server_config config = {
        .listeners = &listen_at, .listener_count = 1, .max_body = 1024 * 1024,
        .drain_max = 1024 * 1024, .threads = 1, .max_connections = 64, .max_per_address = 64,
        .head_timeout_ms = 10000, .body_timeout_ms = 10000, .idle_timeout_ms = 10000,
        .write_timeout_ms = 10000,
    };
    http_handler handler = {.context = replay, .request = replay_request};
    char err[256];
    replay->server = http_server_start(&config, &handler, err, sizeof(err));
    if (!replay->server)
        fail_msg("the replay server cannot listen: %s", err);
    snprintf(replay->url, sizeof(replay->url), "http://127.0.0.1:%d",
             http_server_port(replay->server, 0));
    return 0;
}

static int replay_teardown(void **state)
{
    (void)state;
    http_server_stop(replay->server);
    for (size_t i = 0; i < replay->count; i++)
        free(replay->answers[i].body);
    pthread_mutex_destroy(&replay->mutex);
    free(replay);
    replay = NULL;
    return 0;
}

typedef struct ctl_outcome {
    int status;
    char *out;
    char *err;
} ctl_outcome;

static void ctl_outcome_clear(ctl_outcome *outcome)
{
    free(outcome->out);
    free(outcome->err);
    memset(outcome, 0, sizeof(*outcome));
}

static char *read_fd(int fd)
{
    lseek(fd, 0, SEEK_SET);
    FILE *in = fdopen(fd, "r");
    assert_non_null(in);
    char *text = stream_slurp(in);
    fclose(in);
    return text;
}

/* Runs `ferry ctl --url REPLAY ARGS...` (NULL-terminated), stdout and stderr kept. */
static ctl_outcome ctl_run(const char *first, ...)
{
    const char *argv[32] = {FERRY_BINARY, "ctl", "--url", replay->url};
    int argc = 4;
    va_list ap;
    va_start(ap, first);
    for (const char *arg = first; arg && argc < 31; arg = va_arg(ap, const char *))
        argv[argc++] = arg;
    va_end(ap);
    argv[argc] = NULL;
    char out_path[] = "/tmp/ctl_replay_outXXXXXX";
    char err_path[] = "/tmp/ctl_replay_errXXXXXX";
    int out_fd = mkstemp(out_path);
    int err_fd = mkstemp(err_path);
    assert_true(out_fd >= 0 && err_fd >= 0);
    unlink(out_path);
    unlink(err_path);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
            _exit(99);
        setenv("NO_COLOR", "1", 1);
        setenv("XDG_CONFIG_HOME", "/nonexistent-ferry-ctl-replay", 1);
        unsetenv("FERRY_URL");
        execv(FERRY_BINARY, (char *const *)argv);
        _exit(98);
    }
    int status = 0;
    assert_true(waitpid(pid, &status, 0) == pid);
    assert_true(WIFEXITED(status));
    ctl_outcome outcome = {WEXITSTATUS(status), read_fd(out_fd), read_fd(err_fd)};
    return outcome;
}

static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected '%s' in:\n%s", needle, text);
}

/* Runs `ferry ctl` with the words of args (split at spaces), expects the exit status and
 * each of the "|"-separated texts in its stdout (out) and stderr (err); either may be NULL. */
static ctl_outcome ctl_run_words(const char *args)
{
    char words[512];
    snprintf(words, sizeof(words), "%s", args);
    const char *argv[16] = {NULL};
    size_t count = 0;
    char *save = NULL;
    for (char *word = strtok_r(words, " ", &save); word && count < 15;
         word = strtok_r(NULL, " ", &save))
        argv[count++] = word;
    return ctl_run(argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7],
                   argv[8], argv[9], argv[10], argv[11], argv[12], argv[13], argv[14], NULL);
}

static void ctl_check(const char *args, int status, const char *out, const char *err)
{
    char *save = NULL;
    ctl_outcome run = ctl_run_words(args);
    if (run.status != status)
        fail_msg("ferry ctl %s: exit status %d, not %d:\n%s%s", args, run.status, status, run.out,
                 run.err);
    const char *expected[2] = {out, err};
    const char *texts[2] = {run.out, run.err};
    for (int i = 0; i < 2; i++) {
        char needles[512];
        snprintf(needles, sizeof(needles), "%s", expected[i] ? expected[i] : "");
        for (char *needle = strtok_r(needles, "|", &save); needle;
             needle = strtok_r(NULL, "|", &save))
            assert_contains(texts[i], needle);
    }
    assert_null(strstr(run.out, "s3cret-value"));
    ctl_outcome_clear(&run);
}

/* The outcome's stdout as JSON (the command must have succeeded). */
static json_t *outcome_json(const ctl_outcome *outcome)
{
    if (outcome->status != 0)
        fail_msg("exit status %d: %s", outcome->status, outcome->err);
    json_error_t error;
    json_t *value = json_loads(outcome->out, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("not JSON (%s): %s", error.text, outcome->out);
    return value;
}

/* `ferry ctl ARGS -o json` (args split at spaces): its answer, which must hold no secret. */
static json_t *ctl_json(const char *args)
{
    char words[512];
    snprintf(words, sizeof(words), "%s -o json", args);
    ctl_outcome run = ctl_run_words(words);
    json_t *value = outcome_json(&run);
    assert_null(strstr(run.out, "s3cret-value"));
    ctl_outcome_clear(&run);
    return value;
}

static void assert_all_answered(void)
{
    pthread_mutex_lock(&replay->mutex);
    size_t count = replay->unanswered_count;
    pthread_mutex_unlock(&replay->mutex);
    if (count > 0)
        fail_msg("ferry ctl asked what Kafka Connect was not asked: %s%s", replay->unanswered[0],
                 count > 1 ? " (and more)" : "");
}

static void test_get_connectors(void **state)
{
    (void)state;
    ctl_outcome run = ctl_run("get", "connectors", NULL);
    assert_int_equal(run.status, 0);
    assert_contains(run.out, "NAME");
    assert_contains(run.out, "ctl-file-source");
    assert_contains(run.out, "org.apache.kafka.connect.file.FileStreamSinkConnector");
    /* the failing connector runs, its one task does not */
    char *failing = strstr(run.out, "ctl-failing");
    assert_non_null(failing);
    assert_non_null(strstr(failing, "RUNNING"));
    assert_non_null(strstr(failing, "0/1"));
    char *source = strstr(run.out, "ctl-file-source");
    assert_non_null(strstr(source, "1/1"));
    assert_null(strstr(run.out, "s3cret-value"));
    ctl_outcome_clear(&run);

    json_t *all = ctl_json("get connectors");
    assert_int_equal(json_object_size(all), 3);
    json_t *sink = json_object_get(all, "ctl-file-sink");
    assert_string_equal(json_string_value(json_object_get(json_object_get(sink, "info"), "type")),
                        "sink");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(sink, "info"), "config"),
                            "archive.sftp.password")),
                        "[hidden]");
    json_t *task = json_array_get(
        json_object_get(json_object_get(json_object_get(all, "ctl-failing"), "status"), "tasks"),
        0);
    assert_string_equal(json_string_value(json_object_get(task, "state")), "FAILED");
    assert_non_null(strstr(json_string_value(json_object_get(task, "trace")),
                           "Couldn't find or create file"));
    json_decref(all);

    ctl_check("get connectors -o yaml", 0, "state: FAILED|archive.sftp.password: \"[hidden]\"",
              NULL);

    ctl_check("get tasks ctl-failing", 0, "FAILED|127.0.0.1:18398", NULL);
    assert_all_answered();
}

static void test_describe_connector(void **state)
{
    (void)state;
    ctl_check("describe connector ctl-file-sink", 0,
              "Config:|[hidden]|Tasks:|ctlrec-lines|kafka_offset",
              NULL);

    ctl_check("describe connector ctl-failing", 0,
              "FAILED|Couldn't find or create file|NoSuchFileException",
              NULL);

    json_t *described = ctl_json("describe connector ctl-file-source");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(described, "info"), "type")), "source");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(described, "status"), "connector"),
                            "state")),
                        "RUNNING");
    assert_string_equal(json_string_value(json_array_get(json_object_get(described, "topics"), 0)),
                        "ctlrec-lines");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(described, "offsets"), "offsets")), 1);
    json_decref(described);
    assert_all_answered();
}

static void test_get_offsets_and_plugins(void **state)
{
    (void)state;
    ctl_check("get offsets ctl-file-source", 0, "PARTITION|/tmp/ctl-record/run/input.txt|34", NULL);

    json_t *offsets = ctl_json("get offsets ctl-file-sink");
    json_t *first = json_array_get(json_object_get(offsets, "offsets"), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(first, "offset"),
                                                        "kafka_offset")),
                     3);
    json_decref(offsets);

    ctl_check("get plugins", 0,
              "CLASS|org.apache.kafka.connect.file.FileStreamSourceConnector"
              "|org.apache.kafka.connect.transforms.InsertField$Value|3.9.2",
              NULL);

    json_t *plugins = ctl_json("get plugins");
    assert_true(json_array_size(plugins) > 10);
    json_decref(plugins);
    assert_all_answered();
}

static void test_logs_level(void **state)
{
    (void)state;
    ctl_check("logs level", 0, "LOGGER|root|org.apache.kafka.connect.file.FileStreamSinkTask|DEBUG",
              NULL);

    ctl_check("logs level org.apache.kafka.connect.runtime.Worker", 0,
              "org.apache.kafka.connect.runtime.Worker INFO (last modified: never)",
              NULL);

    /* Kafka Connect knows the loggers of classes, not of packages */
    ctl_check("logs level org.apache.kafka.connect", 2, NULL,
              "Logger org.apache.kafka.connect not found.");

    ctl_check("logs level org.apache.kafka.connect.file DEBUG", 0,
              "logger org.apache.kafka.connect.file set to DEBUG (5 loggers)",
              NULL);

    json_t *loggers = ctl_json("get loggers");
    assert_true(json_is_object(json_object_get(loggers, "root")));
    json_decref(loggers);
    assert_all_answered();
}

static void test_errors(void **state)
{
    (void)state;
    char file[] = "/tmp/ctl_replay_applyXXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    static const char invalid[] =
        "{\"name\":\"ctl-invalid\",\"config\":{\"connector.class\":"
        "\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"tasks.max\":\"none\"}}\n";
    assert_int_equal(write(fd, invalid, sizeof(invalid) - 1), (ssize_t)(sizeof(invalid) - 1));
    close(fd);

    /* validation errors: each next to its key, exit status 4 */
    ctl_outcome run = ctl_run("apply", "-f", file, "--dry-run", NULL);
    assert_int_equal(run.status, 4);
    assert_contains(run.out, "KEY");
    assert_contains(run.out, "tasks.max");
    assert_contains(run.out, "Not a number of type INT");
    assert_contains(run.out, "Must configure one of topics or topics.regex");
    assert_contains(run.out, "ctl-invalid: 4 errors");
    ctl_outcome_clear(&run);
    run = ctl_run("apply", "-f", file, "--dry-run", "-o", "json", NULL);
    assert_int_equal(run.status, 4);
    json_error_t error;
    json_t *validated = json_loads(run.out, 0, &error);
    assert_non_null(validated);
    assert_int_equal(json_integer_value(json_object_get(validated, "error_count")), 4);
    json_decref(validated);
    ctl_outcome_clear(&run);

    /* 409: a create of a name that exists, and a restart refused */
    static const char exists[] =
        "{\"name\":\"ctl-file-sink\",\"config\":{\"connector.class\":"
        "\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"topics\":\"t\"}}\n";
    fd = open(file, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, exists, sizeof(exists) - 1), (ssize_t)(sizeof(exists) - 1));
    close(fd);
    run = ctl_run("create", "-f", file, NULL);
    assert_int_equal(run.status, 3);
    assert_contains(run.err, "Connector ctl-file-sink already exists");
    ctl_outcome_clear(&run);
    unlink(file);
    ctl_check("restart ctl-file-sink", 3, NULL, "409");

    /* 404 */
    ctl_check("delete ctl-missing", 2, NULL, "Connector ctl-missing not found");
    run = ctl_run("describe", "connector", "ctl-missing", NULL);
    assert_int_equal(run.status, 2);
    ctl_outcome_clear(&run);

    /* 400: offsets of a running connector */
    ctl_check("offsets reset ctl-file-source", 4, NULL, "STOPPED state");

    /* 202: the restart's status */
    ctl_check("restart ctl-failing --include-tasks --only-failed", 0, "RESTARTING", NULL);
    assert_all_answered();
}

/* `ferry ctl completion SHELL` written to a file named in path; returns path. */
static const char *completion_script(const char *shell, char *path, size_t len)
{
    ctl_outcome run = ctl_run("completion", shell, NULL);
    assert_int_equal(run.status, 0);
    snprintf(path, len, "/tmp/ctl_replay_%s_%ld", shell, (long)getpid());
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(run.out, file);
    fclose(file);
    ctl_outcome_clear(&run);
    return path;
}

/* Runs a shell command line with `ferry` first on the PATH and FERRY_URL at the replay; its
 * stdout and exit status. */
static char *shell_output(const char *command, int *status)
{
    char path[2048], dir[1024];
    snprintf(dir, sizeof(dir), "%s", FERRY_BINARY);
    *strrchr(dir, '/') = '\0';
    snprintf(path, sizeof(path), "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", path, 1);
    setenv("FERRY_URL", replay->url, 1);
    setenv("NO_COLOR", "1", 1);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    char *text = stream_slurp(pipe);
    *status = pclose(pipe);
    unsetenv("FERRY_URL");
    return text;
}

/* bash: the completion function, called as complete -F calls it, completes commands, nouns and
 * the connector names the target has. */
static void test_completion_bash(void **state)
{
    (void)state;
    char script[256], command[1024];
    completion_script("bash", script, sizeof(script));
    snprintf(command, sizeof(command),
             "bash --norc --noprofile -c 'source %s || exit 1; complete -p ferry || exit 1\n"
             "COMP_WORDS=(ferry ctl ge); COMP_CWORD=2; _ferry_ctl; echo \"1: ${COMPREPLY[*]}\"\n"
             "COMP_WORDS=(ferry ctl get \"\"); COMP_CWORD=3; _ferry_ctl;"
             " echo \"2: ${COMPREPLY[*]}\"\n"
             "COMP_WORDS=(ferry ctl describe connector ctl-f); COMP_CWORD=4; _ferry_ctl;"
             " echo \"3: ${COMPREPLY[*]}\"'",
             script);
    int status = 0;
    char *out = shell_output(command, &status);
    unlink(script);
    assert_int_equal(status, 0);
    assert_contains(out, "complete -o default -F _ferry_ctl ferry");
    assert_contains(out, "1: get\n");
    assert_contains(out, "2: connectors plugins offsets tasks loggers\n");
    char *names = strstr(out, "3: ");
    assert_non_null(names);
    assert_contains(names, "ctl-file-source");
    assert_contains(names, "ctl-file-sink");
    assert_contains(names, "ctl-failing");
    free(out);
}

/* zsh: the script parses (zsh -n), registers _ferry with compinit's compdef, and _ferry offers
 * commands, nouns and the target's connector names (the completion system's helpers it calls
 * replaced by ones that print what they were given). */
static void test_completion_zsh(void **state)
{
    (void)state;
    if (system("command -v zsh >/dev/null 2>&1") != 0)
        skip(); /* tools/install-build-deps.sh installs zsh */
    char script[256], command[2048];
    completion_script("zsh", script, sizeof(script));
    snprintf(command, sizeof(command),
             "zsh -n %s && zsh -f -c 'autoload -Uz compinit && compinit -u -D || exit 1\n"
             "source %s || exit 1; print -r -- \"comps: $_comps[ferry]\"\n"
             "_describe() { print -r -- \"$1: ${(P)2}\" }\n"
             "_values() { shift; print -r -- \"values: $*\" }\n"
             "words=(ferry ctl \"\"); CURRENT=3; _ferry\n"
             "words=(ferry ctl get \"\"); CURRENT=4; _ferry\n"
             "words=(ferry ctl describe connector \"\"); CURRENT=5; _ferry'",
             script, script);
    int status = 0;
    char *out = shell_output(command, &status);
    unlink(script);
    assert_int_equal(status, 0);
    assert_contains(out, "comps: _ferry\n");
    assert_contains(out, "command: get:list connectors");
    assert_contains(out, "values: connectors plugins offsets tasks loggers\n");
    char *names = strstr(out, "connector: ");
    assert_non_null(names);
    assert_contains(names, "ctl-file-source");
    assert_contains(names, "ctl-failing");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_connectors),
        cmocka_unit_test(test_describe_connector),
        cmocka_unit_test(test_get_offsets_and_plugins),
        cmocka_unit_test(test_logs_level),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_completion_bash),
        cmocka_unit_test(test_completion_zsh),
    };
    return cmocka_run_group_tests(tests, replay_setup, replay_teardown);
}
