# The warm pool with the real och-agent (cloud-init/och-agent) on the
# simulated servers (the stand-in openclaw CLI, t/bin/openclaw): the pool
# server's agent trades its one-time pool token, waits polling
# /api/v1/agent/pool with no customer's credentials or secrets, and when
# an order claims it makes the instance's ready call, takes the
# instance's name into och-setup's vps.env and runs as that instance's
# agent (its first report arrives); the pool token is then refused.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);
use OCH::PoolOrder qw(pool_order);
use JSON::PP;

sub have { system("command -v '$_[0]' >/dev/null 2>&1") == 0 }
plan skip_all => 'curl and jq are needed' unless have('curl') && have('jq');

my $t = OCH::Test->new;
my $dir = $t->dir;
$t->start_pg;
# the agents' gateway: the stand-in gateway (t/bin/openclaw-gateway)
$t->start_sim_agents('--state-dir', "$dir/state", '--create-delay', '0.2', '--boot-delay', '0.3',
    '--action-delay', '0.2');
my $sim = $t->sim_url;
$t->start_api(binaries => [qw(instances agent auth settings)],
    config => { BOOT_TIMEOUT => 60, POLLER_BACKOFF_MS => 200 });
$t->psql("INSERT INTO pool_targets (plan, region, target, monthly_cents) VALUES ('starter', 'eu-helsinki', 1, 500)");
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 300 });
sub one { $t->psql_one(@_) }
sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }
sub simserver { $t->http(GET => "$sim/_sim/servers/$_[0]")->{json} }

ok($t->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE state = 'ready'") == 1 }, timeout => 90),
    'the pool server reported in');
my $sid = one("SELECT hetzner_server_id FROM pool_servers WHERE state = 'ready'");
my $s = simserver($sid);
my $adir = $s->{agent}{dir};
ok($adir && -d $adir, 'its agent runs in its folder');
ok($t->wait_for(sub { -s "$adir/pool.json" }, timeout => 20), 'the agent keeps its pool token');
is(sprintf('%04o', (stat "$adir/pool.json")[2] & 07777), '0600', 'in a 0600 file');
ok(!-e "$adir/agent.json", 'and holds no agent token');
unlike(slurp("$adir/root/etc/och-agent/bootstrap.env") // '', qr/OCH_BOOTSTRAP_TOKEN/,
    'the one-time token left the bootstrap file') or diag slurp("$adir/agent.log");
my $polls = one("SELECT last_seen_at FROM pool_servers WHERE hetzner_server_id = :'s'", s => $sid);
ok($t->wait_for(sub { one("SELECT last_seen_at > :'p'::timestamptz FROM pool_servers WHERE hetzner_server_id = :'s'",
    p => $polls, s => $sid) eq 't' }, timeout => 20), 'it keeps polling (its health check)');
my $pool_tok = decode_json(slurp("$adir/pool.json"))->{pool_token};

my $id = pool_order($t, $adir, $sid, 4561, 4561, 60);
ok($t->wait_for(sub { -s "$adir/agent.json" }, timeout => 10), 'the agent holds the instance\'s agent token');
ok(!-e "$adir/pool.json", 'and no pool token any more');
is(eval { decode_json(slurp("$adir/agent.json"))->{instance_id} }, $id, 'for this instance');
my $slug = one("SELECT slug FROM instances WHERE id = :'i'", i => $id);
ok($t->wait_for(sub { (slurp("$adir/root/etc/och/vps.env") // '') =~ /^OCH_FQDN=\Q$slug\E\.och\.test$/m },
    timeout => 20), 'och-setup\'s FQDN is the instance\'s name now') or diag slurp("$adir/agent.log");
ok($t->wait_for(sub { one("SELECT count(*) FROM agent_reports WHERE instance_id = :'i'", i => $id) > 0 }, timeout => 60),
    'the instance\'s first report arrived');
# the first report is quick (no CLI call: gateway ready on the customer's
# page at once); a full one follows after the long poll
ok($t->wait_for(sub { one("SELECT coalesce(jsonb_typeof(channels) = 'object', false)"
    . " FROM agent_reports WHERE instance_id = :'i'", i => $id) eq 't' }, timeout => 60),
    'then a full report: the channels\' status (`openclaw channels status`)');
# ---- the customer's page: each step with its time
my $me = session_of(sso_login($t, $id));
my $prog;
ok($t->wait_for(sub { $prog = $t->http(GET => "/api/v1/instances/$id/progress", headers => $me)->{json};
    $prog && $prog->{done} }, timeout => 60), 'progress: done (the gateway answers)') or diag explain $prog;
is_deeply([ map { $_->{step} } @{ $prog->{steps} } ], [qw(server dns configured certificate gateway_ready)],
    'the five steps in order');
ok($prog->{warm}, 'from the warm pool');
ok(!grep({ !defined $_->{at} } @{ $prog->{steps} }), 'every step has its time');
my @el = map { $_->{elapsed_s} } @{ $prog->{steps} };
ok($el[0] <= $el[2] && $el[2] <= $el[4], "elapsed times grow (@el)");
is($prog->{elapsed_s}, $el[4], 'order to gateway ready overall');
is($t->http(GET => "/api/v1/instances/$id/progress")->{status}, 401, 'progress needs a session');
my $r = $t->http(POST => '/api/v1/agent/pool', headers => { Authorization => "Bearer $pool_tok" }, body => {});
is($r->{status}, 401, 'the pool token is refused after the ready call');
my $log = slurp("$adir/agent.log") // '';
unlike($log, qr/\Q$pool_tok\E/, 'the pool token never reached the agent log');
# the order brought no env entries: its gateway token went into
# openclaw.json, taken live (the stand-in gateway's health answered it),
# and the pool server's gateway was not restarted
like($log, qr/config: gateway token applied without a restart/, 'the claim: the gateway took the token live')
    or diag $log;
unlike($log, qr/restarting the gateway/, 'no gateway restart for the claim');
# the simulated pool server has no onboarded openclaw.json (och-setup's
# throwaway token): the agent cannot use the admin RPC config.patch and
# the CLI applies the patch (t/735 shows the RPC way on the real gateway)
like($log, qr/config: the gateway's current token is unknown; the CLI instead/,
    'the claim: the CLI applied the patch, no token to reach the admin RPC with') or diag $log;
unlike($log, qr/patched through the gateway's admin RPC/, 'not the RPC');
my $gwtok = eval { decode_json(slurp("$adir/agent.json"))->{secrets}{gateway_token} } // '';
is(eval { decode_json(slurp("$adir/root/home/openclaw/.openclaw/openclaw.json"))->{gateway}{auth}{token} }, $gwtok,
    'the instance\'s gateway token is in openclaw.json');
$t->done_testing;
