BEGIN;
INSERT INTO dbzc_txid VALUES (1, 'one'), (2, 'two');
COMMIT;
