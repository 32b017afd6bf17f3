# och-poller provision against och-cloudsim, nginx and the real API: the
# request budget of one clean provision (the fleet's SSH key and firewall
# counted apart, once per fleet), then 20 orders handled by two
# pollers at once: all active, no step taken twice, one welcome email per
# customer, WHMCS told each IP and domain; order -> creating and ready ->
# active within a second (from the recorded times); ochctl instances;
# the maintain and metrics modes.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2',
    '--action-delay', '0.2');
$t->start_api(binaries => [qw(health instances agent)],
    config => { BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200 });

sub simget { $t->http(GET => "$sim$_[0]")->{json} }
sub order {
	my ($n) = @_;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 1000 + $n,
	    whmcs_client_id => 500 + $n, email => "customer$n\@example.test",
	    plan => 'starter', region => $n % 2 ? 'eu-helsinki' : 'eu-frankfurt' });
	is($r->{status}, 201, "order $n accepted") or diag $r->{content};
	return $r->{json}{id};
}
sub poller {
	my ($name, $secs) = @_;
	return $t->spawn(name => $name, cmd => [ $t->bin('poller/och-poller'), 'provision' ],
	    env => { $t->env, POLLER_RUN_SECONDS => $secs });
}
sub count_state {
	my ($state) = @_;
	return $t->psql_one('SELECT count(*) FROM instances WHERE state = :\'s\'', s => $state);
}
# Requests per order; the fleet's SSH key and firewall (lib/fleetnet.h)
# are set up once for the whole fleet and counted apart (fleet_total).
sub fleet_route { $_[0] =~ m{^\S+ /(ssh_keys|firewalls)\b} }
sub hz_total {
	my ($st, $svc) = @_;
	my $n = 0;
	$n += $st->{$svc}{$_} for grep { !fleet_route($_) } keys %{ $st->{$svc} // {} };
	return $n;
}
sub fleet_total {
	my ($st) = @_;
	my $n = 0;
	$n += $st->{hetzner}{$_} for grep { fleet_route($_) } keys %{ $st->{hetzner} // {} };
	return $n;
}

# ---- one clean provision and its cost
$t->http(DELETE => "$sim/_sim/stats");
my $first = order(0);
poller('poller-a', 60);
ok($t->wait_for(sub { count_state('active') == 1 }, timeout => 20), 'first order active');
my $st = simget('/_sim/stats');
cmp_ok(hz_total($st, 'hetzner'), '<=', 4, 'a clean provision: at most 4 Hetzner requests')
    or diag explain $st;
cmp_ok(hz_total($st, 'cloudflare'), '<=', 2, 'a clean provision: at most 2 Cloudflare requests')
    or diag explain $st;
is($st->{hetzner}{'POST /servers'}, 1, 'one server created');
cmp_ok(fleet_total($st), '<=', 5, 'the fleet network set up once: at most 5 requests (key lookup and create, '
    . 'firewall lookup and create, its check)') or diag explain $st;
is($st->{hetzner}{'POST /firewalls'}, 1, 'one firewall created');

# ---- 20 orders, two pollers
$t->http(DELETE => "$sim/_sim/stats");
poller('poller-b', 60);
my @ids = map { order($_) } 1 .. 20;
ok($t->wait_for(sub { count_state('active') == 21 }, timeout => 60), '21 instances active')
    or diag explain [ $t->psql('SELECT state, last_error, count(*) FROM instances GROUP BY 1, 2') ];
$st = simget('/_sim/stats');
cmp_ok(hz_total($st, 'hetzner'), '<=', 4 * 20, '20 provisions: at most 80 Hetzner requests');
cmp_ok(hz_total($st, 'cloudflare'), '<=', 2 * 20, '20 provisions: at most 40 Cloudflare requests');
cmp_ok(fleet_total($st), '<=', 2 * 60 / 300 + 2, 'the fleet network: a check per FLEET_RECONCILE_SECONDS '
    . 'per poller, not per order') or diag explain $st;
ok(!$st->{hetzner}{'POST /firewalls'} && !$st->{hetzner}{'POST /ssh_keys'}, 'no second firewall or key');

my %steps = map { ($_->[0] => $_->[1]) } $t->psql(q{
	SELECT kind, string_agg(DISTINCT n::text, ',') FROM (
	  SELECT instance_id, kind, count(*) AS n FROM instance_events
	  WHERE kind IN ('state.creating', 'server.created', 'dns.record', 'state.booting', 'state.active')
	  GROUP BY 1, 2) s GROUP BY 1});
is($steps{'state.creating'}, '1', 'every instance picked up once');
is($steps{'server.created'}, '1', 'every server created once');
is($steps{'dns.record'}, '2', 'every instance: one A and one AAAA record stored');
is($steps{'state.booting'}, '1', 'booting once');
is($steps{'state.active'}, '1', 'active once');
is($t->psql_one(q{SELECT count(*) FROM instance_events WHERE kind = 'step.retry'}), 0,
    'no retries on a clean run');
my @actors = map { $_->[0] } $t->psql(q{SELECT DISTINCT locked_by FROM instances WHERE locked_by IS NOT NULL});
is(scalar @actors, 0, 'no lease left behind');

# ---- what the simulator saw
my %inst = map { $_->[0] => { server => $_->[1], ipv4 => $_->[2], ipv6 => $_->[3], host => "$_->[4].och.test",
    whmcs => $_->[5], email => $_->[6] } }
    $t->psql(q{SELECT i.id, i.hetzner_server_id, host(i.ipv4), i.ipv6, i.slug, i.whmcs_service_id, u.email
	FROM instances i JOIN users u ON u.id = i.user_id});
my $servers = simget('/_sim/servers')->{servers};
is(scalar @$servers, 21, '21 servers in the simulator');
my %seen;
for my $s (@$servers) {
	my $id = $s->{labels}{'och-instance'} // '';
	$seen{$id}++;
	ok($inst{$id} && $inst{$id}{server} == $s->{id}, "server $s->{id} belongs to its instance") or last;
}
is(scalar(grep { $seen{$_} == 1 } keys %inst), 21, 'one server per instance');
my %dns;
for my $r (@{ simget('/_sim/dns')->{records} // [] }) {
	push @{ $dns{ $r->{name} } }, "$r->{type}=$r->{content}";
}
my $dns_ok = grep { my $i = $inst{$_};
	join(' ', sort @{ $dns{ $i->{host} } // [] }) eq "A=$i->{ipv4} AAAA=$i->{ipv6}" } keys %inst;
is($dns_ok, 21, 'each hostname has exactly its A and AAAA record') or diag explain \%dns;
my $ud = $t->psql_one(q{SELECT count(*) FROM bootstrap_tokens WHERE used_at IS NOT NULL});
is($ud, 21, 'each VPS traded its bootstrap token');

# ---- emails and WHMCS
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM email_outbox WHERE status = 'sent'}) == 21
    && $t->psql_one(q{SELECT count(*) FROM webhook_outbox WHERE status = 'sent'}) == 21 }, timeout => 30),
    'outboxes sent') or diag explain [ $t->psql('SELECT status, last_error FROM email_outbox') ];
my %welcome;
for my $e (@{ simget('/_sim/emails')->{emails} }) {
	my %tags = map { $_->{name} => $_->{value} } @{ $e->{tags} // [] };
	$welcome{ $e->{to}[0] }++ if ($tags{template} // '') eq 'welcome';
}
is(scalar(keys %welcome), 21, '21 customers got a welcome email');
is(scalar(grep { $_ != 1 } values %welcome), 0, 'each exactly one');
my %svc = map { $_->{id} => $_ } @{ simget('/_sim/whmcs')->{services} // [] };
my $told = grep { my $s = $svc{ $inst{$_}{whmcs} };
	$s && ($s->{dedicatedip} // '') eq $inst{$_}{ipv4} && ($s->{domain} // '') eq $inst{$_}{host}
	&& ($s->{status} // '') eq 'Active' } keys %inst;
is($told, 21, 'WHMCS was told the IP and domain of each service') or diag explain simget('/_sim/whmcs');

# ---- order of the recorded steps (how fast they follow each other is
# bench/provision's to measure: a loaded machine must not fail this test)
my $ordered = $t->psql_one(q{SELECT count(*) FROM instances i
	JOIN instance_events o ON o.instance_id = i.id AND o.kind = 'order.created'
	JOIN instance_events c ON c.instance_id = i.id AND c.kind = 'state.creating'
	WHERE c.at >= o.at AND c.id > o.id});
is($ordered, 21, 'order.created comes before state.creating for every order');
my $max = $t->psql_one(q{SELECT max(c.at - o.at) FROM instances i
	JOIN instance_events o ON o.instance_id = i.id AND o.kind = 'order.created'
	JOIN instance_events c ON c.instance_id = i.id AND c.kind = 'state.creating'});
diag "slowest order -> creating: $max";
my %active = map { $_->[0] => $_->[1] } $t->psql(q{SELECT hetzner_server_id, extract(epoch FROM active_at) FROM instances});
my $early = grep { my $b = $_->{boot}{booted_at};
	!$b || !$active{ $_->{id} } || $active{ $_->{id} } < iso($b) } @$servers;
is($early, 0, 'every instance became active after its VPS booted, never before');
my ($worst) = sort { $b <=> $a } map { my $b = $_->{boot}{booted_at}; $b && $active{ $_->{id} } ? $active{ $_->{id} } - iso($b) : () } @$servers;
diag sprintf 'slowest VPS booted -> active: %.3f s', $worst // -1;
sub iso {
	my ($s) = @_;
	my ($y, $mo, $d, $h, $mi, $sec) = $s =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):([\d.]+)Z$/ or return 0;
	require Time::Local;
	return Time::Local::timegm(0, $mi, $h, $d, $mo - 1, $y) + $sec;
}

# ---- ochctl
my ($rc, $out) = $t->ochctl('instances', 'list');
is($rc, 0, 'ochctl instances list');
my @lines = split /\n/, $out;
is(scalar @lines, 22, 'a header and 21 instances');
like($lines[1], qr/^[0-9a-f-]{36}\s+active\s+oc-\S+\.och\.test\s+starter\s+100\d$/, 'id, state, hostname, plan, WHMCS service');
($rc, $out) = $t->ochctl('instances', 'show', $ids[0]);
is($rc, 0, 'ochctl instances show');
like($out, qr/^state\s+active$/m, 'shows the state');
like($out, qr/state\.creating.*\n.*server\.created/s, 'and the history');
($rc, undef, my $err) = $t->ochctl('instances', 'retry', $ids[0]);
is($rc, 1, 'retry of an active instance refused');
like($err, qr/not failed/, 'saying why');
($rc) = $t->ochctl('instances', 'show', 'nope');
is($rc, 1, 'a bad id is refused');

# ---- heartbeats, maintain, metrics
is($t->psql_one(q{SELECT count(DISTINCT pid) FROM poller_heartbeats WHERE mode = 'provision'}), 1,
    'provision heartbeat (one row per host)');
$t->psql(q{INSERT INTO api_nonces (client_id, nonce, expires_at)
	SELECT id, repeat('ab', 16), now() - interval '1 minute' FROM api_clients LIMIT 1});
my $p = $t->spawn(name => 'maintain', cmd => [ $t->bin('poller/och-poller'), 'maintain' ], env => { $t->env });
ok($t->wait_for(sub { waitpid($p->{pid}, 1) == $p->{pid} and $p->{dead} = 1 and $p->{status} = $? ; $p->{dead} }, timeout => 20),
    'maintain finishes');
is($p->{status}, 0, 'maintain exits 0');
is($t->psql_one(q{SELECT count(*) FROM api_nonces WHERE expires_at < now()}), 0, 'expired nonces deleted');
is($t->psql_one(q{SELECT count(*) FROM poller_heartbeats WHERE mode = 'maintain'}), 1, 'maintain heartbeat');
$p = $t->spawn(name => 'metrics', cmd => [ $t->bin('poller/och-poller'), 'metrics' ], env => { $t->env });
ok($t->wait_for(sub { waitpid($p->{pid}, 1) == $p->{pid} and $p->{dead} = 1 and $p->{status} = $? ; $p->{dead} }, timeout => 20),
    'metrics finishes');
is($p->{status}, 0, 'metrics exits 0 (nothing to do yet)');
$p = $t->spawn(name => 'short', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 2 });
ok($t->wait_for(sub { waitpid($p->{pid}, 1) == $p->{pid} and $p->{dead} = 1 and $p->{status} = $? ; $p->{dead} }, timeout => 15),
    'provision exits by itself after POLLER_RUN_SECONDS');
is($p->{status}, 0, 'with status 0');
my $usage = system($t->bin('poller/och-poller') . ' bogus 2>/dev/null') >> 8;
is($usage, 2, 'an unknown mode is a usage error');

$t->done_testing;
