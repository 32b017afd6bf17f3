# webhooks.fcgi: WHMCS tells the API about a client's new email (signed).
# The sessions of the old address end with it.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances webhooks auth)]);
my $inst = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 1, whmcs_client_id => 77,
    email => 'old@example.com', plan => 'starter', region => 'eu-helsinki' })->{json}{id};
my $s1 = session_of(sso_login($t, $inst));
is($t->http(GET => '/api/v1/me', headers => $s1)->{status}, 200, 'a session of the client');
$t->signed(POST => '/api/v1/instances', { whmcs_service_id => 2, whmcs_client_id => 78,
    email => 'taken@example.com', plan => 'starter', region => 'eu-helsinki' });

my %ev = (event => 'client.email_changed', whmcs_client_id => 77, email => 'New@Example.com', old_email => 'old@example.com');
my $r = $t->signed(POST => '/api/v1/webhooks/whmcs', \%ev);
is($r->{status}, 200, 'email change accepted');
is($t->psql_one('SELECT email FROM users WHERE whmcs_client_id = 77'), 'new@example.com', 'the login address follows WHMCS');
is($t->http(GET => '/api/v1/me', headers => $s1)->{status}, 401, 'the sessions of the old address ended');
my $s2 = session_of(sso_login($t, $inst));
is($t->signed(POST => '/api/v1/webhooks/whmcs', \%ev)->{status}, 200, 'the same event again is fine');
is($t->http(GET => '/api/v1/me', headers => $s2)->{status}, 200, 'and, the address unchanged, ends no session');
is($t->signed(POST => '/api/v1/webhooks/whmcs', { %ev, email => 'taken@example.com' })->{status}, 200,
    "another client's address: each client keeps its own user (an address links no principals)");
is($t->psql_one("SELECT count(*) FROM users WHERE email = 'taken\@example.com'"), 2, 'two users, one address');
is($t->signed(POST => '/api/v1/webhooks/whmcs', { %ev, email => 'nope' })->{status}, 422, 'bad email: 422');
is($t->signed(POST => '/api/v1/webhooks/whmcs', { %ev, whmcs_client_id => 'x' })->{status}, 400, 'bad client id: 400');
is($t->signed(POST => '/api/v1/webhooks/whmcs', { event => 'client.deleted' })->{status}, 422, 'unknown event: 422');
is($t->signed(POST => '/api/v1/webhooks/whmcs', { %ev, whmcs_client_id => 999 })->{status}, 200, 'an unknown client is ignored');
is($t->http(POST => '/api/v1/webhooks/whmcs', body => \%ev)->{status}, 401, 'unsigned: 401');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action LIKE 'webhook.%'"), 7, 'every signed call audited');
$t->done_testing;
