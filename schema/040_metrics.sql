-- 040_metrics: retention of the metrics table (poller/scrape.c).  Day
-- partitions are dropped whole (no DELETE, no VACUUM); the names are
-- the ones metrics_ensure_partition() gives them.

-- Drop every metrics_YYYYMMDD partition whose day is before `before`.
-- Returns how many were dropped.
CREATE FUNCTION metrics_drop_partitions(before date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	part	text;
	n	integer := 0;
BEGIN
	FOR part IN
		SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'metrics'::regclass
		  AND c.relname ~ '^metrics_[0-9]{8}$'
		  AND to_date(substr(c.relname, 9), 'YYYYMMDD') < before
		ORDER BY c.relname
	LOOP
		EXECUTE format('DROP TABLE %I', part);
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;

-- The dashboard reads the newest hours of one series per instance.
CREATE INDEX metrics_hourly_hour ON metrics_hourly (hour);
