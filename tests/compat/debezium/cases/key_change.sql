INSERT INTO dbzc_key_change VALUES (1, 'one');
UPDATE dbzc_key_change SET name = 'uno' WHERE id = 1;
UPDATE dbzc_key_change SET id = 11 WHERE id = 1;
DELETE FROM dbzc_key_change WHERE id = 11;
