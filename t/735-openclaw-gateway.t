# The real OpenClaw gateway under the real agent, in the default run: the
# pinned openclaw@2026.9.6 on Node 24 (scripts/openclaw-deps.sh, cached;
# this file fails, never skips, without it), PostgreSQL, the FastCGI
# binaries and cloud-init/och-agent.  Only systemctl is a stand-in
# (t/bin/systemctl-gateway: no systemd here; it keeps the shipped unit's
# bounded stop).  The gateway starts once (1.2-1.4 GB, about a minute):
#   1. the state och-setup leaves (onboard; the WhatsApp plugin linked
#      from the cache, no network; och-setup's static settings, which
#      turn the channel plugins off until a channel is configured);
#   2. the owner's settings through the API (Telegram with its token, an
#      AI key, a model): the agent applies them with `openclaw config
#      patch` and starts the gateway on them; they are still the live
#      config once it is up (no .clobbered.*, onboarding's keys kept), the
#      admin RPC `health` answers with the gateway token and only with it;
#   3. WhatsApp added and removed in the dashboard: applied without a
#      gateway restart (hot reload), `health` shows the channel, then not;
#   3. the VPS nginx site (cloud-init's, for <slug>.<domain>, a
#      self-signed certificate) in front of the gateway: /readyz and the
#      Control UI through it, the operator endpoints hidden, the gateway's
#      origin check (a foreign page's WebSocket refused, ours past it) and
#      token check (HTTP and the Control UI: a wrong or no token refused);
#   4. pairing the customer's way: a stranger's DM left a Telegram pairing
#      request (the plugin SDK's own call: Telegram is offline here); the
#      dashboard lists it as the real `pairing list` shapes it, approves
#      it, the real `pairing approve` makes the sender the command owner;
#      the Control UI opened in headless Chromium through nginx with the
#      dashboard's link (token in the fragment) is held for pairing, the
#      dashboard's device list shows it, approving it there makes the
#      agent approve it on the gateway and the page connects on its own;
#   5. WhatsApp added and removed in the dashboard: applied without a
#      gateway restart (hot reload), `health` shows the channel and its
#      plugin (off when the gateway started), then neither; between
#      them "Connect WhatsApp" offline ends failed or timed out (never
#      linked), every QR the gateway gives passed on;
#   6. a backup through the dashboard (a real archive, stored in S3: t/s3),
#      the state changed, the backup restored through the agent: the
#      gateway restarted on the restored state, the applied config (the
#      command owner too) still the live one after the restart, and
#      applied again by the agent (the restored file's gateway token may
#      be one rotated since), the gateway taking the token live;
#   6b. the gateway token replaced in the dashboard: the agent patches it
#      into openclaw.json and the gateway applies it live (same process,
#      no systemctl call); the new token accepted, the old one refused,
#      directly and through nginx;
#   7. the stop is bounded: offline, Telegram's cleanup never finishes and
#      the gateway would wait out its 315 s drain; the unit's SIGKILL ends
#      it, and the config is intact.
# t/real/730-openclaw-real.t is the long version (run it by name): all
# four channels, the restart command.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::OpenClaw;
use OCH::VpsNginx;
use POSIX qw(WNOHANG);
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
is($oc->live->{plugins}{entries}{whatsapp}{enabled}, JSON::PP::true, 'the install enabled it');
# och-setup's settings every server has (its static_patch): the channel
# plugins off until a channel of theirs is configured
my $static = `bash -c '. "\$1"; static_patch' och-setup '@{[ $t->src('cloud-init/och-setup') ]}'`;
spew("$dir/static.json", $static);
{
	local $oc->{stdin} = "$dir/static.json";
	($rc, $out) = $oc->cli(qw(config patch --stdin));
}
is($rc, 0, "och-setup's static settings applied as it applies them") or diag $out;
is($oc->live->{plugins}{entries}{whatsapp}{enabled}, JSON::PP::false, 'the WhatsApp plugin off until configured');
my $onboarded = $oc->live;
ok($onboarded->{meta} && $onboarded->{agents}{entries}{main}, 'onboarding wrote meta and the main agent');
# a stranger writes to the Telegram bot (offline: as the plugin records it)
my ($prc, $pout) = $oc->client('pairing-request', 'telegram', '987654321', 'alice');
my $preq = eval { decode_json($pout) } // {};
ok($prc == 0 && ($preq->{code} // '') =~ /^[A-Z0-9]{8}$/, 'a DM to the bot left a pairing request with its code')
    or diag $pout;

# ---------------------------------------------- 2. settings reach the VPS
$t->start_pg;
$t->start_s3;
$t->start_api(binaries => [qw(instances auth agent settings backups)], config => { CLOUDFLARE_DOMAIN => 'och.test' });
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
	OCH_USAGE_INTERVAL => 100000, OCH_PAIRING_INTERVAL => 100000, OCH_WA_LOGIN_TIMEOUT => 60 });

sub rev { $t->psql_one("SELECT config_revision FROM instances WHERE id = :'i'", i => $id) }
sub reported { my ($c) = @_; $t->psql_one("SELECT $c FROM agent_reports WHERE instance_id = :'i'", i => $id) }
sub applied {
	my ($r, $what) = @_;
	ok($t->wait_for(sub { (reported('config_revision') // 0) >= $r && $oc->ready }, timeout => 900, interval => 1),
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

# ---------------------------------------------- 3. through the VPS nginx site
my $host = "$slug.och.test";
my $ngx = OCH::VpsNginx::start($t, site => OCH::VpsNginx::site_from_template($t), upstream => $oc->port, host => $host);
ok($ngx->{ok}, 'nginx accepts the VPS site') or diag $ngx->{test};
# curl to https://<slug>.och.test/PATH through it, as a client on the
# Internet (X-Test-Client-IP: see OCH::VpsNginx); returns (status, body)
sub via {
	my ($path, @h) = @_;
	my @cmd = ('curl', '-s', '--max-time', '60', @{ $ngx->{curl_args} }, '-o', "$dir/via.out", '-w', '%{http_code}',
	    map({ ('-H', $_) } 'X-Test-Client-IP: 198.51.100.10', @h), "https://$host$path");
	my $code = `@{[ join ' ', map { "'$_'" } @cmd ]}`;
	return ($code, slurp("$dir/via.out") // '');
}
my ($vc, $vb) = via('/readyz');
my $vr = eval { decode_json($vb) } // {};
ok(($vc eq '200' || $vc eq '503') && exists $vr->{ready} && !!$vr->{ready} == ($vc eq '200'),
    "/readyz through nginx: the gateway's own answer ($vc)") or diag "$vc $vb";
($vc, $vb) = via('/');
is($vc, 200, 'the Control UI is served through nginx');
like($vb, qr/<html[^>]*data-openclaw-control-ui/, "the gateway's Control UI page");
is((via('/control-ui-config.json'))[0], 401, 'its runtime config: no token, 401');
is((via('/control-ui-config.json', 'Authorization: Bearer ' . 'f' x 64))[0], 401, 'another token, 401');
($vc, $vb) = via('/control-ui-config.json', "Authorization: Bearer $gwtok");
is($vc, 200, 'the gateway token, 200') or diag $vb;
is((via('/api/v1/admin/rpc', "Authorization: Bearer $gwtok"))[0], 404, 'the admin RPC is not reachable through nginx, token or not');
# the WebSocket from a foreign page, and from ours
my $ws = sub { my ($rc, $o) = $oc->client('origin', $ngx->{https}, $host, @_); eval { decode_json($o) } // { raw => $o } };
my $foreign = $ws->('https://evil.example', '198.51.100.11');
is($foreign->{close}, 1008, "a foreign page's WebSocket: closed (1008)") or diag explain $foreign;
is($foreign->{res}{error}{details}{code}, 'CONTROL_UI_ORIGIN_NOT_ALLOWED', 'origin not allowed');
my $ours = $ws->("https://$host", '198.51.100.12');
ok(($ours->{res}{error}{details}{code} // '') ne 'CONTROL_UI_ORIGIN_NOT_ALLOWED' && $ours->{res},
    'from https://<slug>.och.test: past the origin check (the gateway then asks for a device identity)')
    or diag explain $ours;

# ---------------------------------------------- 4. pairing, the customer's way
# the Control UI in Chromium, through nginx, with the dashboard's link
my ($tk) = $t->http(POST => "$base/gateway-token", headers => $s)->{json};
is($tk->{control_ui_url}, "https://$host/#token=$gwtok", "the dashboard's Control UI link: the token in the fragment");
my $ui = $t->spawn(name => 'control-ui', cmd => [ 'timeout', '1500', $oc->node, $t->src('t/lib/openclaw-client.mjs'),
    'ui', $ngx->{https}, $host, $gwtok, $dir, 1200 ], env => { $oc->client_env });
my $rid = $t->wait_for(sub { (slurp("$dir/control-ui.log") // '') =~ /^# pending ([A-Za-z0-9_-]+)$/m && $1
    or waitpid($ui->{pid}, WNOHANG) == $ui->{pid} && 'gone' }, timeout => 600, interval => 1);
ok($rid && $rid ne 'gone', 'the Control UI is held for pairing') or diag slurp("$dir/control-ui.log");
# the DM's pairing request, as the dashboard lists it (the agent's report)
my $plist = $t->wait_for(sub { my $j = $t->http(GET => "$base/pairing", headers => $s)->{json};
    $j && @{ $j->{requests} // [] } && $j }, timeout => 600, interval => 2);
my ($preqd) = grep { $_->{code} eq ($preq->{code} // '') } @{ $plist->{requests} // [] };
is_deeply([ @{ $preqd // {} }{qw(channel sender account)} ], [qw(telegram 987654321 default)],
    "the dashboard lists the DM's request: channel, sender, account (from the real `pairing list`)")
    or diag explain $plist;
like($preqd->{created_at} // '', qr/^\d{4}-\d\d-\d\dT/, 'and when it came');
my $r = $t->http(POST => "$base/pairing/approve", headers => $s, body => { channel => 'telegram', code => $preq->{code} });
is($r->{status}, 202, 'approved in the dashboard') or diag $r->{content};
sub command_done {
	my ($cid, $what, $timeout) = @_;
	my $st = $t->wait_for(sub { my $x = $t->psql_one("SELECT status FROM instance_commands WHERE id = :'c'", c => $cid) // '';
	    $x =~ /^(done|failed|expired)$/ && $x }, timeout => $timeout // 600, interval => 1);
	my $res = eval { decode_json($t->psql_one("SELECT result FROM instance_commands WHERE id = :'c'", c => $cid) // '') } // {};
	is($st, 'done', "$what: done on the VPS") or diag explain [ $res, slurp("$dir/agent.log") ];
	return $res;
}
my $pres = command_done($r->{json}{command_id}, 'pairing approve');
is($pres->{output}{owner}, 'telegram:987654321', 'the first approved sender became the command owner');
is_deeply($oc->live->{commands}{ownerAllowFrom}, ['telegram:987654321'], 'the real CLI wrote it into the live config');
# the browser, in the dashboard's list of devices waiting
my $dev = $t->wait_for(sub { my $d = $t->http(GET => "$base/status", headers => $s)->{json}{devices} // [];
    (grep { $_->{request_id} eq $rid } @$d)[0] }, timeout => 600, interval => 2);
ok($dev, "the dashboard lists the browser waiting for approval ($rid)")
    or diag explain $t->http(GET => "$base/status", headers => $s)->{json};
$r = $t->http(POST => "$base/devices/approve", headers => $s, body => { request_id => $rid });
is($r->{status}, 202, 'approved in the dashboard') or diag $r->{content};
command_done($r->{json}{command_id}, 'device approve');
ok($t->wait_for(sub { waitpid($ui->{pid}, WNOHANG) == $ui->{pid} && do { $ui->{dead} = 1; $ui->{status} = $?; 1 } },
    timeout => 900, interval => 1), 'the browser run ended');
my $checks = 0;
for (split /\n/, slurp("$dir/control-ui.log") // '') {
	if (/^(not )?ok \d+ - (.*)$/) {
		ok(!defined $1, "browser: $2");
		$checks++;
	}
}
is($checks, 8, 'the browser made its checks') or diag slurp("$dir/control-ui.log");
is($ui->{status}, 0, 'and passed');
ok($t->wait_for(sub { my $d = $t->http(GET => "$base/status", headers => $s)->{json}{devices};
    $d && !grep { $_->{request_id} eq $rid } @$d }, timeout => 600, interval => 2),
    'the dashboard no longer lists it as waiting');

# ---------------------------------------------- 5. WhatsApp added, removed
sub health { my (undef, $x) = $oc->rpc('health', $gwtok); $x }
# the gateway's own word that it applied a change live (its log, colours off)
sub hot_reloads {
	(my $log = $oc->gateway_log) =~ s/\e\[[0-9;]*m//g;
	return scalar(() = $log =~ /config hot reload applied \([^)]*channels\.whatsapp/g);
}
# the agent's word that the running gateway took a patch through its admin
# RPC config.patch (no CLI process)
sub rpc_patches { scalar(() = (slurp("$dir/agent.log") // '') =~ /config: patched through the gateway's admin RPC/g) }
my $rpcp = rpc_patches();
is($t->http(PUT => "$base/channels/whatsapp", headers => $s, body => { enabled => \1, dm_policy => 'pairing' })->{status},
    204, 'WhatsApp added in the dashboard');
applied(rev(), 'WhatsApp added');
is(rpc_patches(), $rpcp + 1, "through the gateway's admin RPC") or diag slurp("$dir/agent.log");
$l = $oc->live;
is_deeply([sort keys %{ $l->{channels} }], [qw(telegram whatsapp)], 'WhatsApp is in the live config');
is($l->{plugins}{entries}{whatsapp}{enabled}, JSON::PP::true, 'its plugin entry enabled');
ok($t->wait_for(sub { hot_reloads() >= 1 }, timeout => 600), 'the gateway applied it live')
    or diag substr($oc->gateway_log, -3000);
my $x = health();
ok($x && $x->{channels}{whatsapp} && $x->{channels}{whatsapp}{enabled}, 'health lists the WhatsApp channel, enabled')
    or diag explain $x;
ok($x && grep({ $_ eq 'whatsapp' } @{ $x->{plugins}{loaded} // [] }),
    'and its plugin loaded, off when the gateway started') or diag explain $x;
# "Connect WhatsApp", offline: what the dashboard polls
$r = $t->http(POST => "$base/whatsapp/login", headers => $s);
is($r->{status}, 202, 'Connect WhatsApp in the dashboard') or diag $r->{content};
my $wcid = $r->{json}{command_id};
my (%qr, @seen);
my $wa = $t->wait_for(sub {
	my $c = $t->http(GET => "$base/commands/$wcid", headers => $s)->{json} // {};
	$qr{ $c->{qr} } = 1 if $c->{qr};
	push @seen, $c->{outcome} if $c->{outcome} && (!@seen || $seen[-1] ne $c->{outcome});
	($c->{outcome} // '') =~ /^(failed|timed_out|linked)$/ && $c }, timeout => 600, interval => 1);
ok($wa && $wa->{outcome} =~ /^(failed|timed_out)$/, 'offline: the login ends failed or timed out, never linked')
    or diag explain [ $wa, slurp("$dir/agent.log") ];
note('WhatsApp login, as the dashboard saw it: ' . join(' -> ', @seen) . '; QR codes passed on: ' . scalar(keys %qr));
ok(!grep({ !m{^data:image/png;base64,[A-Za-z0-9+/=]+$} } keys %qr), 'every QR code passed on is a PNG data URL');
my $wres = eval { decode_json($t->psql_one("SELECT result FROM instance_commands WHERE id = :'c'", c => $wcid) // '') } // {};
is($wres->{output}{linked}, JSON::PP::false, 'the result says linked: false');
like($wres->{output}{message} // '', qr/\S/, "with the gateway's own words: " . ($wres->{output}{message} // ''));
like($wres->{output}{reason} // '', keys %qr ? qr/^(timeout|failed)$/ : qr/^failed$/,
    'the reason: ' . ($wres->{output}{reason} // 'none') . (keys %qr ? '' : ' (no QR was shown)'));
is($t->http(DELETE => "$base/channels/whatsapp", headers => $s)->{status}, 204, 'WhatsApp removed in the dashboard');
applied(rev(), 'WhatsApp removed');
is(rpc_patches(), $rpcp + 2, "through the admin RPC too (null removing the channel and its plugin entry)")
    or diag slurp("$dir/agent.log");
$l = $oc->live;
ok(!exists $l->{channels}{whatsapp} && !exists $l->{plugins}{entries}{whatsapp}, 'gone from the live config, its plugin entry too');
is($l->{channels}{telegram}{botToken}, '${TELEGRAM_BOT_TOKEN}', 'Telegram untouched');
ok($t->wait_for(sub { hot_reloads() >= 2 }, timeout => 600), 'the gateway applied the removal live')
    or diag substr($oc->gateway_log, -3000);
ok($t->wait_for(sub { my $h = health(); $h && $h->{channels}{telegram} && !$h->{channels}{whatsapp}
    && !grep { $_ eq 'whatsapp' } @{ $h->{plugins}{loaded} // [] } }, timeout => 300),
    'health: WhatsApp and its plugin gone, Telegram still there') or diag explain health();
is(scalar(grep { /^(start|restart|stop) openclaw-gateway$/ } $oc->unit_calls), 1, 'no restart for any of this');
is($oc->clobbered, 0, 'no .clobbered.* file');

# ---------------------------------------------- 6. a backup, restored
$r = $t->http(POST => "$base/backups", headers => $s);
is($r->{status}, 202, 'a backup asked for in the dashboard') or diag $r->{content};
my ($bcid, $bid) = @{ $r->{json} // {} }{qw(command_id backup_id)};
my $bres = command_done($bcid, 'backup create', 900);
ok($bres->{output}{archive} && -s $bres->{output}{archive}, "the real archive ($bres->{output}{size_bytes} bytes)");
is($bres->{output}{stored}, JSON::PP::true, 'stored off the server');
is($t->psql_one("SELECT status FROM backups WHERE id = :'b'", b => $bid), 'available', 'the backup is available');
spew($oc->state . '/after-backup.md', "written after the backup\n");
my $starts = grep { /^(start|restart) openclaw-gateway$/ } $oc->unit_calls;
# the agent's word that the gateway took a new token live (the admin RPC
# `health` answered it and refused the old one)
sub hot_tokens { scalar(() = (slurp("$dir/agent.log") // '') =~ /config: gateway token applied without a restart/g) }
my $hot = hot_tokens();
$r = $t->http(POST => "$base/backups/$bid/restore", headers => $s, body => { confirm => $host });
is($r->{status}, 202, 'its restore asked for, the hostname typed as confirmation') or diag $r->{content};
command_done($r->{json}{command_id}, 'backup restore', 1200);
ok(!-e $oc->state . '/after-backup.md', 'the state folder is the backed-up one');
is(scalar(grep { /^(start|restart) openclaw-gateway$/ } $oc->unit_calls), $starts + 1, 'the gateway restarted on it');
ok($t->wait_for(sub { $oc->ready }, timeout => 900, interval => 1), 'and is ready');
# the restored openclaw.json has the token of the backup's day (one
# rotated since would be live again): the agent applies the config again
ok($t->wait_for(sub { hot_tokens() > $hot }, timeout => 600, interval => 1),
    'after the restore the agent applied the config again, the gateway taking the current token live')
    or diag slurp("$dir/agent.log");
$l = $oc->live;
is_deeply([sort keys %{ $l->{channels} }], ['telegram'], 'after the restart: the applied channels are live');
is($l->{channels}{telegram}{botToken}, '${TELEGRAM_BOT_TOKEN}', 'Telegram with its token by reference');
is($l->{agents}{defaults}{model}{primary}, 'anthropic/claude-sonnet-4-6', 'the model');
is_deeply($l->{commands}{ownerAllowFrom}, ['telegram:987654321'], 'the command owner');
is_deeply($l->{gateway}{controlUi}{allowedOrigins}, ["https://$host"], 'the Control UI origin');
is($oc->clobbered, 0, 'no .clobbered.* file');
unlike($oc->gateway_log, qr/auto-restored from backup/i, 'no backup restored over it by the gateway');
$x = health();
ok($x && $x->{channels}{telegram}{configured}, 'health: Telegram configured') or diag explain $x;
is((via('/control-ui-config.json', "Authorization: Bearer $gwtok"))[0], 200, 'through nginx with the token as before');

# ---------------------------------------------- 6b. the gateway token replaced
# as the customer does it in the dashboard: the next config carries the
# new token, the agent writes it into openclaw.json and the gateway takes
# it live (no restart: the same process), the old one refused at once
$starts = grep { /^(start|restart|stop) openclaw-gateway$/ } $oc->unit_calls;
my $mainpid = slurp("$dir/gateway.main") // '';
chomp $mainpid;
(my $gwlog = $oc->gateway_log) =~ s/\e\[[0-9;]*m//g;
my $tokreloads = () = $gwlog =~ /config hot reload applied \([^)]*gateway\.auth\.token/g;
my $rev0 = rev();
$hot = hot_tokens();
$rpcp = rpc_patches();
my $t0 = time;
$r = $t->http(POST => "$base/gateway-token/rotate", headers => $s);
is($r->{status}, 200, 'the gateway token replaced in the dashboard') or diag $r->{content};
my $gwtok2 = $t->http(POST => "$base/gateway-token", headers => $s)->{json}{token} // '';
ok($gwtok2 && $gwtok2 ne $gwtok, 'the dashboard shows a new token');
ok(rev() > $rev0, 'a new config revision');
applied(rev(), 'new gateway token');
note(sprintf('the new token applied and checked %d s after the rotation (load %s)', time - $t0,
    (split ' ', slurp('/proc/loadavg') // '')[0] // '?'));
is(rpc_patches(), $rpcp + 1, "patched through the gateway's admin RPC with the old token") or diag slurp("$dir/agent.log");
is(reported('config_error'), undef, 'no config error');
is(scalar(grep { /^(start|restart|stop) openclaw-gateway$/ } $oc->unit_calls), $starts, 'no gateway restart');
my $mainnow = slurp("$dir/gateway.main") // '';
chomp $mainnow;
ok($mainpid =~ /^\d+$/ && $mainnow eq $mainpid && kill(0, $mainpid), "the same gateway process ($mainpid)");
($gwlog = $oc->gateway_log) =~ s/\e\[[0-9;]*m//g;
is(scalar(() = $gwlog =~ /config hot reload applied \([^)]*gateway\.auth\.token/g), $tokreloads + 1,
    "the gateway's log: the new token applied live");
is(hot_tokens(), $hot + 1,
    'the agent saw the new token accepted and the old one refused before it reported the revision');
is($oc->live->{gateway}{auth}{token}, $gwtok2, 'the new token in openclaw.json');
is($oc->live->{gateway}{auth}{mode}, 'token', 'the auth mode unchanged');
unlike(slurp($oc->state . '/.env') // '', qr/\Q$gwtok\E|\Q$gwtok2\E|OPENCLAW_GATEWAY_TOKEN/, 'no gateway token in the env file');
is(sprintf('%04o', (stat($oc->state . '/openclaw.json'))[2] & 07777), '0600', 'openclaw.json 0600');
($code, $h, $raw) = $oc->rpc('health', $gwtok2);
is($code, 200, 'admin RPC health with the new token') or diag $raw;
($code) = $oc->rpc('health', $gwtok);
is($code, 401, 'with the old one: 401');
is((via('/control-ui-config.json', "Authorization: Bearer $gwtok2"))[0], 200, 'through nginx: the new token, 200');
is((via('/control-ui-config.json', "Authorization: Bearer $gwtok"))[0], 401, 'the old one, 401');
is($oc->clobbered, 0, 'no .clobbered.* file');

# ---------------------------------------------- 7. a bounded stop
$t->stop($agent);
my $before = slurp($oc->state . '/openclaw.json');
my $gwpid = slurp("$dir/gateway.pid") // 0;
chomp $gwpid;
$oc->unit('stop');
note('the unit restarted a gateway that exited on its own ' . scalar(grep { /^restarted after exit/ } $oc->unit_calls) . ' times');
my ($stopped) = (grep { /^(stopped in|killed after) \d+ s$/ } $oc->unit_calls)[-1];
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
unlike($logs, qr/\Q$gwtok2\E/, 'the new one neither');
$t->done_testing;
