/*
 * plugin_registry.c - the plugin loader: discovery on plugin.path, dlopen, descriptor checks and
 * the name/alias index of connector types.
 */
#include "plugin/plugin_registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_validate.h"
#include "plugin/connector_describe.h"
#include "base/log.h"
#include "support/array.h"
#include "support/strlist.h"

/* A definition longer than this is taken as a missing terminator rather than a real config. */
#define CONFIG_DEFINITION_MAX_KEYS 1024
#define CONNECTOR_TYPES_MAX 256

struct plugin_registry {
    const ferry_host *host;
    registered_connector *connectors;
    size_t count;
    size_t capacity;
    const ferry_plugin **plugins; /* loaded descriptors, to recognise a module seen twice */
    size_t plugin_count;
    size_t plugin_capacity;
};

plugin_registry *plugin_registry_new(const ferry_host *host)
{
    plugin_registry *registry = calloc(1, sizeof(*registry));
    if (!registry)
        return NULL;
    registry->host = host;
    return registry;
}

void plugin_registry_destroy(plugin_registry *registry)
{
    if (!registry)
        return;
    for (size_t i = 0; i < registry->count; i++)
        free((char *)registry->connectors[i].path);
    free(registry->connectors);
    free(registry->plugins);
    free(registry);
}

/* ------------------------------------------------------------------------------------------ */
/* Descriptor checks                                                                          */

static bool config_type_is_numeric(ferry_config_type type)
{
    return type == FERRY_CONFIG_INT || type == FERRY_CONFIG_LONG || type == FERRY_CONFIG_DOUBLE;
}

/* A default must itself be a valid value, or every connector using the key would fail at start. */
static int config_default_check(const ferry_config_key *key, char *err, size_t errlen)
{
    config_errors *errors = config_errors_new();
    if (!errors)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = 0;
    if (config_value_check(key, key->default_value, errors) != 0) {
        ferry_error_set(err, errlen, "config key '%s': default '%s' is not a valid %s (%s)",
                        key->name, key->default_value, config_type_label(key->type),
                        config_errors_message_at(errors, 0));
        rc = -1;
    }
    config_errors_destroy(errors);
    return rc;
}

static int config_definition_check(const ferry_config_key *definition, char *err, size_t errlen)
{
    if (!definition)
        return 0;
    size_t count = 0;
    for (const ferry_config_key *key = definition; key->name; key++, count++) {
        if (count >= CONFIG_DEFINITION_MAX_KEYS) {
            ferry_error_set(err, errlen, "config definition has more than %d keys "
                            "(missing {.name = NULL} terminator?)", CONFIG_DEFINITION_MAX_KEYS);
            return -1;
        }
        if (!key->name[0]) {
            ferry_error_set(err, errlen, "config key #%zu has an empty name", count + 1);
            return -1;
        }
        if (!config_type_label(key->type)) {
            ferry_error_set(err, errlen, "config key '%s' has an unknown type %d", key->name,
                            (int)key->type);
            return -1;
        }
        if (key->importance < FERRY_IMPORTANCE_HIGH || key->importance > FERRY_IMPORTANCE_LOW) {
            ferry_error_set(err, errlen, "config key '%s' has an unknown importance %d", key->name,
                            (int)key->importance);
            return -1;
        }
        if (!key->documentation || !key->documentation[0]) {
            ferry_error_set(err, errlen, "config key '%s' has no documentation", key->name);
            return -1;
        }
        if ((key->has_min || key->has_max) && !config_type_is_numeric(key->type)) {
            ferry_error_set(err, errlen, "config key '%s' has bounds but type %s is not numeric",
                            key->name, config_type_label(key->type));
            return -1;
        }
        if (key->has_min && key->has_max && key->min > key->max) {
            ferry_error_set(err, errlen, "config key '%s' has min %g above max %g", key->name,
                            key->min, key->max);
            return -1;
        }
        if ((key->has_min && !isfinite(key->min)) || (key->has_max && !isfinite(key->max))) {
            ferry_error_set(err, errlen, "config key '%s' has a bound that is not finite",
                            key->name);
            return -1;
        }
        if (key->default_value && config_default_check(key, err, errlen) != 0)
            return -1;
        for (const ferry_config_key *earlier = definition; earlier != key; earlier++) {
            if (strcmp(earlier->name, key->name) == 0) {
                ferry_error_set(err, errlen, "config key '%s' is defined twice", key->name);
                return -1;
            }
        }
    }
    return 0;
}

/* Whether a type's descriptor reaches past field (the plugin was built against an ABI that has
 * it). */
#define CONNECTOR_TYPE_HAS(type, field) \
    ((type)->struct_size >= offsetof(ferry_connector_type, field) + sizeof((type)->field))

/* A connector type built against ABI 1.0 or 1.1 ends before flags. */
#define CONNECTOR_TYPE_SIZE_1_0 offsetof(ferry_connector_type, flags)

uint32_t connector_type_flags(const ferry_connector_type *type)
{
    if (!CONNECTOR_TYPE_HAS(type, flags))
        return 0;
    return type->flags;
}

ferry_alter_offsets_fn connector_type_alter_offsets(const ferry_connector_type *type)
{
    return CONNECTOR_TYPE_HAS(type, alter_offsets) ? type->alter_offsets : NULL;
}

char *connector_type_task_class(const ferry_connector_type *type)
{
    if (CONNECTOR_TYPE_HAS(type, task_class) && type->task_class && type->task_class[0])
        return strdup(type->task_class);
    char *name = NULL;
    return asprintf(&name, "%sTask", type->name) < 0 ? NULL : name;
}

static int connector_type_check(const ferry_connector_type *type, size_t index, char *err,
                                size_t errlen)
{
    if (type->struct_size < CONNECTOR_TYPE_SIZE_1_0) {
        ferry_error_set(err, errlen, "connector type #%zu has struct_size %zu, expected at "
                        "least %zu", index + 1, type->struct_size, CONNECTOR_TYPE_SIZE_1_0);
        return -1;
    }
    if (!type->name || !type->name[0]) {
        ferry_error_set(err, errlen, "connector type #%zu has no name", index + 1);
        return -1;
    }
    const char *name = type->name;
    if (type->kind != FERRY_CONNECTOR_SOURCE && type->kind != FERRY_CONNECTOR_SINK) {
        ferry_error_set(err, errlen, "connector type '%s' has an unknown kind %d", name,
                        (int)type->kind);
        return -1;
    }
    const ferry_connector_callbacks *connector = type->connector;
    if (!connector || !connector->start || !connector->task_configs || !connector->stop) {
        ferry_error_set(err, errlen, "connector type '%s' lacks a required connector callback "
                        "(%s)", name, !connector ? "connector" : !connector->start ? "start"
                        : !connector->task_configs ? "task_configs" : "stop");
        return -1;
    }
    if (type->kind == FERRY_CONNECTOR_SOURCE) {
        const ferry_source_task_callbacks *task = type->source_task;
        if (!task || !task->start || !task->poll || !task->stop) {
            ferry_error_set(err, errlen, "source connector type '%s' lacks a required source "
                            "task callback (%s)", name, !task ? "source_task" : !task->start
                            ? "start" : !task->poll ? "poll" : "stop");
            return -1;
        }
        if (type->sink_task) {
            ferry_error_set(err, errlen, "source connector type '%s' also has sink task "
                            "callbacks", name);
            return -1;
        }
    } else {
        const ferry_sink_task_callbacks *task = type->sink_task;
        if (!task || !task->start || !task->put || !task->flush || !task->stop) {
            ferry_error_set(err, errlen, "sink connector type '%s' lacks a required sink task "
                            "callback (%s)", name, !task ? "sink_task" : !task->start ? "start"
                            : !task->put ? "put" : !task->flush ? "flush" : "stop");
            return -1;
        }
        if (type->source_task) {
            ferry_error_set(err, errlen, "sink connector type '%s' also has source task "
                            "callbacks", name);
            return -1;
        }
    }
    if (type->aliases) {
        size_t n = 0;
        for (const char *const *alias = type->aliases; *alias; alias++, n++) {
            if (n >= CONNECTOR_TYPES_MAX || !(*alias)[0]) {
                ferry_error_set(err, errlen, "connector type '%s' has an empty alias or an "
                                "unterminated alias list", name);
                return -1;
            }
        }
    }
    char why[384];
    if (config_definition_check(type->config, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "connector type '%s': malformed config definition: %s",
                        name, why);
        return -1;
    }
    return 0;
}

int plugin_descriptor_check(const ferry_plugin *plugin, char *err, size_t errlen)
{
    if (!plugin) {
        ferry_error_set(err, errlen, "entry function returned no descriptor");
        return -1;
    }
    if (plugin->magic != FERRY_PLUGIN_MAGIC) {
        ferry_error_set(err, errlen, "wrong magic 0x%08x (expected 0x%08x): not a ferry plugin "
                        "or a corrupt descriptor", plugin->magic, FERRY_PLUGIN_MAGIC);
        return -1;
    }
    if (plugin->abi_major != FERRY_ABI_MAJOR) {
        ferry_error_set(err, errlen, "built for plugin ABI %u.%u, this worker speaks ABI %d.%d "
                        "(major versions must be equal): rebuild the plugin against this "
                        "ferry", plugin->abi_major, plugin->abi_minor, FERRY_ABI_MAJOR,
                        FERRY_ABI_MINOR);
        return -1;
    }
    if (plugin->abi_minor > FERRY_ABI_MINOR) {
        ferry_error_set(err, errlen, "built for plugin ABI %u.%u, newer than this worker's "
                        "%d.%d: upgrade ferry or use an older build of the plugin",
                        plugin->abi_major, plugin->abi_minor, FERRY_ABI_MAJOR, FERRY_ABI_MINOR);
        return -1;
    }
    if (plugin->struct_size < sizeof(ferry_plugin)) {
        ferry_error_set(err, errlen, "descriptor struct_size %u is smaller than %zu",
                        plugin->struct_size, sizeof(ferry_plugin));
        return -1;
    }
    if (!plugin->name || !plugin->name[0]) {
        ferry_error_set(err, errlen, "descriptor has no plugin name");
        return -1;
    }
    if (!plugin->version || !plugin->version[0]) {
        ferry_error_set(err, errlen, "plugin '%s' has no version", plugin->name);
        return -1;
    }
    if (!plugin->connectors || !plugin->connectors[0]) {
        ferry_error_set(err, errlen, "plugin '%s' declares no connector type", plugin->name);
        return -1;
    }
    for (size_t i = 0; plugin->connectors[i]; i++) {
        if (i >= CONNECTOR_TYPES_MAX) {
            ferry_error_set(err, errlen, "plugin '%s' has more than %d connector types "
                            "(unterminated list?)", plugin->name, CONNECTOR_TYPES_MAX);
            return -1;
        }
        if (connector_type_check(plugin->connectors[i], i, err, errlen) != 0)
            return -1;
        for (size_t j = 0; j < i; j++) {
            if (strcasecmp(plugin->connectors[j]->name, plugin->connectors[i]->name) == 0) {
                ferry_error_set(err, errlen, "plugin '%s' declares connector type '%s' twice",
                                plugin->name, plugin->connectors[i]->name);
                return -1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Name index                                                                                 */

static const registered_connector *find_exact(const plugin_registry *registry, const char *name,
                                              int (*compare)(const char *, const char *))
{
    for (size_t i = 0; i < registry->count; i++) {
        const ferry_connector_type *type = registry->connectors[i].type;
        if (compare(type->name, name) == 0)
            return &registry->connectors[i];
        for (const char *const *alias = type->aliases; alias && *alias; alias++)
            if (compare(*alias, name) == 0)
                return &registry->connectors[i];
    }
    return NULL;
}

const registered_connector *plugin_registry_find(const plugin_registry *registry,
                                                 const char *name)
{
    if (!registry || !name)
        return NULL;
    const registered_connector *found = find_exact(registry, name, strcmp);
    return found ? found : find_exact(registry, name, strcasecmp);
}

/* Names are compared without case: a user typing filesource must not reach a different type. */
static const char *name_taken(const plugin_registry *registry, const ferry_connector_type *type)
{
    if (find_exact(registry, type->name, strcasecmp))
        return type->name;
    for (const char *const *alias = type->aliases; alias && *alias; alias++)
        if (find_exact(registry, *alias, strcasecmp))
            return *alias;
    return NULL;
}

static int registered_connector_compare(const void *a, const void *b)
{
    const registered_connector *left = a, *right = b;
    return strcmp(left->type->name, right->type->name);
}

static int registry_add_plugin(plugin_registry *registry, const ferry_plugin *plugin,
                               const char *path, char *err, size_t errlen)
{
    size_t added = 0;
    for (const ferry_connector_type *const *type = plugin->connectors; *type; type++, added++) {
        const char *taken = name_taken(registry, *type);
        const registered_connector *owner = taken ? plugin_registry_find(registry, taken) : NULL;
        if (owner) {
            ferry_error_set(err, errlen, "connector name or alias '%s' is already used by "
                            "connector type '%s' from %s", taken, owner->type->name, owner->path);
            return -1;
        }
    }
    if (array_reserve(&registry->connectors, &registry->capacity, registry->count + added,
                      sizeof(*registry->connectors)) != 0 ||
        array_reserve(&registry->plugins, &registry->plugin_capacity, registry->plugin_count + 1,
                      sizeof(*registry->plugins)) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    size_t first = registry->count;
    for (const ferry_connector_type *const *type = plugin->connectors; *type; type++) {
        char *path_copy = strdup(path);
        if (!path_copy) {
            for (size_t i = first; i < registry->count; i++)
                free((char *)registry->connectors[i].path);
            registry->count = first;
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
        registry->connectors[registry->count++] = (registered_connector){
            .type = *type, .plugin = plugin, .path = path_copy};
    }
    registry->plugins[registry->plugin_count++] = plugin;
    qsort(registry->connectors, registry->count, sizeof(*registry->connectors),
          registered_connector_compare);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                    */

int plugin_registry_load_file(plugin_registry *registry, const char *path, char *err,
                              size_t errlen)
{
    dlerror();
    /* RTLD_LOCAL keeps one plugin's symbols from satisfying another's; the handle is never
     * closed because descriptors and callbacks point into the module. */
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        ferry_error_set(err, errlen, "cannot be loaded: %s", why ? why : "unknown dlopen error");
        return -1;
    }
    dlerror();
    void *symbol = dlsym(handle, FERRY_PLUGIN_ENTRY_SYMBOL);
    if (!symbol) {
        ferry_error_set(err, errlen, "no entry symbol '%s': not a ferry plugin",
                        FERRY_PLUGIN_ENTRY_SYMBOL);
        return -1;
    }
    ferry_plugin_entry_fn entry;
    /* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
    memcpy(&entry, &symbol, sizeof(entry));
    const ferry_plugin *plugin = entry(registry->host);
    for (size_t i = 0; i < registry->plugin_count; i++)
        if (registry->plugins[i] == plugin)
            return 1;
    if (plugin_descriptor_check(plugin, err, errlen) != 0)
        return -1;
    return registry_add_plugin(registry, plugin, path, err, errlen);
}

static bool has_module_suffix(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && strcmp(name + len - 3, ".so") == 0;
}

static int string_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the *.so regular files of dir and, when depth allows, of its subdirectories to paths,
 * sorted so that loading order (and so which duplicate wins) is the same on every start. */
static int module_paths_collect(const char *dir, int depth, strlist *paths)
{
    DIR *stream = opendir(dir);
    if (!stream)
        return -1;
    strlist names = {0};
    struct dirent *entry;
    while ((entry = readdir(stream))) {
        if (entry->d_name[0] == '.')
            continue;
        if (strlist_append(&names, entry->d_name, (size_t)-1) != 0)
            break;
    }
    closedir(stream);
    if (names.count)
        qsort(names.items, names.count, sizeof(*names.items), string_compare);
    for (size_t i = 0; i < names.count; i++) {
        char *full = NULL;
        struct stat st;
        if (asprintf(&full, "%s/%s", dir, names.items[i]) < 0)
            continue;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0)
            module_paths_collect(full, depth - 1, paths);
        else if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && has_module_suffix(names.items[i]))
            strlist_append(paths, full, (size_t)-1);
        free(full);
    }
    strlist_free(&names);
    return 0;
}

size_t plugin_registry_load_path(plugin_registry *registry, const char *path_list)
{
    size_t loaded = 0;
    strlist dirs = {0};
    if (strlist_split(&dirs, path_list, ',') != 0) {
        log_error("plugins", "out of memory reading plugin.path");
        strlist_free(&dirs);
        return 0;
    }
    for (size_t d = 0; d < dirs.count; d++) {
        strlist paths = {0};
        if (module_paths_collect(dirs.items[d], 1, &paths) != 0) {
            log_warn("plugins", "plugin.path directory %s cannot be read: %s", dirs.items[d],
                     strerror(errno));
            continue;
        }
        for (size_t i = 0; i < paths.count; i++) {
            char why[512];
            int rc = plugin_registry_load_file(registry, paths.items[i], why, sizeof(why));
            if (rc < 0)
                log_error("plugins", "refused plugin %s: %s", paths.items[i], why);
            else if (rc == 0)
                loaded++;
        }
        strlist_free(&paths);
    }
    strlist_free(&dirs);
    return loaded;
}

size_t plugin_registry_count(const plugin_registry *registry)
{
    return registry ? registry->count : 0;
}

const registered_connector *plugin_registry_at(const plugin_registry *registry, size_t index)
{
    return registry && index < registry->count ? &registry->connectors[index] : NULL;
}

char *plugin_registry_default_path(void)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char *candidate = NULL;
            struct stat st;
            if (asprintf(&candidate, "%s/../plugins", exe) >= 0) {
                char resolved[PATH_MAX];
                if (stat(candidate, &st) == 0 && S_ISDIR(st.st_mode) &&
                    realpath(candidate, resolved)) {
                    free(candidate);
                    return strdup(resolved);
                }
                free(candidate);
            }
        }
    }
    return strdup(FERRY_PLUGIN_DIR);
}
