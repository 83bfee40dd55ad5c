/*
 * ctl_yaml.c - a small YAML emitter for jansson values (`ferry ctl -o yaml`): block mappings and
 * sequences, scalars plain where YAML 1.2 and 1.1 readers both read them back as the same string,
 * double-quoted (with JSON's escapes, which YAML shares) everywhere else.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "ctl/ctl_output.h"

/* Words YAML 1.1 reads as booleans or null, whatever their case. */
static const char *const ctl_yaml_reserved[] = {"true", "false", "yes", "no", "on", "off", "y",
                                                "n", "null", "~", ""};

static bool ctl_yaml_plain(const char *text)
{
    for (size_t i = 0; i < sizeof(ctl_yaml_reserved) / sizeof(ctl_yaml_reserved[0]); i++)
        if (strcasecmp(text, ctl_yaml_reserved[i]) == 0)
            return false;
    /* Anything a reader could take for a number, or that starts with an indicator. */
    if (isdigit((unsigned char)text[0]) || strchr("-+.!&*?|>'\"%@`#,[]{}: ", text[0]))
        return false;
    size_t len = strlen(text);
    if (text[len - 1] == ' ' || text[len - 1] == ':')
        return false;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c < 0x20 || *c == 0x7f || (*c == ':' && c[1] == ' ') || (*c == ' ' && c[1] == '#'))
            return false;
    }
    return true;
}

static void ctl_yaml_string(const char *text, FILE *out)
{
    if (ctl_yaml_plain(text)) {
        fputs(text, out);
        return;
    }
    json_t *string = json_string(text);
    if (string)
        json_dumpf(string, out, JSON_ENCODE_ANY);
    json_decref(string);
}

static bool ctl_yaml_is_block(const json_t *value)
{
    return (json_is_object(value) && json_object_size(value) > 0) ||
           (json_is_array(value) && json_array_size(value) > 0);
}

static void ctl_yaml_scalar(const json_t *value, FILE *out)
{
    if (json_is_string(value))
        ctl_yaml_string(json_string_value(value), out);
    else if (json_is_object(value))
        fputs("{}", out);
    else if (json_is_array(value))
        fputs("[]", out);
    else if (!value || json_is_null(value))
        fputs("null", out);
    else
        json_dumpf(value, out, JSON_ENCODE_ANY);
}

static void ctl_yaml_node(const json_t *value, int indent, FILE *out);

/* After "key:" or "-": a scalar on the same line, a block on the next ones. */
static void ctl_yaml_child(const json_t *value, int indent, bool in_sequence, FILE *out)
{
    if (!ctl_yaml_is_block(value)) {
        fputc(' ', out);
        ctl_yaml_scalar(value, out);
        fputc('\n', out);
    } else if (in_sequence && json_is_object(value)) {
        /* "- key: value" with the mapping's other keys under the first. */
        fputc(' ', out);
        ctl_yaml_node(value, -(indent + 2), out);
    } else {
        fputc('\n', out);
        ctl_yaml_node(value, indent + 2, out);
    }
}

/* A negative indent: the first line continues the current one (after "- "). */
static void ctl_yaml_node(const json_t *value, int indent, FILE *out)
{
    bool first = true;
    int width = indent < 0 ? -indent : indent;
    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)value, key, member) {
            fprintf(out, "%*s", first && indent < 0 ? 0 : width, "");
            first = false;
            ctl_yaml_string(key, out);
            fputc(':', out);
            ctl_yaml_child(member, width, false, out);
        }
    } else if (json_is_array(value)) {
        size_t i;
        json_t *member;
        json_array_foreach(value, i, member) {
            fprintf(out, "%*s-", first && indent < 0 ? 0 : width, "");
            first = false;
            ctl_yaml_child(member, width, true, out);
        }
    } else {
        ctl_yaml_scalar(value, out);
        fputc('\n', out);
    }
}

void ctl_yaml_write(const json_t *value, FILE *out)
{
    if (ctl_yaml_is_block(value))
        ctl_yaml_node(value, 0, out);
    else {
        ctl_yaml_scalar(value, out);
        fputc('\n', out);
    }
}
