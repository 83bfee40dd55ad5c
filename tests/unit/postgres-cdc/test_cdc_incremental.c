/* cdc_incremental without a server: signals are parsed (and bad ones refused with a message),
 * the incremental_snapshot_* offset fields round-trip in Debezium's form (the key fields against
 * a JVM's serialization), and the chunk buffer drops a row whose key is streamed inside the
 * window and emits the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cdc_incremental.h"
#include "java_fixtures.h"
#include "pg_types.h"

static void test_signal_parse(void **state)
{
    (void)state;
    cdc_signal signal;
    char err[256] = "";
    assert_int_equal(cdc_signal_parse("s1", "execute-snapshot",
                                      "{\"data-collections\": [\"public.a\", \"public.b\"], "
                                      "\"type\": \"INCREMENTAL\", \"additional-conditions\": "
                                      "[{\"data-collection\": \"public.b\", \"filter\": \"x > 1\"}]}",
                                      &signal, err, sizeof err), 0);
    assert_int_equal(signal.kind, CDC_SIGNAL_EXECUTE);
    assert_string_equal(signal.id, "s1");
    assert_int_equal(signal.collection_count, 2);
    assert_string_equal(signal.collections[0], "public.a");
    assert_null(signal.conditions[0]);
    assert_string_equal(signal.conditions[1], "x > 1");
    assert_false(signal.blocking);
    cdc_signal_release(&signal);

    assert_int_equal(cdc_signal_parse("s2", "stop-snapshot", "{\"type\": \"incremental\"}",
                                      &signal, err, sizeof err), 0);
    assert_int_equal(signal.kind, CDC_SIGNAL_STOP);
    assert_null(signal.collections);
    cdc_signal_release(&signal);

    assert_int_equal(cdc_signal_parse("p", "pause-snapshot", NULL, &signal, err, sizeof err), 0);
    assert_int_equal(signal.kind, CDC_SIGNAL_PAUSE);
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse("w", "snapshot-window-open", "{}", &signal, err,
                                      sizeof err), 0);
    assert_int_equal(signal.kind, CDC_SIGNAL_WINDOW_OPEN);
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse("o", "some-other", NULL, &signal, err, sizeof err), 0);
    assert_int_equal(signal.kind, CDC_SIGNAL_OTHER);
    cdc_signal_release(&signal);

    /* refused, with what is wrong */
    assert_int_equal(cdc_signal_parse("b1", "execute-snapshot", "{\"type\": \"incremental\"}",
                                      &signal, err, sizeof err), -1);
    assert_non_null(strstr(err, "no data-collections"));
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse("b2", "execute-snapshot", "not json", &signal, err,
                                      sizeof err), -1);
    assert_non_null(strstr(err, "not a JSON object"));
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse("b3", "execute-snapshot",
                                      "{\"data-collections\": [\"public.a\"], \"type\": \"x\"}",
                                      &signal, err, sizeof err), -1);
    assert_non_null(strstr(err, "not incremental or blocking"));
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse("b4", "execute-snapshot", "{\"data-collections\": [1]}",
                                      &signal, err, sizeof err), -1);
    assert_non_null(strstr(err, "item 0 is not a table name"));
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse("b5", "", NULL, &signal, err, sizeof err), -1);
    assert_non_null(strstr(err, "no type"));
    cdc_signal_release(&signal);
}

static void test_signal_parse_kafka(void **state)
{
    (void)state;
    cdc_signal signal;
    char err[256] = "";
    const char *value = "{\"id\": \"k1\", \"type\": \"execute-snapshot\", \"data\": "
                        "{\"data-collections\": [\"public.a\"], \"type\": \"INCREMENTAL\"}}";
    assert_int_equal(cdc_signal_parse_kafka("shop", value, "shop", "gen", &signal, err,
                                            sizeof err), 0);
    assert_int_equal(signal.kind, CDC_SIGNAL_EXECUTE);
    assert_string_equal(signal.id, "k1");
    assert_string_equal(signal.collections[0], "public.a");
    cdc_signal_release(&signal);
    /* no id: the one given */
    assert_int_equal(cdc_signal_parse_kafka("shop", "{\"type\": \"pause-snapshot\"}", "shop",
                                            "gen", &signal, err, sizeof err), 0);
    assert_int_equal(signal.kind, CDC_SIGNAL_PAUSE);
    assert_string_equal(signal.id, "gen");
    cdc_signal_release(&signal);
    /* another connector's: skipped, saying whose */
    assert_int_equal(cdc_signal_parse_kafka("other", value, "shop", "gen", &signal, err,
                                            sizeof err), 1);
    assert_non_null(strstr(err, "'other' is not the connector's topic.prefix 'shop'"));
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse_kafka(NULL, value, "shop", "gen", &signal, err,
                                            sizeof err), 1);
    cdc_signal_release(&signal);
    /* bad values */
    assert_int_equal(cdc_signal_parse_kafka("shop", "[1]", "shop", "gen", &signal, err,
                                            sizeof err), -1);
    assert_non_null(strstr(err, "not a JSON object"));
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse_kafka("shop", "{\"type\": \"execute-snapshot\", "
                                                    "\"data\": \"x\"}",
                                            "shop", "gen", &signal, err, sizeof err), -1);
    assert_non_null(strstr(err, "data is not a JSON object"));
    cdc_signal_release(&signal);
    assert_int_equal(cdc_signal_parse_kafka("shop", "{\"id\": \"n\"}", "shop", "gen", &signal,
                                            err, sizeof err), -1);
    assert_non_null(strstr(err, "has no type"));
    cdc_signal_release(&signal);
}

static void test_offsets_debezium_form(void **state)
{
    (void)state;
    cdc_incremental inc;
    cdc_incremental_init(&inc);
    assert_int_equal(cdc_incremental_add(&inc, "public.orders", NULL), 0);
    assert_int_equal(cdc_incremental_add(&inc, "public.items", "qty > 0"), 0);
    assert_int_equal(cdc_incremental_add(&inc, "public.orders", NULL), 0); /* queued already */
    inc.position = json_pack("[s]", "100000");
    inc.maximum = json_pack("[s]", "2000");
    strcpy(inc.key_types, "I");
    inc.correlation_id = strdup("sig-1");
    json_t *offset = json_object();
    assert_int_equal(cdc_incremental_offset_add(&inc, offset), 0);
    char *integer_hex = java_fixture_hex("integer"); /* Object[]{Integer 100000} from a JVM */
    assert_string_equal(json_string_value(json_object_get(offset, CDC_INCR_PRIMARY_KEY)),
                        integer_hex);
    assert_string_equal(json_string_value(json_object_get(offset, CDC_INCR_COLLECTIONS)),
                        "[{\"incremental_snapshot_collections_id\":\"public.orders\","
                        "\"incremental_snapshot_collections_additional_condition\":null,"
                        "\"incremental_snapshot_collections_surrogate_key\":null},"
                        "{\"incremental_snapshot_collections_id\":\"public.items\","
                        "\"incremental_snapshot_collections_additional_condition\":\"qty > 0\","
                        "\"incremental_snapshot_collections_surrogate_key\":null}]");

    cdc_incremental back;
    cdc_incremental_init(&back);
    char err[256] = "";
    assert_int_equal(cdc_incremental_restore(&back, offset, err, sizeof err), 0);
    assert_int_equal(back.count, 2);
    assert_string_equal(back.collections[1].condition, "qty > 0");
    assert_true(json_equal(back.position, inc.position));
    assert_true(json_equal(back.maximum, inc.maximum));
    assert_string_equal(back.key_types, "I");
    assert_string_equal(back.correlation_id, "sig-1");
    cdc_incremental_release(&back);
    json_decref(offset);

    /* a composite key of Integer, Long and String as a JVM writes it */
    json_decref(inc.position);
    inc.position = json_pack("[sss]", "1000", "2000", "x");
    strcpy(inc.key_types, "IJS");
    char *composite = java_fixture_hex("integer_long_string");
    char *encoded = cdc_incremental_key_encode(inc.position, inc.key_types);
    assert_string_equal(encoded, composite);
    char types[CDC_KEY_MAX + 1];
    json_t *decoded = cdc_incremental_key_decode(composite, types, err, sizeof err);
    assert_true(json_equal(decoded, inc.position));
    assert_string_equal(types, "IJS");
    json_decref(decoded);
    free(encoded);
    free(composite);

    /* a UUID key */
    json_t *uuid = json_pack("[s]", "0e4b2a3c-55f1-4d2e-9a6b-7c8d9e0f1a2b");
    char *uuid_hex = java_fixture_hex("uuid");
    encoded = cdc_incremental_key_encode(uuid, "U");
    assert_string_equal(encoded, uuid_hex);
    decoded = cdc_incremental_key_decode(uuid_hex, types, err, sizeof err);
    assert_true(json_equal(decoded, uuid));
    json_decref(decoded);
    free(encoded);
    free(uuid_hex);
    json_decref(uuid);

    /* a value that does not fit its class is not written */
    json_t *big = json_pack("[s]", "3000000000");
    assert_null(cdc_incremental_key_encode(big, "I"));
    json_decref(big);
    free(integer_hex);
    cdc_incremental_release(&inc);
}

static void test_offsets_refused(void **state)
{
    (void)state;
    char err[256] = "";
    cdc_incremental inc;
    cdc_incremental_init(&inc);
    char *bigdecimal = java_fixture_hex("bigdecimal");
    json_t *offset = json_pack("{s:s, s:s}", CDC_INCR_COLLECTIONS,
                               "[{\"incremental_snapshot_collections_id\":\"public.t\"}]",
                               CDC_INCR_PRIMARY_KEY, bigdecimal);
    assert_int_equal(cdc_incremental_restore(&inc, offset, err, sizeof err), -1);
    assert_non_null(strstr(err, CDC_INCR_PRIMARY_KEY));
    assert_non_null(strstr(err, "java.math.BigDecimal"));
    cdc_incremental_release(&inc);
    json_decref(offset);
    free(bigdecimal);

    cdc_incremental_init(&inc);
    offset = json_pack("{s:s}", CDC_INCR_COLLECTIONS, "{}");
    assert_int_equal(cdc_incremental_restore(&inc, offset, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a JSON list"));
    cdc_incremental_release(&inc);
    json_decref(offset);

    /* no snapshot in progress: nothing restored, nothing added */
    cdc_incremental_init(&inc);
    offset = json_object();
    assert_int_equal(cdc_incremental_restore(&inc, offset, err, sizeof err), 0);
    assert_false(cdc_incremental_active(&inc));
    assert_int_equal(cdc_incremental_offset_add(&inc, offset), 0);
    assert_int_equal(json_object_size(offset), 0);
    json_decref(offset);
    cdc_incremental_release(&inc);
}

/* A chunk of (id int4, name text) rows as a query would give it. */
static PGresult *chunk_result(const char *const *ids, int rows)
{
    PGresult *result = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc columns[2] = {{.name = (char *)"id", .typid = PG_OID_INT4, .typlen = 4},
                               {.name = (char *)"name", .typid = PG_OID_TEXT, .typlen = -1}};
    assert_int_equal(PQsetResultAttrs(result, 2, columns), 1);
    for (int row = 0; row < rows; row++) {
        char name[16];
        snprintf(name, sizeof name, "n%s", ids[row]);
        assert_int_equal(PQsetvalue(result, row, 0, (char *)ids[row], (int)strlen(ids[row])), 1);
        assert_int_equal(PQsetvalue(result, row, 1, name, (int)strlen(name)), 1);
    }
    return result;
}

static void test_chunk_buffer(void **state)
{
    (void)state;
    dbz_column columns[2] = {{.name = (char *)"id", .type = {.oid = PG_OID_INT4}},
                             {.name = (char *)"name", .type = {.oid = PG_OID_TEXT}}};
    size_t key_columns[1] = {0};
    dbz_table table = {.oid = 4242, .id = (char *)"public.t", .columns = columns,
                       .column_count = 2, .key_columns = key_columns, .key_count = 1};
    cdc_incremental inc;
    cdc_incremental_init(&inc);
    assert_int_equal(cdc_incremental_add(&inc, "public.t", NULL), 0);
    cdc_incremental_key_types(&inc, &table);
    assert_string_equal(inc.key_types, "I");
    inc.maximum = json_pack("[s]", "9");

    const char *ids[] = {"1", "2", "3"};
    assert_int_equal(cdc_incremental_buffer(&inc, chunk_result(ids, 3), &table, 3, "c1"), 0);
    assert_int_equal(inc.window, CDC_INCR_WAIT_OPEN);
    assert_int_equal(inc.remaining, 3);
    pgo_value key2[2] = {{.kind = PGO_VALUE_TEXT, .data = "2", .len = 1},
                         {.kind = PGO_VALUE_NULL}};
    pgo_tuple tuple = {.count = 2, .values = key2};
    /* before the open watermark a streamed change is older than the chunk: kept */
    cdc_incremental_stream_key(&inc, 4242, &tuple);
    assert_int_equal(inc.remaining, 3);
    inc.window = CDC_INCR_OPEN;
    cdc_incremental_stream_key(&inc, 9999, &tuple); /* another table */
    assert_int_equal(inc.remaining, 3);
    cdc_incremental_stream_key(&inc, 4242, &tuple);
    assert_int_equal(inc.remaining, 2);
    cdc_incremental_stream_key(&inc, 4242, &tuple); /* twice: removed once */
    assert_int_equal(inc.remaining, 2);

    /* offsets while the chunk is held say the position before it */
    json_t *offset = json_object();
    assert_int_equal(cdc_incremental_offset_add(&inc, offset), 0);
    assert_null(json_object_get(offset, CDC_INCR_PRIMARY_KEY));
    json_decref(offset);

    inc.window = CDC_INCR_EMIT;
    pgo_value *values = NULL;
    size_t capacity = 0, count = 0;
    assert_true(cdc_incremental_next_row(&inc, &values, &capacity, &count));
    assert_int_equal(count, 2);
    assert_memory_equal(values[0].data, "1", 1);
    assert_true(cdc_incremental_next_row(&inc, &values, &capacity, &count));
    assert_memory_equal(values[0].data, "3", 1);
    assert_memory_equal(values[1].data, "n3", 2);
    assert_false(cdc_incremental_next_row(&inc, &values, &capacity, &count));
    assert_int_equal(inc.rows_emitted, 2);
    /* a full chunk: the table goes on after its last key */
    assert_false(cdc_incremental_chunk_done(&inc));
    assert_int_equal(inc.window, CDC_INCR_NO_CHUNK);
    json_t *expected = json_pack("[s]", "3");
    assert_true(json_equal(inc.position, expected));
    json_decref(expected);

    /* a short chunk is not the table's last (rows may have come after it), an empty one is */
    const char *last[] = {"7"};
    assert_int_equal(cdc_incremental_buffer(&inc, chunk_result(last, 1), &table, 3, "c2"), 0);
    json_t *last_key = cdc_incremental_chunk_last_key(&inc);
    expected = json_pack("[s]", "7");
    assert_true(json_equal(last_key, expected));
    json_decref(expected);
    json_decref(last_key);
    assert_false(cdc_incremental_chunk_done(&inc));
    assert_int_equal(cdc_incremental_buffer(&inc, chunk_result(last, 0), &table, 3, "c3"), 0);
    assert_null(cdc_incremental_chunk_last_key(&inc));
    assert_true(cdc_incremental_chunk_done(&inc));
    cdc_incremental_table_done(&inc);
    assert_false(cdc_incremental_active(&inc));
    free(values);
    cdc_incremental_release(&inc);
}

/* read.only: the transaction ids of the stream against the chunk's two pg_current_snapshot()s. */
static void test_read_only_window(void **state)
{
    (void)state;
    dbz_column columns[2] = {{.name = (char *)"id", .type = {.oid = PG_OID_INT4}},
                             {.name = (char *)"name", .type = {.oid = PG_OID_TEXT}}};
    size_t key_columns[1] = {0};
    dbz_table table = {.oid = 7, .id = (char *)"public.t", .columns = columns,
                       .column_count = 2, .key_columns = key_columns, .key_count = 1};
    cdc_incremental inc;
    cdc_incremental_init(&inc);
    cdc_incremental_add(&inc, "public.t", NULL);
    const char *ids[] = {"1", "2"};
    /* epoch 1: the stream's 32-bit ids compare modulo 2^32 */
    const uint64_t epoch = UINT64_C(1) << 32;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(cdc_incremental_buffer(&inc, chunk_result(ids, 2), &table, 2, "c"), 0);
        inc.read_only = true;
        pg_txid_snapshot low = {.xmin = epoch + 100, .xmax = epoch + 105};
        pg_txid_snapshot high = {.xmin = epoch + 103, .xmax = epoch + 110};
        cdc_incremental_watermarks(&inc, &low, &high);
        assert_int_equal(inc.window, CDC_INCR_WAIT_OPEN);
        if (round == 0) {
            /* older than the low xmin: the chunk already holds its changes */
            cdc_incremental_change_before(&inc, 99);
            assert_int_equal(inc.window, CDC_INCR_WAIT_OPEN);
            cdc_incremental_change_before(&inc, 100);
            assert_int_equal(inc.window, CDC_INCR_OPEN);
            assert_false(cdc_incremental_change_after(&inc, 110));
            assert_true(cdc_incremental_change_after(&inc, 111));
            assert_int_equal(inc.window, CDC_INCR_EMIT);
        } else if (round == 1) {
            assert_false(cdc_incremental_commit(&inc, 104, false));
            assert_true(cdc_incremental_commit(&inc, 110, false)); /* the high xmax */
            assert_int_equal(inc.window, CDC_INCR_EMIT);
        } else {
            assert_true(cdc_incremental_commit(&inc, 50, false)); /* not newer than high xmin */
        }
        cdc_incremental_buffer_drop(&inc);
    }
    /* idle: the stream has nothing more */
    assert_int_equal(cdc_incremental_buffer(&inc, chunk_result(ids, 2), &table, 2, "c"), 0);
    inc.read_only = true;
    assert_true(cdc_incremental_commit(&inc, 0, true));
    /* not read.only: the watermark rows decide, never the ids */
    cdc_incremental_buffer_drop(&inc);
    assert_int_equal(cdc_incremental_buffer(&inc, chunk_result(ids, 2), &table, 2, "c"), 0);
    inc.read_only = false;
    cdc_incremental_change_before(&inc, 1000);
    assert_int_equal(inc.window, CDC_INCR_WAIT_OPEN);
    assert_false(cdc_incremental_commit(&inc, 0, true));
    cdc_incremental_release(&inc);
}

static void test_remove(void **state)
{
    (void)state;
    cdc_incremental inc;
    cdc_incremental_init(&inc);
    cdc_incremental_add(&inc, "public.a", NULL);
    cdc_incremental_add(&inc, "public.b", NULL);
    cdc_incremental_add(&inc, "public.c", NULL);
    inc.position = json_pack("[s]", "5");
    bool current = true;
    const char *ids[] = {"public.b"};
    assert_int_equal(cdc_incremental_remove(&inc, ids, 1, &current), 1);
    assert_false(current);
    assert_non_null(inc.position);
    const char *first[] = {"public.a"};
    assert_int_equal(cdc_incremental_remove(&inc, first, 1, &current), 1);
    assert_true(current);
    assert_null(inc.position); /* the next table starts from its beginning */
    assert_string_equal(inc.collections[0].id, "public.c");
    assert_int_equal(cdc_incremental_remove(&inc, NULL, 0, &current), 1);
    assert_false(cdc_incremental_active(&inc));
    cdc_incremental_release(&inc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signal_parse),
        cmocka_unit_test(test_signal_parse_kafka),
        cmocka_unit_test(test_offsets_debezium_form),
        cmocka_unit_test(test_offsets_refused),
        cmocka_unit_test(test_chunk_buffer),
        cmocka_unit_test(test_read_only_window),
        cmocka_unit_test(test_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
