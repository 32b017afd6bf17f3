-- 180_lifecycle: the instance lifecycle as data, and the database holding
-- every program to it.
--
-- instance_states: each state (the same list, in the same order, as the
-- instances.state CHECK of 001_core, the C enum of lib/lifecycle.h, the
-- dashboard's generated list and the WHMCS module's labels: t/459 checks
-- they agree) and its kind:
--   moving  the poller has a step to run (it claims the instance),
--   stable  the poller acts only on an intent (desired state, plan, action),
--   final   nothing happens any more,
--   failed  waits for `ochctl instances retry` (or a termination).
-- instance_moves: every change of state a program may make, and who makes
-- it.  This table is the one home of the allowed transitions; the
-- trigger below refuses any other UPDATE of instances.state made by the
-- programs (och_app), so a move the code makes that is not listed here
-- fails loudly instead of leaving an instance nobody can step.  The
-- migration owner (a person repairing a row by hand with psql) is not
-- held to it.  docs/api.md ("The instance lifecycle") lists the same
-- moves; t/459 checks that too.
CREATE TABLE instance_states (
	name		text PRIMARY KEY,
	position	integer NOT NULL UNIQUE,
	kind		text NOT NULL CHECK (kind IN ('moving', 'stable', 'final',
			    'failed'))
);
INSERT INTO instance_states (name, position, kind) VALUES
	('pending', 1, 'moving'),
	('creating', 2, 'moving'),
	('booting', 3, 'moving'),
	('active', 4, 'stable'),
	('suspending', 5, 'moving'),
	('suspended', 6, 'stable'),
	('resuming', 7, 'moving'),
	('resizing', 8, 'moving'),
	('rebooting', 9, 'moving'),
	('rebuilding', 10, 'moving'),
	('terminating', 11, 'moving'),
	('terminated', 12, 'final'),
	('failed', 13, 'failed');

CREATE TABLE instance_moves (
	from_state	text NOT NULL REFERENCES instance_states (name),
	to_state	text NOT NULL REFERENCES instance_states (name),
	-- who makes the move, and when (for people: docs, ochctl)
	why		text NOT NULL,
	PRIMARY KEY (from_state, to_state),
	CHECK (from_state <> to_state)
);
INSERT INTO instance_moves (from_state, to_state, why) VALUES
	('pending', 'creating', 'poller: the order is picked up'),
	('creating', 'booting', 'poller: server and DNS records exist'),
	('creating', 'active', 'poller: the VPS called ready before the DNS step ended'),
	('booting', 'active', 'agent: the VPS reported its setup finished'),
	('booting', 'creating', 'poller: the create action failed; the server is recreated'),
	('active', 'suspending', 'poller: suspension wanted; poweroff issued'),
	('suspending', 'suspended', 'poller: the poweroff finished'),
	('suspended', 'resuming', 'poller: unsuspension wanted; poweron issued'),
	('resuming', 'active', 'poller: the poweron finished'),
	('active', 'rebooting', 'poller: a reboot was asked; reboot issued'),
	('rebooting', 'active', 'poller: the reboot finished'),
	('active', 'resizing', 'poller: a plan change was asked'),
	('suspended', 'resizing', 'poller: a plan change was asked'),
	('resizing', 'active', 'poller: the server has the new type and runs'),
	('resizing', 'suspended', 'poller: the server has the new type and is off'),
	('active', 'rebuilding', 'poller: a rebuild was asked'),
	('rebuilding', 'active', 'agent: the rebuilt VPS reported its setup finished'),
	('pending', 'terminating', 'poller: termination wanted'),
	('creating', 'terminating', 'poller: termination wanted'),
	('booting', 'terminating', 'poller: termination wanted'),
	('active', 'terminating', 'poller: termination wanted'),
	('suspending', 'terminating', 'poller: termination wanted'),
	('suspended', 'terminating', 'poller: termination wanted'),
	('resuming', 'terminating', 'poller: termination wanted'),
	('resizing', 'terminating', 'poller: termination wanted'),
	('rebooting', 'terminating', 'poller: termination wanted'),
	('rebuilding', 'terminating', 'poller: termination wanted'),
	('failed', 'terminating', 'poller: termination wanted (or a retry of a failed termination)'),
	('terminating', 'terminated', 'poller: servers, records and snapshots deleted; secrets wiped'),
	('creating', 'failed', 'poller: an error waiting cannot fix, or the attempts are spent'),
	('booting', 'failed', 'poller or agent: boot timeout, or the VPS setup failed'),
	('active', 'failed', 'poller: an intent''s first call failed for good'),
	('suspending', 'failed', 'poller: the poweroff failed for good'),
	('suspended', 'failed', 'poller: an intent''s first call failed for good'),
	('resuming', 'failed', 'poller: the poweron failed for good'),
	('resizing', 'failed', 'poller: the plan change failed for good'),
	('rebooting', 'failed', 'poller: the reboot failed for good'),
	('rebuilding', 'failed', 'poller or agent: the rebuild or its setup failed'),
	('terminating', 'failed', 'poller: a delete failed for good'),
	('failed', 'creating', 'retry (ochctl, admin panel, dashboard): a failed create, cleaned up first'),
	('failed', 'active', 'retry (ochctl, admin panel, dashboard): resumes where it failed'),
	('failed', 'suspended', 'retry (ochctl, admin panel, dashboard): resumes where it failed'),
	('failed', 'resizing', 'retry (ochctl, admin panel, dashboard): resumes where it failed');

CREATE FUNCTION instances_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.state IS DISTINCT FROM OLD.state
	    AND NOT EXISTS (SELECT 1 FROM instance_moves
	    WHERE from_state = OLD.state AND to_state = NEW.state)
	    AND NOT pg_has_role(current_user, (SELECT relowner FROM pg_class
	    WHERE oid = 'instances'::regclass), 'MEMBER') THEN
		RAISE EXCEPTION 'instance %: % -> % is not a move of the lifecycle',
		    OLD.id, OLD.state, NEW.state
		    USING ERRCODE = 'check_violation',
		    HINT = 'the allowed moves are the rows of instance_moves';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER instances_lifecycle BEFORE UPDATE OF state ON instances
    FOR EACH ROW EXECUTE FUNCTION instances_lifecycle();
