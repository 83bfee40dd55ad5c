DROP TABLE IF EXISTS dbzc_key_change;
CREATE TABLE dbzc_key_change (id int PRIMARY KEY, name text);
