# Principals never merge (docs/api.md), tried as the attacker would: a WHMCS
# customer who signs up with the operator's email address, orders (a
# signed order as the WHMCS module sends it) and presses "Open dashboard"
# (the SSO link) must land in their own customer account, not the
# admin's; and an admin created for an address a customer already
# ordered with must not promote that customer.  Both orders of events,
# against the real binaries, signed in through the sign-in page's POSTs
# and the simulator's mailbox.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of link_token sso_link sso_login mailbox);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth admin)]);

sub order {
	my ($sid, $cid, $email) = @_;
	$t->signed(POST => '/api/v1/instances', { whmcs_service_id => $sid, whmcs_client_id => $cid,
	    email => $email, plan => 'starter', region => 'eu-nuremberg' });
}
# the admin signs in by magic link: the email that names the operator
# account, from the simulator's mailbox
sub admin_session {
	my ($email) = @_;
	my $n = () = mailbox($t);
	$t->http(POST => '/api/v1/auth/magic-link', body => { email => $email });
	$t->_capture([ $t->bin('poller/och-poller'), 'maintain' ], \my $err, $t->env);
	my @m = mailbox($t);
	splice @m, 0, $n;
	my ($op) = grep { $_->{to}[0] eq $email && $_->{text} =~ /with the operator account/ } @m;
	my ($link) = ($op->{text} // '') =~ m{(\S+/signin#magic=[0-9a-f]+)};
	my (undef, $tok) = link_token($link);
	return (session_of($t->http(POST => '/api/v1/auth/verify', body => { token => $tok // '' })), \@m);
}

# ---- 1. the admin exists first; a customer orders with the admin's address
my ($rc, $out, $err) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'ochctl user create-admin ops@example.com') or diag $err;
my $r = order(1, 66, 'OPS@example.com');
is($r->{status}, 201, "an order with the admin's address is accepted");
my $id = $r->{json}{id};
my $pre = $t->http(POST => '/api/v1/auth/preview', body => { kind => 'sso', token => (link_token(sso_link($t, $id)))[1] });
is($pre->{json}{account}, 'customer', 'its SSO link previews a customer account');
my $att = session_of(sso_login($t, $id));
$r = $t->http(GET => '/api/v1/me', headers => $att);
is($r->{status}, 200, '"Open dashboard" signs the customer in');
is($r->{json}{role}, 'customer', '/me: role customer, not admin');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $id ], 'with their own instance');
is($t->http(GET => '/api/v1/admin/users', headers => $att)->{status}, 403, '/api/v1/admin/users: 403');
is($t->http(GET => '/api/v1/admin/instances', headers => $att)->{status}, 403, '/api/v1/admin/instances: 403');
is_deeply([ $t->psql(q{SELECT role, coalesce(whmcs_client_id::text, '-') FROM users
    WHERE email = 'ops@example.com' ORDER BY id}) ], [ [ 'admin', '-' ], [ 'customer', '66' ] ],
    'two users with one address: the operator admin (no client) and the client\'s own customer');

# the real admin still signs in, as the admin, by the email they receive
my ($adm, $mails) = admin_session('ops@example.com');
$r = $t->http(GET => '/api/v1/me', headers => $adm);
is($r->{json}{role}, 'admin', 'the operator signs in to the operator account');
is($t->http(GET => '/api/v1/admin/users', headers => $adm)->{status}, 200, 'and reaches the admin routes');
is(scalar(grep { $_->{to}[0] eq 'ops@example.com' } @$mails), 2,
    'the address got one link per account, each naming its account');

# SSO is never redeemed into an admin, even with a token for one (as the
# old code could mint)
my $admin_id = $t->psql_one(q{SELECT id FROM users WHERE role = 'admin'});
my $forged = 'ab' x 32;
$t->psql(q{INSERT INTO sso_tokens (token_hash, user_id, expires_at)
    VALUES (encode(sha256(convert_to(:'t', 'UTF8')), 'hex'), :'u', now() + interval '1 minute')},
    t => $forged, u => $admin_id);
is($t->http(POST => '/api/v1/auth/preview', body => { kind => 'sso', token => $forged })->{status}, 401,
    'an SSO token of an admin previews nothing');
is($t->http(POST => '/api/v1/auth/sso', body => { token => $forged })->{status}, 401, 'and signs nobody in');

# nor minted for one: an instance that (by a bug or a hand edit) belongs
# to the admin gets no SSO link
$t->psql(q{UPDATE instances SET user_id = :'u' WHERE id = :'i'}, u => $admin_id, i => $id);
is($t->signed(POST => "/api/v1/instances/$id/sso")->{status}, 404, "no SSO link for an admin's instance");
is($t->psql_one(q{SELECT count(*) FROM sso_tokens WHERE user_id = :'u'}, u => $admin_id), 1,
    'no token minted for the admin (only the forged one above)');
$t->psql(q{UPDATE instances SET user_id = (SELECT id FROM users WHERE whmcs_client_id = 66) WHERE id = :'i'}, i => $id);

# an admin cannot promote a WHMCS client's user either
my $cust66 = $t->psql_one(q{SELECT id FROM users WHERE whmcs_client_id = 66});
$r = $t->http(POST => "/api/v1/admin/users/$cust66/role", headers => $adm, body => { role => 'admin' });
is($r->{status}, 400, "promoting a WHMCS client's user: 400");
like($r->{json}{error}{message} // '', qr/WHMCS client's user cannot be an admin/, 'saying why');

# ---- 2. the customer exists first; create-admin on their address
$r = order(2, 77, 'boss@example.com');
my $id2 = $r->{json}{id};
($rc, $out, $err) = $t->ochctl('user', 'create-admin', 'boss@example.com');
is($rc, 1, "create-admin on a WHMCS customer's address fails");
like($err, qr/belongs to a WHMCS client's customer account/, 'saying why');
is_deeply([ $t->psql(q{SELECT role, whmcs_client_id FROM users WHERE email = 'boss@example.com'}) ],
    [ [ 'customer', 77 ] ], 'the customer is not promoted, no admin is created');
$r = $t->http(GET => '/api/v1/me', headers => session_of(sso_login($t, $id2)));
is($r->{json}{role}, 'customer', 'their SSO still lands in a customer account');

# another WHMCS client with an address already in use gets its own user
# too (WHMCS does not verify addresses: an address is no proof)
$r = order(3, 88, 'boss@example.com');
is($r->{status}, 201, "an order with another client's address is accepted");
$r = $t->http(GET => '/api/v1/me', headers => session_of(sso_login($t, $r->{json}{id})));
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $t->psql_one(q{SELECT id FROM instances WHERE whmcs_client_id = 88}) ],
    "client 88 sees only its own instance, not client 77's");

# a service WHMCS moved to client 88: its SSO (the module says whose
# service asks) opens no account of client 77's
my $c77 = $t->psql_one(q{SELECT id FROM instances WHERE whmcs_client_id = 77 ORDER BY created_at LIMIT 1});
my $minted = $t->psql_one(q{SELECT count(*) FROM sso_tokens});
$r = $t->signed(POST => "/api/v1/instances/$c77/sso", { whmcs_client_id => 88 });
is($r->{status}, 409, "SSO for client 77's instance asked as client 88: 409");
like($r->{json}{error}{message}, qr/another WHMCS client/, 'saying why');
is($t->psql_one(q{SELECT count(*) FROM sso_tokens}), $minted, 'and no link minted');
is($t->signed(POST => "/api/v1/instances/$c77/sso", { whmcs_client_id => 'x' })->{status}, 400, 'a malformed client id: 400');
is($t->signed(POST => "/api/v1/instances/$c77/sso", { whmcs_client_id => 77 })->{status}, 201, 'the owner gets the link');

is($t->psql_one(q{SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE u.role = 'admin' AND u.whmcs_client_id IS NOT NULL}), 0, 'no session of an admin linked to a client');
$t->done_testing;
