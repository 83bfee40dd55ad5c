/*
 * plugins_command.c - the `ferry plugins` listing, as text for people or JSON for scripts.
 */
#include "cli/plugins_command.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "plugin/connector_describe.h"
#include "plugin/host_services.h"
#include "plugin/plugin_registry.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: ferry plugins [--plugin-path DIR[,DIR...]] [--json]\n");
}

/* Prints text indented by `indent`, wrapped at about 100 columns on spaces. */
static void print_wrapped(FILE *out, const char *text, int indent)
{
    const int width = 100 - indent;
    while (*text) {
        int len = (int)strlen(text);
        int take = len;
        if (len > width) {
            take = width;
            while (take > 0 && text[take] != ' ')
                take--;
            if (take == 0)
                take = width;
        }
        fprintf(out, "%*s%.*s\n", indent, "", take, text);
        text += take;
        while (*text == ' ')
            text++;
    }
}

/* Bounds are doubles in the ABI; show whole numbers as such (3600000, not 3.6e+06). */
static void print_number(FILE *out, double value)
{
    if (value > -1e15 && value < 1e15 && value == (double)(long long)value)
        fprintf(out, "%lld", (long long)value);
    else
        fprintf(out, "%g", value);
}

static void print_connector_text(FILE *out, const registered_connector *connector)
{
    const ferry_connector_type *type = connector->type;
    fprintf(out, "%s (%s connector, plugin %s %s)\n", type->name, connector_kind_name(type->kind),
            connector->plugin->name, connector->plugin->version);
    if (type->aliases && type->aliases[0]) {
        fprintf(out, "  aliases: ");
        for (const char *const *alias = type->aliases; *alias; alias++)
            fprintf(out, "%s%s", *alias, alias[1] ? ", " : "\n");
    }
    fprintf(out, "  module:  %s\n", connector->path);
    if (type->description)
        print_wrapped(out, type->description, 2);
    fprintf(out, "  config keys:\n");
    if (!type->config || !type->config->name)
        fprintf(out, "    (none)\n");
    for (const ferry_config_key *key = type->config; key && key->name; key++) {
        bool hidden = key->sensitive || key->type == FERRY_CONFIG_PASSWORD;
        fprintf(out, "    %s  %s", key->name, config_type_label(key->type));
        if (key->required)
            fprintf(out, "  required");
        if (key->default_value)
            fprintf(out, "  default: %s",
                    hidden ? "[hidden]" : key->default_value[0] ? key->default_value : "\"\"");
        if (key->allowed_values) {
            fprintf(out, "  one of: ");
            for (const char *const *value = key->allowed_values; *value; value++)
                fprintf(out, "%s%s", *value, value[1] ? "|" : "");
        }
        if (key->has_min || key->has_max) {
            fprintf(out, "  range: [");
            if (key->has_min)
                print_number(out, key->min);
            fprintf(out, "..");
            if (key->has_max)
                print_number(out, key->max);
            fprintf(out, "]");
        }
        if (hidden)
            fprintf(out, "  sensitive");
        fprintf(out, "  importance: %s\n", config_importance_label(key->importance));
        print_wrapped(out, key->documentation, 8);
    }
}

int plugins_command_run(int argc, char **argv, FILE *out)
{
    static const struct option options[] = {
        {"plugin-path", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *plugin_path = NULL;
    bool as_json = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "p:jh", options, NULL)) != -1) {
        switch (option) {
        case 'p': plugin_path = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(out); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ferry plugins: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    char *default_path = plugin_path ? NULL : plugin_registry_default_path();
    if (!plugin_path)
        plugin_path = default_path;
    int status = 1;
    plugin_registry *registry = plugin_registry_new(host_services());
    if (!registry || !plugin_path)
        goto done;
    plugin_registry_load_path(registry, plugin_path);
    size_t count = plugin_registry_count(registry);

    if (as_json) {
        json_t *list = json_array();
        for (size_t i = 0; i < count; i++) {
            const registered_connector *connector = plugin_registry_at(registry, i);
            json_t *described = connector_plugin_describe(connector);
            json_object_set_new(described, "plugin", json_string(connector->plugin->name));
            json_object_set_new(described, "module", json_string(connector->path));
            json_object_set_new(described, "description",
                                json_string(connector->type->description
                                                ? connector->type->description : ""));
            json_object_set_new(described, "config",
                                config_definition_describe(connector->type->config));
            json_array_append_new(list, described);
        }
        json_dumpf(list, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', out);
        json_decref(list);
    } else {
        fprintf(out, "plugin.path: %s\n", plugin_path);
        if (count == 0)
            fprintf(out, "no connector plugins found\n");
        for (size_t i = 0; i < count; i++) {
            fputc('\n', out);
            print_connector_text(out, plugin_registry_at(registry, i));
        }
    }
    status = 0;
done:
    plugin_registry_destroy(registry);
    free(default_path);
    return status;
}
