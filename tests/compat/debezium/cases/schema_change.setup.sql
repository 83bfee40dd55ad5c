DROP TABLE IF EXISTS dbzc_schema_change;
CREATE TABLE dbzc_schema_change (id int PRIMARY KEY, a int, b text, c int NOT NULL DEFAULT 0);
