/*
 * config_provider.c - resolves ${env:NAME} and ${file:PATH:KEY} in config values, as Kafka
 * Connect's EnvVarConfigProvider and FileConfigProvider do, minus their setup: both are always on.
 *
 * Syntax, following Kafka's ConfigTransformer pattern \$\{([^}]*?):(([^}]*?):)?([^}]*?)\}:
 *   - a variable runs from "${" to the first "}"; the provider is what comes before its first
 *     ':'. "${...}" with no ':' inside is not a variable and is kept as it is, so templates such
 *     as TimestampRouter's "${topic}-${timestamp}" pass through untouched;
 *   - ${file:PATH:KEY} splits at the first ':' after "file:": PATH may not contain ':', KEY may.
 *     PATH is a .properties file, KEY one of its keys;
 *   - "$${" stands for a literal "${" (Kafka has no escape; this one is ferry's). Only that
 *     sequence is an escape ("$$" elsewhere stays "$$"), so a '$' cannot be written right before a
 *     variable: "$${env:X}" is the literal text; put such a '$' into the variable's value instead.
 * Where ferry is stricter than Kafka: a variable that cannot be resolved is an error naming the
 * config key and the variable, where Kafka silently leaves the text in place.
 */
#include "config/config_provider.h"

#include "config/config_cipher.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "config/config_validate.h"
#include "config/properties.h"
#include "support/array.h"
#include "support/strbuf.h"

#define CONFIG_PROVIDERS_ALLOWED_PATHS "config.providers.file.param.allowed.paths"

struct config_providers {
    char **allowed_paths; /* absolute directories as configured; NULL = no restriction */
};

config_providers *config_providers_new(const config_map *worker_config, char *err, size_t errlen)
{
    config_providers *providers = calloc(1, sizeof(*providers));
    if (!providers) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    const char *allowed = config_map_get(worker_config, CONFIG_PROVIDERS_ALLOWED_PATHS);
    if (!allowed || allowed[strspn(allowed, " \t\r\n\f\v")] == '\0')
        return providers; /* as in Kafka, an empty setting means no restriction */

    providers->allowed_paths = config_value_split_list(allowed);
    if (!providers->allowed_paths) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    if (!providers->allowed_paths[0]) {
        ferry_error_set(err, errlen, "Invalid value '%s' for configuration %s: expected "
                        "comma-separated absolute directories", allowed,
                        CONFIG_PROVIDERS_ALLOWED_PATHS);
        goto fail;
    }
    for (size_t i = 0; providers->allowed_paths[i]; i++) {
        if (providers->allowed_paths[i][0] != '/') {
            ferry_error_set(err, errlen,
                            "Invalid value '%s' for configuration %s: '%s' is not an absolute "
                            "path",
                            allowed, CONFIG_PROVIDERS_ALLOWED_PATHS, providers->allowed_paths[i]);
            goto fail;
        }
    }
    return providers;

fail:
    config_providers_destroy(providers);
    return NULL;
}

void config_providers_destroy(config_providers *providers)
{
    if (!providers)
        return;
    config_list_free(providers->allowed_paths);
    free(providers);
}

/* ------------------------------------------------------------------------------------------ */

/* The files read during one resolve call, by real path, so that several keys of one secrets
 * file cost one read. */
typedef struct provider_file {
    char *real_path;
    config_map *values;
} provider_file;

typedef struct provider_files {
    provider_file *items;
    size_t count;
    size_t cap;
} provider_files;

static void provider_files_free(provider_files *files)
{
    for (size_t i = 0; i < files->count; i++) {
        free(files->items[i].real_path);
        config_map_destroy(files->items[i].values);
    }
    free(files->items);
}

/* True when real_path lies inside one of the allowed directories (compared after realpath on
 * both sides, so neither ".." nor a symlink leads out). */
static bool provider_path_allowed(const config_providers *providers, const char *real_path)
{
    if (!providers || !providers->allowed_paths)
        return true;
    for (size_t i = 0; providers->allowed_paths[i]; i++) {
        char *dir = realpath(providers->allowed_paths[i], NULL);
        if (!dir)
            continue; /* a directory that does not exist (yet) holds nothing */
        size_t dir_len = strlen(dir);
        bool inside = strcmp(dir, "/") == 0 ||
                      (strncmp(real_path, dir, dir_len) == 0 &&
                       (real_path[dir_len] == '/' || real_path[dir_len] == '\0'));
        free(dir);
        if (inside)
            return true;
    }
    return false;
}

/* The values of the .properties file at path, read once per resolve call; NULL with why in
 * reason (which never holds file content). */
static const config_map *provider_file_values(const config_providers *providers,
                                              provider_files *files, const char *path,
                                              char *reason, size_t reasonlen)
{
    char *real_path = realpath(path, NULL);
    config_map *values = NULL;

    if (!real_path) {
        ferry_error_set(reason, reasonlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (size_t i = 0; i < files->count; i++) {
        if (strcmp(files->items[i].real_path, real_path) == 0) {
            free(real_path);
            return files->items[i].values;
        }
    }
    if (!provider_path_allowed(providers, real_path)) {
        ferry_error_set(reason, reasonlen, "%s is outside the directories allowed by %s", path,
                        CONFIG_PROVIDERS_ALLOWED_PATHS);
        goto fail;
    }
    values = config_map_new();
    if (!values) {
        ferry_error_set(reason, reasonlen, "out of memory");
        goto fail;
    }
    /* The checked path is the one opened: a symlink swapped in between cannot lead out. */
    if (properties_parse_file(real_path, values, reason, reasonlen) != 0)
        goto fail;
    if (array_reserve(&files->items, &files->cap, files->count + 1, sizeof(*files->items)) != 0) {
        ferry_error_set(reason, reasonlen, "out of memory");
        goto fail;
    }
    files->items[files->count].real_path = real_path;
    files->items[files->count].values = values;
    files->count++;
    return values;

fail:
    free(real_path);
    config_map_destroy(values);
    return NULL;
}

/* Resolves one variable, the text between "${" and "}" (provider:rest, no '}' in it), appending
 * its value to out. Returns 0, or -1 with why in reason. */
static int provider_resolve_variable(const config_providers *providers, provider_files *files,
                                     const char *provider, size_t provider_len, const char *rest,
                                     strbuf *out, char *reason, size_t reasonlen)
{
    if (provider_len == 3 && memcmp(provider, "env", 3) == 0) {
        const char *value = getenv(rest);
        if (!value) {
            ferry_error_set(reason, reasonlen, "environment variable %s is not set", rest);
            return -1;
        }
        strbuf_append_str(out, value);
        return 0;
    }

    if (provider_len == 4 && memcmp(provider, "file", 4) == 0) {
        const char *colon = strchr(rest, ':');
        if (!colon || colon == rest || colon[1] == '\0') {
            ferry_error_set(reason, reasonlen, "expected ${file:PATH:KEY}");
            return -1;
        }
        char *path = strndup(rest, (size_t)(colon - rest));
        if (!path)
            goto out_of_memory;
        const char *key = colon + 1;
        const config_map *values = provider_file_values(providers, files, path, reason,
                                                        reasonlen);
        if (!values) {
            free(path);
            return -1;
        }
        const char *value = config_map_get(values, key);
        if (!value) {
            ferry_error_set(reason, reasonlen, "%s has no key \"%s\"", path, key);
            free(path);
            return -1;
        }
        free(path);
        strbuf_append_str(out, value);
        return 0;
    }

    ferry_error_set(reason, reasonlen, "unknown config provider \"%.*s\" (expected env or file)",
                    (int)provider_len, provider);
    return -1;

out_of_memory:
    ferry_error_set(reason, reasonlen, "out of memory");
    return -1;
}

/* The value of config key with every variable replaced, or NULL with err set. */
static char *provider_resolve_value(const config_providers *providers, provider_files *files,
                                    const char *key, const char *value, char *err, size_t errlen)
{
    strbuf out = {0}; /* running out of memory is checked once, at the end */
    char reason[1024];
    char *variable = NULL;
    const char *p = value;

    while (*p) {
        if (strncmp(p, "$${", 3) == 0) {
            strbuf_append_literal(&out, "${");
            p += 3;
            continue;
        }
        if (strncmp(p, "${", 2) != 0) {
            const char *next = strchr(p + 1, '$');
            size_t len = next ? (size_t)(next - p) : strlen(p);
            strbuf_append(&out, p, len);
            p += len;
            continue;
        }

        const char *close = strchr(p + 2, '}');
        if (!close) {
            /* The text after "${" may be a literal secret: name the position, not the text. */
            ferry_error_set(err, errlen,
                            "config \"%s\": unterminated \"${\" at offset %zu (no closing \"}\")",
                            key, (size_t)(p - value));
            goto fail;
        }
        const char *colon = memchr(p + 2, ':', (size_t)(close - (p + 2)));
        if (!colon) {
            strbuf_append(&out, p, (size_t)(close + 1 - p));
            p = close + 1;
            continue;
        }
        variable = strndup(p, (size_t)(close + 1 - p));
        char *rest = strndup(colon + 1, (size_t)(close - (colon + 1)));
        if (!variable || !rest) {
            free(rest);
            goto out_of_memory;
        }
        int resolved = provider_resolve_variable(providers, files, p + 2,
                                                 (size_t)(colon - (p + 2)), rest, &out, reason,
                                                 sizeof(reason));
        free(rest);
        if (resolved != 0) {
            ferry_error_set(err, errlen, "config \"%s\": cannot resolve %s: %s", key, variable,
                            reason);
            goto fail;
        }
        free(variable);
        variable = NULL;
        p = close + 1;
    }
    char *text = strbuf_take(&out, NULL);
    if (text)
        return text;

out_of_memory:
    ferry_error_set(err, errlen, "config \"%s\": out of memory", key);
fail:
    free(variable);
    strbuf_free(&out);
    return NULL;
}

config_map *config_providers_resolve(const config_providers *providers, const config_map *in,
                                     char *err, size_t errlen)
{
    provider_files files = {0};
    config_map *out = NULL;
    char *resolved = NULL;

    /* A value of the configs topic that could not be decrypted is never used as a secret. */
    if (config_cipher_unreadable(in, err, errlen) != 0)
        goto fail;
    out = config_map_new();
    if (!out) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < config_map_count(in); i++) {
        const char *key = config_map_key_at(in, i);
        const char *value = config_map_value_at(in, i);
        if (!strstr(value, "${")) {
            if (config_map_set(out, key, value) != 0) {
                ferry_error_set(err, errlen, "out of memory");
                goto fail;
            }
            continue;
        }
        resolved = provider_resolve_value(providers, &files, key, value, err, errlen);
        if (!resolved)
            goto fail;
        if (config_map_set(out, key, resolved) != 0) {
            ferry_error_set(err, errlen, "out of memory");
            goto fail;
        }
        free(resolved);
        resolved = NULL;
    }
    provider_files_free(&files);
    return out;

fail:
    free(resolved);
    config_map_destroy(out);
    provider_files_free(&files);
    return NULL;
}
