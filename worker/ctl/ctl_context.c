/*
 * ctl_context.c - reading and writing ctl.json and resolving the target of a request.
 *
 * The file: {"current-context":"prod","contexts":{"prod":{"url":"https://connect:8083",
 * "user":"admin","password-file":"/etc/ferry/ctl-password","cacert":"/etc/ferry/ca.pem"}}}.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl/ctl_context.h"
#include "ctl/ctl_output.h"

/* The keys of a context, each with the option that sets it. */
static const struct ctl_context_key {
    const char *name;
    size_t offset; /* into ctl_args */
} ctl_context_keys[] = {
    {"url", offsetof(ctl_args, url)},
    {"user", offsetof(ctl_args, user)},
    {"password-file", offsetof(ctl_args, password_file)},
    {"token-file", offsetof(ctl_args, token_file)},
    {"cacert", offsetof(ctl_args, cacert)},
    {"cert", offsetof(ctl_args, cert)},
    {"key", offsetof(ctl_args, key)},
};
#define CTL_CONTEXT_KEY_COUNT (sizeof(ctl_context_keys) / sizeof(ctl_context_keys[0]))

static const char *ctl_args_string(const ctl_args *args, size_t offset)
{
    return *(const char *const *)((const char *)args + offset);
}

/* $XDG_CONFIG_HOME/ferry, or ~/.config/ferry (malloc'd). */
static char *ctl_context_dir(void)
{
    const char *base = getenv("XDG_CONFIG_HOME");
    char *dir = NULL;
    if (base && base[0] == '/') {
        if (asprintf(&dir, "%s/ferry", base) < 0)
            return NULL;
    } else {
        const char *home = getenv("HOME");
        if (asprintf(&dir, "%s/.config/ferry", home && home[0] ? home : ".") < 0)
            return NULL;
    }
    return dir;
}

static char *ctl_context_path(void)
{
    char *dir = ctl_context_dir();
    char *path = NULL;
    if (dir && asprintf(&path, "%s/ctl.json", dir) < 0)
        path = NULL;
    free(dir);
    return path;
}

/* The file's contents, or an empty document when there is none. NULL with err when it cannot
 * be read or parsed. */
static json_t *ctl_context_load(const char *path, char *err, size_t errlen)
{
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return json_pack("{s:n,s:{}}", "current-context", "contexts");
    json_error_t error;
    json_t *doc = json_load_file(path, 0, &error);
    if (!doc) {
        snprintf(err, errlen, "%s: %s (line %d)", path, error.text, error.line);
        return NULL;
    }
    if (!json_is_object(doc) || !json_is_object(json_object_get(doc, "contexts"))) {
        snprintf(err, errlen, "%s: expected an object with \"contexts\"", path);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static int ctl_mkdirs(const char *dir)
{
    char *copy = strdup(dir);
    if (!copy)
        return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            free(copy);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(copy, 0700) != 0 && errno != EEXIST ? -1 : 0;
    free(copy);
    return rc;
}

/* Writes the file through a temporary one (mode 0600 from the start: it names credentials'
 * files and the servers they open). */
static int ctl_context_save(const json_t *doc, char *err, size_t errlen)
{
    char *dir = ctl_context_dir(), *path = ctl_context_path(), *temp = NULL, *text = NULL;
    int rc = -1, fd = -1;
    if (!dir || !path || asprintf(&temp, "%s.tmp", path) < 0) {
        temp = NULL;
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (ctl_mkdirs(dir) != 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        goto done;
    }
    text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (!text || fd < 0 || fchmod(fd, 0600) != 0) {
        snprintf(err, errlen, "%s: %s", temp, text ? strerror(errno) : "out of memory");
        goto done;
    }
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        snprintf(err, errlen, "%s: %s", temp, strerror(errno));
        goto done;
    }
    if (close(fd) != 0 || rename(temp, path) != 0) {
        fd = -1;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto done;
    }
    fd = -1;
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    if (rc != 0 && temp)
        unlink(temp);
    free(text);
    free(temp);
    free(path);
    free(dir);
    return rc;
}

/* A secret from a file: its first line, without the line end. */
static char *ctl_secret_read(const char *path, const char *what, char *err, size_t errlen)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    char *line = NULL;
    size_t size = 0;
    ssize_t len = getline(&line, &size, file);
    fclose(file);
    if (len < 0) {
        free(line);
        snprintf(err, errlen, "%s %s is empty", what, path);
        return NULL;
    }
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    return line;
}

static int ctl_set(char **slot, const char *value)
{
    if (!value)
        return 0;
    free(*slot);
    *slot = strdup(value);
    return *slot ? 0 : -1;
}

void ctl_target_clear(ctl_target *target)
{
    free(target->context);
    free(target->url);
    free(target->user);
    free(target->password);
    free(target->token);
    free(target->cacert);
    free(target->cert);
    free(target->key);
    memset(target, 0, sizeof(*target));
}

int ctl_context_resolve(const ctl_args *args, ctl_target *target, char *err, size_t errlen)
{
    memset(target, 0, sizeof(*target));
    char *path = ctl_context_path();
    json_t *doc = path ? ctl_context_load(path, err, errlen) : NULL;
    free(path);
    if (!doc)
        return CTL_EXIT_USAGE;
    int rc = CTL_EXIT_USAGE;
    char *password_file = NULL, *token_file = NULL;
    const char *name = args->context ? args->context
                                     : json_string_value(json_object_get(doc, "current-context"));
    json_t *context = name ? json_object_get(json_object_get(doc, "contexts"), name) : NULL;
    if (name && !context) {
        snprintf(err, errlen, "no context '%s' (see ferry ctl config get-contexts)", name);
        goto done;
    }
    if (context && (ctl_set(&target->context, name) != 0 ||
                    ctl_set(&target->url, json_string_value(json_object_get(context, "url"))) ||
                    ctl_set(&target->user, json_string_value(json_object_get(context, "user"))) ||
                    ctl_set(&password_file,
                            json_string_value(json_object_get(context, "password-file"))) ||
                    ctl_set(&token_file, json_string_value(json_object_get(context, "token-file"))) ||
                    ctl_set(&target->cacert, json_string_value(json_object_get(context, "cacert"))) ||
                    ctl_set(&target->cert, json_string_value(json_object_get(context, "cert"))) ||
                    ctl_set(&target->key, json_string_value(json_object_get(context, "key")))))
        goto oom;
    target->insecure = json_is_true(json_object_get(context, "insecure"));
    const char *env_url = getenv("FERRY_URL");
    if (ctl_set(&target->url, env_url && env_url[0] ? env_url : NULL) != 0 ||
        ctl_set(&target->url, args->url) != 0 || ctl_set(&target->user, args->user) != 0 ||
        ctl_set(&password_file, args->password_file) != 0 ||
        ctl_set(&token_file, args->token_file) != 0 ||
        ctl_set(&target->cacert, args->cacert) != 0 || ctl_set(&target->cert, args->cert) != 0 ||
        ctl_set(&target->key, args->key) != 0 ||
        (!target->url && ctl_set(&target->url, CTL_DEFAULT_URL) != 0))
        goto oom;
    target->insecure |= args->insecure;
    size_t len = strlen(target->url);
    while (len > 0 && target->url[len - 1] == '/')
        target->url[--len] = '\0';
    if (strncmp(target->url, "http://", 7) != 0 && strncmp(target->url, "https://", 8) != 0) {
        snprintf(err, errlen, "URL '%s' does not start with http:// or https://", target->url);
        goto done;
    }
    if (password_file && !target->user) {
        snprintf(err, errlen, "--password-file needs --user");
        goto done;
    }
    if (password_file &&
        !(target->password = ctl_secret_read(password_file, "password file", err, errlen)))
        goto done;
    if (token_file && !(target->token = ctl_secret_read(token_file, "token file", err, errlen)))
        goto done;
    rc = CTL_EXIT_OK;
    goto done;
oom:
    snprintf(err, errlen, "out of memory");
done:
    if (rc != CTL_EXIT_OK)
        ctl_target_clear(target);
    free(password_file);
    free(token_file);
    json_decref(doc);
    return rc;
}

/* ---- ferry ctl config ------------------------------------------------------------------- */

static int ctl_context_set(const ctl_args *args, json_t *doc, const char *name, char *err,
                           size_t errlen)
{
    json_t *contexts = json_object_get(doc, "contexts");
    json_t *context = json_object_get(contexts, name);
    if (!context) {
        context = json_object();
        if (!context || json_object_set_new(contexts, name, context) != 0)
            goto oom;
    }
    for (size_t i = 0; i < CTL_CONTEXT_KEY_COUNT; i++) {
        const char *value = ctl_args_string(args, ctl_context_keys[i].offset);
        if (value && json_object_set_new(context, ctl_context_keys[i].name,
                                         json_string(value)) != 0)
            goto oom;
    }
    if (args->insecure && json_object_set_new(context, "insecure", json_true()) != 0)
        goto oom;
    if (!json_object_get(context, "url") &&
        json_object_set_new(context, "url", json_string(CTL_DEFAULT_URL)) != 0)
        goto oom;
    /* The first context becomes the current one, as kubectl users expect. */
    if (!json_is_string(json_object_get(doc, "current-context")) &&
        json_object_set_new(doc, "current-context", json_string(name)) != 0)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

static int ctl_contexts_print(const ctl_args *args, json_t *doc, FILE *out)
{
    if (args->format != CTL_FORMAT_TABLE)
        return ctl_output_value(doc, args->format, out);
    const char *current = json_string_value(json_object_get(doc, "current-context"));
    ctl_table *table = ctl_table_new(out, 4, "CURRENT", "NAME", "URL", "AUTH");
    if (!table)
        return CTL_EXIT_SERVER;
    const char *name;
    json_t *context;
    json_object_foreach(json_object_get(doc, "contexts"), name, context) {
        const char *auth = json_object_get(context, "token-file") ? "bearer"
                           : json_object_get(context, "user")     ? "basic"
                                                                  : "";
        ctl_table_row(table, current && strcmp(current, name) == 0 ? "*" : "", name,
                      json_string_value(json_object_get(context, "url")), auth);
    }
    ctl_table_print(table);
    ctl_table_destroy(table);
    return CTL_EXIT_OK;
}

int ctl_context_command(const ctl_args *args, FILE *out)
{
    const char *verb = ctl_args_word(args, 1);
    const char *name = ctl_args_word(args, 2);
    char err[512] = "";
    int rc = CTL_EXIT_USAGE;
    char *path = ctl_context_path();
    json_t *doc = path ? ctl_context_load(path, err, sizeof(err)) : NULL;
    bool save = false;
    if (!doc)
        goto done;
    if (!verb) {
        snprintf(err, sizeof(err), "config needs a verb: set-context, use-context, "
                 "get-contexts, current-context, delete-context");
    } else if (strcmp(verb, "get-contexts") == 0) {
        rc = ctl_contexts_print(args, doc, out);
    } else if (strcmp(verb, "current-context") == 0) {
        const char *current = json_string_value(json_object_get(doc, "current-context"));
        if (current) {
            fprintf(out, "%s\n", current);
            rc = CTL_EXIT_OK;
        } else {
            snprintf(err, sizeof(err), "no current context");
            rc = CTL_EXIT_NOT_FOUND;
        }
    } else if (!name) {
        snprintf(err, sizeof(err), "config %s needs a context name", verb);
    } else if (strcmp(verb, "set-context") == 0) {
        save = ctl_context_set(args, doc, name, err, sizeof(err)) == 0;
        if (!save)
            rc = CTL_EXIT_SERVER;
    } else if (strcmp(verb, "use-context") == 0 || strcmp(verb, "delete-context") == 0) {
        json_t *contexts = json_object_get(doc, "contexts");
        if (!json_object_get(contexts, name)) {
            snprintf(err, sizeof(err), "no context '%s'", name);
            rc = CTL_EXIT_NOT_FOUND;
        } else if (verb[0] == 'u') {
            save = json_object_set_new(doc, "current-context", json_string(name)) == 0;
        } else {
            const char *current = json_string_value(json_object_get(doc, "current-context"));
            if (current && strcmp(current, name) == 0)
                json_object_set_new(doc, "current-context", json_null());
            save = json_object_del(contexts, name) == 0;
        }
    } else {
        snprintf(err, sizeof(err), "unknown config verb '%s'", verb);
    }
    if (save) {
        rc = ctl_context_save(doc, err, sizeof(err)) == 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
        if (rc == CTL_EXIT_OK && args->format == CTL_FORMAT_TABLE)
            fprintf(out, "context %s: %s\n", name,
                    verb[0] == 's' ? "saved" : verb[0] == 'u' ? "in use" : "deleted");
    }
done:
    if (err[0])
        fprintf(stderr, "ferry ctl: %s\n", err);
    json_decref(doc);
    free(path);
    return rc;
}
