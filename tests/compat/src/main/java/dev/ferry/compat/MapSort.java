/*
 * MapSort.java - puts every map of a Connect value in one order before it is written, for the
 * transforms check. Kafka's JsonConverter reads maps (and every JSON object without a schema)
 * into HashMaps, and the transforms build HashMaps too: Kafka writes them in the order of the keys'
 * hashes. A map has no order in Connect, so both sides write their maps sorted (ferry's twin is
 * in compat_transforms.c, with the same key order):
 *   null < booleans (false < true) < numbers (integers as integers, otherwise as doubles) <
 *   strings (by code point, which is UTF-8's byte order) < anything else (kept in its order).
 * Structs keep the order of their schema; lists theirs.
 */
package dev.ferry.compat;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class MapSort {
    private MapSort() {
    }

    static Object sort(Schema schema, Object value) {
        if (value instanceof Struct struct) {
            for (Field field : struct.schema().fields()) {
                Object member = struct.getWithoutDefault(field.name());
                Object sorted = sort(field.schema(), member);
                if (sorted != member)
                    struct.put(field, sorted);
            }
            return struct;
        }
        if (value instanceof List<?> list) {
            Schema items = schema == null ? null : schema.valueSchema();
            List<Object> sorted = new ArrayList<>(list.size());
            for (Object item : list)
                sorted.add(sort(items, item));
            return sorted;
        }
        if (value instanceof Map<?, ?> map) {
            Schema values = schema == null ? null : schema.valueSchema();
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            entries.sort(Comparator.comparing(Map.Entry::getKey, MapSort::compareKeys));
            Map<Object, Object> sorted = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : entries)
                sorted.put(entry.getKey(), sort(values, entry.getValue()));
            return sorted;
        }
        return value;
    }

    private static int rank(Object key) {
        if (key == null)
            return 0;
        if (key instanceof Boolean)
            return 1;
        if (key instanceof Number)
            return 2;
        if (key instanceof String)
            return 3;
        return 4;
    }

    private static boolean integral(Object number) {
        return number instanceof Byte || number instanceof Short || number instanceof Integer
            || number instanceof Long;
    }

    static int compareKeys(Object a, Object b) {
        int ranks = Integer.compare(rank(a), rank(b));
        if (ranks != 0)
            return ranks;
        if (a instanceof Boolean x)
            return Boolean.compare(x, (Boolean) b);
        if (a instanceof Number x) {
            Number y = (Number) b;
            if (integral(x) && integral(y))
                return Long.compare(x.longValue(), y.longValue());
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof String x) {
            String y = (String) b;
            return java.util.Arrays.compare(x.codePoints().toArray(), y.codePoints().toArray());
        }
        return 0;
    }
}
