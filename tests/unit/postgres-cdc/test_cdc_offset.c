/* cdc_offset: LSN text, the streaming and snapshot offsets round-trip, Debezium's own offsets are
 * read, and bad offsets are refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cdc_offset.h"

static void test_lsn_text(void **state)
{
    (void)state;
    char buf[24];
    assert_string_equal(pg_lsn_format(0x16B374D848ull, buf, sizeof buf), "16/B374D848");
    assert_string_equal(pg_lsn_format(0, buf, sizeof buf), "0/0");
    uint64_t lsn = 0;
    assert_int_equal(pg_lsn_parse("16/B374D848", &lsn), 0);
    assert_true(lsn == 0x16B374D848ull);
    assert_int_equal(pg_lsn_parse("0/1A0C060", &lsn), 0);
    assert_true(lsn == 0x1A0C060);
    assert_int_equal(pg_lsn_parse("16B374D848", &lsn), -1);
    assert_int_equal(pg_lsn_parse("1/2/3", &lsn), -1);
    assert_int_equal(pg_lsn_parse("100000000/0", &lsn), -1);
}

static void test_streaming_round_trip(void **state)
{
    (void)state;
    cdc_position position = {.lsn_proc = 1000, .lsn_commit = 5000, .tx_event = 123456,
                             .lsn = 4000, .tx_id = 571, .ts_usec = 1700000000000000};
    json_t *offset = cdc_offset_streaming(&position);
    char *text = json_dumps(offset, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"lsn\":4000,\"lsn_commit\":5000,\"lsn_proc\":1000,\"ts_usec\":"
                              "1700000000000000,\"txId\":571,\"tx_event\":123456}");
    free(text);
    cdc_offset decoded;
    char err[256];
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), 0);
    assert_int_equal(decoded.phase, CDC_OFFSET_STREAMING);
    assert_false(decoded.from_debezium);
    assert_int_equal(decoded.position.lsn_proc, 1000);
    assert_int_equal(decoded.position.lsn_commit, 5000);
    assert_int_equal(decoded.position.tx_event, 123456);
    assert_int_equal(decoded.position.tx_id, 571);
    cdc_offset_clear(&decoded);
    json_decref(offset);

    /* Between transactions: no lsn_commit, no tx_event. */
    cdc_position idle = {.lsn_proc = 77, .tx_event = -1, .tx_id = -1};
    offset = cdc_offset_streaming(&idle);
    text = json_dumps(offset, JSON_COMPACT);
    assert_string_equal(text, "{\"lsn_proc\":77}");
    free(text);
    json_decref(offset);
}

static void test_snapshot_round_trip(void **state)
{
    (void)state;
    json_t *key = json_pack("[s,s]", "42", "b");
    json_t *offset = cdc_offset_snapshot(900, 600, 5, "public.orders", key, false);
    cdc_offset decoded;
    char err[256];
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), 0);
    assert_int_equal(decoded.phase, CDC_OFFSET_SNAPSHOT);
    assert_string_equal(decoded.snapshot_table, "public.orders");
    assert_true(json_equal(decoded.snapshot_key, key));
    assert_int_equal(decoded.position.lsn_proc, 900);
    cdc_offset_clear(&decoded);
    json_decref(offset);

    /* The last snapshot record: streaming from the consistent point. */
    offset = cdc_offset_snapshot(900, 600, 5, "public.orders", key, true);
    assert_null(json_object_get(offset, "snapshot_table"));
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), 0);
    assert_int_equal(decoded.phase, CDC_OFFSET_STREAMING);
    assert_int_equal(decoded.position.lsn_proc, 900);
    assert_int_equal(decoded.position.lsn_commit, 0);
    cdc_offset_clear(&decoded);
    json_decref(offset);
    json_decref(key);
}

static void test_debezium_offsets(void **state)
{
    (void)state;
    cdc_offset decoded;
    char err[256];
    /* A streaming offset written by Debezium: resumes from lsn_proc, skips nothing. */
    json_t *offset = json_loads("{\"transaction_id\":null,\"lsn_proc\":27312600,\"messageType\":"
                                "\"UPDATE\",\"lsn_commit\":27312400,\"lsn\":27312600,\"txId\":853,"
                                "\"ts_usec\":1700000000000000}",
                                0, NULL);
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), 0);
    assert_int_equal(decoded.phase, CDC_OFFSET_STREAMING);
    assert_true(decoded.from_debezium);
    assert_int_equal(decoded.position.lsn_proc, 27312600);
    assert_int_equal(decoded.position.lsn_commit, 0);
    cdc_offset_clear(&decoded);
    json_decref(offset);

    /* Debezium's completed snapshot. */
    offset = json_loads("{\"last_snapshot_record\":true,\"lsn\":555,\"txId\":1,\"ts_usec\":2,"
                        "\"snapshot\":true}", 0, NULL);
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), 0);
    assert_int_equal(decoded.phase, CDC_OFFSET_STREAMING);
    assert_int_equal(decoded.position.lsn_proc, 555);
    cdc_offset_clear(&decoded);
    json_decref(offset);

    /* Debezium's snapshot in progress: it is taken again from the start. */
    offset = json_loads("{\"last_snapshot_record\":false,\"lsn\":555,\"snapshot\":\"INITIAL\"}",
                        0, NULL);
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), 0);
    assert_int_equal(decoded.phase, CDC_OFFSET_SNAPSHOT);
    assert_null(decoded.snapshot_table);
    cdc_offset_clear(&decoded);
    json_decref(offset);
}

static void test_bad_offsets(void **state)
{
    (void)state;
    cdc_offset decoded;
    char err[256];
    assert_int_equal(cdc_offset_decode(NULL, &decoded, err, sizeof err), 0);
    assert_int_equal(decoded.phase, CDC_OFFSET_NONE);
    json_t *offset = json_loads("{\"lsn_proc\":\"0/16\"}", 0, NULL);
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), -1);
    assert_string_equal(err, "offset field lsn_proc is \"0/16\", expected a non-negative integer "
                             "LSN");
    json_decref(offset);
    offset = json_loads("{\"ts_usec\":1}", 0, NULL);
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), -1);
    assert_string_equal(err, "the committed offset has neither lsn_proc nor lsn");
    json_decref(offset);
    offset = json_loads("{\"lsn_proc\":1,\"lsn_commit\":2,\"tx_event\":-4}", 0, NULL);
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), -1);
    json_decref(offset);
    offset = json_loads("[1]", 0, NULL);
    assert_int_equal(cdc_offset_decode(offset, &decoded, err, sizeof err), -1);
    json_decref(offset);

    json_t *partition = cdc_partition_new("dbserver1");
    char *text = json_dumps(partition, JSON_COMPACT);
    assert_string_equal(text, "{\"server\":\"dbserver1\"}");
    free(text);
    json_decref(partition);
}

/* What a user may write with PATCH /connectors/{c}/offsets: Debezium's partition of this
 * connector and LSNs that are non-negative integers; a reset (NULL) of anything. */
static void test_altered_offsets(void **state)
{
    (void)state;
    char err[512];
    json_t *partition = json_pack("{s:s}", "server", "shop");
    json_t *other = json_pack("{s:s}", "server", "elsewhere");
    json_t *good = json_pack("{s:I, s:I}", "lsn_proc", (json_int_t)1000, "lsn", (json_int_t)900);
    json_t *text_lsn = json_pack("{s:s}", "lsn", "0/16B374D8");
    json_t *negative = json_pack("{s:I}", "lsn_proc", (json_int_t)-1);
    assert_int_equal(cdc_offset_alter_check(partition, good, "shop", err, sizeof(err)), 0);
    assert_int_equal(cdc_offset_alter_check(other, NULL, "shop", err, sizeof(err)), 0);
    assert_int_equal(cdc_offset_alter_check(partition, text_lsn, "shop", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "{\"server\":\"shop\"}"));
    assert_non_null(strstr(err, "lsn"));
    assert_int_equal(cdc_offset_alter_check(partition, negative, "shop", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "lsn_proc"));
    assert_int_equal(cdc_offset_alter_check(other, good, "shop", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "topic.prefix"));
    json_t *empty = json_object();
    assert_int_equal(cdc_offset_alter_check(empty, good, "shop", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "'server'"));
    json_decref(empty);
    json_decref(partition);
    json_decref(other);
    json_decref(good);
    json_decref(text_lsn);
    json_decref(negative);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lsn_text),
        cmocka_unit_test(test_streaming_round_trip),
        cmocka_unit_test(test_snapshot_round_trip),
        cmocka_unit_test(test_debezium_offsets),
        cmocka_unit_test(test_bad_offsets),
        cmocka_unit_test(test_altered_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
