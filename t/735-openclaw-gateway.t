# The real OpenClaw gateway under the real agent, in the default run: the
# pinned openclaw@2026.9.6 on Node 24 (scripts/openclaw-deps.sh, cached;
# this file fails, never skips, without it), PostgreSQL, the FastCGI
# binaries and cloud-init/och-agent.  Only systemctl is a stand-in
# (t/bin/systemctl-gateway: no systemd here; it keeps the shipped unit's
# bounded stop).  The gateway starts once (1.2-1.4 GB, about a minute):
#   1. the state och-setup leaves (onboard; the WhatsApp plugin linked
#      from the cache, no network);
#   2. the owner's settings through the API (Telegram with its token, an
#      AI key, a model): the agent applies them with `openclaw config
#      patch` and starts the gateway on them; they are still the live
#      config once it is up (no .clobbered.*, onboarding's keys kept), the
#      admin RPC `health` answers with the gateway token and only with it;
#   3. WhatsApp added and removed in the dashboard: applied without a
#      gateway restart (hot reload), `health` shows the channel, then not;
#   4. the stop is bounded: offline, Telegram's cleanup never finishes and
#      the gateway would wait out its 315 s drain; the unit's SIGKILL ends
#      it, and the config is intact.
# t/real/730-openclaw-real.t is the long version (run it by name): all
# four channels, restarts, backups, the WhatsApp login.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::OpenClaw;
use Digest::SHA qw(sha256_hex);
use JSON::PP;

my $t = OCH::Test->new;
my $dir = $t->dir;
sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }
sub spew { my ($f, $s) = @_; open my $fh, '>', $f or die "$f: $!"; print $fh $s; close $fh }

my $oc = OCH::OpenClaw->new($t);
ok($oc->ok, 'the real openclaw 2026.9.6 and Node 24 are installed (scripts/openclaw-deps.sh)')
    or BAIL_OUT('scripts/openclaw-deps.sh failed: ' . $oc->error);
END { $oc->unit('stop') if $oc && $oc->ok }

# ---------------------------------------------- 1. the state och-setup leaves
my ($rc, $out) = $oc->onboard;
is($rc, 0, 'onboard as och-setup runs it') or diag $out;
($rc, $out) = $oc->link_plugin('whatsapp');
is($rc, 0, 'the WhatsApp plugin installed (linked from the cache)') or diag $out;
my $onboarded = $oc->live;
ok($onboarded->{meta} && $onboarded->{agents}{entries}{main}, 'onboarding wrote meta and the main agent');

# ---------------------------------------------- 2. settings reach the VPS
$t->start_pg;
$t->start_api(binaries => [qw(instances auth agent settings)], config => { CLOUDFLARE_DOMAIN => 'och.test' });
my $id = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 7350, whmcs_client_id => 735,
    email => 'gateway@example.com', plan => 'starter', region => 'eu-helsinki' })->{json}{id};
ok($id, 'ordered');
my $slug = $t->psql_one("SELECT slug FROM instances WHERE id = :'i'", i => $id);
# the instance booting with its bootstrap token, as the create step leaves it
my $boot = 'c3' x 32;
$t->psql("UPDATE instances SET state = 'booting' WHERE id = :'i'", i => $id);
$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
    h => sha256_hex($boot), i => $id);
my $s = $t->sso_session($id);
my $base = "/api/v1/instances/$id";
my %sec = (tg => '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', ai => 'sk-ant-api03-' . 'Q' x 40);
is($t->http(PUT => "$base/channels/telegram", headers => $s, body => { enabled => \1, dm_policy => 'pairing',
    secrets => { bot_token => $sec{tg} } })->{status}, 204, 'Telegram set with its token');
is($t->http(PUT => "$base/ai-keys/anthropic", headers => $s, body => { key => $sec{ai} })->{status}, 204, 'AI key set');
like($t->http(PUT => "$base/model", headers => $s, body => { primary => 'anthropic/claude-sonnet-4-6',
    fallbacks => [] })->{status}, qr/^20[04]$/, 'model set');

mkdir "$dir/agent", 0700;
spew("$dir/agent/setup.json", '{"ok":true,"step":"finished","prebuilt":false,"at":' . time . "}\n");
spew("$dir/bootstrap.env", "OCH_API_URL=" . $t->base_url . "\nOCH_BOOTSTRAP_TOKEN=$boot\nOCH_INSTANCE_ID=$id\n");
chmod 0600, "$dir/bootstrap.env";
my $agent = $t->spawn(name => 'agent', cmd => ['bash', $t->src('cloud-init/och-agent')], env => {
	$oc->agent_env, OCH_AGENT_DIR => "$dir/agent", OCH_BOOTSTRAP_ENV => "$dir/bootstrap.env",
	OCH_NODE_EXPORTER_WEB_CONFIG => '', OCH_BACKUP_DIR => "$dir/backups",
	OCH_POLL_WAIT => 5, OCH_REPORT_INTERVAL => 600, OCH_READY_TIMEOUT => 900,
	OCH_USAGE_INTERVAL => 100000, OCH_PAIRING_INTERVAL => 100000 });

sub rev { $t->psql_one("SELECT config_revision FROM instances WHERE id = :'i'", i => $id) }
sub reported { my ($c) = @_; $t->psql_one("SELECT $c FROM agent_reports WHERE instance_id = :'i'", i => $id) }
sub applied {
	my ($r, $what) = @_;
	ok($t->wait_for(sub { (reported('config_revision') // 0) >= $r && $oc->ready }, timeout => 900),
	    "$what: revision $r applied and reported, the gateway ready")
	    or diag explain [ reported('config_error'), slurp("$dir/agent.log"), substr($oc->gateway_log, -3000) ];
}
applied(rev(), 'first boot');
is(reported('config_error'), undef, 'no config error');
is(scalar(grep { /^(start|restart) openclaw-gateway$/ } $oc->unit_calls), 1, 'the gateway started once');
my $l = $oc->live;
is_deeply([sort keys %{ $l->{channels} }], ['telegram'], 'Telegram is in the live config');
is($l->{channels}{telegram}{botToken}, '${TELEGRAM_BOT_TOKEN}', 'its token by reference');
is($l->{agents}{defaults}{model}{primary}, 'anthropic/claude-sonnet-4-6', 'the model');
is_deeply($l->{gateway}{controlUi}{allowedOrigins}, ["https://$slug.och.test"], 'the Control UI origin');
is($l->{plugins}{entries}{'admin-http-rpc'}{enabled}, JSON::PP::true, 'the admin RPC plugin enabled');
ok($l->{meta} && $l->{agents}{entries}{main} && $l->{wizard}, "onboarding's meta, main agent and wizard record kept");
is($oc->clobbered, 0, 'no .clobbered.* file: the gateway kept the config it started on');
unlike($oc->gateway_log, qr/auto-restored from backup/i, 'and restored no backup over it');
like(slurp($oc->state . '/.env'), qr/^TELEGRAM_BOT_TOKEN=\Q$sec{tg}\E$/m, 'the env file holds the token');
unlike(slurp($oc->state . '/openclaw.json'), qr/\Q$sec{tg}\E|\Q$sec{ai}\E/, 'openclaw.json holds no secret');
my $gwtok = decode_json(slurp("$dir/agent/agent.json"))->{secrets}{gateway_token};
my ($code, $h, $raw) = $oc->rpc('health', $gwtok);
is($code, 200, 'admin RPC health with the gateway token') or diag $raw;
is($h && $h->{ok}, JSON::PP::true, 'answers ok') or diag $raw;
spew("$dir/health.json", $raw);
ok(grep({ $_ eq 'telegram' } @{ $h->{plugins}{loaded} // [] }), 'the Telegram plugin is loaded');
ok($h->{channels}{telegram}{configured}, 'the Telegram channel is configured');
($code) = $oc->rpc('health', undef);
is($code, 401, 'admin RPC without the token: 401');
($code) = $oc->rpc('health', 'f' x 64);
is($code, 401, 'with another token: 401');

# ---------------------------------------------- 3. WhatsApp added, removed
sub health { my (undef, $x) = $oc->rpc('health', $gwtok); $x }
# the gateway's own word that it applied a change live (its log, colours off)
sub hot_reloads {
	(my $log = $oc->gateway_log) =~ s/\e\[[0-9;]*m//g;
	return scalar(() = $log =~ /config hot reload applied \([^)]*channels\.whatsapp/g);
}
is($t->http(PUT => "$base/channels/whatsapp", headers => $s, body => { enabled => \1, dm_policy => 'pairing' })->{status},
    204, 'WhatsApp added in the dashboard');
applied(rev(), 'WhatsApp added');
$l = $oc->live;
is_deeply([sort keys %{ $l->{channels} }], [qw(telegram whatsapp)], 'WhatsApp is in the live config');
is($l->{plugins}{entries}{whatsapp}{enabled}, JSON::PP::true, 'its plugin entry enabled');
ok($t->wait_for(sub { hot_reloads() >= 1 }, timeout => 600), 'the gateway applied it live')
    or diag substr($oc->gateway_log, -3000);
my $x = health();
ok($x && $x->{channels}{whatsapp} && $x->{channels}{whatsapp}{enabled}, 'health lists the WhatsApp channel, enabled')
    or diag explain $x;
is($t->http(DELETE => "$base/channels/whatsapp", headers => $s)->{status}, 204, 'WhatsApp removed in the dashboard');
applied(rev(), 'WhatsApp removed');
$l = $oc->live;
ok(!exists $l->{channels}{whatsapp} && !exists $l->{plugins}{entries}{whatsapp}, 'gone from the live config, its plugin entry too');
is($l->{channels}{telegram}{botToken}, '${TELEGRAM_BOT_TOKEN}', 'Telegram untouched');
ok($t->wait_for(sub { hot_reloads() >= 2 }, timeout => 600), 'the gateway applied the removal live')
    or diag substr($oc->gateway_log, -3000);
ok($t->wait_for(sub { my $h = health(); $h && $h->{channels}{telegram} && !$h->{channels}{whatsapp}
    && !grep { $_ eq 'whatsapp' } @{ $h->{plugins}{loaded} // [] } }, timeout => 300),
    'health: WhatsApp and its plugin gone, Telegram still there') or diag explain health();
is(scalar(grep { /^(start|restart|stop) openclaw-gateway$/ } $oc->unit_calls), 1, 'no restart for either');
is($oc->clobbered, 0, 'no .clobbered.* file');

# ---------------------------------------------- 4. a bounded stop
$t->stop($agent);
my $before = slurp($oc->state . '/openclaw.json');
my $gwpid = slurp("$dir/gateway.pid") // 0;
chomp $gwpid;
$oc->unit('stop');
my ($stopped) = grep { /^(stopped in|killed after) \d+ s$/ } $oc->unit_calls;
like($stopped // '', qr/^(stopped in|killed after) /, 'the gateway stopped within the unit\'s TimeoutStopSec');
note("stop: $stopped") if $stopped;
ok($gwpid > 1 && !kill(0, -$gwpid), 'no process of the gateway left');
is(slurp($oc->state . '/openclaw.json'), $before, 'the config untouched by the stop');

# no secret in a log
my $logs = join "", map { slurp($_) // "" } glob("$dir/*.log");
for my $k (sort keys %sec) {
	unlike($logs, qr/\Q$sec{$k}\E/, "secret $k in no log");
}
unlike($logs, qr/\Q$gwtok\E/, 'the gateway token in no log');
$t->done_testing;
