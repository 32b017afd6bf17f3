# Sessions (DESIGN §5): WHMCS SSO and magic links end in an HttpOnly
# och_session JWT naming a sessions row; CSRF on unsafe methods;
# ownership; logout and revocation; one-time tokens.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;
use MIME::Base64 qw(encode_base64url);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances auth)]);

sub order {
	my ($sid, $cid, $email) = @_;
	$t->signed(POST => '/api/v1/instances', { whmcs_service_id => $sid, whmcs_client_id => $cid,
	    email => $email, plan => 'starter', region => 'eu-nuremberg' })->{json}{id};
}
my $mine = order(1, 1, 'bob@example.com');
my $theirs = order(2, 2, 'eve@example.com');

sub cookies {
	my ($r) = @_;
	my $h = $r->{headers}{'set-cookie'} // [];
	$h = [ $h ] unless ref $h;
	return map { /^([^=]+)=([^;]*)(.*)$/ ? ($1 => { value => $2, attrs => $3 }) : () } @$h;
}

my $sso = $t->signed(POST => "/api/v1/instances/$mine/sso")->{json}{url};
(my $path = $sso) =~ s{^https?://[^/]+}{};
my $r = $t->http(GET => $path);
is($r->{status}, 302, 'SSO link redirects');
like($r->{headers}{location}, qr{/instances/\Q$mine\E$}, 'to the instance in the dashboard');
my %c = cookies($r);
ok($c{och_session}{value}, 'session cookie set');
like($c{och_session}{attrs}, qr/HttpOnly/, 'HttpOnly');
like($c{och_session}{attrs}, qr/Secure/, 'Secure');
like($c{och_session}{attrs}, qr/SameSite=Lax/, 'SameSite=Lax');
unlike($c{och_csrf}{attrs}, qr/HttpOnly/, 'the CSRF cookie is readable by the dashboard');
my $jwt = $c{och_session}{value};
my $csrf = $c{och_csrf}{value};
is($t->http(GET => $path)->{status}, 401, 'the SSO link works once');

my %ck = (Cookie => "och_session=$jwt; och_csrf=$csrf");
$r = $t->http(GET => '/api/v1/me', headers => \%ck);
is($r->{status}, 200, '/me with the session');
is($r->{json}{email}, 'bob@example.com', 'the right user');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $mine ], 'only their instance');
is($t->http(GET => "/api/v1/instances/$mine", headers => \%ck)->{status}, 200, 'own instance readable');
is($t->http(GET => "/api/v1/instances/$theirs", headers => \%ck)->{status}, 404, "another customer's instance: 404");
is($t->http(POST => "/api/v1/instances/$mine/reboot", headers => \%ck)->{status}, 403, 'unsafe method without CSRF: 403');
is($t->http(POST => "/api/v1/instances/$mine/reboot", headers => { %ck, 'X-CSRF-Token' => 'f' x 64 })->{status}, 403,
    'wrong CSRF token: 403');
$r = $t->http(POST => "/api/v1/instances/$mine/reboot", headers => { %ck, 'X-CSRF-Token' => $csrf });
is($r->{status}, 409, 'with CSRF the request reaches the handler (pending: 409)');
is($t->http(POST => "/api/v1/instances/$theirs/reboot", headers => { %ck, 'X-CSRF-Token' => $csrf })->{status}, 404,
    "acting on another customer's instance: 404");
is($t->http(POST => '/api/v1/instances/' . $mine . '/suspend', headers => { %ck, 'X-CSRF-Token' => $csrf })->{status}, 401,
    'billing actions are for the billing system only');

# forged and broken tokens
my ($h, $p, $s) = split /\./, $jwt;
my $claims = decode_json(MIME::Base64::decode_base64url($p));
my $none = encode_base64url('{"alg":"none","typ":"JWT"}') . '.' . $p . '.';
is($t->http(GET => '/api/v1/me', headers => { Cookie => "och_session=$none" })->{status}, 401, 'alg none: 401');
$claims->{sub} = '999';
my $forged = "$h." . encode_base64url(encode_json($claims)) . ".$s";
is($t->http(GET => '/api/v1/me', headers => { Cookie => "och_session=$forged" })->{status}, 401, 'edited claims: 401');
is($t->http(GET => '/api/v1/me', headers => { Cookie => 'och_session=garbage' })->{status}, 401, 'garbage: 401');
is($t->http(GET => '/api/v1/me')->{status}, 401, 'no cookie: 401');
is($t->http(POST => '/api/v1/instances', headers => \%ck, body => {})->{status}, 401, 'a session cannot order');

# magic links
$r = $t->http(POST => '/api/v1/auth/magic-link', body => { email => 'BOB@example.com' });
is($r->{status}, 202, 'magic link requested');
my $vars = $t->psql_one("SELECT vars::text FROM email_outbox WHERE template = 'magic_link' AND to_email = 'BOB\@example.com'");
my ($link) = ($vars // '') =~ m{"link": "([^"]+)"};
like($link // '', qr{/api/v1/auth/verify\?token=[0-9a-f]{64}$}, 'an email with a one-time link is queued');
$r = $t->http(POST => '/api/v1/auth/magic-link', body => { email => 'nobody@example.com' });
is($r->{status}, 202, 'an unknown address gets the same answer');
is($t->psql_one("SELECT count(*) FROM email_outbox WHERE to_email = 'nobody\@example.com'"), 0, 'and no email');
is($t->http(POST => '/api/v1/auth/magic-link', body => { email => 'x' })->{status}, 400, 'bad address: 400');
(my $lpath = $link // '') =~ s{^https?://[^/]+}{};
my ($ltok) = $lpath =~ /token=(\w+)/;
$r = $t->http(POST => '/api/v1/auth/verify', body => { token => $ltok });
is($r->{status}, 200, 'magic link verified by the dashboard');
like($r->{json}{csrf_token} // '', qr/^[0-9a-f]{64}$/, 'CSRF token in the answer');
my %c2 = cookies($r);
is($t->http(GET => $lpath)->{status}, 401, 'the magic link works once');

# logout and revocation
$r = $t->http(POST => '/api/v1/auth/logout', headers => { Cookie => "och_session=$c2{och_session}{value}",
    'X-CSRF-Token' => $r->{json}{csrf_token} });
is($r->{status}, 204, 'logout');
is($t->http(GET => '/api/v1/me', headers => { Cookie => "och_session=$c2{och_session}{value}" })->{status}, 401,
    'the JWT is dead after logout although not expired');
$t->psql("UPDATE sessions SET expires_at = now() - interval '1 second'");
is($t->http(GET => '/api/v1/me', headers => \%ck)->{status}, 401, 'an expired session row: 401');
ok($t->psql_one("SELECT count(*) FROM audit_log WHERE action LIKE 'auth.%'") >= 5, 'logins audited');

$t->done_testing;
