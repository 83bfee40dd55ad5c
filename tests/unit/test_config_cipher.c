/*
 * test_config_cipher.c - sealing and opening config values: a round trip, rotation with two keys,
 * a value naming an unknown key id, a tampered tag or header, a value moved to another key,
 * key lists of the wrong shape (wrong-length key, bad id, duplicates), plaintext left alone,
 * markers refused wherever a config is used, and the worker keys that load the keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "config/config_cipher.h"
#include "config/properties.h"
#include "config/worker_config.h"

/* Two 32-byte keys and a 16-byte one, base64. */
#define KEY_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_B "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define KEY_SHORT "AAECAwQFBgcICQoLDA0ODw=="

static config_cipher *parse_ok(const char *text)
{
    char err[512] = "";
    config_cipher *cipher = config_cipher_parse(text, "test keys", err, sizeof(err));
    if (!cipher)
        fail_msg("parse: %s", err);
    return cipher;
}

static char *seal(const config_cipher *cipher, const char *key, const char *value)
{
    char err[512] = "";
    char *sealed = config_cipher_seal(cipher, key, value, err, sizeof(err));
    if (!sealed)
        fail_msg("seal: %s", err);
    return sealed;
}

static void test_round_trip(void **state)
{
    (void)state;
    config_cipher *cipher = parse_ok("# keys\nnew=" KEY_A "\n");
    assert_string_equal(config_cipher_current_id(cipher), "new");
    char *sealed = seal(cipher, "database.password", "s3cret-pw");
    assert_true(config_cipher_is_sealed(sealed));
    assert_non_null(strstr(sealed, "ferry-enc:v1:new:"));
    assert_null(strstr(sealed, "s3cret-pw"));
    char *again = seal(cipher, "database.password", "s3cret-pw");
    assert_string_not_equal(sealed, again); /* a fresh nonce each time */
    char *plain = NULL;
    char err[512];
    assert_int_equal(config_cipher_open(cipher, "database.password", sealed, &plain, err,
                                        sizeof(err)), 0);
    assert_string_equal(plain, "s3cret-pw");
    free(plain);
    char *empty = seal(cipher, "k.password", "");
    assert_int_equal(config_cipher_open(cipher, "k.password", empty, &plain, err, sizeof(err)),
                     0);
    assert_string_equal(plain, "");
    free(plain);
    free(empty);
    free(again);
    free(sealed);
    config_cipher_destroy(cipher);
}

static void test_rotation(void **state)
{
    (void)state;
    config_cipher *old_keys = parse_ok("old=" KEY_A);
    char *by_old = seal(old_keys, "password", "first");
    /* The new key first (it seals), the old one kept (it still opens). */
    config_cipher *rotated = parse_ok("new=" KEY_B ", old=" KEY_A);
    assert_int_equal(config_cipher_key_count(rotated), 2);
    char *by_new = seal(rotated, "password", "second");
    assert_non_null(strstr(by_new, ":new:"));
    assert_true(config_cipher_is_current(rotated, by_new));
    assert_false(config_cipher_is_current(rotated, by_old));
    assert_false(config_cipher_is_current(rotated, "plain"));
    assert_false(config_cipher_is_current(rotated, "ferry-enc:v1:new:!altered"));
    char *plain = NULL;
    char err[512];
    assert_int_equal(config_cipher_open(rotated, "password", by_old, &plain, err, sizeof(err)),
                     0);
    assert_string_equal(plain, "first");
    free(plain);
    assert_int_equal(config_cipher_open(rotated, "password", by_new, &plain, err, sizeof(err)),
                     0);
    assert_string_equal(plain, "second");
    free(plain);
    /* The old key alone does not know "new". */
    assert_int_equal(config_cipher_open(old_keys, "password", by_new, &plain, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "key 'password'"));
    assert_non_null(strstr(err, "key id 'new'"));
    assert_non_null(strstr(err, "not among the worker's encryption keys"));
    assert_string_equal(plain, "ferry-enc:v1:new:!unknown-key");
    free(plain);
    free(by_new);
    free(by_old);
    config_cipher_destroy(rotated);
    config_cipher_destroy(old_keys);
}

static void test_tampered(void **state)
{
    (void)state;
    config_cipher *cipher = parse_ok("k1=" KEY_A "\nk2=" KEY_B);
    char *sealed = seal(cipher, "password", "hunter2");
    char *plain = NULL;
    char err[512];
    /* The last base64 characters carry the tag. */
    size_t len = strlen(sealed);
    char *tampered = strdup(sealed);
    tampered[len - 3] = tampered[len - 3] == 'A' ? 'B' : 'A';
    assert_int_equal(config_cipher_open(cipher, "password", tampered, &plain, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "key id 'k1'"));
    assert_non_null(strstr(err, "altered"));
    assert_null(strstr(err, "hunter2"));
    assert_string_equal(plain, "ferry-enc:v1:k1:!altered");
    free(plain);
    /* Another key id in the header: authenticated, so it does not open with k2 either. */
    char *relabelled = NULL;
    assert_true(asprintf(&relabelled, "ferry-enc:v1:k2:%s",
                         sealed + strlen("ferry-enc:v1:k1:")) > 0);
    assert_int_equal(config_cipher_open(cipher, "password", relabelled, &plain, err,
                                        sizeof(err)), -1);
    free(plain);
    /* Moved to another key. */
    assert_int_equal(config_cipher_open(cipher, "other.password", sealed, &plain, err,
                                        sizeof(err)), -1);
    free(plain);
    /* Without keys at all. */
    assert_int_equal(config_cipher_open(NULL, "password", sealed, &plain, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no encryption keys"));
    free(plain);
    /* Not base64, too short. */
    assert_int_equal(config_cipher_open(cipher, "password", "ferry-enc:v1:k1:@@@", &plain, err,
                                        sizeof(err)), -1);
    free(plain);
    assert_int_equal(config_cipher_open(cipher, "password", "ferry-enc:v1:k1:AAAA", &plain, err,
                                        sizeof(err)), -1);
    free(plain);
    free(relabelled);
    free(tampered);
    free(sealed);
    config_cipher_destroy(cipher);
}

static void test_key_lists_refused(void **state)
{
    (void)state;
    char err[512];
    assert_null(config_cipher_parse("short=" KEY_SHORT, "key file /k", err, sizeof(err)));
    assert_string_equal(err, "key file /k: key 'short' is 16 bytes long; AES-256 needs exactly "
                             "32 bytes (256 bits), base64-encoded");
    assert_null(strstr(err, KEY_SHORT));
    assert_null(config_cipher_parse("a=" KEY_A "\na=" KEY_B, "k", err, sizeof(err)));
    assert_non_null(strstr(err, "'a' is listed twice"));
    assert_null(config_cipher_parse("bad id=" KEY_A, "k", err, sizeof(err)));
    assert_non_null(strstr(err, "entry 1"));
    assert_null(config_cipher_parse(KEY_A, "k", err, sizeof(err)));
    assert_null(config_cipher_parse("x=not*base64", "k", err, sizeof(err)));
    assert_non_null(strstr(err, "not base64"));
    assert_null(config_cipher_parse("# only a comment\n\n", "k", err, sizeof(err)));
    assert_non_null(strstr(err, "holds no key"));
    assert_null(config_cipher_load_file("/nonexistent/ferry-keys", err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/ferry-keys"));
}

static void test_plaintext_and_markers(void **state)
{
    (void)state;
    config_map *config = config_map_new();
    char err[512];
    assert_int_equal(config_map_set(config, "connection.password", "written-before"), 0);
    assert_int_equal(config_cipher_unreadable(config, err, sizeof(err)), 0);
    assert_int_equal(config_map_set(config, "sasl.jaas.config",
                                    "ferry-enc:v1:gone:!unknown-key"), 0);
    assert_int_equal(config_cipher_unreadable(config, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "key 'sasl.jaas.config'"));
    assert_non_null(strstr(err, "key id 'gone'"));
    assert_non_null(strstr(err, "not among the worker's encryption keys"));
    config_map_destroy(config);
}

static worker_config *load(const char *text, config_errors *errors)
{
    char err[256];
    config_map *raw = config_map_new();
    assert_int_equal(properties_parse(text, strlen(text), raw, err, sizeof(err)), 0);
    worker_config *config = worker_config_load(raw, NULL, errors, NULL);
    config_map_destroy(raw);
    return config;
}

static void test_worker_keys(void **state)
{
    (void)state;
    char path[] = "/tmp/ferry-test-keys-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *keys = "current=" KEY_B "\nprevious=" KEY_A "\n";
    assert_int_equal(write(fd, keys, strlen(keys)), (ssize_t)strlen(keys));
    close(fd);
    char *text = NULL;
    assert_true(asprintf(&text, "config.storage.encryption.key.file=%s\n", path) > 0);
    config_errors *errors = config_errors_new();
    worker_config *config = load(text, errors);
    assert_non_null(config);
    assert_non_null(config->config_cipher);
    assert_string_equal(config_cipher_current_id(config->config_cipher), "current");
    worker_config_destroy(config);
    free(text);

    /* A wrong-length key stops the worker, naming the key and the file, never the key. */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    keys = "short=" KEY_SHORT "\n";
    assert_int_equal(write(fd, keys, strlen(keys)), (ssize_t)strlen(keys));
    close(fd);
    assert_true(asprintf(&text, "config.storage.encryption.key.file=%s\n", path) > 0);
    assert_null(load(text, errors));
    assert_int_equal(config_errors_count(errors), 1);
    assert_string_equal(config_errors_key_at(errors, 0), "config.storage.encryption.key.file");
    assert_non_null(strstr(config_errors_message_at(errors, 0), path));
    assert_null(strstr(config_errors_message_at(errors, 0), KEY_SHORT));
    free(text);
    config_errors_destroy(errors);
    unlink(path);

    /* The environment variable. */
    errors = config_errors_new();
    setenv("FERRY_TEST_CONFIG_KEYS", "env1=" KEY_A, 1);
    config = load("config.storage.encryption.key.env=FERRY_TEST_CONFIG_KEYS\n", errors);
    assert_non_null(config);
    assert_string_equal(config_cipher_current_id(config->config_cipher), "env1");
    worker_config_destroy(config);
    assert_null(load("config.storage.encryption.key.env=FERRY_TEST_NO_SUCH_VARIABLE\n",
                     errors));
    assert_string_equal(config_errors_key_at(errors, 0), "config.storage.encryption.key.env");
    config_errors_destroy(errors);
    errors = config_errors_new();
    assert_null(load("config.storage.encryption.key.env=FERRY_TEST_CONFIG_KEYS\n"
                     "config.storage.encryption.key.file=/x\n", errors));
    assert_non_null(strstr(config_errors_message_at(errors, 0), "both set"));
    config_errors_destroy(errors);

    /* Off by default. */
    errors = config_errors_new();
    config = load("group.id=g\n", errors);
    assert_non_null(config);
    assert_null(config->config_cipher);
    worker_config_destroy(config);
    config_errors_destroy(errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_key_lists_refused),
        cmocka_unit_test(test_plaintext_and_markers),
        cmocka_unit_test(test_worker_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
