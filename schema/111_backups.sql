-- 111_backups: off-server backups (lib/backup.h).  An agent backup is
-- the OpenClaw state export the agent makes on the VPS (`openclaw backup
-- create`), streamed through the API (PUT /api/v1/agent/backups/{id}),
-- sealed with AES-256-GCM under a key of its own and stored in
-- S3-compatible object storage under <S3_PREFIX>/<instance>/<id>.ochbak.
-- The VPS holds no storage credentials: it can write and read only its
-- own backups, through its agent token.
ALTER TABLE backups DROP CONSTRAINT backups_status_check;
ALTER TABLE backups ADD CONSTRAINT backups_status_check
    CHECK (status IN ('creating', 'uploading', 'available', 'failed',
    'deleting', 'deleted'));
ALTER TABLE backups
	ADD COLUMN reason text NOT NULL DEFAULT 'manual'
	    CHECK (reason IN ('scheduled', 'manual', 'pre_update')),
	-- the object (NULL until stored)
	ADD COLUMN object_key text CHECK (object_key ~ '^[A-Za-z0-9/_.-]+$'
	    AND length(object_key) <= 512),
	-- the archive's own SHA-256 (hex), checked again on every download
	ADD COLUMN sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	-- the object's key, sealed under the master key (AD backups:<id>:key)
	ADD COLUMN key_enc bytea,
	-- the OpenClaw version the agent ran when it made the archive
	ADD COLUMN openclaw_version text CHECK (length(openclaw_version) <= 64),
	ADD COLUMN command_id bigint REFERENCES instance_commands (id),
	ADD COLUMN error text CHECK (length(error) <= 500),
	ADD COLUMN completed_at timestamptz,
	ADD COLUMN deleted_at timestamptz;
CREATE INDEX backups_live ON backups (instance_id, created_at DESC)
    WHERE status IN ('creating', 'uploading', 'available');

-- the schedule of a plan: one backup every backup_hours (0: none), the
-- newest backup_slots kept
ALTER TABLE plans ADD COLUMN backup_hours integer NOT NULL DEFAULT 24
    CHECK (backup_hours >= 0);

-- the agent restores a backup (args {"backup_id": N})
ALTER TABLE instance_commands DROP CONSTRAINT instance_commands_kind_check;
ALTER TABLE instance_commands ADD CONSTRAINT instance_commands_kind_check
    CHECK (kind IN ('restart', 'doctor_fix', 'pairing_approve',
    'whatsapp_login', 'backup_create', 'backup_restore', 'update',
    'device_approve'));

-- what a backup or restore command came to is in the instance's history
CREATE FUNCTION instance_command_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status IS DISTINCT FROM OLD.status
	    AND NEW.status IN ('done', 'failed', 'expired')
	    AND NEW.kind IN ('backup_create', 'backup_restore') THEN
		INSERT INTO instance_events (instance_id, kind, message, actor)
		VALUES (NEW.instance_id, NEW.kind || '.' || NEW.status,
		    left(CASE WHEN NEW.kind = 'backup_restore' THEN
			'restore of backup ' || coalesce(NEW.args->>'backup_id', '?')
		    ELSE 'backup ' || coalesce(NEW.args->>'backup_id', '(local)')
		    END || ' ' || NEW.status || coalesce(': '
		    || nullif(NEW.result->>'error', ''), ''), 500), 'agent');
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER instance_commands_history AFTER UPDATE ON instance_commands
    FOR EACH ROW EXECUTE FUNCTION instance_command_history();
