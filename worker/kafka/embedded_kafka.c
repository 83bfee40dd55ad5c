/*
 * embedded_kafka.c - the mock cluster behind bootstrap.servers=embedded.
 */
#include "kafka/embedded_kafka.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <ferry/plugin.h>

struct embedded_kafka {
    rd_kafka_t *handle; /* the mock cluster needs an instance for its bookkeeping */
    rd_kafka_mock_cluster_t *cluster;
    atomic_bool topic_created; /* task threads create topics too */
};

embedded_kafka *embedded_kafka_start(char *err, size_t errlen)
{
    char why[256];
    embedded_kafka *kafka = calloc(1, sizeof(*kafka));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!kafka || !conf)
        goto oom;
    /* The instance only hosts the cluster; keep its own logging quiet. */
    if (rd_kafka_conf_set(conf, "log_level", "3", why, sizeof(why)) != RD_KAFKA_CONF_OK)
        goto conf_error;
    /* The mock brokers' sockets inherit this instance's settings: without it Nagle adds ~40 ms
     * stalls to start-up round trips. */
    if (rd_kafka_conf_set(conf, "socket.nagle.disable", "true", why, sizeof(why)) !=
        RD_KAFKA_CONF_OK)
        goto conf_error;
    kafka->handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!kafka->handle)
        goto conf_error;
    conf = NULL;
    kafka->cluster = rd_kafka_mock_cluster_new(kafka->handle, 1);
    if (!kafka->cluster) {
        ferry_error_set(err, errlen, "cannot start the embedded Kafka (mock cluster)");
        goto fail;
    }
    return kafka;
conf_error:
    ferry_error_set(err, errlen, "cannot start the embedded Kafka: %s", why);
    goto fail;
oom:
    ferry_error_set(err, errlen, "out of memory starting the embedded Kafka");
fail:
    if (conf)
        rd_kafka_conf_destroy(conf);
    embedded_kafka_stop(kafka);
    return NULL;
}

void embedded_kafka_stop(embedded_kafka *kafka)
{
    if (!kafka)
        return;
    if (kafka->cluster)
        rd_kafka_mock_cluster_destroy(kafka->cluster);
    if (kafka->handle)
        rd_kafka_destroy(kafka->handle);
    free(kafka);
}

const char *embedded_kafka_bootstrap(const embedded_kafka *kafka)
{
    return rd_kafka_mock_cluster_bootstraps(kafka->cluster);
}

int embedded_kafka_topic_create(embedded_kafka *kafka, const char *topic, int32_t partitions,
                                char *err, size_t errlen)
{
    /* librdkafka 2.0.2's mock cluster loses the wake-up of a request that arrives just after the
     * reply to the previous one, and the create then waits out its thread's 1 s poll (seen in 4
     * start-ups of 10; bench/README.md). 1 ms between creates avoids the window. */
    if (atomic_exchange(&kafka->topic_created, true))
        nanosleep(&(struct timespec){.tv_nsec = 1000000L}, NULL);
    rd_kafka_resp_err_t rc = rd_kafka_mock_topic_create(kafka->cluster, topic, partitions, 1);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR && rc != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        ferry_error_set(err, errlen, "cannot create topic %s in the embedded Kafka: %s", topic,
                        rd_kafka_err2str(rc));
        return -1;
    }
    return 0;
}
