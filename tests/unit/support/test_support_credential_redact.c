/*
 * test_support_credential_redact.c - support/credential_redact.c: the password of URLs (user
 * only, empty, '@' encoded or not, IPv6 hosts, lists) and of libpq connection strings (quoted
 * values with blanks, URI query parameters) is hidden, the rest of the text kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/credential_redact.h"

/* text with its passwords hidden; text itself when nothing is. */
static void assert_redacted(const char *text, const char *expected)
{
    char *out = NULL;
    int rc = credential_redact(text, &out);
    assert_int_not_equal(rc, -1);
    assert_string_equal(rc == 1 ? out : text, expected);
    assert_int_equal(rc == 1, strcmp(text, expected) != 0);
    free(out);
}

static void test_urls(void **state)
{
    (void)state;
    assert_redacted("http://elastic:s3cret@host:9200", "http://elastic:[hidden]@host:9200");
    assert_redacted("https://elastic:s3cret@host:9200/path?q=a@b#x",
                    "https://elastic:[hidden]@host:9200/path?q=a@b#x");
    assert_redacted("postgres://app:pw@db.example:5432/orders?sslmode=require",
                    "postgres://app:[hidden]@db.example:5432/orders?sslmode=require");
    assert_redacted("jdbc:postgresql://app:pw@db/orders", "jdbc:postgresql://app:[hidden]@db/orders");
}

static void test_urls_without_password(void **state)
{
    (void)state;
    assert_redacted("http://host:9200", "http://host:9200");
    assert_redacted("http://elastic@host:9200", "http://elastic@host:9200");
    assert_redacted("http://elastic:@host:9200", "http://elastic:@host:9200");
    assert_redacted("http://host:9200/path/user@example.com", "http://host:9200/path/user@example.com");
    assert_redacted("see http:// and mail a@b", "see http:// and mail a@b");
    assert_redacted("", "");
}

static void test_url_at_in_password(void **state)
{
    (void)state;
    assert_redacted("http://elastic:p%40ss%3Aw@host:9200", "http://elastic:[hidden]@host:9200");
    assert_redacted("http://elastic:p@ss@host:9200", "http://elastic:[hidden]@host:9200");
    char *decoded = credential_percent_decode("p%40ss%3aw%zz%4", 15);
    assert_non_null(decoded);
    assert_string_equal(decoded, "p@ss:w%zz%4");
    free(decoded);
}

static void test_url_ipv6(void **state)
{
    (void)state;
    assert_redacted("http://elastic:pw@[::1]:9200", "http://elastic:[hidden]@[::1]:9200");
    assert_redacted("http://[fe80::1%25eth0]:9200/", "http://[fe80::1%25eth0]:9200/");
    assert_redacted("http://[::1]:9200", "http://[::1]:9200");
}

static void test_url_lists(void **state)
{
    (void)state;
    assert_redacted("http://a:one@h1:9200,http://b:two@h2:9200, https://h3:9200,http://c@h4",
                    "http://a:[hidden]@h1:9200,http://b:[hidden]@h2:9200, https://h3:9200,http://c@h4");
    assert_redacted("failed to reach http://a:one@h1:9200: refused (tried 'http://b:two@h2')",
                    "failed to reach http://a:[hidden]@h1:9200: refused (tried 'http://b:[hidden]@h2')");
}

static void test_dsn(void **state)
{
    (void)state;
    assert_redacted("host=db port=5432 user=app password=s3cret dbname=orders",
                    "host=db port=5432 user=app password=[hidden] dbname=orders");
    assert_redacted("host=db password = 's3 cr\\'et x' dbname=orders",
                    "host=db password = '[hidden]' dbname=orders");
    assert_redacted("password=last", "password=[hidden]");
    assert_redacted("host=db sslpassword=k3y", "host=db sslpassword=[hidden]");
    assert_redacted("postgresql://db/orders?user=app&password=s3cret&sslmode=require",
                    "postgresql://db/orders?user=app&password=[hidden]&sslmode=require");
    assert_redacted("database.password=s3cret other=1", "database.password=[hidden] other=1");
}

static void test_dsn_without_password(void **state)
{
    (void)state;
    assert_redacted("host=db user=app dbname=orders", "host=db user=app dbname=orders");
    assert_redacted("host=db password=", "host=db password=");
    /* libpq allows blanks after '=': this password is "dbname=x". */
    assert_redacted("host=db password= dbname=x", "host=db password= [hidden]");
    assert_redacted("host=db password='' dbname=x", "host=db password='' dbname=x");
    assert_redacted("mypassword=x password is wrong", "mypassword=x password is wrong");
}

static void test_find_positions(void **state)
{
    (void)state;
    const char *text = "password=a http://u:b@h";
    size_t start, end;
    assert_true(credential_find(text, 0, &start, &end));
    assert_int_equal(start, 9);
    assert_int_equal(end, 10);
    assert_true(credential_find(text, end, &start, &end));
    assert_int_equal(start, 20);
    assert_int_equal(end, 21);
    assert_false(credential_find(text, end, &start, &end));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_urls_without_password),
        cmocka_unit_test(test_url_at_in_password),
        cmocka_unit_test(test_url_ipv6),
        cmocka_unit_test(test_url_lists),
        cmocka_unit_test(test_dsn),
        cmocka_unit_test(test_dsn_without_password),
        cmocka_unit_test(test_find_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
