# schema/050_principals.sql on a database the old order path merged: an
# admin (ochctl) whose row an order with the admin's address linked to a
# WHMCS client.  The migration gives the client a customer user of its own
# with the instance, leaves the admin the operator's, ends the merged
# row's sessions and records it; the attack then no longer works.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use File::Copy qw(copy);
use File::Path qw(make_path);

my $t = OCH::Test->new;
$t->start_pg(no_migrate => 1);
my $old = $t->dir . '/schema-before-050';
make_path($old);
my @before = grep { m{/(\d{3})_[^/]+\.sql$} && $1 < 50 } glob($t->src('schema') . '/*.sql');
copy($_, $old) or die "copy $_: $!" for @before;
$t->write_config(OCH_SCHEMA_DIR => $old);
my ($rc, $out, $err) = $t->ochctl('migrate');
is($rc, 0, 'the schema as it was before 050 (' . scalar(@before) . ' files)') or diag $err;

# what the old code did: create-admin, then an order with the same address
$t->psql(q{INSERT INTO users (email, role) VALUES ('ops@example.com', 'admin')});
$t->psql(q{UPDATE users SET whmcs_client_id = 66 WHERE email = 'ops@example.com'});
$t->psql(q{INSERT INTO instances (slug, user_id, plan, region, whmcs_service_id, whmcs_client_id)
    SELECT 'oc-merged1', id, 'starter', (SELECT name FROM regions WHERE alias_of IS NULL LIMIT 1), 1, 66
    FROM users WHERE email = 'ops@example.com'});
$t->psql(q{INSERT INTO sessions (user_id, csrf_hash, expires_at)
    SELECT id, repeat('a', 64), now() + interval '1 day' FROM users WHERE email = 'ops@example.com'});

$t->write_config(OCH_SCHEMA_DIR => $t->src('schema'));
($rc, $out, $err) = $t->ochctl('migrate');
is($rc, 0, 'ochctl migrate applies 050') or diag $err;
like($err . $out, qr/was an admin linked to WHMCS client 66/, 'and says what it undid');
is_deeply([ $t->psql(q{SELECT role, coalesce(whmcs_client_id::text, '-') FROM users
    WHERE email = 'ops@example.com' ORDER BY id}) ], [ [ 'admin', '-' ], [ 'customer', '66' ] ],
    'the admin is the operator\'s again; the client has its own customer user');
is($t->psql_one(q{SELECT u.role FROM instances i JOIN users u ON u.id = i.user_id WHERE i.slug = 'oc-merged1'}),
    'customer', "the client's instance belongs to the client's user");
is($t->psql_one(q{SELECT count(*) FROM sessions WHERE revoked_at IS NULL}), 0, "the merged row's sessions ended");
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'user.unmerged'}), 1, 'recorded in the audit log');
ok(!eval { $t->psql(q{UPDATE users SET whmcs_client_id = 67 WHERE role = 'admin'}); 1 },
    'an admin can no longer be linked to a WHMCS client');
$t->done_testing;
