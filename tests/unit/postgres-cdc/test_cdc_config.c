/* cdc_config: Debezium's keys and defaults, the filters (Java-style regexes, anchored and
 * case-insensitive), message.key.columns, skipped.operations, the cross-key checks and the
 * definition itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cdc_config.h"
#include "plugin_fake_host.h"
#include "support/strlist.h"

static const ferry_host *host;

static int setup(void **state)
{
    (void)state;
    host = plugin_fake_host_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    plugin_fake_host_free();
    return 0;
}

/* Parses a config of "key", "value", ... pairs (NULL-terminated); returns rc and fills config. */
static int parse(cdc_config *config, char *err, size_t errlen, ...)
{
    json_t *values = json_object();
    va_list ap;
    va_start(ap, errlen);
    for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *))
        json_object_set_new(values, key, json_string(va_arg(ap, const char *)));
    va_end(ap);
    json_object_set_new(values, "database.hostname", json_string("db.example"));
    json_object_set_new(values, "database.user", json_string("cdc"));
    json_object_set_new(values, "database.dbname", json_string("inventory"));
    if (!json_object_get(values, "topic.prefix"))
        json_object_set_new(values, "topic.prefix", json_string("dbserver1"));
    ferry_config *source = plugin_fake_config_json(cdc_config_keys, values);
    int rc = cdc_config_parse(config, host, source, err, errlen);
    ferry_config_destroy(source);
    json_decref(values);
    return rc;
}

static void test_debezium_defaults(void **state)
{
    (void)state;
    cdc_config config;
    char err[512];
    assert_int_equal(parse(&config, err, sizeof err, NULL), 0);
    assert_int_equal(config.port, 5432);
    assert_string_equal(config.slot_name, "debezium");
    assert_string_equal(config.publication_name, "dbz_publication");
    assert_int_equal(config.publication_mode, CDC_PUBLICATION_ALL_TABLES);
    assert_int_equal(config.snapshot_mode, CDC_SNAPSHOT_INITIAL);
    assert_int_equal(config.snapshot_fetch_size, 10240);
    assert_true(config.tombstones_on_delete);
    assert_false(config.provide_transaction_metadata);
    assert_true(config.skip_truncate);
    assert_false(config.skip_create || config.skip_update || config.skip_delete);
    assert_int_equal(config.types.decimal, PG_DECIMAL_PRECISE);
    assert_int_equal(config.types.time, PG_TIME_ADAPTIVE);
    assert_int_equal(config.types.interval, PG_INTERVAL_NUMERIC);
    assert_int_equal(config.types.binary, PG_BINARY_BYTES);
    assert_string_equal(config.toast_placeholder, "__debezium_unavailable_value");
    assert_int_equal(config.heartbeat_interval_ms, 0);
    assert_string_equal(config.topic_heartbeat_prefix, "__debezium-heartbeat");
    assert_int_equal(config.max_batch_size, 2048);
    assert_int_equal(config.status_update_interval_ms, 10000);
    assert_true(config.flush_lsn_source);
    assert_false(config.slot_drop_on_stop);
    assert_int_equal(config.slot_max_retries, 6);
    assert_int_equal(config.slot_retry_delay_ms, 10000);
    cdc_config_release(&config);
}

/* One key's value and the enum (or bool) it gives, aliases included. */
static const struct {
    const char *key, *value;
    size_t field; /* offsetof an int-sized enum, or of a bool when is_bool */
    bool is_bool;
    int expected;
} mode_cases[] = {
#define MODE(key, value, field, expected) {key, value, offsetof(cdc_config, field), false, expected}
#define FLAG(key, value, field, expected) {key, value, offsetof(cdc_config, field), true, expected}
    MODE("snapshot.mode", "initial", snapshot_mode, CDC_SNAPSHOT_INITIAL),
    MODE("snapshot.mode", "initial_only", snapshot_mode, CDC_SNAPSHOT_INITIAL_ONLY),
    MODE("snapshot.mode", "never", snapshot_mode, CDC_SNAPSHOT_NO_DATA),
    MODE("snapshot.mode", "no_data", snapshot_mode, CDC_SNAPSHOT_NO_DATA),
    MODE("snapshot.mode", "always", snapshot_mode, CDC_SNAPSHOT_ALWAYS),
    MODE("snapshot.mode", "WHEN_NEEDED", snapshot_mode, CDC_SNAPSHOT_WHEN_NEEDED),
    MODE("snapshot.mode", "exported", snapshot_mode, CDC_SNAPSHOT_INITIAL),
    MODE("publication.autocreate.mode", "filtered", publication_mode, CDC_PUBLICATION_FILTERED),
    MODE("publication.autocreate.mode", "no_tables", publication_mode,
         CDC_PUBLICATION_NO_TABLES),
    MODE("publication.autocreate.mode", "disabled", publication_mode, CDC_PUBLICATION_DISABLED),
    MODE("decimal.handling.mode", "double", types.decimal, PG_DECIMAL_DOUBLE),
    MODE("decimal.handling.mode", "string", types.decimal, PG_DECIMAL_STRING),
    MODE("time.precision.mode", "connect", types.time, PG_TIME_CONNECT),
    MODE("time.precision.mode", "adaptive_time_microseconds", types.time,
         PG_TIME_ADAPTIVE_MICROSECONDS),
    MODE("interval.handling.mode", "string", types.interval, PG_INTERVAL_STRING),
    MODE("binary.handling.mode", "base64", types.binary, PG_BINARY_BASE64),
    MODE("binary.handling.mode", "base64-url-safe", types.binary, PG_BINARY_BASE64_URL_SAFE),
    MODE("binary.handling.mode", "hex", types.binary, PG_BINARY_HEX),
    MODE("event.processing.failure.handling.mode", "warn", failure_mode, CDC_FAILURE_WARN),
    MODE("event.processing.failure.handling.mode", "skip", failure_mode, CDC_FAILURE_SKIP),
    MODE("event.processing.failure.handling.mode", "ignore", failure_mode, CDC_FAILURE_SKIP),
    FLAG("schema.name.adjustment.mode", "avro", avro_names, true),
    FLAG("schema.name.adjustment.mode", "avro_unicode", avro_names, true),
    FLAG("schema.name.adjustment.mode", "none", avro_names, false),
    FLAG("skipped.operations", "none", skip_truncate, false),
    FLAG("skipped.operations", "c, d", skip_create, true),
    FLAG("skipped.operations", "c, d", skip_delete, true),
    FLAG("skipped.operations", "c, d", skip_truncate, false),
    FLAG("skipped.operations", "U", skip_update, true),
    FLAG("tombstones.on.delete", "false", tombstones_on_delete, false),
#undef MODE
#undef FLAG
};

static void test_modes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mode_cases / sizeof mode_cases[0]; i++) {
        cdc_config config;
        char err[512];
        if (parse(&config, err, sizeof err, mode_cases[i].key, mode_cases[i].value, NULL) != 0)
            fail_msg("%s=%s: %s", mode_cases[i].key, mode_cases[i].value, err);
        const char *field = (const char *)&config + mode_cases[i].field;
        int got;
        if (mode_cases[i].is_bool) {
            got = *(const bool *)field;
        } else {
            assert_int_equal(sizeof(config.snapshot_mode), sizeof(int));
            memcpy(&got, field, sizeof got);
        }
        if (got != mode_cases[i].expected)
            fail_msg("%s=%s gives %d, expected %d", mode_cases[i].key, mode_cases[i].value, got,
                     mode_cases[i].expected);
        cdc_config_release(&config);
    }
}

/* Values that cannot be used, and the message that says why. */
static const struct {
    const char *key, *value;
    const char *message; /* the whole message, or its start when prefix */
    bool prefix;
} bad_cases[] = {
    {"plugin.name", "decoderbufs",
     "plugin.name=decoderbufs is not supported: only the built-in pgoutput plugin is; set "
     "plugin.name=pgoutput", false},
    {"skipped.operations", "c,x",
     "skipped.operations: 'x' is not an operation (expected c, u, d, t or none)", false},
    {"table.include.list", "public.(orders",
     "table.include.list: invalid regular expression 'public.(orders'", true},
    {"column.exclude.list", "a,b[", "column.exclude.list: invalid regular expression 'b['", true},
    {"message.key.columns", "public.orders",
     "message.key.columns: entry 'public.orders' is not <table regex>:<column>[,<column>...]",
     false},
    {"message.key.columns", "public.orders: ,",
     "message.key.columns: entry 'public.orders' names no column", false},
};

static void test_bad_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        cdc_config config;
        char err[512];
        if (parse(&config, err, sizeof err, bad_cases[i].key, bad_cases[i].value, NULL) != -1)
            fail_msg("%s=%s was accepted", bad_cases[i].key, bad_cases[i].value);
        size_t len = bad_cases[i].prefix ? strlen(bad_cases[i].message) : sizeof err;
        if (strncmp(err, bad_cases[i].message, len) != 0)
            fail_msg("%s=%s: got \"%s\", expected \"%s\"", bad_cases[i].key, bad_cases[i].value,
                     err, bad_cases[i].message);
    }
}

/* Blank strings where a blank means something stay blank; the others take their default. */
static void test_blank_strings(void **state)
{
    (void)state;
    cdc_config config;
    char err[512];
    assert_int_equal(parse(&config, err, sizeof err, "topic.delimiter", "",
                           "unavailable.value.placeholder", "", "database.password", "",
                           "heartbeat.action.query", " ", NULL), 0);
    assert_string_equal(config.topic_delimiter, "");
    assert_string_equal(config.toast_placeholder, "");
    assert_ptr_equal(config.types.toast_placeholder, config.toast_placeholder);
    assert_null(config.password);
    assert_null(config.heartbeat_action_query);
    cdc_config_release(&config);
}

/* Which tables a filter captures. */
static const struct {
    const char *schema_name, *table_name;
    bool captured;
} capture_cases[] = {
    {"public", "orders", true},
    {"PUBLIC", "Orders", true},          /* case-insensitive */
    {"public", "orders_archive", false}, /* anchored */
    {"inventory", "customers", true},
    {"log_2024", "events", true},
    {"log_x", "events", false},
    {"pg_catalog", "pg_class", false},   /* table.ignore.builtin */
};

static void test_filters(void **state)
{
    (void)state;
    cdc_config config;
    char err[512];
    assert_int_equal(parse(&config, err, sizeof err, "table.include.list",
                           "public\\.orders, inventory\\.cust.*,log_\\d+\\.e(?:vent)s", NULL), 0);
    for (size_t i = 0; i < sizeof capture_cases / sizeof capture_cases[0]; i++)
        if (cdc_config_table_captured(&config, capture_cases[i].schema_name,
                                      capture_cases[i].table_name) != capture_cases[i].captured)
            fail_msg("%s.%s: captured should be %d", capture_cases[i].schema_name,
                     capture_cases[i].table_name, capture_cases[i].captured);
    /* the snapshot's table order: the first pattern of the include list that matches */
    assert_int_equal(cdc_config_table_rank(&config, "public.orders"), 0);
    assert_int_equal(cdc_config_table_rank(&config, "inventory.customers"), 1);
    assert_int_equal(cdc_config_table_rank(&config, "log_7.events"), 2);
    cdc_config_release(&config);

    assert_int_equal(parse(&config, err, sizeof err, "schema.exclude.list", "audit",
                           "column.exclude.list", "public\\.users\\.(password|ssn)", NULL), 0);
    assert_false(cdc_config_table_captured(&config, "audit", "x"));
    assert_true(cdc_config_table_captured(&config, "public", "users"));
    assert_int_equal(cdc_config_table_rank(&config, "public.users"), 0); /* no list */
    assert_false(cdc_config_column_included(&config, "public", "users", "password"));
    assert_true(cdc_config_column_included(&config, "public", "users", "name"));
    cdc_config_release(&config);

    /* values Debezium 3 removed: accepted, with their replacement named in a warning */
    assert_string_equal(cdc_config_replaced_value("snapshot.mode", "never"), "no_data");
    assert_string_equal(cdc_config_replaced_value("snapshot.mode", "NEVER"), "no_data");
    assert_string_equal(cdc_config_replaced_value("snapshot.mode", "exported"), "initial");
    assert_null(cdc_config_replaced_value("snapshot.mode", "no_data"));
    assert_null(cdc_config_replaced_value("decimal.handling.mode", "never"));
    assert_null(cdc_config_replaced_value("snapshot.mode", NULL));

    char **items = cdc_list_split(" a , b\\,c ,, d{1\\,2}", ',');
    assert_string_equal(items[0], "a");
    assert_string_equal(items[1], "b,c");
    assert_string_equal(items[2], "d{1,2}");
    assert_null(items[3]);
    strlist_array_free(items);
    items = cdc_list_split(NULL, ',');
    assert_null(items[0]);
    strlist_array_free(items);
}

static void test_key_columns(void **state)
{
    (void)state;
    cdc_config config;
    char err[512];
    assert_int_equal(parse(&config, err, sizeof err, "message.key.columns",
                           "public.orders:customer_id,order_no;(.*).items:sku", NULL), 0);
    const cdc_key_override *override = cdc_config_key_override(&config, "public.orders");
    assert_non_null(override);
    assert_int_equal(override->column_count, 2);
    assert_string_equal(override->columns[1], "order_no");
    override = cdc_config_key_override(&config, "shop.items");
    assert_non_null(override);
    assert_string_equal(override->columns[0], "sku");
    assert_null(cdc_config_key_override(&config, "public.customers"));
    cdc_config_release(&config);
}

typedef struct reports {
    char text[2048];
    int count;
} reports;

static void report(void *ctx, const char *key, const char *message)
{
    reports *r = ctx;
    size_t used = strlen(r->text);
    snprintf(r->text + used, sizeof r->text - used, "%s: %s\n", key, message);
    r->count++;
}

static void test_cross_checks(void **state)
{
    (void)state;
    json_t *values = json_pack("{s:s, s:s, s:s, s:s, s:s}", "plugin.name", "decoderbufs",
                               "table.include.list", "a", "table.exclude.list", "b(",
                               "message.key.columns", "x", "skipped.operations", "q");
    reports r = {0};
    cdc_config_check(values, report, &r);
    json_decref(values);
    assert_int_equal(r.count, 5);
    assert_non_null(strstr(r.text, "plugin.name: only the built-in pgoutput plugin"));
    assert_non_null(strstr(r.text, "table.exclude.list: invalid regular"));
    assert_non_null(strstr(r.text, "table.exclude.list: table.include.list and "
                                   "table.exclude.list cannot both be set"));
    assert_non_null(strstr(r.text, "message.key.columns: entry 'x'"));
    assert_non_null(strstr(r.text, "skipped.operations: 'q'"));

    values = json_pack("{s:s}", "table.include.list", "public.a,public.b");
    memset(&r, 0, sizeof r);
    cdc_config_check(values, report, &r);
    json_decref(values);
    assert_int_equal(r.count, 0);
}

static void test_definition(void **state)
{
    (void)state;
    /* Every key documented, no duplicates, every unsupported key declared. */
    size_t count = 0;
    for (const ferry_config_key *def = cdc_config_keys; def->name; def++, count++) {
        assert_non_null(def->documentation);
        for (const ferry_config_key *other = def + 1; other->name; other++)
            if (strcmp(def->name, other->name) == 0)
                fail_msg("config key %s is declared twice", def->name);
    }
    assert_true(count > 60);
    for (size_t i = 0; cdc_config_unsupported_keys[i]; i++) {
        bool found = false;
        for (const ferry_config_key *def = cdc_config_keys; def->name && !found; def++)
            found = strcmp(def->name, cdc_config_unsupported_keys[i]) == 0;
        if (!found)
            fail_msg("unsupported key %s is not declared", cdc_config_unsupported_keys[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debezium_defaults),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_blank_strings),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_key_columns),
        cmocka_unit_test(test_cross_checks),
        cmocka_unit_test(test_definition),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
