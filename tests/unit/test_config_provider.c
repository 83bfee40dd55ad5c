/*
 * test_config_provider.c - ${env:..} and ${file:..} resolution: values found, every way a
 * variable cannot be resolved (with the key and variable named, the resolved value never), the
 * $${ escape, and the allowed-paths restriction that ".." and symlinks cannot escape.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_provider.h"

/* Layout built once for the group:
 *   <base>/secrets/db.properties        user, password, a key with a ':' in it
 *   <base>/secrets/sub/                 an empty directory (for "sub/.." paths)
 *   <base>/secrets/escape.properties    a symlink to ../outside/other.properties
 *   <base>/outside/other.properties     token                                        */
static char base[] = "/tmp/ferry-test-provider-XXXXXX";
static char secrets_dir[256], sub_dir[256], outside_dir[256];
static char db_file[512], other_file[512], link_file[512];

static void write_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    fputs(text, file);
    assert_int_equal(fclose(file), 0);
}

static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(base))
        return -1;
    snprintf(secrets_dir, sizeof(secrets_dir), "%s/secrets", base);
    snprintf(sub_dir, sizeof(sub_dir), "%s/secrets/sub", base);
    snprintf(outside_dir, sizeof(outside_dir), "%s/outside", base);
    snprintf(db_file, sizeof(db_file), "%s/db.properties", secrets_dir);
    snprintf(other_file, sizeof(other_file), "%s/other.properties", outside_dir);
    snprintf(link_file, sizeof(link_file), "%s/escape.properties", secrets_dir);
    if (mkdir(secrets_dir, 0700) != 0 || mkdir(sub_dir, 0700) != 0 ||
        mkdir(outside_dir, 0700) != 0)
        return -1;
    write_text(db_file, "user=admin\npassword=s3cr3t!\nurl\\:with\\:colons=yes\n");
    write_text(other_file, "token=outside-token\n");
    if (symlink(other_file, link_file) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    unlink(link_file);
    unlink(db_file);
    unlink(other_file);
    rmdir(sub_dir);
    rmdir(secrets_dir);
    rmdir(outside_dir);
    return rmdir(base);
}

static config_providers *providers_new(const char *allowed_paths)
{
    char err[512] = "";
    config_map *worker = config_map_new();
    assert_non_null(worker);
    if (allowed_paths)
        assert_int_equal(
            config_map_set(worker, "config.providers.file.param.allowed.paths", allowed_paths), 0);
    config_providers *providers = config_providers_new(worker, err, sizeof(err));
    if (!providers)
        fail_msg("unexpected error: %s", err);
    config_map_destroy(worker);
    return providers;
}

/* Resolves {key: value} and returns the resolved value (caller frees), failing on an error. */
static char *resolve_ok(const config_providers *providers, const char *key, const char *value)
{
    char err[1024] = "";
    config_map *in = config_map_new();
    assert_non_null(in);
    assert_int_equal(config_map_set(in, key, value), 0);
    config_map *out = config_providers_resolve(providers, in, err, sizeof(err));
    if (!out)
        fail_msg("unexpected error: %s", err);
    char *resolved = strdup(config_map_get(out, key));
    assert_non_null(resolved);
    config_map_destroy(in);
    config_map_destroy(out);
    return resolved;
}

static void resolve_fails(const config_providers *providers, const char *key, const char *value,
                          const char *expected)
{
    char err[1024] = "";
    config_map *in = config_map_new();
    assert_non_null(in);
    assert_int_equal(config_map_set(in, key, value), 0);
    assert_null(config_providers_resolve(providers, in, err, sizeof(err)));
    assert_string_equal(err, expected);
    config_map_destroy(in);
}

static void assert_resolves(const config_providers *providers, const char *value,
                            const char *expected)
{
    char *resolved = resolve_ok(providers, "k", value);
    assert_string_equal(resolved, expected);
    free(resolved);
}

/* ------------------------------------------------------------------------------------------ */

static void test_env(void **state)
{
    (void)state;
    config_providers *providers = providers_new(NULL);
    assert_int_equal(setenv("FERRY_TEST_DB_PASSWORD", "hunter2", 1), 0);
    assert_int_equal(setenv("FERRY_TEST_EMPTY", "", 1), 0);
    assert_resolves(providers, "${env:FERRY_TEST_DB_PASSWORD}", "hunter2");
    assert_resolves(providers, "[${env:FERRY_TEST_EMPTY}]", "[]");
    unsetenv("FERRY_TEST_DB_PASSWORD");
    unsetenv("FERRY_TEST_EMPTY");
    config_providers_destroy(providers);
}

static void test_env_unset(void **state)
{
    (void)state;
    config_providers *providers = providers_new(NULL);
    unsetenv("FERRY_TEST_UNSET");
    resolve_fails(providers, "database.password", "${env:FERRY_TEST_UNSET}",
                  "config \"database.password\": cannot resolve ${env:FERRY_TEST_UNSET}: "
                  "environment variable FERRY_TEST_UNSET is not set");
    config_providers_destroy(providers);
}

static void test_error_never_shows_resolved_value(void **state)
{
    (void)state;
    char err[1024] = "";
    config_providers *providers = providers_new(NULL);
    assert_int_equal(setenv("FERRY_TEST_SECRET", "do-not-print-me", 1), 0);
    unsetenv("FERRY_TEST_UNSET");
    config_map *in = config_map_new();
    assert_non_null(in);
    assert_int_equal(
        config_map_set(in, "sasl.jaas.config", "${env:FERRY_TEST_SECRET}${env:FERRY_TEST_UNSET}"),
        0);
    assert_null(config_providers_resolve(providers, in, err, sizeof(err)));
    assert_string_equal(err, "config \"sasl.jaas.config\": cannot resolve ${env:FERRY_TEST_UNSET}: "
                             "environment variable FERRY_TEST_UNSET is not set");
    assert_null(strstr(err, "do-not-print-me"));
    unsetenv("FERRY_TEST_SECRET");
    config_map_destroy(in);
    config_providers_destroy(providers);
}

static void test_file(void **state)
{
    (void)state;
    char value[1024];
    config_providers *providers = providers_new(NULL);
    snprintf(value, sizeof(value), "${file:%s:password}", db_file);
    assert_resolves(providers, value, "s3cr3t!");
    /* The path ends at the first ':', so a key may hold ':' (Kafka's rule). */
    snprintf(value, sizeof(value), "${file:%s:url:with:colons}", db_file);
    assert_resolves(providers, value, "yes");
    config_providers_destroy(providers);
}

static void test_several_variables_and_text(void **state)
{
    (void)state;
    char value[2048];
    config_providers *providers = providers_new(NULL);
    assert_int_equal(setenv("FERRY_TEST_HOST", "db.internal", 1), 0);
    assert_int_equal(setenv("FERRY_TEST_PORT", "5432", 1), 0);
    snprintf(value, sizeof(value),
             "postgresql://${file:%s:user}:${file:%s:password}@${env:FERRY_TEST_HOST}:"
             "${env:FERRY_TEST_PORT}/app?x=${env:FERRY_TEST_HOST}",
             db_file, db_file);
    assert_resolves(providers, value, "postgresql://admin:s3cr3t!@db.internal:5432/app?x=db.internal");
    unsetenv("FERRY_TEST_HOST");
    unsetenv("FERRY_TEST_PORT");
    config_providers_destroy(providers);
}

static void test_escape_and_literals(void **state)
{
    (void)state;
    config_providers *providers = providers_new(NULL);
    assert_int_equal(setenv("FERRY_TEST_X", "x", 1), 0);
    assert_resolves(providers, "$${env:FERRY_TEST_X}", "${env:FERRY_TEST_X}");
    assert_resolves(providers, "a $${literal} and ${env:FERRY_TEST_X}", "a ${literal} and x");
    /* Only "$${" is an escape: "$$" elsewhere stays "$$". */
    assert_resolves(providers, "$$$${env:FERRY_TEST_X}", "$$${env:FERRY_TEST_X}");
    /* "${...}" with no ':' is not a variable: TimestampRouter's templates pass through. */
    assert_resolves(providers, "${topic}-${timestamp}", "${topic}-${timestamp}");
    assert_resolves(providers, "cost: $5, ${env:FERRY_TEST_X}$", "cost: $5, x$");
    /* A value without "${" is copied as it is, "$$" included. */
    assert_resolves(providers, "price $$ {not} a $ variable", "price $$ {not} a $ variable");
    unsetenv("FERRY_TEST_X");
    config_providers_destroy(providers);
}

static void test_unterminated(void **state)
{
    (void)state;
    config_providers *providers = providers_new(NULL);
    resolve_fails(providers, "connection.url", "abc${env:HOME",
                  "config \"connection.url\": unterminated \"${\" at offset 3 (no closing \"}\")");
    config_providers_destroy(providers);
}

static void test_unknown_provider(void **state)
{
    (void)state;
    config_providers *providers = providers_new(NULL);
    resolve_fails(providers, "database.password", "${vault:secret/db:password}",
                  "config \"database.password\": cannot resolve ${vault:secret/db:password}: "
                  "unknown config provider \"vault\" (expected env or file)");
    config_providers_destroy(providers);
}

static void test_file_errors(void **state)
{
    (void)state;
    char value[1024], expected[2048];
    config_providers *providers = providers_new(NULL);

    snprintf(value, sizeof(value), "${file:%s:nope}", db_file);
    snprintf(expected, sizeof(expected),
             "config \"k\": cannot resolve %s: %s has no key \"nope\"", value, db_file);
    resolve_fails(providers, "k", value, expected);

    snprintf(value, sizeof(value), "${file:%s/missing.properties:user}", secrets_dir);
    snprintf(expected, sizeof(expected),
             "config \"k\": cannot resolve %s: %s/missing.properties: No such file or directory",
             value, secrets_dir);
    resolve_fails(providers, "k", value, expected);

    snprintf(value, sizeof(value), "${file:%s:user}", secrets_dir);
    snprintf(expected, sizeof(expected), "config \"k\": cannot resolve %s: %s: Is a directory",
             value, secrets_dir);
    resolve_fails(providers, "k", value, expected);

    resolve_fails(providers, "k", "${file:/no/key/given}",
                  "config \"k\": cannot resolve ${file:/no/key/given}: expected ${file:PATH:KEY}");
    config_providers_destroy(providers);
}

static void test_allowed_paths(void **state)
{
    (void)state;
    char value[1024], expected[2048], allowed[1024];
    snprintf(allowed, sizeof(allowed), " /nonexistent/dir , %s ", secrets_dir);
    config_providers *providers = providers_new(allowed);

    snprintf(value, sizeof(value), "${file:%s:user}", db_file);
    assert_resolves(providers, value, "admin");
    /* ".." that stays inside is fine. */
    snprintf(value, sizeof(value), "${file:%s/../db.properties:user}", sub_dir);
    assert_resolves(providers, value, "admin");

    /* Outside, directly, through "..", and through a symlink inside the allowed directory. */
    snprintf(value, sizeof(value), "${file:%s:token}", other_file);
    snprintf(expected, sizeof(expected),
             "config \"k\": cannot resolve %s: %s is outside the directories allowed by "
             "config.providers.file.param.allowed.paths",
             value, other_file);
    resolve_fails(providers, "k", value, expected);

    char escape[600];
    snprintf(escape, sizeof(escape), "%s/../outside/other.properties", secrets_dir);
    snprintf(value, sizeof(value), "${file:%s:token}", escape);
    snprintf(expected, sizeof(expected),
             "config \"k\": cannot resolve %s: %s is outside the directories allowed by "
             "config.providers.file.param.allowed.paths",
             value, escape);
    resolve_fails(providers, "k", value, expected);

    snprintf(value, sizeof(value), "${file:%s:token}", link_file);
    snprintf(expected, sizeof(expected),
             "config \"k\": cannot resolve %s: %s is outside the directories allowed by "
             "config.providers.file.param.allowed.paths",
             value, link_file);
    resolve_fails(providers, "k", value, expected);

    /* A directory whose name only starts like the allowed one is not inside it. */
    config_providers_destroy(providers);
    char prefix_only[600];
    snprintf(prefix_only, sizeof(prefix_only), "%s/out", base);
    providers = providers_new(prefix_only);
    snprintf(value, sizeof(value), "${file:%s:token}", other_file);
    snprintf(expected, sizeof(expected),
             "config \"k\": cannot resolve %s: %s is outside the directories allowed by "
             "config.providers.file.param.allowed.paths",
             value, other_file);
    resolve_fails(providers, "k", value, expected);
    config_providers_destroy(providers);

    /* An empty setting means no restriction, as in Kafka. */
    providers = providers_new("");
    snprintf(value, sizeof(value), "${file:%s:token}", other_file);
    assert_resolves(providers, value, "outside-token");
    config_providers_destroy(providers);
}

static void test_allowed_paths_malformed(void **state)
{
    (void)state;
    char err[512] = "";
    config_map *worker = config_map_new();
    assert_non_null(worker);

    assert_int_equal(config_map_set(worker, "config.providers.file.param.allowed.paths",
                                    "/etc/ferry,relative/dir"), 0);
    assert_null(config_providers_new(worker, err, sizeof(err)));
    assert_string_equal(err, "Invalid value '/etc/ferry,relative/dir' for configuration "
                             "config.providers.file.param.allowed.paths: 'relative/dir' is not "
                             "an absolute path");

    assert_int_equal(config_map_set(worker, "config.providers.file.param.allowed.paths", " , "),
                     0);
    assert_null(config_providers_new(worker, err, sizeof(err)));
    assert_string_equal(err, "Invalid value ' , ' for configuration "
                             "config.providers.file.param.allowed.paths: expected "
                             "comma-separated absolute directories");
    config_map_destroy(worker);
}

static void test_whole_map(void **state)
{
    (void)state;
    char err[1024] = "";
    char value[1024];
    config_providers *providers = providers_new(NULL);
    assert_int_equal(setenv("FERRY_TEST_USER", "connect", 1), 0);
    config_map *in = config_map_new();
    assert_non_null(in);
    snprintf(value, sizeof(value), "${file:%s:password}", db_file);
    assert_int_equal(config_map_set(in, "name", "pg"), 0);
    assert_int_equal(config_map_set(in, "database.user", "${env:FERRY_TEST_USER}"), 0);
    assert_int_equal(config_map_set(in, "database.password", value), 0);
    assert_int_equal(config_map_set(in, "topic.prefix", "$$plain"), 0);

    config_map *out = config_providers_resolve(providers, in, err, sizeof(err));
    if (!out)
        fail_msg("%s", err);
    assert_int_equal(config_map_count(out), 4);
    assert_string_equal(config_map_key_at(out, 0), "name");
    assert_string_equal(config_map_value_at(out, 0), "pg");
    assert_string_equal(config_map_key_at(out, 1), "database.user");
    assert_string_equal(config_map_value_at(out, 1), "connect");
    assert_string_equal(config_map_key_at(out, 2), "database.password");
    assert_string_equal(config_map_value_at(out, 2), "s3cr3t!");
    assert_string_equal(config_map_value_at(out, 3), "$$plain");
    /* The input keeps its variables. */
    assert_string_equal(config_map_get(in, "database.user"), "${env:FERRY_TEST_USER}");
    assert_string_equal(config_map_get(in, "database.password"), value);

    unsetenv("FERRY_TEST_USER");
    config_map_destroy(in);
    config_map_destroy(out);
    config_providers_destroy(providers);
    config_providers_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_env_unset),
        cmocka_unit_test(test_error_never_shows_resolved_value),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_several_variables_and_text),
        cmocka_unit_test(test_escape_and_literals),
        cmocka_unit_test(test_unterminated),
        cmocka_unit_test(test_unknown_provider),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_allowed_paths),
        cmocka_unit_test(test_allowed_paths_malformed),
        cmocka_unit_test(test_whole_map),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
