/*
 * fuzz_properties.c - properties_parse (config/properties.c) on any bytes: worker configs and
 * connector .properties files come from users and from other tools' output.
 */
#include <stdio.h>
#include <stdlib.h>
#include "config/properties.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    config_map *map = config_map_new();
    if (!map)
        return 0;
    properties_parse((const char *)data, size, map, err, sizeof(err));
    /* Every entry read is a NUL-terminated key and value. */
    for (size_t i = 0; i < config_map_count(map); i++)
        fuzz_check(config_map_key_at(map, i) && config_map_value_at(map, i), "entry %zu", i);
    config_map_destroy(map);
    return 0;
}
