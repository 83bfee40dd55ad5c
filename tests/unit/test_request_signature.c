/* request_signature: HMACs against RFC 4231's vectors and against signatures a Java worker made
 * (javax.crypto.Mac as Kafka Connect's InternalRequestSignature calls it, checked again with
 * `openssl dgst -mac HMAC`); sign/verify round trips; each refusal with Kafka Connect's status;
 * the inter.worker.* settings; key generation and rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/request_signature.h"
#include "support/base64.h"
#include "support/hex.h"
#include "support/strlist.h"

/* The key of the Java answers: the bytes 0, 1, ..., 31. */
static unsigned char key_bytes[32];
static const request_signature_key key = {key_bytes, sizeof(key_bytes), "HmacSHA256", 1000};

/* What a Kafka Connect worker posts to the leader's /connectors/{c}/tasks. */
static const char task_configs[] = "[{\"task.class\":\"org.apache.kafka.connect.file."
                                   "FileStreamSourceTask\",\"file\":\"/tmp/in.txt\","
                                   "\"topic\":\"lines\"}]";

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(key_bytes); i++)
        key_bytes[i] = (unsigned char)i;
    return 0;
}

static strlist permitted_of(const char *text)
{
    strlist list = {0};
    assert_int_equal(strlist_split(&list, text, ','), 0);
    return list;
}

/* The message of the last refusal verify_body or verify_configs saw. */
static char err[512];

static request_signature_result verify_body(const char *algorithm, const char *signature,
                                            const char *body, size_t body_len,
                                            const strlist *permitted,
                                            const request_signature_key *with)
{
    err[0] = '\0';
    return request_signature_verify(algorithm, signature, body, body_len, permitted, with, err,
                                    sizeof(err));
}

static request_signature_result verify_configs(const char *algorithm, const char *signature,
                                               const strlist *permitted,
                                               const request_signature_key *with)
{
    return verify_body(algorithm, signature, task_configs, strlen(task_configs), permitted,
                       with);
}

static void sign_ok(const char *algorithm, const request_signature_key *with, const char *body,
                    size_t body_len, char *signature)
{
    char why[256] = "";
    if (request_signature_sign(algorithm, with, body, body_len, signature, why, sizeof(why)) != 0)
        fail_msg("signing with %s: %s", algorithm, why);
}

/* RFC 4231, test cases 1, 2 and 6 (a key longer than the block) for HMAC-SHA-256, and case 1
 * for HMAC-SHA-512. */
static void test_rfc4231_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *algorithm, *key_hex, *data, *mac_hex;
    } cases[] = {
        {"HmacSHA256", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"HmacSHA256", "4a656665", "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"HmacSHA256", NULL, "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {"HmacSHA512", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
         "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char secret[131];
        size_t secret_len = sizeof(secret);
        if (cases[i].key_hex)
            secret_len = (size_t)hex_decode(cases[i].key_hex, strlen(cases[i].key_hex), secret);
        else
            memset(secret, 0xaa, sizeof(secret));
        request_signature_key with = {secret, secret_len, cases[i].algorithm, 0};
        char signature[REQUEST_SIGNATURE_TEXT_MAX];
        sign_ok(cases[i].algorithm, &with, cases[i].data, strlen(cases[i].data), signature);
        unsigned char mac[REQUEST_SIGNATURE_MAC_MAX];
        long mac_len = base64_decode(signature, strlen(signature), mac);
        assert_true(mac_len > 0);
        char hex[2 * REQUEST_SIGNATURE_MAC_MAX + 1];
        hex_encode(mac, (size_t)mac_len, hex);
        assert_string_equal(hex, cases[i].mac_hex);
    }
}

/* The X-Connect-Authorization values a Java worker sends for task_configs and for an empty
 * body (a PUT .../fence), under each algorithm. */
static const struct {
    const char *algorithm, *of_task_configs, *of_empty;
} java_answers[] = {
    {"HmacSHA1", "CK4Cx6wFt1hLv3lV0iX+bltDyBU=", "tFmyocn8L2aMZQn2kH1B8iCfUHw="},
    {"HmacSHA224", "vexMnVWRBWTAd6JKRTwxbcNnx+IsffC3gKZhEg==", NULL},
    {"HmacSHA256", "1nOextEo+02D89Aqt4qQ/RdMFV2Zk9M+9QZUh1FQKnA=",
     "04tCCW2A9F+Ca0Sp1WB95ySWpBXT9KGoyI47udqNwcs="},
    {"HmacSHA384", "4Ob7xD3/Lr/WkAT2sW0DSbPA/qU0bOR1MDf/j+T/ZhWkr9i6jHJ+wO34EiyVUQsZ", NULL},
    {"HmacSHA512",
     "p+x4AWTl3+Sg5s4qp5QkMy/tKX9wdA5jwtfL2bYyMiizmdH1Ztd5VsDMPB2j1S5u+NoZopxjvEpkVy9O9NzcQw==",
     "sEpw9F6VKZaAYPACY0TV9NpZ8cPOIoJF9rsIjXuKqfyPXzwqSAJ+SDON4PvsfZ2P7ZY64zPSucVwTi6Vhk7Hiw=="},
};

static void test_signs_as_kafka_connect(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(java_answers) / sizeof(java_answers[0]); i++) {
        char signature[REQUEST_SIGNATURE_TEXT_MAX];
        sign_ok(java_answers[i].algorithm, &key, task_configs, strlen(task_configs), signature);
        assert_string_equal(signature, java_answers[i].of_task_configs);
        if (!java_answers[i].of_empty)
            continue;
        sign_ok(java_answers[i].algorithm, &key, NULL, 0, signature);
        assert_string_equal(signature, java_answers[i].of_empty);
    }
}

static void test_verifies_kafka_connect_signatures(void **state)
{
    (void)state;
    strlist permitted = permitted_of("HmacSHA1,HmacSHA224,HmacSHA256,HmacSHA384,HmacSHA512");
    for (size_t i = 0; i < sizeof(java_answers) / sizeof(java_answers[0]); i++) {
        assert_int_equal(verify_configs(java_answers[i].algorithm,
                                        java_answers[i].of_task_configs, &permitted, &key),
                         REQUEST_SIGNATURE_VALID);
        if (java_answers[i].of_empty)
            assert_int_equal(verify_body(java_answers[i].algorithm, java_answers[i].of_empty, "",
                                         0, &permitted, &key),
                             REQUEST_SIGNATURE_VALID);
    }
    /* Java's names are found regardless of case, yet a worker permits the exact names only. */
    assert_true(request_signature_algorithm_known("hmacsha256"));
    assert_int_equal(
        verify_configs("hmacsha256", java_answers[2].of_task_configs, &permitted, &key),
        REQUEST_SIGNATURE_NOT_PERMITTED);
    strlist_free(&permitted);
}

static void test_round_trip_and_tampering(void **state)
{
    (void)state;
    strlist permitted = permitted_of("HmacSHA256");
    char signature[REQUEST_SIGNATURE_TEXT_MAX];
    sign_ok("HmacSHA256", &key, task_configs, strlen(task_configs), signature);
    assert_int_equal(verify_configs("HmacSHA256", signature, &permitted, &key),
                     REQUEST_SIGNATURE_VALID);

    /* One byte of the body changed, a byte cut off, a byte added. */
    char tampered[sizeof(task_configs) + 1];
    memcpy(tampered, task_configs, sizeof(task_configs));
    tampered[40] ^= 1;
    assert_int_equal(
        verify_body("HmacSHA256", signature, tampered, strlen(task_configs), &permitted, &key),
        REQUEST_SIGNATURE_INVALID);
    assert_string_equal(err, "Internal request contained invalid signature.");
    assert_int_equal(request_signature_status(REQUEST_SIGNATURE_INVALID), 403);
    assert_int_equal(verify_body("HmacSHA256", signature, task_configs, strlen(task_configs) - 1,
                                 &permitted, &key),
                     REQUEST_SIGNATURE_INVALID);
    memcpy(tampered, task_configs, sizeof(task_configs));
    strcat(tampered, " ");
    assert_int_equal(
        verify_body("HmacSHA256", signature, tampered, strlen(tampered), &permitted, &key),
        REQUEST_SIGNATURE_INVALID);

    /* The signature changed: one character, truncated, and the empty one. */
    char forged[REQUEST_SIGNATURE_TEXT_MAX];
    snprintf(forged, sizeof(forged), "%s", signature);
    forged[0] = forged[0] == 'A' ? 'B' : 'A';
    assert_int_equal(verify_configs("HmacSHA256", forged, &permitted, &key),
                     REQUEST_SIGNATURE_INVALID);
    snprintf(forged, sizeof(forged), "%.40s", signature);
    assert_int_equal(verify_configs("HmacSHA256", forged, &permitted, &key),
                     REQUEST_SIGNATURE_INVALID);
    assert_int_equal(verify_configs("HmacSHA256", "", &permitted, &key),
                     REQUEST_SIGNATURE_INVALID);

    /* Another key of the same algorithm. */
    unsigned char other_bytes[32];
    memcpy(other_bytes, key_bytes, sizeof(other_bytes));
    other_bytes[31] ^= 0x80;
    request_signature_key other = {other_bytes, sizeof(other_bytes), "HmacSHA256", 2000};
    assert_int_equal(verify_configs("HmacSHA256", signature, &permitted, &other),
                     REQUEST_SIGNATURE_INVALID);
    strlist_free(&permitted);
}

/* Kafka Connect signs the body only: the same body sent with another method or to another
 * path carries the same signature (a limit of its scheme, kept so that Java workers verify
 * ours). An empty PUT .../fence and an empty POST .../tasks sign alike. */
static void test_method_and_path_are_not_signed(void **state)
{
    (void)state;
    char tasks[REQUEST_SIGNATURE_TEXT_MAX], fence[REQUEST_SIGNATURE_TEXT_MAX];
    sign_ok("HmacSHA256", &key, NULL, 0, fence);
    sign_ok("HmacSHA256", &key, "", 0, tasks);
    assert_string_equal(tasks, fence);
}

static void test_algorithm_refused(void **state)
{
    (void)state;
    strlist permitted = permitted_of("HmacSHA256");
    char signature[REQUEST_SIGNATURE_TEXT_MAX];
    sign_ok("HmacSHA512", &key, task_configs, strlen(task_configs), signature);
    /* A real algorithm this worker was not configured to accept: 400, naming both. */
    assert_int_equal(verify_configs("HmacSHA512", signature, &permitted, &key),
                     REQUEST_SIGNATURE_NOT_PERMITTED);
    assert_non_null(strstr(err, "does not support the 'HmacSHA512' key signing algorithm"));
    assert_non_null(strstr(err, "configured to use: [HmacSHA256]"));
    assert_int_equal(request_signature_status(REQUEST_SIGNATURE_NOT_PERMITTED), 400);

    /* A HmacSHA512 signature announced as HmacSHA256 does not verify. */
    assert_int_equal(verify_configs("HmacSHA256", signature, &permitted, &key),
                     REQUEST_SIGNATURE_INVALID);

    /* An algorithm nobody knows: 400 before anything else, as Java's NoSuchAlgorithmException. */
    assert_int_equal(verify_configs("HmacMD4", signature, &permitted, NULL),
                     REQUEST_SIGNATURE_MALFORMED);
    assert_non_null(strstr(err, "Algorithm HmacMD4 not available"));
    assert_int_equal(request_signature_status(REQUEST_SIGNATURE_MALFORMED), 400);
    assert_int_equal(request_signature_sign("HmacMD4", &key, "x", 1, signature, err,
                                            sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "'HmacMD4' is not a MAC algorithm"));
    strlist_free(&permitted);
}

static void test_missing_and_malformed(void **state)
{
    (void)state;
    strlist permitted = permitted_of("HmacSHA256");
    const char *good = java_answers[2].of_task_configs;
    assert_int_equal(verify_configs("HmacSHA256", NULL, &permitted, &key),
                     REQUEST_SIGNATURE_MISSING);
    assert_string_equal(err, "Internal request missing required signature (no "
                             "X-Connect-Authorization header)");
    assert_int_equal(verify_configs(NULL, good, &permitted, &key),
                     REQUEST_SIGNATURE_MISSING);
    assert_non_null(strstr(err, "X-Connect-Request-Signature-Algorithm"));
    assert_int_equal(request_signature_status(REQUEST_SIGNATURE_MISSING), 400);

    /* What Java's basic decoder refuses: the URL-safe alphabet, white space, a lone
     * character, a broken padding. */
    static const char *const not_base64[] = {"1nOextEo-02D89Aqt4qQ_RdMFV2Zk9M-9QZUh1FQKnA=",
                                             "1nOextEo+02D89Aq t4qQ/RdMFV2Zk9M+9QZUh1FQKnA=",
                                             "A", "AA=", "%%%%"};
    for (size_t i = 0; i < sizeof(not_base64) / sizeof(not_base64[0]); i++) {
        assert_int_equal(verify_configs("HmacSHA256", not_base64[i], &permitted, &key),
                         REQUEST_SIGNATURE_MALFORMED);
        assert_string_equal(err, "X-Connect-Authorization is not standard base64");
    }
    /* Java's decoder takes a signature without its padding. */
    assert_int_equal(verify_configs("HmacSHA256", "1nOextEo+02D89Aqt4qQ/RdMFV2Zk9M+9QZUh1FQKnA",
                                    &permitted, &key),
                     REQUEST_SIGNATURE_VALID);

    /* No key read yet: 503, but only once the request itself is well formed. */
    assert_int_equal(verify_configs("HmacSHA256", good, &permitted, NULL),
                     REQUEST_SIGNATURE_NO_KEY);
    assert_non_null(strstr(err, "has not been able to read a session key"));
    assert_int_equal(request_signature_status(REQUEST_SIGNATURE_NO_KEY), 503);
    assert_int_equal(request_signature_status(REQUEST_SIGNATURE_VALID), 200);
    assert_int_equal(request_signature_status(REQUEST_SIGNATURE_FAILED), 500);

    /* An empty key cannot sign: Java would refuse it too. */
    request_signature_key empty = {key_bytes, 0, "HmacSHA256", 0};
    char signature[REQUEST_SIGNATURE_TEXT_MAX];
    assert_int_equal(request_signature_sign("HmacSHA256", &empty, "x", 1, signature, err,
                                            sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "empty session key"));
    strlist_free(&permitted);
}

static void settings_fail(const char *key_algorithm, const int *key_size_bits,
                          const int64_t *ttl_ms, const char *signature_algorithm,
                          const char *verification, const char *expected)
{
    request_signature_settings settings;
    assert_int_equal(request_signature_settings_init(&settings, key_algorithm, key_size_bits,
                                                     ttl_ms, signature_algorithm, verification,
                                                     err, sizeof(err)),
                     -1);
    if (!strstr(err, expected))
        fail_msg("expected '%s' in '%s'", expected, err);
    request_signature_settings_clear(&settings);
}

static void test_settings(void **state)
{
    (void)state;
    request_signature_settings settings;
    assert_int_equal(request_signature_settings_init(&settings, NULL, NULL, NULL, NULL, NULL,
                                                     err, sizeof(err)),
                     0);
    assert_string_equal(settings.key_algorithm, "HmacSHA256");
    assert_int_equal(settings.key_len, 32);
    assert_int_equal(settings.key_ttl_ms, 3600000);
    assert_string_equal(settings.signature_algorithm, "HmacSHA256");
    assert_int_equal(settings.verification_algorithms.count, 1);
    assert_string_equal(settings.verification_algorithms.items[0], "HmacSHA256");
    request_signature_settings_clear(&settings);

    /* Java's KeyGenerator sizes: its defaults, and bits rounded up to bytes. */
    int bits = 41;
    int64_t ttl = 0;
    assert_int_equal(request_signature_settings_init(&settings, "HmacSHA512", &bits, &ttl,
                                                     "HmacSHA512", "HmacSHA256, HmacSHA512",
                                                     err, sizeof(err)),
                     0);
    assert_int_equal(settings.key_len, 6);
    assert_int_equal(settings.verification_algorithms.count, 2);
    request_signature_settings_clear(&settings);
    assert_int_equal(request_signature_settings_init(&settings, "HmacSHA1", NULL, NULL, NULL,
                                                     NULL, err, sizeof(err)),
                     0);
    assert_int_equal(settings.key_len, 64);
    request_signature_settings_clear(&settings);

    bits = 39;
    settings_fail(NULL, &bits, NULL, NULL, NULL,
                  "inter.worker.key.size: 39 bits is too small for HmacSHA256");
    settings_fail("AES", NULL, NULL, NULL, NULL,
                  "inter.worker.key.generation.algorithm: 'AES' is not a MAC algorithm");
    settings_fail(NULL, NULL, NULL, "HmacSHA3-256", NULL,
                  "inter.worker.signature.algorithm: 'HmacSHA3-256'");
    ttl = -1;
    settings_fail(NULL, NULL, &ttl, NULL, NULL, "inter.worker.key.ttl.ms: -1 is outside");
    settings_fail(NULL, NULL, NULL, NULL, " , ", "at least one signature verification");
    settings_fail(NULL, NULL, NULL, NULL, "HmacSHA256,HmacFOO",
                  "inter.worker.verification.algorithms: 'HmacFOO'");
    settings_fail(NULL, NULL, NULL, "HmacSHA512", "HmacSHA256",
                  "'HmacSHA512' must be present in the inter.worker.verification.algorithms");
}

static void test_key_generation(void **state)
{
    (void)state;
    request_signature_settings settings;
    assert_int_equal(request_signature_settings_init(&settings, NULL, NULL, NULL, NULL, NULL,
                                                     err, sizeof(err)),
                     0);
    unsigned char *first = NULL, *second = NULL;
    size_t first_len = 0, second_len = 0;
    assert_int_equal(request_signature_key_generate(&settings, &first, &first_len, err,
                                                    sizeof(err)),
                     0);
    assert_int_equal(request_signature_key_generate(&settings, &second, &second_len, err,
                                                    sizeof(err)),
                     0);
    assert_int_equal(first_len, 32);
    assert_int_equal(second_len, 32);
    assert_memory_not_equal(first, second, 32);

    /* A fresh key signs and verifies; the other fresh key does not verify it. */
    strlist permitted = permitted_of("HmacSHA256");
    request_signature_key a = {first, first_len, "HmacSHA256", 0};
    request_signature_key b = {second, second_len, "HmacSHA256", 0};
    char signature[REQUEST_SIGNATURE_TEXT_MAX];
    sign_ok("HmacSHA256", &a, task_configs, strlen(task_configs), signature);
    assert_int_equal(verify_configs("HmacSHA256", signature, &permitted, &a),
                     REQUEST_SIGNATURE_VALID);
    assert_int_equal(verify_configs("HmacSHA256", signature, &permitted, &b),
                     REQUEST_SIGNATURE_INVALID);
    strlist_free(&permitted);
    free(first);
    free(second);
    request_signature_settings_clear(&settings);
}

/* The leader publishes a first key, replaces it when it expires or no longer matches the
 * settings; once replaced, the old key's signatures are refused (403) and the sender retries
 * for a minute, by when it has read the new key. */
static void test_rotation(void **state)
{
    (void)state;
    request_signature_settings settings;
    int64_t ttl = 60000;
    assert_int_equal(request_signature_settings_init(&settings, NULL, NULL, &ttl, NULL, NULL,
                                                     err, sizeof(err)),
                     0);
    request_signature_key current = {key_bytes, sizeof(key_bytes), "HmacSHA256", 1000};
    assert_int_equal(request_signature_rotation_due(&settings, NULL, 0),
                     REQUEST_SIGNATURE_FIRST_KEY);
    assert_int_equal(request_signature_key_expiry(&settings, &current), 61000);
    assert_int_equal(request_signature_rotation_due(&settings, &current, 60999),
                     REQUEST_SIGNATURE_KEEP);
    assert_int_equal(request_signature_rotation_due(&settings, &current, 61000),
                     REQUEST_SIGNATURE_EXPIRED);
    request_signature_key shorter = {key_bytes, 16, "HmacSHA256", 1000};
    assert_int_equal(request_signature_rotation_due(&settings, &shorter, 2000),
                     REQUEST_SIGNATURE_RECONFIGURED);
    request_signature_key other_algorithm = {key_bytes, 32, "HmacSHA512", 1000};
    assert_int_equal(request_signature_rotation_due(&settings, &other_algorithm, 2000),
                     REQUEST_SIGNATURE_RECONFIGURED);
    request_signature_settings_clear(&settings);

    /* A TTL of 0: keys never expire. */
    ttl = 0;
    assert_int_equal(request_signature_settings_init(&settings, NULL, NULL, &ttl, NULL, NULL,
                                                     err, sizeof(err)),
                     0);
    assert_int_equal(request_signature_key_expiry(&settings, &current), INT64_MAX);
    assert_int_equal(request_signature_rotation_due(&settings, &current, INT64_MAX - 1),
                     REQUEST_SIGNATURE_KEEP);
    request_signature_settings_clear(&settings);

    /* A request signed with the previous key reaches a worker that has the new one. */
    strlist permitted = permitted_of("HmacSHA256");
    unsigned char next_bytes[32];
    memset(next_bytes, 0x5a, sizeof(next_bytes));
    request_signature_key next = {next_bytes, sizeof(next_bytes), "HmacSHA256", 61000};
    char old_signature[REQUEST_SIGNATURE_TEXT_MAX], new_signature[REQUEST_SIGNATURE_TEXT_MAX];
    sign_ok("HmacSHA256", &current, task_configs, strlen(task_configs), old_signature);
    sign_ok("HmacSHA256", &next, task_configs, strlen(task_configs), new_signature);
    assert_int_equal(verify_configs("HmacSHA256", old_signature, &permitted, &next),
                     REQUEST_SIGNATURE_INVALID);
    assert_true(request_signature_retry_forbidden(61000, 61000 + 59999));
    assert_true(request_signature_retry_forbidden(61000, 61000 + 60000));
    assert_false(request_signature_retry_forbidden(61000, 61000 + 60001));
    assert_int_equal(verify_configs("HmacSHA256", new_signature, &permitted, &next),
                     REQUEST_SIGNATURE_VALID);
    strlist_free(&permitted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231_vectors),
        cmocka_unit_test(test_signs_as_kafka_connect),
        cmocka_unit_test(test_verifies_kafka_connect_signatures),
        cmocka_unit_test(test_round_trip_and_tampering),
        cmocka_unit_test(test_method_and_path_are_not_signed),
        cmocka_unit_test(test_algorithm_refused),
        cmocka_unit_test(test_missing_and_malformed),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_key_generation),
        cmocka_unit_test(test_rotation),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
