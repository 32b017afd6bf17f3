-- 395_events_retention: instance_events is kept
-- INSTANCE_EVENTS_RETENTION_DAYS (och.conf) for a terminated instance, no
-- longer for ever.  An instance that is not terminated keeps its whole
-- history: the dashboard's setup progress and the agent's first-time
-- milestones (tls.issued, gateway.ready) read its events back, and the
-- WHMCS status check reads its last suspend or unsuspend.
--
-- As for audit_log (390): the table stays append-only for och_app, and
-- the poller's maintain calls instance_events_prune(), which runs as the
-- table's owner and deletes one bounded batch of the rows older than its
-- keep_days, never fewer than 30 days, of terminated instances only.  The
-- trigger lets a DELETE through only inside the function (as the owner,
-- with its transaction-local flag), only for a row older than 30 days and
-- only when its instance is terminated.

CREATE FUNCTION instance_events_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE'
	    AND current_setting('och.events_prune', true) = 'on'
	    AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
		WHERE oid = TG_RELID)
	    AND OLD.at < now() - interval '30 days'
	    AND EXISTS (SELECT 1 FROM instances i WHERE i.id = OLD.instance_id
		AND i.state = 'terminated') THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'instance_events is append-only' USING ERRCODE = '42501';
END $$;
DROP TRIGGER instance_events_no_change ON instance_events;
CREATE TRIGGER instance_events_no_change BEFORE UPDATE OR DELETE
    ON instance_events FOR EACH ROW EXECUTE FUNCTION instance_events_guard();

-- rows are appended in time order: a BRIN index finds the old ones at
-- almost no cost to each insert
CREATE INDEX instance_events_at ON instance_events USING brin (at);

-- Delete up to batch (1..10000) events older than keep_days (30 or more)
-- of terminated instances.  Returns how many went: fewer than batch when
-- no older one is left.
CREATE FUNCTION instance_events_prune(keep_days integer, batch integer)
    RETURNS bigint LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n	bigint;
BEGIN
	IF keep_days IS NULL OR keep_days < 30 THEN
		RAISE EXCEPTION 'instance_events is kept at least 30 days, not %',
		    keep_days USING ERRCODE = '22023';
	END IF;
	PERFORM set_config('och.events_prune', 'on', true);
	DELETE FROM instance_events WHERE id IN (SELECT e.id
	    FROM instance_events e JOIN instances i ON i.id = e.instance_id
	    WHERE e.at < now() - keep_days * interval '1 day'
	    AND i.state = 'terminated'
	    LIMIT greatest(1, least(coalesce(batch, 1000), 10000)));
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM set_config('och.events_prune', 'off', true);
	RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION instance_events_prune(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION instance_events_prune(integer, integer) TO och_app;
