-- 161_view_sessions: "open as customer".  An admin's read-only view of a
-- customer's dashboard is a session of the customer's user that names the
-- admin session it was opened from (viewer_session_id).  Such a session
-- is read-only by what it is: lib/auth.c refuses it every unsafe method
-- except ending the view and signing out, and it lives only while the
-- admin session it came from does (not revoked, not expired, not idle,
-- its user still an admin).  Audit rows of requests made through it name
-- the admin as the actor.
ALTER TABLE sessions ADD COLUMN viewer_session_id uuid REFERENCES sessions (id);
CREATE INDEX sessions_viewer ON sessions (viewer_session_id)
    WHERE viewer_session_id IS NOT NULL;
