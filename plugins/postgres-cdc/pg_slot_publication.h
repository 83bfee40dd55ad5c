/*
 * pg_slot_publication.h - the publication (publication.autocreate.mode) and the replication slot
 * (slot.name): check, create, alter, drop. Failures say what to change.
 */
#ifndef PGCDC_PG_SLOT_PUBLICATION_H
#define PGCDC_PG_SLOT_PUBLICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cdc_config.h"
#include "pg_catalog.h"

/* Makes sure the publication exists as publication.autocreate.mode wants it, on the regular
 * connection; tables are the captured ones (for filtered). */
int pg_publication_ensure(PGconn *conn, const cdc_config *config, const pg_table_ref *tables,
                          size_t table_count, char *err, size_t errlen);

typedef struct pg_slot_info {
    bool exists;
    bool active;
    int active_pid;
    /* The process holding an active slot: whether it is a walsender (it is in
     * pg_stat_replication, which lists every walsender's PID to any role, unlike
     * pg_stat_activity's backend_type) and its application_name ("" when not known). */
    char holder_application[64];
    bool holder_walsender;
    char plugin[64];
    char database[128];
    uint64_t confirmed_flush;
    uint64_t restart_lsn;
} pg_slot_info;

/* Reads the slot's row of pg_replication_slots (info->exists false when there is none), with
 * the process holding it. */
int pg_slot_lookup(PGconn *conn, const char *slot_name, pg_slot_info *info, char *err,
                   size_t errlen);
/* Checks that an existing slot can be used (pgoutput, this database). */
int pg_slot_check(const pg_slot_info *info, const cdc_config *config, char *err, size_t errlen);

/* The replication command that creates the slot; export: EXPORT_SNAPSHOT, else
 * NOEXPORT_SNAPSHOT (malloc'd). */
char *pg_slot_create_command(const char *slot_name, bool export_snapshot);

/* Reads CREATE_REPLICATION_SLOT's answer: consistent point and snapshot name (may be empty). */
int pg_slot_created(PGresult *result, uint64_t *consistent_point, char *snapshot_name,
                    size_t snapshot_size, char *err, size_t errlen);

/* Drops the slot (regular connection); waits up to 10 s for its walsender to go away. */
int pg_slot_drop(PGconn *conn, const char *slot_name, char *err, size_t errlen);

#endif
