# The fault storm (issue 4): 20% of the Hetzner, Cloudflare and Resend
# answers faulty with every fault kind (429, 5xx, locked, conflict,
# resource_unavailable, hangs, dropped connections, "error but created"
# and its drop/hang variants, failed actions), the pollers SIGKILLed at
# random moments and started again as cron would, PostgreSQL restarted
# once.  100 orders all end active with zero duplicate servers, zero
# servers or DNS records without their instance, and exactly one welcome
# email each; then all 100 are terminated: nothing is left in the
# simulator and each customer got exactly one termination email.  A warm
# pool (issue 15) fills and refills under the same storm and the orders in
# eu-helsinki claim its servers: a claim cut by a SIGKILL neither loses the
# server nor hands it out twice (each claimed server is its instance's, no
# pool server without its row, none in two rows or for two orders).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Time::HiRes qw(sleep time);

my $N = $ENV{STORM_ORDERS} // 100;
my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--seed', $ENV{STORM_SEED} // 4242, '--boot-delay', '0.2',
    '--create-delay', '0.2', '--action-delay', '0.2', '--resend-rate', '200',
    '--hang-seconds', '1.5');
$t->start_api(binaries => [qw(health instances agent)],
    config => { BOOT_TIMEOUT => 30, POLLER_BACKOFF_MS => 100, POLLER_BACKOFF_MAX_MS => 1500,
	POLLER_MAX_ATTEMPTS => 40, POLLER_HTTP_TIMEOUT => 3 });
$t->allow_log(qr/\[(?:crit|alert)\].*(?:connect\(\)|recv\(\)|upstream)/);

sub simget { $t->http(GET => "$sim$_[0]")->{json} }
sub tags { my %t = map { $_->{name} => $_->{value} } @{ $_[0]{tags} // [] }; \%t }
sub states { join ' ', map { "$_->[0]=$_->[1]" } $t->psql('SELECT state, count(*) FROM instances GROUP BY 1 ORDER BY 1') }

my @hz = qw(429 500 502 503 504 locked conflict resource_unavailable hang drop
    error_but_created drop_but_created hang_but_created action_error);
my @other = qw(429 500 502 503 504 hang drop error_but_created drop_but_created hang_but_created);
# every kind at least once where it hurts most (scripts answer first),
# then 20% of everything at random
my @created = qw(error_but_created drop_but_created hang_but_created);
my $r = $t->http(POST => "$sim/_sim/faults", body => { replace => JSON::PP::true, rules => [
	{ service => 'hetzner', route => 'POST /servers', script => [ map { ($_, 'ok') } @hz ] },
	{ service => 'hetzner', route => 'DELETE /servers/*', script => [ map { ($_, 'ok') }
	    qw(action_error error_but_created drop_but_created hang_but_created locked) ] },
	{ service => 'cloudflare', route => 'POST *', script => [ map { ($_, 'ok') } @created ] },
	{ service => 'cloudflare', route => 'DELETE *', script => [ map { ($_, 'ok') } @created ] },
	{ service => 'resend', route => 'POST /emails', script => [ map { ($_, 'ok') } @created ] },
	{ service => 'hetzner', route => '*', probability => 0.2, kinds => \@hz },
	{ service => 'cloudflare', route => '*', probability => 0.2, kinds => \@other },
	{ service => 'resend', route => '*', probability => 0.2, kinds => \@other },
] });
is($r->{status}, 200, 'fault rules set') or diag $r->{content};

# ---- cron: pollers started again whenever one is gone; kills at random
my @slots = (undef, undef);
my $gen = 0;
sub cron {
	for my $i (0 .. $#slots) {
		my $p = $slots[$i];
		next if $p && !$p->{dead} && waitpid($p->{pid}, 1) == 0;
		$p->{dead} = 1 if $p;
		$gen++;
		$slots[$i] = $t->spawn(name => "poller-$i-$gen", cmd => [ $t->bin('poller/och-poller'), 'provision' ],
		    env => { $t->env, POLLER_RUN_SECONDS => 55 });
	}
}
my $kills = 0;
sub storm_until {
	my ($cond, $timeout, $what, $pg_restart_at) = @_;
	my $start = time;
	my $next_kill = time + 0.5 + rand 2;
	while (time - $start < $timeout) {
		cron();
		return 1 if $cond->();
		if (time >= $next_kill) {
			my $victim = $slots[int rand @slots];
			if ($victim && !$victim->{dead}) {
				kill 'KILL', $victim->{pid};
				waitpid($victim->{pid}, 0);
				$victim->{dead} = 1;
				$kills++;
			}
			$next_kill = time + 0.5 + rand 2.5;
		}
		if (defined $pg_restart_at && time - $start >= $pg_restart_at) {
			undef $pg_restart_at;
			diag "restarting PostgreSQL (" . states() . ')';
			$t->pg_stop;
			sleep 1;
			$t->pg_start;
		}
		sleep 0.2;
	}
	diag "$what: timed out: " . states();
	return 0;
}

# ---- a warm pool under the storm: starter in eu-helsinki
sub one { $t->psql_one(@_) }
$t->psql(q{UPDATE pool_settings SET max_servers = 12, max_monthly_cents = 1000000});
$t->psql(q{INSERT INTO pool_targets (plan, region, target, monthly_cents) VALUES ('starter', 'eu-helsinki', 6, 500)});
ok(storm_until(sub { one(q{SELECT count(*) FROM pool_servers WHERE state = 'ready'}) >= 4 }, 60, 'pool'),
    'the pool fills under the storm');

# ---- 100 orders under the storm
my $t0 = time;
my %ids;
cron();
for my $n (1 .. $N) {
	my $res = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 5000 + $n,
	    whmcs_client_id => 7000 + $n, email => "storm$n\@example.test", plan => 'starter',
	    region => ('eu-falkenstein', 'eu-helsinki', 'eu-nuremberg')[$n % 3] });
	$ids{ $res->{json}{id} } = $n if $res->{status} == 201;
}
is(scalar keys %ids, $N, "$N orders accepted");
my $active = storm_until(sub { $t->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'}) == $N },
    150, 'provisioning', 8);
ok($active, "all $N instances active");
diag sprintf('all active after %.0f s, %d pollers killed', time - $t0, $kills);
is($t->psql_one(q{SELECT count(*) FROM instances WHERE state = 'failed'}), 0, 'none failed');

# what the storm did
my $f = simget('/_sim/faults');
my %inj;
for my $rule (@{ $f->{rules} // [] }) {
	my $i = $rule->{injected} // {};
	$inj{"$rule->{service}:$_"} += $i->{$_} for keys %$i;
}
diag 'injected: ' . join ' ', map { "$_=$inj{$_}" } sort keys %inj;
my @missing = grep { !$inj{"hetzner:$_"} } @hz;
is("@missing", '', 'every Hetzner fault kind was injected') or diag explain \%inj;
ok($inj{'cloudflare:error_but_created'} || $inj{'cloudflare:drop_but_created'}, 'Cloudflare created-but-failed');
ok($inj{'resend:error_but_created'} || $inj{'resend:drop_but_created'}, 'Resend sent-but-failed');
ok($kills >= 5, "pollers were killed ($kills times)");

# ---- the simulator agrees with the database
my %inst = map { $_->[0] => { server => $_->[1], ipv4 => $_->[2], ipv6 => $_->[3], host => "$_->[4].och.test" } }
    $t->psql(q{SELECT id, hetzner_server_id, host(ipv4), ipv6, slug FROM instances});
# a pool server whose create answer was lost is recorded by its label
# once it reports in (the next upkeep pass)
ok(storm_until(sub { one(q{SELECT count(*) FROM pool_servers WHERE state IN ('ready', 'claimed')
    AND hetzner_server_id IS NULL}) == 0 }, 30, 'pool rows recorded'), 'every waiting pool server has its server recorded');
# the pool keeps refilling meanwhile: its rows before the servers' list
# (what the list must hold) and after it (what holds what the list shows)
my @pool_before = $t->psql(q{SELECT id, hetzner_server_id FROM pool_servers WHERE state IN ('ready', 'claimed')});
my $servers = simget('/_sim/servers')->{servers};
my %pool_row = map { $_->[0] => { state => $_->[1], server => $_->[2] } }
    $t->psql(q{SELECT id, state, hetzner_server_id FROM pool_servers});
my (%per, @orphans, %at);
for my $s (@$servers) {
	next if $s->{status} eq 'deleting';
	$at{ $s->{id} } = 1;
	# a waiting pool server (no order yet): its pool row holds it
	if (!defined $s->{labels}{'och-instance'} && defined $s->{labels}{'och-pool'}) {
		my $row = $pool_row{ $s->{labels}{'och-pool'} };
		push @orphans, $s->{id} unless $row && $row->{state} =~ /^(?:warming|ready|bad|recycling)$/;
		next;
	}
	my $id = $s->{labels}{'och-instance'} // '';
	$per{$id}++;
	push @orphans, $s->{id} unless $inst{$id} && $inst{$id}{server} == $s->{id};
}
is(scalar(grep { $_ > 1 } values %per), 0, 'zero duplicate servers');
is("@orphans", '', 'zero servers without their instance');
is(scalar(grep { ($per{$_} // 0) == 1 } keys %inst), $N, 'every instance has its server');

# ---- the pool's servers: claimed once, never lost
my $claimed = one(q{SELECT count(*) FROM pool_servers WHERE state = 'claimed'});
ok($claimed >= 4, "orders claimed pool servers under the storm ($claimed)");
is(one(q{SELECT count(*) FROM pool_servers p LEFT JOIN instances i ON i.id = p.instance_id
    WHERE p.state = 'claimed' AND i.hetzner_server_id IS DISTINCT FROM p.hetzner_server_id}), 0,
    "each claimed pool server is its instance's server");
is(one(q{SELECT count(*) FROM (SELECT instance_id FROM pool_servers WHERE instance_id IS NOT NULL
    GROUP BY 1 HAVING count(*) > 1) d}), 0, 'no order claimed two pool servers');
is(one(q{SELECT count(*) FROM (SELECT hetzner_server_id FROM pool_servers WHERE hetzner_server_id IS NOT NULL
    GROUP BY 1 HAVING count(*) > 1) d}), 0, 'no server in two pool rows');
my @lost = map { $_->[0] } grep { !$at{ $_->[1] } } @pool_before;
is("@lost", '', 'no waiting or claimed pool server lost at the provider')
    or diag explain [ $t->psql(q{SELECT id, state, hetzner_server_id, last_error FROM pool_servers}),
	map { "$_->{id} $_->{status} " . join(',', %{ $_->{labels} }) } @$servers ];
is(one(q{SELECT count(*) FROM instance_events WHERE kind = 'pool.claimed'}), $claimed,
    'one claim event per claimed pool server (a retried claim takes its own again)');
diag "pool: $claimed claimed, " . one(q{SELECT count(*) FROM instance_events e JOIN pool_servers p
    ON p.instance_id = e.instance_id WHERE e.kind = 'server.found'}) . ' found again by label after a cut claim; '
    . join ' ', map { "$_->[0]=$_->[1]" }
    $t->psql(q{SELECT state, count(*) FROM pool_servers GROUP BY 1 ORDER BY 1});
my (%rec, @stray);
for my $d (@{ simget('/_sim/dns')->{records} // [] }) {
	push @{ $rec{ $d->{name} } }, "$d->{type}=$d->{content}";
}
my %hosts = map { $inst{$_}{host} => $_ } keys %inst;
@stray = grep { !$hosts{$_} } keys %rec;
is("@stray", '', 'zero DNS records without an instance');
my $dns_ok = grep { my $i = $inst{$_};
	join(' ', sort @{ $rec{ $i->{host} } // [] }) eq "A=$i->{ipv4} AAAA=$i->{ipv6}" } keys %inst;
is($dns_ok, $N, 'each hostname has exactly its A and AAAA record');

# ---- emails: exactly one welcome each
ok(storm_until(sub { $t->psql_one(q{SELECT count(*) FROM email_outbox WHERE status <> 'sent'}) == 0
    && $t->psql_one(q{SELECT count(*) FROM webhook_outbox WHERE status <> 'sent'}) == 0 }, 90, 'outboxes'),
    'every outbox row sent') or diag explain [ $t->psql('SELECT status, attempts, last_error FROM email_outbox WHERE status <> \'sent\'') ];
my %welcome;
for my $e (@{ simget('/_sim/emails')->{emails} }) {
	my $tg = tags($e);
	$welcome{ $tg->{instance} }++ if ($tg->{template} // '') eq 'welcome';
}
is(scalar(grep { ($welcome{$_} // 0) == 1 } keys %inst), $N, 'exactly one welcome email per instance')
    or diag explain { map { $_ => $welcome{$_} } grep { ($welcome{$_} // 0) != 1 } keys %inst };
is(scalar(keys %welcome), $N, 'and none for anything else');

diag sprintf('outboxes sent after %.0f s', time - $t0);

# ---- terminate all, still under the storm; the pool drains
$t->psql(q{UPDATE pool_targets SET target = 0});
for my $id (keys %inst) {
	my $res = $t->signed(POST => "/api/v1/instances/$id/terminate");
	is($res->{status}, 202, 'terminate accepted') or last if $res->{status} != 202;
}
my $gone = storm_until(sub { $t->psql_one(q{SELECT count(*) FROM instances WHERE state = 'terminated'}) == $N },
    120, 'termination');
ok($gone, "all $N terminated");
diag sprintf('all terminated after %.0f s', time - $t0);
ok(storm_until(sub { one(q{SELECT count(*) FROM pool_servers WHERE state IN ('warming', 'ready', 'bad', 'recycling')}) == 0 },
    60, 'pool drain'), 'the pool drained (target 0)');
ok($t->wait_for(sub { !grep { 1 } @{ simget('/_sim/servers')->{servers} } }, timeout => 20),
    'zero servers left in the simulator') or diag explain simget('/_sim/servers');
is(scalar @{ simget('/_sim/dns')->{records} // [] }, 0, 'zero DNS records left');
ok(storm_until(sub { $t->psql_one(q{SELECT count(*) FROM email_outbox WHERE status <> 'sent'}) == 0 }, 90, 'emails'),
    'every termination email sent');
my %bye;
for my $e (@{ simget('/_sim/emails')->{emails} }) {
	my $tg = tags($e);
	$bye{ $tg->{instance} }++ if ($tg->{template} // '') eq 'terminated';
}
is(scalar(grep { ($bye{$_} // 0) == 1 } keys %inst), $N, 'exactly one termination email per instance');
diag sprintf('storm done after %.0f s, %d pollers killed', time - $t0, $kills);

$t->stop($_) for grep { $_ && !$_->{dead} } @slots;
$t->done_testing;
