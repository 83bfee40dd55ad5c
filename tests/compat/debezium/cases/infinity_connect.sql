INSERT INTO dbzc_infinity_connect VALUES (1, 'infinity', 'infinity', 'infinity', 'infinity');
INSERT INTO dbzc_infinity_connect VALUES (2, '-infinity', '-infinity', '-infinity', '-infinity');
