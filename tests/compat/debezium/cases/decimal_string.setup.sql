DROP TABLE IF EXISTS dbzc_decimal_string;
CREATE TABLE dbzc_decimal_string (id int PRIMARY KEY, n numeric, n2 numeric(10,2));
