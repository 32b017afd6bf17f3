-- 002_seed: the plans and regions the product sells.
INSERT INTO plans (name, display_name, server_type, vcpus, memory_mb, disk_gb,
    max_channels, max_skills, backup_slots, price_cents, sort) VALUES
	('starter', 'Starter', 'cx23', 2, 4096, 40, 3, 10, 3, 1900, 1),
	('professional', 'Professional', 'cx33', 4, 8192, 80, 10, 50, 7, 3900, 2),
	('enterprise', 'Enterprise', 'cx43', 8, 16384, 160, 50, 200, 14, 7900, 3);

INSERT INTO regions (name, location, display_name) VALUES
	('eu-falkenstein', 'fsn1', 'Falkenstein, Germany'),
	('eu-nuremberg', 'nbg1', 'Nuremberg, Germany'),
	('eu-helsinki', 'hel1', 'Helsinki, Finland'),
	('us-ashburn', 'ash', 'Ashburn, VA, USA'),
	('us-hillsboro', 'hil', 'Hillsboro, OR, USA'),
	('ap-singapore', 'sin', 'Singapore');
-- accepted as an alias of eu-falkenstein (the seed's older name)
INSERT INTO regions (name, location, display_name, alias_of) VALUES
	('eu-frankfurt', 'fsn1', 'Falkenstein, Germany', 'eu-falkenstein');
