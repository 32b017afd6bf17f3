-- 070_first_hour: what the customer's first hour needs stored.
--  * the agent's report keeps the VPS's setup and TLS state, the skills it
--    installed and the ones that failed, and pending Control UI devices;
--  * a VPS whose setup failed is `failed` with the reason (setup_error says
--    it was the server's own setup, which the owner may retry = rebuild);
--  * commands the dashboard queues: approving a Control UI device.

ALTER TABLE agent_reports
	ADD COLUMN setup	jsonb,
	ADD COLUMN tls		jsonb,
	ADD COLUMN skills	jsonb,
	ADD COLUMN devices	jsonb NOT NULL DEFAULT '[]';

-- the setup state the ready call carried (the dashboard shows it before
-- the first report arrives)
ALTER TABLE instances
	ADD COLUMN setup_state	jsonb;

ALTER TABLE instance_commands DROP CONSTRAINT instance_commands_kind_check;
ALTER TABLE instance_commands ADD CONSTRAINT instance_commands_kind_check
	CHECK (kind IN ('restart', 'doctor_fix', 'pairing_approve',
	    'whatsapp_login', 'backup_create', 'update', 'device_approve'));
