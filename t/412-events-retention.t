# instance_events' retention.  It used to grow for ever; now och-poller
# maintain deletes the events of terminated instances older than
# INSTANCE_EVENTS_RETENTION_DAYS (default 400), in batches, through
# instance_events_prune() (schema/395): an instance that is not terminated
# keeps its whole history (its setup progress and first-time events are
# read from it), the table stays append-only for och_app, the role the
# programs connect as, and no event of the last 30 days goes whatever
# anyone asks.  The old events are planted with SQL (a year of history
# cannot be made here); the pruning is the real poller's, and the
# refusals are an attacker's own statements as och_app.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
my $dir = $t->dir;
$t->start_pg;

sub maintain { is($t->poller_once('maintain', @_), 0, 'och-poller maintain') }
sub count {
	my ($slug, $kind) = @_;
	$t->psql_one("SELECT count(*) FROM instance_events e JOIN instances i ON i.id = e.instance_id
	    WHERE i.slug = :'s' AND e.kind = :'k'", s => $slug, k => $kind);
}
sub plant {
	my ($slug, $kind, $n, $age) = @_;
	$t->psql("INSERT INTO instance_events (instance_id, at, kind, actor) SELECT i.id, now() - :'age'::interval
	    - g * interval '1 second', :'k', 'poller' FROM instances i, generate_series(1, :'n'::int) g
	    WHERE i.slug = :'s'", s => $slug, k => $kind, n => $n, age => $age);
}
sub as_app {
	my ($sql) = @_;
	my $out = $t->_capture([ "$t->{pg_bindir}/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
	    '-h', $t->{pgdir}, '-U', 'och_app', '-d', 'och', '-c', $sql ], \my $err);
	return ($? >> 8, $err // '');
}
sub log_text {
	open my $fh, '<', "$dir/poller-maintain.log" or die;
	local $/;
	return scalar <$fh>;
}

# two customers' instances: one terminated long ago, one still running
# (the owner's psql: a repair by hand is not held to the lifecycle)
$t->psql("INSERT INTO users (email) VALUES ('gone\@x.test'), ('live\@x.test')");
for my $s ([ 'gone-1', 'gone', 'terminated' ], [ 'live-1', 'live', 'active' ], [ 'fail-1', 'live', 'failed' ]) {
	$t->psql("INSERT INTO instances (slug, user_id, plan, region, state, desired_state)
	    SELECT :'s', id, 'starter', 'eu-helsinki', :'st', CASE :'st' WHEN 'terminated' THEN 'terminated'
	    ELSE 'active' END FROM users WHERE email = :'e'", s => $s->[0], e => "$s->[1]\@x.test", st => $s->[2]);
}
plant('gone-1', 'test.ancient', 12000, '500 days');	# more than two batches
plant('gone-1', 'test.old', 5, '200 days');
plant('gone-1', 'test.month', 5, '31 days');
plant('gone-1', 'test.recent', 5, '1 hour');
plant('live-1', 'test.ancient', 5, '500 days');
plant('fail-1', 'test.ancient', 5, '500 days');

# an attacker with the application's password cannot prune or delete
my ($rc, $err) = as_app("DELETE FROM instance_events");
isnt($rc, 0, 'och_app cannot DELETE events');
like($err, qr/permission denied/, '(permission denied)');
($rc, $err) = as_app("SELECT instance_events_prune(1, 100)");
isnt($rc, 0, 'nor have the function prune the last 30 days');
like($err, qr/kept at least 30 days/, 'saying why');
($rc, $err) = as_app("SELECT set_config('och.events_prune', 'on', false); DELETE FROM instance_events");
isnt($rc, 0, "nor delete by setting the function's flag");
is(count('gone-1', 'test.recent'), 5, 'the recent events are all there');
# not even the owner deletes a recent event, or an old one of a live instance
eval { $t->psql("BEGIN; SELECT set_config('och.events_prune', 'on', true);
    DELETE FROM instance_events e USING instances i WHERE i.id = e.instance_id AND i.slug = 'gone-1'
    AND e.kind = 'test.recent'; COMMIT") };
like($@, qr/append-only/, 'the owner cannot delete an event of the last 30 days either');
eval { $t->psql("BEGIN; SELECT set_config('och.events_prune', 'on', true);
    DELETE FROM instance_events e USING instances i WHERE i.id = e.instance_id AND i.slug = 'live-1'; COMMIT") };
like($@, qr/append-only/, "nor an old event of an instance that is not terminated");
is(count('live-1', 'test.ancient'), 5, "the live instance's history is whole");

# the default: 400 days, terminated instances only
maintain();
is(count('gone-1', 'test.ancient'), 0, "a terminated instance's events older than 400 days are deleted");
is(count('gone-1', 'test.old'), 5, 'younger ones stay');
is(count('gone-1', 'test.recent'), 5, 'the recent ones stay');
is(count('live-1', 'test.ancient'), 5, 'an active instance keeps its whole history');
is(count('fail-1', 'test.ancient'), 5, 'and so does a failed one');
like(log_text(), qr/12000 events of terminated instances older than 400 days deleted\n/,
    'in batches, all of them in one run, the count logged');

# a shorter retention from the configuration
maintain(INSTANCE_EVENTS_RETENTION_DAYS => 100);
is(count('gone-1', 'test.old'), 0, 'INSTANCE_EVENTS_RETENTION_DAYS=100: the 200-day-old events go');
is(count('gone-1', 'test.month'), 5, 'the 31-day-old ones stay');
is(count('gone-1', 'test.recent'), 5, 'and the recent ones');
is(count('live-1', 'test.ancient'), 5, "and the live instance's");
like(log_text(), qr/ 5 events of terminated instances older than 100 days deleted\n/, 'the count logged');

# a retention under 30 days is refused with the configuration
is($t->poller_once('maintain', INSTANCE_EVENTS_RETENTION_DAYS => 7, _log => 'short'), 1,
    'INSTANCE_EVENTS_RETENTION_DAYS=7: the poller refuses the configuration');
is(count('gone-1', 'test.month'), 5, 'and deletes nothing');

$t->done_testing;
