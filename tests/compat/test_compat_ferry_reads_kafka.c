/*
 * test_compat_ferry_reads_kafka.c - ferry's JsonConverter reads what Kafka's JsonConverter wrote.
 *
 *     test_compat_ferry_reads_kafka KAFKA-RECORDS.jsonl
 *
 * The file comes from the Java harness (`Harness write`): one record per case of
 * compat_cases.c, built with Kafka's Connect API and written by Kafka's JsonConverter. For each
 * record ferry's converter, configured as Kafka's was (key or value, schemas on or off), must:
 *   - read it, into the schema and value ferry reads from its own record of the case (the same
 *     data, so the same schema and value, Kafka's type names included);
 *   - have written the very same bytes for the case itself;
 *   - write what it read again as the same bytes (from the parsed value, not the text it kept),
 *     except a null payload: ferry reads it as a null value, without its schema, as a tombstone.
 * Every case must be in the file, so that the two case lists cannot drift apart. Each problem is
 * reported with the case and the texts involved; the exit status is 1 if there was one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compat_records.h"

static int problems;

static void problem(const char *name, const char *what, const void *expected, size_t expected_len,
                    const void *got, size_t got_len)
{
    problems++;
    fprintf(stderr, "case '%s': %s\n", name, what);
    if (expected || got)
        fprintf(stderr, "  expected: %.*s\n  got:      %.*s\n", (int)expected_len,
                expected ? (const char *)expected : "(Kafka null)", (int)got_len,
                got ? (const char *)got : "(Kafka null)");
}

static bool same_bytes(const void *a, size_t a_len, const void *b, size_t b_len)
{
    if (!a || !b)
        return a == b;
    return a_len == b_len && memcmp(a, b, a_len) == 0;
}

static bool same_json(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return a == b;
    return json_equal(a, b);
}

static char *dump(const json_t *value)
{
    return value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(none)");
}

/* The data ferry reads from its own record of the case and from Kafka's: kind, value, schema. */
static void compare_data(const char *name, const char *what, const ferry_data *expected,
                         const ferry_data *got)
{
    if (expected->kind == got->kind && same_json(expected->json, got->json) &&
        same_json(expected->schema, got->schema))
        return;
    char *expected_value = dump(expected->json);
    char *got_value = dump(got->json);
    char *expected_schema = dump(expected->schema);
    char *got_schema = dump(got->schema);
    char message[256];
    snprintf(message, sizeof(message), "%s (kinds %d and %d; value, then schema)", what,
             (int)expected->kind, (int)got->kind);
    problem(name, message, expected_value, strlen(expected_value), got_value, strlen(got_value));
    problem(name, "the schema", expected_schema, strlen(expected_schema), got_schema,
            strlen(got_schema));
    free(expected_value);
    free(got_value);
    free(expected_schema);
    free(got_schema);
}

static void check_record(const compat_record *record, const compat_case *c)
{
    char err[512] = "";
    strbuf ferry_buffer = {0};
    strbuf again_buffer = {0};
    ferry_data from_kafka = {0};
    ferry_data from_ferry = {0};
    const void *ferry_bytes;
    size_t ferry_len;

    if (record->is_key != c->is_key || record->schemas != c->schemas) {
        problem(c->name, "Kafka wrote it with other settings than the case's (key, schemas)", NULL,
                0, NULL, 0);
        return;
    }
    converter *conv = compat_converter(c->is_key, c->schemas, err, sizeof(err));
    if (!conv) {
        problem(c->name, err, NULL, 0, NULL, 0);
        return;
    }
    if (compat_record_serialize(c, &ferry_buffer, &ferry_bytes, &ferry_len, err, sizeof(err)) !=
        0) {
        problem(c->name, err, NULL, 0, NULL, 0);
        goto done;
    }
    if (!same_bytes(record->bytes, record->len, ferry_bytes, ferry_len))
        problem(c->name, "ferry writes other bytes than Kafka (expected: Kafka's)", record->bytes,
                record->len, ferry_bytes, ferry_len);

    if (converter_deserialize(conv, "compat", record->bytes, record->len, &from_kafka, err,
                              sizeof(err)) != 0) {
        problem(c->name, err, record->bytes, record->len, NULL, 0);
        goto done;
    }
    if (converter_deserialize(conv, "compat", ferry_bytes, ferry_len, &from_ferry, err,
                              sizeof(err)) != 0) {
        problem(c->name, err, ferry_bytes, ferry_len, NULL, 0);
        goto done;
    }
    compare_data(c->name, "ferry reads Kafka's record as other data than its own", &from_ferry,
                 &from_kafka);

    /* A null payload is a null value to ferry, as to Kafka Connect's sinks (a tombstone): its
     * schema is not kept, so it is written again as a Kafka null. */
    if (from_kafka.kind == FERRY_DATA_NULL)
        goto done;
    /* Written again from the tree, not from the text the reader kept. */
    from_kafka.data = NULL;
    from_kafka.len = 0;
    const void *again;
    size_t again_len;
    if (converter_serialize(conv, "compat", &from_kafka, &again_buffer, &again, &again_len, err,
                            sizeof(err)) != 0)
        problem(c->name, err, NULL, 0, NULL, 0);
    else if (!same_bytes(record->bytes, record->len, again, again_len))
        problem(c->name, "ferry writes what it read from Kafka's record as other bytes",
                record->bytes, record->len, again, again_len);
done:
    converter_data_release(&from_kafka);
    converter_data_release(&from_ferry);
    strbuf_free(&ferry_buffer);
    strbuf_free(&again_buffer);
    converter_destroy(conv);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s KAFKA-RECORDS.jsonl\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    bool *seen = calloc(compat_case_count, sizeof(*seen));
    char *line = NULL;
    size_t capacity = 0;
    ssize_t len;
    size_t number = 0;
    char err[512];
    if (!seen) {
        fclose(in);
        return 1;
    }
    while ((len = getline(&line, &capacity, in)) >= 0) {
        number++;
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        compat_record record;
        if (compat_record_parse(line, &record, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s line %zu: %s\n", argv[1], number, err);
            problems++;
        } else {
            const compat_case *c = compat_case_find(record.name);
            if (!c) {
                fprintf(stderr, "%s line %zu: case '%s' is not in compat_cases.c\n", argv[1],
                        number, record.name);
                problems++;
            } else {
                seen[c - compat_cases] = true;
                check_record(&record, c);
            }
        }
        compat_record_release(&record);
    }
    free(line);
    fclose(in);
    for (size_t i = 0; i < compat_case_count; i++) {
        if (!seen[i]) {
            fprintf(stderr, "case '%s' is missing from %s (KafkaCases.java lacks it)\n",
                    compat_cases[i].name, argv[1]);
            problems++;
        }
    }
    free(seen);
    if (problems) {
        fprintf(stderr, "%d problem(s) reading %zu records Kafka's JsonConverter wrote\n",
                problems, number);
        return 1;
    }
    printf("ferry's JsonConverter read the %zu records of %s as Kafka wrote them, and writes them "
           "byte for byte\n",
           number, argv[1]);
    return 0;
}
