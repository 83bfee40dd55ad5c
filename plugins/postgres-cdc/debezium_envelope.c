/*
 * debezium_envelope.c - Debezium's schemas and payloads (see debezium_envelope.h). Object keys are
 * inserted in the order Kafka's JsonConverter writes them: "type", "fields"/"items", "optional",
 * "name", "version", "doc", "parameters", "default", and "field" last.
 */
#include "debezium_envelope.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "pg_default.h"
#include "support/strbuf.h"

#define DBZ_SNAPSHOT_VALUES                                                                       \
    "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"

/* {"type": t, "optional": o, "field": f} */
static json_t *dbz_simple_field(const char *type, bool optional, const char *field)
{
    return json_pack("{s:s, s:b, s:s}", "type", type, "optional", optional, "field", field);
}

/* A copy of a schema with "field" appended (the schema is borrowed). */
static json_t *dbz_field(json_t *schema, const char *field)
{
    json_t *copy = json_copy(schema);
    if (!copy || json_object_set_new(copy, "field", json_string(field)) != 0) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

/* Avro-valid schema names: every character outside [A-Za-z0-9_.] becomes '_', and so does a
 * leading digit of each dot-separated part (Debezium's schema.name.adjustment.mode=avro). */
static char *dbz_schema_name(const dbz_context *context, const char *topic, const char *suffix)
{
    strbuf text = {0};
    strbuf_append_printf(&text, "%s.%s", topic, suffix);
    char *name = strbuf_take(&text, NULL);
    if (name && context->avro_names) {
        bool part_start = true;
        for (char *c = name; *c; c++) {
            if (*c == '.') {
                part_start = true;
                continue;
            }
            if (!(isalnum((unsigned char)*c) || *c == '_') ||
                (part_start && isdigit((unsigned char)*c)))
                *c = '_';
            part_start = false;
        }
    }
    return name;
}

char *dbz_topic_name(const dbz_context *context, const char *schema_name,
                     const char *table_name)
{
    const char *delimiter = context->topic_delimiter ? context->topic_delimiter : ".";
    strbuf topic = {0};
    strbuf_append_printf(&topic, "%s%s%s%s%s", context->topic_prefix, delimiter, schema_name,
                         delimiter, table_name);
    return strbuf_take(&topic, NULL);
}

int dbz_context_init(dbz_context *context)
{
    context->source_schema = json_pack(
        "{s:s, s:[o,o,o,o,{s:s, s:b, s:s, s:i, s:{s:s}, s:s, s:s},o,o,o,o,o,o,o,o,o,o,o], s:b, s:s, "
        "s:i}",
        "type", "struct", "fields",
        dbz_simple_field("string", false, "version"),
        dbz_simple_field("string", false, "connector"),
        dbz_simple_field("string", false, "name"),
        dbz_simple_field("int64", false, "ts_ms"),
        "type", "string", "optional", 1, "name", "io.debezium.data.Enum", "version", 1,
        "parameters", "allowed", DBZ_SNAPSHOT_VALUES, "default", "false", "field", "snapshot",
        dbz_simple_field("string", false, "db"),
        dbz_simple_field("string", true, "sequence"),
        dbz_simple_field("int64", true, "ts_us"),
        dbz_simple_field("int64", true, "ts_ns"),
        dbz_simple_field("string", false, "schema"),
        dbz_simple_field("string", false, "table"),
        dbz_simple_field("int64", true, "txId"),
        dbz_simple_field("int64", true, "lsn"),
        dbz_simple_field("int64", true, "xmin"),
        /* Debezium 3's replication origin of the change; ferry does not read origins: null */
        dbz_simple_field("string", true, "origin"),
        dbz_simple_field("int64", true, "origin_lsn"),
        "optional", 0, "name", "io.debezium.connector.postgresql.Source", "version", 1);
    context->transaction_schema = json_pack(
        "{s:s, s:[o,o,o], s:b, s:s, s:i}", "type", "struct", "fields",
        dbz_simple_field("string", false, "id"), dbz_simple_field("int64", false, "total_order"),
        dbz_simple_field("int64", false, "data_collection_order"), "optional", 1, "name",
        "event.block", "version", 1);
    if (!context->source_schema || !context->transaction_schema) {
        dbz_context_release(context);
        return -1;
    }
    return 0;
}

void dbz_context_release(dbz_context *context)
{
    json_decref(context->source_schema);
    json_decref(context->transaction_schema);
    json_decref(context->version_value);
    json_decref(context->connector_value);
    json_decref(context->name_value);
    json_decref(context->db_value);
    json_decref(context->false_value);
    for (int i = 0; i < 5; i++)
        json_decref(context->op_values[i]);
    context->source_schema = NULL;
    context->transaction_schema = NULL;
    context->version_value = context->connector_value = context->name_value = NULL;
    context->db_value = context->false_value = NULL;
    memset(context->op_values, 0, sizeof context->op_values);
}

void dbz_table_destroy(dbz_table *table)
{
    if (!table)
        return;
    for (size_t i = 0; i < table->column_count; i++) {
        free(table->columns[i].name);
        pg_value_type_release(&table->columns[i].type);
        json_decref(table->columns[i].default_value);
    }
    free(table->columns);
    free(table->key_columns);
    free(table->schema_name);
    free(table->table_name);
    free(table->id);
    free(table->topic);
    json_decref(table->key_schema);
    json_decref(table->row_schema);
    json_decref(table->envelope_schema);
    json_decref(table->schema_value);
    json_decref(table->table_value);
    free(table);
}

int dbz_table_column(const dbz_table *table, const char *name)
{
    for (size_t i = 0; i < table->column_count; i++)
        if (strcmp(table->columns[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* {"type":"struct","fields":[...],"optional":o,"name":n} from the given columns. */
static json_t *dbz_struct_schema(const dbz_table *table, const size_t *indices, size_t count,
                                 bool optional, const char *name)
{
    json_t *fields = json_array();
    if (!fields)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        const dbz_column *column = &table->columns[indices[i]];
        json_t *schema = pg_value_type_schema(&column->type, column->optional);
        /* "default" after the type's keys, before "field", as the JsonConverter writes it */
        if (schema && column->default_value &&
            json_object_set(schema, "default", column->default_value) != 0) {
            json_decref(schema);
            schema = NULL;
        }
        json_t *field = schema ? dbz_field(schema, column->name) : NULL;
        json_decref(schema);
        if (!field || json_array_append_new(fields, field) != 0) {
            json_decref(fields);
            return NULL;
        }
    }
    return json_pack("{s:s, s:o, s:b, s:s}", "type", "struct", "fields", fields, "optional",
                     optional, "name", name);
}

static int dbz_table_schemas(const dbz_context *context, dbz_table *table)
{
    int rc = -1;
    char *key_name = dbz_schema_name(context, table->topic, "Key");
    char *value_name = dbz_schema_name(context, table->topic, "Value");
    char *envelope_name = dbz_schema_name(context, table->topic, "Envelope");
    size_t *value_columns = calloc(table->column_count + 1, sizeof(size_t));
    if (!key_name || !value_name || !envelope_name || !value_columns)
        goto done;
    size_t value_count = 0;
    for (size_t i = 0; i < table->column_count; i++)
        if (table->columns[i].in_value)
            value_columns[value_count++] = i;
    if (table->key_count > 0) {
        table->key_schema =
            dbz_struct_schema(table, table->key_columns, table->key_count, false, key_name);
        if (!table->key_schema)
            goto done;
    }
    table->row_schema = dbz_struct_schema(table, value_columns, value_count, true, value_name);
    if (!table->row_schema)
        goto done;
    table->envelope_schema = json_pack(
        "{s:s, s:[o,o,o,o,o,o,o,o], s:b, s:s, s:i}", "type", "struct", "fields",
        dbz_field(table->row_schema, "before"), dbz_field(table->row_schema, "after"),
        dbz_field(context->source_schema, "source"),
        dbz_field(context->transaction_schema, "transaction"),
        dbz_simple_field("string", false, "op"), dbz_simple_field("int64", true, "ts_ms"),
        dbz_simple_field("int64", true, "ts_us"), dbz_simple_field("int64", true, "ts_ns"),
        "optional", 0, "name", envelope_name, "version", 2);
    rc = table->envelope_schema ? 0 : -1;
done:
    free(key_name);
    free(value_name);
    free(envelope_name);
    free(value_columns);
    return rc;
}

dbz_table *dbz_table_new(const dbz_context *context, const pg_type_registry *registry,
                         const pg_type_options *options, uint32_t oid, const char *schema_name,
                         const char *table_name, char replica_identity,
                         const dbz_column_spec *columns, size_t column_count, char *err,
                         size_t errlen)
{
    dbz_table *table = calloc(1, sizeof(*table));
    if (!table)
        goto oom;
    table->oid = oid;
    table->replica_identity = replica_identity;
    table->schema_name = strdup(schema_name);
    table->table_name = strdup(table_name);
    table->topic = dbz_topic_name(context, schema_name, table_name);
    strbuf id = {0};
    strbuf_append_printf(&id, "%s.%s", schema_name, table_name);
    table->id = strbuf_take(&id, NULL);
    table->columns = calloc(column_count ? column_count : 1, sizeof(dbz_column));
    table->key_columns = calloc(column_count ? column_count : 1, sizeof(size_t));
    if (!table->schema_name || !table->table_name || !table->topic || !table->id ||
        !table->columns || !table->key_columns)
        goto oom;
    table->schema_value = json_string(schema_name);
    table->table_value = json_string(table_name);
    if (!table->schema_value || !table->table_value)
        goto oom;
    for (size_t i = 0; i < column_count; i++) {
        dbz_column *column = &table->columns[i];
        column->name = strdup(columns[i].name);
        if (!column->name)
            goto oom;
        table->column_count++;
        if (pg_value_type_init(&column->type, registry, columns[i].type_oid,
                               columns[i].type_modifier, options) != 0)
            goto oom;
        column->optional = columns[i].optional;
        column->in_value = columns[i].in_value;
        if (columns[i].default_expression &&
            pg_default_value(&column->type, columns[i].default_expression,
                             &column->default_value) != 0)
            goto oom;
    }
    /* Key columns in key order. */
    for (int position = 0; (size_t)position < column_count; position++) {
        for (size_t i = 0; i < column_count; i++) {
            if (columns[i].key_position == position) {
                table->key_columns[table->key_count++] = i;
                table->columns[i].in_key = true;
            }
        }
    }
    if (dbz_table_schemas(context, table) != 0)
        goto oom;
    return table;
oom:
    ferry_error_set(err, errlen, "out of memory building the schemas of %s.%s", schema_name,
                    table_name);
    dbz_table_destroy(table);
    return NULL;
}

/* ---- payloads ------------------------------------------------------------------------------ */

static int dbz_column_value(const dbz_column *column, const pgo_value *value,
                            const pgo_value *old_value, dbz_row_mode mode, json_t **out,
                            char *err, size_t errlen)
{
    char why[400];
    switch (value->kind) {
    case PGO_VALUE_TEXT:
        if (pg_value_convert(&column->type, value->data, value->len, out, why, sizeof why) != 0) {
            ferry_error_set(err, errlen, "column %s: %s", column->name, why);
            return -1;
        }
        return 0;
    case PGO_VALUE_UNCHANGED_TOAST:
        if (old_value && old_value->kind == PGO_VALUE_TEXT)
            return dbz_column_value(column, old_value, NULL, mode, out, err, errlen);
        *out = pg_value_placeholder(&column->type);
        if (*out)
            return 0;
        break;
    case PGO_VALUE_BINARY:
        ferry_error_set(err, errlen, "column %s: a binary value, but the stream is in text mode",
                        column->name);
        return -1;
    case PGO_VALUE_NULL:
        break;
    }
    /* null: where the field is required (a column missing from an old key tuple, a TOASTed value
     * without placeholder), Debezium's converters give the column's default, else a fallback. */
    (void)mode;
    *out = column->optional        ? json_null()
           : column->default_value ? json_incref(column->default_value)
                                   : pg_value_fallback(&column->type);
    return *out ? 0 : (ferry_error_set(err, errlen, "out of memory"), -1);
}

static int dbz_check_count(const dbz_table *table, size_t count, char *err, size_t errlen)
{
    if (count != table->column_count) {
        ferry_error_set(err, errlen,
                        "a tuple of %s has %zu columns, its relation has %zu (was the table "
                        "altered?)",
                        table->id, count, table->column_count);
        return -1;
    }
    return 0;
}

int dbz_row_payload(const dbz_table *table, const pgo_value *values, size_t count,
                    const pgo_value *old_values, size_t old_count, dbz_row_mode mode,
                    json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (dbz_check_count(table, count, err, errlen) != 0)
        return -1;
    json_t *row = json_object();
    if (!row)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    for (size_t i = 0; i < table->column_count; i++) {
        const dbz_column *column = &table->columns[i];
        if (!column->in_value)
            continue;
        json_t *value = NULL;
        const pgo_value *old_value = old_values && i < old_count ? &old_values[i] : NULL;
        if (dbz_column_value(column, &values[i], old_value, mode, &value, err, errlen) != 0 ||
            json_object_set_new_nocheck(row, column->name, value) != 0) {
            json_decref(row);
            return -1;
        }
    }
    *out = row;
    return 0;
}

int dbz_key_payload(const dbz_table *table, const pgo_value *values, size_t count, json_t **out,
                    char *err, size_t errlen)
{
    *out = NULL;
    if (!table->key_schema)
        return 0;
    if (dbz_check_count(table, count, err, errlen) != 0)
        return -1;
    json_t *key = json_object();
    if (!key)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    for (size_t k = 0; k < table->key_count; k++) {
        const dbz_column *column = &table->columns[table->key_columns[k]];
        json_t *value = NULL;
        if (dbz_column_value(column, &values[table->key_columns[k]], NULL, DBZ_ROW_KEY_ONLY,
                             &value, err, errlen) != 0 ||
            json_object_set_new_nocheck(key, column->name, value) != 0) {
            json_decref(key);
            return -1;
        }
    }
    *out = key;
    return 0;
}

/* Decimal digits of v at the end of buf; returns the first. */
static char *dbz_u64_text(uint64_t v, char *end)
{
    *--end = '\0';
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* A shared value when there is one, else a new string. */
static json_t *dbz_shared(json_t *shared, const char *text)
{
    return shared ? json_incref(shared) : json_string(text);
}

json_t *dbz_source_payload(const dbz_context *context, const dbz_table *table,
                           const dbz_source_info *info)
{
    json_t *source = json_object();
    if (!source)
        return NULL;
    /* ["<last commit>","<lsn>"], without printf: this runs for every event */
    char sequence[64], number[24];
    char *s = sequence;
    if (info->last_commit_lsn) {
        const char *commit = dbz_u64_text(info->last_commit_lsn, number + sizeof number);
        s += sprintf(s, "[\"%s\",", commit);
    } else {
        memcpy(s, "[null,", 6);
        s += 6;
    }
    const char *lsn = dbz_u64_text(info->lsn, number + sizeof number);
    size_t lsn_len = strlen(lsn);
    *s++ = '"';
    memcpy(s, lsn, lsn_len);
    s += lsn_len;
    memcpy(s, "\"]", 3);
    s += 2;
    int64_t ts_us = info->ts_us;
    int rc = 0;
    rc |= json_object_set_new_nocheck(source, "version",
                                      dbz_shared(context->version_value, context->version));
    rc |= json_object_set_new_nocheck(source, "connector",
                                      dbz_shared(context->connector_value, "postgresql"));
    rc |= json_object_set_new_nocheck(source, "name",
                                      dbz_shared(context->name_value, context->topic_prefix));
    rc |= json_object_set_new_nocheck(source, "ts_ms", json_integer(ts_us / 1000));
    rc |= json_object_set_new_nocheck(source, "snapshot",
                                      info->snapshot ? json_string(info->snapshot)
                                                     : dbz_shared(context->false_value, "false"));
    rc |= json_object_set_new_nocheck(source, "db",
                                      dbz_shared(context->db_value, context->database));
    rc |= json_object_set_new_nocheck(source, "sequence",
                                      json_stringn_nocheck(sequence, (size_t)(s - sequence)));
    rc |= json_object_set_new_nocheck(source, "ts_us", json_integer(ts_us));
    rc |= json_object_set_new_nocheck(source, "ts_ns", json_integer(ts_us * 1000));
    rc |= json_object_set_new_nocheck(source, "schema",
                                      dbz_shared(table->schema_value, table->schema_name));
    rc |= json_object_set_new_nocheck(source, "table",
                                      dbz_shared(table->table_value, table->table_name));
    rc |= json_object_set_new_nocheck(source, "txId",
                                      info->tx_id >= 0 ? json_integer(info->tx_id) : json_null());
    rc |= json_object_set_new_nocheck(source, "lsn",
                                      info->lsn && !info->lsn_null
                                          ? json_integer((json_int_t)info->lsn)
                                          : json_null());
    rc |= json_object_set_new_nocheck(source, "xmin", json_null());
    rc |= json_object_set_new_nocheck(source, "origin", json_null());
    rc |= json_object_set_new_nocheck(source, "origin_lsn", json_null());
    if (rc) {
        json_decref(source);
        return NULL;
    }
    return source;
}

/* Debezium's transaction id: "<txId>:<LSN>", the LSN of the message it belongs to. */
static void dbz_transaction_id(char *id, size_t size, int64_t tx_id, uint64_t lsn)
{
    snprintf(id, size, "%lld:%llu", (long long)tx_id, (unsigned long long)lsn);
}

json_t *dbz_transaction_payload(int64_t tx_id, uint64_t lsn, int64_t total_order,
                                int64_t collection_order)
{
    char id[48];
    dbz_transaction_id(id, sizeof id, tx_id, lsn);
    return json_pack("{s:s, s:I, s:I}", "id", id, "total_order", (json_int_t)total_order,
                     "data_collection_order", (json_int_t)collection_order);
}

json_t *dbz_envelope_payload(const dbz_context *context, char op, json_t *before, json_t *after,
                             json_t *source, json_t *transaction, int64_t now_us)
{
    json_t *envelope = json_object();
    char op_text[2] = {op, '\0'};
    static const char ops[] = "rcudt"; /* the order of context->op_values */
    const char *op_index = op ? strchr(ops, op) : NULL;
    json_t *shared_op = context && op_index ? context->op_values[op_index - ops] : NULL;
    if (!envelope) {
        json_decref(before);
        json_decref(after);
        json_decref(source);
        json_decref(transaction);
        return NULL;
    }
    int rc = 0;
    rc |= json_object_set_new_nocheck(envelope, "before", before ? before : json_null());
    rc |= json_object_set_new_nocheck(envelope, "after", after ? after : json_null());
    rc |= json_object_set_new_nocheck(envelope, "source", source ? source : json_null());
    rc |= json_object_set_new_nocheck(envelope, "transaction",
                                      transaction ? transaction : json_null());
    rc |= json_object_set_new_nocheck(envelope, "op", dbz_shared(shared_op, op_text));
    rc |= json_object_set_new_nocheck(envelope, "ts_ms", json_integer(now_us / 1000));
    rc |= json_object_set_new_nocheck(envelope, "ts_us", json_integer(now_us));
    rc |= json_object_set_new_nocheck(envelope, "ts_ns", json_integer(now_us * 1000));
    if (rc) {
        json_decref(envelope);
        return NULL;
    }
    return envelope;
}

/* 0 when all four parts were built; else -1 with all of them released. */
static int dbz_record_parts_check(json_t **key, json_t **key_schema, json_t **value,
                                  json_t **value_schema)
{
    if (*key && *key_schema && *value && *value_schema)
        return 0;
    json_decref(*key);
    json_decref(*key_schema);
    json_decref(*value);
    json_decref(*value_schema);
    *key = *key_schema = *value = *value_schema = NULL;
    return -1;
}

int dbz_heartbeat(const dbz_context *context, int64_t now_ms, json_t **key, json_t **key_schema,
                  json_t **value, json_t **value_schema)
{
    *key = json_pack("{s:s}", "serverName", context->topic_prefix);
    *key_schema = json_pack("{s:s, s:[o], s:b, s:s, s:i}", "type", "struct", "fields",
                            dbz_simple_field("string", false, "serverName"), "optional", 0,
                            "name", "io.debezium.connector.common.ServerNameKey", "version", 1);
    *value = json_pack("{s:I}", "ts_ms", (json_int_t)now_ms);
    *value_schema = json_pack("{s:s, s:[o], s:b, s:s, s:i}", "type", "struct", "fields",
                              dbz_simple_field("int64", false, "ts_ms"), "optional", 0, "name",
                              "io.debezium.connector.common.Heartbeat", "version", 1);
    return dbz_record_parts_check(key, key_schema, value, value_schema);
}

int dbz_transaction_event(int64_t tx_id, uint64_t lsn, bool end, int64_t event_count,
                          json_t *collections, int64_t ts_ms, json_t **key, json_t **key_schema,
                          json_t **value, json_t **value_schema)
{
    char id[48];
    dbz_transaction_id(id, sizeof id, tx_id, lsn);
    *key = json_pack("{s:s}", "id", id);
    *key_schema = json_pack("{s:s, s:[o], s:b, s:s, s:i}", "type", "struct", "fields",
                            dbz_simple_field("string", false, "id"), "optional", 0, "name",
                            "io.debezium.connector.common.TransactionMetadataKey", "version", 1);
    *value = json_pack("{s:s, s:s, s:o, s:o, s:I}", "status", end ? "END" : "BEGIN", "id", id,
                       "event_count",
                       end ? json_integer(event_count) : json_null(), "data_collections",
                       end && collections ? json_incref(collections) : json_null(), "ts_ms",
                       (json_int_t)ts_ms);
    *value_schema = json_pack(
        "{s:s, s:[o,o,o,{s:s, s:{s:s, s:[o,o], s:b, s:s, s:i}, s:b, s:s},o], s:b, s:s, s:i}",
        "type", "struct", "fields", dbz_simple_field("string", false, "status"),
        dbz_simple_field("string", false, "id"), dbz_simple_field("int64", true, "event_count"),
        "type", "array", "items", "type", "struct", "fields",
        dbz_simple_field("string", false, "data_collection"),
        dbz_simple_field("int64", false, "event_count"), "optional", 1, "name",
        "event.collection", "version", 1, "optional", 1, "field", "data_collections",
        dbz_simple_field("int64", false, "ts_ms"), "optional", 0, "name",
        "io.debezium.connector.common.TransactionMetadataValue", "version", 1);
    return dbz_record_parts_check(key, key_schema, value, value_schema);
}

void dbz_run_id(int64_t now_ms, const uint8_t random[10], char out[37])
{
    uint8_t b[16];
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)((uint64_t)now_ms >> (40 - 8 * i));
    memcpy(b + 6, random, 10);
    b[6] = (uint8_t)(0x70 | (b[6] & 0x0f)); /* version 7 */
    b[8] = (uint8_t)(0x80 | (b[8] & 0x3f)); /* variant 10 */
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 0x0f];
    }
    *o = '\0';
}
