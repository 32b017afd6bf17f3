# The first hour through the API (issue 10 items 2-5): honest status from
# the ready call and the reports (a failed setup is `failed`, the admins
# are emailed, no welcome email, the owner may retry = rebuild; a setup
# still running stays booting until a report says finished; no report =
# "waiting for the server"); the report's setup, TLS, channels, skills,
# devices and per-model usage kept and shown; the gateway token revealed
# (audited, in a Control UI URL fragment) and rotated (the agent's config
# carries the new one; WHMCS's ChangePassword rotates over HMAC); the AI
# model; WhatsApp's QR login relayed and its end (linked, timed out); a
# Control UI device approved.  The agent's side is played by this test
# with the agent's own requests.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Digest::SHA qw(sha256_hex);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances auth agent settings)],
    config => { ADMIN_EMAIL => 'ops@example.net', CLOUDFLARE_DOMAIN => 'och.test' });
$t->allow_log(qr/setup failed at step/);

my $n = 0;
sub order {
	$n++;
	$t->signed(POST => '/api/v1/instances', { whmcs_service_id => 3360 + $n, whmcs_client_id => 3360 + $n,
	    email => "fh$n\@example.com", plan => 'starter', region => 'eu-helsinki' })->{json}{id};
}
sub login { $t->sso_session($_[0]) }
# the instance booting with a bootstrap token, as the create step leaves it
sub boot {
	my ($id) = @_;
	my $boot = sprintf('%02x', $n) x 32;
	$t->psql("UPDATE instances SET state = 'booting' WHERE id = :'i'", i => $id);
	$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
	    h => sha256_hex($boot), i => $id);
	return $boot;
}
sub state { $t->psql_one("SELECT state FROM instances WHERE id = :'i'", i => $_[0]) }
sub mails { my ($id, $tmpl) = @_; $t->psql_one("SELECT count(*) FROM email_outbox WHERE instance_id = :'i' AND template = :'t'", i => $id, t => $tmpl) }
sub ag { my ($tok) = @_; { Authorization => "Bearer $tok" } }

my $channels_status = {    # the shape `openclaw channels status --json` prints (2026.9.6)
	channels => { telegram => { configured => \1, running => \1 } },
	channelAccounts => {
		telegram => [ { accountId => 'default', configured => \1, running => \1, connected => \1, lastError => undef } ],
		discord => [ { accountId => 'default', configured => \1, running => \0, lastError => '401: Unauthorized (invalid token)' } ],
	},
};

# ------------------------------------------------ 1. a failed setup
my $bad = order();
my $sb = login($bad);
my $r = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => boot($bad), agent_version => '1',
    setup => { ok => \0, step => 'openclaw', error => 'npm install failed', at => time } });
is($r->{status}, 200, 'a failed setup still gets its agent token (the agent keeps reporting)');
ok($r->{json}{agent_token}, 'agent token issued');
is(state($bad), 'failed', 'the instance is failed, not active');
like($t->psql_one("SELECT last_error FROM instances WHERE id = :'i'", i => $bad), qr/setup failed at step openclaw: npm install failed/, 'last_error says where and why');
is(mails($bad, 'welcome'), 0, 'no welcome email for a server that does not work');
is(mails($bad, 'provisioning_failed'), 1, 'the admins are emailed');
is($t->psql_one("SELECT to_email FROM email_outbox WHERE instance_id = :'i' AND template = 'provisioning_failed'", i => $bad), 'ops@example.net', '... at ADMIN_EMAIL');
$r = $t->http(GET => "/api/v1/instances/$bad/status", headers => $sb);
is($r->{status}, 200, 'status');
is($r->{json}{phase}, 'error', 'phase error');
like($r->{json}{error}, qr/npm install failed/, 'the reason is shown');
is($r->{json}{setup}{step}, 'openclaw', 'the setup state the ready call carried');
ok($r->{json}{retry_allowed}, 'retry offered');
is($t->http(POST => "/api/v1/instances/$bad/gateway-token", headers => $sb)->{status}, 200, 'its token exists (ready ran)');
$r = $t->http(POST => "/api/v1/instances/$bad/retry", headers => $sb);
is($r->{status}, 202, 'the owner retries');
is($r->{json}{pending_action}, 'rebuild', '... as a rebuild');
is(state($bad), 'active', 'back to active with the rebuild pending (the poller rebuilds)');
is($t->psql_one("SELECT pending_action FROM instances WHERE id = :'i'", i => $bad), 'rebuild', 'pending_action rebuild');
is($t->http(POST => "/api/v1/instances/$bad/retry", headers => $sb)->{status}, 409, 'a second retry: not failed any more');

# ------------------------------------------------ 2. setup still running
my $slow = order();
$r = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => boot($slow),
    setup => { ok => \0, step => 'running', at => time } });
is($r->{status}, 200, 'ready while och-setup is still running');
my $slow_ag = ag($r->{json}{agent_token});
is(state($slow), 'booting', 'stays booting');
is(mails($slow, 'welcome'), 0, 'no welcome yet');
$r = $t->http(POST => '/api/v1/agent/report', headers => $slow_ag, body => { agent_version => '1',
    health => { live => \1, ready => \1 }, setup => { ok => \1, step => 'finished', at => time } });
is($r->{status}, 204, 'report');
is(state($slow), 'active', 'the report saying finished activates it');
is(mails($slow, 'welcome'), 1, 'and the welcome email goes out once');

# ------------------------------------------------ 3. a good server, its reports
my $id = order();
my $other = order();
my $s = login($id);
my $so = login($other);
my $base = "/api/v1/instances/$id";
$r = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => boot($id),
    setup => { ok => \1, step => 'finished', prebuilt => \0, at => time } });
my $gw = $r->{json}{secrets}{gateway_token};
my $A = ag($r->{json}{agent_token});
is(state($id), 'active', 'finished setup: active');
$r = $t->http(GET => "$base/status", headers => $s);
is($r->{json}{phase}, 'waiting_for_server', 'no report yet: waiting for the server, not running');
is($r->{json}{openclaw_version}, undef, 'no version known yet');
is($t->http(GET => "$base/status", headers => $so)->{status}, 404, "another customer's instance: 404");

$t->http(POST => '/api/v1/agent/report', headers => $A, body => { health => { live => \1, ready => \0, failing => ['channels'] } });
is($t->http(GET => "$base/status", headers => $s)->{json}{phase}, 'gateway_not_ready', 'readyz not 200: gateway not ready');

$r = $t->http(POST => '/api/v1/agent/report', headers => $A, body => {
	agent_version => '1', openclaw_version => '2026.9.6', health => { live => \1, ready => \1, failing => [] },
	channels => $channels_status,
	skills => { installed => [ { slug => '@openclaw/weather', version => '1.0.0' } ], errors => ['@openclaw/github: install failed (404)'] },
	setup => { ok => \1, step => 'finished', at => time }, tls => { mode => 'self-signed', error => 'waiting for DNS', at => time },
	devices => [ { request_id => 'req-7f3a', name => 'Chrome on Linux', created_at => 1796284452066 } ],
	usage => { daily => [ { date => '2026-12-02', input => 100, output => 50, totalCost => 0.5 },
	                      { date => '2026-12-03', input => 1000, output => 300, totalCost => 1.25 } ],
	           models => [ { date => '2026-12-03', provider => 'anthropic', model => 'claude-sonnet-4-5', input => 700, output => 200, totalCost => 1.0 },
	                       { date => '2026-12-03', provider => 'openai', model => 'gpt-5-mini', input => 300, output => 100, totalCost => 0.25 } ] } });
is($r->{status}, 204, 'full report accepted');
$r = $t->http(GET => "$base/status", headers => $s);
my $st = $r->{json};
is($st->{phase}, 'running', 'phase running');
is($st->{openclaw_version}, '2026.9.6', 'the running OpenClaw version');
is($st->{tls}{mode}, 'self-signed', 'TLS state');
my %warn = map { $_->{code} => $_->{message} } @{ $st->{warnings} };
like($warn{tls_self_signed} // '', qr/self-signed.*waiting for DNS/, 'a self-signed certificate is a warning with its reason');
like($warn{skill_failed} // '', qr/github: install failed/, 'a skill that failed to install, and why');
like($warn{channel_error} // '', qr/discord: 401/, 'a channel error');
my %ch = map { $_->{kind} => $_ } @{ $st->{channels} };
is($ch{telegram}{state}, 'connected', 'telegram connected');
is($ch{discord}{state}, 'error', 'discord: error');
like($ch{discord}{error}, qr/invalid token/, '... with the gateway\'s reason');
is_deeply([ map { $_->{slug} } @{ $st->{skills}{installed} } ], ['@openclaw/weather'], 'installed skills');
is($st->{devices}[0]{request_id}, 'req-7f3a', 'a Control UI device waiting for approval');
my @u = $t->psql("SELECT day, provider, model, input_tokens, cost_usd FROM ai_usage WHERE instance_id = :'i' ORDER BY day, provider", i => $id);
is_deeply(\@u, [ [ '2026-12-02', 'all', 'all', 100, '0.500000' ],
    [ '2026-12-03', 'anthropic', 'claude-sonnet-4-5', 700, '1.000000' ], [ '2026-12-03', 'openai', 'gpt-5-mini', 300, '0.250000' ] ],
    'usage per provider and model where the agent splits it; per day otherwise');
$t->http(POST => '/api/v1/agent/report', headers => $A, body => { health => { live => \1, ready => \1 },
    usage => { daily => [ { date => '2026-12-03', input => 1000, output => 300, totalCost => 1.25 } ],
               models => [ { date => '2026-12-03', provider => 'anthropic', model => 'claude-sonnet-4-5', input => 700, output => 200, totalCost => 1.0 },
                           { date => '2026-12-03', provider => 'openai', model => 'gpt-5-mini', input => 300, output => 100, totalCost => 0.25 } ] } });
is($t->psql_one("SELECT sum(input_tokens) FROM ai_usage WHERE instance_id = :'i' AND day = '2026-12-03'", i => $id), 1000,
    'the same report again does not add up twice');
$t->psql("UPDATE agent_reports SET reported_at = now() - interval '10 minutes' WHERE instance_id = :'i'", i => $id);
is($t->http(GET => "$base/status", headers => $s)->{json}{phase}, 'not_reporting', 'a silent agent: not reporting, not running');

# ------------------------------------------------ 4. the gateway token
$r = $t->http(POST => "$base/gateway-token", headers => { Cookie => $s->{Cookie} });
is($r->{status}, 403, 'reveal needs the CSRF header');
$r = $t->http(POST => "$base/gateway-token", headers => $s);
is($r->{status}, 200, 'reveal');
is($r->{json}{token}, $gw, 'the token the VPS got');
my ($slug) = $t->psql_one("SELECT slug FROM instances WHERE id = :'i'", i => $id);
is($r->{json}{control_ui_url}, "https://$slug.och.test/#token=$gw", 'Control UI URL with the token in the fragment (never sent to a server)');
is($r->{headers}{'cache-control'}, 'no-store', 'not cached');
# the front line writes the record while the answer goes out (lib/srv.c)
is($t->wait_for(sub { $t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'instance.gateway_token_reveal'"
    . " AND object_id = :'i' AND status = 200", i => $id) }), 1, 'the reveal is audited');
is($t->http(POST => "/api/v1/instances/$id/gateway-token", headers => $so)->{status}, 404, "another customer: 404");
my $cfg = $t->http(GET => '/api/v1/agent/config', headers => $A);
my $rev = $cfg->{json}{revision};
is($cfg->{json}{gateway_token}, $gw, 'the agent config carries the current gateway token');

$r = $t->http(POST => "$base/gateway-token/rotate", headers => $s);
is($r->{status}, 200, 'rotate');
ok($r->{json}{rotated}, '{rotated: true}');
my $gw2 = $t->http(POST => "$base/gateway-token", headers => $s)->{json}{token};
ok($gw2 && $gw2 ne $gw, 'a new token');
like($gw2, qr/^[0-9a-f]{48}$/, '... of 24 random bytes');
$cfg = $t->http(GET => '/api/v1/agent/config', headers => { %$A, 'If-None-Match' => "\"$rev\"" });
is($cfg->{status}, 200, 'the rotation is a new config revision');
is($cfg->{json}{gateway_token}, $gw2, '... carrying the new token to the agent');
unlike($t->psql_one("SELECT encode(value_enc, 'escape') FROM instance_secrets WHERE instance_id = :'i' AND name = 'gateway_token'", i => $id) // '',
    qr/\Q$gw2\E/, 'sealed at rest');
$r = $t->signed(POST => "$base/gateway-token/rotate");
is($r->{status}, 200, 'WHMCS (HMAC) rotates too: ChangePassword');
isnt($t->http(POST => "$base/gateway-token", headers => $s)->{json}{token}, $gw2, '... another new token');
is($t->http(POST => "/api/v1/instances/$slow/gateway-token/rotate", headers => $s)->{status}, 404, "rotating another's: 404");

# ------------------------------------------------ 5. the AI model
$rev = $t->http(GET => '/api/v1/agent/config', headers => $A)->{json}{revision};
$r = $t->http(PUT => "$base/model", headers => $s, body => { primary => 'anthropic/claude-sonnet-4-5', fallbacks => ['openai/gpt-5-mini'] });
is($r->{status}, 204, 'model set');
$cfg = $t->http(GET => '/api/v1/agent/config', headers => $A)->{json};
ok($cfg->{revision} > $rev, 'a new revision');
is_deeply($cfg->{openclaw}{agents}{defaults}{model}, { primary => 'anthropic/claude-sonnet-4-5', fallbacks => ['openai/gpt-5-mini'] }, 'the agent applies primary and fallbacks');
for my $b ({ primary => 'no slash' }, { primary => 'a/b', fallbacks => ['a/b'] }, { primary => 'x/y', fallbacks => [ map { "p/m$_" } 1 .. 6 ] },
    { primary => undef, fallbacks => ['openai/gpt-5-mini'] }, { primary => 'x/y z' }) {
	is($t->http(PUT => "$base/model", headers => $s, body => $b)->{status}, 400, 'bad model refused: ' . join(',', map { $_ // 'null' } %$b));
}
is($t->http(GET => "$base/status", headers => $s)->{json}{model}{primary}, 'anthropic/claude-sonnet-4-5', 'a refused change loses nothing');
is($t->http(GET => "$base/status", headers => $s)->{json}{model}{available}, undef, 'no models reported yet: available null, any well-formed model taken');
# the models the VPS's OpenClaw offers (`models list --all --json`)
is($t->http(POST => '/api/v1/agent/report', headers => $A, body => { health => { live => \1, ready => \1, failing => [] },
    models => ['anthropic/claude-sonnet-4-6', 'anthropic/claude-opus-5', 'openai/gpt-6-astra', 'no slash', 42, 'x/' . 'y' x 200] })->{status},
    204, 'a report with the models offered');
is_deeply($t->http(GET => "$base/status", headers => $s)->{json}{model}{available},
    ['anthropic/claude-sonnet-4-6', 'anthropic/claude-opus-5', 'openai/gpt-6-astra'], 'status: the models available (malformed ones dropped)');
$r = $t->http(PUT => "$base/model", headers => $s, body => { primary => 'anthropic/claude-sonnet-4-5' });
is($r->{status}, 400, 'a model the instance does not offer: 400');
like($r->{json}{error}{message} // $r->{content}, qr{anthropic/claude-sonnet-4-5: not a model}, '... naming it');
$r = $t->http(PUT => "$base/model", headers => $s, body => { primary => 'anthropic/claude-opus-5', fallbacks => ['openai/gpt-5-mini'] });
is($r->{status}, 400, 'an unoffered fallback: 400');
is($t->http(GET => "$base/status", headers => $s)->{json}{model}{primary}, 'anthropic/claude-sonnet-4-5', 'refused: nothing changed');
is($t->http(PUT => "$base/model", headers => $s, body => { primary => 'anthropic/claude-opus-5', fallbacks => ['openai/gpt-6-astra'] })->{status},
    204, 'offered models taken');
is($t->http(POST => '/api/v1/agent/report', headers => $A, body => { health => { live => \1, ready => \1, failing => [] } })->{status},
    204, 'a report without models');
is(scalar @{ $t->http(GET => "$base/status", headers => $s)->{json}{model}{available} // [] }, 3, 'keeps the last list');

# ------------------------------------------------ 6. WhatsApp QR login
$r = $t->http(POST => "$base/whatsapp/login", headers => $s);
is($r->{status}, 409, 'no WhatsApp channel yet: 409');
like($r->{json}{error}{message}, qr/WhatsApp channel first/, '... saying what to do');
is($t->http(PUT => "$base/channels/whatsapp", headers => $s, body => { enabled => \1, dm_policy => 'pairing' })->{status}, 204, 'WhatsApp channel added');
$r = $t->http(POST => "$base/whatsapp/login", headers => $s);
is($r->{status}, 202, 'Connect WhatsApp queues the login');
my $cid = $r->{json}{command_id};
is($t->http(POST => "$base/whatsapp/login", headers => $s)->{json}{command_id}, $cid, 'a second click follows the same login');
$r = $t->http(GET => "$base/commands/$cid", headers => $s);
is($r->{json}{outcome}, 'waiting_for_server', 'queued: waiting for the server');
my $poll = $t->http(GET => '/api/v1/agent/commands?wait=0', headers => $A)->{json};
my ($cmd) = grep { $_->{id} eq $cid } @{ $poll->{commands} };
is($cmd->{type}, 'whatsapp_login', 'the agent gets the login command');
my $qr1 = 'data:image/png;base64,' . ('QUJD' x 20);
my $qr2 = 'data:image/png;base64,' . ('WFla' x 20);
is($t->http(POST => "/api/v1/agent/commands/$cid", headers => $A, body => { status => 'running', output => { qr => $qr1, account => 'default' } })->{status}, 204, 'agent relays the QR');
$r = $t->http(GET => "$base/commands/$cid", headers => $s);
is($r->{json}{outcome}, 'scan_qr', 'the page shows the QR');
is($r->{json}{qr}, $qr1, 'the QR itself');
is($t->http(GET => "/api/v1/instances/$id/commands/$cid", headers => $so)->{status}, 404, "another customer never sees the QR");
$t->http(POST => "/api/v1/agent/commands/$cid", headers => $A, body => { status => 'running', output => { qr => $qr2, account => 'default' } });
is($t->http(GET => "$base/commands/$cid", headers => $s)->{json}{qr}, $qr2, 'WhatsApp rotated the QR: the page gets the new one');
$t->http(POST => "/api/v1/agent/commands/$cid", headers => $A, body => { status => 'error', error => 'QR code not scanned in time',
    output => { account => 'default', linked => \0, reason => 'timeout' } });
$r = $t->http(GET => "$base/commands/$cid", headers => $s);
is($r->{json}{outcome}, 'timed_out', 'not scanned: timed out');
is($r->{json}{qr}, undef, 'the QR is gone');
$cid = $t->http(POST => "$base/whatsapp/login", headers => $s)->{json}{command_id};
$t->http(GET => '/api/v1/agent/commands?wait=0', headers => $A);
$t->http(POST => "/api/v1/agent/commands/$cid", headers => $A, body => { status => 'running', output => { qr => $qr1 } });
$t->http(POST => "/api/v1/agent/commands/$cid", headers => $A, body => { status => 'ok', output => { account => 'default', linked => \1 } });
is($t->http(GET => "$base/commands/$cid", headers => $s)->{json}{outcome}, 'linked', 'scanned: linked');
$cid = $t->http(POST => "$base/whatsapp/login", headers => $s)->{json}{command_id};
$t->psql("UPDATE instance_commands SET created_at = now() - interval '10 minutes' WHERE id = :'c'", c => $cid);
$r = $t->http(GET => "$base/commands/$cid", headers => $s);
is($r->{json}{outcome}, 'timed_out', 'an agent that never answers: timed out, not waiting forever');
is($t->http(POST => "/api/v1/agent/commands/$cid", headers => $A, body => { status => 'ok', output => {} })->{status}, 409, 'a late result is refused (already final)');

# ------------------------------------------------ 7. a Control UI device
$r = $t->http(POST => "$base/devices/approve", headers => $s, body => { request_id => 'req-7f3a' });
is($r->{status}, 202, 'approve a device');
is($t->psql_one("SELECT args->>'request_id' FROM instance_commands WHERE id = :'c' AND kind = 'device_approve'", c => $r->{json}{command_id}), 'req-7f3a', 'queued for the agent');
is($t->http(POST => "$base/devices/approve", headers => $s, body => { request_id => '../x' })->{status}, 400, 'a bad request id: 400');

# no secret in any log
my $logs = join '', map { local (@ARGV, $/) = $_; <> } glob($t->dir . '/*.log');
unlike($logs, qr/\Q$gw\E|\Q$gw2\E|QUJDQUJD/, 'no gateway token or QR code in the logs');

$t->done_testing;
