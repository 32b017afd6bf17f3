-- 151_snapshots: Hetzner server snapshots, the second kind of backup
-- (lib/snapshot.h).  A snapshot row (backups.kind = 'snapshot') is
-- 'creating' until its create_image action (hetzner_action_id) ends,
-- then 'available' (hetzner_image_id names the image) or 'failed' with
-- the reason.  A restore rebuilds the server from the image: the
-- instance's restore_image is the image its next rebuild uses.

-- a plan's snapshots: one every snapshot_hours (0: none scheduled), the
-- newest snapshot_slots kept (0: the plan includes none; the operators
-- may still take one)
ALTER TABLE plans
	ADD COLUMN snapshot_hours integer NOT NULL DEFAULT 0
	    CHECK (snapshot_hours >= 0),
	ADD COLUMN snapshot_slots integer NOT NULL DEFAULT 0
	    CHECK (snapshot_slots >= 0);

ALTER TABLE backups ADD COLUMN hetzner_action_id bigint;

-- the Hetzner image id the instance's next rebuild starts from (a
-- snapshot being restored); cleared when the instance is active again
ALTER TABLE instances ADD COLUMN restore_image text
    CHECK (restore_image ~ '^[0-9]{1,19}$');

-- one snapshot of an instance in the making at a time
CREATE UNIQUE INDEX backups_one_snapshot_creating ON backups (instance_id)
    WHERE kind = 'snapshot' AND status = 'creating';
