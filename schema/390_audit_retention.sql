-- 390_audit_retention: audit_log is kept AUDIT_RETENTION_DAYS (och.conf),
-- no longer for ever.
--
-- audit_log stays append-only for whatever connects as och_app (060_roles:
-- no DELETE granted, and the row trigger refuses it): the poller's
-- maintain calls audit_log_prune(), which runs as the table's owner and
-- deletes one bounded batch of rows older than its keep_days, never fewer
-- than 30 days.  So a stolen och_app password can still erase no record
-- of the last 30 days, and the owner cannot delete a recent row by
-- mistake either: the trigger lets a DELETE through only inside the
-- function (as the owner, with its transaction-local flag) and only for a
-- row older than 30 days.

CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE'
	    AND current_setting('och.audit_prune', true) = 'on'
	    AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
		WHERE oid = TG_RELID)
	    AND OLD.at < now() - interval '30 days' THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END $$;
DROP TRIGGER audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();

-- rows are appended in time order: a BRIN index finds the old ones at
-- almost no cost to each insert
CREATE INDEX audit_log_at ON audit_log USING brin (at);

-- Delete up to batch (1..10000) rows older than keep_days (30 or more).
-- Returns how many went: fewer than batch when no older one is left.
CREATE FUNCTION audit_log_prune(keep_days integer, batch integer)
    RETURNS bigint LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n	bigint;
BEGIN
	IF keep_days IS NULL OR keep_days < 30 THEN
		RAISE EXCEPTION 'audit_log is kept at least 30 days, not %',
		    keep_days USING ERRCODE = '22023';
	END IF;
	PERFORM set_config('och.audit_prune', 'on', true);
	DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log
	    WHERE at < now() - keep_days * interval '1 day'
	    LIMIT greatest(1, least(coalesce(batch, 1000), 10000)));
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM set_config('och.audit_prune', 'off', true);
	RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION audit_log_prune(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_log_prune(integer, integer) TO och_app;
