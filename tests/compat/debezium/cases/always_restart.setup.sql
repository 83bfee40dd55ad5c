DROP TABLE IF EXISTS dbzc_always_restart;
CREATE TABLE dbzc_always_restart (id int PRIMARY KEY, name text);
INSERT INTO dbzc_always_restart VALUES (1, 'one'), (2, 'two');
