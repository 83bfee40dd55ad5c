/*
 * DumpTopics - writes every record of the topics that start with a prefix as JSON lines, for
 * tests/compat/debezium/capture.sh:
 *
 *   java DumpTopics BOOTSTRAP PREFIX REPLACEMENT OUT
 *
 * One line per record, topics in name order and each topic in offset order (its partition 0):
 * {"topic":T,"key":K,"value":V,"headers":[[NAME,VALUE],...]} where K and V are the record's
 * JSON (null for a Kafka null) and a header value is its UTF-8 text (null for a null header).
 * PREFIX is replaced by REPLACEMENT in the topic names and in the keys, values and headers, so
 * that a run's unique topic prefix does not appear in the fixture.
 */
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class DumpTopics {
    private static String text(byte[] bytes, String prefix, String replacement) {
        return bytes == null ? null
                : new String(bytes, StandardCharsets.UTF_8).replace(prefix, replacement);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: DumpTopics BOOTSTRAP PREFIX REPLACEMENT OUT");
            System.exit(2);
        }
        String prefix = args[1], replacement = args[2];
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TreeSet<String> topics = new TreeSet<>();
            for (String topic : consumer.listTopics(Duration.ofSeconds(30)).keySet())
                if (topic.startsWith(prefix))
                    topics.add(topic);
            for (String topic : topics) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(Collections.singletonList(tp));
                consumer.seekToBeginning(Collections.singletonList(tp));
                Map<TopicPartition, Long> end = consumer.endOffsets(Collections.singletonList(tp));
                long last = end.get(tp);
                while (consumer.position(tp) < last) {
                    for (ConsumerRecord<byte[], byte[]> record :
                            consumer.poll(Duration.ofSeconds(5))) {
                        ObjectNode line = mapper.createObjectNode();
                        line.put("topic", topic.replace(prefix, replacement));
                        String key = text(record.key(), prefix, replacement);
                        String value = text(record.value(), prefix, replacement);
                        line.set("key", key == null ? null : mapper.readTree(key));
                        line.set("value", value == null ? null : mapper.readTree(value));
                        ArrayNode headers = line.putArray("headers");
                        for (Header header : record.headers()) {
                            ArrayNode pair = headers.addArray();
                            pair.add(header.key());
                            pair.add(text(header.value(), prefix, replacement));
                        }
                        lines.add(mapper.writeValueAsString(line));
                    }
                }
            }
        }
        Files.write(Paths.get(args[3]), lines, StandardCharsets.UTF_8);
    }
}
