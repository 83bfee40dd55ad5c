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

#include "service_env.h"

extern char **environ;

#define FP_MAX_CHILDREN 256
#define FP_KAFKA_TIMEOUT_MS 30000

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

static const char *fp_bootstrap_servers;
static int fp_broker_lock_fd = -1;
static rd_kafka_t *kt_client_handle;

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
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fp_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
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
    if (kt_client_handle) {
        rd_kafka_destroy(kt_client_handle);
        kt_client_handle = NULL;
    }
    rd_kafka_wait_destroyed(5000);
}

static void fp_probe_broker(void)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", fp_bootstrap_servers, err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "%s", err);
    }
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk)
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "%s", err);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, NULL, &md, 10000);
    int brokers = e == RD_KAFKA_RESP_ERR_NO_ERROR ? md->broker_cnt : 0;
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || brokers < 1)
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "metadata request: %s",
                                rd_kafka_err2str(e));
}

void fp_init(void)
{
    fp_bootstrap_servers = service_env_get("FERRY_TEST_BOOTSTRAP");
    fp_probe_broker();
    atexit(fp_at_exit);
    struct sigaction action = {.sa_handler = fp_on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
}

const char *fp_bootstrap(void)
{
    return fp_bootstrap_servers;
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

fp_env *fp_env_new(const char *test_name)
{
    static unsigned counter;
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
    env->port = fp_pick_port(&counter);
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
        {"bootstrap.servers", fp_bootstrap_servers},
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

void fp_stop(fp_proc *proc, int timeout_ms)
{
    if (proc->exited)
        fail_msg("ferry run %d (pid %d) had already exited with status %d before SIGTERM",
                 proc->run, (int)proc->pid, proc->code);
    int64_t started = fp_now_ms();
    fp_signal(proc, SIGTERM);
    int code = -1;
    if (!fp_wait_exit(proc, timeout_ms, &code))
        fail_msg("ferry run %d (pid %d) did not exit within %d ms of SIGTERM", proc->run,
                 (int)proc->pid, timeout_ms);
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

/* ---- Kafka ------------------------------------------------------------------------------ */

static void kt_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK)
        fail_msg("%s=%s: %s", key, value, err);
}

static rd_kafka_conf_t *kt_conf(void)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    kt_conf_set(conf, "bootstrap.servers", fp_bootstrap_servers);
    /* The broker is stopped on purpose by one test: keep connection errors quiet. */
    kt_conf_set(conf, "log_level", "2");
    return conf;
}

/* One long-lived client for metadata, watermarks and admin requests. A consumer handle: its
 * metadata requests never create topics. */
static rd_kafka_t *kt_client(void)
{
    if (kt_client_handle)
        return kt_client_handle;
    rd_kafka_conf_t *conf = kt_conf();
    char group[160];
    service_env_unique_name(group, sizeof group, "ferry_test_client");
    kt_conf_set(conf, "group.id", group);
    kt_conf_set(conf, "allow.auto.create.topics", "false");
    char err[512];
    kt_client_handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!kt_client_handle)
        fail_msg("Kafka client: %s", err);
    return kt_client_handle;
}

static void kt_watermarks(const char *topic, int partition, int64_t *low, int64_t *high);

int kt_partition_count(const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(kt_client(), 1, NULL, &md, FP_KAFKA_TIMEOUT_MS);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("metadata: %s", rd_kafka_err2str(e));
    int count = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && md->topics[i].err == 0)
            count = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return count;
}

void kt_create_topic(const char *topic, int partitions, const char *const *configs)
{
    char err[512];
    rd_kafka_t *client = kt_client();
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof err);
    if (!nt)
        fail_msg("NewTopic %s: %s", topic, err);
    for (size_t i = 0; configs && configs[i] && configs[i + 1]; i += 2)
        rd_kafka_NewTopic_set_config(nt, configs[i], configs[i + 1]);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, FP_KAFKA_TIMEOUT_MS, err, sizeof err);
    rd_kafka_CreateTopics(client, &nt, 1, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, FP_KAFKA_TIMEOUT_MS + 5000);
    char problem[512] = "";
    if (!event) {
        snprintf(problem, sizeof problem, "timed out");
    } else if (rd_kafka_event_error(event)) {
        snprintf(problem, sizeof problem, "%s", rd_kafka_event_error_string(event));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **results =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
        if (n != 1 || rd_kafka_topic_result_error(results[0]))
            snprintf(problem, sizeof problem, "%s",
                     n ? rd_kafka_topic_result_error_string(results[0]) : "no result");
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(queue);
    if (problem[0])
        fail_msg("creating topic %s: %s", topic, problem);
    /* Wait until the metadata shows it, so that clients find it at once. */
    int64_t deadline = fp_now_ms() + FP_KAFKA_TIMEOUT_MS;
    while (kt_partition_count(topic) != partitions) {
        if (fp_now_ms() > deadline)
            fail_msg("topic %s does not show up in the metadata", topic);
        fp_sleep_ms(100);
    }
    for (int p = 0; p < partitions; p++) {
        int64_t low, high;
        kt_watermarks(topic, p, &low, &high);
    }
}

/* A partition's watermarks, retrying while the broker is not ready for them yet (a new topic's
 * leader, a broker that just restarted). */
static void kt_watermarks(const char *topic, int partition, int64_t *low, int64_t *high)
{
    int64_t deadline = fp_now_ms() + FP_KAFKA_TIMEOUT_MS;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(kt_client(), topic, partition,
                                                                 low, high, 5000);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return;
        bool transient = e == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                         e == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                         e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                         e == RD_KAFKA_RESP_ERR__TIMED_OUT || e == RD_KAFKA_RESP_ERR__TRANSPORT ||
                         e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
                         e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
                         e == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
        if (!transient || fp_now_ms() > deadline)
            fail_msg("watermarks of %s [%d]: %s", topic, partition, rd_kafka_err2str(e));
        fp_sleep_ms(100);
    }
}

/* The partition count of the last topic asked about, so that polling loops do not fetch the whole
 * metadata every time. */
static char kt_cached_topic[256];
static int kt_cached_partitions;

int kt_end_offsets(const char *topic, int64_t *ends, int max)
{
    if (strcmp(kt_cached_topic, topic) != 0 || kt_cached_partitions == 0) {
        kt_cached_partitions = kt_partition_count(topic);
        snprintf(kt_cached_topic, sizeof kt_cached_topic, "%s", topic);
    }
    int count = kt_cached_partitions;
    for (int p = 0; p < count && p < max; p++) {
        int64_t low = 0;
        kt_watermarks(topic, p, &low, &ends[p]);
    }
    return count;
}

int64_t kt_end_offsets_sum(const char *topic)
{
    int64_t ends[256];
    int count = kt_end_offsets(topic, ends, 256);
    int64_t sum = 0;
    for (int p = 0; p < count && p < 256; p++)
        sum += ends[p];
    return sum;
}

char *kt_topic_config(const char *topic, const char *name)
{
    rd_kafka_t *client = kt_client();
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_ConfigResource_t *resource =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_request_timeout(options, FP_KAFKA_TIMEOUT_MS, NULL, 0);
    rd_kafka_DescribeConfigs(client, &resource, 1, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, FP_KAFKA_TIMEOUT_MS + 5000);
    char *value = NULL;
    char problem[512] = "";
    if (!event || rd_kafka_event_error(event)) {
        snprintf(problem, sizeof problem, "%s",
                 event ? rd_kafka_event_error_string(event) : "timed out");
    } else {
        size_t n = 0;
        const rd_kafka_ConfigResource_t **resources = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(event), &n);
        if (n != 1 || rd_kafka_ConfigResource_error(resources[0])) {
            snprintf(problem, sizeof problem, "%s",
                     n ? rd_kafka_ConfigResource_error_string(resources[0]) : "no result");
        } else {
            size_t count = 0;
            const rd_kafka_ConfigEntry_t **entries =
                rd_kafka_ConfigResource_configs(resources[0], &count);
            for (size_t i = 0; i < count; i++)
                if (strcmp(rd_kafka_ConfigEntry_name(entries[i]), name) == 0 &&
                    rd_kafka_ConfigEntry_value(entries[i]))
                    value = fp_strdup(rd_kafka_ConfigEntry_value(entries[i]));
        }
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_ConfigResource_destroy(resource);
    rd_kafka_queue_destroy(queue);
    if (problem[0])
        fail_msg("describing the configs of topic %s: %s", topic, problem);
    return value;
}

void kt_delete_topics(const char *const *topics, size_t count)
{
    if (count == 0)
        return;
    rd_kafka_t *client = kt_client();
    rd_kafka_DeleteTopic_t **list = calloc(count, sizeof(*list));
    if (!list)
        return;
    for (size_t i = 0; i < count; i++)
        list[i] = rd_kafka_DeleteTopic_new(topics[i]);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, 10000, NULL, 0);
    rd_kafka_DeleteTopics(client, list, count, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, 15000);
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_DeleteTopic_destroy_array(list, count);
    free(list);
    rd_kafka_queue_destroy(queue);
    kt_cached_topic[0] = '\0';
}

/* ---- producing -------------------------------------------------------------------------- */

typedef struct kt_delivery {
    size_t queued;
    size_t delivered;
    size_t failed;
    char first_error[256];
} kt_delivery;

static void kt_delivered(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque)
{
    (void)rk;
    kt_delivery *delivery = opaque;
    if (message->err) {
        if (delivery->failed++ == 0)
            snprintf(delivery->first_error, sizeof delivery->first_error, "%s",
                     rd_kafka_err2str(message->err));
    } else {
        delivery->delivered++;
    }
}

rd_kafka_t *kt_producer_new(const char *const *configs)
{
    rd_kafka_conf_t *conf = kt_conf();
    kt_conf_set(conf, "acks", "all");
    kt_conf_set(conf, "enable.idempotence", "true");
    kt_conf_set(conf, "linger.ms", "5");
    for (size_t i = 0; configs && configs[i] && configs[i + 1]; i += 2)
        kt_conf_set(conf, configs[i], configs[i + 1]);
    kt_delivery *delivery = calloc(1, sizeof(*delivery));
    assert_non_null(delivery);
    rd_kafka_conf_set_dr_msg_cb(conf, kt_delivered);
    rd_kafka_conf_set_opaque(conf, delivery);
    char err[512];
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!producer) {
        free(delivery);
        fail_msg("producer: %s", err);
    }
    return producer;
}

void kt_produce(rd_kafka_t *producer, const char *topic, int32_t partition, const void *key,
                size_t key_len, const void *value, size_t value_len, const char *header_name,
                const char *header_value)
{
    kt_header header = {(char *)header_name, (char *)header_value,
                        header_value ? strlen(header_value) : 0};
    kt_produce_headers(producer, topic, partition, key, key_len, value, value_len, &header,
                       header_name ? 1 : 0);
}

void kt_produce_headers(rd_kafka_t *producer, const char *topic, int32_t partition,
                        const void *key, size_t key_len, const void *value, size_t value_len,
                        const kt_header *header_list, size_t header_count)
{
    kt_delivery *delivery = rd_kafka_opaque(producer);
    rd_kafka_resp_err_t e;
    for (;;) {
        rd_kafka_headers_t *headers = NULL;
        if (header_count) {
            headers = rd_kafka_headers_new(header_count);
            for (size_t h = 0; h < header_count; h++)
                rd_kafka_header_add(headers, header_list[h].name, -1, header_list[h].value,
                                    header_list[h].value ? (ssize_t)header_list[h].value_len : 0);
        }
        e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                              RD_KAFKA_V_KEY((void *)key, key ? key_len : 0),
                              RD_KAFKA_V_VALUE((void *)value, value ? value_len : 0),
                              RD_KAFKA_V_HEADERS(headers),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR && headers)
            rd_kafka_headers_destroy(headers);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            break;
        rd_kafka_poll(producer, 50);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("producing to %s: %s", topic, rd_kafka_err2str(e));
    delivery->queued++;
    rd_kafka_poll(producer, 0);
}

void kt_producer_close(rd_kafka_t *producer)
{
    kt_delivery *delivery = rd_kafka_opaque(producer);
    rd_kafka_resp_err_t e = rd_kafka_flush(producer, 120000);
    rd_kafka_destroy(producer);
    kt_delivery copy = *delivery;
    free(delivery);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("producer flush: %s", rd_kafka_err2str(e));
    if (copy.failed)
        fail_msg("%zu of %zu records not delivered, first error: %s", copy.failed, copy.queued,
                 copy.first_error);
    assert_int_equal(copy.delivered, copy.queued);
}

/* ---- consuming -------------------------------------------------------------------------- */

size_t kt_consume(const char *topic, int timeout_ms, kt_message_fn fn, void *opaque)
{
    int count = kt_partition_count(topic);
    if (count == 0)
        return 0;
    int64_t *high = calloc((size_t)count, sizeof(*high));
    bool *done = calloc((size_t)count, sizeof(*done));
    assert_non_null(high);
    assert_non_null(done);
    int remaining = 0;
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(count);
    for (int p = 0; p < count; p++) {
        int64_t low = 0;
        kt_watermarks(topic, p, &low, &high[p]);
        if (high[p] > low) {
            rd_kafka_topic_partition_list_add(assignment, topic, p)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
            remaining++;
        } else {
            done[p] = true;
        }
    }
    size_t consumed = 0;
    if (remaining > 0) {
        rd_kafka_conf_t *conf = kt_conf();
        char group[160];
        service_env_unique_name(group, sizeof group, "ferry_test_reader");
        kt_conf_set(conf, "group.id", group);
        kt_conf_set(conf, "enable.auto.commit", "false");
        kt_conf_set(conf, "enable.partition.eof", "true");
        kt_conf_set(conf, "auto.offset.reset", "earliest");
        char err[512];
        rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
        if (!consumer)
            fail_msg("consumer: %s", err);
        rd_kafka_poll_set_consumer(consumer);
        rd_kafka_resp_err_t e = rd_kafka_assign(consumer, assignment);
        if (e)
            fail_msg("assign %s: %s", topic, rd_kafka_err2str(e));
        int64_t deadline = fp_now_ms() + timeout_ms;
        char problem[512] = "";
        while (remaining > 0 && !problem[0]) {
            if (fp_now_ms() > deadline) {
                snprintf(problem, sizeof problem, "timed out reading %s after %zu records", topic,
                         consumed);
                break;
            }
            rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 200);
            if (!m)
                continue;
            int p = m->partition;
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (p >= 0 && p < count && !done[p] && m->offset >= high[p]) {
                    done[p] = true;
                    remaining--;
                }
            } else if (m->err) {
                snprintf(problem, sizeof problem, "reading %s: %s", topic,
                         rd_kafka_message_errstr(m));
            } else if (p >= 0 && p < count && m->offset < high[p]) {
                fn(m, opaque);
                consumed++;
                if (m->offset + 1 >= high[p] && !done[p]) {
                    done[p] = true;
                    remaining--;
                }
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        if (problem[0]) {
            rd_kafka_topic_partition_list_destroy(assignment);
            free(high);
            free(done);
            fail_msg("%s", problem);
        }
    }
    rd_kafka_topic_partition_list_destroy(assignment);
    free(high);
    free(done);
    return consumed;
}

static char *kt_copy_bytes(const void *data, size_t len)
{
    if (!data)
        return NULL;
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, data, len);
    copy[len] = '\0';
    return copy;
}

static void kt_collect(const rd_kafka_message_t *m, void *opaque)
{
    kt_records *records = opaque;
    if (records->count % 1024 == 0) {
        records->items = realloc(records->items, (records->count + 1024) * sizeof(kt_record));
        assert_non_null(records->items);
    }
    kt_record *record = &records->items[records->count++];
    *record = (kt_record){.partition = m->partition, .offset = m->offset,
                          .key = kt_copy_bytes(m->key, m->key_len), .key_len = m->key_len,
                          .value = kt_copy_bytes(m->payload, m->len), .value_len = m->len};
    rd_kafka_headers_t *headers = NULL;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers) {
        size_t count = rd_kafka_header_cnt(headers);
        record->headers = calloc(count ? count : 1, sizeof(kt_header));
        assert_non_null(record->headers);
        for (size_t i = 0; i < count; i++) {
            const char *name;
            const void *value;
            size_t size;
            rd_kafka_header_get_all(headers, i, &name, &value, &size);
            record->headers[i] = (kt_header){fp_strdup(name), kt_copy_bytes(value, size), size};
        }
        record->header_count = count;
    }
}

int64_t kt_group_committed(const char *group, const char *topic, int32_t partition)
{
    rd_kafka_conf_t *conf = kt_conf();
    kt_conf_set(conf, "group.id", group);
    kt_conf_set(conf, "enable.auto.commit", "false");
    char err[512];
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!consumer)
        fail_msg("consumer of group %s: %s", group, err);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic, partition);
    rd_kafka_resp_err_t e = rd_kafka_committed(consumer, list, 10000);
    int64_t offset = e ? -2 : list->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(consumer);
    if (e)
        fail_msg("committed offsets of group %s: %s", group, rd_kafka_err2str(e));
    return offset < 0 ? -1 : offset;
}

kt_records *kt_consume_all(const char *topic, int timeout_ms)
{
    kt_records *records = calloc(1, sizeof(*records));
    assert_non_null(records);
    kt_consume(topic, timeout_ms, kt_collect, records);
    return records;
}

void kt_records_free(kt_records *records)
{
    if (!records)
        return;
    for (size_t i = 0; i < records->count; i++) {
        kt_record *record = &records->items[i];
        free(record->key);
        free(record->value);
        for (size_t h = 0; h < record->header_count; h++) {
            free(record->headers[h].name);
            free(record->headers[h].value);
        }
        free(record->headers);
    }
    free(records->items);
    free(records);
}

const kt_record *kt_records_last(const kt_records *records, const char *key)
{
    const kt_record *last = NULL;
    for (size_t i = 0; i < records->count; i++)
        if (records->items[i].key && strcmp(records->items[i].key, key) == 0)
            last = &records->items[i];
    return last;
}

const kt_header *kt_record_header(const kt_record *record, const char *name)
{
    const kt_header *found = NULL;
    for (size_t i = 0; i < record->header_count; i++)
        if (strcmp(record->headers[i].name, name) == 0)
            found = &record->headers[i];
    return found;
}

json_t *kt_latest_by_key(const char *topic)
{
    kt_records *records = kt_consume_all(topic, FP_KAFKA_TIMEOUT_MS);
    json_t *latest = json_object();
    assert_non_null(latest);
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *record = &records->items[i];
        if (!record->key)
            continue;
        json_t *value = record->value ? json_loadb(record->value, record->value_len, 0, NULL)
                                      : NULL;
        json_object_set_new(latest, record->key, value ? value : json_null());
    }
    kt_records_free(records);
    return latest;
}

/* ---- Java's partitioner ----------------------------------------------------------------- */

int32_t kt_murmur2(const void *data, size_t len)
{
    const unsigned char *bytes = data;
    const uint32_t seed = 0x9747b28cu, m = 0x5bd1e995u;
    const int r = 24;
    uint32_t h = seed ^ (uint32_t)len;
    size_t len4 = len / 4;
    for (size_t i = 0; i < len4; i++) {
        size_t i4 = i * 4;
        uint32_t k = (uint32_t)bytes[i4] | ((uint32_t)bytes[i4 + 1] << 8) |
                     ((uint32_t)bytes[i4 + 2] << 16) | ((uint32_t)bytes[i4 + 3] << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    size_t tail = len & ~(size_t)3;
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)bytes[tail + 2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)bytes[tail + 1] << 8;
        /* fall through */
    case 1:
        h ^= (uint32_t)bytes[tail];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t kt_java_partition(const void *key, size_t len, int partitions)
{
    return (int32_t)(((uint32_t)kt_murmur2(key, len) & 0x7fffffffu) % (uint32_t)partitions);
}
