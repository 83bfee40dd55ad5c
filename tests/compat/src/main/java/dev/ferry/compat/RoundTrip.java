/*
 * RoundTrip.java - the roundtrip mode: each record is read by Kafka's JsonConverter
 * (toConnectData) and written again (fromConnectData) with the settings it was written with; the
 * bytes must come out the same. A record Kafka cannot read, or writes differently, is a failure,
 * printed with both texts.
 *
 * Kafka reads a map into a HashMap and writes it in the HashMap's order, which is the order of
 * the keys' hashes, not the record's: before writing, MapOrder puts every map back in the order
 * the record has it. Nothing else is touched.
 */
package dev.ferry.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

final class RoundTrip {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RoundTrip() {
    }

    /** The record's payload as JSON: the envelope's "payload", or the whole record. */
    private static JsonNode payload(CompatRecord record) throws IOException {
        if (record.bytes() == null)
            return null;
        JsonNode node = MAPPER.readTree(record.bytes());
        return record.schemas() && node != null ? node.get("payload") : node;
    }

    static int run(List<CompatRecord> records) {
        KafkaConverters converters = new KafkaConverters();
        MapOrder order = new MapOrder();
        int failures = 0;
        for (CompatRecord record : records) {
            String problem;
            String written = "(not written)";
            try {
                JsonConverter converter = converters.get(record.key(), record.schemas());
                SchemaAndValue data = converter.toConnectData("compat", record.bytes());
                Object value = order.restore(data.schema(), data.value(), payload(record));
                byte[] again = converter.fromConnectData("compat", data.schema(), value);
                if (Arrays.equals(record.bytes(), again))
                    continue;
                written = new CompatRecord(record.name(), record.key(), record.schemas(), again)
                    .text();
                problem = "Kafka's JsonConverter writes it differently";
            } catch (IOException | RuntimeException e) {
                problem = "Kafka's JsonConverter fails on it: " + e
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : "");
            }
            failures++;
            System.err.printf("%s: %s%n  ferry: %s%n  kafka: %s%n", record.describe(), problem,
                record.text(), written);
        }
        if (failures > 0) {
            System.err.printf("%d of %d records differ%n", failures, records.size());
            return 1;
        }
        System.out.printf("Kafka's JsonConverter (connect-json %s, Java %s) read and wrote again "
            + "%d records byte for byte%n", KafkaCases.kafkaVersion(),
            Runtime.version(), records.size());
        return 0;
    }
}
