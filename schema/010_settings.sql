-- 010_settings: what a customer configures on their instance (channels,
-- AI provider keys, skills, model), the agent's command queue and its last
-- report, and backups.  Any change to the configuration bumps
-- instances.config_revision, which is the ETag the agent polls.

ALTER TABLE instances
	ADD COLUMN model_primary text CHECK (model_primary ~ '^[a-z0-9-]{1,32}/[A-Za-z0-9._:-]{1,100}$'),
	ADD COLUMN model_fallbacks text[] NOT NULL DEFAULT '{}';

CREATE TABLE channels (
	instance_id	uuid NOT NULL REFERENCES instances (id),
	kind		text NOT NULL CHECK (kind IN ('telegram', 'whatsapp', 'discord', 'slack')),
	enabled		boolean NOT NULL DEFAULT true,
	dm_policy	text NOT NULL DEFAULT 'pairing'
			    CHECK (dm_policy IN ('pairing', 'allowlist', 'open', 'disabled')),
	allow_from	text[] NOT NULL DEFAULT '{}',
	-- bot tokens etc. as a sealed JSON object; AD "channels:<instance>:<kind>"
	secret_enc	bytea,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (instance_id, kind)
);

CREATE TABLE ai_keys (
	instance_id	uuid NOT NULL REFERENCES instances (id),
	provider	text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9-]{1,31}$'),
	-- sealed; AD "ai_keys:<instance>:<provider>"
	key_enc		bytea NOT NULL,
	last4		text CHECK (length(last4) <= 4),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (instance_id, provider)
);

CREATE TABLE skills (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
	-- what the agent installs: `openclaw skills install <slug>`
	slug		text NOT NULL UNIQUE CHECK (slug ~ '^@[a-z0-9][a-z0-9-]{0,63}/[a-z0-9][a-z0-9-]{0,63}$'),
	version		text NOT NULL DEFAULT '' CHECK (version ~ '^[0-9A-Za-z.+-]{0,32}$'),
	display_name	text NOT NULL,
	description	text NOT NULL DEFAULT '',
	active		boolean NOT NULL DEFAULT true
);

CREATE TABLE instance_skills (
	instance_id	uuid NOT NULL REFERENCES instances (id),
	skill		text NOT NULL REFERENCES skills (name),
	enabled		boolean NOT NULL DEFAULT true,
	PRIMARY KEY (instance_id, skill)
);

CREATE TABLE instance_commands (
	id		bigserial PRIMARY KEY,
	instance_id	uuid NOT NULL REFERENCES instances (id),
	kind		text NOT NULL CHECK (kind IN ('restart', 'doctor_fix',
			    'pairing_approve', 'whatsapp_login', 'backup_create',
			    'update')),
	args		jsonb NOT NULL DEFAULT '{}',
	status		text NOT NULL DEFAULT 'queued'
			    CHECK (status IN ('queued', 'running', 'done', 'failed', 'expired')),
	result		jsonb,
	created_by	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	started_at	timestamptz,
	finished_at	timestamptz
);
CREATE INDEX instance_commands_queue ON instance_commands (instance_id, id)
    WHERE status IN ('queued', 'running');

-- the agent's last report (one row per instance, replaced each time)
CREATE TABLE agent_reports (
	instance_id	uuid PRIMARY KEY REFERENCES instances (id),
	reported_at	timestamptz NOT NULL DEFAULT now(),
	health		jsonb NOT NULL DEFAULT '{}',
	version		text,
	config_revision	bigint,
	config_error	text,
	channels	jsonb NOT NULL DEFAULT '[]',
	pairing		jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE backups (
	id		bigserial PRIMARY KEY,
	instance_id	uuid NOT NULL REFERENCES instances (id),
	kind		text NOT NULL CHECK (kind IN ('agent', 'snapshot')),
	status		text NOT NULL DEFAULT 'creating'
			    CHECK (status IN ('creating', 'available', 'failed', 'deleted')),
	name		text,
	size_bytes	bigint CHECK (size_bytes >= 0),
	hetzner_image_id bigint,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backups_instance ON backups (instance_id, id);

-- the configuration revision is the agent's ETag: any change bumps it,
-- and wakes the agent's long poll (NOTIFY och_agent, payload the instance)
CREATE FUNCTION instance_config_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	inst uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.instance_id
	    ELSE NEW.instance_id END;
BEGIN
	UPDATE instances SET config_revision = config_revision + 1,
	    updated_at = now() WHERE id = inst;
	PERFORM pg_notify('och_agent', inst::text);
	RETURN NULL;
END $$;

CREATE FUNCTION instance_command_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('och_agent', NEW.instance_id::text);
	RETURN NULL;
END $$;
CREATE TRIGGER instance_commands_notify AFTER INSERT ON instance_commands
    FOR EACH ROW EXECUTE FUNCTION instance_command_notify();
CREATE TRIGGER channels_bump AFTER INSERT OR UPDATE OR DELETE ON channels
    FOR EACH ROW EXECUTE FUNCTION instance_config_bump();
CREATE TRIGGER ai_keys_bump AFTER INSERT OR UPDATE OR DELETE ON ai_keys
    FOR EACH ROW EXECUTE FUNCTION instance_config_bump();
CREATE TRIGGER instance_skills_bump AFTER INSERT OR UPDATE OR DELETE ON instance_skills
    FOR EACH ROW EXECUTE FUNCTION instance_config_bump();

CREATE FUNCTION instance_model_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.model_primary IS DISTINCT FROM OLD.model_primary
	    OR NEW.model_fallbacks IS DISTINCT FROM OLD.model_fallbacks
	    OR NEW.openclaw_version IS DISTINCT FROM OLD.openclaw_version THEN
		NEW.config_revision := OLD.config_revision + 1;
		PERFORM pg_notify('och_agent', NEW.id::text);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER instances_model_bump BEFORE UPDATE ON instances
    FOR EACH ROW EXECUTE FUNCTION instance_model_bump();

INSERT INTO skills (name, slug, display_name, description) VALUES
	('web-search', '@openclaw/web-search', 'Web search', 'Search the web and read pages'),
	('calendar', '@openclaw/calendar', 'Calendar', 'Read and create calendar events'),
	('github', '@openclaw/github', 'GitHub', 'Work with issues and pull requests'),
	('weather', '@openclaw/weather', 'Weather', 'Forecasts for a place');
