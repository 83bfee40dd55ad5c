/*
 * compat_cases.c - the cases of compat_cases.h. A case added here needs its twin, of the same
 * name, in KafkaCases.java (the integration test fails on a case either side lacks).
 */
#include "compat_cases.h"

#include <string.h>

#define DECIMAL "\"org.apache.kafka.connect.data.Decimal\""
#define DATE "\"org.apache.kafka.connect.data.Date\""
#define TIME "\"org.apache.kafka.connect.data.Time\""
#define TIMESTAMP "\"org.apache.kafka.connect.data.Timestamp\""

/* A value with schemas on, as most records are. */
#define VALUE(name, schema, value) {name, false, true, FERRY_DATA_JSON, schema, value, 0}
#define PLAIN(name, schema, value) {name, false, false, FERRY_DATA_JSON, schema, value, 0}
#define KEY(name, schema, value) {name, true, true, FERRY_DATA_JSON, schema, value, 0}
#define PLAIN_KEY(name, schema, value) {name, true, false, FERRY_DATA_JSON, schema, value, 0}

#define ORDER_SCHEMA                                                                               \
    "{\"type\":\"struct\",\"name\":\"com.example.Order\",\"fields\":["                           \
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"                                  \
    "{\"type\":\"struct\",\"name\":\"com.example.Customer\",\"field\":\"customer\",\"fields\":[" \
    "{\"type\":\"string\",\"field\":\"name\"},"                                                  \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"email\"}]},"                             \
    "{\"type\":\"array\",\"field\":\"lines\",\"items\":{\"type\":\"struct\","                    \
    "\"name\":\"com.example.Line\",\"fields\":["                                                 \
    "{\"type\":\"string\",\"field\":\"sku\"},{\"type\":\"int32\",\"field\":\"qty\"},"            \
    "{\"type\":\"double\",\"field\":\"price\"}]}},"                                              \
    "{\"type\":\"map\",\"optional\":true,\"field\":\"tags\",\"keys\":{\"type\":\"string\"},"     \
    "\"values\":{\"type\":\"string\",\"optional\":true}},"                                       \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"note\"}]}"

#define ORDER_VALUE                                                                                \
    "{\"id\":1001,\"customer\":{\"name\":\"Ann\",\"email\":null},"                               \
    "\"lines\":[{\"sku\":\"A-1\",\"qty\":2,\"price\":9.99},"                                     \
    "{\"sku\":\"B-2\",\"qty\":1,\"price\":100}],"                                                \
    "\"tags\":{\"channel\":\"web\",\"coupon\":null},\"note\":null}"

/* Every kind of default, with the member null, missing or present. */
#define DEFAULTS_SCHEMA                                                                            \
    "{\"type\":\"struct\",\"name\":\"com.example.Defaults\",\"fields\":["                        \
    "{\"type\":\"int32\",\"optional\":true,\"default\":42,\"field\":\"a\"},"                     \
    "{\"type\":\"string\",\"default\":\"n/a\",\"field\":\"b\"},"                                 \
    "{\"type\":\"double\",\"default\":1.5,\"field\":\"c\"},"                                     \
    "{\"type\":\"boolean\",\"optional\":true,\"default\":true,\"field\":\"d\"},"                 \
    "{\"type\":\"bytes\",\"default\":\"AQI=\",\"field\":\"e\"},"                                 \
    "{\"type\":\"float32\",\"optional\":true,\"default\":0.5,\"field\":\"f\"},"                  \
    "{\"type\":\"array\",\"items\":{\"type\":\"int64\"},\"default\":[1,2],\"field\":\"g\"},"     \
    "{\"type\":\"int8\",\"optional\":true,\"default\":3,\"field\":\"h\"},"                       \
    "{\"type\":\"int32\",\"name\":" DATE ",\"version\":1,\"default\":0,\"field\":\"i\"},"        \
    "{\"type\":\"bytes\",\"name\":" DECIMAL ",\"version\":1,\"parameters\":{\"scale\":\"2\"},"   \
    "\"default\":\"AA==\",\"field\":\"j\"},"                                                     \
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"k\"}]}"

const compat_case compat_cases[] = {
    /* Primitive types. */
    VALUE("boolean", "{\"type\":\"boolean\",\"optional\":false}", "true"),
    VALUE("int8", "{\"type\":\"int8\",\"optional\":false}", "-128"),
    VALUE("int16", "{\"type\":\"int16\",\"optional\":false}", "32767"),
    VALUE("int32", "{\"type\":\"int32\",\"optional\":false}", "-2147483648"),
    VALUE("int64", "{\"type\":\"int64\",\"optional\":false}", "9223372036854775807"),
    VALUE("float", "{\"type\":\"float\",\"optional\":false}", "0.1"),
    VALUE("float largest", "{\"type\":\"float\",\"optional\":false}", "3.4028234663852886e38"),
    VALUE("float older name", "{\"type\":\"float32\"}", "2.5"),
    VALUE("double", "{\"type\":\"double\",\"optional\":false}", "0.1"),
    VALUE("double large", "{\"type\":\"double\",\"optional\":false}", "1e10"),
    VALUE("double small", "{\"type\":\"double\",\"optional\":false}", "-1.25e-7"),
    VALUE("double from an integer", "{\"type\":\"float64\",\"optional\":false}", "5"),
    VALUE("string", "{\"type\":\"string\",\"optional\":false}",
          "\"caf\\u00e9 \\\"q\\\" \\\\ /\\n\\t\\u0001\\u007f \\u2028 \\ud83d\\ude00\""),
    VALUE("bytes", "{\"type\":\"bytes\",\"optional\":false}", "\"AAEC/w==\""),

    /* Containers. */
    VALUE("array", "{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":false},"
                   "\"optional\":false}",
          "[1,2,3]"),
    VALUE("array of optional strings",
          "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":true},"
          "\"optional\":true}",
          "[\"a\",null,\"\"]"),
    VALUE("map with string keys",
          "{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"int64\"}}",
          "{\"b\":2,\"a\":1,\"c\":3}"),
    VALUE("map with int keys",
          "{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},\"values\":{\"type\":\"string\"}}",
          "[[2,\"two\"],[1,\"one\"],[-7,\"minus seven\"]]"),
    VALUE("map with struct keys",
          "{\"type\":\"map\",\"keys\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
          "\"field\":\"x\"}]},\"values\":{\"type\":\"boolean\"}}",
          "[[{\"x\":1},true],[{\"x\":2},false]]"),
    VALUE("nested struct", ORDER_SCHEMA, ORDER_VALUE),

    /* Optional values, nulls and defaults. */
    VALUE("optional null", "{\"type\":\"string\",\"optional\":true}", "null"),
    VALUE("null with a default", "{\"type\":\"int32\",\"optional\":true,\"default\":7}", "null"),
    VALUE("defaults", DEFAULTS_SCHEMA, "{\"a\":null,\"c\":2.5,\"d\":null,\"f\":null}"),
    {"kafka null", false, true, FERRY_DATA_NULL, NULL, NULL, 0},

    /* Logical types. */
    VALUE("decimal",
          "{\"type\":\"bytes\",\"optional\":false,\"name\":" DECIMAL ",\"version\":1,"
          "\"parameters\":{\"scale\":\"2\"}}",
          "\"BNI=\""),
    VALUE("negative decimal with precision",
          "{\"type\":\"bytes\",\"optional\":true,\"name\":" DECIMAL ",\"version\":1,"
          "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"}}",
          "\"nA==\""),
    VALUE("date", "{\"type\":\"int32\",\"optional\":false,\"name\":" DATE ",\"version\":1}",
          "19000"),
    VALUE("time", "{\"type\":\"int32\",\"optional\":false,\"name\":" TIME ",\"version\":1}",
          "3723000"),
    VALUE("timestamp",
          "{\"type\":\"int64\",\"optional\":false,\"name\":" TIMESTAMP ",\"version\":1}",
          "1700000000123"),

    /* Names, versions, docs and parameters, given in another order than Kafka's, with a key
     * Kafka does not know; a struct built in another order than its schema. */
    VALUE("names versions docs parameters",
          "{\"parameters\":{\"b\":\"2\",\"a\":\"1\"},\"doc\":\"A \\\"code\\\", with\\ttab\","
          "\"type\":\"string\",\"version\":3,\"name\":\"com.example.Code\",\"x-ferry\":true}",
          "\"X1\""),
    VALUE("struct built in another order",
          "{\"fields\":[{\"field\":\"f\",\"type\":\"float32\"},{\"optional\":true,\"field\":\"d\","
          "\"type\":\"float64\"}],\"type\":\"struct\",\"name\":\"com.example.Reordered\"}",
          "{\"d\":1e21,\"extra\":\"dropped\",\"f\":0.25}"),

    /* Strings and bytes as ferry carries them (not as JSON), and JSON without a schema. */
    {"string data", false, true, FERRY_DATA_STRING, NULL, "hello", 0},
    {"bytes data", false, true, FERRY_DATA_BYTES, NULL, "\x00\x01\xfe\xff", 4},
    VALUE("schemaless value", NULL,
          "{\"a\":[1,2.5,\"x\",null],\"b\":{\"c\":true},\"d\":1e-5}"),

    /* schemas.enable=false: no envelope, the payload still under its schema. */
    PLAIN("plain struct",
          "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"field\":\"id\"},"
          "{\"type\":\"float\",\"field\":\"ratio\"}]}",
          "{\"ratio\":0.75,\"id\":5}"),
    PLAIN("plain schemaless", NULL, "{\"n\":10000000.0,\"list\":[true,false],\"s\":\"x\"}"),
    {"plain string data", false, false, FERRY_DATA_STRING, NULL, "hello", 0},
    PLAIN("plain double", "{\"type\":\"double\"}", "123456789.0"),
    PLAIN("plain null with a default", "{\"type\":\"int32\",\"optional\":true,\"default\":7}",
          "null"),
    {"plain kafka null", false, false, FERRY_DATA_NULL, NULL, NULL, 0},

    /* Keys. */
    KEY("key int64", "{\"type\":\"int64\",\"optional\":false}", "42"),
    KEY("key struct",
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"field\":\"id\"}],"
        "\"name\":\"com.example.Key\"}",
        "{\"id\":42}"),
    {"key plain string data", true, false, FERRY_DATA_STRING, NULL, "user-1", 0},
    PLAIN_KEY("key plain struct",
              "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"field\":\"id\"},"
              "{\"type\":\"string\",\"field\":\"region\"}]}",
              "{\"region\":\"eu\",\"id\":42}"),
};

const size_t compat_case_count = sizeof(compat_cases) / sizeof(compat_cases[0]);

const compat_case *compat_case_find(const char *name)
{
    for (size_t i = 0; i < compat_case_count; i++) {
        if (strcmp(compat_cases[i].name, name) == 0)
            return &compat_cases[i];
    }
    return NULL;
}
