/*
 * MapOrder.java - puts the maps of a value Kafka's JsonConverter read back in the order of the
 * JSON it read them from. Kafka reads maps (and schemaless objects) into HashMaps, whose order is
 * the keys' hashes'; a map has no order in Connect, so the record's own order is as good as any,
 * and it is the one a byte-for-byte comparison needs. Structs, lists and maps are walked; every
 * other value is left as it is.
 */
package dev.ferry.compat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class MapOrder {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Writes a map's keys as Kafka writes them, to find them in the JSON's [key, value] pairs. */
    private final JsonConverter plain = new KafkaConverters().get(false, false);

    Object restore(Schema schema, Object value, JsonNode json) throws JsonProcessingException {
        if (value == null || json == null || json.isNull())
            return value;
        if (value instanceof Struct struct && schema != null) {
            for (Field field : schema.fields()) {
                Object member = struct.getWithoutDefault(field.name());
                Object restored = restore(field.schema(), member, json.get(field.name()));
                if (restored != member)
                    struct.put(field, restored);
            }
            return struct;
        }
        if (value instanceof List<?> list && json.isArray()) {
            Schema items = schema == null ? null : schema.valueSchema();
            List<Object> restored = new ArrayList<>();
            for (int i = 0; i < list.size(); i++)
                restored.add(restore(items, list.get(i), json.get(i)));
            return restored;
        }
        if (value instanceof Map<?, ?> map)
            return restoreMap(schema, map, json);
        return value;
    }

    private Object restoreMap(Schema schema, Map<?, ?> map, JsonNode json)
        throws JsonProcessingException {
        Schema keys = schema == null ? null : schema.keySchema();
        Schema values = schema == null ? null : schema.valueSchema();
        Map<Object, Object> restored = new LinkedHashMap<>();
        if (json.isObject()) {
            for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (map.containsKey(name))
                    restored.put(name, restore(values, map.get(name), json.get(name)));
            }
        } else if (json.isArray()) {
            Map<String, Object> byText = new LinkedHashMap<>();
            for (Object key : map.keySet())
                byText.put(new String(plain.fromConnectData("compat", keys, key),
                    StandardCharsets.UTF_8), key);
            for (JsonNode pair : json) {
                Object key = byText.get(MAPPER.writeValueAsString(pair.get(0)));
                if (key != null && !restored.containsKey(key))
                    restored.put(key, restore(values, map.get(key), pair.get(1)));
            }
        }
        /* What could not be placed keeps Kafka's order, after the rest: the comparison shows it. */
        for (Map.Entry<?, ?> entry : map.entrySet())
            restored.putIfAbsent(entry.getKey(), entry.getValue());
        return restored;
    }
}
