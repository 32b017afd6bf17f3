# och-cloudsim faults: every kind on Hetzner (and the other services'
# shapes), scripts, route patterns, probabilities reproducible with a
# seed, hangs that block nothing else, drops, "but created" variants,
# failing actions, bad rules.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Select;
use Time::HiRes qw(time);
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
my $sim = start_fast_sim($t, '--seed', '42');
my ($port) = $sim =~ /:(\d+)$/;

sub rule { my $r = $t->http('POST', "$t->{sim}/_sim/faults", body => $_[0]); return $r }

# plain error kinds
rule({ service => 'hetzner', route => 'GET /locations',
    script => [qw(429 500 502 503 504 locked conflict resource_unavailable ok)] });
my @want = ([429, 'rate_limit_exceeded'], [500, 'server_error'], [502, 'bad_gateway'],
    [503, 'unavailable'], [504, 'timeout'], [423, 'locked'], [409, 'conflict'],
    [412, 'resource_unavailable'], [200, undef]);
for my $w (@want) {
	my $r = hz($t, 'GET', '/locations');
	is($r->{status}, $w->[0], "script answer $w->[0]");
	is($r->{json}{error}{code}, $w->[1], "code " . ($w->[1] // 'none')) if $w->[1];
}
is(hz($t, 'GET', '/locations')->{status}, 200, 'script used up: normal again');
is(hz($t, 'GET', '/server_types')->{status}, 200, 'other routes untouched');
my $f = simctl($t, 'GET', '/faults');
is($f->{rules}[0]{injected}{503}, 1, 'injected counted per kind');
is_deeply($f->{rules}[0]{script}, [], 'script consumed');
is(scalar @{ simctl($t, 'DELETE', '/faults')->{rules} }, 0, 'DELETE clears');

# a fault comes before authentication
rule({ service => 'hetzner', script => ['503'] });
is($t->http('GET', "$t->{sim}/hetzner/v1/locations")->{status}, 503, 'fault before auth');

# drop: the connection closes without an answer
rule({ service => 'hetzner', route => 'GET /locations', script => ['drop'] });
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die;
print $s "GET /hetzner/v1/locations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sim-hetzner-token\r\n\r\n";
my $got = '';
IO::Select->new($s)->can_read(5) and sysread($s, $got, 4096);
is($got, '', 'drop: closed with no answer');
close $s;
is(hz($t, 'GET', '/locations')->{status}, 200, 'next request fine');

# hang: the connection waits, the simulator does not
# (a hang long enough that a loaded machine still serves the other request inside it)
rule({ service => 'hetzner', route => 'GET /locations', script => ['hang'], hang_seconds => 5 });
my $t0 = time;
my $h = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die;
print $h "GET /hetzner/v1/locations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sim-hetzner-token\r\n\r\n";
ok($t->wait_for(sub { simctl($t, 'GET', '/health')->{hung_requests} == 1 }), 'one hung request');
is(hz($t, 'GET', '/server_types')->{status}, 200, 'other requests are served meanwhile');
ok(simctl($t, 'GET', '/health')->{hung_requests} == 1 && !IO::Select->new($h)->can_read(0),
    '... while the hung one still waits');
my $r = hz($t, 'GET', '/locations');
is($r->{status}, 200, 'script used: the next one is answered');
$got = '';
IO::Select->new($h)->can_read(30) and sysread($h, $got, 8192);
like($got, qr{^HTTP/1\.1 504}, 'after the hang: 504 timeout');
cmp_ok(time - $t0, '>=', 5, 'it hung for its time (at least; a lower bound a busy machine cannot break)');
close $h;
rule({ service => 'hetzner', route => 'GET /locations', script => ['hang'], hang_seconds => 3 });
$r = hz($t, 'GET', '/locations', undef, timeout => 0.5);
is($r->{status}, 599, 'a client with a shorter timeout gives up');

# error_but_created: the server exists, the answer is a 5xx
rule({ service => 'hetzner', route => 'POST /servers', script => ['error_but_created'] });
$r = create_server($t, name => 'ebc', labels => { 'och-instance' => 'i-ebc' });
is($r->{status}, 500, 'error_but_created: 500');
is($r->{json}{error}{code}, 'server_error', 'server_error');
is(scalar @{ hz($t, 'GET', '/servers?label_selector=och-instance%3D%3Di-ebc')->{json}{servers} }, 1,
    'yet the server was created');
rule({ service => 'hetzner', route => 'POST /servers', script => ['error_but_created'], status => 503 });
is(create_server($t, name => 'ebc2')->{status}, 503, 'error_but_created with another status');
rule({ service => 'hetzner', route => 'POST /servers', script => ['drop_but_created'] });
$r = create_server($t, name => 'dbc');
is($r->{status}, 599, 'drop_but_created: no answer');
is(scalar @{ hz($t, 'GET', '/servers?name=dbc')->{json}{servers} }, 1, 'yet created');
rule({ service => 'hetzner', route => 'POST /servers', script => ['hang_but_created'], hang_seconds => 2 });
$r = hz($t, 'POST', '/servers', { name => 'hbc', server_type => 'cx23', image => 'ubuntu-24.04' }, timeout => 0.5);
is($r->{status}, 599, 'hang_but_created: the client times out');
is(scalar @{ hz($t, 'GET', '/servers?name=hbc')->{json}{servers} }, 1, 'yet created');
is(create_server($t, name => 'ebc')->{status}, 409, 'and a retry that does not look first is a duplicate');

# action_error: accepted, the action fails
rule({ service => 'hetzner', route => 'POST /servers', script => ['action_error'] });
$r = create_server($t, name => 'ae');
is($r->{status}, 201, 'action_error: the create is accepted');
my ($id, $aid) = ($r->{json}{server}{id}, $r->{json}{action}{id});
ok($t->wait_for(sub { hz($t, 'GET', "/actions/$aid")->{json}{action}{status} eq 'error' }), 'create action ends in error');
is(hz($t, 'GET', "/actions/$aid")->{json}{action}{error}{code}, 'action_failed', 'action_failed');
is(hz($t, 'GET', "/servers/$id")->{json}{server}{status}, 'off', 'the server stays off');
rule({ service => 'hetzner', route => 'POST /servers/*/actions/*', script => ['action_error'] });
$r = hz($t, 'POST', "/servers/$id/actions/poweron");
is($r->{status}, 201, 'poweron accepted');
$aid = $r->{json}{action}{id};
ok($t->wait_for(sub { hz($t, 'GET', "/actions/$aid")->{json}{action}{status} eq 'error' }), 'poweron fails');
is(hz($t, 'GET', "/servers/$id")->{json}{server}{status}, 'off', 'still off');
is(hz($t, 'POST', "/servers/$id/actions/poweron")->{status}, 201, 'route pattern used up');

# the other services' shapes
rule({ service => 'cloudflare', script => [qw(429 502 error_but_created)] });
$r = cf($t, 'GET', '/zones');
is_deeply([ $r->{status}, $r->{json}{errors}[0]{code}, $r->{json}{success} ], [ 429, 971, JSON::PP::false ], 'cloudflare 429');
ok($r->{headers}{'retry-after'}, 'with Retry-After');
is(cf($t, 'GET', '/zones')->{status}, 502, 'cloudflare 502 in the envelope');
$r = cf($t, 'POST', '/zones/sim-zone-0001/dns_records', { type => 'A', name => 'ebc', content => '127.64.0.5', ttl => 1 });
is($r->{status}, 500, 'cloudflare error_but_created');
is(scalar @{ cf($t, 'GET', '/zones/sim-zone-0001/dns_records?name=ebc.och.test')->{json}{result} }, 1, 'the record exists');
rule({ service => 'resend', script => [qw(error_but_created 500 429)] });
my %mail = (from => 'a@och.test', to => 'b@example.com', subject => 's', text => 't');
$r = rs($t, \%mail, idem => 'welcome/ebc');
is_deeply([ $r->{status}, $r->{json}{name} ], [ 500, 'internal_server_error' ], 'resend error_but_created');
sleep 1;
is(rs($t, \%mail, idem => 'welcome/ebc')->{status}, 500, 'resend 500');
$r = rs($t, \%mail, idem => 'welcome/ebc');
is_deeply([ $r->{status}, $r->{json}{name} ], [ 429, 'rate_limit_exceeded' ], 'resend 429');
sleep 1;
is(rs($t, \%mail, idem => 'welcome/ebc')->{status}, 200, 'the retry with the same key succeeds');
is(scalar(grep { ($_->{idempotency_key} // '') eq 'welcome/ebc' } @{ simctl($t, 'GET', '/emails')->{emails} }), 1,
    'one email: the key made the retry safe');
rule({ service => 'whmcs', script => [qw(503 drop)] });
$r = wh($t, action => 'GetModuleQueue');
is($r->{status}, 503, 'whmcs 503');
like($r->{content}, qr/Service Unavailable/, 'an HTML page, as a proxy answers');
is(wh($t, action => 'GetModuleQueue')->{status}, 599, 'whmcs drop');

# bad rules change nothing
my $n = scalar @{ simctl($t, 'GET', '/faults')->{rules} };
for my $bad ({ service => 'hetzner', script => ['nope'] }, { service => 'cloudflare', script => ['locked'] },
    { service => 'mail', script => ['500'] }, { service => 'hetzner', probability => 2, kinds => ['500'] },
    { service => 'hetzner' }, [ { service => 'hetzner', script => ['500'] }, { service => 'x' } ], '{"rules":') {
	$r = $t->http('POST', "$t->{sim}/_sim/faults", body => ref $bad ? $bad : $bad,
	    ref $bad ? () : (content_type => 'application/json'));
	is($r->{status}, 400, 'bad rule: 400');
}
is(scalar @{ simctl($t, 'GET', '/faults')->{rules} }, $n, 'no rule added by bad requests');

# probabilities: a seed repeats the same faults
sub storm {
	my ($tt) = @_;
	simctl($tt, 'POST', '/faults', { replace => JSON::PP::true, seed => 7,
	    rules => [ { service => 'hetzner', route => 'GET /locations', probability => 0.5, kinds => [qw(500 503 429)] } ] });
	return join ',', map { hz($tt, 'GET', '/locations')->{status} } 1 .. 40;
}
my $a1 = storm($t);
my $a2 = storm($t);
is($a2, $a1, 'reseeding repeats the sequence');
like($a1, qr/200/, 'some answers pass');
like($a1, qr/50[03]|429/, 'some are faults');
my $t2 = OCH::Test->new;
start_fast_sim($t2, '--seed', '42');
is(storm($t2), $a1, 'another simulator with the same seed: the same sequence');
my $cnt = () = $a1 =~ /200/g;
cmp_ok($cnt, '>', 8, 'roughly half pass');
cmp_ok($cnt, '<', 32, 'roughly half fail');

$t->done_testing;
