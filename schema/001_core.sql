-- 001_core: users, plans, regions, instances and their history, secrets,
-- tokens, API clients and nonces, sessions, outboxes, audit log.
-- Constraints make bad states impossible; the application relies on them.

CREATE TABLE users (
	id		bigserial PRIMARY KEY,
	email		text NOT NULL CHECK (length(email) BETWEEN 3 AND 254
			    AND email = lower(email) AND position('@' in email) > 1),
	role		text NOT NULL DEFAULT 'customer'
			    CHECK (role IN ('customer', 'admin')),
	whmcs_client_id	bigint CHECK (whmcs_client_id > 0),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (email)
);
CREATE UNIQUE INDEX users_whmcs_client_uq ON users (whmcs_client_id)
    WHERE whmcs_client_id IS NOT NULL;

CREATE TABLE plans (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{1,31}$'),
	display_name	text NOT NULL,
	server_type	text NOT NULL,
	image		text NOT NULL DEFAULT 'ubuntu-24.04',
	vcpus		integer NOT NULL CHECK (vcpus > 0),
	memory_mb	integer NOT NULL CHECK (memory_mb > 0),
	disk_gb		integer NOT NULL CHECK (disk_gb > 0),
	max_channels	integer NOT NULL CHECK (max_channels >= 0),
	max_skills	integer NOT NULL CHECK (max_skills >= 0),
	backup_slots	integer NOT NULL DEFAULT 7 CHECK (backup_slots >= 0),
	price_cents	integer NOT NULL CHECK (price_cents >= 0),
	openclaw_version text,
	sort		integer NOT NULL DEFAULT 0,
	active		boolean NOT NULL DEFAULT true
);

CREATE TABLE regions (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{1,31}$'),
	location	text NOT NULL,
	display_name	text NOT NULL,
	alias_of	text REFERENCES regions (name),
	active		boolean NOT NULL DEFAULT true
);

CREATE TABLE instances (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug		text NOT NULL UNIQUE CHECK (slug ~ '^[a-z][a-z0-9-]{2,40}[a-z0-9]$'),
	user_id		bigint NOT NULL REFERENCES users (id),
	plan		text NOT NULL REFERENCES plans (name),
	region		text NOT NULL REFERENCES regions (name),
	whmcs_service_id bigint UNIQUE CHECK (whmcs_service_id > 0),
	whmcs_client_id	bigint CHECK (whmcs_client_id > 0),
	desired_state	text NOT NULL DEFAULT 'active'
			    CHECK (desired_state IN ('active', 'suspended', 'terminated')),
	state		text NOT NULL DEFAULT 'pending'
			    CHECK (state IN ('pending', 'creating', 'booting', 'active',
			    'suspending', 'suspended', 'resuming', 'resizing', 'rebooting',
			    'rebuilding', 'terminating', 'terminated', 'failed')),
	-- the step a failed instance resumes at (ochctl retry)
	failed_state	text,
	pending_plan	text REFERENCES plans (name),
	pending_action	text CHECK (pending_action IN ('reboot', 'rebuild')),
	hetzner_server_id bigint CHECK (hetzner_server_id > 0),
	ipv4		inet,
	ipv6		text,
	dns_record_id	text,
	dns_record6_id	text,
	openclaw_version text,
	attempts	integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	locked_until	timestamptz,
	locked_by	text,
	last_error	text,
	config_revision	bigint NOT NULL DEFAULT 1,
	-- set by the agent's ready call; the poller finishes creating first
	-- if the VPS was quicker than the DNS step
	ready_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	active_at	timestamptz,
	terminated_at	timestamptz
);
CREATE INDEX instances_due ON instances (next_attempt_at)
    WHERE state NOT IN ('terminated', 'failed');
CREATE INDEX instances_user ON instances (user_id);
CREATE UNIQUE INDEX instances_hetzner_uq ON instances (hetzner_server_id)
    WHERE hetzner_server_id IS NOT NULL;

CREATE TABLE instance_events (
	id		bigserial PRIMARY KEY,
	instance_id	uuid NOT NULL REFERENCES instances (id),
	at		timestamptz NOT NULL DEFAULT now(),
	kind		text NOT NULL CHECK (kind ~ '^[a-z_.]{1,64}$'),
	from_state	text,
	to_state	text,
	message		text,
	actor		text
);
CREATE INDEX instance_events_instance ON instance_events (instance_id, id);

-- Encrypted with AES-256-GCM under the master key; AD = "<table>:<id>:<name>".
CREATE TABLE instance_secrets (
	instance_id	uuid NOT NULL REFERENCES instances (id),
	name		text NOT NULL CHECK (name ~ '^[a-z_]{1,64}$'),
	value_enc	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (instance_id, name)
);

-- Tokens that only need checking are stored as SHA-256 hashes (hex).
CREATE TABLE bootstrap_tokens (
	token_hash	text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	instance_id	uuid NOT NULL REFERENCES instances (id),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bootstrap_tokens_instance ON bootstrap_tokens (instance_id);

CREATE TABLE agent_tokens (
	token_hash	text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	instance_id	uuid NOT NULL REFERENCES instances (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz,
	revoked_at	timestamptz
);
CREATE INDEX agent_tokens_instance ON agent_tokens (instance_id);

-- HMAC clients (the WHMCS module).  The secret is needed to verify
-- signatures, so it is stored encrypted (AD = "api_clients:<id>").
CREATE TABLE api_clients (
	id		text PRIMARY KEY CHECK (id ~ '^ak_[0-9a-f]{16,64}$'),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	secret_enc	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz,
	revoked_at	timestamptz
);

CREATE TABLE api_nonces (
	client_id	text NOT NULL REFERENCES api_clients (id),
	nonce		text NOT NULL CHECK (nonce ~ '^[0-9a-f]{32,128}$'),
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (client_id, nonce)
);
CREATE INDEX api_nonces_expiry ON api_nonces (expires_at);

CREATE TABLE sessions (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id		bigint NOT NULL REFERENCES users (id),
	csrf_hash	text NOT NULL CHECK (csrf_hash ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz,
	ip		inet,
	user_agent	text
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE magic_links (
	token_hash	text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	user_id		bigint NOT NULL REFERENCES users (id),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sso_tokens (
	token_hash	text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	user_id		bigint NOT NULL REFERENCES users (id),
	instance_id	uuid REFERENCES instances (id),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- Transactional outboxes: written in the transaction of the change that
-- causes them, sent by the poller, never twice on success.
CREATE TABLE email_outbox (
	id		bigserial PRIMARY KEY,
	instance_id	uuid REFERENCES instances (id),
	template	text NOT NULL CHECK (template ~ '^[a-z_]{1,64}$'),
	to_email	text NOT NULL CHECK (position('@' in to_email) > 1),
	vars		jsonb NOT NULL DEFAULT '{}',
	-- one email per (dedupe_key) ever, e.g. "welcome:<instance>"
	dedupe_key	text UNIQUE,
	status		text NOT NULL DEFAULT 'pending'
			    CHECK (status IN ('pending', 'sent', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	locked_until	timestamptz,
	provider_id	text,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at)
    WHERE status = 'pending';

CREATE TABLE webhook_outbox (
	id		bigserial PRIMARY KEY,
	instance_id	uuid REFERENCES instances (id),
	target		text NOT NULL CHECK (target IN ('whmcs')),
	command		text NOT NULL CHECK (command ~ '^[A-Za-z]{1,64}$'),
	payload		jsonb NOT NULL DEFAULT '{}',
	status		text NOT NULL DEFAULT 'pending'
			    CHECK (status IN ('pending', 'sent', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	locked_until	timestamptz,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at)
    WHERE status = 'pending';

CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	actor_kind	text NOT NULL CHECK (actor_kind IN ('api_client', 'user',
			    'admin', 'agent', 'system', 'operator')),
	actor_id	text,
	action		text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
	object_kind	text,
	object_id	text,
	remote_addr	text,
	request_id	text,
	status		integer,
	detail		jsonb
);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id, id);

-- audit_log is append-only: no update or delete, whoever asks.
CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER instance_events_no_change BEFORE UPDATE OR DELETE ON instance_events
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();

-- Liveness of the pollers (health reports the age of the newest beat).
CREATE TABLE poller_heartbeats (
	mode		text NOT NULL,
	host		text NOT NULL,
	pid		integer NOT NULL,
	beat_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (mode, host)
);

-- Metrics: a whitelist of series, partitioned by day.
CREATE TABLE metrics (
	instance_id	uuid NOT NULL,
	series		text NOT NULL CHECK (series IN ('cpu_seconds', 'cpu_util',
			    'load1', 'mem_total', 'mem_available', 'disk_total',
			    'disk_free', 'net_rx_bytes', 'net_tx_bytes', 'up')),
	at		timestamptz NOT NULL,
	value		double precision NOT NULL
) PARTITION BY RANGE (at);
CREATE INDEX metrics_instance_series ON metrics (instance_id, series, at);

-- Create the day partition for `day` if missing; the maintain poller calls
-- it for today and the next days.
CREATE FUNCTION metrics_ensure_partition(day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	part text := 'metrics_' || to_char(day, 'YYYYMMDD');
BEGIN
	IF to_regclass(part) IS NULL THEN
		EXECUTE format('CREATE TABLE %I PARTITION OF metrics FOR VALUES FROM (%L) TO (%L)',
		    part, day, day + 1);
	END IF;
END $$;
SELECT metrics_ensure_partition((now() AT TIME ZONE 'UTC')::date + d)
    FROM generate_series(-1, 2) AS d;

CREATE TABLE metrics_hourly (
	instance_id	uuid NOT NULL,
	series		text NOT NULL,
	hour		timestamptz NOT NULL,
	min		double precision NOT NULL,
	max		double precision NOT NULL,
	avg		double precision NOT NULL,
	samples		integer NOT NULL,
	PRIMARY KEY (instance_id, series, hour)
);

CREATE TABLE ai_usage (
	instance_id	uuid NOT NULL REFERENCES instances (id),
	day		date NOT NULL,
	provider	text NOT NULL CHECK (length(provider) BETWEEN 1 AND 64),
	model		text NOT NULL CHECK (length(model) BETWEEN 1 AND 128),
	input_tokens	bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
	output_tokens	bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
	cost_usd	numeric(14, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (instance_id, day, provider, model)
);
