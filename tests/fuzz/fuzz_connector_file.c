/*
 * fuzz_connector_file.c - connector_file_load (config/connector_file.c) on any file content:
 * JSON ({"name","config"} or a flat map) or .properties, chosen by content as on the command
 * line. The bytes go through a memfd so that the production reader runs, not a copy of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "config/connector_file.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    char err[512];

    if (fd < 0) {
        fd = memfd_create("fuzz_connector_file", 0);
        fuzz_check(fd >= 0, "memfd_create");
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    fuzz_check(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "write");

    config_map *map = connector_file_load(path, err, sizeof(err));
    if (map)
        fuzz_check(config_map_get(map, "name") != NULL, "a loaded config has a name");
    else
        fuzz_check(err[0] != '\0', "a refused file has a message");
    config_map_destroy(map);
    return 0;
}
