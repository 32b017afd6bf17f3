# The database roles (schema/060_roles.sql): the binaries connect as the
# application role och_app, which cannot rewrite history -- no UPDATE,
# DELETE or TRUNCATE on audit_log and instance_events --, while `ochctl
# migrate` runs as the schema's owner.  A table a later migration adds
# works for och_app with no grant of its own; the poller's partition
# upkeep works as och_app; even the owner cannot TRUNCATE the history.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use File::Path qw(make_path);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => ['health']);

# psql as a given role; returns (ok, output or error)
sub as_role {
	my ($role, $sql) = @_;
	my $out = $t->_capture([ "$t->{pg_bindir}/psql", '-X', '-q', '-A', '-t',
	    '-v', 'ON_ERROR_STOP=1', '-h', $t->{pgdir}, '-U', $role, '-d', 'och',
	    '-c', $sql ], \my $err);
	return ($? == 0, $? == 0 ? $out : $err);
}

like($t->config->{DATABASE_URL}, qr/user=och_app/, 'the binaries are configured as och_app');
is($t->http(GET => '/api/health')->{status}, 200, 'health.fcgi works as och_app');
is($t->psql_one("SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity"
    . " WHERE datname = 'och' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"),
    'och_app', 'every connection of the running binaries is och_app');

$t->psql("INSERT INTO users (email) VALUES ('c\@x.test')");
my $uid = $t->psql_one("SELECT id FROM users WHERE email = 'c\@x.test'");
$t->psql("INSERT INTO instances (slug, user_id, plan, region, whmcs_service_id) VALUES ('abc1', :'u', 'starter', 'eu-helsinki', 7)", u => $uid);
my $iid = $t->psql_one("SELECT id FROM instances WHERE slug = 'abc1'");

my ($ok, $msg);
for my $tbl (qw(audit_log instance_events)) {
	my $ins = $tbl eq 'audit_log'
	    ? "INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'test')"
	    : "INSERT INTO instance_events (instance_id, kind) VALUES ('$iid', 'test')";
	($ok, $msg) = as_role('och_app', $ins);
	ok($ok, "och_app may INSERT into $tbl") or diag($msg);
	($ok, $msg) = as_role('och_app', "SELECT count(*) FROM $tbl");
	ok($ok && $msg >= 1, "och_app may SELECT from $tbl");
	for my $sql ("UPDATE $tbl SET id = id", "DELETE FROM $tbl", "TRUNCATE $tbl") {
		($ok, $msg) = as_role('och_app', $sql);
		ok(!$ok, "och_app: $sql refused");
		like($msg, qr/permission denied/, "  for want of the privilege");
	}
	($ok, $msg) = as_role('och', "TRUNCATE $tbl CASCADE");
	ok(!$ok, "the owner cannot TRUNCATE $tbl either");
	like($msg, qr/append-only/, '  the statement trigger says why');
	isnt($t->psql_one("SELECT count(*) FROM $tbl"), 0, "$tbl kept its rows");
}
($ok) = as_role('och_app', "DELETE FROM schema_migrations");
ok(!$ok, 'och_app cannot touch schema_migrations');
($ok, $msg) = as_role('och_app', "UPDATE instances SET last_error = 'x' WHERE id = '$iid'");
ok($ok, 'och_app writes the ordinary tables') or diag($msg);
($ok, $msg) = as_role('och_app', "CREATE TABLE t_evil (a int)");
ok(!$ok, 'och_app cannot create tables');

# the poller's partition upkeep (CREATE and DROP TABLE) works as och_app
($ok, $msg) = as_role('och_app', "SELECT metrics_ensure_partition(current_date + 40)");
ok($ok, 'och_app creates a metrics partition through metrics_ensure_partition()') or diag($msg);
($ok, $msg) = as_role('och_app', "INSERT INTO metrics (instance_id, series, at, value) VALUES ('$iid', 'up', now() + interval '40 days', 1)");
ok($ok, 'and writes into it') or diag($msg);
($ok, $msg) = as_role('och_app', "SELECT metrics_drop_partitions(current_date + 100)");
ok($ok && $msg >= 1, 'and drops old partitions through metrics_drop_partitions()') or diag($msg);

# A later migration (another helper's, say) adds a table: och_app can use
# it with no grant in that migration.
my $sdir = $t->dir . '/schema';
make_path($sdir);
symlink($_, "$sdir/" . ($_ =~ m{([^/]+)$})[0]) for glob($t->src('schema') . '/*.sql');
open my $fh, '>', "$sdir/999_later.sql" or die $!;
print $fh "CREATE TABLE later_things (id bigserial PRIMARY KEY, v text);\n";
close $fh;
my ($rc, $out, $err) = do {
	local $ENV{OCH_SCHEMA_DIR} = $sdir;
	$t->ochctl('migrate');
};
is($rc, 0, 'ochctl migrate applies the later file') or diag($err);
like($out, qr/applied 999_later\.sql/, '  as the owner');
is($t->psql_one("SELECT tableowner FROM pg_tables WHERE tablename = 'later_things'"), 'och',
    'the owner owns the new table');
($ok, $msg) = as_role('och_app', "INSERT INTO later_things (v) VALUES ('a'); UPDATE later_things SET v = 'b'; SELECT v FROM later_things; DELETE FROM later_things");
ok($ok, 'och_app reads and writes the new table and its sequence') or diag($msg);

$t->done_testing;
