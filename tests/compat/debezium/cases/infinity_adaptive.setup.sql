DROP TABLE IF EXISTS dbzc_infinity_adaptive;
CREATE TABLE dbzc_infinity_adaptive (id int PRIMARY KEY, ts timestamp, ts3 timestamp(3), tstz timestamptz, d date);
