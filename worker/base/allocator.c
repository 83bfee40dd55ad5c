/*
 * allocator.c - the allocator's set-up (allocator.h).
 */
#include "base/allocator.h"

#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

void allocator_configure(void)
{
#ifdef __GLIBC__
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables && strstr(tunables, "glibc.malloc.mxfast"))
        return;
    mallopt(M_MXFAST, 0);
#endif
}
