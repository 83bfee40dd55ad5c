/*
 * ctl_args.c - parsing `ferry ctl`'s command line: long options with a value as
 * "--name value" or "--name=value", a few short ones, flags, and the words left over.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ctl/ctl_args.h"

typedef enum ctl_option_kind { CTL_VALUE, CTL_FLAG, CTL_UNSET } ctl_option_kind;

static const struct ctl_option {
    const char *name;
    char short_name;
    ctl_option_kind kind;
    size_t offset;
} ctl_options[] = {
    {"url", 0, CTL_VALUE, offsetof(ctl_args, url)},
    {"context", 0, CTL_VALUE, offsetof(ctl_args, context)},
    {"user", 'u', CTL_VALUE, offsetof(ctl_args, user)},
    {"password-file", 0, CTL_VALUE, offsetof(ctl_args, password_file)},
    {"token-file", 0, CTL_VALUE, offsetof(ctl_args, token_file)},
    {"cacert", 0, CTL_VALUE, offsetof(ctl_args, cacert)},
    {"cert", 0, CTL_VALUE, offsetof(ctl_args, cert)},
    {"key", 0, CTL_VALUE, offsetof(ctl_args, key)},
    {"insecure", 'k', CTL_FLAG, offsetof(ctl_args, insecure)},
    {"output", 'o', CTL_VALUE, offsetof(ctl_args, output)},
    {"help", 'h', CTL_FLAG, offsetof(ctl_args, help)},
    {"file", 'f', CTL_VALUE, offsetof(ctl_args, file)},
    {"scope", 0, CTL_VALUE, offsetof(ctl_args, scope)},
    {"task", 't', CTL_VALUE, offsetof(ctl_args, task)},
    {"dry-run", 0, CTL_FLAG, offsetof(ctl_args, dry_run)},
    {"include-tasks", 0, CTL_FLAG, offsetof(ctl_args, include_tasks)},
    {"only-failed", 0, CTL_FLAG, offsetof(ctl_args, only_failed)},
    {"unset", 0, CTL_UNSET, 0},
};
#define CTL_OPTION_COUNT (sizeof(ctl_options) / sizeof(ctl_options[0]))

static const struct ctl_option *ctl_option_find(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    if (arg[1] != '-') {
        for (size_t i = 0; i < CTL_OPTION_COUNT; i++)
            if (arg[1] == ctl_options[i].short_name && arg[2] == '\0')
                return &ctl_options[i];
        return NULL;
    }
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    for (size_t i = 0; i < CTL_OPTION_COUNT; i++) {
        if (strlen(ctl_options[i].name) == len && strncmp(ctl_options[i].name, name, len) == 0) {
            if (name[len] == '=')
                *inline_value = name + len + 1;
            return &ctl_options[i];
        }
    }
    return NULL;
}

static int ctl_format_parse(ctl_args *args, char *err, size_t errlen)
{
    if (!args->output || strcmp(args->output, "table") == 0 || strcmp(args->output, "wide") == 0)
        args->format = CTL_FORMAT_TABLE;
    else if (strcmp(args->output, "json") == 0)
        args->format = CTL_FORMAT_JSON;
    else if (strcmp(args->output, "yaml") == 0)
        args->format = CTL_FORMAT_YAML;
    else {
        snprintf(err, errlen, "--output '%s' is not one of table, json, yaml", args->output);
        return -1;
    }
    return 0;
}

int ctl_args_parse(int argc, char **argv, ctl_args *args, char *err, size_t errlen)
{
    memset(args, 0, sizeof(*args));
    bool words_only = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!words_only && strcmp(arg, "--") == 0) {
            words_only = true;
            continue;
        }
        if (words_only || arg[0] != '-' || arg[1] == '\0') {
            if (args->count == CTL_MAX_WORDS) {
                snprintf(err, errlen, "too many arguments (at most %d)", CTL_MAX_WORDS);
                return -1;
            }
            args->words[args->count++] = arg;
            continue;
        }
        const char *value = NULL;
        const struct ctl_option *option = ctl_option_find(arg, &value);
        if (!option) {
            snprintf(err, errlen, "unknown option '%s' (see ferry ctl --help)", arg);
            return -1;
        }
        if (option->kind == CTL_FLAG) {
            if (value) {
                snprintf(err, errlen, "option '--%s' takes no value", option->name);
                return -1;
            }
            *(bool *)((char *)args + option->offset) = true;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "option '%s' needs a value", arg);
                return -1;
            }
            value = argv[++i];
        }
        if (option->kind == CTL_UNSET) {
            if (args->unset_count == CTL_MAX_WORDS) {
                snprintf(err, errlen, "too many --unset (at most %d)", CTL_MAX_WORDS);
                return -1;
            }
            args->unset[args->unset_count++] = value;
        } else {
            *(const char **)((char *)args + option->offset) = value;
        }
    }
    return ctl_format_parse(args, err, errlen);
}

const char *ctl_args_word(const ctl_args *args, int i)
{
    return i >= 0 && i < args->count ? args->words[i] : NULL;
}
