DROP TABLE IF EXISTS dbzc_txid;
CREATE TABLE dbzc_txid (id int PRIMARY KEY, name text);
