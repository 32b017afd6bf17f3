-- 160_hetzner_budget: the Hetzner API's request budget as each poller last
-- saw it (RateLimit-Limit, -Remaining, -Reset of its newest answer), kept
-- with the poller's heartbeat so the admin panel reads it from any host
-- (GET /api/v1/admin/stats).  Hetzner counts per project, and every
-- poller uses the project's token: the newest row is the fleet's budget.
ALTER TABLE poller_heartbeats
	ADD COLUMN hetzner_limit	bigint,
	ADD COLUMN hetzner_remaining	bigint,
	ADD COLUMN hetzner_reset_at	timestamptz,
	ADD COLUMN hetzner_seen_at	timestamptz;
