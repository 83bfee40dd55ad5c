/*
 * plugin_registry.h - finds, loads and checks connector plugins, and answers "which connector
 * type is this connector.class?". Modules are opened with RTLD_NOW | RTLD_LOCAL and never closed:
 * the registry owns only its bookkeeping, the descriptors live as long as the process.
 *
 * A module is refused, with one log line naming the file and the reason, when it cannot be opened,
 * lacks the entry symbol, returns no descriptor, has a wrong magic, another ABI major, a newer ABI
 * minor, a too-small descriptor, a missing required callback, a malformed config definition, or a
 * connector name or alias that another loaded connector type already uses. Loading goes on with
 * the other modules.
 */
#ifndef FERRY_PLUGIN_REGISTRY_H
#define FERRY_PLUGIN_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

typedef struct plugin_registry plugin_registry;

/* One connector type and the plugin it came from; owned by the registry. */
typedef struct registered_connector {
    const ferry_connector_type *type;
    const ferry_plugin *plugin;
    const char *path; /* the module file */
} registered_connector;

plugin_registry *plugin_registry_new(const ferry_host *host);
void plugin_registry_destroy(plugin_registry *registry); /* accepts NULL; never dlcloses */

/* Examines every shared module (*.so) in each directory of a comma-separated list, and in each of
 * their subdirectories. Refusals and unreadable directories are logged. Returns the number of
 * modules loaded by this call. */
size_t plugin_registry_load_path(plugin_registry *registry, const char *path_list);

/* Loads one module. Returns 0, 1 when the module was already loaded (nothing added), or -1 with
 * the reason in err (the caller decides how to report it). */
int plugin_registry_load_file(plugin_registry *registry, const char *path, char *err,
                              size_t errlen);

/* Checks a descriptor as the loader does, without loading anything: 0, or -1 with the reason. */
int plugin_descriptor_check(const ferry_plugin *plugin, char *err, size_t errlen);

/* A connector type's FERRY_SINK_* flags: 0 for a type built against ABI 1.0 or 1.1, whose
 * descriptor ends before the field. */
uint32_t connector_type_flags(const ferry_connector_type *type);

/* A connector type's alter_offsets callback: NULL when it has none (built before ABI 1.4). */
typedef ferry_status (*ferry_alter_offsets_fn)(const ferry_config *config,
                                               const ferry_source_offset *offsets, size_t count,
                                               char *err, size_t errlen);
ferry_alter_offsets_fn connector_type_alter_offsets(const ferry_connector_type *type);
/* The task class written as "task.class" into its task configs: the type's task_class, or its
 * name with "Task" appended (malloc'd; NULL when out of memory). */
char *connector_type_task_class(const ferry_connector_type *type);

/* By connector type name or alias, exact match first, then case-insensitive; NULL if none.
 * Kafka Connect also accepts a class's simple name with or without "Connector" (FileStreamSource,
 * FileStreamSourceConnector), which aliases cover. */
const registered_connector *plugin_registry_find(const plugin_registry *registry,
                                                 const char *name);

/* Connector types, sorted by name. */
size_t plugin_registry_count(const plugin_registry *registry);
const registered_connector *plugin_registry_at(const plugin_registry *registry, size_t index);

/* The default plugin.path: the build tree's plugins directory when the binary runs from the build
 * tree (<dir of the executable>/../plugins), else the installed plugin directory. Caller frees. */
char *plugin_registry_default_path(void);

#endif
