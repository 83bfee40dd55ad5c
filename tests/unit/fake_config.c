/* See fake_config.h. */
#include "fake_config.h"

#include <stdlib.h>

#include "config/config_map.h"

static ferry_config *fake_config_from_map(const ferry_config_key *definition, config_map *map)
{
    const ferry_config_key *const defs[] = {definition};
    ferry_config *config = map ? ferry_config_new(map, defs, 1) : NULL;
    config_map_destroy(map);
    if (!config)
        abort();
    return config;
}

ferry_config *fake_config_pairs(const ferry_config_key *definition, const char *key, va_list ap)
{
    config_map *map = config_map_new();
    for (const char *k = key; k && map; k = va_arg(ap, const char *))
        if (config_map_set(map, k, va_arg(ap, const char *)) != 0)
            abort();
    return fake_config_from_map(definition, map);
}

ferry_config *fake_config_json(const ferry_config_key *definition, json_t *values)
{
    config_map *map = config_map_new();
    char err[256];
    if (!map || config_map_set_from_json(map, values, err, sizeof(err)) != 0)
        abort();
    return fake_config_from_map(definition, map);
}
