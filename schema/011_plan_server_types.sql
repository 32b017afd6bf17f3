-- 011: Hetzner sells the cost-optimised cx types only in its EU locations;
-- elsewhere a plan runs on the nearest regular type.  The poller takes
-- the type for the instance's location from here, else plans.server_type.
CREATE TABLE plan_server_types (
	plan		text NOT NULL REFERENCES plans (name),
	location	text NOT NULL CHECK (location ~ '^[a-z0-9]{2,8}$'),
	server_type	text NOT NULL CHECK (server_type ~ '^[a-z0-9-]{2,32}$'),
	PRIMARY KEY (plan, location)
);
INSERT INTO plan_server_types (plan, location, server_type)
SELECT p.plan, l.location, p.server_type
FROM (VALUES ('starter', 'cpx22'), ('professional', 'cpx32'),
    ('enterprise', 'cpx42')) AS p (plan, server_type),
    (VALUES ('ash'), ('hil'), ('sin')) AS l (location);
