# Hetzner requests per order (issue 15's goal: at most 4 on every path).
# och-cloudsim runs a Hetzner-shaped latency profile scaled down (a
# snapshot creates slower than a system image; boot and setup after the
# create), and the poller knows the create time as an operator would set
# it (HETZNER_CREATE_MS, written by the harness from /_sim/latency).  Three
# orders, each counted by the simulator's /_sim/stats from the order to its
# activation: cold on the bare system image, cold on a pre-built image
# (ochctl image build), and from the warm pool (its refill's create is the
# pool's, not the order's).  A cold order looks its label up, creates the
# server and checks the create action once, when Hetzner should be done;
# it does not poll the action while it runs.  Counts, not times.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim;
my $lat = $t->sim_latency(profile => 'default', create => 1, create_snapshot => 2, boot => 1, action => 0.5,
    setup_bare => 3, setup_prebuilt => 1, claim => 0.3);
is($lat->{create_snapshot}, 2, 'a snapshot creates slower than a system image');
is($t->config->{HETZNER_CREATE_MS}, 2000, 'the poller is told the create time');
$t->start_api(binaries => [qw(instances agent)], config => { BOOT_TIMEOUT => 60, POLLER_BACKOFF_MS => 200,
    POLLER_BACKOFF_MAX_MS => 1000, OPENCLAW_VERSION => '2026.9.6' });
sub one { $t->psql_one(@_) }
sub stats { $t->http(GET => "$sim/_sim/stats")->{json}{hetzner} // {} }
sub total { my $h = shift; my $n = 0; $n += $_ for values %$h; $n }
sub show { my $h = shift; join ', ', map { "$_ $h->{$_}" } sort keys %$h }

my ($rc, $out, $err) = $t->ochctl('image', 'build', '--poll', '0.2', '--timeout', '60');
is($rc, 0, 'a pre-built image') or diag "$out\n$err";
my $img = one("SELECT hetzner_image_id FROM images WHERE state = 'current' AND arch = 'x86'");
$t->psql("UPDATE plans SET image = 'ubuntu-24.04' WHERE name = 'professional'");
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 240 });

my $svc = 0;
sub order {
	my ($plan, $region) = @_;
	$t->http(DELETE => "$sim/_sim/stats");
	$svc++;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4580 + $svc,
	    whmcs_client_id => 4580 + $svc, email => "rq$svc\@example.com", plan => $plan, region => $region });
	is($r->{status}, 201, "order $plan in $region") or diag $r->{content};
	my $id = $r->{json}{id};
	ok($t->wait_for(sub { one("SELECT state FROM instances WHERE id = :'i'", i => $id) eq 'active' }, timeout => 60),
	    "$plan in $region active");
	return ($id, stats());
}

# ---- cold, pre-built image
my ($id, $h) = order('starter', 'eu-nuremberg');
is(one("SELECT image FROM plans WHERE name = 'starter'"), $img, 'starter boots the pre-built image');
ok(total($h) <= 4, 'cold pre-built: at most 4 Hetzner requests (' . show($h) . ')');
is($h->{'POST /servers'}, 1, 'one create');
ok(($h->{'GET /actions/{id}'} // 0) <= 1, 'the create action checked at most once');
is(one("SELECT count(*) FROM instance_events WHERE instance_id = :'i' AND kind = 'server.created'", i => $id), 1,
    'the server was created for it');

# ---- cold, bare system image
($id, $h) = order('professional', 'eu-falkenstein');
ok(total($h) <= 4, 'cold bare: at most 4 Hetzner requests (' . show($h) . ')');
is($h->{'POST /servers'}, 1, 'one create');
ok(($h->{'GET /actions/{id}'} // 0) <= 1, 'the create action checked at most once');

# ---- warm pool
$t->psql("INSERT INTO pool_targets (plan, region, target, monthly_cents) VALUES ('starter', 'eu-helsinki', 1, 500)");
ok($t->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE state = 'ready'") == 1 }, timeout => 60),
    'a pool server waits');
($id, $h) = order('starter', 'eu-helsinki');
is(one("SELECT count(*) FROM pool_servers WHERE instance_id = :'i'", i => $id), 1, 'the order took it');
my $refill = one("SELECT count(*) FROM pool_servers WHERE state <> 'claimed'");
ok(($h->{'POST /servers'} // 0) <= $refill, "creates only for the pool's refill ($refill)");
my $own = total($h) - ($h->{'POST /servers'} // 0);
ok($own <= 4, "warm: at most 4 Hetzner requests ($own: " . show($h) . ')');
is($h->{'PUT /servers/{id}'}, 1, 'one rename and relabel');
$t->done_testing;
