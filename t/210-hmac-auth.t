# HMAC request signing (docs/api.md, Authentication) on a test route:
# accept, reject, replay, stale and future timestamps, tampering; no detail
# leaks.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [ [ instances => 't/unit/echo.fcgi' ] ]);
my ($key, $secret) = $t->api_client;
like($key, qr/^ak_[0-9a-f]{16}$/, 'api client id');
like($secret, qr/^[0-9a-f]{64}$/, 'api client secret');
my $stored = $t->psql_one("SELECT encode(secret_enc, 'hex') FROM api_clients WHERE id = :'k'", k => $key);
ok($stored && index($stored, unpack('H*', $secret)) < 0 && index($stored, $secret) < 0,
    'secret stored encrypted, not in clear');

my $r = $t->signed(GET => '/api/v1/echo-hmac');
is($r->{status}, 200, 'signed GET accepted');
is($r->{json}{client}, $key, 'authenticated as the client');
$r = $t->signed(POST => '/api/v1/echo-hmac?x=1', { hello => 'world' });
is($r->{status}, 200, 'signed POST with query and body accepted');
is($r->{json}{body}{hello}, 'world', 'body reached the handler');

sub denied {
	my ($r, $name) = @_;
	is($r->{status}, 401, "$name: 401");
	is($r->{json}{error}{code}, 'unauthorized', "$name: unauthorized");
	is($r->{json}{error}{message}, 'authentication required', "$name: no detail in the message");
}

denied($t->http(GET => '/api/v1/echo-hmac'), 'no headers');
my %h = $t->sign_headers(GET => '/api/v1/echo-hmac', '');
for my $drop (sort keys %h) {
	my %c = %h;
	delete $c{$drop};
	denied($t->http(GET => '/api/v1/echo-hmac', headers => \%c), "missing $drop");
}

# replay: the very same signed request twice
%h = $t->sign_headers(GET => '/api/v1/echo-hmac', '');
is($t->http(GET => '/api/v1/echo-hmac', headers => \%h)->{status}, 200, 'first use of a nonce');
denied($t->http(GET => '/api/v1/echo-hmac', headers => \%h), 'replayed nonce');

denied($t->signed(GET => '/api/v1/echo-hmac', undef, timestamp => time - 301), 'timestamp 301 s old');
denied($t->signed(GET => '/api/v1/echo-hmac', undef, timestamp => time + 301), 'timestamp 301 s ahead');
is($t->signed(GET => '/api/v1/echo-hmac', undef, timestamp => time - 250)->{status}, 200, 'timestamp 250 s old accepted');

# tampering
my $body = '{"amount":1}';
%h = $t->sign_headers(POST => '/api/v1/echo-hmac', $body);
denied($t->http(POST => '/api/v1/echo-hmac', headers => \%h, body => '{"amount":9}', content_type => 'application/json'),
    'tampered body');
%h = $t->sign_headers(GET => '/api/v1/echo-hmac?a=1', '');
denied($t->http(GET => '/api/v1/echo-hmac?a=2', headers => \%h), 'tampered query');
%h = $t->sign_headers(POST => '/api/v1/echo-hmac', '');
denied($t->http(GET => '/api/v1/echo-hmac', headers => \%h), 'method changed');

denied($t->signed(GET => '/api/v1/echo-hmac', undef, key => $key, secret => 'f' x 64), 'wrong secret');
denied($t->signed(GET => '/api/v1/echo-hmac', undef, key => 'ak_' . ('0' x 16), secret => $secret), 'unknown key');
%h = $t->sign_headers(GET => '/api/v1/echo-hmac', '');
denied($t->http(GET => '/api/v1/echo-hmac', headers => { %h, 'X-OCH-Signature' => uc $h{'X-OCH-Signature'} }),
    'upper-case signature');
denied($t->http(GET => '/api/v1/echo-hmac', headers => { %h, 'X-OCH-Signature' => substr($h{'X-OCH-Signature'}, 0, 63) }),
    'short signature');
denied($t->signed(GET => '/api/v1/echo-hmac', undef, nonce => 'abcd'), 'nonce under 16 bytes');
denied($t->signed(GET => '/api/v1/echo-hmac', undef, nonce => 'zz' x 16), 'non-hex nonce');
denied($t->signed(GET => '/api/v1/echo-hmac', undef, timestamp => '1e9'), 'non-decimal timestamp');
denied($t->http(GET => '/api/v1/echo-hmac', headers => { %h, 'X-OCH-Key' => "ak_' OR 1=1 --" }), 'SQL in the key');

ok($t->psql_one("SELECT count(*) FROM api_nonces WHERE client_id = :'k'", k => $key) >= 3,
    'nonces are stored');
$t->psql("UPDATE api_clients SET revoked_at = now() WHERE id = :'k'", k => $key);
denied($t->signed(GET => '/api/v1/echo-hmac'), 'revoked client');

$t->done_testing;
