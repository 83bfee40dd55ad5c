INSERT INTO dbzc_infinity_adaptive VALUES (1, 'infinity', 'infinity', 'infinity', 'infinity');
INSERT INTO dbzc_infinity_adaptive VALUES (2, '-infinity', '-infinity', '-infinity', '-infinity');
