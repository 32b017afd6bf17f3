-- 060_roles: two database roles, so the history cannot be rewritten by
-- the programs that write it.
--
-- * The migration owner (whoever runs `ochctl migrate`, DATABASE_OWNER_URL)
--   owns every table, function and sequence; nothing else connects as it.
-- * och_app is what the FastCGI binaries, the poller and the day-to-day
--   ochctl commands connect as (DATABASE_URL): read and write on every
--   table, but on audit_log and instance_events only INSERT and SELECT
--   (no UPDATE, DELETE or TRUNCATE), and schema_migrations read-only.
--
-- Tables later migrations create get the same grants by default (ALTER
-- DEFAULT PRIVILEGES below, for the role running the migrations), so a new
-- migration needs nothing special.  A new append-only table revokes
-- UPDATE, DELETE, TRUNCATE from och_app itself.
--
-- The operator may create och_app beforehand (LOGIN, with a password, or
-- NOLOGIN and GRANT och_app TO a login role); otherwise it is created here
-- without LOGIN, which needs CREATEROLE (docs/operator.md, "Security").

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'och_app') THEN
		CREATE ROLE och_app NOLOGIN;
	END IF;
END $$;

GRANT USAGE ON SCHEMA public TO och_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO och_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO och_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO och_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO och_app;

-- append-only history, and the schema's own bookkeeping
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, instance_events FROM och_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM och_app;

-- Even the owner cannot empty them by accident: TRUNCATE skips the row
-- triggers of 001_core, so a statement trigger refuses it too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER instance_events_no_truncate BEFORE TRUNCATE ON instance_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

-- The poller keeps the metrics partitions (CREATE and DROP TABLE, which
-- only the owner may do): these two functions run as their owner, with a
-- fixed search path, and only och_app (and the owner) may call them.
ALTER FUNCTION metrics_ensure_partition(date)
    SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION metrics_drop_partitions(date)
    SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION metrics_ensure_partition(date), metrics_drop_partitions(date)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION metrics_ensure_partition(date), metrics_drop_partitions(date)
    TO och_app;
