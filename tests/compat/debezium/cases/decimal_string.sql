INSERT INTO dbzc_decimal_string VALUES (1, 'NaN', 'NaN');
INSERT INTO dbzc_decimal_string VALUES (2, 1.5, 2.25);
