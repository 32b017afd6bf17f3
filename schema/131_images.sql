-- 131_images: pre-built server images (`ochctl image build`,
-- tools/ctl_image.c).  A builder server runs the install half of
-- och-setup, cleans itself and powers off; its snapshot is checked by
-- booting one server from it, then becomes the plans' image (plans.image
-- holds the Hetzner image id) for its architecture.  One current image
-- per architecture; a failed build leaves the current one in place.
CREATE TABLE images (
	id		bigserial PRIMARY KEY,
	arch		text NOT NULL CHECK (arch IN ('x86', 'arm')),
	base_image	text NOT NULL,
	openclaw_version text NOT NULL,
	recipe_hash	text NOT NULL CHECK (recipe_hash ~ '^[0-9a-f]{64}$'),
	state		text NOT NULL DEFAULT 'building' CHECK (state IN
			('building', 'verifying', 'current', 'retired', 'failed',
			 'deleted')),
	hetzner_image_id bigint UNIQUE,
	error		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	finished_at	timestamptz,
	deleted_at	timestamptz
);
CREATE UNIQUE INDEX images_one_current ON images (arch)
	WHERE state = 'current';
