-- 105_admin_panel: what the admin panel reads at fleet scale.  The
-- instance list's default order (newest first) walks instances_created;
-- the daily failures and terminations read instance_events by time
-- through a partial index of just those transitions.
CREATE INDEX instances_created ON instances (created_at DESC, id DESC);
CREATE INDEX instance_events_outcome ON instance_events (at)
    WHERE to_state IN ('failed', 'terminated');
