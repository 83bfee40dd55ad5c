/*
 * task_name.c - parsing Kafka Connect's task names.
 */
#include "support/task_name.h"

#include <string.h>

bool task_name_parse(const char *name, size_t *connector_len, uint32_t *number)
{
    const char *dash = strrchr(name, '-');
    if (!dash || dash == name || dash[1] == '\0' || (dash[1] == '0' && dash[2] != '\0'))
        return false;
    uint64_t value = 0;
    for (const char *digit = dash + 1; *digit; digit++) {
        if (*digit < '0' || *digit > '9')
            return false;
        value = value * 10 + (uint64_t)(*digit - '0');
        if (value > INT32_MAX)
            return false;
    }
    if (connector_len)
        *connector_len = (size_t)(dash - name);
    if (number)
        *number = (uint32_t)value;
    return true;
}
