# A warm pool claim on the real OpenClaw gateway, in the default run: the
# pinned openclaw@2026.9.6 on Node 24 (scripts/openclaw-deps.sh, cached;
# this file fails, never skips, without it), PostgreSQL, the FastCGI
# binaries, och-poller provision with a pool target of 1 and
# cloud-init/och-agent on the pool server (och-cloudsim's agent mode, its
# gateway the real one; systemctl is t/bin/systemctl-gateway).  One bare
# gateway start, no channel plugin, no browser:
#   1. the pool server reports in and waits; its gateway is in the state
#      och-setup leaves at first boot on the plan's pre-built image (the
#      image's onboarded state, `och-setup image-state`; the first boot's
#      env file with a throwaway token, no openclaw call, no origin yet)
#      and running;
#   2. an order the WHMCS module's way claims it: the agent applies the
#      instance's config through the running gateway's admin RPC (with the
#      throwaway token, no CLI), the gateway takes the instance's token
#      live (the same process, no systemctl call), the order's origins are
#      the live config's and onboarding's keys are kept;
#   3. the customer's side: the token the dashboard reveals is accepted by
#      the gateway's admin RPC, the throwaway one refused, the pool token
#      refused by the control plane; the progress steps all there.
# bench/pool/real-claim.pl runs the same claim and says how long it took.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::OpenClaw;
use OCH::Login qw(session_of sso_login);
use OCH::PoolOrder qw(pool_order);
use JSON::PP;

my $t = OCH::Test->new;
my $dir = $t->dir;
sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }
sub one { $t->psql_one(@_) }

my $oc = OCH::OpenClaw->new($t);
ok($oc->ok, 'the real openclaw 2026.9.6 and Node 24 are installed (scripts/openclaw-deps.sh)')
    or BAIL_OUT('scripts/openclaw-deps.sh failed: ' . $oc->error);
# the pool server's agent log, kept where a failed run's log tails are
# printed (the simulator removes the server's folder when it stops)
my $alog;
sub keep_log {
	my $l = $alog && slurp($alog) or return;
	open my $fh, '>', "$dir/pool-agent.log" or return;
	print $fh $l;
	close $fh;
}
END {
	keep_log();
	$oc->unit('stop') if $oc && $oc->ok;
}

# ---------------------------------------------- 1. a pool server waiting
$t->start_pg;
{
	# the pool server's agent drives the real gateway (the simulator
	# passes its environment on); the CLI calls of its reports are
	# spaced out as in t/735
	local %ENV = (%ENV, $oc->agent_env, OCH_CLAWHUB_BIN => $t->src('t/bin/clawhub'),
	    OCH_POLL_WAIT => 5, OCH_REPORT_INTERVAL => 600, OCH_BACKOFF_MAX => 4, OCH_READY_TIMEOUT => 900,
	    OCH_USAGE_INTERVAL => 100000, OCH_PAIRING_INTERVAL => 100000);
	$t->start_sim('--agent', $t->src('cloud-init/och-agent'), '--create-delay', '0.2',
	    '--boot-delay', '0.3', '--action-delay', '0.2');
}
my $sim = $t->sim_url;
$t->start_api(binaries => [qw(instances agent auth settings)],
    config => { BOOT_TIMEOUT => 900, POLLER_BACKOFF_MS => 200 });
$t->psql("INSERT INTO pool_targets (plan, region, target, monthly_cents) VALUES ('starter', 'eu-helsinki', 1, 500)");
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 1800 });

ok($t->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE state = 'ready'") == 1 }, timeout => 120),
    'the pool server reported in');
my $sid = one("SELECT hetzner_server_id FROM pool_servers WHERE state = 'ready'");
my $adir = $t->http(GET => "$sim/_sim/servers/$sid")->{json}{agent}{dir} // '';
$alog = "$adir/agent.log";
ok($t->wait_for(sub { (slurp($alog) // '') =~ /pool: waiting for an order/ }, timeout => 60),
    'its agent waits for an order') or diag slurp($alog);
my ($poolfqdn) = (slurp("$adir/root/etc/och/vps.env") // '') =~ /^OCH_FQDN=(\S+)$/m;
like($poolfqdn // '', qr/^pool-[0-9a-f-]+\.och\.test$/, "the pool server's own name ($poolfqdn)");
my $pool_tok = eval { decode_json(slurp("$adir/pool.json"))->{pool_token} } // '';

# its first boot from the plan's pre-built image, as och-setup makes it
# (the agent waits meanwhile and touches nothing of the gateway's)
my ($rc, $out) = $oc->prebuilt_first_boot($poolfqdn);
is($rc, 0, "the image's onboarded state (och-setup image-state), then och-setup's first boot on it") or diag $out;
like(slurp("$dir/och-setup.log") // '', qr/the image's onboarded state: no openclaw call/,
    'och-setup: the first boot made no openclaw call');
my $throwaway = (slurp($oc->state . '/.env') // '') =~ /^OPENCLAW_GATEWAY_TOKEN=(\S+)$/m ? $1 : '';
ok(length $throwaway >= 32, "och-setup's throwaway gateway token in the env file");
my $ref = $oc->live->{gateway}{auth}{token};
ok(ref $ref eq 'HASH' && ($ref->{source} // '') eq 'env' && ($ref->{id} // '') eq 'OPENCLAW_GATEWAY_TOKEN',
    'openclaw.json refers to it (onboarding\'s env SecretRef)') or diag explain $ref;
$oc->unit('start');
ok($t->wait_for(sub { $oc->ready }, timeout => 900, interval => 1), 'the gateway is up')
    or diag substr($oc->gateway_log, -3000);
my ($code) = $oc->rpc('health', $throwaway);
is($code, 200, 'its admin RPC answers the throwaway token');
my $mainpid = slurp("$dir/gateway.main") // '';
chomp $mainpid;
my $onboarded = $oc->live;
ok(!exists $onboarded->{gateway}{controlUi} && !exists $onboarded->{gateway}{publicOrigin},
    'no origin yet (a server\'s name comes with its first config)') or diag explain $onboarded->{gateway};
my $polls = one("SELECT last_seen_at FROM pool_servers WHERE hetzner_server_id = :'s'", s => $sid);
ok($t->wait_for(sub { one("SELECT last_seen_at > :'p'::timestamptz FROM pool_servers WHERE hetzner_server_id = :'s'",
    p => $polls, s => $sid) eq 't' }, timeout => 60), 'the pool server still polls (its health check)');
is(one("SELECT count(*) FROM pool_servers WHERE state = 'ready'"), 1, 'and waits in the pool');

# ---------------------------------------------- 2. the order claims it
my $id = pool_order($t, $adir, $sid, 7370, 737, 120);
my $slug = one("SELECT slug FROM instances WHERE id = :'i'", i => $id);
my $host = "$slug.och.test";
sub rev { one("SELECT config_revision FROM instances WHERE id = :'i'", i => $id) }
sub reported { one("SELECT $_[0] FROM agent_reports WHERE instance_id = :'i'", i => $id) }
ok($t->wait_for(sub { (reported('config_revision') // 0) >= rev() }, timeout => 900, interval => 1),
    "the instance's config applied and reported") or diag explain [ reported('config_error'), slurp($alog) ];
is(reported('config_error'), undef, 'no config error');
my $log = slurp($alog) // '';
like($log, qr/pool: claimed by an order.*ready: registered as instance \Q$id\E/s, 'the agent: claimed, then registered');
like($log, qr/config: patched through the gateway's admin RPC/, "the patch went through the gateway's admin RPC")
    or diag $log;
unlike($log, qr/the CLI instead/, 'not the CLI');
like($log, qr/config: gateway token applied without a restart/, 'the instance\'s token taken live');
unlike($log, qr/restarting the gateway/, 'no gateway restart');
is_deeply([ grep { /openclaw-gateway/ } $oc->unit_calls ], ['start openclaw-gateway'],
    'no systemctl call for the gateway since its start');
my $mainnow = slurp("$dir/gateway.main") // '';
chomp $mainnow;
ok($mainpid =~ /^\d+$/ && $mainnow eq $mainpid && kill(0, $mainpid), "the same gateway process ($mainpid)");
(my $gwlog = $oc->gateway_log) =~ s/\e\[[0-9;]*m//g;
like($gwlog, qr/config hot reload applied \([^)]*gateway\.auth\.token/, "the gateway's log: the token applied live");

# ---------------------------------------------- 3. the customer's side
my $me = session_of(sso_login($t, $id));
my $tk = $t->http(POST => "/api/v1/instances/$id/gateway-token", headers => $me)->{json} // {};
my $gwtok = $tk->{token} // '';
ok(length $gwtok >= 24 && $gwtok ne $throwaway, 'the dashboard reveals the instance\'s gateway token');
is($tk->{control_ui_url}, "https://$host/#token=$gwtok", 'and its Control UI link');
my ($c1, $h) = $oc->rpc('health', $gwtok);
is($c1, 200, 'the gateway\'s admin RPC health accepts it');
ok($h && ref $h eq 'HASH', 'and answers');
($code) = $oc->rpc('health', $throwaway);
is($code, 401, 'och-setup\'s throwaway token: 401');
my $r = $t->http(POST => '/api/v1/agent/pool', headers => { Authorization => "Bearer $pool_tok" }, body => {});
is($r->{status}, 401, 'the pool token is refused by the control plane');
my $l = $oc->live;
is($l->{gateway}{auth}{token}, $gwtok, 'the token in the live openclaw.json');
is($l->{gateway}{auth}{mode}, 'token', 'token auth');
is_deeply($l->{gateway}{controlUi}{allowedOrigins}, ["https://$host"], "the order's Control UI origin");
is($l->{gateway}{publicOrigin}, "https://$host", 'its public origin');
is_deeply($l->{gateway}{trustedProxies}, ['127.0.0.1'], 'nginx the trusted proxy');
is($l->{plugins}{entries}{'admin-http-rpc'}{enabled}, JSON::PP::true, 'the admin RPC plugin enabled');
ok($l->{meta} && $l->{agents}{entries}{main} && $l->{wizard}, "onboarding's meta, main agent and wizard record kept")
    or diag explain $l;
is($oc->clobbered, 0, 'no .clobbered.* file');
unlike($oc->gateway_log, qr/auto-restored from backup/i, 'the gateway restored no backup over it');
unlike(slurp($oc->state . '/.env') // '', qr/\Q$gwtok\E/, 'the instance\'s token not in the env file');
ok($t->wait_for(sub { (slurp("$adir/root/etc/och/vps.env") // '') =~ /^OCH_FQDN=\Q$host\E$/m }, timeout => 60),
    'och-setup\'s FQDN is the instance\'s name now');
my $prog;
ok($t->wait_for(sub { $prog = $t->http(GET => "/api/v1/instances/$id/progress", headers => $me)->{json};
    $prog && $prog->{done} }, timeout => 900, interval => 1), 'progress: done (the gateway answers)')
    or diag explain [ $prog, slurp($alog) ];
is_deeply([ map { $_->{step} } @{ $prog->{steps} } ], [qw(server dns configured certificate gateway_ready)],
    'the five steps in order');
ok($prog->{warm}, 'from the warm pool');
ok(!grep({ !defined $_->{at} } @{ $prog->{steps} }), 'every step has its time') or diag explain $prog;
note('progress (s after the order): ' . join(', ', map { "$_->{step} " . ($_->{elapsed_s} // '-') } @{ $prog->{steps} })
    . sprintf(' (load %s)', (split ' ', slurp('/proc/loadavg') // '')[0] // '?'));
$log = slurp($alog) // '';
unlike($log, qr/\Q$gwtok\E/, 'the gateway token in no agent log line');
unlike($log, qr/\Q$throwaway\E/, 'the throwaway one neither');
unlike($log, qr/\Q$pool_tok\E/, 'nor the pool token');
keep_log();
$t->done_testing;
