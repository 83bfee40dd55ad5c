-- run while the connector is stopped; the updated row stays last in the table's physical order,
-- which is the order Debezium's snapshot reads (ferry's reads in key order)
INSERT INTO dbzc_always_restart VALUES (4, 'four');
UPDATE dbzc_always_restart SET name = 'vier' WHERE id = 4;
DELETE FROM dbzc_always_restart WHERE id = 2;
