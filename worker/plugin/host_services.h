/*
 * host_services.h - the ferry_host table handed to every plugin's entry function: logging, typed
 * config access, and the services a running connector or task reaches through its context.
 */
#ifndef FERRY_HOST_SERVICES_H
#define FERRY_HOST_SERVICES_H

#include <ferry/plugin.h>

/* The one table of this process; lives as long as the process. */
const ferry_host *host_services(void);

#endif
