/* See ferry_process.h. */
#include "ferry_process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kafka_tool.h"
#include "service_env.h"

extern char **environ;

#define FP_MAX_CHILDREN 256

/* The worker's default plugin.path: the sequence test plugin, plus the build tree's real plugins
 * (the file plugin) when the build names them. */
#ifdef FERRY_TEST_EXTRA_PLUGIN_PATH
#define FP_PLUGIN_PATH FERRY_TEST_PLUGIN_PATH "," FERRY_TEST_EXTRA_PLUGIN_PATH
#else
#define FP_PLUGIN_PATH FERRY_TEST_PLUGIN_PATH
#endif

/* Tests of several runs (other build dirs, other people's `meson test`) share the one broker of
 * tests/services/. Each test of this harness holds this lock shared; a test that stops the broker
 * takes it exclusively, so that no other harness test is running meanwhile. */
#define FP_BROKER_LOCK "/tmp/ferry-tests-broker.lock"

static int fp_broker_lock_fd = -1;

/* Children still to be killed at exit or on SIGTERM: plain pids, so that the signal handler can
 * read them. 0 = free slot. */
static volatile pid_t fp_children[FP_MAX_CHILDREN];
static volatile sig_atomic_t fp_kafka_is_stopped;

struct fp_proc {
    fp_env *env;
    pid_t pid;
    int run; /* 1, 2, ... within its env */
    char *log;
    bool exited;
    bool killed;
    int code;
};

struct fp_env {
    char *test;
    char *dir;
    char *suffix;
    char *offsets;
    char *configs;
    char *status;
    char *group;
    int port;
    bool passed;
    char **strings;
    size_t string_count;
    fp_proc **procs;
    size_t proc_count;
};

/* ---- small utilities -------------------------------------------------------------------- */

int64_t fp_now_ms(void)
{
    return service_env_now_ms();
}

void fp_sleep_ms(int64_t ms)
{
    service_env_sleep_ms(ms);
}

static char *fp_strdup(const char *text)
{
    char *copy = strdup(text);
    assert_non_null(copy);
    return copy;
}

__attribute__((format(printf, 1, 2)))
static char *fp_format(const char *fmt, ...)
{
    va_list ap;
    char *text = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    return text;
}

char *fp_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t capacity = 65536, used = 0;
    char *data = malloc(capacity + 1);
    assert_non_null(data);
    for (;;) {
        if (used == capacity) {
            capacity *= 2;
            data = realloc(data, capacity + 1);
            assert_non_null(data);
        }
        ssize_t n = read(fd, data + used, capacity - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    data[used] = '\0';
    if (len)
        *len = used;
    return data;
}

void fp_assert_same_file(const char *what, const char *expected, const char *actual)
{
    size_t expected_len = 0, actual_len = 0;
    char *want = fp_read_file(expected, &expected_len);
    char *got = fp_read_file(actual, &actual_len);
    assert_non_null(want);
    assert_non_null(got);
    bool same = expected_len == actual_len && memcmp(want, got, expected_len) == 0;
    free(want);
    free(got);
    if (!same)
        fail_msg("%s: %s differs from %s (%zu and %zu bytes)", what, actual, expected,
                 actual_len, expected_len);
}

size_t fp_count_lines(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buffer[65536];
    size_t lines = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            lines += buffer[i] == '\n';
    }
    close(fd);
    return lines;
}

static void fp_remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir(dir))) {
            if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                continue;
            char *child = fp_format("%s/%s", path, entry->d_name);
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                fp_remove_tree(child);
            else
                unlink(child);
            free(child);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* ---- children and clean-up -------------------------------------------------------------- */

static void fp_child_track(pid_t pid)
{
    for (int i = 0; i < FP_MAX_CHILDREN; i++) {
        if (fp_children[i] == 0) {
            fp_children[i] = pid;
            return;
        }
    }
    fail_msg("more than %d ferry children at once", FP_MAX_CHILDREN);
}

static void fp_child_untrack(pid_t pid)
{
    for (int i = 0; i < FP_MAX_CHILDREN; i++)
        if (fp_children[i] == pid)
            fp_children[i] = 0;
}

/* Runs the services script with kafka start, from a signal handler too (fork and exec only). */
static void fp_kafka_start_raw(void)
{
#ifdef FERRY_SERVICES_SCRIPT
    pid_t pid = fork();
    if (pid == 0) {
        char *const argv[] = {(char *)"bash", (char *)FERRY_SERVICES_SCRIPT, (char *)"start",
                              (char *)"kafka", NULL};
        execv("/bin/bash", argv);
        _exit(127);
    }
    int status;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
#endif
}

static void fp_on_signal(int sig)
{
    for (int i = 0; i < FP_MAX_CHILDREN; i++)
        if (fp_children[i] > 0)
            kill(fp_children[i], SIGKILL);
    if (fp_kafka_is_stopped) {
        static const char message[] = "ferry_process: restarting the Kafka this test stopped\n";
        ssize_t ignored = write(2, message, sizeof(message) - 1);
        (void)ignored;
        fp_kafka_start_raw();
        fp_kafka_is_stopped = 0;
    }
    _exit(128 + sig);
}

static void fp_at_exit(void)
{
    for (int i = 0; i < FP_MAX_CHILDREN; i++) {
        if (fp_children[i] > 0) {
            kill(fp_children[i], SIGKILL);
            waitpid(fp_children[i], NULL, 0);
            fp_children[i] = 0;
        }
    }
    fp_kafka_ensure_started();
}

void fp_init(void)
{
    kt_init();
    atexit(fp_at_exit);
    struct sigaction action = {.sa_handler = fp_on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
}

int fp_services(const char *arg, ...)
{
#ifdef FERRY_SERVICES_SCRIPT
    char *argv[16] = {(char *)"bash", (char *)FERRY_SERVICES_SCRIPT};
    int argc = 2;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && argc < 15; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(NULL);
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/bash", NULL, NULL, argv, environ);
    if (rc != 0)
        fail_msg("cannot run %s: %s", FERRY_SERVICES_SCRIPT, strerror(rc));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
#else
    (void)arg;
    fail_msg("FERRY_SERVICES_SCRIPT is not defined by the build");
    return -1;
#endif
}

void fp_kafka_stopped(void)
{
    fp_kafka_is_stopped = 1;
}

void fp_kafka_restarted(void)
{
    fp_kafka_is_stopped = 0;
}

void fp_kafka_ensure_started(void)
{
    if (!fp_kafka_is_stopped)
        return;
    fprintf(stderr, "ferry_process: starting Kafka again (this test stopped it)\n");
    fp_kafka_start_raw();
    fp_kafka_is_stopped = 0;
}

/* ---- the broker lock -------------------------------------------------------------------- */

static void fp_broker_lock(int operation, const char *what)
{
    if (fp_broker_lock_fd < 0) {
        fp_broker_lock_fd = open(FP_BROKER_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fp_broker_lock_fd < 0)
            fail_msg("cannot open %s: %s", FP_BROKER_LOCK, strerror(errno));
    }
    if (flock(fp_broker_lock_fd, operation | LOCK_NB) == 0)
        return;
    int64_t started = fp_now_ms();
    printf("# waiting for %s (%s is held by another test run)\n", what, FP_BROKER_LOCK);
    while (flock(fp_broker_lock_fd, operation) != 0) {
        if (errno != EINTR)
            fail_msg("flock %s: %s", FP_BROKER_LOCK, strerror(errno));
    }
    printf("# waited %lld ms for %s\n", (long long)(fp_now_ms() - started), what);
}

void fp_broker_exclusive(void)
{
    fp_broker_lock(LOCK_EX, "the broker to myself");
}

/* ---- environments ----------------------------------------------------------------------- */

static const char *fp_keep(fp_env *env, char *owned)
{
    env->strings = realloc(env->strings, (env->string_count + 1) * sizeof(*env->strings));
    assert_non_null(env->strings);
    env->strings[env->string_count++] = owned;
    return owned;
}

/* Whether nothing listens on (or is bound to) the loopback port now. */
static bool fp_port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return true;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool free_now = bind(fd, (struct sockaddr *)&address, sizeof address) == 0;
    close(fd);
    return free_now;
}

/* A port for the worker's REST listener: below the kernel's ephemeral range (outgoing
 * connections, the broker's and the worker's own, take ports from that range at any moment),
 * spread by pid so that tests running side by side differ, and free when picked. */
static int fp_pick_port(unsigned *counter)
{
    int ephemeral_low = 32768;
    FILE *range = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (range) {
        if (fscanf(range, "%d", &ephemeral_low) != 1)
            ephemeral_low = 32768;
        fclose(range);
    }
    int low = 20000, high = ephemeral_low > 21000 ? ephemeral_low : 32768;
    for (int attempt = 0; attempt < 200; attempt++) {
        int port = low + (int)(((unsigned)getpid() * 131u + (*counter)++ * 977u) %
                               (unsigned)(high - low));
        if (fp_port_free(port))
            return port;
    }
    fail_msg("no free loopback port between %d and %d", low, high);
    return -1;
}

/* The env last made and not finished yet: what fp_env_teardown finishes. */
static fp_env *fp_current_env;

/* Shared by every port a test picks, so that no two of them are the same. */
static unsigned fp_port_counter;

fp_env *fp_env_new(const char *test_name)
{
    fp_broker_lock(LOCK_SH, "the end of another run's broker outage");
    fp_env *env = calloc(1, sizeof(*env));
    assert_non_null(env);
    env->test = fp_strdup(test_name);
    char unique[128];
    service_env_unique_name(unique, sizeof unique, "f");
    env->suffix = fp_strdup(unique + 2); /* drop "f_" */
    const char *tmp = getenv("TMPDIR");
    char *template = fp_format("%s/ferry-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", test_name);
    if (!mkdtemp(template))
        fail_msg("mkdtemp %s: %s", template, strerror(errno));
    env->dir = template;
    env->offsets = fp_format("ferry_offsets_%s", env->suffix);
    env->configs = fp_format("ferry_configs_%s", env->suffix);
    env->status = fp_format("ferry_status_%s", env->suffix);
    env->group = fp_format("ferry_cluster_%s", env->suffix);
    env->port = fp_pick_port(&fp_port_counter);
    printf("# %s: temp dir %s, names *_%s\n", test_name, env->dir, env->suffix);
    fp_current_env = env;
    return env;
}

void fp_pass(fp_env *env)
{
    env->passed = true;
}

static bool fp_reap(fp_proc *proc, bool block);

void fp_env_finish(fp_env *env)
{
    if (!env)
        return;
    if (env == fp_current_env)
        fp_current_env = NULL;
    for (size_t i = 0; i < env->proc_count; i++) {
        fp_proc *proc = env->procs[i];
        if (!proc->exited) {
            kill(proc->pid, SIGKILL);
            proc->killed = true;
            fp_reap(proc, true);
        }
    }
    fp_kafka_ensure_started();
    if (env->passed) {
        /* The test's topics: the internal ones and whatever it named (paths excluded); a name
         * that is no topic is simply not found. */
        const char **topics = calloc(env->string_count + 3, sizeof(*topics));
        size_t count = 0;
        if (topics) {
            topics[count++] = env->offsets;
            topics[count++] = env->configs;
            topics[count++] = env->status;
            for (size_t i = 0; i < env->string_count; i++)
                if (!strchr(env->strings[i], '/'))
                    topics[count++] = env->strings[i];
            kt_delete_topics(topics, count);
            free(topics);
        }
    }
    if (!env->passed) {
        for (size_t i = 0; i < env->proc_count; i++) {
            fprintf(stderr, "---- %s: ferry run %d (pid %d, %s) log tail: %s ----\n", env->test,
                    env->procs[i]->run, (int)env->procs[i]->pid,
                    env->procs[i]->killed ? "killed" : "exited", env->procs[i]->log);
            fp_print_log_tail(env->procs[i], 40);
        }
        fprintf(stderr, "---- %s failed: temp dir kept: %s ----\n", env->test, env->dir);
    } else {
        fp_remove_tree(env->dir);
    }
    for (size_t i = 0; i < env->proc_count; i++) {
        free(env->procs[i]->log);
        free(env->procs[i]);
    }
    free(env->procs);
    for (size_t i = 0; i < env->string_count; i++)
        free(env->strings[i]);
    free(env->strings);
    free(env->test);
    free(env->dir);
    free(env->suffix);
    free(env->offsets);
    free(env->configs);
    free(env->status);
    free(env->group);
    free(env);
    if (fp_broker_lock_fd >= 0)
        flock(fp_broker_lock_fd, LOCK_UN);
}

int fp_env_teardown(void **state)
{
    (void)state;
    fp_env_finish(fp_current_env);
    return 0;
}

const char *fp_dir(const fp_env *env)
{
    return env->dir;
}

const char *fp_name(fp_env *env, const char *prefix)
{
    return fp_keep(env, fp_format("%s_%s", prefix, env->suffix));
}

const char *fp_path(fp_env *env, const char *file)
{
    return fp_keep(env, fp_format("%s/%s", env->dir, file));
}

const char *fp_offsets_topic(const fp_env *env)
{
    return env->offsets;
}

const char *fp_configs_topic(const fp_env *env)
{
    return env->configs;
}

const char *fp_status_topic(const fp_env *env)
{
    return env->status;
}

int fp_new_port(fp_env *env)
{
    for (;;) {
        int port = fp_pick_port(&fp_port_counter);
        if (port != env->port)
            return port;
    }
}

int fp_listener_port(const fp_env *env)
{
    return env->port;
}

static void fp_write_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    if (!file)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(text, file);
    assert_int_equal(fclose(file), 0);
}

const char *fp_write(fp_env *env, const char *file, const char *fmt, ...)
{
    va_list ap;
    char *text = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    const char *path = fp_path(env, file);
    fp_write_text(path, text);
    free(text);
    return path;
}

/* true when extra has a line "key=..." or "-key". */
static bool fp_extra_mentions(const char *extra, const char *key)
{
    size_t key_len = strlen(key);
    for (const char *line = extra; line && *line;) {
        const char *start = line[0] == '-' ? line + 1 : line;
        if (strncmp(start, key, key_len) == 0 && (start[key_len] == '=' || start[key_len] == '\n'
                                                  || start[key_len] == '\0'))
            return true;
        const char *next = strchr(line, '\n');
        line = next ? next + 1 : NULL;
    }
    return false;
}

const char *fp_worker_file(fp_env *env, const char *file, long flush_ms, const char *extra)
{
    char flush[32] = "";
    if (flush_ms >= 0)
        snprintf(flush, sizeof flush, "%ld", flush_ms);
    char listener[64];
    snprintf(listener, sizeof listener, "http://127.0.0.1:%d", env->port);
    const char *const defaults[][2] = {
        {"bootstrap.servers", kt_bootstrap()},
        {"group.id", env->group},
        {"offset.storage.topic", env->offsets},
        {"config.storage.topic", env->configs},
        {"status.storage.topic", env->status},
        {"offset.storage.replication.factor", "1"},
        {"config.storage.replication.factor", "1"},
        {"status.storage.replication.factor", "1"},
        {"offset.storage.partitions", "5"},
        {"status.storage.partitions", "3"},
        {"offset.flush.interval.ms", flush},
        {"key.converter", "org.apache.kafka.connect.storage.StringConverter"},
        {"value.converter", "org.apache.kafka.connect.storage.StringConverter"},
        {"plugin.path", FP_PLUGIN_PATH},
        {"listeners", listener},
    };
    size_t capacity = 4096 + (extra ? strlen(extra) : 0);
    char *text = calloc(1, capacity);
    assert_non_null(text);
    size_t used = 0;
    used += (size_t)snprintf(text + used, capacity - used, "# written by %s\n", env->test);
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        if (!defaults[i][1][0] || fp_extra_mentions(extra, defaults[i][0]))
            continue;
        used += (size_t)snprintf(text + used, capacity - used, "%s=%s\n", defaults[i][0],
                                 defaults[i][1]);
    }
    for (const char *line = extra; line && *line;) {
        const char *next = strchr(line, '\n');
        size_t len = next ? (size_t)(next - line) : strlen(line);
        if (line[0] != '-' && len > 0)
            used += (size_t)snprintf(text + used, capacity - used, "%.*s\n", (int)len, line);
        line = next ? next + 1 : NULL;
    }
    const char *path = fp_path(env, file);
    fp_write_text(path, text);
    free(text);
    return path;
}

/* ---- processes -------------------------------------------------------------------------- */

/* environ with ASAN_OPTIONS extended by detect_leaks=1 (malloc'd array and entry). */
static char **fp_child_environment(char **asan_entry)
{
    size_t count = 0;
    while (environ[count])
        count++;
    char **envp = calloc(count + 2, sizeof(*envp));
    assert_non_null(envp);
    const char *asan = getenv("ASAN_OPTIONS");
    *asan_entry = fp_format("ASAN_OPTIONS=%s%sdetect_leaks=1", asan && *asan ? asan : "",
                            asan && *asan ? ":" : "");
    size_t used = 0;
    for (size_t i = 0; i < count; i++)
        if (strncmp(environ[i], "ASAN_OPTIONS=", 13) != 0)
            envp[used++] = environ[i];
    envp[used++] = *asan_entry;
    envp[used] = NULL;
    return envp;
}

static fp_proc *fp_spawn(fp_env *env, const char **argv, int argc);

fp_proc *fp_start(fp_env *env, const char *worker_file, ...)
{
    const char *argv[64] = {FERRY_BINARY, "standalone", worker_file};
    int argc = 3;
    va_list ap;
    va_start(ap, worker_file);
    for (const char *file = va_arg(ap, const char *); file && argc < 63;
         file = va_arg(ap, const char *))
        argv[argc++] = file;
    va_end(ap);
    argv[argc] = NULL;
    return fp_spawn(env, argv, argc);
}

fp_proc *fp_start_distributed(fp_env *env, const char *worker_file)
{
    const char *argv[] = {FERRY_BINARY, "distributed", worker_file, NULL};
    return fp_spawn(env, argv, 3);
}

static fp_proc *fp_spawn(fp_env *env, const char **argv, int argc)
{

    fp_proc *proc = calloc(1, sizeof(*proc));
    assert_non_null(proc);
    proc->env = env;
    proc->run = (int)env->proc_count + 1;
    proc->log = fp_format("%s/ferry-%d.log", env->dir, proc->run);
    int fd = open(proc->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        fail_msg("cannot create %s: %s", proc->log, strerror(errno));

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    char *asan_entry = NULL;
    char **envp = fp_child_environment(&asan_entry);
    fflush(NULL);
    int rc = posix_spawn(&proc->pid, FERRY_BINARY, &actions, &attributes, (char *const *)argv,
                         envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    free(envp);
    free(asan_entry);
    close(fd);
    if (rc != 0) {
        free(proc->log);
        free(proc);
        fail_msg("cannot start %s: %s", FERRY_BINARY, strerror(rc));
    }
    fp_child_track(proc->pid);
    env->procs = realloc(env->procs, (env->proc_count + 1) * sizeof(*env->procs));
    assert_non_null(env->procs);
    env->procs[env->proc_count++] = proc;
    printf("# %s: ferry run %d started (pid %d):", env->test, proc->run, (int)proc->pid);
    for (int i = 2; i < argc; i++)
        printf(" %s", strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i]);
    printf("\n");
    return proc;
}

pid_t fp_pid(const fp_proc *proc)
{
    return proc->pid;
}

const char *fp_log_path(const fp_proc *proc)
{
    return proc->log;
}

char *fp_log(const fp_proc *proc)
{
    char *text = fp_read_file(proc->log, NULL);
    return text ? text : fp_strdup("");
}

bool fp_log_contains(const fp_proc *proc, const char *needle)
{
    char *text = fp_log(proc);
    bool found = strstr(text, needle) != NULL;
    free(text);
    return found;
}

void fp_print_log_tail(const fp_proc *proc, int lines)
{
    size_t len = 0;
    char *text = fp_read_file(proc->log, &len);
    if (!text) {
        fprintf(stderr, "(no log at %s)\n", proc->log);
        return;
    }
    size_t start = len;
    int seen = 0;
    while (start > 0) {
        if (text[start - 1] == '\n' && start != len && ++seen >= lines)
            break;
        start--;
    }
    fprintf(stderr, "%s%s", text + start, len && text[len - 1] != '\n' ? "\n" : "");
    free(text);
}

static void fp_check_sanitizers(fp_proc *proc)
{
    if (proc->killed)
        return;
    char *text = fp_log(proc);
    static const char *const markers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                          "runtime error:"};
    const char *found = NULL;
    for (size_t i = 0; i < sizeof markers / sizeof markers[0] && !found; i++)
        if (strstr(text, markers[i]))
            found = markers[i];
    free(text);
    if (found) {
        fprintf(stderr, "---- ferry run %d (pid %d) log tail ----\n", proc->run, (int)proc->pid);
        fp_print_log_tail(proc, 80);
        fail_msg("ferry run %d (pid %d) exited with a sanitizer report (\"%s\") in %s",
                 proc->run, (int)proc->pid, found, proc->log);
    }
}

/* Reaps the process if it exited (waiting when block). true when it has exited. */
static bool fp_reap(fp_proc *proc, bool block)
{
    if (proc->exited)
        return true;
    int status = 0;
    pid_t rc;
    do
        rc = waitpid(proc->pid, &status, block ? 0 : WNOHANG);
    while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return false;
    proc->exited = true;
    fp_child_untrack(proc->pid);
    if (rc < 0)
        proc->code = -1;
    else
        proc->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
}

bool fp_alive(fp_proc *proc)
{
    if (!fp_reap(proc, false))
        return true;
    fp_check_sanitizers(proc);
    return false;
}

bool fp_wait_log(fp_proc *proc, const char *needle, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (;;) {
        bool exited = proc->exited || fp_reap(proc, false);
        if (fp_log_contains(proc, needle))
            return true;
        if (exited) {
            fp_check_sanitizers(proc);
            return false;
        }
        if (fp_now_ms() >= deadline)
            return false;
        fp_sleep_ms(50);
    }
}

void fp_signal(fp_proc *proc, int sig)
{
    if (!proc->exited)
        kill(proc->pid, sig);
}

bool fp_wait_exit(fp_proc *proc, int timeout_ms, int *code)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    while (!fp_reap(proc, false)) {
        if (fp_now_ms() >= deadline)
            return false;
        fp_sleep_ms(20);
    }
    fp_check_sanitizers(proc);
    if (code)
        *code = proc->code;
    return true;
}

/* Prints every thread's stack of a process that did not stop, when gdb is installed: a hang in
 * CI then shows where it sits. */
static void fp_print_stacks(const fp_proc *proc)
{
    if (access("/usr/bin/gdb", X_OK) != 0)
        return;
    char command[128];
    snprintf(command, sizeof(command),
             "/usr/bin/gdb -p %d -batch -nx -ex 'thread apply all bt' 2>&1 | "
             "grep -v '^\\[New LWP' 1>&2",
             (int)proc->pid);
    fprintf(stderr, "---- ferry run %d (pid %d): the stacks of its threads ----\n", proc->run,
            (int)proc->pid);
    fflush(stderr);
    if (system(command) != 0)
        fprintf(stderr, "(gdb could not read them)\n");
}

void fp_stop(fp_proc *proc, int timeout_ms)
{
    if (proc->exited)
        fail_msg("ferry run %d (pid %d) had already exited with status %d before SIGTERM",
                 proc->run, (int)proc->pid, proc->code);
    int64_t started = fp_now_ms();
    fp_signal(proc, SIGTERM);
    int code = -1;
    if (!fp_wait_exit(proc, timeout_ms, &code)) {
        fp_print_stacks(proc);
        fail_msg("ferry run %d (pid %d) did not exit within %d ms of SIGTERM", proc->run,
                 (int)proc->pid, timeout_ms);
    }
    printf("# ferry run %d stopped gracefully in %lld ms, exit status %d\n", proc->run,
           (long long)(fp_now_ms() - started), code);
    if (code != 0)
        fail_msg("ferry run %d (pid %d) exited with status %d after SIGTERM, expected 0",
                 proc->run, (int)proc->pid, code);
}

void fp_kill9(fp_proc *proc)
{
    if (proc->exited)
        fail_msg("ferry run %d (pid %d) had already exited with status %d before kill -9",
                 proc->run, (int)proc->pid, proc->code);
    kill(proc->pid, SIGKILL);
    proc->killed = true;
    fp_reap(proc, true);
}
