# The backups that must not be lost on the way: the pre-update backup and
# an upload that does not get through.  Nothing of ours faked:
# PostgreSQL, the FastCGI binaries behind nginx, och-poller, och-cloudsim
# whose server runs the real cloud-init/och-agent with the stand-in
# openclaw CLI (t/bin/openclaw), and a real S3 implementation (t/s3:
# s3rver).
#   1. an admin updates OpenClaw: the pre-update backup is uploaded off
#      the server like the others (reason pre_update, in the bucket, the
#      update's result says stored) and restores;
#   2. an upload cut mid-body (an agent-token holder's PUT that stops
#      half-way and closes) records nothing;
#   3. storage down at the first attempt: the backup is failed with the
#      reason, the agent tries again, storage is back, the same backup is
#      stored whole (the API serves it with its SHA-256).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login);
use IO::Socket::INET;
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
	OCH_UPLOAD_TRIES => 4,
	OCH_UPLOAD_WAIT => 4,
);
{
	local @ENV{ keys %agent_env } = values %agent_env;
	$t->start_sim('--agent', $t->src('cloud-init/och-agent'),
	    '--create-delay', '0.2', '--boot-delay', '0.5', '--action-delay', '0.2');
}
$t->start_api(binaries => [qw(health instances agent settings auth backups admin)],
    config => { BOOT_TIMEOUT => 60, POLLER_BACKOFF_MS => 200, S3_STALL_SECONDS => 5 });
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 600 });

sub s3status {
	my ($key) = @_;
	return `curl -sS -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 -u S3RVER:S3RVER -H x-amz-content-sha256:UNSIGNED-PAYLOAD '$s3/och-backups/$key'`;
}
my $id;
sub inst { my ($col) = @_; $t->psql_one("SELECT $col FROM instances WHERE id = :'i'", i => $id) }
sub backup { my ($bid) = @_; ($t->psql(q{SELECT status, coalesce(error, ''), coalesce(object_key, ''),
	coalesce(sha256, ''), reason, coalesce(size_bytes, -1) FROM backups WHERE id = :'b'}, b => $bid))[0] // [] }
sub command { my ($cid) = @_; ($t->psql(q{SELECT status, coalesce(result::text, '{}') FROM instance_commands
	WHERE id = :'c'}, c => $cid))[0] // [] }
sub wait_command {
	my ($cid, $what) = @_;
	ok($t->wait_for(sub { (command($cid)->[0] // '') =~ /^(done|failed)$/ }, timeout => 90), "$what: the agent answered")
	    or diag explain [ command($cid), slurp("$dir/sim/servers/" . inst('hetzner_server_id') . '/agent.log') ];
	return command($cid);
}

# ---- one active instance with the real agent
my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4821, whmcs_client_id => 482,
    email => 'up@example.test', plan => 'starter', region => 'eu-helsinki' });
is($r->{status}, 201, 'order accepted') or diag $r->{content};
$id = $r->{json}{id};
ok($t->wait_for(sub { (inst('state') // '') eq 'active' }, timeout => 30), 'active');
my $server = inst('hetzner_server_id');
my $oc = "$dir/sim/servers/$server/root/home/openclaw/.openclaw";
my $host = inst('slug') . '.och.test';
ok($t->wait_for(sub { -s "$oc/openclaw.json" }, timeout => 30), 'the agent wrote the gateway config');
my $token = decode_json(slurp("$dir/sim/servers/$server/agent.json"))->{agent_token};
my $own = $t->sso_session($id);
$t->ochctl('user', 'create-admin', 'boss@och.test');
my $login = magic_login($t, 'boss@och.test');
is($login && $login->{status}, 200, 'an admin signs in by the emailed link');
my $adm = session_of($login);

# ---- 1. the pre-update backup, off the server
spit("$oc/memory.md", "remember: before the update\n");
$r = $t->http(POST => "/api/v1/admin/instances/$id/commands", headers => $adm,
    body => { type => 'update', args => { version => '2026.9.7' } });
is($r->{status}, 202, 'the admin queues an update') or diag $r->{content};
my $ucmd = $r->{json}{id};
my ($pre) = map { $_->[0] } $t->psql(q{SELECT id FROM backups WHERE command_id = :'c'}, c => $ucmd);
ok($pre, 'with its pre-update backup');
my $res = wait_command($ucmd, 'update');
is($res->[0], 'done', 'the update is done') or diag $res->[1];
my $result = decode_json($res->[1])->{output} // {};
is($result->{to}, '2026.9.7', 'to 2026.9.7');
ok($result->{stored}, 'its result says the pre-update backup was stored');
is(backup($pre)->[0], 'available', 'the pre-update backup is available') or diag explain backup($pre);
is(backup($pre)->[4], 'pre_update', 'as a pre-update backup');
is(s3status(backup($pre)->[2]), 200, "in the bucket under the instance's prefix");
$r = $t->http(GET => "/api/v1/instances/$id/backups", headers => $own);
ok((grep { $_->{id} == $pre && $_->{status} eq 'available' } @{ $r->{json}{backups} // [] }),
    'the customer sees it');
spit("$oc/memory.md", "remember: after the update\n");
$r = $t->http(POST => "/api/v1/instances/$id/backups/$pre/restore", headers => $own, body => { confirm => $host });
is($r->{status}, 202, 'it can be restored') or diag $r->{content};
is(wait_command($r->{json}{command_id}, 'restore of the pre-update backup')->[0], 'done', 'restored');
is(slurp("$oc/memory.md"), "remember: before the update\n", 'the state from before the update is back');
$r = $t->http(GET => "/api/v1/instances/$id/backups", headers => $own);
my ($restored) = @{ $r->{json}{restores} // [] };
is($restored && "$restored->{backup_id} $restored->{status}", "$pre done", "the customer's list shows the restore done");

# ---- 2 and 3: storage down at the first attempt
$t->stop('s3rver');
$r = $t->http(POST => "/api/v1/instances/$id/backups", headers => $own);
is($r->{status}, 202, 'an on-demand backup is queued') or diag $r->{content};
my ($b, $c) = ($r->{json}{backup_id}, $r->{json}{command_id});
ok($t->wait_for(sub { backup($b)->[0] eq 'failed' }, timeout => 60), 'the first upload fails (storage down)');
like(backup($b)->[1], qr/object storage/, 'saying why');

# meanwhile, a PUT of that backup cut half-way (the connection closed)
my ($nhost, $nport) = $t->base_url =~ m{^https?://([^:/]+):(\d+)};
my $sock = IO::Socket::INET->new(PeerAddr => $nhost, PeerPort => $nport) or die "connect: $!";
print $sock "PUT /api/v1/agent/backups/$b HTTP/1.1\r\nHost: $nhost\r\nAuthorization: Bearer $token\r\n"
    . "Content-Type: application/octet-stream\r\nContent-Length: 200000\r\n\r\n" . ('x' x 100000);
close $sock;
sleep 1;
isnt(backup($b)->[0], 'available', 'the cut upload is not recorded as a backup');
is(backup($b)->[2], '', 'and no object is recorded for it');

$t->start_s3;
is(wait_command($c, 'the retried backup')->[0], 'done', 'the agent tried again and it was stored');
is(backup($b)->[0], 'available', 'the same backup is available');
like(slurp("$dir/sim/servers/$server/agent.log") // '', qr/backup $b: upload failed \(502[^\n]*again in 4s/,
    'the agent says it tried again');
like($t->psql_one(q{SELECT string_agg(kind, ' ' ORDER BY id) FROM instance_events WHERE instance_id = :'i'
	AND id > (SELECT max(id) FROM instance_events WHERE kind = 'backup_restore.done')}, i => $id),
    qr/backup\.failed.*backup\.stored.*backup_create\.done/, 'its history: failed, then stored');
is(s3status(backup($b)->[2]), 200, 'the object is in the bucket');
$r = $t->http(GET => "/api/v1/agent/backups/$b", headers => { Authorization => "Bearer $token" });
is($r->{status}, 200, 'and opens whole');
is($r->{headers}{'x-och-sha256'}, backup($b)->[3], 'with the SHA-256 recorded');
is(length($r->{content}), backup($b)->[5], 'and the size recorded');

$t->done_testing;
