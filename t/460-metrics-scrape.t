# och-poller metrics against och-cloudsim's simulated node_exporters and
# metrics.fcgi: three instances provisioned through the API and the
# poller (so each VPS got its node_exporter password on its ready call,
# and sent the pin of its exporter's TLS key, which the poller pins);
# plain HTTP to an exporter is refused; one scrape cycle stores every whitelisted series with up=1, the second
# adds cpu_util; a powered-off server and a wrong password are up=0 (and
# the password is never logged); maintain rolls up hourly and drops old
# partitions; the API answers the owner, the billing system and admins,
# and 404s anyone else.  An impostor on a server's address with another
# key gets no request (so no password) and nothing is ingested from it;
# a rebuild's ready call pins the new server's key and scraping resumes.
# One long-lived poller runs cycles over kept connections, and a pin
# changed between cycles gets no request over the old connection.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Time::HiRes qw(time sleep);

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2',
    '--action-delay', '0.2');
$t->start_api(binaries => [qw(health instances agent auth metrics)],
    config => { BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200, METRICS_TIMEOUT_MS => 3000 });

sub order {
	my ($n) = @_;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4600 + $n,
	    whmcs_client_id => 4600 + $n, email => "metrics$n\@example.test",
	    plan => 'starter', region => 'eu-helsinki' });
	is($r->{status}, 201, "order $n accepted") or diag $r->{content};
	return $r->{json}{id};
}
sub run_poller { $t->poller_once(@_) }
sub latest {	# series => value of an instance's newest scrape
	my ($id) = @_;
	return { map { $_->[0] => $_->[1] } $t->psql(q{
		SELECT series, value FROM metrics WHERE instance_id = :'i'
		AND at = (SELECT max(at) FROM metrics WHERE instance_id = :'i')}, i => $id) };
}

# ---- three active instances, provisioned the real way
my @ids = map { order($_) } 1 .. 3;
my $prov = $t->spawn(name => 'provision', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 60 });
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'}) == 3 },
    timeout => 30), 'three instances active') or diag explain [ $t->psql('SELECT state, last_error FROM instances') ];
$t->stop($prov);
my %ip = map { $_->[0] => $_->[1] } $t->psql(q{SELECT id, host(ipv4) FROM instances});
my %srv = map { $_->[0] => $_->[1] } $t->psql(q{SELECT id, hetzner_server_id FROM instances});
is($t->psql_one(q{SELECT count(*) FROM instance_secrets WHERE name = 'node_exporter_password'}), 3,
    'each instance has its node_exporter password');
my $plain = $t->http(GET => "http://$ip{$ids[0]}:9100/metrics");
is($plain->{status}, 400, 'plain HTTP to an exporter is refused: TLS only');
like($plain->{content}, qr/HTTP request to an HTTPS server/, "with Go's answer");
sub sim_exporter { $t->http(GET => "$sim/_sim/servers/$_[0]")->{json}{exporter} }
for my $id (@ids) {
	my $e = sim_exporter($srv{$id});
	is($e->{tls}, JSON::PP::true, "the exporter of $id serves TLS");
	like($e->{pin}, qr{^sha256//[A-Za-z0-9+/]{43}=$}, 'with a key of its own');
	is($t->psql_one(q{SELECT exporter_pin FROM instances WHERE id = :'i'}, i => $id), $e->{pin},
	    'its ready call pinned that key');
}

# ---- first cycle
is(run_poller('metrics'), 0, 'metrics cycle exits 0');
my @all = qw(cpu_seconds disk_free disk_total load1 mem_available mem_total net_rx_bytes net_tx_bytes up);
for my $id (@ids) {
	my $l = latest($id);
	is(join(' ', sort keys %$l), join(' ', @all), "every series stored for $id");
	is($l->{up}, 1, 'up = 1');
	cmp_ok($l->{mem_total}, '>', 0, 'mem_total');
	cmp_ok($l->{disk_free}, '<', $l->{disk_total}, 'disk free < total');
	cmp_ok($l->{cpu_seconds}, '>=', 0, 'cpu_seconds');
}
is($t->psql_one(q{SELECT count(*) FROM poller_heartbeats WHERE mode = 'metrics'}), 1, 'metrics heartbeat');

# ---- second cycle: cpu_util from the previous sample
my $t0 = time;
sleep 0.05 while time - $t0 < 1.2;	# cpu_util needs a second between scrapes
is(run_poller('metrics'), 0, 'second cycle');
for my $id (@ids) {
	my $l = latest($id);
	ok(defined $l->{cpu_util} && $l->{cpu_util} >= 0 && $l->{cpu_util} <= 100,
	    "cpu_util in 0..100 for $id") or diag explain $l;
}

# ---- a powered-off server and a wrong password: up = 0
my $r = $t->http(POST => "$sim/hetzner/v1/servers/$srv{$ids[1]}/actions/poweroff",
    headers => { Authorization => "Bearer $OCH::Stack::SIM{hetzner_token}" });
is($r->{status}, 201, 'poweroff accepted');
ok($t->wait_for(sub { ($t->http(GET => "$sim/_sim/servers/$srv{$ids[1]}")->{json}{status} // '') eq 'off' },
    timeout => 10), 'server off');
my $wrong = 'wrong-exporter-password-4242';
my $sealed = $t->seal("instance_secrets:$ids[2]:node_exporter_password", $wrong);
$t->psql(q{UPDATE instance_secrets SET value_enc = :'v'::bytea WHERE instance_id = :'i'
	AND name = 'node_exporter_password'}, v => $sealed, i => $ids[2]);
is(run_poller('metrics'), 0, 'a cycle with failing targets still exits 0');
my $l = latest($ids[1]);
is_deeply($l, { up => 0 }, 'powered-off server: up = 0 only');
$l = latest($ids[2]);
is_deeply($l, { up => 0 }, 'wrong password: up = 0 only');
is(latest($ids[0])->{up}, 1, 'the healthy one still up');
my $logtext = do { local $/; open my $fh, '<', $t->dir . '/poller-metrics.log'; <$fh> };
like($logtext, qr/\Q$ids[2]\E.*HTTP 401/, 'the 401 is logged with the instance');
unlike($logtext, qr/\Q$wrong\E/, 'the password is not');
like($logtext, qr/3 targets, 1 up, 2 down/, 'the cycle summary');

# ---- maintain: hourly rollup and retention
$t->psql(q{SELECT metrics_ensure_partition((now() AT TIME ZONE 'UTC')::date - 40)});
is(run_poller('maintain', METRICS_RETENTION_DAYS => 30), 0, 'maintain exits 0');
is($t->psql_one(q{SELECT count(*) FROM pg_class WHERE relname =
	'metrics_' || to_char((now() AT TIME ZONE 'UTC')::date - 40, 'YYYYMMDD')}), 0,
    'a partition older than the retention dropped');
cmp_ok($t->psql_one(q{SELECT count(*) FROM metrics}), '>', 0, 'recent samples kept');
my ($samples) = $t->psql_one(q{SELECT sum(samples) FROM metrics_hourly WHERE series = 'up' AND instance_id = :'i'},
    i => $ids[0]);
is($samples, 3, 'hourly rollup counts the three up samples');

# ---- the API
my $own = $t->sso_session($ids[0]);
my $other = $t->sso_session($ids[1]);
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics?series=cpu_util,up&range=1h", headers => $own);
is($r->{status}, 200, 'owner reads metrics') or diag $r->{content};
is($r->{json}{resolution}, 'raw', '1h is raw');
is(scalar @{ $r->{json}{series}{up} // [] }, 3, 'three up points');
cmp_ok(scalar @{ $r->{json}{series}{cpu_util} // [] }, '>=', 1, 'cpu_util points (a second apart or more)');
ok($r->{json}{series}{up}[0]{t} > 1e9 && $r->{json}{series}{up}[0]{v} == 1, 'points are {t, v}');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics", headers => $own);
is(join(',', keys %{ $r->{json}{series} // {} }), 'cpu_util', 'cpu_util by default');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics?series=load1&range=24h", headers => $own);
is($r->{json}{resolution}, 'hour', '24h reads the hourly rollup');
my $h = $r->{json}{series}{load1}[0] // {};
ok(defined $h->{min} && defined $h->{max} && $h->{min} <= $h->{v} && $h->{v} <= $h->{max},
    'hourly points carry min <= avg <= max') or diag explain $r->{json};
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics?series=up", headers => $other);
is($r->{status}, 404, "another customer's instance is 404");
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics?series=up");
is($r->{status}, 401, 'no session: 401');
$r = $t->http(GET => "/api/v1/instances/00000000-0000-0000-0000-000000000000/metrics", headers => $own);
is($r->{status}, 404, 'unknown instance 404');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics?range=2y", headers => $own);
is($r->{status}, 400, 'bad range 400');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics?series=password", headers => $own);
is($r->{status}, 400, 'a series off the whitelist is 400');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/metrics?series=up,up", headers => $own);
is($r->{status}, 400, 'a repeated series is 400');
$r = $t->signed(GET => "/api/v1/instances/$ids[1]/metrics?series=up&range=6h");
is($r->{status}, 200, 'the billing system (HMAC) reads any instance');
is($r->{json}{series}{up}[-1]{v}, 0, 'and sees the powered-off one down');

$t->psql(q{INSERT INTO ai_usage (instance_id, day, provider, model, input_tokens, output_tokens, cost_usd)
	VALUES (:'i', current_date, 'anthropic', 'claude-sonnet-4', 1000, 200, 0.25),
	       (:'i', current_date - 1, 'openai', 'gpt-5', 10, 20, 0.5),
	       (:'i', current_date - 100, 'openai', 'gpt-5', 1, 1, 1)}, i => $ids[0]);
$r = $t->http(GET => "/api/v1/instances/$ids[0]/ai-usage?days=30", headers => $own);
is($r->{status}, 200, 'owner reads AI usage');
is(scalar @{ $r->{json}{usage} // [] }, 2, 'rows within 30 days');
is($r->{json}{usage}[0]{provider}, 'anthropic', 'newest first');
is($r->{json}{totals}{input_tokens}, 1010, 'input token total');
is($r->{json}{totals}{cost_usd}, 0.75, 'cost total');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/ai-usage", headers => $other);
is($r->{status}, 404, "another customer's AI usage is 404");
$r = $t->http(GET => "/api/v1/instances/$ids[0]/ai-usage?days=0", headers => $own);
is($r->{status}, 400, 'days=0 is 400');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/ai-usage?days=400", headers => $own);
is($r->{status}, 400, 'days=400 is 400');

# ---- an impostor on a server's address: another key, no password, no data
my $e0 = sim_exporter($srv{$ids[0]});
$r = $t->http(POST => "$sim/_sim/servers/$srv{$ids[0]}/impostor");
is($r->{status}, 200, 'an impostor answers on the address of the first server');
isnt($r->{json}{exporter}{pin}, $e0->{pin}, 'with another key');
my $before = $t->psql_one(q{SELECT count(*) FROM metrics WHERE instance_id = :'i' AND series <> 'up'}, i => $ids[0]);
unlink $t->dir . '/poller-metrics.log';
is(run_poller('metrics'), 0, 'a cycle with the impostor exits 0');
my $imp = sim_exporter($srv{$ids[0]});
cmp_ok($imp->{connections}, '>', 0, 'the poller did connect to the impostor');
is($imp->{requests}, 0, 'but sent it no request');
is($imp->{requests_with_credentials}, 0, 'so no password');
is_deeply(latest($ids[0]), { up => 0 }, 'the impostor: up = 0 only');
is($t->psql_one(q{SELECT count(*) FROM metrics WHERE instance_id = :'i' AND series <> 'up'}, i => $ids[0]), $before,
    'nothing ingested from it');
$logtext = do { local $/; open my $fh, '<', $t->dir . '/poller-metrics.log'; <$fh> };
like($logtext, qr/\Q$ids[0]\E.*(?i:pinned)/, 'the key mismatch is logged with the instance');

# ---- a rebuild: a new disk, a new key, pinned by the new ready call
my $prov2 = $t->spawn(name => 'provision2', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 60 });
$r = $t->signed(POST => "/api/v1/instances/$ids[0]/rebuild");
is($r->{status}, 202, 'rebuild accepted') or diag $r->{content};
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'i'
	AND kind = 'state.active' AND from_state = 'rebuilding'}, i => $ids[0]) == 1 }, timeout => 30),
    'the rebuilt server called ready');
$t->stop($prov2);
my $e1 = sim_exporter($srv{$ids[0]});
isnt($e1->{pin}, $imp->{pin}, 'the rebuilt server has a new key');
is($t->psql_one(q{SELECT exporter_pin FROM instances WHERE id = :'i'}, i => $ids[0]), $e1->{pin},
    'and its ready call pinned it');
is(run_poller('metrics'), 0, 'a cycle after the rebuild');
is(latest($ids[0])->{up}, 1, 'the rebuilt server is scraped again');
cmp_ok(sim_exporter($srv{$ids[0]})->{requests_with_credentials}, '>', 0, 'with the password, to the pinned key');

# ---- a long-lived metrics poller: cycles every METRICS_INTERVAL_SECONDS
# over connections kept from one cycle to the next; a pin that changes
# between cycles is not served by the connection made under the old one
my $up_rows = sub { $t->psql_one(q{SELECT count(*) FROM metrics WHERE instance_id = :'i'
	AND series = 'up'}, i => $ids[0]) };
my $n0 = $up_rows->();
my $x0 = sim_exporter($srv{$ids[0]});
my $w0 = sim_exporter($srv{$ids[2]});
my $long = $t->spawn(name => 'metrics-long', cmd => [ $t->bin('poller/och-poller'), 'metrics' ],
    env => { $t->env, POLLER_RUN_SECONDS => 300, METRICS_INTERVAL_SECONDS => 1 });
ok($t->wait_for(sub { $up_rows->() >= $n0 + 3 }, timeout => 60), 'one poller process ran three cycles');
my $x1 = sim_exporter($srv{$ids[0]});
cmp_ok($x1->{requests} - $x0->{requests}, '>=', 3, 'three scrapes of the healthy target');
is($x1->{connections} - $x0->{connections}, 1, 'over one connection, kept between cycles');
is(latest($ids[0])->{up}, 1, 'every series still stored');
my $w1 = sim_exporter($srv{$ids[2]});
cmp_ok($w1->{requests_with_credentials} - $w0->{requests_with_credentials}, '>=', 3,
    'the wrong password is sent again every cycle');
is_deeply(latest($ids[2]), { up => 0 }, 'and refused every time');
# the server keeps its key; the pin now names another one (as if the
# address had been taken over): the kept connection must not carry a request
$t->psql(q{UPDATE instances SET exporter_pin = :'p' WHERE id = :'i'}, p => $imp->{pin}, i => $ids[0]);
ok($t->wait_for(sub { latest($ids[0])->{up} == 0 }, timeout => 30), 'after the pin changed the target is down');
my $x2 = sim_exporter($srv{$ids[0]});
my $n2 = $up_rows->();
ok($t->wait_for(sub { $up_rows->() >= $n2 + 2 }, timeout => 30), 'two more cycles');
my $x3 = sim_exporter($srv{$ids[0]});
is($x3->{requests}, $x2->{requests}, 'no request reached the server after the pin changed');
cmp_ok($x3->{connections} - $x2->{connections}, '>=', 2, 'a new handshake each cycle, refused by the pin');
is_deeply(latest($ids[0]), { up => 0 }, 'up = 0 only');
$t->psql(q{UPDATE instances SET exporter_pin = :'p' WHERE id = :'i'}, p => $e1->{pin}, i => $ids[0]);
ok($t->wait_for(sub { latest($ids[0])->{up} == 1 }, timeout => 30), 'the right pin again: scraped again');
$t->stop($long);
$logtext = do { local $/; open my $fh, '<', $long->{log}; <$fh> };
like($logtext, qr/pinned key changed; kept connections closed/, 'the change is logged');
unlike($logtext, qr/\Q$wrong\E/, 'the password is not');

# ---- the ready call's pin is checked
$r = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => 'ab' x 32,
    exporter_pin => 'sha256//not-a-pin' });
is($r->{status}, 400, 'a malformed exporter_pin is refused');

$t->done_testing;
