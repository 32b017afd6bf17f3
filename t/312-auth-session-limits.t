# Session lifetimes (docs/api.md): an admin session lasts 8 hours at most
# and ends after 30 minutes without a request; a customer's lasts a week;
# "log out everywhere" ends every session of the user.  The clock is moved
# by ageing the session rows (no test waits 30 minutes).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(cookie_name cookies_of session_of sso_login magic_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth admin)]);
my $S = cookie_name('session');

my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'an admin') or diag $err;
my $r = magic_login($t, 'ops@example.com');
is($r->{status}, 200, 'the admin signs in by the emailed link');
my %c = cookies_of($r);
like($c{$S}{attrs}, qr/Max-Age=28800\b/, 'the admin cookie lives 8 hours');
my $adm = session_of($r);
my $hours = $t->psql_one(q{SELECT round(extract(epoch FROM s.expires_at - s.created_at) / 3600)
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.role = 'admin'});
is($hours, 8, 'so does the session row');

my $id = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 1, whmcs_client_id => 1,
    email => 'cust@example.com', plan => 'starter', region => 'eu-helsinki' })->{json}{id};
$r = sso_login($t, $id);
%c = cookies_of($r);
like($c{$S}{attrs}, qr/Max-Age=604800\b/, 'a customer cookie lives a week');
my $cust = session_of($r);

# idle: 29 minutes is fine (and the request counts as activity), 31 is not
$t->psql(q{UPDATE sessions SET last_seen_at = now() - interval '29 minutes'});
is($t->http(GET => '/api/v1/admin/users', headers => $adm)->{status}, 200, 'an admin idle 29 minutes: still in');
ok($t->psql_one(q{SELECT bool_and(last_seen_at > now() - interval '1 minute') FROM sessions s
    JOIN users u ON u.id = s.user_id WHERE u.role = 'admin'}) eq 't', 'the request refreshed the activity');
$t->psql(q{UPDATE sessions SET last_seen_at = now() - interval '31 minutes'});
is($t->http(GET => '/api/v1/admin/users', headers => $adm)->{status}, 401, 'an admin idle 31 minutes: signed out');
is($t->http(GET => '/api/v1/me', headers => $adm)->{status}, 401, 'everywhere');
is($t->http(GET => '/api/v1/me', headers => $cust)->{status}, 200, 'a customer idle 31 minutes is still in');

# log out everywhere
my $cust2 = session_of(sso_login($t, $id));
is($t->http(GET => '/api/v1/me', headers => $cust2)->{status}, 200, 'a second session of the customer');
is($t->http(POST => '/api/v1/auth/logout-all', headers => { Cookie => $cust->{Cookie} })->{status}, 403,
    'log out everywhere needs the CSRF token');
$r = $t->http(POST => '/api/v1/auth/logout-all', headers => $cust);
is($r->{status}, 204, 'log out everywhere');
is($t->http(GET => '/api/v1/me', headers => $cust)->{status}, 401, 'this session ended');
is($t->http(GET => '/api/v1/me', headers => $cust2)->{status}, 401, 'and the other one');
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'auth.logout_all'}), 1, 'audited');

$t->done_testing;
