# Off-server backups end to end, nothing of ours faked: PostgreSQL, the
# FastCGI binaries behind nginx, och-poller, och-cloudsim whose server
# runs the real cloud-init/och-agent with the stand-in openclaw CLI
# (t/bin/openclaw: its `backup create` archives the state folder), and a
# real S3 implementation (t/s3: s3rver, which checks SigV4 signatures;
# it lets anonymous requests read, which nothing of ours relies on).
#   1. och-poller maintain queues the plan's scheduled backup; the agent
#      makes the archive and PUTs it; the API stores it sealed in the
#      bucket under backups/<instance>/<id>.ochbak; not due again;
#   2. the customer changes the state; a restore through the API (with
#      the hostname as confirmation) brings the backed-up state back and
#      the instance's history says so;
#   3. faults: storage down -> the backup fails with the reason, the one
#      stored stays; an archive made by a newer OpenClaw is refused; a
#      stored object tampered with, or another backup's object put in its
#      place, does not open -> restore fails and the state is untouched;
#      the operators' backup_failed alert opens and resolves (and, as the
#      agent reports them, tls_self_signed past ALERT_TLS_SECONDS and
#      channel_disconnected for a token the platform refuses);
#   4. retention keeps the plan's newest backup_slots; termination
#      deletes the rest after BACKUP_GRACE_DAYS.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;

my $t = OCH::Test->new;
my $dir = $t->dir;
sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; binmode $fh; local $/; <$fh> }
sub spit { my ($f, $c) = @_; open my $fh, '>', $f or die "$f: $!"; binmode $fh; print $fh $c; close $fh }

$t->start_pg;
my $s3 = $t->start_s3;
my %agent_env = (
	OPENCLAW_BIN => $t->src('t/bin/openclaw'),
	OCH_CLAWHUB_BIN => $t->src('t/bin/clawhub'),
	OPENCLAW_USER => '',
	OCH_SYSTEMCTL => ':',
	OCH_GATEWAY_URL => '',
	OCH_POLL_WAIT => 20,
	OCH_REPORT_INTERVAL => 30,
	OCH_BACKOFF_MAX => 4,
	OCH_BACKUP_TIMEOUT => 60,
	OCH_UPLOAD_TRIES => 1,	# one attempt: t/482 tries again
);
my $sim;
{
	local @ENV{ keys %agent_env } = values %agent_env;
	$sim = $t->start_sim('--agent', $t->src('cloud-init/och-agent'),
	    '--create-delay', '0.2', '--boot-delay', '0.5', '--action-delay', '0.2');
}
$t->start_api(binaries => [qw(health instances agent settings auth backups)],
    config => { BOOT_TIMEOUT => 60, POLLER_BACKOFF_MS => 200, S3_STALL_SECONDS => 5 });
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 600 });

sub maintain { is($t->poller_once('maintain', @_), 0, 'och-poller maintain') }
# an object of the bucket as a client with the store's credentials sees it
sub s3get {
	my ($key) = @_;
	my $out = `curl -sS --aws-sigv4 aws:amz:us-east-1:s3 -u S3RVER:S3RVER -H x-amz-content-sha256:UNSIGNED-PAYLOAD -w '\\n%{http_code}' '$s3/och-backups/$key'`;
	my ($body, $st) = $out =~ /\A(.*)\n(\d{3})\z/s;
	return ($st // 0, $body);
}
sub s3put {
	my ($key, $bytes) = @_;
	spit("$dir/obj.tmp", $bytes);
	return `curl -sS -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 -u S3RVER:S3RVER -H x-amz-content-sha256:UNSIGNED-PAYLOAD -T '$dir/obj.tmp' '$s3/och-backups/$key'`;
}
sub backup { my ($id) = @_; ($t->psql("SELECT status, coalesce(error, ''), coalesce(object_key, ''), coalesce(sha256, ''),
	coalesce(openclaw_version, '') FROM backups WHERE id = :'i'", i => $id))[0] // [] }
sub command { my ($id) = @_; ($t->psql("SELECT status, coalesce(result->>'error', '') FROM instance_commands WHERE id = :'i'",
	i => $id))[0] // [] }
sub wait_command {
	my ($cid, $what) = @_;
	ok($t->wait_for(sub { (command($cid)->[0] // '') =~ /^(done|failed)$/ }, timeout => 60), "$what: the agent answered")
	    or diag explain [ command($cid), slurp("$dir/sim/servers/" . inst('hetzner_server_id') . '/agent.log') ];
	return command($cid);
}
my $id;
sub inst { my ($col) = @_; $t->psql_one("SELECT $col FROM instances WHERE id = :'i'", i => $id) }

# ---- one active instance with the real agent
my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4801, whmcs_client_id => 481,
    email => 'bk@example.test', plan => 'starter', region => 'eu-helsinki' });
is($r->{status}, 201, 'order accepted') or diag $r->{content};
$id = $r->{json}{id};
ok($t->wait_for(sub { (inst('state') // '') eq 'active' }, timeout => 30), 'active');
my $server = inst('hetzner_server_id');
my $oc = "$dir/sim/servers/$server/root/home/openclaw/.openclaw";
my $host = inst('slug') . '.och.test';
ok($t->wait_for(sub { -s "$oc/openclaw.json" }, timeout => 30), 'the agent wrote the gateway config');
my $token = decode_json(slurp("$dir/sim/servers/$server/agent.json"))->{agent_token};
my $own = $t->sso_session($id);

# ---- 1. a scheduled backup lands in object storage
spit("$oc/memory.md", "remember: the state before\n");
maintain();
my ($b1, $c1) = @{ ($t->psql("SELECT id, command_id FROM backups WHERE instance_id = :'i' AND reason = 'scheduled'",
    i => $id))[0] // [] };
ok($b1 && $c1, 'maintain queued the scheduled backup and its command');
is(wait_command($c1, 'scheduled backup')->[0], 'done', 'the agent made and uploaded it');
is(backup($b1)->[0], 'available', 'the backup is available') or diag explain backup($b1);
is(backup($b1)->[2], "backups/$id/$b1.ochbak", 'under the instance prefix');
my ($st, $obj) = s3get("backups/$id/$b1.ochbak");
is($st, 200, 'the object is in the bucket');
is(substr($obj // '', 0, 8), "OCHBAK1\n", 'in our sealed format');
unlike($obj // '', qr/the state before/, 'the state is not readable in it');
is(backup($b1)->[4], '2026.9.6', 'made by the OpenClaw version the server runs');
maintain();
is($t->psql_one("SELECT count(*) FROM backups WHERE instance_id = :'i'", i => $id), 1,
    'not due again within the plan interval');
like($t->psql_one("SELECT string_agg(kind, ' ') FROM instance_events WHERE instance_id = :'i'", i => $id),
    qr/backup\.stored.*backup_create\.done/, 'the history says it was stored');

# ---- 2. a changed state, restored
spit("$oc/memory.md", "remember: the state after, to be undone\n");
# (och-setup's TLS state, as the agent reports it: still self-signed)
spit("$dir/sim/servers/$server/tls.json", '{"mode":"self-signed","error":"waiting for DNS"}');
$r = $t->http(POST => "/api/v1/instances/$id/backups/$b1/restore", headers => $own, body => { confirm => 'yes' });
is($r->{status}, 400, 'a restore needs the hostname as confirmation');
$r = $t->http(POST => "/api/v1/instances/$id/backups/$b1/restore", body => { confirm => $host });
is($r->{status}, 401, 'and a session');
$r = $t->http(POST => "/api/v1/instances/$id/backups/$b1/restore", headers => $own, body => { confirm => $host });
is($r->{status}, 202, 'restore accepted') or diag $r->{content};
is(wait_command($r->{json}{command_id}, 'restore')->[0], 'done', 'the agent restored it')
    or diag slurp("$dir/sim/servers/$server/agent.log");
is(slurp("$oc/memory.md"), "remember: the state before\n", 'the backed-up state is back');
ok(-s "$oc/openclaw.json", 'with its gateway config');
like($t->psql_one("SELECT string_agg(kind, ' ' ORDER BY id) FROM instance_events WHERE instance_id = :'i'", i => $id),
    qr/backup_restore\.queued.*backup_restore\.done/, 'the history says it was restored');

# ---- 3. faults
# storage down: the on-demand backup fails with the reason; the stored one stays
$t->stop('s3rver');
$r = $t->http(POST => "/api/v1/instances/$id/backups", headers => $own);
is($r->{status}, 202, 'an on-demand backup is queued') or diag $r->{content};
my $b2 = $r->{json}{backup_id};
is(wait_command($r->{json}{command_id}, 'backup while storage is down')->[0], 'failed', 'it fails');
is(backup($b2)->[0], 'failed', 'the backup is marked failed');
like(backup($b2)->[1], qr/object storage/, 'saying why');
is(backup($b1)->[0], 'available', 'the stored backup is untouched');
maintain();
is($t->psql_one("SELECT count(*) FROM alerts WHERE condition = 'backup_failed' AND instance_id = :'i'
	AND opened_at IS NOT NULL AND resolved_at IS NULL", i => $id), 1, "the operators' backup_failed alert is open");
$t->start_s3;
($st) = s3get("backups/$id/$b1.ochbak");
is($st, 200, 'and still in the bucket');

# an archive of a newer OpenClaw than the server runs is refused
spit("$oc/stub-version", "2026.10.1\n");
$r = $t->http(POST => "/api/v1/instances/$id/backups", headers => $own);
my $b3 = $r->{json}{backup_id};
is(wait_command($r->{json}{command_id}, 'backup by a newer OpenClaw')->[0], 'done', 'stored');
is(backup($b3)->[4], '2026.10.1', 'made by 2026.10.1');
maintain();
is($t->psql_one("SELECT count(*) FROM alerts WHERE condition = 'backup_failed' AND resolved_at IS NOT NULL"), 1,
    'a stored backup resolves it');
spit("$oc/stub-version", "2026.9.6\n");
spit("$oc/memory.md", "remember: the state now\n");
$r = $t->http(POST => "/api/v1/instances/$id/backups/$b3/restore", headers => $own, body => { confirm => $host });
my $res = wait_command($r->{json}{command_id}, 'restore of a newer archive');
is($res->[0], 'failed', 'refused');
like($res->[1], qr/newer than 2026\.9\.6/, 'saying the versions');
is(slurp("$oc/memory.md"), "remember: the state now\n", 'the state is untouched');

# a stored object tampered with does not open
my (undef, $good) = s3get("backups/$id/$b1.ochbak");
my $bad = $good;
substr($bad, 40, 1) = chr(ord(substr($bad, 40, 1)) ^ 1);
is(s3put("backups/$id/$b1.ochbak", $bad), 200, 'one bit of the stored object flipped');
$r = $t->http(POST => "/api/v1/instances/$id/backups/$b1/restore", headers => $own, body => { confirm => $host });
$res = wait_command($r->{json}{command_id}, 'restore of a damaged object');
is($res->[0], 'failed', 'the restore fails');
like($res->[1], qr/nothing changed/, 'and says nothing changed');
is(slurp("$oc/memory.md"), "remember: the state now\n", 'the state is untouched');
# another backup's object in its place does not open either
my (undef, $other) = s3get("backups/$id/$b3.ochbak");
is(s3put("backups/$id/$b1.ochbak", $other), 200, "another backup's object put in its place");
$r = $t->http(GET => "/api/v1/agent/backups/$b1", headers => { Authorization => "Bearer $token" });
isnt($r->{status}, 200, 'the API does not serve it whole (the answer is cut short)');
isnt($r->{content}, "remember: the state before\n", 'nor its content');
is(s3put("backups/$id/$b1.ochbak", $good), 200, 'the good object back');
$r = $t->http(GET => "/api/v1/agent/backups/$b1", headers => { Authorization => "Bearer $token" });
is($r->{status}, 200, 'served again');
is($r->{headers}{'x-och-sha256'}, backup($b1)->[3], 'with its SHA-256');
$r = $t->http(GET => "/api/v1/agent/backups/$b1");
is($r->{status}, 401, 'no agent token: 401');

# ---- the certificate still self-signed past ALERT_TLS_SECONDS: an alert
ok($t->wait_for(sub { ($t->psql_one("SELECT tls->>'mode' FROM agent_reports WHERE instance_id = :'i'", i => $id) // '')
    eq 'self-signed' }, timeout => 60), 'the agent reported the self-signed certificate');
ok($t->wait_for(sub { $t->psql_one("SELECT active_at < now() - interval '60 seconds' FROM instances WHERE id = :'i'",
    i => $id) eq 't' }, timeout => 90), 'a minute after activation');
maintain(ALERT_TLS_SECONDS => 60);
is($t->psql_one("SELECT count(*) FROM alerts WHERE condition = 'tls_self_signed' AND instance_id = :'i'
	AND opened_at IS NOT NULL AND resolved_at IS NULL", i => $id), 1, 'tls_self_signed is open');
spit("$dir/sim/servers/$server/tls.json", '{"mode":"letsencrypt"}');
ok($t->wait_for(sub { ($t->psql_one("SELECT tls->>'mode' FROM agent_reports WHERE instance_id = :'i'", i => $id) // '')
    eq 'letsencrypt' }, timeout => 60), 'then the certificate from Let\'s Encrypt');
maintain(ALERT_TLS_SECONDS => 60);
is($t->psql_one("SELECT count(*) FROM alerts WHERE condition = 'tls_self_signed' AND resolved_at IS NOT NULL"), 1,
    'and the alert resolves');

# ---- a channel whose token the platform refuses: channel_disconnected
sub discord_report { $t->psql_one(q{SELECT coalesce(channels->'channelAccounts'->'discord'->0->>'lastError', 'none')
	FROM agent_reports WHERE instance_id = :'i' AND channels->'channelAccounts' ? 'discord'}, i => $id) // '' }
$r = $t->http(PUT => "/api/v1/instances/$id/channels/discord", headers => $own,
    body => { enabled => \1, dm_policy => 'pairing', secrets => { token => 'refused-by-discord-0123456789' } });
is($r->{status}, 204, 'a Discord channel set up') or diag $r->{content};
ok($t->wait_for(sub { discord_report() =~ /Unauthorized/ }, timeout => 60), 'the agent reports it failing');
maintain(ALERT_CHANNEL_SECONDS => 0);
like($t->psql_one("SELECT detail FROM alerts WHERE condition = 'channel_disconnected' AND instance_id = :'i'
	AND opened_at IS NOT NULL AND resolved_at IS NULL", i => $id) // '', qr/discord \(401/,
    'channel_disconnected is open, naming the channel and the error');
$r = $t->http(PUT => "/api/v1/instances/$id/channels/discord", headers => $own,
    body => { enabled => \1, dm_policy => 'pairing', secrets => { token => 'x' x 60 } });
is($r->{status}, 204, 'a token Discord takes');
ok($t->wait_for(sub { discord_report() eq 'none' }, timeout => 60), 'the agent reports it connected');
maintain(ALERT_CHANNEL_SECONDS => 0);
is($t->psql_one("SELECT count(*) FROM alerts WHERE condition = 'channel_disconnected' AND resolved_at IS NOT NULL"), 1,
    'and the alert resolves');

# ---- 4. retention and termination
$t->psql("UPDATE plans SET backup_slots = 1 WHERE name = 'starter'");
maintain();
is(backup($b1)->[0], 'deleted', 'beyond the plan slots the oldest is deleted');
($st) = s3get("backups/$id/$b1.ochbak");
is($st, 404, 'from the bucket too');
is(backup($b3)->[0], 'available', 'the newest is kept');
is($t->signed(POST => "/api/v1/instances/$id/terminate")->{status}, 202, 'terminated by WHMCS');
ok($t->wait_for(sub { (inst('state') // '') eq 'terminated' }, timeout => 30), 'terminated');
maintain();
is(backup($b3)->[0], 'available', 'kept during the grace period');
maintain(BACKUP_GRACE_DAYS => 0);
is(backup($b3)->[0], 'deleted', 'deleted after it');
($st) = s3get("backups/$id/$b3.ochbak");
is($st, 404, 'from the bucket too');

$t->done_testing;
