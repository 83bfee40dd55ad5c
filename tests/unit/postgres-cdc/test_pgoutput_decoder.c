/* pgoutput_decoder: every message type from crafted buffers, the CopyData wrappers, the status
 * update, and malformed or truncated input with a clear message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pgoutput_decoder.h"

typedef struct buffer {
    uint8_t bytes[4096];
    size_t len;
} buffer;

static void put_u8(buffer *b, uint8_t v)
{
    b->bytes[b->len++] = v;
}

static void put_u16(buffer *b, uint16_t v)
{
    put_u8(b, (uint8_t)(v >> 8));
    put_u8(b, (uint8_t)v);
}

static void put_u32(buffer *b, uint32_t v)
{
    put_u16(b, (uint16_t)(v >> 16));
    put_u16(b, (uint16_t)v);
}

static void put_u64(buffer *b, uint64_t v)
{
    put_u32(b, (uint32_t)(v >> 32));
    put_u32(b, (uint32_t)v);
}

static void put_str(buffer *b, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(b->bytes + b->len, s, n);
    b->len += n;
}

static void put_text(buffer *b, const char *s)
{
    put_u8(b, 't');
    put_u32(b, (uint32_t)strlen(s));
    memcpy(b->bytes + b->len, s, strlen(s));
    b->len += strlen(s);
}

static pgo_decoder *decoder;
static char err[512];

static int setup(void **state)
{
    (void)state;
    decoder = pgo_decoder_new();
    return decoder ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pgo_decoder_destroy(decoder);
    return 0;
}

static int decode(const buffer *b, pgo_message *m)
{
    err[0] = '\0';
    return pgo_decode(decoder, b->bytes, b->len, m, err, sizeof err);
}

static void test_begin_commit(void **state)
{
    (void)state;
    buffer b = {0};
    put_u8(&b, 'B');
    put_u64(&b, 0x16B374D848ull);
    put_u64(&b, 12345678);
    put_u32(&b, 4711);
    pgo_message m;
    assert_int_equal(decode(&b, &m), 0);
    assert_int_equal(m.kind, PGO_BEGIN);
    assert_true(m.begin.final_lsn == 0x16B374D848ull);
    assert_int_equal(m.begin.commit_time, 12345678);
    assert_int_equal(m.begin.xid, 4711);

    buffer c = {0};
    put_u8(&c, 'C');
    put_u8(&c, 0);
    put_u64(&c, 100);
    put_u64(&c, 200);
    put_u64(&c, 300);
    assert_int_equal(decode(&c, &m), 0);
    assert_int_equal(m.kind, PGO_COMMIT);
    assert_int_equal(m.commit.commit_lsn, 100);
    assert_int_equal(m.commit.end_lsn, 200);
    assert_int_equal(m.commit.commit_time, 300);
}

static void test_origin_type_message(void **state)
{
    (void)state;
    buffer o = {0};
    put_u8(&o, 'O');
    put_u64(&o, 77);
    put_str(&o, "upstream");
    pgo_message m;
    assert_int_equal(decode(&o, &m), 0);
    assert_int_equal(m.origin.commit_lsn, 77);
    assert_string_equal(m.origin.name, "upstream");

    buffer y = {0};
    put_u8(&y, 'Y');
    put_u32(&y, 16400);
    put_str(&y, "public");
    put_str(&y, "mood");
    assert_int_equal(decode(&y, &m), 0);
    assert_int_equal(m.kind, PGO_TYPE);
    assert_int_equal(m.type.oid, 16400);
    assert_string_equal(m.type.namespace_name, "public");
    assert_string_equal(m.type.name, "mood");

    buffer msg = {0};
    put_u8(&msg, 'M');
    put_u8(&msg, 1);
    put_u64(&msg, 99);
    put_str(&msg, "prefix");
    put_u32(&msg, 3);
    memcpy(msg.bytes + msg.len, "abc", 3);
    msg.len += 3;
    assert_int_equal(decode(&msg, &m), 0);
    assert_int_equal(m.kind, PGO_MESSAGE);
    assert_int_equal(m.message.flags, 1);
    assert_string_equal(m.message.prefix, "prefix");
    assert_int_equal(m.message.length, 3);
    assert_memory_equal(m.message.content, "abc", 3);
}

static void test_relation(void **state)
{
    (void)state;
    buffer b = {0};
    put_u8(&b, 'R');
    put_u32(&b, 16385);
    put_str(&b, "public");
    put_str(&b, "orders");
    put_u8(&b, 'd');
    put_u16(&b, 2);
    put_u8(&b, 1);
    put_str(&b, "id");
    put_u32(&b, 23);
    put_u32(&b, 0xFFFFFFFF);
    put_u8(&b, 0);
    put_str(&b, "price");
    put_u32(&b, 1700);
    put_u32(&b, (10 << 16 | 2) + 4);
    pgo_message m;
    assert_int_equal(decode(&b, &m), 0);
    assert_int_equal(m.kind, PGO_RELATION);
    assert_int_equal(m.relation.oid, 16385);
    assert_string_equal(m.relation.namespace_name, "public");
    assert_string_equal(m.relation.name, "orders");
    assert_int_equal(m.relation.replica_identity, 'd');
    assert_int_equal(m.relation.column_count, 2);
    assert_int_equal(m.relation.columns[0].flags, 1);
    assert_string_equal(m.relation.columns[0].name, "id");
    assert_int_equal(m.relation.columns[0].type_oid, 23);
    assert_int_equal(m.relation.columns[0].type_modifier, -1);
    assert_string_equal(m.relation.columns[1].name, "price");
    assert_int_equal(m.relation.columns[1].type_modifier, (10 << 16 | 2) + 4);
}

static void test_insert_all_value_kinds(void **state)
{
    (void)state;
    buffer b = {0};
    put_u8(&b, 'I');
    put_u32(&b, 16385);
    put_u8(&b, 'N');
    put_u16(&b, 4);
    put_text(&b, "42");
    put_u8(&b, 'n');
    put_u8(&b, 'u');
    put_u8(&b, 'b');
    put_u32(&b, 2);
    put_u8(&b, 0xDE);
    put_u8(&b, 0xAD);
    pgo_message m;
    assert_int_equal(decode(&b, &m), 0);
    assert_int_equal(m.kind, PGO_INSERT);
    assert_int_equal(m.insert.relation_oid, 16385);
    const pgo_tuple *t = &m.insert.new_tuple;
    assert_int_equal(t->count, 4);
    assert_int_equal(t->values[0].kind, PGO_VALUE_TEXT);
    assert_int_equal(t->values[0].len, 2);
    assert_memory_equal(t->values[0].data, "42", 2);
    assert_int_equal(t->values[1].kind, PGO_VALUE_NULL);
    assert_int_equal(t->values[2].kind, PGO_VALUE_UNCHANGED_TOAST);
    assert_int_equal(t->values[3].kind, PGO_VALUE_BINARY);
    assert_int_equal(t->values[3].len, 2);
}

static void test_update_forms(void **state)
{
    (void)state;
    pgo_message m;
    /* no old tuple */
    buffer plain = {0};
    put_u8(&plain, 'U');
    put_u32(&plain, 1);
    put_u8(&plain, 'N');
    put_u16(&plain, 1);
    put_text(&plain, "new");
    assert_int_equal(decode(&plain, &m), 0);
    assert_int_equal(m.update.old_kind, 0);
    assert_int_equal(m.update.new_tuple.count, 1);

    /* old key, then new: both tuples readable after the decoder's array grew */
    buffer keyed = {0};
    put_u8(&keyed, 'U');
    put_u32(&keyed, 1);
    put_u8(&keyed, 'K');
    put_u16(&keyed, 2);
    put_text(&keyed, "old-key");
    put_u8(&keyed, 'n');
    put_u8(&keyed, 'N');
    put_u16(&keyed, 40);
    for (int i = 0; i < 40; i++)
        put_text(&keyed, i == 0 ? "new-key" : "x");
    assert_int_equal(decode(&keyed, &m), 0);
    assert_int_equal(m.update.old_kind, 'K');
    assert_int_equal(m.update.old_tuple.count, 2);
    assert_memory_equal(m.update.old_tuple.values[0].data, "old-key", 7);
    assert_int_equal(m.update.old_tuple.values[1].kind, PGO_VALUE_NULL);
    assert_int_equal(m.update.new_tuple.count, 40);
    assert_memory_equal(m.update.new_tuple.values[0].data, "new-key", 7);

    buffer full = {0};
    put_u8(&full, 'U');
    put_u32(&full, 1);
    put_u8(&full, 'O');
    put_u16(&full, 1);
    put_text(&full, "before");
    put_u8(&full, 'N');
    put_u16(&full, 1);
    put_text(&full, "after");
    assert_int_equal(decode(&full, &m), 0);
    assert_int_equal(m.update.old_kind, 'O');
    assert_memory_equal(m.update.old_tuple.values[0].data, "before", 6);
    assert_memory_equal(m.update.new_tuple.values[0].data, "after", 5);
}

static void test_delete_truncate(void **state)
{
    (void)state;
    pgo_message m;
    buffer d = {0};
    put_u8(&d, 'D');
    put_u32(&d, 9);
    put_u8(&d, 'K');
    put_u16(&d, 1);
    put_text(&d, "7");
    assert_int_equal(decode(&d, &m), 0);
    assert_int_equal(m.kind, PGO_DELETE);
    assert_int_equal(m.delete_.relation_oid, 9);
    assert_int_equal(m.delete_.old_kind, 'K');
    assert_int_equal(m.delete_.old_tuple.count, 1);

    buffer t = {0};
    put_u8(&t, 'T');
    put_u32(&t, 3);
    put_u8(&t, PGO_TRUNCATE_CASCADE | PGO_TRUNCATE_RESTART_IDENTITY);
    put_u32(&t, 10);
    put_u32(&t, 11);
    put_u32(&t, 12);
    assert_int_equal(decode(&t, &m), 0);
    assert_int_equal(m.kind, PGO_TRUNCATE);
    assert_int_equal(m.truncate.relation_count, 3);
    assert_int_equal(m.truncate.options, 3);
    assert_int_equal(m.truncate.relation_oids[2], 12);
}

static void test_truncated_input(void **state)
{
    (void)state;
    /* Every proper prefix of a valid message is an error, never a crash or a success. */
    buffer b = {0};
    put_u8(&b, 'U');
    put_u32(&b, 1);
    put_u8(&b, 'O');
    put_u16(&b, 2);
    put_text(&b, "old");
    put_u8(&b, 'n');
    put_u8(&b, 'N');
    put_u16(&b, 2);
    put_text(&b, "new");
    put_u8(&b, 'u');
    pgo_message m;
    for (size_t len = 1; len < b.len; len++) {
        buffer prefix = b;
        prefix.len = len;
        assert_int_equal(decode(&prefix, &m), -1);
        assert_non_null(strstr(err, "Update"));
    }
    buffer cut = b;
    cut.len = 6;
    decode(&cut, &m);
    assert_non_null(strstr(err, "truncated Update message"));

    buffer relation = {0};
    put_u8(&relation, 'R');
    put_u32(&relation, 1);
    put_str(&relation, "public");
    memcpy(relation.bytes + relation.len, "no-nul", 6); /* the name never ends */
    relation.len += 6;
    assert_int_equal(decode(&relation, &m), -1);
    assert_non_null(strstr(err, "no terminating NUL"));

    buffer empty = {0};
    assert_int_equal(decode(&empty, &m), -1);
    assert_non_null(strstr(err, "empty"));
}

static void test_malformed_input(void **state)
{
    (void)state;
    pgo_message m;
    buffer unknown = {0};
    put_u8(&unknown, 'Z');
    assert_int_equal(decode(&unknown, &m), -1);
    assert_non_null(strstr(err, "unknown pgoutput message type 0x5a ('Z')"));

    buffer bad_kind = {0};
    put_u8(&bad_kind, 'I');
    put_u32(&bad_kind, 1);
    put_u8(&bad_kind, 'N');
    put_u16(&bad_kind, 1);
    put_u8(&bad_kind, 'q');
    assert_int_equal(decode(&bad_kind, &m), -1);
    assert_non_null(strstr(err, "column 1 of the new tuple has kind 0x71"));

    buffer no_marker = {0};
    put_u8(&no_marker, 'D');
    put_u32(&no_marker, 1);
    put_u8(&no_marker, 'N');
    assert_int_equal(decode(&no_marker, &m), -1);
    assert_non_null(strstr(err, "expected 'K' (old key) or 'O' (old row)"));

    buffer extra = {0};
    put_u8(&extra, 'B');
    put_u64(&extra, 1);
    put_u64(&extra, 2);
    put_u32(&extra, 3);
    put_u8(&extra, 0xFF);
    assert_int_equal(decode(&extra, &m), -1);
    assert_non_null(strstr(err, "1 unexpected bytes"));

    /* A value length far beyond the buffer. */
    buffer huge = {0};
    put_u8(&huge, 'I');
    put_u32(&huge, 1);
    put_u8(&huge, 'N');
    put_u16(&huge, 1);
    put_u8(&huge, 't');
    put_u32(&huge, 0xFFFFFFF0u);
    assert_int_equal(decode(&huge, &m), -1);
    assert_non_null(strstr(err, "a column's value needs 4294967280 bytes"));

    /* A truncate that claims more relations than it has bytes. */
    buffer trunc = {0};
    put_u8(&trunc, 'T');
    put_u32(&trunc, 1000000);
    put_u8(&trunc, 0);
    put_u32(&trunc, 1);
    assert_int_equal(decode(&trunc, &m), -1);
    assert_non_null(strstr(err, "truncated Truncate message"));
}

static void test_copy_data(void **state)
{
    (void)state;
    buffer w = {0};
    put_u8(&w, 'w');
    put_u64(&w, 1000);
    put_u64(&w, 2000);
    put_u64(&w, 3000);
    put_u8(&w, 'B');
    pgo_copy_data copy;
    assert_int_equal(pgo_copy_data_decode(w.bytes, w.len, &copy, err, sizeof err), 0);
    assert_int_equal(copy.kind, PGO_COPY_XLOG_DATA);
    assert_int_equal(copy.wal_start, 1000);
    assert_int_equal(copy.wal_end, 2000);
    assert_int_equal(copy.send_time, 3000);
    assert_int_equal(copy.len, 1);
    assert_int_equal(copy.data[0], 'B');

    buffer k = {0};
    put_u8(&k, 'k');
    put_u64(&k, 5000);
    put_u64(&k, 6000);
    put_u8(&k, 1);
    assert_int_equal(pgo_copy_data_decode(k.bytes, k.len, &copy, err, sizeof err), 0);
    assert_int_equal(copy.kind, PGO_COPY_KEEPALIVE);
    assert_int_equal(copy.wal_end, 5000);
    assert_true(copy.reply_requested);

    assert_int_equal(pgo_copy_data_decode(k.bytes, 10, &copy, err, sizeof err), -1);
    assert_non_null(strstr(err, "truncated primary keepalive"));
    uint8_t odd = 'x';
    assert_int_equal(pgo_copy_data_decode(&odd, 1, &copy, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown CopyData message type 0x78"));
}

static void test_status_update(void **state)
{
    (void)state;
    uint8_t out[PGO_STATUS_UPDATE_SIZE];
    pgo_status_update_encode(out, 0x0102030405060708ull, 0x10, 0x20, 0x30, true);
    assert_int_equal(out[0], 'r');
    const uint8_t written[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_memory_equal(out + 1, written, 8);
    assert_int_equal(out[16], 0x10);
    assert_int_equal(out[24], 0x20);
    assert_int_equal(out[32], 0x30);
    assert_int_equal(out[33], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin_commit),
        cmocka_unit_test(test_origin_type_message),
        cmocka_unit_test(test_relation),
        cmocka_unit_test(test_insert_all_value_kinds),
        cmocka_unit_test(test_update_forms),
        cmocka_unit_test(test_delete_truncate),
        cmocka_unit_test(test_truncated_input),
        cmocka_unit_test(test_malformed_input),
        cmocka_unit_test(test_copy_data),
        cmocka_unit_test(test_status_update),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
