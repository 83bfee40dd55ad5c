/*
 * pg_catalog.h - what the connector reads from the system catalogs: the user types (enums,
 * domains, arrays of them, extension types) for pg_types' registry, the captured tables in the
 * snapshot's fixed order, and each table's columns, nullability, defaults, primary key and
 * replica identity, from which debezium_envelope builds its schemas.
 */
#ifndef PGCDC_PG_CATALOG_H
#define PGCDC_PG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cdc_config.h"
#include "debezium_envelope.h"
#include "pg_types.h"
#include "pgoutput_decoder.h"

/* Loads every type with an OID of 16384 or more (created after initdb) into the registry. */
int pg_catalog_load_types(PGconn *conn, pg_type_registry *registry, char *err, size_t errlen);

typedef struct pg_table_ref {
    uint32_t oid;
    char *schema_name;
    char *table_name;
    size_t rank; /* cdc_config_table_rank */
} pg_table_ref;

/* The tables the filters capture in the order Debezium snapshots them: by the first pattern of
 * table.include.list that matches each, and by schema and name (byte order) within a pattern or
 * without a list. */
int pg_catalog_list_tables(PGconn *conn, const cdc_config *config, pg_table_ref **tables,
                           size_t *count, char *err, size_t errlen);
void pg_table_refs_free(pg_table_ref *tables, size_t count);

typedef struct pg_column_meta {
    char *name;
    uint32_t type_oid;
    int32_t type_modifier;
    bool not_null;
    int key_position;   /* in the primary key (0-based), -1 when not in it */
    char *type_sql;     /* format_type(): for casts in snapshot queries */
    char *default_expression; /* pg_get_expr() of its default, NULL when it has none */
} pg_column_meta;

typedef struct pg_table_meta {
    uint32_t oid;
    char *schema_name;
    char *table_name;
    char replica_identity;
    pg_column_meta *columns; /* attnum order, without dropped and generated columns */
    size_t column_count;
} pg_table_meta;

/* Describes a table by OID. *meta NULL (and 0 returned) when the table no longer exists. */
int pg_catalog_describe(PGconn *conn, int server_version, uint32_t oid, pg_table_meta **meta,
                        char *err, size_t errlen);
void pg_table_meta_free(pg_table_meta *meta);

/* Builds the table's schemas from its catalog description, with the columns as the stream sends
 * them (a Relation message's, or NULL to take the catalog's), the column filters and
 * message.key.columns applied. */
dbz_table *pg_catalog_build_table(const pg_table_meta *meta, const pgo_column *stream_columns,
                                  size_t stream_column_count, const cdc_config *config,
                                  const dbz_context *context, const pg_type_registry *registry,
                                  char *err, size_t errlen);

#endif
