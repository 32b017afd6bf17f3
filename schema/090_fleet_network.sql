-- 090_fleet_network: the fleet's network hardening at Hetzner
-- (lib/fleetnet.h): the ids of the operator's SSH key and of the fleet
-- Cloud Firewall that och-poller keeps in shape, so creating a server
-- names them without asking Hetzner, and when that was last checked.
CREATE TABLE fleet_network (
	singleton	boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	ssh_key_id	bigint CHECK (ssh_key_id > 0),
	firewall_id	bigint CHECK (firewall_id > 0),
	checked_at	timestamptz NOT NULL DEFAULT now()
);
