# A VPS's node_exporter is the customer's (root on the server is theirs):
# what it answers is an attacker's input to the metrics poller.  A value
# that is a number but no load, memory or byte count (node_load1
# 1.7e308) was stored as it came; the hourly rollup (one statement over
# every instance: min, max, avg) then overflowed float8 ("value out of
# range: overflow") and failed for every customer, and with it the
# retention that follows it, for as long as the exporter kept saying so.
# Now a value outside what a series can hold (negative, above 10^18, or
# between 0 and 10^-9) is not stored, like NaN and Inf already were; the
# rollup goes on for everyone, and so do the alert conditions that divide
# by a stored value (disk_full: a / of 1e-300 bytes with 1e18 free made
# the quotient overflow in the one statement for every instance).  Nothing faked but the exporter's answer: och-cloudsim's
# simulated node_exporter is told what to say (/_sim/servers/{id}/usage),
# as its root would make it.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2', '--action-delay', '0.2');
$t->start_api(binaries => [qw(health instances agent auth metrics)],
    config => { BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200, METRICS_TIMEOUT_MS => 3000 });

sub order {
	my ($n) = @_;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4610 + $n,
	    whmcs_client_id => 4610 + $n, email => "hostile$n\@example.test",
	    plan => 'starter', region => 'eu-helsinki' });
	is($r->{status}, 201, "order $n accepted") or diag $r->{content};
	return $r->{json}{id};
}
sub run_poller { $t->poller_once(@_) }

# two customers' instances, provisioned the real way
my ($evil, $victim) = map { order($_) } 1, 2;
my $prov = $t->spawn(name => 'provision', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 60 });
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'}) == 2 },
    timeout => 30), 'both instances active') or diag explain [ $t->psql('SELECT state, last_error FROM instances') ];
$t->stop($prov);
my $srv = $t->psql_one(q{SELECT hetzner_server_id FROM instances WHERE id = :'i'}, i => $evil);

# the attacker's exporter says node_load1 is 1.7e308
my $r = $t->http(POST => "$sim/_sim/servers/$srv/usage", body => { load1 => 1.7e308 });
is($r->{status}, 200, "the attacker's exporter now says node_load1 1.7e308") or diag $r->{content};
like($t->http(GET => "$sim/_sim/servers/$srv")->{content}, qr/"id"/, 'the server is there');

# two scrape cycles, then the hourly rollup
for my $n (1, 2) {
	is(run_poller('metrics'), 0, "metrics cycle $n exits 0");
	sleep 1;	# the next cycle's points are another second's
}
is($t->psql_one(q{SELECT count(*) FROM metrics WHERE series = 'up' AND value = 1 AND instance_id = :'i'}, i => $evil), 2,
    "the attacker's server was scraped twice");
is($t->psql_one(q{SELECT count(*) FROM metrics WHERE value > 1e18 OR value < 0}), 0,
    'no value beyond what a series holds was stored');
is(run_poller('maintain'), 0, 'maintain exits 0');
unlike(do { local $/; open my $fh, '<', $t->dir . '/poller-maintain.log'; <$fh> // '' }, qr/rollup failed/,
    'the hourly rollup did not fail');
# (summed over the hours: the two cycles may straddle an hour's end)
is($t->psql_one(q{SELECT sum(samples) FROM metrics_hourly WHERE instance_id = :'i' AND series = 'load1'}, i => $victim), 2,
    "the other customer's points are rolled up");
ok($t->psql_one(q{SELECT count(*) FROM metrics_hourly WHERE instance_id = :'i' AND series = 'mem_total'}, i => $evil) >= 1,
    "and the attacker's other series too");

# the natural curve again: stored as before
$t->http(POST => "$sim/_sim/servers/$srv/usage", body => { load1 => undef });
is(run_poller('metrics'), 0, 'a third cycle');
ok(defined $t->psql_one(q{SELECT value FROM metrics WHERE instance_id = :'i' AND series = 'load1'}, i => $evil),
    'a plausible load1 is stored again');

# the disk condition divides / 's available bytes by its size, for every
# instance in one statement: the attacker's exporter says / is 1e-300
# bytes with 1e18 available (the quotient overflows float8), while the
# other customer's disk is 95 % full
my $vsrv = $t->psql_one(q{SELECT hetzner_server_id FROM instances WHERE id = :'i'}, i => $victim);
is($t->http(POST => "$sim/_sim/servers/$vsrv/usage", body => { disk_used_pct => 95 })->{status}, 200,
    "the other customer's disk is 95 % full");
is($t->http(POST => "$sim/_sim/servers/$srv/usage", body => { disk_size_bytes => 1e-300, disk_avail_bytes => 1000000000000000000 })->{status},
    200, "the attacker's exporter says / holds 1e-300 bytes, 1e18 of them free");
is(run_poller('metrics'), 0, 'the cycle and the conditions it evaluates succeed');
is($t->psql_one(q{SELECT count(*) FROM alerts WHERE condition = 'disk_full' AND instance_id = :'i'
    AND opened_at IS NOT NULL AND resolved_at IS NULL}, i => $victim), 1, "the other customer's disk_full alert opens");
is($t->psql_one(q{SELECT count(*) FROM metrics WHERE value > 0 AND value < 1e-9}), 0, 'no value too small for a series stored');

$t->done_testing;
