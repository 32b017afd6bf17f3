# agent.fcgi beyond ready (cloud-init/AGENT-PROTOCOL.md): the config with
# its ETag, the long poll woken by NOTIFY, command results, reports; and an
# agent token reaches its own instance only.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;
use Time::HiRes qw(time);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances agent)], config => { CLOUDFLARE_DOMAIN => 'och.test' });

# two instances, each made ready with its own bootstrap token
my %agent = map { $_ => $t->ready_agent($_) } 1, 2;
my ($a1, $a2) = @agent{1, 2};
sub as { my ($a, $m, $p, %o) = @_; $t->http($m => $p, %o, headers => { Authorization => "Bearer $a->{token}", %{ $o{headers} // {} } }) }

my $r = as($a1, GET => '/api/v1/agent/config');
is($r->{status}, 200, 'config');
my $c = $r->{json};
my $rev = $c->{revision};
is($r->{headers}{etag}, "\"$rev\"", 'ETag is the quoted revision');
is($c->{openclaw}{gateway}{mode}, 'local', 'gateway.mode local');
is($c->{openclaw}{gateway}{bind}, 'loopback', 'bound to loopback');
is($c->{openclaw}{gateway}{auth}{token}, '${OPENCLAW_GATEWAY_TOKEN}', 'a placeholder for the token (the agent puts its own in its place)');
is_deeply($c->{openclaw}{gateway}{trustedProxies}, ['127.0.0.1'], 'trustedProxies');
my $slug = $t->psql_one("SELECT slug FROM instances WHERE id = :'i'", i => $a1->{id});
is_deeply($c->{openclaw}{gateway}{controlUi}{allowedOrigins}, ["https://$slug.och.test"], 'controlUi.allowedOrigins is the instance');
is_deeply($c->{env}, {}, 'no provider keys yet');
unlike(JSON::PP->new->canonical->encode($c->{openclaw}), qr/\Q$a1->{gw}\E/, 'the gateway token itself is not in the rendered config');
is($c->{gateway_token}, $a1->{gw}, 'it travels beside it, for the agent (a rotation reaches the VPS this way)');
is(as($a1, GET => '/api/v1/agent/config', headers => { 'If-None-Match' => "\"$rev\"" })->{status}, 304, 'unchanged: 304');

# settings change: a Telegram channel with its token, an AI key, a skill, a model
my $tg = '123456:ABC-def_ghi';
$t->psql("INSERT INTO channels (instance_id, kind, dm_policy, allow_from, secret_enc) VALUES (:'i', 'telegram', 'allowlist', '{tg:42}', :'s')",
    i => $a1->{id}, s => $t->seal("channels:$a1->{id}:telegram", qq({"bot_token":"$tg"})));
$t->psql("INSERT INTO ai_keys (instance_id, provider, key_enc, last4) VALUES (:'i', 'anthropic', :'s', 'wxyz')",
    i => $a1->{id}, s => $t->seal("ai_keys:$a1->{id}:anthropic", 'sk-ant-test-wxyz'));
$t->psql("INSERT INTO instance_skills (instance_id, skill) VALUES (:'i', 'weather')", i => $a1->{id});
$t->psql("UPDATE instances SET model_primary = 'anthropic/claude-sonnet-4-5' WHERE id = :'i'", i => $a1->{id});
# a key sealed for the other instance and copied here does not open
$t->psql("INSERT INTO ai_keys (instance_id, provider, key_enc) VALUES (:'i', 'openai', :'s')",
    i => $a1->{id}, s => $t->seal("ai_keys:$a2->{id}:openai", 'sk-copied'));
$t->allow_log(qr/ai key openai of .* does not open/);

$r = as($a1, GET => '/api/v1/agent/config', headers => { 'If-None-Match' => "\"$rev\"" });
is($r->{status}, 200, 'a settings change gives a new revision');
$c = $r->{json};
ok($c->{revision} > $rev, 'revision increased');
is($c->{openclaw}{channels}{telegram}{botToken}, '${TELEGRAM_BOT_TOKEN}', 'channel token by reference');
is($c->{openclaw}{channels}{telegram}{dmPolicy}, 'allowlist', 'dmPolicy');
is_deeply($c->{openclaw}{channels}{telegram}{allowFrom}, ['tg:42'], 'allowFrom');
is($c->{env}{TELEGRAM_BOT_TOKEN}, $tg, 'channel token in env');
is($c->{env}{ANTHROPIC_API_KEY}, 'sk-ant-test-wxyz', 'provider key in env');
ok(!exists $c->{env}{OPENAI_API_KEY}, 'a key copied from another row does not open');
is_deeply($c->{skills}, [ { slug => '@openclaw/weather', version => '' } ], 'skills');
is($c->{openclaw}{agents}{defaults}{model}{primary}, 'anthropic/claude-sonnet-4-5', 'model');
$rev = $c->{revision};

# every key of the generated gateway configuration is one that
# reference/openclaw.md documents for the pinned OpenClaw 2026.9.6 ("Key
# schema": gateway, models/agents, channels, DM policy, plugins entries)
$t->psql("INSERT INTO channels (instance_id, kind, secret_enc) VALUES (:'i', 'slack', :'s'), (:'i', 'discord', :'d'), (:'i', 'whatsapp', NULL)",
    i => $a1->{id}, s => $t->seal("channels:$a1->{id}:slack", '{"bot_token":"xoxb-1234567890","app_token":"xapp-1234567890"}'),
    d => $t->seal("channels:$a1->{id}:discord", '{"token":"discord.token.12345"}'));
my $full = as($a1, GET => '/api/v1/agent/config')->{json};
my %documented = map { $_ => 1 } (
	'gateway.mode', 'gateway.port', 'gateway.bind', 'gateway.auth.mode', 'gateway.auth.token',
	'gateway.trustedProxies', 'gateway.controlUi.enabled', 'gateway.controlUi.allowedOrigins',
	'gateway.publicOrigin', 'agents.defaults.model.primary', 'agents.defaults.model.fallbacks',
	'plugins.entries.*.enabled',
	map({ ("channels.$_.enabled", "channels.$_.dmPolicy", "channels.$_.allowFrom") } qw(telegram discord slack whatsapp)),
	'channels.telegram.botToken', 'channels.discord.token', 'channels.slack.botToken', 'channels.slack.appToken');
my @paths;
my $walk;
$walk = sub {
	my ($node, $path) = @_;
	if (ref $node eq 'HASH' && !($path =~ /\.(allowedOrigins|trustedProxies|allowFrom|fallbacks)$/)) {
		$walk->($node->{$_}, $path eq '' ? $_ : "$path.$_") for keys %$node;
	} else {
		push @paths, $path;
	}
};
$walk->($full->{openclaw}, '');
my @unknown = grep { my $p = $_; (my $w = $p) =~ s/^plugins\.entries\.[^.]+\./plugins.entries.*./; !$documented{$w} } sort @paths;
is_deeply(\@unknown, [], 'OpenClaw 2026.9.6: the generated config uses only documented keys (' . scalar(@paths) . ' paths)');
ok(scalar(grep { /^channels\.slack\./ } @paths) >= 3, 'slack rendered');
is($full->{env}{SLACK_APP_TOKEN}, 'xapp-1234567890', 'slack app token by env');
is($full->{env}{DISCORD_BOT_TOKEN}, 'discord.token.12345', 'discord token by env');
# OpenClaw 2026.9.6 loads the external channel plugins only when enabled
is_deeply({ map { $_ => $full->{openclaw}{plugins}{entries}{$_}{enabled} } qw(whatsapp discord slack admin-http-rpc) },
    { map { $_ => JSON::PP::true } qw(whatsapp discord slack admin-http-rpc) },
    'plugins.entries: whatsapp, discord, slack and admin-http-rpc enabled');
ok(!exists $full->{openclaw}{plugins}{entries}{telegram}, 'telegram is bundled: no entry');
ok(!exists $full->{openclaw}{commands}, 'no command owner before a pairing approval');
$rev = $full->{revision};

# the other instance sees nothing of it
$r = as($a2, GET => '/api/v1/agent/config');
is_deeply($r->{json}{env}, {}, "another instance's agent gets its own (empty) env");
ok(!$r->{json}{openclaw}{channels}{telegram}, 'and not the channel');

# long poll: returns at once on a revision change, waits otherwise, wakes on NOTIFY
$r = as($a1, GET => '/api/v1/agent/commands?wait=5&config_revision=' . ($rev - 1));
is($r->{status}, 200, 'long poll');
is($r->{json}{config_revision}, $rev, 'answers at once with the newer revision');
my $t0 = time;
$r = as($a1, GET => "/api/v1/agent/commands?wait=1&config_revision=$rev");
is_deeply($r->{json}{commands}, [], 'nothing pending: empty list after the wait');
ok(time - $t0 >= 0.9, 'it did wait');
my $pid = fork;
if ($pid == 0) {
	select undef, undef, undef, 0.5;
	$t->psql("INSERT INTO instance_commands (instance_id, kind, args) VALUES (:'i', 'pairing_approve', '{\"channel\":\"telegram\",\"code\":\"ABCD2345\"}')",
	    i => $a1->{id});
	POSIX::_exit(0);
}
# woken, not timed out: the answer comes before the poll's own 25 s wait
# ends (an order of events, not a speed: the command lands after 0.5 s)
$t0 = time;
$r = as($a1, GET => "/api/v1/agent/commands?wait=25&config_revision=$rev");
waitpid($pid, 0);
ok(time - $t0 < 25, 'a new command wakes the long poll before its wait ends');
is(scalar @{ $r->{json}{commands} }, 1, 'one command');
my $cmd = $r->{json}{commands}[0];
is($cmd->{type}, 'pairing_approve', 'its type');
is($cmd->{args}{code}, 'ABCD2345', 'its args');
is(as($a2, GET => '/api/v1/agent/commands?wait=0')->{json}{commands}->@*, 0, "another agent does not get it");
is(as($a1, GET => '/api/v1/agent/commands?wait=0')->{json}{commands}[0]{id}, $cmd->{id}, 'delivered again until a final result');

is(as($a2, POST => "/api/v1/agent/commands/$cmd->{id}", body => { status => 'ok' })->{status}, 404,
    "another agent cannot answer for it");
is(as($a1, POST => "/api/v1/agent/commands/$cmd->{id}", body => { status => 'maybe' })->{status}, 400, 'bad status: 400');
is(as($a1, POST => "/api/v1/agent/commands/$cmd->{id}", body => { status => 'ok', output => 'x' })->{status}, 400, 'output must be an object');
is(as($a1, POST => "/api/v1/agent/commands/$cmd->{id}", body => { status => 'ok', output => { channel => 'telegram' } })->{status}, 204,
    'result accepted');
is($t->psql_one("SELECT status FROM instance_commands WHERE id = :'c'", c => $cmd->{id}), 'done', 'command done');
# the owner the first approval named is rendered from then on (a rebuilt
# VPS keeps it; our writes never drop the one `pairing approve` set)
$t->psql("INSERT INTO instance_commands (instance_id, kind, status, result) VALUES
    (:'i', 'pairing_approve', 'done', '{\"output\":{\"owner\":\"telegram:99\"}}'),
    (:'i', 'pairing_approve', 'done', '{\"output\":{\"owner\":\"bad owner;\"}}')", i => $a2->{id});
is_deeply(as($a1, GET => '/api/v1/agent/config')->{json}{openclaw}{commands}, undef,
    'an approval result without an owner names none');
is_deeply(as($a2, GET => '/api/v1/agent/config')->{json}{openclaw}{commands}, { ownerAllowFrom => ['telegram:99'] },
    'commands.ownerAllowFrom: the first approved owner');
is(as($a1, POST => "/api/v1/agent/commands/$cmd->{id}", body => { status => 'error' })->{status}, 409, 'a second final result: 409');
is(as($a1, POST => '/api/v1/agent/commands/999999', body => { status => 'ok' })->{status}, 404, 'unknown command: 404');
is(as($a1, GET => '/api/v1/agent/commands?wait=abc')->{status}, 400, 'bad wait: 400');

# many agents waiting at once do not hold the (single) worker: their polls
# are parked, other requests are served meanwhile, and a NOTIFY answers
# each (one instance may park only a few: t/152)
my @many = map { $t->ready_agent(100 + $_) } 1 .. 20;
my @kids;
for my $k (1 .. 20) {
	my $a = $many[$k - 1];
	my $pid = fork;
	if ($pid == 0) {
		my $res = as($a, GET => "/api/v1/agent/commands?wait=25&config_revision=" .
		    $t->psql_one("SELECT config_revision FROM instances WHERE id = :'i'", i => $a->{id}));
		open my $fh, '>', $t->dir . "/poll$k.json"; print $fh $res->{status}, ' ', $res->{content}; close $fh;
		POSIX::_exit(0);
	}
	push @kids, $pid;
}
sleep 1;
is(scalar(grep { kill 0, $_ } @kids), 20, 'twenty long polls are waiting');
is(as($a1, GET => '/api/v1/agent/config')->{status}, 200, 'and the worker still serves other requests');
is(scalar(grep { waitpid($_, POSIX::WNOHANG()) == 0 } @kids), 20, 'while they keep waiting');
$t->psql("INSERT INTO instance_commands (instance_id, kind) SELECT unnest(:'ids'::uuid[]), 'restart'",
    ids => '{' . join(',', map { $_->{id} } @many) . '}');
ok($t->wait_for(sub { !grep { waitpid($_, POSIX::WNOHANG()) == 0 } @kids }, timeout => 20), 'a command answers all of them');
my @got = map { local (@ARGV, $/) = ($t->dir . "/poll$_.json"); <> } 1 .. 20;
is(scalar(grep { /^200 .*"type":"restart"/ } @got), 20, 'each got the command');

# report
my %report = (agent_version => '1', openclaw_version => '2026.9.6', time => time,
    health => { live => \1, ready => \1, failing => [] },
    channels => { telegram => { running => \1 } },
    pairing_requests => [ { channel => 'telegram', code => 'WXYZ9876', sender => 'tg:7' } ],
    usage => { daily => [ { date => '2026-11-26', input => 1200, output => 340, totalCost => 0.0123 } ] },
    config => { applied_revision => $rev, rejected_revision => undef, error => undef });
is(as($a1, POST => '/api/v1/agent/report', body => \%report)->{status}, 204, 'report accepted');
is($t->psql_one("SELECT version FROM agent_reports WHERE instance_id = :'i'", i => $a1->{id}), '2026.9.6', 'version stored');
is($t->psql_one("SELECT config_revision FROM agent_reports WHERE instance_id = :'i'", i => $a1->{id}), $rev, 'applied revision stored');
is($t->psql_one("SELECT pairing->0->>'code' FROM agent_reports WHERE instance_id = :'i'", i => $a1->{id}), 'WXYZ9876', 'pairing requests stored');
is($t->psql_one("SELECT input_tokens || '/' || output_tokens || '/' || cost_usd FROM ai_usage WHERE instance_id = :'i'", i => $a1->{id}),
    '1200/340/0.012300', 'usage stored per day');
$report{usage}{daily}[0]{input} = 1500;
as($a1, POST => '/api/v1/agent/report', body => \%report);
is($t->psql_one("SELECT input_tokens FROM ai_usage WHERE instance_id = :'i'", i => $a1->{id}), 1500, 'a later report replaces the day');
is(as($a1, POST => '/api/v1/agent/report', body => '{"health":', content_type => 'application/json')->{status}, 400, 'garbage report: 400');
is(as($a1, POST => '/api/v1/agent/report', body => { x => 'y' x (300 * 1024) })->{status}, 413, 'huge report: 413');
# (day 0 of this month: inside the window of days kept, t/321)
is(as($a1, POST => '/api/v1/agent/report', body => { usage => { daily => [ { date => POSIX::strftime('%Y-%m-00', gmtime), input => 1 } ] } })->{status}, 400,
    'an impossible date is refused');
ok($t->psql_one("SELECT last_seen_at IS NOT NULL FROM agent_tokens WHERE instance_id = :'i' AND revoked_at IS NULL", i => $a1->{id}) eq 't',
    'agent last seen recorded');

# tokens
is($t->http(GET => '/api/v1/agent/config')->{status}, 401, 'no token: 401');
is($t->http(GET => '/api/v1/agent/config', headers => { Authorization => 'Bearer ' . ('0' x 64) })->{status}, 401, 'unknown token: 401');
is($t->http(GET => '/api/v1/agent/config', headers => { Authorization => "Basic $a1->{token}" })->{status}, 401, 'not a bearer: 401');
$t->psql("UPDATE agent_tokens SET revoked_at = now() WHERE instance_id = :'i'", i => $a1->{id});
is(as($a1, GET => '/api/v1/agent/config')->{status}, 401, 'a revoked agent token: 401');

$t->done_testing;
