/* The statements the connector builds: quoted identifiers and literals, the snapshot's chunk
 * queries (keyset and cursor), the slot's CREATE_REPLICATION_SLOT and the stream's
 * START_REPLICATION; and the reading of txid_current_snapshot(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_connection.h"
#include "pg_slot_publication.h"
#include "pg_snapshot.h"
#include "pg_stream.h"

static void assert_taken(char *text, const char *expected)
{
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

static void test_quoting(void **state)
{
    (void)state;
    assert_taken(pg_quote_ident("orders"), "\"orders\"");
    assert_taken(pg_quote_ident("we\"ird"), "\"we\"\"ird\"");
    assert_taken(pg_quote_ident(""), "\"\"");
    assert_taken(pg_quote_qualified("Sales", "a.b"), "\"Sales\".\"a.b\"");
    assert_taken(pg_quote_literal("it's"), "'it''s'");
    strbuf sql = {0};
    pg_quote_append_ident(&sql, "x");
    strbuf_append_char(&sql, ' ');
    pg_quote_append_literal(&sql, "\"y\"");
    assert_taken(strbuf_take(&sql, NULL), "\"x\" '\"y\"'");
}

static void test_chunk_queries(void **state)
{
    (void)state;
    pg_column_meta columns[] = {
        {.name = "id", .type_sql = "integer", .key_position = 1},
        {.name = "na\"me", .type_sql = "text", .key_position = -1},
        {.name = "region", .type_sql = "character varying(8)", .key_position = 0},
    };
    pg_table_meta meta = {.schema_name = "public", .table_name = "orders", .columns = columns,
                          .column_count = 3};
    assert_taken(pg_snapshot_chunk_sql(&meta, 100, false),
                 "SELECT \"id\", \"na\"\"me\", \"region\" FROM \"public\".\"orders\" "
                 "ORDER BY (\"region\", \"id\") LIMIT 100");
    assert_taken(pg_snapshot_chunk_sql(&meta, 100, true),
                 "SELECT \"id\", \"na\"\"me\", \"region\" FROM \"public\".\"orders\" "
                 "WHERE (\"region\", \"id\") > ($1::character varying(8), $2::integer) "
                 "ORDER BY (\"region\", \"id\") LIMIT 100");
    /* No primary key: the whole table, read through a cursor. */
    columns[0].key_position = columns[2].key_position = -1;
    assert_taken(pg_snapshot_chunk_sql(&meta, 100, false),
                 "SELECT \"id\", \"na\"\"me\", \"region\" FROM \"public\".\"orders\"");
}

/* What a snapshot sees, from txid_current_snapshot(): the stream skips those transactions. */
static void test_txid_snapshot(void **state)
{
    (void)state;
    pg_txid_snapshot view;
    assert_int_equal(pg_txid_snapshot_parse("100:105:101,103", &view), 0);
    assert_int_equal(view.xmin, 100);
    assert_int_equal(view.xmax, 105);
    assert_int_equal(view.xip_count, 2);
    assert_true(pg_txid_snapshot_sees(&view, 99));   /* finished before */
    assert_true(pg_txid_snapshot_sees(&view, 100));
    assert_false(pg_txid_snapshot_sees(&view, 101)); /* in progress */
    assert_true(pg_txid_snapshot_sees(&view, 102));
    assert_false(pg_txid_snapshot_sees(&view, 103));
    assert_true(pg_txid_snapshot_sees(&view, 104));
    assert_false(pg_txid_snapshot_sees(&view, 105)); /* after */
    assert_false(pg_txid_snapshot_sees(&view, 9000));
    pg_txid_snapshot_release(&view);

    /* 64-bit ids past a wraparound (epoch 1): the 32 bits pgoutput sends */
    assert_int_equal(pg_txid_snapshot_parse("4294967390:4294967400:", &view), 0);
    assert_int_equal(view.xip_count, 0);
    assert_true(pg_txid_snapshot_sees(&view, 4294967390u - 4294967296u + 5));
    assert_false(pg_txid_snapshot_sees(&view, 4294967400u - 4294967296u));
    assert_true(pg_txid_snapshot_sees(&view, 4294967290u)); /* epoch 0, long before */
    pg_txid_snapshot_release(&view);

    assert_int_equal(pg_txid_snapshot_parse("5:4:", &view), -1);
    assert_int_equal(pg_txid_snapshot_parse("5:6:x", &view), -1);
    assert_int_equal(pg_txid_snapshot_parse("", &view), -1);
    assert_null(view.xip);
}

static void test_replication_commands(void **state)
{
    (void)state;
    assert_taken(pg_slot_create_command("debezium", true),
                 "CREATE_REPLICATION_SLOT \"debezium\" LOGICAL pgoutput EXPORT_SNAPSHOT");
    assert_taken(pg_slot_create_command("my\"slot", false),
                 "CREATE_REPLICATION_SLOT \"my\"\"slot\" LOGICAL pgoutput NOEXPORT_SNAPSHOT");
    assert_taken(pg_stream_start_command("debezium", "dbz_publication", 0x16B374D848),
                 "START_REPLICATION SLOT \"debezium\" LOGICAL 16/B374D848 (proto_version '1', "
                 "publication_names '\"dbz_publication\"')");
    /* publication_names is a literal holding identifiers: both quotings apply. */
    assert_taken(pg_stream_start_command("s", "it's", 0),
                 "START_REPLICATION SLOT \"s\" LOGICAL 0/0 (proto_version '1', "
                 "publication_names '\"it''s\"')");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_chunk_queries),
        cmocka_unit_test(test_replication_commands),
        cmocka_unit_test(test_txid_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
