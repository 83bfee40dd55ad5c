DROP TABLE IF EXISTS dbzc_incr;
DROP TABLE IF EXISTS dbzc_incr_signal;
CREATE TABLE dbzc_incr (id int PRIMARY KEY, name text, qty bigint);
INSERT INTO dbzc_incr SELECT g, 'item ' || g, g * 10 FROM generate_series(1, 7) g;
CREATE TABLE dbzc_incr_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));
