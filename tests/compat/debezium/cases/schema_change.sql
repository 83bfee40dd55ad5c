INSERT INTO dbzc_schema_change VALUES (1, 10, 'one', 100);
ALTER TABLE dbzc_schema_change ADD COLUMN d text DEFAULT 'dd';
INSERT INTO dbzc_schema_change (id, a, b, c, d) VALUES (2, 20, 'two', 200, 'two');
ALTER TABLE dbzc_schema_change DROP COLUMN b;
INSERT INTO dbzc_schema_change (id, a, c, d) VALUES (3, 30, 300, 'three');
ALTER TABLE dbzc_schema_change ALTER COLUMN c TYPE bigint, ALTER COLUMN a TYPE numeric(10,2);
INSERT INTO dbzc_schema_change (id, a, c, d) VALUES (4, 40.5, 4000000000, 'four');
UPDATE dbzc_schema_change SET d = 'uno' WHERE id = 1;
