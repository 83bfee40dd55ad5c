DROP TABLE IF EXISTS dbzc_order_a, dbzc_order_b, dbzc_order_c, dbzc_order_d;
CREATE TABLE dbzc_order_c (id int PRIMARY KEY);
CREATE TABLE dbzc_order_a (id int PRIMARY KEY);
CREATE TABLE dbzc_order_b (id int PRIMARY KEY);
CREATE TABLE dbzc_order_d (id int PRIMARY KEY);
-- rows inserted in key order: Debezium reads a table in its physical order, ferry in key order
INSERT INTO dbzc_order_a VALUES (1), (2);
INSERT INTO dbzc_order_b VALUES (1), (2);
INSERT INTO dbzc_order_c VALUES (1), (2);
