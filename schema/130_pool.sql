-- 130_pool: the warm pool (lib/pool.h).  Booted servers from a plan's
-- current image, waiting with the agent in pool mode (no customer, no
-- secrets, no DNS) until an order claims one.  Pool servers are not
-- instances; a claimed one names the instance it became.
--
-- pool_targets: how many ready servers to keep per (plan, region) and
-- what one costs a month at the provider (for the spend cap).
-- pool_settings: the caps (most pool servers, most spend per month) and
-- the age after which a waiting server is recycled.
CREATE TABLE pool_targets (
	plan		text NOT NULL REFERENCES plans (name),
	region		text NOT NULL REFERENCES regions (name),
	target		integer NOT NULL CHECK (target BETWEEN 0 AND 100),
	monthly_cents	integer NOT NULL DEFAULT 0 CHECK (monthly_cents >= 0),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (plan, region)
);

CREATE TABLE pool_settings (
	singleton	boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	max_servers	integer NOT NULL DEFAULT 10 CHECK (max_servers >= 0),
	max_monthly_cents integer NOT NULL DEFAULT 10000
			CHECK (max_monthly_cents >= 0),
	max_age_hours	integer NOT NULL DEFAULT 168 CHECK (max_age_hours > 0),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
INSERT INTO pool_settings DEFAULT VALUES;

-- state: warming (created, not yet reported in), ready (its agent polls
-- and its setup passed), claimed (an order took it: instance_id), bad
-- (failed its health check), recycling (to be deleted), gone (deleted at
-- the provider; the row stays as history).
CREATE TABLE pool_servers (
	id		bigserial PRIMARY KEY,
	plan		text NOT NULL REFERENCES plans (name),
	region		text NOT NULL REFERENCES regions (name),
	location	text NOT NULL,
	server_type	text NOT NULL,
	image		text NOT NULL,
	state		text NOT NULL DEFAULT 'warming' CHECK (state IN
			('warming', 'ready', 'claimed', 'bad', 'recycling', 'gone')),
	hetzner_server_id bigint UNIQUE,
	ipv4		inet,
	ipv6		text,
	boot_token_hash	text UNIQUE CHECK (boot_token_hash ~ '^[0-9a-f]{64}$'),
	agent_token_hash text UNIQUE CHECK (agent_token_hash ~ '^[0-9a-f]{64}$'),
	instance_id	uuid UNIQUE REFERENCES instances (id),
	monthly_cents	integer NOT NULL DEFAULT 0,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	ready_at	timestamptz,
	last_seen_at	timestamptz,
	claimed_at	timestamptz,
	handed_at	timestamptz,
	gone_at		timestamptz
);
CREATE INDEX pool_servers_live ON pool_servers (plan, location, state)
	WHERE state IN ('warming', 'ready');
