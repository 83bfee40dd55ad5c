/*
 * pg_stream.c - the replication stream (see pg_stream.h).
 */
#include "pg_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_offset.h"
#include "support/clock.h"
#include "support/strbuf.h"

char *pg_stream_start_command(const char *slot_name, const char *publication_name,
                              uint64_t start_lsn)
{
    /* publication_names is a literal holding a list of identifiers. */
    char *publication = pg_quote_ident(publication_name);
    if (!publication)
        return NULL;
    char lsn[32];
    pg_lsn_format(start_lsn, lsn, sizeof lsn);
    strbuf sql = {0};
    strbuf_append_literal(&sql, "START_REPLICATION SLOT ");
    pg_quote_append_ident(&sql, slot_name);
    strbuf_append_printf(&sql, " LOGICAL %s (proto_version '1', publication_names ", lsn);
    pg_quote_append_literal(&sql, publication);
    strbuf_append_char(&sql, ')');
    free(publication);
    return strbuf_take(&sql, NULL);
}

void pg_stream_attach(pg_stream *stream, PGconn *conn)
{
    memset(stream, 0, sizeof(*stream));
    stream->conn = conn;
}

void pg_stream_release(pg_stream *stream)
{
    if (stream->buffer) {
        PQfreemem(stream->buffer);
        stream->buffer = NULL;
    }
}

void pg_stream_close(pg_stream *stream)
{
    pg_stream_release(stream);
    if (stream->conn)
        PQfinish(stream->conn);
    stream->conn = NULL;
    stream->streaming = false;
}

int pg_stream_start(pg_stream *stream, const char *slot_name, const char *publication_name,
                    uint64_t start_lsn, char *err, size_t errlen)
{
    char *sql = pg_stream_start_command(slot_name, publication_name, start_lsn);
    if (!sql)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = pg_query_send(stream->conn, "starting the replication stream", sql, 0, NULL, err,
                           errlen);
    free(sql);
    return rc;
}

pg_wait pg_stream_start_wait(pg_stream *stream, int64_t deadline_ms, char *err, size_t errlen)
{
    PGresult *result = NULL;
    pg_wait wait = pg_query_wait(stream->conn, "starting the replication stream", deadline_ms,
                                 &result, err, errlen);
    if (wait == PG_WAIT_DONE) {
        if (!result || PQresultStatus(result) != PGRES_COPY_BOTH) {
            wait = PG_WAIT_FAILED;
            ferry_error_set(err, errlen, "START_REPLICATION did not start a stream");
        } else {
            stream->streaming = true;
            stream->last_status_ms = clock_monotonic_ms();
        }
    }
    PQclear(result);
    return wait;
}

/* Why the stream ended: the server's final result or the connection's error. */
static void pg_stream_ended(pg_stream *stream, char *err, size_t errlen)
{
    PGresult *result = PQgetResult(stream->conn);
    const char *message = result && PQresultStatus(result) != PGRES_COMMAND_OK
                              ? pg_result_message(result, stream->conn)
                              : PQerrorMessage(stream->conn);
    char line[400];
    snprintf(line, sizeof line, "%s", message && *message ? message : "the server ended it");
    char *newline = strchr(line, '\n');
    if (newline)
        *newline = '\0';
    ferry_error_set(err, errlen, "the replication stream ended: %s", line);
    PQclear(result);
    stream->streaming = false;
}

/* The connection failed under the stream: libpq's first line says why. */
static pg_stream_status pg_stream_broken(pg_stream *stream, char *err, size_t errlen)
{
    ferry_error_set(err, errlen, "the replication connection broke: %s",
                    PQerrorMessage(stream->conn));
    char *newline = strchr(err, '\n');
    if (newline)
        *newline = '\0';
    stream->streaming = false;
    return PG_STREAM_CLOSED;
}

pg_stream_status pg_stream_read(pg_stream *stream, int64_t deadline_ms, pgo_copy_data *copy,
                                char *err, size_t errlen)
{
    pg_stream_release(stream);
    for (;;) {
        char *buffer = NULL;
        int len = PQgetCopyData(stream->conn, &buffer, 1);
        if (len > 0) {
            stream->buffer = buffer;
            if (pgo_copy_data_decode((const uint8_t *)buffer, (size_t)len, copy, err, errlen) !=
                0)
                return PG_STREAM_ERROR;
            if (copy->wal_end > stream->server_wal_end)
                stream->server_wal_end = copy->wal_end;
            uint64_t position = copy->kind == PGO_COPY_XLOG_DATA ? copy->wal_start
                                                                  : copy->wal_end;
            if (position > stream->received_lsn)
                stream->received_lsn = position;
            return PG_STREAM_MESSAGE;
        }
        if (len == -1) {
            pg_stream_ended(stream, err, errlen);
            return PG_STREAM_CLOSED;
        }
        if (len == -2)
            return pg_stream_broken(stream, err, errlen);
        /* nothing buffered: wait for the socket, then read what arrived */
        if (!pg_socket_wait(stream->conn, false, deadline_ms))
            return PG_STREAM_IDLE;
        if (!PQconsumeInput(stream->conn))
            return pg_stream_broken(stream, err, errlen);
    }
}

int pg_stream_send_status(pg_stream *stream, uint64_t flushed, bool reply_requested, char *err,
                          size_t errlen)
{
    uint8_t message[PGO_STATUS_UPDATE_SIZE];
    uint64_t written = stream->received_lsn > flushed ? stream->received_lsn : flushed;
    int64_t now_pg = clock_wall_us() - PG_EPOCH_OFFSET_US;
    pgo_status_update_encode(message, written, flushed, flushed, now_pg, reply_requested);
    if (PQputCopyData(stream->conn, (const char *)message, sizeof message) != 1 ||
        PQflush(stream->conn) != 0) {
        ferry_error_set(err, errlen, "sending a status update failed: %s",
                        PQerrorMessage(stream->conn));
        char *newline = strchr(err, '\n');
        if (newline)
            *newline = '\0';
        return -1;
    }
    stream->reported_flush = flushed;
    stream->last_status_ms = clock_monotonic_ms();
    return 0;
}
