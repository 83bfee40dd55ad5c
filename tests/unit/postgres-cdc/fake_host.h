/* A fake host services table for the plugin's unit tests: config getters over a JSON object of
 * strings with the plugin's defaults, logging to a buffer. */
#ifndef PGCDC_FAKE_HOST_H
#define PGCDC_FAKE_HOST_H

#include <ferry/plugin.h>

/* The services table; cdc_host points at it after fake_host_install(). */
const ferry_host *fake_host_install(void);
/* A config of the given values (JSON object of strings, borrowed), with cdc_config_keys'
 * defaults. Free with fake_config_free. */
ferry_config *fake_config_new(json_t *values);
void fake_config_free(ferry_config *config);
/* Everything logged so far (one line per call). */
const char *fake_host_log(void);

#endif
