-- 110_alerts: what the control plane noticed (lib/alert.h).  A row is
-- one episode of one condition on one subject (an instance id, or for
-- the operator's conditions a name such as "provision@host").  It is
-- pending from the first evaluation that saw the condition until the
-- condition has held for the condition's hold time; it is open from
-- opened_at (the email goes out then) until resolved_at.  A pending row
-- whose condition clears before it opens is deleted: nobody was told.
CREATE TABLE alerts (
	id		bigserial PRIMARY KEY,
	condition	text NOT NULL CHECK (condition ~ '^[a-z_]{1,40}$'),
	subject		text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
	instance_id	uuid REFERENCES instances (id),
	-- who is told: the instance's customer, the operators, or both
	audience	text NOT NULL CHECK (audience IN ('customer', 'admin',
			    'both')),
	severity	text NOT NULL CHECK (severity IN ('warning', 'critical')),
	detail		text NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
	pending_since	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	opened_at	timestamptz,
	resolved_at	timestamptz,
	CHECK (resolved_at IS NULL OR opened_at IS NOT NULL),
	CHECK (opened_at IS NULL OR opened_at >= pending_since)
);
-- one episode at a time per (condition, subject)
CREATE UNIQUE INDEX alerts_one_open ON alerts (condition, subject)
    WHERE resolved_at IS NULL;
CREATE INDEX alerts_instance ON alerts (instance_id, id DESC)
    WHERE opened_at IS NOT NULL;
CREATE INDEX alerts_recent ON alerts (id DESC) WHERE opened_at IS NOT NULL;

-- A customer's choice of alert emails: no row = every condition that
-- concerns them is emailed; a row with email = false mutes one.
CREATE TABLE alert_preferences (
	user_id		bigint NOT NULL REFERENCES users (id),
	condition	text NOT NULL CHECK (condition ~ '^[a-z_]{1,40}$'),
	email		boolean NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, condition)
);

-- the operators' chat webhook (Slack-compatible, HMAC-signed) goes
-- through the webhook outbox like the WHMCS commands
ALTER TABLE webhook_outbox DROP CONSTRAINT webhook_outbox_target_check;
ALTER TABLE webhook_outbox ADD CONSTRAINT webhook_outbox_target_check
    CHECK (target IN ('whmcs', 'alert'));
ALTER TABLE webhook_outbox ADD COLUMN dedupe_key text UNIQUE;
