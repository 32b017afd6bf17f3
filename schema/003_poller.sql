-- 003_poller: what the provisioning poller (lib/recon.c) keeps per
-- instance between its steps.
ALTER TABLE instances
	-- the Hetzner action the current step waits for, and its command
	-- ("poweroff", "shutdown", ...); kept after it finished until the
	-- next one, so the step knows what it already did
	ADD COLUMN hetzner_action_id bigint CHECK (hetzner_action_id > 0),
	ADD COLUMN hetzner_action text CHECK (hetzner_action ~ '^[a-z_]{1,32}$'),
	-- when the current step began (boot and shutdown timeouts)
	ADD COLUMN step_since timestamptz,
	-- the state a transient step (resizing, rebooting) returns to
	ADD COLUMN return_state text CHECK (return_state IN ('active', 'suspended')),
	-- a failed create left provider objects behind: delete them
	ADD COLUMN cleanup boolean NOT NULL DEFAULT false;

-- the poller's claim: rows whose state is not what is wanted
CREATE INDEX instances_failed_todo ON instances (next_attempt_at)
    WHERE state = 'failed' AND (cleanup OR desired_state = 'terminated');

-- who holds an outbox row's lease ("host:pid"), so that the rows of a
-- poller that died are taken over at once
ALTER TABLE email_outbox ADD COLUMN locked_by text;
ALTER TABLE webhook_outbox ADD COLUMN locked_by text;
