# The provider clients (lib/hetzner.c, cloudflare.c, resend.c, whmcs.c)
# against och-cloudsim through t/unit/prov-drive: the calls the poller
# makes, their answers, upstream error codes mapped to retryable or not,
# rate-limit headers, int64 ids, correlation ids, idempotency, form
# encoding, and no token in any log line.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::ProvDrive;
use JSON::PP;

my $t = OCH::Test->new;
my $sim = $t->start_sim('--create-delay', '0.3', '--boot-delay', '0.3',
    '--action-delay', '0.3', '--seed', '7');
my %S = %OCH::Stack::SIM;
my $pd = OCH::ProvDrive->new($t, $sim);
sub drive { $pd->drive(@_) }

sub fails {
	my ($j, $err, $code, $retryable, $name) = @_;
	ok(!$j->{ok}, "$name: fails") or diag(encode_json($j));
	is($j->{err}, $err, "$name: $err");
	is($j->{code}, $code, "$name: upstream code $code");
	is($j->{retryable} ? 1 : 0, $retryable, "$name: retryable=$retryable");
}

sub succeeds {
	my ($j, $name) = @_;
	ok($j->{ok}, "$name: ok") or diag(encode_json($j));
	return $j;
}

sub simget { $t->http(GET => "$sim/_sim/$_[0]")->{json} }
sub simpost { $t->http(POST => "$sim/_sim/$_[0]", body => $_[1]) }

sub wait_action {
	my ($id, $want) = @_;
	my $st = '';
	$t->wait_for(sub { $st = drive('hz-action', $id)->{action}{status} // ''; $st ne 'running' },
	    timeout => 15);
	is($st, $want, "action $id ends $want");
}

sub wait_status {
	my ($id, $want) = @_;
	my $st = '';
	$t->wait_for(sub { $st = drive('hz-get', $id)->{server}{status} // ''; $st eq $want },
	    timeout => 15);
	is($st, $want, "server $id is $want");
}

# ---- Hetzner ------------------------------------------------------------

my $j = succeeds(drive('hz-create', 'och-a', 'cx23', 'ubuntu-24.04', 'fsn1', 'inst-a'),
    'create server');
my $sid = $j->{server}{id};
ok($sid > 0, "server id $sid");
like($j->{server}{ipv4}, qr/^127\.\d+\.\d+\.\d+$/, 'loopback ipv4');
like($j->{server}{ipv6}, qr{^2001:db8:[0-9a-f:]*/64$}, 'ipv6 network');
is($j->{server}{instance}, 'inst-a', 'och-instance label set');
is($j->{server}{status}, 'initializing', 'initializing');
is($j->{action}{command}, 'create_server', 'create_server action');
ok($j->{action}{id} > 0, 'action id');
is($j->{status}, 201, '201 Created');
is($j->{rl}{limit}, 3600, 'RateLimit-Limit recorded');
ok($j->{rl}{remaining} >= 0 && $j->{rl}{remaining} < 3600, 'RateLimit-Remaining recorded');
ok($j->{rl}{reset_at} > time - 5, 'RateLimit-Reset is a UNIX time');
like($j->{corr_id}, qr/^\S{8,}$/, 'X-Correlation-Id recorded');
like($pd->stderr, qr/create_server id=$sid instance=inst-a .*corr=\Q$j->{corr_id}\E/,
    'create logged with the correlation id');
my $create_action = $j->{action}{id};

$j = succeeds(drive('hz-actions', $create_action), 'actions by id');
is($j->{actions}[0]{id}, $create_action, 'the asked action');
wait_action($create_action, 'success');
wait_status($sid, 'running');

$j = succeeds(drive('hz-find', 'inst-a'), 'find by label');
is($j->{n}, 1, 'one server labelled inst-a');
is($j->{servers}[0]{id}, $sid, 'the created one');
is(succeeds(drive('hz-find', 'inst-none'), 'find none')->{n}, 0, 'no server for another instance');
is(succeeds(drive('hz-find-name', 'och-a'), 'find by name')->{n}, 1, 'found by name');

fails(drive('hz-create', 'och-a', 'cx23', 'ubuntu-24.04', 'fsn1', 'inst-a'),
    'conflict', 'uniqueness_error', 0, 'same name again');
fails(drive('hz-create', 'och-b', 'cx999', 'ubuntu-24.04', 'fsn1', 'inst-b'),
    'invalid_input', 'invalid_input', 0, 'unknown server type');
fails(drive('hz-create', 'och-b', 'cx23', 'ubuntu-24.04', 'fsn1', 'inst-b', 'x' x 40000),
    'invalid_input', 'invalid_input', 0, 'user_data over 32 KiB refused before sending');
is(simget('stats')->{hetzner}{'POST /servers'}, 3,
    'three POST /servers: none retried, the oversize one never sent');
fails(drive({ HETZNER_API_TOKEN => 'wrong-token' }, 'hz-get', $sid),
    'unauthorized', 'unauthorized', 0, 'wrong token');

fails(drive('hz-change-type', $sid, 'cx33'), 'conflict', 'server_not_stopped', 0,
    'change_type while running');
simpost('latency', { action => 2 });	# long enough to hit the lock
$j = succeeds(drive('hz-act', $sid, 'shutdown'), 'shutdown');
is($j->{action}{command}, 'shutdown_server', 'shutdown_server action');
fails(drive('hz-act', $sid, 'reboot'), 'conflict', 'locked', 1,
    'another action while one runs');
simpost('latency', { action => 0.3 });
wait_action($j->{action}{id}, 'success');
wait_status($sid, 'off');
$j = succeeds(drive('hz-change-type', $sid, 'cx33'), 'change_type when off');
is($j->{action}{command}, 'change_server_type', 'change_server_type action');
wait_action($j->{action}{id}, 'success');
$j = succeeds(drive('hz-act', $sid, 'poweron'), 'poweron');
wait_action($j->{action}{id}, 'success');
wait_status($sid, 'running');
is(drive('hz-get', $sid)->{server}{server_type}, 'cx33', 'type changed');
for my $a (qw(reboot reset poweroff)) {
	$j = succeeds(drive('hz-act', $sid, $a), $a);
	wait_action($j->{action}{id}, 'success');
}
$j = succeeds(drive('hz-rebuild', $sid, 'ubuntu-24.04'), 'rebuild');
is($j->{action}{command}, 'rebuild_server', 'rebuild_server action');
wait_action($j->{action}{id}, 'success');

$j = succeeds(drive('hz-create-image', $sid, 'inst-a'), 'create_image');
my $img = $j->{image_id};
ok($img > 0, "snapshot id $img");
wait_action($j->{action}{id}, 'success');
$j = succeeds(drive('hz-images', 'inst-a'), 'snapshots by label');
is($j->{n}, 1, 'one snapshot for inst-a');
is($j->{images}[0]{id}, $img, 'the one made');
is(succeeds(drive('hz-images', 'inst-none'), 'no snapshots')->{n}, 0, 'none for another instance');
succeeds(drive('hz-image-delete', $img), 'delete snapshot');
fails(drive('hz-image-delete', $img), 'not_found', 'not_found', 0, 'snapshot already gone');

$j = succeeds(drive('hz-delete', $sid), 'delete server');
is($j->{action}{command}, 'delete_server', 'delete_server action');
$t->wait_for(sub { (drive('hz-get', $sid)->{code} // '') eq 'not_found' }, timeout => 15);
fails(drive('hz-get', $sid), 'not_found', 'not_found', 0, 'deleted server');
fails(drive('hz-delete', $sid), 'not_found', 'not_found', 0, 'deleting again');
fails(drive('hz-action', 9007199254740991), 'not_found', 'not_found', 0,
    'an int64 id beyond 32 bits goes through');

# an empty budget: 429 rate_limit_exceeded, retryable, remaining 0 recorded
simpost('ratelimit', { hetzner => { limit => 3600, remaining => 0 } });
$j = drive({ PROV_RETRIES => 0 }, 'hz-find', 'inst-a');
fails($j, 'rate_limited', 'rate_limit_exceeded', 1, 'empty rate-limit bucket');
is($j->{rl}{remaining}, 0, 'RateLimit-Remaining 0 recorded');
simpost('ratelimit', { hetzner => { limit => 3600, remaining => 3600 } });

# ---- Cloudflare -----------------------------------------------------------

my $name = "och-a.$S{domain}";
$j = succeeds(drive('cf-create', 'A', $name, '127.0.0.5'), 'create A record');
my $rid = $j->{record}{id};
like($rid, qr/^[0-9a-f]{32}$/, 'record id');
is($j->{record}{content}, '127.0.0.5', 'content');
like($j->{corr_id}, qr/\S/, 'cf-ray recorded');
$j = drive('cf-create', 'A', $name, '127.0.0.5');
fails($j, 'conflict', '81058', 0, 'identical record');
ok($j->{duplicate}, 'reported as a duplicate');
$t->http(DELETE => "$sim/_sim/stats");
$j = succeeds(drive('cf-ensure', 'A', $name, '127.0.0.5'), 'ensure an existing record');
is($j->{record}{id}, $rid, 'the existing record');
my $st = simget('stats')->{cloudflare};
is($st->{'POST /zones/{zone_id}/dns_records'}, 1, 'ensure: one create');
is($st->{'GET /zones/{zone_id}/dns_records'}, 1, 'ensure: one lookup');
$j = succeeds(drive('cf-ensure', 'AAAA', $name, '2001:db8::5'), 'ensure a new AAAA');
my $rid6 = $j->{record}{id};
is(simget('stats')->{cloudflare}{'POST /zones/{zone_id}/dns_records'}, 2,
    'a new record costs one request');
is(succeeds(drive('cf-list', $name), 'list')->{n}, 2, 'two records by name');
is(succeeds(drive('cf-list', $name, 'AAAA'), 'list AAAA')->{n}, 1, 'one AAAA');
$j = succeeds(drive('cf-patch', $rid, '127.0.0.6'), 'patch');
is($j->{record}{content}, '127.0.0.6', 'content patched');
is(succeeds(drive('cf-ensure', 'A', $name, '127.0.0.6'), 'ensure patched')->{record}{id},
    $rid, 'ensure finds the patched record');
fails(drive('cf-create', 'A', "bad.$S{domain}", '999.1.1.1'), 'invalid_input', '9005', 0,
    'bad A content');
fails(drive('cf-create', 'CNAME', $name, "x.$S{domain}"), 'conflict', '81053', 0,
    'CNAME next to A');
succeeds(drive('cf-delete', $rid), 'delete record');
fails(drive('cf-delete', $rid), 'not_found', '81044', 0, 'record already gone');
fails(drive({ CLOUDFLARE_API_TOKEN => 'wrong' }, 'cf-list', $name), 'unauthorized', '10000', 0,
    'wrong token');
fails(drive({ CLOUDFLARE_ZONE_ID => '0123456789abcdef0123456789abcdef' }, 'cf-list', $name),
    'unauthorized', '9109', 0, 'another zone');
fails(drive({ CLOUDFLARE_ZONE_ID => 'other-zone' }, 'cf-list', $name), 'invalid_input', '7003', 0,
    'a malformed zone id');
my @left = grep { $_->{name} eq $name } @{ simget('dns')->{records} };
is_deeply([ map { $_->{id} } @left ], [ $rid6 ], 'only the AAAA record is left');

# ---- Resend -------------------------------------------------------------

my $from = "OpenClaw Hosting <noreply\@$S{domain}>";
$j = succeeds(drive('rs-send', $from, 'alice@example.com', 'Welcome', 'hello', 'welcome/42'),
    'send with an idempotency key');
my $eid = $j->{id};
like($eid, qr/^[0-9a-f-]{36}$/, 'Resend id');
is(succeeds(drive('rs-send', $from, 'alice@example.com', 'Welcome', 'hello', 'welcome/42'),
    'same key again')->{id}, $eid, 'a replay answers the first id');
fails(drive('rs-send', $from, 'alice@example.com', 'Other', 'hello', 'welcome/42'),
    'conflict', 'invalid_idempotent_request', 0, 'same key, other payload');
succeeds(drive('rs-send', $from, 'bob@example.com', 'No key', 'hi'), 'send without a key');
fails(drive('rs-send', 'not an address', 'bob@example.com', 'x', 'y', 'k-bad'),
    'unprocessable', 'invalid_from_address', 0, 'malformed from');
fails(drive({ RESEND_API_KEY => 're_wrong' }, 'rs-send', $from, 'bob@example.com', 'x', 'y'),
    'unauthorized', 'invalid_api_key', 0, 'wrong key');
fails(drive('rs-send', $from, 'bob@example.com', 'x', 'y', 'k' x 257),
    'invalid_input', 'invalid_input', 0, 'overlong key refused before sending');
my @mails = @{ simget('emails')->{emails} };
is(scalar(grep { ($_->{idempotency_key} // '') eq 'welcome/42' } @mails), 1,
    'one email for the key');
my ($m) = grep { ($_->{idempotency_key} // '') eq 'welcome/42' } @mails;
is_deeply($m->{to}, [ 'alice@example.com' ], 'recipient');
is($m->{subject}, 'Welcome', 'subject');
is($m->{text}, 'hello', 'text part');
is(scalar @mails, 2, 'two emails in all');

# ---- WHMCS --------------------------------------------------------------

simpost('whmcs/services', { serviceid => 77, clientid => 3, status => 'Pending' });
my $dom = "och a&b=c+d%e.$S{domain}";
succeeds(drive('wh-update', 77, 'Active', '127.0.0.5', $dom), 'UpdateClientProduct');
$j = succeeds(drive('wh-get', 77), 'GetClientsProducts');
is($j->{product}{id}, 77, 'service id');
is($j->{product}{clientid}, 3, 'client id');
is($j->{product}{status}, 'Active', 'status stored');
is($j->{product}{dedicatedip}, '127.0.0.5', 'dedicated ip stored');
is($j->{product}{domain}, $dom, 'form encoding round-trips & = + % and spaces');
my ($call) = grep { $_->{action} eq 'UpdateClientProduct' } @{ simget('whmcs')->{calls} };
is($call->{params}{identifier}, $S{whmcs_identifier}, 'identifier sent');
is($call->{params}{responsetype}, 'json', 'responsetype=json');
isnt($call->{params}{secret}, $S{whmcs_secret}, 'the sim masks the secret it got');
fails(drive({ WHMCS_API_SECRET => 'wrong' }, 'wh-get', 77), 'unauthorized', 'auth', 0,
    'wrong secret');

# ---- logs ---------------------------------------------------------------

for my $secret (@S{qw(hetzner_token cloudflare_token resend_key whmcs_secret)}, 'wrong-token') {
	unlike($pd->stderr, qr/\Q$secret\E/, "'$secret' never logged");
}
$t->done_testing;
