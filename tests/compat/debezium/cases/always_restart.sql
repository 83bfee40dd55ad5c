INSERT INTO dbzc_always_restart VALUES (3, 'three');
