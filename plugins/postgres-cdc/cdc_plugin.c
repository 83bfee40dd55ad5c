/*
 * cdc_plugin.c - the entry point and descriptor of the PostgreSQL change data capture plugin:
 * PostgresCdcSource, alias io.debezium.connector.postgresql.PostgresConnector.
 * docs/connectors/postgres-cdc.md documents it.
 */
#include "cdc_config.h"
#include "cdc_plugin.h"
#include "cdc_source.h"

const ferry_source_task_callbacks cdc_source_callbacks = {
    .start = cdc_source_start,
    .poll = cdc_source_poll,
    .commit = cdc_source_commit,
    .stop = cdc_source_stop,
};

const ferry_connector_type cdc_source_type = {
    .struct_size = sizeof(ferry_connector_type),
    /* Offsets name the event within its transaction, so a restart resumes exactly; a
     * database transaction bounds a Kafka transaction (transaction.boundary=connector). */
    .flags = FERRY_SOURCE_EXACTLY_ONCE | FERRY_SOURCE_TRANSACTION_BOUNDARIES,
    .kind = FERRY_CONNECTOR_SOURCE,
    .name = "PostgresCdcSource",
    .aliases = (const char *const[]){"io.debezium.connector.postgresql.PostgresConnector",
                                     "PostgresConnector", NULL},
    .description = "Streams row changes of a PostgreSQL database (pgoutput) as Debezium change "
                   "events.",
    .config = cdc_config_keys,
    .connector = &cdc_connector_callbacks,
    .source_task = &cdc_source_callbacks,
    .alter_offsets = cdc_connector_alter_offsets,
    .task_class = "io.debezium.connector.postgresql.PostgresConnectorTask",
};

static const ferry_plugin cdc_plugin = {
    FERRY_PLUGIN_HEADER,
    .name = "postgres-cdc",
    .version = CDC_PLUGIN_VERSION,
    .connectors = (const ferry_connector_type *const[]){&cdc_source_type, NULL},
};

FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *services)
{
    cdc_host = services;
    return &cdc_plugin;
}
