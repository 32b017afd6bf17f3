# The warm pool (issue 15, lib/pool.h): the poller boots pool servers
# (labelled och-pool, no och-instance, no DNS, no customer); orders
# racing for them from two pollers get one each or go cold, never one
# server for two; the claimed server is renamed, labelled and activated
# by its own agent's ready call; the pool refills; the caps hold (most
# servers, most spend); a new plan image recycles the old servers; a
# server that stops polling is discarded, never handed out; one whose
# create answer was lost is recorded by its label; a poller
# SIGKILLed in the middle of a claim neither loses the server nor hands
# it out twice.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login);
use Time::HiRes qw(sleep);

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.1', '--action-delay', '0.1',
    '--hang-seconds', '30');
$t->start_api(binaries => [qw(instances agent auth admin)],
    config => { BOOT_TIMEOUT => 40, POOL_STALE_SECONDS => 6, POLLER_BACKOFF_MS => 200,
	POLLER_BACKOFF_MAX_MS => 1000, POLLER_HTTP_TIMEOUT => 3 });

my $gen = 0;
sub poller { $gen++; $t->spawn(name => "poller-$gen", cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 300 }) }
sub one { $t->psql_one(@_) }
sub count_state { one("SELECT count(*) FROM pool_servers WHERE state = :'s'", s => $_[0]) }
sub live { one("SELECT count(*) FROM pool_servers WHERE state IN ('warming', 'ready', 'bad', 'recycling')") }
sub servers { @{ $t->http(GET => "$sim/_sim/servers")->{json}{servers} } }
my $svc = 0;
sub order { $svc++; $t->signed(POST => '/api/v1/instances', { whmcs_service_id => $svc, whmcs_client_id => $svc,
    email => "p$svc\@example.com", plan => 'starter', region => 'eu-helsinki' })->{json}{id} }
sub state_of { one("SELECT state FROM instances WHERE id = :'i'", i => $_[0]) }

# the operator sets the pool in the admin API
my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'an admin') or diag $err;
my $adm = session_of(magic_login($t, 'ops@example.com'));
sub pool_put { $t->http(PUT => '/api/v1/admin/pool', headers => $adm, body => $_[0]) }
sub pool_get { $t->http(GET => '/api/v1/admin/pool', headers => $adm)->{json} }
my $r = pool_put({ max_servers => 3, max_monthly_cents => 100000,
    targets => [ { plan => 'starter', region => 'eu-helsinki', target => 2, monthly_cents => 500 } ] });
is($r->{status}, 200, 'pool set') or diag $r->{content};
is($r->{json}{targets}[0]{target}, 2, 'the view shows the target');
for my $bad ({ max_servers => -1 }, { targets => [ { plan => 'starter', region => 'eu-helsinki', target => 101 } ] },
    { targets => [ { plan => 'nope', region => 'eu-helsinki', target => 1 } ] }, { max_age_hours => 'x' },
    { max_servers => 5, targets => [ { plan => 'starter', region => 'mars', target => 1 } ] }) {
	$r = pool_put($bad);
	is($r->{status}, 400, 'bad pool settings refused: ' . JSON::PP->new->canonical->encode($bad));
}
is(pool_get()->{max_servers}, 3, 'and nothing changed');
is($t->http(GET => '/api/v1/admin/pool')->{status}, 401, 'the pool view needs an admin');
my @pollers = (poller(), poller());

# ---- the pool fills: booted, reported in, no customer, no DNS
ok($t->wait_for(sub { count_state('ready') == 2 }, timeout => 60), 'two pool servers ready');
my @pool = grep { exists $_->{labels}{'och-pool'} } servers();
is(scalar @pool, 2, 'two servers labelled och-pool at the provider');
is(scalar(grep { exists $_->{labels}{'och-instance'} } @pool), 0, 'none labelled for an instance');
is(scalar @{ $t->http(GET => "$sim/_sim/dns")->{json}{records} }, 0, 'no DNS record for a pool server');
is(one("SELECT count(*) FROM instances"), 0, 'no instance row');
is(one("SELECT count(*) FROM pool_servers WHERE boot_token_hash IS NOT NULL OR agent_token_hash !~ '^[0-9a-f]{64}\$'"),
    0, 'the one-time pool token is spent; only hashes are stored');
my $ud = join '', map { $_->{user_data_bytes} // 0 } @pool;
ok($ud, 'pool servers got user-data');

# ---- three orders race for two pool servers (two pollers)
$t->http(DELETE => "$sim/_sim/stats");
my @ids = map { order() } 1 .. 3;
ok($t->wait_for(sub { !grep { state_of($_) ne 'active' } @ids }, timeout => 60), 'all three orders active')
    or diag join ' ', map { state_of($_) } @ids;
my %how = map { $_ => one("SELECT string_agg(kind, ',') FROM instance_events WHERE instance_id = :'i'"
    . " AND kind IN ('server.pooled', 'server.created', 'server.found')", i => $_) } @ids;
is(scalar(grep { $how{$_} eq 'server.pooled' } @ids), 2, 'two orders got a pool server')
    or diag explain \%how;
is(scalar(grep { $how{$_} eq 'server.created' } @ids), 1, 'the third went cold');
my %sid = map { $_ => one("SELECT hetzner_server_id FROM instances WHERE id = :'i'", i => $_) } @ids;
my %seen;
$seen{$_}++ for values %sid;
is(scalar keys %seen, 3, 'three different servers');
is(one("SELECT count(*) FROM pool_servers WHERE state = 'claimed'"), 2, 'two pool rows claimed');
is(one("SELECT count(DISTINCT instance_id) FROM pool_servers WHERE state = 'claimed'"), 2, 'by two instances');
for my $id (grep { $how{$_} eq 'server.pooled' } @ids) {
	my ($s) = grep { $_->{id} == $sid{$id} } servers();
	is($s->{labels}{'och-instance'}, $id, "pooled server $s->{id} labelled for its instance");
	my $slug = one("SELECT slug FROM instances WHERE id = :'i'", i => $id);
	is($s->{name}, $slug, 'and renamed to its slug');
	is($s->{callback}{state}, 'ok', 'its agent called ready for the instance');
	ok(one("SELECT count(*) FROM instance_events WHERE instance_id = :'i' AND kind = 'pool.claimed'", i => $id),
	    'the claim is in the history');
}
my $st = $t->http(GET => "$sim/_sim/stats")->{json}{hetzner} // {};
my $pooled_id = (grep { $how{$_} eq 'server.pooled' } @ids)[0];
ok(($st->{'PUT /servers/{id}'} // 0) >= 2, 'pooled servers were renamed with one PUT each');

# ---- refill after the claims
ok($t->wait_for(sub { count_state('ready') == 2 }, timeout => 60), 'the pool refilled to its target');

# ---- a create whose answer was lost: the server reports in all the same
# and is recorded by its label (unrecorded, it could not be claimed)
$r = $t->http(POST => "$sim/_sim/faults", body => { service => 'hetzner', route => 'POST /servers',
    script => ['drop_but_created'] });
is($r->{status}, 200, "the pool's next create answer will be lost");
pool_put({ targets => [ { plan => 'starter', region => 'eu-helsinki', target => 3 } ] });
ok($t->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE state = 'ready' AND hetzner_server_id IS NOT NULL") == 3 },
    timeout => 60), 'three ready, each with its server recorded')
    or diag explain [ $t->psql("SELECT id, state, hetzner_server_id, last_error FROM pool_servers") ];
is(scalar(grep { exists $_->{labels}{'och-pool'} && !exists $_->{labels}{'och-instance'} } servers()), 3,
    'and three at the provider: the lost answer made no second server');

# ---- caps: most servers, then most spend
pool_put({ targets => [ { plan => 'starter', region => 'eu-helsinki', target => 6 } ] });
ok($t->wait_for(sub { live() == 3 }, timeout => 30), 'refill stops at max_servers');
sleep 6;	# more than one upkeep pass
is(live(), 3, 'and stays there');
my $v = pool_get();
is($v->{servers}, 3, 'the admin view counts 3 pool servers');
ok($v->{targets}[0]{capped}, 'and says the target is capped');
is($v->{targets}[0]{monthly_cents}, 500, 'the cost kept when not given');
pool_put({ max_servers => 10, max_monthly_cents => 2000 });
ok($t->wait_for(sub { live() == 4 }, timeout => 30), 'spend cap: 4 x 500 cents');
sleep 6;
is(live(), 4, 'no fifth server over the spend cap');
is(pool_get()->{monthly_cents}, 2000, 'live spend at the cap, in the admin view');
pool_put({ max_servers => 3, max_monthly_cents => 100000,
    targets => [ { plan => 'starter', region => 'eu-helsinki', target => 2 } ] });
ok($t->wait_for(sub { count_state('ready') == 4 }, timeout => 30), 'the extra servers are ready');

# ---- recycling: a new image for the plan replaces every waiting server
my @old = map { $_->[0] } $t->psql("SELECT hetzner_server_id FROM pool_servers WHERE state = 'ready'");
$t->psql("UPDATE plans SET image = 'ubuntu-22.04' WHERE name = 'starter'");
ok($t->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE state = 'ready' AND image = 'ubuntu-22.04'") == 2
    && one("SELECT count(*) FROM pool_servers WHERE image = 'ubuntu-24.04' AND state IN ('ready', 'recycling')") == 0 },
    timeout => 60), 'old-image servers recycled, two new ones ready');
my %now = map { $_->{id} => 1 } servers();
is(scalar(grep { $now{$_} } @old), 0, 'the old pool servers are deleted at the provider');
like(one("SELECT last_error FROM pool_servers WHERE hetzner_server_id = :'s'", s => $old[0]),
    qr/new image/, 'with the reason');

# ---- health: a pool server whose agent stops polling is discarded
my ($sick, $sick_sid) = @{ ($t->psql("SELECT id, hetzner_server_id FROM pool_servers WHERE state = 'ready' ORDER BY id LIMIT 1"))[0] };
$r = $t->http(POST => "$sim/hetzner/v1/servers/$sick_sid/actions/poweroff",
    headers => { Authorization => 'Bearer sim-hetzner-token' });
is($r->{status}, 201, 'a pool server loses power');
ok($t->wait_for(sub { one("SELECT state FROM pool_servers WHERE id = :'i'", i => $sick) eq 'gone' }, timeout => 40),
    'it is discarded and deleted');
like(one("SELECT last_error FROM pool_servers WHERE id = :'i'", i => $sick), qr/stopped polling/, 'as stopped polling');
is(one("SELECT instance_id FROM pool_servers WHERE id = :'i'", i => $sick), undef, 'never handed to an order');
ok($t->wait_for(sub { count_state('ready') == 2 }, timeout => 60), 'replaced');

# ---- SIGKILL in the middle of a claim
$t->stop($_->{name}, 'TERM') for @pollers;
my $p = poller();
$r = $t->http(POST => "$sim/_sim/faults", body => { service => 'hetzner', route => 'PUT /servers/{id}',
    script => ['hang'], hang_seconds => 30 });
is($r->{status}, 200, 'the rename will hang');
my $k = order();
ok($t->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE instance_id = :'i'", i => $k) == 1
    && ($t->http(GET => "$sim/_sim/stats")->{json}{hetzner}{'PUT /servers/{id}'} // 0) >= 1 }, timeout => 30),
    'claimed, rename in flight');
my $claimed = one("SELECT hetzner_server_id FROM pool_servers WHERE instance_id = :'i'", i => $k);
kill 'KILL', $p->{pid};
waitpid $p->{pid}, 0;
$p->{dead} = 1;
@pollers = (poller(), poller());
ok($t->wait_for(sub { state_of($k) eq 'active' }, timeout => 60), 'the order still becomes active');
is(one("SELECT hetzner_server_id FROM instances WHERE id = :'i'", i => $k), $claimed, 'on the server it had claimed');
is(one("SELECT count(*) FROM pool_servers WHERE instance_id = :'i'", i => $k), 1, 'one pool server for it');
is(one("SELECT count(*) FROM pool_servers WHERE hetzner_server_id = :'s'", s => $claimed), 1,
    'and that server in one row');
is(one("SELECT count(*) FROM instances WHERE hetzner_server_id = :'s'", s => $claimed), 1,
    'held by one instance');
my @labelled = grep { ($_->{labels}{'och-instance'} // '') eq $k } servers();
is(scalar @labelled, 1, 'one server at the provider labelled for it');
$t->stop($_->{name}, 'TERM') for @pollers;
$t->done_testing;
