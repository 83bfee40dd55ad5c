/*
 * KafkaConverters.java - Kafka's JsonConverter, one per setting a record file uses (key or
 * value, schemas.enable), configured as a Kafka Connect worker configures its converters.
 */
package dev.ferry.compat;

import org.apache.kafka.connect.json.JsonConverter;

import java.util.HashMap;
import java.util.Map;

final class KafkaConverters {
    private final Map<String, JsonConverter> converters = new HashMap<>();

    JsonConverter get(boolean key, boolean schemas) {
        return converters.computeIfAbsent(key + "/" + schemas, ignored -> {
            JsonConverter converter = new JsonConverter();
            converter.configure(Map.of("schemas.enable", Boolean.toString(schemas)), key);
            return converter;
        });
    }
}
