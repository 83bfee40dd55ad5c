/*
 * CompatRecord.java - one record of a record file: the case it belongs to, the converter
 * settings it was written with, and its bytes (null for a Kafka null).
 */
package dev.ferry.compat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

record CompatRecord(String name, boolean key, boolean schemas, byte[] bytes) {
    /** The JsonConverter settings the record was written with. */
    Map<String, Object> converterSettings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("schemas.enable", Boolean.toString(schemas));
        return settings;
    }

    String text() {
        return bytes == null ? "(Kafka null)" : new String(bytes, StandardCharsets.UTF_8);
    }

    String describe() {
        return "case '" + name + "' (" + (key ? "key" : "value") + ", schemas.enable=" + schemas
            + ")";
    }
}
