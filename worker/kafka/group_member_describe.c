/*
 * group_member_describe.c - who is in the group: the member list from DescribeConsumerGroups,
 * for the leader, and the client.id that carries each worker's URL (group_member.h).
 */
#include "kafka/group_member.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/hex.h"
#include "support/strbuf.h"

/* The bytes a URL may hold as they are (RFC 3986's unreserved and reserved characters); '%'
 * is not one of them, so that decoding is exact. */
static bool group_member_url_byte_plain(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=", c) != NULL;
}

char *group_member_client_id_encode(const char *url)
{
    static const char digits[] = "0123456789ABCDEF";
    strbuf out = {0};
    strbuf_append_literal(&out, GROUP_MEMBER_CLIENT_ID_PREFIX);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (group_member_url_byte_plain(*p)) {
            strbuf_append_char(&out, (char)*p);
            continue;
        }
        char escape[3] = {'%', digits[*p >> 4], digits[*p & 0x0f]};
        strbuf_append(&out, escape, sizeof(escape));
    }
    return strbuf_take(&out, NULL);
}

char *group_member_client_id_decode(const char *client_id)
{
    size_t prefix_len = strlen(GROUP_MEMBER_CLIENT_ID_PREFIX);
    if (!client_id || strncmp(client_id, GROUP_MEMBER_CLIENT_ID_PREFIX, prefix_len) != 0 ||
        client_id[prefix_len] == '\0')
        return NULL;
    const char *p = client_id + prefix_len;
    char *url = malloc(strlen(p) + 1);
    size_t len = 0;
    if (!url)
        return NULL;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            int high = hex_digit_value(p[1]);
            int low = high < 0 ? -1 : hex_digit_value(p[2]);
            if (low < 0 || (high == 0 && low == 0))
                goto invalid;
            url[len++] = (char)(high << 4 | low);
            p += 3;
            continue;
        }
        if (!group_member_url_byte_plain(c))
            goto invalid;
        url[len++] = (char)c;
        p++;
    }
    url[len] = '\0';
    return url;
invalid:
    free(url);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* DescribeConsumerGroups                                                                     */

static void group_member_info_free(group_member_info *info)
{
    free(info->worker_id);
    free(info->url);
    free(info->member_id);
    free(info->client_id);
    free(info->host);
}

void group_member_list_destroy(group_member_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        group_member_info_free(&list->members[i]);
    free(list->members);
    free(list);
}

/* A copy of text, NULL for NULL; *failed set when memory ran out. */
static char *group_member_copy(const char *text, bool *failed)
{
    if (!text)
        return NULL;
    char *copy = strdup(text);
    if (!copy)
        *failed = true;
    return copy;
}

/* By worker id, members without one last, then by member id: a stable order for the
 * assignor. */
static int group_member_info_compare(const void *a, const void *b)
{
    const group_member_info *left = a;
    const group_member_info *right = b;
    if (!left->worker_id != !right->worker_id)
        return left->worker_id ? -1 : 1;
    int order = left->worker_id ? strcmp(left->worker_id, right->worker_id) : 0;
    if (order != 0)
        return order;
    return strcmp(left->member_id ? left->member_id : "", right->member_id ? right->member_id : "");
}

/* The list from the group's description, or NULL with a message. */
static group_member_list *
group_member_list_from(const rd_kafka_ConsumerGroupDescription_t *group, const char *topic,
                       char *err, size_t errlen)
{
    bool failed = false;
    size_t count = rd_kafka_ConsumerGroupDescription_member_count(group);
    group_member_list *list = calloc(1, sizeof(*list));
    if (!list || (count > 0 && !(list->members = calloc(count, sizeof(*list->members)))))
        goto out_of_memory;
    list->state = rd_kafka_ConsumerGroupDescription_state(group);
    for (size_t i = 0; i < count; i++) {
        const rd_kafka_MemberDescription_t *description =
            rd_kafka_ConsumerGroupDescription_member(group, i);
        group_member_info *info = &list->members[list->count++];
        const char *client_id = rd_kafka_MemberDescription_client_id(description);
        const rd_kafka_MemberAssignment_t *assignment =
            rd_kafka_MemberDescription_assignment(description);
        const rd_kafka_topic_partition_list_t *partitions =
            assignment ? rd_kafka_MemberAssignment_partitions(assignment) : NULL;
        const char *instance = rd_kafka_MemberDescription_group_instance_id(description);
        info->worker_id = group_member_copy(instance && instance[0] ? instance : NULL, &failed);
        info->member_id =
            group_member_copy(rd_kafka_MemberDescription_consumer_id(description), &failed);
        info->client_id = group_member_copy(client_id, &failed);
        info->host = group_member_copy(rd_kafka_MemberDescription_host(description), &failed);
        info->url = group_member_client_id_decode(client_id);
        info->leader = partitions && rd_kafka_topic_partition_list_find(partitions, topic, 0);
        if (failed)
            goto out_of_memory;
    }
    if (list->count > 1)
        qsort(list->members, list->count, sizeof(*list->members), group_member_info_compare);
    return list;

out_of_memory:
    ferry_error_set(err, errlen, "out of memory while reading the group's members");
    group_member_list_destroy(list);
    return NULL;
}

group_member_list *group_member_describe_group(rd_kafka_t *client, const char *group_id,
                                               const char *config_topic, int timeout_ms,
                                               char *err, size_t errlen)
{
    char why[512];
    group_member_list *list = NULL;
    rd_kafka_event_t *event = NULL;
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    if (!queue || !options ||
        rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, why, sizeof(why)) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
        ferry_error_set(err, errlen, "cannot prepare DescribeConsumerGroups for group %s",
                        group_id);
        goto done;
    }
    rd_kafka_DescribeConsumerGroups(client, &group_id, 1, options, queue);
    /* librdkafka answers by the request timeout; the margin covers its own bookkeeping. */
    event = rd_kafka_queue_poll(queue, timeout_ms + 1000);
    if (!event) {
        ferry_error_set(err, errlen, "group %s: Kafka did not describe it within %d ms", group_id,
                        timeout_ms);
        goto done;
    }
    if (rd_kafka_event_error(event)) {
        ferry_error_set(err, errlen, "group %s: %s", group_id, rd_kafka_event_error_string(event));
        goto done;
    }
    size_t count = 0;
    const rd_kafka_ConsumerGroupDescription_t **groups =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(event), &count);
    if (!groups || count != 1) {
        ferry_error_set(err, errlen, "Kafka's answer holds no description of group %s",
                        group_id);
        goto done;
    }
    const rd_kafka_error_t *error = rd_kafka_ConsumerGroupDescription_error(groups[0]);
    if (error) {
        ferry_error_set(err, errlen, "group %s: %s", group_id, rd_kafka_error_string(error));
        goto done;
    }
    list = group_member_list_from(groups[0], config_topic, err, errlen);

done:
    if (event)
        rd_kafka_event_destroy(event);
    if (options)
        rd_kafka_AdminOptions_destroy(options);
    if (queue)
        rd_kafka_queue_destroy(queue);
    return list;
}
