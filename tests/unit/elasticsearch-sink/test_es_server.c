/*
 * test_es_server.c - telling the servers apart from their answers to GET /_nodes/_local (as
 * Elasticsearch 8.19 and 9.2 and OpenSearch 2.19 give them, with and without the
 * X-Elastic-Product header), answers that are not, and the servers the sink refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "es_server.h"

static int parse(const char *body, bool elastic_product, es_server *server, char *why)
{
    return es_server_parse(body, strlen(body), elastic_product, server, why, 300);
}

/* The answer is recognised as `described`, and the sink can write to that server (data
 * streams included). */
static void expect_server(const char *body, bool elastic_product, es_product product, int major,
                          int minor, const char *described)
{
    es_server server;
    char why[300], name[64];
    assert_int_equal(parse(body, elastic_product, &server, why), 0);
    assert_int_equal(server.product, product);
    assert_int_equal(server.major, major);
    assert_int_equal(server.minor, minor);
    es_server_describe(&server, name, sizeof(name));
    assert_string_equal(name, described);
    assert_int_equal(es_server_check(&server, true, why, sizeof(why)), 0);
}

static void test_elasticsearch(void **state)
{
    (void)state;
    expect_server("{\"nodes\":{\"lQJiZDEhTsyl4jC6huVBFw\":{\"version\":\"9.2.0\","
                  "\"build_flavor\":\"default\"}}}", true, ES_PRODUCT_ELASTICSEARCH, 9, 2,
                  "Elasticsearch 9.2.0");
    /* Without the header (a proxy dropped it, or before 7.14): build_flavor says it. */
    expect_server("{\"nodes\":{\"x\":{\"version\":\"8.19.21\",\"build_flavor\":"
                  "\"default\"}}}", false, ES_PRODUCT_ELASTICSEARCH, 8, 19,
                  "Elasticsearch 8.19.21");
}

static void test_opensearch(void **state)
{
    (void)state;
    expect_server("{\"nodes\":{\"GKRb-Hf8QgG4LNtBcbUKbw\":{\"version\":\"2.19.0\"}}}",
                  false, ES_PRODUCT_OPENSEARCH, 2, 19, "OpenSearch 2.19.0");
    /* OpenSearch 1.x is typeless and has data streams too. */
    expect_server("{\"nodes\":{\"n\":{\"version\":\"1.3.20\"}}}", false,
                  ES_PRODUCT_OPENSEARCH, 1, 3, "OpenSearch 1.3.20");
}

static void test_not_an_answer(void **state)
{
    (void)state;
    es_server server;
    char why[300], name[64];
    const char *const bodies[] = {
        "", "<html>proxy</html>", "{\"acknowledged\":true}", "{\"nodes\":{}}",
        "{\"nodes\":{\"a\":{\"version\":\"9.2.0\"},\"b\":{\"version\":\"9.2.0\"}}}",
        "{\"nodes\":{\"a\":{\"version\":9}}}", "{\"nodes\":{\"a\":{\"version\":\"nine\"}}}",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        why[0] = '\0';
        assert_int_equal(parse(bodies[i], true, &server, why), -1);
        assert_int_equal(server.product, ES_PRODUCT_UNKNOWN);
        assert_non_null(strstr(why, "no node version"));
    }
    es_server_describe(&server, name, sizeof(name));
    assert_string_equal(name, "an unknown server");
    assert_int_equal(es_server_check(&server, true, why, sizeof(why)), 0);
}

static void test_refused_servers(void **state)
{
    (void)state;
    es_server server;
    char why[300];
    assert_int_equal(parse("{\"nodes\":{\"n\":{\"version\":\"6.8.23\",\"build_flavor\":"
                           "\"default\"}}}", true, &server, why), 0);
    assert_int_equal(es_server_check(&server, false, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "Elasticsearch 6.8.23 is not supported"));
    assert_int_equal(parse("{\"nodes\":{\"n\":{\"version\":\"7.8.1\",\"build_flavor\":"
                           "\"oss\"}}}", true, &server, why), 0);
    assert_int_equal(es_server_check(&server, false, why, sizeof(why)), 0);
    assert_int_equal(es_server_check(&server, true, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "no data streams"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elasticsearch),
        cmocka_unit_test(test_opensearch),
        cmocka_unit_test(test_not_an_answer),
        cmocka_unit_test(test_refused_servers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
