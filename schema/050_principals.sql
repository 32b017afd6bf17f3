-- 050_principals: a user row belongs to one principal (docs/api.md): a
-- WHMCS client (created by an order, keyed by whmcs_client_id) or an
-- operator account (created by ochctl, no client id).  The email is
-- contact data: unique among operator accounts only, never a key that
-- links two principals.  Also what sign-in needs: session activity (the
-- admins' idle limit) and the indexes of the magic-link limits.

ALTER TABLE users DROP CONSTRAINT users_email_key;

-- Undo merges the old order path made (an order whose email was an
-- admin's linked the client to the admin's row): the admin stays the
-- operator's, the client gets a customer row of its own with the
-- instances, and every session of the merged row ends.
DO $$
DECLARE
	r	record;
	nid	bigint;
BEGIN
	FOR r IN SELECT id, email, whmcs_client_id FROM users
	    WHERE role = 'admin' AND whmcs_client_id IS NOT NULL ORDER BY id
	LOOP
		UPDATE users SET whmcs_client_id = NULL, updated_at = now()
		    WHERE id = r.id;
		INSERT INTO users (email, whmcs_client_id)
		    VALUES (r.email, r.whmcs_client_id) RETURNING id INTO nid;
		UPDATE instances SET user_id = nid WHERE user_id = r.id;
		UPDATE sessions SET revoked_at = now()
		    WHERE user_id = r.id AND revoked_at IS NULL;
		INSERT INTO audit_log (actor_kind, action, object_kind,
		    object_id, detail)
		    VALUES ('system', 'user.unmerged', 'user', r.id::text,
		    jsonb_build_object('whmcs_client_id', r.whmcs_client_id,
		    'customer_user_id', nid));
		RAISE WARNING 'user % was an admin linked to WHMCS client %: '
		    'the client now has user %, and the admin''s sessions are '
		    'revoked', r.id, r.whmcs_client_id, nid;
	END LOOP;
END $$;

CREATE UNIQUE INDEX users_operator_email_uq ON users (email)
    WHERE whmcs_client_id IS NULL;
CREATE INDEX users_email ON users (email);
ALTER TABLE users ADD CONSTRAINT users_admin_is_operator
    CHECK (role <> 'admin' OR whmcs_client_id IS NULL);

-- the admins' idle limit; written at most once a minute per session
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL
    DEFAULT now();

-- the per-account and per-address magic-link limits (cgi-bin/auth.c)
CREATE INDEX magic_links_user ON magic_links (user_id, created_at);
CREATE INDEX email_outbox_to ON email_outbox (to_email, created_at)
    WHERE template = 'magic_link';
