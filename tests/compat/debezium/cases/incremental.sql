INSERT INTO dbzc_incr_signal VALUES ('incr-1', 'execute-snapshot', '{"data-collections": ["public.dbzc_incr"], "type": "incremental"}');
