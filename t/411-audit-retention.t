# audit_log's retention.  It used to grow for ever; now och-poller
# maintain deletes the records older than AUDIT_RETENTION_DAYS (default
# 365), in batches, through audit_log_prune() (schema/390): the table
# stays append-only for och_app, the role the programs connect as, so a
# stolen application password still erases nothing, and no record of the
# last 30 days goes whatever anyone asks.  The old records are planted
# with SQL (a year of requests cannot be made here); the pruning is the
# real poller's, and the refusals are an attacker's own statements as
# och_app.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
my $dir = $t->dir;
$t->start_pg;

sub maintain { is($t->poller_once('maintain', @_), 0, 'och-poller maintain') }
sub count { $t->psql_one("SELECT count(*) FROM audit_log WHERE action = :'a'", a => $_[0]) }
sub plant {
	my ($action, $n, $age) = @_;
	$t->psql("INSERT INTO audit_log (at, actor_kind, actor_id, action) SELECT now() - :'age'::interval
	    - g * interval '1 second', 'user', '7', :'a' FROM generate_series(1, :'n'::int) g", a => $action, n => $n, age => $age);
}
# a statement as och_app, the programs' role: (exit status, stderr)
sub as_app {
	my ($sql) = @_;
	my $out = $t->_capture([ "$t->{pg_bindir}/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
	    '-h', $t->{pgdir}, '-U', 'och_app', '-d', 'och', '-c', $sql ], \my $err);
	return ($? >> 8, $err // '');
}

plant('test.ancient', 12000, '400 days');	# more than two batches
plant('test.old', 5, '200 days');
plant('test.month', 5, '31 days');
plant('test.recent', 5, '1 hour');

# an attacker with the application's password cannot prune or delete
my ($rc, $err) = as_app("DELETE FROM audit_log WHERE action = 'test.recent'");
isnt($rc, 0, 'och_app cannot DELETE audit records');
like($err, qr/permission denied/, '(permission denied)');
($rc, $err) = as_app("SELECT audit_log_prune(1, 100)");
isnt($rc, 0, 'nor have the function prune the last 30 days');
like($err, qr/kept at least 30 days/, 'saying why');
($rc, $err) = as_app("SELECT set_config('och.audit_prune', 'on', false); DELETE FROM audit_log WHERE action = 'test.recent'");
isnt($rc, 0, "nor delete by setting the function's flag");
is(count('test.recent'), 5, 'the recent records are all there');
# not even the owner deletes a recent one, flag or not
eval { $t->psql("BEGIN; SELECT set_config('och.audit_prune', 'on', true); DELETE FROM audit_log WHERE action = 'test.recent'; COMMIT") };
like($@, qr/append-only/, 'the owner cannot delete a record of the last 30 days either');

# the default: a year
maintain();
is(count('test.ancient'), 0, 'records older than 365 days are deleted');
is(count('test.old'), 5, 'younger ones stay');
is(count('test.recent'), 5, 'the recent ones stay');
open my $fh, '<', "$dir/poller-maintain.log" or die;
my $log = join '', <$fh>;
close $fh;
like($log, qr/12000 audit records older than 365 days deleted/, 'in batches, all of them in one run');

# a shorter retention from the configuration
maintain(AUDIT_RETENTION_DAYS => 100);
is(count('test.old'), 0, 'AUDIT_RETENTION_DAYS=100: the 200-day-old records go');
is(count('test.month'), 5, 'the 31-day-old ones stay');
is(count('test.recent'), 5, 'and the recent ones');

# a retention under 30 days is refused with the configuration
is($t->poller_once('maintain', AUDIT_RETENTION_DAYS => 7, _log => 'short'), 1,
    'AUDIT_RETENTION_DAYS=7: the poller refuses the configuration');
is(count('test.month'), 5, 'and deletes nothing');

$t->done_testing;
