# The provider clients under och-cloudsim's injected faults (429, 5xx,
# locked, conflict, resource_unavailable, hang, drop, the "*_but_created"
# kinds, action errors): what is retried inside a call and what is left
# to the caller, what is retryable, and that a lookup by label or a
# duplicate lookup recovers a request that took effect but failed.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::ProvDrive;
use JSON::PP;

my $t = OCH::Test->new;
my $sim = $t->start_sim('--create-delay', '0.2', '--boot-delay', '0.2',
    '--action-delay', '0.2', '--seed', '11', '--hang-seconds', '3');
my %S = %OCH::Stack::SIM;
my $pd = OCH::ProvDrive->new($t, $sim);
sub drive { $pd->drive(@_) }

sub fails {
	my ($j, $err, $code, $retryable, $name) = @_;
	ok(!$j->{ok}, "$name: fails") or diag(encode_json($j));
	is($j->{err}, $err, "$name: $err") if defined $err;
	is($j->{code}, $code, "$name: code $code") if defined $code;
	is($j->{retryable} ? 1 : 0, $retryable, "$name: retryable=$retryable");
}

sub succeeds {
	my ($j, $name) = @_;
	ok($j->{ok}, "$name: ok") or diag(encode_json($j));
	return $j;
}

sub simget { $t->http(GET => "$sim/_sim/$_[0]")->{json} }

# One scripted rule (replacing the others) and zeroed counters.
sub script {
	my ($service, $route, @kinds) = @_;
	my $r = $t->http(POST => "$sim/_sim/faults", body => { replace => JSON::PP::true,
	    rules => [ { service => $service, route => $route, script => \@kinds } ] });
	is($r->{status}, 200, "fault script $service '$route': @kinds") or diag($r->{content});
	$t->http(DELETE => "$sim/_sim/stats");
}

sub count { simget('stats')->{$_[0]}{$_[1]} // 0 }

my @create = ('cx23', 'ubuntu-24.04', 'fsn1');

# ---- Hetzner --------------------------------------------------------------

my $j = succeeds(drive('hz-create', 'och-f0', @create, 'f0'), 'a server to act on');
my $sid = $j->{server}{id};
$t->wait_for(sub { drive('hz-get', $sid)->{server}{status} eq 'running' }, timeout => 15);

script('hetzner', 'GET /servers/{id}', '503', '502');
succeeds(drive('hz-get', $sid), 'GET through 503 and 502');
is(count('hetzner', 'GET /servers/{id}'), 3, 'a GET is retried inside the call');

script('hetzner', 'GET /servers/{id}', '503');
fails(drive({ PROV_RETRIES => 0 }, 'hz-get', $sid), 'unavailable', 'unavailable', 1,
    '503 without retries');
script('hetzner', 'GET /servers/{id}', '500');
fails(drive({ PROV_RETRIES => 0 }, 'hz-get', $sid), 'upstream_error', 'server_error', 1, '500');
script('hetzner', 'GET /servers/{id}', '504');
fails(drive({ PROV_RETRIES => 0 }, 'hz-get', $sid), 'upstream_error', 'timeout', 1, '504');
script('hetzner', 'GET /servers/{id}', '429', '429');
succeeds(drive('hz-get', $sid), 'GET through two 429s');
is(count('hetzner', 'GET /servers/{id}'), 3, '429 retried inside the call');
script('hetzner', 'GET /servers/{id}', 'hang');
fails(drive({ PROV_RETRIES => 0, PROV_TIMEOUT_MS => 400 }, 'hz-get', $sid),
    'upstream_error', 'timeout', 1, 'a hanging answer times out');
script('hetzner', 'GET /servers/{id}', 'drop');
fails(drive({ PROV_RETRIES => 0 }, 'hz-get', $sid), 'upstream_error', 'transport', 1,
    'a dropped connection');
script('hetzner', 'GET /servers/{id}', 'drop', 'hang');
succeeds(drive({ PROV_TIMEOUT_MS => 400 }, 'hz-get', $sid), 'GET through a drop and a hang');

# creates: nothing that may have taken effect is repeated inside the call
script('hetzner', 'POST /servers', 'locked');
fails(drive('hz-create', 'och-f1', @create, 'f1'), 'conflict', 'locked', 1, 'create: locked');
is(count('hetzner', 'POST /servers'), 1, 'locked create not repeated inside the call');
is(drive('hz-find', 'f1')->{n}, 0, 'no server made');

script('hetzner', 'POST /servers', 'conflict');
succeeds(drive('hz-create', 'och-f1', @create, 'f1'), 'create through conflict');
is(count('hetzner', 'POST /servers'), 2, 'conflict retried inside the call (nothing was done)');
is(drive('hz-find', 'f1')->{n}, 1, 'exactly one server');

script('hetzner', 'POST /servers', '503');
fails(drive('hz-create', 'och-f2', @create, 'f2'), 'unavailable', 'unavailable', 1,
    'create: 503');
is(count('hetzner', 'POST /servers'), 1, '503 create not repeated inside the call');

for my $k (qw(error_but_created drop_but_created hang_but_created)) {
	my $inst = "f-$k" =~ s/_/-/gr;
	script('hetzner', 'POST /servers', $k);
	$j = drive({ PROV_TIMEOUT_MS => 1000 }, 'hz-create', "och-$inst", @create, $inst);
	fails($j, undef, undef, 1, "create: $k");
	is(count('hetzner', 'POST /servers'), 1, "$k: not repeated inside the call");
	$j = succeeds(drive('hz-find', $inst), "$k: lookup by label");
	is($j->{n}, 1, "$k: the server exists, found by its label");
	fails(drive('hz-create', "och-$inst", @create, $inst), 'conflict', 'uniqueness_error', 0,
	    "$k: creating again is refused, no duplicate");
	is(drive('hz-find', $inst)->{n}, 1, "$k: still one server");
}

script('hetzner', 'POST /servers', 'resource_unavailable');
fails(drive('hz-create', 'och-f3', @create, 'f3'), 'unavailable', 'resource_unavailable', 1,
    'create: out of stock');

script('hetzner', 'POST /servers/{id}/actions/*', 'action_error');
$j = succeeds(drive('hz-act', $sid, 'reboot'), 'reboot accepted');
my $aid = $j->{action}{id};
my $a;
$t->wait_for(sub { $a = drive('hz-action', $aid)->{action}; $a->{status} ne 'running' },
    timeout => 15);
is($a->{status}, 'error', 'the action failed');
is($a->{error_code}, 'action_failed', 'with the action error code');
ok(length $a->{error_message}, 'and a message');

script('hetzner', 'POST /servers/{id}/actions/*', 'locked');
fails(drive('hz-act', $sid, 'poweroff'), 'conflict', 'locked', 1, 'action: locked');
is(count('hetzner', 'POST /servers/{id}/actions/poweroff'), 1, 'locked action left to the caller');

script('hetzner', 'DELETE /servers/{id}', '502', 'drop');
succeeds(drive('hz-delete', $sid), 'DELETE through 502 and a drop');
is(count('hetzner', 'DELETE /servers/{id}'), 3, 'a DELETE is retried inside the call');

# ---- Cloudflare -------------------------------------------------------------

my $name = "och-f.$S{domain}";
script('cloudflare', 'POST *', 'error_but_created');
fails(drive('cf-create', 'A', $name, '127.0.0.9'), 'upstream_error', undef, 1,
    'record create: error but created');
is(count('cloudflare', 'POST /zones/{zone_id}/dns_records'), 1, 'not repeated inside the call');
$j = succeeds(drive('cf-ensure', 'A', $name, '127.0.0.9'), 'ensure after an ambiguous failure');
my @recs = grep { $_->{name} eq $name } @{ simget('dns')->{records} };
is(scalar @recs, 1, 'one record, no duplicate');
is($j->{record}{id}, $recs[0]{id}, 'ensure returned it');

script('cloudflare', 'POST *', '429');
$j = drive({ PROV_RETRIES => 0 }, 'cf-create', 'AAAA', $name, '2001:db8::9');
fails($j, 'rate_limited', '971', 1, 'record create: 429');
ok($j->{retry_after_ms} > 0, 'Retry-After passed on');
script('cloudflare', 'GET *', '502', '503');
is(succeeds(drive('cf-list', $name), 'list through 502 and 503')->{n}, 1, 'listed');
script('cloudflare', 'DELETE *', 'drop');
succeeds(drive('cf-delete', $recs[0]{id}), 'delete through a drop');
is(count('cloudflare', 'DELETE /zones/{zone_id}/dns_records/{id}'), 2,
    'a DELETE is retried inside the call');
fails(drive('cf-delete', $recs[0]{id}), 'not_found', '81044', 0, 'deleting again: gone');

# ---- Resend -----------------------------------------------------------------

my $from = "OCH <noreply\@$S{domain}>";
script('resend', '*', 'error_but_created');
$j = succeeds(drive('rs-send', $from, 'carol@example.com', 'Hi', 'text', 'fault/1'),
    'send with a key through error-but-sent');
is(count('resend', 'POST /emails'), 2, 'retried inside the call with the same key');
my @m = grep { ($_->{idempotency_key} // '') eq 'fault/1' } @{ simget('emails')->{emails} };
is(scalar @m, 1, 'one email, not two');
is($j->{id}, $m[0]{id}, 'the replay answered the first id');

script('resend', '*', 'hang', '503');
succeeds(drive({ PROV_TIMEOUT_MS => 500 }, 'rs-send', $from, 'carol@example.com', 'Hi2',
    'text', 'fault/2'), 'send with a key through a hang and a 503');
is(scalar(grep { ($_->{idempotency_key} // '') eq 'fault/2' } @{ simget('emails')->{emails} }),
    1, 'one email');

script('resend', '*', '429');
$j = drive({ PROV_RETRIES => 0 }, 'rs-send', $from, 'carol@example.com', 'Hi3', 'text', 'fault/3');
fails($j, 'rate_limited', 'rate_limit_exceeded', 1, 'send: 429');
ok($j->{retry_after_ms} > 0, 'retry-after passed on');
script('resend', '*', '429');
succeeds(drive('rs-send', $from, 'carol@example.com', 'Hi3', 'text', 'fault/3'),
    'send through a 429');

script('resend', '*', 'error_but_created');
fails(drive('rs-send', $from, 'dave@example.com', 'No key', 'text'), 'upstream_error', undef, 1,
    'send without a key: error but sent');
is(count('resend', 'POST /emails'), 1, 'without a key nothing is repeated inside the call');

# ---- WHMCS ------------------------------------------------------------------

script('whmcs', '*', '503', '502');
succeeds(drive('wh-update', 9, 'Active', '127.0.0.9', $name), 'UpdateClientProduct through 503, 502');
script('whmcs', '*', '502');
fails(drive({ PROV_RETRIES => 0 }, 'wh-update', 9, 'Active', '127.0.0.9', $name),
    'upstream_error', 'http_error', 1, 'an HTML 502 page');
script('whmcs', '*', '429');
fails(drive({ PROV_RETRIES => 0 }, 'wh-get', 9), 'rate_limited', undef, 1, 'WHMCS 429');
script('whmcs', '*', 'drop');
is(succeeds(drive('wh-get', 9), 'GetClientsProducts through a drop')->{product}{domain}, $name,
    'domain stored');

$t->http(DELETE => "$sim/_sim/faults");
for my $secret (@S{qw(hetzner_token cloudflare_token resend_key whmcs_secret)}) {
	unlike($pd->stderr, qr/\Q$secret\E/, "'$secret' never logged");
}
$t->done_testing;
