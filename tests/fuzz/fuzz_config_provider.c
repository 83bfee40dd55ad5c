/*
 * fuzz_config_provider.c - config_providers_resolve (config/config_provider.c) on connector configs
 * whose values hold any ${provider:path:key} references. The input is a .properties text (read
 * by properties_parse); the env provider sees one variable and the file provider may read only
 * tests/fuzz/provider_files/, so that the fuzzer reaches both found and refused references. The
 * corpus writes that directory @DIR@, replaced by its path in this checkout. An input that sets
 * config.providers.file.param.allowed.paths itself is also read as the worker's config: its
 * providers are built from it (config_providers_new refuses what is not a list of absolute
 * directories, with a message) and resolve the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config_provider.h"
#include "config/properties.h"
#include "support/strbuf.h"
#include "fuzz_target.h"

#define FUZZ_ALLOWED_PATHS "config.providers.file.param.allowed.paths"

static config_providers *fuzz_providers(void)
{
    static config_providers *providers;
    if (providers)
        return providers;
    char err[512];
    config_map *worker = config_map_new();
    fuzz_check(worker != NULL, "config_map_new");
    fuzz_check(config_map_set(worker, FUZZ_ALLOWED_PATHS,
                              FUZZ_PROVIDER_FILES) == 0,
               "worker config");
    setenv("FERRY_FUZZ_SECRET", "s3cret", 1);
    providers = config_providers_new(worker, err, sizeof(err));
    fuzz_check(providers != NULL, "config_providers_new: %s", err);
    config_map_destroy(worker);
    return providers;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    config_providers *providers = fuzz_providers();
    config_map *in = config_map_new();
    strbuf text = {0};
    for (size_t at = 0; at < size; at++) {
        if (size - at >= 5 && memcmp(data + at, "@DIR@", 5) == 0) {
            strbuf_append_str(&text, FUZZ_PROVIDER_FILES);
            at += 4;
        } else {
            strbuf_append_char(&text, (char)data[at]);
        }
    }
    if (in && !strbuf_failed(&text) &&
        properties_parse(text.data ? text.data : "", text.len, in, err, sizeof(err)) == 0) {
        config_providers *own = NULL;
        if (config_map_get(in, FUZZ_ALLOWED_PATHS)) {
            err[0] = '\0';
            own = config_providers_new(in, err, sizeof(err));
            fuzz_check(own || err[0] != '\0', "a refused worker config says why");
        }
        err[0] = '\0';
        config_map *out = config_providers_resolve(own ? own : providers, in, err, sizeof(err));
        if (out)
            fuzz_check(config_map_count(out) == config_map_count(in), "same keys");
        else
            fuzz_check(err[0] != '\0', "a refusal says why");
        config_map_destroy(out);
        config_providers_destroy(own);
    }
    config_map_destroy(in);
    strbuf_free(&text);
    return 0;
}
