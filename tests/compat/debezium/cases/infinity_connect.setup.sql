DROP TABLE IF EXISTS dbzc_infinity_connect;
CREATE TABLE dbzc_infinity_connect (id int PRIMARY KEY, ts timestamp, ts3 timestamp(3), tstz timestamptz, d date);
